/*
 * caption.h - BLEU-1..4, ROUGE-L and CIDEr-D over a set of captioned images,
 * computed exactly as pycocoevalcap (salaniz/pycocoevalcap ad63453, the same
 * scorer code as tylin/coco-caption) computes them from tokenized strings.
 *
 * A struct vl_caption_set holds, per image in add order, what the three
 * scorers need: interned n-grams (token ids, never strings, so scoring does
 * not allocate per n-gram), BLEU's clipped counts and lengths, the per-image
 * ROUGE-L, and CIDEr's term counts.  Scoring works over any list of image
 * positions, repeats allowed, so the same code gives the whole-corpus value,
 * a subset, and a bootstrap resample.  CIDEr's document frequencies and its
 * log(number of images) are recomputed from the chosen positions: a position
 * chosen twice counts as two images (two documents), which is what
 * pycocoevalcap would compute if handed a corpus holding two copies of it.
 *
 * Strings are split the way the Python code splits them: BLEU and CIDEr with
 * str.split() (any run of Python white space, Unicode included), ROUGE-L with
 * str.split(" ") (every single space, so "a  b" holds an empty token and an
 * empty candidate is one empty token).  Tokenization (PTB, see
 * ptb_tokenize.h) is the caller's business and happens before.
 *
 * Out of memory aborts (vl_x* allocation), as the rest of the metric state.
 */
#ifndef VL_CAPTION_H
#define VL_CAPTION_H

#include "core/vl.h"
#include "metrics/metric.h"

struct vl_caption_set;

/* The six numbers of one image or of a corpus, as pycocoevalcap names them
 * Bleu_1..Bleu_4, ROUGE_L, CIDEr. */
struct vl_caption_scores {
	double bleu[4];
	double rouge_l;
	double cider;
};

/* Allocates an empty set; free with vl_caption_set_free. */
struct vl_caption_set *vl_caption_set_new(void);
void vl_caption_set_free(struct vl_caption_set *cs);

/* Adds the next image: its candidate and its nref >= 1 references (all
 * borrowed, already tokenized, NUL-terminated UTF-8).  Returns 0, or
 * VL_EINVAL when nref is 0. */
int vl_caption_set_add(struct vl_caption_set *cs, const char *cand,
		       const char *const *refs, size_t nref);

/*
 * Optional, before adding: makes room for nimg more images holding nsent
 * sentences (candidates and references) of at most nbytes bytes in all,
 * so that the adds fill arrays allocated once instead of growing (and
 * copying) them step by step.  A word takes two bytes at least, so the
 * token array is sized from nbytes: an over-estimate costs address space
 * only (pages never written are never touched).  Only a hint: adding more
 * than announced still works; results do not depend on it.
 */
void vl_caption_set_reserve(struct vl_caption_set *cs, size_t nimg, size_t nsent, size_t nbytes);

/* Lends the set the caller's way to run parts at once (metric.h's
 * vl_parallel_fn; NULL, the default: one after the other).  The building
 * of the n-grams, the first scoring after an add, is split into two
 * parts per pass; results are the same either way. */
void vl_caption_set_parallel(struct vl_caption_set *cs, vl_parallel_fn *run);

/* Number of images added. */
size_t vl_caption_set_count(const struct vl_caption_set *cs);

/*
 * Scores the images at positions idx[0..n) (idx NULL: every image, in add
 * order; n ignored).
 *   corpus   OUT: the corpus values (BLEU from summed counts, ROUGE-L and
 *                 CIDEr as numpy means over the positions in order)
 *   per      OUT, may be NULL: n entries, the per-image values as the
 *                 scorers return them for this corpus (CIDEr depends on it)
 * Returns 0, or VL_EINVAL when there is no position to score.  The set is
 * not changed (scratch space inside it is reused; not thread-safe).
 */
int vl_caption_set_score(struct vl_caption_set *cs, const size_t *idx, size_t n,
			 struct vl_caption_scores *corpus, struct vl_caption_scores *per);

/*
 * For a state of the "caption" metric (vl_metric_find("caption")): the six
 * per-image values of the image added at position i, for the corpus of all
 * images added so far (computed once, then cached until the next add).
 * Returns 0, or VL_EINVAL when i is out of range.
 */
int vl_caption_metric_per_image(void *state, size_t i, struct vl_caption_scores *out);

/* For a state of the "caption" metric: vl_caption_set_reserve on its set
 * (the byte count is that of the strings before tokenization). */
void vl_caption_metric_reserve(void *state, size_t nimg, size_t nsent, size_t nbytes);

#endif
