/*
 * stats.c - paired significance statistics (see stats.h).
 */
#include "reports/stats.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * Resampled positions: uniform in [0, n), drawn by Lemire's nearly
 * divisionless method (no 64-bit division per draw: a bootstrap of a
 * 214k-sample run draws 214 million positions).  Below 2^32 samples each
 * generator call yields two 32-bit halves, each one draw, rejection keeping
 * every position exactly equally likely.  Both bootstrap paths draw through
 * this, so the same seed gives them the same positions.
 */
struct draws {
	struct vl_rng rng;
	uint64_t n;
	uint32_t thresh;       /* 2^32 mod n: low products below it are rejected */
	uint32_t spare;
	int have_spare;
};

static void draws_init(struct draws *d, uint64_t seed, size_t n)
{
	vl_rng_seed(&d->rng, seed);
	d->n = n;
	d->thresh = n <= UINT32_MAX && n ? (uint32_t)(-(uint32_t)n % (uint32_t)n) : 0;
	d->have_spare = 0;
}

static uint32_t next_u32(struct draws *d)
{
	uint64_t x;

	if (d->have_spare) {
		d->have_spare = 0;
		return d->spare;
	}
	x = vl_rng_next(&d->rng);
	d->spare = (uint32_t)x;
	d->have_spare = 1;
	return (uint32_t)(x >> 32);
}

static inline size_t draw_next(struct draws *d)
{
	if (d->n <= UINT32_MAX) {
		uint64_t m = (uint64_t)next_u32(d) * d->n;
		while ((uint32_t)m < d->thresh)
			m = (uint64_t)next_u32(d) * d->n;
		return (size_t)(m >> 32);
	} else {
		__uint128_t m = (__uint128_t)vl_rng_next(&d->rng) * d->n;
		uint64_t t = -d->n % d->n;
		while ((uint64_t)m < t)
			m = (__uint128_t)vl_rng_next(&d->rng) * d->n;
		return (size_t)(m >> 64);
	}
}

/* Fills idx[0..k) with the next k draws of d: the sequence draw_next
 * gives, two halves of a generator call at a time while neither half is
 * rejected (the common case), one by one around a rejection. */
static void draw_fill(struct draws *d, size_t *idx, size_t k)
{
	size_t i = 0;
	uint64_t n = d->n;

	if (n > UINT32_MAX || d->have_spare) {
		for (; i < k; i++)
			idx[i] = draw_next(d);
		return;
	}
	while (i + 2 <= k) {
		uint64_t x = vl_rng_next(&d->rng);
		uint64_t m1 = (x >> 32) * n, m2 = (x & 0xffffffffu) * n;
		if ((uint32_t)m1 < d->thresh || (uint32_t)m2 < d->thresh) {
			/* replay this call through the general path */
			d->spare = (uint32_t)x;
			d->have_spare = 1;
			if ((uint32_t)m1 < d->thresh) {
				idx[i++] = draw_next(d);
			} else {
				idx[i++] = (size_t)(m1 >> 32);
				idx[i++] = draw_next(d);
			}
			while (d->have_spare && i < k)
				idx[i++] = draw_next(d);
			if (d->have_spare)
				return;
			continue;
		}
		idx[i++] = (size_t)(m1 >> 32);
		idx[i++] = (size_t)(m2 >> 32);
	}
	for (; i < k; i++)
		idx[i] = draw_next(d);
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

/* Codes for the distinct values of d[0..n) when there are at most 256 of
 * them (0/1 scores give 3 differences, VQA accuracies a few dozen): a
 * resample then counts codes in a 256-entry table instead of summing
 * doubles read from all over memory.  Returns the number of distinct
 * values (vals sorted), or 0 when there are more. */
static size_t find_code(const double *vals, size_t nv, double x)
{
	size_t lo = 0, hi = nv;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (vals[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t make_codes(const double *d, size_t n, uint8_t *code, double *vals)
{
	size_t nv = 0;

	for (size_t i = 0; i < n; i++) {
		size_t at = find_code(vals, nv, d[i]);
		if (at == nv || vals[at] != d[i]) {
			if (nv == 256)
				return 0;
			memmove(vals + at + 1, vals + at, (nv - at) * sizeof(*vals));
			vals[at] = d[i];
			nv++;
		}
	}
	for (size_t i = 0; i < n; i++)
		code[i] = (uint8_t)find_code(vals, nv, d[i]);
	return nv;
}

/* Resample r's generator: its own stream, so resamples can be computed in
 * any order or on any thread and give the same numbers. */
static uint64_t resample_seed(uint64_t seed, int r)
{
	struct vl_rng g;

	vl_rng_seed(&g, seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(r + 1)));
	return vl_rng_next(&g);
}

/* One thread's share of the resamples of a mean: r = first, first + step... */
struct mean_job {
	const double *d;
	const uint8_t *code;
	const double *vals;
	size_t nv, n;
	uint64_t seed;
	int resamples, first;
	double *draws;
	int step;
};

static void *mean_resamples(void *arg)
{
	struct mean_job *j = arg;
	size_t n = j->n, nv = j->nv;
	int step = j->step;

	for (int r = j->first; r < j->resamples; r += step) {
		struct draws dr;
		double s = 0;
		size_t chunk[1024];
		/* four count tables: increments of the same code do not wait on
		 * each other */
		uint32_t count[4][256];
		memset(count, 0, sizeof(count));
		draws_init(&dr, resample_seed(j->seed, r), n);
		for (size_t i = 0; i < n; i += 1024) {
			size_t k = n - i < 1024 ? n - i : 1024;
			draw_fill(&dr, chunk, k);
			if (nv) {
				size_t m = 0;
				for (; m + 4 <= k; m += 4) {
					count[0][j->code[chunk[m]]]++;
					count[1][j->code[chunk[m + 1]]]++;
					count[2][j->code[chunk[m + 2]]]++;
					count[3][j->code[chunk[m + 3]]]++;
				}
				for (; m < k; m++)
					count[0][j->code[chunk[m]]]++;
			} else {
				for (size_t m = 0; m < k; m++)
					s += j->d[chunk[m]];
			}
		}
		for (size_t c = 0; c < nv; c++)
			s += (double)(count[0][c] + count[1][c] + count[2][c] + count[3][c]) *
			     j->vals[c];
		j->draws[r] = s / (double)n;
	}
	return NULL;
}

int vl_stats_bootstrap_mean(const double *a, const double *b, size_t n, int resamples,
			    uint64_t seed, double level, struct vl_paired_result *out)
{
	double *d, *draws, sa = 0, sb = 0, vals[256];
	uint8_t *code;
	size_t nv;

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
	code = vl_malloc(n);
	draws = vl_malloc((size_t)resamples * sizeof(*draws));
	if (!d || !code || !draws) {
		vl_free(d);
		vl_free(code);
		vl_free(draws);
		return VL_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = b[i] - a[i];
	nv = make_codes(d, n, code, vals);
	{
		struct mean_job jobs[2] = {
			{ d, code, vals, nv, n, seed, resamples, 0, draws, 2 },
			{ d, code, vals, nv, n, seed, resamples, 1, draws, 2 },
		};
		pthread_t th;
		/* resamples are independent (each has its own seed): the other
		 * core takes the odd ones; the result does not depend on it */
		int threaded = n * (size_t)resamples >= 1000000 &&
			       pthread_create(&th, NULL, mean_resamples, &jobs[1]) == 0;
		if (!threaded)
			jobs[0].step = 1;
		mean_resamples(&jobs[0]);
		if (threaded)
			pthread_join(th, NULL);
	}
	finish_bootstrap(draws, (size_t)resamples, out->diff, level, out);
	vl_free(d);
	vl_free(code);
	vl_free(draws);
	return 0;
}

double vl_stats_permutation_mean(const double *a, const double *b, size_t n, int resamples,
				 uint64_t seed)
{
	struct vl_rng rng;
	double obs = 0, *d, vals[256];
	size_t extreme = 0, nv, total[256] = { 0 };
	uint8_t *code;

	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		obs += b[i] - a[i];
	if (obs == 0 || resamples <= 0)
		return obs == 0 ? 1.0 : NAN;
	d = vl_malloc(n * sizeof(*d));
	code = vl_malloc(n);
	if (!d || !code) {
		vl_free(d);
		vl_free(code);
		return NAN;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = b[i] - a[i];
	/* with few distinct differences, count the flipped ones per value:
	 * sum = sum_c val_c * (total_c - 2 * flipped_c) */
	nv = make_codes(d, n, code, vals);
	for (size_t i = 0; nv && i < n; i++)
		total[code[i]]++;
	vl_rng_seed(&rng, seed);
	for (int r = 0; r < resamples; r++) {
		double s = 0;
		uint64_t bits = 0;
		if (nv) {
			uint32_t flipped[256] = { 0 };
			for (size_t i = 0; i < n; i++) {
				/* one generator call gives 64 coin flips */
				if ((i & 63) == 0)
					bits = vl_rng_next(&rng);
				flipped[code[i]] += (uint32_t)(bits & 1);
				bits >>= 1;
			}
			for (size_t c = 0; c < nv; c++)
				s += vals[c] * ((double)total[c] - 2.0 * (double)flipped[c]);
		} else {
			for (size_t i = 0; i < n; i++) {
				if ((i & 63) == 0)
					bits = vl_rng_next(&rng);
				s += (bits & 1) ? -d[i] : d[i];
				bits >>= 1;
			}
		}
		if (fabs(s) >= fabs(obs) * (1 - 1e-12))
			extreme++;
	}
	vl_free(d);
	vl_free(code);
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
	struct draws dr;
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
	for (int r = 0; r < resamples; r++) {
		draws_init(&dr, resample_seed(seed, r), n);
		draw_fill(&dr, ia, n);
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

