/*
 * load_dataset.c - perf driver: reads a whole dataset through the loader
 * registry and prints the sample count, skipped records, wall time and peak
 * RSS.  Usage: load_dataset '<dataset spec JSON>' [data-root]
 * Used by tests/perf/tsv_load.sh; never run by `make test`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "datasets/dataset.h"

int main(int argc, char **argv)
{
	struct vl_dataset_spec spec = { "perf", argc > 2 ? argv[2] : ".", NULL, 0 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_dataset *ds;
	struct vl_sample s;
	struct rusage ru;
	size_t n = 0, bytes = 0;
	double t0 = vl_now();
	cJSON *json;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: load_dataset '<dataset spec JSON>' [data-root]\n");
		return 2;
	}
	json = cJSON_Parse(argv[1]);
	if (!json) {
		fprintf(stderr, "load_dataset: spec is not JSON\n");
		return 2;
	}
	spec.json = json;
	if (vl_dataset_open(&spec, &ds, &err) < 0) {
		fprintf(stderr, "load_dataset: %s\n", vl_buf_str(&err));
		return 1;
	}
	vl_sample_init(&s);
	while ((rc = vl_dataset_next(ds, &s, &err)) != 0) {
		if (rc == 1) {
			n++;
			if (s.image_b64)
				bytes += strlen(s.image_b64);
			vl_sample_release(&s);
		} else if (rc != VL_EPARSE) {
			fprintf(stderr, "load_dataset: %s\n", vl_buf_str(&err));
			return 1;
		}
		vl_buf_reset(&err);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("samples=%zu bad=%zu inline_image_bytes=%zu wall_s=%.3f peak_rss_kb=%ld\n", n,
	       vl_dataset_bad_records(ds), bytes, vl_now() - t0, ru.ru_maxrss);
	vl_dataset_close(ds);
	cJSON_Delete(json);
	vl_buf_release(&err);
	return 0;
}
