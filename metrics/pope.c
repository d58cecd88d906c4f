/*
 * pope.c - POPE: accuracy, precision, recall, F1 and yes-ratio of yes/no
 * answers, as AoiDragon/POPE evaluate.py computes them.
 *
 * The prediction is parsed with the official rule (vl_pope_parse), whatever
 * extractor the task used, so a raw output and an extracted "yes"/"no" give
 * the same result.  Labels other than "no" count as positive, as in the
 * script.  Zero denominators, which crash the script, give NaN here.
 */
#include "metrics/metric.h"

#include <math.h>
#include <string.h>

struct pope_state {
	unsigned char *cell;  /* per sample: bit 1 = label positive, bit 0 = predicted yes */
	size_t n, alloc;
};

static void *pope_new(const struct vl_kv *opts, struct vl_buf *err)
{
	return vl_xcalloc(1, sizeof(struct pope_state));
}

static int pope_add(void *state, const struct vl_sample *s, const char *pred,
		    double *score, struct vl_buf *err)
{
	struct pope_state *st = state;
	int positive, yes;

	if (s->label_text)
		positive = strcmp(s->label_text, "no") != 0;
	else if (s->label != VL_LABEL_NONE)
		positive = s->label == VL_LABEL_YES;
	else {
		if (err)
			vl_buf_addf(err, "sample '%s' has no yes/no label", s->id);
		return VL_EINVAL;
	}
	yes = vl_pope_parse(pred) == VL_LABEL_YES;
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 1024;
		st->cell = vl_xrealloc(st->cell, st->alloc);
	}
	st->cell[st->n++] = (unsigned char)(positive << 1 | yes);
	*score = positive == yes;
	return 0;
}

static int pope_finish(void *state, const size_t *idx, size_t n,
		       struct vl_metric_value *out, size_t max)
{
	struct pope_state *st = state;
	long tp = 0, fp = 0, tn = 0, fn = 0;
	double p, r, f1, acc, yr;
	size_t k = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++) {
		switch (st->cell[idx ? idx[i] : i]) {
		case 3: tp++; break;
		case 2: fn++; break;
		case 1: fp++; break;
		default: tn++; break;
		}
	}
	/* the script's expressions, in its order of operations */
	p = tp + fp ? (double)tp / (double)(tp + fp) : NAN;
	r = tp + fn ? (double)tp / (double)(tp + fn) : NAN;
	f1 = isnan(p) || isnan(r) || p + r == 0 ? NAN : 2 * p * r / (p + r);
	acc = n ? (double)(tp + tn) / (double)n : NAN;
	yr = n ? (double)(tp + fp) / (double)n : NAN;

	const struct vl_metric_value v[] = {
		{ "acc", acc, (long)n, 1 },
		{ "precision", p, (long)n, 1 },
		{ "recall", r, (long)n, 1 },
		{ "f1", f1, (long)n, 1 },
		{ "yes_ratio", yr, (long)n, 1 },
		{ "TP", (double)tp, (long)n, 0 },
		{ "FP", (double)fp, (long)n, 0 },
		{ "TN", (double)tn, (long)n, 0 },
		{ "FN", (double)fn, (long)n, 0 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

static void pope_free(void *state)
{
	struct pope_state *st = state;
	if (!st)
		return;
	vl_free(st->cell);
	vl_free(st);
}

const struct vl_metric vl_metric_pope = {
	.version = VL_METRIC_API_VERSION,
	.name = "pope",
	.description = "POPE accuracy, precision, recall, F1, yes-ratio (official parsing)",
	.higher_is_better = 1,
	.primary = "f1",
	.new_state = pope_new,
	.add = pope_add,
	.finish = pope_finish,
	.free_state = pope_free,
};
