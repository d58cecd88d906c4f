/*
 * cmd-report.c - `vleval report`: options, then reports/ writes the files.
 */
#include "bench/cli.h"
#include "bench/runlog.h"
#include "reports/report.h"

#include <stdio.h>
#include <string.h>

int cmd_report(int argc, char **argv)
{
	const char *db = NULL, *runs = NULL, *format = "md", *out = "report", *prices = NULL;
	const char *gnuplot = NULL;
	long worst = 10;
	int help = 0, no_charts = 0, quiet = 0, rc;
	const struct vl_opt opts[] = {
		{ "db", VL_OPT_STRING, &db, "FILE", "run log (default $VLEVAL_DB or vleval.db)" },
		{ "runs", VL_OPT_STRING, &runs, "SELECTOR",
		  "which runs: ids (3,5-9,last), task=GLOB, model=GLOB, backend=GLOB, since=DATE, "
		  "until=DATE, comma-separated (default: all; the latest per model and task is shown)" },
		{ "format", VL_OPT_STRING, &format, "FORMATS", "md, html, csv, json, or several: md,html (default md)" },
		{ "out", VL_OPT_STRING, &out, "DIR", "folder for report.* and chart PNGs (default report)" },
		{ "prices", VL_OPT_STRING, &prices, "FILE",
		  "prices.json for runs that logged no price (default $VLEVAL_PRICES or ./prices.json)" },
		{ "samples", VL_OPT_LONG, &worst, "N", "worst and failed samples shown per run (default 10)" },
		{ "no-charts", VL_OPT_FLAG, &no_charts, NULL, "do not run gnuplot" },
		{ "gnuplot", VL_OPT_STRING, &gnuplot, "PROGRAM", "gnuplot to run (default $VLEVAL_GNUPLOT or gnuplot on PATH)" },
		{ "quiet", VL_OPT_FLAG, &quiet, NULL, "print nothing on success" },
		{ NULL },
	};
	struct vl_buf err = VL_BUF_INIT;
	struct vl_runlog *rl = NULL;
	struct vl_report_result res = { 0 };
	struct vl_report_opts o = { 0 };

	rc = vl_parse_opts("report", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval report [--db FILE] [--runs SELECTOR] [--format md|html|csv|json] [--out DIR]",
			      "Writes a leaderboard of the run log: one row per model, one column per\n"
			      "task's headline metric with its interval, an average, cost; per-task\n"
			      "breakdowns, errors and the worst samples; gnuplot charts.  Runs whose task\n"
			      "version, prompt, extraction or metric options differ are not ranked\n"
			      "together: they are listed apart with the reason.", opts);
		return 0;
	}
	rc = VL_EXIT_USAGE;
	o.db_name = vl_default_db(db);
	o.runs = runs;
	o.formats = format;
	o.out_dir = out;
	o.prices = vl_prices_default(prices);
	o.gnuplot = gnuplot;
	o.worst = worst;
	o.no_charts = no_charts;
	if (o.prices) {
		double in, outp;
		if (vl_prices_lookup(o.prices, NULL, &in, &outp, &err) != VL_ENOTFOUND) {
			vl_error("report: %s", vl_buf_str(&err));
			goto out;
		}
	}
	if (vl_runlog_open(o.db_name, &rl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto out;
	}
	rc = vl_report_write(rl, &o, &res, &err);
	if (rc == VL_EINVAL) {
		vl_error("report: %s", vl_buf_str(&err));
		rc = VL_EXIT_USAGE;
		goto out;
	}
	if (rc < 0) {
		vl_error("report: %s", vl_buf_str(&err));
		rc = VL_EXIT_FATAL;
		goto out;
	}
	if (!res.n_runs)
		vl_warn("report: no finished run matched%s%s", runs ? " --runs " : "", runs ? runs : "");
	if (!res.charts_drawn && res.charts_note && !no_charts)
		vl_warn("report: no charts: %s", res.charts_note);
	if (!quiet) {
		printf("report: %ld runs, %ld models", res.n_runs, res.n_models);
		if (res.n_unranked)
			printf(", %ld runs not ranked with the others (see the report)", res.n_unranked);
		printf("\n");
		for (size_t i = 0; i < res.files.n; i++)
			printf("  %s\n", res.files.v[i]);
	}
	rc = 0;
out:
	vl_report_result_release(&res);
	vl_runlog_close(rl);
	vl_buf_release(&err);
	return rc;
}
