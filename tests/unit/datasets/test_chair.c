/*
 * test_chair_loader.c - the CHAIR loader: COCO captions plus instance annotations
 * (hand-written fixtures), object lists per image, and the three ways of
 * choosing images (all, an id list, max_images with a seed).
 */
#include "loader_helpers.h"

#define SPEC_HEAD "{\"format\":\"chair\"," \
	"\"annotations\":\"tests/fixtures/chair/captions_val2014.json\"," \
	"\"instances\":\"tests/fixtures/chair/instances_val2014.json\""

static void test_all_images(void **state)
{
	struct th_loaded l;

	th_load(SPEC_HEAD ",\"images\":\"val2014\"}", ".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.s[0].id, "391895");
	assert_int_equal(l.s[0].objects.n, 2);
	assert_string_equal(l.s[0].objects.v[0], "person");
	assert_string_equal(l.s[0].objects.v[1], "motorcycle");
	assert_int_equal(l.s[0].captions.n, 2);
	assert_string_equal(l.s[1].id, "522418");
	assert_int_equal(l.s[1].objects.n, 2);
	assert_string_equal(l.s[1].objects.v[0], "person");
	assert_string_equal(l.s[1].objects.v[1], "cake");
	assert_string_equal(l.s[2].id, "318219");
	assert_int_equal(l.s[2].objects.n, 1);
	assert_string_equal(l.s[2].objects.v[0], "laptop");
	assert_int_equal(l.errors.n, 3);
	assert_contains(l.errors.v[0], "captions_val2014.json' record 3 (line 4): missing or "
			"invalid \"file_name\"");
	assert_contains(l.errors.v[1], "record 5 (line 11): missing or invalid \"caption\"");
	assert_contains(l.errors.v[2], "instances_val2014.json' record 6 (line 8): missing or "
			"invalid \"category_id\"");
	th_loaded_release(&l);
}

static void test_image_ids(void **state)
{
	struct th_loaded l;

	th_load(SPEC_HEAD ",\"image_ids\":\"tests/fixtures/chair/image_ids.txt\"}", ".", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.s[0].id, "391895");
	assert_string_equal(l.s[1].id, "522418");
	assert_int_equal(l.errors.n, 4);
	assert_contains(l.errors.v[1], "image_ids.txt' line 4: image id '123' is not in");
	th_loaded_release(&l);
}

static uint64_t rank(const char *id, uint64_t seed)
{
	return vl_hash64(id, strlen(id), VL_HASH_SEED ^ (seed * 0x9e3779b97f4a7c15ULL));
}

static void test_max_images(void **state)
{
	static const char *const ids[] = { "391895", "522418", "318219" };
	for (int seed = 0; seed < 4; seed++) {
		char spec[512];
		struct th_loaded l;
		int dropped = 0;

		/* the image with the largest rank is the one left out */
		for (int i = 1; i < 3; i++)
			if (rank(ids[i], seed) > rank(ids[dropped], seed))
				dropped = i;
		snprintf(spec, sizeof(spec), SPEC_HEAD ",\"max_images\":2,\"seed\":%d}", seed);
		th_load(spec, ".", &l);
		assert_int_equal(l.n, 2);
		for (size_t k = 0, i = 0; i < 3; i++) {
			if ((int)i == dropped)
				continue;
			assert_string_equal(l.s[k++].id, ids[i]);
		}
		th_loaded_release(&l);
	}
}

static void test_bad_spec(void **state)
{
	struct th_loaded l;

	th_load(SPEC_HEAD ",\"max_images\":0}", ".", &l);
	assert_int_equal(l.open_rc, VL_EINVAL);
	assert_contains(vl_buf_str(&l.open_err), "\"max_images\" must be a positive number");
	th_loaded_release(&l);
	th_load("{\"format\":\"chair\",\"annotations\":\"tests/fixtures/chair/captions_val2014.json\","
		"\"instances\":\"nowhere/instances_val2014.json\"}", ".", &l);
	assert_int_equal(l.open_rc, VL_ENOTFOUND);
	assert_contains(vl_buf_str(&l.open_err), "nowhere/instances_val2014.json");
	assert_contains(vl_buf_str(&l.open_err), "cocodataset.org");
	th_loaded_release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_images),
		cmocka_unit_test(test_image_ids),
		cmocka_unit_test(test_max_images),
		cmocka_unit_test(test_bad_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
