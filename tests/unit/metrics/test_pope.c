/*
 * test_pope.c - POPE parsing and metric against the official evaluate.py
 * numbers in tests/fixtures/reference/pope, plus hand-made edge rows.
 */
#include "test_helpers.h"

#include "datasets/dataset.h"
#include "metrics/metric.h"

static void test_parse_rule(void **state)
{
	static const struct { const char *text; int label; } rows[] = {
		{ "No", VL_LABEL_NO }, { "no", VL_LABEL_NO }, { "not sure", VL_LABEL_NO },
		{ "no idea", VL_LABEL_NO }, { "Yes", VL_LABEL_YES }, { "NO", VL_LABEL_YES },
		{ "no!", VL_LABEL_YES }, { "Nope", VL_LABEL_YES }, { "Not sure", VL_LABEL_YES },
		{ "I cannot tell", VL_LABEL_YES }, { "", VL_LABEL_YES }, { "No\n", VL_LABEL_YES },
		{ "No, there is not.", VL_LABEL_NO }, { "Yes. No.", VL_LABEL_YES },
		{ "There is no dog", VL_LABEL_NO }, { "no,", VL_LABEL_NO }, { ",no", VL_LABEL_NO },
		{ "yes  no", VL_LABEL_NO }, { "nothing", VL_LABEL_YES }, { "No.", VL_LABEL_NO },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		if (vl_pope_parse(rows[i].text) != rows[i].label)
			print_error("row %zu: '%s'\n", i, rows[i].text);
		assert_int_equal(vl_pope_parse(rows[i].text), rows[i].label);
	}
}

/* Reads the fixture questions with the POPE loader and pairs answers by line
 * order, as evaluate.py does. */
static void test_reference(void **state)
{
	cJSON *expected = th_load_json("tests/fixtures/reference/pope/expected.json");
	cJSON *ds_json = cJSON_Parse("{\"format\":\"pope\",\"questions\":"
				     "\"tests/fixtures/reference/pope/questions.jsonl\"}");
	struct vl_dataset_spec spec = { "ref", ".", ds_json, 1 };
	const struct vl_metric *m = vl_metric_find("pope");
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_dataset *ds;
	struct vl_lines lines;
	struct vl_sample s;
	void *st;
	int n;

	assert_non_null(m);
	st = m->new_state(NULL, &err);
	assert_int_equal(vl_dataset_open(&spec, &ds, &err), 0);
	assert_int_equal(vl_lines_open(&lines, "tests/fixtures/reference/pope/answers.jsonl", &err), 0);
	vl_sample_init(&s);
	while (vl_dataset_next(ds, &s, &err) == 1) {
		double score;
		cJSON *a;
		assert_int_equal(vl_lines_next(&lines, &err), 1);
		a = cJSON_Parse(lines.line);
		assert_int_equal(m->add(st, &s, cJSON_GetObjectItem(a, "answer")->valuestring,
					&score, &err), 0);
		/* per-question prediction as the script derived it */
		const char *want = cJSON_GetObjectItem(cJSON_GetObjectItem(expected,
					"per_question_pred"), s.id)->valuestring;
		assert_int_equal(score, (strcmp(want, "no") ? 1 : 0) == (s.label == VL_LABEL_YES));
		cJSON_Delete(a);
		vl_sample_release(&s);
	}
	n = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	assert_int_equal(n, 9);
	for (int i = 0; i < n; i++) {
		const cJSON *e = cJSON_GetObjectItem(expected, vals[i].name);
		assert_non_null(e);
		/* the script's own float expressions: exact equality expected */
		assert_true(vals[i].value == e->valuedouble);
		assert_int_equal(vals[i].n, 900);
	}
	m->free_state(st);
	vl_lines_close(&lines);
	vl_dataset_close(ds);
	cJSON_Delete(ds_json);
	cJSON_Delete(expected);
	vl_buf_release(&err);
}

/* finish over an index list (bootstrap, breakdown) must equal finish over a
 * state built from exactly those samples. */
static void test_subset_equals_rebuilt(void **state)
{
	const struct vl_metric *m = vl_metric_find("pope");
	static const char *labels[] = { "yes", "no", "yes", "no", "yes" };
	static const char *preds[] = { "Yes", "No", "no", "yes", "Yes" };
	const size_t idx[] = { 0, 0, 3, 4 };
	struct vl_metric_value a[16], b[16];
	void *full = m->new_state(NULL, NULL), *part = m->new_state(NULL, NULL);
	struct vl_sample s;
	double score;

	for (size_t i = 0; i < 5; i++) {
		vl_sample_init(&s);
		s.id = vl_xstrdup("x");
		s.label_text = vl_xstrdup(labels[i]);
		assert_int_equal(m->add(full, &s, preds[i], &score, NULL), 0);
		vl_sample_release(&s);
	}
	for (size_t k = 0; k < 4; k++) {
		vl_sample_init(&s);
		s.id = vl_xstrdup("x");
		s.label_text = vl_xstrdup(labels[idx[k]]);
		m->add(part, &s, preds[idx[k]], &score, NULL);
		vl_sample_release(&s);
	}
	int na = m->finish(full, idx, 4, a, 16), nb = m->finish(part, NULL, 0, b, 16);
	assert_int_equal(na, nb);
	for (int i = 0; i < na; i++)
		assert_true(a[i].value == b[i].value || (isnan(a[i].value) && isnan(b[i].value)));
	m->free_state(full);
	m->free_state(part);
}

static void test_real_pope_files(void **state)
{
	char path[4096];
	const char *files[] = { "data/pope/output/coco/coco_pope_random.json",
				"data/pope/output/seem/gqa/gqa_pope_seem_popular.json" };
	for (size_t f = 0; f < 2; f++) {
		if (!th_shared(files[f], path, sizeof(path)))
			skip();
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "format", "pope");
		cJSON_AddStringToObject(j, "questions", path);
		struct vl_dataset_spec spec = { "real", "", j, 1 };
		struct vl_buf err = VL_BUF_INIT;
		struct vl_dataset *ds;
		struct vl_sample s;
		size_t n = 0, yes = 0;
		int rc;

		assert_int_equal(vl_dataset_open(&spec, &ds, &err), 0);
		vl_sample_init(&s);
		while ((rc = vl_dataset_next(ds, &s, &err)) == 1) {
			n++;
			yes += s.label == VL_LABEL_YES;
			assert_non_null(s.question);
			assert_int_equal(s.images.n, 1);
			vl_sample_release(&s);
		}
		assert_int_equal(rc, 0);
		assert_int_equal(n, 3000);
		assert_int_equal(yes, 1500);
		vl_dataset_close(ds);
		cJSON_Delete(j);
		vl_buf_release(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rule),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_subset_equals_rebuilt),
		cmocka_unit_test(test_real_pope_files),
	};
	return cmocka_run_group_tests_name("pope", tests, NULL, NULL);
}
