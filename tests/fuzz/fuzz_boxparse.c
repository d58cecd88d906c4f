/* fuzz_boxparse.c - every box format's parser on a model output
 * (metrics/boxparse.c), with and without the image size. */
#include "fuzz.h"
#include "metrics/box.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *const *names = vl_box_format_names();
	char *s = fuzz_str(data, size);
	struct vl_buf err = VL_BUF_INIT;
	double box[4];

	for (size_t i = 0; names[i]; i++) {
		vl_box_parse(names[i], s, 640, 480, box, &err);
		vl_box_parse(names[i], s, 0, 0, box, &err);
		vl_buf_reset(&err);
	}
	vl_box_parse_canonical(s, box);
	vl_buf_release(&err);
	free(s);
	return 0;
}
