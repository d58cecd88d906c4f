/*
 * report_md.c - the report as Markdown (GitHub flavour): for a README or a
 * pull-request comment.  Charts are PNG files beside it.  Every text that
 * comes from a model or a user (outputs, model names, questions) is escaped
 * so that it shows as text: no HTML, no table breaks, no emphasis.
 */
#include "reports/report_data.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Appends s for a table cell or a line of text. */
static void md_text(struct vl_buf *b, const char *s)
{
	if (!s) {
		vl_buf_adds(b, "-");
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '\n':
		case '\r':
		case '\t':
			vl_buf_addch(b, ' ');
			break;
		case '<':
			vl_buf_adds(b, "&lt;");
			break;
		case '>':
			vl_buf_adds(b, "&gt;");
			break;
		case '&':
			vl_buf_adds(b, "&amp;");
			break;
		case '|': case '\\': case '`': case '*': case '_': case '[': case ']':
		case '#': case '~': case '!':
			vl_buf_addch(b, '\\');
			vl_buf_addch(b, *s);
			break;
		default:
			vl_buf_addch(b, *s);
		}
	}
}

static void md_cut(struct vl_buf *b, const char *s, size_t max)
{
	struct vl_buf c = VL_BUF_INIT;

	if (!s) {
		vl_buf_adds(b, "-");
		return;
	}
	rp_cut(s, max, &c);
	md_text(b, vl_buf_str(&c));
	vl_buf_release(&c);
}

static void value_ci(struct vl_buf *b, double v, double lo, double hi)
{
	char x[32], l[32], h[32];

	/* counts (no interval, a whole number) print as integers, as in `show` */
	vl_buf_adds(b, rp_fmt_num(v, isnan(lo) && v == floor(v) && fabs(v) < 1e12 ? 0 : 4, x,
				  sizeof(x)));
	if (!isnan(lo) && !isnan(hi) && !isnan(v))
		vl_buf_addf(b, " [%s, %s]", rp_fmt_num(lo, 4, l, sizeof(l)),
			    rp_fmt_num(hi, 4, h, sizeof(h)));
}

static void marks(struct vl_buf *b, int baseline, int cached)
{
	if (baseline)
		vl_buf_adds(b, " *baseline*");
	if (cached)
		vl_buf_adds(b, " *cached*");
}

static void num_or_dash(struct vl_buf *b, double v, int digits)
{
	char x[48];
	vl_buf_adds(b, v < 0 ? "-" : rp_fmt_num(v, digits, x, sizeof(x)));
}

static void leaderboard(const struct vl_report *rep, struct vl_buf *b)
{
	size_t navg = 0;

	vl_buf_adds(b, "## Leaderboard\n\n| rank | model |");
	for (size_t t = 0; t < rep->ntasks; t++) {
		const struct rp_task *T = &rep->tasks[t];
		vl_buf_addch(b, ' ');
		md_text(b, T->name);
		vl_buf_addf(b, " (%s%s%s) |", T->metric ? T->metric->name : "", T->metric ? "/" : "",
			    T->value_name ? T->value_name : "?");
		navg += T->in_average;
	}
	vl_buf_addf(b, " average (%zu) | latency p50 s | tokens | price (est.) | harness peak RSS MB "
		    "| engine peak RSS MB |\n|---:|---|", navg);
	for (size_t t = 0; t < rep->ntasks; t++)
		vl_buf_adds(b, "---|");
	vl_buf_adds(b, "---:|---:|---:|---:|---:|---:|\n");
	for (size_t m = 0; m < rep->nmodels; m++) {
		const struct rp_model *M = &rep->models[m];
		if (!M->ranked)
			continue;
		if (M->rank)
			vl_buf_addf(b, "| %ld | ", M->rank);
		else
			vl_buf_adds(b, "| - | ");
		md_text(b, M->label);
		marks(b, M->baseline, M->cached);
		vl_buf_adds(b, " |");
		for (size_t t = 0; t < rep->ntasks; t++) {
			vl_buf_addch(b, ' ');
			if (M->task_run[t] < 0) {
				vl_buf_adds(b, "- |");
				continue;
			}
			const struct rp_run *r = &rep->runs[M->task_run[t]];
			value_ci(b, r->value, r->lo, r->hi);
			vl_buf_adds(b, " |");
		}
		vl_buf_addch(b, ' ');
		num_or_dash(b, isnan(M->average) ? -1 : M->average, 4);
		vl_buf_adds(b, " | ");
		num_or_dash(b, M->lat_p50, 3);
		vl_buf_adds(b, " | ");
		if (M->tokens < 0)
			vl_buf_adds(b, "-");
		else
			vl_buf_addf(b, "%lld", M->tokens);
		vl_buf_adds(b, " | ");
		num_or_dash(b, M->price, 4);
		vl_buf_adds(b, " | ");
		num_or_dash(b, M->rss_mb, 1);
		vl_buf_adds(b, " | ");
		num_or_dash(b, M->engine_rss_mb, 1);
		vl_buf_adds(b, " |\n");
	}
	vl_buf_adds(b, "\nThe average is over ");
	if (!navg)
		vl_buf_adds(b, "no task");
	for (size_t t = 0, k = 0; t < rep->ntasks; t++) {
		if (!rep->tasks[t].in_average)
			continue;
		vl_buf_adds(b, k++ ? ", " : "");
		md_text(b, rep->tasks[t].name);
	}
	vl_buf_adds(b, " (tasks every row has, with a 0-1 headline metric where higher is better)");
	for (size_t t = 0, k = 0; t < rep->ntasks; t++) {
		if (rep->tasks[t].in_average)
			continue;
		vl_buf_adds(b, k++ ? "; " : "; left out: ");
		md_text(b, rep->tasks[t].name);
		vl_buf_addf(b, " (%s)", rep->tasks[t].avg_note ? rep->tasks[t].avg_note : "?");
	}
	vl_buf_adds(b, ". Ranks count models only: *baseline* rows (oracle, random, constant) are "
		       "reference points, not models. *cached*: some answers came from the response "
		       "cache, so latency and price are not the model's. Intervals are the runs' "
		       "bootstrap confidence intervals. Prices are estimates (tokens times price per "
		       "million tokens).\n");
}

static void unranked(const struct vl_report *rep, struct vl_buf *b)
{
	int any = 0;

	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		if (r->ranked)
			continue;
		if (!any++)
			vl_buf_adds(b, "\n### Not ranked with the others\n\nThese runs differ from the "
				       "ranked runs of their task in what makes scores comparable.\n\n"
				       "| model | task | run | value | reason |\n|---|---|---:|---:|---|\n");
		vl_buf_adds(b, "| ");
		md_text(b, r->label);
		marks(b, r->ri.baseline, r->counts.cached > 0);
		vl_buf_adds(b, " | ");
		md_text(b, r->ri.task);
		vl_buf_addf(b, " | %lld | ", r->ri.id);
		value_ci(b, r->value, r->lo, r->hi);
		vl_buf_adds(b, " | ");
		md_text(b, r->reason);
		vl_buf_adds(b, " |\n");
	}
	if (rep->skipped.n) {
		vl_buf_adds(b, "\nSelected but not finished, so not shown: ");
		for (size_t i = 0; i < rep->skipped.n; i++) {
			vl_buf_adds(b, i ? ", " : "");
			md_text(b, rep->skipped.v[i]);
		}
		vl_buf_adds(b, ".\n");
	}
}

static void charts(const struct vl_report *rep, struct vl_buf *b)
{
	vl_buf_adds(b, "\n## Charts\n\n");
	if (!rep->charts_drawn || !rep->chart_png.n) {
		vl_buf_adds(b, "Charts not drawn: ");
		md_text(b, rep->charts_note ? rep->charts_note : "no data to draw");
		vl_buf_adds(b, ".\n");
		return;
	}
	for (size_t i = 0; i < rep->chart_png.n; i++) {
		vl_buf_adds(b, "![");
		md_text(b, rep->chart_titles.v[i]);
		vl_buf_addf(b, "](%s)\n\n", rep->chart_png.v[i]);
	}
}

static void cost(const struct vl_report *rep, struct vl_buf *b)
{
	vl_buf_adds(b, "\n## Cost per run\n\n"
		       "| model | task | run | answered | failed | cached | wall s | samples/s "
		       "| output tok/s | latency p50 / p95 / p99 s | TTFT p50 / p95 / p99 s "
		       "| prompt tokens | completion tokens | price (est.) | harness CPU s "
		       "| harness peak RSS MB | engine CPU s | engine peak RSS MB | accelerator MB |\n"
		       "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
		       "|---:|---:|---:|\n");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		char p[64];
		vl_buf_adds(b, "| ");
		md_text(b, r->label);
		marks(b, r->ri.baseline, 0);
		vl_buf_adds(b, " | ");
		md_text(b, r->ri.task);
		vl_buf_addf(b, " | %lld | %ld | %ld | %ld | ", r->ri.id, r->counts.answered,
			    r->counts.failed, r->counts.cached);
		num_or_dash(b, r->ri.wall_s, 2);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->ri.throughput, 1);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->out_tok_s, 1);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->lat_p50, 3);
		vl_buf_adds(b, " / ");
		num_or_dash(b, r->lat_p95, 3);
		vl_buf_adds(b, " / ");
		num_or_dash(b, r->lat_p99, 3);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->ttft_p50, 3);
		vl_buf_adds(b, " / ");
		num_or_dash(b, r->ttft_p95, 3);
		vl_buf_adds(b, " / ");
		num_or_dash(b, r->ttft_p99, 3);
		vl_buf_adds(b, " | ");
		num_or_dash(b, (double)r->ri.prompt_tokens, 0);
		vl_buf_adds(b, " | ");
		num_or_dash(b, (double)r->ri.completion_tokens, 0);
		vl_buf_addf(b, " | %s | ", rp_cost_price(r, p, sizeof(p)));
		num_or_dash(b, r->ri.cpu_s, 2);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->ri.peak_rss_mb, 1);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->ri.backend_cpu_s, 2);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->ri.backend_rss_mb, 1);
		vl_buf_adds(b, " | ");
		num_or_dash(b, r->ri.gpu_mem_peak_mb, 0);
		vl_buf_adds(b, " |\n");
	}
	vl_buf_adds(b, "\nLatency and TTFT are over the answers that were not taken from the cache.\n");
}

struct sample_ctx {
	struct vl_buf *b;
};

static int sample_row(void *p, const struct vl_sample_row *r)
{
	struct vl_buf *b = ((struct sample_ctx *)p)->b;
	char x[32];

	vl_buf_adds(b, "| ");
	md_cut(b, r->sample_id, 40);
	vl_buf_adds(b, " | ");
	if (r->error)
		vl_buf_adds(b, "failed");
	else if (!r->parse_ok)
		vl_buf_adds(b, "unparsed");
	else
		vl_buf_adds(b, rp_fmt_num(r->score, 3, x, sizeof(x)));
	vl_buf_adds(b, " | ");
	md_cut(b, rp_sample_question(r), 120);
	vl_buf_adds(b, " | ");
	md_cut(b, r->error ? r->error : r->output, 160);
	vl_buf_adds(b, " | ");
	md_cut(b, r->extracted, 60);
	vl_buf_adds(b, " | ");
	{
		struct vl_buf ref = VL_BUF_INIT;
		md_cut(b, rp_sample_reference(r, &ref) == 0 ? vl_buf_str(&ref) : NULL, 100);
		vl_buf_release(&ref);
	}
	vl_buf_adds(b, " |\n");
	return 0;
}

static void task_page(const struct vl_report *rep, struct vl_runlog *rl, size_t t,
		      struct vl_buf *b)
{
	const struct rp_task *T = &rep->tasks[t];
	struct vl_strv subsets = { 0 };

	vl_buf_adds(b, "\n## Task ");
	md_text(b, T->name);
	vl_buf_addf(b, "\n\nHeadline: %s/%s (%s is better).\n\n", T->metric ? T->metric->name : "?",
		    T->value_name ? T->value_name : "?", T->higher_is_better ? "higher" : "lower");
	/* every whole-set value of the headline metric, per run */
	vl_buf_adds(b, "| model | run | values |\n|---|---:|---|\n");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		int k = 0;
		if (r->task != t)
			continue;
		vl_buf_adds(b, "| ");
		md_text(b, r->label);
		marks(b, r->ri.baseline, r->counts.cached > 0);
		vl_buf_addf(b, "%s | %lld | ", r->ranked ? "" : " (not ranked)", r->ri.id);
		for (size_t j = 0; j < r->nmetrics; j++) {
			const struct rp_metric *m = &r->metrics[j];
			if (m->subset[0])
				continue;
			vl_buf_adds(b, k++ ? ", " : "");
			md_text(b, m->name);
			vl_buf_addch(b, ' ');
			value_ci(b, m->value, m->lo, m->hi);
		}
		vl_buf_adds(b, " |\n");
	}
	rp_task_subsets(rep, t, &subsets);
	if (subsets.n) {
		vl_buf_adds(b, "\nBreakdown of ");
		md_text(b, T->value_name);
		vl_buf_adds(b, ":\n\n| subset |");
		for (size_t i = 0; i < rep->nruns; i++) {
			if (rep->runs[i].task != t)
				continue;
			vl_buf_addch(b, ' ');
			md_text(b, rep->runs[i].label);
			vl_buf_adds(b, " |");
		}
		vl_buf_adds(b, "\n|---|");
		for (size_t i = 0; i < rep->nruns; i++)
			if (rep->runs[i].task == t)
				vl_buf_adds(b, "---:|");
		vl_buf_addch(b, '\n');
		for (size_t s = 0; s < subsets.n; s++) {
			vl_buf_adds(b, "| ");
			md_text(b, subsets.v[s]);
			vl_buf_adds(b, " |");
			for (size_t i = 0; i < rep->nruns; i++) {
				const struct rp_run *r = &rep->runs[i];
				const struct rp_metric *hit;
				if (r->task != t)
					continue;
				hit = rp_run_value(r, T->value_name, subsets.v[s]);
				vl_buf_addch(b, ' ');
				if (hit) {
					value_ci(b, hit->value, hit->lo, hit->hi);
					vl_buf_addf(b, " (n %ld)", hit->n);
				} else {
					vl_buf_adds(b, "-");
				}
				vl_buf_adds(b, " |");
			}
			vl_buf_addch(b, '\n');
		}
	}
	vl_strv_release(&subsets);
	vl_buf_adds(b, "\nParse failures and errors:\n\n");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		if (r->task != t)
			continue;
		vl_buf_adds(b, "- ");
		md_text(b, r->label);
		vl_buf_addf(b, " (run %lld): %ld of %ld answers unparsed; errors: ", r->ri.id,
			    r->counts.parse_failures, r->counts.answered);
		md_text(b, r->errors && r->errors[0] ? r->errors : "none");
		vl_buf_addch(b, '\n');
	}
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		struct sample_ctx sc = { b };
		if (r->task != t)
			continue;
		vl_buf_adds(b, "\n<details><summary>");
		md_text(b, r->label);
		vl_buf_addf(b, " (run %lld): the %ld worst and failed samples</summary>\n\n"
			    "| sample | score | question | output | extracted | reference |\n"
			    "|---|---:|---|---|---|---|\n", r->ri.id, rep->worst);
		vl_runlog_each_worst_sample(rl, r->ri.id, T->higher_is_better, rep->worst,
					    sample_row, &sc);
		vl_buf_adds(b, "\n</details>\n");
	}
}

int vl_report_md(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *b)
{
	char when[64];

	vl_buf_adds(b, "# vleval report\n\n");
	vl_buf_addf(b, "Generated %s from `", rp_fmt_time(rep->generated, when, sizeof(when)));
	md_text(b, rep->db_name ? rep->db_name : "vleval.db");
	vl_buf_adds(b, "`; runs: ");
	if (rep->selector) {
		vl_buf_adds(b, "`");
		md_text(b, rep->selector);
		vl_buf_adds(b, "`, ");
	}
	vl_buf_addf(b, "the latest finished run per model and task (%zu runs, %zu models, "
		    "%zu tasks).\n\n", rep->nruns, rep->nmodels, rep->ntasks);
	if (!rep->nruns) {
		vl_buf_adds(b, "No finished runs matched.\n");
		return 0;
	}
	leaderboard(rep, b);
	unranked(rep, b);
	charts(rep, b);
	cost(rep, b);
	for (size_t t = 0; t < rep->ntasks; t++)
		task_page(rep, rl, t, b);
	return 0;
}
