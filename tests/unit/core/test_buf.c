/*
 * test_buf.c - the string buffer: growth, formatting, JSON escaping and
 * numbers, detach; and the allocation wrapper's failure injection.
 */
#include "test_helpers.h"

static void test_growth_and_format(void **state)
{
	struct vl_buf b = VL_BUF_INIT;

	assert_string_equal(vl_buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		vl_buf_addf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.buf));
	assert_true(!strncmp(b.buf, "0,1,2,", 6));
	assert_true(!strcmp(b.buf + b.len - 4, "999,"));
	vl_buf_setlen(&b, 2);
	assert_string_equal(b.buf, "0,");
	vl_buf_reset(&b);
	assert_string_equal(vl_buf_str(&b), "");
	vl_buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	vl_buf_release(&b);
}

static void test_json(void **state)
{
	static const struct { const char *in, *out; } rows[] = {
		{ "plain", "\"plain\"" },
		{ "q\"b\\s", "\"q\\\"b\\\\s\"" },
		{ "l1\nl2\t\r", "\"l1\\nl2\\t\\r\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
	};
	struct vl_buf b = VL_BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		vl_buf_reset(&b);
		vl_buf_add_json_str(&b, rows[i].in);
		assert_string_equal(b.buf, rows[i].out);
	}
	vl_buf_reset(&b);
	vl_buf_add_json_str(&b, NULL);
	assert_string_equal(b.buf, "null");
	/* numbers read back to the same double */
	const double nums[] = { 0.1, 1.0 / 3.0, 50.32499999999995, 1e-300, 12345678901.0, -2.5 };
	for (size_t i = 0; i < sizeof(nums) / sizeof(*nums); i++) {
		vl_buf_reset(&b);
		vl_buf_add_json_num(&b, nums[i]);
		assert_true(strtod(b.buf, NULL) == nums[i]);
	}
	vl_buf_reset(&b);
	vl_buf_add_json_num(&b, NAN);
	assert_string_equal(b.buf, "null");
	vl_buf_release(&b);
}

/* Invalid UTF-8 never reaches a JSON string: each bad byte is U+FFFD */
static void test_json_invalid_utf8(void **state)
{
	static const struct { const char *in, *out; size_t bad; } rows[] = {
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xf0\x9f\x98\x80", 0 },
		{ "a\xff" "b", "a\xef\xbf\xbd" "b", 1 },
		{ "\xc3", "\xef\xbf\xbd", 1 },                        /* cut short */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 2 },        /* overlong */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3 }, /* surrogate */
	};
	struct vl_buf b = VL_BUF_INIT, want = VL_BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *r = vl_xstrdup(rows[i].in);
		vl_buf_reset(&b);
		assert_int_equal(vl_buf_add_utf8(&b, rows[i].in, strlen(rows[i].in)), rows[i].bad);
		assert_string_equal(b.buf, rows[i].out);
		vl_buf_reset(&b);
		vl_buf_add_json_str(&b, rows[i].in);
		vl_buf_reset(&want);
		vl_buf_addf(&want, "\"%s\"", rows[i].out);
		assert_string_equal(b.buf, want.buf);
		assert_int_equal(vl_utf8_repair(&r), rows[i].bad);
		assert_string_equal(r, rows[i].out);
		vl_free(r);
	}
	/* a sequence cut by the end of the given bytes is not read past */
	vl_buf_reset(&b);
	assert_int_equal(vl_buf_add_utf8(&b, "x\xe2\x82\xac", 3), 2);
	assert_string_equal(b.buf, "x\xef\xbf\xbd\xef\xbf\xbd");
	vl_buf_release(&b);
	vl_buf_release(&want);
}

static void test_detach(void **state)
{
	struct vl_buf b = VL_BUF_INIT;
	size_t len;
	char *s;

	vl_buf_adds(&b, "hello");
	s = vl_buf_detach(&b, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_null(b.buf);
	vl_free(s);
	s = vl_buf_detach(&b, NULL); /* empty buffer detaches "" */
	assert_string_equal(s, "");
	vl_free(s);
}

static void test_alloc_failure_injection(void **state)
{
	void *p;

	vl_alloc_fail_after(2);
	p = vl_malloc(8);
	assert_non_null(p);
	vl_free(p);
	p = vl_malloc(8);
	assert_non_null(p);
	vl_free(p);
	assert_null(vl_malloc(8));
	assert_null(vl_strdup("x"));
	vl_alloc_fail_after(-1);
	p = vl_strdup("back");
	assert_string_equal(p, "back");
	vl_free(p);
}

static void test_strmap(void **state)
{
	struct vl_strmap m = { 0 };
	char key[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "id-%d", i);
		assert_int_equal(vl_strmap_put(&m, key, (void *)(intptr_t)(i + 1)), 1);
	}
	assert_int_equal(m.n, 5000);
	assert_int_equal(vl_strmap_put(&m, "id-7", (void *)(intptr_t)99), 0);
	for (int i = 0; i < 5000; i++) {
		void **v;
		snprintf(key, sizeof(key), "id-%d", i);
		v = vl_strmap_find(&m, key);
		assert_non_null(v);
		assert_int_equal((intptr_t)*v, i == 7 ? 99 : i + 1);
	}
	assert_null(vl_strmap_find(&m, "id-5000"));
	vl_strmap_release(&m, NULL);
	assert_null(vl_strmap_find(&m, "id-1"));
}

static void test_utf8_and_edit_distance(void **state)
{
	size_t off;

	assert_true(vl_utf8_valid("caf\xc3\xa9 \xf0\x9f\x98\x80", 10, &off));
	assert_false(vl_utf8_valid("ab\xff", 3, &off));
	assert_int_equal(off, 2);
	assert_false(vl_utf8_valid("\xc0\xaf", 2, &off));       /* overlong */
	assert_false(vl_utf8_valid("\xed\xa0\x80", 3, &off));   /* surrogate */
	assert_false(vl_utf8_valid("\xe2\x82", 2, &off));       /* truncated */
	assert_int_equal(vl_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(vl_edit_distance("", "abc"), 3);
	assert_int_equal(vl_edit_distance("same", "same"), 0);
}

static void test_rng(void **state)
{
	struct vl_rng a, b;
	size_t counts[3] = { 0 };

	vl_rng_seed(&a, 42);
	vl_rng_seed(&b, 42);
	for (int i = 0; i < 100; i++)
		assert_true(vl_rng_next(&a) == vl_rng_next(&b));
	/* splitmix64 from seed 0: first output is a published constant */
	vl_rng_seed(&a, 0);
	assert_true(vl_rng_next(&a) == 0xe220a8397b1dcdafULL);
	for (int i = 0; i < 30000; i++)
		counts[vl_rng_below(&b, 3)]++;
	for (int i = 0; i < 3; i++)
		assert_true(counts[i] > 9500 && counts[i] < 10500);
}

static void test_bulk_hash(void **state)
{
	unsigned char buf[100];
	uint64_t base, seen[100 * 8];

	for (int i = 0; i < 100; i++)
		buf[i] = (unsigned char)(i * 7);
	base = vl_hash64_bulk(buf, 100, VL_HASH_SEED);
	assert_true(base == vl_hash64_bulk(buf, 100, VL_HASH_SEED));
	assert_true(base != vl_hash64_bulk(buf, 100, VL_HASH_SEED + 1));
	/* every bit of every byte, in full words and in the tail, changes it */
	for (int i = 0; i < 100; i++) {
		for (int b = 0; b < 8; b++) {
			buf[i] ^= (unsigned char)(1 << b);
			seen[i * 8 + b] = vl_hash64_bulk(buf, 100, VL_HASH_SEED);
			assert_true(seen[i * 8 + b] != base);
			buf[i] ^= (unsigned char)(1 << b);
		}
	}
	for (int i = 1; i < 800; i++)
		assert_true(seen[i] != seen[i - 1]);
	/* length matters even when the extra bytes are zero */
	memset(buf, 0, sizeof(buf));
	assert_true(vl_hash64_bulk(buf, 9, 0) != vl_hash64_bulk(buf, 10, 0));
	assert_true(vl_hash64_bulk(buf, 0, 0) != vl_hash64_bulk(buf, 1, 0));
}

static void test_kv(void **state)
{
	struct vl_kv kv = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	long n;
	double d;

	vl_kv_set(&kv, "a", "1");
	vl_kv_set(&kv, "a", "2");
	vl_kv_set(&kv, "x", "abc");
	assert_string_equal(vl_kv_get(&kv, "a"), "2");
	assert_null(vl_kv_get(&kv, "b"));
	assert_int_equal(vl_kv_get_long(&kv, "a", 0, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(vl_kv_get_long(&kv, "missing", 7, &n, &err), 0);
	assert_int_equal(n, 7);
	assert_int_equal(vl_kv_get_double(&kv, "x", 0, &d, &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "'x' wants a number, got 'abc'"));
	vl_kv_release(&kv);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_and_format),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_alloc_failure_injection),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_utf8_and_edit_distance),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_bulk_hash),
		cmocka_unit_test(test_kv),
	};
	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
