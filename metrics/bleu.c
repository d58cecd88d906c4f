/*
 * bleu.c - BLEU-1..4 from cooked counts, as pycocoevalcap's BleuScorer
 * (bleu/bleu_scorer.py, compute_score with option "closest") computes it.
 *
 * The same formula serves one image and the corpus (counts summed over the
 * images): precision_k = (correct_k + 1e-15) / (guess_k + 1e-9); BLEU-n is
 * the n-th root of the running product of precisions 1..n; when
 * ratio = (testlen + 1e-15) / (reflen + 1e-9) is below 1 every BLEU-n is
 * multiplied by exp(1 - 1/ratio).  The counts themselves (clipping against
 * the highest count in any one reference, closest reference length with
 * ties to the shorter) are made in caption_set.c.
 */
#include "metrics/caption_set.h"

#include <math.h>

void vl_bleu_from_counts(double testlen, double reflen, const double guess[4],
			 const double correct[4], double out[4])
{
	const double tiny = 1e-15, small = 1e-9;
	double bleu = 1.0, ratio;

	for (int k = 0; k < 4; k++) {
		bleu *= (correct[k] + tiny) / (guess[k] + small);
		/* Python's x ** (1./(k+1)) is C pow */
		out[k] = pow(bleu, 1.0 / (k + 1.0));
	}
	ratio = (testlen + tiny) / (reflen + small);
	if (ratio < 1) {
		double bp = exp(1 - 1 / ratio);
		for (int k = 0; k < 4; k++)
			out[k] *= bp;
	}
}
