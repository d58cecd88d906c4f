/*
 * score-caption.c - `vleval score caption`: BLEU-1..4, ROUGE-L and CIDEr-D
 * of candidate captions against references, through the "caption" metric
 * (metrics/caption.c) that the runner uses, so the numbers are the same.
 *
 * Inputs, in pycocoevalcap's shapes: refs = {image id: [caption, ...]} or a
 * COCO annotation file {"annotations": [{"image_id", "caption"}, ...]};
 * preds = {image id: caption} (a one-element list is accepted too) or a
 * COCO results list [{"image_id", "caption"}, ...].  Image order is the
 * order of first appearance in the refs file.  Without --pretokenized the
 * C PTB tokenizer runs first, as COCOEvalCap does.
 *
 * An image of the refs file without a prediction is left out, as COCOEvalCap
 * scores the images of the results only (Karpathy test results against
 * captions_val2014.json): the count of unused images and references is
 * reported; --require-all makes it an error instead.
 * Bad input (a prediction for an image without references, non-string or
 * empty captions, invalid UTF-8, duplicate ids, a prediction over
 * VL_MAX_OUTPUT_BYTES or a reference over VL_MAX_REFERENCE_BYTES: the run's
 * limits, since ROUGE-L's LCS is quadratic in the lengths) is reported
 * naming the file and image id; with
 * --lenient those images are skipped, listed on stderr and under "skipped"
 * in the JSON, and the rest is scored.
 *
 * Why a JSON parser of its own (flat_*) instead of core/jsonr.h: the two
 * were measured in one session (issue 9, RUNS=20 sh
 * tests/perf/caption_score.sh with VLEVAL_BASE_BIN, 5,000 images x 5
 * refs, pretokenized, hyperfine): reading the same shapes with the pull
 * reader from the text in memory, copying each decoded string into one
 * pool, cost +2.0..2.7 MB peak RSS (32.4-34.0 MB against 30.4-31.3 MB),
 * about 1 ms more CPU (0.061-0.067 s against 0.060-0.066 s) and a slower
 * best wall time (min 0.047-0.057 s against 0.045-0.054 s): the flat
 * parser decodes the strings in place in the file's text, so no string
 * is copied and no page is added.  The ids go through core's strmap.
 */
#include "bench/cli.h"
#include "bench/parallel.h"
#include "bench/score-io.h"
#include "metrics/caption.h"
#include "metrics/metric.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct cap_img {
	char *id;              /* owned */
	const char **refs;     /* owned array; the strings are borrowed from the
	                          refs document */
	size_t nref, ref_alloc;
	const char *pred;      /* borrowed from the preds document, NULL if absent */
	char *bad;             /* owned reason when the image is skipped, else NULL */
	int unused;            /* 1: no prediction, left out as COCOEvalCap does */
};

struct cap_input {
	struct cap_img *img;
	size_t n, alloc;
	struct vl_strmap index;  /* id -> (index + 1), cast to a pointer */
	struct vl_strv errors;   /* problems not tied to a refs image */
};

static struct cap_img *img_get(struct cap_input *in, const char *id, int create)
{
	void **k = vl_strmap_find(&in->index, id);

	if (k)
		return &in->img[(uintptr_t)*k - 1];
	if (!create)
		return NULL;
	if (in->n == in->alloc) {
		in->alloc = in->alloc ? in->alloc * 2 : 1024;
		in->img = vl_xrealloc(in->img, in->alloc * sizeof(*in->img));
	}
	memset(&in->img[in->n], 0, sizeof(in->img[in->n]));
	in->img[in->n].id = vl_xstrdup(id);
	vl_strmap_put(&in->index, id, (void *)(uintptr_t)++in->n);
	return &in->img[in->n - 1];
}

/* Makes room for n images (ids of a refs file), so that the image array
 * does not grow while it is read. */
static void input_reserve(struct cap_input *in, size_t n)
{
	if (n > in->alloc) {
		in->alloc = n;
		in->img = vl_xrealloc(in->img, in->alloc * sizeof(*in->img));
	}
}

static void mark_bad(struct cap_img *im, const char *fmt, const char *file, const char *detail)
{
	struct vl_buf b = VL_BUF_INIT;

	if (im->bad)
		return;   /* the first problem is enough */
	vl_buf_addf(&b, fmt, file, im->id, detail ? detail : "");
	im->bad = vl_buf_detach(&b, NULL);
}

/* The image id of a COCO record as a string: numbers as integers when
 * they are whole (COCO ids are ints), strings as they are. */
static int id_of(const cJSON *v, char *out, size_t outlen)
{
	if (cJSON_IsString(v)) {
		snprintf(out, outlen, "%s", v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(out, outlen, "%.0f", v->valuedouble);
		else
			snprintf(out, outlen, "%.17g", v->valuedouble);
		return 0;
	}
	return -1;
}

static int utf8_ok(const char *s)
{
	return vl_utf8_valid(s, strlen(s), NULL);
}

/* Reads path into text (the caller releases it); 0, or -1 after printing
 * the error. */
static int read_text(const char *path, struct vl_buf *text)
{
	struct vl_buf err = VL_BUF_INIT;

	if (vl_read_file(path, text, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		vl_buf_release(&err);
		return -1;
	}
	vl_buf_release(&err);
	return 0;
}

/* Parses text with cJSON; NULL after printing the error. */
static cJSON *parse_json(const char *path, const struct vl_buf *text)
{
	cJSON *j = cJSON_ParseWithLength(text->buf, text->len);
	const char *e;

	if (!j) {
		size_t line = 1;
		e = cJSON_GetErrorPtr();
		if (e && e >= text->buf && e <= text->buf + text->len)
			for (const char *p = text->buf; p < e; p++)
				line += *p == '\n';
		vl_error("cannot parse '%s' line %zu: invalid JSON", path, line);
	}
	return j;
}

/*
 * The fast path for the shapes pycocoevalcap's files have, {"id": ["ref",
 * ...], ...} and {"id": "caption", ...}: an object whose values are strings
 * or arrays of strings.  The strings are decoded in place (the text only
 * ever shrinks, and each ends where its closing quote was), so nothing is
 * allocated per string.  Anything else (other shapes, numbers, control
 * characters, \u0000, unpaired surrogates, syntax errors, a BOM, trailing
 * text) leaves the text untouched and returns -1: the caller then parses
 * it with cJSON,
 * which gives the same values for what the fast path accepts and its own
 * handling (and error messages) for the rest.
 */
struct flat_member {
	const char *key;
	size_t first, n;     /* its strings: flat_doc.str[first .. first + n) */
	int is_array;
};

struct flat_doc {
	struct flat_member *m;
	size_t nm, m_alloc;
	const char **str;
	size_t *len;         /* each string's length << 2 | FLAT_* flags */
	size_t ns, s_alloc;
	size_t *klen;        /* the same for the keys */
};

static void flat_release(struct flat_doc *d)
{
	vl_free(d->m);
	vl_free(d->str);
	vl_free(d->len);
	vl_free(d->klen);
	memset(d, 0, sizeof(*d));
}

static const char *flat_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

/* The value of 4 hex digits at p, or -1. */
static long flat_hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

#define FLAT_ESC 1    /* the string holds escapes */
#define FLAT_HIGH 2   /* ... or raw bytes >= 0x80 (UTF-8 yet to check) */

#define ONES 0x0101010101010101ULL
/* nonzero when some byte of v is below n (n <= 128), or is 0 */
#define HAS_LESS(v, n) (((v) - ONES * (n)) & ~(v) & (ONES * 0x80))

/* p at a quote: the end of the string (its closing quote), or NULL when it
 * is unterminated or holds a control character, a bad escape, \u0000 or a
 * surrogate that is not part of a pair.  *flags: FLAT_ESC, FLAT_HIGH.
 * end: the end of the text (whose byte is NUL). */
static const char *flat_str_end(const char *p, const char *end, int *flags)
{
	const unsigned char *q = (const unsigned char *)p + 1;

	*flags = 0;
	for (;;) {
		long u, lo;

		/* eight plain printable ASCII bytes at a time */
		while ((const char *)q + 8 <= end) {
			uint64_t v;
			memcpy(&v, q, 8);
			if (HAS_LESS(v, 0x20) | HAS_LESS(v ^ (ONES * '"'), 1) |
			    HAS_LESS(v ^ (ONES * '\\'), 1) | (v & (ONES * 0x80)))
				break;
			q += 8;
		}
		if (*q == '"')
			return (const char *)q;
		if (*q < 0x20)
			return NULL;
		if (*q >= 0x80)
			*flags |= FLAT_HIGH;
		if (*q != '\\') {
			q++;
			continue;
		}
		*flags |= FLAT_ESC;
		q++;
		if (*q && strchr("\"\\/bfnrt", *q)) {
			q++;
			continue;
		}
		if (*q != 'u' || (u = flat_hex4((const char *)q + 1)) <= 0 ||
		    (u >= 0xdc00 && u <= 0xdfff))
			return NULL;
		q += 5;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (q[0] != '\\' || q[1] != 'u' ||
			    (lo = flat_hex4((const char *)q + 2)) < 0xdc00 || lo > 0xdfff)
				return NULL;
			q += 6;
		}
	}
}

/* Decodes the escapes of the string s[0..len) (checked by flat_str_end)
 * in place and NUL-terminates it: the decoded text is never longer. */
static void flat_decode(char *s, size_t len)
{
	const char *r = s, *end = s + len;
	char *w = s;

	while (r < end) {
		unsigned long cp;

		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		r++;
		switch (*r++) {
		case 'b': *w++ = '\b'; continue;
		case 'f': *w++ = '\f'; continue;
		case 'n': *w++ = '\n'; continue;
		case 'r': *w++ = '\r'; continue;
		case 't': *w++ = '\t'; continue;
		case 'u': break;
		default: *w++ = r[-1]; continue;   /* " \ / */
		}
		cp = (unsigned long)flat_hex4(r);
		r += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned long)flat_hex4(r + 2) - 0xdc00);
			r += 6;
		}
		if (cp < 0x80) {
			*w++ = (char)cp;
		} else if (cp < 0x800) {
			*w++ = (char)(0xc0 | (cp >> 6));
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			*w++ = (char)(0xe0 | (cp >> 12));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*w++ = (char)(0xf0 | (cp >> 18));
			*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
			*w++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	*w = '\0';
}

static void flat_add_str(struct flat_doc *d, const char *start, const char *end, int flags)
{
	if (d->ns == d->s_alloc) {
		d->s_alloc = d->s_alloc ? d->s_alloc * 2 : 1024;
		d->str = vl_xrealloc(d->str, d->s_alloc * sizeof(*d->str));
		d->len = vl_xrealloc(d->len, d->s_alloc * sizeof(*d->len));
	}
	d->str[d->ns] = start;
	d->len[d->ns++] = (size_t)(end - start) << 2 | (size_t)flags;
}

/* Terminates (and decodes, if lenflags says it has escapes) one string. */
static void flat_fix(char *s, size_t lenflags)
{
	if (lenflags & FLAT_ESC)
		flat_decode(s, lenflags >> 2);
	else
		s[lenflags >> 2] = '\0';
}

/* Whether string i of d is known to be valid UTF-8: it had no raw byte
 * >= 0x80 (what escapes decode to always is). */
static int flat_ascii(const struct flat_doc *d, size_t i)
{
	return !(d->len[i] & FLAT_HIGH);
}

static int flat_parse(struct vl_buf *text, struct flat_doc *d)
{
	const char *p = flat_ws(text->buf), *e, *end = text->buf + text->len;
	int esc;

	memset(d, 0, sizeof(*d));
	if (*p++ != '{')
		return -1;
	{
		/* every key and string has two quotes: size the arrays once
		 * instead of growing (and copying) them */
		size_t q = 0;
		for (const char *c = p; (c = memchr(c, '"', (size_t)(end - c))); c++)
			q++;
		d->s_alloc = d->m_alloc = q / 2 + 1;
		d->str = vl_xmalloc(d->s_alloc * sizeof(*d->str));
		d->len = vl_xmalloc(d->s_alloc * sizeof(*d->len));
		d->m = vl_xmalloc(d->m_alloc * sizeof(*d->m));
		d->klen = vl_xmalloc(d->m_alloc * sizeof(*d->klen));
	}
	p = flat_ws(p);
	if (*p == '}')
		p++;
	else
		for (;;) {
			struct flat_member *m;

			if (*p != '"' || !(e = flat_str_end(p, end, &esc)))
				goto fail;
			if (d->nm == d->m_alloc) {
				d->m_alloc = d->m_alloc ? d->m_alloc * 2 : 1024;
				d->m = vl_xrealloc(d->m, d->m_alloc * sizeof(*d->m));
				d->klen = vl_xrealloc(d->klen, d->m_alloc * sizeof(*d->klen));
			}
			m = &d->m[d->nm];
			m->key = p + 1;
			d->klen[d->nm++] = (size_t)(e - p - 1) << 2 | (size_t)esc;
			p = flat_ws(e + 1);
			if (*p++ != ':')
				goto fail;
			p = flat_ws(p);
			m->first = d->ns;
			m->is_array = *p == '[';
			if (*p == '"') {
				if (!(e = flat_str_end(p, end, &esc)))
					goto fail;
				flat_add_str(d, p + 1, e, esc);
				p = e + 1;
			} else if (*p == '[') {
				p = flat_ws(p + 1);
				if (*p == ']')
					p++;
				else
					for (;;) {
						if (*p != '"' || !(e = flat_str_end(p, end, &esc)))
							goto fail;
						flat_add_str(d, p + 1, e, esc);
						p = flat_ws(e + 1);
						if (*p == ']') {
							p++;
							break;
						}
						if (*p++ != ',')
							goto fail;
						p = flat_ws(p);
					}
			} else {
				goto fail;
			}
			m->n = d->ns - m->first;
			p = flat_ws(p);
			if (*p == '}') {
				p++;
				break;
			}
			if (*p++ != ',')
				goto fail;
			p = flat_ws(p);
		}
	if (flat_ws(p) != text->buf + text->len)
		goto fail;
	/* accepted: decode the strings in place, each ending where its
	 * closing quote was (or earlier) */
	for (size_t i = 0; i < d->ns; i++)
		flat_fix((char *)d->str[i], d->len[i]);
	for (size_t i = 0; i < d->nm; i++)
		flat_fix((char *)d->m[i].key, d->klen[i]);
	return 0;
fail:
	flat_release(d);
	return -1;
}

/* One reference of image im: s, or NULL when the JSON value is not a
 * string; k counts from 0; valid: s is known to be valid UTF-8. */
static void add_ref(struct cap_img *im, const char *s, int valid, size_t k, const char *file)
{
	char detail[96];
	size_t n = s ? strlen(s) : 0;

	if (n > VL_MAX_REFERENCE_BYTES) {
		/* ROUGE-L is quadratic in the lengths: the run's limit holds here too */
		snprintf(detail, sizeof(detail), "%zu is %zu bytes, over the limit of %d bytes", k + 1, n,
			 VL_MAX_REFERENCE_BYTES);
		mark_bad(im, "'%s' image '%s': reference %s", file, detail);
		return;
	}
	if (s && (valid || utf8_ok(s))) {
		if (im->nref == im->ref_alloc) {
			im->ref_alloc = im->ref_alloc ? im->ref_alloc * 2 : 8;
			im->refs = vl_xrealloc(im->refs, im->ref_alloc * sizeof(*im->refs));
		}
		im->refs[im->nref++] = s;
		return;
	}
	snprintf(detail, sizeof(detail), "%zu", k + 1);
	if (!s)
		mark_bad(im, "'%s' image '%s': reference %s is not a string", file, detail);
	else
		mark_bad(im, "'%s' image '%s': reference %s is not valid UTF-8", file, detail);
}

static const char *str_of(const cJSON *c)
{
	return cJSON_IsString(c) ? c->valuestring : NULL;
}

/* A new image of the refs object; NULL (and the error noted) for a
 * duplicate id. */
static struct cap_img *new_ref_img(struct cap_input *in, const char *id, const char *file)
{
	if (img_get(in, id, 0)) {
		struct vl_buf b = VL_BUF_INIT;
		vl_buf_addf(&b, "'%s' image '%s': duplicate image id", file, id);
		vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
		return NULL;
	}
	return img_get(in, id, 1);
}

static void read_refs_flat(struct cap_input *in, const struct flat_doc *d, const char *file)
{
	for (size_t i = 0; i < d->nm; i++) {
		const struct flat_member *m = &d->m[i];
		struct cap_img *im = new_ref_img(in, m->key, file);

		if (!im)
			continue;
		if (!m->is_array) {
			mark_bad(im, "'%s' image '%s': references must be a list of strings%s", file, NULL);
			continue;
		}
		for (size_t r = 0; r < m->n; r++)
			add_ref(im, d->str[m->first + r], flat_ascii(d, m->first + r), r, file);
	}
}

static int read_refs(struct cap_input *in, const cJSON *doc, const char *file)
{
	const cJSON *ann = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "annotations") : NULL;
	const cJSON *it;
	size_t k = 0;
	char id[64];

	if (cJSON_IsArray(ann)) {
		cJSON_ArrayForEach(it, ann) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "caption");
			struct cap_img *im;
			if (id_of(cJSON_GetObjectItemCaseSensitive(it, "image_id"), id, sizeof(id)) < 0) {
				struct vl_buf b = VL_BUF_INIT;
				vl_buf_addf(&b, "'%s' annotation %zu: missing or bad \"image_id\"", file, k + 1);
				vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
				k++;
				continue;
			}
			im = img_get(in, id, 1);
			add_ref(im, str_of(c), 0, im->nref, file);
			k++;
		}
		return 0;
	}
	if (!cJSON_IsObject(doc)) {
		vl_error("'%s': expected an object of image id -> list of reference captions, "
			 "or a COCO annotation file with \"annotations\"", file);
		return -1;
	}
	cJSON_ArrayForEach(it, doc) {
		struct cap_img *im;
		const cJSON *c;
		size_t r = 0;

		if (!(im = new_ref_img(in, it->string, file)))
			continue;
		if (!cJSON_IsArray(it)) {
			mark_bad(im, "'%s' image '%s': references must be a list of strings%s", file, NULL);
			continue;
		}
		cJSON_ArrayForEach(c, it)
			add_ref(im, str_of(c), 0, r++, file);
	}
	return 0;
}

/* The prediction of image id: s, or NULL when the JSON value is not a
 * string (nor a list of one string); valid: s is known to be valid UTF-8. */
static void set_pred(struct cap_input *in, const char *id, const char *s, int valid,
		     const char *file, const char *refs_file)
{
	struct cap_img *im = img_get(in, id, 0);
	struct vl_buf b = VL_BUF_INIT;

	if (!im) {
		vl_buf_addf(&b, "'%s' image '%s': not in '%s' (no references)", file, id, refs_file);
		vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
		return;
	}
	if (im->pred) {
		mark_bad(im, "'%s' image '%s': more than one prediction%s", file, NULL);
		return;
	}
	if (!s)
		mark_bad(im, "'%s' image '%s': prediction is not a string%s", file, NULL);
	else if (strlen(s) > VL_MAX_OUTPUT_BYTES) {
		char detail[64];
		snprintf(detail, sizeof(detail), "%zu bytes, over the limit of %d bytes", strlen(s),
			 VL_MAX_OUTPUT_BYTES);
		mark_bad(im, "'%s' image '%s': prediction is %s", file, detail);
	} else if (!valid && !utf8_ok(s))
		mark_bad(im, "'%s' image '%s': prediction is not valid UTF-8%s", file, NULL);
	else
		im->pred = s;
	if (!im->pred)
		im->pred = "";   /* seen, even if bad */
}

static const char *pred_of(const cJSON *c)
{
	if (cJSON_IsArray(c) && cJSON_GetArraySize(c) == 1)
		c = c->child;
	return str_of(c);
}

static void read_preds_flat(struct cap_input *in, const struct flat_doc *d, const char *file,
			    const char *refs_file)
{
	for (size_t i = 0; i < d->nm; i++) {
		const struct flat_member *m = &d->m[i];
		set_pred(in, m->key, m->n == 1 ? d->str[m->first] : NULL,
			 m->n == 1 && flat_ascii(d, m->first), file, refs_file);
	}
}

static int read_preds(struct cap_input *in, const cJSON *doc, const char *file, const char *refs_file)
{
	const cJSON *it;
	size_t k = 0;
	char id[64];

	if (cJSON_IsArray(doc)) {
		cJSON_ArrayForEach(it, doc) {
			if (id_of(cJSON_GetObjectItemCaseSensitive(it, "image_id"), id, sizeof(id)) < 0) {
				struct vl_buf b = VL_BUF_INIT;
				vl_buf_addf(&b, "'%s' result %zu: missing or bad \"image_id\"", file, k + 1);
				vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
			} else {
				set_pred(in, id, str_of(cJSON_GetObjectItemCaseSensitive(it, "caption")), 0,
					 file, refs_file);
			}
			k++;
		}
		return 0;
	}
	if (!cJSON_IsObject(doc)) {
		vl_error("'%s': expected an object of image id -> caption, or a COCO results list", file);
		return -1;
	}
	cJSON_ArrayForEach(it, doc)
		set_pred(in, it->string, pred_of(it), 0, file, refs_file);
	return 0;
}

static void input_release(struct cap_input *in)
{
	for (size_t i = 0; i < in->n; i++) {
		vl_free(in->img[i].id);
		vl_free(in->img[i].refs);
		vl_free(in->img[i].bad);
	}
	vl_free(in->img);
	vl_strmap_release(&in->index, NULL);
	vl_strv_release(&in->errors);
}

/* The preds file read and fast-parsed on a thread of its own while the
 * refs file is read on the main one.  Nothing is printed there: the main
 * thread reports a read error (err) after the refs file's, as before. */
struct preds_job {
	const char *path;
	struct vl_buf *text;
	struct flat_doc *flat;
	struct vl_buf err;
	int read_rc, fast;
};

static void *preds_job_run(void *arg)
{
	struct preds_job *j = arg;

	j->read_rc = vl_read_file(j->path, j->text, &j->err);
	j->fast = j->read_rc == 0 && flat_parse(j->text, j->flat) == 0;
	return NULL;
}

static const char *const value_names[6] = { "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr" };

/* The state of one `score caption`. */
struct caption_run {
	const char *refs_path, *preds_path;
	int pretok, per_sample, lenient, ci, require_all;
	long resamples, seed;
	struct cap_input in;
	/* the texts stay alive to the end: the fast path's strings live in them */
	struct vl_buf refs_text, preds_text;
	struct flat_doc refs_flat, preds_flat;
	cJSON *refs_doc, *preds_doc;
	size_t unused_img, unused_ref, nskipped;
	struct vl_strv skipped;    /* every problem: errors first, then images */
	const struct vl_metric *m;
	void *st;
	size_t *order, nscored;    /* image index of each scored sample */
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	double lo[VL_METRIC_MAX_VALUES], hi[VL_METRIC_MAX_VALUES];
	int nvals;
};

/* Reads and parses both files (the preds file on a thread) and fills
 * c->in; 0, or -1 after printing the error. */
static int caption_read(struct caption_run *c)
{
	struct preds_job pj = { .path = c->preds_path, .text = &c->preds_text, .flat = &c->preds_flat };
	int refs_fast = 0, rc = -1;
	pthread_t pt;
	int pt_running = pthread_create(&pt, NULL, preds_job_run, &pj) == 0;

	if (!pt_running)
		preds_job_run(&pj);
	if (read_text(c->refs_path, &c->refs_text) == 0) {
		refs_fast = flat_parse(&c->refs_text, &c->refs_flat) == 0;
		if (!refs_fast)
			c->refs_doc = parse_json(c->refs_path, &c->refs_text);
	}
	if (pt_running)
		pthread_join(pt, NULL);
	if (!refs_fast && !c->refs_doc)
		goto out;
	if (pj.read_rc < 0) {
		vl_error("%s", vl_buf_str(&pj.err));
		goto out;
	}
	if (!pj.fast && !(c->preds_doc = parse_json(c->preds_path, &c->preds_text)))
		goto out;
	if (refs_fast) {
		input_reserve(&c->in, c->refs_flat.nm);
		read_refs_flat(&c->in, &c->refs_flat, c->refs_path);
	} else if (read_refs(&c->in, c->refs_doc, c->refs_path) < 0) {
		goto out;
	}
	if (pj.fast)
		read_preds_flat(&c->in, &c->preds_flat, c->preds_path, c->refs_path);
	else if (read_preds(&c->in, c->preds_doc, c->preds_path, c->refs_path) < 0)
		goto out;
	rc = 0;
out:
	vl_buf_release(&pj.err);
	return rc;
}

/* Marks the images without a prediction (unused, or bad with
 * --require-all) or without references, and applies the --lenient policy:
 * 0 to go on (problems listed as skipped), -1 after printing them. */
static int caption_check(struct caption_run *c)
{
	struct cap_input *in = &c->in;

	for (size_t i = 0; i < in->n; i++) {
		struct cap_img *im = &in->img[i];
		if (!im->pred && !c->require_all && !im->bad) {
			im->unused = 1;
			c->unused_img++;
			c->unused_ref += im->nref;
		} else if (!im->pred)
			mark_bad(im, "'%s' image '%s': no prediction%s", c->preds_path, NULL);
		else if (im->nref == 0)
			mark_bad(im, "'%s' image '%s': no reference captions%s", c->refs_path, NULL);
		c->nskipped += im->bad != NULL;
	}
	for (size_t i = 0; i < in->errors.n; i++)
		vl_strv_push(&c->skipped, in->errors.v[i]);
	for (size_t i = 0; i < in->n; i++)
		if (in->img[i].bad)
			vl_strv_push(&c->skipped, in->img[i].bad);
	if (c->skipped.n && !c->lenient) {
		size_t shown = c->skipped.n < 20 ? c->skipped.n : 20;
		for (size_t i = 0; i < shown; i++)
			vl_error("%s", c->skipped.v[i]);
		if (c->skipped.n > shown)
			vl_error("... and %zu more problems", c->skipped.n - shown);
		vl_error("score caption: nothing scored (use --lenient to skip bad images)");
		return -1;
	}
	for (size_t i = 0; i < c->skipped.n; i++)
		vl_warn("skipped: %s", c->skipped.v[i]);
	if (c->unused_img)
		vl_warn("%zu images of '%s' have no prediction in '%s': their %zu reference "
			"captions are unused (COCOEvalCap scores the predicted images only; "
			"--require-all makes this an error)", c->unused_img, c->refs_path,
			c->preds_path, c->unused_ref);
	return 0;
}

/* Feeds the usable images to the caption metric, finishes it and, with
 * --ci, bootstraps the intervals; 0, or -1 after printing the error. */
static int caption_score(struct caption_run *c)
{
	struct vl_kv mopts = { { 0 }, { 0 } };
	struct vl_buf err = VL_BUF_INIT;
	size_t nimg = 0, nsent = 0;
	int rc = -1;

	vl_kv_set(&mopts, "tokenize", c->pretok ? "none" : "ptb");
	c->st = c->m->new_state(&mopts, &err);
	vl_kv_release(&mopts);
	if (!c->st) {
		vl_error("%s", vl_buf_str(&err));
		goto out;
	}
	c->m->set_parallel(c->st, vl_parallel_for);
	c->order = vl_xmalloc((c->in.n + 1) * sizeof(*c->order));
	/* the file sizes bound the bytes of the strings */
	for (size_t i = 0; i < c->in.n; i++)
		if (!c->in.img[i].bad && !c->in.img[i].unused) {
			nimg++;
			nsent += 1 + c->in.img[i].nref;
		}
	vl_caption_metric_reserve(c->st, nimg, nsent, c->refs_text.len + c->preds_text.len);
	for (size_t i = 0; i < c->in.n; i++) {
		struct cap_img *im = &c->in.img[i];
		struct vl_sample s;
		double score;

		if (im->bad || im->unused)
			continue;
		vl_sample_init(&s);
		s.id = im->id;
		/* borrowed for the call: the sample does not own them here */
		s.captions.v = (char **)im->refs;
		s.captions.n = s.captions.alloc = im->nref;
		if (c->m->add(c->st, &s, im->pred, &score, &err) < 0) {
			vl_error("'%s' image '%s': %s", c->refs_path, im->id, vl_buf_str(&err));
			goto out;
		}
		c->order[c->nscored++] = i;
	}
	if (c->nscored == 0) {
		vl_error("score caption: no image left to score");
		goto out;
	}
	c->nvals = c->m->finish(c->st, NULL, 0, c->vals, VL_METRIC_MAX_VALUES);
	if (c->nvals != 6) {
		vl_error("score caption: scoring failed");
		goto out;
	}
	if (c->ci && vl_bootstrap(c->m, c->st, c->nscored, (int)c->resamples, (uint64_t)c->seed,
				  0.95, c->vals, (size_t)c->nvals, c->lo, c->hi) < 0) {
		vl_error("score caption: bootstrap failed");
		goto out;
	}
	rc = 0;
out:
	vl_buf_release(&err);
	return rc;
}

static void caption_json(const struct caption_run *c, struct vl_buf *out)
{
	vl_buf_addch(out, '{');
	vl_score_json_values(out, c->vals, c->nvals, 1);
	vl_buf_addf(out, ", \"n\": %zu", c->nscored);
	if (c->ci) {
		vl_buf_adds(out, ", \"ci\": {");
		for (int k = 0; k < c->nvals; k++) {
			vl_buf_addf(out, "%s\"%s\": [", k ? ", " : "", c->vals[k].name);
			vl_buf_add_json_num(out, c->lo[k]);
			vl_buf_adds(out, ", ");
			vl_buf_add_json_num(out, c->hi[k]);
			vl_buf_addch(out, ']');
		}
		vl_buf_addf(out, "}, \"ci_level\": 0.95, \"resamples\": %ld, \"seed\": %ld",
			    c->resamples, c->seed);
	}
	if (c->per_sample) {
		vl_buf_adds(out, ", \"per_image\": {");
		for (size_t i = 0; i < c->nscored; i++) {
			struct vl_caption_scores s;
			vl_caption_metric_per_image(c->st, i, &s);
			vl_buf_adds(out, i ? ", " : "");
			vl_buf_add_json_str(out, c->in.img[c->order[i]].id);
			vl_buf_adds(out, ": {\"CIDEr\": ");
			vl_buf_add_json_num(out, s.cider);
			vl_buf_adds(out, ", \"ROUGE_L\": ");
			vl_buf_add_json_num(out, s.rouge_l);
			for (int k = 0; k < 4; k++) {
				vl_buf_addf(out, ", \"Bleu_%d\": ", k + 1);
				vl_buf_add_json_num(out, s.bleu[k]);
			}
			vl_buf_addch(out, '}');
		}
		vl_buf_addch(out, '}');
	}
	if (c->unused_img)
		vl_buf_addf(out, ", \"unused_images\": %zu, \"unused_references\": %zu",
			    c->unused_img, c->unused_ref);
	if (c->lenient && c->skipped.n) {
		vl_buf_adds(out, ", \"skipped\": ");
		vl_score_json_strings(out, (const char *const *)c->skipped.v, c->skipped.n);
	}
	vl_buf_adds(out, "}\n");
}

static void caption_text(const struct caption_run *c, struct vl_buf *out)
{
	vl_buf_addf(out, "%-8s  %10s%s\n", "metric", "value", c->ci ? "   95% CI" : "");
	for (int k = 0; k < c->nvals; k++) {
		vl_buf_addf(out, "%-8s  %10.6f", value_names[k], c->vals[k].value);
		if (c->ci)
			vl_buf_addf(out, "   [%.6f, %.6f]", c->lo[k], c->hi[k]);
		vl_buf_addch(out, '\n');
	}
	vl_buf_addf(out, "images: %zu scored", c->nscored);
	if (c->skipped.n)
		vl_buf_addf(out, ", %zu skipped", c->skipped.n);
	if (c->unused_img)
		vl_buf_addf(out, ", %zu without a prediction (%zu references unused)",
			    c->unused_img, c->unused_ref);
	vl_buf_adds(out, c->pretok ? " (pretokenized)\n" : " (PTB-tokenized)\n");
	if (!c->per_sample)
		return;
	vl_buf_addf(out, "\n%-16s %9s %9s %9s %9s %9s %9s\n", "image", "CIDEr", "ROUGE_L",
		    "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4");
	for (size_t i = 0; i < c->nscored; i++) {
		struct vl_caption_scores s;
		vl_caption_metric_per_image(c->st, i, &s);
		vl_buf_addf(out, "%-16s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n",
			    c->in.img[c->order[i]].id, s.cider, s.rouge_l, s.bleu[0], s.bleu[1],
			    s.bleu[2], s.bleu[3]);
	}
}

static void caption_release(struct caption_run *c)
{
	if (c->st)
		c->m->free_state(c->st);
	vl_free(c->order);
	cJSON_Delete(c->refs_doc);
	cJSON_Delete(c->preds_doc);
	flat_release(&c->refs_flat);
	flat_release(&c->preds_flat);
	vl_buf_release(&c->refs_text);
	vl_buf_release(&c->preds_text);
	vl_strv_release(&c->skipped);
	input_release(&c->in);
}

int score_caption(int argc, char **argv)
{
	struct caption_run c = { .resamples = 1000, .m = vl_metric_find("caption") };
	int json = 0, help = 0, rc = VL_EXIT_USAGE;
	const struct vl_opt opts[] = {
		{ "refs", VL_OPT_STRING, &c.refs_path, "FILE", "references: {id: [captions]} or COCO annotations" },
		{ "preds", VL_OPT_STRING, &c.preds_path, "FILE", "candidates: {id: caption} or COCO results list" },
		{ "pretokenized", VL_OPT_FLAG, &c.pretok, NULL, "strings are already PTB-tokenized (skip the tokenizer)" },
		{ "per-sample", VL_OPT_FLAG, &c.per_sample, NULL, "add per_image: the six values of every image" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print a JSON object instead of a table" },
		{ "lenient", VL_OPT_FLAG, &c.lenient, NULL, "skip bad images (listed) instead of failing" },
		{ "require-all", VL_OPT_FLAG, &c.require_all, NULL,
		  "every image of the refs file needs a prediction (default: score the\n"
		  "predicted images only, as COCOEvalCap does, and say how many are unused)" },
		{ "ci", VL_OPT_FLAG, &c.ci, NULL, "95% percentile-bootstrap confidence intervals" },
		{ "resamples", VL_OPT_LONG, &c.resamples, "N", "bootstrap resamples (default 1000)" },
		{ "seed", VL_OPT_LONG, &c.seed, "S", "bootstrap seed (default 0)" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	struct vl_buf out = VL_BUF_INIT;

	if (vl_parse_opts("score caption", argc, argv, opts, NULL, &help))
		return VL_EXIT_USAGE;
	if (help) {
		vl_print_help("vleval score caption --refs FILE --preds FILE [--pretokenized] "
			      "[--per-sample] [--json] [--lenient] [--require-all] [--ci [--resamples N] [--seed S]]",
			      "BLEU-1..4, ROUGE-L and CIDEr-D as pycocoevalcap computes them "
			      "(METEOR and SPICE are not implemented).", opts);
		return 0;
	}
	if (!c.refs_path || !c.preds_path) {
		vl_error("score caption: --refs and --preds are required");
		return VL_EXIT_USAGE;
	}
	if (c.resamples < 1 || c.resamples > 1000000) {
		vl_error("score caption: --resamples must be between 1 and 1000000");
		return VL_EXIT_USAGE;
	}
	if (caption_read(&c) == 0 && caption_check(&c) == 0 && caption_score(&c) == 0) {
		if (json)
			caption_json(&c, &out);
		else
			caption_text(&c, &out);
		fwrite(out.buf, 1, out.len, stdout);
		rc = VL_EXIT_OK;
	}
	vl_buf_release(&out);
	caption_release(&c);
	return rc;
}
