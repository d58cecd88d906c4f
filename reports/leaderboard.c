/*
 * leaderboard.c - Markdown and JSON leaderboards (see report.h).
 */
#include "reports/report.h"
#include "metrics/metric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
	struct vl_run_info ri;
	const char *primary_metric;  /* static, from the registry */
	const char *primary_name;
	double value, lo, hi;
	long n;
	int have;
};

struct collect {
	struct row *rows;
	size_t n, cap;
	const long long *only;
	size_t nonly;
};

static int wanted(const struct collect *c, long long id)
{
	if (!c->nonly)
		return 1;
	for (size_t i = 0; i < c->nonly; i++)
		if (c->only[i] == id)
			return 1;
	return 0;
}

static int pick_primary(void *ctx, const struct vl_metric_row *m)
{
	struct row *r = ctx;
	const struct vl_metric *def;

	if (r->have || m->subset[0])
		return 0;
	def = vl_metric_find(m->metric);
	if (!def || strcmp(def->primary, m->name))
		return 0;
	r->primary_metric = def->name;
	r->primary_name = def->primary;
	r->value = m->value;
	r->lo = m->ci_lo;
	r->hi = m->ci_hi;
	r->n = m->n;
	r->have = 1;
	return 0;
}

static int collect_run(void *ctx, const struct vl_run_info *ri)
{
	struct collect *c = ctx;

	if (!wanted(c, ri->id) || strcmp(ri->status, "finished"))
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->rows = vl_xrealloc(c->rows, c->cap * sizeof(*c->rows));
	}
	/* ri is valid during the call only: keep the id, read the row after */
	memset(&c->rows[c->n], 0, sizeof(c->rows[c->n]));
	c->rows[c->n].ri.id = ri->id;
	c->n++;
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int t = strcmp(x->ri.task, y->ri.task);
	if (t)
		return t;
	if (isnan(x->value) != isnan(y->value))
		return isnan(x->value) ? 1 : -1;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return x->ri.id < y->ri.id ? -1 : 1;
}

static int load_rows(struct vl_runlog *rl, const long long *runs, size_t n,
		     struct collect *c, struct vl_buf *err)
{
	memset(c, 0, sizeof(*c));
	c->only = runs;
	c->nonly = n;
	vl_runlog_each_run(rl, 0, collect_run, c);
	for (size_t i = 0; i < c->n; i++) {
		long long id = c->rows[i].ri.id;
		if (vl_runlog_get_run(rl, id, &c->rows[i].ri, err) < 0)
			return VL_EIO;
		c->rows[i].value = NAN;
		vl_runlog_each_metric(rl, id, pick_primary, &c->rows[i]);
	}
	if (c->n)
		qsort(c->rows, c->n, sizeof(*c->rows), cmp_rows);
	return 0;
}

static void free_rows(struct collect *c)
{
	for (size_t i = 0; i < c->n; i++)
		vl_run_info_release(&c->rows[i].ri);
	vl_free(c->rows);
}

int vl_report_markdown(struct vl_runlog *rl, const long long *runs, size_t n,
		       struct vl_buf *out, struct vl_buf *err)
{
	struct collect c;
	const char *task = NULL;
	size_t rank = 0;

	if (load_rows(rl, runs, n, &c, err) < 0) {
		free_rows(&c);
		return VL_EIO;
	}
	vl_buf_adds(out, "# vleval leaderboard\n\n");
	vl_buf_adds(out, "Rows marked *baseline* are reference baselines (oracle, constant, random), "
			 "not models. Intervals are 95% percentile bootstrap intervals.\n");
	for (size_t i = 0; i < c.n; i++) {
		const struct row *r = &c.rows[i];
		if (!task || strcmp(task, r->ri.task)) {
			task = r->ri.task;
			rank = 0;
			vl_buf_addf(out, "\n## %s\n\n", task);
			vl_buf_addf(out, "| rank | backend | model | %s/%s | 95%% CI | n | errors | wall s "
				    "| samples/s | latency p50 s | run |\n",
				    r->have ? r->primary_metric : "metric", r->have ? r->primary_name : "");
			vl_buf_adds(out, "|---:|---|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
		}
		vl_buf_addf(out, "| %zu | %s%s | %s | ", ++rank, r->ri.backend,
			    r->ri.baseline ? " *baseline*" : "", r->ri.model ? r->ri.model : "-");
		if (r->have && !isnan(r->value))
			vl_buf_addf(out, "%.4f | ", r->value);
		else
			vl_buf_adds(out, "- | ");
		if (r->have && !isnan(r->lo))
			vl_buf_addf(out, "[%.4f, %.4f] | ", r->lo, r->hi);
		else
			vl_buf_adds(out, "- | ");
		vl_buf_addf(out, "%ld | %ld | %.2f | %.1f | ", r->n, r->ri.n_errors, r->ri.wall_s,
			    r->ri.throughput > 0 ? r->ri.throughput : 0.0);
		if (r->ri.latency_p50 >= 0)
			vl_buf_addf(out, "%.3f", r->ri.latency_p50);
		else
			vl_buf_adds(out, "-");
		vl_buf_addf(out, " | %lld |\n", r->ri.id);
	}
	if (!c.n)
		vl_buf_adds(out, "\nNo finished runs.\n");
	free_rows(&c);
	return 0;
}

int vl_report_json(struct vl_runlog *rl, const long long *runs, size_t n,
		   struct vl_buf *out, struct vl_buf *err)
{
	struct collect c;

	if (load_rows(rl, runs, n, &c, err) < 0) {
		free_rows(&c);
		return VL_EIO;
	}
	vl_buf_addch(out, '[');
	for (size_t i = 0; i < c.n; i++) {
		const struct row *r = &c.rows[i];
		if (i)
			vl_buf_addch(out, ',');
		vl_buf_addf(out, "{\"run\":%lld,\"task\":", r->ri.id);
		vl_buf_add_json_str(out, r->ri.task);
		vl_buf_adds(out, ",\"backend\":");
		vl_buf_add_json_str(out, r->ri.backend);
		vl_buf_addf(out, ",\"baseline\":%s,\"model\":", r->ri.baseline ? "true" : "false");
		vl_buf_add_json_str(out, r->ri.model);
		vl_buf_adds(out, ",\"metric\":");
		vl_buf_add_json_str(out, r->have ? r->primary_metric : NULL);
		vl_buf_adds(out, ",\"name\":");
		vl_buf_add_json_str(out, r->have ? r->primary_name : NULL);
		vl_buf_adds(out, ",\"value\":");
		vl_buf_add_json_num(out, r->value);
		vl_buf_adds(out, ",\"ci_low\":");
		vl_buf_add_json_num(out, r->lo);
		vl_buf_adds(out, ",\"ci_high\":");
		vl_buf_add_json_num(out, r->hi);
		vl_buf_addf(out, ",\"n\":%ld,\"errors\":%ld,\"wall_s\":", r->n, r->ri.n_errors);
		vl_buf_add_json_num(out, r->ri.wall_s);
		vl_buf_addch(out, '}');
	}
	vl_buf_addch(out, ']');
	free_rows(&c);
	return 0;
}
