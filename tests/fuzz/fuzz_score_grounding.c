/* fuzz_score_grounding.c - `vleval score grounding`
 * (bench/score-grounding.c): the input is the items file (a JSON array of
 * {id, image_w, image_h, gt_box, pred_box | output}), read by read_items
 * and parse_item (raw outputs through the box extractor) and scored.  The
 * first byte picks the box format of raw outputs and --lenient; the rest is
 * the file. */
#include "fuzz.h"
#include "bench/cli.h"
#include "metrics/box.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *names = vl_box_format_names();
	size_t nnames = 0, pick;
	const char *items;

	if (size < 1)
		return 0;
	while (names[nnames])
		nnames++;
	pick = (data[0] >> 1) % nnames;
	items = fuzz_file(data + 1, size - 1, 0);
	{
		const char *argv[] = { "grounding", "--items", items, "--box-format", names[pick],
				       "--json", "--per-sample", "--resamples", "20",
				       data[0] & 1 ? "--lenient" : NULL, NULL };
		fuzz_quiet();
		fuzz_cmd(score_grounding, argv);
	}
	return 0;
}
