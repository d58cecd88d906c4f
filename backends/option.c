/*
 * option.c - backend option tables: lookup, value checks, defaults (see
 * option.h).
 */
#include "backends/option.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct vl_backend_option *vl_option_find(const struct vl_backend_option *table,
					       const char *key)
{
	for (; table && table->key; table++)
		if (!strcmp(table->key, key))
			return table;
	return NULL;
}

/* 1 when word is one of the '|'-separated words of list. */
static int is_choice(const char *list, const char *word)
{
	size_t n = strlen(word);

	while (list && *list) {
		const char *bar = strchr(list, '|');
		size_t k = bar ? (size_t)(bar - list) : strlen(list);
		if (k == n && !strncmp(list, word, n))
			return 1;
		list = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* "between 1 and 1024", ">= 0", or "" when the range is open. */
static void add_range(const struct vl_backend_option *o, struct vl_buf *out)
{
	int lo = o->min > -VL_OPTION_UNBOUNDED, hi = o->max < VL_OPTION_UNBOUNDED;

	if (o->min == 0 && o->max == 0)
		return;
	if (lo && hi)
		vl_buf_addf(out, " between %g and %g", o->min, o->max);
	else if (lo)
		vl_buf_addf(out, " >= %g", o->min);
	else if (hi)
		vl_buf_addf(out, " <= %g", o->max);
}

/* " 1..1024", " >= 0", or "" (compact, for tables). */
static void add_short_range(const struct vl_backend_option *o, struct vl_buf *out)
{
	if (o->min == 0 && o->max == 0)
		return;
	if (o->max < VL_OPTION_UNBOUNDED)
		vl_buf_addf(out, " %g..%g", o->min, o->max);
	else
		vl_buf_addf(out, " >= %g", o->min);
}

void vl_option_describe_type(const struct vl_backend_option *o, struct vl_buf *out)
{
	switch (o->type) {
	case VL_OPTION_STRING:
		vl_buf_adds(out, "text");
		break;
	case VL_OPTION_INT:
		vl_buf_adds(out, "int");
		add_short_range(o, out);
		break;
	case VL_OPTION_NUMBER:
		vl_buf_adds(out, "number");
		add_short_range(o, out);
		break;
	case VL_OPTION_BOOL:
		vl_buf_adds(out, "0|1");
		break;
	case VL_OPTION_CHOICE:
		vl_buf_adds(out, o->choices ? o->choices : "");
		break;
	case VL_OPTION_JSON:
		vl_buf_adds(out, "JSON");
		break;
	}
}

int vl_option_check(const struct vl_backend_option *o, const char *value, struct vl_buf *err)
{
	char *end;
	double v;

	switch (o->type) {
	case VL_OPTION_STRING:
	case VL_OPTION_JSON:
		return 0;
	case VL_OPTION_CHOICE:
		if (is_choice(o->choices, value))
			return 0;
		vl_buf_addf(err, "option '%s' wants one of %s, got '%s'", o->key, o->choices, value);
		return VL_EINVAL;
	case VL_OPTION_BOOL:
		if (!strcmp(value, "0") || !strcmp(value, "1"))
			return 0;
		vl_buf_addf(err, "option '%s' wants 0 or 1, got '%s'", o->key, value);
		return VL_EINVAL;
	case VL_OPTION_INT:
	case VL_OPTION_NUMBER:
		break;
	}
	errno = 0;
	v = strtod(value, &end);
	if (end != value && !*end && !errno && isfinite(v) && !(o->min || o->max ? v < o->min ||
	    v > o->max : 0) && (o->type != VL_OPTION_INT || v == floor(v)))
		return 0;
	vl_buf_addf(err, "option '%s' wants %s", o->key,
		    o->type == VL_OPTION_INT ? "an integer" : "a number");
	add_range(o, err);
	vl_buf_addf(err, ", got '%s'", value);
	return VL_EINVAL;
}

const char *vl_option_str(const struct vl_backend_option *table,
			  const struct vl_backend_config *cfg, const char *key)
{
	const struct vl_backend_option *o = vl_option_find(table, key);
	const char *v = vl_backend_config_get(cfg, key);

	return v ? v : o ? o->dflt : NULL;
}

int vl_option_num(const struct vl_backend_option *table, const struct vl_backend_config *cfg,
		  const char *key, double *out, char *err, size_t errlen)
{
	const struct vl_backend_option *o = vl_option_find(table, key);
	const char *v = vl_option_str(table, cfg, key);
	struct vl_buf e = VL_BUF_INIT;

	*out = 0;
	if (!v)
		return 0;
	if (o && vl_option_check(o, v, &e) < 0) {
		snprintf(err, errlen, "%s", vl_buf_str(&e));
		vl_buf_release(&e);
		return -1;
	}
	*out = strtod(v, NULL);
	return 0;
}
