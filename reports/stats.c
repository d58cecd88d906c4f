/*
 * stats.c - paired significance statistics (see stats.h).
 */
#include "reports/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Lemire's nearly divisionless bounded draw: uniform in [0, n) without the
 * 64-bit division of every call (the bootstrap of a 214k-sample run draws
 * 214 million positions). */
static size_t draw_below(struct vl_rng *r, size_t n)
{
	uint64_t x = vl_rng_next(r);
	__uint128_t m = (__uint128_t)x * n;
	uint64_t low = (uint64_t)m;

	if (low < n) {
		uint64_t t = -(uint64_t)n % n;
		while (low < t) {
			x = vl_rng_next(r);
			m = (__uint128_t)x * n;
			low = (uint64_t)m;
		}
	}
	return (size_t)(m >> 64);
}

double vl_stats_mcnemar_exact(long b, long c)
{
	long n = b + c, m = b < c ? b : c;
	double term, sum = 0;

	if (b < 0 || c < 0)
		return NAN;
	if (n == 0 || b == c)
		return 1.0;
	if (n <= 1000) {
		/* P(X <= m) for X ~ Binomial(n, 1/2) upwards from 2^-n, exact in
		 * binary: C(n, k+1) = C(n, k) * (n - k) / (k + 1) */
		term = ldexp(1.0, (int)-n);
		for (long k = 0; k <= m; k++) {
			sum += term;
			term = term * (double)(n - k) / (double)(k + 1);
		}
		return fmin(1.0, 2.0 * sum);
	}
	/* past that 2^-n underflows: start at the largest term, C(n, m) / 2^n
	 * in logs, and walk down until the terms vanish */
	term = exp(lgamma((double)n + 1) - lgamma((double)m + 1) - lgamma((double)(n - m) + 1) -
		   (double)n * M_LN2);
	for (long k = m; k >= 0 && term > 0; k--) {
		sum += term;
		if (term < sum * 1e-17)
			break;
		term *= (double)k / (double)(n - k + 1);
	}
	return fmin(1.0, 2.0 * sum);
}

/* Fills lo/hi (percentiles of d[0..k), sorted in place) and the shifted-null
 * p-value of the observed difference obs. */
static void finish_bootstrap(double *d, size_t k, double obs, double level,
			     struct vl_paired_result *out)
{
	size_t extreme = 0;

	out->resamples = (int)k;
	if (!k) {
		out->lo = out->hi = out->p = NAN;
		return;
	}
	for (size_t r = 0; r < k; r++)
		if (fabs(d[r] - obs) >= fabs(obs) * (1 - 1e-12))
			extreme++;
	out->p = obs == 0 ? 1.0 : (double)(1 + extreme) / (double)(1 + k);
	qsort(d, k, sizeof(*d), vl_cmp_double);
	out->lo = vl_percentile_sorted(d, k, (1.0 - level) / 2.0);
	out->hi = vl_percentile_sorted(d, k, (1.0 + level) / 2.0);
}

int vl_stats_bootstrap_mean(const double *a, const double *b, size_t n, int resamples,
			    uint64_t seed, double level, struct vl_paired_result *out)
{
	struct vl_rng rng;
	double *d, *draws, sa = 0, sb = 0;

	memset(out, 0, sizeof(*out));
	out->lo = out->hi = out->p = NAN;
	if (n == 0)
		return VL_EINVAL;
	for (size_t i = 0; i < n; i++) {
		sa += a[i];
		sb += b[i];
	}
	out->a = sa / (double)n;
	out->b = sb / (double)n;
	out->diff = out->b - out->a;
	if (resamples <= 0)
		return 0;
	d = vl_malloc(n * sizeof(*d));
	draws = vl_malloc((size_t)resamples * sizeof(*draws));
	if (!d || !draws) {
		vl_free(d);
		vl_free(draws);
		return VL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = b[i] - a[i];
	vl_rng_seed(&rng, seed);
	for (int r = 0; r < resamples; r++) {
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += d[draw_below(&rng, n)];
		draws[r] = s / (double)n;
	}
	finish_bootstrap(draws, (size_t)resamples, out->diff, level, out);
	vl_free(d);
	vl_free(draws);
	return 0;
}

double vl_stats_permutation_mean(const double *a, const double *b, size_t n, int resamples,
				 uint64_t seed)
{
	struct vl_rng rng;
	double obs = 0;
	size_t extreme = 0;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		obs += b[i] - a[i];
	if (obs == 0 || resamples <= 0)
		return obs == 0 ? 1.0 : NAN;
	vl_rng_seed(&rng, seed);
	for (int r = 0; r < resamples; r++) {
		double s = 0;
		uint64_t bits = 0;
		for (size_t i = 0; i < n; i++) {
			/* one generator call gives 64 coin flips */
			if ((i & 63) == 0)
				bits = vl_rng_next(&rng);
			s += (bits & 1) ? a[i] - b[i] : b[i] - a[i];
			bits >>= 1;
		}
		if (fabs(s) >= fabs(obs) * (1 - 1e-12))
			extreme++;
	}
	return (double)(1 + extreme) / (double)(1 + resamples);
}

/* The values pm->values[] among the metric's results over idx[0..k) (NAN
 * when missing); the number found. */
static int values_at(const struct vl_paired_metric *pm, void *state, const size_t *idx, size_t k,
		     double *v)
{
	struct vl_metric_value out[VL_METRIC_MAX_VALUES];
	int got = pm->m->finish(state, idx, k, out, VL_METRIC_MAX_VALUES), found = 0;

	for (size_t j = 0; j < pm->nvalues; j++) {
		v[j] = NAN;
		for (int i = 0; i < got; i++) {
			if (!strcmp(out[i].name, pm->values[j])) {
				if (isfinite(out[i].value)) {
					v[j] = out[i].value;
					found++;
				}
				break;
			}
		}
	}
	return found;
}

int vl_stats_metric_values(const struct vl_paired_metric *pm, const size_t *idx, size_t k,
			   double *a, double *b)
{
	int fa = values_at(pm, pm->a, idx, idx ? k : pm->n, a);
	int fb = values_at(pm, pm->b, idx, idx ? k : pm->n, b);

	return fa && fb ? 0 : VL_ENOTFOUND;
}

int vl_stats_bootstrap_metric(const struct vl_paired_metric *pm, int resamples, uint64_t seed,
			      double level, struct vl_paired_result *out)
{
	size_t n = pm->n, nv = pm->nvalues, *ia = NULL, *k = NULL;
	double *draws = NULL, *va = NULL, *vb = NULL;
	struct vl_rng rng;
	int rc;

	for (size_t j = 0; j < nv; j++) {
		memset(&out[j], 0, sizeof(out[j]));
		out[j].a = out[j].b = out[j].diff = out[j].lo = out[j].hi = out[j].p = NAN;
	}
	if (n == 0)
		return VL_EINVAL;
	va = vl_malloc(nv * sizeof(*va));
	vb = vl_malloc(nv * sizeof(*vb));
	if (!va || !vb) {
		rc = VL_ENOMEM;
		goto out;
	}
	rc = vl_stats_metric_values(pm, NULL, 0, va, vb);
	if (rc < 0)
		goto out;
	for (size_t j = 0; j < nv; j++) {
		out[j].a = va[j];
		out[j].b = vb[j];
		out[j].diff = vb[j] - va[j];
	}
	if (resamples <= 0)
		goto out;
	ia = vl_malloc(n * sizeof(*ia));
	k = vl_calloc(nv, sizeof(*k));
	draws = vl_malloc((size_t)resamples * nv * sizeof(*draws));
	if (!ia || !k || !draws) {
		rc = VL_ENOMEM;
		goto out;
	}
	vl_rng_seed(&rng, seed);
	for (int r = 0; r < resamples; r++) {
		for (size_t i = 0; i < n; i++)
			ia[i] = draw_below(&rng, n);
		values_at(pm, pm->a, ia, n, va);
		values_at(pm, pm->b, ia, n, vb);
		for (size_t j = 0; j < nv; j++)
			if (isfinite(va[j]) && isfinite(vb[j]))
				draws[j * (size_t)resamples + k[j]++] = vb[j] - va[j];
	}
	for (size_t j = 0; j < nv; j++)
		if (isfinite(out[j].diff))
			finish_bootstrap(draws + j * (size_t)resamples, k[j], out[j].diff, level,
					 &out[j]);
out:
	vl_free(ia);
	vl_free(k);
	vl_free(draws);
	vl_free(va);
	vl_free(vb);
	return rc;
}

