/*
 * kv.c - ordered key/value pairs (task options, --set values, backend config).
 */
#include "core/vl.h"

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
