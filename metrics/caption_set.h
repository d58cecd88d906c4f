/*
 * caption_set.h - the inside of struct vl_caption_set, shared by the files
 * that score it (caption_set.c builds it; bleu.c, rouge.c and cider.c hold
 * one scorer each).  Callers outside metrics/ use caption.h only.
 *
 * N-grams of order 1..4 are interned: an n-gram is its (n-1)-gram prefix id
 * plus its last token id, and gets one id in a single table for all orders.  A sentence is a run of
 * (n-gram id, count) entries in the order pycocoevalcap's dict would iterate
 * them (all unigrams by first occurrence, then bigrams, ...), because the
 * CIDEr norms and dot products are float sums whose order must match.
 */
#ifndef VL_CAPTION_SET_H
#define VL_CAPTION_SET_H

#include "metrics/caption.h"

struct vl_ngram_count {
	uint32_t id;      /* n-gram id */
	uint32_t count;   /* term count in the sentence */
};

/* One sentence as BLEU and CIDEr see it (str.split() words). */
struct vl_cap_sent {
	size_t off;       /* first entry in vl_caption_set.ent */
	uint32_t nk[4];   /* entries of order 1..4, stored one order after the other */
	uint32_t len;     /* number of words */
};

struct vl_cap_image {
	size_t sent0;       /* sent[sent0] is the candidate, then nref references */
	uint32_t nref;
	size_t align_off;   /* nref rows of the candidate's entry count: the term
	                       count of each candidate n-gram in that reference */
	size_t df_off;      /* distinct n-grams of the references, in vl_caption_set.df_ids */
	uint32_t df_n;
	/* BLEU's cooked test: lengths (closest reference length, ties to the
	 * shorter), guessed and clipped correct counts per order */
	uint32_t testlen, reflen;
	uint32_t guess[4], correct[4];
	double bleu[4];     /* per-image BLEU, corpus-independent */
	double rouge_l;     /* per-image ROUGE-L, corpus-independent */
};

struct vl_ng_slot {
	uint32_t prefix, last;  /* the key */
	uint32_t id1;           /* n-gram id + 1, 0 for an empty slot */
};

struct vl_ng_scratch {
	uint32_t sent_stamp, sent_pos, img_stamp, img_max;
};

struct vl_u32v {
	uint32_t *v;
	size_t n, alloc;
};

struct vl_caption_set {
	/* token interning: open addressing, slot = id + 1, 0 empty */
	uint32_t *tok_slot;
	size_t tok_cap;
	uint64_t *tok_hash;   /* per token id */
	size_t *tok_off;      /* per token id, into tok_text */
	uint32_t *tok_len;
	size_t ntok, tok_alloc;
	struct vl_buf tok_text;

	/* n-gram interning: an n-gram is (id of its first n-1 words, last
	 * token id), a unigram (UINT32_MAX, token id); keys live in the slots
	 * so a lookup touches one cache line */
	struct vl_ng_slot *ng_slot;
	size_t ng_cap;
	size_t nng, ng_alloc;
	/* per n-gram id scratch for building, one struct so that one cache
	 * line serves all four: stamps say which sentence / image last touched
	 * the id, so nothing is cleared between sentences */
	struct vl_ng_scratch *scr;
	uint32_t sent_serial, img_serial;
	struct vl_u32v prefix;

	struct vl_cap_sent *sent;
	size_t nsent, sent_alloc;
	struct vl_ngram_count *ent;
	size_t nent, ent_alloc;
	struct vl_u32v align;
	struct vl_u32v df_ids;
	struct vl_cap_image *img;
	size_t nimg, img_alloc;

	/* scratch for adding */
	struct vl_u32v words, rouge_cand, rouge_refs, rouge_lens, lcs_row;
	/* scratch for scoring */
	uint32_t *df;         /* per n-gram id, zero between scorings */
	size_t df_alloc;
	double *idf;          /* by document frequency 0..n */
	double *wc;           /* candidate weights */
	size_t idf_alloc, wc_alloc;
	double *vals;
	size_t vals_alloc;
};

void vl_u32v_push(struct vl_u32v *v, uint32_t x);

/* bleu.c: BLEU-1..4 of cooked counts (one image, or corpus sums). */
void vl_bleu_from_counts(double testlen, double reflen, const double guess[4],
			 const double correct[4], double out[4]);

/* rouge.c: ROUGE-L (beta 1.2) of a candidate against references given as
 * one flat token array refs with lengths rlen[0..nref).  row: scratch. */
double vl_rouge_l(const uint32_t *cand, size_t clen, const uint32_t *refs,
		  const uint32_t *rlen, size_t nref, struct vl_u32v *row);

/* cider.c: per-position CIDEr-D over idx[0..n) (idx non-NULL). */
void vl_cider_score(struct vl_caption_set *cs, const size_t *idx, size_t n, double *out);

#endif
