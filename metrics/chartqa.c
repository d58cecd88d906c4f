/*
 * chartqa.c - ChartQA's relaxed accuracy ("relaxed_accuracy" metric) as
 * VLMEvalKit computes it for ChartQA_TEST (vqa_eval.relaxed_correctness, a
 * copy of pix2struct's metric, driven by process_line(method=
 * 'relaxed_accuracy'); e8e78f05).
 *
 * The prediction is Python-strip()ped; each target is used as is.  When
 * both parse with Python's float() (a trailing '%' divides by 100 after
 * every trailing '%' is removed) and the target is non-zero, the answer is
 * right iff |p - t| / |t| <= 0.05 in doubles; otherwise both are compared
 * after Python lower().  A sample is right when any target is (a single
 * answer that is a Python list literal is its elements).  The value,
 * "relaxed_acc", is in percent; the human / augmented rows are the runner's
 * breakdown over "split".
 */
#include "metrics/chartqa.h"
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <math.h>
#include <string.h>

/* _to_float: 0 and *out, or -1 (None) */
static int to_float(const char *s, double *out)
{
	size_t n = strlen(s);

	if (n && s[n - 1] == '%') {
		while (n && s[n - 1] == '%')
			n--;
		if (vl_py_float(s, n, out) < 0)
			return -1;
		*out /= 100.0;
		return 0;
	}
	return vl_py_float(s, n, out) < 0 ? -1 : 0;
}

int vl_chartqa_relaxed(const char *target, const char *prediction)
{
	struct vl_buf a = VL_BUF_INIT, b = VL_BUF_INIT;
	double p, t;
	int hit;

	if (to_float(prediction, &p) == 0 && to_float(target, &t) == 0 && t != 0)
		return fabs(p - t) / fabs(t) <= 0.05;
	vl_py_lower(prediction, strlen(prediction), &a);
	vl_py_lower(target, strlen(target), &b);
	hit = !strcmp(vl_buf_str(&a), vl_buf_str(&b));
	vl_buf_release(&a);
	vl_buf_release(&b);
	return hit;
}

struct rel_state {
	struct vl_per_sample hit;
};

static void *rel_new(const struct vl_kv *opts, struct vl_buf *err)
{
	return vl_xcalloc(1, sizeof(struct rel_state));
}

static int rel_add(void *state, const struct vl_sample *s, const char *pred,
		   double *score, struct vl_buf *err)
{
	struct rel_state *st = state;
	struct vl_strv list = { 0 };
	const char *const *t = (const char *const *)s->answers.v;
	size_t nt = s->answers.n, start, len;
	char *p;
	int hit = 0;

	if (!nt) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no answer", s->id);
		return VL_EINVAL;
	}
	if (nt == 1 && vl_py_str_list(t[0], &list) == 0 && list.n) {
		t = (const char *const *)list.v;
		nt = list.n;
	}
	vl_py_strip(pred, strlen(pred), &start, &len);
	p = vl_xstrndup(pred + start, len);
	for (size_t i = 0; i < nt && !hit; i++)
		hit = vl_chartqa_relaxed(t[i], p);
	vl_free(p);
	vl_strv_release(&list);
	vl_per_sample_add(&st->hit, hit);
	*score = hit;
	return 0;
}

static int rel_finish(void *state, const size_t *idx, size_t n,
		      struct vl_metric_value *out, size_t max)
{
	struct rel_state *st = state;
	double right = vl_per_sample_sum(&st->hit, idx, n, &n);

	if (max < 1)
		return 0;
	/* np.mean(hits) * 100 */
	out[0] = (struct vl_metric_value){ "relaxed_acc",
		n ? right / (double)n * 100 : NAN, (long)n, 1 };
	return 1;
}

static void rel_free(void *state)
{
	struct rel_state *st = state;

	if (!st)
		return;
	vl_per_sample_release(&st->hit);
	vl_free(st);
}

const struct vl_metric vl_metric_relaxed_accuracy = {
	.version = VL_METRIC_API_VERSION,
	.name = "relaxed_accuracy",
	.description = "ChartQA relaxed accuracy (5% numeric tolerance, else exact), percent",
	.higher_is_better = 1,
	.primary = "relaxed_acc",
	.new_state = rel_new,
	.add = rel_add,
	.finish = rel_finish,
	.free_state = rel_free,
};
