/*
 * summary.c - text and JSON views of one run (see summary.h).
 */
#include "bench/summary.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>
#include <time.h>

struct print_ctx {
	FILE *out;
	int breakdowns;
	int header_done;
	int any_subset;
	char ci_head[32];   /* "95% CI": the run's stored confidence level */
};

/* The column head of the intervals, from the level the run was scored at. */
static void ci_head(const char *config, char *dst, size_t n)
{
	cJSON *conf = cJSON_Parse(config ? config : "");
	const cJSON *lv = cJSON_GetObjectItem(cJSON_GetObjectItem(conf, "bootstrap"), "level");
	double level = cJSON_IsNumber(lv) ? lv->valuedouble : 0.95;

	snprintf(dst, n, "%.6g%% CI", level * 100);
	cJSON_Delete(conf);
}

/* Counts (integers without an interval) print as integers, scores with
 * four decimals. */
static void fmt_value(char *dst, size_t n, double v, int is_count)
{
	if (isnan(v))
		snprintf(dst, n, "-");
	else if (is_count && v == floor(v) && fabs(v) < 1e12)
		snprintf(dst, n, "%.0f", v);
	else
		snprintf(dst, n, "%.4f", v);
}

static int print_metric(void *ctx, const struct vl_metric_row *r)
{
	struct print_ctx *c = ctx;
	char val[32], lo[32], hi[32], name[160];

	if (r->subset[0]) {
		c->any_subset = 1;
		if (!c->breakdowns)
			return 0;
	}
	if (!c->header_done) {
		fprintf(c->out, "  %-34s %12s  %-23s %8s\n", "metric", "value", c->ci_head, "n");
		c->header_done = 1;
	}
	fmt_value(val, sizeof(val), r->value, isnan(r->ci_lo) && !r->subset[0]);
	snprintf(name, sizeof(name), "%s/%s%s%s", r->metric, r->name, r->subset[0] ? " " : "",
		 r->subset);
	if (!isnan(r->ci_lo)) {
		char ci[80];
		fmt_value(lo, sizeof(lo), r->ci_lo, 0);
		fmt_value(hi, sizeof(hi), r->ci_hi, 0);
		snprintf(ci, sizeof(ci), "[%s, %s]", lo, hi);
		fprintf(c->out, "  %-34s %12s  %-23s %8ld\n", name, val, ci, r->n);
	} else {
		fprintf(c->out, "  %-34s %12s  %-23s %8ld\n", name, val, "", r->n);
	}
	return 0;
}

static void ftime(double t, char *dst, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(dst, n, "-");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(dst, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* Cost figures computed from the sample rows at display time. */
struct cost_extra {
	struct vl_run_counts counts;
	double lat_p99, ttft_p99;
	double out_tok_s;
};

static void cost_extra(struct vl_runlog *rl, const struct vl_run_info *ri, struct cost_extra *x)
{
	vl_runlog_run_counts(rl, ri->id, &x->counts);
	x->lat_p99 = vl_percentile(x->counts.latency, x->counts.n_latency, 0.99);
	x->ttft_p99 = vl_percentile(x->counts.ttft, x->counts.n_ttft, 0.99);
	x->out_tok_s = ri->completion_tokens >= 0 && ri->wall_s > 0
			       ? (double)ri->completion_tokens / ri->wall_s : -1;
}

struct kinds_ctx {
	FILE *out;
	struct vl_buf *json;
	int n;
};

static int print_kind(void *p, const char *kind, long n)
{
	struct kinds_ctx *c = p;

	if (c->json) {
		vl_buf_adds(c->json, c->n++ ? "," : "");
		vl_buf_add_json_str(c->json, kind);
		vl_buf_addf(c->json, ":%ld", n);
		return 0;
	}
	fprintf(c->out, "%s%s %ld", c->n++ ? ", " : "  errors by kind: ", kind, n);
	return 0;
}

static void print_cost(struct vl_runlog *rl, const struct vl_run_info *ri, FILE *out)
{
	struct cost_extra x;
	struct kinds_ctx kc = { out, NULL, 0 };

	cost_extra(rl, ri, &x);
	fprintf(out, "  cost: wall %.2f s  harness cpu %.2f s  peak RSS %.1f MB", ri->wall_s,
		ri->cpu_s, ri->peak_rss_mb);
	if (ri->throughput > 0)
		fprintf(out, "  %.1f samples/s", ri->throughput);
	if (x.out_tok_s >= 0)
		fprintf(out, "  %.1f output tokens/s", x.out_tok_s);
	fputc('\n', out);
	if (ri->latency_p50 >= 0)
		fprintf(out, "  latency p50 %.3f s  p95 %.3f s  p99 %.3f s", ri->latency_p50,
			ri->latency_p95, x.lat_p99);
	else if (x.counts.answered > 0)
		fprintf(out, "  latency: not measured%s", x.counts.cached == x.counts.answered
				     ? " (every answer came from the cache)" : "");
	if (ri->ttft_p50 >= 0)
		fprintf(out, "  ttft p50 %.3f s  p95 %.3f s  p99 %.3f s", ri->ttft_p50, ri->ttft_p95,
			x.ttft_p99);
	else if (x.counts.answered > 0)
		fprintf(out, "  ttft: not reported (no streaming)");
	fputc('\n', out);
	if (ri->prompt_tokens >= 0 || ri->completion_tokens >= 0)
		fprintf(out, "  tokens: prompt %lld  completion %lld  total %lld\n", ri->prompt_tokens,
			ri->completion_tokens,
			(ri->prompt_tokens > 0 ? ri->prompt_tokens : 0) +
			(ri->completion_tokens > 0 ? ri->completion_tokens : 0));
	else
		fprintf(out, "  tokens: not reported by the backend\n");
	fprintf(out, "  engine (workers):");
	if (ri->backend_cpu_s < 0 && ri->backend_rss_mb < 0)
		fprintf(out, " not measured (in-process or remote)");
	if (ri->backend_cpu_s >= 0)
		fprintf(out, " cpu %.2f s", ri->backend_cpu_s);
	if (ri->backend_rss_mb >= 0)
		fprintf(out, "  peak RSS %.1f MB", ri->backend_rss_mb);
	if (ri->gpu_mem_peak_mb >= 0)
		fprintf(out, "  accelerator memory peak %.0f MB", ri->gpu_mem_peak_mb);
	fputc('\n', out);
	vl_runlog_each_error_count(rl, ri->id, print_kind, &kc);
	fprintf(out, kc.n ? "\n" : "  errors by kind: none\n");
	if (ri->price >= 0)
		fprintf(out, "  price %.4f (estimate: tokens x price per million tokens)\n", ri->price);
	else if (!ri->baseline && ri->prompt_tokens >= 0)
		fprintf(out, "  price: unknown (give --price-input/--price-output, or the model in "
			"prices.json)\n");
	if (x.counts.truncated > 0)
		fprintf(out, "  truncated: %ld of %ld answers were cut (finish_reason \"length\": "
			"max_tokens, or a full context on the server)\n", x.counts.truncated,
			x.counts.answered);
	if (x.counts.cached > 0) {
		fprintf(out, "  cached: %ld of %ld answers came from the response cache and cost "
			"nothing", x.counts.cached, x.counts.answered);
		if (x.counts.cached_prompt_tokens > 0 || x.counts.cached_completion_tokens > 0)
			fprintf(out, " (prompt %lld  completion %lld tokens not spent, left out of "
				"the tokens and the price above)", x.counts.cached_prompt_tokens,
				x.counts.cached_completion_tokens);
		fputc('\n', out);
	}
	vl_run_counts_release(&x.counts);
}

int vl_summary_print(struct vl_runlog *rl, long long run, int breakdowns, FILE *out)
{
	struct vl_run_info ri;
	struct vl_buf err = VL_BUF_INIT;
	struct print_ctx c = { out, breakdowns, 0, 0, "" };
	char created[64];

	if (vl_runlog_get_run(rl, run, &ri, &err) < 0) {
		fprintf(stderr, "vleval: error: %s\n", vl_buf_str(&err));
		vl_buf_release(&err);
		return VL_ENOTFOUND;
	}
	ci_head(ri.config, c.ci_head, sizeof(c.ci_head));
	ftime(ri.created, created, sizeof(created));
	fprintf(out, "run %lld  %s  task %s (v%d, %s)\n", ri.id, ri.status, ri.task,
		ri.task_version, ri.family ? ri.family : "?");
	fprintf(out, "  backend %s%s  model %s  started %s\n", ri.backend,
		ri.baseline ? " [BASELINE, not a model]" : "", ri.model ? ri.model : "-", created);
	if (ri.n_samples > 0 || strcmp(ri.status, "running"))
		fprintf(out, "  samples %ld", ri.n_samples);
	else
		fprintf(out, "  samples ?");   /* known when the run ends */
	fprintf(out, "  answered %ld  errors %ld  bad records %ld\n", ri.n_done, ri.n_errors,
		ri.n_bad_records);
	vl_runlog_each_metric(rl, run, print_metric, &c);
	if (!c.header_done)
		fprintf(out, "  (no metrics%s)\n",
			!strcmp(ri.status, "running") ? " yet: the run is going on, or was killed; "
							"then 'vleval run --resume' finishes it"
			: strcmp(ri.status, "finished") ? " yet: the run has not finished"
			: ri.n_done == 0 ? ": no sample was answered; see vleval show --errors"
					 : ": no answered sample carried ground truth (a test split?); "
					   "see vleval show --errors");
	if (c.any_subset && !breakdowns)
		fprintf(out, "  (breakdowns: vleval show %lld --breakdown)\n", ri.id);
	print_cost(rl, &ri, out);
	vl_run_info_release(&ri);
	vl_buf_release(&err);
	return 0;
}

struct json_ctx {
	struct vl_buf *out;
	int first;
};

static int json_metric(void *ctx, const struct vl_metric_row *r)
{
	struct json_ctx *c = ctx;

	if (!c->first)
		vl_buf_addch(c->out, ',');
	c->first = 0;
	vl_buf_adds(c->out, "{\"metric\":");
	vl_buf_add_json_str(c->out, r->metric);
	vl_buf_adds(c->out, ",\"name\":");
	vl_buf_add_json_str(c->out, r->name);
	vl_buf_adds(c->out, ",\"subset\":");
	vl_buf_add_json_str(c->out, r->subset);
	vl_buf_adds(c->out, ",\"value\":");
	vl_buf_add_json_num(c->out, r->value);
	vl_buf_adds(c->out, ",\"ci_low\":");
	vl_buf_add_json_num(c->out, r->ci_lo);
	vl_buf_adds(c->out, ",\"ci_high\":");
	vl_buf_add_json_num(c->out, r->ci_hi);
	vl_buf_addf(c->out, ",\"n\":%ld}", r->n);
	return 0;
}

static void num_or_null(struct vl_buf *b, const char *key, double v)
{
	vl_buf_addf(b, ",\"%s\":", key);
	vl_buf_add_json_num(b, v < 0 ? NAN : v);
}

int vl_summary_json(struct vl_runlog *rl, long long run, struct vl_buf *out)
{
	struct vl_run_info ri;
	struct json_ctx c = { out, 1 };
	struct vl_buf err = VL_BUF_INIT;

	if (vl_runlog_get_run(rl, run, &ri, &err) < 0) {
		vl_buf_release(&err);
		return VL_ENOTFOUND;
	}
	vl_buf_addf(out, "{\"id\":%lld,\"status\":", ri.id);
	vl_buf_add_json_str(out, ri.status);
	vl_buf_adds(out, ",\"task\":");
	vl_buf_add_json_str(out, ri.task);
	vl_buf_addf(out, ",\"task_version\":%d,\"family\":", ri.task_version);
	vl_buf_add_json_str(out, ri.family);
	vl_buf_adds(out, ",\"backend\":");
	vl_buf_add_json_str(out, ri.backend);
	vl_buf_addf(out, ",\"baseline\":%s,\"model\":", ri.baseline ? "true" : "false");
	vl_buf_add_json_str(out, ri.model);
	vl_buf_adds(out, ",\"config_hash\":");
	vl_buf_add_json_str(out, ri.config_hash);
	vl_buf_adds(out, ",\"code_version\":");
	vl_buf_add_json_str(out, ri.code_version);
	vl_buf_adds(out, ",\"config\":");
	vl_buf_adds(out, ri.config ? ri.config : "null");
	vl_buf_addf(out, ",\"created\":");
	vl_buf_add_json_num(out, ri.created);
	num_or_null(out, "finished", ri.finished > 0 ? ri.finished : -1);
	vl_buf_addf(out, ",\"n_samples\":%ld,\"n_done\":%ld,\"n_errors\":%ld,\"n_bad_records\":%ld",
		    ri.n_samples, ri.n_done, ri.n_errors, ri.n_bad_records);
	vl_buf_adds(out, ",\"metrics\":[");
	vl_runlog_each_metric(rl, run, json_metric, &c);
	vl_buf_adds(out, "],\"cost\":{\"wall_s\":");
	vl_buf_add_json_num(out, ri.wall_s);
	num_or_null(out, "cpu_s", ri.cpu_s);
	num_or_null(out, "peak_rss_mb", ri.peak_rss_mb);
	num_or_null(out, "throughput", ri.throughput);
	num_or_null(out, "latency_p50_s", ri.latency_p50);
	num_or_null(out, "latency_p95_s", ri.latency_p95);
	num_or_null(out, "ttft_p50_s", ri.ttft_p50);
	num_or_null(out, "ttft_p95_s", ri.ttft_p95);
	num_or_null(out, "prompt_tokens", (double)ri.prompt_tokens);
	num_or_null(out, "completion_tokens", (double)ri.completion_tokens);
	num_or_null(out, "backend_cpu_s", ri.backend_cpu_s);
	num_or_null(out, "backend_peak_rss_mb", ri.backend_rss_mb);
	num_or_null(out, "gpu_mem_peak_mb", ri.gpu_mem_peak_mb);
	num_or_null(out, "price", ri.price);
	{
		struct cost_extra x;
		struct kinds_ctx kc = { NULL, out, 0 };
		cost_extra(rl, &ri, &x);
		vl_buf_addf(out, ",\"price_is_estimate\":true");
		num_or_null(out, "latency_p99_s", x.lat_p99);
		num_or_null(out, "ttft_p99_s", x.ttft_p99);
		num_or_null(out, "output_tokens_per_s", x.out_tok_s);
		num_or_null(out, "total_tokens",
			    ri.prompt_tokens < 0 && ri.completion_tokens < 0
				    ? -1 : (double)((ri.prompt_tokens > 0 ? ri.prompt_tokens : 0) +
						    (ri.completion_tokens > 0 ? ri.completion_tokens : 0)));
		vl_buf_addf(out, ",\"cached_prompt_tokens\":%lld,\"cached_completion_tokens\":%lld",
			    x.counts.cached_prompt_tokens, x.counts.cached_completion_tokens);
		vl_buf_addf(out, ",\"answered\":%ld,\"failed\":%ld,\"cached\":%ld,"
			    "\"parse_failures\":%ld,\"truncated\":%ld,\"errors_by_kind\":{",
			    x.counts.answered, x.counts.failed, x.counts.cached,
			    x.counts.parse_failures, x.counts.truncated);
		vl_runlog_each_error_count(rl, ri.id, print_kind, &kc);
		vl_buf_addch(out, '}');
		vl_run_counts_release(&x.counts);
	}
	vl_buf_adds(out, "}}");
	vl_run_info_release(&ri);
	vl_buf_release(&err);
	return 0;
}
