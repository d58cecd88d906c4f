/*
 * answer.c - prompt reading and answering for `pixels` (see answer.h).
 *
 * The prompt is lowercased and searched for the words of the templates:
 * colour, shape (singular or plural), size and position words, and a few
 * question openings ("how many", "what color", "is there", "are there
 * more", "which object is furthest to the left").  Multiple-choice prompts
 * (lines "A. ...") are answered freely first, then the free answer is
 * matched to an option's text.
 */
#include "backends/pixels/answer.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Position of word w in s as a whole word, or NULL. */
static const char *find_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = strstr(s, w); p; p = strstr(p + 1, w))
		if ((p == s || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]))
			return p;
	return NULL;
}

/* Index of the first name of table (n entries) mentioned in s, also via
 * the plural table when given; -1 when none.  *at receives where. */
static int first_of(const char *s, const char *const *table, const char *const *plurals, int n,
		    const char **at)
{
	int best = -1;
	const char *where = NULL;

	for (int i = 0; i < n; i++) {
		const char *p = find_word(s, table[i]);
		const char *q = plurals ? find_word(s, plurals[i]) : NULL;
		if (q && (!p || q < p))
			p = q;
		if (p && (!where || p < where)) {
			where = p;
			best = i;
		}
	}
	if (at)
		*at = where;
	return best;
}

struct query {
	int colour, shape, size;
	int where;                   /* -1, 0 left, 1 right, 2 top, 3 bottom */
};

static void parse_query(const char *s, struct query *q)
{
	q->colour = first_of(s, px_colour_names, NULL, PX_NCOLOURS, NULL);
	q->shape = first_of(s, px_shape_names, px_shape_plurals, PX_NSHAPES, NULL);
	q->size = first_of(s, px_size_names, NULL, 3, NULL);
	q->where = strstr(s, "left") ? 0 : strstr(s, "right") ? 1 : strstr(s, "top") ? 2
		 : strstr(s, "bottom") ? 3 : -1;
}

static int matches(const struct px_object *o, int colour, int shape, int size)
{
	return (colour < 0 || o->colour == colour) && (shape < 0 || o->shape == shape) &&
	       (size < 0 || o->size == size);
}

static int count(const struct px_scene *sc, int colour, int shape)
{
	int n = 0;
	for (int i = 0; i < sc->n; i++)
		n += matches(&sc->obj[i], colour, shape, -1);
	return n;
}

/* The object a description picks: every attribute that matches, relaxing
 * size, then colour, then shape when nothing does; among several, the
 * extreme one along q->where, else the largest.  -1 on an empty scene. */
static int pick(const struct px_scene *sc, const struct query *q)
{
	static const int relax[4][3] = { { 1, 1, 1 }, { 1, 1, 0 }, { 0, 1, 0 }, { 0, 0, 0 } };
	int best = -1;

	for (int r = 0; r < 4 && best < 0; r++) {
		int colour = relax[r][0] ? q->colour : -1, shape = relax[r][1] ? q->shape : -1;
		int size = relax[r][2] ? q->size : -1;
		for (int i = 0; i < sc->n; i++) {
			const int *b = sc->obj[i].box;
			if (!matches(&sc->obj[i], colour, shape, size))
				continue;
			if (best < 0) {
				best = i;
				continue;
			}
			const int *c = sc->obj[best].box;
			int better = 0;
			switch (q->where) {
			case 0: better = b[0] + b[2] < c[0] + c[2]; break;
			case 1: better = b[0] + b[2] > c[0] + c[2]; break;
			case 2: better = b[1] + b[3] < c[1] + c[3]; break;
			case 3: better = b[1] + b[3] > c[1] + c[3]; break;
			}
			if (better)
				best = i;    /* objects are sorted largest first */
		}
	}
	return best;
}

static void describe(struct vl_buf *out, const struct px_object *o, int with_size)
{
	if (with_size)
		vl_buf_addf(out, "%s ", px_size_names[o->size]);
	vl_buf_addf(out, "%s %s", px_colour_names[o->colour], px_shape_names[o->shape]);
}

static void caption(const struct px_scene *sc, struct vl_buf *out)
{
	int idx[PX_MAX_OBJECTS], n = sc->n < 6 ? sc->n : 6;

	if (!n) {
		vl_buf_adds(out, "A plain gray background.");
		return;
	}
	/* the largest six, told left to right */
	for (int i = 0; i < n; i++)
		idx[i] = i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--) {
			const int *a = sc->obj[idx[j - 1]].box, *b = sc->obj[idx[j]].box;
			if (a[0] + a[2] <= b[0] + b[2])
				break;
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (int i = 0; i < n; i++) {
		const struct px_object *o = &sc->obj[idx[i]];
		if (i)
			vl_buf_adds(out, i == n - 1 ? " and " : ", ");
		vl_buf_adds(out, i ? "a" : "A");
		vl_buf_adds(out, o->colour == 1 ? "n " : " ");
		describe(out, o, 0);
	}
	vl_buf_adds(out, " on a gray background.");
}

/* Free-form answer to one question (lowercased) into out. */
static void answer_question(const struct px_scene *sc, const char *s, struct vl_buf *out)
{
	struct query q;

	parse_query(s, &q);
	if (strstr(s, "how many")) {
		int c = strstr(s, "shapes") && q.colour < 0 ? count(sc, -1, -1)
			: count(sc, q.shape >= 0 ? -1 : q.colour, q.shape);
		vl_buf_addf(out, "%d", c);
	} else if (strstr(s, "are there more")) {
		const char *at;
		int a = first_of(s, px_shape_names, px_shape_plurals, PX_NSHAPES, &at);
		int b = a >= 0 ? first_of(at + 1, px_shape_names, px_shape_plurals, PX_NSHAPES, NULL) : -1;
		vl_buf_adds(out, a >= 0 && b >= 0 && count(sc, -1, a) > count(sc, -1, b) ? "yes" : "no");
	} else if (strstr(s, "is there") || strstr(s, "are there")) {
		vl_buf_adds(out, count(sc, q.colour, q.shape) ? "yes" : "no");
	} else if (strstr(s, "furthest to the left")) {
		struct query l = { -1, -1, -1, 0 };
		int i = pick(sc, &l);
		if (i >= 0) {
			vl_buf_adds(out, "the ");
			describe(out, &sc->obj[i], 0);
		}
	} else if (strstr(s, "what color") || strstr(s, "what colour")) {
		q.colour = -1;
		q.size = -1;
		int i = pick(sc, &q);
		if (i >= 0)
			vl_buf_adds(out, px_colour_names[sc->obj[i].colour]);
	} else if (strstr(s, "what size")) {
		q.size = -1;
		int i = pick(sc, &q);
		if (i >= 0)
			vl_buf_adds(out, px_size_names[sc->obj[i].size]);
	} else if (strstr(s, "shape")) {
		q.shape = -1;
		int i = pick(sc, &q);
		if (i >= 0)
			vl_buf_adds(out, px_shape_names[sc->obj[i].shape]);
	}
	if (!out->len)
		vl_buf_adds(out, "unknown");
}

/* Matches a free answer to the options "A. text" found in s. */
static void choose(const char *s, const char *free_answer, struct vl_buf *out)
{
	char first = 0;

	for (const char *p = s; *p; p++) {
		if ((p != s && p[-1] != '\n') || p[0] < 'a' || p[0] > 'z' || p[1] != '.' || p[2] != ' ')
			continue;
		const char *text = p + 3, *end = strchr(text, '\n');
		size_t n = end ? (size_t)(end - text) : strlen(text);
		if (!first)
			first = p[0];
		if (n == strlen(free_answer) && !strncmp(text, free_answer, n)) {
			vl_buf_addch(out, toupper((unsigned char)p[0]));
			return;
		}
	}
	vl_buf_addch(out, toupper((unsigned char)(first ? first : 'a')));
}

void px_answer(const struct px_scene *sc, const char *prompt, struct vl_buf *out)
{
	struct vl_buf low = VL_BUF_INIT, q = VL_BUF_INIT, ans = VL_BUF_INIT;

	for (const char *p = prompt; *p; p++)
		vl_buf_addch(&low, tolower((unsigned char)*p));
	if (strstr(low.buf, "bounding box")) {
		/* the expression: after "describes:" when there, else line one */
		const char *e = strstr(low.buf, "describes:");
		struct query qq;
		e = e ? e + 10 : low.buf;
		const char *nl = strchr(e, '\n');
		vl_buf_add(&q, e, nl ? (size_t)(nl - e) : strlen(e));
		parse_query(q.buf, &qq);
		int i = pick(sc, &qq);
		if (i < 0)
			vl_buf_adds(out, "[0, 0, 0, 0]");
		else
			vl_buf_addf(out, "[%d, %d, %d, %d]", sc->obj[i].box[0], sc->obj[i].box[1],
				    sc->obj[i].box[2], sc->obj[i].box[3]);
	} else if (strstr(low.buf, "caption") || strstr(low.buf, "describe")) {
		caption(sc, out);
	} else if (strstr(low.buf, "\na. ")) {
		/* the question is the line just before the options */
		const char *opts = strstr(low.buf, "\na. "), *start = opts;
		while (start > low.buf && start[-1] != '\n')
			start--;
		vl_buf_add(&q, start, (size_t)(opts - start));
		answer_question(sc, q.len ? q.buf : low.buf, &ans);
		choose(opts + 1, ans.buf, out);
	} else {
		answer_question(sc, low.buf, out);
	}
	vl_buf_release(&low);
	vl_buf_release(&q);
	vl_buf_release(&ans);
}
