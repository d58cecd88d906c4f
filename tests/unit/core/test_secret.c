/*
 * test_secret.c - secret option names and scrubbing a key from text.
 */
#include "test_helpers.h"

#include "core/secret.h"

static void test_secret_names(void **state)
{
	assert_true(vl_is_secret_key("api_key"));
	assert_true(vl_is_secret_key("OPENAI_API_KEY"));
	assert_true(vl_is_secret_key("hf_token"));
	assert_true(vl_is_secret_key("Password"));
	assert_true(vl_is_secret_key("authorization"));
	assert_false(vl_is_secret_key("api_key_env"));
	assert_false(vl_is_secret_key("base_url"));
	assert_false(vl_is_secret_key("max_image_side"));
}

static void test_scrub(void **state)
{
	char text[] = "401: key sk-abc123 is invalid (sk-abc123)";
	char short_key[] = "the word abc stays";

	vl_secret_scrub(text, "sk-abc123");
	assert_string_equal(text, "401: key *** is invalid (***)");
	vl_secret_scrub(short_key, "abc");
	assert_string_equal(short_key, "the word abc stays");
	vl_secret_scrub(NULL, "sk-abc123");
	vl_secret_scrub(text, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_names),
		cmocka_unit_test(test_scrub),
	};
	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
