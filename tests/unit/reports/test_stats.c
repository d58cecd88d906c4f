/*
 * test_stats.c - McNemar's exact test against exact binomial sums, and the
 * determinism and sanity of the paired bootstrap and permutation tests.
 */
#include "test_helpers.h"

#include "reports/stats.h"

static void assert_rel(double got, double want, double rel)
{
	if (!(fabs(got - want) <= rel * fabs(want))) {
		print_error("got %.17g, wanted %.17g\n", got, want);
		fail();
	}
}

/* Expected values: 2 * sum_{k<=min(b,c)} C(b+c, k) / 2^(b+c) as exact
 * fractions (Python's fractions.Fraction and math.comb), then to double. */
static void test_mcnemar_exact(void **state)
{
	/* 7/64 doubled: (C(6,0) + C(6,1)) / 64 = 7/64 */
	assert_rel(vl_stats_mcnemar_exact(1, 5), 0.21875, 1e-15);
	assert_rel(vl_stats_mcnemar_exact(5, 1), 0.21875, 1e-15);
	assert_rel(vl_stats_mcnemar_exact(0, 10), 0.001953125, 1e-15);
	/* (1 + 14 + 91) / 16384, doubled */
	assert_rel(vl_stats_mcnemar_exact(2, 12), 0.012939453125, 1e-15);
	assert_rel(vl_stats_mcnemar_exact(7, 3), 0.34375, 1e-14);
	/* large counts: past n = 1000 the top term comes from lgamma, whose
	 * rounding near lgamma(8151) = 65,000 leaves ~1e-11 relative */
	assert_rel(vl_stats_mcnemar_exact(1000, 1100), 0.030720707864242296, 1e-10);
	assert_rel(vl_stats_mcnemar_exact(4000, 4150), 0.09884103057380775, 1e-10);
	assert_rel(vl_stats_mcnemar_exact(480, 520), 0.21744829320414094, 1e-13);
	/* no discordant pairs, or as many each way: no evidence at all */
	assert_true(vl_stats_mcnemar_exact(0, 0) == 1.0);
	assert_true(vl_stats_mcnemar_exact(9, 9) == 1.0);
	assert_true(vl_stats_mcnemar_exact(100000, 100001) == 1.0);
	assert_true(isnan(vl_stats_mcnemar_exact(-1, 3)));
}

static void fill(double *a, double *b, size_t n)
{
	/* A right on 3 of 4, B right on 4 of 5 (a 0.05 gain) */
	for (size_t i = 0; i < n; i++) {
		a[i] = i % 4 != 0;
		b[i] = i % 5 != 0;
	}
}

static void test_bootstrap_mean_deterministic(void **state)
{
	enum { N = 2000 };
	static double a[N], b[N];
	struct vl_paired_result r1, r2, r3;

	fill(a, b, N);
	assert_int_equal(vl_stats_bootstrap_mean(a, b, N, 1000, 42, 0.95, &r1), 0);
	assert_int_equal(vl_stats_bootstrap_mean(a, b, N, 1000, 42, 0.95, &r2), 0);
	assert_int_equal(vl_stats_bootstrap_mean(a, b, N, 1000, 43, 0.95, &r3), 0);
	assert_true(r1.a == 0.75 && r1.b == 0.8);
	assert_rel(r1.diff, 0.05, 1e-12);
	/* same seed: the same interval and p to the bit; another seed: not */
	assert_true(r1.lo == r2.lo && r1.hi == r2.hi && r1.p == r2.p);
	assert_true(r1.lo != r3.lo || r1.hi != r3.hi);
	assert_int_equal(r1.resamples, 1000);
	assert_true(r1.lo < 0.05 && r1.hi > 0.05);
	/* over a period of 20 the difference d is +1 four times and -1 three
	 * times: E[d] = 0.05, E[d^2] = 0.35, var(d) = 0.3475, so the 95%
	 * interval is about 2 * 1.96 * sqrt(0.3475 / 2000) = 0.0517 wide */
	assert_true(fabs((r1.hi - r1.lo) - 0.0517) < 0.006);
	assert_true(r1.p < 0.01);
}

static void test_identical_systems(void **state)
{
	double a[50];
	struct vl_paired_result r;

	for (int i = 0; i < 50; i++)
		a[i] = (i * 7) % 3 == 0;
	assert_int_equal(vl_stats_bootstrap_mean(a, a, 50, 200, 1, 0.95, &r), 0);
	assert_true(r.diff == 0 && r.lo == 0 && r.hi == 0 && r.p == 1.0);
	assert_true(vl_stats_permutation_mean(a, a, 50, 200, 1) == 1.0);
	assert_int_equal(vl_stats_bootstrap_mean(a, a, 0, 200, 1, 0.95, &r), VL_EINVAL);
}

static void test_permutation_exact_small(void **state)
{
	/* three pairs, each B beats A by one: of the 8 sign patterns only
	 * all-plus and all-minus reach |sum| >= 3, so the exact p is 2/8 */
	double a[3] = { 0, 0, 0 }, b[3] = { 1, 1, 1 };
	double p = vl_stats_permutation_mean(a, b, 3, 200000, 5);

	assert_true(fabs(p - 0.25) < 0.004);
	assert_true(p == vl_stats_permutation_mean(a, b, 3, 200000, 5));
}

/* an exact_match accumulator holding v[0..n) */
static void *em_state(const struct vl_metric *m, const double *v, size_t n)
{
	void *st = m->new_state(NULL, NULL);
	struct vl_sample s;
	double score;

	for (size_t i = 0; i < n; i++) {
		vl_sample_init(&s);
		s.id = vl_xstrdup("x");
		vl_strv_push(&s.answers, "yes");
		assert_int_equal(m->add(st, &s, v[i] ? "yes" : "no", &score, NULL), 0);
		vl_sample_release(&s);
	}
	return st;
}

static void test_metric_matches_mean(void **state)
{
	/* 2000 x 500 draws: the array path splits its resamples over two
	 * threads, the accumulator path runs them in order on one; each
	 * resample has its own generator, so they still draw the same */
	enum { N = 2000 };
	static double a[N], b[N];
	const struct vl_metric *m = vl_metric_find("exact_match");
	struct vl_paired_result rm, rv, two[2];
	struct vl_paired_metric pm;
	const char *names[2] = { "exact_match", "no_such_value" };

	fill(a, b, N);
	pm.m = m;
	pm.a = em_state(m, a, N);
	pm.b = em_state(m, b, N);
	pm.n = N;
	pm.values = names;
	pm.nvalues = 1;
	assert_int_equal(vl_stats_bootstrap_mean(a, b, N, 500, 9, 0.95, &rv), 0);
	assert_int_equal(vl_stats_bootstrap_metric(&pm, 500, 9, 0.95, &rm), 0);
	/* the same draws: the accumulator path equals the array path */
	assert_rel(rm.a, rv.a, 1e-12);
	assert_rel(rm.b, rv.b, 1e-12);
	assert_rel(rm.lo, rv.lo, 1e-9);
	assert_rel(rm.hi, rv.hi, 1e-9);
	assert_true(rm.p == rv.p);
	/* a value the metric lacks is NAN beside the others */
	pm.nvalues = 2;
	assert_int_equal(vl_stats_bootstrap_metric(&pm, 500, 9, 0.95, two), 0);
	assert_true(two[0].lo == rm.lo && two[0].hi == rm.hi && isnan(two[1].diff));
	pm.values = names + 1;
	pm.nvalues = 1;
	assert_int_equal(vl_stats_bootstrap_metric(&pm, 10, 9, 0.95, &rm), VL_ENOTFOUND);
	m->free_state(pm.a);
	m->free_state(pm.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mcnemar_exact),
		cmocka_unit_test(test_bootstrap_mean_deterministic),
		cmocka_unit_test(test_identical_systems),
		cmocka_unit_test(test_permutation_exact_small),
		cmocka_unit_test(test_metric_matches_mean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
