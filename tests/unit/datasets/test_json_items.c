/*
 * test_json_items.c - the streaming JSON element reader: brackets and
 * quotes inside strings, skipping other members, objects keyed by id,
 * elements larger than the read buffer, bad elements the reader steps over,
 * and structural errors.
 */
#include "loader_helpers.h"

#include "datasets/loader_util.h"

static char dir[64];

static int setup(void **state)
{
	th_tmpdir(dir, sizeof(dir));
	return 0;
}

static int teardown(void **state)
{
	th_rmtree(dir);
	return 0;
}

/* Reads every element of file `text` at key; returns the elements printed
 * unformatted and the errors, joined by " | ". */
static void read_all(const char *text, const char *key, struct vl_buf *got, int *open_rc)
{
	struct vl_json_items it;
	struct vl_buf err = VL_BUF_INIT, path = VL_BUF_INIT;
	cJSON *e;
	int rc;

	th_write_str(dir, "f.json", text);
	vl_buf_addf(&path, "%s/f.json", dir);
	*open_rc = vl_json_items_open(&it, path.buf, key, &err);
	if (*open_rc != 0 && err.len) {
		const char *m = vl_buf_str(&err) + strlen(path.buf) + 2;
		vl_buf_adds(got, m + (m[0] == ':' ? 2 : m[0] == ' '));
	}
	if (*open_rc != 0) {
		vl_buf_release(&err);
		vl_buf_release(&path);
		return;
	}
	while ((rc = vl_json_items_next(&it, &e, &err)) != 0) {
		if (got->len)
			vl_buf_adds(got, " | ");
		if (rc < 0) {
			/* drop the path from messages */
			const char *m = strstr(vl_buf_str(&err), "f.json'");
			vl_buf_addf(got, "E:%s", m ? m + 7 : vl_buf_str(&err));
			vl_buf_reset(&err);
			continue;
		}
		char *s = cJSON_PrintUnformatted(e);
		if (it.key)
			vl_buf_addf(got, "%s=", it.key);
		vl_buf_adds(got, s);
		free(s);
		cJSON_Delete(e);
	}
	vl_json_items_close(&it);
	vl_buf_release(&err);
	vl_buf_release(&path);
}

static void test_rows(void **state)
{
	static const struct { const char *text, *key, *want; int rc; } rows[] = {
		{ "[1, \"a]\", {\"b\": \"}\\\"[\"}, [2, [3]], null, true]", NULL,
		  "1 | \"a]\" | {\"b\":\"}\\\"[\"} | [2,[3]] | null | true", 0 },
		{ "\xef\xbb\xbf[ ]", NULL, "", 0 },
		{ "{\"info\": {\"x\": [1, \"]\"]}, \"images\": [{\"id\": 1}, {\"id\": 2}], "
		  "\"annotations\": [3]}", "images", "{\"id\":1} | {\"id\":2}", 0 },
		{ "{\"info\": 1, \"annotations\": [3]}", "annotations", "3", 0 },
		{ "{\"1\": {\"q\": \"a\"}, \"x\\u0041\": 2}", NULL, "1={\"q\":\"a\"} | xA=2", 0 },
		{ "[{\"a\": 1}, {\"a\": tru}, {\"a\": 3}]", NULL,
		  "{\"a\":1} | E: record 2 (line 1): invalid JSON | {\"a\":3}", 0 },
		{ "[1,\n2,\n{\"a\":\n", NULL,
		  "1 | 2 | E: line 4: unexpected end of file after record 3 (truncated JSON?)", 0 },
		{ "[1 2]", NULL, "1 | E: line 1: expected ',' or ']' after record 1", 0 },
		{ "{\"a\": [1]}", "images", "no top-level \"images\" member", VL_EPARSE },
		{ "{\"a\": [1]}", "?images", "", 1 },
		{ "{\"images\": 3}", "images", "line 1: \"images\" is not an array or object",
		  VL_EPARSE },
		{ "[1]", "images", "top-level value is not a JSON object (expected an object with "
		  "a \"images\" member)", VL_EPARSE },
		{ "", NULL, "empty file", VL_EPARSE },
		{ "{\"images\": [1, 2", "images", "1 | 2 | E: line 1: unexpected end of file after "
		  "record 2 (truncated JSON?)", 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf got = VL_BUF_INIT;
		int rc;
		read_all(rows[i].text, rows[i].key, &got, &rc);
		if (rc != rows[i].rc || strcmp(vl_buf_str(&got), rows[i].want))
			print_error("row %zu: rc %d, got '%s'\n", i, rc, vl_buf_str(&got));
		assert_int_equal(rc, rows[i].rc);
		assert_string_equal(vl_buf_str(&got), rows[i].want);
		vl_buf_release(&got);
	}
}

/* Elements that straddle the 256 KiB read buffer, and line numbers. */
static void test_big_elements(void **state)
{
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT, path = VL_BUF_INIT;
	struct vl_json_items it;
	cJSON *e;

	vl_buf_adds(&text, "{\"skip\": \"");
	for (int i = 0; i < 300000; i++)
		vl_buf_addch(&text, "ab]}\\\\"[i % 4]);
	vl_buf_adds(&text, "\",\n\"images\": [\n");
	for (int k = 0; k < 5; k++) {
		vl_buf_addf(&text, "%s{\"id\": %d, \"s\": \"", k ? ",\n" : "", k);
		for (int i = 0; i < 100000 * (k + 1); i++)
			vl_buf_addch(&text, 'x');
		vl_buf_adds(&text, "\"}");
	}
	vl_buf_adds(&text, "\n]}\n");
	th_write(dir, "big.json", text.buf, text.len);
	vl_buf_addf(&path, "%s/big.json", dir);
	assert_int_equal(vl_json_items_open(&it, path.buf, "images", &err), 0);
	for (int k = 0; k < 5; k++) {
		assert_int_equal(vl_json_items_next(&it, &e, &err), 1);
		assert_int_equal(cJSON_GetObjectItem(e, "id")->valueint, k);
		assert_int_equal(strlen(cJSON_GetObjectItem(e, "s")->valuestring), 100000 * (k + 1));
		assert_int_equal(it.record, k + 1);
		assert_int_equal(it.item_line, k + 3);
		cJSON_Delete(e);
	}
	assert_int_equal(vl_json_items_next(&it, &e, &err), 0);
	assert_int_equal(vl_json_items_next(&it, &e, &err), 0);
	vl_json_items_close(&it);
	vl_buf_release(&text);
	vl_buf_release(&err);
	vl_buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_big_elements),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
