/*
 * scoring.h - the one scoring path: a task's metrics fed sample by sample
 * (the reference and the extracted answer), then finished into corpus
 * values, breakdown subsets and bootstrap intervals.
 *
 * `vleval run` feeds it from the run log's stored rows (vl_scoring_run_log:
 * the reference each row keeps, never a second read of the dataset), so a
 * resumed run scores exactly like an uninterrupted one; `vleval score`
 * feeds it the samples its reader joined with the predictions.
 *
 * Use:
 *     sc = vl_scoring_new(metric_names, n, opts, breakdown, err);
 *     vl_scoring_add(sc, &sample, extracted, ...) // once per sample, in order
 *     vl_scoring_finish(sc, &ci, emit, ctx)        // every value, every subset
 *     vl_scoring_each_sample_score(sc, fn, ctx)    // end-of-corpus per-sample scores
 *     vl_scoring_free(sc);
 */
#ifndef VL_SCORING_H
#define VL_SCORING_H

#include "core/vl.h"

struct vl_scoring;
struct vl_runlog;
struct vl_task;

/* Bootstrap settings (resamples 0: no intervals). */
struct vl_scoring_ci {
	int resamples;
	uint64_t seed;
	double level;
};

/* Creates the state of each named metric (names and breakdown borrowed,
 * must outlive sc; opts borrowed for the call).  NULL with err on an
 * unknown metric or bad options. */
struct vl_scoring *vl_scoring_new(const char *const *metrics, size_t n_metrics,
				  const struct vl_kv *opts, const struct vl_strv *breakdown,
				  struct vl_buf *err);
void vl_scoring_free(struct vl_scoring *sc);

/* Called for each metric that refuses a sample (it lacks the ground truth
 * the metric needs): the metric, the sample, how many samples it has refused so far
 * (this one included), and its message naming the sample. */
typedef void vl_scoring_refusal_fn(void *ctx, const char *metric, const char *sample_id,
				   size_t nth, const char *msg);

/* Adds sample s with its extracted answer to every metric.  Returns 0 when
 * every metric took it, 1 when one or more refused (on_refuse, if not NULL,
 * is told of each).  first_score (may be NULL) gets the first metric's
 * per-sample score (NAN: none). */
int vl_scoring_add(struct vl_scoring *sc, const struct vl_sample *s, const char *prediction,
		   double *first_score, vl_scoring_refusal_fn *on_refuse, void *ctx);

/* One finished value.  subset "" is the whole set, "key=value" a breakdown
 * group (headline values only); lo/hi NAN without an interval. */
struct vl_scoring_value {
	const char *metric, *name, *subset;
	double value, lo, hi;
	long n;
	int headline;
};

/* Finishes every metric over the whole set and each breakdown group and
 * calls emit for each value; a metric that saw no sample emits nothing. */
void vl_scoring_finish(struct vl_scoring *sc, const struct vl_scoring_ci *ci,
		       void (*emit)(void *ctx, const struct vl_scoring_value *v), void *ctx);

/* Samples metric i refused (no ground truth). */
size_t vl_scoring_refused(const struct vl_scoring *sc, size_t i, const char **metric_name);

/* For a first metric whose per-sample score is known only once the corpus
 * is (CIDEr): calls fn with each sample id and that score.  Nothing for
 * other metrics (their add() score stands). */
void vl_scoring_each_sample_score(struct vl_scoring *sc,
				  void (*fn)(void *ctx, const char *id, double score), void *ctx);

/* Scores run's answered rows from their stored references with task's
 * metrics and writes the metrics (replacing earlier ones), the errors of
 * refused samples (the first 20 of each metric, then a count) and the
 * end-of-corpus per-sample scores to the log.  Rows without a stored
 * reference (written by a vleval before schema 2) are an error naming the
 * sample.  model_family picks the task's metric options. */
int vl_scoring_run_log(const struct vl_task *task, const char *model_family,
		       struct vl_runlog *rl, long long run, const struct vl_scoring_ci *ci,
		       struct vl_buf *err);

#endif
