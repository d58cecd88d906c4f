/*
 * cmd-check.c - `vleval check --baseline RUN|FILE`: the regression gate of
 * a CI job.  Compares a run (default: the newest) with a baseline run of
 * the same task, or with the task's entry in a JSON file as `vleval report
 * --format json` writes it, and exits 0 when no headline value dropped
 * beyond the threshold, 1 on a regression, 2 on a usage error.
 *
 * The rule, per headline value (the primary value of each of the task's
 * metrics, or those --metric selects); drop = baseline - run, sign turned
 * for lower-is-better metrics:
 *   --max-drop X        a drop larger than X fails;
 *   --alpha A           a drop whose paired p-value is below A fails (needs
 *                       a baseline run: per-sample scores);
 *   both                a drop must be larger than X and significant;
 *   neither             --alpha 0.05 against a run, --max-drop 0 against a
 *                       file.
 */
#include "bench/cli.h"
#include "bench/runlog.h"
#include "bench/runpair.h"
#include "metrics/metric.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct verdict {
	char *metric, *name;
	double base, run, p;
	int higher_is_better, regression;
};

struct check {
	struct verdict *v;
	size_t n;
	double max_drop, alpha;       /* < 0: not used */
	char *base_label;             /* "run 3 (model)" or "FILE (run 3, model)" */
};

static void add_verdict(struct check *c, const char *metric, const char *name, double base,
			double run, double p, int hib)
{
	struct verdict *v;
	double drop = hib ? base - run : run - base;
	int material, significant;

	c->v = vl_xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	v = &c->v[c->n++];
	v->metric = vl_xstrdup(metric);
	v->name = vl_xstrdup(name);
	v->base = base;
	v->run = run;
	v->p = p;
	v->higher_is_better = hib;
	material = c->max_drop < 0 || drop > c->max_drop + 1e-12;
	significant = c->alpha < 0 || (isfinite(p) && p < c->alpha);
	/* a value that vanished (NAN) is a regression too */
	v->regression = !isfinite(run) ? isfinite(base) : drop > 0 && material && significant;
}

/* Whether value name of metric is gated: the metric's primary value, or
 * what --metric selects. */
static int gated(const char *sel, const char *metric, const char *name)
{
	const struct vl_metric *m = vl_metric_find(metric);

	if (sel)
		return vl_compare_selects(sel, metric, name);
	return m && !strcmp(m->primary, name);
}

/* Against a baseline run: the paired comparison. */
static int check_run(struct vl_runlog *rlb, long long base, struct vl_runlog *rl, long long run,
		     const char *sel, int intersect, long resamples, long seed, struct check *c, struct vl_buf *err)
{
	struct vl_compare_opts o = {
		.only = sel, .intersect = intersect, .resamples = (int)resamples,
		.seed = (uint64_t)seed, .level = 0.95,
	};
	struct vl_compare_result res;
	int rc = vl_runpair_compare(rlb, base, rl, run, &o, &res, err);

	if (rc == 0) {
		struct vl_buf l = VL_BUF_INIT;
		for (size_t i = 0; i < res.nv; i++)
			if (gated(sel, res.v[i].metric, res.v[i].name))
				add_verdict(c, res.v[i].metric, res.v[i].name, res.v[i].r.a,
					    res.v[i].r.b, res.v[i].r.p, res.v[i].higher_is_better);
		vl_buf_addf(&l, "run %lld (%s)", base, res.a.model ? res.a.model : res.a.backend);
		c->base_label = vl_buf_detach(&l, NULL);
	}
	vl_compare_result_release(&res);
	return rc;
}

struct run_values {
	struct check *c;
	const char *sel;
	const cJSON *metrics;         /* the baseline entry's "metrics" */
};

static int value_row(void *ctx, const struct vl_metric_row *m)
{
	struct run_values *rv = ctx;
	const struct vl_metric *def = vl_metric_find(m->metric);
	const cJSON *b;
	double base = NAN;

	if (m->subset[0] || !gated(rv->sel, m->metric, m->name))
		return 0;
	cJSON_ArrayForEach(b, rv->metrics) {
		const char *bm = cJSON_GetStringValue(cJSON_GetObjectItem(b, "metric"));
		const char *bn = cJSON_GetStringValue(cJSON_GetObjectItem(b, "name"));
		const char *bs = cJSON_GetStringValue(cJSON_GetObjectItem(b, "subset"));
		const cJSON *bv = cJSON_GetObjectItem(b, "value");
		if (bm && bn && !strcmp(bm, m->metric) && !strcmp(bn, m->name) && (!bs || !*bs) &&
		    cJSON_IsNumber(bv))
			base = bv->valuedouble;
	}
	if (isfinite(base))
		add_verdict(rv->c, m->metric, m->name, base, m->value, NAN,
			    def ? def->higher_is_better : 1);
	return 0;
}

/* The baseline file's entry for the run's task: the one of the same model,
 * else the first. */
static const cJSON *file_entry(const cJSON *doc, const struct vl_run_info *ri)
{
	const cJSON *r, *first = NULL;
	const char *label = ri->model && *ri->model ? ri->model : ri->backend;

	cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "runs")) {
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(r, "task"));
		const char *m = cJSON_GetStringValue(cJSON_GetObjectItem(r, "model"));
		if (!t || strcmp(t, ri->task))
			continue;
		if (m && !strcmp(m, label))
			return r;
		if (!first)
			first = r;
	}
	return first;
}

/* Against a JSON baseline file: the run's stored values. */
static int check_file(struct vl_runlog *rl, const char *path, long long run, const char *sel,
		      struct check *c, struct vl_buf *err)
{
	struct vl_buf text = VL_BUF_INIT, l = VL_BUF_INIT;
	struct vl_run_info ri;
	const cJSON *e, *ver;
	cJSON *doc = NULL;
	int rc;

	if ((rc = vl_runlog_get_run(rl, run, &ri, err)) < 0)
		return rc;
	if ((rc = vl_read_file(path, &text, err)) < 0)
		goto out;
	doc = cJSON_ParseWithLength(text.buf, text.len);
	if (!doc || !cJSON_IsArray(cJSON_GetObjectItem(doc, "runs"))) {
		vl_buf_addf(err, "baseline '%s' is not a report as 'vleval report --format json' "
			    "writes it (no \"runs\" array)", path);
		rc = VL_EINVAL;
		goto out;
	}
	e = file_entry(doc, &ri);
	if (!e) {
		vl_buf_addf(err, "baseline '%s' has no run of task '%s'", path, ri.task);
		rc = VL_EINVAL;
		goto out;
	}
	ver = cJSON_GetObjectItem(e, "task_version");
	if (cJSON_IsNumber(ver) && ver->valuedouble != (double)ri.task_version) {
		vl_buf_addf(err, "baseline '%s' holds task '%s' version %g, run %lld version %d: "
			    "scores of different task versions are not comparable", path, ri.task,
			    ver->valuedouble, run, ri.task_version);
		rc = VL_EINVAL;
		goto out;
	}
	{
		struct run_values rv = { c, sel, cJSON_GetObjectItem(e, "metrics") };
		vl_runlog_each_metric(rl, run, value_row, &rv);
	}
	vl_buf_addf(&l, "'%s' (%s)", path,
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "model")) ?
			    cJSON_GetStringValue(cJSON_GetObjectItem(e, "model")) : "?");
	c->base_label = vl_buf_detach(&l, NULL);
	if (!c->n) {
		vl_buf_addf(err, "no %s value of run %lld is in baseline '%s'",
			    sel ? sel : "headline", run, path);
		rc = VL_EINVAL;
	}
out:
	cJSON_Delete(doc);
	vl_buf_release(&text);
	vl_run_info_release(&ri);
	return rc;
}

static void print_table(const struct check *c, long long run, const struct vl_run_info *ri, int md,
			struct vl_buf *b)
{
	size_t bad = 0;
	char limit[96] = "";

	if (c->max_drop >= 0 && c->alpha >= 0)
		snprintf(limit, sizeof(limit), "drop > %g with p < %g", c->max_drop, c->alpha);
	else if (c->max_drop >= 0)
		snprintf(limit, sizeof(limit), "drop > %g", c->max_drop);
	else
		snprintf(limit, sizeof(limit), "drop with p < %g", c->alpha);
	for (size_t i = 0; i < c->n; i++)
		bad += c->v[i].regression;
	if (md) {
		vl_buf_addf(b, "### vleval check: %s\n\nRun %lld (%s, task `%s` v%d) against baseline "
			    "%s; a regression is a %s.\n\n| metric | baseline | run | change | p | |\n"
			    "|---|---:|---:|---:|---:|---|\n", bad ? "regression" : "passed", run,
			    ri->model ? ri->model : ri->backend, ri->task, ri->task_version,
			    c->base_label, limit);
	} else {
		vl_buf_addf(b, "check: run %lld (%s, task %s v%d) against baseline %s\n"
			    "  regression: %s\n  %-26s %10s %10s %10s %8s  %s\n", run,
			    ri->model ? ri->model : ri->backend, ri->task, ri->task_version,
			    c->base_label, limit, "metric", "baseline", "run", "change", "p", "verdict");
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct verdict *v = &c->v[i];
		char name[128], p[32];
		snprintf(name, sizeof(name), "%s/%s", v->metric, v->name);
		if (isfinite(v->p))
			snprintf(p, sizeof(p), "%.4g", v->p);
		else
			snprintf(p, sizeof(p), "-");
		if (md)
			vl_buf_addf(b, "| %s | %.4f | %.4f | %+.4f | %s | %s |\n", name, v->base, v->run,
				    v->run - v->base, p, v->regression ? "**regression**" : "ok");
		else
			vl_buf_addf(b, "  %-26s %10.4f %10.4f %+10.4f %8s  %s\n", name, v->base,
				    v->run, v->run - v->base, p, v->regression ? "REGRESSION" : "ok");
	}
	vl_buf_addf(b, "%s%zu of %zu value%s regressed\n", md ? "\n" : "", bad, c->n,
		    c->n == 1 ? "" : "s");
}

int cmd_check(int argc, char **argv)
{
	const char *db = NULL, *base_db = NULL, *baseline = NULL, *run_arg = NULL, *metric = NULL, *format = "text";
	double max_drop = -1, alpha = -1;
	long resamples = 1000, seed = 0;
	int help = 0, intersect = 0, rc;
	const struct vl_opt opts[] = {
		{ "baseline", VL_OPT_STRING, &baseline, "RUN|FILE", "a run id, or a JSON file written by 'vleval report --format json'" },
		{ "run", VL_OPT_STRING, &run_arg, "RUN", "the run checked (default: the newest)" },
		{ "metric", VL_OPT_STRING, &metric, "M", "gate this metric or value (pope, pope/f1, f1) instead of each metric's primary value" },
		{ "max-drop", VL_OPT_DOUBLE, &max_drop, "X", "fail on an absolute drop larger than X" },
		{ "alpha", VL_OPT_DOUBLE, &alpha, "A", "fail on a drop significant at level A (paired test; baseline run only)" },
		{ "format", VL_OPT_STRING, &format, "text|md", "md: a Markdown table for a pull-request comment" },
		{ "intersect", VL_OPT_FLAG, &intersect, NULL, "against a run over other samples: use the shared ones" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "resamples of the paired tests (default 1000)" },
		{ "seed", VL_OPT_LONG, &seed, "N", "resampling seed (default 0)" },
		{ "db", VL_OPT_STRING, &db, "FILE", "run log (default $VLEVAL_DB or vleval.db)" },
		{ "baseline-db", VL_OPT_STRING, &base_db, "FILE", "run log holding the baseline run (default: --db)" },
		{ NULL },
	};
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT;
	struct vl_run_info ri = { 0 };
	struct vl_runlog *rl = NULL, *rlb = NULL;
	struct check c = { 0 };
	struct stat st;
	long long run, base = 0;
	int md;

	rc = vl_parse_opts("check", argc, argv, opts, NULL, &help);
	if (rc)
		goto done;
	if (help) {
		vl_print_help("vleval check --baseline RUN|FILE [--run RUN] [--max-drop X] [--alpha A]",
			      "The regression gate of a CI job: exit 0 when no headline value of the run\n"
			      "dropped beyond the threshold against the baseline, 1 on a regression, 2 on\n"
			      "a usage error.  Without --max-drop or --alpha: a drop significant at 0.05\n"
			      "against a baseline run, any drop against a baseline file.", opts);
		goto done;
	}
	rc = VL_EXIT_USAGE;
	md = !strcmp(format, "md") || !strcmp(format, "markdown");
	if (!md && strcmp(format, "text")) {
		vl_error("check: --format is text or md, not '%s'", format);
		goto done;
	}
	if (!baseline) {
		vl_error("check: --baseline RUN|FILE is required");
		goto done;
	}
	if ((alpha != -1 && (alpha <= 0 || alpha >= 1)) || (max_drop != -1 && max_drop < 0)) {
		vl_error("check: --alpha must be in (0, 1) and --max-drop >= 0");
		goto done;
	}
	if (vl_runlog_open(vl_default_db(db), &rl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto done;
	}
	run = run_arg ? vl_runpair_id(rl, run_arg) : vl_runlog_last_run(rl);
	if (run <= 0 || vl_runlog_get_run(rl, run, &ri, &err) < 0) {
		vl_error("check: %s", run_arg ? "no such run" : "the run log is empty");
		if (run_arg)
			fprintf(stderr, "  --run %s in '%s'\n", run_arg, vl_default_db(db));
		goto done;
	}
	if (base_db && vl_runlog_open(base_db, &rlb, &err) < 0) {
		vl_error("check: %s", vl_buf_str(&err));
		goto done;
	}
	if (stat(baseline, &st) != 0) {
		base = vl_runpair_id(rlb ? rlb : rl, baseline);
		if (!base) {
			vl_error("check: --baseline '%s' is neither a file nor a run id", baseline);
			goto done;
		}
	}
	c.max_drop = max_drop;
	c.alpha = alpha;
	if (base) {
		if (max_drop < 0 && alpha < 0)
			c.alpha = 0.05;
		rc = check_run(rlb ? rlb : rl, base, rl, run, metric, intersect, resamples, seed, &c,
			       &err);
	} else {
		if (alpha >= 0) {
			vl_error("check: --alpha needs per-sample scores, which a baseline file does not "
				 "hold: use --max-drop, or a baseline run");
			goto done;
		}
		if (max_drop < 0)
			c.max_drop = 0;
		rc = check_file(rl, baseline, run, metric, &c, &err);
	}
	if (rc < 0) {
		vl_error("check: %s", vl_buf_str(&err));
		rc = VL_EXIT_USAGE;
		goto done;
	}
	print_table(&c, run, &ri, md, &out);
	fputs(vl_buf_str(&out), stdout);
	rc = VL_EXIT_OK;
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].regression)
			rc = VL_EXIT_SAMPLES_FAILED;
done:
	for (size_t i = 0; i < c.n; i++) {
		vl_free(c.v[i].metric);
		vl_free(c.v[i].name);
	}
	vl_free(c.v);
	vl_free(c.base_label);
	vl_run_info_release(&ri);
	vl_runlog_close(rl);
	vl_runlog_close(rlb);
	vl_buf_release(&err);
	vl_buf_release(&out);
	return rc;
}
