/*
 * report_json.c - the report as one JSON document; also the baseline file
 * of `vleval check --baseline FILE`.  Shape (README "report --format json"):
 *
 *   { "vleval_report": 1, "generated": "...", "db": "...", "selector": null,
 *     "tasks":  [ { "task", "metric", "name", "higher_is_better", "in_average" } ],
 *     "models": [ { "model", "rank", "baseline", "cached", "average",
 *                   "results": { TASK: { "run", "value", "ci_low", "ci_high", "n" } },
 *                   "cost": { ... } } ],
 *     "runs":   [ { "run", "task", "task_version", "model", "backend", "baseline",
 *                   "cached", "metric", "name", "value", "ci_low", "ci_high", "n",
 *                   "ranked", "reason", "compat": { "prompt", "extract", "metric" },
 *                   "metrics": [ { "metric", "name", "subset", "value", "ci_low",
 *                                  "ci_high", "n" } ],
 *                   "cost": { ... } } ] }
 */
#include "reports/report_data.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void key_num(struct vl_buf *b, const char *key, double v, int unknown_below_zero)
{
	vl_buf_addf(b, ",\"%s\":", key);
	vl_buf_add_json_num(b, unknown_below_zero && v < 0 ? NAN : v);
}

static void run_cost(struct vl_buf *b, const struct rp_run *r)
{
	vl_buf_addf(b, "{\"answered\":%ld,\"failed\":%ld,\"cached\":%ld,\"parse_failures\":%ld",
		    r->counts.answered, r->counts.failed, r->counts.cached, r->counts.parse_failures);
	key_num(b, "wall_s", r->ri.wall_s, 1);
	key_num(b, "samples_per_s", r->ri.throughput, 1);
	key_num(b, "output_tokens_per_s", r->out_tok_s, 1);
	key_num(b, "latency_p50_s", r->lat_p50, 1);
	key_num(b, "latency_p95_s", r->lat_p95, 1);
	key_num(b, "latency_p99_s", r->lat_p99, 1);
	key_num(b, "ttft_p50_s", r->ttft_p50, 1);
	key_num(b, "ttft_p95_s", r->ttft_p95, 1);
	key_num(b, "ttft_p99_s", r->ttft_p99, 1);
	key_num(b, "prompt_tokens", (double)r->ri.prompt_tokens, 1);
	key_num(b, "completion_tokens", (double)r->ri.completion_tokens, 1);
	key_num(b, "price_estimate", r->price, 1);
	vl_buf_adds(b, ",\"price_source\":");
	vl_buf_add_json_str(b, r->price_source);
	key_num(b, "harness_cpu_s", r->ri.cpu_s, 1);
	key_num(b, "harness_peak_rss_mb", r->ri.peak_rss_mb, 1);
	key_num(b, "engine_cpu_s", r->ri.backend_cpu_s, 1);
	key_num(b, "engine_peak_rss_mb", r->ri.backend_rss_mb, 1);
	key_num(b, "accelerator_mb", r->ri.gpu_mem_peak_mb, 1);
	vl_buf_addch(b, '}');
}

int vl_report_json_doc(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *b)
{
	char when[64];

	(void)rl;
	vl_buf_adds(b, "{\"vleval_report\":1,\"generated\":");
	vl_buf_add_json_str(b, rp_fmt_time(rep->generated, when, sizeof(when)));
	vl_buf_adds(b, ",\"db\":");
	vl_buf_add_json_str(b, rep->db_name);
	vl_buf_adds(b, ",\"selector\":");
	vl_buf_add_json_str(b, rep->selector);
	vl_buf_adds(b, ",\n\"tasks\":[");
	for (size_t t = 0; t < rep->ntasks; t++) {
		const struct rp_task *T = &rep->tasks[t];
		vl_buf_adds(b, t ? ",\n{\"task\":" : "\n{\"task\":");
		vl_buf_add_json_str(b, T->name);
		vl_buf_adds(b, ",\"metric\":");
		vl_buf_add_json_str(b, T->metric ? T->metric->name : NULL);
		vl_buf_adds(b, ",\"name\":");
		vl_buf_add_json_str(b, T->value_name);
		vl_buf_addf(b, ",\"higher_is_better\":%s,\"in_average\":%s}",
			    T->higher_is_better ? "true" : "false", T->in_average ? "true" : "false");
	}
	vl_buf_adds(b, "],\n\"models\":[");
	for (size_t m = 0, k = 0; m < rep->nmodels; m++) {
		const struct rp_model *M = &rep->models[m];
		if (!M->ranked)
			continue;
		vl_buf_adds(b, k++ ? ",\n{\"model\":" : "\n{\"model\":");
		vl_buf_add_json_str(b, M->label);
		vl_buf_adds(b, ",\"rank\":");
		if (M->rank)
			vl_buf_addf(b, "%ld", M->rank);
		else
			vl_buf_adds(b, "null");
		vl_buf_addf(b, ",\"baseline\":%s,\"cached\":%s,\"average\":",
			    M->baseline ? "true" : "false", M->cached ? "true" : "false");
		vl_buf_add_json_num(b, M->average);
		vl_buf_adds(b, ",\"results\":{");
		for (size_t t = 0, j = 0; t < rep->ntasks; t++) {
			const struct rp_run *r;
			if (M->task_run[t] < 0)
				continue;
			r = &rep->runs[M->task_run[t]];
			vl_buf_adds(b, j++ ? "," : "");
			vl_buf_add_json_str(b, rep->tasks[t].name);
			vl_buf_addf(b, ":{\"run\":%lld", r->ri.id);
			key_num(b, "value", r->value, 0);
			key_num(b, "ci_low", r->lo, 0);
			key_num(b, "ci_high", r->hi, 0);
			vl_buf_addf(b, ",\"n\":%ld}", r->n);
		}
		vl_buf_adds(b, "},\"cost\":{");
		vl_buf_adds(b, "\"latency_p50_s\":");
		vl_buf_add_json_num(b, M->lat_p50 < 0 ? NAN : M->lat_p50);
		key_num(b, "tokens", (double)M->tokens, 1);
		key_num(b, "price_estimate", M->price, 1);
		key_num(b, "harness_peak_rss_mb", M->rss_mb, 1);
		key_num(b, "engine_peak_rss_mb", M->engine_rss_mb, 1);
		key_num(b, "accelerator_mb", M->gpu_mb, 1);
		vl_buf_adds(b, "}}");
	}
	vl_buf_adds(b, "],\n\"runs\":[");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		vl_buf_addf(b, "%s{\"run\":%lld,\"task\":", i ? ",\n" : "\n", r->ri.id);
		vl_buf_add_json_str(b, r->ri.task);
		vl_buf_addf(b, ",\"task_version\":%d,\"model\":", r->ri.task_version);
		vl_buf_add_json_str(b, r->label);
		vl_buf_adds(b, ",\"backend\":");
		vl_buf_add_json_str(b, r->ri.backend);
		vl_buf_addf(b, ",\"baseline\":%s,\"cached\":%s,\"created\":",
			    r->ri.baseline ? "true" : "false", r->counts.cached > 0 ? "true" : "false");
		vl_buf_add_json_str(b, rp_fmt_time(r->ri.created, when, sizeof(when)));
		vl_buf_adds(b, ",\"metric\":");
		vl_buf_add_json_str(b, r->metric ? r->metric->name : NULL);
		vl_buf_adds(b, ",\"name\":");
		vl_buf_add_json_str(b, r->value_name);
		key_num(b, "value", r->value, 0);
		key_num(b, "ci_low", r->lo, 0);
		key_num(b, "ci_high", r->hi, 0);
		vl_buf_addf(b, ",\"n\":%ld,\"ranked\":%s,\"reason\":", r->n,
			    r->ranked ? "true" : "false");
		vl_buf_add_json_str(b, r->reason);
		vl_buf_adds(b, ",\"compat\":{\"prompt\":");
		vl_buf_add_json_str(b, r->prompt);
		vl_buf_adds(b, ",\"extract\":");
		vl_buf_add_json_str(b, r->extract);
		vl_buf_adds(b, ",\"metric\":");
		vl_buf_add_json_str(b, r->metric_opts);
		vl_buf_adds(b, "},\"metrics\":[");
		for (size_t j = 0; j < r->nmetrics; j++) {
			const struct rp_metric *m = &r->metrics[j];
			vl_buf_adds(b, j ? ",{\"metric\":" : "{\"metric\":");
			vl_buf_add_json_str(b, m->metric);
			vl_buf_adds(b, ",\"name\":");
			vl_buf_add_json_str(b, m->name);
			vl_buf_adds(b, ",\"subset\":");
			vl_buf_add_json_str(b, m->subset);
			key_num(b, "value", m->value, 0);
			key_num(b, "ci_low", m->lo, 0);
			key_num(b, "ci_high", m->hi, 0);
			vl_buf_addf(b, ",\"n\":%ld}", m->n);
		}
		vl_buf_adds(b, "],\"cost\":");
		run_cost(b, r);
		vl_buf_addch(b, '}');
	}
	vl_buf_adds(b, "]}\n");
	return 0;
}
