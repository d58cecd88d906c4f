/*
 * test_sample.c - the core sample type: metadata, and the reference JSON
 * that the run log stores and scoring reads back (every field must come back
 * exactly, doubles to the last bit).
 */
#include "test_helpers.h"

static void fill(struct vl_sample *s)
{
	vl_sample_init(s);
	s->id = vl_xstrdup("42");
	s->question = vl_xstrdup("what is \"this\"?");
	vl_strv_push(&s->answers, "two");
	vl_strv_push(&s->answers, "2");
	vl_strv_push(&s->answers, "caf\xc3\xa9 \\ \n tab\t");
	vl_strv_push(&s->captions, "A dog on a bench.");
	vl_strv_push(&s->objects, "dog");
	vl_strv_push(&s->objects, "bench");
	s->label = VL_LABEL_NO;
	s->label_text = vl_xstrdup("No");
	s->answer_letter = vl_xstrdup("B");
	vl_strv_push(&s->options, "a cat");
	vl_strv_push(&s->options, "a dog");
	vl_strv_push(&s->images, "/data/coco/COCO_val2014_000000000042.jpg");
	s->box[0] = 0.1 + 0.2;          /* not exactly representable in short decimal */
	s->box[1] = 1e-300;
	s->box[2] = 640.5;
	s->box[3] = 1.0 / 3.0;
	s->has_box = 1;
	s->image_w = 640;
	s->image_h = 480;
	vl_sample_set_meta(s, "answer_type", "number");
	vl_sample_set_meta(s, "split", "testA");
}

static void assert_strv_equal(const struct vl_strv *a, const struct vl_strv *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void test_reference_round_trip(void **state)
{
	struct vl_sample a, b;
	struct vl_buf j = VL_BUF_INIT, err = VL_BUF_INIT;

	fill(&a);
	vl_sample_ref_json(&a, &j);
	/* the question and the id are columns of their own, not the reference */
	assert_null(strstr(j.buf, "this"));
	assert_null(strstr(j.buf, "\"id\""));
	vl_sample_init(&b);
	assert_int_equal(vl_sample_ref_parse(j.buf, j.len, &b, &err), 0);
	assert_strv_equal(&a.answers, &b.answers);
	assert_strv_equal(&a.captions, &b.captions);
	assert_strv_equal(&a.objects, &b.objects);
	assert_strv_equal(&a.options, &b.options);
	assert_strv_equal(&a.images, &b.images);
	assert_strv_equal(&a.meta_keys, &b.meta_keys);
	assert_strv_equal(&a.meta_vals, &b.meta_vals);
	assert_int_equal(b.label, VL_LABEL_NO);
	assert_string_equal(b.label_text, "No");
	assert_string_equal(b.answer_letter, "B");
	assert_int_equal(b.has_box, 1);
	for (int i = 0; i < 4; i++)
		assert_memory_equal(&a.box[i], &b.box[i], sizeof(double));
	assert_int_equal(b.image_w, 640);
	assert_int_equal(b.image_h, 480);
	assert_null(b.id);
	vl_sample_release(&a);
	vl_sample_release(&b);
	vl_buf_release(&j);
	vl_buf_release(&err);
}

static void test_reference_empty_and_partial(void **state)
{
	struct vl_sample a, b;
	struct vl_buf j = VL_BUF_INIT, err = VL_BUF_INIT;

	vl_sample_init(&a);
	vl_sample_ref_json(&a, &j);
	assert_string_equal(j.buf, "{}");
	vl_sample_init(&b);
	assert_int_equal(vl_sample_ref_parse(j.buf, j.len, &b, &err), 0);
	assert_int_equal(b.label, VL_LABEL_NONE);
	assert_int_equal(b.has_box, 0);
	assert_int_equal(b.answers.n, 0);
	vl_sample_release(&b);

	/* a yes label alone; a field unknown to this version is skipped */
	a.label = VL_LABEL_YES;
	vl_buf_reset(&j);
	vl_sample_ref_json(&a, &j);
	assert_string_equal(j.buf, "{\"label\":\"yes\"}");
	vl_sample_init(&b);
	const char *later = "{\"label\":\"yes\",\"future\":{\"x\":[1,2]}}";
	assert_int_equal(vl_sample_ref_parse(later, strlen(later), &b, &err), 0);
	assert_int_equal(b.label, VL_LABEL_YES);
	vl_sample_release(&b);
	vl_sample_release(&a);
	vl_buf_release(&j);
	vl_buf_release(&err);
}

static void test_reference_malformed(void **state)
{
	static const char *const bad[] = {
		"", "[]", "{\"answers\":\"x\"}", "{\"box\":[1,2,3]}", "{\"box\":[1,2,3,4,5]}",
		"{\"meta\":{\"k\":1}}", "{\"answers\":[1]}", "{} x", "{\"label\":1}",
		"{\"image_size\":[1]}",
	};
	struct vl_buf err = VL_BUF_INIT;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct vl_sample s;
		vl_sample_init(&s);
		vl_buf_reset(&err);
		assert_int_equal(vl_sample_ref_parse(bad[i], strlen(bad[i]), &s, &err), VL_EPARSE);
		assert_true(err.len > 0);
		vl_sample_release(&s);
	}
	vl_buf_release(&err);
}

static void test_meta_set_replaces(void **state)
{
	struct vl_sample s;

	vl_sample_init(&s);
	vl_sample_set_meta(&s, "k", "a");
	vl_sample_set_meta(&s, "k", "b");
	assert_int_equal(s.meta_keys.n, 1);
	assert_string_equal(vl_sample_meta(&s, "k"), "b");
	assert_null(vl_sample_meta(&s, "other"));
	vl_sample_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_round_trip),
		cmocka_unit_test(test_reference_empty_and_partial),
		cmocka_unit_test(test_reference_malformed),
		cmocka_unit_test(test_meta_set_replaces),
	};
	return cmocka_run_group_tests_name("sample", tests, NULL, NULL);
}
