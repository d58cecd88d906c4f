/*
 * test_coco_captions.c - the COCO captions loader on a hand-written
 * captions_val2014.json (images + annotations, with broken records) and a
 * NoCaps val file (domain metadata); also a test-set file without
 * annotations.
 */
#include "loader_helpers.h"

static void test_coco(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"coco_captions\",\"annotations\":"
		"\"tests/fixtures/coco_captions/captions_val2014.json\",\"images\":\"val2014\"}",
		".", &l);
	assert_int_equal(l.open_rc, 0);
	/* bad records first (found while reading), then the images in order */
	assert_int_equal(l.errors.n, 3);
	assert_contains(l.errors.v[0], "captions_val2014.json' record 3 (line 4): missing or "
			"invalid \"file_name\"");
	assert_contains(l.errors.v[1], "record 4 (line 10): \"image_id\" is not in \"images\"");
	assert_contains(l.errors.v[2], "record 5 (line 11): missing or invalid \"caption\"");
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[0].id, "391895");
	assert_string_equal(l.s[0].images.v[0], "./val2014/COCO_val2014_000000391895.jpg");
	assert_int_equal(l.s[0].image_w, 640);
	assert_int_equal(l.s[0].image_h, 360);
	assert_int_equal(l.s[0].captions.n, 2);
	assert_string_equal(l.s[0].captions.v[1],
			    "Man riding a motor bike on a dirt road on the countryside.");
	assert_string_equal(l.s[1].id, "522418");
	assert_int_equal(l.s[1].captions.n, 1);
	assert_string_equal(l.s[2].id, "318219");
	assert_int_equal(l.s[2].captions.n, 0);
	assert_null(vl_sample_meta(&l.s[0], "domain"));
	th_loaded_release(&l);
}

static void test_nocaps(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"coco_captions\",\"annotations\":"
		"\"tests/fixtures/coco_captions/nocaps_val_4500_captions.json\"}", ".", &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.errors.n, 0);
	assert_string_equal(l.s[0].id, "0");
	assert_string_equal(vl_sample_meta(&l.s[0], "domain"), "in-domain");
	assert_int_equal(l.s[0].captions.n, 2);
	assert_string_equal(vl_sample_meta(&l.s[1], "domain"), "near-domain");
	assert_string_equal(vl_sample_meta(&l.s[2], "domain"), "out-domain");
	assert_string_equal(l.s[2].captions.v[0], "A jellyfish in dark blue water.");
	th_loaded_release(&l);
}

static void test_without_annotations(void **state)
{
	char dir[64], spec[256];
	struct th_loaded l;

	th_tmpdir(dir, sizeof(dir));
	snprintf(spec, sizeof(spec), "{\"format\":\"coco_captions\",\"annotations\":"
		 "\"%s/image_info_test2014.json\"}", dir);
	th_write_str(dir, "image_info_test2014.json", "{\"info\":{},\"images\":[{\"id\":1,"
		     "\"file_name\":\"COCO_test2014_000000000001.jpg\"},{\"id\":1,"
		     "\"file_name\":\"dup.jpg\"}],\"licenses\":[]}");
	th_load(spec, ".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.s[0].captions.n, 0);
	assert_int_equal(l.errors.n, 1);
	assert_contains(l.errors.v[0], "record 2 (line 1): duplicate image \"id\"");
	th_loaded_release(&l);
	th_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coco),
		cmocka_unit_test(test_nocaps),
		cmocka_unit_test(test_without_annotations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
