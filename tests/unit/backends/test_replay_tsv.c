/*
 * test_replay_tsv.c - reading VLMEvalKit's result TSV as pandas does:
 * quoted fields with tabs, newlines and doubled quotes, NaN spellings to
 * "nan", integer indexes as Python's str(int), header detection and errors.
 */
#include "test_helpers.h"

#include "backends/replay_tsv.h"

struct got {
	struct vl_strv ids, preds;
};

static void put(void *ctx, char *id, char *pred)
{
	struct got *g = ctx;
	vl_strv_push_owned(&g->ids, id);
	vl_strv_push_owned(&g->preds, pred);
}

static void test_read(void **state)
{
	static const char text[] =
		"\"index\"\t\"question\"\t\"prediction\"\n"
		"\"1\"\t\"q\"\t\" Yes\"\n"
		"\"007\"\t\"a\ttab\"\t\"two\nlines \"\"quoted\"\"\"\n"
		"3\tq\tN/A\n"
		"4\tq\t\n"
		"\n"
		"x_1\tq\tNone\r\n";
	struct got g = { { 0 }, { 0 } };
	char err[256] = "";

	assert_true(vl_replay_tsv_detect(text, sizeof(text) - 1));
	assert_false(vl_replay_tsv_detect("{\"id\": 1, \"output\": \"a\tb\"}\n", 27));
	assert_int_equal(vl_replay_tsv_read("r.tsv", text, sizeof(text) - 1, put, &g, err,
					    sizeof(err)), 5);
	assert_string_equal(g.ids.v[0], "1");
	assert_string_equal(g.preds.v[0], " Yes");
	assert_string_equal(g.ids.v[1], "7");
	assert_string_equal(g.preds.v[1], "two\nlines \"quoted\"");
	assert_string_equal(g.preds.v[2], "nan");
	assert_string_equal(g.preds.v[3], "nan");
	assert_string_equal(g.ids.v[4], "x_1");
	assert_string_equal(g.preds.v[4], "nan");
	vl_strv_release(&g.ids);
	vl_strv_release(&g.preds);
}

static void test_errors(void **state)
{
	struct got g = { { 0 }, { 0 } };
	char err[256] = "";
	static const char open_quote[] = "index\tprediction\n1\t\"never closed\n";
	static const char short_row[] = "index\tq\tprediction\n1\tonly\n";
	static const char no_pred[] = "index\tq\n1\ta\n";

	assert_int_equal(vl_replay_tsv_read("r.tsv", open_quote, sizeof(open_quote) - 1, put, &g,
					    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'r.tsv' line 2: quoted field never closed"));
	assert_int_equal(vl_replay_tsv_read("r.tsv", short_row, sizeof(short_row) - 1, put, &g,
					    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "line 2: 2 fields, the header has 3"));
	assert_int_equal(vl_replay_tsv_read("r.tsv", no_pred, sizeof(no_pred) - 1, put, &g,
					    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no \"prediction\" column"));
	vl_strv_release(&g.ids);
	vl_strv_release(&g.preds);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
