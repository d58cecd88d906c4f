/*
 * report_csv.c - the report as CSV (RFC 4180): one line per selected run,
 * with its model's rank and average, the headline metric with its interval,
 * whether it is ranked (and why not), and its cost.  For spreadsheets and
 * other tools.
 */
#include "reports/report_data.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void csv_str(struct vl_buf *b, const char *s)
{
	vl_buf_addch(b, '"');
	for (; s && *s; s++) {
		if (*s == '"')
			vl_buf_addch(b, '"');
		vl_buf_addch(b, *s);
	}
	vl_buf_addch(b, '"');
}

static void csv_num(struct vl_buf *b, double v, int unknown_below_zero)
{
	vl_buf_addch(b, ',');
	if (isnan(v) || (unknown_below_zero && v < 0))
		return;
	vl_buf_addf(b, "%.17g", v);
}

int vl_report_csv(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *b)
{
	(void)rl;
	vl_buf_adds(b, "rank,model,baseline,cached,task,task_version,run,ranked,reason,metric,name,"
		       "value,ci_low,ci_high,n,average,answered,failed,cached_answers,parse_failures,"
		       "wall_s,samples_per_s,output_tokens_per_s,latency_p50_s,latency_p95_s,"
		       "latency_p99_s,ttft_p50_s,ttft_p95_s,ttft_p99_s,prompt_tokens,"
		       "completion_tokens,price_estimate,price_source,harness_cpu_s,"
		       "harness_peak_rss_mb,engine_cpu_s,engine_peak_rss_mb,accelerator_mb\r\n");
	for (size_t m = 0; m < rep->nmodels; m++) {
		const struct rp_model *M = &rep->models[m];
		for (size_t i = 0; i < rep->nruns; i++) {
			const struct rp_run *r = &rep->runs[i];
			if (r->model != m)
				continue;
			if (M->rank && r->ranked)
				vl_buf_addf(b, "%ld", M->rank);
			vl_buf_addch(b, ',');
			csv_str(b, r->label);
			vl_buf_addf(b, ",%d,%d,", r->ri.baseline, r->counts.cached > 0);
			csv_str(b, r->ri.task);
			vl_buf_addf(b, ",%d,%lld,%d,", r->ri.task_version, r->ri.id, r->ranked);
			csv_str(b, r->reason ? r->reason : "");
			vl_buf_addch(b, ',');
			csv_str(b, r->metric ? r->metric->name : "");
			vl_buf_addch(b, ',');
			csv_str(b, r->value_name ? r->value_name : "");
			csv_num(b, r->value, 0);
			csv_num(b, r->lo, 0);
			csv_num(b, r->hi, 0);
			vl_buf_addf(b, ",%ld", r->n);
			csv_num(b, r->ranked ? M->average : NAN, 0);
			vl_buf_addf(b, ",%ld,%ld,%ld,%ld", r->counts.answered, r->counts.failed,
				    r->counts.cached, r->counts.parse_failures);
			csv_num(b, r->ri.wall_s, 1);
			csv_num(b, r->ri.throughput, 1);
			csv_num(b, r->out_tok_s, 1);
			csv_num(b, r->lat_p50, 1);
			csv_num(b, r->lat_p95, 1);
			csv_num(b, r->lat_p99, 1);
			csv_num(b, r->ttft_p50, 1);
			csv_num(b, r->ttft_p95, 1);
			csv_num(b, r->ttft_p99, 1);
			csv_num(b, (double)r->ri.prompt_tokens, 1);
			csv_num(b, (double)r->ri.completion_tokens, 1);
			csv_num(b, r->price, 1);
			vl_buf_addch(b, ',');
			if (r->price_source)
				csv_str(b, r->price_source);
			csv_num(b, r->ri.cpu_s, 1);
			csv_num(b, r->ri.peak_rss_mb, 1);
			csv_num(b, r->ri.backend_cpu_s, 1);
			csv_num(b, r->ri.backend_rss_mb, 1);
			csv_num(b, r->ri.gpu_mem_peak_mb, 1);
			vl_buf_adds(b, "\r\n");
		}
	}
	return 0;
}
