/*
 * caption_set.c - builds the caption store of caption.h: splits candidate
 * and references the way pycocoevalcap does, interns tokens, builds the
 * n-grams of all images at once (see caption_set.h: radix-sorted keys, an
 * n-gram's id is its rank), and keeps per image what BLEU, ROUGE-L and
 * CIDEr-D need; then scores any list of positions (vl_caption_set_score).
 * The scorers themselves live in bleu.c, rouge.c and cider.c, one each.
 *
 * Adding another n-gram metric: take its per-image counts in build() (the
 * entries of every sentence of the image are at hand there), store them in struct
 * vl_cap_image, and score them in a file of its own.
 */
#include "metrics/caption_set.h"
#include "metrics/metric.h"

#include <string.h>

#define GROW(arr, n, alloc, min) do { \
	if ((n) >= (alloc)) { \
		size_t na_ = (alloc) ? (alloc) * 2 : (min); \
		while (na_ <= (n)) \
			na_ *= 2; \
		(arr) = vl_xrealloc((arr), na_ * sizeof(*(arr))); \
		(alloc) = na_; \
	} \
} while (0)

struct vl_caption_set *vl_caption_set_new(void)
{
	struct vl_caption_set *cs = vl_xcalloc(1, sizeof(*cs));

	cs->tok_cap = 1024;
	cs->tok_slot = vl_xcalloc(cs->tok_cap, sizeof(*cs->tok_slot));
	vl_buf_init(&cs->tok_text, 4096);
	/* never NULL: sentences index it at their first token even when
	 * every one is empty (adding 0 to NULL is undefined) */
	vl_u32v_reserve(&cs->toks, 1);
	return cs;
}

void vl_caption_set_free(struct vl_caption_set *cs)
{
	if (!cs)
		return;
	vl_free(cs->tok_slot);
	vl_free(cs->tok_hash);
	vl_free(cs->tok_off);
	vl_free(cs->tok_len);
	vl_buf_release(&cs->tok_text);
	vl_free(cs->toks.v);
	vl_free(cs->sent);
	vl_free(cs->img);
	vl_free(cs->ng);
	vl_free(cs->tok_df);
	vl_free(cs->ent);
	vl_free(cs->align.v);
	vl_free(cs->df_ids.v);
	for (int t = 0; t < 2; t++) {
		vl_free(cs->scr[t].img_ent);
		vl_free(cs->scr[t].img_align.v);
		vl_free(cs->scr[t].lmap);
		vl_free(cs->scr[t].wc);
	}
	vl_free(cs->rouge_cand.v);
	vl_free(cs->rouge_refs.v);
	vl_free(cs->rouge_lens.v);
	vl_free(cs->lcs_row.v);
	vl_free(cs->df);
	vl_free(cs->idf);
	vl_free(cs->vals);
	vl_free(cs);
}

void vl_caption_set_parallel(struct vl_caption_set *cs, vl_parallel_fn *run)
{
	cs->par = run;
}

size_t vl_caption_set_count(const struct vl_caption_set *cs)
{
	return cs->nimg;
}

/* Positions in toks are 32-bit, and so are the n-gram ids of all four
 * orders together. */
#define VL_CAP_MAX_TOKENS ((size_t)1 << 29)

/* ---- tokens ---------------------------------------------------------- */

/* FNV-1a, byte by byte, so that it can run inside the splitting loop */
#define TOK_H0 0xcbf29ce484222325ULL
#define TOK_HMUL 0x100000001b3ULL

static size_t tok_index(uint64_t h, size_t cap)
{
	return (size_t)(h ^ (h >> 29) ^ (h >> 47)) & (cap - 1);
}

static void tok_rehash(struct vl_caption_set *cs)
{
	size_t cap = cs->tok_cap * 2;
	struct vl_tok_slot *slot = vl_xcalloc(cap, sizeof(*slot));

	for (size_t id = 0; id < cs->ntok; id++) {
		size_t i = tok_index(cs->tok_hash[id], cap);
		while (slot[i].id1)
			i = (i + 1) & (cap - 1);
		slot[i].id1 = (uint32_t)id + 1;
		slot[i].hash = (uint32_t)cs->tok_hash[id];
	}
	vl_free(cs->tok_slot);
	cs->tok_slot = slot;
	cs->tok_cap = cap;
}

/* The id of token s[0..len) whose hash is h, interned if new.  The slot
 * holds part of the hash, so a probe reads the token's text only when
 * that matches. */
static uint32_t tok_intern(struct vl_caption_set *cs, const char *s, size_t len, uint64_t h)
{
	size_t i = tok_index(h, cs->tok_cap);
	uint32_t id;

	for (; cs->tok_slot[i].id1; i = (i + 1) & (cs->tok_cap - 1)) {
		if (cs->tok_slot[i].hash != (uint32_t)h)
			continue;
		id = cs->tok_slot[i].id1 - 1;
		if (cs->tok_len[id] == len && !memcmp(cs->tok_text.buf + cs->tok_off[id], s, len))
			return id;
	}
	if (cs->ntok == cs->tok_alloc) {
		cs->tok_alloc = cs->tok_alloc ? cs->tok_alloc * 2 : 1024;
		cs->tok_hash = vl_xrealloc(cs->tok_hash, cs->tok_alloc * sizeof(*cs->tok_hash));
		cs->tok_off = vl_xrealloc(cs->tok_off, cs->tok_alloc * sizeof(*cs->tok_off));
		cs->tok_len = vl_xrealloc(cs->tok_len, cs->tok_alloc * sizeof(*cs->tok_len));
	}
	id = (uint32_t)cs->ntok++;
	cs->tok_hash[id] = h;
	cs->tok_off[id] = cs->tok_text.len;
	cs->tok_len[id] = (uint32_t)len;
	vl_buf_add(&cs->tok_text, s, len);
	cs->tok_slot[i].id1 = id + 1;
	cs->tok_slot[i].hash = (uint32_t)h;
	if (cs->ntok * 2 > cs->tok_cap)
		tok_rehash(cs);
	return id;
}

void vl_caption_set_reserve(struct vl_caption_set *cs, size_t nimg, size_t nsent, size_t nbytes)
{
	/* at most (L + 1) / 2 words in a sentence of L bytes */
	size_t ntoks = nbytes / 2 + nsent, vocab;

	if (nimg > INT32_MAX || nsent > INT32_MAX || ntoks > VL_CAP_MAX_TOKENS)
		return;   /* add() refuses that much anyway */
	if (cs->nimg + nimg > cs->img_alloc) {
		cs->img_alloc = cs->nimg + nimg;
		cs->img = vl_xrealloc(cs->img, cs->img_alloc * sizeof(*cs->img));
	}
	if (cs->nsent + nsent > cs->sent_alloc) {
		cs->sent_alloc = cs->nsent + nsent;
		cs->sent = vl_xrealloc(cs->sent, cs->sent_alloc * sizeof(*cs->sent));
	}
	if (cs->toks.n + ntoks > cs->toks.alloc) {
		cs->toks.alloc = cs->toks.n + ntoks;
		cs->toks.v = vl_xrealloc(cs->toks.v, cs->toks.alloc * sizeof(*cs->toks.v));
	}
	/* the vocabulary: no more than the words, and for captions rarely
	 * more than some ten thousand (the tables still grow past that) */
	vocab = ntoks < 16384 ? ntoks : 16384;
	if (cs->ntok + vocab > cs->tok_alloc) {
		cs->tok_alloc = cs->ntok + vocab;
		cs->tok_hash = vl_xrealloc(cs->tok_hash, cs->tok_alloc * sizeof(*cs->tok_hash));
		cs->tok_off = vl_xrealloc(cs->tok_off, cs->tok_alloc * sizeof(*cs->tok_off));
		cs->tok_len = vl_xrealloc(cs->tok_len, cs->tok_alloc * sizeof(*cs->tok_len));
	}
	vl_buf_grow(&cs->tok_text, vocab * 8);
	while (cs->tok_cap < 2 * (cs->ntok + vocab))
		tok_rehash(cs);
}

/* ---- splitting ------------------------------------------------------- */

/* Byte length of the Python white-space character at p (what str.split()
 * with no argument splits on: str.isspace()), or 0.  ASCII \t \n \v \f \r,
 * \x1c..\x1f, space, and U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000. */
static size_t py_space_mb(const unsigned char *p)
{
	if (p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3;
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

/* Per first byte: 1 an ASCII white-space character, 2 the lead byte of a
 * possible multi-byte one (py_space_mb decides), 0 neither. */
static const unsigned char space_class[256] = {
	['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
	[0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [' '] = 1,
	[0xc2] = 2, [0xe1] = 2, [0xe2] = 2, [0xe3] = 2,
};

static size_t py_space(const unsigned char *p)
{
	unsigned char c = space_class[*p];

	return c == 1 ? 1 : c == 2 ? py_space_mb(p) : 0;
}

/*
 * str.split(): appends the ids of the words of s (runs of white space
 * between them, none empty) to cs->toks and returns their number.
 * *canon: 1 when str.split(" ") would give the same words, that is s is
 * not empty and its only white space is single ASCII spaces between words.
 */
static size_t split_py(struct vl_caption_set *cs, const char *s, int *canon)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	int ok = 1;

	for (;;) {
		const unsigned char *w;
		uint64_t h = TOK_H0;
		size_t sp, run = 0;

		while ((sp = py_space(p))) {
			if (*p != ' ' || run++)
				ok = 0;
			p += sp;
		}
		if (!*p) {
			if (run || !n)
				ok = 0;   /* trailing white space, or no word */
			break;
		}
		if (run && !n)
			ok = 0;           /* leading white space */
		w = p;
		/* a word: anything up to the next white space or the end */
		while (*p && !(space_class[*p] && py_space(p))) {
			h = (h ^ *p) * TOK_HMUL;
			p++;
		}
		if (cs->toks.n == cs->toks.alloc)
			vl_u32v_reserve(&cs->toks, 1);
		cs->toks.v[cs->toks.n++] = tok_intern(cs, (const char *)w, (size_t)(p - w), h);
		n++;
	}
	*canon = ok;
	return n;
}

/* str.split(" "): fields between single spaces, empty ones included. */
static void split_space(struct vl_caption_set *cs, const char *s, struct vl_u32v *out)
{
	for (;;) {
		const char *sp = strchr(s, ' ');
		size_t len = sp ? (size_t)(sp - s) : strlen(s);
		uint64_t h = TOK_H0;

		for (size_t i = 0; i < len; i++)
			h = (h ^ (unsigned char)s[i]) * TOK_HMUL;
		vl_u32v_push(out, tok_intern(cs, s, len, h));
		if (!sp)
			return;
		s = sp + 1;
	}
}


static size_t add_sent(struct vl_caption_set *cs, const char *s, int *canon)
{
	struct vl_cap_sent *st;

	GROW(cs->sent, cs->nsent, cs->sent_alloc, 1024);
	st = &cs->sent[cs->nsent];
	memset(st, 0, sizeof(*st));
	st->tok = cs->toks.n;
	st->len = (uint32_t)split_py(cs, s, canon);
	return cs->nsent++;
}

static uint32_t sent_total(const struct vl_cap_sent *st)
{
	return st->nk[0] + st->nk[1] + st->nk[2] + st->nk[3];
}

int vl_caption_set_add(struct vl_caption_set *cs, const char *cand,
		       const char *const *refs, size_t nref)
{
	struct vl_cap_image *im;
	uint32_t testlen, best_diff = UINT32_MAX;
	int canon, all_canon;
	size_t sc;

	/* images are numbered in 31 bits while building */
	if (nref == 0 || nref > UINT32_MAX || cs->nimg >= (size_t)INT32_MAX)
		return VL_EINVAL;
	GROW(cs->img, cs->nimg, cs->img_alloc, 256);
	im = &cs->img[cs->nimg];
	memset(im, 0, sizeof(*im));

	sc = add_sent(cs, cand, &all_canon);
	im->sent0 = sc;
	im->nref = (uint32_t)nref;
	testlen = cs->sent[sc].len;
	for (size_t r = 0; r < nref; r++) {
		uint32_t len, diff;
		size_t sr = add_sent(cs, refs[r], &canon);   /* may move cs->sent */

		len = cs->sent[sr].len;
		all_canon &= canon;
		if (cs->toks.n > VL_CAP_MAX_TOKENS)
			break;
		/* closest reference length, ties to the shorter (min over
		 * (|l - testlen|, l) tuples) */
		diff = len > testlen ? len - testlen : testlen - len;
		if (diff < best_diff || (diff == best_diff && len < im->reflen)) {
			best_diff = diff;
			im->reflen = len;
		}
	}
	if (cs->toks.n > VL_CAP_MAX_TOKENS) {
		/* positions and n-gram ids are 32-bit: refuse, and forget
		 * this image's words */
		cs->toks.n = cs->sent[sc].tok;
		cs->nsent = sc;
		return VL_EINVAL;
	}
	im->testlen = testlen;
	for (int k = 0; k < 4; k++)
		im->guess[k] = testlen >= (uint32_t)k + 1 ? testlen - (uint32_t)k : 0;

	/* ROUGE-L splits on single spaces; for the usual single-spaced
	 * text that is the same word list, already interned */
	cs->rouge_lens.n = 0;
	for (size_t r = 0; r < nref; r++)
		vl_u32v_push(&cs->rouge_lens, cs->sent[sc + 1 + r].len);
	if (all_canon) {
		im->rouge_l = vl_rouge_l(cs->toks.v + cs->sent[sc].tok, testlen,
					 cs->toks.v + cs->sent[sc + 1].tok, cs->rouge_lens.v,
					 nref, &cs->lcs_row);
	} else {
		cs->rouge_cand.n = cs->rouge_refs.n = cs->rouge_lens.n = 0;
		split_space(cs, cand, &cs->rouge_cand);
		for (size_t r = 0; r < nref; r++) {
			size_t before = cs->rouge_refs.n;
			split_space(cs, refs[r], &cs->rouge_refs);
			vl_u32v_push(&cs->rouge_lens, (uint32_t)(cs->rouge_refs.n - before));
		}
		im->rouge_l = vl_rouge_l(cs->rouge_cand.v, cs->rouge_cand.n, cs->rouge_refs.v,
					 cs->rouge_lens.v, nref, &cs->lcs_row);
	}
	cs->nimg++;
	return 0;
}

/* ---- building the n-grams ---------------------------------------------- */

/* Runs part(ctx, 0) and part(ctx, 1): through the caller's cs->par
 * (vl_caption_set_parallel), which may run them at once, else one after
 * the other.  The parts must not share anything they write. */
static void run_two(const struct vl_caption_set *cs, void (*part)(void *, size_t), void *ctx)
{
	if (cs->par) {
		cs->par(2, part, ctx);
		return;
	}
	part(ctx, 0);
	part(ctx, 1);
}

/* One occurrence of an n-gram of the order being built. */
struct occ {
	uint64_t key;     /* (prefix id) * ntok + last token id: exact */
	uint32_t pos;     /* its first word, in cs->toks */
	uint32_t owner;   /* image << 1, | 1 for a reference */
};

/* Fibonacci hashing: the top bits of the product choose the bucket, the
 * bits below them the slot inside the bucket's table. */
static uint64_t key_mix(uint64_t key)
{
	return key * 0x9e3779b97f4a7c15ULL;
}

/* Scratch of group_order, grown to the largest bucket. */
struct group_scratch {
	uint64_t *keys;     /* table: key */
	uint32_t *slot;     /* table: group + 1, 0 empty */
	uint32_t *df, *last, *grp;
	size_t alloc;
};

static void group_scratch_release(struct group_scratch *g)
{
	vl_free(g->keys);
	vl_free(g->slot);
	vl_free(g->df);
	vl_free(g->last);
	vl_free(g->grp);
}

/* Groups the occurrences o[0..m) of one bucket (in position order) by key,
 * with a hash table small enough to stay in cache: the i-th distinct key
 * gets id first_id + i, and out[pos] of each occurrence that id and the
 * key's document frequency (the number of images among its reference
 * occurrences).  Ids of a bucket stay below first_id + m. */
static void group_bucket(const struct occ *o, size_t m, int bits, struct vl_pos_ngram *out,
			 uint32_t first_id, struct group_scratch *g)
{
	size_t cap = 16;
	int tbits = 4;
	uint32_t ngrp = 0;

	if (m == 0)
		return;   /* (the scratch may not even exist: no word at all) */
	while (cap < 2 * m) {
		cap *= 2;
		tbits++;
	}
	memset(g->slot, 0, cap * sizeof(*g->slot));
	for (size_t j = 0; j < m; j++) {
		size_t i = (size_t)((key_mix(o[j].key) << bits) >> (64 - tbits));
		uint32_t grp;

		/* && not &: keys[i] of an empty slot was never written */
		while (g->slot[i] != 0 && g->keys[i] != o[j].key)
			i = (i + 1) & (cap - 1);
		if (!g->slot[i]) {
			g->keys[i] = o[j].key;
			g->slot[i] = ++ngrp;
			g->df[ngrp - 1] = 0;
			g->last[ngrp - 1] = UINT32_MAX;
		}
		grp = g->slot[i] - 1;
		g->grp[j] = grp;
		/* occurrences come in position order, so images in order */
		if ((o[j].owner & 1) && g->last[grp] != o[j].owner) {
			g->df[grp]++;
			g->last[grp] = o[j].owner;
		}
	}
	for (size_t j = 0; j < m; j++) {
		out[o[j].pos].id = first_id + g->grp[j];
		out[o[j].pos].df = g->df[g->grp[j]];
	}
}

/* The key of the order-(k+1) n-gram at position p. */
static uint64_t occ_key(const struct vl_caption_set *cs, const struct vl_pos_ngram *prev,
			int k, size_t p)
{
	uint64_t pre = k == 1 ? cs->toks.v[p] : prev[p].id;

	return pre * cs->ntok + cs->toks.v[p + (size_t)k];
}

/* One of the two halves of group_order's work: images [from, to) for
 * counting and scattering, buckets [b0, b1) for grouping. */
struct group_job {
	struct vl_caption_set *cs;
	int k, bits, phase;   /* phase 0 count, 1 scatter, 2 group */
	size_t from, to;
	size_t *cnt;          /* per bucket: count (0), then next slot (1) */
	const size_t *start;  /* per bucket: first item (2) */
	size_t b0, b1;
	struct occ *items;
	uint32_t base_id;
	struct group_scratch *g;
};

/* Part t of a pass of group_order: ctx is its two jobs. */
static void group_job_run(void *ctx, size_t t)
{
	struct group_job *j = (struct group_job *)ctx + t;
	struct vl_caption_set *cs = j->cs;
	size_t npos = cs->toks.n;
	int k = j->k, bits = j->bits;
	const struct vl_pos_ngram *prev = k > 1 ? cs->ng + (size_t)(k - 2) * npos : NULL;

	if (j->phase == 2) {
		for (size_t b = j->b0; b < j->b1; b++)
			group_bucket(j->items + j->start[b], j->start[b + 1] - j->start[b], bits,
				     cs->ng + (size_t)(k - 1) * npos,
				     j->base_id + (uint32_t)j->start[b], j->g);
		return;
	}
	for (size_t i = j->from; i < j->to; i++) {
		const struct vl_cap_image *im = &cs->img[i];
		for (uint32_t r = 0; r <= im->nref; r++) {
			const struct vl_cap_sent *st = &cs->sent[im->sent0 + r];
			uint32_t owner = (uint32_t)i << 1 | (r > 0);
			for (uint32_t w = 0; w + (uint32_t)k < st->len; w++) {
				size_t p = st->tok + w;
				uint64_t key = occ_key(cs, prev, k, p);
				size_t b = bits ? (size_t)(key_mix(key) >> (64 - bits)) : 0;
				struct occ *o;

				if (j->phase == 0) {
					j->cnt[b]++;
					continue;
				}
				o = &j->items[j->cnt[b]++];
				o->key = key;
				o->pos = (uint32_t)p;
				o->owner = owner;
			}
		}
	}
}

static void group_scratch_reserve(struct group_scratch *g, size_t biggest)
{
	size_t cap = 16;

	if (biggest <= g->alloc)
		return;
	while (cap < 2 * biggest)
		cap *= 2;
	group_scratch_release(g);
	g->keys = vl_xmalloc(cap * sizeof(*g->keys));
	g->slot = vl_xmalloc(cap * sizeof(*g->slot));
	g->df = vl_xmalloc(biggest * sizeof(*g->df));
	g->last = vl_xmalloc(biggest * sizeof(*g->last));
	g->grp = vl_xmalloc(biggest * sizeof(*g->grp));
	g->alloc = biggest;
}

/*
 * Gives every n-gram of order k+1 (k = 1..3) its id and document frequency
 * (cs->ng[(k - 1) * npos + position]), from the ids of order k (unigram
 * ids are token ids).  The occurrences are split by a hash of the key into
 * buckets of about 1,000 (a counting pass, then one stable pass that
 * writes each occurrence into its bucket of items), and each bucket is
 * grouped on its own (group_bucket): one hash table for all ~1M n-grams
 * missed the cache on nearly every insert.
 *
 * Each pass is split in two parts (run_two: on two threads when the
 * caller lends them): counting and scattering over the two
 * halves of the images (bucket b holds the first half's occurrences, then
 * the second's, so position order is kept), grouping over the two halves
 * of the buckets.  So that the halves need not wait for each other's
 * count of distinct keys, bucket b's ids start at *base_id + (its first
 * item): unique, not dense.  *base_id grows by the number of occurrences.
 */
static void group_order(struct vl_caption_set *cs, int k, struct occ *items,
			uint32_t *base_id, struct group_scratch g[2])
{
	size_t n = 0, nb, biggest = 0, *start, *cnt1, half = cs->nimg / 2;
	struct group_job jobs[2];
	int bits = 0;

	for (size_t s = 0; s < cs->nsent; s++)
		n += cs->sent[s].len > (uint32_t)k ? cs->sent[s].len - (uint32_t)k : 0;
	while (bits < 16 && ((size_t)1024 << bits) < n)
		bits++;
	nb = (size_t)1 << bits;
	start = vl_xcalloc(nb + 1, sizeof(*start));
	cnt1 = vl_xcalloc(nb, sizeof(*cnt1));
	for (int t = 0; t < 2; t++) {
		jobs[t] = (struct group_job){ .cs = cs, .k = k, .bits = bits, .phase = 0,
			.from = t ? half : 0, .to = t ? cs->nimg : half,
			.cnt = t ? cnt1 : start, .start = start, .items = items,
			.base_id = *base_id, .g = &g[t] };
	}
	run_two(cs, group_job_run, jobs);
	/* bucket b: the first half's items at start[b], the second's after */
	{
		size_t sum = 0;
		for (size_t b = 0; b < nb; b++) {
			size_t c0 = start[b], c1 = cnt1[b];
			if (c0 + c1 > biggest)
				biggest = c0 + c1;
			start[b] = sum;
			cnt1[b] = sum + c0;
			sum += c0 + c1;
		}
		start[nb] = sum;
	}
	/* the scatter advances its cursors: the first half's on a copy */
	{
		size_t *cur0 = vl_xmalloc(nb * sizeof(*cur0));
		memcpy(cur0, start, nb * sizeof(*cur0));
		jobs[0].cnt = cur0;
		jobs[0].phase = jobs[1].phase = 1;
		run_two(cs, group_job_run, jobs);
		vl_free(cur0);
	}
	for (int t = 0; t < 2; t++) {
		group_scratch_reserve(&g[t], biggest);
		jobs[t].phase = 2;
		jobs[t].b0 = t ? nb / 2 : 0;
		jobs[t].b1 = t ? nb : nb / 2;
	}
	run_two(cs, group_job_run, jobs);
	*base_id += (uint32_t)n;
	vl_free(cnt1);
	vl_free(start);
}

/* The small map of a scratch (sc->lmap), emptied for n n-grams. */
static void lmap_clear(struct vl_cap_scratch *cs, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (cap > cs->lmap_alloc) {
		vl_free(cs->lmap);
		cs->lmap = vl_xmalloc(cap * sizeof(*cs->lmap));
		cs->lmap_alloc = cap;
	}
	cs->lmap_cap = cap;
	memset(cs->lmap, 0, cap * sizeof(*cs->lmap));
}

/* The slot of id: its index + 1 in slot[1], 0 when absent (then the
 * caller may fill the slot). */
static uint32_t *lmap_find(struct vl_cap_scratch *cs, uint32_t id)
{
	size_t mask = cs->lmap_cap - 1, i = (size_t)((id * 0x9e3779b1u) >> 7) & mask;

	/* one branch, taken only on a collision: whether the first slot
	 * holds id or is empty is what callers test, and is unpredictable */
	while ((cs->lmap[i][0] != id) & (cs->lmap[i][1] != 0))
		i = (i + 1) & mask;
	return cs->lmap[i];
}

/* Upper bound of the entries of image im. */
static size_t image_max_entries(const struct vl_caption_set *cs, const struct vl_cap_image *im)
{
	size_t n = 0;

	for (uint32_t r = 0; r <= im->nref; r++)
		n += 4 * (size_t)cs->sent[im->sent0 + r].len;
	return n;
}

/* Writes the entries of image im (candidate, then references) to out, in
 * first-occurrence order per order (pycocoevalcap's dict), sets each
 * sentence's nk, and returns their number. */
static size_t image_entries(struct vl_caption_set *cs, struct vl_cap_scratch *sc,
			    const struct vl_cap_image *im, struct vl_ngram_count *out)
{
	size_t npos = cs->toks.n, n = 0;

	for (uint32_t r = 0; r <= im->nref; r++) {
		struct vl_cap_sent *st = &cs->sent[im->sent0 + r];

		for (int k = 0; k < 4; k++) {
			const struct vl_pos_ngram *pn = k ? cs->ng + (size_t)(k - 1) * npos + st->tok : NULL;
			const uint32_t *tok = cs->toks.v + st->tok;
			uint32_t nk = st->len > (uint32_t)k ? st->len - (uint32_t)k : 0;
			size_t first = n;

			if (nk)
				lmap_clear(sc, nk);
			for (uint32_t j = 0; j < nk; j++) {
				uint32_t id = k ? pn[j].id : tok[j];
				uint32_t *sl = lmap_find(sc, id);

				if (sl[1]) {
					out[first + sl[1] - 1].count++;
					continue;
				}
				sl[0] = id;
				sl[1] = (uint32_t)(n - first) + 1;
				out[n].id = id;
				out[n].count = 1;
				out[n].df = k ? pn[j].df : cs->tok_df[id];
				n++;
			}
			st->nk[k] = (uint32_t)(n - first);
		}
	}
	return n;
}

/* From the entries e0 of image im: how often each candidate n-gram occurs
 * in each reference (the nref rows of align, as many zeros as candidate
 * entries first), and BLEU's clipped counts and per-image BLEU. */
static void image_align(const struct vl_caption_set *cs, struct vl_cap_scratch *sc,
			struct vl_cap_image *im, const struct vl_ngram_count *ce, uint32_t *align)
{
	const struct vl_cap_sent *cand = &cs->sent[im->sent0];
	uint32_t ncand = sent_total(cand);
	const struct vl_ngram_count *re = ce + ncand;
	double g[4], c[4];
	size_t e;

	memset(im->correct, 0, sizeof(im->correct));
	if (ncand) {
		lmap_clear(sc, ncand);
		for (uint32_t j = 0; j < ncand; j++) {
			uint32_t *sl = lmap_find(sc, ce[j].id);
			sl[0] = ce[j].id;
			sl[1] = j + 1;
		}
		for (uint32_t r = 0; r < im->nref; r++) {
			uint32_t nr = sent_total(&cs->sent[im->sent0 + 1 + r]);

			for (uint32_t j = 0; j < nr; j++) {
				const uint32_t *sl = lmap_find(sc, re[j].id);
				if (sl[1])
					align[(size_t)r * ncand + sl[1] - 1] = re[j].count;
			}
			re += nr;
		}
		e = 0;
		for (int k = 0; k < 4; k++) {
			for (uint32_t j = 0; j < cand->nk[k]; j++, e++) {
				uint32_t mx = 0, cnt = ce[e].count;
				for (uint32_t r = 0; r < im->nref; r++)
					if (align[(size_t)r * ncand + e] > mx)
						mx = align[(size_t)r * ncand + e];
				im->correct[k] += cnt < mx ? cnt : mx;
			}
		}
	}
	for (int k = 0; k < 4; k++) {
		g[k] = im->guess[k];
		c[k] = im->correct[k];
	}
	vl_bleu_from_counts(im->testlen, im->reflen, g, c, im->bleu);
}

/* Images [from, to) of the per-image part of build(), with scratch sc. */
struct image_job {
	struct vl_caption_set *cs;
	struct vl_cap_scratch *sc;
	size_t from, to;
};

/* Each image's entries and align rows (in scratch), its BLEU counts and
 * its CIDEr-D for the whole set.  Images are independent of one another:
 * the two jobs of ctx may run at once (part t runs jobs[t]), each writing
 * only its own images and sentences. */
static void build_images(void *ctx, size_t t)
{
	struct image_job *j = (struct image_job *)ctx + t;
	struct vl_caption_set *cs = j->cs;
	struct vl_cap_scratch *sc = j->sc;

	for (size_t i = j->from; i < j->to; i++) {
		struct vl_cap_image *im = &cs->img[i];
		size_t rows;

		GROW(sc->img_ent, image_max_entries(cs, im), sc->img_ent_alloc, 256);
		image_entries(cs, sc, im, sc->img_ent);
		rows = (size_t)im->nref * sent_total(&cs->sent[im->sent0]);
		sc->img_align.n = 0;
		vl_u32v_reserve(&sc->img_align, rows + 1);   /* + 1: never NULL */
		memset(sc->img_align.v, 0, rows * sizeof(uint32_t));
		image_align(cs, sc, im, sc->img_ent, sc->img_align.v);
		im->cider_all = vl_cider_image(cs, sc, im, sc->img_ent, sc->img_align.v, NULL);
	}
}

/*
 * Builds the n-grams of every image added so far (from scratch): ids and
 * document frequencies per position (cs->ng), then per image its entries
 * and align rows in scratch space, from which its BLEU counts and its
 * CIDEr-D for the whole set (cider_all) are computed and kept.
 */
static void build(struct vl_caption_set *cs)
{
	size_t npos = cs->toks.n;
	struct occ *items = vl_xmalloc_big((npos + 1) * sizeof(*items));
	struct group_scratch g[2] = { { 0 }, { 0 } };
	uint32_t next_id = 0;

	/* unigrams: ids are token ids, document frequencies counted with a
	 * per-token stamp (the vocabulary is small enough to stay in cache) */
	{
		uint32_t *stamp = vl_xcalloc(cs->ntok + 1, sizeof(*stamp));

		vl_free(cs->tok_df);
		cs->tok_df = vl_xcalloc(cs->ntok + 1, sizeof(*cs->tok_df));
		for (size_t i = 0; i < cs->nimg; i++) {
			const struct vl_cap_image *im = &cs->img[i];
			for (uint32_t r = 1; r <= im->nref; r++) {
				const struct vl_cap_sent *st = &cs->sent[im->sent0 + r];
				for (uint32_t j = 0; j < st->len; j++) {
					uint32_t t = cs->toks.v[st->tok + j];
					if (stamp[t] != (uint32_t)i + 1) {
						stamp[t] = (uint32_t)i + 1;
						cs->tok_df[t]++;
					}
				}
			}
		}
		vl_free(stamp);
	}
	next_id = (uint32_t)cs->ntok;
	vl_free(cs->ng);
	cs->ng = vl_xmalloc_big((3 * npos + 1) * sizeof(*cs->ng));
	for (int k = 1; k < 4; k++)
		group_order(cs, k, items, &next_id, g);
	cs->nng = next_id;
	vl_free(items);
	group_scratch_release(&g[0]);
	group_scratch_release(&g[1]);

	vl_cider_idf(cs, cs->nimg);
	{
		struct image_job jobs[2] = {
			{ cs, &cs->scr[0], 0, cs->nimg / 2 },
			{ cs, &cs->scr[1], cs->nimg / 2, cs->nimg },
		};
		run_two(cs, build_images, jobs);
	}
	cs->have_subset = 0;
	cs->nbuilt = cs->nimg;
}

/* Keeps every image's entries, align rows and distinct reference n-grams,
 * for scoring subsets and resamples. */
static void build_subset(struct vl_caption_set *cs)
{
	/* old id -> new id + 1: the ids are renumbered in order of first use,
	 * image after image, so that the document-frequency counts of one
	 * image sit close together (the build's ids follow hash buckets, and
	 * a resample touches every image's ids once) */
	uint32_t *renum = vl_xcalloc(cs->nng + 1, sizeof(*renum)), next = 0;

	cs->nent = 0;
	cs->align.n = 0;
	cs->df_ids.n = 0;
	for (size_t i = 0; i < cs->nimg; i++) {
		struct vl_cap_image *im = &cs->img[i];
		const struct vl_ngram_count *re;
		size_t ne, rows, ncand;

		GROW(cs->ent, cs->nent + image_max_entries(cs, im), cs->ent_alloc, 1024);
		im->ent_off = cs->nent;
		ne = image_entries(cs, &cs->scr[0], im, cs->ent + cs->nent);
		cs->nent += ne;
		ncand = sent_total(&cs->sent[im->sent0]);
		rows = (size_t)im->nref * ncand;
		im->align_off = cs->align.n;
		vl_u32v_reserve(&cs->align, rows + 1);
		memset(cs->align.v + cs->align.n, 0, rows * sizeof(uint32_t));
		image_align(cs, &cs->scr[0], im, cs->ent + im->ent_off, cs->align.v + cs->align.n);
		cs->align.n += rows;
		for (size_t j = im->ent_off; j < cs->nent; j++) {
			uint32_t *r = &renum[cs->ent[j].id];
			if (!*r)
				*r = ++next;
			cs->ent[j].id = *r - 1;
		}

		/* distinct reference n-grams */
		re = cs->ent + im->ent_off + ncand;
		im->df_off = cs->df_ids.n;
		lmap_clear(&cs->scr[0], ne - ncand);
		for (size_t j = 0; j < ne - ncand; j++) {
			uint32_t *sl = lmap_find(&cs->scr[0], re[j].id);
			if (sl[1])
				continue;
			sl[0] = re[j].id;
			sl[1] = 1;
			vl_u32v_push(&cs->df_ids, re[j].id);
		}
		im->df_n = (uint32_t)(cs->df_ids.n - im->df_off);
	}
	vl_free(renum);
	cs->have_subset = 1;
}

int vl_caption_set_score(struct vl_caption_set *cs, const size_t *idx, size_t n,
			 struct vl_caption_scores *corpus, struct vl_caption_scores *per)
{
	double testlen = 0, reflen = 0, guess[4] = { 0 }, correct[4] = { 0 };
	uint64_t tl = 0, rl = 0, g[4] = { 0 }, c[4] = { 0 };
	size_t *all = NULL;

	if (!idx)
		n = cs->nimg;
	if (n == 0)
		return VL_EINVAL;
	if (cs->nbuilt != cs->nimg)
		build(cs);
	if (idx && !cs->have_subset)
		build_subset(cs);
	if (!idx) {
		all = vl_xmalloc(n * sizeof(*all));
		for (size_t i = 0; i < n; i++)
			all[i] = i;
		idx = all;
	}
	GROW(cs->vals, n, cs->vals_alloc, 256);

	/* BLEU: integer sums (Python ints) of the cooked counts */
	for (size_t i = 0; i < n; i++) {
		const struct vl_cap_image *im = &cs->img[idx[i]];
		tl += im->testlen;
		rl += im->reflen;
		for (int k = 0; k < 4; k++) {
			g[k] += im->guess[k];
			c[k] += im->correct[k];
		}
	}
	testlen = (double)tl;
	reflen = (double)rl;
	for (int k = 0; k < 4; k++) {
		guess[k] = (double)g[k];
		correct[k] = (double)c[k];
	}
	vl_bleu_from_counts(testlen, reflen, guess, correct, corpus->bleu);

	for (size_t i = 0; i < n; i++)
		cs->vals[i] = cs->img[idx[i]].rouge_l;
	corpus->rouge_l = vl_pairwise_sum(cs->vals, n) / (double)n;

	if (all)
		for (size_t i = 0; i < n; i++)
			cs->vals[i] = cs->img[i].cider_all;
	else
		vl_cider_score(cs, idx, n, cs->vals);
	corpus->cider = vl_pairwise_sum(cs->vals, n) / (double)n;

	if (per) {
		for (size_t i = 0; i < n; i++) {
			const struct vl_cap_image *im = &cs->img[idx[i]];
			memcpy(per[i].bleu, im->bleu, sizeof(im->bleu));
			per[i].rouge_l = im->rouge_l;
			per[i].cider = cs->vals[i];
		}
	}
	vl_free(all);
	return 0;
}
