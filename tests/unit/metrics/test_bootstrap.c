/*
 * test_bootstrap.c - percentile bootstrap over any metric, and numpy's
 * pairwise summation.
 */
#include "test_helpers.h"

#include "metrics/metric.h"

static void *filled_state(const struct vl_metric *m, const int *hits, size_t n)
{
	void *st = m->new_state(NULL, NULL);
	struct vl_sample s;
	double score;

	for (size_t i = 0; i < n; i++) {
		vl_sample_init(&s);
		s.id = vl_xstrdup("x");
		vl_strv_push(&s.answers, "yes");
		assert_int_equal(m->add(st, &s, hits[i] ? "Yes " : "no", &score, NULL), 0);
		assert_true(score == hits[i]);
		vl_sample_release(&s);
	}
	return st;
}

static void test_deterministic_and_sane(void **state)
{
	const struct vl_metric *m = vl_metric_find("exact_match");
	struct vl_metric_value v[4];
	double lo1[4], hi1[4], lo2[4], hi2[4], lo3[4], hi3[4];
	int hits[400];
	void *st;
	int nv;

	for (int i = 0; i < 400; i++)
		hits[i] = i % 4 != 0;  /* accuracy 0.75 */
	st = filled_state(m, hits, 400);
	nv = m->finish(st, NULL, 0, v, 4);
	assert_int_equal(nv, 1);
	assert_true(v[0].value == 0.75);
	assert_int_equal(vl_bootstrap(m, st, 400, 1000, 7, 0.95, v, 1, lo1, hi1), 0);
	assert_int_equal(vl_bootstrap(m, st, 400, 1000, 7, 0.95, v, 1, lo2, hi2), 0);
	assert_int_equal(vl_bootstrap(m, st, 400, 1000, 8, 0.95, v, 1, lo3, hi3), 0);
	/* same seed, same interval to the bit; another seed, another interval */
	assert_true(lo1[0] == lo2[0] && hi1[0] == hi2[0]);
	assert_true(lo1[0] != lo3[0] || hi1[0] != hi3[0]);
	/* normal approximation: 0.75 +- 1.96 * sqrt(.75 * .25 / 400) = +- 0.0424 */
	assert_true(lo1[0] < 0.75 && hi1[0] > 0.75);
	assert_true(fabs((hi1[0] - lo1[0]) - 0.0849) < 0.012);
	m->free_state(st);
}

static void test_degenerate(void **state)
{
	const struct vl_metric *m = vl_metric_find("exact_match");
	struct vl_metric_value v[4];
	double lo[4], hi[4];
	int hits[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	void *st = filled_state(m, hits, 10);

	m->finish(st, NULL, 0, v, 4);
	vl_bootstrap(m, st, 10, 200, 1, 0.95, v, 1, lo, hi);
	assert_true(lo[0] == 1 && hi[0] == 1);
	/* no samples: no interval */
	vl_bootstrap(m, st, 0, 200, 1, 0.95, v, 1, lo, hi);
	assert_true(isnan(lo[0]) && isnan(hi[0]));
	v[0].headline = 0;
	vl_bootstrap(m, st, 10, 200, 1, 0.95, v, 1, lo, hi);
	assert_true(isnan(lo[0]));
	m->free_state(st);
}

static void test_pairwise_sum(void **state)
{
	double tenth[10], seq = 0, big[1000];

	for (int i = 0; i < 10; i++) {
		tenth[i] = 0.1;
		seq += 0.1;
	}
	/* np.sum(np.full(10, 0.1)) is 1.0; a plain loop gives 0.9999999999999999 */
	assert_true(seq != 1.0);
	assert_true(vl_pairwise_sum(tenth, 10) == 1.0);
	assert_true(vl_pairwise_sum(tenth, 7) == 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1 + 0.1);
	for (int i = 0; i < 1000; i++)
		big[i] = i;
	assert_true(vl_pairwise_sum(big, 1000) == 499500.0);
	assert_true(vl_pairwise_sum(big, 0) == 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic_and_sane),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_pairwise_sum),
	};
	return cmocka_run_group_tests_name("bootstrap", tests, NULL, NULL);
}
