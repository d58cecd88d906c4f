/*
 * exact_match.c - accuracy by exact string match after case and white-space
 * normalisation (lowercase, runs of white space folded to one space, ends
 * trimmed).  A prediction is correct when it equals any accepted answer
 * (sample answers, else the option letter, else the label text).
 *
 * This is the simplest metric and the template for new ones: a state that
 * keeps one number per added sample, and a finish() over any index list.
 */
#include "metrics/metric.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

struct em_state {
	struct vl_per_sample hit;  /* per added sample, 1 when correct */
};

static void normalise(const char *s, struct vl_buf *out)
{
	int space = 0;

	vl_buf_reset(out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isspace(c)) {
			space = out->len > 0;
			continue;
		}
		if (space)
			vl_buf_addch(out, ' ');
		space = 0;
		vl_buf_addch(out, tolower(c));
	}
}

static void *em_new(const struct vl_kv *opts, struct vl_buf *err)
{
	return vl_xcalloc(1, sizeof(struct em_state));
}

static int em_add(void *state, const struct vl_sample *s, const char *pred,
		  double *score, struct vl_buf *err)
{
	struct em_state *st = state;
	struct vl_buf p = VL_BUF_INIT, a = VL_BUF_INIT;
	const char *single[2] = { NULL, NULL };
	char *const *cands = s->answers.v;
	size_t ncand = s->answers.n;
	int hit = 0;

	if (!ncand) {
		single[0] = s->answer_letter ? s->answer_letter : s->label_text;
		if (!single[0]) {
			if (err)
				vl_buf_addf(err, "sample '%s' has no answer to compare with", s->id);
			return VL_EINVAL;
		}
		cands = (char *const *)single;
		ncand = 1;
	}
	normalise(pred, &p);
	for (size_t i = 0; i < ncand && !hit; i++) {
		normalise(cands[i], &a);
		hit = !strcmp(vl_buf_str(&p), vl_buf_str(&a));
	}
	vl_buf_release(&p);
	vl_buf_release(&a);
	vl_per_sample_add(&st->hit, hit);
	*score = hit;
	return 0;
}

static int em_finish(void *state, const size_t *idx, size_t n,
		     struct vl_metric_value *out, size_t max)
{
	struct em_state *st = state;
	double mean = vl_per_sample_mean(&st->hit, idx, n, &n);

	if (max < 1)
		return 0;
	out[0] = (struct vl_metric_value){ "exact_match", mean, (long)n, 1 };
	return 1;
}

static void em_free(void *state)
{
	struct em_state *st = state;
	if (!st)
		return;
	vl_per_sample_release(&st->hit);
	vl_free(st);
}

const struct vl_metric vl_metric_exact_match = {
	.version = VL_METRIC_API_VERSION,
	.name = "exact_match",
	.description = "exact match after lowercasing and folding white space",
	.higher_is_better = 1,
	.primary = "exact_match",
	.new_state = em_new,
	.add = em_add,
	.finish = em_finish,
	.free_state = em_free,
};
