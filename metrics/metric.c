/*
 * metric.c - the registries of metrics and answer extractors, and the
 * numpy-compatible pairwise sum.
 */
#include "metrics/metric.h"

#include <math.h>

#include <string.h>

extern const struct vl_metric vl_metric_exact_match;
extern const struct vl_metric vl_metric_pope;
extern const struct vl_metric vl_metric_grounding;
extern const struct vl_metric vl_metric_mcq_accuracy;
extern const struct vl_metric vl_metric_mcq_circular;
extern const struct vl_metric vl_metric_chair;
extern const struct vl_metric vl_metric_caption;
extern const struct vl_metric vl_metric_vqa_accuracy;
extern const struct vl_metric vl_metric_anls;
extern const struct vl_metric vl_metric_mme;
extern const struct vl_metric vl_metric_ocrbench;
extern const struct vl_metric vl_metric_mmmu;
extern const struct vl_metric vl_metric_hallusionbench;
extern const struct vl_metric vl_metric_relaxed_accuracy;

static const struct vl_metric *const metrics[] = {
	&vl_metric_exact_match,
	&vl_metric_pope,
	&vl_metric_grounding,
	&vl_metric_mcq_accuracy,
	&vl_metric_mcq_circular,
	&vl_metric_chair,
	&vl_metric_caption,
	&vl_metric_vqa_accuracy,
	&vl_metric_anls,
	&vl_metric_mme,
	&vl_metric_ocrbench,
	&vl_metric_mmmu,
	&vl_metric_hallusionbench,
	&vl_metric_relaxed_accuracy,
	NULL,
};

const struct vl_metric *vl_metric_find(const char *name)
{
	for (size_t i = 0; metrics[i]; i++)
		if (!strcmp(metrics[i]->name, name))
			return metrics[i];
	return NULL;
}

const struct vl_metric *const *vl_metric_list(void)
{
	return metrics;
}

extern const struct vl_extractor vl_extract_none;
extern const struct vl_extractor vl_extract_short;
extern const struct vl_extractor vl_extract_yesno;
extern const struct vl_extractor vl_extract_box;
extern const struct vl_extractor vl_extract_letter;
extern const struct vl_extractor vl_extract_vlmeval_yorn;
extern const struct vl_extractor vl_extract_vlmeval_mcq;

static const struct vl_extractor *const extractors[] = {
	&vl_extract_none,
	&vl_extract_short,
	&vl_extract_yesno,
	&vl_extract_box,
	&vl_extract_letter,
	&vl_extract_vlmeval_yorn,
	&vl_extract_vlmeval_mcq,
	NULL,
};

const struct vl_extractor *vl_extractor_find(const char *name)
{
	for (size_t i = 0; extractors[i]; i++)
		if (!strcmp(extractors[i]->name, name))
			return extractors[i];
	return NULL;
}

const struct vl_extractor *const *vl_extractor_list(void)
{
	return extractors;
}

/*
 * numpy's pairwise summation (numpy/core/src/umath/loops_utils.h.src,
 * pairwise_sum): blocks of at most 128 elements are summed with 8
 * accumulators unrolled, larger ranges are split in halves at a multiple of 8.
 * Below 8 elements it is a plain loop.  The exact association matters to
 * reproduce np.mean bit for bit.
 */
double vl_pairwise_sum(const double *a, size_t n)
{
	if (n < 8) {
		double res = 0.0;
		for (size_t i = 0; i < n; i++)
			res += a[i];
		return res;
	} else if (n <= 128) {
		double r[8], res;
		size_t i;

		for (i = 0; i < 8; i++)
			r[i] = a[i];
		for (i = 8; i < n - (n % 8); i += 8) {
			r[0] += a[i + 0];
			r[1] += a[i + 1];
			r[2] += a[i + 2];
			r[3] += a[i + 3];
			r[4] += a[i + 4];
			r[5] += a[i + 5];
			r[6] += a[i + 6];
			r[7] += a[i + 7];
		}
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	} else {
		size_t n2 = n / 2;
		n2 -= n2 % 8;
		return vl_pairwise_sum(a, n2) + vl_pairwise_sum(a + n2, n - n2);
	}
}

void vl_per_sample_add(struct vl_per_sample *ps, double v)
{
	if (ps->n == ps->alloc) {
		ps->alloc = ps->alloc ? ps->alloc * 2 : 1024;
		ps->v = vl_xrealloc(ps->v, ps->alloc * sizeof(*ps->v));
	}
	ps->v[ps->n++] = v;
}

double vl_per_sample_sum(const struct vl_per_sample *ps, const size_t *idx, size_t n,
			 size_t *count)
{
	double sum = 0;

	if (!idx)
		n = ps->n;
	for (size_t i = 0; i < n; i++)
		sum += ps->v[idx ? idx[i] : i];
	*count = n;
	return sum;
}

double vl_per_sample_mean(const struct vl_per_sample *ps, const size_t *idx, size_t n,
			  size_t *count)
{
	double sum = vl_per_sample_sum(ps, idx, n, count);

	return *count ? sum / (double)*count : NAN;
}

void vl_per_sample_release(struct vl_per_sample *ps)
{
	vl_free(ps->v);
	memset(ps, 0, sizeof(*ps));
}
