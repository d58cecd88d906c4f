/*
 * test_ptb_tokenize.c - the C PTB tokenizer against the real CoreNLP 3.4.1
 * PTBTokenizer: every line of tests/fixtures/ptb/tokens (captions.txt in,
 * corenlp_raw.txt the Java tokenizer's own output with -preserveLines
 * -lowerCase, expected.json the tokens after pycocoevalcap's PUNCTUATIONS
 * removal), each line tokenized with the line after it as its context, as
 * in the file the Java tokenizer reads.  Then a few rows for what the
 * fixture does not hold, each derived from a lexer rule.
 */
#include "test_helpers.h"

#include "metrics/ptb_tokenize.h"

#define DIR "tests/fixtures/ptb/tokens/"

/* Splits text at '\n' in place (a final line break ends the last line);
 * returns the line count. */
static size_t split_lines(char *text, char ***lines)
{
	size_t n = 1, k = 0, len = strlen(text);

	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	for (char *p = text; *p; p++)
		n += *p == '\n';
	*lines = calloc(n, sizeof(**lines));
	(*lines)[k++] = text;
	for (char *p = text; *p; p++)
		if (*p == '\n') {
			*p = '\0';
			(*lines)[k++] = p + 1;
		}
	return n;
}

static void read_text(const char *path, struct vl_buf *b)
{
	struct vl_buf err = VL_BUF_INIT;

	if (vl_read_file(path, b, &err) < 0) {
		print_error("%s\n", vl_buf_str(&err));
		fail();
	}
	vl_buf_release(&err);
}

static void test_every_fixture_line(void **state)
{
	struct vl_buf in = VL_BUF_INIT, raw = VL_BUF_INIT, out = VL_BUF_INIT;
	char **cap, **want;
	size_t ncap, nraw;
	cJSON *exp = th_load_json(DIR "expected.json");
	int bad = 0;

	read_text(DIR "captions.txt", &in);
	read_text(DIR "corenlp_raw.txt", &raw);
	ncap = split_lines(in.buf, &cap);
	nraw = split_lines(raw.buf, &want);
	assert_int_equal(ncap, 573);
	assert_int_equal(nraw, ncap);
	assert_int_equal(cJSON_GetArraySize(exp), (int)ncap);
	for (size_t i = 0; i < ncap; i++) {
		const char *next = i + 1 < ncap ? cap[i + 1] : "";   /* the file ends with \n */
		char key[24];
		const cJSON *e;

		vl_buf_reset(&out);
		vl_ptb_tokenize_line(cap[i], next, VL_PTB_LOWER, &out);
		if (strcmp(vl_buf_str(&out), want[i])) {
			print_error("line %zu raw: '%s' -> '%s', CoreNLP '%s'\n", i, cap[i],
				    vl_buf_str(&out), want[i]);
			bad++;
		}
		snprintf(key, sizeof(key), "%zu", i);
		e = cJSON_GetObjectItemCaseSensitive(exp, key);
		assert_non_null(e);
		vl_buf_reset(&out);
		vl_ptb_tokenize_line(cap[i], next, VL_PTB_COCO, &out);
		if (strcmp(vl_buf_str(&out), e->valuestring)) {
			print_error("line %zu final: '%s' -> '%s', want '%s'\n", i, cap[i],
				    vl_buf_str(&out), e->valuestring);
			bad++;
		}
		/* the final tokens never depend on the next line */
		vl_buf_reset(&out);
		vl_ptb_tokenize(cap[i], VL_PTB_COCO, &out);
		if (strcmp(vl_buf_str(&out), e->valuestring)) {
			print_error("line %zu without context: '%s'\n", i, vl_buf_str(&out));
			bad++;
		}
	}
	free(cap);
	free(want);
	cJSON_Delete(exp);
	vl_buf_release(&in);
	vl_buf_release(&raw);
	vl_buf_release(&out);
	assert_int_equal(bad, 0);
}

struct trow { const char *in, *next; int flags; const char *out; };

static const struct trow rows[] = {
	/* ABBREV1 then a capital on the next line: the period is repeated */
	{ "Corp.", "The end", VL_PTB_LOWER, "corp. ." },
	{ "Corp.", "the end", VL_PTB_LOWER, "corp." },
	{ "Corp.", NULL, VL_PTB_LOWER, "corp." },
	/* an acronym before "The" on the same line: repeated too */
	{ "the U.S. The end", NULL, 0, "the U.S. . The end" },
	{ "'tis 'Twas dunno gotta gimme", NULL, VL_PTB_LOWER, "'t is 't was du nno got ta gim me" },
	/* APOWORD: two letters, the last a vowel, an apostrophe, a vowel: one
	 * word; after one letter APOWORD2 "y'" takes over */
	{ "ma'am y'all rock 'n' roll 'em 'cause O'Neill", NULL, 0,
	  "ma'am y' all rock 'n' roll 'em 'cause O'Neill" },
	{ "1 1/2 cups, call 555 123 4567", NULL, 0,
	  "1\xc2\xa0" "1/2 cups , call 555\xc2\xa0" "123\xc2\xa0" "4567" },
	{ "\xe2\x85\x94 \xc2\xa3" "5 \xe2\x82\xac" "3 \xc2\xa2", NULL, 0, "2/3 # 5 $ 3 cents" },
	{ "x\xf0\x9f\x98\x80y a\xff" "b", NULL, 0, "x y a b" },
	{ "&amp; AT&amp;T S&P-500 -LRB-", NULL, 0, "& AT&T S&P-500 -LRB-" },
	{ "see http://a.org/x). or www.b.co.uk/y, e-mail a.b@c.d.", NULL, 0,
	  "see http://a.org/x -RRB- . or www.b.co.uk / y , e-mail a.b@c.d ." },
	{ "\xe2\x80\x98" "a\xe2\x80\x99 \xe2\x80\x9e" "b\xe2\x80\x9f", NULL, 0,
	  "` a ' \xe2\x80\x9e b \xe2\x80\x9f" },
	{ "a ----- b ... . . . c", NULL, 0, "a ----- b ... ... c" },
	{ "\xce\xa3\xce\xa3 \xc4\xb0I", NULL, VL_PTB_LOWER, "\xcf\x83\xcf\x82 i\xcc\x87i" },
	{ "", NULL, VL_PTB_COCO, "" },
	{ "...", NULL, VL_PTB_COCO, "" },
	/* brackets survive the removal: the list holds upper-case -LRB- */
	{ "Two dogs (one brown) [ok] {x}!", NULL, VL_PTB_COCO,
	  "two dogs -lrb- one brown -rrb- -lsb- ok -rsb- -lcb- x -rcb-" },
	{ "Two dogs (one brown) {x}!", NULL, VL_PTB_DROP_PUNCT, "Two dogs one brown x" },
};

static void test_rows(void **state)
{
	struct vl_buf out = VL_BUF_INIT;
	int bad = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		vl_buf_reset(&out);
		vl_ptb_tokenize_line(rows[i].in, rows[i].next, rows[i].flags, &out);
		if (strcmp(vl_buf_str(&out), rows[i].out)) {
			print_error("row %zu: '%s' -> '%s', want '%s'\n", i, rows[i].in,
				    vl_buf_str(&out), rows[i].out);
			bad++;
		}
	}
	vl_buf_release(&out);
	assert_int_equal(bad, 0);
}

static void test_appends(void **state)
{
	struct vl_buf out = VL_BUF_INIT;

	vl_buf_adds(&out, "prefix|");
	vl_ptb_tokenize("A dog.", VL_PTB_COCO, &out);
	assert_string_equal(vl_buf_str(&out), "prefix|a dog");
	vl_buf_reset(&out);
	vl_buf_adds(&out, "p|");
	vl_ptb_tokenize(". ,", VL_PTB_COCO, &out);
	assert_string_equal(vl_buf_str(&out), "p|");
	vl_buf_release(&out);
	assert_true(vl_ptb_is_coco_punct("...", 3));
	assert_true(vl_ptb_is_coco_punct("-LRB-", 5));
	assert_false(vl_ptb_is_coco_punct("-lrb-", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_fixture_line),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_appends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
