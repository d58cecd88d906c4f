/*
 * stats.h - paired significance statistics for two systems scored on the
 * same samples: McNemar's exact test, the paired bootstrap of a difference
 * and the paired permutation (approximate randomisation) test.
 *
 * Pure functions: no I/O, no global state.  Every resampling function takes
 * a seed and gives the same numbers for the same seed on every machine
 * (splitmix64 of core/vl.h, Lemire's unbiased bounded draw).
 *
 * Two shapes of input:
 *   - per-sample arrays a[i], b[i] (the metric is the mean of per-sample
 *     scores, as accuracy, exact match, ANLS, VQA accuracy are);
 *   - two metric accumulators (metrics/metric.h), one per system, holding
 *     the same n samples in the same order, so that corpus metrics (CIDEr's
 *     document frequencies, BLEU's brevity penalty, POPE's F1) are
 *     re-finished on every resample.  Two states rather than one with both
 *     systems in it: metrics that group samples (CircularEval's rotations,
 *     MME's question pairs) must never see A's and B's answers together.
 *
 * Adding a test: write it over these two shapes and unit-test it against a
 * value computed by hand or by a textbook's worked example.
 */
#ifndef VL_STATS_H
#define VL_STATS_H

#include "core/vl.h"
#include "metrics/metric.h"

/*
 * McNemar's exact test: the two-sided binomial test of b successes in b + c
 * trials at p = 1/2, where b counts the pairs A right / B wrong and c the
 * pairs A wrong / B right.  Returns min(1, 2 * P(X <= min(b, c))), which for
 * p = 1/2 equals scipy.stats.binomtest(b, b + c).pvalue; 1 when b + c = 0.
 */
double vl_stats_mcnemar_exact(long b, long c);

/* The result of a paired test of B against A. */
struct vl_paired_result {
	double a, b;          /* the two values on the full shared set */
	double diff;          /* b - a */
	double lo, hi;        /* percentile bootstrap interval of the difference */
	double p;             /* two-sided p-value of the test that made it */
	int resamples;        /* resamples that gave a finite difference */
};

/*
 * Paired bootstrap of mean(b) - mean(a) over n pairs: resamples draws of n
 * pair positions with replacement.  Fills out->a, b, diff, lo, hi (the
 * (1-level)/2 and (1+level)/2 percentiles, numpy's linear method) and
 * out->p, the two-sided bootstrap p-value under the shifted null
 * (1 + #{|d* - d| >= |d|}) / (1 + resamples) (Berg-Kirkpatrick et al. 2012).
 * Returns 0, VL_EINVAL when n is 0, VL_ENOMEM.
 */
int vl_stats_bootstrap_mean(const double *a, const double *b, size_t n, int resamples,
			    uint64_t seed, double level, struct vl_paired_result *out);

/*
 * Paired permutation test of mean(b) - mean(a) (the approximate
 * randomisation test of metrics that are means of per-sample scores; corpus
 * metrics use the bootstrap's p-value, as a swap of single samples would
 * break the groups some of them score): each resample swaps a[i]
 * and b[i] with probability 1/2 (a sign flip of the difference).  Returns
 * the two-sided p-value (1 + #{|d*| >= |d|}) / (1 + resamples), 1 when the
 * observed difference is 0, NAN when n is 0.
 */
double vl_stats_permutation_mean(const double *a, const double *b, size_t n, int resamples,
				 uint64_t seed);

/* The two systems' accumulators (see the top of this file). */
struct vl_paired_metric {
	const struct vl_metric *m;
	void *a, *b;                 /* borrowed; the same n samples in order */
	size_t n;                    /* pairs */
	const char *const *values;   /* the values compared, e.g. "CIDEr", "f1" */
	size_t nvalues;
};

/*
 * The values of A and of B (arrays of pm->nvalues) over the pair positions
 * idx[0..k) (NULL: all n); a value the metric does not report, or reports
 * as not finite, is NAN.  Returns 0, or VL_ENOTFOUND when every value is
 * NAN for A or for B, VL_ENOMEM.
 */
int vl_stats_metric_values(const struct vl_paired_metric *pm, const size_t *idx, size_t k,
			   double *a, double *b);

/*
 * Paired bootstrap of value(B) - value(A) for every value at once: the same
 * resampled positions for both systems, finish re-run on each.  Fills
 * out[0..nvalues) as vl_stats_bootstrap_mean does (p: the shifted-null
 * bootstrap p-value); a value undefined on a resample (F1 with no
 * positives) leaves that resample out.  Returns 0 or a negative code.
 */
int vl_stats_bootstrap_metric(const struct vl_paired_metric *pm, int resamples, uint64_t seed,
			      double level, struct vl_paired_result *out);

#endif
