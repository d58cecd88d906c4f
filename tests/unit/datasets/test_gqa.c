/*
 * test_gqa.c - the GQA loader on a hand-written balanced questions file
 * (object keyed by question id).
 */
#include "loader_helpers.h"

static void test_testdev(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"gqa\",\"questions\":"
		"\"tests/fixtures/gqa/testdev_balanced_questions.json\",\"images\":\"gqa/images\"}",
		".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[0].id, "201307251");
	assert_string_equal(l.s[0].question, "Is it an outdoors scene?");
	assert_string_equal(l.s[0].images.v[0], "./gqa/images/n161313.jpg");
	assert_int_equal(l.s[0].answers.n, 1);
	assert_string_equal(l.s[0].answers.v[0], "no");
	assert_string_equal(vl_sample_meta(&l.s[0], "structural"), "verify");
	assert_string_equal(vl_sample_meta(&l.s[0], "semantic"), "global");
	assert_string_equal(vl_sample_meta(&l.s[0], "detailed"), "place");
	assert_string_equal(l.s[1].id, "201640614");
	assert_string_equal(l.s[1].answers.v[0], "woman");
	assert_string_equal(l.s[2].id, "20968380");
	assert_string_equal(vl_sample_meta(&l.s[2], "detailed"), "materialVerify");
	assert_int_equal(l.errors.n, 2);
	assert_contains(l.errors.v[0], "key \"202225914\" (line 3): missing or invalid \"imageId\"");
	assert_contains(l.errors.v[1], "key \"20968379\" (line 4): value is not a JSON object");
	th_loaded_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_testdev),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
