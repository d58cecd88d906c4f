/*
 * test_runner.c - the evaluation loop end to end on a small JSON-lines set:
 * every row keeps its question and reference; the metrics are finished from
 * the stored rows (the dataset may be gone by then); a resumed run scores
 * exactly like an uninterrupted one.
 */
#include "test_helpers.h"

#include "bench/runlog.h"
#include "bench/runner.h"
#include "bench/task.h"

#define N 40

static char dir[64], db_path[96], data_path[96];

static const char task_json[] =
	"{\"name\": \"t\", \"family\": \"vqa\", \"version\": 1,"
	" \"dataset\": {\"format\": \"jsonl\", \"path\": \"set.jsonl\"},"
	" \"prompt\": \"{question}\", \"generation\": {\"max_tokens\": 8, \"temperature\": 0},"
	" \"extract\": \"short\", \"metrics\": [\"exact_match\"], \"breakdown\": [\"shape\"],"
	" \"choices\": [\"red\", \"blue\"]}";

static int setup(void **state)
{
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/vleval-runner-%d", (int)getpid());
	mkdir(dir, 0755);
	snprintf(db_path, sizeof(db_path), "%s/r.db", dir);
	snprintf(data_path, sizeof(data_path), "%s/set.jsonl", dir);
	f = fopen(data_path, "w");
	assert_non_null(f);
	for (int i = 0; i < N; i++)
		fprintf(f, "{\"id\": %d, \"question\": \"colour %d?\", \"answer\": \"%s\","
			" \"meta\": {\"shape\": \"%s\"}}\n", i, i, i % 3 ? "red" : "blue",
			i % 2 ? "circle" : "square");
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct vl_task *task(void)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_task *t = NULL;

	assert_int_equal(vl_task_parse(task_json, strlen(task_json), "test", &t, &err), 0);
	vl_buf_release(&err);
	return t;
}

static int add_metric(void *ctx, const struct vl_metric_row *r)
{
	vl_buf_addf(ctx, "%s/%s/%s=%a %a %a %ld\n", r->metric, r->name, r->subset, r->value,
		    r->ci_lo, r->ci_hi, r->n);
	return 0;
}

static void metrics_text(struct vl_runlog *rl, long long run, struct vl_buf *out)
{
	vl_buf_reset(out);
	vl_runlog_each_metric(rl, run, add_metric, out);
}

struct rows {
	int n, with_reference, with_question;
};

static int count_rows(void *ctx, const struct vl_sample_row *r)
{
	struct rows *c = ctx;
	c->n++;
	c->with_reference += r->reference && strstr(r->reference, "\"answers\":[\"");
	c->with_question += r->question && !strncmp(r->question, "colour ", 7);
	return 0;
}

static struct vl_run_opts opts(const char *backend, struct vl_kv *cfg)
{
	struct vl_run_opts o = {
		.data_dir = dir, .backend = backend, .backend_cfg = cfg, .limit = -1,
		.concurrency = 4, .resamples = 20, .seed = 1, .ci_level = 0.95,
		.price_input = -1, .price_output = -1,
	};
	return o;
}

static void test_run_scores_from_stored_rows(void **state)
{
	struct vl_task *t = task();
	struct vl_kv cfg = { 0 };
	struct vl_run_opts o = opts("oracle", &cfg);
	struct vl_buf err = VL_BUF_INIT, before = VL_BUF_INIT, after = VL_BUF_INIT;
	struct vl_run_result res;
	struct vl_runlog *rl;
	struct rows c = { 0 };

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	assert_int_equal(vl_runner_run(t, &o, rl, &res, &err), 0);
	assert_string_equal(res.status, "finished");
	assert_int_equal(res.n_done, N);
	vl_runlog_each_sample(rl, res.run_id, 0, count_rows, &c);
	assert_int_equal(c.n, N);
	assert_int_equal(c.with_reference, N);
	assert_int_equal(c.with_question, N);
	metrics_text(rl, res.run_id, &before);
	assert_non_null(strstr(before.buf, "exact_match/"));
	assert_non_null(strstr(before.buf, "/shape=circle="));
	/* scoring needs the stored rows only: the dataset may be gone */
	assert_int_equal(remove(data_path), 0);
	assert_int_equal(vl_runner_score(t, rl, res.run_id, &o, &err), 0);
	metrics_text(rl, res.run_id, &after);
	assert_string_equal(before.buf, after.buf);
	vl_runlog_close(rl);
	vl_task_free(t);
	vl_buf_release(&err);
	vl_buf_release(&before);
	vl_buf_release(&after);
}

static void test_resume_scores_like_uninterrupted(void **state)
{
	struct vl_task *t = task();
	struct vl_kv cfg = { 0 };
	struct vl_run_opts o;
	struct vl_buf err = VL_BUF_INIT, whole = VL_BUF_INIT, resumed = VL_BUF_INIT;
	struct vl_run_result res;
	struct vl_runlog *rl;
	char cmd[300];
	long long first;

	vl_kv_set(&cfg, "seed", "5");
	o = opts("random", &cfg);
	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	assert_int_equal(vl_runner_run(t, &o, rl, &res, &err), 0);
	first = res.run_id;
	metrics_text(rl, first, &whole);
	assert_true(whole.len > 0);
	assert_int_equal(vl_runner_run(t, &o, rl, &res, &err), 0);
	vl_runlog_close(rl);
	/* the second run as a kill would leave it: rows lost, no metrics */
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"delete from samples where run_id=%lld and idx %% 3 = 1;"
		 " delete from metrics where run_id=%lld;"
		 " update runs set status='interrupted' where id=%lld\"",
		 db_path, res.run_id, res.run_id, res.run_id);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	o.resume_id = res.run_id;
	assert_int_equal(vl_runner_run(t, &o, rl, &res, &err), 0);
	assert_string_equal(res.status, "finished");
	assert_int_equal(res.n_skipped, N - (N + 1) / 3);
	metrics_text(rl, res.run_id, &resumed);
	assert_string_equal(whole.buf, resumed.buf);
	vl_runlog_close(rl);
	vl_kv_release(&cfg);
	vl_task_free(t);
	vl_buf_release(&err);
	vl_buf_release(&whole);
	vl_buf_release(&resumed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_scores_from_stored_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resume_scores_like_uninterrupted, setup, teardown),
	};
	return cmocka_run_group_tests_name("runner", tests, NULL, NULL);
}
