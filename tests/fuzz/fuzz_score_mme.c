/* fuzz_score_mme.c - `vleval score mme` (bench/score-mme.c): the input is
 * one task file of the official Your_Results layout (existence.txt: lines
 * "image \t question \t GT \t response", read by read_task as Python's
 * readlines()); the 13 other task files hold one correct image each.
 * Scored in text and --json --per-sample --resamples 20 forms. */
#include "fuzz.h"
#include "bench/cli.h"
#include "metrics/mme.h"

static const char pair[] = "1.jpg\tIs it red?\tYes\tYes\n1.jpg\tIs it blue?\tNo\tNo\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *dir = fuzz_dir();

	if (!ready) {
		char name[96];
		for (int i = 0; i < 14; i++) {
			const char *t = i < 10 ? vl_mme_perception[i] : vl_mme_cognition[i - 10];
			snprintf(name, sizeof(name), "%s.txt", t);
			if (strcmp(t, "existence"))
				fuzz_dir_file(name, pair, sizeof(pair) - 1);
		}
		ready = 1;
	}
	fuzz_dir_file("existence.txt", data, size);
	{
		const char *text[] = { "mme", "--results", dir, NULL };
		const char *json[] = { "mme", "--results", dir, "--json", "--per-sample",
				       "--resamples", "20", NULL };
		fuzz_quiet();
		fuzz_cmd(score_mme, text);
		fuzz_cmd(score_mme, json);
	}
	return 0;
}
