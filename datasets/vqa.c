/*
 * vqa.c - the official VQA JSON layout (VQA v2, OK-VQA): a questions file
 * {"questions": [{"image_id", "question", "question_id"}], ...} and an
 * optional annotations file {"annotations": [{"question_id", "image_id",
 * "question_type", "answer_type", "multiple_choice_answer", "answers":
 * [{"answer", "answer_confidence", "answer_id"}]}], ...}.
 *
 * Dataset keys: "questions" (required), "annotations" (absent for test-dev:
 * samples then carry no answers, in question order), "images" (image
 * folder), "image_pattern" (file name from the image id, one printf-style
 * integer conversion such as %012d; default "COCO_val2014_%012d.jpg").
 *
 * Streaming: the questions file is read once into a compact table (text and
 * ids, about 40 bytes per question), the annotations file is read record by
 * record with the pull reader (core/jsonr.h) and joined to it by
 * question_id, so VQAv2 val (172 MB of annotations) loads in well under
 * 400 MB.  The annotations are parsed on a background thread, started
 * before the questions load, in batches of ANN_BATCH records (at most
 * ANN_SLOTS batches ahead); next() takes parsed records and does the join.
 * Messages and their order are the same as parsing in line, which
 * vl_vqa_set_background(0) does (tests run both).  Samples come out in annotation order, the order that defines the
 * official aggregates.
 *
 * Sample: id = question_id, question, images = [folder/pattern(image_id)],
 * answers = every annotator answer in file order, metadata "answer_type",
 * "question_type", "multiple_choice_answer", "image_id".
 *
 * Bad records (missing or mistyped keys, an annotation whose question is not
 * in the questions file, duplicate question ids) are reported one per next()
 * call as VL_EPARSE, naming file, record number, line and key; broken JSON
 * stops the file with VL_EINVAL.
 */
#include "datasets/dataset.h"
#include "core/jsonr.h"
#include "datasets/vqa.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>

#define ANN_BATCH 256
#define ANN_SLOTS 4

struct vq_question {
	int64_t qid, image_id;
	size_t text_off;
};

struct vqa {
	struct vl_buf qpath, apath, image_dir;
	char *pattern;                 /* image_pattern, checked at open */
	struct vq_question *q;         /* questions in file order */
	size_t nq, qcap;
	struct vl_buf qtext;           /* question texts, NUL-separated */
	struct vq_slot { int64_t qid; uint32_t idx; } *slots; /* hash: qid -> index + 1 */
	size_t nslots;
	struct vl_strv pending;        /* bad-record messages not yet returned */
	size_t pending_next;

	int has_ann;
	struct vl_jsonr ann;           /* annotations reader, inside the array;
	                                  the producer's */
	size_t record;                 /* annotations read so far (producer) */
	int prod_done;                 /* the producer's last batch is filled */
	struct ann_batch {             /* parsed records, handed over whole */
		struct ann_rec {
			int rc;            /* as read_annotation's, before the join */
			int has_qid, has_img, has_mc;
			int64_t qid, img;
			size_t record, line;
			size_t off[3];     /* question_type, answer_type, m.c. answer */
			size_t ans_first, nans; /* into ans_off */
			size_t msg;        /* the message when rc != 1 */
		} *recs;
		size_t n, cap;
		struct vl_buf arena;   /* the records' strings */
		size_t *ans_off;
		size_t nans, ans_cap;
	} slot[ANN_SLOTS];
	size_t wslot, rslot, nfull;    /* ring of batches; nfull under mu */
	int stop, threaded, sync_init;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv_full, cv_empty;
	struct ann_batch *cur;         /* the batch being read (consumer) */
	size_t cur_i;
	int ann_done, ann_rc;          /* the last record was taken: what next calls return */
	size_t cursor;                 /* question expected next: the official
	                                  files list annotations in question
	                                  order, which spares the hash lookup */
	size_t qnext;                  /* questions-only mode: next question */
	const char **ans_ptr;          /* views of the answers for vl_vqa_record */
	size_t ans_ptr_cap;
};

/* Records per batch and batches in flight: the producer runs at most
 * ANN_SLOTS * ANN_BATCH records ahead (a few MB). */
static int vqa_background = 1;

void vl_vqa_set_background(int on)
{
	vqa_background = on;
}

/* The question table: question_id (an integer) -> position, open
 * addressing.  Not core/strmap.c: its keys are C strings, so every id
 * would be printed first and every entry would own a copy.  Measured
 * (tests/perf/hash_tables.c "int64 id table", 214k ids then 2.1M lookups,
 * median of 7 runs on the shared 2-core machine): 20 ns per operation
 * here, 220 ns on strmap with printed ids (11x); VQA v2 val has 214k
 * questions and every annotation looks its question up. */
static uint64_t mix(int64_t k)
{
	uint64_t x = (uint64_t)k;
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static size_t find_slot(const struct vqa *p, int64_t qid)
{
	size_t i = mix(qid) & (p->nslots - 1);

	while (p->slots[i].idx && p->slots[i].qid != qid)
		i = (i + 1) & (p->nslots - 1);
	return i;
}

/* Index of question qid, or -1. */
static long find_question(const struct vqa *p, int64_t qid)
{
	size_t i;

	if (!p->nslots)
		return -1;
	i = find_slot(p, qid);
	return p->slots[i].idx ? (long)p->slots[i].idx - 1 : -1;
}

static void rehash(struct vqa *p, size_t nslots)
{
	vl_free(p->slots);
	p->nslots = nslots;
	p->slots = vl_xcalloc(nslots, sizeof(*p->slots));
	for (size_t k = 0; k < p->nq; k++)
		p->slots[find_slot(p, p->q[k].qid)] = (struct vq_slot){ p->q[k].qid, (uint32_t)(k + 1) };
}

static void pending_addf(struct vqa *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pending_addf(struct vqa *p, const char *fmt, ...)
{
	struct vl_buf b = VL_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	vl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	vl_strv_push_owned(&p->pending, vl_buf_detach(&b, NULL));
}

/* Checks an image pattern: one integer conversion (%d, %0Nd, %Nd, also
 * with l / ll / ld / lld), "%%" escapes, nothing else. */
static int pattern_ok(const char *pat)
{
	int conv = 0;

	for (const char *s = pat; *s; s++) {
		if (*s != '%')
			continue;
		s++;
		if (*s == '%')
			continue;
		while (*s >= '0' && *s <= '9')
			s++;
		while (*s == 'l')
			s++;
		if (*s != 'd' || conv++)
			return 0;
	}
	return conv == 1;
}

/* Appends v in decimal, at least width characters: zero-padded after the
 * sign when zero is set, else space-padded on the left -- what printf's
 * %0*lld and %*lld give, without going through vsnprintf per sample. */
static void put_int(struct vl_buf *out, int64_t v, int width, int zero)
{
	char d[24];
	int n = 0, neg = v < 0, pad;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		d[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	pad = width - (n + neg);
	for (; !zero && pad > 0; pad--)
		vl_buf_addch(out, ' ');
	if (neg)
		vl_buf_addch(out, '-');
	for (; pad > 0; pad--)
		vl_buf_addch(out, '0');
	while (n)
		vl_buf_addch(out, d[--n]);
}

/* Appends pattern(image_id) to out (pattern checked by pattern_ok). */
static void pattern_format(const char *pat, int64_t id, struct vl_buf *out)
{
	for (const char *s = pat; *s; s++) {
		int width = 0, zero = 0;

		if (*s != '%') {
			vl_buf_addch(out, *s);
			continue;
		}
		s++;
		if (*s == '%') {
			vl_buf_addch(out, '%');
			continue;
		}
		if (*s == '0')
			zero = 1;
		/* clamped while reading: a %99999999999d width must not overflow */
		while (*s >= '0' && *s <= '9') {
			if (width <= 64)
				width = width * 10 + (*s - '0');
			s++;
		}
		while (*s == 'l')
			s++;
		if (width > 64)
			width = 64;
		put_int(out, id, width, zero);
	}
}

/* Moves r to the first element of the array at top-level key `key`.
 * Returns 0, VL_ENOTFOUND when the document has no such key, VL_EINVAL on
 * broken JSON or a wrong type (err says which). */
static int seek_array(struct vl_jsonr *r, const char *key, struct vl_buf *err)
{
	int t = vl_jsonr_next(r, err);

	if (t == VL_J_ERROR)
		return VL_EINVAL;
	if (t != VL_J_OBJ) {
		vl_buf_addf(err, "'%s': the top level is a JSON %s, expected an object with \"%s\"",
			    r->path, vl_jsonr_tok_name(t), key);
		return VL_EINVAL;
	}
	for (;;) {
		t = vl_jsonr_next(r, err);
		if (t == VL_J_ERROR)
			return VL_EINVAL;
		if (t == VL_J_OBJ_END) {
			vl_buf_addf(err, "'%s' has no \"%s\" key", r->path, key);
			return VL_ENOTFOUND;
		}
		int match = !strcmp(r->str.buf, key);
		t = vl_jsonr_next(r, err);
		if (t == VL_J_ERROR)
			return VL_EINVAL;
		if (match) {
			if (t != VL_J_ARR) {
				vl_buf_addf(err, "'%s': \"%s\" is a %s, expected an array", r->path,
					    key, vl_jsonr_tok_name(t));
				return VL_EINVAL;
			}
			return 0;
		}
		if (vl_jsonr_skip(r, t, err) < 0)
			return VL_EINVAL;
	}
}

/* Reads the rest of the document after the array, so that truncation or
 * trailing garbage is still reported. */
static int finish_document(struct vl_jsonr *r, struct vl_buf *err)
{
	for (;;) {
		int t = vl_jsonr_next(r, err);
		if (t == VL_J_END)
			return 0;
		if (t == VL_J_ERROR)
			return VL_EINVAL;
	}
}

/* Reads an integer id value (JSON integer, or a string of digits). */
static int read_int(struct vl_jsonr *r, int t, int64_t *out)
{
	char *end;

	if (t == VL_J_NUM && r->is_int) {
		*out = r->inum;
		return 0;
	}
	/* range first: converting a double past int64's range is undefined
	 * (fuzzing found a 1e103 id) */
	if (t == VL_J_NUM && fabs(r->num) < 9223372036854775808.0 &&
	    r->num == (double)(int64_t)r->num) {
		*out = (int64_t)r->num;   /* 123.0: Python's dict treats it as 123 */
		return 0;
	}
	if (t == VL_J_STR && r->str.len) {
		long long v = strtoll(r->str.buf, &end, 10);
		if (!*end) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

/* The fields of the question record at r (after its '{'): question_id
 * (*qid), image_id (*img), question (appended to p->qtext, NUL included);
 * one that is there but invalid sets *bad.  Returns the token that ended
 * the record: VL_J_OBJ_END, else broken JSON. */
static int question_fields(struct vqa *p, struct vl_jsonr *r, int64_t *qid, int64_t *img,
			   int *has_qid, int *has_img, int *has_text, const char **bad,
			   struct vl_buf *err)
{
	int t;

	while ((t = vl_jsonr_next(r, err)) == VL_J_KEY) {
		char k = r->str.buf[0] == 'q' && !strcmp(r->str.buf, "question_id") ? 'i'
			: !strcmp(r->str.buf, "question") ? 'q'
			: !strcmp(r->str.buf, "image_id") ? 'm' : 0;
		t = vl_jsonr_next(r, err);
		if (t == VL_J_ERROR)
			break;
		if (k == 'i') {
			*has_qid = read_int(r, t, qid) == 0;
			if (!*has_qid)
				*bad = "question_id";
		} else if (k == 'm') {
			*has_img = read_int(r, t, img) == 0;
			if (!*has_img)
				*bad = "image_id";
		} else if (k == 'q' && t == VL_J_STR && !*has_text) {
			vl_buf_add(&p->qtext, r->str.buf, r->str.len + 1);
			*has_text = 1;
		} else if (k == 'q') {
			*bad = "question";
		}
		if (vl_jsonr_skip(r, t, err) < 0) {
			t = VL_J_ERROR;
			break;
		}
	}
	return t;
}

static int load_questions(struct vqa *p, struct vl_buf *err)
{
	struct vl_jsonr r;
	int rc, t;
	size_t rec = 0;

	rc = vl_jsonr_open(&r, vl_buf_str(&p->qpath), err);
	if (rc < 0) {
		if (rc == VL_ENOTFOUND)
			vl_buf_adds(err, " (the official VQA v2 files are v2_OpenEnded_mscoco_"
					 "{train,val,test-dev,test}2014_questions.json from visualqa.org; "
					 "OK-VQA: OpenEnded_mscoco_val2014_questions.json from okvqa.allenai.org)");
		return rc;
	}
	{
		/* size the hash for the file (about 100 bytes per question) so
		 * that it is rarely rebuilt */
		struct stat st;
		size_t want = 1024;
		if (stat(vl_buf_str(&p->qpath), &st) == 0)
			while (want < (size_t)st.st_size / 40)
				want *= 2;
		rehash(p, want);
	}
	rc = seek_array(&r, "questions", err);
	while (rc == 0) {
		int64_t qid = 0, img = -1;
		int has_qid = 0, has_img = 0, has_text = 0;
		const char *bad = NULL;
		size_t line, off = p->qtext.len;

		t = vl_jsonr_next(&r, err);
		if (t == VL_J_ARR_END)
			break;
		rec++;
		line = r.tok_line;
		if (t != VL_J_OBJ) {
			if (t == VL_J_ERROR || vl_jsonr_skip(&r, t, err) < 0) {
				rc = VL_EINVAL;
				break;
			}
			pending_addf(p, "'%s' question %zu (line %zu): not a JSON object",
				     r.path, rec, line);
			continue;
		}
		t = question_fields(p, &r, &qid, &img, &has_qid, &has_img, &has_text, &bad, err);
		if (t != VL_J_OBJ_END) {
			rc = VL_EINVAL;
			break;
		}
		if (!bad && !has_qid)
			bad = "question_id";
		else if (!bad && !has_text)
			bad = "question";
		else if (!bad && !has_img)
			bad = "image_id";
		if (bad) {
			vl_buf_setlen(&p->qtext, off);
			pending_addf(p, "'%s' question %zu (line %zu): missing or invalid \"%s\"",
				     r.path, rec, line, bad);
			continue;
		}
		if ((p->nq + 1) * 2 > p->nslots)
			rehash(p, p->nslots ? p->nslots * 2 : 1024);
		size_t slot = find_slot(p, qid);
		if (p->slots[slot].idx) {
			vl_buf_setlen(&p->qtext, off);
			pending_addf(p, "'%s' question %zu (line %zu): duplicate question_id %" PRId64,
				     r.path, rec, line, qid);
			continue;
		}
		if (p->nq == p->qcap) {
			p->qcap = p->qcap ? p->qcap * 2 : 4096;
			p->q = vl_xrealloc(p->q, p->qcap * sizeof(*p->q));
		}
		p->q[p->nq] = (struct vq_question){ qid, img, off };
		p->slots[slot] = (struct vq_slot){ qid, (uint32_t)++p->nq };
	}
	if (rc == 0)
		rc = finish_document(&r, err);
	vl_jsonr_close(&r);
	return rc == VL_ENOTFOUND ? VL_EINVAL : rc;
}

static void stop_producer(struct vqa *p);
static void start_producer(struct vqa *p);

static void vqa_free(struct vqa *p)
{
	if (!p)
		return;
	/* first: the annotation thread reads the paths (for its messages) and
	 * the slots until it has stopped (a race ThreadSanitizer found) */
	stop_producer(p);
	vl_buf_release(&p->qpath);
	vl_buf_release(&p->apath);
	vl_buf_release(&p->image_dir);
	vl_free(p->pattern);
	vl_free(p->q);
	vl_buf_release(&p->qtext);
	vl_free(p->slots);
	vl_strv_release(&p->pending);
	if (p->has_ann)
		vl_jsonr_close(&p->ann);
	for (int i = 0; i < ANN_SLOTS; i++) {
		vl_free(p->slot[i].recs);
		vl_buf_release(&p->slot[i].arena);
		vl_free(p->slot[i].ans_off);
	}
	vl_free(p->ans_ptr);
	vl_free(p);
}

static int vqa_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct vqa *p = vl_xcalloc(1, sizeof(*p));
	const cJSON *pat = cJSON_GetObjectItemCaseSensitive(spec->json, "image_pattern");
	struct vl_buf aerr = VL_BUF_INIT;
	int rc, arc = 0;

	rc = vl_spec_path(spec, "questions", 1, &p->qpath, err);
	if (rc < 0)
		goto fail;
	vl_spec_path(spec, "images", 0, &p->image_dir, err);
	if (pat && !cJSON_IsString(pat)) {
		vl_buf_addf(err, "task '%s': dataset \"image_pattern\" must be a string", spec->task);
		rc = VL_EINVAL;
		goto fail;
	}
	p->pattern = vl_xstrdup(pat ? pat->valuestring : "COCO_val2014_%012d.jpg");
	if (!pattern_ok(p->pattern)) {
		vl_buf_addf(err, "task '%s': dataset \"image_pattern\" '%s' must hold exactly one "
			    "integer conversion such as %%012d (and %%%% for a percent sign)",
			    spec->task, p->pattern);
		rc = VL_EINVAL;
		goto fail;
	}
	/* The annotations are opened first so that their parsing (on a
	 * thread) overlaps the loading of the questions; their errors are
	 * reported only once the questions have loaded, as if in order. */
	rc = vl_spec_path(spec, "annotations", 0, &p->apath, &aerr);
	if (rc == 0) {
		arc = vl_jsonr_open(&p->ann, vl_buf_str(&p->apath), &aerr);
		if (arc < 0) {
			if (arc == VL_ENOTFOUND)
				vl_buf_adds(&aerr, " (the official VQA v2 files are v2_mscoco_"
						   "{train,val}2014_annotations.json from visualqa.org; "
						   "OK-VQA: mscoco_val2014_annotations.json from okvqa.allenai.org)");
		} else {
			p->has_ann = 1;
			if (seek_array(&p->ann, "annotations", &aerr) < 0)
				arc = VL_EINVAL;
			else
				start_producer(p);
		}
	}
	rc = load_questions(p, err);
	if (rc < 0)
		goto fail;
	if (aerr.len)
		vl_buf_add(err, aerr.buf, aerr.len);
	if (arc < 0) {
		rc = arc;
		goto fail;
	}
	vl_buf_release(&aerr);
	*handle = p;
	return 0;
fail:
	vl_buf_release(&aerr);
	vqa_free(p);
	return rc;
}

/* Fills the sample's image path and question from question k. */
static int fill_question(struct vqa *p, const struct vq_question *q, int64_t image_id,
			 struct vl_sample *s, struct vl_buf *err)
{
	struct vl_buf name = VL_BUF_INIT, path = VL_BUF_INIT;
	int rc;

	s->question = vl_xstrdup(p->qtext.buf + q->text_off);
	pattern_format(p->pattern, image_id, &name);
	rc = vl_image_resolve(vl_buf_str(&p->image_dir), vl_buf_str(&name), &path, err);
	vl_buf_release(&name);
	if (rc < 0) {
		vl_buf_release(&path);
		return VL_EPARSE;
	}
	vl_strv_push_owned(&s->images, vl_buf_detach(&path, NULL));
	return 0;
}

static void set_id(struct vl_sample *s, int64_t qid, int64_t image_id)
{
	struct vl_buf tmp = VL_BUF_INIT;

	put_int(&tmp, qid, 0, 0);
	s->id = vl_xstrdup(vl_buf_str(&tmp));
	vl_buf_reset(&tmp);
	put_int(&tmp, image_id, 0, 0);
	vl_sample_set_meta(s, "image_id", vl_buf_str(&tmp));
	vl_buf_release(&tmp);
}

/* Key codes of an annotation record. */
enum { K_OTHER, K_QID, K_IMG, K_QTYPE, K_ATYPE, K_MC, K_ANSWERS };

static int ann_key(const struct vl_buf *k)
{
	static const char *const names[] = { "question_id", "image_id", "question_type",
					     "answer_type", "multiple_choice_answer", "answers" };
	static const size_t lens[] = { 11, 8, 13, 11, 22, 7 };

	for (int i = 0; i < 6; i++)
		if (k->len == lens[i] && !memcmp(k->buf, names[i], lens[i]))
			return i + 1;
	return K_OTHER;
}

static inline size_t arena_put(struct vl_buf *arena, const struct vl_buf *s)
{
	size_t off = arena->len;

	if (arena->len + s->len + 2 <= arena->alloc) {
		/* the usual case, without vl_buf_add's checks */
		memcpy(arena->buf + off, s->buf, s->len + 1);
		arena->len += s->len + 1;
		arena->buf[arena->len] = '\0';
	} else {
		vl_buf_add(arena, s->buf, s->len + 1);
	}
	return off;
}

/* Reads the "answers" array of the current record: the answers' offsets go
 * to b->ans_off.  Returns 0, VL_EINVAL on broken JSON; a malformed element
 * sets *bad. */
static int read_answers(struct vl_jsonr *r, struct ann_batch *b, const char **bad,
			struct vl_buf *err)
{
	int t;

	while ((t = vl_jsonr_next(r, err)) != VL_J_ARR_END) {
		int have = 0;
		if (t == VL_J_ERROR)
			return VL_EINVAL;
		if (t != VL_J_OBJ) {
			*bad = "answers (an element is not an object)";
			if (vl_jsonr_skip(r, t, err) < 0)
				return VL_EINVAL;
			continue;
		}
		while ((t = vl_jsonr_next(r, err)) == VL_J_KEY) {
			int is_answer = r->str.len == 6 && !memcmp(r->str.buf, "answer", 6);
			if (!is_answer) {
				/* answer_confidence, answer_id: not needed */
				if (vl_jsonr_skip_value(r, err) == VL_J_ERROR)
					return VL_EINVAL;
				continue;
			}
			t = vl_jsonr_next(r, err);
			if (t == VL_J_ERROR)
				return VL_EINVAL;
			if (is_answer && t == VL_J_STR) {
				if (b->nans == b->ans_cap) {
					b->ans_cap = b->ans_cap ? b->ans_cap * 2 : 1024;
					b->ans_off = vl_xrealloc(b->ans_off, b->ans_cap * sizeof(size_t));
				}
				b->ans_off[b->nans++] = arena_put(&b->arena, &r->str);
				have = 1;
			} else if (is_answer) {
				*bad = "answers[].answer (not a string)";
			}
			if (vl_jsonr_skip(r, t, err) < 0)
				return VL_EINVAL;
		}
		if (t != VL_J_OBJ_END)
			return VL_EINVAL;
		if (!have && !*bad)
			*bad = "answers[].answer";
	}
	return 0;
}

/* The value of key k (an ann_key other than K_OTHER) of annotation a,
 * read into a and b; a field that is there but invalid sets *bad.
 * has[]: question_type, answer_type, multiple_choice_answer seen.
 * Returns 0, or VL_EINVAL for broken JSON (err says why). */
static int ann_field(struct vl_jsonr *r, struct ann_batch *b, struct ann_rec *a, int k,
		     int has[3], int *has_answers, const char **bad, struct vl_buf *err)
{
	int t = vl_jsonr_next(r, err);

	if (t == VL_J_ERROR)
		return VL_EINVAL;
	switch (k) {
	case K_QID:
		a->has_qid = read_int(r, t, &a->qid) == 0;
		if (!a->has_qid)
			*bad = "question_id";
		break;
	case K_IMG:
		a->has_img = read_int(r, t, &a->img) == 0;
		if (!a->has_img)
			*bad = "image_id";
		break;
	case K_QTYPE: case K_ATYPE: case K_MC:
		if (t == VL_J_STR) {
			a->off[k - K_QTYPE] = arena_put(&b->arena, &r->str);
			has[k - K_QTYPE] = 1;
		} else {
			*bad = k == K_QTYPE ? "question_type" : k == K_ATYPE ? "answer_type"
									   : "multiple_choice_answer";
		}
		break;
	case K_ANSWERS:
		if (t == VL_J_ARR) {
			b->nans = a->ans_first;   /* a repeated key: the last one counts */
			if (read_answers(r, b, bad, err) < 0)
				return VL_EINVAL;
			*has_answers = 1;
			return 0;
		}
		*bad = "answers";
		break;
	}
	return vl_jsonr_skip(r, t, err) < 0 ? VL_EINVAL : 0;
}

/* The first required field annotation a lacks, or NULL. */
static const char *ann_missing(const struct ann_rec *a, const int has[3], int has_answers)
{
	if (!a->has_qid)
		return "question_id";
	if (!has_answers)
		return "answers";
	if (!has[K_ATYPE - K_QTYPE])
		return "answer_type";
	if (!has[K_QTYPE - K_QTYPE])
		return "question_type";
	return NULL;
}

/* Parses the next annotation record into a new entry of b (the parse half
 * of read_annotation, run by the producer).  Returns the entry's rc: 1, 0
 * at the end, VL_EPARSE for a bad record, VL_EINVAL for broken JSON; the
 * last two with the message in the batch arena. */
static int parse_annotation(struct vqa *p, struct ann_batch *b, struct vl_buf *err)
{
	struct vl_jsonr *r = &p->ann;
	struct ann_rec *a;
	const char *bad = NULL;
	int has_answers = 0, has[3] = { 0 };
	int t;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : ANN_BATCH;
		b->recs = vl_xrealloc(b->recs, b->cap * sizeof(*b->recs));
	}
	a = &b->recs[b->n++];
	memset(a, 0, sizeof(*a));
	a->ans_first = b->nans;
	vl_buf_reset(err);
	t = vl_jsonr_next(r, err);
	if (t == VL_J_ARR_END) {
		a->rc = finish_document(r, err) < 0 ? VL_EINVAL : 0;
		goto out;
	}
	if (t == VL_J_ERROR) {
		a->rc = VL_EINVAL;
		goto out;
	}
	a->record = ++p->record;
	a->line = r->tok_line;
	if (t != VL_J_OBJ) {
		if (vl_jsonr_skip(r, t, err) < 0) {
			a->rc = VL_EINVAL;
			goto out;
		}
		vl_buf_addf(err, "'%s' annotation %zu (line %zu): not a JSON object", r->path,
			    a->record, a->line);
		a->rc = VL_EPARSE;
		goto out;
	}
	while ((t = vl_jsonr_next(r, err)) == VL_J_KEY) {
		int k = ann_key(&r->str);
		if (k == K_OTHER) {
			if (vl_jsonr_skip_value(r, err) == VL_J_ERROR) {
				a->rc = VL_EINVAL;
				goto out;
			}
			continue;
		}
		if (ann_field(r, b, a, k, has, &has_answers, &bad, err) < 0) {
			a->rc = VL_EINVAL;
			goto out;
		}
	}
	if (t != VL_J_OBJ_END) {
		a->rc = VL_EINVAL;
		goto out;
	}
	if (!bad)
		bad = ann_missing(a, has, has_answers);
	if (bad) {
		vl_buf_addf(err, "'%s' annotation %zu (line %zu", r->path, a->record, a->line);
		if (a->has_qid)
			vl_buf_addf(err, ", question_id %" PRId64, a->qid);
		vl_buf_addf(err, "): missing or invalid \"%s\"", bad);
		a->rc = VL_EPARSE;
		goto out;
	}
	a->has_mc = has[K_MC - K_QTYPE];
	a->nans = b->nans - a->ans_first;
	a->rc = 1;
out:
	if (a->rc != 1) {
		a->nans = 0;
		b->nans = a->ans_first;
		a->msg = b->arena.len;
		vl_buf_add(&b->arena, vl_buf_str(err), err->len + 1);
	}
	return a->rc;
}

/* Fills batch b with up to ANN_BATCH records; the batch ends early after
 * the end of the array or broken JSON (the producer then stops). */
static void fill_batch(struct vqa *p, struct ann_batch *b)
{
	struct vl_buf err = VL_BUF_INIT;

	b->n = 0;
	b->nans = 0;
	vl_buf_reset(&b->arena);
	while (b->n < ANN_BATCH) {
		int rc = parse_annotation(p, b, &err);
		if (rc == 0 || rc == VL_EINVAL) {
			p->prod_done = 1;
			break;
		}
	}
	vl_buf_release(&err);
}

static void *producer_main(void *arg)
{
	struct vqa *p = arg;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->nfull == ANN_SLOTS && !p->stop)
			pthread_cond_wait(&p->cv_empty, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		fill_batch(p, &p->slot[p->wslot]);
		p->wslot = (p->wslot + 1) % ANN_SLOTS;
		pthread_mutex_lock(&p->mu);
		p->nfull++;
		pthread_cond_signal(&p->cv_full);
		pthread_mutex_unlock(&p->mu);
		if (p->prod_done)
			break;
	}
	return NULL;
}

/* Starts parsing the annotations (after seek_array), on a thread when
 * background parsing is on and a thread can be made. */
static void start_producer(struct vqa *p)
{
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_full, NULL);
	pthread_cond_init(&p->cv_empty, NULL);
	p->sync_init = 1;
	if (vqa_background && pthread_create(&p->thread, NULL, producer_main, p) == 0)
		p->threaded = 1;
}

static void stop_producer(struct vqa *p)
{
	if (!p->sync_init)
		return;
	if (p->threaded) {
		pthread_mutex_lock(&p->mu);
		p->stop = 1;
		pthread_cond_signal(&p->cv_empty);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
		p->threaded = 0;
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_full);
	pthread_cond_destroy(&p->cv_empty);
	p->sync_init = 0;
}

/* The next parsed record, from the batch being read or the next full one;
 * NULL once the producer's last record has been taken. */
static const struct ann_rec *take_record(struct vqa *p, const struct ann_batch **bp)
{
	if (p->cur && p->cur_i == p->cur->n) {
		/* hand the used batch back */
		p->cur = NULL;
		p->rslot = (p->rslot + 1) % ANN_SLOTS;
		pthread_mutex_lock(&p->mu);
		p->nfull--;
		pthread_cond_signal(&p->cv_empty);
		pthread_mutex_unlock(&p->mu);
	}
	if (!p->cur) {
		if (p->ann_done)
			return NULL;
		if (p->threaded) {
			pthread_mutex_lock(&p->mu);
			while (p->nfull == 0)
				pthread_cond_wait(&p->cv_full, &p->mu);
			pthread_mutex_unlock(&p->mu);
		} else {
			fill_batch(p, &p->slot[p->wslot]);
			p->wslot = (p->wslot + 1) % ANN_SLOTS;
			p->nfull++;
		}
		p->cur = &p->slot[p->rslot];
		p->cur_i = 0;
	}
	*bp = p->cur;
	return &p->cur->recs[p->cur_i++];
}

/* Reads the next annotation record into rec (views into p, valid until the
 * next call): takes the next parsed record and joins it to its question.
 * 1, 0 at the end, VL_EPARSE for a bad record, VL_EINVAL for broken JSON. */
static int read_annotation(struct vqa *p, struct vl_vqa_record *rec, struct vl_buf *err)
{
	const struct ann_batch *b;
	const struct ann_rec *a = take_record(p, &b);
	const char *base;
	long qi;

	if (!a)
		return p->ann_rc;
	base = b->arena.buf;
	if (a->rc != 1) {
		vl_buf_adds(err, base + a->msg);
		if (a->rc != VL_EPARSE) {
			p->ann_done = 1;
			p->ann_rc = a->rc;
		}
		return a->rc;
	}
	if (p->cursor < p->nq && p->q[p->cursor].qid == a->qid)
		qi = (long)p->cursor;
	else
		qi = find_question(p, a->qid);
	p->cursor = (size_t)qi + 1;
	if (qi < 0) {
		vl_buf_addf(err, "'%s' annotation %zu (line %zu): question_id %" PRId64
			    " is not in the questions file '%s'", vl_buf_str(&p->apath), a->record,
			    a->line, a->qid, vl_buf_str(&p->qpath));
		return VL_EPARSE;
	}
	if (a->nans > p->ans_ptr_cap) {
		p->ans_ptr_cap = a->nans;
		p->ans_ptr = vl_xrealloc(p->ans_ptr, p->ans_ptr_cap * sizeof(*p->ans_ptr));
	}
	for (size_t i = 0; i < a->nans; i++)
		p->ans_ptr[i] = base + b->ans_off[a->ans_first + i];
	rec->qid = a->qid;
	rec->image_id = a->has_img ? a->img : p->q[qi].image_id;
	rec->question_index = (size_t)qi;
	rec->answers = p->ans_ptr;
	rec->nanswers = a->nans;
	rec->answer_type = base + a->off[K_ATYPE - K_QTYPE];
	rec->question_type = base + a->off[K_QTYPE - K_QTYPE];
	rec->multiple_choice_answer = a->has_mc ? base + a->off[K_MC - K_QTYPE] : NULL;
	return 1;
}

static int next_annotation(struct vqa *p, struct vl_sample *s, struct vl_buf *err)
{
	struct vl_vqa_record rec;
	int rc = read_annotation(p, &rec, err);

	if (rc != 1)
		return rc;
	set_id(s, rec.qid, rec.image_id);
	if (fill_question(p, &p->q[rec.question_index], rec.image_id, s, err) < 0) {
		vl_sample_release(s);
		return VL_EPARSE;
	}
	for (size_t i = 0; i < rec.nanswers; i++)
		vl_strv_push(&s->answers, rec.answers[i]);
	vl_sample_set_meta(s, "answer_type", rec.answer_type);
	vl_sample_set_meta(s, "question_type", rec.question_type);
	if (rec.multiple_choice_answer)
		vl_sample_set_meta(s, "multiple_choice_answer", rec.multiple_choice_answer);
	return 1;
}

static int vqa_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct vqa *p = handle;

	if (p->pending_next < p->pending.n) {
		vl_buf_adds(err, p->pending.v[p->pending_next++]);
		return VL_EPARSE;
	}
	if (p->has_ann)
		return next_annotation(p, s, err);
	if (p->qnext >= p->nq)
		return 0;
	{
		const struct vq_question *q = &p->q[p->qnext++];
		set_id(s, q->qid, q->image_id);
		if (fill_question(p, q, q->image_id, s, err) < 0) {
			vl_sample_release(s);
			return VL_EPARSE;
		}
	}
	return 1;
}

static void vqa_close(void *handle)
{
	vqa_free(handle);
}

extern const struct vl_loader vl_loader_vqa;

int vl_vqa_next_record(struct vl_dataset *ds, struct vl_vqa_record *rec, struct vl_buf *err)
{
	struct vqa *p = vl_dataset_handle(ds, &vl_loader_vqa);

	if (!p || !p->has_ann) {
		vl_buf_adds(err, "vl_vqa_next_record: not a \"vqa\" dataset with annotations");
		return VL_EINVAL;
	}
	if (p->pending_next < p->pending.n) {
		vl_buf_adds(err, p->pending.v[p->pending_next++]);
		return VL_EPARSE;
	}
	return read_annotation(p, rec, err);
}

const struct vl_loader vl_loader_vqa = {
	.version = VL_LOADER_API_VERSION,
	.name = "vqa",
	.description = "official VQA v2 / OK-VQA questions + annotations JSON (streamed)",
	.open = vqa_open,
	.next = vqa_next,
	.close = vqa_close,
};
