/*
 * compare.c - two runs compared sample by sample (see compare.h).
 */
#include "reports/compare.h"
#include "metrics/metric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The stored rows of one run, in dataset order.  Strings live in one arena
 * (offsets, NOSTR for NULL): 214k rows cost no 214k x 5 allocations. */
#define NOSTR ((size_t)-1)

struct row {
	long idx;
	size_t id, output, extracted, reference, question;
	int failed;
};

struct rows {
	struct vl_buf arena;
	struct row *v;
	size_t n, cap;
	struct vl_strmap by_id;       /* id -> index + 1, built only when needed */
	int indexed;
};

static size_t put_str(struct vl_buf *arena, const char *s)
{
	size_t off = arena->len;

	if (!s)
		return NOSTR;
	vl_buf_add(arena, s, strlen(s) + 1);
	return off;
}

static const char *str_at(const struct rows *rs, size_t off)
{
	return off == NOSTR ? NULL : rs->arena.buf + off;
}

static int keep_row(void *ctx, const struct vl_sample_row *r)
{
	struct rows *rs = ctx;
	struct row *w;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 1024;
		rs->v = vl_xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	w = &rs->v[rs->n++];
	w->idx = r->idx;
	w->failed = r->error != NULL;
	w->id = put_str(&rs->arena, r->sample_id);
	w->output = put_str(&rs->arena, r->output);
	w->extracted = put_str(&rs->arena, r->extracted);
	w->reference = put_str(&rs->arena, r->reference);
	w->question = put_str(&rs->arena, r->question);
	return 0;
}

static void rows_release(struct rows *rs)
{
	vl_buf_release(&rs->arena);
	vl_free(rs->v);
	vl_strmap_release(&rs->by_id, NULL);
}

/* The row of sample id, or NULL. */
static const struct row *row_of(struct rows *rs, const char *id)
{
	void **p;

	if (!rs->indexed) {
		for (size_t i = 0; i < rs->n; i++)
			vl_strmap_put(&rs->by_id, str_at(rs, rs->v[i].id), (void *)(uintptr_t)(i + 1));
		rs->indexed = 1;
	}
	p = vl_strmap_find(&rs->by_id, id);
	return p ? &rs->v[(uintptr_t)*p - 1] : NULL;
}

int vl_compare_selects(const char *sel, const char *metric, const char *name)
{
	const char *slash;

	if (!sel || !*sel)
		return 1;
	slash = strchr(sel, '/');
	if (slash)
		return strlen(metric) == (size_t)(slash - sel) && !strncmp(sel, metric, slash - sel) &&
		       !strcmp(slash + 1, name);
	return !strcmp(sel, metric) || !strcmp(sel, name);
}

/* The joined pairs: rows of A and B answered by both, in A's order. */
struct pairs {
	const struct row **ra, **rb;
	const char **xb;              /* B's extracted answers (in B's arena) */
	size_t n;
};

/* 1 when both runs hold the same ids in the same order (the usual case:
 * no hash table needed). */
static int same_ids(const struct rows *A, const struct rows *B)
{
	if (A->n != B->n)
		return 0;
	for (size_t i = 0; i < A->n; i++)
		if (strcmp(str_at(A, A->v[i].id), str_at(B, B->v[i].id)))
			return 0;
	return 1;
}

/* Joins the rows of the two runs; fills res's counts.  0 or VL_EINVAL. */
static int join(struct rows *A, struct rows *B, const struct vl_compare_opts *o,
		struct vl_compare_result *res, struct pairs *P, struct vl_buf *err)
{
	const char *first_a = NULL, *first_b = NULL;
	int same = same_ids(A, B);

	if (!same) {
		for (size_t i = 0; i < A->n; i++)
			if (!row_of(B, str_at(A, A->v[i].id)) && res->only_a++ == 0)
				first_a = str_at(A, A->v[i].id);
		for (size_t i = 0; i < B->n; i++)
			if (!row_of(A, str_at(B, B->v[i].id)) && res->only_b++ == 0)
				first_b = str_at(B, B->v[i].id);
	}
	if ((res->only_a || res->only_b) && !o->intersect) {
		vl_buf_addf(err, "runs %lld and %lld hold different samples: %ld only in run %lld%s%s%s, "
			    "%ld only in run %lld%s%s%s; compare the %ld shared ones with --intersect",
			    res->a.id, res->b.id, res->only_a, res->a.id, first_a ? " (e.g. '" : "",
			    first_a ? first_a : "", first_a ? "')" : "", res->only_b, res->b.id,
			    first_b ? " (e.g. '" : "", first_b ? first_b : "", first_b ? "')" : "",
			    (long)A->n - res->only_a);
		return VL_EINVAL;
	}
	P->ra = vl_xcalloc(A->n + 1, sizeof(*P->ra));
	P->rb = vl_xcalloc(A->n + 1, sizeof(*P->rb));
	for (size_t i = 0; i < A->n; i++) {
		const struct row *ra = &A->v[i];
		const char *id = str_at(A, ra->id);
		const struct row *rb = same ? &B->v[i] : row_of(B, id);
		const char *refa, *refb;

		if (!rb)
			continue;
		if (ra->failed || rb->failed) {
			res->failed++;
			continue;
		}
		refa = str_at(A, ra->reference);
		refb = str_at(B, rb->reference);
		if (!refa || !refb) {
			vl_buf_addf(err, "sample '%s' of run %lld has no stored reference (a run log "
				    "written before schema 2); compare needs runs of this vleval", id,
				    refa ? res->b.id : res->a.id);
			return VL_EINVAL;
		}
		if (strcmp(refa, refb)) {
			vl_buf_addf(err, "sample '%s' has different references in runs %lld and %lld "
				    "(made from different data files?): %s vs %s", id, res->a.id,
				    res->b.id, refa, refb);
			return VL_EINVAL;
		}
		P->ra[P->n] = ra;
		P->rb[P->n] = rb;
		P->n++;
	}
	res->pairs = (long)P->n;
	return 0;
}

/* The sample of pair i, from its stored reference (caller releases). */
static int pair_sample(const struct rows *A, const struct pairs *P, size_t i, struct vl_sample *s,
		       struct vl_buf *err)
{
	const char *ref = str_at(A, P->ra[i]->reference);
	struct vl_buf e = VL_BUF_INIT;
	int rc;

	vl_sample_init(s);
	s->id = vl_xstrdup(str_at(A, P->ra[i]->id));
	s->index = (size_t)P->ra[i]->idx;
	rc = vl_sample_ref_parse(ref, strlen(ref), s, &e);
	if (rc < 0)
		vl_buf_addf(err, "sample '%s': unreadable stored reference: %s", s->id, vl_buf_str(&e));
	vl_buf_release(&e);
	return rc;
}

/* One metric's two accumulators and per-sample scores. */
struct scored {
	const struct vl_metric *m;
	struct vl_paired_metric pm;
	double *sa, *sb;              /* add()'s per-sample scores, per scored pair */
	size_t n;                     /* pairs the metric scored */
};

static double mean(const double *v, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	return n ? s / (double)n : NAN;
}

/* The factor k (1 or 100) for which value = k * mean of the per-sample
 * scores (up to rounding to 2 decimals, as VQA accuracy reports), or 0. */
static double mean_factor(double value, const double *sc, size_t n)
{
	double m = mean(sc, n);

	if (!isfinite(m) || !isfinite(value))
		return 0;
	if (fabs(value - m) <= 1e-9 * fmax(1, fabs(m)))
		return 1;
	if (fabs(value - 100 * m) <= 0.005 + 1e-9 * fabs(100 * m))
		return 100;
	return 0;
}

static int all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return n > 0;
}

/* Per-sample scores in [0, 1]: "right" is a score of at least 0.5. */
static int in_unit(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] >= 0 && v[i] <= 1))
			return 0;
	return n > 0;
}

static int all_binary(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != 0 && v[i] != 1)
			return 0;
	return 1;
}

static struct vl_compare_value *new_value(struct vl_compare_result *res, const struct vl_metric *m,
					  const char *name, long n)
{
	struct vl_compare_value *v;

	res->v = vl_xrealloc(res->v, (res->nv + 1) * sizeof(*res->v));
	v = &res->v[res->nv++];
	memset(v, 0, sizeof(*v));
	v->metric = vl_xstrdup(m->name);
	v->name = vl_xstrdup(name);
	v->higher_is_better = m->higher_is_better;
	v->n = n;
	v->primary = !strcmp(m->primary, name);
	v->r.lo = v->r.hi = v->r.p = NAN;
	return v;
}

/* Values that are means of per-sample scores: the array paths. */
static void compare_mean(struct vl_compare_value *v, double k, const double *sa, const double *sb,
			 size_t n, const struct vl_compare_opts *o)
{
	struct vl_paired_result r;
	double a = v->r.a, b = v->r.b;

	vl_stats_bootstrap_mean(sa, sb, n, o->resamples, o->seed, o->level, &r);
	v->r = r;
	v->r.a = a;
	v->r.b = b;
	v->r.diff = b - a;
	v->r.lo = r.lo * k;
	v->r.hi = r.hi * k;
	if (all_binary(sa, n) && all_binary(sb, n)) {
		for (size_t i = 0; i < n; i++) {
			v->discordant_a += sa[i] == 1 && sb[i] == 0;
			v->discordant_b += sa[i] == 0 && sb[i] == 1;
		}
		v->test = "mcnemar";
		v->r.p = vl_stats_mcnemar_exact(v->discordant_a, v->discordant_b);
	} else {
		v->test = "permutation";
		v->r.p = vl_stats_permutation_mean(sa, sb, n, o->resamples, o->seed);
	}
}

static char *copy_str(const char *s)
{
	return vl_xstrdup(s ? s : "");
}

/* The ground truth in a few words: label, letter, answers, first caption
 * or box (the stored reference JSON goes to --json). */
static char *truth_text(const struct vl_sample *s)
{
	struct vl_buf b = VL_BUF_INIT;

	if (s->answer_letter)
		vl_buf_adds(&b, s->answer_letter);
	else if (s->label_text)
		vl_buf_adds(&b, s->label_text);
	else if (s->answers.n)
		for (size_t i = 0; i < s->answers.n; i++)
			vl_buf_addf(&b, "%s%s", i ? " | " : "", s->answers.v[i]);
	else if (s->captions.n)
		vl_buf_addf(&b, "%s (+%zu more)", s->captions.v[0], s->captions.n - 1);
	else if (s->has_box)
		vl_buf_addf(&b, "[%g, %g, %g, %g]", s->box[0], s->box[1], s->box[2], s->box[3]);
	return vl_buf_detach(&b, NULL);
}

static void add_flip(struct vl_compare_flip **list, size_t *n, size_t max, const struct rows *A,
		     const struct rows *B, const struct pairs *P, size_t i, double a, double b)
{
	const struct row *ra = P->ra[i], *rb = P->rb[i];
	struct vl_compare_flip *f;
	struct vl_sample s;
	struct vl_buf err = VL_BUF_INIT;

	if (*n >= max)
		return;
	*list = vl_xrealloc(*list, (*n + 1) * sizeof(**list));
	f = &(*list)[(*n)++];
	pair_sample(A, P, i, &s, &err);
	f->id = copy_str(s.id);
	f->question = copy_str(str_at(A, ra->question));
	f->reference = truth_text(&s);
	f->reference_json = copy_str(str_at(A, ra->reference));
	f->output_a = copy_str(str_at(A, ra->output));
	f->output_b = copy_str(str_at(B, rb->output));
	f->extracted_a = copy_str(str_at(A, ra->extracted));
	f->extracted_b = copy_str(str_at(B, rb->extracted));
	f->score_a = a;
	f->score_b = b;
	vl_sample_release(&s);
	vl_buf_release(&err);
}

/* Samples right (score >= 0.5) in one run and wrong in the other. */
static void find_flips(struct vl_compare_result *res, const struct rows *A, const struct rows *B,
		       const struct pairs *P, const double *sa, const double *sb, size_t max)
{
	for (size_t i = 0; i < P->n; i++) {
		int ra = sa[i] >= 0.5, rb = sb[i] >= 0.5;
		if (ra && !rb) {
			res->total_worse++;
			add_flip(&res->worse, &res->nworse, max, A, B, P, i, sa[i], sb[i]);
		} else if (!ra && rb) {
			res->total_better++;
			add_flip(&res->better, &res->nbetter, max, A, B, P, i, sa[i], sb[i]);
		}
	}
}

/* Feeds every pair to every metric's two accumulators: one parse of each
 * stored reference. */
static int score_pairs(const struct rows *A, const struct pairs *P, struct scored *sc, size_t nm,
		       struct vl_buf *err)
{
	for (size_t i = 0; i < P->n; i++) {
		const char *xa = str_at(A, P->ra[i]->extracted);
		struct vl_sample s;
		int rc = pair_sample(A, P, i, &s, err);

		if (rc < 0) {
			vl_sample_release(&s);
			return VL_EINVAL;
		}
		for (size_t k = 0; k < nm; k++) {
			struct scored *c = &sc[k];
			int ka = c->m->add(c->pm.a, &s, xa ? xa : "", &c->sa[c->n], NULL);
			int kb = c->m->add(c->pm.b, &s, P->xb[i], &c->sb[c->n], NULL);
			if ((ka < 0) != (kb < 0)) {
				vl_buf_addf(err, "metric '%s' scored sample '%s' in one run only",
					    c->m->name, s.id);
				vl_sample_release(&s);
				return VL_EINVAL;
			}
			if (ka == 0)
				c->n++;
		}
		vl_sample_release(&s);
	}
	return 0;
}

/* Compares the headline values of one scored metric. */
static void compare_metric(struct vl_compare_result *res, struct scored *c,
			   const struct vl_compare_opts *o)
{
	struct vl_metric_value va[VL_METRIC_MAX_VALUES], vb[VL_METRIC_MAX_VALUES];
	const struct vl_metric *m = c->m;
	struct vl_paired_metric pm = c->pm;
	const char *boot_names[VL_METRIC_MAX_VALUES];
	size_t boot_vals[VL_METRIC_MAX_VALUES];   /* indices into res->v */
	struct vl_paired_result boot[VL_METRIC_MAX_VALUES];
	double *sa = c->sa, *sb = c->sb;
	size_t n = c->n, nboot = 0;
	int na, nb;

	pm.n = n;
	if (!n)
		return;
	na = m->finish(pm.a, NULL, 0, va, VL_METRIC_MAX_VALUES);
	nb = m->finish(pm.b, NULL, 0, vb, VL_METRIC_MAX_VALUES);
	for (int i = 0; i < na && i < nb; i++) {
		struct vl_compare_value *v;
		double k;

		if (!va[i].headline || strcmp(va[i].name, vb[i].name) ||
		    !vl_compare_selects(o->only, m->name, va[i].name))
			continue;
		v = new_value(res, m, va[i].name, (long)n);
		v->r.a = va[i].value;
		v->r.b = vb[i].value;
		v->r.diff = vb[i].value - va[i].value;
		k = all_finite(sa, n) && all_finite(sb, n) ? mean_factor(va[i].value, sa, n) : 0;
		if (k && k == mean_factor(vb[i].value, sb, n)) {
			compare_mean(v, k, sa, sb, n, o);
		} else {
			boot_names[nboot] = va[i].name;
			boot_vals[nboot++] = res->nv - 1;
		}
	}
	if (nboot) {
		pm.values = boot_names;
		pm.nvalues = nboot;
		vl_stats_bootstrap_metric(&pm, o->resamples, o->seed, o->level, boot);
		for (size_t j = 0; j < nboot; j++) {
			struct vl_compare_value *v = &res->v[boot_vals[j]];
			v->r.lo = boot[j].lo;
			v->r.hi = boot[j].hi;
			v->r.p = boot[j].p;
			v->r.resamples = boot[j].resamples;
			v->test = "bootstrap";
		}
	}
}

int vl_compare_runs(struct vl_runlog *rla, long long a, struct vl_runlog *rlb, long long b,
		    const struct vl_compare_opts *o, struct vl_compare_result *res,
		    struct vl_buf *err)
{
	struct rows A = { 0 }, B = { 0 };
	struct pairs P = { 0 };
	struct scored *sc = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	res->resamples = o->resamples;
	res->seed = o->seed;
	res->level = o->level;
	if ((rc = vl_runlog_get_run(rla, a, &res->a, err)) < 0 ||
	    (rc = vl_runlog_get_run(rlb, b, &res->b, err)) < 0)
		return rc;
	if (strcmp(res->a.task, res->b.task)) {
		vl_buf_addf(err, "runs %lld and %lld are of different tasks ('%s', '%s')", a, b,
			    res->a.task, res->b.task);
		return VL_EINVAL;
	}
	if (res->a.task_version != res->b.task_version) {
		vl_buf_addf(err, "runs %lld and %lld are of task '%s' versions %d and %d: scores of "
			    "different task versions are not comparable", a, b, res->a.task,
			    res->a.task_version, res->b.task_version);
		return VL_EINVAL;
	}
	vl_runlog_each_sample(rla, a, 0, keep_row, &A);
	vl_runlog_each_sample(rlb, b, 0, keep_row, &B);
	res->rows_a = (long)A.n;
	res->rows_b = (long)B.n;
	rc = join(&A, &B, o, res, &P, err);
	if (rc == 0) {
		P.xb = vl_xcalloc(P.n + 1, sizeof(*P.xb));
		for (size_t i = 0; i < P.n; i++)
			P.xb[i] = P.rb[i]->extracted == NOSTR ? "" : str_at(&B, P.rb[i]->extracted);
		sc = vl_xcalloc(o->nmetrics + 1, sizeof(*sc));
	}
	for (size_t i = 0; rc == 0 && i < o->nmetrics; i++) {
		struct scored *c = &sc[i];
		c->m = vl_metric_find(o->metrics[i]);
		if (!c->m) {
			vl_buf_addf(err, "unknown metric '%s' in the task of run %lld", o->metrics[i], a);
			rc = VL_EINVAL;
			break;
		}
		c->pm.m = c->m;
		c->pm.a = c->m->new_state(o->metric_opts, err);
		c->pm.b = c->pm.a ? c->m->new_state(o->metric_opts, err) : NULL;
		if (!c->pm.b)
			rc = VL_EINVAL;
		c->sa = vl_xmalloc((P.n + 1) * sizeof(double));
		c->sb = vl_xmalloc((P.n + 1) * sizeof(double));
	}
	if (rc == 0)
		rc = score_pairs(&A, &P, sc, o->nmetrics, err);
	for (size_t i = 0; rc == 0 && i < o->nmetrics; i++)
		compare_metric(res, &sc[i], o);
	/* flips by the first metric's per-sample scores, when they are in [0, 1]
	 * and it scored every pair (so score i is pair i) */
	if (rc == 0 && o->nmetrics && sc[0].n == P.n && in_unit(sc[0].sa, P.n) &&
	    in_unit(sc[0].sb, P.n)) {
		res->flip_metric = sc[0].m->name;
		find_flips(res, &A, &B, &P, sc[0].sa, sc[0].sb, o->max_flips);
	}
	if (rc == 0 && o->only && !res->nv) {
		vl_buf_addf(err, "no headline value '%s' in the metrics of task '%s'", o->only,
			    res->a.task);
		rc = VL_ENOTFOUND;
	}
	for (size_t i = 0; sc && i < o->nmetrics; i++) {
		if (sc[i].pm.a)
			sc[i].m->free_state(sc[i].pm.a);
		if (sc[i].pm.b)
			sc[i].m->free_state(sc[i].pm.b);
		vl_free(sc[i].sa);
		vl_free(sc[i].sb);
	}
	vl_free(sc);
	vl_free(P.ra);
	vl_free(P.rb);
	vl_free(P.xb);
	rows_release(&A);
	rows_release(&B);
	return rc;
}

static void flips_release(struct vl_compare_flip *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vl_free(f[i].id);
		vl_free(f[i].question);
		vl_free(f[i].reference);
		vl_free(f[i].reference_json);
		vl_free(f[i].output_a);
		vl_free(f[i].output_b);
		vl_free(f[i].extracted_a);
		vl_free(f[i].extracted_b);
	}
	vl_free(f);
}

void vl_compare_result_release(struct vl_compare_result *res)
{
	vl_run_info_release(&res->a);
	vl_run_info_release(&res->b);
	for (size_t i = 0; i < res->nv; i++) {
		vl_free(res->v[i].metric);
		vl_free(res->v[i].name);
	}
	vl_free(res->v);
	flips_release(res->worse, res->nworse);
	flips_release(res->better, res->nbetter);
	memset(res, 0, sizeof(*res));
}

/* ---- output ------------------------------------------------------------ */

static const char *label(const struct vl_run_info *r)
{
	return r->model && *r->model ? r->model : r->backend;
}

/* Text on one line, at most max bytes, control characters made visible. */
static void add_oneline(struct vl_buf *b, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && *s && n < max; s++, n++) {
		if (*s == '\n')
			vl_buf_adds(b, "\\n");
		else if ((unsigned char)*s < 0x20)
			vl_buf_addch(b, '?');
		else
			vl_buf_addch(b, *s);
	}
	if (s && *s)
		vl_buf_adds(b, "...");
}

static void test_text(struct vl_buf *b, const struct vl_compare_value *v)
{
	if (!v->test)
		return;
	if (!strcmp(v->test, "mcnemar"))
		vl_buf_addf(b, "McNemar exact (%ld vs %ld discordant)", v->discordant_a,
			    v->discordant_b);
	else if (!strcmp(v->test, "permutation"))
		vl_buf_adds(b, "paired permutation");
	else
		vl_buf_adds(b, "paired bootstrap");
}

static void flips_text(struct vl_buf *b, const char *what, long total,
		       const struct vl_compare_flip *f, size_t n, const struct vl_compare_result *r)
{
	vl_buf_addf(b, "\n%s: %ld%s\n", what, total, (long)n < total ? " (first ones shown)" : "");
	for (size_t i = 0; i < n; i++) {
		vl_buf_adds(b, "  ");
		add_oneline(b, f[i].id, 24);
		if (f[i].question[0]) {
			vl_buf_adds(b, "  Q: ");
			add_oneline(b, f[i].question, 60);
		}
		vl_buf_adds(b, "\n    reference: ");
		add_oneline(b, f[i].reference, 100);
		vl_buf_addf(b, "\n    run %lld (%.3g): ", r->a.id, f[i].score_a);
		add_oneline(b, f[i].output_a, 80);
		vl_buf_addf(b, "\n    run %lld (%.3g): ", r->b.id, f[i].score_b);
		add_oneline(b, f[i].output_b, 80);
		vl_buf_addch(b, '\n');
	}
}

void vl_compare_text(const struct vl_compare_result *r, struct vl_buf *b)
{
	char ha[32], hb[32], ci_head[48];

	vl_buf_addf(b, "compare run %lld (%s) -> run %lld (%s)  task %s (v%d)\n", r->a.id,
		    label(&r->a), r->b.id, label(&r->b), r->a.task, r->a.task_version);
	vl_buf_addf(b, "  pairs %ld answered by both", r->pairs);
	if (r->failed)
		vl_buf_addf(b, "; %ld failed in one run or both (left out)", r->failed);
	if (r->only_a || r->only_b)
		vl_buf_addf(b, "; %ld only in run %lld, %ld only in run %lld (left out, --intersect)",
			    r->only_a, r->a.id, r->only_b, r->b.id);
	vl_buf_addf(b, "\n  interval: %g%% paired bootstrap, %d resamples, seed %llu\n",
		    100 * r->level, r->resamples, (unsigned long long)r->seed);
	snprintf(ci_head, sizeof(ci_head), "%g%% CI of diff", 100 * r->level);
	snprintf(ha, sizeof(ha), "run %lld", r->a.id);
	snprintf(hb, sizeof(hb), "run %lld", r->b.id);
	vl_buf_addf(b, "  %-26s %10s %10s %10s  %-22s %8s  %s\n", "metric", ha, hb, "diff",
		    ci_head, "p", "test");
	for (size_t i = 0; i < r->nv; i++) {
		const struct vl_compare_value *v = &r->v[i];
		char name[128], ci[64];
		snprintf(name, sizeof(name), "%s/%s", v->metric, v->name);
		if (isfinite(v->r.lo))
			snprintf(ci, sizeof(ci), "[%+.4f, %+.4f]", v->r.lo, v->r.hi);
		else
			snprintf(ci, sizeof(ci), "-");
		vl_buf_addf(b, "  %-26s %10.4f %10.4f %+10.4f  %-22s %8.4g  ", name, v->r.a, v->r.b,
			    v->r.diff, ci, v->r.p);
		test_text(b, v);
		if (v->primary && isfinite(v->r.diff) && v->r.diff != 0)
			vl_buf_addf(b, "%s", (v->r.diff > 0) == (v->higher_is_better != 0) ? "  better"
											   : "  worse");
		vl_buf_addch(b, '\n');
	}
	if (r->flip_metric) {
		char what[128];
		snprintf(what, sizeof(what), "right in run %lld, wrong in run %lld (%s)", r->a.id,
			 r->b.id, r->flip_metric);
		flips_text(b, what, r->total_worse, r->worse, r->nworse, r);
		snprintf(what, sizeof(what), "wrong in run %lld, right in run %lld (%s)", r->a.id,
			 r->b.id, r->flip_metric);
		flips_text(b, what, r->total_better, r->better, r->nbetter, r);
	}
}

static void run_json(struct vl_buf *b, const struct vl_run_info *r)
{
	vl_buf_addf(b, "{\"run\":%lld,\"model\":", r->id);
	vl_buf_add_json_str(b, r->model);
	vl_buf_adds(b, ",\"backend\":");
	vl_buf_add_json_str(b, r->backend);
	vl_buf_addf(b, ",\"baseline\":%s,\"status\":", r->baseline ? "true" : "false");
	vl_buf_add_json_str(b, r->status);
	vl_buf_addch(b, '}');
}

static void flips_json(struct vl_buf *b, long total, const struct vl_compare_flip *f, size_t n)
{
	vl_buf_addf(b, "{\"count\":%ld,\"samples\":[", total);
	for (size_t i = 0; i < n; i++) {
		vl_buf_adds(b, i ? ",{\"id\":" : "{\"id\":");
		vl_buf_add_json_str(b, f[i].id);
		vl_buf_adds(b, ",\"question\":");
		vl_buf_add_json_str(b, f[i].question);
		/* the reference is JSON already */
		vl_buf_adds(b, ",\"reference\":");
		vl_buf_adds(b, f[i].reference_json[0] ? f[i].reference_json : "null");
		vl_buf_adds(b, ",\"output_a\":");
		vl_buf_add_json_str(b, f[i].output_a);
		vl_buf_adds(b, ",\"output_b\":");
		vl_buf_add_json_str(b, f[i].output_b);
		vl_buf_adds(b, ",\"extracted_a\":");
		vl_buf_add_json_str(b, f[i].extracted_a);
		vl_buf_adds(b, ",\"extracted_b\":");
		vl_buf_add_json_str(b, f[i].extracted_b);
		vl_buf_adds(b, ",\"score_a\":");
		vl_buf_add_json_num(b, f[i].score_a);
		vl_buf_adds(b, ",\"score_b\":");
		vl_buf_add_json_num(b, f[i].score_b);
		vl_buf_addch(b, '}');
	}
	vl_buf_adds(b, "]}");
}

void vl_compare_json(const struct vl_compare_result *r, struct vl_buf *b)
{
	vl_buf_adds(b, "{\"task\":");
	vl_buf_add_json_str(b, r->a.task);
	vl_buf_addf(b, ",\"task_version\":%d,\"a\":", r->a.task_version);
	run_json(b, &r->a);
	vl_buf_adds(b, ",\"b\":");
	run_json(b, &r->b);
	vl_buf_addf(b, ",\"pairs\":%ld,\"failed\":%ld,\"only_a\":%ld,\"only_b\":%ld,"
		    "\"resamples\":%d,\"seed\":%llu,\"level\":", r->pairs, r->failed, r->only_a,
		    r->only_b, r->resamples, (unsigned long long)r->seed);
	vl_buf_add_json_num(b, r->level);
	vl_buf_adds(b, ",\"metrics\":[");
	for (size_t i = 0; i < r->nv; i++) {
		const struct vl_compare_value *v = &r->v[i];
		vl_buf_adds(b, i ? ",{\"metric\":" : "{\"metric\":");
		vl_buf_add_json_str(b, v->metric);
		vl_buf_adds(b, ",\"name\":");
		vl_buf_add_json_str(b, v->name);
		vl_buf_addf(b, ",\"higher_is_better\":%s,\"n\":%ld,\"a\":",
			    v->higher_is_better ? "true" : "false", v->n);
		vl_buf_add_json_num(b, v->r.a);
		vl_buf_adds(b, ",\"b\":");
		vl_buf_add_json_num(b, v->r.b);
		vl_buf_adds(b, ",\"diff\":");
		vl_buf_add_json_num(b, v->r.diff);
		vl_buf_adds(b, ",\"ci_low\":");
		vl_buf_add_json_num(b, v->r.lo);
		vl_buf_adds(b, ",\"ci_high\":");
		vl_buf_add_json_num(b, v->r.hi);
		vl_buf_adds(b, ",\"p\":");
		vl_buf_add_json_num(b, v->r.p);
		vl_buf_adds(b, ",\"test\":");
		vl_buf_add_json_str(b, v->test);
		if (v->test && !strcmp(v->test, "mcnemar"))
			vl_buf_addf(b, ",\"discordant\":{\"right_only_a\":%ld,\"right_only_b\":%ld}",
				    v->discordant_a, v->discordant_b);
		vl_buf_addch(b, '}');
	}
	vl_buf_adds(b, "],\"flips\":");
	if (r->flip_metric) {
		vl_buf_adds(b, "{\"metric\":");
		vl_buf_add_json_str(b, r->flip_metric);
		vl_buf_adds(b, ",\"right_to_wrong\":");
		flips_json(b, r->total_worse, r->worse, r->nworse);
		vl_buf_adds(b, ",\"wrong_to_right\":");
		flips_json(b, r->total_better, r->better, r->nbetter);
		vl_buf_addch(b, '}');
	} else {
		vl_buf_adds(b, "null");
	}
	vl_buf_addch(b, '}');
}
