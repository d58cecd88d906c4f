/*
 * vqa.c - VQA accuracy ("vqa_accuracy"), a port of GT-Vision-Lab/VQA
 * PythonEvaluationTools/vqaEvaluation/vqaEval.py at a013f00 (2021), with the
 * 2017 revision (a4f1afd) selectable by the "revision" option.
 *
 * Every quirk of the official code is reproduced on purpose (see
 * tests/fixtures/reference/README.md, "vqa/"):
 *   - answers and prediction: "\n" and "\t" become spaces, then Python's
 *     strip() (Unicode white space);
 *   - when the ground-truth answers are all identical nothing is normalised
 *     (2021): "Yes" scores 0 against ten "yes";
 *   - processPunctuation: the 21 characters are deleted everywhere when the
 *     ORIGINAL text has that character followed or preceded by a space, or
 *     has digit-comma-digit anywhere; otherwise replaced by a space.  Then a
 *     "." not followed by a digit is deleted, at most 32 times (re.UNICODE,
 *     value 32, passed as the count argument of re.sub);
 *   - processDigitArticle: Python's lower(), split on white space, number
 *     words to digits, articles dropped, the contractions table (including
 *     its oddities: "somebody'd" becomes "somebodyd", keys with capitals
 *     never match after lower());
 *   - per question the sequential sum of min(1, matches among the other
 *     answers / 3), divided by the number of answers; aggregates
 *     100 x sequential sum / count in add order, rounded by Python 3 round().
 *
 * The per-answer path allocates nothing once the scratch buffers have grown:
 * 214k questions x 10 answers normalise in a fraction of a second.
 */
#include "metrics/metric.h"
#include "metrics/vqa.h"
#include "metrics/pystr.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof(*(a)))

/* ---- the normalisation -------------------------------------------------- */

/* ; / [ ] " { } ( ) = + \ _ - > < @ ` , ? ! in the official order */
static const char punct_chars[] = ";/[]\"{}()=+\\_-><@`,?!";

static signed char punct_index[128];
static int punct_ready;

static void punct_init(void)
{
	int k = 0;

	if (punct_ready)
		return;
	memset(punct_index, -1, sizeof(punct_index));
	for (const char *p = punct_chars; *p; p++)
		punct_index[(unsigned char)*p] = (signed char)k++;
	punct_ready = 1;
}

void vl_vqa_process_punctuation(const char *in, size_t n, struct vl_buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	uint32_t del = 0;   /* bit k: punctuation k is deleted, not spaced */
	int comma_digit = 0;
	size_t i, len, start, deleted = 0;
	struct vl_buf tmp;

	punct_init();
	for (i = 0; i < n; i++) {
		int k;
		if (s[i] >= 0x80)
			continue;
		if (s[i] == ',' && !comma_digit && i > 0 && i + 1 < n &&
		    vl_py_isdecimal(vl_utf8_before((const char *)s, i, &start)) && vl_py_isdecimal(vl_utf8_at((const char *)s, n, i + 1, &len)))
			comma_digit = 1;
		k = punct_index[s[i]];
		if (k >= 0 && ((i + 1 < n && s[i + 1] == ' ') || (i > 0 && s[i - 1] == ' ')))
			del |= UINT32_C(1) << k;
	}
	if (comma_digit)
		del = ~UINT32_C(0);

	/* the punctuation pass writes into out, the period pass compacts out
	 * in place (it only deletes, and its lookahead reads ahead of the
	 * write position, where nothing has been changed yet) */
	vl_buf_reset(out);
	vl_buf_grow(out, n);
	for (i = 0; i < n; i++) {
		int k = s[i] < 0x80 ? punct_index[s[i]] : -1;
		if (k < 0)
			out->buf[out->len++] = (char)s[i];
		else if (!(del >> k & 1))
			out->buf[out->len++] = ' ';
	}
	out->buf[out->len] = '\0';
	tmp = *out;
	{
		unsigned char *o = (unsigned char *)tmp.buf;
		size_t w = 0, m = tmp.len;
		for (i = 0; i < m; i++) {
			if (o[i] == '.' && deleted < 32 &&
			    !(i + 1 < m && vl_py_isdecimal(vl_utf8_at((const char *)o, m, i + 1, &len)))) {
				deleted++;
				continue;
			}
			o[w++] = o[i];
		}
		out->len = w;
		out->buf[w] = '\0';
	}
}

#define C(a, b) { a, sizeof(a) - 1, b }
static const struct { const char *from; size_t len; const char *to; } number_words[] = {
	C("none", "0"), C("zero", "0"), C("one", "1"), C("two", "2"),
	C("three", "3"), C("four", "4"), C("five", "5"), C("six", "6"),
	C("seven", "7"), C("eight", "8"), C("nine", "9"), C("ten", "10"),
};
#undef C

/* vqaEval.py's contractions table (120 entries), sorted by bytes for binary
 * search.  Copied as data, oddities included. */
#define C(a, b) { a, sizeof(a) - 1, b }
static const struct { const char *from; size_t len; const char *to; } contractions[] = {
	C("'ow'sat", "'ow's'at"),
	C("'ows'at", "'ow's'at"),
	C("I'dve", "I'd've"),
	C("Id've", "I'd've"),
	C("Im", "I'm"),
	C("Ive", "I've"),
	C("aint", "ain't"),
	C("arent", "aren't"),
	C("cant", "can't"),
	C("couldn'tve", "couldn't've"),
	C("couldnt", "couldn't"),
	C("couldnt've", "couldn't've"),
	C("couldve", "could've"),
	C("didnt", "didn't"),
	C("doesnt", "doesn't"),
	C("dont", "don't"),
	C("hadn'tve", "hadn't've"),
	C("hadnt", "hadn't"),
	C("hadnt've", "hadn't've"),
	C("hasnt", "hasn't"),
	C("havent", "haven't"),
	C("he'dve", "he'd've"),
	C("hed", "he'd"),
	C("hed've", "he'd've"),
	C("hes", "he's"),
	C("howd", "how'd"),
	C("howll", "how'll"),
	C("hows", "how's"),
	C("isnt", "isn't"),
	C("it'dve", "it'd've"),
	C("itd", "it'd"),
	C("itd've", "it'd've"),
	C("itll", "it'll"),
	C("let's", "let's"),
	C("maam", "ma'am"),
	C("mightn'tve", "mightn't've"),
	C("mightnt", "mightn't"),
	C("mightnt've", "mightn't've"),
	C("mightve", "might've"),
	C("mustnt", "mustn't"),
	C("mustve", "must've"),
	C("neednt", "needn't"),
	C("notve", "not've"),
	C("oclock", "o'clock"),
	C("oughtnt", "oughtn't"),
	C("ow's'at", "'ow's'at"),
	C("shant", "shan't"),
	C("she'dve", "she'd've"),
	C("she's", "she's"),
	C("shed've", "she'd've"),
	C("shouldn'tve", "shouldn't've"),
	C("shouldnt", "shouldn't"),
	C("shouldnt've", "shouldn't've"),
	C("shouldve", "should've"),
	C("somebody'd", "somebodyd"),
	C("somebody'dve", "somebody'd've"),
	C("somebodyd've", "somebody'd've"),
	C("somebodyll", "somebody'll"),
	C("somebodys", "somebody's"),
	C("someone'dve", "someone'd've"),
	C("someoned", "someone'd"),
	C("someoned've", "someone'd've"),
	C("someonell", "someone'll"),
	C("someones", "someone's"),
	C("something'dve", "something'd've"),
	C("somethingd", "something'd"),
	C("somethingd've", "something'd've"),
	C("somethingll", "something'll"),
	C("thats", "that's"),
	C("there'dve", "there'd've"),
	C("thered", "there'd"),
	C("thered've", "there'd've"),
	C("therere", "there're"),
	C("theres", "there's"),
	C("they'dve", "they'd've"),
	C("theyd", "they'd"),
	C("theyd've", "they'd've"),
	C("theyll", "they'll"),
	C("theyre", "they're"),
	C("theyve", "they've"),
	C("twas", "'twas"),
	C("wasnt", "wasn't"),
	C("we'dve", "we'd've"),
	C("wed've", "we'd've"),
	C("werent", "weren't"),
	C("weve", "we've"),
	C("whatll", "what'll"),
	C("whatre", "what're"),
	C("whats", "what's"),
	C("whatve", "what've"),
	C("whens", "when's"),
	C("whered", "where'd"),
	C("wheres", "where's"),
	C("whereve", "where've"),
	C("who'dve", "who'd've"),
	C("whod", "who'd"),
	C("whod've", "who'd've"),
	C("wholl", "who'll"),
	C("whos", "who's"),
	C("whove", "who've"),
	C("whyll", "why'll"),
	C("whyre", "why're"),
	C("whys", "why's"),
	C("wont", "won't"),
	C("wouldn'tve", "wouldn't've"),
	C("wouldnt", "wouldn't"),
	C("wouldnt've", "wouldn't've"),
	C("wouldve", "would've"),
	C("y'all'dve", "y'all'd've"),
	C("y'alld've", "y'all'd've"),
	C("y'allll", "y'all'll"),
	C("yall", "y'all"),
	C("yall'd've", "y'all'd've"),
	C("yall'll", "y'all'll"),
	C("you'dve", "you'd've"),
	C("youd", "you'd"),
	C("youd've", "you'd've"),
	C("youll", "you'll"),
	C("youre", "you're"),
	C("youve", "you've"),
};
#undef C

static const char *contraction_of(const char *w, size_t n)
{
	size_t lo = 0, hi = NELEM(contractions);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const unsigned char *k = (const unsigned char *)contractions[mid].from;
		const unsigned char *u = (const unsigned char *)w;
		size_t kl = contractions[mid].len, m = n < kl ? n : kl, j = 0;
		int c;

		/* inline: the words are short and a library call costs more */
		while (j < m && u[j] == k[j])
			j++;
		c = j < m ? (u[j] < k[j] ? -1 : 1) : n < kl ? -1 : n > kl;
		if (c < 0)
			hi = mid;
		else if (c > 0)
			lo = mid + 1;
		else
			return contractions[mid].to;
	}
	return NULL;
}

#define word_is(w, n, lit) ((n) == sizeof(lit) - 1 && !memcmp((w), lit, sizeof(lit) - 1))

void vl_vqa_process_digit_article(const char *in, size_t n, struct vl_buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, len;

	vl_buf_reset(out);
	vl_buf_grow(out, n);
	/* Each word is lowered straight into out and then kept, replaced or
	 * taken back, so nothing is allocated per word.  White space stops the
	 * Final_Sigma scan (it is neither cased nor case-ignorable), so lowering
	 * word by word equals lower() of the whole string, and lowering never
	 * creates or removes white space. */
	while (i < n) {
		size_t start, mark = out->len, w;
		const char *rep = NULL;

		while (i < n && vl_py_isspace(vl_utf8_at((const char *)s, n, i, &len)))
			i += len;
		if (i >= n)
			break;
		start = i;
		while (i < n && !vl_py_isspace(vl_utf8_at((const char *)s, n, i, &len)))
			i += len;
		if (out->len)
			vl_buf_addch(out, ' ');
		w = out->len;
		vl_py_lower(in + start, i - start, out);
		for (size_t k = 0; k < NELEM(number_words); k++)
			if (out->len - w == number_words[k].len &&
			    !memcmp(out->buf + w, number_words[k].from, number_words[k].len)) {
				vl_buf_setlen(out, w);
				vl_buf_adds(out, number_words[k].to);
				break;
			}
		if (word_is(out->buf + w, out->len - w, "a") ||
		    word_is(out->buf + w, out->len - w, "an") ||
		    word_is(out->buf + w, out->len - w, "the")) {
			vl_buf_setlen(out, mark);
			continue;
		}
		rep = contraction_of(out->buf + w, out->len - w);
		if (rep) {
			vl_buf_setlen(out, w);
			vl_buf_adds(out, rep);
		}
	}
}

/* ---- one question ------------------------------------------------------- */

void vl_vqa_scratch_release(struct vl_vqa_scratch *sc)
{
	vl_buf_release(&sc->arena);
	vl_buf_release(&sc->tmp1);
	vl_buf_release(&sc->tmp2);
	vl_buf_release(&sc->word);
	vl_free(sc->off);
	vl_free(sc->len);
	vl_free(sc->memo);
	vl_buf_release(&sc->memo_text);
	memset(sc, 0, sizeof(*sc));
}

/* Appends s[0..n) to the arena with "\n" and "\t" turned into spaces and
 * Python's strip() applied; returns its offset, *outlen its length. */
static size_t put_stripped(struct vl_vqa_scratch *sc, const char *in, size_t n, size_t *outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t a = 0, b = n, len, start, off;

	/* an ASCII non-space byte at both ends (the usual answer): nothing
	 * to strip, no need to decode characters */
	if (n && s[0] > 0x20 && s[0] < 0x80 && s[n - 1] > 0x20 && s[n - 1] < 0x80)
		goto copy;
	while (a < b) {
		uint32_t c = vl_utf8_at((const char *)s, b, a, &len);
		if (!(c == '\n' || c == '\t' || vl_py_isspace(c)))
			break;
		a += len;
	}
	while (b > a) {
		uint32_t c = vl_utf8_before((const char *)s, b, &start);
		if (start < a || !(c == '\n' || c == '\t' || vl_py_isspace(c)))
			break;
		b = start;
	}
copy:
	off = sc->arena.len;
	if (off + (b - a) + 2 > sc->arena.alloc)
		vl_buf_grow(&sc->arena, b - a + 1);
	for (size_t i = a; i < b; i++)
		sc->arena.buf[sc->arena.len++] = (char)(s[i] == '\n' || s[i] == '\t' ? ' ' : s[i]);
	sc->arena.buf[sc->arena.len++] = '\0';
	*outlen = b - a;
	return off;
}

static size_t put_raw(struct vl_vqa_scratch *sc, const char *s, size_t n)
{
	size_t off = sc->arena.len;
	vl_buf_add(&sc->arena, s, n);
	vl_buf_addch(&sc->arena, '\0');
	return off;
}

/* Memo bounds: entries (a power of two, kept at most half full) and bytes
 * of text; past them strings are normalised without being remembered. */
#define VQA_MEMO_MAX_SLOTS (1u << 20)
#define VQA_MEMO_MAX_TEXT (64u << 20)
#define VQA_MEMO_MAX_LEN 256

static void memo_grow(struct vl_vqa_scratch *sc)
{
	size_t ncap = sc->memo_cap ? sc->memo_cap * 2 : 1024;
	struct vl_vqa_memo *m = vl_xcalloc(ncap, sizeof(*m));

	for (size_t i = 0; i < sc->memo_cap; i++) {
		size_t j;
		if (!sc->memo[i].hash)
			continue;
		for (j = sc->memo[i].hash & (ncap - 1); m[j].hash; j = (j + 1) & (ncap - 1))
			;
		m[j] = sc->memo[i];
	}
	vl_free(sc->memo);
	sc->memo = m;
	sc->memo_cap = ncap;
}

/* Replaces the string at (*off, *len) with its processPunctuation (and, when
 * digits is set, processDigitArticle) form, appended to the arena.  The
 * result is a pure function of (string, digits): it is remembered. */
static void normalise(struct vl_vqa_scratch *sc, size_t *off, size_t *len, int digits)
{
	const char *in = sc->arena.buf + *off;
	size_t n = *len, slot = 0;
	uint64_t h = 0;
	int memo = n <= VQA_MEMO_MAX_LEN;
	const struct vl_buf *res;

	if (memo) {
		/* hash 0 marks an empty slot: real hashes are odd */
		h = vl_hash64(in, n, VL_HASH_SEED + (uint64_t)digits) | 1;
		if (sc->memo_cap) {
			for (slot = h & (sc->memo_cap - 1); sc->memo[slot].hash;
			     slot = (slot + 1) & (sc->memo_cap - 1)) {
				const struct vl_vqa_memo *e = &sc->memo[slot];
				if (e->hash == h && e->in_len == n &&
				    !memcmp(sc->memo_text.buf + e->in_off, in, n)) {
					size_t olen = e->out_len;
					*off = put_raw(sc, sc->memo_text.buf + e->out_off, olen);
					*len = olen;
					return;
				}
			}
		}
	}
	vl_vqa_process_punctuation(in, n, &sc->tmp1);
	if (digits) {
		vl_vqa_process_digit_article(sc->tmp1.buf, sc->tmp1.len, &sc->tmp2);
		res = &sc->tmp2;
	} else {
		res = &sc->tmp1;
	}
	if (memo && sc->memo_text.len + n + res->len <= VQA_MEMO_MAX_TEXT &&
	    (sc->memo_n + 1) * 2 <= VQA_MEMO_MAX_SLOTS) {
		struct vl_vqa_memo e;
		if ((sc->memo_n + 1) * 2 > sc->memo_cap) {
			memo_grow(sc);
			for (slot = h & (sc->memo_cap - 1); sc->memo[slot].hash;
			     slot = (slot + 1) & (sc->memo_cap - 1))
				;
		}
		e.hash = h;
		e.in_off = (uint32_t)sc->memo_text.len;
		e.in_len = (uint32_t)n;
		vl_buf_add(&sc->memo_text, sc->arena.buf + *off, n);
		e.out_off = (uint32_t)sc->memo_text.len;
		e.out_len = (uint32_t)res->len;
		vl_buf_add(&sc->memo_text, res->buf, res->len);
		sc->memo[slot] = e;
		sc->memo_n++;
	}
	*off = put_raw(sc, res->buf, res->len);
	*len = res->len;
}

static int same(const struct vl_vqa_scratch *sc, size_t i, size_t j)
{
	return sc->len[i] == sc->len[j] &&
	       !memcmp(sc->arena.buf + sc->off[i], sc->arena.buf + sc->off[j], sc->len[i]);
}

double vl_vqa_question_accuracy(struct vl_vqa_scratch *sc, const char *pred,
				const char *const *answers, size_t n,
				enum vl_vqa_revision rev)
{
	size_t i, matches = 0, plen;
	const char *p;
	int all_same = 1;
	double sum = 0;

	vl_buf_reset(&sc->arena);
	sc->n = n;
	sc->processed = 0;
	if (n > sc->cap) {
		sc->cap = n > 16 ? n : 16;
		sc->off = vl_xrealloc(sc->off, sc->cap * sizeof(size_t));
		sc->len = vl_xrealloc(sc->len, sc->cap * sizeof(size_t));
	}
	for (i = 0; i < n; i++) {
		if (rev == VL_VQA_REV_2021) {
			sc->off[i] = put_stripped(sc, answers[i], strlen(answers[i]), &sc->len[i]);
		} else {
			sc->len[i] = strlen(answers[i]);
			sc->off[i] = put_raw(sc, answers[i], sc->len[i]);
		}
		if (i && all_same && !same(sc, i, 0))
			all_same = 0;
	}
	sc->pred_off = put_stripped(sc, pred, strlen(pred), &sc->pred_len);
	if (rev == VL_VQA_REV_2021) {
		if (!all_same) {
			for (i = 0; i < n; i++)
				normalise(sc, &sc->off[i], &sc->len[i], 1);
			normalise(sc, &sc->pred_off, &sc->pred_len, 1);
			sc->processed = 1;
		}
	} else {
		/* 2017: the prediction always, the answers only punctuation and
		 * only when they differ */
		if (!all_same)
			for (i = 0; i < n; i++)
				normalise(sc, &sc->off[i], &sc->len[i], 0);
		normalise(sc, &sc->pred_off, &sc->pred_len, 1);
		sc->processed = !all_same;
	}
	if (!n)
		return NAN;
	p = sc->arena.buf + sc->pred_off;
	plen = sc->pred_len;
	for (i = 0; i < n; i++)
		matches += sc->len[i] == plen && !memcmp(sc->arena.buf + sc->off[i], p, plen);
	for (i = 0; i < n; i++) {
		size_t others = matches - (sc->len[i] == plen &&
					   !memcmp(sc->arena.buf + sc->off[i], p, plen));
		/* min(1, float(len(matchingAns)) / 3), summed in order */
		sum += others >= 3 ? 1.0 : (double)others / 3.0;
	}
	return sum / (double)n;
}

const char *vl_vqa_scratch_pred(const struct vl_vqa_scratch *sc)
{
	return sc->arena.buf ? sc->arena.buf + sc->pred_off : "";
}

const char *vl_vqa_scratch_answer(const struct vl_vqa_scratch *sc, size_t i)
{
	return i < sc->n ? sc->arena.buf + sc->off[i] : NULL;
}

int vl_vqa_revision_parse(const char *s, enum vl_vqa_revision *out)
{
	if (!s || !strcmp(s, "2021") || !strcmp(s, "a013f00"))
		*out = VL_VQA_REV_2021;
	else if (!strcmp(s, "2017") || !strcmp(s, "a4f1afd"))
		*out = VL_VQA_REV_2017;
	else
		return VL_EINVAL;
	return 0;
}

/* ---- the metric --------------------------------------------------------- */

struct vqa_state {
	enum vl_vqa_revision rev;
	struct vl_vqa_scratch sc;
	struct vl_per_sample acc;  /* per added sample, the fraction */
};

static void *vqa_new(const struct vl_kv *opts, struct vl_buf *err)
{
	struct vqa_state *st;
	const char *rev = opts ? vl_kv_get(opts, "revision") : NULL;
	enum vl_vqa_revision r;

	if (vl_vqa_revision_parse(rev, &r) < 0) {
		if (err)
			vl_buf_addf(err, "vqa_accuracy: unknown \"revision\" '%s' (known: 2021, 2017)", rev);
		return NULL;
	}
	st = vl_xcalloc(1, sizeof(*st));
	st->rev = r;
	return st;
}

static int vqa_add(void *state, const struct vl_sample *s, const char *pred,
		   double *score, struct vl_buf *err)
{
	struct vqa_state *st = state;
	double a;

	if (!s->answers.n) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no ground-truth answers", s->id);
		return VL_EINVAL;
	}
	a = vl_vqa_question_accuracy(&st->sc, pred, (const char *const *)s->answers.v,
				     s->answers.n, st->rev);
	vl_per_sample_add(&st->acc, a);
	*score = a;
	return 0;
}

static int vqa_finish(void *state, const size_t *idx, size_t n,
		      struct vl_metric_value *out, size_t max)
{
	struct vqa_state *st = state;
	double sum = vl_per_sample_sum(&st->acc, idx, n, &n), pct;
	size_t k = 0;

	/* round(100*float(sum(accQA))/len(accQA), 2), in that order */
	pct = n ? 100.0 * sum / (double)n : NAN;
	const struct vl_metric_value v[] = {
		{ "overall", vl_py_round(pct, 2), (long)n, 1 },
		{ "overall_unrounded", pct, (long)n, 0 },
	};
	for (; k < NELEM(v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

static void vqa_free(void *state)
{
	struct vqa_state *st = state;

	if (!st)
		return;
	vl_vqa_scratch_release(&st->sc);
	vl_per_sample_release(&st->acc);
	vl_free(st);
}

const struct vl_metric vl_metric_vqa_accuracy = {
	.version = VL_METRIC_API_VERSION,
	.name = "vqa_accuracy",
	.description = "VQA accuracy, official vqaEval.py (2021; option revision=2017)",
	.higher_is_better = 1,
	.primary = "overall",
	.new_state = vqa_new,
	.add = vqa_add,
	.finish = vqa_finish,
	.free_state = vqa_free,
};
