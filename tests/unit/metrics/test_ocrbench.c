/*
 * test_ocrbench.c - OCRBench's normalisation and substring rule (rows from
 * the fixture's README facts) and the "ocrbench" metric's groups.
 */
#include "test_helpers.h"

#include "metrics/metric.h"
#include "metrics/ocrbench.h"

static void test_match(void **state)
{
	static const struct { const char *pred, *ans; int hme, hit; } rows[] = {
		{ "Friend", "FRIEND", 0, 1 }, { "CAF\xc3\x89 bar", "caf\xc3\xa9", 0, 1 },
		{ "10", "1", 0, 1 }, { "the word is\nhello  world", "hello world", 0, 0 },
		{ "hello\nworld", "HELLO WORLD", 0, 1 }, { "", "a", 0, 0 },
		{ " \\frac { a } { b } \n", "\\frac{a}{b}\n", 1, 1 },
		{ "\\frac{a}{b}", "\\frac { a } { b }", 1, 1 }, { "X", "x", 1, 0 },
		{ "nan", "na", 0, 1 }, { "abc", "\xe2\x80\x83" "abc" "\xe2\x80\x83", 0, 1 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const char *a[1] = { rows[i].ans };
		if (vl_ocrbench_match(rows[i].pred, a, 1, rows[i].hme) != rows[i].hit)
			print_error("row %zu\n", i);
		assert_int_equal(vl_ocrbench_match(rows[i].pred, a, 1, rows[i].hme), rows[i].hit);
	}
}

static void add(const struct vl_metric *m, void *st, const char *cat, const char *ans,
		const char *pred, int want)
{
	struct vl_sample s;
	struct vl_buf err = VL_BUF_INIT;
	double score;

	vl_sample_init(&s);
	s.id = vl_xstrdup("x");
	vl_strv_push(&s.answers, ans);
	vl_sample_set_meta(&s, "category", cat);
	assert_int_equal(m->add(st, &s, pred, &score, &err), 0);
	assert_int_equal(score, want);
	vl_sample_release(&s);
	vl_buf_release(&err);
}

static void test_metric(void **state)
{
	const struct vl_metric *m = vl_metric_find("ocrbench");
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	void *st = m->new_state(NULL, NULL);

	add(m, st, "Regular Text Recognition", "['FRIEND']", "friend", 1);
	add(m, st, "Digit String Recognition", "['12', \"3'4\"]", "it is 3'4", 1);
	add(m, st, "Doc-oriented VQA", "['x\\ny']", "X Y", 1);
	add(m, st, VL_OCRBENCH_HME, "['a b']", "ab", 1);
	add(m, st, "Key Information Extraction", "['total']", "none", 0);
	assert_int_equal(m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES), 14);
	assert_string_equal(v[0].name, "Final Score");
	assert_true(v[0].value == 4 && v[1].value == 0.4 && v[2].value == 2);
	m->free_state(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_metric),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
