/*
 * caption_set.c - builds the caption store of caption.h: splits candidate
 * and references the way pycocoevalcap does, interns tokens and n-grams,
 * and keeps per image what BLEU, ROUGE-L and CIDEr-D need; then scores any
 * list of positions (vl_caption_set_score).  The scorers themselves live in
 * bleu.c, rouge.c and cider.c, one each.
 *
 * Adding another n-gram metric: take its per-image counts here in
 * vl_caption_set_add (the interned entries of every sentence are at hand),
 * store them in struct vl_cap_image, and score them in a file of its own.
 */
#include "metrics/caption_set.h"
#include "metrics/metric.h"

#include <string.h>

void vl_u32v_push(struct vl_u32v *v, uint32_t x)
{
	if (v->n == v->alloc) {
		v->alloc = v->alloc ? v->alloc * 2 : 64;
		v->v = vl_xrealloc(v->v, v->alloc * sizeof(*v->v));
	}
	v->v[v->n++] = x;
}

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
	cs->ng_cap = 4096;
	cs->ng_slot = vl_xcalloc(cs->ng_cap, sizeof(*cs->ng_slot));
	vl_buf_init(&cs->tok_text, 4096);
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
	vl_free(cs->ng_slot);
	vl_free(cs->scr);
	vl_free(cs->prefix.v);
	vl_free(cs->sent);
	vl_free(cs->ent);
	vl_free(cs->align.v);
	vl_free(cs->df_ids.v);
	vl_free(cs->img);
	vl_free(cs->words.v);
	vl_free(cs->rouge_cand.v);
	vl_free(cs->rouge_refs.v);
	vl_free(cs->rouge_lens.v);
	vl_free(cs->lcs_row.v);
	vl_free(cs->df);
	vl_free(cs->idf);
	vl_free(cs->wc);
	vl_free(cs->vals);
	vl_free(cs);
}

size_t vl_caption_set_count(const struct vl_caption_set *cs)
{
	return cs->nimg;
}

/* ---- tokens ---------------------------------------------------------- */

static void tok_rehash(struct vl_caption_set *cs)
{
	size_t cap = cs->tok_cap * 2;
	uint32_t *slot = vl_xcalloc(cap, sizeof(*slot));

	for (size_t id = 0; id < cs->ntok; id++) {
		size_t i = (size_t)cs->tok_hash[id] & (cap - 1);
		while (slot[i])
			i = (i + 1) & (cap - 1);
		slot[i] = (uint32_t)id + 1;
	}
	vl_free(cs->tok_slot);
	cs->tok_slot = slot;
	cs->tok_cap = cap;
}

static uint32_t tok_intern(struct vl_caption_set *cs, const char *s, size_t len)
{
	uint64_t h = vl_hash64(s, len, VL_HASH_SEED);
	size_t i = (size_t)h & (cs->tok_cap - 1);
	uint32_t id;

	for (; cs->tok_slot[i]; i = (i + 1) & (cs->tok_cap - 1)) {
		id = cs->tok_slot[i] - 1;
		if (cs->tok_hash[id] == h && cs->tok_len[id] == len &&
		    !memcmp(cs->tok_text.buf + cs->tok_off[id], s, len))
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
	cs->tok_slot[i] = id + 1;
	if (cs->ntok * 2 > cs->tok_cap)
		tok_rehash(cs);
	return id;
}

/* ---- n-grams --------------------------------------------------------- */

static size_t ng_hash(uint32_t a, uint32_t b)
{
	uint64_t h = (uint64_t)a << 32 | b;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (size_t)h;
}

static void ng_rehash(struct vl_caption_set *cs)
{
	size_t cap = cs->ng_cap * 2;
	struct vl_ng_slot *slot = vl_xcalloc(cap, sizeof(*slot));

	for (size_t j = 0; j < cs->ng_cap; j++) {
		const struct vl_ng_slot *o = &cs->ng_slot[j];
		size_t i;
		if (!o->id1)
			continue;
		i = ng_hash(o->prefix, o->last) & (cap - 1);
		while (slot[i].id1)
			i = (i + 1) & (cap - 1);
		slot[i] = *o;
	}
	vl_free(cs->ng_slot);
	cs->ng_slot = slot;
	cs->ng_cap = cap;
}

static uint32_t ng_intern(struct vl_caption_set *cs, uint32_t prefix, uint32_t last)
{
	size_t i = ng_hash(prefix, last) & (cs->ng_cap - 1);
	struct vl_ng_slot *sl;
	uint32_t id;

	for (; (sl = &cs->ng_slot[i])->id1; i = (i + 1) & (cs->ng_cap - 1))
		if (sl->prefix == prefix && sl->last == last)
			return sl->id1 - 1;
	if (cs->nng == cs->ng_alloc) {
		size_t old = cs->ng_alloc, na = old ? old * 2 : 4096;
		cs->scr = vl_xrealloc(cs->scr, na * sizeof(*cs->scr));
		memset(cs->scr + old, 0, (na - old) * sizeof(*cs->scr));
		cs->ng_alloc = na;
	}
	id = (uint32_t)cs->nng++;
	sl->prefix = prefix;
	sl->last = last;
	sl->id1 = id + 1;
	if (cs->nng * 4 > cs->ng_cap * 3)
		ng_rehash(cs);
	return id;
}

/* ---- splitting ------------------------------------------------------- */

/* Byte length of the Python white-space character at p (what str.split()
 * with no argument splits on: str.isspace()), or 0.  ASCII \t \n \v \f \r,
 * \x1c..\x1f, space, and U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000. */
static size_t py_space(const unsigned char *p)
{
	if (*p == ' ' || (*p >= 0x09 && *p <= 0x0d) || (*p >= 0x1c && *p <= 0x1f))
		return 1;
	if (*p < 0x80)
		return 0;
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

/* str.split(): words separated by runs of white space, none empty. */
static void split_py(struct vl_caption_set *cs, const char *s, struct vl_u32v *out)
{
	const unsigned char *p = (const unsigned char *)s;

	out->n = 0;
	for (;;) {
		const unsigned char *w;
		size_t sp;

		while ((sp = py_space(p)))
			p += sp;
		if (!*p)
			return;
		w = p;
		while (*p && !py_space(p))
			p++;
		vl_u32v_push(out, tok_intern(cs, (const char *)w, (size_t)(p - w)));
	}
}

/* str.split(" "): fields between single spaces, empty ones included. */
static void split_space(struct vl_caption_set *cs, const char *s, struct vl_u32v *out)
{
	for (;;) {
		const char *sp = strchr(s, ' ');
		size_t len = sp ? (size_t)(sp - s) : strlen(s);

		vl_u32v_push(out, tok_intern(cs, s, len));
		if (!sp)
			return;
		s = sp + 1;
	}
}

/* Counts the 1..4-grams of words[0..n) into a new sentence, entries in the
 * order a Python dict filled by pycocoevalcap's precook() iterates. */
static size_t add_sentence(struct vl_caption_set *cs, const uint32_t *w, size_t n)
{
	struct vl_cap_sent *st;
	uint32_t serial = ++cs->sent_serial;

	GROW(cs->sent, cs->nsent, cs->sent_alloc, 1024);
	st = &cs->sent[cs->nsent];
	memset(st, 0, sizeof(*st));
	st->off = cs->nent;
	st->len = (uint32_t)n;
	/* prefix.v[i]: id of the (k-1)-gram starting at word i */
	cs->prefix.n = 0;
	for (size_t i = 0; i < n; i++)
		vl_u32v_push(&cs->prefix, UINT32_MAX);
	for (int k = 1; k <= 4; k++) {
		for (size_t i = 0; i + (size_t)k <= n; i++) {
			uint32_t id = ng_intern(cs, cs->prefix.v[i], w[i + (size_t)k - 1]);
			struct vl_ng_scratch *sc = &cs->scr[id];

			cs->prefix.v[i] = id;
			if (sc->sent_stamp == serial) {
				cs->ent[st->off + sc->sent_pos].count++;
				continue;
			}
			sc->sent_stamp = serial;
			sc->sent_pos = (uint32_t)(cs->nent - st->off);
			GROW(cs->ent, cs->nent, cs->ent_alloc, 4096);
			cs->ent[cs->nent].id = id;
			cs->ent[cs->nent].count = 1;
			cs->nent++;
			st->nk[k - 1]++;
		}
	}
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
	const struct vl_cap_sent *cs_cand;
	uint32_t img_serial, ncand, testlen;
	uint32_t best_diff = UINT32_MAX;
	size_t sc;

	if (nref == 0 || nref > UINT32_MAX)
		return VL_EINVAL;
	GROW(cs->img, cs->nimg, cs->img_alloc, 256);
	im = &cs->img[cs->nimg];
	memset(im, 0, sizeof(*im));
	img_serial = ++cs->img_serial;

	split_py(cs, cand, &cs->words);
	sc = add_sentence(cs, cs->words.v, cs->words.n);
	im->sent0 = sc;
	im->nref = (uint32_t)nref;
	im->align_off = cs->align.n;
	im->df_off = cs->df_ids.n;
	testlen = cs->sent[sc].len;
	ncand = sent_total(&cs->sent[sc]);

	for (size_t r = 0; r < nref; r++) {
		size_t sr;
		const struct vl_cap_sent *st;
		uint32_t len, diff;

		split_py(cs, refs[r], &cs->words);
		sr = add_sentence(cs, cs->words.v, cs->words.n);
		st = &cs->sent[sr];
		len = st->len;
		/* closest reference length, ties to the shorter (min over
		 * (|l - testlen|, l) tuples) */
		diff = len > testlen ? len - testlen : testlen - len;
		if (diff < best_diff || (diff == best_diff && len < im->reflen)) {
			best_diff = diff;
			im->reflen = len;
		}
		for (size_t e = st->off; e < st->off + sent_total(st); e++) {
			uint32_t id = cs->ent[e].id, c = cs->ent[e].count;

			struct vl_ng_scratch *sc = &cs->scr[id];

			if (sc->img_stamp != img_serial) {
				sc->img_stamp = img_serial;
				sc->img_max = c;
				vl_u32v_push(&cs->df_ids, id);
			} else if (c > sc->img_max) {
				sc->img_max = c;
			}
		}
		/* the term count in this reference of each candidate n-gram, read
		 * while this reference's stamps are current */
		cs_cand = &cs->sent[sc];
		for (size_t e = cs_cand->off; e < cs_cand->off + ncand; e++) {
			uint32_t id = cs->ent[e].id;
			const struct vl_ng_scratch *sc = &cs->scr[id];
			vl_u32v_push(&cs->align, sc->sent_stamp == cs->sent_serial
				     ? cs->ent[st->off + sc->sent_pos].count : 0);
		}
	}
	im->df_n = (uint32_t)(cs->df_ids.n - im->df_off);

	cs_cand = &cs->sent[sc];
	im->testlen = testlen;
	{
		size_t e = cs_cand->off;
		for (int k = 0; k < 4; k++) {
			im->guess[k] = testlen >= (uint32_t)k + 1 ? testlen - (uint32_t)k : 0;
			for (uint32_t j = 0; j < cs_cand->nk[k]; j++, e++) {
				uint32_t id = cs->ent[e].id, c = cs->ent[e].count;
				uint32_t m = cs->scr[id].img_stamp == img_serial ? cs->scr[id].img_max : 0;
				im->correct[k] += c < m ? c : m;
			}
		}
	}
	{
		double g[4], c[4];
		for (int k = 0; k < 4; k++) {
			g[k] = im->guess[k];
			c[k] = im->correct[k];
		}
		vl_bleu_from_counts(im->testlen, im->reflen, g, c, im->bleu);
	}

	/* ROUGE-L splits differently (single spaces) */
	cs->rouge_cand.n = cs->rouge_refs.n = cs->rouge_lens.n = 0;
	split_space(cs, cand, &cs->rouge_cand);
	for (size_t r = 0; r < nref; r++) {
		size_t before = cs->rouge_refs.n;
		split_space(cs, refs[r], &cs->rouge_refs);
		vl_u32v_push(&cs->rouge_lens, (uint32_t)(cs->rouge_refs.n - before));
	}
	im->rouge_l = vl_rouge_l(cs->rouge_cand.v, cs->rouge_cand.n, cs->rouge_refs.v,
				 cs->rouge_lens.v, nref, &cs->lcs_row);
	cs->nimg++;
	return 0;
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
