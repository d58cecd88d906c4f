/*
 * report.h - leaderboards from the run log: one row per run (task, backend,
 * model), the task's primary metric with its confidence interval, and the
 * run's cost.  Reads only through the run log's query API.
 *
 * Adding a format: write a function with vl_report_markdown's shape, add it
 * to the table in reports/leaderboard.c.
 */
#ifndef VL_REPORT_H
#define VL_REPORT_H

#include "bench/runlog.h"
#include "core/vl.h"

/* Writes the leaderboard of runs[0..n) (n 0: every finished run) as
 * Markdown to out. */
int vl_report_markdown(struct vl_runlog *rl, const long long *runs, size_t n,
		       struct vl_buf *out, struct vl_buf *err);
/* The same rows as a JSON array. */
int vl_report_json(struct vl_runlog *rl, const long long *runs, size_t n,
		   struct vl_buf *out, struct vl_buf *err);

#endif
