/*
 * mmmu.c - MMMU's official parsing and judging (see mmmu.h) and the "mmmu"
 * metric.  The parser follows eval_utils.py step by step; Python string
 * semantics (Unicode strip/split/lower, len in code points, float(),
 * round(x, 2)) come from metrics/pystr.c and metrics/vqa.c, and the three
 * number patterns of extract_numbers run in PCRE2 with Unicode \d and \b.
 *
 * The metric: multiple choice when the sample has options (all_choices
 * A, B, ... and index2ans the option texts; gold the answer letter), open
 * otherwise (gold the answers; a single answer that is a Python list
 * literal is its elements).  Option "mmmu_fallback": "random" (default: the
 * official random.choice, seeded with "mmmu_seed", default 42, drawn in
 * the order samples are added) or "wrong".  It reports acc,
 * parse_failures, parse_failure_rate and random_guesses.
 */
#include "metrics/mmmu.h"
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <math.h>
#include <string.h>

const char *const vl_mmmu_subjects[30] = {
	"Accounting", "Agriculture", "Architecture_and_Engineering", "Art", "Art_Theory",
	"Basic_Medical_Science", "Biology", "Chemistry", "Clinical_Medicine", "Computer_Science",
	"Design", "Diagnostics_and_Laboratory_Medicine", "Economics", "Electronics",
	"Energy_and_Power", "Finance", "Geography", "History", "Literature", "Manage",
	"Marketing", "Materials", "Math", "Mechanical_Engineering", "Music", "Pharmacy",
	"Physics", "Psychology", "Public_Health", "Sociology",
};

const struct vl_mmmu_domain vl_mmmu_domains[6] = {
	{ "Art and Design", { "Art", "Art_Theory", "Design", "Music", NULL } },
	{ "Business", { "Accounting", "Economics", "Finance", "Manage", "Marketing", NULL } },
	{ "Science", { "Biology", "Chemistry", "Geography", "Math", "Physics", NULL } },
	{ "Health and Medicine", { "Basic_Medical_Science", "Clinical_Medicine",
				   "Diagnostics_and_Laboratory_Medicine", "Pharmacy",
				   "Public_Health", NULL } },
	{ "Humanities and Social Science", { "History", "Literature", "Sociology", "Psychology",
					     NULL } },
	{ "Tech and Engineering", { "Agriculture", "Architecture_and_Engineering",
				    "Computer_Science", "Electronics", "Energy_and_Power",
				    "Materials", "Mechanical_Engineering", NULL } },
};

void vl_mmmu_subject_of(const char *id, struct vl_buf *out)
{
	const char *first = strchr(id, '_'), *last = strrchr(id, '_');

	vl_buf_reset(out);
	if (first && last > first)
		vl_buf_add(out, first + 1, (size_t)(last - first - 1));
	vl_buf_addch(out, '\0');
	out->len--;
}

void vl_mmmu_values_release(struct vl_mmmu_values *vs)
{
	for (size_t i = 0; i < vs->n; i++)
		vl_free(vs->v[i].str);
	vl_free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

static void push(struct vl_mmmu_values *vs, int is_num, double num, const char *str, size_t len)
{
	if (vs->n == vs->alloc) {
		vs->alloc = vs->alloc ? vs->alloc * 2 : 8;
		vs->v = vl_xrealloc(vs->v, vs->alloc * sizeof(*vs->v));
	}
	vs->v[vs->n].is_num = is_num;
	vs->v[vs->n].num = num;
	vs->v[vs->n].str = str ? vl_xstrndup(str, len) : NULL;
	vs->n++;
}

static size_t code_points(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

void vl_mmmu_normalize(const char *s, struct vl_mmmu_values *out)
{
	struct vl_buf t = VL_BUF_INIT;
	size_t start, len;
	double x;

	vl_py_strip(s, strlen(s), &start, &len);
	/* check_is_number: float(string.replace(',', '')) */
	for (size_t i = start; i < start + len; i++)
		if (s[i] != ',')
			vl_buf_addch(&t, s[i]);
	if (vl_py_float(vl_buf_str(&t), t.len, &x) == 0) {
		push(out, 1, vl_py_round(x, 2), NULL, 0);
		vl_buf_release(&t);
		return;
	}
	vl_buf_reset(&t);
	vl_py_lower(s + start, len, &t);
	if (code_points(vl_buf_str(&t), t.len) == 1) {
		struct vl_buf a = VL_BUF_INIT;
		vl_buf_addf(&a, " %s", vl_buf_str(&t));
		push(out, 0, 0, a.buf, a.len);
		vl_buf_reset(&a);
		vl_buf_addf(&a, "%s ", vl_buf_str(&t));
		push(out, 0, 0, a.buf, a.len);
		vl_buf_release(&a);
	} else {
		push(out, 0, 0, vl_buf_str(&t), t.len);
	}
	vl_buf_release(&t);
}

/* re.findall of each extract_numbers pattern, in its order. */
static void extract_numbers(const char *s, struct vl_strv *out)
{
	static const char *const pat[] = {
		"-?\\b\\d{1,3}(?:,\\d{3})+\\b",
		"-?\\d+(?:\\.\\d+)?[eE][+-]?\\d+",
		"-?(?:\\d+\\.\\d+|\\.\\d+|\\d+\\b)(?![eE][+-]?\\d+)(?![,\\d])",
	};
	size_t n = strlen(s);

	for (size_t k = 0; k < 3; k++) {
		int errcode;
		PCRE2_SIZE erroff, at = 0;
		/* PCRE2_MATCH_INVALID_UTF: a response may hold invalid UTF-8
		 * (score mmmu reads it with cJSON, which does not check); the
		 * numbers around it are still found, and nothing is read past
		 * a bad lead byte (with PCRE2_NO_UTF_CHECK alone that was
		 * undefined: fuzz_answer_match crashed in pcre2_match) */
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat[k], PCRE2_ZERO_TERMINATED,
					       PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF,
					       &errcode, &erroff, NULL);
		pcre2_match_data *md;

		if (!re)
			continue;
		md = pcre2_match_data_create_from_pattern(re, NULL);
		while (at <= n && pcre2_match(re, (PCRE2_SPTR)s, n, at, 0, md, NULL) >= 0) {
			PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
			vl_strv_push_owned(out, vl_xstrndup(s + ov[0], ov[1] - ov[0]));
			at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;   /* no empty matches here */
		}
		pcre2_match_data_free(md);
		pcre2_code_free(re);
	}
}

/* "resp.split(indicator)[-1].strip()" into out; 1 when indicator occurs. */
static int after_last(const char *resp, const char *ind, struct vl_buf *out)
{
	const char *p = strstr(resp, ind), *last = NULL;
	size_t start, len;

	/* none of the indicators overlaps itself, so the last occurrence is
	 * where split's last piece starts */
	while (p) {
		last = p;
		p = strstr(p + strlen(ind), ind);
	}
	if (!last)
		return 0;
	last += strlen(ind);
	vl_py_strip(last, strlen(last), &start, &len);
	vl_buf_reset(out);
	vl_buf_add(out, last + start, len);
	vl_buf_addch(out, '\0');
	out->len--;
	return 1;
}

static int same_value(const struct vl_mmmu_value *a, const struct vl_mmmu_value *b)
{
	if (a->is_num != b->is_num)
		return 0;
	/* set(): NaN objects are never merged, 0.0 and -0.0 are */
	return a->is_num ? a->num == b->num : !strcmp(a->str, b->str);
}

void vl_mmmu_parse_open(const char *response, struct vl_mmmu_values *out)
{
	static const char *const inds[] = { "could be ", "so ", "is ", "thus ", "therefore ",
					    "final ", "answer ", "result ", "=" };
	struct vl_buf r = VL_BUF_INIT, cand = VL_BUF_INIT, best = VL_BUF_INIT;
	struct vl_strv keys = { 0 }, preds = { 0 };
	struct vl_mmmu_values all = { 0 };
	size_t start, len, b, e;
	const char *piece;
	char *text;

	/* response.strip().strip(".").lower() */
	vl_py_strip(response, strlen(response), &start, &len);
	b = start;
	e = start + len;
	while (b < e && response[b] == '.')
		b++;
	while (e > b && response[e - 1] == '.')
		e--;
	vl_py_lower(response + b, e - b, &r);
	text = vl_xstrdup(vl_buf_str(&r));
	/* the \.\s(?=[A-Z]) alternative cannot match lowercased text */
	piece = text;
	for (;;) {
		char *nl = strchr(piece, '\n');
		int last = nl == NULL, have = 0;
		size_t nind = last ? 9 : 8;

		if (nl)
			*nl = '\0';
		for (size_t k = 0; k < nind; k++) {
			if (!after_last(piece, inds[k], &cand))
				continue;
			/* "if not shortest": an empty candidate is replaced */
			if (!have || !best.len ||
			    code_points(cand.buf, cand.len) < code_points(best.buf, best.len)) {
				vl_buf_reset(&best);
				vl_buf_add(&best, cand.buf, cand.len);
				vl_buf_addch(&best, '\0');
				best.len--;
				have = 1;
			}
		}
		if (have && best.len) {
			size_t s0, l0;
			vl_py_strip(best.buf, best.len, &s0, &l0);
			if (!(l0 == 1 && strchr(":,.!?;'", best.buf[s0])))
				vl_strv_push(&keys, vl_buf_str(&best));
		}
		if (last)
			break;
		piece = nl + 1;
	}
	if (!keys.n)
		vl_strv_push(&keys, vl_buf_str(&r));
	for (size_t i = 0; i < keys.n; i++)
		vl_strv_push(&preds, keys.v[i]);
	for (size_t i = 0; i < keys.n; i++)
		extract_numbers(keys.v[i], &preds);
	for (size_t i = 0; i < preds.n; i++)
		vl_mmmu_normalize(preds.v[i], &all);
	for (size_t i = 0; i < all.n; i++) {
		int dup = 0;
		for (size_t j = 0; j < out->n && !dup; j++)
			dup = same_value(&all.v[i], &out->v[j]);
		if (!dup)
			push(out, all.v[i].is_num, all.v[i].num, all.v[i].str,
			     all.v[i].str ? strlen(all.v[i].str) : 0);
	}
	vl_mmmu_values_release(&all);
	vl_strv_release(&keys);
	vl_strv_release(&preds);
	vl_free(text);
	vl_buf_release(&r);
	vl_buf_release(&cand);
	vl_buf_release(&best);
}

int vl_mmmu_eval_open(const char *const *gold, size_t ngold, const struct vl_mmmu_values *pred)
{
	struct vl_mmmu_values norm = { 0 };
	int correct = 0;

	for (size_t i = 0; i < ngold; i++)
		vl_mmmu_normalize(gold[i], &norm);
	for (size_t i = 0; i < pred->n && !correct; i++)
		for (size_t j = 0; j < norm.n && !correct; j++) {
			if (pred->v[i].is_num)
				correct = norm.v[j].is_num && norm.v[j].num == pred->v[i].num;
			else
				correct = !norm.v[j].is_num && strstr(pred->v[i].str, norm.v[j].str);
		}
	vl_mmmu_values_release(&norm);
	return correct;
}

static size_t count_words(const char *s)
{
	size_t n = strlen(s), i = 0, len, words = 0;
	int in = 0;

	while (i < n) {
		int sp = vl_py_isspace(vl_utf8_at(s, n, i, &len));
		words += !sp && !in;
		in = !sp;
		i += len;
	}
	return words;
}

/* rfind as a byte offset, -1 when absent */
static long rfind(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle), *last = NULL;

	while (p) {
		last = p;
		p = *p ? strstr(p + 1, needle) : NULL;
	}
	return last ? (long)(last - hay) : -1;
}

const char *vl_mmmu_parse_choice(const char *response,
				 const char *const *choices, size_t nchoices,
				 const char *const *keys, const char *const *texts, size_t nans)
{
	static const char strip_chars[] = ",.!?;:'";
	struct vl_buf r = VL_BUF_INIT, pat = VL_BUF_INIT, lo = VL_BUF_INIT, t = VL_BUF_INIT;
	const char **cand = vl_xcalloc(nchoices + nans + 1, sizeof(*cand));
	const char **cand_text = NULL;
	size_t ncand = 0, b = 0, e = strlen(response);
	int brackets = 0, content = 0;
	const char *pick = NULL;

	for (const char *c = strip_chars; *c; c++) {
		while (b < e && response[b] == *c)
			b++;
		while (e > b && response[e - 1] == *c)
			e--;
	}
	vl_buf_addch(&r, ' ');
	vl_buf_add(&r, response + b, e - b);
	vl_buf_addch(&r, ' ');
	for (size_t i = 0; i < nchoices; i++) {
		vl_buf_reset(&pat);
		vl_buf_addf(&pat, "(%s)", choices[i]);
		if (strstr(vl_buf_str(&r), vl_buf_str(&pat))) {
			cand[ncand++] = choices[i];
			brackets = 1;
		}
	}
	if (!ncand)
		for (size_t i = 0; i < nchoices; i++) {
			vl_buf_reset(&pat);
			vl_buf_addf(&pat, " %s ", choices[i]);
			if (strstr(vl_buf_str(&r), vl_buf_str(&pat)))
				cand[ncand++] = choices[i];
		}
	vl_py_lower(r.buf, r.len, &lo);
	if (!ncand && count_words(vl_buf_str(&r)) > 5) {
		cand_text = vl_xcalloc(nans + 1, sizeof(*cand_text));
		for (size_t i = 0; i < nans; i++) {
			vl_buf_reset(&t);
			vl_py_lower(texts[i], strlen(texts[i]), &t);
			if (strstr(vl_buf_str(&lo), vl_buf_str(&t))) {
				cand_text[ncand] = texts[i];
				cand[ncand++] = keys[i];
				content = 1;
			}
		}
	}
	if (ncand == 1) {
		pick = cand[0];
	} else if (ncand > 1) {
		long best = -2;
		/* np.argmax of the last positions: the first maximum wins */
		for (size_t i = 0; i < ncand; i++) {
			long at;
			vl_buf_reset(&pat);
			if (content) {
				vl_py_lower(cand_text[i], strlen(cand_text[i]), &pat);
				at = rfind(vl_buf_str(&lo), vl_buf_str(&pat));
			} else {
				vl_buf_addf(&pat, brackets ? "(%s)" : " %s ", cand[i]);
				at = rfind(vl_buf_str(&r), vl_buf_str(&pat));
			}
			if (at > best) {
				best = at;
				pick = cand[i];
			}
		}
	}
	vl_free(cand);
	vl_free(cand_text);
	vl_buf_release(&r);
	vl_buf_release(&pat);
	vl_buf_release(&lo);
	vl_buf_release(&t);
	return pick;
}

void vl_mmmu_judge(const struct vl_mmmu_item *it, struct vl_pyrandom *rng,
		   struct vl_mmmu_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!it->multiple_choice) {
		vl_mmmu_parse_open(it->response, &res->open);
		res->correct = vl_mmmu_eval_open(it->gold, it->ngold, &res->open);
		return;
	}
	if (it->preparsed) {
		res->letter = it->response;
	} else {
		res->letter = vl_mmmu_parse_choice(it->response, it->choices, it->nchoices, it->keys,
						   it->texts, it->nans);
		if (!res->letter) {
			res->parse_failed = 1;
			if (rng && it->nchoices) {
				res->letter = it->choices[vl_pyrandom_below(rng, (uint32_t)it->nchoices)];
				res->fallback_drawn = 1;
			}
		}
	}
	/* eval_multi_choice: equal to the gold, or to one of a gold list */
	for (size_t i = 0; i < it->ngold && res->letter && !res->correct; i++)
		res->correct = !strcmp(it->gold[i], res->letter);
}

/* ---- the "mmmu" metric ---------------------------------------------------- */

struct mmmu_state {
	int random;
	struct vl_pyrandom rng;
	unsigned char *cell;   /* per sample: bit 0 correct, bit 1 parse failure, bit 2 drawn */
	size_t n, alloc;
};

static void *mmmu_new(const struct vl_kv *opts, struct vl_buf *err)
{
	const char *fb = vl_kv_get_or(opts, "mmmu_fallback", "random");
	struct mmmu_state *st;
	long seed;

	if (strcmp(fb, "random") && strcmp(fb, "wrong")) {
		if (err)
			vl_buf_addf(err, "metric option mmmu_fallback: '%s' is not 'random' or 'wrong'",
				    fb);
		return NULL;
	}
	if (vl_kv_get_long(opts, "mmmu_seed", 42, &seed, err) < 0)
		return NULL;
	if (seed < 0 || seed > 0xffffffffL) {
		if (err)
			vl_buf_addf(err, "metric option mmmu_seed: %ld is not in 0..4294967295", seed);
		return NULL;
	}
	st = vl_xcalloc(1, sizeof(*st));
	st->random = !strcmp(fb, "random");
	vl_pyrandom_seed(&st->rng, (uint32_t)seed);
	return st;
}

static int mmmu_add(void *state, const struct vl_sample *s, const char *pred,
		    double *score, struct vl_buf *err)
{
	static const char *const letters[26] = {
		"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M",
		"N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z",
	};
	struct mmmu_state *st = state;
	struct vl_mmmu_item it = { 0 };
	struct vl_mmmu_result res;
	struct vl_strv list = { 0 };
	const char *gold1[1];

	it.response = pred;
	if (s->options.n) {
		if (!s->answer_letter) {
			if (err)
				vl_buf_addf(err, "sample '%s' has no answer letter", s->id);
			return VL_EINVAL;
		}
		it.multiple_choice = 1;
		it.choices = letters;
		it.nchoices = it.nans = s->options.n < 26 ? s->options.n : 26;
		it.keys = letters;
		it.texts = (const char *const *)s->options.v;
		gold1[0] = s->answer_letter;
		it.gold = gold1;
		it.ngold = 1;
	} else {
		if (!s->answers.n) {
			if (err)
				vl_buf_addf(err, "sample '%s' has no answer", s->id);
			return VL_EINVAL;
		}
		it.gold = (const char *const *)s->answers.v;
		it.ngold = s->answers.n;
		if (s->answers.n == 1 && vl_py_str_list(s->answers.v[0], &list) == 0 && list.n) {
			it.gold = (const char *const *)list.v;
			it.ngold = list.n;
		}
	}
	vl_mmmu_judge(&it, st->random ? &st->rng : NULL, &res);
	vl_mmmu_values_release(&res.open);
	vl_strv_release(&list);
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 1024;
		st->cell = vl_xrealloc(st->cell, st->alloc);
	}
	st->cell[st->n++] = (unsigned char)(res.correct | res.parse_failed << 1 |
					    res.fallback_drawn << 2);
	*score = res.correct;
	return 0;
}

static int mmmu_finish(void *state, const size_t *idx, size_t n,
		       struct vl_metric_value *out, size_t max)
{
	struct mmmu_state *st = state;
	long right = 0, fails = 0, drawn = 0;
	size_t k = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = st->cell[idx ? idx[i] : i];
		right += c & 1;
		fails += c >> 1 & 1;
		drawn += c >> 2 & 1;
	}
	const struct vl_metric_value v[] = {
		{ "acc", n ? (double)right / (double)n : NAN, (long)n, 1 },
		{ "parse_failure_rate", n ? (double)fails / (double)n : NAN, (long)n, 0 },
		{ "parse_failures", (double)fails, (long)n, 0 },
		{ "random_guesses", (double)drawn, (long)n, 0 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

/* The score as the corpus pass judged it: a fallback draw depends on the
 * order samples are added, so the score given at answer time (in
 * completion order) is replaced by this one. */
static double mmmu_sample_score(void *state, size_t i)
{
	const struct mmmu_state *st = state;

	return i < st->n ? (double)(st->cell[i] & 1) : NAN;
}

static void mmmu_free(void *state)
{
	struct mmmu_state *st = state;

	if (!st)
		return;
	vl_free(st->cell);
	vl_free(st);
}

const struct vl_metric vl_metric_mmmu = {
	.version = VL_METRIC_API_VERSION,
	.name = "mmmu",
	.description = "MMMU accuracy with the official answer parsing; an unparsed multiple-"
		       "choice answer is a seeded random.choice (reported) or wrong",
	.higher_is_better = 1,
	.primary = "acc",
	.new_state = mmmu_new,
	.add = mmmu_add,
	.finish = mmmu_finish,
	.sample_score = mmmu_sample_score,
	.free_state = mmmu_free,
};
