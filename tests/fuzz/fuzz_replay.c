/* fuzz_replay.c - the replay backend's predictions reader
 * (backends/replay.c): JSON lines of {"id", "output"}. */
#include "fuzz.h"
#include "backends/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_kv cfg = { 0 };
	struct vl_backend *b;
	struct vl_buf err = VL_BUF_INIT;

	vl_kv_set(&cfg, "predictions", fuzz_file(data, size, 0));
	if (vl_backend_open("replay", &cfg, &b, &err) == 0)
		vl_backend_close(b);
	vl_kv_release(&cfg);
	vl_buf_release(&err);
	return 0;
}
