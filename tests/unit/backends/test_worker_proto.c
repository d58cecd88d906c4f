/*
 * test_worker_proto.c - reply lines of the worker protocol decoded
 * (backends/worker_proto.c), row by row: ids as strings or numbers, text,
 * errors made one line, fatal, optional numbers, and the lines that are not
 * replies at all (stray prints).  Request lines are checked in
 * test_worker.c.
 */
#include "test_helpers.h"

#include "backends/worker.h"

static void test_replies(void **state)
{
	static const struct {
		const char *line;
		uint64_t id;
		const char *text, *error;
		int fatal;
		long pt, ct;
		double ttft, gpu;
		const char *finish;
	} rows[] = {
		{ "{\"id\":\"11\",\"text\":\"The cat\",\"finish_reason\":\"length\"}", 11, "The cat",
		  NULL, 0, -1, -1, -1, -1, "length" },
		{ "{\"id\":\"12\",\"error\":\"x\",\"finish_reason\":\"length\"}", 12, NULL, "x", 0,
		  -1, -1, -1, -1, NULL },
		{ "{\"id\":\"17\",\"text\":\"yes\"}", 17, "yes", NULL, 0, -1, -1, -1, -1, NULL },
		{ "{\"id\":17,\"text\":\"\"}", 17, "", NULL, 0, -1, -1, -1, -1, NULL },
		{ "{\"id\":\"3\",\"text\":\"no\",\"prompt_tokens\":12,\"completion_tokens\":1,"
		  "\"ttft_s\":0.25,\"gpu_mem_peak_mb\":1234}", 3, "no", NULL, 0, 12, 1, 0.25, 1234, NULL },
		{ "{\"id\":\"4\",\"error\":\"CUDA out\\nof memory\"}", 4, NULL, "CUDA out of memory",
		  0, -1, -1, -1, -1, NULL },
		{ "{\"id\":\"5\",\"error\":\"no model\",\"fatal\":true}", 5, NULL, "no model", 1, -1,
		  -1, -1, -1, NULL },
		{ "{\"id\":\"6\",\"error\":{\"code\":1}}", 6, NULL, "worker reported an error", 0, -1,
		  -1, -1, -1, NULL },
		{ "{\"id\":\"7\",\"text\":\"x\",\"error\":null}", 7, "x", NULL, 0, -1, -1, -1, -1, NULL },
		{ "{\"id\":\"8\"}", 8, NULL,
		  "worker response has neither a \"text\" string nor an \"error\"", 0, -1, -1, -1, -1, NULL },
		{ "{\"id\":\"9\",\"text\":\"y\",\"fatal\":true}", 9, "y", NULL, 0, -1, -1, -1, -1, NULL },
		{ "{\"id\":\"10\",\"fatal\":true}", 10, NULL,
		  "worker response has neither a \"text\" string nor an \"error\"", 0, -1, -1, -1, -1, NULL },
		/* fuzz_worker_reply: counts no long can hold were converted
		 * anyway (undefined behaviour); they read as absent */
		{ "{\"id\":13,\"text\":\"a\",\"prompt_tokens\":1e300,\"completion_tokens\":-1e19}",
		  13, "a", NULL, 0, -1, -1, -1, -1, NULL },
		{ "{\"id\":14,\"text\":\"a\",\"prompt_tokens\":7,\"completion_tokens\":2}", 14, "a",
		  NULL, 0, 7, 2, -1, -1, NULL },
		{ "{\"id\":18446744073709549568,\"text\":\"a\"}", 18446744073709549568ULL, "a", NULL,
		  0, -1, -1, -1, -1, NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_worker_reply r;

		assert_int_equal(vl_worker_reply_parse(rows[i].line, strlen(rows[i].line), &r), 0);
		assert_true(r.id == rows[i].id);
		if (rows[i].text)
			assert_string_equal(r.text, rows[i].text);
		else
			assert_null(r.text);
		if (rows[i].error)
			assert_string_equal(r.error, rows[i].error);
		else
			assert_null(r.error);
		assert_int_equal(r.fatal, rows[i].fatal);
		assert_int_equal(r.prompt_tokens, rows[i].pt);
		assert_int_equal(r.completion_tokens, rows[i].ct);
		assert_true(r.ttft_s == rows[i].ttft);
		assert_true(r.gpu_mem_peak_mb == rows[i].gpu);
		if (rows[i].finish)
			assert_string_equal(r.finish_reason, rows[i].finish);
		else
			assert_null(r.finish_reason);
		vl_worker_reply_release(&r);
	}
}

static void test_stray_lines(void **state)
{
	static const char *const lines[] = {
		"loading model...", "", "{}", "[1,2]", "{\"id\":\"x1\",\"text\":\"a\"}",
		"{\"id\":-1,\"text\":\"a\"}", "{\"id\":1.5,\"text\":\"a\"}", "{\"id\":null}",
		"{\"id\":\"\",\"text\":\"a\"}", "{\"id\":\"99999999999999999999999\"}",
		"{\"text\":\"no id\"}",
		/* fuzz_worker_reply (minimized): an id of 2^64 or more has no
		 * uint64_t value; converting it was undefined behaviour */
		"{\"id\":99999999999999999999999992}", "{\"id\":18446744073709551616,\"text\":\"a\"}",
		"{\"id\":1e300,\"text\":\"a\"}",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		struct vl_worker_reply r;
		if (vl_worker_reply_parse(lines[i], strlen(lines[i]), &r) != -1)
			print_error("line %zu: '%s' taken as a reply\n", i, lines[i]);
		assert_int_equal(vl_worker_reply_parse(lines[i], strlen(lines[i]), &r), -1);
		assert_null(r.root);
		vl_worker_reply_release(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_stray_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
