/*
 * test_families.c - every model family of bench/families.c: a typical
 * grounding answer in that family's notation, parsed with the family's box
 * format on a 640 x 480 image, against a box worked out by hand from the
 * family's convention; then what a grounding task does with a family (its
 * prompt and box format, the task's own override, the error for an
 * unknown name).
 */
#include "test_helpers.h"

#include "bench/families.h"
#include "bench/task.h"
#include "metrics/box.h"

#define W 640
#define H 480

static void test_each_family_box(void **state)
{
	static const struct { const char *family, *answer; double box[4]; } rows[] = {
		/* 0..999 divided by 999: 333/999 * 640 = 640/3, 666/999 * 480 = 320 */
		{ "qwen-vl", "<ref>the dog</ref><box>(333,666),(999,999)</box>",
		  { 640.0 / 3, 320, 640, 480 } },
		/* 0..1000: 250 -> 0.25 * 640 = 160, 125 -> 0.125 * 480 = 60 */
		{ "qwen2-vl", "<|box_start|>(250,125),(500,750)<|box_end|>", { 160, 60, 320, 360 } },
		/* absolute pixels, as written */
		{ "qwen2.5-vl", "```json\n[{\"bbox_2d\": [12, 34, 560, 470], \"label\": \"dog\"}]\n```",
		  { 12, 34, 560, 470 } },
		/* relative 0..1000: 100 -> 64, 250 -> 120, 900 -> 576, 750 -> 360 */
		{ "qwen3-vl", "[{\"bbox_2d\": [100, 250, 900, 750], \"label\": \"dog\"}]",
		  { 64, 120, 576, 360 } },
		{ "internvl", "<ref>dog</ref><box>[[250, 125, 500, 750]]</box>", { 160, 60, 320, 360 } },
		/* y1 x1 y2 x2 on 1024 bins: x1 = 512/1024 * 640 = 320, y1 = 256/1024 * 480
		 * = 120, x2 = 1023/1024 * 640 = 639.375, y2 = 768/1024 * 480 = 360 */
		{ "paligemma", "<loc0256><loc0512><loc0768><loc1023> dog", { 320, 120, 639.375, 360 } },
		{ "cogvlm", "The dog is at [[100,250,900,750]].", { 64, 120, 576, 360 } },
		/* patches 33 (column 1, row 1) and 66 (column 2, row 2) of 32 x 32:
		 * different rows and columns -> cell centres 1.5/32 and 2.5/32 */
		{ "kosmos-2", "<phrase>a dog</phrase><object><patch_index_0033><patch_index_0066>"
			      "</object>", { 30, 22.5, 50, 37.5 } },
		{ "shikra", "The dog [0.25,0.125,0.5,0.75].", { 160, 60, 320, 360 } },
		/* 0..100: 25 -> 160, 50 -> 240, 75 -> 480, 100 -> 480 */
		{ "minigpt-v2", "<p>dog</p> {<25><50><75><100>}", { 160, 240, 480, 480 } },
		/* 0..1000 then truncated pixels: 999 * 0.48 = 479.52 -> 479 */
		{ "ferret", "a dog [250, 500, 750, 999].", { 160, 240, 480, 479 } },
	};
	const char *const *names = vl_model_family_names();
	size_t n = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const struct vl_model_family *f = vl_model_family_find(rows[i].family);
		double b[4];

		assert_non_null(f);
		assert_true(vl_box_format_known(f->box_format));
		assert_non_null(strstr(f->prompt, "{question}"));
		if (vl_box_parse(f->box_format, rows[i].answer, W, H, b, NULL) != 0)
			fail_msg("%s: no box in '%s'", rows[i].family, rows[i].answer);
		for (int k = 0; k < 4; k++)
			if (fabs(b[k] - rows[i].box[k]) > 1e-9)
				fail_msg("%s: coordinate %d is %.17g, want %.17g", rows[i].family, k,
					 b[k], rows[i].box[k]);
		/* one row per family, in the order of the name list */
		assert_string_equal(names[i], rows[i].family);
		n++;
	}
	assert_null(names[n]);
	assert_non_null(vl_model_family_find("Qwen2.5-VL"));
	assert_null(vl_model_family_find("qwen2.5"));
	assert_null(vl_model_family_find(NULL));
}

static struct vl_task *grounding_task(const char *extra)
{
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_task *t = NULL;

	vl_buf_addf(&text, "{\"name\": \"g\", \"family\": \"grounding\", \"prompt\": \"Box {question}\","
		    " \"dataset\": {\"format\": \"jsonl\"}, \"extract\": \"box\","
		    " \"metrics\": [\"grounding\"], \"metric_options\": {\"box_format\": \"pixels\"}%s}",
		    extra);
	if (vl_task_parse(text.buf, text.len, "test", &t, &err) < 0)
		fail_msg("%s", vl_buf_str(&err));
	vl_buf_release(&text);
	vl_buf_release(&err);
	return t;
}

static void test_grounding_task(void **state)
{
	struct vl_task *t = grounding_task("");
	struct vl_buf err = VL_BUF_INIT;
	struct vl_kv kv = { 0 };

	/* every family works on every grounding task */
	for (const char *const *n = vl_model_family_names(); *n; n++) {
		const struct vl_model_family *f = vl_model_family_find(*n);
		assert_int_equal(vl_task_check_family(t, *n, &err), 0);
		assert_string_equal(vl_task_prompt(t, *n), f->prompt);
		vl_task_options(t, *n, &kv);
		assert_string_equal(vl_kv_get(&kv, "box_format"), f->box_format);
		vl_kv_release(&kv);
	}
	assert_int_equal(vl_task_check_family(t, NULL, &err), 0);
	assert_string_equal(vl_task_prompt(t, NULL), "Box {question}");
	/* a typo is an error naming the known families, not the default */
	assert_int_equal(vl_task_check_family(t, "qwen25-vl", &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "task 'g': unknown model family 'qwen25-vl' "
					       "(known: qwen-vl, qwen2-vl, qwen2.5-vl,"));
	assert_non_null(strstr(vl_buf_str(&err), "minigpt-v2, ferret)"));
	vl_task_free(t);
	vl_buf_release(&err);

	/* the task's own entries win over the table */
	t = grounding_task(", \"prompts\": {\"qwen-vl\": \"Q {question}\", \"mine\": \"M {question}\"},"
			   " \"metric_options_by_family\": {\"qwen-vl\": {\"box_format\": \"qwen1000\"},"
			   " \"mine\": {\"box_format\": \"norm1\"}}");
	assert_string_equal(vl_task_prompt(t, "qwen-vl"), "Q {question}");
	vl_task_options(t, "qwen-vl", &kv);
	assert_string_equal(vl_kv_get(&kv, "box_format"), "qwen1000");
	vl_kv_release(&kv);
	assert_int_equal(vl_task_check_family(t, "mine", &err), 0);
	vl_task_options(t, "mine", &kv);
	assert_string_equal(vl_kv_get(&kv, "box_format"), "norm1");
	vl_kv_release(&kv);
	vl_task_free(t);

	/* other tasks take any family: it only picks a prompt variant */
	assert_int_equal(vl_task_parse("{\"name\": \"v\", \"family\": \"vqa\", \"prompt\": \"{question}\","
				       " \"dataset\": {\"format\": \"jsonl\"}, \"extract\": \"short\","
				       " \"metrics\": [\"exact_match\"]}", 200, "test", &t, &err), 0);
	assert_int_equal(vl_task_check_family(t, "anything", &err), 0);
	vl_task_free(t);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_family_box),
		cmocka_unit_test(test_grounding_task),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
