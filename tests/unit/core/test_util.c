/*
 * test_util.c - util.c helpers added by the reliability review: URLs made
 * fit to store or print (no password, no key= or token= value).
 */
#include "test_helpers.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_redact),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
