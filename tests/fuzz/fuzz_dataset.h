/*
 * fuzz_dataset.h - the body of every dataset loader target: the input is
 * written to a file and read to the end through vl_dataset_open/next with
 * the spec FUZZ_SPEC, where "@" stands for that file's path and other paths
 * name fixtures (run from the repository root).  Each fuzz_dataset_<fmt>.c
 * defines FUZZ_SPEC and includes this.
 */
#include "fuzz.h"
#include "datasets/dataset.h"

#include <cjson/cJSON.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, 0);
	struct vl_buf spec_text = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_dataset_spec spec = { 0 };
	struct vl_dataset *ds;
	struct vl_sample s;
	cJSON *json;

	for (const char *p = FUZZ_SPEC; *p; p++) {
		if (*p == '@')
			vl_buf_adds(&spec_text, path);
		else
			vl_buf_addch(&spec_text, *p);
	}
	json = cJSON_Parse(vl_buf_str(&spec_text));
	if (!json)
		abort();
	spec.task = "fuzz";
	spec.data_root = ".";
	spec.json = json;
	if (vl_dataset_open(&spec, &ds, &err) == 0) {
		int rc;
		vl_sample_init(&s);
		/* bounded: a loader must end, but not in more than this many calls */
		for (int i = 0; i < 100000; i++) {
			vl_buf_reset(&err);
			rc = vl_dataset_next(ds, &s, &err);
			/* the caller releases after a bad record too (it may hold an id) */
			vl_sample_release(&s);
			if (rc != 1 && rc != VL_EPARSE)
				break;
		}
		vl_sample_release(&s);
		vl_dataset_close(ds);
	}
	cJSON_Delete(json);
	vl_buf_release(&spec_text);
	vl_buf_release(&err);
	return 0;
}
