/*
 * test_pace.c - the run's pace: parsing --concurrency, the circuit breaker,
 * the budget, and adaptive concurrency against a simulated server with a
 * fixed capacity (latency holds below it, requests queue above it).
 */
#include "test_helpers.h"

#include "bench/pace.h"

static void test_parse(void **state)
{
	struct vl_buf err = VL_BUF_INIT;
	int adaptive;
	long max;

	assert_int_equal(vl_pace_parse_concurrency("8", &adaptive, &max, &err), 0);
	assert_int_equal(adaptive, 0);
	assert_int_equal(max, 8);
	assert_int_equal(vl_pace_parse_concurrency("auto", &adaptive, &max, &err), 0);
	assert_int_equal(adaptive, 1);
	assert_int_equal(max, 256);
	assert_int_equal(vl_pace_parse_concurrency("auto:64", &adaptive, &max, &err), 0);
	assert_int_equal(adaptive, 1);
	assert_int_equal(max, 64);
	for (const char *const *bad = (const char *const[]){ "0", "4097", "auto:", "auto:0",
							     "autox", "fast", "8x", NULL };
	     *bad; bad++) {
		vl_buf_reset(&err);
		assert_int_equal(vl_pace_parse_concurrency(*bad, &adaptive, &max, &err), VL_EINVAL);
		assert_non_null(strstr(vl_buf_str(&err), "auto:MAX"));
	}
	vl_buf_release(&err);
}

static void test_breaker(void **state)
{
	struct vl_pace p;

	vl_pace_init(&p, 0, 8, 20, -1, -1, -1);
	for (int i = 0; i < 19; i++)
		vl_pace_answer(&p, i, VL_PACE_CONNECTION, -1, -1, -1);
	assert_int_equal(vl_pace_stop(&p, 0), 0);
	/* an answer, or a failure that reached the server, resets the streak */
	vl_pace_answer(&p, 20, VL_PACE_OTHER, 0.1, -1, -1);
	for (int i = 0; i < 19; i++)
		vl_pace_answer(&p, 21 + i, VL_PACE_CONNECTION, -1, -1, -1);
	assert_int_equal(vl_pace_stop(&p, 0), 0);
	vl_pace_answer(&p, 40, VL_PACE_CONNECTION, -1, -1, -1);
	assert_int_equal(p.tripped, 1);
	assert_int_equal(vl_pace_stop(&p, 3), 1);
	vl_pace_release(&p);

	/* 0 switches it off */
	vl_pace_init(&p, 0, 8, 0, -1, -1, -1);
	for (int i = 0; i < 1000; i++)
		vl_pace_answer(&p, i, VL_PACE_CONNECTION, -1, -1, -1);
	assert_int_equal(vl_pace_stop(&p, 0), 0);
	vl_pace_release(&p);
}

static void test_budget(void **state)
{
	struct vl_pace p;

	/* 1 per million prompt tokens, 2 per million output tokens: each answer
	 * below costs 1 + 1 = 2 */
	vl_pace_init(&p, 0, 8, 20, 7.0, 1.0, 2.0);
	p.est_answer = 0.5;
	/* before any answer: 4 in flight and one more at the estimate, 2.5 < 7 */
	assert_int_equal(vl_pace_stop(&p, 4), 0);
	assert_int_equal(vl_pace_stop(&p, 13), 0);  /* 7 is within the cap */
	assert_int_equal(vl_pace_stop(&p, 14), 1);
	p.over_budget = 0;
	vl_pace_answer(&p, 1, VL_PACE_OK, 0.1, 1000000, 500000);
	vl_pace_answer(&p, 2, VL_PACE_OK, 0.1, 1000000, 500000);
	assert_true(fabs(p.spent - 4.0) < 1e-12);
	/* failures and unknown token counts cost nothing */
	vl_pace_answer(&p, 3, VL_PACE_OTHER, 0.1, 1000000, 500000);
	vl_pace_answer(&p, 4, VL_PACE_OK, 0.1, -1, -1);
	assert_true(fabs(p.spent - 4.0) < 1e-12);
	assert_int_equal(vl_pace_stop(&p, 0), 0);   /* 4 + 2 <= 7 */
	assert_int_equal(vl_pace_stop(&p, 1), 1);   /* 4 + 4 > 7 */
	vl_pace_release(&p);

	/* no cap */
	vl_pace_init(&p, 0, 8, 20, 0, 1.0, 2.0);
	for (int i = 0; i < 100; i++)
		vl_pace_answer(&p, i, VL_PACE_OK, 0.1, 1000000, 1000000);
	assert_int_equal(vl_pace_stop(&p, 8), 0);
	vl_pace_release(&p);
}

/* A server of `capacity` parallel slots, service time d: below capacity
 * every request takes d; above it they queue (latency limit/capacity * d)
 * and throughput stays capacity/d.  Feeds n answers at the rate and latency
 * the current limit gives; returns the mean limit over the last quarter. */
static double simulate(struct vl_pace *p, double capacity, double d, int n, int overload_at)
{
	double t = 0, sum = 0;
	int counted = 0;

	for (int i = 0; i < n; i++) {
		double limit = (double)vl_pace_limit(p);
		double rate = fmin(limit, capacity) / d;
		double lat = d * fmax(1, limit / capacity);
		enum vl_pace_outcome o = VL_PACE_OK;
		if (overload_at > 0 && i == overload_at)
			o = VL_PACE_OVERLOAD;
		t += 1 / rate;
		vl_pace_answer(p, t, o, lat, -1, -1);
		if (i >= n - n / 4) {
			sum += (double)vl_pace_limit(p);
			counted++;
		}
	}
	return sum / counted;
}

static void test_adaptive_settles(void **state)
{
	struct vl_pace p;
	double mean;

	for (const double *cap = (const double[]){ 4, 16, 48, 0 }; *cap > 0; cap++) {
		vl_pace_init(&p, 1, 256, 20, -1, -1, -1);
		assert_int_equal(vl_pace_limit(&p), 4);
		mean = simulate(&p, *cap, 0.02, 20000, 0);
		/* at or above capacity (full throughput), without a long queue:
		 * latency at most ~2x the unloaded one */
		assert_true(mean >= *cap);
		assert_true(mean <= 2.2 * *cap + 4);
		vl_pace_release(&p);
	}
	/* the server gets three times slower for good: the limit re-learns its
	 * unloaded latency instead of shrinking to 1 (the queue it then keeps
	 * is longer, bounded) */
	vl_pace_init(&p, 1, 256, 20, -1, -1, -1);
	simulate(&p, 16, 0.02, 5000, 0);
	mean = simulate(&p, 16, 0.06, 20000, 0);
	assert_true(mean >= 16);
	assert_true(mean <= 4 * 16 + 4);
	vl_pace_release(&p);
}

static void test_adaptive_ceiling_and_backoff(void **state)
{
	struct vl_pace p;
	long before;

	/* the ceiling holds even when the server could take more */
	vl_pace_init(&p, 1, 10, 20, -1, -1, -1);
	assert_true(simulate(&p, 100, 0.02, 5000, 0) <= 10);
	assert_int_equal(vl_pace_limit(&p), 10);
	/* a 429 halves the limit at once */
	before = vl_pace_limit(&p);
	vl_pace_answer(&p, 1e6, VL_PACE_OVERLOAD, 0.02, -1, -1);
	assert_int_equal(vl_pace_limit(&p), before / 2);
	vl_pace_release(&p);

	/* a fixed concurrency never moves */
	vl_pace_init(&p, 0, 12, 20, -1, -1, -1);
	simulate(&p, 4, 0.02, 2000, 100);
	assert_int_equal(vl_pace_limit(&p), 12);
	vl_pace_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_breaker),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_adaptive_settles),
		cmocka_unit_test(test_adaptive_ceiling_and_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
