/*
 * test_openai_retry.c - the token buckets of backend "openai"'s rate limits
 * (backends/openai_retry.c); Retry-After and the backoff schedule are
 * checked row by row in test_openai.c.
 */
#include "test_helpers.h"

#include "backends/openai.h"

static void test_bucket(void **state)
{
	struct vl_openai_bucket b;

	/* 120 per minute: 2 per second, holds one second's worth */
	vl_openai_bucket_init(&b, 120, 100.0);
	assert_true(b.rate == 2 && b.cap == 2 && b.level == 2);
	assert_true(vl_openai_bucket_wait(&b, 1) == 0);
	b.level -= 2;
	assert_true(vl_openai_bucket_wait(&b, 1) == 0.5);
	vl_openai_bucket_refill(&b, 100.25);
	assert_true(b.level == 0.5);
	assert_true(vl_openai_bucket_wait(&b, 1) == 0.25);
	/* refills never past the cap */
	vl_openai_bucket_refill(&b, 200);
	assert_true(b.level == 2);
	/* a need above the cap waits for a full bucket, not forever */
	b.level = 0;
	assert_true(vl_openai_bucket_wait(&b, 50) == 1);

	/* slower than one a second: the bucket still holds one request */
	vl_openai_bucket_init(&b, 30, 0);
	assert_true(b.cap == 1 && b.level == 1);
	b.level = 0;
	assert_true(vl_openai_bucket_wait(&b, 1) == 2);

	/* no limit */
	vl_openai_bucket_init(&b, 0, 0);
	b.level = -1e9;
	assert_true(vl_openai_bucket_wait(&b, 1e9) == 0);
	vl_openai_bucket_refill(&b, 5);
	assert_true(b.level == -1e9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
