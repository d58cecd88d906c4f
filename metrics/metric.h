/*
 * metric.h - the metric and answer-extractor interfaces, and their registry.
 *
 * A metric is an accumulator: new_state, then add() once per sample in
 * dataset order, then finish() as often as wanted.  finish() takes a list of
 * sample positions so that the same code computes the whole-set value
 * (idx = NULL), a breakdown subset (the positions whose metadata matches) and
 * a bootstrap resample (positions drawn with replacement, repeats allowed).
 * Corpus-level quantities (CIDEr's document frequencies, BLEU's brevity
 * penalty, POPE's F1) are therefore recomputed from the chosen positions.
 *
 * Metrics do no I/O: they see samples and predictions, never files.
 *
 * Adding a metric: copy metrics/exact_match.c, give it a unique name, append
 * its vl_metric to the table in metrics/metric.c, add its object to the
 * Makefile's METRIC_OBJS, and add data-row tests in tests/unit/.
 */
#ifndef VL_METRIC_H
#define VL_METRIC_H

#include "core/vl.h"

#define VL_METRIC_API_VERSION 1

/* One named number a metric reports. */
struct vl_metric_value {
	const char *name;  /* static string, e.g. "acc", "CIDEr", "Bleu_4" */
	double value;      /* as the official scorer reports it (e.g. percent
	                      for VQA accuracy, a fraction for POPE) */
	long n;            /* samples it was computed over */
	int headline;      /* 1: a primary number that gets a confidence interval */
};

#define VL_METRIC_MAX_VALUES 32

/*
 * How a caller lends a metric its threads: calls part(ctx, t) for every
 * t in [0, nparts) (at once on several threads, or one after the other)
 * and returns when all have returned.  Metrics never start threads: a
 * metric with independent passes splits them into parts over index ranges
 * [lo, hi) with scratch of their own, and hands them to this.  The parts
 * are the same however they are run, so results do not depend on it.
 * bench/parallel.h's vl_parallel_for is one.
 */
typedef void vl_parallel_fn(size_t nparts, void (*part)(void *ctx, size_t t), void *ctx);

struct vl_metric {
	int version;              /* VL_METRIC_API_VERSION */
	const char *name;         /* registry name, e.g. "pope" */
	const char *description;  /* one line for `vleval tasks --metrics` */
	int higher_is_better;
	const char *primary;      /* name of the value leaderboards rank by */

	/* Allocates a state.  opts: the task's "metric_options" (borrowed, may
	 * be NULL).  Returns NULL and fills err on bad options. */
	void *(*new_state)(const struct vl_kv *opts, struct vl_buf *err);

	/* Adds the next sample.  prediction: the extracted answer (borrowed;
	 * never NULL: the runner adds only samples that were answered, and
	 * reports failed requests as errors, not as wrong answers).
	 * *score receives the per-sample score, or NAN when the metric only has
	 * a corpus-level value.  Returns 0, or VL_EINVAL when the sample lacks
	 * the ground truth this metric needs (err names the sample id). */
	int (*add)(void *state, const struct vl_sample *s, const char *prediction,
		   double *score, struct vl_buf *err);

	/* Computes the values over the samples at positions idx[0..n) in add
	 * order (idx NULL: every sample added, n ignored).  Writes at most max
	 * values to out and returns how many, or a negative code.  Must leave the
	 * state unchanged: the bootstrap calls it a thousand times. */
	int (*finish)(void *state, const size_t *idx, size_t n,
		      struct vl_metric_value *out, size_t max);

	/* Optional (NULL: add's score stands).  The per-sample score of the
	 * sample at position i once the whole corpus is known (CIDEr). */
	double (*sample_score)(void *state, size_t i);

	void (*free_state)(void *state);

	/* Optional (NULL: the metric has nothing to run in parallel).  Lends
	 * the state the caller's way to run parts at once (NULL: one after
	 * the other, the default). */
	void (*set_parallel)(void *state, vl_parallel_fn *run);
};

/* Looks a metric up by name; NULL if unknown. */
const struct vl_metric *vl_metric_find(const char *name);
/* The registry, NULL-terminated. */
const struct vl_metric *const *vl_metric_list(void);

/*
 * Answer extractors turn a model's raw output into the answer a metric
 * scores: "yesno" (POPE's official parsing), "letter" (MCQ option letter),
 * "box" (a box parser chosen by the "box_format" option), "short" (trimmed
 * text), "none" (the raw output as is).
 */
struct vl_extractor {
	int version;              /* VL_METRIC_API_VERSION */
	const char *name;
	const char *description;
	/* Writes the extracted answer to out (reset by the caller).  Returns 0,
	 * or VL_EPARSE when nothing could be extracted (out may hold ""); the
	 * runner records that as a parse failure, never as an answer. */
	int (*extract)(const char *raw, const struct vl_sample *s,
		       const struct vl_kv *opts, struct vl_buf *out);
	/* Optional: renders the sample's ground truth as a raw model output that
	 * extract() maps back to the ground truth (the oracle baseline uses it).
	 * Returns 0, or VL_ENOTFOUND when the sample has no ground truth. */
	int (*render_truth)(const struct vl_sample *s, const struct vl_kv *opts,
			    struct vl_buf *out);
};

const struct vl_extractor *vl_extractor_find(const char *name);
const struct vl_extractor *const *vl_extractor_list(void);

/* POPE's official answer parsing: VL_LABEL_NO or VL_LABEL_YES. */
int vl_pope_parse(const char *raw);

/*
 * Percentile bootstrap: draws `resamples` sets of n positions with
 * replacement from a seeded generator and re-runs finish on each.  For every
 * value in vals[0..nvals) with headline set, lo[i] and hi[i] receive the
 * (1-level)/2 and (1+level)/2 percentiles; others get NAN.  Returns 0 or a
 * negative code.
 */
int vl_bootstrap(const struct vl_metric *m, void *state, size_t n,
		 int resamples, uint64_t seed, double level,
		 const struct vl_metric_value *vals, size_t nvals,
		 double *lo, double *hi);

/* The same over a subset: resamples are drawn from the positions
 * pos[0..n) (a breakdown group) instead of 0..n-1. */
int vl_bootstrap_positions(const struct vl_metric *m, void *state, const size_t *pos,
			   size_t n, int resamples, uint64_t seed, double level,
			   const struct vl_metric_value *vals, size_t nvals,
			   double *lo, double *hi);

/* The q-quantile (0..1) of sorted[0..n) by numpy's default "linear"
 * method, as np.percentile(x, 100 * q); NAN when n is 0. */
double vl_percentile_sorted(const double *sorted, size_t n, double q);
/* qsort comparator of doubles, ascending. */
int vl_cmp_double(const void *a, const void *b);

/*
 * The per-sample values of a metric whose corpus value is their mean (exact
 * match, ANLS, VQA accuracy, relaxed accuracy), kept in add order so that
 * finish() can take any position list.  Zero-initialise; release with
 * vl_per_sample_release.
 */
struct vl_per_sample {
	double *v;
	size_t n, alloc;
};

void vl_per_sample_add(struct vl_per_sample *ps, double v);
/* Sum of the values at positions idx[0..n) (idx NULL: all of them), added
 * one by one in that order as the official Python loops add them; *count
 * receives how many were summed. */
double vl_per_sample_sum(const struct vl_per_sample *ps, const size_t *idx, size_t n,
			 size_t *count);
/* Their mean (NAN over none). */
double vl_per_sample_mean(const struct vl_per_sample *ps, const size_t *idx, size_t n,
			  size_t *count);
void vl_per_sample_release(struct vl_per_sample *ps);

/* numpy-compatible pairwise sum (numpy's mean of float64 arrays), needed to
 * reproduce the official caption scorers' corpus means to the last bit. */
double vl_pairwise_sum(const double *v, size_t n);

#endif
