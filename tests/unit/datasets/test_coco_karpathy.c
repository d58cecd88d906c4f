/*
 * test_coco_karpathy.c - the Karpathy split loader on hand-written
 * dataset_coco.json and dataset_flickr30k.json fixtures.
 */
#include "loader_helpers.h"

static void test_coco_test_split(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"coco_karpathy\",\"annotations\":"
		"\"tests/fixtures/coco_karpathy/dataset_coco.json\",\"images\":\"coco\"}",
		".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.s[0].id, "391895");
	assert_string_equal(l.s[0].images.v[0], "./coco/val2014/COCO_val2014_000000391895.jpg");
	assert_int_equal(l.s[0].captions.n, 2);
	assert_string_equal(l.s[0].captions.v[0],
			    "A man with a red helmet on a small moped on a dirt road. ");
	assert_string_equal(vl_sample_meta(&l.s[0], "split"), "test");
	assert_null(l.s[0].question);
	assert_string_equal(l.s[1].id, "554625");
	assert_int_equal(l.errors.n, 1);
	assert_contains(l.errors.v[0], "record 4 (line 5): \"sentences\" element 1 has no \"raw\"");
	th_loaded_release(&l);
}

static void test_coco_val_split(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"coco_karpathy\",\"split\":\"val\",\"annotations\":"
		"\"tests/fixtures/coco_karpathy/dataset_coco.json\"}", ".", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.s[0].id, "184613");
	assert_int_equal(l.errors.n, 0);
	th_loaded_release(&l);
}

static void test_flickr(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"coco_karpathy\",\"annotations\":"
		"\"tests/fixtures/coco_karpathy/dataset_flickr30k.json\",\"images\":\"flickr\"}",
		".", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.s[0].id, "1");
	assert_string_equal(l.s[0].images.v[0], "./flickr/10002456.jpg");
	assert_string_equal(l.s[0].captions.v[0],
			    "Several men in hard hats are operating a giant pulley system.");
	th_loaded_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coco_test_split),
		cmocka_unit_test(test_coco_val_split),
		cmocka_unit_test(test_flickr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
