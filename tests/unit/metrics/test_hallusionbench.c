/*
 * test_hallusionbench.c - the "hallusionbench" metric: the fixture's items
 * (each row's extraction and score), aAcc / fAcc / qAcc of the whole set,
 * and hand-made rows where VD and VS rows share a group key.
 */
#include "test_helpers.h"

#include "datasets/dataset.h"
#include "metrics/metric.h"

static void add(const struct vl_metric *m, void *st, const char *id, const char *l2,
		const char *ans, const char *pred)
{
	struct vl_sample s;
	double score;

	vl_sample_init(&s);
	s.id = vl_xstrdup(id);
	s.label_text = vl_xstrdup(ans);
	if (l2)
		vl_sample_set_meta(&s, "l2-category", l2);
	assert_int_equal(m->add(st, &s, pred, &score, NULL), 0);
	vl_sample_release(&s);
}

static void test_groups(void **state)
{
	const struct vl_metric *m = vl_metric_find("hallusionbench");
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample bad;
	double score;
	void *st = m->new_state(NULL, NULL);

	/* VD and VS rows of set 3, figure 0 fall into one figure group */
	add(m, st, "VD_figure_1_3_0_0", "figure", "Yes", "yes");
	add(m, st, "VS_figure_0_3_0_1", "figure", "No", "yes");
	add(m, st, "VD_figure_1_4_0_0", "figure", "No", "No.");
	assert_int_equal(m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES), 3);
	assert_true(fabs(v[0].value - 2.0 / 3 * 100) < 1e-12);
	assert_true(v[1].value == 50.0);   /* figure groups: {3_0}: miss, {4_0}: right */
	assert_true(fabs(v[2].value - 2.0 / 3 * 100) < 1e-12); /* questions 3_0, 3_1, 4_0 */
	vl_sample_init(&bad);
	bad.id = vl_xstrdup("VD_figure_1");
	bad.label_text = vl_xstrdup("Yes");
	assert_int_equal(m->add(st, &bad, "yes", &score, &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "VD_figure_1"));
	vl_sample_release(&bad);
	vl_buf_release(&err);
	m->free_state(st);
}

static void test_fixture(void **state)
{
	cJSON *exp = th_load_json("tests/fixtures/reference/published/hallusionbench/expected.json");
	const cJSON *per = cJSON_GetObjectItem(exp, "per_item");
	const cJSON *overall = cJSON_GetArrayItem(cJSON_GetObjectItem(exp, "scores"), 0);
	cJSON *spec_json = cJSON_Parse("{\"format\":\"vlmeval_tsv\",\"path\":"
		"\"tests/fixtures/reference/published/hallusionbench/HallusionBench.tsv\"}");
	struct vl_dataset_spec spec = { "t", ".", spec_json, 1 };
	const struct vl_metric *m = vl_metric_find("hallusionbench");
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_dataset *ds;
	struct vl_sample s;
	void *st = m->new_state(NULL, NULL);
	int i = 0;

	assert_int_equal(vl_dataset_open(&spec, &ds, &err), 0);
	vl_sample_init(&s);
	while (vl_dataset_next(ds, &s, &err) == 1) {
		const cJSON *it = cJSON_GetArrayItem(per, i++);
		double score;
		assert_string_equal(cJSON_GetObjectItem(it, "index")->valuestring, s.id);
		assert_int_equal(m->add(st, &s,
					cJSON_GetObjectItem(it, "prediction_as_read")->valuestring,
					&score, &err), 0);
		assert_int_equal(score, cJSON_IsTrue(cJSON_GetObjectItem(it, "score")));
		vl_sample_release(&s);
	}
	assert_int_equal(m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES), 3);
	for (int k = 0; k < 3; k++) {
		double want = cJSON_GetObjectItem(overall, v[k].name)->valuedouble;
		assert_true(fabs(v[k].value - want) <= 1e-12 * want);
	}
	m->free_state(st);
	vl_dataset_close(ds);
	cJSON_Delete(spec_json);
	cJSON_Delete(exp);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_fixture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
