/*
 * test_boxparse.c - one data row per box format (model output in, pixels
 * out), failure rows, renderer rows (pixels in, the model's notation out)
 * and the render -> parse round trip the oracle baseline relies on.
 */
#include "test_helpers.h"

#include "metrics/box.h"
#include "metrics/metric.h"

#define W 640
#define H 480

static void test_parse_rows(void **state)
{
	static const struct { const char *fmt, *text; double box[4]; } rows[] = {
		{ "pixels", "The box is [10, 20.5, 300, 400].", { 10, 20.5, 300, 400 } },
		{ "pixels", "[ 1e1 ,2,3 , 4 ] then [5, 6, 7, 8]", { 10, 2, 3, 4 } },
		{ "norm1", "[0.25,0.5,0.75,1.0]", { 160, 240, 480, 480 } },
		{ "norm1", "<p>dog</p> [.25, 0.5, 0.75, 1]", { 160, 240, 480, 480 } },
		{ "qwen", "<ref>the dog</ref><box>(0,0),(999,999)</box>", { 0, 0, 640, 480 } },
		{ "qwen", "(0,0),(999,999)", { 0, 0, 640, 480 } },
		{ "qwen1000", "<box>(250,500),(750,1000)</box>", { 160, 240, 480, 480 } },
		{ "qwen2", "<|object_ref_start|>dog<|object_ref_end|><|box_start|>(250,500),"
			   "(750,1000)<|box_end|>", { 160, 240, 480, 480 } },
		{ "qwen2", "dog (250, 500), (750, 1000)", { 160, 240, 480, 480 } },
		{ "qwen3", "```json\n[{\"bbox_2d\": [250, 500, 750, 1000], \"label\": \"dog\"}]\n```",
		  { 160, 240, 480, 480 } },
		{ "qwen25", "{\"bbox_2d\": [12, 34, 56, 78], \"label\": \"dog\"}", { 12, 34, 56, 78 } },
		{ "cogvlm", "A dog [[250,500,750,1000]]", { 160, 240, 480, 480 } },
		/* Ferret truncates to whole pixels: 999 * 0.48 = 479.52 -> 479 */
		{ "ferret", "a dog [250, 500, 750, 999].", { 160, 240, 480, 479 } },
		{ "minigptv2", "<p>dog</p> {<25><50><75><100>}", { 160, 240, 480, 480 } },
		/* Kosmos-2: different rows and columns -> cell centres */
		{ "kosmos2", "<phrase>a dog</phrase><object><patch_index_0000><patch_index_1023>"
			     "</object>", { 10, 7.5, 630, 472.5 } },
		/* same row -> whole cells */
		{ "kosmos2", "<patch_index_0000><patch_index_0031>", { 0, 0, 640, 15 } },
		/* same cell -> that cell */
		{ "kosmos2", "<patch_index_0033><patch_index_0033>", { 20, 15, 40, 30 } },
		/* InternVL: /1000, one or two brackets */
		{ "internvl", "<ref>dog</ref><box>[[250, 500, 750, 1000]]</box>",
		  { 160, 240, 480, 480 } },
		{ "internvl", "[125,250,500,750]", { 80, 120, 320, 360 } },
		/* PaliGemma: y1 x1 y2 x2 */
		{ "paligemma", "<loc0256><loc0128><loc0768><loc0512> dog", { 80, 120, 320, 360 } },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		double b[4];
		int rc = vl_box_parse(rows[i].fmt, rows[i].text, W, H, b, NULL);
		if (rc != 0)
			fail_msg("row %zu (%s): rc %d", i, rows[i].fmt, rc);
		for (int k = 0; k < 4; k++)
			if (b[k] != rows[i].box[k])
				fail_msg("row %zu (%s) coord %d: %.17g != %.17g", i, rows[i].fmt, k,
					 b[k], rows[i].box[k]);
	}
}

/* The general grid formula, on values that are not exact in binary. */
static void test_grid_scales(void **state)
{
	double b[4];

	assert_int_equal(vl_box_parse("qwen", "<box>(123,456),(789,998)</box>", W, H, b, NULL), 0);
	assert_close(b[0], 123.0 / 999 * W, 1e-15);
	assert_close(b[3], 998.0 / 999 * H, 1e-15);
	assert_int_equal(vl_box_parse("qwen1000", "<box>(123,456),(789,998)</box>", W, H, b, NULL), 0);
	assert_close(b[0], 123.0 / 1000 * W, 1e-15);
	assert_int_equal(vl_box_parse("cogvlm", "[[123,456,789,998]]", W, H, b, NULL), 0);
	assert_close(b[3], 998.0 / 1000 * H, 1e-15);
	assert_int_equal(vl_box_parse("paligemma", "<loc0001><loc0002><loc0003><loc1023>", W, H,
				      b, NULL), 0);
	assert_close(b[0], 2.0 / 1024 * W, 1e-15);
	assert_close(b[2], 1023.0 / 1024 * W, 1e-15);
}

static void test_parse_failures(void **state)
{
	static const struct { const char *fmt, *text; int rc; } rows[] = {
		{ "pixels", "I cannot find it.", VL_EPARSE },
		{ "pixels", "[1, 2, 3]", VL_EPARSE },
		{ "pixels", "", VL_EPARSE },
		{ "norm1", "[0.1, 0.2, 0.3 0.4]", VL_EPARSE },
		{ "qwen", "[1, 2, 3, 4]", VL_EPARSE },
		{ "qwen2", "<|box_start|>(1,2)<|box_end|>", VL_EPARSE },
		{ "qwen3", "[250, 500, 750, 1000]", VL_EPARSE },
		{ "qwen25", "{\"bbox\": [1, 2, 3, 4]}", VL_EPARSE },
		{ "cogvlm", "[250,500,750,999]", VL_EPARSE },
		{ "minigptv2", "<25><50><75><100>", VL_EPARSE },
		{ "kosmos2", "<patch_index_0000>", VL_EPARSE },
		{ "kosmos2", "<patch_index_0000><patch_index_1024>", VL_EPARSE },
		{ "paligemma", "<loc0256><loc0128><loc0768>", VL_EPARSE },
		{ "paligemma", "<loc256><loc128><loc768><loc512>", VL_EPARSE },
		{ "bogus", "[1, 2, 3, 4]", VL_EINVAL },
	};
	struct vl_buf err = VL_BUF_INIT;
	double b[4] = { -1, -1, -1, -1 };

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		int rc = vl_box_parse(rows[i].fmt, rows[i].text, W, H, b, NULL);
		if (rc != rows[i].rc)
			fail_msg("row %zu (%s '%s'): rc %d", i, rows[i].fmt, rows[i].text, rc);
	}
	assert_true(b[0] == -1);  /* untouched on failure */
	/* the image size is needed for every format except pixels and qwen25 */
	assert_int_equal(vl_box_parse("norm1", "[0.1, 0.2, 0.3, 0.4]", 0, 0, b, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err), "box_format 'norm1' needs the image size, which is unknown");
	assert_int_equal(vl_box_parse("pixels", "[1, 2, 3, 4]", 0, 0, b, NULL), 0);
	assert_int_equal(vl_box_parse("qwen25", "\"bbox_2d\": [1, 2, 3, 4]", 0, 0, b, NULL), 0);
	vl_buf_reset(&err);
	assert_int_equal(vl_box_parse("Pixels", "[1, 2, 3, 4]", W, H, b, &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "unknown box_format 'Pixels' (known: pixels norm1"));
	vl_buf_release(&err);
}

static void test_render_rows(void **state)
{
	static const struct { const char *fmt, *text; } rows[] = {
		{ "pixels", "[160, 240, 480, 480]" },
		{ "norm1", "[0.25, 0.5, 0.75, 1]" },
		{ "qwen", "<box>(250,500),(749,999)</box>" },
		{ "qwen1000", "<box>(250,500),(750,1000)</box>" },
		{ "qwen2", "<|box_start|>(250,500),(750,1000)<|box_end|>" },
		{ "qwen3", "[{\"bbox_2d\": [250, 500, 750, 1000], \"label\": \"object\"}]" },
		{ "qwen25", "[{\"bbox_2d\": [160, 240, 480, 480], \"label\": \"object\"}]" },
		{ "cogvlm", "[[250,500,750,999]]" },
		{ "ferret", "[250, 500, 750, 999]" },
		{ "minigptv2", "{<25><50><75><100>}" },
		{ "kosmos2", "<object><patch_index_0520><patch_index_1015></object>" },
		{ "internvl", "<box>[[250, 500, 750, 1000]]</box>" },
		{ "paligemma", "<loc0512><loc0256><loc1023><loc0768>" },
	};
	static const double box[4] = { 160, 240, 480, 480 };
	const char *const *names = vl_box_format_names();
	struct vl_buf out = VL_BUF_INIT;
	size_t n = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		vl_buf_reset(&out);
		assert_int_equal(vl_box_render(rows[i].fmt, box, W, H, &out, NULL), 0);
		if (strcmp(vl_buf_str(&out), rows[i].text))
			fail_msg("%s: '%s' != '%s'", rows[i].fmt, vl_buf_str(&out), rows[i].text);
		/* every format has a row, in the order of the name list */
		assert_string_equal(names[i], rows[i].fmt);
		n++;
	}
	assert_null(names[n]);
	vl_buf_release(&out);
}

/* Render then parse: pixel formats give the box back bit for bit, grid
 * formats within their quantisation; Kosmos-2's cell-centre convention loses
 * up to a cell. */
static void test_round_trip(void **state)
{
	static const double boxes[][4] = {
		{ 37.3, 81.9, 402.2, 377.7 }, { 0, 0, 427, 640 }, { 100.19, 154.62, 220.5, 421.54 },
	};
	const char *const *names = vl_box_format_names();
	struct vl_buf out = VL_BUF_INIT;

	for (size_t f = 0; names[f]; f++) {
		for (size_t i = 0; i < sizeof(boxes) / sizeof(*boxes); i++) {
			double back[4], iou, floor_iou;
			vl_buf_reset(&out);
			assert_int_equal(vl_box_render(names[f], boxes[i], 427, 640, &out, NULL), 0);
			assert_int_equal(vl_box_parse(names[f], vl_buf_str(&out), 427, 640, back, NULL), 0);
			iou = vl_iou(back, boxes[i]);
			floor_iou = !strcmp(names[f], "kosmos2") ? 0.5 : 0.9;
			if (!strcmp(names[f], "pixels") || !strcmp(names[f], "qwen25"))
				assert_memory_equal(back, boxes[i], sizeof(back));
			if (iou < floor_iou)
				fail_msg("%s box %zu: '%s' IoU %g", names[f], i, vl_buf_str(&out), iou);
		}
	}
	vl_buf_release(&out);
}

static void test_extractor(void **state)
{
	const struct vl_extractor *x = vl_extractor_find("box");
	struct vl_kv opts = { 0 };
	struct vl_buf out = VL_BUF_INIT;
	struct vl_sample s;

	assert_non_null(x);
	vl_sample_init(&s);
	s.image_w = W;
	s.image_h = H;
	vl_kv_set(&opts, "box_format", "qwen1000");
	assert_int_equal(x->extract("<ref>dog</ref><box>(250,500),(750,1000)</box>", &s, &opts, &out), 0);
	assert_string_equal(vl_buf_str(&out), "[160, 240, 480, 480]");
	vl_buf_reset(&out);
	assert_int_equal(x->extract("no idea", &s, &opts, &out), VL_EPARSE);
	assert_string_equal(vl_buf_str(&out), "");
	/* default format: pixels */
	vl_buf_reset(&out);
	assert_int_equal(x->extract("[1, 2, 3, 4]", &s, NULL, &out), 0);
	assert_string_equal(vl_buf_str(&out), "[1, 2, 3, 4]");
	/* render_truth: none without a box, the model's notation with one */
	vl_buf_reset(&out);
	assert_int_equal(x->render_truth(&s, &opts, &out), VL_ENOTFOUND);
	s.has_box = 1;
	s.box[0] = 160; s.box[1] = 240; s.box[2] = 480; s.box[3] = 480;
	assert_int_equal(x->render_truth(&s, &opts, &out), 0);
	assert_string_equal(vl_buf_str(&out), "<box>(250,500),(750,1000)</box>");
	vl_kv_set(&opts, "box_format", "nope");
	vl_buf_reset(&out);
	assert_int_equal(x->extract("[1, 2, 3, 4]", &s, &opts, &out), VL_EINVAL);
	vl_sample_release(&s);
	vl_kv_release(&opts);
	vl_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rows),
		cmocka_unit_test(test_grid_scales),
		cmocka_unit_test(test_parse_failures),
		cmocka_unit_test(test_render_rows),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_extractor),
	};
	return cmocka_run_group_tests_name("boxparse", tests, NULL, NULL);
}
