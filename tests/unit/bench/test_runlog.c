/*
 * test_runlog.c - the SQLite run log: schema version, runs, batched sample
 * writes that survive reopening, replace-on-retry, metrics, errors, cache.
 */
#include "test_helpers.h"

#include "bench/runlog.h"

static char db_path[64];

static int setup(void **state)
{
	snprintf(db_path, sizeof(db_path), "/tmp/vleval-runlog-%d.db", (int)getpid());
	remove(db_path);
	return 0;
}

static int teardown(void **state)
{
	th_remove_db(db_path);
	return 0;
}

static long long new_run(struct vl_runlog *rl)
{
	struct vl_run_info ri = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	long long id;

	ri.created = 1.0;
	ri.task = "t";
	ri.backend = "oracle";
	ri.config = "{}";
	ri.config_hash = "abc";
	ri.baseline = 1;
	assert_int_equal(vl_runlog_create_run(rl, &ri, &id, &err), 0);
	vl_buf_release(&err);
	return id;
}

struct count_ctx {
	int n, errors;
	char last[32];
};

static int count_rows(void *ctx, const struct vl_sample_row *r)
{
	struct count_ctx *c = ctx;
	c->n++;
	c->errors += r->error != NULL;
	snprintf(c->last, sizeof(c->last), "%s", r->sample_id);
	return 0;
}

static void test_samples_persist_and_replace(void **state)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_runlog *rl;
	struct count_ctx c = { 0 };
	long long run;
	char id[32];

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	run = new_run(rl);
	assert_int_equal(vl_runlog_last_run(rl), run);
	for (int i = 0; i < 600; i++) {
		struct vl_sample_row r = { 0 };
		snprintf(id, sizeof(id), "s%03d", i);
		r.sample_id = id;
		r.idx = i;
		r.latency_s = i / 1000.0;
		r.ttft_s = -1;
		r.prompt_tokens = r.completion_tokens = -1;
		if (i % 10 == 0)
			r.error = "timeout";
		else
			r.output = r.extracted = "yes", r.parse_ok = 1, r.score = 1;
		assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	}
	vl_runlog_close(rl);
	/* reopened: everything is there (close commits the last batch) */
	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	vl_runlog_each_sample(rl, run, 0, count_rows, &c);
	assert_int_equal(c.n, 600);
	assert_int_equal(c.errors, 60);
	assert_string_equal(c.last, "s599");
	/* a retried sample replaces its failed row */
	struct vl_sample_row r = { .sample_id = "s000", .idx = 0, .output = "no", .extracted = "no",
				   .parse_ok = 1, .score = 0, .latency_s = 0.5, .ttft_s = -1,
				   .prompt_tokens = 10, .completion_tokens = 2 };
	assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	memset(&c, 0, sizeof(c));
	vl_runlog_each_sample(rl, run, 0, count_rows, &c);
	assert_int_equal(c.n, 600);
	assert_int_equal(c.errors, 59);
	memset(&c, 0, sizeof(c));
	vl_runlog_each_sample(rl, run, 2, count_rows, &c);
	assert_int_equal(c.n, 59);

	struct vl_run_info ri = { 0 };
	assert_int_equal(vl_runlog_sample_stats(rl, run, &ri), 0);
	assert_int_equal(ri.n_errors, 59);
	assert_int_equal(ri.n_done, 541);
	assert_int_equal(ri.prompt_tokens, 10);
	assert_true(ri.latency_p50 > 0.29 && ri.latency_p50 < 0.31);
	vl_runlog_close(rl);
	vl_buf_release(&err);
}

static int count_metrics(void *ctx, const struct vl_metric_row *r)
{
	int *n = ctx;
	(*n)++;
	return 0;
}

static void test_metrics_errors_cache(void **state)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_runlog *rl;
	struct vl_cache_entry ce;
	struct vl_run_info ri;
	long long run;
	int n = 0;

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	run = new_run(rl);
	vl_runlog_put_metric(rl, run, "pope", "acc", "", 0.5, 0.4, 0.6, 10);
	vl_runlog_put_metric(rl, run, "pope", "acc", "split=random", 0.5, NAN, NAN, 10);
	vl_runlog_put_metric(rl, run, "pope", "acc", "", 0.75, 0.4, 0.6, 10); /* replaces */
	vl_runlog_each_metric(rl, run, count_metrics, &n);
	assert_int_equal(n, 2);
	vl_runlog_put_error(rl, run, "dataset", NULL, "bad line");
	assert_int_equal(vl_runlog_cache_get(rl, "k1", &ce), VL_ENOTFOUND);
	vl_runlog_cache_put(rl, "k1", "openai", "m", "the answer", 5, 3, "length");
	assert_int_equal(vl_runlog_cache_get(rl, "k1", &ce), 0);
	assert_string_equal(ce.output, "the answer");
	assert_string_equal(ce.finish_reason, "length");
	vl_free(ce.finish_reason);
	assert_int_equal(ce.completion_tokens, 3);
	vl_free(ce.output);
	assert_int_equal(vl_runlog_get_run(rl, run, &ri, &err), 0);
	assert_string_equal(ri.status, "running");
	assert_int_equal(ri.baseline, 1);
	vl_free(ri.status);
	ri.status = vl_xstrdup("finished");
	ri.wall_s = 2.5;
	assert_int_equal(vl_runlog_update_run(rl, &ri, &err), 0);
	vl_run_info_release(&ri);
	assert_int_equal(vl_runlog_get_run(rl, run, &ri, &err), 0);
	assert_string_equal(ri.status, "finished");
	assert_true(ri.wall_s == 2.5);
	vl_run_info_release(&ri);
	assert_int_equal(vl_runlog_get_run(rl, 999, &ri, &err), VL_ENOTFOUND);
	assert_non_null(strstr(err.buf, "no run 999"));
	vl_runlog_close(rl);
	vl_buf_release(&err);
}

static void test_newer_schema_refused(void **state)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_runlog *rl;
	char cmd[200];

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	vl_runlog_close(rl);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version = 99'", db_path);
	assert_int_equal(system(cmd), 0);
	assert_true(vl_runlog_open(db_path, &rl, &err) < 0);
	assert_non_null(strstr(err.buf, "schema version 99 is newer"));
	vl_buf_reset(&err);
	assert_true(vl_runlog_open("/nonexistent/dir/x.db", &rl, &err) < 0);
	assert_non_null(strstr(err.buf, "/nonexistent/dir/x.db"));
	vl_buf_release(&err);
}

struct ref_ctx {
	int n;
	char question[64], reference[256];
	int null_reference;
};

static int read_ref(void *ctx, const struct vl_sample_row *r)
{
	struct ref_ctx *c = ctx;
	c->n++;
	snprintf(c->question, sizeof(c->question), "%s", r->question ? r->question : "(null)");
	snprintf(c->reference, sizeof(c->reference), "%s", r->reference ? r->reference : "(null)");
	c->null_reference += r->reference == NULL;
	return 0;
}

/* Schema 2: each sample keeps its question and reference; a schema-1 log is
 * migrated in place and its old rows read back with both NULL. */
static void test_question_and_reference(void **state)
{
	const char *ref = "{\"answers\":[\"2\",\"two\"],\"meta\":{\"answer_type\":\"number\"}}";
	struct vl_sample_row r = { .sample_id = "q1", .idx = 0, .output = "2", .extracted = "2",
				   .parse_ok = 1, .score = 1, .latency_s = 0.1, .ttft_s = -1,
				   .prompt_tokens = -1, .completion_tokens = -1,
				   .question = "How many dogs?", .reference = ref };
	struct vl_buf err = VL_BUF_INIT;
	struct ref_ctx c = { 0 };
	struct vl_runlog *rl;
	long long run;
	char cmd[300];

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	run = new_run(rl);
	assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	vl_runlog_each_sample(rl, run, 0, read_ref, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.question, "How many dogs?");
	assert_string_equal(c.reference, ref);
	vl_runlog_close(rl);

	/* back to schema 1 as an older vleval left it, then reopened */
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s 'ALTER TABLE samples DROP COLUMN question;"
		 " ALTER TABLE samples DROP COLUMN reference;"
		 " ALTER TABLE samples DROP COLUMN finish_reason;"
		 " ALTER TABLE cache DROP COLUMN finish_reason; PRAGMA user_version = 1'", db_path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	memset(&c, 0, sizeof(c));
	vl_runlog_each_sample(rl, run, 0, read_ref, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.null_reference, 1);
	assert_string_equal(c.question, "(null)");
	vl_runlog_close(rl);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 %s 'PRAGMA user_version')\" = %d", db_path,
		 VL_RUNLOG_SCHEMA_VERSION);
	assert_int_equal(system(cmd), 0);
	vl_buf_release(&err);
}

/* Schema 3: cache keys changed (XXH3-128), so the migration empties the
 * cache of an older log; its runs and samples stay. */
static void test_cache_cleared_by_migration(void **state)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_runlog *rl;
	struct vl_cache_entry ce;
	struct count_ctx c = { 0 };
	struct vl_sample_row r = { .sample_id = "s1", .output = "yes", .latency_s = 0.1,
				   .ttft_s = -1, .prompt_tokens = -1, .completion_tokens = -1 };
	long long run;
	char cmd[300];

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	run = new_run(rl);
	assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	vl_runlog_cache_put(rl, "0123abcd", "openai", "m", "old answer", 5, 3, NULL);
	vl_runlog_close(rl);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'ALTER TABLE samples DROP COLUMN finish_reason;"
		 " ALTER TABLE cache DROP COLUMN finish_reason; PRAGMA user_version = 2'", db_path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	assert_int_equal(vl_runlog_cache_get(rl, "0123abcd", &ce), VL_ENOTFOUND);
	vl_runlog_each_sample(rl, run, 0, count_rows, &c);
	assert_int_equal(c.n, 1);
	/* the cache works after the migration */
	vl_runlog_cache_put(rl, "k", "openai", "m", "new answer", 5, 3, NULL);
	assert_int_equal(vl_runlog_cache_get(rl, "k", &ce), 0);
	assert_string_equal(ce.output, "new answer");
	vl_free(ce.output);
	vl_runlog_close(rl);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 %s 'PRAGMA user_version')\" = %d", db_path,
		 VL_RUNLOG_SCHEMA_VERSION);
	assert_int_equal(system(cmd), 0);
	vl_buf_release(&err);
}

static int read_finish(void *ctx, const struct vl_sample_row *r)
{
	char *out = ctx;
	size_t n = strlen(out);
	snprintf(out + n, 64 - n, "%s%s", n ? " " : "", r->finish_reason ? r->finish_reason : "NULL");
	return 0;
}

/* Schema 4: each answer keeps its finish_reason and the counts say how many
 * were cut ("length"); a schema-3 log is migrated with NULL there, and read
 * read-only (runs, show) without migrating, through a view. */
static void test_finish_reason(void **state)
{
	struct vl_sample_row r = { .sample_id = "a", .idx = 0, .output = "The cat", .parse_ok = 1,
				   .score = NAN, .latency_s = 0.1, .ttft_s = -1,
				   .prompt_tokens = -1, .completion_tokens = -1,
				   .finish_reason = "length" };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_run_counts rc;
	struct vl_runlog *rl;
	char got[64] = "", tmp[64], cmd[300];
	long long run;

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	run = new_run(rl);
	assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	r.sample_id = "b";
	r.idx = 1;
	r.finish_reason = "stop";
	assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	r.sample_id = "c";
	r.idx = 2;
	r.finish_reason = NULL;
	assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	vl_runlog_each_sample(rl, run, 0, read_finish, got);
	assert_string_equal(got, "length stop NULL");
	assert_int_equal(vl_runlog_run_counts(rl, run, &rc), 0);
	assert_int_equal(rc.answered, 3);
	assert_int_equal(rc.truncated, 1);
	vl_run_counts_release(&rc);
	vl_runlog_close(rl);

	/* schema 3 as an older vleval left it: read-only first, then migrated */
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'ALTER TABLE samples DROP COLUMN finish_reason;"
		 " ALTER TABLE cache DROP COLUMN finish_reason; PRAGMA user_version = 3'", db_path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(vl_runlog_open_readonly(db_path, &rl, &err), 0);
	tmp[0] = '\0';
	assert_int_equal(vl_runlog_each_sample(rl, run, 0, read_finish, tmp), 0);
	assert_string_equal(tmp, "NULL NULL NULL");
	assert_int_equal(vl_runlog_run_counts(rl, run, &rc), 0);
	assert_int_equal(rc.truncated, 0);
	vl_run_counts_release(&rc);
	vl_runlog_close(rl);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 %s 'PRAGMA user_version')\" = 3", db_path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	tmp[0] = '\0';
	assert_int_equal(vl_runlog_each_sample(rl, run, 0, read_finish, tmp), 0);
	assert_string_equal(tmp, "NULL NULL NULL");
	vl_runlog_close(rl);
	snprintf(cmd, sizeof(cmd), "test \"$(sqlite3 %s 'PRAGMA user_version')\" = %d", db_path,
		 VL_RUNLOG_SCHEMA_VERSION);
	assert_int_equal(system(cmd), 0);
	vl_buf_release(&err);
}

struct kind_ctx {
	char text[256];
};

static int add_kind(void *ctx, const char *kind, long n)
{
	struct kind_ctx *c = ctx;
	size_t len = strlen(c->text);
	snprintf(c->text + len, sizeof(c->text) - len, "%s%s=%ld", len ? "," : "", kind, n);
	return 0;
}

static int collect_ids(void *ctx, const struct vl_sample_row *r)
{
	struct kind_ctx *c = ctx;
	size_t len = strlen(c->text);
	snprintf(c->text + len, sizeof(c->text) - len, "%s%s", len ? "," : "", r->sample_id);
	return 0;
}

/* The report queries: counts and sorted latencies in one pass, error kinds
 * by HTTP status and message, the worst samples first. */
static void test_report_queries(void **state)
{
	struct vl_runlog *rl;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_run_counts c;
	struct kind_ctx k = { "" };
	long long run;
	static const struct { const char *id; double score, lat; int parse_ok, cached, http;
			      const char *error; } rows[] = {
		{ "a", 1.0, 0.30, 1, 0, 200, NULL },
		{ "b", 0.0, 0.10, 1, 0, 200, NULL },
		{ "c", 0.5, 0.20, 1, 1, 200, NULL },          /* cached: no latency */
		{ "d", NAN, 0.40, 0, 0, 200, NULL },          /* unparsed */
		{ "e", NAN, -1, 0, 0, 503, "HTTP 503" },
		{ "f", NAN, -1, 0, 0, 429, "HTTP 429 too many" },
		{ "g", NAN, -1, 0, 0, 0, "timed out after 5 s waiting for headers" },
		{ "h", NAN, -1, 0, 0, 503, "HTTP 503 again" },
	};

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	run = new_run(rl);
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_sample_row r = { .sample_id = rows[i].id, .idx = (long)i, .prompt = "p",
					   .output = rows[i].error ? NULL : "out",
					   .extracted = rows[i].error ? NULL : "x",
					   .parse_ok = rows[i].parse_ok, .score = rows[i].score,
					   .latency_s = rows[i].lat, .ttft_s = -1, .prompt_tokens = -1,
					   .completion_tokens = -1, .bytes_sent = -1, .bytes_received = -1,
					   .http_status = rows[i].http, .cached = rows[i].cached,
					   .gpu_mem_peak_mb = -1, .error = rows[i].error };
		assert_int_equal(vl_runlog_put_sample(rl, run, &r, &err), 0);
	}
	vl_runlog_put_error(rl, run, "dataset", NULL, "bad record");
	assert_int_equal(vl_runlog_run_counts(rl, run, &c), 0);
	assert_int_equal(c.total, 8);
	assert_int_equal(c.answered, 4);
	assert_int_equal(c.failed, 4);
	assert_int_equal(c.cached, 1);
	assert_int_equal(c.parse_failures, 1);
	assert_int_equal(c.n_latency, 3);            /* the cached answer is left out */
	assert_true(c.latency[0] == 0.10 && c.latency[1] == 0.30 && c.latency[2] == 0.40);
	assert_int_equal(c.n_ttft, 0);
	assert_true(vl_percentile(c.latency, c.n_latency, 0.5) == 0.30);
	assert_true(vl_percentile(c.latency, c.n_latency, 0.99) == 0.40);
	assert_true(vl_percentile(c.latency, 0, 0.5) == -1);
	vl_run_counts_release(&c);

	assert_int_equal(vl_runlog_each_error_count(rl, run, add_kind, &k), 0);
	assert_string_equal(k.text, "server error (HTTP 5xx)=2,rate limited (HTTP 429)=1,timeout=1,"
				    "logged dataset=1");
	k.text[0] = '\0';
	/* failed (in dataset order), then unparsed, then by score ascending */
	assert_int_equal(vl_runlog_each_worst_sample(rl, run, 1, 6, collect_ids, &k), 0);
	assert_string_equal(k.text, "e,f,g,h,d,b");
	k.text[0] = '\0';
	/* lower is better: the highest scores are the worst */
	assert_int_equal(vl_runlog_each_worst_sample(rl, run, 0, 7, collect_ids, &k), 0);
	assert_string_equal(k.text, "e,f,g,h,d,a,c");
	vl_runlog_close(rl);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_samples_persist_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics_errors_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_question_and_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_cleared_by_migration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_queries, setup, teardown),
	};
	return cmocka_run_group_tests_name("runlog", tests, NULL, NULL);
}
