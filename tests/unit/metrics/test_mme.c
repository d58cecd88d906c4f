/*
 * test_mme.c - MME's official first-four-code-points rule, VLMEvalKit's
 * YOrN extraction, the official per-task numbers and the "mme" metric
 * against tests/fixtures/reference/published/mme.
 */
#include "test_helpers.h"

#include "metrics/metric.h"
#include "metrics/mme.h"

static void test_official_label(void **state)
{
	static const struct { const char *text; int label; } rows[] = {
		{ "yes", VL_MME_YES }, { "no", VL_MME_NO }, { "Yes\n", VL_MME_YES },
		{ "Nope", VL_MME_NO }, { "None.", VL_MME_NO }, { "Not sure", VL_MME_NO },
		{ "know", VL_MME_NO }, { "noyes", VL_MME_NO }, { "yesno", VL_MME_YES },
		{ "  yes", VL_MME_OTHER }, { " yes", VL_MME_YES },
		{ "\xe3\x80\x82yes", VL_MME_YES },  /* one code point, then yes */
		{ "I think yes", VL_MME_OTHER }, { "", VL_MME_OTHER }, { "\n", VL_MME_OTHER },
		{ "YES, it is", VL_MME_YES }, { "\xc3\xa9no", VL_MME_NO },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		if (vl_mme_official_label(rows[i].text) != rows[i].label)
			print_error("row %zu: '%s'\n", i, rows[i].text);
		assert_int_equal(vl_mme_official_label(rows[i].text), rows[i].label);
	}
}

static void test_yorn(void **state)
{
	static const struct { const char *text, *want; } rows[] = {
		{ " Yes", "Yes" }, { "No.", "No" }, { "Yes!", "Yes" }, { "Yes.No", "Unknown" },
		{ "no, it is not", "No" }, { "nan", "Unknown" }, { "yes。", "Unknown" },
		{ "Yes and no", "Unknown" }, { "(yes)", "Yes" }, { "yes-no", "Unknown" },
		{ "YES", "Yes" }, { "", "Unknown" }, { "Yes\u3000", "Yes" }, { "know", "Unknown" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		if (strcmp(vl_yorn_extract(rows[i].text), rows[i].want))
			print_error("row %zu: '%s' -> %s\n", i, rows[i].text,
				    vl_yorn_extract(rows[i].text));
		assert_string_equal(vl_yorn_extract(rows[i].text), rows[i].want);
	}
}

static void test_official_task(void **state)
{
	/* GT yes,no per image; one image both right, one other, one wrong */
	const int gt[] = { 1, 0, 1, 0, 1, 0 };
	const int pred[] = { 1, 0, -1, 0, 0, 1 };
	struct vl_mme_task t;

	assert_int_equal(vl_mme_official_task(gt, pred, 5, &t), VL_EINVAL);
	assert_int_equal(vl_mme_official_task(gt, pred, 6, &t), 0);
	assert_int_equal(t.correct, 3);
	assert_int_equal(t.images_both, 1);
	assert_int_equal(t.other_num, 1);
	assert_int_equal(t.tp, 1);
	assert_int_equal(t.fn, 1);
	assert_int_equal(t.tn, 2);
	assert_int_equal(t.fp, 1);
	assert_true(t.score == 0.5 * 100 + (1.0 / 3) * 100);
	/* always "no": precision 0/0 is 0.0 as sklearn sets it */
	const int no[] = { 0, 0 };
	assert_int_equal(vl_mme_official_task(gt, no, 2, &t), 0);
	assert_true(t.precision == 0.0 && t.recall == 0.0);
}

/* The "mme" metric on the VLMEvalKit fixture rows (per_item holds each
 * row's prediction as pandas read it). */
static void test_vlmevalkit_scores(void **state)
{
	cJSON *exp = th_load_json("tests/fixtures/reference/published/mme/vlmevalkit/expected.json");
	cJSON *rows = th_load_json("tests/fixtures/reference/published/mme/vlmevalkit/rows.json");
	const struct vl_metric *m = vl_metric_find("mme");
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	const cJSON *scores = cJSON_GetArrayItem(cJSON_GetObjectItem(exp, "scores"), 0);
	const cJSON *per = cJSON_GetObjectItem(exp, "per_item"), *it;
	struct vl_buf err = VL_BUF_INIT;
	void *st = m->new_state(NULL, &err);
	size_t i = 0;
	int n;

	cJSON_ArrayForEach(it, per) {
		const cJSON *row = cJSON_GetArrayItem(rows, (int)i++);
		struct vl_sample s;
		double score;
		vl_sample_init(&s);
		s.id = vl_xstrdup(cJSON_GetObjectItem(row, "index")->valuestring);
		s.label_text = vl_xstrdup(cJSON_GetObjectItem(row, "answer")->valuestring);
		vl_sample_set_meta(&s, "category", cJSON_GetObjectItem(row, "category")->valuestring);
		vl_sample_set_meta(&s, "image_path", cJSON_GetObjectItem(row, "image_path")->valuestring);
		const char *pred = cJSON_GetObjectItem(it, "prediction_as_read")->valuestring;
		assert_string_equal(vl_yorn_extract(pred),
				    cJSON_GetObjectItem(it, "extracted")->valuestring);
		assert_int_equal(m->add(st, &s, pred, &score, &err), 0);
		assert_int_equal(score, cJSON_IsTrue(cJSON_GetObjectItem(it, "score")));
		vl_sample_release(&s);
	}
	n = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	assert_int_equal(n, 16);
	for (int k = 0; k < n; k++) {
		const cJSON *want = cJSON_GetObjectItem(scores, vals[k].name);
		assert_non_null(want);
		if (vals[k].value != want->valuedouble)
			print_error("%s: %.17g vs %.17g\n", vals[k].name, vals[k].value,
				    want->valuedouble);
		assert_true(fabs(vals[k].value - want->valuedouble) <= 1e-12 * fabs(want->valuedouble));
	}
	m->free_state(st);
	cJSON_Delete(exp);
	cJSON_Delete(rows);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_official_label),
		cmocka_unit_test(test_yorn),
		cmocka_unit_test(test_official_task),
		cmocka_unit_test(test_vlmevalkit_scores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
