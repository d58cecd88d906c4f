/*
 * cmd-runs.c - `vleval runs`: the runs in the run log, newest first.
 */
#include "bench/cli.h"
#include "bench/runlog.h"
#include "bench/summary.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct ctx {
	int json;
	struct vl_buf *out;
	struct vl_runlog *rl;
	int first;
};

static int row(void *p, const struct vl_run_info *r)
{
	struct ctx *c = p;
	char when[32], total[24] = "?";
	time_t t = (time_t)r->created;
	struct tm tm;

	if (c->json) {
		if (!c->first)
			vl_buf_addch(c->out, ',');
		c->first = 0;
		vl_summary_json(c->rl, r->id, c->out);
		return 0;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	/* a run that has not ended (or was killed) does not know its size yet */
	if (r->n_samples > 0 || strcmp(r->status, "running"))
		snprintf(total, sizeof(total), "%ld", r->n_samples);
	printf("%5lld  %-16s  %-12s  %-28s  %-10s%s  %-20s  %6ld/%-6s  %ld\n", r->id, when,
	       r->status, r->task, r->backend, r->baseline ? "*" : " ", r->model ? r->model : "-",
	       r->n_done, total, r->n_errors);
	return 0;
}

int cmd_runs(int argc, char **argv)
{
	const char *db = NULL;
	long limit = 50;
	int json = 0, help = 0, rc;
	const struct vl_opt opts[] = {
		{ "db", VL_OPT_STRING, &db, "FILE", "run log (default $VLEVAL_DB or vleval.db)" },
		{ "limit", VL_OPT_LONG, &limit, "N", "newest N runs (default 50, 0 all)" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT;
	struct vl_runlog *rl;
	struct ctx c = { 0 };

	rc = vl_parse_opts("runs", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval runs [--db FILE] [--limit N] [--json]",
			      "Lists the runs in the run log, newest first (* marks baselines).", opts);
		return 0;
	}
	if (vl_runlog_open_readonly(vl_default_db(db), &rl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		vl_buf_release(&err);
		return VL_EXIT_USAGE;
	}
	c.json = json;
	c.out = &out;
	c.rl = rl;
	c.first = 1;
	if (json)
		vl_buf_addch(&out, '[');
	else
		printf("%5s  %-16s  %-12s  %-28s  %-11s  %-20s  %13s  %s\n", "run", "created (UTC)",
		       "status", "task", "backend", "model", "answered", "errors");
	vl_runlog_each_run(rl, limit, row, &c);
	if (json) {
		vl_buf_addch(&out, ']');
		puts(vl_buf_str(&out));
	}
	vl_runlog_close(rl);
	vl_buf_release(&out);
	vl_buf_release(&err);
	return 0;
}
