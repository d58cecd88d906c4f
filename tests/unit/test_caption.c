/*
 * test_caption.c - the "caption" metric (BLEU-1..4, ROUGE-L, CIDEr-D)
 * against the numbers pycocoevalcap computes on
 * tests/fixtures/reference/captions, plus hand-made data rows and the
 * bootstrap's determinism.
 */
#include "test_helpers.h"

#include "metrics/caption.h"
#include "metrics/metric.h"

static const char *const names[6] = { "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr" };

static double pick(const struct vl_caption_scores *s, int k)
{
	return k < 4 ? s->bleu[k] : k == 4 ? s->rouge_l : s->cider;
}

/* Adds every image of the fixture through the metric, in refs.json order. */
static void *load_fixture(const struct vl_metric *m, cJSON **ids_out)
{
	cJSON *refs = th_load_json("tests/fixtures/reference/captions/refs.json");
	cJSON *cands = th_load_json("tests/fixtures/reference/captions/cands.json");
	struct vl_kv opts = { { 0 }, { 0 } };
	struct vl_buf err = VL_BUF_INIT;
	const cJSON *img;
	void *st;

	vl_kv_set(&opts, "tokenize", "none");
	st = m->new_state(&opts, &err);
	assert_non_null(st);
	cJSON_ArrayForEach(img, refs) {
		struct vl_sample s;
		const cJSON *r;
		double score;

		vl_sample_init(&s);
		s.id = vl_xstrdup(img->string);
		cJSON_ArrayForEach(r, img)
			vl_strv_push(&s.captions, r->valuestring);
		assert_int_equal(m->add(st, &s, cJSON_GetObjectItem(cands, img->string)->valuestring,
					&score, &err), 0);
		assert_true(isnan(score));
		vl_sample_release(&s);
	}
	*ids_out = refs;
	cJSON_Delete(cands);
	vl_kv_release(&opts);
	vl_buf_release(&err);
	return st;
}

static void test_reference(void **state)
{
	const struct vl_metric *m = vl_metric_find("caption");
	cJSON *expected = th_load_json("tests/fixtures/reference/captions/expected.json");
	cJSON *per = cJSON_GetObjectItem(expected, "per_image");
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	cJSON *refs, *img;
	size_t i = 0;
	int n, exact = 0, total = 0;
	void *st;

	assert_non_null(m);
	st = load_fixture(m, &refs);
	n = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	assert_int_equal(n, 6);
	for (int k = 0; k < 6; k++) {
		assert_string_equal(vals[k].name, names[k]);
		assert_int_equal(vals[k].n, 300);
		assert_close(vals[k].value, cJSON_GetObjectItem(expected, names[k])->valuedouble, 1e-12);
		exact += vals[k].value == cJSON_GetObjectItem(expected, names[k])->valuedouble;
		total++;
	}
	cJSON_ArrayForEach(img, refs) {
		struct vl_caption_scores s;
		const cJSON *e = cJSON_GetObjectItem(per, img->string);
		assert_non_null(e);
		assert_int_equal(vl_caption_metric_per_image(st, i, &s), 0);
		for (int k = 0; k < 6; k++) {
			double want = cJSON_GetObjectItem(e, names[k])->valuedouble;
			if (!(fabs(pick(&s, k) - want) <= 1e-12 * fabs(want) || pick(&s, k) == want))
				print_error("image %s %s\n", img->string, names[k]);
			assert_close(pick(&s, k), want, 1e-12);
			exact += pick(&s, k) == want;
			total++;
		}
		assert_true(m->sample_score(st, i) == s.cider);
		i++;
	}
	print_message("caption reference: %d of %d values bit-identical\n", exact, total);
	assert_int_equal(vl_caption_metric_per_image(st, i, &(struct vl_caption_scores){ 0 }), VL_EINVAL);
	m->free_state(st);
	cJSON_Delete(refs);
	cJSON_Delete(expected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
