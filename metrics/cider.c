/*
 * cider.c - CIDEr-D per image, as pycocoevalcap's cider/cider_scorer.py
 * (the class is called Cider but computes CIDEr-D) computes it.
 *
 * Over the chosen positions (repeats count as separate images):
 *   df(g)   = number of positions whose references contain n-gram g
 *             (duplicate references and repeated n-grams count once);
 *   w(g)    = term count x (log(N) - log(max(1, df(g)))), natural logs,
 *             N = number of positions;
 *   for each reference and n = 1..4: sum over the candidate's n-grams of
 *             min(w_cand, w_ref) x w_ref (clipping), divided by the product
 *             of the two norms when both are non-zero, times
 *             e ** (-(delta^2) / (2 sigma^2)), sigma 6, delta = difference
 *             of the two sentences' bigram counts (the code's "length");
 *   image   = mean over n of the sums over references, / number of
 *             references (duplicates included), x 10.
 * Sums run in the order the Python dicts iterate (see caption_set.h) and
 * every float expression is the Python one, so results match bit for bit.
 *
 * Cost per scoring: one pass over the candidate and reference entries of
 * the chosen positions, no allocation once the scratch arrays have grown.
 * The whole set in order is scored once, when the set is built
 * (caption_set.c), with the document frequencies the entries carry; a
 * subset or resample counts them from each image's distinct reference
 * n-grams into a per-id array.
 */
#include "metrics/caption_set.h"

#include <math.h>
#include <string.h>

static void *grow(void *p, size_t *alloc, size_t need, size_t size)
{
	if (need <= *alloc)
		return p;
	while (*alloc < need)
		*alloc = *alloc ? *alloc * 2 : 1024;
	return vl_xrealloc(p, *alloc * size);
}

void vl_cider_idf(struct vl_caption_set *cs, size_t n)
{
	double log_n;

	cs->idf = grow(cs->idf, &cs->idf_alloc, n + 1, sizeof(double));
	/* idf by document frequency: log(N) - log(max(1, df)) */
	log_n = log((double)n);
	cs->idf[0] = log_n - log(1.0);
	for (size_t d = 1; d <= n; d++)
		cs->idf[d] = log_n - log((double)d);
}

double vl_cider_image(const struct vl_caption_set *cs, struct vl_cap_scratch *sc,
		      const struct vl_cap_image *im,
		      const struct vl_ngram_count *ce, const uint32_t *align,
		      const uint32_t *df)
{
	const struct vl_cap_sent *cand = &cs->sent[im->sent0];
	uint32_t ncand = cand->nk[0] + cand->nk[1] + cand->nk[2] + cand->nk[3];
	const struct vl_ngram_count *re = ce + ncand;
	double normc[4] = { 0 }, score[4] = { 0 }, avg;
	uint32_t clen = 0;
	size_t e = 0;

	sc->wc = grow(sc->wc, &sc->wc_alloc, ncand + 1, sizeof(double));
	for (int k = 0; k < 4; k++) {
		for (uint32_t j = 0; j < cand->nk[k]; j++, e++) {
			double w = (double)ce[e].count * cs->idf[df ? df[ce[e].id] : ce[e].df];
			sc->wc[e] = w;
			normc[k] += w * w;
			if (k == 1)
				clen += ce[e].count;
		}
		normc[k] = sqrt(normc[k]);
	}
	for (uint32_t r = 0; r < im->nref; r++, align += ncand) {
		const struct vl_cap_sent *ref = &cs->sent[im->sent0 + 1 + r];
		double normr[4] = { 0 }, delta, pen;
		uint32_t rlen = 0;

		e = 0;
		for (int k = 0; k < 4; k++) {
			for (uint32_t j = 0; j < ref->nk[k]; j++, e++) {
				double w = (double)re[e].count * cs->idf[df ? df[re[e].id] : re[e].df];
				normr[k] += w * w;
				if (k == 1)
					rlen += re[e].count;
			}
			normr[k] = sqrt(normr[k]);
		}
		re += e;
		delta = (double)clen - (double)rlen;
		/* Python: np.e ** (-(delta ** 2) / (2 * sigma ** 2)), a C pow */
		pen = pow(M_E, -(delta * delta) / (2 * (6.0 * 6.0)));
		e = 0;
		for (int k = 0; k < 4; k++) {
			double val = 0.0;
			for (uint32_t j = 0; j < cand->nk[k]; j++, e++) {
				double wr = (double)align[e] * cs->idf[df ? df[ce[e].id] : ce[e].df];
				double wc = sc->wc[e];
				val += (wr < wc ? wr : wc) * wr;
			}
			if (normc[k] != 0 && normr[k] != 0)
				val /= normc[k] * normr[k];
			val *= pen;
			score[k] += val;
		}
	}
	avg = (((score[0] + score[1]) + score[2]) + score[3]) / 4.0;
	avg /= (double)im->nref;
	avg *= 10.0;
	return avg;
}

void vl_cider_score(struct vl_caption_set *cs, const size_t *idx, size_t n, double *out)
{
	vl_cider_idf(cs, n);
	if (cs->df_alloc < cs->nng + 1) {
		size_t old = cs->df_alloc;
		cs->df = grow(cs->df, &cs->df_alloc, cs->nng + 1, sizeof(uint32_t));
		memset(cs->df + old, 0, (cs->df_alloc - old) * sizeof(uint32_t));
	}
	/* df is all zeros here: grown memory is cleared, used entries are
	 * reset below */
	for (size_t i = 0; i < n; i++) {
		const struct vl_cap_image *im = &cs->img[idx[i]];
		const uint32_t *g = cs->df_ids.v + im->df_off;
		for (uint32_t j = 0; j < im->df_n; j++)
			cs->df[g[j]]++;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vl_cap_image *im = &cs->img[idx[i]];
		out[i] = vl_cider_image(cs, &cs->scr[0], im, cs->ent + im->ent_off,
					cs->align.v + im->align_off, cs->df);
	}
	for (size_t i = 0; i < n; i++) {
		const struct vl_cap_image *im = &cs->img[idx[i]];
		const uint32_t *g = cs->df_ids.v + im->df_off;
		for (uint32_t j = 0; j < im->df_n; j++)
			cs->df[g[j]] = 0;
	}
}
