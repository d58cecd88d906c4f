/*
 * scoring.c - the one scoring path (see scoring.h): metric states, breakdown
 * groups, bootstrap intervals, and the run log's stored rows as its input.
 */
#include "bench/scoring.h"
#include "bench/parallel.h"
#include "bench/runlog.h"
#include "bench/task.h"
#include "metrics/metric.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Refused samples logged one by one before only a count is: a test split
 * with no ground truth would otherwise log 100k identical rows. */
#define LOGGED_REFUSALS 20

struct group {
	char *key, *value;
	size_t *pos;            /* metric positions */
	size_t n, cap;
};

struct scored_metric {
	const struct vl_metric *m;
	void *state;
	size_t n;                  /* samples added */
	size_t refused;            /* samples the metric refused (no ground truth) */
	struct vl_strv ids;        /* sample id per position (for sample_score) */
	struct group *groups;
	size_t ngroups;
};

struct vl_scoring {
	struct scored_metric *sms;
	size_t n;
	const struct vl_strv *breakdown;
};

struct vl_scoring *vl_scoring_new(const char *const *metrics, size_t n_metrics,
				  const struct vl_kv *opts, const struct vl_strv *breakdown,
				  struct vl_buf *err)
{
	struct vl_scoring *sc = vl_xcalloc(1, sizeof(*sc));

	sc->sms = vl_xcalloc(n_metrics ? n_metrics : 1, sizeof(*sc->sms));
	sc->n = n_metrics;
	sc->breakdown = breakdown;
	for (size_t i = 0; i < n_metrics; i++) {
		struct scored_metric *sm = &sc->sms[i];
		sm->m = vl_metric_find(metrics[i]);
		if (!sm->m) {
			vl_buf_addf(err, "unknown metric '%s'", metrics[i]);
			vl_scoring_free(sc);
			return NULL;
		}
		sm->state = sm->m->new_state(opts, err);
		if (!sm->state) {
			vl_scoring_free(sc);
			return NULL;
		}
		if (sm->m->set_parallel)
			sm->m->set_parallel(sm->state, vl_parallel_for);
	}
	return sc;
}

void vl_scoring_free(struct vl_scoring *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n; i++) {
		struct scored_metric *sm = &sc->sms[i];
		if (sm->state)
			sm->m->free_state(sm->state);
		vl_strv_release(&sm->ids);
		for (size_t g = 0; g < sm->ngroups; g++) {
			vl_free(sm->groups[g].key);
			vl_free(sm->groups[g].value);
			vl_free(sm->groups[g].pos);
		}
		vl_free(sm->groups);
	}
	vl_free(sc->sms);
	vl_free(sc);
}

static void group_add(struct scored_metric *sm, const char *key, const char *value, size_t pos)
{
	struct group *g = NULL;

	for (size_t i = 0; i < sm->ngroups; i++) {
		if (!strcmp(sm->groups[i].key, key) && !strcmp(sm->groups[i].value, value)) {
			g = &sm->groups[i];
			break;
		}
	}
	if (!g) {
		sm->groups = vl_xrealloc(sm->groups, (sm->ngroups + 1) * sizeof(*sm->groups));
		g = &sm->groups[sm->ngroups++];
		memset(g, 0, sizeof(*g));
		g->key = vl_xstrdup(key);
		g->value = vl_xstrdup(value);
	}
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->pos = vl_xrealloc(g->pos, g->cap * sizeof(*g->pos));
	}
	g->pos[g->n++] = pos;
}

int vl_scoring_add(struct vl_scoring *sc, const struct vl_sample *s, const char *prediction,
		   double *first_score, vl_scoring_refusal_fn *on_refuse, void *ctx)
{
	int refused = 0;

	if (first_score)
		*first_score = NAN;
	for (size_t i = 0; i < sc->n; i++) {
		struct scored_metric *sm = &sc->sms[i];
		struct vl_buf me = VL_BUF_INIT;
		double score = NAN;

		if (sm->m->add(sm->state, s, prediction, &score, &me) < 0) {
			sm->refused++;
			if (on_refuse)
				on_refuse(ctx, sm->m->name, s->id, sm->refused, vl_buf_str(&me));
			refused = 1;
			vl_buf_release(&me);
			continue;
		}
		vl_buf_release(&me);
		if (i == 0 && first_score)
			*first_score = score;
		for (size_t k = 0; sc->breakdown && k < sc->breakdown->n; k++) {
			const char *v = vl_sample_meta(s, sc->breakdown->v[k]);
			if (v)
				group_add(sm, sc->breakdown->v[k], v, sm->n);
		}
		if (i == 0 && sm->m->sample_score)
			vl_strv_push(&sm->ids, s->id);
		sm->n++;
	}
	return refused;
}

size_t vl_scoring_refused(const struct vl_scoring *sc, size_t i, const char **metric_name)
{
	if (metric_name)
		*metric_name = sc->sms[i].m->name;
	return sc->sms[i].refused;
}

/* Emits the values of one finish() over positions pos[0..n) (pos NULL: all). */
static void emit_values(struct scored_metric *sm, const size_t *pos, size_t n, const char *subset,
			const struct vl_scoring_ci *ci,
			void (*emit)(void *ctx, const struct vl_scoring_value *v), void *ctx)
{
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	double lo[VL_METRIC_MAX_VALUES], hi[VL_METRIC_MAX_VALUES];
	int nv = sm->m->finish(sm->state, pos, n, vals, VL_METRIC_MAX_VALUES);

	for (int v = 0; v < nv; v++)
		lo[v] = hi[v] = NAN;
	/* each subset resampled within itself, same seed: reproducible */
	if (nv > 0 && ci && ci->resamples > 0) {
		if (!pos)
			vl_bootstrap(sm->m, sm->state, sm->n, ci->resamples, ci->seed, ci->level, vals,
				     (size_t)nv, lo, hi);
		else if (n > 1)
			vl_bootstrap_positions(sm->m, sm->state, pos, n, ci->resamples, ci->seed,
					       ci->level, vals, (size_t)nv, lo, hi);
	}
	for (int v = 0; v < nv; v++) {
		struct vl_scoring_value out = {
			.metric = sm->m->name, .name = vals[v].name, .subset = subset,
			.value = vals[v].value, .lo = lo[v], .hi = hi[v], .n = vals[v].n,
			.headline = vals[v].headline,
		};
		if (pos && !vals[v].headline)
			continue;
		emit(ctx, &out);
	}
}

void vl_scoring_finish(struct vl_scoring *sc, const struct vl_scoring_ci *ci,
		       void (*emit)(void *ctx, const struct vl_scoring_value *v), void *ctx)
{
	for (size_t i = 0; i < sc->n; i++) {
		struct scored_metric *sm = &sc->sms[i];

		if (!sm->n)
			continue;
		emit_values(sm, NULL, 0, "", ci, emit, ctx);
		for (size_t g = 0; g < sm->ngroups; g++) {
			struct vl_buf subset = VL_BUF_INIT;
			vl_buf_addf(&subset, "%s=%s", sm->groups[g].key, sm->groups[g].value);
			emit_values(sm, sm->groups[g].pos, sm->groups[g].n, vl_buf_str(&subset), ci,
				    emit, ctx);
			vl_buf_release(&subset);
		}
	}
}

void vl_scoring_each_sample_score(struct vl_scoring *sc,
				  void (*fn)(void *ctx, const char *id, double score), void *ctx)
{
	struct scored_metric *sm = sc->n ? &sc->sms[0] : NULL;

	if (!sm || !sm->m->sample_score)
		return;
	for (size_t k = 0; k < sm->ids.n; k++)
		fn(ctx, sm->ids.v[k], sm->m->sample_score(sm->state, k));
}

/* ---- from the run log ------------------------------------------------ */

struct log_ctx {
	struct vl_scoring *sc;
	struct vl_runlog *rl;
	long long run;
	size_t no_reference;
};

static void log_refusal(void *ctx, const char *metric, const char *sample_id, size_t nth,
			const char *msg)
{
	struct log_ctx *c = ctx;

	if (nth <= LOGGED_REFUSALS)
		vl_runlog_put_error(c->rl, c->run, "metric", sample_id, msg);
}

static int score_row(void *ctx, const struct vl_sample_row *r)
{
	struct log_ctx *c = ctx;
	struct vl_buf err = VL_BUF_INIT, msg = VL_BUF_INIT;
	struct vl_sample s;

	vl_sample_init(&s);
	if (!r->reference)
		vl_buf_adds(&err, "no stored reference (a row written by a vleval before run log "
			    "schema 2)");
	else
		vl_sample_ref_parse(r->reference, strlen(r->reference), &s, &err);
	if (err.len) {
		vl_buf_addf(&msg, "sample '%s': %s: not scored", r->sample_id, vl_buf_str(&err));
		if (++c->no_reference <= LOGGED_REFUSALS)
			vl_runlog_put_error(c->rl, c->run, "metric", r->sample_id, vl_buf_str(&msg));
	} else {
		s.id = vl_xstrdup(r->sample_id);
		s.index = (size_t)r->idx;
		s.question = r->question ? vl_xstrdup(r->question) : NULL;
		vl_scoring_add(c->sc, &s, r->extracted ? r->extracted : "", NULL, log_refusal, c);
	}
	vl_sample_release(&s);
	vl_buf_release(&err);
	vl_buf_release(&msg);
	return 0;
}

struct put_ctx {
	struct vl_runlog *rl;
	long long run;
};

static void put_value(void *ctx, const struct vl_scoring_value *v)
{
	struct put_ctx *c = ctx;
	vl_runlog_put_metric(c->rl, c->run, v->metric, v->name, v->subset, v->value, v->lo, v->hi,
			     v->n);
}

static void put_sample_score(void *ctx, const char *id, double score)
{
	struct put_ctx *c = ctx;
	vl_runlog_set_score(c->rl, c->run, id, score);
}

int vl_scoring_run_log(const struct vl_task *task, const char *model_family,
		       struct vl_runlog *rl, long long run, const struct vl_scoring_ci *ci,
		       struct vl_buf *err)
{
	struct vl_kv mopts = { 0 };
	struct log_ctx c = { .rl = rl, .run = run };
	struct put_ctx pc = { rl, run };
	int rc;

	vl_task_options(task, model_family, &mopts);
	c.sc = vl_scoring_new((const char *const *)task->metrics.v, task->metrics.n, &mopts,
			      &task->breakdown, err);
	vl_kv_release(&mopts);
	if (!c.sc)
		return VL_EINVAL;
	rc = vl_runlog_each_sample(rl, run, 1, score_row, &c);
	if (rc < 0) {
		vl_buf_addf(err, "cannot read the samples of run %lld", run);
		goto out;
	}
	vl_runlog_clear_metrics(rl, run);
	if (c.no_reference > LOGGED_REFUSALS) {
		struct vl_buf msg = VL_BUF_INIT;
		vl_buf_addf(&msg, "%zu answered samples were not scored for want of a stored "
			    "reference (the first %d are logged)", c.no_reference, LOGGED_REFUSALS);
		vl_runlog_put_error(rl, run, "metric", NULL, vl_buf_str(&msg));
		vl_buf_release(&msg);
	}
	for (size_t i = 0; i < c.sc->n; i++) {
		const char *name;
		size_t refused = vl_scoring_refused(c.sc, i, &name);
		if (refused > LOGGED_REFUSALS) {
			struct vl_buf msg = VL_BUF_INIT;
			vl_buf_addf(&msg, "metric '%s' refused %zu samples in all (the first %d are "
				    "logged); samples without ground truth are not scored", name,
				    refused, LOGGED_REFUSALS);
			vl_runlog_put_error(rl, run, "metric", NULL, vl_buf_str(&msg));
			vl_buf_release(&msg);
		}
	}
	vl_scoring_finish(c.sc, ci, put_value, &pc);
	vl_scoring_each_sample_score(c.sc, put_sample_score, &pc);
	vl_runlog_flush(rl);
out:
	vl_scoring_free(c.sc);
	return rc;
}
