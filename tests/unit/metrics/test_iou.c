/*
 * test_iou.c - IoU conventions and the "grounding" metric against
 * tests/fixtures/reference/grounding/expected.json (every per-item IoU, the
 * hits, exactly_half, Acc@0.5, mean IoU and every variant), plus hand rows.
 */
#include "test_helpers.h"

#include "metrics/box.h"
#include "metrics/metric.h"

static void get_box(const cJSON *item, const char *key, double b[4])
{
	const cJSON *a = cJSON_GetObjectItem(item, key);
	assert_int_equal(cJSON_GetArraySize(a), 4);
	for (int i = 0; i < 4; i++)
		b[i] = cJSON_GetArrayItem(a, i)->valuedouble;
}

/* Feeds every fixture item through the metric under one variant, the
 * prediction going through the canonical text form as the extractor's
 * output would.  Returns the values; per-item IoUs into ious (may be NULL). */
static int run_variant(const char *variant, struct vl_metric_value *vals, double *ious)
{
	cJSON *items = th_load_json("tests/fixtures/reference/grounding/items.json");
	const struct vl_metric *m = vl_metric_find("grounding");
	struct vl_kv opts = { 0 };
	struct vl_buf err = VL_BUF_INIT, pred = VL_BUF_INIT;
	void *st;
	int n, i = 0;
	const cJSON *it;

	assert_non_null(m);
	vl_kv_set(&opts, "iou_variant", variant);
	st = m->new_state(&opts, &err);
	assert_non_null(st);
	cJSON_ArrayForEach(it, items) {
		struct vl_sample s;
		double p[4], score;

		vl_sample_init(&s);
		s.id = vl_xstrdup("x");
		get_box(it, "gt_box", s.box);
		s.has_box = 1;
		s.image_w = cJSON_GetObjectItem(it, "image_w")->valueint;
		s.image_h = cJSON_GetObjectItem(it, "image_h")->valueint;
		get_box(it, "pred_box", p);
		vl_buf_reset(&pred);
		vl_box_format(p, &pred);
		assert_int_equal(m->add(st, &s, vl_buf_str(&pred), &score, &err), 0);
		if (ious)
			ious[i] = score;
		i++;
		vl_sample_release(&s);
	}
	n = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	m->free_state(st);
	vl_kv_release(&opts);
	vl_buf_release(&err);
	vl_buf_release(&pred);
	cJSON_Delete(items);
	return n;
}

static double value(const struct vl_metric_value *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	fail_msg("no value '%s'", name);
	return NAN;
}

static void test_reference_main(void **state)
{
	cJSON *exp = th_load_json("tests/fixtures/reference/grounding/expected.json");
	const cJSON *per = cJSON_GetObjectItem(exp, "per_item"), *it;
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	double ious[500];
	int n, i = 0;

	assert_int_equal(cJSON_GetArraySize(per), 500);
	n = run_variant("standard", v, ious);
	cJSON_ArrayForEach(it, per) {
		double want = cJSON_GetObjectItem(it, "iou")->valuedouble;
		int hit = cJSON_IsTrue(cJSON_GetObjectItem(it, "hit"));
		assert_close(ious[i], want, 1e-12);
		assert_int_equal(ious[i] >= 0.5, hit);
		i++;
	}
	assert_close(value(v, n, "acc_at_0.5"), cJSON_GetObjectItem(exp, "acc_at_0.5")->valuedouble, 1e-12);
	assert_close(value(v, n, "mean_iou"), cJSON_GetObjectItem(exp, "mean_iou")->valuedouble, 1e-12);
	assert_int_equal((long)value(v, n, "hits"), cJSON_GetObjectItem(exp, "hits")->valueint);
	assert_int_equal((long)value(v, n, "exactly_half"), cJSON_GetObjectItem(exp, "exactly_half")->valueint);
	assert_int_equal((long)value(v, n, "n"), cJSON_GetObjectItem(exp, "n")->valueint);
	assert_int_equal((long)value(v, n, "parse_failures"), 0);
	cJSON_Delete(exp);
}

/* Per-item values of the +1 and normalised conventions. */
static void test_reference_per_item_variants(void **state)
{
	cJSON *exp = th_load_json("tests/fixtures/reference/grounding/expected.json");
	const cJSON *per = cJSON_GetObjectItem(exp, "per_item"), *it;
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	double ious[500];
	int i;

	run_variant("plus_one_inclusive", v, ious);
	i = 0;
	cJSON_ArrayForEach(it, per)
		assert_close(ious[i++], cJSON_GetObjectItem(it, "iou_plus1")->valuedouble, 1e-12);
	run_variant("normalized_by_image_wh", v, ious);
	i = 0;
	cJSON_ArrayForEach(it, per)
		assert_close(ious[i++], cJSON_GetObjectItem(it, "iou_normalized")->valuedouble, 1e-12);
	cJSON_Delete(exp);
}

static void test_reference_variants(void **state)
{
	cJSON *exp = th_load_json("tests/fixtures/reference/grounding/expected.json");
	const cJSON *vars = cJSON_GetObjectItem(exp, "variants"), *var;
	int checked = 0;

	cJSON_ArrayForEach(var, vars) {
		struct vl_metric_value v[VL_METRIC_MAX_VALUES];
		const cJSON *acc = cJSON_GetObjectItem(var, "acc");
		const cJSON *mean = cJSON_GetObjectItem(var, "mean_iou");
		int n;

		assert_non_null(vl_iou_variant_find(var->string));
		n = run_variant(var->string, v, NULL);
		assert_close(value(v, n, "acc_at_0.5"), acc->valuedouble, 1e-12);
		if (mean)
			assert_close(value(v, n, "mean_iou"), mean->valuedouble, 1e-12);
		checked++;
	}
	assert_int_equal(checked, 5);
	cJSON_Delete(exp);
}

/* Hand rows: pred, gt, expected IoU under the main convention. */
static void test_iou_rows(void **state)
{
	static const struct { double a[4], b[4], iou; } rows[] = {
		{ { 0, 0, 10, 10 }, { 0, 0, 10, 10 }, 1.0 },
		{ { 0, 0, 10, 10 }, { 10, 0, 20, 10 }, 0.0 },      /* touching edge */
		{ { 0, 0, 10, 10 }, { 5, 0, 15, 10 }, 50.0 / 150.0 },
		{ { 0, 0, 10, 10 }, { 0, 0, 10, 5 }, 0.5 },         /* exactly half */
		{ { 0, 0, 0, 0 }, { 1, 1, 5, 5 }, 0.0 },            /* fallback box */
		{ { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, 0.0 },            /* zero union */
		{ { -5, -5, 5, 5 }, { 0, 0, 10, 10 }, 25.0 / 175.0 }, /* past the border */
		{ { 20, 20, 30, 30 }, { 0, 0, 10, 10 }, 0.0 },      /* no overlap */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++)
		assert_true(vl_iou(rows[i].a, rows[i].b) == rows[i].iou);
	/* thresholds */
	assert_true(vl_iou_hit(vl_iou_variant_find("standard"), 0.5));
	assert_false(vl_iou_hit(vl_iou_variant_find("strict_gt_0.5"), 0.5));
	assert_true(vl_iou_hit(vl_iou_variant_find("strict_gt_0.5"), 0.5000001));
	assert_null(vl_iou_variant_find("nope"));
}

static void test_canonical(void **state)
{
	static const struct { const char *text; int rc; double b[4]; } rows[] = {
		{ "[1, 2, 3, 4]", 0, { 1, 2, 3, 4 } },
		{ " [0.1,2.5 , 3e2, 4]\n", 0, { 0.1, 2.5, 300, 4 } },
		{ "", VL_EPARSE, { 0 } },
		{ "[1, 2, 3]", VL_EPARSE, { 0 } },
		{ "[1, 2, 3, 4, 5]", VL_EPARSE, { 0 } },
		{ "[1, 2, 3, 4] x", VL_EPARSE, { 0 } },
		{ "[1, 2, nan, 4]", VL_EPARSE, { 0 } },
		{ "(1, 2, 3, 4)", VL_EPARSE, { 0 } },
	};
	struct vl_buf b = VL_BUF_INIT;
	double out[4], in[4] = { 92.25225225225225, 0.1, 1e-300, -3 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		assert_int_equal(vl_box_parse_canonical(rows[i].text, out), rows[i].rc);
		if (rows[i].rc == 0)
			assert_memory_equal(out, rows[i].b, sizeof(out));
	}
	vl_box_format(in, &b);
	assert_string_equal(vl_buf_str(&b), "[92.25225225225225, 0.1, 1e-300, -3]");
	assert_int_equal(vl_box_parse_canonical(vl_buf_str(&b), out), 0);
	assert_memory_equal(out, in, sizeof(out));
	vl_buf_release(&b);
}

/* Parse failures score 0 and are counted; a sample without a box is an
 * error naming it; an unknown variant is refused with the known names. */
static void test_metric_edges(void **state)
{
	const struct vl_metric *m = vl_metric_find("grounding");
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_kv opts = { 0 };
	struct vl_sample s;
	double score;
	size_t idx[3] = { 1, 1, 0 };
	void *st;
	int n;

	vl_kv_set(&opts, "iou_variant", "bogus");
	assert_null(m->new_state(&opts, &err));
	assert_non_null(strstr(vl_buf_str(&err), "unknown iou_variant 'bogus'"));
	assert_non_null(strstr(vl_buf_str(&err), "float32_torchvision"));
	vl_kv_release(&opts);

	st = m->new_state(NULL, &err);
	vl_sample_init(&s);
	s.id = vl_xstrdup("q7");
	vl_buf_reset(&err);
	assert_int_equal(m->add(st, &s, "[0, 0, 1, 1]", &score, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err), "sample 'q7' has no ground-truth box");
	s.has_box = 1;
	s.box[2] = s.box[3] = 10;
	assert_int_equal(m->add(st, &s, "", &score, &err), 0);
	assert_true(score == 0.0);
	assert_int_equal(m->add(st, &s, "[0, 0, 10, 10]", &score, &err), 0);
	assert_true(score == 1.0);
	/* raw text goes through the box_format parser (default pixels) */
	assert_int_equal(m->add(st, &s, "It is at [0, 0, 10, 5].", &score, &err), 0);
	assert_true(score == 0.5);
	assert_int_equal(m->add(st, &s, "somewhere left", &score, &err), 0);
	assert_true(score == 0.0);
	n = m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "acc_at_0.5") == 0.5);
	assert_true(value(v, n, "parse_failures") == 2);
	/* a resample: positions 1, 1, 0 */
	n = m->finish(st, idx, 3, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "acc_at_0.5") == 2.0 / 3.0);
	assert_true(value(v, n, "n") == 3);
	m->free_state(st);
	/* with box_format qwen1000 a raw Qwen output scores directly */
	vl_kv_set(&opts, "box_format", "qwen1000");
	st = m->new_state(&opts, &err);
	assert_non_null(st);
	s.image_w = s.image_h = 1000;
	assert_int_equal(m->add(st, &s, "<box>(0,0),(10,10)</box>", &score, &err), 0);
	assert_true(score == 1.0);
	m->free_state(st);
	vl_kv_set(&opts, "box_format", "qwen9");
	vl_buf_reset(&err);
	assert_null(m->new_state(&opts, &err));
	assert_string_equal(vl_buf_str(&err), "unknown box_format 'qwen9'");
	vl_kv_release(&opts);
	vl_sample_release(&s);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_main),
		cmocka_unit_test(test_reference_per_item_variants),
		cmocka_unit_test(test_reference_variants),
		cmocka_unit_test(test_iou_rows),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_metric_edges),
	};
	return cmocka_run_group_tests_name("iou", tests, NULL, NULL);
}
