/*
 * test_metric.c - the registry and the shared per-sample mean accumulator:
 * values summed one by one in position order (as the official Python loops
 * sum them), position lists with repeats (the bootstrap), NAN over none.
 */
#include "test_helpers.h"

#include "metrics/metric.h"

static void test_per_sample_mean(void **state)
{
	struct vl_per_sample ps = { 0 };
	const size_t pick[] = { 2, 2, 0 };
	size_t n;

	assert_true(isnan(vl_per_sample_mean(&ps, NULL, 0, &n)));
	assert_int_equal(n, 0);
	for (int i = 0; i < 3000; i++)   /* grows past the first allocation */
		vl_per_sample_add(&ps, i % 3 == 0);
	assert_true(vl_per_sample_mean(&ps, NULL, 0, &n) == 1000.0 / 3000.0);
	assert_int_equal(n, 3000);
	/* positions with repeats: 0, 0, 1 -> 1/3 */
	assert_true(vl_per_sample_mean(&ps, pick, 3, &n) == 1.0 / 3.0);
	assert_int_equal(n, 3);
	vl_per_sample_release(&ps);

	/* sequential order, not pairwise: 1e16 + 1 + 1 - 1e16 is 0 one by one */
	vl_per_sample_add(&ps, 1e16);
	vl_per_sample_add(&ps, 1);
	vl_per_sample_add(&ps, 1);
	vl_per_sample_add(&ps, -1e16);
	assert_true(vl_per_sample_sum(&ps, NULL, 0, &n) == 0.0);
	vl_per_sample_release(&ps);
	assert_null(ps.v);
}

static void test_registry(void **state)
{
	assert_non_null(vl_metric_find("exact_match"));
	assert_null(vl_metric_find("no_such_metric"));
	for (const struct vl_metric *const *m = vl_metric_list(); *m; m++) {
		assert_int_equal((*m)->version, VL_METRIC_API_VERSION);
		assert_ptr_equal(vl_metric_find((*m)->name), *m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_sample_mean),
		cmocka_unit_test(test_registry),
	};
	return cmocka_run_group_tests_name("metric", tests, NULL, NULL);
}
