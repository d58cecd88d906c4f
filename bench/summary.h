/*
 * summary.h - one run as text (the table `run` and `show` print) and as
 * JSON (`--json`), read from the run log.
 */
#ifndef VL_SUMMARY_H
#define VL_SUMMARY_H

#include <stdio.h>

#include "bench/runlog.h"

/* Prints the run's header, metric table (with intervals) and cost lines.
 * breakdowns: also print per-subset values. */
int vl_summary_print(struct vl_runlog *rl, long long run, int breakdowns, FILE *out);
/* Appends the run as a JSON object: run fields, config, metrics, cost. */
int vl_summary_json(struct vl_runlog *rl, long long run, struct vl_buf *out);

#endif
