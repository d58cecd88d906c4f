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
 *
 * The LCS length is an integer, so how it is computed does not change the
 * result: candidates of up to 64 tokens use the bit-parallel algorithm
 * (Allison and Dix 1986, Hyyrö 2004: one machine word holds a row of the
 * dynamic programme), longer ones the plain dynamic programme.
 */
#include "metrics/caption_set.h"

#include <string.h>

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

/* Candidate tokens -> bit mask of their positions, for a candidate of at
 * most 64 tokens: open addressing, key = token id + 1, 0 empty. */
#define CAND_SLOTS 128

struct cand_masks {
	uint32_t key[CAND_SLOTS];
	uint64_t mask[CAND_SLOTS];
};

static size_t cm_slot(const struct cand_masks *cm, uint32_t tok)
{
	size_t i = (size_t)((tok * 0x9e3779b1u) >> 25) & (CAND_SLOTS - 1);

	while (cm->key[i] && cm->key[i] != tok + 1)
		i = (i + 1) & (CAND_SLOTS - 1);
	return i;
}

/* LCS length of the candidate (as masks, m <= 64 tokens) and b[0..lb):
 * V has a 0 bit for each row where the LCS grows; one word step per
 * token of b. */
static uint32_t lcs_bits(const struct cand_masks *cm, size_t m, const uint32_t *b, size_t lb)
{
	uint64_t v = ~(uint64_t)0, all = m == 64 ? ~(uint64_t)0 : ((uint64_t)1 << m) - 1;

	for (size_t j = 0; j < lb; j++) {
		size_t i = cm_slot(cm, b[j]);
		uint64_t mb = cm->key[i] ? cm->mask[i] : 0, u = v & mb;
		v = (v + u) | (v & ~mb);
	}
	return (uint32_t)(m - (size_t)__builtin_popcountll(v & all));
}

double vl_rouge_l(const uint32_t *cand, size_t clen, const uint32_t *refs,
		  const uint32_t *rlen, size_t nref, struct vl_u32v *row)
{
	const double beta = 1.2;
	double pmax = 0, rmax = 0;
	struct cand_masks cm;
	int bits = clen <= 64;

	if (bits) {
		memset(cm.key, 0, sizeof(cm.key));
		for (size_t i = 0; i < clen; i++) {
			size_t k = cm_slot(&cm, cand[i]);
			if (!cm.key[k]) {
				cm.key[k] = cand[i] + 1;
				cm.mask[k] = 0;
			}
			cm.mask[k] |= (uint64_t)1 << i;
		}
	}
	for (size_t r = 0; r < nref; r++) {
		uint32_t l = bits ? lcs_bits(&cm, clen, refs, rlen[r])
				  : lcs(refs, rlen[r], cand, clen, row);
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
