/*
 * test_vlmeval_tsv.c - the VLMEvalKit TSV loader: a hand-written MMBench-
 * style file (quoted cells with tabs, newlines and doubled quotes, image
 * back-references backwards and forwards, short rows, bad base64, option
 * gaps), an MME-style yes/no file with CRLF line ends, and generated files
 * for the remaining edge cases.
 */
#include "loader_helpers.h"

#include "core/base64.h"

static const struct vl_sample *by_id(const struct th_loaded *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->s[i].id, id))
			return &l->s[i];
	print_error("no sample '%s'\n", id);
	fail();
	return NULL;
}

static void test_mmbench(void **state)
{
	struct th_loaded l;
	const struct vl_sample *s;

	th_load("{\"format\":\"vlmeval_tsv\",\"path\":"
		"\"tests/fixtures/vlmeval_tsv/MMBench_DEV_EN.tsv\"}", ".", &l);
	assert_int_equal(l.open_rc, 0);
	assert_int_equal(l.n, 4);
	s = &l.s[0];
	assert_string_equal(s->id, "0");
	assert_string_equal(s->question, "What is shown?");
	assert_null(s->hint);
	assert_int_equal(s->options.n, 2);
	assert_string_equal(s->options.v[1], "a dog");
	assert_string_equal(s->answer_letter, "B");
	assert_int_equal(s->answers.n, 0);
	assert_int_equal(s->label, VL_LABEL_NONE);
	assert_string_equal(vl_sample_meta(s, "category"), "attribute_recognition");
	assert_string_equal(vl_sample_meta(s, "l2-category"),
			    "finegrained_perception (instance-level)");
	assert_string_equal(vl_sample_meta(s, "split"), "dev");
	assert_non_null(s->image_b64);
	assert_int_equal(strncmp(s->image_b64, "iVBORw0KGgo", 11), 0);
	assert_int_equal(s->image_w, 2);
	assert_int_equal(s->image_h, 3);
	assert_int_equal(s->images.n, 0);

	s = &l.s[1];
	assert_string_equal(s->id, "1");
	assert_string_equal(s->question, "Which one is \"correct\"?\nPick\tone");
	assert_string_equal(s->hint, "Read it.");
	assert_int_equal(s->options.n, 4);
	assert_string_equal(s->answer_letter, "D");
	assert_string_equal(s->image_b64, l.s[0].image_b64);
	assert_string_equal(vl_sample_meta(s, "image_of"), "0");
	assert_null(vl_sample_meta(s, "split"));

	s = by_id(&l, "4");
	assert_int_equal(s->image_w, 4);
	assert_int_equal(s->image_h, 1);
	assert_string_equal(s->image_b64, by_id(&l, "9")->image_b64);
	s = by_id(&l, "9");
	assert_null(s->hint);                       /* "nan" is NaN to pandas */
	assert_string_equal(s->options.v[0], "yes");
	assert_string_equal(s->answer_letter, "A");

	assert_int_equal(l.errors.n, 6);
	assert_contains(l.errors.v[0], "MMBench_DEV_EN.tsv' line 5 column 6 (\"C\"): 5 columns, "
			"the header has 14");
	assert_contains(l.errors.v[1], "line 6 column 10 (\"image\"): invalid base64 at offset 40");
	assert_contains(l.errors.v[2], "line 9 column 10 (\"image\"): refers to row index '77'");
	assert_contains(l.errors.v[3], "line 10 column 6 (\"C\"): option C is given but option B "
			"is empty");
	assert_contains(l.errors.v[4], "line 11 column 8 (\"answer\"): 'E' is not one of the 2");
	assert_contains(l.errors.v[5], "line 12 column 10 (\"image\"): base64 decodes to not a "
			"readable image");
	th_loaded_release(&l);
}

static void test_mme_yes_no(void **state)
{
	struct th_loaded l;

	th_load("{\"format\":\"vlmeval_tsv\",\"path\":\"tests/fixtures/vlmeval_tsv/MME.tsv\"}",
		".", &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.errors.n, 0);
	assert_int_equal(l.s[0].label, VL_LABEL_YES);
	assert_string_equal(l.s[0].label_text, "Yes");
	assert_string_equal(l.s[0].answers.v[0], "Yes");
	assert_int_equal(l.s[1].label, VL_LABEL_NO);
	assert_string_equal(l.s[1].image_b64, l.s[0].image_b64);
	assert_string_equal(vl_sample_meta(&l.s[2], "category"), "color");
	assert_null(l.s[2].answer_letter);
	assert_int_equal(l.s[2].options.n, 0);
	/* CRLF line ends are not part of the last cell */
	assert_string_equal(vl_sample_meta(&l.s[0], "category"), "existence");
	th_loaded_release(&l);
}

static void test_generated_edge_cases(void **state)
{
	char dir[64], spec[256];
	struct th_loaded l;

	th_tmpdir(dir, sizeof(dir));
	snprintf(spec, sizeof(spec), "{\"format\":\"vlmeval_tsv\",\"path\":\"%s/t.tsv\","
		 "\"images\":\"%s\"}", dir, dir);
	/* unterminated quote: the rows before it load */
	th_write_str(dir, "t.tsv", "index\tquestion\timage_path\n1\tq\ta.jpg\n2\t\"open\tb.jpg\n");
	th_load(spec, ".", &l);
	assert_int_equal(l.n, 1);
	assert_path_ends(l.s[0].images.v[0], "/a.jpg");
	assert_int_equal(l.errors.n, 1);
	assert_contains(l.errors.v[0], "t.tsv' line 3: quoted cell never closed");
	th_loaded_release(&l);
	/* invalid UTF-8, escaping image path, missing last newline */
	th_write_str(dir, "t.tsv", "index\tquestion\timage_path\n1\tcaf\xe9\ta.jpg\n"
		     "2\tq\t../x.jpg\n3\tq\tsub/c.jpg");
	th_load(spec, ".", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.s[0].id, "3");
	assert_path_ends(l.s[0].images.v[0], "/sub/c.jpg");
	assert_int_equal(l.errors.n, 2);
	assert_contains(l.errors.v[0], "line 2 column 2 (\"question\"): invalid UTF-8");
	assert_contains(l.errors.v[1], "line 3: \"image\": image reference '../x.jpg' escapes");
	th_loaded_release(&l);
	/* header without a question column */
	th_write_str(dir, "t.tsv", "index\timage\tanswer\n");
	th_load(spec, ".", &l);
	assert_int_equal(l.open_rc, VL_EPARSE);
	assert_contains(vl_buf_str(&l.open_err), "line 1: header has no \"question\" column");
	th_loaded_release(&l);
	th_rmtree(dir);
}

/* A forward reference to an image cell larger than the read buffer, and
 * validation switched off. */
static void test_big_forward_reference(void **state)
{
	static const unsigned char png_head[] = {
		0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
		0, 0, 0x01, 0x2c, 0, 0, 0, 0xc8, 8, 2, 0, 0, 0, 0x3a, 0x7e, 0x9b, 0x55,
	};
	size_t n = 1500 * 1000;
	unsigned char *img = vl_xcalloc(n, 1);
	struct vl_buf tsv = VL_BUF_INIT;
	char dir[64], spec[256];
	struct th_loaded l;

	memcpy(img, png_head, sizeof(png_head));
	vl_buf_adds(&tsv, "index\tquestion\timage\n0\tfirst\t1\n1\tsecond\t");
	vl_base64_encode_buf(&tsv, img, n);
	vl_buf_adds(&tsv, "\n2\tthird\tnot base64 but validation is off, so it passes as is\n");
	th_tmpdir(dir, sizeof(dir));
	th_write(dir, "t.tsv", tsv.buf, tsv.len);
	snprintf(spec, sizeof(spec), "{\"format\":\"vlmeval_tsv\",\"path\":\"%s/t.tsv\"}", dir);
	th_load(spec, ".", &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.errors.n, 1); /* the third: 64 characters or fewer make a reference */
	assert_contains(l.errors.v[0], "refers to row index 'not base64");
	assert_int_equal(strlen(l.s[0].image_b64), vl_base64_encoded_len(n));
	assert_string_equal(l.s[0].image_b64, l.s[1].image_b64);
	assert_int_equal(l.s[0].image_w, 300);
	assert_int_equal(l.s[0].image_h, 200);
	th_loaded_release(&l);
	snprintf(spec, sizeof(spec), "{\"format\":\"vlmeval_tsv\",\"path\":\"%s/t.tsv\","
		 "\"validate_images\":false}", dir);
	th_load(spec, ".", &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.s[0].image_w, 0);
	th_loaded_release(&l);
	th_rmtree(dir);
	vl_buf_release(&tsv);
	vl_free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmbench),
		cmocka_unit_test(test_mme_yes_no),
		cmocka_unit_test(test_generated_edge_cases),
		cmocka_unit_test(test_big_forward_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
