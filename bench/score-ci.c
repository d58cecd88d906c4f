/*
 * score-ci.c - collects and prints the bootstrap intervals of the score
 * kinds that reproduce a published scorer (see score-ci.h).
 */
#include "bench/score-ci.h"
#include "metrics/metric.h"

#include <math.h>
#include <string.h>

void vl_score_ci_collect(void *ctx, const struct vl_scoring_value *v)
{
	struct vl_score_ci *c = ctx;
	size_t n = c->names.n;

	if (v->subset[0])
		return;
	vl_strv_push(&c->names, v->name);
	c->value = vl_xrealloc(c->value, (n + 1) * sizeof(double));
	c->lo = vl_xrealloc(c->lo, (n + 1) * sizeof(double));
	c->hi = vl_xrealloc(c->hi, (n + 1) * sizeof(double));
	c->value[n] = v->value;
	c->lo[n] = v->lo;
	c->hi[n] = v->hi;
}

void vl_score_ci_finish(struct vl_scoring *sc, const char *metric, const struct vl_kv *opts,
			struct vl_score_ci *c)
{
	const struct vl_metric *m;
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	void *st;
	int nv;

	vl_scoring_finish(sc, &c->ci, vl_score_ci_collect, c);
	if (c->names.n || !(m = vl_metric_find(metric)) || !(st = m->new_state(opts, &err))) {
		vl_buf_release(&err);
		return;
	}
	nv = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	for (int i = 0; i < nv; i++) {
		struct vl_scoring_value v = { metric, vals[i].name, "", vals[i].value, NAN, NAN, 0, 0 };
		vl_score_ci_collect(c, &v);
	}
	m->free_state(st);
	vl_buf_release(&err);
}

long vl_score_ci_find(const struct vl_score_ci *c, const char *name)
{
	for (size_t i = 0; i < c->names.n; i++)
		if (!strcmp(c->names.v[i], name))
			return (long)i;
	return -1;
}

void vl_score_ci_json(const struct vl_score_ci *c, struct vl_buf *out)
{
	if (c->ci.resamples <= 0)
		return;
	vl_buf_addf(out, ",\"ci\":{\"resamples\":%d,\"seed\":%llu,\"level\":", c->ci.resamples,
		    (unsigned long long)c->ci.seed);
	vl_buf_add_json_num(out, c->ci.level);
	for (size_t i = 0; i < c->names.n; i++) {
		if (isnan(c->lo[i]))
			continue;
		vl_buf_addch(out, ',');
		vl_buf_add_json_str(out, c->names.v[i]);
		vl_buf_addch(out, ':');
		vl_buf_addch(out, '[');
		vl_buf_add_json_num(out, c->lo[i]);
		vl_buf_addch(out, ',');
		vl_buf_add_json_num(out, c->hi[i]);
		vl_buf_addch(out, ']');
	}
	vl_buf_addch(out, '}');
}

void vl_score_ci_text(const struct vl_score_ci *c, struct vl_buf *out)
{
	if (c->ci.resamples <= 0)
		return;
	for (size_t i = 0; i < c->names.n; i++)
		if (!isnan(c->lo[i]))
			vl_buf_addf(out, "%g%% CI %s: [%.6g, %.6g] (%d resamples)\n",
				    c->ci.level * 100, c->names.v[i], c->lo[i], c->hi[i],
				    c->ci.resamples);
}

void vl_score_ci_release(struct vl_score_ci *c)
{
	vl_strv_release(&c->names);
	vl_free(c->value);
	vl_free(c->lo);
	vl_free(c->hi);
	memset(c, 0, sizeof(*c));
}
