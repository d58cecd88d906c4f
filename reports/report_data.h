/*
 * report_data.h - what a report shows, loaded once from the run log and
 * shared by the writers (report_md.c, report_csv.c, report_json.c, html.c)
 * and the charts (chart.c).  Internal to reports/.
 *
 * Model: the selected runs (one per model and task), grouped by task; in
 * each task the runs whose task version, prompt, extraction and metric
 * options match the task's reference group are "ranked", the others carry
 * the reason they are not.  Model rows hold one ranked run per task, an
 * average over the tasks every row has, and cost aggregates.
 *
 * Adding a format: write `int vl_report_FORMAT(const struct vl_report *rep,
 * struct vl_runlog *rl, struct vl_buf *out)` in its own file, declare it
 * here, add it to the formats table in reports/report.c.
 */
#ifndef VL_REPORT_DATA_H
#define VL_REPORT_DATA_H

#include "bench/runlog.h"
#include "core/vl.h"
#include "metrics/metric.h"
#include "reports/report.h"

/* One metric row of a run (strings owned). */
struct rp_metric {
	char *metric, *name, *subset;
	double value, lo, hi;
	long n;
};

struct rp_run {
	struct vl_run_info ri;        /* owned */
	char *label;                  /* the model name, else the backend; owned */
	char *prompt, *extract, *metric_opts; /* what must match to rank together; owned */
	const struct vl_metric *metric;   /* the task's headline metric (NULL: unknown) */
	const char *value_name;       /* the value ranked by (metric->primary or a row's name) */
	double value, lo, hi;         /* NAN when the run has no such value */
	long n;
	struct rp_metric *metrics;    /* every metric row, in run log order */
	size_t nmetrics;
	struct vl_run_counts counts;  /* owned */
	char *errors;                 /* "timeout 3, logged dataset 1", "" none; owned */
	double *lat;                  /* sorted latencies of non-cached answers (counts') */
	size_t nlat;
	double lat_p50, lat_p95, lat_p99, ttft_p50, ttft_p95, ttft_p99; /* -1 unknown */
	double out_tok_s;             /* completion tokens per wall second, -1 unknown */
	double price;                 /* -1 unknown */
	const char *price_source;     /* "run" (logged), "prices.json", or NULL */
	size_t task, model;           /* indices into the report's tasks and models */
	int ranked;                   /* 1: in its task's comparable group */
	char *reason;                 /* why not ranked; owned, NULL when ranked */
};

struct rp_task {
	char *name;                   /* owned */
	const struct vl_metric *metric;
	const char *value_name;
	int higher_is_better;
	int in_average;               /* part of the leaderboard's average */
	const char *avg_note;         /* why not, static text, or NULL */
	size_t ref;                   /* run index defining the comparable group */
};

struct rp_model {
	char *label;                  /* owned */
	int baseline, cached;
	long *task_run;               /* per task: index of the ranked run, -1 none */
	int ranked;                   /* has at least one ranked run */
	double average;               /* NAN when no task is averaged */
	long rank;                    /* 1-based among models; 0 for baselines */
	/* cost over its ranked runs */
	double lat_p50;               /* over all their non-cached answers, -1 unknown */
	long long tokens;             /* prompt + completion, -1 unknown */
	double price;                 /* sum, -1 unknown (some run without one) */
	double rss_mb, engine_rss_mb, gpu_mb; /* maxima, -1 unknown */
};

struct vl_report {
	const char *db_name;          /* borrowed, for the header */
	const char *selector;         /* borrowed, NULL: the default selection */
	double generated;             /* Unix seconds */
	struct rp_run *runs;
	size_t nruns;
	struct rp_task *tasks;        /* sorted by name */
	size_t ntasks;
	struct rp_model *models;      /* in leaderboard order */
	size_t nmodels;
	struct vl_strv skipped;       /* "run 7 (interrupted)": selected but not shown */
	long worst;                   /* sample browser rows per run */
	int thumbs;                   /* inline thumbnails (HTML) */

	/* charts, filled by vl_chart_render */
	int charts_drawn;             /* 1 when gnuplot ran */
	char *charts_note;            /* why charts are missing; owned */
	struct vl_strv chart_titles;  /* one per chart */
	struct vl_strv chart_png;     /* file names (beside the Markdown), or empty */
	struct vl_strv chart_svg;     /* inline SVG text, or empty */
};

/* Loads the report's data; rep is filled (release with vl_report_release). */
int vl_report_load(struct vl_runlog *rl, const struct vl_report_opts *o, struct vl_report *rep,
		   struct vl_buf *err);
void vl_report_release(struct vl_report *rep);

/* Draws the charts with gnuplot into dir (PNG when png, SVG kept in memory
 * when svg).  Never fails the report: when gnuplot is missing or fails,
 * rep->charts_note says why. */
void vl_chart_render(struct vl_report *rep, const struct vl_report_opts *o, const char *dir,
		     int png, int svg);

/* The writers. */
int vl_report_md(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *out);
int vl_report_html(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *out);
int vl_report_csv(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *out);
int vl_report_json_doc(const struct vl_report *rep, struct vl_runlog *rl, struct vl_buf *out);

/* Shared by the writers. */
const char *rp_fmt_time(double t, char *dst, size_t n);       /* "2026-12-06 10:00 UTC" */
/* "0.8123", "-" for NAN; digits decimals. */
const char *rp_fmt_num(double v, int digits, char *dst, size_t n);
/* The sample browser's columns.  rp_sample_reference appends the ground
 * truth as text ("label: yes", "answers: a | b"); rp_sample_image appends
 * the sample's first image file; each returns VL_ENOTFOUND when the run log
 * does not have it (runs logged before schema 2).  rp_sample_question is
 * the question, else the prompt. */
int rp_sample_reference(const struct vl_sample_row *r, struct vl_buf *out);
int rp_sample_image(const struct vl_sample_row *r, struct vl_buf *out);
const char *rp_sample_question(const struct vl_sample_row *r);
/* Appends s cut to at most max bytes (on a character boundary, with an
 * ellipsis when cut). */
void rp_cut(const char *s, size_t max, struct vl_buf *out);
/* The subsets (e.g. "split=random") of task t's headline value that some
 * run of it has, in first-seen order, appended to out. */
void rp_task_subsets(const struct vl_report *rep, size_t t, struct vl_strv *out);
/* Run r's metric row of value name over subset ("" the whole set), or NULL. */
const struct rp_metric *rp_run_value(const struct rp_run *r, const char *name, const char *subset);
/* A run's price as text: "0.1234", "0.1234 (prices.json)", or "-". */
const char *rp_cost_price(const struct rp_run *r, char *dst, size_t n);

#endif
