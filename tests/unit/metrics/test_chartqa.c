/*
 * test_chartqa.c - relaxed correctness: the README's Python float() and
 * 5% boundary rows, then each item of tests/fixtures/reference/published/
 * chartqa (answer and stripped prediction as VLMEvalKit saw them).
 */
#include "test_helpers.h"

#include "metrics/chartqa.h"

static void test_rows(void **state)
{
	static const struct { const char *t, *p; int hit; } rows[] = {
		{ "0.7", "0.735", 0 },   /* 0.05000000000000004 */
		{ "0.735", "0.7", 1 },
		{ "100", "105", 1 }, { "inf", "inf", 0 }, { "0", "0.0", 0 }, { "45%", "45", 0 },
		{ "12", "1.2e1", 1 }, { "1200", "1_200", 1 }, { "12", "\xd9\xa1\xd9\xa2", 1 },
		{ "50%", "0.5", 1 }, { "1,200", "1,200", 1 }, { "$3", "$3", 1 }, { "Blue", "blue", 1 },
		{ "nan", "nan", 0 }, { "2019-20", "2019-20", 1 }, { "12", "12.", 1 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		if (vl_chartqa_relaxed(rows[i].t, rows[i].p) != rows[i].hit)
			print_error("row %zu: %s vs %s\n", i, rows[i].t, rows[i].p);
		assert_int_equal(vl_chartqa_relaxed(rows[i].t, rows[i].p), rows[i].hit);
	}
}

static void test_fixture(void **state)
{
	cJSON *exp = th_load_json("tests/fixtures/reference/published/chartqa/expected.json");
	const cJSON *it;
	size_t n = 0;

	cJSON_ArrayForEach(it, cJSON_GetObjectItem(exp, "per_item")) {
		const char *t = cJSON_GetObjectItem(it, "answer_as_read")->valuestring;
		const char *p = cJSON_GetObjectItem(it, "pred_stripped")->valuestring;
		int want = cJSON_IsTrue(cJSON_GetArrayItem(cJSON_GetObjectItem(it, "match"), 0));
		if (vl_chartqa_relaxed(t, p) != want)
			print_error("item %d: '%s' vs '%s'\n",
				    cJSON_GetObjectItem(it, "index")->valueint, t, p);
		assert_int_equal(vl_chartqa_relaxed(t, p), want);
		n++;
	}
	assert_true(n > 200);
	cJSON_Delete(exp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_fixture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
