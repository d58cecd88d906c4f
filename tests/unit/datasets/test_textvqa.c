/*
 * test_textvqa.c - the TextVQA loader on a hand-written file in the
 * official layout ({"data": [...]}, OCR and other keys ignored).
 */
#include "loader_helpers.h"

static void test_val(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"textvqa\",\"annotations\":"
		"\"tests/fixtures/textvqa/TextVQA_0.5.1_val.json\",\"images\":\"train_images\"}",
		".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[0].id, "34602");
	assert_string_equal(l.s[0].question, "what is the brand of phone?");
	assert_string_equal(l.s[0].images.v[0], "./train_images/0054c91397f2fe05.jpg");
	assert_int_equal(l.s[0].answers.n, 10);
	assert_string_equal(l.s[0].answers.v[4], "toshiba");
	assert_int_equal(l.s[0].image_w, 1024);
	assert_int_equal(l.s[0].image_h, 730);
	assert_string_equal(vl_sample_meta(&l.s[0], "split"), "val");
	assert_string_equal(l.s[1].id, "34603");
	assert_string_equal(l.s[2].id, "34606");
	assert_string_equal(l.s[2].answers.v[0], "22");
	assert_int_equal(l.s[2].image_w, 0);
	assert_int_equal(l.errors.n, 2);
	assert_contains(l.errors.v[0], "record 3 (line 4): missing or invalid \"image_id\"");
	assert_contains(l.errors.v[1], "record 4 (line 5): missing or invalid \"answers\"");
	th_loaded_release(&l);
}

static void test_no_data_member(void **state)
{
	char dir[64], spec[256];
	struct th_loaded l;

	th_tmpdir(dir, sizeof(dir));
	snprintf(spec, sizeof(spec), "{\"format\":\"textvqa\",\"annotations\":\"%s/t.json\"}", dir);
	th_write_str(dir, "t.json", "{\"dataset_name\": \"textvqa\", \"questions\": []}");
	th_load(spec, ".", &l);
	assert_int_equal(l.open_rc, VL_EPARSE);
	assert_contains(vl_buf_str(&l.open_err), "no top-level \"data\" member");
	th_loaded_release(&l);
	th_write_str(dir, "t.json", "[1, 2]");
	th_load(spec, ".", &l);
	assert_int_equal(l.open_rc, VL_EPARSE);
	assert_contains(vl_buf_str(&l.open_err), "top-level value is not a JSON object");
	th_loaded_release(&l);
	th_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_val),
		cmocka_unit_test(test_no_data_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
