/*
 * html.c - the report as one self-contained HTML file: styles inline,
 * charts as inline SVG, image thumbnails as data: URIs, no script and
 * nothing fetched, so it reads the same offline and from an e-mail.
 *
 * Every text that comes from a model, a dataset or a user (outputs, model
 * names, questions, references, error messages) goes through html_text,
 * which escapes & < > " ', so that a prediction holding markup shows as
 * text.
 */
#include "reports/report_data.h"

#include "core/base64.h"
#include "core/image.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define THUMB_SIDE 96

static void html_text(struct vl_buf *b, const char *s)
{
	if (!s) {
		vl_buf_adds(b, "-");
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '&': vl_buf_adds(b, "&amp;"); break;
		case '<': vl_buf_adds(b, "&lt;"); break;
		case '>': vl_buf_adds(b, "&gt;"); break;
		case '"': vl_buf_adds(b, "&quot;"); break;
		case '\'': vl_buf_adds(b, "&#39;"); break;
		default: vl_buf_addch(b, *s);
		}
	}
}

static void html_cut(struct vl_buf *b, const char *s, size_t max)
{
	struct vl_buf c = VL_BUF_INIT;

	if (!s) {
		vl_buf_adds(b, "-");
		return;
	}
	rp_cut(s, max, &c);
	html_text(b, vl_buf_str(&c));
	vl_buf_release(&c);
}

static void value_ci(struct vl_buf *b, double v, double lo, double hi)
{
	char x[32], l[32], h[32];

	/* counts (no interval, a whole number) print as integers, as in `show` */
	vl_buf_addf(b, "<b>%s</b>", rp_fmt_num(v, isnan(lo) && v == floor(v) && fabs(v) < 1e12 ? 0 : 4,
					       x, sizeof(x)));
	if (!isnan(lo) && !isnan(hi) && !isnan(v))
		vl_buf_addf(b, " <span class=ci>[%s, %s]</span>", rp_fmt_num(lo, 4, l, sizeof(l)),
			    rp_fmt_num(hi, 4, h, sizeof(h)));
}

static void marks(struct vl_buf *b, int baseline, int cached)
{
	if (baseline)
		vl_buf_adds(b, " <span class=tag title=\"reference baseline, not a model\">baseline</span>");
	if (cached)
		vl_buf_adds(b, " <span class=\"tag cached\" title=\"answers from the response cache: "
			       "latency and price are not the model's\">cached</span>");
}

static void num_td(struct vl_buf *b, double v, int digits)
{
	char x[48];
	vl_buf_addf(b, "<td class=n>%s</td>", v < 0 || isnan(v) ? "-" : rp_fmt_num(v, digits, x, sizeof(x)));
}

static const char style[] =
	"body{font:14px/1.45 system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:24px auto;"
	"max-width:1400px;padding:0 16px;color:#1b1b1b;background:#fff}"
	"h1{font-size:24px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ddd}"
	"h3{font-size:16px}table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}"
	"th,td{border:1px solid #d6d6d6;padding:4px 7px;vertical-align:top;text-align:left}"
	"th{background:#f3f4f6}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"tr.base td{background:#fafaf0}.ci{color:#666;font-size:12px}"
	".tag{display:inline-block;font-size:11px;padding:0 5px;border-radius:3px;background:#e8e0c8;"
	"color:#5a4a10;margin-left:4px}.tag.cached{background:#d8e6f5;color:#173b63}"
	".note{color:#555}.err{color:#a40000}pre{white-space:pre-wrap;word-break:break-word;margin:0;"
	"font:12px/1.35 ui-monospace,'DejaVu Sans Mono',monospace;max-width:420px}"
	"img.thumb{width:auto;height:auto;max-width:96px;max-height:96px;display:block}"
	"details{margin:6px 0}summary{cursor:pointer}.chart svg{max-width:100%;height:auto}"
	"nav a{margin-right:12px}.wide{overflow-x:auto;max-width:100%}";

static void leaderboard(const struct vl_report *rep, struct vl_buf *b)
{
	size_t navg = 0;

	vl_buf_adds(b, "<h2 id=leaderboard>Leaderboard</h2>\n<div class=wide><table id=leaderboard-table>\n<thead><tr>"
		       "<th>rank</th><th>model</th>");
	for (size_t t = 0; t < rep->ntasks; t++) {
		const struct rp_task *T = &rep->tasks[t];
		vl_buf_adds(b, "<th><a href=\"#task-");
		vl_buf_addf(b, "%zu\">", t);
		html_text(b, T->name);
		vl_buf_adds(b, "</a><br><span class=ci>");
		html_text(b, T->metric ? T->metric->name : "?");
		vl_buf_addch(b, '/');
		html_text(b, T->value_name ? T->value_name : "?");
		vl_buf_adds(b, "</span></th>");
		navg += T->in_average;
	}
	vl_buf_addf(b, "<th>average (%zu)</th><th>latency p50 s</th><th>tokens</th>"
		    "<th>price (est.)</th><th>harness peak RSS MB</th><th>engine peak RSS MB</th>"
		    "</tr></thead>\n<tbody>\n", navg);
	for (size_t m = 0; m < rep->nmodels; m++) {
		const struct rp_model *M = &rep->models[m];
		if (!M->ranked)
			continue;
		vl_buf_addf(b, "<tr%s><td class=n>", M->baseline ? " class=base" : "");
		if (M->rank)
			vl_buf_addf(b, "%ld", M->rank);
		else
			vl_buf_adds(b, "-");
		vl_buf_adds(b, "</td><td>");
		html_text(b, M->label);
		marks(b, M->baseline, M->cached);
		vl_buf_adds(b, "</td>");
		for (size_t t = 0; t < rep->ntasks; t++) {
			vl_buf_adds(b, "<td class=n>");
			if (M->task_run[t] >= 0) {
				const struct rp_run *r = &rep->runs[M->task_run[t]];
				value_ci(b, r->value, r->lo, r->hi);
			} else {
				vl_buf_adds(b, "-");
			}
			vl_buf_adds(b, "</td>");
		}
		num_td(b, isnan(M->average) ? -1 : M->average, 4);
		num_td(b, M->lat_p50, 3);
		num_td(b, (double)M->tokens, 0);
		num_td(b, M->price, 4);
		num_td(b, M->rss_mb, 1);
		num_td(b, M->engine_rss_mb, 1);
		vl_buf_adds(b, "</tr>\n");
	}
	vl_buf_adds(b, "</tbody></table></div>\n<p class=note>The average is over ");
	if (!navg)
		vl_buf_adds(b, "no task");
	for (size_t t = 0, k = 0; t < rep->ntasks; t++) {
		if (!rep->tasks[t].in_average)
			continue;
		vl_buf_adds(b, k++ ? ", " : "");
		html_text(b, rep->tasks[t].name);
	}
	vl_buf_adds(b, " (tasks every row has, with a 0-1 headline metric where higher is better)");
	for (size_t t = 0, k = 0; t < rep->ntasks; t++) {
		if (rep->tasks[t].in_average)
			continue;
		vl_buf_adds(b, k++ ? "; " : "; left out: ");
		html_text(b, rep->tasks[t].name);
		vl_buf_addf(b, " (%s)", rep->tasks[t].avg_note ? rep->tasks[t].avg_note : "?");
	}
	vl_buf_adds(b, ". Ranks count models only: <i>baseline</i> rows (oracle, random, constant) "
		       "are reference points. <i>cached</i>: answers came from the response cache, so "
		       "latency and price are not the model's. Intervals are the runs' bootstrap "
		       "confidence intervals. Prices are estimates (tokens times price per million "
		       "tokens).</p>\n");
}

static void unranked(const struct vl_report *rep, struct vl_buf *b)
{
	int any = 0;

	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		if (r->ranked)
			continue;
		if (!any++)
			vl_buf_adds(b, "<h3 id=unranked>Not ranked with the others</h3>\n<p class=note>"
				       "These runs differ from the ranked runs of their task in what "
				       "makes scores comparable.</p>\n<table id=unranked-table><tr>"
				       "<th>model</th><th>task</th><th>run</th><th>value</th>"
				       "<th>reason</th></tr>\n");
		vl_buf_adds(b, "<tr><td>");
		html_text(b, r->label);
		marks(b, r->ri.baseline, r->counts.cached > 0);
		vl_buf_adds(b, "</td><td>");
		html_text(b, r->ri.task);
		vl_buf_addf(b, "</td><td class=n>%lld</td><td class=n>", r->ri.id);
		value_ci(b, r->value, r->lo, r->hi);
		vl_buf_adds(b, "</td><td>");
		html_text(b, r->reason);
		vl_buf_adds(b, "</td></tr>\n");
	}
	if (any)
		vl_buf_adds(b, "</table>\n");
	if (rep->skipped.n) {
		vl_buf_adds(b, "<p class=note>Selected but not finished, so not shown: ");
		for (size_t i = 0; i < rep->skipped.n; i++) {
			vl_buf_adds(b, i ? ", " : "");
			html_text(b, rep->skipped.v[i]);
		}
		vl_buf_adds(b, ".</p>\n");
	}
}

static void charts(const struct vl_report *rep, struct vl_buf *b)
{
	vl_buf_adds(b, "<h2 id=charts>Charts</h2>\n");
	if (!rep->charts_drawn || !rep->chart_svg.n) {
		vl_buf_adds(b, "<p class=note id=no-charts>Charts not drawn: ");
		html_text(b, rep->charts_note ? rep->charts_note : "no data to draw");
		vl_buf_adds(b, ".</p>\n");
		return;
	}
	for (size_t i = 0; i < rep->chart_svg.n; i++) {
		vl_buf_adds(b, "<figure class=chart>");
		/* gnuplot's own output: the names in it are reduced to safe characters */
		vl_buf_adds(b, rep->chart_svg.v[i]);
		vl_buf_adds(b, "<figcaption class=note>");
		html_text(b, rep->chart_titles.v[i]);
		vl_buf_adds(b, "</figcaption></figure>\n");
	}
}

static void cost(const struct vl_report *rep, struct vl_buf *b)
{
	vl_buf_adds(b, "<h2 id=cost>Cost per run</h2>\n<div class=wide><table><tr><th>model</th><th>task</th>"
		       "<th>run</th><th>answered</th><th>failed</th><th>cached</th><th>wall s</th>"
		       "<th>samples/s</th><th>output tok/s</th><th>latency p50 / p95 / p99 s</th>"
		       "<th>TTFT p50 / p95 / p99 s</th><th>prompt tokens</th><th>completion tokens</th>"
		       "<th>price (est.)</th><th>harness CPU s</th><th>harness peak RSS MB</th>"
		       "<th>engine CPU s</th><th>engine peak RSS MB</th><th>accelerator MB</th></tr>\n");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		char x[3][32], p[64];
		vl_buf_adds(b, "<tr><td>");
		html_text(b, r->label);
		marks(b, r->ri.baseline, 0);
		vl_buf_adds(b, "</td><td>");
		html_text(b, r->ri.task);
		vl_buf_addf(b, "</td><td class=n>%lld</td><td class=n>%ld</td><td class=n>%ld</td>"
			    "<td class=n>%ld</td>", r->ri.id, r->counts.answered, r->counts.failed,
			    r->counts.cached);
		num_td(b, r->ri.wall_s, 2);
		num_td(b, r->ri.throughput, 1);
		num_td(b, r->out_tok_s, 1);
		vl_buf_addf(b, "<td class=n>%s / %s / %s</td>",
			    r->lat_p50 < 0 ? "-" : rp_fmt_num(r->lat_p50, 3, x[0], 32),
			    r->lat_p95 < 0 ? "-" : rp_fmt_num(r->lat_p95, 3, x[1], 32),
			    r->lat_p99 < 0 ? "-" : rp_fmt_num(r->lat_p99, 3, x[2], 32));
		vl_buf_addf(b, "<td class=n>%s / %s / %s</td>",
			    r->ttft_p50 < 0 ? "-" : rp_fmt_num(r->ttft_p50, 3, x[0], 32),
			    r->ttft_p95 < 0 ? "-" : rp_fmt_num(r->ttft_p95, 3, x[1], 32),
			    r->ttft_p99 < 0 ? "-" : rp_fmt_num(r->ttft_p99, 3, x[2], 32));
		num_td(b, (double)r->ri.prompt_tokens, 0);
		num_td(b, (double)r->ri.completion_tokens, 0);
		vl_buf_adds(b, "<td class=n>");
		html_text(b, rp_cost_price(r, p, sizeof(p)));
		vl_buf_adds(b, "</td>");
		num_td(b, r->ri.cpu_s, 2);
		num_td(b, r->ri.peak_rss_mb, 1);
		num_td(b, r->ri.backend_cpu_s, 2);
		num_td(b, r->ri.backend_rss_mb, 1);
		num_td(b, r->ri.gpu_mem_peak_mb, 0);
		vl_buf_adds(b, "</tr>\n");
	}
	vl_buf_adds(b, "</table></div>\n<p class=note>Latency and TTFT are over the answers that were not "
		       "taken from the cache.</p>\n");
}

/* A thumbnail of the sample's image as a data: URI, when it can be read. */
static void thumbnail(struct vl_buf *b, const char *image)
{
	struct vl_buf bytes = VL_BUF_INIT, err = VL_BUF_INIT;
	const char *mime = NULL;

	if (image && image[0] &&
	    vl_image_prepare(image, NULL, THUMB_SIDE, &bytes, &mime, &err) >= 0 && mime &&
	    bytes.len <= 512 * 1024) {
		vl_buf_addf(b, "<img class=thumb alt=\"\" src=\"data:%s;base64,", mime);
		vl_base64_encode_buf(b, bytes.buf, bytes.len);
		vl_buf_adds(b, "\">");
	} else {
		vl_buf_adds(b, "-");
	}
	vl_buf_release(&bytes);
	vl_buf_release(&err);
}

struct sample_ctx {
	struct vl_buf *b;
	int thumbs;
};

static int sample_row(void *p, const struct vl_sample_row *r)
{
	struct sample_ctx *c = p;
	struct vl_buf *b = c->b;
	char x[32];

	vl_buf_adds(b, "<tr class=sample><td>");
	html_cut(b, r->sample_id, 60);
	vl_buf_adds(b, "</td><td class=n>");
	if (r->error)
		vl_buf_adds(b, "<span class=err>failed</span>");
	else if (!r->parse_ok)
		vl_buf_adds(b, "<span class=err>unparsed</span>");
	else
		vl_buf_adds(b, rp_fmt_num(r->score, 3, x, sizeof(x)));
	vl_buf_adds(b, "</td>");
	if (c->thumbs) {
		vl_buf_adds(b, "<td>");
		struct vl_buf img = VL_BUF_INIT;
		thumbnail(b, rp_sample_image(r, &img) == 0 ? vl_buf_str(&img) : NULL);
		vl_buf_release(&img);
		vl_buf_adds(b, "</td>");
	}
	vl_buf_adds(b, "<td><pre>");
	html_cut(b, rp_sample_question(r), 400);
	vl_buf_adds(b, "</pre></td><td><pre class=output>");
	if (r->error) {
		vl_buf_adds(b, "<span class=err>");
		html_cut(b, r->error, 400);
		vl_buf_adds(b, "</span>");
	} else {
		html_cut(b, r->output, 600);
	}
	vl_buf_adds(b, "</pre></td><td><pre>");
	html_cut(b, r->extracted, 200);
	vl_buf_adds(b, "</pre></td><td><pre>");
	{
		struct vl_buf ref = VL_BUF_INIT;
		html_cut(b, rp_sample_reference(r, &ref) == 0 ? vl_buf_str(&ref) : NULL, 400);
		vl_buf_release(&ref);
	}
	vl_buf_adds(b, "</pre></td></tr>\n");
	return 0;
}

static void task_page(const struct vl_report *rep, struct vl_runlog *rl, size_t t,
		      struct vl_buf *b)
{
	const struct rp_task *T = &rep->tasks[t];
	struct vl_strv subsets = { 0 };

	vl_buf_addf(b, "<h2 id=\"task-%zu\">Task ", t);
	html_text(b, T->name);
	vl_buf_adds(b, "</h2>\n<p>Headline: ");
	html_text(b, T->metric ? T->metric->name : "?");
	vl_buf_addch(b, '/');
	html_text(b, T->value_name ? T->value_name : "?");
	vl_buf_addf(b, " (%s is better).</p>\n<table><tr><th>model</th><th>run</th><th>values</th>"
		    "</tr>\n", T->higher_is_better ? "higher" : "lower");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		int k = 0;
		if (r->task != t)
			continue;
		vl_buf_adds(b, "<tr><td>");
		html_text(b, r->label);
		marks(b, r->ri.baseline, r->counts.cached > 0);
		vl_buf_addf(b, "%s</td><td class=n>%lld</td><td>", r->ranked ? "" : " (not ranked)",
			    r->ri.id);
		for (size_t j = 0; j < r->nmetrics; j++) {
			const struct rp_metric *m = &r->metrics[j];
			if (m->subset[0])
				continue;
			vl_buf_adds(b, k++ ? "; " : "");
			html_text(b, m->name);
			vl_buf_addch(b, ' ');
			value_ci(b, m->value, m->lo, m->hi);
		}
		vl_buf_adds(b, "</td></tr>\n");
	}
	vl_buf_adds(b, "</table>\n");
	rp_task_subsets(rep, t, &subsets);
	if (subsets.n) {
		vl_buf_adds(b, "<h3>Breakdown of ");
		html_text(b, T->value_name);
		vl_buf_adds(b, "</h3>\n<table class=breakdown><tr><th>subset</th>");
		for (size_t i = 0; i < rep->nruns; i++) {
			if (rep->runs[i].task != t)
				continue;
			vl_buf_adds(b, "<th>");
			html_text(b, rep->runs[i].label);
			vl_buf_adds(b, "</th>");
		}
		vl_buf_adds(b, "</tr>\n");
		for (size_t s = 0; s < subsets.n; s++) {
			vl_buf_adds(b, "<tr><td>");
			html_text(b, subsets.v[s]);
			vl_buf_adds(b, "</td>");
			for (size_t i = 0; i < rep->nruns; i++) {
				const struct rp_run *r = &rep->runs[i];
				const struct rp_metric *hit;
				if (r->task != t)
					continue;
				hit = rp_run_value(r, T->value_name, subsets.v[s]);
				vl_buf_adds(b, "<td class=n>");
				if (hit) {
					value_ci(b, hit->value, hit->lo, hit->hi);
					vl_buf_addf(b, " <span class=ci>n %ld</span>", hit->n);
				} else {
					vl_buf_adds(b, "-");
				}
				vl_buf_adds(b, "</td>");
			}
			vl_buf_adds(b, "</tr>\n");
		}
		vl_buf_adds(b, "</table>\n");
	}
	vl_strv_release(&subsets);
	vl_buf_adds(b, "<h3>Parse failures and errors</h3>\n<ul>\n");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		if (r->task != t)
			continue;
		vl_buf_adds(b, "<li>");
		html_text(b, r->label);
		vl_buf_addf(b, " (run %lld): %ld of %ld answers unparsed; errors: ", r->ri.id,
			    r->counts.parse_failures, r->counts.answered);
		html_text(b, r->errors && r->errors[0] ? r->errors : "none");
		vl_buf_adds(b, "</li>\n");
	}
	vl_buf_adds(b, "</ul>\n<h3>Worst and failed samples</h3>\n");
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		struct sample_ctx sc = { b, rep->thumbs };
		if (r->task != t)
			continue;
		vl_buf_adds(b, "<details><summary>");
		html_text(b, r->label);
		vl_buf_addf(b, " (run %lld): the %ld worst and failed samples</summary>\n"
			    "<table class=samples><tr><th>sample</th><th>score</th>%s<th>question</th>"
			    "<th>output</th><th>extracted</th><th>reference</th></tr>\n",
			    r->ri.id, rep->worst, rep->thumbs ? "<th>image</th>" : "");
		vl_runlog_each_worst_sample(rl, r->ri.id, T->higher_is_better, rep->worst,
					    sample_row, &sc);
		vl_buf_adds(b, "</table></details>\n");
	}
}

int vl_report_html(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *b)
{
	char when[64];

	vl_buf_adds(b, "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>\n"
		       "<meta name=viewport content=\"width=device-width, initial-scale=1\">\n"
		       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		       "img-src data:; style-src 'unsafe-inline'\">\n"
		       "<title>vleval report</title>\n<style>");
	vl_buf_adds(b, style);
	vl_buf_adds(b, "</style></head>\n<body>\n<h1>vleval report</h1>\n<p class=note>Generated ");
	vl_buf_adds(b, rp_fmt_time(rep->generated, when, sizeof(when)));
	vl_buf_adds(b, " from <code>");
	html_text(b, rep->db_name ? rep->db_name : "vleval.db");
	vl_buf_adds(b, "</code>; runs: ");
	if (rep->selector) {
		vl_buf_adds(b, "<code>");
		html_text(b, rep->selector);
		vl_buf_adds(b, "</code>, ");
	}
	vl_buf_addf(b, "the latest finished run per model and task (%zu runs, %zu models, %zu "
		    "tasks).</p>\n", rep->nruns, rep->nmodels, rep->ntasks);
	if (!rep->nruns) {
		vl_buf_adds(b, "<p id=empty>No finished runs matched.</p>\n</body></html>\n");
		return 0;
	}
	vl_buf_adds(b, "<nav><a href=\"#leaderboard\">Leaderboard</a><a href=\"#charts\">Charts</a>"
		       "<a href=\"#cost\">Cost</a>");
	for (size_t t = 0; t < rep->ntasks; t++) {
		vl_buf_addf(b, "<a href=\"#task-%zu\">", t);
		html_text(b, rep->tasks[t].name);
		vl_buf_adds(b, "</a>");
	}
	vl_buf_adds(b, "</nav>\n");
	leaderboard(rep, b);
	unranked(rep, b);
	charts(rep, b);
	cost(rep, b);
	for (size_t t = 0; t < rep->ntasks; t++)
		task_page(rep, rl, t, b);
	vl_buf_adds(b, "</body></html>\n");
	return 0;
}
