/*
 * test_util.c - util.c helpers added by the reliability review: URLs made
 * fit to store or print (no password, no key= or token= value), U+0000 in
 * JSON, and doubles converted to integers only when they fit.
 */
#include "test_helpers.h"
#include "core/jsonparse.h"

#include <limits.h>
#include <math.h>

static void test_url_redact(void **state)
{
	static const struct { const char *in, *out; } rows[] = {
		{ "http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/v1" },
		{ "http://user:PW@host/v1", "http://host/v1" },
		{ "https://a:b@c@host:9/v1/", "https://host:9/v1/" },
		{ "http://host/v1/x@y", "http://host/v1/x@y" },         /* @ in the path stays */
		{ "http://u:p@host?key=SEKRIT", "http://host?key=***" },
		{ "http://host/v1?api-key=S&model=m&token=T#frag",
		  "http://host/v1?api-key=***&model=m&token=***#frag" },
		{ "http://host/v1?Access_Token=T&x", "http://host/v1?Access_Token=***&x" },
		{ "http://host/v1?sig", "http://host/v1?sig" },          /* no value, nothing to hide */
		{ "no url here", "no url here" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *r = vl_url_redact(rows[i].in);
		assert_string_equal(r, rows[i].out);
		vl_free(r);
	}
	assert_null(vl_url_redact(NULL));
}

/* A U+0000 escape becomes U+2400 so that cJSON keeps the text after it */
static void test_json_nul(void **state)
{
	static const struct { const char *in, *out; size_t n; } rows[] = {
		{ "\"a\\u0000b\"", "\"a\\u2400b\"", 1 },
		{ "\"a\\\\u0000b\"", "\"a\\\\u0000b\"", 0 },          /* an escaped backslash */
		{ "\"\\\\\\u0000\"", "\"\\\\\\u2400\"", 1 },            /* \\ then \u0000 */
		{ "\"\\u00001\\u0000\"", "\"\\u24001\\u2400\"", 2 },
		{ "\"\\u000", "\"\\u000", 0 },                          /* cut short */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *s = vl_xstrdup(rows[i].in);
		assert_int_equal(vl_json_nul_to_symbol(s, strlen(s)), rows[i].n);
		assert_string_equal(s, rows[i].out);
		vl_free(s);
	}
	cJSON *j = vl_cjson_parse("{\"t\":\"before\\u0000after\"}", 26);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "t")->valuestring, "before\xe2\x90\x80" "after");
	cJSON_Delete(j);
}

/* Whole numbers a long long holds, and nothing else: [-2^63, 2^63) */
static void test_whole_ll(void **state)
{
	long long n = 42;

	assert_int_equal(vl_whole_ll(0.0, &n), 0);
	assert_true(n == 0);
	assert_int_equal(vl_whole_ll(-7.0, &n), 0);
	assert_true(n == -7);
	assert_int_equal(vl_whole_ll(-9223372036854775808.0, &n), 0);
	assert_true(n == LLONG_MIN);
	assert_int_equal(vl_whole_ll(9223372036854774784.0, &n), 0);   /* the largest double below 2^63 */
	assert_true(n == 9223372036854774784LL);
	n = 42;
	assert_int_equal(vl_whole_ll(9223372036854775808.0, &n), -1);   /* 2^63 */
	assert_int_equal(vl_whole_ll(6.6e109, &n), -1);
	assert_int_equal(vl_whole_ll(-1e300, &n), -1);
	assert_int_equal(vl_whole_ll(0.5, &n), -1);
	assert_int_equal(vl_whole_ll(NAN, &n), -1);
	assert_int_equal(vl_whole_ll(INFINITY, &n), -1);
	assert_true(n == 42);   /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_redact),
		cmocka_unit_test(test_json_nul),
		cmocka_unit_test(test_whole_ll),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
