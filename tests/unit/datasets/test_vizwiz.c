/*
 * test_vizwiz.c - the VizWiz loader on a hand-written val.json in the
 * official layout (good records, a missing question, an answer without
 * text, an escaping image name) and on generated broken files.
 */
#include "loader_helpers.h"

static void test_val(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"vizwiz\",\"annotations\":\"tests/fixtures/vizwiz/val.json\","
		"\"images\":\"vizwiz/val\"}", ".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[0].id, "VizWiz_val_00000000.jpg");
	assert_string_equal(l.s[0].question,
			    "Ok. There is another picture I hope it is a better one.");
	assert_int_equal(l.s[0].answers.n, 3);
	assert_string_equal(l.s[0].answers.v[0], "unanswerable");
	assert_string_equal(l.s[0].answers.v[2], "cloudy");
	assert_string_equal(vl_sample_meta(&l.s[0], "answer_type"), "unanswerable");
	assert_string_equal(vl_sample_meta(&l.s[0], "answerable"), "0");
	assert_string_equal(l.s[0].images.v[0], "./vizwiz/val/VizWiz_val_00000000.jpg");
	assert_string_equal(l.s[1].id, "VizWiz_val_00000001.jpg");
	assert_string_equal(l.s[1].answers.v[1], "night time");
	assert_string_equal(vl_sample_meta(&l.s[1], "answerable"), "1");
	assert_string_equal(l.s[2].id, "VizWiz_val_00000005.jpg");
	assert_int_equal(l.s[2].index, 2);

	assert_int_equal(l.errors.n, 3);
	assert_contains(l.errors.v[0], "tests/fixtures/vizwiz/val.json' record 3 (line 3)");
	assert_contains(l.errors.v[0], "\"question\"");
	assert_contains(l.errors.v[1], "record 4 (line 4)");
	assert_contains(l.errors.v[1], "\"answers\" element 1 has no \"answer\"");
	assert_contains(l.errors.v[2], "record 5");
	assert_contains(l.errors.v[2], "escapes the image folder");
	th_loaded_release(&l);
}

static void test_test_split_without_answers(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"vizwiz\",\"annotations\":\"tests/fixtures/vizwiz/test.json\"}",
		".", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.s[0].answers.n, 0);
	assert_null(vl_sample_meta(&l.s[0], "answer_type"));
	th_loaded_release(&l);
}

static void test_missing_file(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"vizwiz\",\"annotations\":\"nowhere/val.json\"}", ".", &l);
	assert_int_equal(l.open_rc, VL_ENOTFOUND);
	assert_contains(vl_buf_str(&l.open_err), "nowhere/val.json");
	assert_contains(vl_buf_str(&l.open_err), "vizwiz.org");
	th_loaded_release(&l);
}

static void test_broken_files(void **state)
{
	char dir[64], spec[256];
	struct th_loaded l;

	th_tmpdir(dir, sizeof(dir));
	snprintf(spec, sizeof(spec), "{\"format\":\"vizwiz\",\"annotations\":\"%s/t.json\"}", dir);
	/* truncated in the middle of the second record */
	th_write_str(dir, "t.json", "[{\"image\":\"a.jpg\",\"question\":\"q\"},\n"
		     "{\"image\":\"b.jpg\",\"quest");
	th_load(spec, ".", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.errors.n, 1);
	assert_contains(l.errors.v[0], "line 2: unexpected end of file after record 2");
	assert_contains(l.errors.v[0], "truncated");
	th_loaded_release(&l);
	/* invalid UTF-8 in the second of three records */
	th_write_str(dir, "t.json", "[{\"image\":\"a.jpg\",\"question\":\"q\"},\n"
		     "{\"image\":\"b.jpg\",\"question\":\"caf\xe9\"},\n"
		     "{\"image\":\"c.jpg\",\"question\":\"q\"}]");
	th_load(spec, ".", &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.errors.n, 1);
	assert_contains(l.errors.v[0], "record 2 (line 2): invalid UTF-8");
	th_loaded_release(&l);
	/* wrong top-level type */
	th_write_str(dir, "t.json", "{\"images\": []}");
	th_load(spec, ".", &l);
	assert_int_equal(l.open_rc, VL_EPARSE);
	assert_contains(vl_buf_str(&l.open_err), "not a JSON array");
	th_loaded_release(&l);
	/* duplicate image: the wrapper rejects the second */
	th_write_str(dir, "t.json", "[{\"image\":\"a.jpg\",\"question\":\"q\"},"
		     "{\"image\":\"a.jpg\",\"question\":\"q2\"}]");
	th_load(spec, ".", &l);
	assert_int_equal(l.n, 1);
	assert_contains(l.errors.v[0], "duplicate sample id 'a.jpg'");
	th_loaded_release(&l);
	th_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_val),
		cmocka_unit_test(test_test_split_without_answers),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_broken_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
