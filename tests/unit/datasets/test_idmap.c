/*
 * test_idmap.c - the string -> number map: insert, replace, miss, growth
 * past many resizes, and keys that differ only late.
 */
#include "test_helpers.h"

#include "datasets/loader_util.h"

static void test_map(void **state)
{
	struct vl_idmap m = { 0 };
	size_t v = 0;
	char key[32];

	assert_int_equal(vl_idmap_get(&m, "a", &v), 0);
	for (size_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "image-%zu", i);
		vl_idmap_put(&m, key, i * 3);
	}
	assert_int_equal(m.n, 5000);
	for (size_t i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "image-%zu", i);
		assert_int_equal(vl_idmap_get(&m, key, &v), 1);
		assert_int_equal(v, i * 3);
	}
	assert_int_equal(vl_idmap_get(&m, "image-5000", &v), 0);
	assert_int_equal(vl_idmap_get(&m, "", &v), 0);
	vl_idmap_put(&m, "image-7", 1);
	assert_int_equal(m.n, 5000);
	assert_int_equal(vl_idmap_get(&m, "image-7", &v), 1);
	assert_int_equal(v, 1);
	vl_idmap_put(&m, "", 42);
	assert_int_equal(vl_idmap_get(&m, "", &v), 1);
	assert_int_equal(v, 42);
	vl_idmap_release(&m);
	assert_int_equal(vl_idmap_get(&m, "image-7", &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
