/* fuzz_image.c - image header reading (core/image.c): the format sniffer
 * and the width/height of PNG, JPEG, GIF, WebP, BMP... headers. */
#include "fuzz.h"
#include "core/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_buf err = VL_BUF_INIT;
	int w, h;

	vl_image_mime(data, size);
	vl_image_size_mem(data, size, &w, &h, &err);
	vl_webp_size(data, size, &w, &h);
	vl_buf_reset(&err);
	vl_image_size(fuzz_file(data, size, 0), &w, &h, &err);
	vl_buf_release(&err);
	return 0;
}
