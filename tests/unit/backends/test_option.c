/*
 * test_option.c - backend option tables (backends/option.c) and the host's
 * use of them (backends/backend.c): value checks row by row, defaults,
 * unknown keys refused with a suggestion and the backend's keys, and which
 * keys of each built-in backend enter the response cache key.
 */
#include "test_helpers.h"

#include "backends/host.h"
#include "backends/option.h"

static const struct vl_backend_option table[] = {
	{ .key = "n", .type = VL_OPTION_INT, .dflt = "4", .meaning = "count", .min = 1,
	  .max = 16 },
	{ .key = "x", .type = VL_OPTION_NUMBER, .meaning = "ratio", .max = VL_OPTION_UNBOUNDED },
	{ .key = "b", .type = VL_OPTION_BOOL, .dflt = "1", .meaning = "switch" },
	{ .key = "mode", .type = VL_OPTION_CHOICE, .dflt = "fast", .meaning = "how",
	  .choices = "fast|slow|very-slow" },
	{ .key = "s", .type = VL_OPTION_STRING, .meaning = "text",
	  .flags = VL_OPTION_ANSWERS },
	{ .key = NULL },
};

static void test_check(void **state)
{
	static const struct { const char *key, *value, *err; } rows[] = {
		{ "n", "1", NULL },
		{ "n", "16", NULL },
		{ "n", "0", "option 'n' wants an integer between 1 and 16, got '0'" },
		{ "n", "17", "option 'n' wants an integer between 1 and 16, got '17'" },
		{ "n", "2.5", "option 'n' wants an integer between 1 and 16, got '2.5'" },
		{ "n", "", "option 'n' wants an integer between 1 and 16, got ''" },
		{ "n", "3x", "option 'n' wants an integer between 1 and 16, got '3x'" },
		{ "x", "0", NULL },
		{ "x", "1e9", NULL },
		{ "x", "-0.5", "option 'x' wants a number >= 0, got '-0.5'" },
		{ "x", "nan", "option 'x' wants a number >= 0, got 'nan'" },
		{ "x", "inf", "option 'x' wants a number >= 0, got 'inf'" },
		{ "b", "0", NULL },
		{ "b", "1", NULL },
		{ "b", "yes", "option 'b' wants 0 or 1, got 'yes'" },
		{ "mode", "slow", NULL },
		{ "mode", "very-slow", NULL },
		{ "mode", "very", "option 'mode' wants one of fast|slow|very-slow, got 'very'" },
		{ "mode", "", "option 'mode' wants one of fast|slow|very-slow, got ''" },
		{ "s", "anything at all", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf err = VL_BUF_INIT;
		const struct vl_backend_option *o = vl_option_find(table, rows[i].key);
		int rc;

		assert_non_null(o);
		rc = vl_option_check(o, rows[i].value, &err);
		if (rows[i].err) {
			assert_int_equal(rc, VL_EINVAL);
			assert_string_equal(vl_buf_str(&err), rows[i].err);
		} else {
			if (rc)
				print_error("row %zu: %s\n", i, vl_buf_str(&err));
			assert_int_equal(rc, 0);
		}
		vl_buf_release(&err);
	}
	assert_null(vl_option_find(table, "nope"));
	assert_null(vl_option_find(NULL, "n"));
}

static void test_values_and_defaults(void **state)
{
	const char *keys[] = { "n", "mode" }, *vals[] = { "9", "slow" };
	struct vl_backend_config cfg = { 2, keys, vals }, none = { 0, NULL, NULL };
	char err[128] = "";
	double d;

	assert_int_equal(vl_option_num(table, &cfg, "n", &d, err, sizeof(err)), 0);
	assert_true(d == 9);
	assert_int_equal(vl_option_num(table, &none, "n", &d, err, sizeof(err)), 0);
	assert_true(d == 4);
	assert_int_equal(vl_option_num(table, &none, "b", &d, err, sizeof(err)), 0);
	assert_true(d == 1);
	/* no value, no default */
	assert_int_equal(vl_option_num(table, &none, "x", &d, err, sizeof(err)), 0);
	assert_true(d == 0);
	assert_string_equal(vl_option_str(table, &cfg, "mode"), "slow");
	assert_string_equal(vl_option_str(table, &none, "mode"), "fast");
	assert_null(vl_option_str(table, &none, "s"));
	vals[0] = "99";
	assert_int_equal(vl_option_num(table, &cfg, "n", &d, err, sizeof(err)), -1);
	assert_string_equal(err, "option 'n' wants an integer between 1 and 16, got '99'");
}

static void test_describe(void **state)
{
	static const struct { const char *key, *want; } rows[] = {
		{ "n", "int 1..16" }, { "x", "number >= 0" }, { "b", "0|1" },
		{ "mode", "fast|slow|very-slow" }, { "s", "text" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf b = VL_BUF_INIT;
		vl_option_describe_type(vl_option_find(table, rows[i].key), &b);
		assert_string_equal(vl_buf_str(&b), rows[i].want);
		vl_buf_release(&b);
	}
}

/* Host check of a config: unknown keys (issue 14's typos), wrong types. */
static void test_check_config(void **state)
{
	static const struct { const char *backend, *key, *value, *err; } rows[] = {
		{ "random", "seeed", "3", "backend 'random' has no option 'seeed' (did you mean "
		  "'seed'?); its options: seed, model, max_image_side, concurrency, delay_ms "
		  "(vleval backends random)" },
		{ "replay", "predictons", "p.jsonl", "backend 'replay' has no option 'predictons' "
		  "(did you mean 'predictions'?)" },
		{ "worker", "wokers", "2", "backend 'worker' has no option 'wokers' (did you mean "
		  "'workers'?)" },
		{ "openai", "strem", "1", "backend 'openai' has no option 'strem' (did you mean "
		  "'stream'?)" },
		{ "oracle", "zzzzzzzz", "1", "backend 'oracle' has no option 'zzzzzzzz'; its "
		  "options: model, max_image_side, concurrency, delay_ms (vleval backends oracle)" },
		{ "openai", "stream", "yes", "option 'stream' wants 0 or 1, got 'yes'" },
		{ "worker", "workers", "0", "option 'workers' wants an integer between 1 and 1024" },
		{ "constant", "delay_ms", "-1", "option 'delay_ms' wants a number >= 0, got '-1'" },
		{ "plugin", "path", "x.so", NULL },
		{ "openai", "timeout", "5", NULL },
		{ "worker", "concurrency", "8", NULL },
		{ "nosuch", "a", "b", "unknown backend 'nosuch'" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_kv cfg = { 0 };
		struct vl_buf err = VL_BUF_INIT;
		int rc;

		vl_kv_set(&cfg, rows[i].key, rows[i].value);
		rc = vl_backend_check_config(rows[i].backend, &cfg, &err);
		if (!rows[i].err) {
			assert_int_equal(rc, 0);
		} else {
			assert_true(rc < 0);
			if (strncmp(vl_buf_str(&err), rows[i].err, strlen(rows[i].err)))
				print_error("row %zu: %s\n", i, vl_buf_str(&err));
			assert_int_equal(strncmp(vl_buf_str(&err), rows[i].err,
						 strlen(rows[i].err)), 0);
		}
		vl_kv_release(&cfg);
		vl_buf_release(&err);
	}
}

/* What enters the cache key, per backend: answers, not speed. */
static void test_changes_answers(void **state)
{
	static const struct { const char *backend, *k1, *v1, *key; int want; } rows[] = {
		{ "constant", NULL, NULL, "answer", 1 },
		{ "constant", NULL, NULL, "delay_ms", 0 },
		{ "constant", NULL, NULL, "concurrency", 0 },
		{ "constant", NULL, NULL, "model", 1 },
		{ "constant", NULL, NULL, "max_image_side", 1 },
		{ "random", NULL, NULL, "seed", 1 },
		{ "openai", "base_url", "http://127.0.0.1:9/v1", "base_url", 1 },
		{ "openai", "base_url", "http://127.0.0.1:9/v1", "extra_body", 1 },
		{ "openai", "base_url", "http://127.0.0.1:9/v1", "timeout", 0 },
		{ "openai", "base_url", "http://127.0.0.1:9/v1", "retries", 0 },
		{ "openai", "base_url", "http://127.0.0.1:9/v1", "stream", 0 },
		{ "openai", "base_url", "http://127.0.0.1:9/v1", "rpm", 0 },
		{ "openai", "base_url", "http://127.0.0.1:9/v1", "api_key_env", 0 },
		{ "worker", "command", "cat", "command", 1 },
		{ "worker", "command", "cat", "workers", 0 },
		{ "worker", "command", "cat", "max_inflight", 0 },
		{ "worker", "command", "cat", "timeout", 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_kv cfg = { 0 };
		struct vl_buf err = VL_BUF_INIT;
		struct vl_backend *b = NULL;

		if (rows[i].k1)
			vl_kv_set(&cfg, rows[i].k1, rows[i].v1);
		if (!strcmp(rows[i].backend, "openai"))
			vl_kv_set(&cfg, "preflight", "0");   /* no server on port 9 */
		if (vl_backend_open(rows[i].backend, &cfg, &b, &err) < 0)
			print_error("row %zu: %s\n", i, vl_buf_str(&err));
		assert_non_null(b);
		if (vl_backend_changes_answers(b, rows[i].key) != rows[i].want)
			print_error("row %zu: %s %s\n", i, rows[i].backend, rows[i].key);
		assert_int_equal(vl_backend_changes_answers(b, rows[i].key), rows[i].want);
		vl_backend_close(b);
		vl_kv_release(&cfg);
		vl_buf_release(&err);
	}
}

/* Every built-in backend declares a table whose defaults fit their rows. */
static void test_builtin_tables(void **state)
{
	for (const struct vl_backend_methods *const *m = vl_backend_list(); *m; m++) {
		const struct vl_backend_option *t = vl_backend_options(*m);
		assert_non_null(t);
		for (; t->key; t++) {
			struct vl_buf err = VL_BUF_INIT;
			assert_non_null(t->meaning);
			if (t->dflt && vl_option_check(t, t->dflt, &err) < 0)
				print_error("%s: %s\n", (*m)->name, vl_buf_str(&err));
			assert_true(!t->dflt || vl_option_check(t, t->dflt, &err) == 0);
			vl_buf_release(&err);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_values_and_defaults),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_check_config),
		cmocka_unit_test(test_changes_answers),
		cmocka_unit_test(test_builtin_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
