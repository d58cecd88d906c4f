/* fuzz_score_pope.c - `vleval score pope` (bench/score-pope.c): the input
 * is the answers file (JSON lines with "answer" or "text" and maybe
 * "question_id", read by read_answers), paired with six POPE questions by
 * id or by order and scored, strictly and with --lenient --json
 * --per-sample --resamples 20. */
#include "fuzz.h"
#include "bench/cli.h"

static const char questions[] =
	"{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"Is there a fork?\", \"label\": \"yes\"}\n"
	"{\"question_id\": 2, \"image\": \"a.jpg\", \"text\": \"Is there a cup?\", \"label\": \"no\"}\n"
	"{\"question_id\": 3, \"image\": \"b.jpg\", \"text\": \"Is there a dog?\", \"label\": \"yes\"}\n"
	"{\"question_id\": \"4\", \"image\": \"b.jpg\", \"text\": \"Is there a car?\", \"label\": \"no\"}\n"
	"{\"question_id\": 5, \"image\": \"c.jpg\", \"text\": \"Is there a cat?\", \"label\": \"yes\"}\n"
	"{\"question_id\": 6, \"image\": \"c.jpg\", \"text\": \"Is there a bus?\", \"label\": \"no\"}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *q;
	const char *a;

	if (!q)
		q = fuzz_file((const uint8_t *)questions, sizeof(questions) - 1, 1);
	a = fuzz_file(data, size, 0);
	{
		const char *strict[] = { "pope", "--questions", q, "--answers", a, NULL };
		const char *lenient[] = { "pope", "--questions", q, "--answers", a, "--lenient",
					  "--json", "--per-sample", "--resamples", "20", NULL };
		fuzz_quiet();
		fuzz_cmd(score_pope, strict);
		fuzz_cmd(score_pope, lenient);
	}
	return 0;
}
