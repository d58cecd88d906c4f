/* fuzz_score_mmmu.c - `vleval score mmmu` (bench/score-mmmu.c): the input's
 * first byte picks which file the rest is, the others being small fixed
 * files:
 *   0  DIR/Art/output.json of --outputs DIR (items with id, question_type,
 *      answer, all_choices, index2ans, response), --json --per-sample
 *      --resamples 20
 *   1  the same with --answers answer_dict.json
 *   2  --total FILE (id -> parsed letter or raw response) with --answers
 *   3  --answers FILE (id -> {question_type, ground_truth}) with --total
 * Each goes through the official parsing (vl_mmmu_judge) and the fallback
 * draws; odd first bytes >= 4 use --fallback wrong. */
#include "fuzz.h"
#include "bench/cli.h"

static const char answers[] =
	"{\"validation_Art_1\": {\"question_type\": \"multiple-choice\", \"ground_truth\": \"B\"},"
	" \"validation_Art_2\": {\"question_type\": \"open\", \"ground_truth\": [\"2500\", \"2.5e3\"]},"
	" \"validation_Music_3\": {\"question_type\": \"open\", \"ground_truth\": \"3.14\"}}";
static const char total[] =
	"{\"validation_Art_1\": \"C\", \"validation_Art_2\": \"it is 2500 J\","
	" \"validation_Music_3\": [\"3.14\"]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *ans, *tot;
	const char *dir = fuzz_dir(), *fb;
	char out[160];
	int mode;

	if (size < 1)
		return 0;
	if (!ans) {
		ans = fuzz_file((const uint8_t *)answers, sizeof(answers) - 1, 1);
		ans = strdup(ans);
		tot = fuzz_dir_file("total_output.json", total, sizeof(total) - 1);
		tot = strdup(tot);
	}
	mode = data[0] & 3;
	fb = data[0] >= 4 && (data[0] & 4) ? "wrong" : "random";
	fuzz_quiet();
	if (mode < 2) {
		snprintf(out, sizeof(out), "%s", fuzz_dir_file("Art/output.json", data + 1, size - 1));
		const char *argv[] = { "mmmu", "--outputs", dir, "--json", "--per-sample",
				       "--resamples", "20", "--fallback", fb,
				       mode ? "--answers" : NULL, ans, NULL };
		fuzz_cmd(score_mmmu, argv);
	} else {
		const char *f = mode == 2 ? fuzz_file(data + 1, size - 1, 0)
					  : fuzz_dir_file("answer_dict.json", data + 1, size - 1);
		const char *argv[] = { "mmmu", "--total", mode == 2 ? f : tot, "--answers",
				       mode == 2 ? ans : f, "--json", "--per-sample", "--fallback", fb,
				       NULL };
		fuzz_cmd(score_mmmu, argv);
	}
	return 0;
}
