/* fuzz_score_ocrbench.c - `vleval score ocrbench` (bench/score-ocrbench.c):
 * the input is the results JSON OCRBench's example.py saves (items with
 * dataset_name, type, answers, predict), read and scored (the "ocrbench"
 * metric's matching) in text and --json --resamples 20 forms. */
#include "fuzz.h"
#include "bench/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *res = fuzz_file(data, size, 0);
	const char *text[] = { "ocrbench", "--results", res, NULL };
	const char *json[] = { "ocrbench", "--results", res, "--json", "--resamples", "20", NULL };

	fuzz_quiet();
	fuzz_cmd(score_ocrbench, text);
	fuzz_cmd(score_ocrbench, json);
	return 0;
}
