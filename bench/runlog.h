/*
 * runlog.h - the run log: every run, sample, score, error and cached
 * response in one SQLite database (WAL mode).  The only code that touches
 * SQLite; reports read through the query functions here.
 *
 * Sample writes are batched: put_sample opens a transaction if none is open
 * and commits after VL_RUNLOG_BATCH_ROWS rows or VL_RUNLOG_BATCH_SECONDS,
 * whichever comes first (vl_runlog_tick commits a due batch when nothing new
 * arrives).  A kill -9 therefore loses at most the last uncommitted batch of
 * completed samples, which a resume redoes.
 */
#ifndef VL_RUNLOG_H
#define VL_RUNLOG_H

#include "core/vl.h"

#define VL_RUNLOG_SCHEMA_VERSION 5
#define VL_RUNLOG_BATCH_ROWS 256
#define VL_RUNLOG_BATCH_SECONDS 0.2

struct vl_runlog;

/* Opens (creating and migrating as needed) the database at path. */
int vl_runlog_open(const char *path, struct vl_runlog **out, struct vl_buf *err);
/* VL_EIO with err saying why (and what still works) when SQLite could open
 * the log at path for reading only (read-only media or file): a run checks
 * before its first request, which would otherwise be sent and lost. */
int vl_runlog_check_writable(struct vl_runlog *rl, const char *path, struct vl_buf *err);
/* Opens an existing run log for reading only (runs, show, reports): never
 * creates, migrates or writes.  Reads its WAL too (the last commits of a
 * killed run), also on read-only media when the -shm file is there;
 * without it, in a directory that cannot be written (an archived CI
 * artefact), reads the file as immutable, or fails saying so when a
 * non-empty -wal file would be ignored.  VL_ENOTFOUND when there is no such
 * file; VL_EIO with err saying why otherwise (a log that holds no run says
 * so). */
int vl_runlog_open_readonly(const char *path, struct vl_runlog **out, struct vl_buf *err);
/* Commits what is pending and closes. */
void vl_runlog_close(struct vl_runlog *rl);

/* A run row.  Strings borrowed (input) or owned by the struct after
 * vl_runlog_get_run (free with vl_run_info_release). */
struct vl_run_info {
	long long id;
	double created, finished;     /* Unix seconds; finished 0 while running */
	char *status;                 /* running | finished | interrupted | failed */
	char *task;
	int task_version;
	char *family;
	char *backend;
	char *model;
	int baseline;                 /* 1 when the backend is a reference baseline */
	char *config;                 /* JSON, secrets removed */
	char *config_hash;
	char *task_json;              /* the task definition as run */
	char *code_version;
	char *host;
	long n_samples, n_done, n_errors, n_bad_records;
	double wall_s, cpu_s, peak_rss_mb;
	double backend_cpu_s, backend_rss_mb, gpu_mem_peak_mb;
	long long prompt_tokens, completion_tokens;
	double price;                 /* currency units, -1 unknown */
	double latency_p50, latency_p95, ttft_p50, ttft_p95;
	double throughput;            /* answered samples per wall second */
};

void vl_run_info_release(struct vl_run_info *ri);

/* Inserts a new run (fields id, finished, cost ignored); sets *id. */
int vl_runlog_create_run(struct vl_runlog *rl, const struct vl_run_info *ri, long long *id,
			 struct vl_buf *err);
/* Reads run id; VL_ENOTFOUND if there is none. */
int vl_runlog_get_run(struct vl_runlog *rl, long long id, struct vl_run_info *out,
		      struct vl_buf *err);
/* The most recent run id (0 when the log is empty). */
long long vl_runlog_last_run(struct vl_runlog *rl);
int vl_runlog_set_status(struct vl_runlog *rl, long long id, const char *status);
/* Writes the final counters and cost figures of ri (status too). */
int vl_runlog_update_run(struct vl_runlog *rl, const struct vl_run_info *ri, struct vl_buf *err);

/* One sample's row.  All strings borrowed. */
struct vl_sample_row {
	const char *sample_id;
	long idx;                     /* position in the dataset */
	const char *prompt;
	const char *output;           /* NULL when the request failed */
	const char *extracted;        /* NULL when not answered */
	int parse_ok;                 /* 0: extraction failed */
	double score;                 /* NAN: none */
	double latency_s, ttft_s;     /* -1 unknown */
	long prompt_tokens, completion_tokens;
	long long bytes_sent, bytes_received;
	int retries, http_status, cached;
	double gpu_mem_peak_mb;
	const char *error;            /* NULL on success */
	const char *question;         /* the sample's question text, NULL if none */
	const char *reference;        /* the reference as JSON (vl_sample_ref_json);
	                                 NULL in rows of schema 1 */
	const char *finish_reason;    /* "stop", "length" (truncated), ...; NULL
	                                 unknown (schema < 4, not said) */
};

/* Inserts or replaces (a retried sample replaces its failed row). */
int vl_runlog_put_sample(struct vl_runlog *rl, long long run, const struct vl_sample_row *r,
			 struct vl_buf *err);
/* Fills the question and reference of a row written before schema 2 (a
 * resume of an older run). */
int vl_runlog_set_reference(struct vl_runlog *rl, long long run, const char *sample_id,
			    const char *question, const char *reference);
/* Updates per-sample scores known only at the end (CIDEr). */
int vl_runlog_set_score(struct vl_runlog *rl, long long run, const char *sample_id, double score);
/* Commits a due batch; call regularly. */
int vl_runlog_tick(struct vl_runlog *rl);
/* Commits whatever is pending now. */
int vl_runlog_flush(struct vl_runlog *rl);
/* Commits whatever is pending now, and fails (err says how many samples of
 * run were lost, why, and that what was committed before is kept) when this
 * or any earlier batch could not be committed (a full disk). */
int vl_runlog_commit(struct vl_runlog *rl, long long run, struct vl_buf *err);

/* Calls fn for each sample row of run in dataset order; the row's strings
 * are valid during the call only.  which: 0 all, 1 answered only, 2 failed
 * only.  fn returning non-zero stops the walk. */
int vl_runlog_each_sample(struct vl_runlog *rl, long long run, int which,
			  int (*fn)(void *ctx, const struct vl_sample_row *r), void *ctx);

/* Metric rows. subset "" is the whole set; "answer_type=yes/no" a breakdown. */
int vl_runlog_put_metric(struct vl_runlog *rl, long long run, const char *metric,
			 const char *name, const char *subset, double value, double ci_lo,
			 double ci_hi, long n);
int vl_runlog_clear_metrics(struct vl_runlog *rl, long long run);
struct vl_metric_row {
	const char *metric, *name, *subset;
	double value, ci_lo, ci_hi;
	long n;
};
int vl_runlog_each_metric(struct vl_runlog *rl, long long run,
			  int (*fn)(void *ctx, const struct vl_metric_row *r), void *ctx);

/* Errors that are not a sample's answer: bad dataset records, fatal backend
 * errors, metric complaints.  sample_id may be NULL. */
int vl_runlog_put_error(struct vl_runlog *rl, long long run, const char *kind,
			const char *sample_id, const char *message);
/* Deletes the run's errors of one kind (a resume re-reads the dataset and
 * logs its bad records again). */
int vl_runlog_clear_errors(struct vl_runlog *rl, long long run, const char *kind);
struct vl_error_row {
	double time;
	const char *kind, *sample_id, *message;
};
int vl_runlog_each_error(struct vl_runlog *rl, long long run,
			 int (*fn)(void *ctx, const struct vl_error_row *r), void *ctx);

/* Runs, newest first (limit 0: all). Strings valid during the call. */
int vl_runlog_each_run(struct vl_runlog *rl, long limit,
		       int (*fn)(void *ctx, const struct vl_run_info *r), void *ctx);

/* Response cache: key is a hex digest of the deterministic request. */
struct vl_cache_entry {
	char *output;                 /* owned; free with vl_free */
	long prompt_tokens, completion_tokens;
	char *finish_reason;          /* owned (vl_free); NULL unknown */
};
int vl_runlog_cache_get(struct vl_runlog *rl, const char *key, struct vl_cache_entry *out);
int vl_runlog_cache_put(struct vl_runlog *rl, const char *key, const char *backend,
			const char *model, const char *output, long prompt_tokens,
			long completion_tokens, const char *finish_reason);

/* Aggregates over the answered samples of a run: latency and TTFT
 * percentiles, token totals (fills the matching fields of ri). */
int vl_runlog_sample_stats(struct vl_runlog *rl, long long run, struct vl_run_info *ri);

/* ---- queries for summaries and reports ------------------------------- */

/* The values of one per-sample measure over the answered samples that were
 * not answered from the cache, sorted ascending: what is "latency" or
 * "ttft".  *out (caller frees with vl_free) is NULL when *n is 0. */
int vl_runlog_sample_values(struct vl_runlog *rl, long long run, const char *what,
			    double **out, size_t *n);

/* Counts over a run's sample rows, and the latencies and times to first
 * token of its answers not taken from the cache (sorted ascending; owned,
 * free with vl_run_counts_release), all from one pass over the rows. */
struct vl_run_counts {
	long total;                   /* sample rows */
	long answered, failed;        /* failed: the request gave no answer */
	long cached;                  /* answered from the response cache */
	long long cached_prompt_tokens;     /* tokens of the cached answers: */
	long long cached_completion_tokens; /* not spent by this run */
	long parse_failures;          /* answered, but no answer could be extracted */
	long truncated;               /* answered, finish_reason "length": cut by
	                                 max_tokens or a full context */
	double *latency, *ttft;       /* owned; NULL when empty */
	size_t n_latency, n_ttft;
};
int vl_runlog_run_counts(struct vl_runlog *rl, long long run, struct vl_run_counts *out);
void vl_run_counts_release(struct vl_run_counts *c);

/* Error counts by kind, most frequent first: failed samples classified by
 * their HTTP status and message ("timeout", "rate limited (HTTP 429)",
 * "server error (HTTP 5xx)", "client error (HTTP 4xx)", "connection",
 * "backend"), then the run's logged errors by their kind, prefixed
 * "logged " ("logged dataset", "logged metric", "logged fatal").  kind is
 * valid during the call only; fn returning non-zero stops. */
int vl_runlog_each_error_count(struct vl_runlog *rl, long long run,
			       int (*fn)(void *ctx, const char *kind, long n), void *ctx);

/* Calls fn for at most limit sample rows of run, worst first: failed
 * samples, then those whose answer could not be extracted, then by score
 * (ascending when higher_is_better, else descending; rows without a score
 * last).  Rows are as vl_runlog_each_sample gives them. */
int vl_runlog_each_worst_sample(struct vl_runlog *rl, long long run, int higher_is_better,
				long limit,
				int (*fn)(void *ctx, const struct vl_sample_row *r), void *ctx);

/* Nearest-rank percentile of sorted[0..n) (p in [0, 1]); -1 when n is 0. */
double vl_percentile(const double *sorted, size_t n, double p);

#endif
