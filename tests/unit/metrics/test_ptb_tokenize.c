/*
 * test_ptb_tokenize.c - the C PTB tokenizer on tricky strings: rows of
 * input, flags and expected output.  The expected outputs follow the rules
 * written at the top of metrics/ptb_tokenize.c (CoreNLP 3.4.1's lexer as
 * documented); they could not be checked against the Java jar here.
 */
#include "test_helpers.h"

#include "metrics/ptb_tokenize.h"

struct trow { const char *in; int flags; const char *out; };

static const struct trow rows[] = {
	/* plain PTB tokens, no lowercasing or dropping */
	{ "Don't stop.", 0, "Do n't stop ." },
	{ "I can't, won't and cannot go", 0, "I ca n't , wo n't and can not go" },
	{ "It's John's dog; they're here, we'll see", 0,
	  "It 's John 's dog ; they 're here , we 'll see" },
	{ "the dogs' bowls", 0, "the dogs ' bowls" },
	{ "She said \"hello\" (twice) [ok] {x}", 0,
	  "She said `` hello '' -LRB- twice -RRB- -LRB- ok -RRB- -LCB- x -RCB-" },
	{ "'quoted' words", 0, "` quoted ' words" },
	{ "a black-and-white t-shirt, 2-year-old", 0, "a black-and-white t-shirt , 2-year-old" },
	{ "1,000 people paid $3.50 at 10:30", 0, "1,000 people paid $ 3.50 at 10:30" },
	{ "wait... what?! no!!", 0, "wait ... what ?! no !!" },
	{ "an em\xe2\x80\x94" "dash -- and - and ---", 0, "an em -- dash -- and - and --" },
	{ "\xe2\x80\x9csmart\xe2\x80\x9d quotes don\xe2\x80\x99t", 0, "`` smart '' quotes do n't" },
	{ "Mr. Smith met Dr. Who in the U.S. at 5 p.m.", 0,
	  "Mr. Smith met Dr. Who in the U.S. at 5 p.m." },
	{ "a grey colour", 0, "a gray color" },
	{ "A Grey Colour", 0, "A Grey Colour" },
	{ "and/or 1/2", 0, "and\\/or 1\\/2" },
	{ "o'clock rock'n'roll", 0, "o'clock rock'n'roll" },
	{ "caf\xc3\xa9 na\xc3\xafve", 0, "caf\xc3\xa9 na\xc3\xafve" },
	{ "tabs\tand\nnewlines\r\n", 0, "tabs and newlines" },
	{ "gonna wanna", 0, "gonna wanna" },
	{ "-5 degrees", 0, "-5 degrees" },
	{ "", 0, "" },
	/* what COCOEvalCap scores: lowercased, punctuation dropped; brackets
	 * survive as -lrb- because PUNCTUATIONS only lists "-LRB-" */
	{ "A man riding a wave on top of a surfboard.", VL_PTB_COCO,
	  "a man riding a wave on top of a surfboard" },
	{ "Two dogs (one brown) play; \"fetch\"!", VL_PTB_COCO,
	  "two dogs -lrb- one brown -rrb- play fetch" },
	{ "Don't you SEE it?", VL_PTB_COCO, "do n't you see it" },
	{ "CAF\xc3\x89 \xc3\x9c" "BER", VL_PTB_COCO, "caf\xc3\xa9 \xc3\xbc" "ber" },
	{ "...", VL_PTB_COCO, "" },
	{ "a grey cat - sitting", VL_PTB_COCO, "a gray cat sitting" },
};

static void test_rows(void **state)
{
	struct vl_buf out = VL_BUF_INIT;
	int bad = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		vl_buf_reset(&out);
		vl_ptb_tokenize(rows[i].in, rows[i].flags, &out);
		if (strcmp(vl_buf_str(&out), rows[i].out)) {
			print_error("row %zu: '%s' -> '%s', want '%s'\n", i, rows[i].in,
				    vl_buf_str(&out), rows[i].out);
			bad++;
		}
	}
	vl_buf_release(&out);
	assert_int_equal(bad, 0);
}

static void test_appends_and_invalid_utf8(void **state)
{
	struct vl_buf out = VL_BUF_INIT;

	vl_buf_adds(&out, "prefix|");
	vl_ptb_tokenize("A b", VL_PTB_LOWER, &out);
	assert_string_equal(vl_buf_str(&out), "prefix|a b");
	vl_buf_reset(&out);
	/* invalid bytes stay inside their word, never crash */
	vl_ptb_tokenize("ab\xff" "cd \xc3", VL_PTB_COCO, &out);
	assert_string_equal(vl_buf_str(&out), "ab\xff" "cd \xc3");
	vl_buf_release(&out);
	assert_true(vl_ptb_is_coco_punct("...", 3));
	assert_false(vl_ptb_is_coco_punct("-lrb-", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_appends_and_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
