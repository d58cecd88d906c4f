/*
 * openai_bench.c - pushes requests through the openai backend as fast as it
 * goes, keeping --concurrency of them in flight, for tests/perf/
 * openai_throughput.sh.  Each request carries --image (read and base64-
 * encoded per request, as a run does).  Prints one line of figures:
 *
 *   requests=N errors=E wall_s=W rate=R cpu_us_per_req=C
 *
 * where C is this process's user+system CPU time per request.  With
 * --dump-body FILE it writes the JSON body of one request and exits, so
 * that wrk can post exactly the same bytes.
 */
#include "backends/host.h"
#include "backends/openai.h"
#include "core/vl.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	const char *url = NULL, *image = NULL, *dump = NULL;
	double seconds = 3;
	long conc = 64, submitted = 0, done = 0, errors = 0;
	struct vl_kv cfg = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b;
	struct vl_response out[256];
	struct vl_image img;
	struct vl_request q;
	double t0, c0, t_end;
	char cbuf[32];

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--url"))
			url = argv[i + 1];
		else if (!strcmp(argv[i], "--image"))
			image = argv[i + 1];
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--concurrency"))
			conc = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--dump-body"))
			dump = argv[i + 1];
		else {
			fprintf(stderr, "openai_bench: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	/* libcurl mallocs and frees a 64 KB upload buffer per transfer; without
	 * this glibc gives the memory back and faults it in again every time */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	memset(&img, 0, sizeof(img));
	img.path = image;
	memset(&q, 0, sizeof(q));
	q.sample_id = "bench";
	q.prompt = "Is there a dog in the image? Answer yes or no.";
	q.images = image ? &img : NULL;
	q.n_images = image ? 1 : 0;
	q.max_tokens = 16;
	q.temperature = 0;
	q.top_p = -1;
	q.seed = -1;
	if (dump) {
		struct vl_openai_body_opts o = { .model = "fake-model" };
		FILE *f = fopen(dump, "wb");
		if (!f || vl_openai_build_body(&o, &q, &err, &err) < 0) {
			fprintf(stderr, "openai_bench: cannot write %s\n", dump);
			return 1;
		}
		fwrite(err.buf, 1, err.len, f);
		fclose(f);
		return 0;
	}
	if (!url) {
		fprintf(stderr, "usage: openai_bench --url URL [--image FILE] [--seconds S] "
			"[--concurrency N] | --dump-body FILE [--image FILE]\n");
		return 2;
	}
	snprintf(cbuf, sizeof(cbuf), "%ld", conc);
	vl_kv_set(&cfg, "base_url", url);
	vl_kv_set(&cfg, "model", "fake-model");
	vl_kv_set(&cfg, "concurrency", cbuf);
	if (vl_backend_open("openai", &cfg, &b, &err) < 0) {
		fprintf(stderr, "openai_bench: %s\n", err.buf);
		return 1;
	}
	t0 = vl_now();
	c0 = vl_cpu_seconds(RUSAGE_SELF);
	t_end = t0 + seconds;
	for (;;) {
		int n;
		while (submitted - done < conc && vl_now() < t_end) {
			q.id = (uint64_t)submitted;
			if (vl_backend_submit(b, &q, &err) < 0) {
				fprintf(stderr, "openai_bench: %s\n", err.buf);
				return 1;
			}
			submitted++;
		}
		if (done == submitted)
			break;
		n = vl_backend_poll(b, 1000, out, 256);
		if (n < 0)
			return 1;
		for (int i = 0; i < n; i++) {
			if (out[i].error) {
				if (!errors)
					fprintf(stderr, "openai_bench: %s\n", out[i].error);
				errors++;
			}
			vl_response_release(&out[i]);
		}
		done += n;
	}
	{
		double wall = vl_now() - t0, cpu = vl_cpu_seconds(RUSAGE_SELF) - c0;
		printf("requests=%ld errors=%ld wall_s=%.3f rate=%.0f cpu_us_per_req=%.1f\n",
		       done, errors, wall, done / wall, cpu / (double)done * 1e6);
	}
	vl_backend_close(b);
	vl_kv_release(&cfg);
	vl_buf_release(&err);
	return errors ? 1 : 0;
}
