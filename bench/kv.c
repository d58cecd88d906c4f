/*
 * kv.c - ordered key/value pairs and the seeded random number generator.
 */
#include "bench/vl.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vl_kv_set(struct vl_kv *kv, const char *key, const char *val)
{
	vl_strv_push(&kv->keys, key);
	vl_strv_push(&kv->vals, val ? val : "");
}

const char *vl_kv_get(const struct vl_kv *kv, const char *key)
{
	if (!kv)
		return NULL;
	for (size_t i = kv->keys.n; i-- > 0;)
		if (!strcmp(kv->keys.v[i], key))
			return kv->vals.v[i];
	return NULL;
}

const char *vl_kv_get_or(const struct vl_kv *kv, const char *key, const char *dflt)
{
	const char *v = vl_kv_get(kv, key);
	return v ? v : dflt;
}

int vl_kv_get_long(const struct vl_kv *kv, const char *key, long dflt, long *out,
		   struct vl_buf *err)
{
	const char *v = vl_kv_get(kv, key);
	char *end;
	long n;

	if (!v) {
		*out = dflt;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end) {
		if (err)
			vl_buf_addf(err, "option '%s' wants an integer, got '%s'", key, v);
		return VL_EINVAL;
	}
	*out = n;
	return 0;
}

int vl_kv_get_double(const struct vl_kv *kv, const char *key, double dflt, double *out,
		     struct vl_buf *err)
{
	const char *v = vl_kv_get(kv, key);
	char *end;
	double d;

	if (!v) {
		*out = dflt;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(d)) {
		if (err)
			vl_buf_addf(err, "option '%s' wants a number, got '%s'", key, v);
		return VL_EINVAL;
	}
	*out = d;
	return 0;
}

void vl_kv_release(struct vl_kv *kv)
{
	vl_strv_release(&kv->keys);
	vl_strv_release(&kv->vals);
}

void vl_rng_seed(struct vl_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t vl_rng_next(struct vl_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

size_t vl_rng_below(struct vl_rng *r, size_t n)
{
	/* rejection sampling: no modulo bias, so resamples are exactly uniform */
	uint64_t limit, x;

	if (n <= 1)
		return 0;
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = vl_rng_next(r);
	while (x >= limit);
	return (size_t)(x % n);
}

double vl_rng_unit(struct vl_rng *r)
{
	return (double)(vl_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
