/*
 * rouge.c - ROUGE-L of one candidate against its references, as
 * pycocoevalcap's rouge/rouge.py (Rouge.calc_score) computes it.
 *
 * Per reference: the length of the longest common subsequence of tokens;
 * precision = LCS / candidate length, recall = LCS / reference length.  The
 * highest precision and the highest recall are taken separately (they may
 * come from different references); with beta = 1.2,
 * F = ((1 + beta^2) * P * R) / (R + beta^2 * P), and 0 when P or R is 0.
 * Tokens come from str.split(" ") (caption_set.c), so empty tokens exist and
 * match each other, exactly as in Python.
 */
#include "metrics/caption_set.h"

/* LCS length with one rolling row over b (dynamic programming). */
static uint32_t lcs(const uint32_t *a, size_t la, const uint32_t *b, size_t lb,
		    struct vl_u32v *row)
{
	uint32_t *r;

	row->n = 0;
	for (size_t j = 0; j <= lb; j++)
		vl_u32v_push(row, 0);
	r = row->v;
	for (size_t i = 0; i < la; i++) {
		uint32_t diag = 0;
		for (size_t j = 1; j <= lb; j++) {
			uint32_t up = r[j];
			if (a[i] == b[j - 1])
				r[j] = diag + 1;
			else if (r[j - 1] > r[j])
				r[j] = r[j - 1];
			diag = up;
		}
	}
	return r[lb];
}

double vl_rouge_l(const uint32_t *cand, size_t clen, const uint32_t *refs,
		  const uint32_t *rlen, size_t nref, struct vl_u32v *row)
{
	const double beta = 1.2;
	double pmax = 0, rmax = 0;

	for (size_t r = 0; r < nref; r++) {
		uint32_t l = lcs(refs, rlen[r], cand, clen, row);
		double p = l / (double)clen, rc = l / (double)rlen[r];

		if (r == 0 || p > pmax)
			pmax = p;
		if (r == 0 || rc > rmax)
			rmax = rc;
		refs += rlen[r];
	}
	if (pmax != 0 && rmax != 0)
		return ((1 + beta * beta) * pmax * rmax) / (rmax + beta * beta * pmax);
	return 0.0;
}
