/* fuzz_score_vqa.c - `vleval score vqa` (bench/score-vqa.c): the input is
 * the results file [{"question_id", "answer"}] (read by load_results with
 * the JSON pull reader), scored against the small VQA fixtures, both
 * strictly and with --lenient, --json --per-sample. */
#include "fuzz.h"
#include "bench/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *res = fuzz_file(data, size, 0);
	const char *strict[] = { "vqa", "--questions", "tests/fixtures/vqa/questions.json",
				 "--annotations", "tests/fixtures/vqa/annotations.json",
				 "--results", res, NULL };
	const char *lenient[] = { "vqa", "--questions", "tests/fixtures/vqa/questions.json",
				  "--annotations", "tests/fixtures/vqa/annotations.json",
				  "--results", res, "--lenient", "--json", "--per-sample", NULL };

	fuzz_quiet();
	fuzz_cmd(score_vqa, strict);
	fuzz_cmd(score_vqa, lenient);
	return 0;
}
