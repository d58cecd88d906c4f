/*
 * test_answer.c - pixels' reading of the synthetic suite's prompts, on a
 * hand-made scene: every question template, the POPE, multiple-choice,
 * caption and referring-expression prompts as the synth_* tasks render them.
 */
#include "test_helpers.h"

#include "backends/pixels/answer.h"

/* red circle (large, left), blue square (small, right), blue triangle
 * (medium, middle top), orange star (medium, bottom) */
static const struct px_scene scene = {
	.w = 192, .h = 144, .n = 4,
	.obj = {
		{ .colour = 0, .shape = 0, .size = 2, .box = { 5, 50, 45, 90 }, .area = 1250 },
		{ .colour = 4, .shape = 1, .size = 0, .box = { 160, 60, 176, 76 }, .area = 256 },
		{ .colour = 4, .shape = 2, .size = 1, .box = { 90, 5, 115, 30 }, .area = 300 },
		{ .colour = 1, .shape = 4, .size = 1, .box = { 100, 110, 126, 134 }, .area = 200 },
	},
};

static void expect(const char *prompt, const char *want)
{
	struct vl_buf out = VL_BUF_INIT;

	px_answer(&scene, prompt, &out);
	if (strcmp(vl_buf_str(&out), want))
		print_error("prompt %s\n  answered '%s', wanted '%s'\n", prompt, vl_buf_str(&out), want);
	assert_string_equal(vl_buf_str(&out), want);
	vl_buf_release(&out);
}

#define VQA "\nAnswer the question using a single word or phrase."

static void test_vqa_templates(void **state)
{
	expect("How many squares are there?" VQA, "1");
	expect("How many blue shapes are there?" VQA, "2");
	expect("How many crosses are there?" VQA, "0");
	expect("What color is the triangle?" VQA, "blue");
	expect("What is the shape of the orange object?" VQA, "star");
	expect("Is there a red circle in the picture?" VQA, "yes");
	expect("Is there a green circle in the picture?" VQA, "no");
	expect("Are there more squares than stars?" VQA, "no");
	expect("Are there more circles than crosses?" VQA, "yes");
	expect("Why is the sky blue?" VQA, "unknown");
}

static void test_pope(void **state)
{
	expect("Is there an orange star in the image? Answer yes or no.", "yes");
	expect("Is there a blue circle in the image? Answer yes or no.", "no");
}

static void test_mcq(void **state)
{
	expect("\nWhat color is the square?\nA. red\nB. green\nC. blue\nD. pink\n"
	       "Answer with the option's letter from the given choices directly.", "C");
	expect("The image shows shapes.\nHow many shapes are in the image?\nA. 5\nB. 3\nC. 4\nD. 2\n"
	       "Answer with the option's letter from the given choices directly.", "C");
	expect("\nWhich object is furthest to the left?\nA. the blue square\nB. the red circle\n"
	       "C. the orange star\nAnswer with the option's letter from the given choices directly.",
	       "B");
	expect("\nWhat size is the blue triangle?\nA. small\nB. medium\nC. large\n"
	       "Answer with the option's letter from the given choices directly.", "B");
	/* no option matches: the first letter */
	expect("\nWhat shape is the purple object?\nA. circle\nB. cross\n"
	       "Answer with the option's letter from the given choices directly.", "A");
}

static void test_caption(void **state)
{
	expect("Provide a one-sentence caption for the provided image.",
	       "A red circle, a blue triangle, an orange star and a blue square on a gray background.");
}

static void test_grounding(void **state)
{
	static const char pre[] = "Please output the bounding box of the region this sentence describes: ";
	static const char post[] = "\nAnswer with [x1, y1, x2, y2] in pixel coordinates of the image.";
	struct vl_buf p = VL_BUF_INIT;
	static const char *const cases[][2] = {
		{ "the red circle", "[5, 50, 45, 90]" },
		{ "the small blue square", "[160, 60, 176, 76]" },
		{ "the blue shape at the top", "[90, 5, 115, 30]" },
		{ "the blue triangle on the right", "[90, 5, 115, 30]" },
		{ "the blue square on the left", "[160, 60, 176, 76]" },
		{ "the star", "[100, 110, 126, 134]" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		vl_buf_reset(&p);
		vl_buf_addf(&p, "%s%s%s", pre, cases[i][0], post);
		expect(p.buf, cases[i][1]);
	}
	vl_buf_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vqa_templates),
		cmocka_unit_test(test_pope),
		cmocka_unit_test(test_mcq),
		cmocka_unit_test(test_caption),
		cmocka_unit_test(test_grounding),
	};
	return cmocka_run_group_tests_name("pixels/answer", tests, NULL, NULL);
}
