/* fuzz_answer_match.c - the answer normalisers and matchers that
 * fuzz_extract does not reach, on a model output against ground truth
 * taken from the same input: the input's lines are the prediction (line
 * 1) and up to 10 reference answers (the rest).  Covers MMMU's official
 * parsing (open and multiple-choice, judge with the random fallback,
 * subject of an id), MME's official label and VLMEvalKit's YOrN,
 * OCRBench's matching (with and without the HME100k formula rule),
 * ChartQA's relaxed accuracy, MMBench's can_infer, VQA accuracy in both
 * revisions, CHAIR's object mentions, and every registered metric's add
 * and finish (chair's aside) on a sample built from the lines. */
#include "fuzz.h"
#include "metrics/chair.h"
#include "metrics/chartqa.h"
#include "metrics/metric.h"
#include "metrics/mmbench.h"
#include "metrics/mme.h"
#include "metrics/mmmu.h"
#include "metrics/ocrbench.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <math.h>

static void all_metrics(const char *pred, const char *const *ans, size_t n)
{
	const struct vl_metric *const *m = vl_metric_list();
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;

	vl_sample_init(&s);
	s.id = vl_xstrdup("fuzz");
	for (size_t i = 0; i < n; i++) {
		vl_strv_push(&s.answers, ans[i]);
		vl_strv_push(&s.captions, ans[i]);
		vl_strv_push(&s.options, ans[i]);
	}
	vl_strv_push(&s.objects, "dog");
	s.label = VL_LABEL_YES;
	s.label_text = vl_xstrdup(n ? ans[0] : "yes");
	s.answer_letter = vl_xstrdup("B");
	s.box[0] = 10, s.box[1] = 20, s.box[2] = 300, s.box[3] = 400;
	s.has_box = 1;
	s.image_w = 640, s.image_h = 480;
	vl_sample_set_meta(&s, "category", "fuzz");
	vl_sample_set_meta(&s, "question_type", n & 1 ? "multiple-choice" : "open");
	for (size_t i = 0; m[i]; i++) {
		void *st;
		double score;
		/* chair's state builds its synonym tables (5 ms, 100 times the
		 * rest); its parsing, vl_chair_mentions, is called directly */
		if (!strcmp(m[i]->name, "chair") || !(st = m[i]->new_state(NULL, &err)))
			continue;
		m[i]->add(st, &s, pred, &score, &err);
		m[i]->add(st, &s, "", &score, &err);
		m[i]->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
		if (m[i]->sample_score)
			m[i]->sample_score(st, 0);
		m[i]->free_state(st);
		vl_buf_reset(&err);
	}
	vl_buf_release(&err);
	vl_sample_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vl_chair *chair;
	static const char *const letters[] = { "A", "B", "C", "D" };
	char *s = fuzz_str(data, size), *pred = s;
	const char *ans[10];
	size_t n = 0;
	struct vl_mmmu_values vs = { 0 };
	struct vl_mmmu_item it = { 0 };
	struct vl_mmmu_result res;
	struct vl_pyrandom rng;
	struct vl_vqa_scratch sc = VL_VQA_SCRATCH_INIT;
	struct vl_strv words = { 0 }, cats = { 0 };
	struct vl_buf b = VL_BUF_INIT;

	for (char *p = s; n < 10 && (p = strchr(p, '\n')); ) {
		*p++ = '\0';
		ans[n++] = p;
	}
	/* MMMU */
	vl_mmmu_normalize(pred, &vs);
	vl_mmmu_values_release(&vs);
	vl_mmmu_parse_open(pred, &vs);
	vl_mmmu_eval_open(ans, n, &vs);
	vl_mmmu_values_release(&vs);
	vl_mmmu_parse_choice(pred, letters, 4, letters, n >= 4 ? ans : letters, 4);
	vl_pyrandom_seed(&rng, 42);
	it.response = pred;
	it.choices = letters;
	it.nchoices = 4;
	it.keys = letters;
	it.texts = n >= 4 ? ans : letters;
	it.nans = 4;
	it.gold = n ? ans : letters;
	it.ngold = n ? n : 1;
	for (int mc = 0; mc < 2; mc++)
		for (int pre = 0; pre < 2; pre++) {
			it.multiple_choice = mc;
			it.preparsed = pre;
			vl_mmmu_judge(&it, pre ? NULL : &rng, &res);
			vl_mmmu_values_release(&res.open);
		}
	vl_mmmu_subject_of(pred, &b);
	/* MME, OCRBench, ChartQA, MMBench */
	vl_mme_official_label(pred);
	vl_yorn_extract(pred);
	vl_ocrbench_match(pred, ans, n, 0);
	vl_ocrbench_match(pred, ans, n, 1);
	if (n) {
		vl_chartqa_relaxed(ans[0], pred);
		vl_mmbench_can_infer(pred, ans, n);
	}
	/* VQA accuracy, both revisions */
	vl_vqa_question_accuracy(&sc, pred, ans, n, VL_VQA_REV_2021);
	vl_vqa_question_accuracy(&sc, pred, ans, n, VL_VQA_REV_2017);
	vl_vqa_scratch_release(&sc);
	/* CHAIR */
	if (!chair)
		chair = vl_chair_new();
	vl_chair_mentions(chair, pred, &words, &cats);
	vl_strv_release(&words);
	vl_strv_release(&cats);
	all_metrics(pred, ans, n);
	vl_buf_release(&b);
	free(s);
	return 0;
}
