/*
 * runpair.h - what `vleval compare` and `vleval check` share: turning two
 * run ids into a comparison (the task's metrics and metric options come
 * from the stored task definition of the runs), and reading a run id.
 */
#ifndef VL_RUNPAIR_H
#define VL_RUNPAIR_H

#include "bench/runlog.h"
#include "reports/compare.h"

/* Reads a run id or "last" (the newest run); 0 when s is neither. */
long long vl_runpair_id(struct vl_runlog *rl, const char *s);

/*
 * Compares run b (of log rlb) against run a (of log rla, which may be the
 * same log) with the task's metrics and options (both
 * runs must score with the same options: runs of model families whose
 * metric options differ are refused).  o->metrics / nmetrics /
 * metric_opts are filled here; the rest is the caller's.
 */
int vl_runpair_compare(struct vl_runlog *rla, long long a, struct vl_runlog *rlb, long long b,
		       struct vl_compare_opts *o,
		       struct vl_compare_result *res, struct vl_buf *err);

#endif
