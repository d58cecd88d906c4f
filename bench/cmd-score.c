/*
 * cmd-score.c - `vleval score KIND ...`: scores predictions made elsewhere,
 * through the same metric code the runner uses.  One function per kind, in
 * bench/score-KIND.c.
 */
#include "bench/cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} kinds[] = {
	{ "pope", score_pope, "POPE answers against POPE question files" },
	{ "vqa", score_vqa, "VQA results against official questions and annotations" },
	{ "caption", score_caption, "BLEU-1..4, ROUGE-L, CIDEr-D of captions (pycocoevalcap shapes)" },
	{ "grounding", score_grounding, "IoU and Acc@0.5 of boxes" },
	{ "mme", score_mme, "MME Your_Results/<task>.txt as the official calculation.py" },
	{ "mmmu", score_mmmu, "MMMU <Subject>/output.json or total_output.json, official parsing" },
	{ "ocrbench", score_ocrbench, "OCRBench example.py results (with \"predict\") as example.py" },
};

#define NKINDS (sizeof(kinds) / sizeof(*kinds))

int cmd_score(int argc, char **argv)
{
	const char *names[NKINDS];

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: vleval score KIND [OPTIONS]\n\nkinds:\n");
		for (size_t i = 0; i < NKINDS; i++)
			printf("  %-10s %s\n", kinds[i].name, kinds[i].summary);
		printf("\n'vleval score KIND --help' for the options of one kind.\n");
		vl_print_exit_status();
		return argc < 2 ? VL_EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < NKINDS; i++) {
		names[i] = kinds[i].name;
		if (!strcmp(argv[1], kinds[i].name))
			return kinds[i].fn(argc - 1, argv + 1);
	}
	vl_error("score: unknown kind '%s'", argv[1]);
	vl_suggest("kinds", argv[1], names, NKINDS);
	return VL_EXIT_USAGE;
}
