/*
 * caption.c - the "caption" metric: BLEU-1..4, ROUGE-L and CIDEr-D as
 * pycocoevalcap reports them (Bleu_1..Bleu_4, ROUGE_L, CIDEr), over the
 * sample's reference captions (vl_sample.captions) and the prediction.
 *
 * Option "tokenize": "ptb" (default; the PTB tokenizer with lowercasing and
 * punctuation removal, as COCOEvalCap does before scoring) or "none" (the
 * strings are already tokenized).  The per-sample score is the image's
 * CIDEr-D, known only once the corpus is (sample_score); add() gives NAN.
 */
#include "metrics/caption.h"
#include "metrics/metric.h"
#include "metrics/ptb_tokenize.h"

#include <math.h>
#include <string.h>

struct caption_state {
	struct vl_caption_set *cs;
	int ptb;
	struct vl_buf cand;
	struct vl_buf refbuf;
	size_t *refoff;
	const char **refs;
	size_t ref_alloc;
	/* whole-corpus per-image scores, computed on first use */
	struct vl_caption_scores *per;
	size_t per_n;
};

static void *caption_new(const struct vl_kv *opts, struct vl_buf *err)
{
	const char *tok = opts ? vl_kv_get_or(opts, "tokenize", "ptb") : "ptb";
	struct caption_state *st;

	if (strcmp(tok, "ptb") && strcmp(tok, "none")) {
		if (err)
			vl_buf_addf(err, "caption: unknown tokenize option '%s' (known: ptb, none)", tok);
		return NULL;
	}
	st = vl_xcalloc(1, sizeof(*st));
	st->cs = vl_caption_set_new();
	st->ptb = !strcmp(tok, "ptb");
	vl_buf_init(&st->cand, 256);
	vl_buf_init(&st->refbuf, 1024);
	return st;
}

static int caption_add(void *state, const struct vl_sample *s, const char *pred,
		       double *score, struct vl_buf *err)
{
	struct caption_state *st = state;
	size_t nref = s->captions.n;

	*score = NAN;
	if (nref == 0) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no reference captions", s->id ? s->id : "?");
		return VL_EINVAL;
	}
	if (nref > st->ref_alloc) {
		st->ref_alloc = nref * 2;
		st->refs = vl_xrealloc(st->refs, st->ref_alloc * sizeof(*st->refs));
		st->refoff = vl_xrealloc(st->refoff, st->ref_alloc * sizeof(*st->refoff));
	}
	if (st->ptb) {
		vl_buf_reset(&st->cand);
		vl_ptb_tokenize(pred, VL_PTB_COCO, &st->cand);
		vl_buf_reset(&st->refbuf);
		for (size_t r = 0; r < nref; r++) {
			st->refoff[r] = st->refbuf.len;
			vl_ptb_tokenize(s->captions.v[r], VL_PTB_COCO, &st->refbuf);
			vl_buf_addch(&st->refbuf, '\0');
		}
		for (size_t r = 0; r < nref; r++)
			st->refs[r] = st->refbuf.buf + st->refoff[r];
		pred = vl_buf_str(&st->cand);
	} else {
		for (size_t r = 0; r < nref; r++)
			st->refs[r] = s->captions.v[r];
	}
	st->per_n = 0;
	return vl_caption_set_add(st->cs, pred, st->refs, nref);
}

static int caption_finish(void *state, const size_t *idx, size_t n,
			  struct vl_metric_value *out, size_t max)
{
	struct caption_state *st = state;
	struct vl_caption_scores c;
	size_t k = 0;

	if (!idx)
		n = vl_caption_set_count(st->cs);
	if (n == 0)
		return 0;
	if (vl_caption_set_score(st->cs, idx, n, &c, NULL) < 0)
		return VL_EINVAL;
	const struct vl_metric_value v[] = {
		{ "Bleu_1", c.bleu[0], (long)n, 1 },
		{ "Bleu_2", c.bleu[1], (long)n, 1 },
		{ "Bleu_3", c.bleu[2], (long)n, 1 },
		{ "Bleu_4", c.bleu[3], (long)n, 1 },
		{ "ROUGE_L", c.rouge_l, (long)n, 1 },
		{ "CIDEr", c.cider, (long)n, 1 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

void vl_caption_metric_reserve(void *state, size_t nimg, size_t nsent, size_t nbytes)
{
	struct caption_state *st = state;

	vl_caption_set_reserve(st->cs, nimg, nsent, nbytes);
}

int vl_caption_metric_per_image(void *state, size_t i, struct vl_caption_scores *out)
{
	struct caption_state *st = state;
	size_t n = vl_caption_set_count(st->cs);
	struct vl_caption_scores corpus;

	if (i >= n)
		return VL_EINVAL;
	if (st->per_n != n) {
		vl_free(st->per);
		st->per = vl_xmalloc(n * sizeof(*st->per));
		vl_caption_set_score(st->cs, NULL, 0, &corpus, st->per);
		st->per_n = n;
	}
	*out = st->per[i];
	return 0;
}

static double caption_sample_score(void *state, size_t i)
{
	struct vl_caption_scores s;

	if (vl_caption_metric_per_image(state, i, &s) < 0)
		return NAN;
	return s.cider;
}

static void caption_set_parallel(void *state, vl_parallel_fn *run)
{
	struct caption_state *st = state;

	vl_caption_set_parallel(st->cs, run);
}

static void caption_free(void *state)
{
	struct caption_state *st = state;

	if (!st)
		return;
	vl_caption_set_free(st->cs);
	vl_buf_release(&st->cand);
	vl_buf_release(&st->refbuf);
	vl_free(st->refoff);
	vl_free(st->refs);
	vl_free(st->per);
	vl_free(st);
}

const struct vl_metric vl_metric_caption = {
	.version = VL_METRIC_API_VERSION,
	.name = "caption",
	.description = "BLEU-1..4, ROUGE-L, CIDEr-D as pycocoevalcap (PTB tokenizer in C)",
	.higher_is_better = 1,
	.primary = "CIDEr",
	.new_state = caption_new,
	.add = caption_add,
	.finish = caption_finish,
	.sample_score = caption_sample_score,
	.free_state = caption_free,
	.set_parallel = caption_set_parallel,
};
