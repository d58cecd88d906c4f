/*
 * merge.h - joins the shard runs of `vleval run --shard I/N` (the tasks of a
 * Slurm job array, say) into one run that scores exactly like a run made
 * without --shard: the same per-sample rows, metrics and intervals.
 *
 * A shard run stores "shard": "I/N" in its config JSON; everything else in
 * the config must be the same for every shard of a task.  The merged run's
 * config is the shards' config with the shard removed, so it equals the
 * config of the same run made unsharded.
 */
#ifndef VL_MERGE_H
#define VL_MERGE_H

#include "bench/runlog.h"
#include "core/vl.h"

/* Parses "I/N" (0 <= I < N, N >= 1).  Returns 0, or VL_EINVAL. */
int vl_parse_shard(const char *s, long *index, long *count);

/* What one merged run came from. */
struct vl_merged {
	long long run_id;        /* in the output log */
	char *task;              /* owned */
	long shards;             /* N */
	long n_samples, n_errors;
};

struct vl_merge_result {
	struct vl_merged *v;     /* owned; free with vl_merge_result_release */
	size_t n;
	struct vl_strv ignored;  /* "run 3 in 'x.db' (not a shard)" */
};

void vl_merge_result_release(struct vl_merge_result *r);

/*
 * Merges every shard run found in the run logs in[0..nin) into out, one
 * merged run per task.  Refuses (VL_EINVAL, err says which run of which
 * file) when the shards of a task differ in config or task definition,
 * when one is missing or appears twice, when one has not finished, or when
 * two shards hold the same sample.  Metrics of the merged run are computed
 * from its rows by the runner's scoring (vl_runner_score) with the
 * bootstrap settings stored in the config.  Costs: wall time is the
 * longest shard's (they run in parallel), CPU time and price add up, peak
 * memory is the largest.
 */
int vl_merge(struct vl_runlog *out, const char *const *in, size_t nin,
	     struct vl_merge_result *res, struct vl_buf *err);

#endif
