/*
 * report.h - `vleval report`: a leaderboard of the runs in a run log, with
 * per-task pages (breakdowns, errors by kind, the worst and failed samples),
 * cost, and gnuplot charts, written as Markdown, HTML, CSV or JSON.  Reads
 * only through the run log's query API (bench/runlog.h).
 *
 * One row per model (by default the latest finished run per model and task),
 * one column per task's headline metric with its interval, an average over
 * the tasks every row has, cost columns.  Runs are ranked together only when
 * their task version, prompt, extraction and metric options match; the
 * others are listed apart with the reason.
 *
 * Adding a format: see reports/report_data.h.
 */
#ifndef VL_REPORT_H
#define VL_REPORT_H

#include "bench/runlog.h"
#include "core/vl.h"

struct vl_report_opts {
	const char *db_name;   /* shown in the header (borrowed) */
	/* Which runs: comma-separated terms, ANDed across kinds and ORed within
	 * one kind: ids ("3", "3-7", "last"), task=GLOB, model=GLOB,
	 * backend=GLOB, since=DATE, until=DATE (DATE: YYYY-MM-DD or
	 * YYYY-MM-DDTHH:MM, UTC).  NULL or "": every finished run.  Of the
	 * selected finished runs, the latest per model and task is shown. */
	const char *runs;
	const char *formats;   /* comma-separated: md, html, csv, json (NULL: md) */
	const char *out_dir;   /* created if missing */
	const char *prices;    /* prices.json (model -> {"input","output"} per
	                          million tokens), NULL: none; used for runs that
	                          logged no price */
	const char *gnuplot;   /* gnuplot program; NULL: $VLEVAL_GNUPLOT, else
	                          "gnuplot" on PATH; "" or "none": no charts */
	long worst;            /* sample browser rows per run (default 10 when 0) */
	int no_charts;         /* 1: do not draw charts */
};

struct vl_report_result {
	struct vl_strv files;  /* paths written, in order */
	long n_runs, n_models, n_unranked;
	int charts_drawn;
	char *charts_note;     /* why there are no charts, or NULL; owned */
};

void vl_report_result_release(struct vl_report_result *res);

/* Writes the report's files into o->out_dir.  Returns 0, VL_EINVAL (a bad
 * selector or format, err says which), or VL_EIO (a file could not be
 * written, err names it). */
int vl_report_write(struct vl_runlog *rl, const struct vl_report_opts *o,
		    struct vl_report_result *res, struct vl_buf *err);

/* The report of o rendered in one format into out ("md", "html", "csv",
 * "json"), charts per o (PNG files are written into o->out_dir when the
 * format is md). */
int vl_report_render(struct vl_runlog *rl, const struct vl_report_opts *o, const char *format,
		     struct vl_buf *out, struct vl_buf *err);

/* Prices per million tokens from a prices.json file: 0 and *in, *out set
 * when model is in the file; VL_ENOTFOUND when it is not; VL_EIO or
 * VL_EINVAL (err names the file) when the file cannot be read or parsed.
 * model NULL checks every entry: VL_ENOTFOUND when all are well formed. */
int vl_prices_lookup(const char *path, const char *model, double *in, double *out,
		     struct vl_buf *err);
/* The prices file to use: flag if given, else $VLEVAL_PRICES, else
 * "prices.json" when it exists in the working directory, else NULL. */
const char *vl_prices_default(const char *flag);

#endif
