/*
 * bootstrap.c - percentile bootstrap confidence intervals over any metric
 * (see vl_bootstrap in metric.h).
 */
#include "metrics/metric.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int vl_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Linear interpolation between order statistics, numpy's default
 * ("linear") percentile method, so intervals match np.percentile. */
double vl_percentile_sorted(const double *sorted, size_t n, double q)
{
	double pos, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	pos = q * (double)(n - 1);
	lo = (size_t)floor(pos);
	if (lo + 1 >= n)
		return sorted[n - 1];
	frac = pos - (double)lo;
	return sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac;
}

int vl_bootstrap(const struct vl_metric *m, void *state, size_t n,
		 int resamples, uint64_t seed, double level,
		 const struct vl_metric_value *vals, size_t nvals,
		 double *lo, double *hi)
{
	return vl_bootstrap_positions(m, state, NULL, n, resamples, seed, level, vals, nvals,
				      lo, hi);
}

int vl_bootstrap_positions(const struct vl_metric *m, void *state, const size_t *pos,
			   size_t n, int resamples, uint64_t seed, double level,
			   const struct vl_metric_value *vals, size_t nvals,
			   double *lo, double *hi)
{
	struct vl_metric_value out[VL_METRIC_MAX_VALUES];
	struct vl_rng rng;
	size_t *idx;
	double *draws;
	size_t *ndraws;

	for (size_t i = 0; i < nvals; i++)
		lo[i] = hi[i] = NAN;
	if (n == 0 || resamples <= 0)
		return 0;
	idx = vl_malloc(n * sizeof(*idx));
	draws = vl_malloc((size_t)resamples * nvals * sizeof(*draws));
	ndraws = vl_calloc(nvals, sizeof(*ndraws));
	if (!idx || !draws || !ndraws) {
		vl_free(idx);
		vl_free(draws);
		vl_free(ndraws);
		return VL_ENOMEM;
	}
	vl_rng_seed(&rng, seed);
	for (int r = 0; r < resamples; r++) {
		int got;

		for (size_t i = 0; i < n; i++) {
			size_t k = vl_rng_below(&rng, n);
			idx[i] = pos ? pos[k] : k;
		}
		got = m->finish(state, idx, n, out, VL_METRIC_MAX_VALUES);
		if (got < 0)
			continue;
		/* match by name: a resample may omit a value (e.g. undefined F1) */
		for (size_t v = 0; v < nvals; v++) {
			if (!vals[v].headline)
				continue;
			for (int k = 0; k < got; k++) {
				if (!strcmp(out[k].name, vals[v].name) && isfinite(out[k].value)) {
					draws[v * (size_t)resamples + ndraws[v]++] = out[k].value;
					break;
				}
			}
		}
	}
	for (size_t v = 0; v < nvals; v++) {
		double *d = draws + v * (size_t)resamples;
		if (!vals[v].headline || ndraws[v] == 0)
			continue;
		qsort(d, ndraws[v], sizeof(*d), vl_cmp_double);
		lo[v] = vl_percentile_sorted(d, ndraws[v], (1.0 - level) / 2.0);
		hi[v] = vl_percentile_sorted(d, ndraws[v], (1.0 + level) / 2.0);
	}
	vl_free(idx);
	vl_free(draws);
	vl_free(ndraws);
	return 0;
}
