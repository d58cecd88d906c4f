/*
 * base64_speed.c - perf driver: GB/s of input for every base64 encoder path
 * this CPU runs, next to memcpy of the same bytes measured in the same run,
 * on a 64 MiB buffer (bound by memory bandwidth) and on a 100 KB buffer
 * encoded again and again (stays in cache, like an image encoded into a
 * request: the case that limits request throughput); then decode of the
 * 64 MiB buffer.  Each trial times memcpy and every path in turn, so a
 * burst of load elsewhere hits them alike; the best trial counts.  Exits 1
 * if a path's output differs from the scalar one.  Never run by `make test`.
 */
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "core/vl.h"

enum { MAX_COLUMNS = 16 };

/* memcpy (name NULL) or one encoder path, and its best time so far. */
struct column {
	const char *name;
	double best;
};

/* Seconds to encode (or copy) in[0, n) to dst reps times. */
static double time_reps(const char *path, const unsigned char *in, size_t n, void *dst,
			size_t reps)
{
	double t;

	if (path)
		vl_base64_force(path);
	t = vl_now();
	for (size_t r = 0; r < reps; r++) {
		if (path)
			vl_base64_encode_raw(in, n, dst);
		else
			memcpy(dst, in, n);
		/* the compiler must assume dst is read, or it may drop the copy */
		__asm__ volatile("" : : "r"(dst) : "memory");
	}
	return vl_now() - t;
}

/* Times every column on n bytes (reps per trial, best of trials) and prints
 * one row: memcpy's GB/s, then each path's GB/s and its ratio to memcpy. */
static void measure_row(const char *label, struct column *cols, size_t ncols,
			const unsigned char *in, size_t n, void *dst, size_t reps, size_t trials)
{
	for (size_t c = 0; c < ncols; c++)
		cols[c].best = 1e30;
	for (size_t t = 0; t < trials; t++) {
		for (size_t c = 0; c < ncols; c++) {
			double s = time_reps(cols[c].name, in, n, dst, reps);
			if (s < cols[c].best)
				cols[c].best = s;
		}
	}
	printf("%-8s", label);
	for (size_t c = 0; c < ncols; c++) {
		double gbs = (double)n * reps / cols[c].best / 1e9;
		if (!cols[c].name)
			printf(" %8.2f", gbs);
		else
			printf(" %7.2f (%.2fx)", gbs, cols[0].best / cols[c].best);
	}
	printf("\n");
}

/* Encodes in with every path and compares with the scalar path's output. */
static int paths_agree(struct column *cols, size_t ncols, const unsigned char *in, size_t n,
		       char *out, char *scalar)
{
	size_t len = vl_base64_encoded_len(n);

	vl_base64_force("scalar");
	vl_base64_encode_raw(in, n, scalar);
	for (size_t c = 1; c < ncols; c++) {
		vl_base64_force(cols[c].name);
		vl_base64_encode_raw(in, n, out);
		if (memcmp(out, scalar, len)) {
			fprintf(stderr, "base64_speed: path '%s' differs from the scalar path\n",
				cols[c].name);
			return 0;
		}
	}
	return 1;
}

int main(void)
{
	size_t big = (size_t)64 << 20, small = 100 * 1024, len = 0, ncols = 1;
	unsigned char *in = vl_xmalloc(big), *back = vl_xmalloc(big);
	char *enc = vl_xmalloc(vl_base64_encoded_len(big) + 1);
	char *enc2 = vl_xmalloc(vl_base64_encoded_len(big) + 1);
	struct column cols[MAX_COLUMNS] = { { NULL, 0 } };
	struct vl_buf skipped = VL_BUF_INIT;
	const char *name, *dflt;
	struct vl_rng rng;
	double t, t_dec = 1e30, t_cpy = 1e30;

	vl_base64_force(NULL);
	dflt = vl_base64_impl();
	for (size_t i = 0; (name = vl_base64_impl_name(i)) && ncols < MAX_COLUMNS; i++) {
		if (vl_base64_force(name) == 0)
			cols[ncols++].name = name;
		else
			vl_buf_addf(&skipped, " %s", name);
	}
	vl_rng_seed(&rng, 1);
	for (size_t i = 0; i < big; i += 8) {
		uint64_t v = vl_rng_next(&rng);
		memcpy(in + i, &v, 8);
	}
	/* touch every page first, so no trial pays for page faults */
	memset(back, 0, big);
	memset(enc, 0, vl_base64_encoded_len(big) + 1);
	if (!paths_agree(cols, ncols, in, big, enc, enc2))
		return 1;

	printf("base64 encode, GB/s of input (ratio to memcpy of the same bytes, same run)\n");
	printf("%-8s %8s", "buffer", "memcpy");
	for (size_t c = 1; c < ncols; c++)
		printf(" %15s", cols[c].name);
	printf("\n");
	measure_row("64 MiB", cols, ncols, in, big, enc, 1, 5);
	measure_row("100 KB", cols, ncols, in, small, enc, 200, 40);
	printf("default path: %s; paths this CPU cannot run:%s\n", dflt,
	       skipped.len ? vl_buf_str(&skipped) : " none");

	vl_base64_force(NULL);
	vl_base64_encode(in, big, enc);
	for (size_t r = 0; r < 5; r++) {
		t = vl_now();
		memcpy(back, in, big);
		t = vl_now() - t;
		t_cpy = t < t_cpy ? t : t_cpy;
		t = vl_now();
		vl_base64_decode(enc, vl_base64_encoded_len(big), back, &len, NULL);
		t = vl_now() - t;
		t_dec = t < t_dec ? t : t_dec;
	}
	if (len != big || memcmp(in, back, big)) {
		fprintf(stderr, "base64_speed: round trip failed\n");
		return 1;
	}
	printf("decode over 64 MiB (best of 5): %.2f GB/s of output; memcpy %.2f GB/s (%.2fx)\n",
	       big / t_dec / 1e9, big / t_cpy / 1e9, t_cpy / t_dec);
	vl_buf_release(&skipped);
	vl_free(in);
	vl_free(back);
	vl_free(enc);
	vl_free(enc2);
	return 0;
}
