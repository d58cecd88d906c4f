/* fuzz_jsonr.c - the JSON pull reader (core/jsonr.c) over a whole document,
 * from memory and from a file with a tiny buffer (refills mid-token), with
 * and without its SIMD scanning. */
#include "fuzz.h"
#include "core/jsonr.h"

static void walk(struct vl_jsonr *r)
{
	struct vl_buf err = VL_BUF_INIT;

	for (int i = 0; i < 1000000; i++) {
		int t = vl_jsonr_next(r, &err);
		if (t == VL_J_ERROR || t == VL_J_END)
			break;
		/* skip some containers whole, as the loaders do */
		if ((t == VL_J_OBJ || t == VL_J_ARR) && (i % 3) == 2 &&
		    vl_jsonr_skip_container(r, &err) < 0)
			break;
	}
	vl_buf_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_jsonr r;
	struct vl_buf err = VL_BUF_INIT;

	vl_jsonr_set_simd(size & 1);
	vl_jsonr_open_mem(&r, "fuzz", (const char *)data, size);
	walk(&r);
	vl_jsonr_close(&r);
	if (vl_jsonr_open(&r, fuzz_file(data, size, 0), &err) == 0) {
		vl_jsonr_set_bufsize(&r, 7);
		walk(&r);
		vl_jsonr_close(&r);
	}
	vl_buf_release(&err);
	return 0;
}
