/*
 * test_refcoco.c - RefCOCO loaders: the MDETR COCO-style JSON and the
 * simple JSONL, with [x, y, w, h] -> [x1, y1, x2, y2] conversion at load
 * and the image size from the file or the image header.
 */
#include "loader_helpers.h"

static void test_mdetr(void **state)
{
	char dir[64], spec[512];
	struct th_loaded l;

	th_tmpdir(dir, sizeof(dir));
	th_make_image(dir, "tiny.png", "png", 7, 5, 3);
	snprintf(spec, sizeof(spec), "{\"format\":\"refcoco\",\"split\":\"val\",\"annotations\":"
		 "\"tests/fixtures/refcoco/final_refcoco_val.json\",\"images\":\"%s\"}", dir);
	th_load(spec, ".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[0].id, "0");
	assert_string_equal(l.s[0].question, "the lady with the blue shirt");
	assert_true(l.s[0].has_box);
	assert_true(l.s[0].box[0] == 103.93);
	assert_true(l.s[0].box[1] == 299.99);
	assert_true(l.s[0].box[2] == 103.93 + 134.22);
	assert_true(l.s[0].box[3] == 299.99 + 177.42);
	assert_int_equal(l.s[0].image_w, 427);
	assert_int_equal(l.s[0].image_h, 640);
	assert_string_equal(vl_sample_meta(&l.s[0], "image_id"), "581857");
	assert_string_equal(vl_sample_meta(&l.s[0], "split"), "val");
	assert_path_ends(l.s[0].images.v[0], "/COCO_train2014_000000581857.jpg");
	assert_string_equal(l.s[1].id, "1");
	assert_string_equal(l.s[2].id, "4");
	assert_int_equal(l.s[2].image_w, 7);
	assert_int_equal(l.s[2].image_h, 5);
	assert_true(l.s[2].box[2] == 3 && l.s[2].box[3] == 4);
	assert_int_equal(l.errors.n, 3);
	assert_contains(l.errors.v[0], "record 5 (line 13): missing or invalid \"bbox\"");
	assert_contains(l.errors.v[1], "record 3 (line 4): no annotation with \"image_id\" 2");
	assert_contains(l.errors.v[2], "record 4 (line 5): missing or invalid \"caption\"");
	th_loaded_release(&l);
	th_rmtree(dir);
}

static void test_jsonl(void **state)
{
	char dir[64], spec[512];
	struct th_loaded l;

	th_tmpdir(dir, sizeof(dir));
	th_make_image(dir, "tiny.png", "png", 3, 9, 4);
	snprintf(spec, sizeof(spec), "{\"format\":\"refcoco_jsonl\",\"path\":"
		 "\"tests/fixtures/refcoco/refcoco_val.jsonl\",\"images\":\"%s\"}", dir);
	th_load(spec, ".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[0].id, "r1");
	assert_true(l.s[0].box[2] == 103.93 + 134.22);
	assert_string_equal(l.s[1].id, "r2");
	assert_true(l.s[1].box[0] == 10 && l.s[1].box[1] == 20 && l.s[1].box[2] == 40 &&
		    l.s[1].box[3] == 60);
	assert_string_equal(l.s[2].id, "5");
	assert_string_equal(l.s[2].question, "no id, size from header");
	assert_int_equal(l.s[2].image_w, 3);
	assert_int_equal(l.s[2].image_h, 9);
	assert_int_equal(l.errors.n, 4);
	assert_contains(l.errors.v[0], "refcoco_val.jsonl' line 3: missing or invalid "
			"\"bbox\" and \"box\"");
	assert_contains(l.errors.v[1], "line 6: missing or invalid \"box\"");
	assert_contains(l.errors.v[2], "line 7: no \"width\"/\"height\" and cannot open image");
	assert_contains(l.errors.v[3], "line 8: invalid JSON");
	th_loaded_release(&l);
	th_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mdetr),
		cmocka_unit_test(test_jsonl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
