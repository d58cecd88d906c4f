/*
 * test_anls.c - ANLS on hand-computed rows: 1 - Levenshtein / max length in
 * code points after lowercasing and folding white space, the best answer,
 * 0 below the 0.5 threshold (exactly 0.5 is kept), and the mean.
 */
#include "test_helpers.h"

#include "metrics/metric.h"

static const struct {
	const char *pred;
	const char *answers[3];
	double want;
} rows[] = {
	{ "Hello", { "hello" }, 1.0 },
	{ "helo", { "hello" }, 1.0 - 1.0 / 5 },                 /* one insertion */
	{ "abc", { "xyz" }, 0.0 },
	{ "ab", { "abcd" }, 0.5 },                               /* NL = 0.5: kept */
	{ "a", { "abc" }, 0.0 },                                 /* 1/3 < 0.5 */
	{ "  New   York ", { "new york" }, 1.0 },
	{ "", { "" }, 1.0 },                                     /* both empty */
	{ "", { "abc" }, 0.0 },
	{ "caf\xc3\xa9", { "cafe" }, 1.0 - 1.0 / 4 },            /* code points, not bytes */
	{ "cat", { "dog", "cats" }, 1.0 - 1.0 / 4 },             /* best answer */
	{ "\xc3\x89" "COLE", { "\xc3\xa9" "cole" }, 1.0 },       /* Unicode lowercase */
	{ "kitten", { "sitting" }, 1.0 - 3.0 / 7 },
};

static void test_rows(void **state)
{
	const struct vl_metric *m = vl_metric_find("anls");
	struct vl_metric_value v[4];
	double sum = 0;
	void *st;

	assert_non_null(m);
	st = m->new_state(NULL, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_sample s;
		double score;
		vl_sample_init(&s);
		s.id = vl_xstrdup("x");
		for (int k = 0; k < 3 && rows[i].answers[k]; k++)
			vl_strv_push(&s.answers, rows[i].answers[k]);
		assert_int_equal(m->add(st, &s, rows[i].pred, &score, NULL), 0);
		if (score != rows[i].want)
			print_error("row %zu: %.17g want %.17g\n", i, score, rows[i].want);
		assert_true(score == rows[i].want);
		sum += rows[i].want;
		vl_sample_release(&s);
	}
	assert_int_equal(m->finish(st, NULL, 0, v, 4), 1);
	assert_string_equal(v[0].name, "anls");
	assert_true(v[0].value == sum / (double)(sizeof(rows) / sizeof(*rows)));
	{
		const size_t idx[] = { 1, 1, 2 };
		m->finish(st, idx, 3, v, 4);
		assert_true(v[0].value == (0.8 + 0.8 + 0.0) / 3);
	}
	m->free_state(st);
}

static void test_threshold_option(void **state)
{
	const struct vl_metric *m = vl_metric_find("anls");
	struct vl_kv opts = { { 0 }, { 0 } };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	double score;
	void *st;

	vl_kv_set(&opts, "threshold", "0.9");
	st = m->new_state(&opts, &err);
	vl_sample_init(&s);
	s.id = vl_xstrdup("x");
	vl_strv_push(&s.answers, "hello");
	m->add(st, &s, "helo", &score, NULL);
	assert_true(score == 0.0);                                /* 0.8 < 0.9 */
	m->free_state(st);
	vl_kv_set(&opts, "threshold", "2");
	assert_null(m->new_state(&opts, &err));
	assert_string_equal(vl_buf_str(&err), "anls: \"threshold\" must be in [0, 1]");
	vl_strv_clear(&s.answers);
	st = m->new_state(NULL, NULL);
	vl_buf_reset(&err);
	assert_int_equal(m->add(st, &s, "x", &score, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err), "sample 'x' has no accepted answers");
	m->free_state(st);
	vl_sample_release(&s);
	vl_kv_release(&opts);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_threshold_option),
	};
	return cmocka_run_group_tests_name("anls", tests, NULL, NULL);
}
