/*
 * caption_set.h - the inside of struct vl_caption_set, shared by the files
 * that score it (caption_set.c builds it; bleu.c, rouge.c and cider.c hold
 * one scorer each).  Callers outside metrics/ use caption.h only.
 *
 * Adding an image only splits and interns its words (token ids, one table
 * for the whole set) and computes what is local to it (ROUGE-L, lengths).
 * The n-grams are built for all images at once, the first time the set is
 * scored after an add.  A unigram's id is its token id.  For each order
 * k = 2..4 every n-gram occurrence gets the exact key (id of its (k-1)-gram
 * prefix, last token id); the occurrences are split into buckets of about
 * a thousand by a hash of the key, and each bucket is grouped with a small
 * hash table that stays in cache.  This replaces one global hash table,
 * whose ~1M mostly-unique 3- and 4-grams made every insert a cache miss;
 * grouping in position order also hands over each n-gram's document
 * frequency (the images among its reference occurrences).
 *
 * A sentence is then a run of (n-gram id, count, df) entries in the order
 * pycocoevalcap's dict would iterate them (all unigrams by first
 * occurrence, then bigrams, ...), because the CIDEr norms and dot products
 * are float sums whose order must match.
 */
#ifndef VL_CAPTION_SET_H
#define VL_CAPTION_SET_H

#include "core/u32v.h"
#include "metrics/caption.h"
#include "metrics/metric.h"

struct vl_ngram_count {
	uint32_t id;      /* n-gram id, unique over all orders */
	uint32_t count;   /* term count in the sentence */
	uint32_t df;      /* document frequency over every image of the set */
};

/* Per word position and order: the id of the n-gram that starts there,
 * and its document frequency over every image of the set. */
struct vl_pos_ngram {
	uint32_t id, df;
};

/* One sentence as BLEU and CIDEr see it (str.split() words). */
struct vl_cap_sent {
	size_t tok;       /* first token id in vl_caption_set.toks */
	uint32_t nk[4];   /* entries of order 1..4, stored one order after the other */
	uint32_t len;     /* number of words */
};

/* An image's entries are those of its candidate, then of each reference
 * in turn, one after the other. */
struct vl_cap_image {
	size_t sent0;       /* sent[sent0] is the candidate, then nref references */
	uint32_t nref;
	/* kept only once a subset has been scored (vl_caption_set.have_subset): */
	size_t ent_off;     /* first entry in vl_caption_set.ent */
	size_t align_off;   /* nref rows of the candidate's entry count: the term
	                       count of each candidate n-gram in that reference */
	size_t df_off;      /* distinct n-grams of the references, in
	                       vl_caption_set.df_ids */
	uint32_t df_n;
	double cider_all;   /* CIDEr-D with every image of the set, in order */
	/* BLEU's cooked test: lengths (closest reference length, ties to the
	 * shorter), guessed and clipped correct counts per order */
	uint32_t testlen, reflen;
	uint32_t guess[4], correct[4];
	double bleu[4];     /* per-image BLEU, corpus-independent */
	double rouge_l;     /* per-image ROUGE-L, corpus-independent */
};

/* Scratch of one thread: one image's entries and align rows, a small map
 * of n-gram id -> entry (slot = id, index + 1), and the candidate weights
 * of CIDEr-D. */
struct vl_cap_scratch {
	struct vl_ngram_count *img_ent;
	size_t img_ent_alloc;
	struct vl_u32v img_align;
	uint32_t (*lmap)[2];
	size_t lmap_cap, lmap_alloc;
	double *wc;
	size_t wc_alloc;
};

struct vl_caption_set {
	/* token interning: open addressing.  Not core/strmap.c: the hash is
	 * FNV-1a computed byte by byte inside the splitting loop (no second
	 * pass over the word), the slot keeps half of it so that a probe
	 * reads the text only on a match, the ids are dense (they index
	 * tok_df and the n-gram keys) and the text lives in one arena.
	 * Measured (tests/perf/hash_tables.c, 1.65M Zipf words of a 10k
	 * vocabulary, median of 7 runs on the shared 2-core machine): 51 ns
	 * per word here, 99 ns on strmap with a NUL-terminated copy (1.9x);
	 * this runs once per word of every caption. */
	struct vl_tok_slot {
		uint32_t id1;     /* token id + 1, 0 empty */
		uint32_t hash;    /* low half of its hash */
	} *tok_slot;
	size_t tok_cap;
	uint64_t *tok_hash;   /* per token id */
	size_t *tok_off;      /* per token id, into tok_text */
	uint32_t *tok_len;
	size_t ntok, tok_alloc;
	struct vl_buf tok_text;

	struct vl_u32v toks;  /* the str.split() token ids of every sentence */
	struct vl_cap_sent *sent;
	size_t nsent, sent_alloc;
	struct vl_cap_image *img;
	size_t nimg, img_alloc;

	/* built for images [0, nbuilt) by the first scoring after an add */
	size_t nbuilt;
	uint32_t *tok_df;     /* per token id: unigram document frequency
	                         (a unigram's n-gram id is its token id) */
	struct vl_pos_ngram *ng;  /* order k = 2..4 at ng[(k - 2) * toks.n + position] */
	size_t nng;           /* n-gram ids are below it: tokens, then orders
	                         2..4 (not dense: see group_order) */
	/* for scoring subsets, built by the first one: every image's
	 * entries, align rows and distinct reference n-grams */
	int have_subset;
	struct vl_ngram_count *ent;
	size_t nent, ent_alloc;
	struct vl_u32v align;
	struct vl_u32v df_ids;

	/* scratch for adding */
	struct vl_u32v rouge_cand, rouge_refs, rouge_lens, lcs_row;
	/* the caller's way to run build()'s two parts at once, or NULL */
	vl_parallel_fn *par;
	/* scratch for building and scoring, one per part (build() runs in
	 * two parts; everything else uses scr[0]) */
	struct vl_cap_scratch scr[2];
	/* scratch for scoring */
	uint32_t *df;         /* per n-gram id, zero between scorings */
	size_t df_alloc;
	double *idf;          /* by document frequency 0..n */
	size_t idf_alloc;
	double *vals;
	size_t vals_alloc;
};

/* bleu.c: BLEU-1..4 of cooked counts (one image, or corpus sums). */
void vl_bleu_from_counts(double testlen, double reflen, const double guess[4],
			 const double correct[4], double out[4]);

/* rouge.c: ROUGE-L (beta 1.2) of a candidate against references given as
 * one flat token array refs with lengths rlen[0..nref).  row: scratch. */
double vl_rouge_l(const uint32_t *cand, size_t clen, const uint32_t *refs,
		  const uint32_t *rlen, size_t nref, struct vl_u32v *row);

/* cider.c: cs->idf[d] for document frequencies d = 0..n of an n-image
 * corpus. */
void vl_cider_idf(struct vl_caption_set *cs, size_t n);

/* cider.c: CIDEr-D of image im with cs->idf as filled by vl_cider_idf
 * (read only: safe on several threads, each with its own scratch sc).
 * e0: the image's entries (candidate, then references); align: its nref
 * align rows; df: document frequency per n-gram id, or NULL to use the
 * entries' own (whole-set) df. */
double vl_cider_image(const struct vl_caption_set *cs, struct vl_cap_scratch *sc,
		      const struct vl_cap_image *im,
		      const struct vl_ngram_count *e0, const uint32_t *align,
		      const uint32_t *df);

/* cider.c: per-position CIDEr-D over idx[0..n), document frequencies
 * counted from the chosen images' df_ids (cs->have_subset must be set). */
void vl_cider_score(struct vl_caption_set *cs, const size_t *idx, size_t n, double *out);

#endif
