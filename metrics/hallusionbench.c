/*
 * hallusionbench.c - the "hallusionbench" metric: aAcc, fAcc and qAcc as
 * VLMEvalKit's Hallusion_rating computes them (e8e78f05, exact matching).
 *
 * A sample is right when VLMEvalKit's YOrN extraction of the prediction
 * equals its answer ("Yes"/"No", case-sensitive).  The index
 * "{category}_{l2}_{visual}_{set}_{figure}_{question}" gives, at split
 * positions 3, 4 and 5, the set, figure and question ids; fAcc groups rows
 * by "l2-category_set_figure", qAcc by "l2-category_set_question" (the
 * category is not in the key, so VD and VS rows of one l2-category and set
 * share groups, as upstream), and a group counts when all its rows are
 * right.  All three in percent.  The per-category and per-l2 rows of the
 * upstream table are the runner's breakdowns over category / l2-category.
 */
#include "metrics/metric.h"
#include "metrics/mme.h"

#include <math.h>
#include <string.h>

struct hb_state {
	unsigned char *hit;
	size_t *fig, *q;              /* per sample: group numbers */
	size_t n, alloc;
	struct vl_strmap figs, qs;    /* key -> number + 1 */
	size_t nfig, nq;
};

static void *hb_new(const struct vl_kv *opts, struct vl_buf *err)
{
	return vl_xcalloc(1, sizeof(struct hb_state));
}

static size_t group_of(struct vl_strmap *m, const char *key, size_t *count)
{
	void **p = vl_strmap_find(m, key);

	if (p)
		return (size_t)(uintptr_t)*p - 1;
	vl_strmap_put(m, key, (void *)(uintptr_t)(*count + 1));
	return (*count)++;
}

static int hb_add(void *state, const struct vl_sample *s, const char *pred,
		  double *score, struct vl_buf *err)
{
	struct hb_state *st = state;
	const char *l2 = vl_sample_meta(s, "l2-category");
	const char *f[6], *p = s->id;
	size_t len[6], nf = 0;
	struct vl_buf key = VL_BUF_INIT;
	int hit;

	if (!s->label_text) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no Yes/No answer", s->id);
		return VL_EINVAL;
	}
	while (nf < 6) {
		size_t k = strcspn(p, "_");
		f[nf] = p;
		len[nf++] = k;
		if (!p[k])
			break;
		p += k + 1;
	}
	if (nf < 6) {
		if (err)
			vl_buf_addf(err, "sample '%s': index has no set, figure and question ids "
				    "(fields 4 to 6 of category_l2_visual_set_figure_question)", s->id);
		return VL_EINVAL;
	}
	hit = !strcmp(s->label_text, vl_yorn_extract(pred));
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 1024;
		st->hit = vl_xrealloc(st->hit, st->alloc);
		st->fig = vl_xrealloc(st->fig, st->alloc * sizeof(size_t));
		st->q = vl_xrealloc(st->q, st->alloc * sizeof(size_t));
	}
	/* str(NaN) is "nan" in the upstream key */
	vl_buf_addf(&key, "%s_%.*s_%.*s", l2 ? l2 : "nan", (int)len[3], f[3], (int)len[4], f[4]);
	st->fig[st->n] = group_of(&st->figs, vl_buf_str(&key), &st->nfig);
	vl_buf_reset(&key);
	vl_buf_addf(&key, "%s_%.*s_%.*s", l2 ? l2 : "nan", (int)len[3], f[3], (int)len[5], f[5]);
	st->q[st->n] = group_of(&st->qs, vl_buf_str(&key), &st->nq);
	vl_buf_release(&key);
	st->hit[st->n++] = (unsigned char)hit;
	*score = hit;
	return 0;
}

/* mean over the groups present of "every row right", times 100 */
static double group_acc(const struct hb_state *st, const size_t *grp, size_t ngroups,
			const size_t *idx, size_t n)
{
	unsigned char *g = vl_xcalloc(ngroups + 1, 1);  /* 1 all right so far, 2 a miss */
	long groups = 0, right = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j = idx ? idx[i] : i;
		if (!st->hit[j])
			g[grp[j]] = 2;
		else if (!g[grp[j]])
			g[grp[j]] = 1;
	}
	for (size_t i = 0; i < ngroups; i++) {
		groups += g[i] != 0;
		right += g[i] == 1;
	}
	vl_free(g);
	return groups ? (double)right / (double)groups * 100 : NAN;
}

static int hb_finish(void *state, const size_t *idx, size_t n,
		     struct vl_metric_value *out, size_t max)
{
	struct hb_state *st = state;
	long right = 0;
	size_t k = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++)
		right += st->hit[idx ? idx[i] : i];
	const struct vl_metric_value v[] = {
		{ "aAcc", n ? (double)right / (double)n * 100 : NAN, (long)n, 1 },
		{ "fAcc", group_acc(st, st->fig, st->nfig, idx, n), (long)n, 1 },
		{ "qAcc", group_acc(st, st->q, st->nq, idx, n), (long)n, 1 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

static void hb_free(void *state)
{
	struct hb_state *st = state;

	if (!st)
		return;
	vl_free(st->hit);
	vl_free(st->fig);
	vl_free(st->q);
	vl_strmap_release(&st->figs, NULL);
	vl_strmap_release(&st->qs, NULL);
	vl_free(st);
}

const struct vl_metric vl_metric_hallusionbench = {
	.version = VL_METRIC_API_VERSION,
	.name = "hallusionbench",
	.description = "HallusionBench aAcc, fAcc (figure), qAcc (question) as VLMEvalKit, percent",
	.higher_is_better = 1,
	.primary = "aAcc",
	.new_state = hb_new,
	.add = hb_add,
	.finish = hb_finish,
	.free_state = hb_free,
};
