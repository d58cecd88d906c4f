/*
 * vlmeval_tsv.c - VLMEvalKit's benchmark TSV files (MMBench_DEV_EN.tsv,
 * MME.tsv, SEEDBench_IMG.tsv, ScienceQA_TEST.tsv, AI2D_TEST.tsv,
 * HallusionBench.tsv ... as VLMEvalKit downloads them from
 * opencompass.openxlab.space/utils/VLMEval/), one loader for dozens of
 * multiple-choice and yes/no sets.
 *
 * Layout: a header row, then one row per question, written by pandas
 * to_csv(sep='\t'): a field containing a tab, a newline or a quote is
 * quoted with "...", quotes inside doubled.  Columns used:
 *   index        the id (the data row number when absent)
 *   image        base64 image; a value of at most 64 characters is the
 *                index of another row whose image this row reuses
 *   image_path   instead of image: a path under the task's image folder
 *   question, hint
 *   A .. Z       option texts; empty cells end nowhere: a gap is an error
 *   answer       option letter (multiple choice), Yes/No (MME,
 *                HallusionBench) -> label, else a free-form answer
 *   category, l2-category, split   -> metadata
 * Cells pandas reads as NaN (empty, "nan", "NaN", "None", "NULL", "N/A",
 * "NA" ...) count as absent for hint, options and an option letter, as in
 * VLMEvalKit; a NaN free-form answer is the answer "nan", which is what
 * VLMEvalKit's scorers compare with (str() of NaN).
 *
 * Memory: the file is streamed row by row.  Inline images are kept as
 * sample.image_b64, never decoded here except to validate them (base64 and
 * image header, which also gives image_w/h; "validate_images": false skips
 * it).  For back-references only the byte offset and length of each
 * index's image cell are remembered; the image is read again from the file
 * when a later row refers to it (a reference to a later row scans ahead).
 *
 * Dataset keys: "path" (required), "images" (folder for image_path),
 * "circular" (true: MMBench-style circular copies, index g + k*1000000; each
 * row gets meta "circular_group" = index % 1000000 for CircularEval).
 * An image_path cell is also kept as meta "image_path" (MME pairs by it).
 */
#include "datasets/dataset.h"
#include "core/image.h"
#include "core/pandas.h"
#include "datasets/loader_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/base64.h"

#define TSV_CHUNK (1024 * 1024)
#define TSV_REF_MAX 64 /* VLMEvalKit: an image cell this short is a reference */

struct tsv_reader {
	int fd;
	unsigned char *buf;     /* owned */
	size_t pos, len;
	off_t buf_off;          /* file offset of buf[0] */
	size_t line;            /* 1-based line of buf[pos] */
};

struct tsv_row {
	struct vl_buf text;     /* the cells, each NUL-terminated */
	size_t *start;          /* owned; cell i at text.buf + start[i] */
	off_t *off;             /* owned; file offset of cell i's content */
	size_t *rawlen;         /* owned; bytes of cell i in the file */
	size_t n, alloc;
	size_t line;            /* line where the row starts */
};

struct tsv {
	struct vl_buf path, image_dir;
	int validate;
	int circular;           /* "circular": true: CircularEval groups from the index */
	struct tsv_reader rd;
	struct tsv_row row;
	struct vl_strv header;
	size_t ncols;
	long col_index, col_image, col_image_path, col_question, col_hint, col_answer;
	long col_category, col_l2, col_split;
	long col_opt[26];
	size_t data_rows;
	/* back-references: index -> slot of (offset, length) of its image cell */
	struct vl_idmap image_at;
	off_t *img_off;
	size_t *img_len;
	size_t nimg, aimg;
	off_t ahead_off;        /* where scanning ahead resumes; -1: at the end */
	struct vl_buf scratch;  /* decoded image during validation */
};

static int reader_fill(struct tsv_reader *r)
{
	ssize_t n;

	if (r->pos < r->len)
		return 1;
	if (r->fd < 0) /* a row held in memory (scan_ahead) */
		return 0;
	r->buf_off += (off_t)r->len;
	r->pos = r->len = 0;
	do
		n = read(r->fd, r->buf, TSV_CHUNK);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return VL_EIO;
	r->len = (size_t)n;
	return n > 0;
}

static void row_begin_cell(struct tsv_row *row, off_t off)
{
	if (row->n == row->alloc) {
		row->alloc = row->alloc ? row->alloc * 2 : 32;
		row->start = vl_xrealloc(row->start, row->alloc * sizeof(size_t));
		row->off = vl_xrealloc(row->off, row->alloc * sizeof(off_t));
		row->rawlen = vl_xrealloc(row->rawlen, row->alloc * sizeof(size_t));
	}
	row->start[row->n] = row->text.len;
	row->off[row->n] = off;
	row->rawlen[row->n] = 0;
	row->n++;
}

static void row_end_cell(struct tsv_row *row, off_t end)
{
	row->rawlen[row->n - 1] = (size_t)(end - row->off[row->n - 1]);
	vl_buf_addch(&row->text, '\0');
}

/* The rest of a quoted cell of row (r is on its opening quote): the
 * text up to the closing quote, doubled quotes read as one.  Returns 1;
 * 0 when the input fails (*rc < 0: the caller reports it); VL_EPARSE
 * when the file ends inside the quotes (err says where). */
static int read_quoted(struct tsv_reader *r, struct tsv_row *row, const char *path,
		       struct vl_buf *err, int *rc)
{
	r->pos++;
	row_begin_cell(row, r->buf_off + (off_t)r->pos);
	for (;;) {
		unsigned char *p, *q, *end;
		if ((*rc = reader_fill(r)) <= 0) {
			if (*rc == 0) {
				vl_buf_addf(err, "'%s' line %zu: quoted cell never "
					    "closed (file ends)", path, row->line);
				return VL_EPARSE;
			}
			return 0;
		}
		p = r->buf + r->pos;
		end = r->buf + r->len;
		q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			q = end;
		for (unsigned char *c = p; c < q; c++)
			r->line += *c == '\n';
		vl_buf_add(&row->text, p, (size_t)(q - p));
		r->pos += (size_t)(q - p);
		if (q == end)
			continue;
		/* a quote: doubled means a literal quote, else the end */
		r->pos++;
		if ((*rc = reader_fill(r)) > 0 && r->buf[r->pos] == '"') {
			vl_buf_addch(&row->text, '"');
			r->pos++;
			continue;
		}
		row->rawlen[row->n - 1] = 0;
		break;
	}
	row->rawlen[row->n - 1] =
		(size_t)(r->buf_off + (off_t)r->pos - 1 - row->off[row->n - 1]);
	vl_buf_addch(&row->text, '\0');
	/* text after the closing quote up to the delimiter is kept, as
	 * Python's csv module does */
	row->text.len--;
	return 1;
}

/*
 * Reads one row into row.  Returns 1, 0 at the end of the file, VL_EPARSE
 * when the file ends inside a quoted cell (err names the line), VL_EIO.
 */
static int tsv_read_row(struct tsv_reader *r, struct tsv_row *row, const char *path,
			struct vl_buf *err)
{
	int rc;

	row->n = 0;
	vl_buf_reset(&row->text);
	rc = reader_fill(r);
	if (rc <= 0)
		goto end_of_input;
	row->line = r->line;
	for (;;) {
		int quoted;

		/* one cell */
		rc = reader_fill(r);
		if (rc < 0)
			goto end_of_input;
		quoted = rc > 0 && r->buf[r->pos] == '"';
		if (quoted) {
			int qr = read_quoted(r, row, path, err, &rc);
			if (qr == 0)
				goto end_of_input;
			if (qr < 0)
				return qr;
		} else {
			row_begin_cell(row, r->buf_off + (off_t)r->pos);
		}
		for (;;) {
			unsigned char *p, *q, *end, *nl;
			if ((rc = reader_fill(r)) <= 0) {
				if (rc < 0)
					goto end_of_input;
				if (!quoted)
					row_end_cell(row, r->buf_off + (off_t)r->pos);
				else
					vl_buf_addch(&row->text, '\0');
				return 1;
			}
			p = r->buf + r->pos;
			end = r->buf + r->len;
			/* memchr is many times faster than a byte loop on image cells */
			if (!(q = memchr(p, '\t', (size_t)(end - p))))
				q = end;
			if ((nl = memchr(p, '\n', (size_t)(q - p))))
				q = nl;
			if ((nl = memchr(p, '\r', (size_t)(q - p))))
				q = nl;
			vl_buf_add(&row->text, p, (size_t)(q - p));
			r->pos += (size_t)(q - p);
			if (q == end)
				continue;
			if (!quoted)
				row_end_cell(row, r->buf_off + (off_t)r->pos);
			else
				vl_buf_addch(&row->text, '\0');
			r->pos++;
			if (*q == '\t')
				break;
			if (*q == '\r' && reader_fill(r) > 0 && r->buf[r->pos] == '\n')
				r->pos++;
			r->line++;
			return 1;
		}
	}
end_of_input:
	if (rc < 0) {
		vl_buf_addf(err, "cannot read '%s' at line %zu: %s", path, r->line, strerror(errno));
		return VL_EIO;
	}
	return 0;
}

static const char *cell(const struct tsv *t, long col)
{
	return col >= 0 && (size_t)col < t->row.n ? t->row.text.buf + t->row.start[col] : NULL;
}

static void remember_image(struct tsv *t, const char *index, off_t off, size_t len)
{
	size_t slot;

	if (vl_idmap_get(&t->image_at, index, &slot))
		return;
	if (t->nimg == t->aimg) {
		t->aimg = t->aimg ? t->aimg * 2 : 256;
		t->img_off = vl_xrealloc(t->img_off, t->aimg * sizeof(off_t));
		t->img_len = vl_xrealloc(t->img_len, t->aimg * sizeof(size_t));
	}
	t->img_off[t->nimg] = off;
	t->img_len[t->nimg] = len;
	vl_idmap_put(&t->image_at, index, t->nimg++);
}

/* Scans rows after the current one until `index` has an image recorded or
 * the file ends.  Uses pread, so the main reader's position is untouched;
 * rows are cut at newlines outside quotes and parsed from memory. */
static void scan_ahead(struct tsv *t, const char *index)
{
	struct tsv_row row = { 0 };
	struct vl_buf ignored = VL_BUF_INIT;
	off_t main_pos = t->rd.buf_off + (off_t)t->rd.pos;
	off_t at;
	size_t cap = TSV_CHUNK, slot;
	unsigned char *buf;

	if (t->ahead_off < 0)
		return;
	at = t->ahead_off > main_pos ? t->ahead_off : main_pos;
	buf = vl_xmalloc(cap);
	for (;;) {
		ssize_t n = pread(t->rd.fd, buf, cap, at);
		size_t pos = 0;
		int eof;

		if (n <= 0) {
			t->ahead_off = -1;
			break;
		}
		eof = (size_t)n < cap;
		for (;;) {
			size_t k = pos;
			int quotes = 0;

			for (; k < (size_t)n; k++) {
				if (buf[k] == '"')
					quotes ^= 1;
				else if (buf[k] == '\n' && !quotes)
					break;
			}
			if (k >= (size_t)n && !eof) {
				if (pos == 0) { /* a row longer than the buffer */
					cap *= 2;
					buf = vl_xrealloc(buf, cap);
				}
				at += (off_t)pos;
				break;
			}
			if (k > pos || k < (size_t)n) {
				size_t end = k < (size_t)n ? k + 1 : k;
				struct tsv_reader one = { -1, buf + pos, 0, end - pos,
							  at + (off_t)pos, 0 };
				/* fd -1: the row is wholly in memory, nothing is read */
				vl_buf_reset(&ignored);
				if (tsv_read_row(&one, &row, "", &ignored) == 1 &&
				    row.n == t->ncols && t->col_image >= 0) {
					const char *img = row.text.buf + row.start[t->col_image];
					const char *idx = t->col_index >= 0
						? row.text.buf + row.start[t->col_index] : "";
					if (strlen(img) > TSV_REF_MAX && img[0] != '[')
						remember_image(t, idx, row.off[t->col_image],
							       row.rawlen[t->col_image]);
				}
				pos = end;
			}
			t->ahead_off = at + (off_t)pos;
			if (vl_idmap_get(&t->image_at, index, &slot))
				goto done;
			if (pos >= (size_t)n) {
				if (eof) {
					t->ahead_off = -1;
					goto done;
				}
				at += (off_t)pos;
				break;
			}
		}
	}
done:
	vl_free(buf);
	vl_free(row.start);
	vl_free(row.off);
	vl_free(row.rawlen);
	vl_buf_release(&row.text);
	vl_buf_release(&ignored);
}

static void tsv_close(void *handle)
{
	struct tsv *t = handle;

	if (!t)
		return;
	if (t->rd.fd >= 0)
		close(t->rd.fd);
	vl_free(t->rd.buf);
	vl_free(t->row.start);
	vl_free(t->row.off);
	vl_free(t->row.rawlen);
	vl_buf_release(&t->row.text);
	vl_strv_release(&t->header);
	vl_idmap_release(&t->image_at);
	vl_free(t->img_off);
	vl_free(t->img_len);
	vl_buf_release(&t->scratch);
	vl_buf_release(&t->path);
	vl_buf_release(&t->image_dir);
	vl_free(t);
}

static int tsv_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct tsv *t = vl_xcalloc(1, sizeof(*t));
	const cJSON *validate = cJSON_GetObjectItemCaseSensitive(spec->json, "validate_images");
	int rc;

	t->rd.fd = -1;
	t->validate = !cJSON_IsFalse(validate);
	t->circular = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec->json, "circular"));
	rc = vl_spec_path(spec, "path", 1, &t->path, err);
	if (rc < 0)
		goto fail;
	vl_spec_path(spec, "images", 0, &t->image_dir, err);
	t->rd.fd = open(vl_buf_str(&t->path), O_RDONLY | O_CLOEXEC);
	if (t->rd.fd < 0) {
		rc = errno == ENOENT ? VL_ENOTFOUND : VL_EIO;
		vl_buf_addf(err, "cannot open '%s': %s (VLMEvalKit downloads its TSV files from "
			    "https://opencompass.openxlab.space/utils/VLMEval/, e.g. "
			    "MMBench_DEV_EN.tsv)", vl_buf_str(&t->path), strerror(errno));
		goto fail;
	}
	t->rd.buf = vl_xmalloc(TSV_CHUNK);
	t->rd.line = 1;
	rc = tsv_read_row(&t->rd, &t->row, vl_buf_str(&t->path), err);
	if (rc <= 0) {
		if (rc == 0)
			vl_buf_addf(err, "'%s' is empty (no header row)", vl_buf_str(&t->path));
		rc = rc ? rc : VL_EPARSE;
		goto fail;
	}
	t->col_index = t->col_image = t->col_image_path = t->col_question = t->col_hint = -1;
	t->col_answer = t->col_category = t->col_l2 = t->col_split = -1;
	for (int i = 0; i < 26; i++)
		t->col_opt[i] = -1;
	t->ncols = t->row.n;
	for (size_t i = 0; i < t->row.n; i++) {
		const char *name = t->row.text.buf + t->row.start[i];
		if (i == 0 && !strncmp(name, "\xef\xbb\xbf", 3))
			name += 3;
		vl_strv_push(&t->header, name);
#define COL(n, field) if (!strcmp(name, n)) t->field = (long)i
		COL("index", col_index);
		COL("image", col_image);
		COL("image_path", col_image_path);
		COL("question", col_question);
		COL("hint", col_hint);
		COL("answer", col_answer);
		COL("category", col_category);
		COL("l2-category", col_l2);
		COL("split", col_split);
#undef COL
		if (name[0] >= 'A' && name[0] <= 'Z' && !name[1])
			t->col_opt[name[0] - 'A'] = (long)i;
	}
	if (t->col_question < 0 || (t->col_image < 0 && t->col_image_path < 0)) {
		vl_buf_addf(err, "'%s' line 1: header has no \"%s\" column", vl_buf_str(&t->path),
			    t->col_question < 0 ? "question" : "image");
		rc = VL_EPARSE;
		goto fail;
	}
	t->ahead_off = 0;
	*handle = t;
	return 0;
fail:
	tsv_close(t);
	return rc;
}

/* The meta of the record in t->row: category, l2-category, split,
 * image_path, and CircularEval's circular_group.  Returns 0, or VL_EPARSE
 * (err says why). */
static int tsv_meta(struct tsv *t, const char *where, struct vl_sample *s, struct vl_buf *err)
{
	if (t->col_category >= 0 && !vl_pandas_is_na(cell(t, t->col_category)))
		vl_sample_set_meta(s, "category", cell(t, t->col_category));
	if (t->col_l2 >= 0 && !vl_pandas_is_na(cell(t, t->col_l2)))
		vl_sample_set_meta(s, "l2-category", cell(t, t->col_l2));
	if (t->col_split >= 0 && !vl_pandas_is_na(cell(t, t->col_split)))
		vl_sample_set_meta(s, "split", cell(t, t->col_split));
	/* MME's score pairs an image's questions by this path, even when the
	 * image itself is inline */
	if (t->col_image_path >= 0 && !vl_pandas_is_na(cell(t, t->col_image_path)))
		vl_sample_set_meta(s, "image_path", cell(t, t->col_image_path));
	if (t->circular && t->col_index >= 0) {
		/* VLMEvalKit's CircularEval: copy k of question g has index
		 * g + k * 1000000, grouped by int(index % 1e6) */
		char *end;
		long long idx = strtoll(s->id, &end, 10);
		struct vl_buf g = VL_BUF_INIT;
		if (*end || end == s->id) {
			vl_buf_addf(err, "%s column %ld (\"index\"): '%s' is not an integer, which "
				    "CircularEval needs", where, t->col_index + 1, s->id);
			return VL_EPARSE;
		}
		vl_buf_addf(&g, "%lld", idx % 1000000);
		vl_sample_set_meta(s, "circular_group", vl_buf_str(&g));
		vl_buf_release(&g);
	}
	return 0;
}

/* Fills s->image_b64 (and the size) from the row's image cell. */
static int tsv_image(struct tsv *t, const char *where, struct vl_sample *s, struct vl_buf *err)
{
	const char *img = cell(t, t->col_image);
	const char *idx = t->col_index >= 0 ? cell(t, t->col_index) : NULL;
	size_t len = strlen(img), bad = 0;
	long col = t->col_image + 1;
	struct vl_buf detail = VL_BUF_INIT;

	if (!len) {
		vl_buf_addf(err, "%s column %ld (\"image\"): empty", where, col);
		return VL_EPARSE;
	}
	if (img[0] == '[') {
		vl_buf_addf(err, "%s column %ld (\"image\"): lists of images are not supported",
			    where, col);
		return VL_EPARSE;
	}
	if (len <= TSV_REF_MAX) {
		size_t slot;
		ssize_t n;
		if (!vl_idmap_get(&t->image_at, img, &slot)) {
			scan_ahead(t, img);
			if (!vl_idmap_get(&t->image_at, img, &slot)) {
				vl_buf_addf(err, "%s column %ld (\"image\"): refers to row index '%s', "
					    "which has no image of its own", where, col, img);
				return VL_EPARSE;
			}
		}
		s->image_b64 = vl_xmalloc(t->img_len[slot] + 1);
		n = pread(t->rd.fd, s->image_b64, t->img_len[slot], t->img_off[slot]);
		if (n != (ssize_t)t->img_len[slot]) {
			vl_buf_addf(err, "%s column %ld (\"image\"): cannot read the image of "
				    "row index '%s' again", where, col, img);
			return VL_EIO;
		}
		s->image_b64[n] = '\0';
		img = s->image_b64;
		len = (size_t)n;
		vl_sample_set_meta(s, "image_of", cell(t, t->col_image));
	} else {
		if (idx)
			remember_image(t, idx, t->row.off[t->col_image], t->row.rawlen[t->col_image]);
		s->image_b64 = vl_xstrndup(img, len);
		img = s->image_b64;
	}
	if (!t->validate)
		return 0;
	vl_buf_reset(&t->scratch);
	if (vl_base64_decode_buf(&t->scratch, img, len, &detail) < 0) {
		(void)bad;
		vl_buf_addf(err, "%s column %ld (\"image\"): %s", where, col, vl_buf_str(&detail));
		vl_buf_release(&detail);
		return VL_EPARSE;
	}
	if (vl_image_size_mem(t->scratch.buf, t->scratch.len, &s->image_w, &s->image_h,
			      &detail) < 0) {
		vl_buf_addf(err, "%s column %ld (\"image\"): base64 decodes to %s", where, col,
			    vl_buf_str(&detail));
		vl_buf_release(&detail);
		return VL_EPARSE;
	}
	vl_buf_release(&detail);
	return 0;
}

static int tsv_record(struct tsv *t, const char *where, struct vl_sample *s, struct vl_buf *err)
{
	const char *v;
	int last_opt = -1;

	if (t->row.n != t->ncols) {
		if (t->row.n > t->ncols)
			vl_buf_addf(err, "%s column %zu: %zu columns, the header has %zu "
				    "(unquoted tab?)", where, t->ncols + 1, t->row.n, t->ncols);
		else
			vl_buf_addf(err, "%s column %zu (\"%s\"): %zu columns, the header has %zu",
				    where, t->row.n + 1, t->header.v[t->row.n], t->row.n, t->ncols);
		return VL_EPARSE;
	}
	t->data_rows++;
	v = cell(t, t->col_index);
	if (t->col_index >= 0 && !*v) {
		vl_buf_addf(err, "%s column %ld (\"index\"): empty", where, t->col_index + 1);
		return VL_EPARSE;
	}
	if (t->col_index >= 0)
		s->id = vl_xstrdup(v);
	else {
		struct vl_buf id = VL_BUF_INIT;
		vl_buf_addf(&id, "%zu", t->data_rows);
		s->id = vl_buf_detach(&id, NULL);
	}
	s->question = vl_xstrdup(cell(t, t->col_question));
	v = cell(t, t->col_hint);
	if (!vl_pandas_is_na(v))
		s->hint = vl_xstrdup(v);
	for (int i = 0; i < 26; i++) {
		v = cell(t, t->col_opt[i]);
		if (vl_pandas_is_na(v))
			continue;
		if (last_opt != i - 1) {
			vl_buf_addf(err, "%s column %ld (\"%c\"): option %c is given but option %c "
				    "is empty", where, t->col_opt[i] + 1, 'A' + i, 'A' + i,
				    'A' + last_opt + 1);
			return VL_EPARSE;
		}
		vl_strv_push(&s->options, v);
		last_opt = i;
	}
	v = cell(t, t->col_answer);
	if (!vl_pandas_is_na(v)) {
		if (s->options.n && v[0] >= 'A' && v[0] <= 'Z' && !v[1]) {
			if ((size_t)(v[0] - 'A') >= s->options.n) {
				vl_buf_addf(err, "%s column %ld (\"answer\"): '%s' is not one of the "
					    "%zu options", where, t->col_answer + 1, v,
					    s->options.n);
				return VL_EPARSE;
			}
			s->answer_letter = vl_xstrdup(v);
		} else {
			if (!s->options.n && (!strcasecmp(v, "yes") || !strcasecmp(v, "no"))) {
				s->label = tolower((unsigned char)v[0]) == 'y' ? VL_LABEL_YES
									       : VL_LABEL_NO;
				s->label_text = vl_xstrdup(v);
			}
			vl_strv_push(&s->answers, v);
		}
	} else if (t->col_answer >= 0 && !s->options.n) {
		/* a free-form answer pandas reads as NaN: VLMEvalKit's scorers
		 * compare with str(NaN), the text "nan" */
		vl_strv_push(&s->answers, "nan");
	}
	if (tsv_meta(t, where, s, err) < 0)
		return VL_EPARSE;
	if (t->col_image >= 0 && !(t->col_image_path >= 0 && !*cell(t, t->col_image)))
		return tsv_image(t, where, s, err) < 0 ? VL_EPARSE : 1;
	v = cell(t, t->col_image_path);
	if (!*v) {
		vl_buf_addf(err, "%s column %ld (\"image_path\"): empty", where,
			    t->col_image_path + 1);
		return VL_EPARSE;
	}
	return vl_sample_add_image(s, vl_buf_str(&t->image_dir), v, where, err) < 0 ? VL_EPARSE : 1;
}

static int tsv_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct tsv *t = handle;
	struct vl_buf where = VL_BUF_INIT;
	size_t bad;
	int rc;

	do {
		rc = tsv_read_row(&t->rd, &t->row, vl_buf_str(&t->path), err);
		if (rc <= 0)
			return rc;
	} while (t->row.n == 1 && !t->row.text.buf[0]); /* blank line */
	vl_buf_addf(&where, "'%s' line %zu", vl_buf_str(&t->path), t->row.line);
	/* cell by cell, skipping the image: base64 validation covers it, and
	 * it is most of the bytes */
	for (size_t c = 0; c < t->row.n; c++) {
		size_t end = c + 1 < t->row.n ? t->row.start[c + 1] - 1 : t->row.text.len;
		if ((long)c == t->col_image)
			continue;
		if (!vl_utf8_valid(t->row.text.buf + t->row.start[c], end - t->row.start[c],
				   &bad)) {
			vl_buf_addf(err, "%s column %zu (\"%s\"): invalid UTF-8", vl_buf_str(&where),
				    c + 1, c < t->header.n ? t->header.v[c] : "?");
			vl_buf_release(&where);
			return VL_EPARSE;
		}
	}
	rc = tsv_record(t, vl_buf_str(&where), s, err);
	if (rc < 0)
		vl_sample_release(s);
	vl_buf_release(&where);
	return rc;
}

const struct vl_loader vl_loader_vlmeval_tsv = {
	.version = VL_LOADER_API_VERSION,
	.name = "vlmeval_tsv",
	.description = "VLMEvalKit TSV (MMBench, MME, SEED-Bench, ScienceQA, AI2D, "
		       "HallusionBench ...): base64 images, options A-Z, answer",
	.open = tsv_open,
	.next = tsv_next,
	.close = tsv_close,
};
