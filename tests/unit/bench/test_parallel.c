/*
 * test_parallel.c - vl_parallel_for: every part runs once, the parts past
 * the first on threads of their own, and all are done when it returns.
 */
#include "test_helpers.h"

#include "bench/parallel.h"

#include <pthread.h>
#include <string.h>

struct seen {
	int calls[4];
	pthread_t who[4];
};

static void part(void *ctx, size_t t)
{
	struct seen *s = ctx;

	s->calls[t]++;
	s->who[t] = pthread_self();
}

static void test_parts(void **state)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	vl_parallel_for(4, part, &s);
	for (int t = 0; t < 4; t++)
		assert_int_equal(s.calls[t], 1);
	assert_true(pthread_equal(s.who[0], pthread_self()));
	for (int t = 1; t < 4; t++)
		assert_false(pthread_equal(s.who[t], pthread_self()));
}

static void test_one_and_none(void **state)
{
	struct seen s;

	memset(&s, 0, sizeof(s));
	vl_parallel_for(0, part, &s);
	assert_int_equal(s.calls[0], 0);
	vl_parallel_for(1, part, &s);
	assert_int_equal(s.calls[0], 1);
	assert_true(pthread_equal(s.who[0], pthread_self()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_one_and_none),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
