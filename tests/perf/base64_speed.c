/*
 * base64_speed.c - perf driver: encodes and decodes a 64 MiB random buffer
 * a few times and prints GB/s for each, next to memcpy of the same buffer
 * as the baseline measured in the same run.  Never run by `make test`.
 */
#include <stdio.h>
#include <string.h>

#include "bench/base64.h"
#include "bench/vl.h"

int main(void)
{
	size_t n = (size_t)64 << 20, len = 0, reps = 5;
	unsigned char *in = vl_xmalloc(n), *back = vl_xmalloc(n), *copy = vl_xmalloc(n);
	char *enc = vl_xmalloc(vl_base64_encoded_len(n) + 1);
	struct vl_rng rng;
	double t, t_enc = 1e9, t_dec = 1e9, t_cpy = 1e9;

	vl_rng_seed(&rng, 1);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = vl_rng_next(&rng);
		memcpy(in + i, &v, 8);
	}
	for (size_t r = 0; r < reps; r++) {
		t = vl_now();
		memcpy(copy, in, n);
		t = vl_now() - t;
		t_cpy = t < t_cpy ? t : t_cpy;
		t = vl_now();
		vl_base64_encode(in, n, enc);
		t = vl_now() - t;
		t_enc = t < t_enc ? t : t_enc;
		t = vl_now();
		if (vl_base64_decode(enc, vl_base64_encoded_len(n), back, &len, NULL) < 0 ||
		    len != n || memcmp(in, back, n)) {
			fprintf(stderr, "base64_speed: round trip failed\n");
			return 1;
		}
		t = vl_now() - t;
		t_dec = t < t_dec ? t : t_dec;
	}
	printf("base64 over %zu MiB (best of %zu): encode %.2f GB/s of input, decode %.2f GB/s "
	       "of output; memcpy baseline %.2f GB/s (encode at %.0f%% of memcpy)\n",
	       n >> 20, reps, n / t_enc / 1e9, n / t_dec / 1e9, n / t_cpy / 1e9,
	       100.0 * t_cpy / t_enc);
	vl_free(in);
	vl_free(back);
	vl_free(copy);
	vl_free(enc);
	return 0;
}
