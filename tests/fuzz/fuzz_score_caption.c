/* fuzz_score_caption.c - `vleval score caption` (bench/score-caption.c):
 * the refs or the preds file (first byte, bit 0: the input is the refs
 * file, else the preds file; the other one is fixed), read by its fast
 * flat parser or, for other shapes, cJSON and read_refs/read_preds, then
 * checked and scored (PTB tokenizer unless bit 1 asks for --pretokenized;
 * bit 2: --lenient), --json --per-sample. */
#include "fuzz.h"
#include "bench/cli.h"

static const char refs[] =
	"{\"1\": [\"a dog runs on the grass\", \"A brown dog, running.\"],"
	" \"2\": [\"two cats sleep on a sofa\", \"cats \\u00e9t\\u00e9 on a couch\"],"
	" \"3\": [\"a red bus\"]}";
static const char preds[] = "[{\"image_id\": 1, \"caption\": \"a dog on grass\"},"
	" {\"image_id\": 2, \"caption\": \"two cats on a sofa\"},"
	" {\"image_id\": 3, \"caption\": \"a bus\"}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *fixed_refs, *fixed_preds;
	const char *in;

	if (size < 1)
		return 0;
	if (!fixed_refs) {
		fixed_refs = strdup(fuzz_dir_file("refs.json", refs, sizeof(refs) - 1));
		fixed_preds = strdup(fuzz_dir_file("preds.json", preds, sizeof(preds) - 1));
	}
	in = fuzz_file(data + 1, size - 1, 0);
	{
		const char *argv[10] = { "caption", "--refs", data[0] & 1 ? in : fixed_refs,
					 "--preds", data[0] & 1 ? fixed_preds : in, "--json",
					 "--per-sample" };
		int n = 7;
		if (data[0] & 4)
			argv[n++] = "--lenient";
		if (data[0] & 2)
			argv[n++] = "--pretokenized";
		fuzz_quiet();
		fuzz_cmd(score_caption, argv);
	}
	return 0;
}
