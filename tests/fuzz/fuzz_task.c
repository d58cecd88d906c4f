/* fuzz_task.c - task definitions (bench/task.c vl_task_parse). */
#include "fuzz.h"
#include "bench/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_task *t = NULL;
	struct vl_buf err = VL_BUF_INIT;

	if (vl_task_parse((const char *)data, size, "fuzz.json", &t, &err) == 0)
		vl_task_free(t);
	vl_buf_release(&err);
	return 0;
}
