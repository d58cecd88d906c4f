/*
 * anls.c - ANLS, the Average Normalized Levenshtein Similarity of ST-VQA and
 * DocVQA ("anls"), as the common evaluation code computes it (DocVQA's
 * evaluation, lmms-eval, VLMEvalKit):
 *
 *   both strings: " ".join(s.strip().lower().split()) (Python's Unicode
 *   lower and white space);
 *   NL(a, b) = Levenshtein(a, b) / max(len(a), len(b)) in code points
 *   (0 when both are empty);
 *   per question: 1 - min over the accepted answers of NL, set to 0 when it
 *   is below the threshold (0.5; option "threshold");
 *   ANLS = sequential sum / number of questions, a fraction in [0, 1].
 *
 * Note on the threshold tie: the ST-VQA paper writes "0 when NL >= 0.5",
 * the code above keeps 1 - NL = 0.5; this file follows the code (a score of
 * exactly 0.5 is kept).
 */
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct anls_state {
	double threshold;
	struct vl_per_sample score;  /* per added sample */
	struct vl_buf a, b;
	uint32_t *ua, *ub;
	size_t cap_a, cap_b;
	size_t *row;
	size_t cap_row;
};

static void *anls_new(const struct vl_kv *opts, struct vl_buf *err)
{
	struct anls_state *st;
	double t = 0.5;

	if (opts && vl_kv_get_double(opts, "threshold", 0.5, &t, err) < 0)
		return NULL;
	if (!(t >= 0 && t <= 1)) {
		if (err)
			vl_buf_addf(err, "anls: \"threshold\" must be in [0, 1]");
		return NULL;
	}
	st = vl_xcalloc(1, sizeof(*st));
	st->threshold = t;
	return st;
}

/* The similarity of one prediction against its answers, exposed for the
 * tests through the metric's add(). */
static double anls_question(struct anls_state *st, const char *pred,
			    char *const *answers, size_t n)
{
	double best_nl = INFINITY, s;
	size_t na, nb;

	vl_buf_reset(&st->a);
	vl_py_lower_fold(pred, strlen(pred), &st->a);
	na = vl_utf8_decode(vl_buf_str(&st->a), st->a.len, &st->ua, &st->cap_a);
	for (size_t k = 0; k < n; k++) {
		double nl;
		size_t m;
		vl_buf_reset(&st->b);
		vl_py_lower_fold(answers[k], strlen(answers[k]), &st->b);
		nb = vl_utf8_decode(vl_buf_str(&st->b), st->b.len, &st->ub, &st->cap_b);
		m = na > nb ? na : nb;
		nl = m ? (double)vl_edit_distance_u32(st->ua, na, st->ub, nb, &st->row,
						      &st->cap_row) / (double)m
		       : 0.0;
		if (nl < best_nl)
			best_nl = nl;
	}
	s = 1.0 - best_nl;
	return s < st->threshold ? 0.0 : s;
}

static int anls_add(void *state, const struct vl_sample *s, const char *pred,
		    double *score, struct vl_buf *err)
{
	struct anls_state *st = state;
	double v;

	if (!s->answers.n) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no accepted answers", s->id);
		return VL_EINVAL;
	}
	v = anls_question(st, pred, s->answers.v, s->answers.n);
	vl_per_sample_add(&st->score, v);
	*score = v;
	return 0;
}

static int anls_finish(void *state, const size_t *idx, size_t n,
		       struct vl_metric_value *out, size_t max)
{
	struct anls_state *st = state;
	double mean = vl_per_sample_mean(&st->score, idx, n, &n);

	if (max < 1)
		return 0;
	out[0] = (struct vl_metric_value){ "anls", mean, (long)n, 1 };
	return 1;
}

static void anls_free(void *state)
{
	struct anls_state *st = state;

	if (!st)
		return;
	vl_per_sample_release(&st->score);
	vl_buf_release(&st->a);
	vl_buf_release(&st->b);
	vl_free(st->ua);
	vl_free(st->ub);
	vl_free(st->row);
	vl_free(st);
}

const struct vl_metric vl_metric_anls = {
	.version = VL_METRIC_API_VERSION,
	.name = "anls",
	.description = "ANLS (ST-VQA, DocVQA): 1 - normalised Levenshtein, threshold 0.5",
	.higher_is_better = 1,
	.primary = "anls",
	.new_state = anls_new,
	.add = anls_add,
	.finish = anls_finish,
	.free_state = anls_free,
};
