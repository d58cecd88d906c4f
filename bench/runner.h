/*
 * runner.h - the evaluation loop: stream samples, render prompts, keep at
 * most `concurrency` requests in flight, extract, score, log every sample,
 * then compute the metrics from the run log.
 *
 * Each completed sample is written to the run log as it completes, with
 * its per-sample score and its reference; once every sample is answered the
 * corpus metrics are finished from those stored rows (bench/scoring.h), so
 * a resumed run and an uninterrupted one give identical numbers and the
 * dataset is read once.
 */
#ifndef VL_RUNNER_H
#define VL_RUNNER_H

#include "bench/runlog.h"
#include "bench/task.h"
#include "core/vl.h"

struct vl_run_opts {
	const char *data_dir;         /* data root ("." when NULL) */
	const char *backend;          /* backend name */
	const char *model;            /* may be NULL */
	const char *model_family;     /* prompt variant, may be NULL */
	const struct vl_kv *backend_cfg; /* --set pairs and backend flags, borrowed */
	long limit;                   /* < 0: every sample */
	long concurrency;             /* requests in flight, >= 1 (adaptive: the ceiling) */
	int adaptive;                 /* --concurrency auto[:MAX] */
	long breaker_after;           /* stop after this many consecutive connection
	                                 failures (0: never) */
	double max_cost;              /* stop when the price reaches it (<= 0: no cap) */
	double est_answer_price;      /* estimated price of one answer, for the cap
	                                 before answers carry token counts */
	int strict;                   /* a bad dataset record stops the run */
	int no_cache;                 /* bypass the response cache */
	int progress;                 /* 0 quiet, 1 plain lines, 2 terminal line */
	long long resume_id;          /* 0: new run */
	int resamples;                /* bootstrap resamples (0: no intervals) */
	uint64_t seed;                /* bootstrap seed */
	double ci_level;              /* e.g. 0.95 */
	double price_input;           /* per million prompt tokens, < 0 unknown */
	double price_output;          /* per million completion tokens, < 0 unknown */
	long shard_index, shard_count; /* shard_count > 0: only the samples whose
	                                  dataset index is shard_index mod
	                                  shard_count (vleval merge joins them) */
};

struct vl_run_result {
	long long run_id;
	const char *status;           /* static: finished | interrupted | failed */
	long n_samples, n_done, n_errors, n_bad_records, n_skipped;
	int exit_code;                /* VL_EXIT_* */
};

/* Set from a signal handler to stop the loop cleanly. */
extern volatile int vl_runner_stop;

/* Runs (or resumes, opts->resume_id) task with the options.  Prints the
 * progress display to stderr when opts->progress.  Returns 0 when the run
 * could start (its outcome is in res), negative with err otherwise. */
int vl_runner_run(const struct vl_task *task, const struct vl_run_opts *opts,
		  struct vl_runlog *rl, struct vl_run_result *res, struct vl_buf *err);

/* Recomputes the metrics of run from its stored rows (bootstrap settings
 * and model family from opts, which may be NULL). */
int vl_runner_score(const struct vl_task *task, struct vl_runlog *rl, long long run,
		    const struct vl_run_opts *opts, struct vl_buf *err);

/* Builds the run's config JSON (no secrets) from task and options. */
char *vl_runner_config_json(const struct vl_task *task, const struct vl_run_opts *opts);

/* The hash stored with a config (hex; caller frees with vl_free). */
char *vl_runner_config_hash(const char *config);

#endif
