/*
 * bench_worker.c - drives the "worker" backend the way the runner does, for
 * tests/perf/worker_overhead.sh: N requests (a POPE-like question and an
 * image path each), at most `window` in flight, through `workers` copies of
 * COMMAND with max_inflight K; prints one line of figures.
 *
 *   bench_worker run N WORKERS K WINDOW COMMAND
 *       -> "samples_per_s=... harness_cpu_us_per_sample=... worker_cpu_s=..."
 *   bench_worker dump N FILE
 *       writes the same N request lines to FILE (for the no-harness baseline)
 */
#include "backends/host.h"
#include "backends/worker.h"
#include "core/vl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static void make_request(struct vl_request *req, struct vl_image *img, long i, char *sid,
			 size_t sidlen, char *prompt, size_t plen)
{
	memset(req, 0, sizeof(*req));
	snprintf(sid, sidlen, "pope/random/%ld", i);
	snprintf(prompt, plen, "Is there a %s in the image? Answer yes or no.",
		 i % 2 ? "dog" : "traffic light");
	img->path = "/data/coco/val2014/COCO_val2014_000000310196.jpg";
	img->b64 = NULL;
	img->mime = "image/jpeg";
	req->id = (uint64_t)i;
	req->sample_id = sid;
	req->prompt = prompt;
	req->images = img;
	req->n_images = 1;
	req->max_tokens = 16;
	req->temperature = 0;
	req->top_p = -1;
	req->seed = -1;
}

static double cpu_self(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	char sid[64], prompt[128];
	struct vl_image img;
	struct vl_request req;

	if (argc == 4 && !strcmp(argv[1], "dump")) {
		long n = atol(argv[2]);
		struct vl_buf out = VL_BUF_INIT;
		FILE *f = fopen(argv[3], "w");
		if (!f)
			return 1;
		for (long i = 0; i < n; i++) {
			make_request(&req, &img, i, sid, sizeof(sid), prompt, sizeof(prompt));
			vl_buf_reset(&out);
			vl_worker_request_json(&req, NULL, &out);
			fwrite(out.buf, 1, out.len, f);
		}
		vl_buf_release(&out);
		return fclose(f) ? 1 : 0;
	}
	if (argc == 7 && !strcmp(argv[1], "run")) {
		long n = atol(argv[2]), window = atol(argv[5]), sent = 0, done = 0, yes = 0, errors = 0;
		struct vl_kv kv = { 0 };
		struct vl_buf err = VL_BUF_INIT;
		struct vl_backend *b;
		struct vl_response r[256];
		struct vl_backend_stats st;
		double t0, c0, wall, cpu;

		vl_kv_set(&kv, "command", argv[6]);
		vl_kv_set(&kv, "workers", argv[3]);
		vl_kv_set(&kv, "max_inflight", argv[4]);
		if (vl_backend_open("worker", &kv, &b, &err) < 0) {
			fprintf(stderr, "bench_worker: %s\n", vl_buf_str(&err));
			return 1;
		}
		t0 = vl_now();
		c0 = cpu_self();
		while (done < n) {
			while (sent < n && sent - done < window) {
				make_request(&req, &img, sent, sid, sizeof(sid), prompt, sizeof(prompt));
				if (vl_backend_submit(b, &req, &err) < 0)
					return 1;
				sent++;
			}
			int k = vl_backend_poll(b, 1000, r, 256);
			if (k < 0)
				return 1;
			for (int i = 0; i < k; i++) {
				if (r[i].error)
					errors++;
				else if (!strcmp(r[i].text, r[i].id % 2 ? "yes" : "no"))
					yes++;
				vl_response_release(&r[i]);
			}
			done += k;
		}
		wall = vl_now() - t0;
		cpu = cpu_self() - c0;
		vl_backend_stats(b, &st);
		vl_backend_close(b);
		vl_kv_release(&kv);
		printf("samples_per_s=%.0f harness_cpu_us_per_sample=%.2f worker_cpu_s=%.2f "
		       "worker_peak_rss_mb=%.1f correct=%ld errors=%ld\n", n / wall, cpu / n * 1e6,
		       st.cpu_s, st.peak_rss_mb, yes, errors);
		return yes == n ? 0 : 1;
	}
	fprintf(stderr, "usage: bench_worker run N WORKERS K WINDOW COMMAND | dump N FILE\n");
	return 2;
}
