/*
 * ocrbench.c - OCRBench's substring rule and the "ocrbench" metric.
 *
 * The metric reads the question type from the sample's "category" and the
 * answers from its answers, where a single answer that is a Python list
 * literal (VLMEvalKit's TSV: "['FRIEND']") is evaluated into its strings.
 * The formula rule applies by type (VLMEvalKit), or, when the sample has a
 * "dataset_name" (the official JSON), to dataset HME100k (example.py).
 * Values: the ten type counts, the five groups, "Final Score" (out of
 * 1000) and "Final Score Norm" (Final / 10), as VLMEvalKit names them.
 */
#include "metrics/ocrbench.h"
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <math.h>
#include <string.h>

const char *const vl_ocrbench_types[10] = {
	"Regular Text Recognition", "Irregular Text Recognition", "Artistic Text Recognition",
	"Handwriting Recognition", "Digit String Recognition", "Non-Semantic Text Recognition",
	"Scene Text-centric VQA", "Doc-oriented VQA", "Key Information Extraction",
	VL_OCRBENCH_HME,
};
const int vl_ocrbench_type_total[10] = { 50, 50, 50, 50, 50, 50, 200, 200, 200, 100 };

static void normalise(const char *s, int hme, struct vl_buf *out)
{
	struct vl_buf lo = VL_BUF_INIT;
	size_t start, len;

	vl_buf_reset(out);
	if (!hme) {
		vl_py_lower(s, strlen(s), &lo);
		s = vl_buf_str(&lo);
	}
	vl_py_strip(s, strlen(s), &start, &len);
	for (size_t i = start; i < start + len; i++) {
		char c = s[i] == '\n' ? ' ' : s[i];
		if (!(hme && c == ' '))
			vl_buf_addch(out, c);
	}
	vl_buf_addch(out, '\0');
	out->len--;
	vl_buf_release(&lo);
}

int vl_ocrbench_match(const char *prediction, const char *const *answers, size_t n, int hme)
{
	struct vl_buf p = VL_BUF_INIT, a = VL_BUF_INIT;
	int hit = 0;

	normalise(prediction, hme, &p);
	for (size_t i = 0; i < n && !hit; i++) {
		normalise(answers[i], hme, &a);
		hit = strstr(vl_buf_str(&p), vl_buf_str(&a)) != NULL;
	}
	vl_buf_release(&p);
	vl_buf_release(&a);
	return hit;
}

/* ---- the metric ---------------------------------------------------------- */

struct ocr_state {
	signed char *type;      /* per sample: index into vl_ocrbench_types, -1 other */
	unsigned char *hit;
	size_t n, alloc;
};

static void *ocr_new(const struct vl_kv *opts, struct vl_buf *err)
{
	return vl_xcalloc(1, sizeof(struct ocr_state));
}

static int ocr_add(void *state, const struct vl_sample *s, const char *pred,
		   double *score, struct vl_buf *err)
{
	struct ocr_state *st = state;
	const char *cat = vl_sample_meta(s, "category");
	const char *dsname = vl_sample_meta(s, "dataset_name");
	struct vl_strv list = { 0 };
	const char *const *ans = (const char *const *)s->answers.v;
	size_t nans = s->answers.n;
	int type = -1, hme, hit;

	if (!nans) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no answers", s->id);
		return VL_EINVAL;
	}
	for (int i = 0; i < 10; i++)
		if (cat && !strcmp(cat, vl_ocrbench_types[i]))
			type = i;
	if (nans == 1 && vl_py_str_list(ans[0], &list) == 0) {
		ans = (const char *const *)list.v;
		nans = list.n;
	}
	hme = dsname ? !strcmp(dsname, "HME100k") : type == 9;
	hit = vl_ocrbench_match(pred, ans, nans, hme);
	vl_strv_release(&list);
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 1024;
		st->type = vl_xrealloc(st->type, st->alloc);
		st->hit = vl_xrealloc(st->hit, st->alloc);
	}
	st->type[st->n] = (signed char)type;
	st->hit[st->n++] = (unsigned char)hit;
	*score = hit;
	return 0;
}

static int ocr_finish(void *state, const size_t *idx, size_t n,
		      struct vl_metric_value *out, size_t max)
{
	struct ocr_state *st = state;
	long c[10] = { 0 }, m[10] = { 0 }, rec = 0, rec_n = 0, final, other = 0;
	size_t k = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++) {
		size_t j = idx ? idx[i] : i;
		if (st->type[j] < 0) {
			other++;
			continue;
		}
		c[st->type[j]] += st->hit[j];
		m[st->type[j]]++;
	}
	for (int i = 0; i < 6; i++) {
		rec += c[i];
		rec_n += m[i];
	}
	final = rec + c[6] + c[7] + c[8] + c[9];
	const struct vl_metric_value v[] = {
		{ "Final Score", (double)final, (long)n, 1 },
		{ "Final Score Norm", (double)final / 10, (long)n, 0 },
		{ "Text Recognition", (double)rec, rec_n, 0 },
		{ vl_ocrbench_types[6], (double)c[6], m[6], 0 },
		{ vl_ocrbench_types[7], (double)c[7], m[7], 0 },
		{ vl_ocrbench_types[8], (double)c[8], m[8], 0 },
		{ vl_ocrbench_types[9], (double)c[9], m[9], 0 },
		{ vl_ocrbench_types[0], (double)c[0], m[0], 0 },
		{ vl_ocrbench_types[1], (double)c[1], m[1], 0 },
		{ vl_ocrbench_types[2], (double)c[2], m[2], 0 },
		{ vl_ocrbench_types[3], (double)c[3], m[3], 0 },
		{ vl_ocrbench_types[4], (double)c[4], m[4], 0 },
		{ vl_ocrbench_types[5], (double)c[5], m[5], 0 },
		{ "other_types", (double)other, other, 0 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

static void ocr_free(void *state)
{
	struct ocr_state *st = state;

	if (!st)
		return;
	vl_free(st->type);
	vl_free(st->hit);
	vl_free(st);
}

const struct vl_metric vl_metric_ocrbench = {
	.version = VL_METRIC_API_VERSION,
	.name = "ocrbench",
	.description = "OCRBench: answer substring of the prediction after the official "
		       "normalisation; counts per type and the final score out of 1000",
	.higher_is_better = 1,
	.primary = "Final Score",
	.new_state = ocr_new,
	.add = ocr_add,
	.finish = ocr_finish,
	.free_state = ocr_free,
};
