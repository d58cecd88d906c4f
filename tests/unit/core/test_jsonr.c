/*
 * test_jsonr.c - the streaming JSON reader: token streams of valid
 * documents, every error class with its line and column, escapes and
 * surrogates, and the same documents read through tiny buffers so that
 * tokens are split at every position.
 */
#include "test_helpers.h"

#include <unistd.h>

#include "core/jsonr.h"

/* Renders the token stream of r as text: { } [ ] k:KEY s:STR n:NUM t f z,
 * or "ERR: message" at the first error. */
static void dump(struct vl_jsonr *r, struct vl_buf *out)
{
	struct vl_buf err = VL_BUF_INIT;

	for (;;) {
		int t = vl_jsonr_next(r, &err);
		if (out->len && t != VL_J_END)
			vl_buf_addch(out, ' ');
		switch (t) {
		case VL_J_END: vl_buf_release(&err); return;
		case VL_J_ERROR:
			vl_buf_addf(out, "ERR: %s", vl_buf_str(&err));
			vl_buf_release(&err);
			return;
		case VL_J_OBJ: vl_buf_adds(out, "{"); break;
		case VL_J_OBJ_END: vl_buf_adds(out, "}"); break;
		case VL_J_ARR: vl_buf_adds(out, "["); break;
		case VL_J_ARR_END: vl_buf_adds(out, "]"); break;
		case VL_J_KEY: vl_buf_addf(out, "k:%s", r->str.buf); break;
		case VL_J_STR: vl_buf_addf(out, "s:%s", r->str.buf); break;
		case VL_J_NUM:
			vl_buf_addf(out, "n:%s%s", r->str.buf, r->is_int ? "i" : "");
			break;
		case VL_J_TRUE: vl_buf_adds(out, "t"); break;
		case VL_J_FALSE: vl_buf_adds(out, "f"); break;
		case VL_J_NULL: vl_buf_adds(out, "z"); break;
		}
	}
}

static const struct { const char *doc, *want; } rows[] = {
	{ "{}", "{ }" },
	{ " [ ] ", "[ ]" },
	{ "{\"a\": [1, -2.5e3, 0, true, false, null, \"x\"]}",
	  "{ k:a [ n:1i n:-2.5e3 n:0i t f z s:x ] }" },
	{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "s:\"\\/\b\f\n\r\t" },
	{ "\"\\u00e9\\u20AC\\ud83d\\ude00\"", "s:\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80" },
	{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "s:caf\xc3\xa9 \xf0\x9f\x98\x80" },
	{ "[[[]],{\"k\":{}}]", "[ [ [ ] ] { k:k { } } ]" },
	{ "12345678901234567890", "n:12345678901234567890" },
	{ "1E+2", "n:1E+2" },
	/* long strings: the 16- and 8-byte scans, a special byte at each
	 * kind of position (first, inside, last of a block, in the tail) */
	{ "[\"abcdefghijklmnopqrstuvwxyz0123456789\", \"abcdefghijklmno\\\"pqrstuvwxyz\"]",
	  "[ s:abcdefghijklmnopqrstuvwxyz0123456789 s:abcdefghijklmno\"pqrstuvwxyz ]" },
	{ "[\"\\nabcdefghijklmnopq\", \"abcdefgh\xc3\xa9ijklmnopqrstu\", \"abcdefghijklmnopqrstuvw\\t\"]",
	  "[ s:\nabcdefghijklmnopq s:abcdefgh\xc3\xa9ijklmnopqrstu s:abcdefghijklmnopqrstuvw\t ]" },
	{ "{\"a_sixteen_bytes\": \"exactly sixteen!\", \"k\": \"0123456789abcde\"}",
	  "{ k:a_sixteen_bytes s:exactly sixteen! k:k s:0123456789abcde }" },
	/* integers on the fast path (up to 15 digits) and past it */
	{ "[123456789012345, 1234567890123456, -42, 0, -0, 7.5, 10e2, 99]",
	  "[ n:123456789012345i n:1234567890123456i n:-42i n:0i n:-0i n:7.5 n:10e2 n:99i ]" },
	/* errors, with line and column */
	{ "[\"abcdefghijklmnopqrstuvw\x01xyz\"]", "ERR: cannot parse 't' line 1 column 26: control character in string" },
	{ "[\"abcdefghijklmnopqrstuvw\xffxyz\"]", "ERR: cannot parse 't' line 1 column 26: invalid UTF-8 in string" },
	{ "[\"abcdefghijklmnopqrstuvwxyz0123456789", "ERR: cannot parse 't' line 1 column 39: unexpected end of file in a string (truncated JSON?)" },
	{ "[12345678901234]x", "ERR: cannot parse 't' line 1 column 17: extra data after the JSON document" },
	{ "[1234567890-1]", "ERR: cannot parse 't' line 1 column 12: expected ',' or ']'" },
	{ "", "ERR: cannot parse 't' line 1 column 1: empty file" },
	{ "{\"a\":1", "ERR: cannot parse 't' line 1 column 7: unexpected end of file (truncated JSON?)" },
	{ "{\"a\":1,}", "ERR: cannot parse 't' line 1 column 8: expected a string key" },
	{ "[1,]", "ERR: cannot parse 't' line 1 column 4: unexpected closing bracket" },
	{ "[1 2]", "ERR: cannot parse 't' line 1 column 4: expected ',' or ']'" },
	{ "{\"a\" 1}", "ERR: cannot parse 't' line 1 column 6: expected ':' after object key" },
	{ "[1]\n x", "ERR: cannot parse 't' line 2 column 2: extra data after the JSON document" },
	{ "[1}", "ERR: cannot parse 't' line 1 column 3: mismatched closing bracket" },
	{ "{1:2}", "ERR: cannot parse 't' line 1 column 2: expected a string key" },
	{ "[01]", "ERR: cannot parse 't' line 1 column 3: expected ',' or ']'" },
	{ "[1.]", "ERR: cannot parse 't' line 1 column 4: invalid number (no digit after '.')" },
	{ "[1e]", "ERR: cannot parse 't' line 1 column 4: invalid number (no digit in exponent)" },
	{ "[-]", "ERR: cannot parse 't' line 1 column 3: invalid number" },
	{ "[NaN]", "ERR: cannot parse 't' line 1 column 2: expected a value" },
	{ "[tru]", "ERR: cannot parse 't' line 1 column 5: invalid literal (expected a value)" },
	{ "\"a\nb\"", "ERR: cannot parse 't' line 1 column 3: unterminated string (raw newline)" },
	{ "\"a\x01\"", "ERR: cannot parse 't' line 1 column 3: control character in string" },
	{ "\"\\x\"", "ERR: cannot parse 't' line 1 column 4: invalid escape in string" },
	{ "\"\\u12g4\"", "ERR: cannot parse 't' line 1 column 6: invalid \\u escape in string" },
	{ "\"\\ud83d\"", "ERR: cannot parse 't' line 1 column 8: lone high surrogate \\u escape in string" },
	{ "\"\\ud83d\\u0041\"", "ERR: cannot parse 't' line 1 column 14: lone high surrogate \\u escape in string" },
	{ "\"\\ude00\"", "ERR: cannot parse 't' line 1 column 8: lone low surrogate \\u escape in string" },
	{ "\"\\u0000\"", "ERR: cannot parse 't' line 1 column 8: \\u0000 in a string is not supported" },
	{ "\"\xc3\"", "ERR: cannot parse 't' line 1 column 3: invalid UTF-8 in string" },
	{ "\"\xc0\xaf\"", "ERR: cannot parse 't' line 1 column 4: invalid UTF-8 in string" },
	{ "\"\xed\xa0\x80\"", "ERR: cannot parse 't' line 1 column 5: invalid UTF-8 in string" },
	{ "\"\xff\"", "ERR: cannot parse 't' line 1 column 2: invalid UTF-8 in string" },
	{ "\"abc", "ERR: cannot parse 't' line 1 column 5: unexpected end of file in a string (truncated JSON?)" },
	{ "{\n  \"a\": [\n    1,\n    ]\n}", "ERR: cannot parse 't' line 4 column 5: unexpected closing bracket" },
};

static void test_rows(void **state)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_jsonr r;
		struct vl_buf out = VL_BUF_INIT;
		vl_jsonr_open_mem(&r, "t", rows[i].doc, strlen(rows[i].doc));
		dump(&r, &out);
		/* the error text stops at the first token that failed: keep only
		 * the part before the first ERR for the prefix tokens */
		const char *got = vl_buf_str(&out), *e = strstr(got, "ERR:");
		const char *cmp = strstr(rows[i].want, "ERR:") && e ? e : got;
		if (strcmp(cmp, rows[i].want))
			print_error("row %zu: got '%s' want '%s'\n", i, cmp, rows[i].want);
		assert_string_equal(cmp, rows[i].want);
		vl_jsonr_close(&r);
		vl_buf_release(&out);
	}
}

/* Every row read from a file through buffers of 1..9, 15..17 and 31 bytes
 * (the 8- and 16-byte scans meet the buffer's end) gives the same
 * tokens and the same error (with the file's name) as in memory. */
static void test_buffer_splits(void **state)
{
	char path[] = "/tmp/vleval-jsonr-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf want = VL_BUF_INIT;
		struct vl_jsonr r;
		FILE *f = fopen(path, "wb");
		fwrite(rows[i].doc, 1, strlen(rows[i].doc), f);
		fclose(f);
		vl_jsonr_open_mem(&r, path, rows[i].doc, strlen(rows[i].doc));
		dump(&r, &want);
		vl_jsonr_close(&r);
		static const size_t sizes[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31 };
		for (size_t si = 0; si < sizeof(sizes) / sizeof(*sizes); si++) {
			size_t bs = sizes[si];
			struct vl_buf got = VL_BUF_INIT;
			assert_int_equal(vl_jsonr_open(&r, path, NULL), 0);
			vl_jsonr_set_bufsize(&r, bs);
			dump(&r, &got);
			vl_jsonr_close(&r);
			if (strcmp(vl_buf_str(&got), vl_buf_str(&want)))
				print_error("row %zu bufsize %zu: '%s' vs '%s'\n", i, bs,
					    vl_buf_str(&got), vl_buf_str(&want));
			assert_string_equal(vl_buf_str(&got), vl_buf_str(&want));
			vl_buf_release(&got);
		}
		vl_buf_release(&want);
	}
	unlink(path);
}

static void test_skip(void **state)
{
	const char *doc = "{\"skip\": {\"a\": [1, {\"b\": [[]]}], \"c\": \"}\"}, \"keep\": 7}";
	struct vl_jsonr r;
	struct vl_buf err = VL_BUF_INIT;

	vl_jsonr_open_mem(&r, "t", doc, strlen(doc));
	assert_int_equal(vl_jsonr_next(&r, &err), VL_J_OBJ);
	assert_int_equal(vl_jsonr_next(&r, &err), VL_J_KEY);
	assert_int_equal(vl_jsonr_skip(&r, vl_jsonr_next(&r, &err), &err), 0);
	assert_int_equal(vl_jsonr_depth(&r), 1);
	assert_int_equal(vl_jsonr_next(&r, &err), VL_J_KEY);
	assert_string_equal(r.str.buf, "keep");
	assert_int_equal(vl_jsonr_next(&r, &err), VL_J_NUM);
	assert_true(r.is_int && r.inum == 7 && r.num == 7.0);
	assert_int_equal(vl_jsonr_next(&r, &err), VL_J_OBJ_END);
	assert_int_equal(vl_jsonr_next(&r, &err), VL_J_END);
	vl_jsonr_close(&r);
	vl_buf_release(&err);
}

/* vl_jsonr_skip_value on every member of an object: the kind of each
 * skipped value, and the same errors as a full read (a skipped string is
 * still checked for escapes, control characters and UTF-8), in memory and
 * through small buffers. */
static const struct { const char *doc, *want; } skip_rows[] = {
	{ "{\"a\": \"plain\", \"b\": 123, \"c\": \"x\\\"y\", \"d\": \"caf\xc3\xa9\", \"e\": -1.5e3, "
	  "\"f\": [1, {\"g\": 2}], \"h\": {}, \"i\": true, \"j\": null, \"k\": 0, \"l\": 12}",
	  "a:string b:number c:string d:string e:number f:array h:object i:boolean j:null k:number l:number END" },
	{ "{\"a\": \"ok\", \"b\": \"bad \xff\"}", "a:string ERR: cannot parse 't' line 1 column 23: invalid UTF-8 in string" },
	{ "{\"a\": \"bad \\q\"}", "ERR: cannot parse 't' line 1 column 14: invalid escape in string" },
	{ "{\"a\": 12x}", "a:number ERR: cannot parse 't' line 1 column 9: expected ',' or '}'" },
	{ "{\"a\": [1, }", "ERR: cannot parse 't' line 1 column 11: unexpected closing bracket" },
	{ "{\"a\": \"unterminated", "ERR: cannot parse 't' line 1 column 20: unexpected end of file in a string (truncated JSON?)" },
};

static void dump_skipping(struct vl_jsonr *r, struct vl_buf *out)
{
	struct vl_buf err = VL_BUF_INIT;
	int t = vl_jsonr_next(r, &err);

	assert_int_equal(t, VL_J_OBJ);
	while ((t = vl_jsonr_next(r, &err)) == VL_J_KEY) {
		char key[16];
		snprintf(key, sizeof(key), "%s", r->str.buf);
		t = vl_jsonr_skip_value(r, &err);
		if (t == VL_J_ERROR)
			break;
		vl_buf_addf(out, "%s:%s ", key, vl_jsonr_tok_name(t));
	}
	if (t == VL_J_OBJ_END && vl_jsonr_next(r, &err) == VL_J_END)
		vl_buf_adds(out, "END");
	else
		vl_buf_addf(out, "ERR: %s", vl_buf_str(&err));
	vl_buf_release(&err);
}

static void test_skip_value(void **state)
{
	char path[] = "/tmp/vleval-jsonr-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < sizeof(skip_rows) / sizeof(*skip_rows); i++) {
		struct vl_buf got = VL_BUF_INIT;
		struct vl_jsonr r;
		FILE *f;

		vl_jsonr_open_mem(&r, "t", skip_rows[i].doc, strlen(skip_rows[i].doc));
		dump_skipping(&r, &got);
		vl_jsonr_close(&r);
		if (strcmp(vl_buf_str(&got), skip_rows[i].want))
			print_error("row %zu: got '%s' want '%s'\n", i, vl_buf_str(&got), skip_rows[i].want);
		assert_string_equal(vl_buf_str(&got), skip_rows[i].want);
		f = fopen(path, "wb");
		fwrite(skip_rows[i].doc, 1, strlen(skip_rows[i].doc), f);
		fclose(f);
		for (size_t bs = 1; bs <= 17; bs++) {
			struct vl_buf want = VL_BUF_INIT, split = VL_BUF_INIT;
			/* the same text, with the file's name in messages */
			const char *w = skip_rows[i].want, *t = strstr(w, "'t'");
			if (t)
				vl_buf_addf(&want, "%.*s'%s'%s", (int)(t - w), w, path, t + 3);
			else
				vl_buf_adds(&want, w);
			assert_int_equal(vl_jsonr_open(&r, path, NULL), 0);
			vl_jsonr_set_bufsize(&r, bs);
			dump_skipping(&r, &split);
			vl_jsonr_close(&r);
			if (strcmp(vl_buf_str(&split), vl_buf_str(&want)))
				print_error("row %zu bufsize %zu: '%s'\n", i, bs, vl_buf_str(&split));
			assert_string_equal(vl_buf_str(&split), vl_buf_str(&want));
			vl_buf_release(&want);
			vl_buf_release(&split);
		}
		vl_buf_release(&got);
	}
	unlink(path);
}

static void test_missing_file(void **state)
{
	struct vl_jsonr r;
	struct vl_buf err = VL_BUF_INIT;

	assert_int_equal(vl_jsonr_open(&r, "/nonexistent/x.json", &err), VL_ENOTFOUND);
	assert_string_equal(vl_buf_str(&err), "cannot open '/nonexistent/x.json': No such file or directory");
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_buffer_splits),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_skip_value),
		cmocka_unit_test(test_missing_file),
	};
	int failed = cmocka_run_group_tests_name("jsonr (SSE2 where built)", tests, NULL, NULL);

	/* again with the portable string scan */
	vl_jsonr_set_simd(0);
	return failed + cmocka_run_group_tests_name("jsonr (portable scan)", tests, NULL, NULL);
}
