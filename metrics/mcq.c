/*
 * mcq.c - multiple choice: the "letter" extractor (option letter from a raw
 * answer), "mcq_accuracy", and CircularEval ("mcq_circular").
 *
 * Letter rules, first that applies wins (valid letters: A.. up to the
 * number of options, A..Z when the sample has none):
 *   1. the whole answer is a letter, possibly decorated: "B", "b", "(B)",
 *      "[B]", "B.", "B)", "B:", "**B**", "'B'";
 *   2. a leading label: "B. a cat", "(B) a cat", "B) a cat", "B: a cat";
 *   3. explicit phrases, case-insensitive: "answer is", "answer:",
 *      "answer would be", "answer should be", "option", "choice", followed by
 *      a capital letter (or a letter in parentheses) standing alone;
 *      all such phrases must agree;
 *   4. the answer equals one option's text (case, punctuation and spacing
 *      ignored);
 *   5. standalone capital letters ("I think B is right"); "A" and "I"
 *      followed by a lowercase word other than "or"/"and" are read as words
 *      (the article, the pronoun), not as letters; all must agree;
 *   6. exactly one option's text occurs in the answer as whole words (an
 *      option whose text lies inside another found option's text is
 *      dropped: "black cat" beats "cat").
 * Two different letters at the rule that decides ("A or B", "Answer: A ...
 * answer: C") make the answer ambiguous: a parse failure, never a guess.
 * A letter beyond the options ("E" of four) is not a valid answer.
 *
 * CircularEval (MMBench): each question is asked once per rotation of its
 * options; the loader gives every rotation the meta key "circular_group" set
 * to the original question's id, and the answer_letter of that rotation.  A
 * group counts as correct only if every rotation in it is answered right.
 */
#include "metrics/mcq.h"
#include "metrics/metric.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

static int valid_letter(int c, const struct vl_strv *options)
{
	size_t n = options && options->n ? options->n : 26;
	if (n > 26)
		n = 26;
	return c >= 'A' && c < 'A' + (int)n;
}

static int is_alnum(int c)
{
	return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* Lowercase, runs of anything but letters and digits to one space, trimmed;
 * padded with a space on each side so that " text " finds whole words. */
static void norm_text(const char *s, struct vl_buf *out)
{
	int space = 1;

	vl_buf_reset(out);
	vl_buf_addch(out, ' ');
	for (; *s; s++) {
		if (is_alnum(*s)) {
			vl_buf_addch(out, tolower((unsigned char)*s));
			space = 0;
		} else if (!space) {
			vl_buf_addch(out, ' ');
			space = 1;
		}
	}
	if (!space)
		vl_buf_addch(out, ' ');
}

/* Rule 1.  t: the trimmed answer of length n. */
static int whole_letter(const char *t, size_t n, const struct vl_strv *options)
{
	size_t i = 0, j = n;
	int c;

	while (i < j && strchr("*`'\"([", t[i]))
		i++;
	while (j > i && strchr("*`'\".:)]", t[j - 1]))
		j--;
	while (i < j && isspace((unsigned char)t[i]))
		i++;
	while (j > i && isspace((unsigned char)t[j - 1]))
		j--;
	if (j - i != 1)
		return VL_MCQ_NONE;
	c = toupper((unsigned char)t[i]);
	return valid_letter(c, options) ? c : VL_MCQ_NONE;
}

/* Rule 2. */
static int leading_label(const char *t, const struct vl_strv *options)
{
	const char *p = t;
	int paren = 0, c;

	if (*p == '(') {
		paren = 1;
		p++;
	}
	c = (unsigned char)*p;
	if (!valid_letter(c, options))
		return VL_MCQ_NONE;
	p++;
	if (paren ? *p != ')' : !(*p == '.' || *p == ')' || *p == ':'))
		return VL_MCQ_NONE;
	p++;
	return *p == '\0' || isspace((unsigned char)*p) ? c : VL_MCQ_NONE;
}

/* Rule 3: letters after the explicit phrases; VL_MCQ_AMBIGUOUS when they
 * disagree. */
static int explicit_phrase(const char *t, const struct vl_strv *options)
{
	static const char *const phrases[] = {
		"answer is", "answer:", "answer would be", "answer should be", "option", "choice",
	};
	int found = VL_MCQ_NONE;

	for (size_t k = 0; k < sizeof(phrases) / sizeof(*phrases); k++) {
		size_t plen = strlen(phrases[k]);
		for (const char *p = t; (p = strcasestr(p, phrases[k])) != NULL; p += plen) {
			const char *q = p + plen;
			int paren = 0, c;

			if (p > t && is_alnum(p[-1]))
				continue;
			while (*q && (isspace((unsigned char)*q) || strchr(":*\"'", *q)))
				q++;
			if (*q == '(' || *q == '[') {
				paren = 1;
				q++;
			}
			c = paren ? toupper((unsigned char)*q) : (unsigned char)*q;
			if (!valid_letter(c, options) || is_alnum(q[1]) || (q[1] == '\'' && is_alnum(q[2])))
				continue;
			if (found && found != c)
				return VL_MCQ_AMBIGUOUS;
			found = c;
		}
	}
	return found;
}

/* Rule 5. */
static int bare_letters(const char *t, const struct vl_strv *options)
{
	int found = VL_MCQ_NONE;

	for (const char *p = t; *p; p++) {
		int c = (unsigned char)*p;
		if (!valid_letter(c, options) || (p > t && is_alnum(p[-1])) || is_alnum(p[1]))
			continue;
		if (p[1] == '\'' && is_alnum(p[2]))
			continue;  /* "A's", "I'm" */
		if ((c == 'A' || c == 'I') && p[1] == ' ' && islower((unsigned char)p[2]) &&
		    strncmp(p + 2, "or", 2) && strncmp(p + 2, "and", 3))
			continue;  /* the article, the pronoun */
		if ((c == 'A' || c == 'I') && p[1] == ' ' &&
		    (!strncmp(p + 2, "or", 2) || !strncmp(p + 2, "and", 3)) &&
		    is_alnum(p[2 + (p[2] == 'o' ? 2 : 3)]))
			continue;  /* "A orange", "I android" */
		if (found && found != c)
			return VL_MCQ_AMBIGUOUS;
		found = c;
	}
	return found;
}

/* Rules 4 (exact = 1) and 6 (exact = 0). */
static int option_text(const char *t, const struct vl_strv *options, int exact)
{
	struct vl_buf a = VL_BUF_INIT, o = VL_BUF_INIT, o2 = VL_BUF_INIT;
	unsigned char hit[26] = { 0 };
	size_t n = options && options->n < 26 ? options->n : 26;
	int found = VL_MCQ_NONE, count = 0;

	if (!options || !options->n)
		return VL_MCQ_NONE;
	norm_text(t, &a);
	for (size_t i = 0; i < n; i++) {
		norm_text(options->v[i], &o);
		if (o.len <= 2)
			continue;  /* empty option */
		if (exact ? !strcmp(a.buf, o.buf) : strstr(a.buf, o.buf) != NULL)
			hit[i] = 1;
	}
	/* drop options whose text lies inside another found option's text */
	for (size_t i = 0; i < n; i++) {
		int inside = 0;
		if (!hit[i])
			continue;
		norm_text(options->v[i], &o);
		for (size_t j = 0; j < n && !inside; j++) {
			if (j == i || !hit[j])
				continue;
			norm_text(options->v[j], &o2);
			inside = o2.len > o.len && strstr(o2.buf, o.buf) != NULL;
		}
		if (!inside) {
			found = 'A' + (int)i;
			count++;
		}
	}
	vl_buf_release(&a);
	vl_buf_release(&o);
	vl_buf_release(&o2);
	return count > 1 ? VL_MCQ_AMBIGUOUS : found;
}

int vl_mcq_letter(const char *raw, const struct vl_strv *options)
{
	struct vl_buf t = VL_BUF_INIT;
	const char *p = raw, *end = raw + strlen(raw);
	int r;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	vl_buf_add(&t, p, (size_t)(end - p));
	if ((r = whole_letter(vl_buf_str(&t), t.len, options)) != VL_MCQ_NONE)
		goto out;
	if ((r = leading_label(vl_buf_str(&t), options)) != VL_MCQ_NONE)
		goto out;
	if ((r = explicit_phrase(vl_buf_str(&t), options)) != VL_MCQ_NONE)
		goto out;
	if ((r = option_text(vl_buf_str(&t), options, 1)) != VL_MCQ_NONE)
		goto out;
	if ((r = bare_letters(vl_buf_str(&t), options)) != VL_MCQ_NONE)
		goto out;
	r = option_text(vl_buf_str(&t), options, 0);
out:
	vl_buf_release(&t);
	return r;
}

static int extract_letter(const char *raw, const struct vl_sample *s,
			  const struct vl_kv *opts, struct vl_buf *out)
{
	int c = vl_mcq_letter(raw, &s->options);

	if (c <= 0)
		return VL_EPARSE;
	vl_buf_addch(out, c);
	return 0;
}

static int truth_letter(const struct vl_sample *s, const struct vl_kv *opts, struct vl_buf *out)
{
	if (!s->answer_letter || !*s->answer_letter)
		return VL_ENOTFOUND;
	vl_buf_adds(out, s->answer_letter);
	return 0;
}

const struct vl_extractor vl_extract_letter = {
	.version = VL_METRIC_API_VERSION,
	.name = "letter",
	.description = "MCQ option letter by rules (letter, label, 'answer is B', option text)",
	.extract = extract_letter,
	.render_truth = truth_letter,
};

/* ---- metrics ---- */

struct mcq_state {
	int circular;
	unsigned char *cell;   /* per sample: bit 0 correct, bit 1 parse failure */
	size_t *group;         /* per sample: group number (circular only) */
	size_t n, alloc;
	/* group id -> number: open addressing over names */
	char **names;          /* owned, by group number */
	size_t ngroups, names_alloc;
	size_t *slots;         /* group number + 1, 0 = empty */
	size_t nslots;
};

static void *mcq_new_plain(const struct vl_kv *opts, struct vl_buf *err)
{
	return vl_xcalloc(1, sizeof(struct mcq_state));
}

static void *mcq_new_circular(const struct vl_kv *opts, struct vl_buf *err)
{
	struct mcq_state *st = vl_xcalloc(1, sizeof(*st));
	st->circular = 1;
	return st;
}

static size_t group_number(struct mcq_state *st, const char *name)
{
	size_t h, i;

	if (2 * (st->ngroups + 1) > st->nslots) {
		size_t ns = st->nslots ? st->nslots * 2 : 1024;
		size_t *slots = vl_xcalloc(ns, sizeof(*slots));
		for (size_t g = 0; g < st->ngroups; g++) {
			h = vl_hash64(st->names[g], strlen(st->names[g]), VL_HASH_SEED) & (ns - 1);
			while (slots[h])
				h = (h + 1) & (ns - 1);
			slots[h] = g + 1;
		}
		vl_free(st->slots);
		st->slots = slots;
		st->nslots = ns;
	}
	h = vl_hash64(name, strlen(name), VL_HASH_SEED) & (st->nslots - 1);
	for (; (i = st->slots[h]) != 0; h = (h + 1) & (st->nslots - 1))
		if (!strcmp(st->names[i - 1], name))
			return i - 1;
	if (st->ngroups == st->names_alloc) {
		st->names_alloc = st->names_alloc ? st->names_alloc * 2 : 256;
		st->names = vl_xrealloc(st->names, st->names_alloc * sizeof(*st->names));
	}
	st->names[st->ngroups] = vl_xstrdup(name);
	st->slots[h] = ++st->ngroups;
	return st->ngroups - 1;
}

static int mcq_add(void *state, const struct vl_sample *s, const char *pred,
		   double *score, struct vl_buf *err)
{
	struct mcq_state *st = state;
	const char *group = NULL;
	int want, got;

	if (!s->answer_letter || strlen(s->answer_letter) != 1 ||
	    !isalpha((unsigned char)s->answer_letter[0])) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no answer letter", s->id);
		return VL_EINVAL;
	}
	if (st->circular && !(group = vl_sample_meta(s, "circular_group"))) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no \"circular_group\" (the original "
				    "question id every rotation shares)", s->id);
		return VL_EINVAL;
	}
	want = toupper((unsigned char)s->answer_letter[0]);
	/* an extracted letter is used as is; anything else goes through the
	 * letter rules, so that raw outputs score the same way */
	got = vl_mcq_letter(pred, &s->options);
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 1024;
		st->cell = vl_xrealloc(st->cell, st->alloc);
		if (st->circular)
			st->group = vl_xrealloc(st->group, st->alloc * sizeof(*st->group));
	}
	if (st->circular)
		st->group[st->n] = group_number(st, group);
	st->cell[st->n++] = (unsigned char)((got == want) | (got <= 0) << 1);
	*score = got == want;
	return 0;
}

static int mcq_finish(void *state, const size_t *idx, size_t n,
		      struct vl_metric_value *out, size_t max)
{
	struct mcq_state *st = state;
	long right = 0, fails = 0, groups = 0, groups_right = 0;
	size_t k = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = st->cell[idx ? idx[i] : i];
		right += c & 1;
		fails += (c >> 1) & 1;
	}
	if (st->circular) {
		/* per group: 1 = seen and all right so far, 2 = seen with a miss */
		unsigned char *g = vl_xcalloc(st->ngroups + 1, 1);
		for (size_t i = 0; i < n; i++) {
			size_t j = idx ? idx[i] : i;
			unsigned char *cell = &g[st->group[j]];
			if (!(st->cell[j] & 1))
				*cell = 2;
			else if (!*cell)
				*cell = 1;
		}
		for (size_t i = 0; i < st->ngroups; i++) {
			groups += g[i] != 0;
			groups_right += g[i] == 1;
		}
		vl_free(g);
		const struct vl_metric_value v[] = {
			{ "circular_acc", groups ? (double)groups_right / (double)groups : NAN, groups, 1 },
			{ "acc", n ? (double)right / (double)n : NAN, (long)n, 1 },
			{ "groups", (double)groups, groups, 0 },
			{ "parse_failures", (double)fails, (long)n, 0 },
			{ "n", (double)n, (long)n, 0 },
		};
		for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
			out[k] = v[k];
		return (int)k;
	}
	const struct vl_metric_value v[] = {
		{ "acc", n ? (double)right / (double)n : NAN, (long)n, 1 },
		{ "parse_failures", (double)fails, (long)n, 0 },
		{ "n", (double)n, (long)n, 0 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

static void mcq_free(void *state)
{
	struct mcq_state *st = state;
	if (!st)
		return;
	for (size_t i = 0; i < st->ngroups; i++)
		vl_free(st->names[i]);
	vl_free(st->names);
	vl_free(st->slots);
	vl_free(st->group);
	vl_free(st->cell);
	vl_free(st);
}

const struct vl_metric vl_metric_mcq_accuracy = {
	.version = VL_METRIC_API_VERSION,
	.name = "mcq_accuracy",
	.description = "multiple-choice accuracy by option letter (unparsed answers are wrong)",
	.higher_is_better = 1,
	.primary = "acc",
	.new_state = mcq_new_plain,
	.add = mcq_add,
	.finish = mcq_finish,
	.free_state = mcq_free,
};

const struct vl_metric vl_metric_mcq_circular = {
	.version = VL_METRIC_API_VERSION,
	.name = "mcq_circular",
	.description = "CircularEval: a question counts only if every rotation is right",
	.higher_is_better = 1,
	.primary = "circular_acc",
	.new_state = mcq_new_circular,
	.add = mcq_add,
	.finish = mcq_finish,
	.free_state = mcq_free,
};
