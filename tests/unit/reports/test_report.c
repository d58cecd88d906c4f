/*
 * test_report.c - the report's data (reports/report.c): the latest run per
 * model and task, ranking, the refusal to rank runs whose task version,
 * prompt, extraction or metric options differ (with the reason), the
 * average over the tasks every row has, baselines without a rank, the run
 * selector, prices from a prices file, and the sample browser's reference.
 */
#include "test_helpers.h"

#include "reports/report_data.h"

#include <math.h>

static char db_path[64];

static int setup(void **state)
{
	snprintf(db_path, sizeof(db_path), "/tmp/vleval-report-%d.db", (int)getpid());
	remove(db_path);
	return 0;
}

static int teardown(void **state)
{
	th_remove_db(db_path);
	return 0;
}

/* A finished run of task with model (NULL: a baseline backend) whose
 * headline metric (pope f1) is f1. */
static long long add_run(struct vl_runlog *rl, const char *task, int version, const char *model,
			 const char *prompt, const char *extract, const char *options, double f1)
{
	struct vl_run_info ri = { 0 };
	struct vl_buf err = VL_BUF_INIT, cfg = VL_BUF_INIT, tj = VL_BUF_INIT;
	long long id;

	vl_buf_addf(&cfg, "{\"prompt\":\"%s\",\"extract\":\"%s\",\"model_family\":null}", prompt,
		    extract);
	vl_buf_addf(&tj, "{\"metrics\":[\"pope\"]%s%s}", options ? ",\"metric_options\":" : "",
		    options ? options : "");
	ri.created = 1000;
	ri.task = (char *)task;
	ri.task_version = version;
	ri.backend = model ? "openai" : "random";
	ri.model = (char *)model;
	ri.baseline = !model;
	ri.config = (char *)vl_buf_str(&cfg);
	ri.config_hash = "h";
	ri.task_json = (char *)vl_buf_str(&tj);
	assert_int_equal(vl_runlog_create_run(rl, &ri, &id, &err), 0);
	ri.id = id;
	ri.status = "finished";
	ri.finished = 1001;
	ri.price = -1;
	ri.prompt_tokens = 2000000;
	ri.completion_tokens = 1000000;
	ri.wall_s = ri.cpu_s = ri.peak_rss_mb = ri.backend_cpu_s = ri.backend_rss_mb = -1;
	ri.gpu_mem_peak_mb = ri.latency_p50 = ri.latency_p95 = ri.ttft_p50 = ri.ttft_p95 = -1;
	ri.throughput = -1;
	assert_int_equal(vl_runlog_update_run(rl, &ri, &err), 0);
	vl_runlog_put_metric(rl, id, "pope", "acc", "", f1 - 0.01, f1 - 0.05, f1 + 0.03, 100);
	vl_runlog_put_metric(rl, id, "pope", "f1", "", f1, f1 - 0.04, f1 + 0.04, 100);
	vl_runlog_put_metric(rl, id, "pope", "f1", "split=random", f1, NAN, NAN, 100);
	vl_runlog_flush(rl);
	vl_buf_release(&err);
	vl_buf_release(&cfg);
	vl_buf_release(&tj);
	return id;
}

static const struct rp_run *run_of(const struct vl_report *rep, const char *label, const char *task)
{
	for (size_t i = 0; i < rep->nruns; i++)
		if (!strcmp(rep->runs[i].label, label) && !strcmp(rep->runs[i].ri.task, task))
			return &rep->runs[i];
	return NULL;
}

static const struct rp_model *model_of(const struct vl_report *rep, const char *label)
{
	for (size_t m = 0; m < rep->nmodels; m++)
		if (!strcmp(rep->models[m].label, label))
			return &rep->models[m];
	return NULL;
}

static const char P[] = "{question} Answer yes or no.";

static void test_ranking_and_refusal(void **state)
{
	struct vl_runlog *rl;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_report rep;
	struct vl_report_opts o = { 0 };
	const struct rp_run *r;

	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	add_run(rl, "pope_a", 1, "alpha", P, "yesno", NULL, 0.70);   /* older alpha: replaced */
	add_run(rl, "pope_a", 1, "alpha", P, "yesno", NULL, 0.90);
	add_run(rl, "pope_a", 1, "beta", P, "yesno", NULL, 0.80);
	add_run(rl, "pope_a", 1, NULL, P, "yesno", NULL, 0.50);      /* the random baseline */
	add_run(rl, "pope_a", 2, "gamma", P, "yesno", NULL, 0.99);   /* another task version */
	add_run(rl, "pope_a", 1, "delta", "Reply in one word.", "yesno", NULL, 0.95);
	add_run(rl, "pope_a", 1, "eps", P, "short", NULL, 0.95);
	add_run(rl, "pope_a", 1, "zeta", P, "yesno", "{\"revision\":\"2017\"}", 0.95);
	add_run(rl, "pope_b", 1, "alpha", P, "yesno", NULL, 0.60);   /* only alpha has pope_b */

	assert_int_equal(vl_report_load(rl, &o, &rep, &err), 0);
	assert_int_equal(rep.nruns, 8);
	assert_int_equal(rep.ntasks, 2);
	r = run_of(&rep, "alpha", "pope_a");
	assert_non_null(r);
	assert_int_equal(r->ri.id, 2);
	assert_true(r->ranked && r->value == 0.90 && r->n == 100);
	assert_string_equal(r->value_name, "f1");
	assert_true(fabs(r->lo - 0.86) < 1e-12 && fabs(r->hi - 0.94) < 1e-12);
	assert_string_equal(run_of(&rep, "gamma", "pope_a")->reason,
			    "task version 2; the ranked runs have 1");
	assert_string_equal(run_of(&rep, "delta", "pope_a")->reason,
			    "another prompt than the ranked runs");
	assert_string_equal(run_of(&rep, "eps", "pope_a")->reason,
			    "extraction 'short'; the ranked runs use 'yesno'");
	assert_non_null(strstr(run_of(&rep, "zeta", "pope_a")->reason, "metric version differs"));
	assert_false(run_of(&rep, "zeta", "pope_a")->ranked);
	/* pope_b is not every row's: the average is over pope_a alone */
	assert_true(rep.tasks[0].in_average && !rep.tasks[1].in_average);
	assert_string_equal(rep.tasks[1].avg_note, "not every row has it");
	assert_true(model_of(&rep, "alpha")->average == 0.90);
	assert_int_equal(model_of(&rep, "alpha")->rank, 1);
	assert_int_equal(model_of(&rep, "beta")->rank, 2);
	assert_int_equal(model_of(&rep, "random")->rank, 0);       /* a baseline: no rank */
	assert_true(model_of(&rep, "random")->baseline && model_of(&rep, "random")->ranked);
	assert_false(model_of(&rep, "gamma")->ranked);
	/* leaderboard order: ranked rows by average, then the others */
	assert_string_equal(rep.models[0].label, "alpha");
	assert_string_equal(rep.models[1].label, "beta");
	assert_string_equal(rep.models[2].label, "random");
	vl_report_release(&rep);
	vl_runlog_close(rl);
	vl_buf_release(&err);
}

static void test_selector_and_prices(void **state)
{
	struct vl_runlog *rl;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_report rep;
	struct vl_report_opts o = { 0 };
	char prices[80];
	FILE *f;

	snprintf(prices, sizeof(prices), "%s.prices.json", db_path);
	f = fopen(prices, "w");
	assert_non_null(f);
	fputs("{\"alpha\": {\"input\": 1.5, \"output\": 4}}", f);
	fclose(f);
	assert_int_equal(vl_runlog_open(db_path, &rl, &err), 0);
	add_run(rl, "pope_a", 1, "alpha", P, "yesno", NULL, 0.9);
	add_run(rl, "pope_b", 1, "alpha", P, "yesno", NULL, 0.8);
	add_run(rl, "pope_a", 1, "beta", P, "yesno", NULL, 0.7);
	vl_runlog_set_status(rl, add_run(rl, "pope_a", 1, "beta", P, "yesno", NULL, 0.1),
			     "interrupted");

	o.runs = "model=al*";
	o.prices = prices;
	assert_int_equal(vl_report_load(rl, &o, &rep, &err), 0);
	assert_int_equal(rep.nruns, 2);
	/* 2M prompt tokens at 1.5 + 1M completion tokens at 4 per million */
	assert_true(rep.runs[0].price == 7.0);
	assert_string_equal(rep.runs[0].price_source, "prices.json");
	assert_true(model_of(&rep, "alpha")->price == 14.0);
	vl_report_release(&rep);

	o.runs = "task=pope_a,2-4";
	assert_int_equal(vl_report_load(rl, &o, &rep, &err), 0);
	assert_int_equal(rep.nruns, 1);            /* run 3 (beta); run 4 is interrupted */
	assert_int_equal(rep.runs[0].ri.id, 3);
	assert_int_equal(rep.skipped.n, 1);
	assert_string_equal(rep.skipped.v[0], "run 4 (interrupted)");
	assert_true(rep.runs[0].price == -1);      /* beta is not in the prices file */
	vl_report_release(&rep);

	o.runs = "since=2000-01-01";  /* the runs started in 1970 */
	assert_int_equal(vl_report_load(rl, &o, &rep, &err), 0);
	assert_int_equal(rep.nruns, 0);
	vl_report_release(&rep);

	o.runs = "colour=red";
	assert_int_equal(vl_report_load(rl, &o, &rep, &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "unknown run selector 'colour='"));
	vl_report_release(&rep);
	vl_buf_reset(&err);
	o.runs = "7-3";
	assert_int_equal(vl_report_load(rl, &o, &rep, &err), VL_EINVAL);
	vl_report_release(&rep);
	vl_buf_reset(&err);
	o.runs = "since=yesterday";
	assert_int_equal(vl_report_load(rl, &o, &rep, &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "bad date 'yesterday'"));
	vl_report_release(&rep);
	vl_runlog_close(rl);
	vl_buf_release(&err);
	remove(prices);
}

static void test_sample_reference(void **state)
{
	struct vl_sample_row r = { 0 };
	struct vl_buf b = VL_BUF_INIT;

	r.prompt = "Is there a cat? Answer yes or no.";
	assert_int_equal(rp_sample_reference(&r, &b), VL_ENOTFOUND);
	assert_int_equal(rp_sample_image(&r, &b), VL_ENOTFOUND);
	assert_string_equal(rp_sample_question(&r), r.prompt);
	r.question = "Is there a cat?";
	r.reference = "{\"answers\":[\"two\",\"2\"],\"label\":\"yes\",\"images\":[\"a/b.png\"],"
		      "\"box\":[1,2.5,3,4],\"meta\":{\"k\":\"v\"}}";
	assert_int_equal(rp_sample_reference(&r, &b), 0);
	assert_string_equal(vl_buf_str(&b), "label: yes; answers: two | 2; box: 1, 2.5, 3, 4");
	vl_buf_reset(&b);
	assert_int_equal(rp_sample_image(&r, &b), 0);
	assert_string_equal(vl_buf_str(&b), "a/b.png");
	assert_string_equal(rp_sample_question(&r), "Is there a cat?");
	vl_buf_reset(&b);
	rp_cut("h\xC3\xA9llo", 2, &b);              /* never splits a character */
	assert_string_equal(vl_buf_str(&b), "h\xE2\x80\xA6");
	vl_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ranking_and_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selector_and_prices, setup, teardown),
		cmocka_unit_test(test_sample_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
