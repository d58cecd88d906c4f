/*
 * jsonr.h - a streaming (pull) JSON reader for files too large to hold as a
 * cJSON tree: VQAv2's 172 MB annotations file, its results, its questions.
 *
 * The reader hands out one token at a time from a 256 KiB read buffer, so
 * memory stays flat whatever the file size; string values are decoded
 * (escapes, \u surrogate pairs) into r->str.  It checks the full JSON
 * grammar (RFC 8259): nesting, commas, colons, number syntax, control
 * characters, invalid UTF-8, lone surrogates and trailing data are errors
 * naming the file, line and column.  NaN / Infinity (which Python's json
 * accepts) and "\u0000" in strings (which C strings cannot carry) are
 * rejected too.  A UTF-8 byte order mark at the start is skipped.
 *
 * Use:
 *     struct vl_jsonr r;
 *     if (vl_jsonr_open(&r, path, err) < 0) ...
 *     tok = vl_jsonr_next(&r, err);        // VL_J_OBJ, VL_J_KEY, ...
 *     ... r.str holds the key / string / number text of the token ...
 *     vl_jsonr_skip(&r, tok, err);          // skips the value tok started
 *     vl_jsonr_close(&r);
 */
#ifndef VL_JSONR_H
#define VL_JSONR_H

#include "core/vl.h"

enum vl_jtok {
	VL_J_ERROR = -1,  /* err filled; the reader cannot go on */
	VL_J_END = 0,     /* end of the document */
	VL_J_OBJ,         /* { */
	VL_J_OBJ_END,     /* } */
	VL_J_ARR,         /* [ */
	VL_J_ARR_END,     /* ] */
	VL_J_KEY,         /* an object key: r->str */
	VL_J_STR,         /* a string value: r->str */
	VL_J_NUM,         /* a number: r->str (its text), r->num, r->is_int, r->inum */
	VL_J_TRUE,
	VL_J_FALSE,
	VL_J_NULL,
};

struct vl_jsonr {
	const char *path;      /* borrowed; for messages */
	int fd;                /* -1 for an in-memory document */
	char *buf;             /* owned read buffer (or the borrowed document) */
	size_t len, pos, cap;
	int eof;
	uint64_t base;         /* file offset of buf[0] */
	size_t line;           /* 1-based line of the read position */
	uint64_t line_start;   /* file offset where that line starts */
	size_t tok_line;       /* line and column where the last token began */
	size_t tok_col;
	unsigned char *stack;  /* 'o' / 'a' per open container, owned */
	size_t depth, stack_cap;
	int state;
	struct vl_buf str;     /* the last token's text, owned */
	double num;
	int is_int;            /* the number has no fraction or exponent and fits */
	long long inum;
};

/* Opens path for reading.  VL_ENOTFOUND / VL_EIO with err naming it. */
int vl_jsonr_open(struct vl_jsonr *r, const char *path, struct vl_buf *err);
/* Test hook: reads in chunks of n bytes (call right after vl_jsonr_open),
 * so that tests split tokens at every possible place. */
void vl_jsonr_set_bufsize(struct vl_jsonr *r, size_t n);
/* Test hook: 0 makes string scanning use the portable code instead of
 * SSE2 (no effect where SSE2 is not compiled in); for every reader. */
void vl_jsonr_set_simd(int on);
/* Reads the document data[0..n) (borrowed, must outlive r); name is used in
 * messages. */
void vl_jsonr_open_mem(struct vl_jsonr *r, const char *name, const char *data, size_t n);
/* The next token (enum vl_jtok). */
int vl_jsonr_next(struct vl_jsonr *r, struct vl_buf *err);
/* Skips the rest of the value whose first token was tok (nothing to do for
 * scalars).  0 or VL_EPARSE. */
static inline int vl_jsonr_skip(struct vl_jsonr *r, int tok, struct vl_buf *err);
/* Reads the next token, which must start a value (after a key), and skips
 * the whole value: the kind of its first token (VL_J_STR, VL_J_OBJ, ...),
 * VL_J_ERROR.  The value is checked as vl_jsonr_next would check it (plain
 * strings and integers are only scanned, not copied); r->str is left
 * unspecified.  For the values a loader does not need. */
int vl_jsonr_skip_value(struct vl_jsonr *r, struct vl_buf *err);
/* The part of vl_jsonr_skip for an object or array just opened. */
int vl_jsonr_skip_container(struct vl_jsonr *r, struct vl_buf *err);
/* Next byte after white space, not consumed: 0..255, -1 at the end of the
 * input, VL_EIO (err filled).  A look-ahead that lets a caller word its
 * own message before vl_jsonr_next would fail. */
int vl_jsonr_peek_byte(struct vl_jsonr *r, struct vl_buf *err);
/* Reads the next value without tokenizing it: where vl_jsonr_next would
 * return a value (after a key, in an array; after an array element the ','
 * is consumed first), appends the value's raw text to out (NULL: skip it).
 * Its end is found from brackets and quotes only: the content is NOT
 * checked (the caller parses it, e.g. with cJSON), which is what lets a
 * caller report a bad element and go on to the next.  1, 0 when the input
 * ends inside the value (or no value may come here), VL_EIO (err filled). */
int vl_jsonr_raw(struct vl_jsonr *r, struct vl_buf *out, struct vl_buf *err);
/* Current nesting depth (0 at top level). */
size_t vl_jsonr_depth(const struct vl_jsonr *r);
void vl_jsonr_close(struct vl_jsonr *r);
/* Name of a token kind, for messages ("string", "object", ...). */
const char *vl_jsonr_tok_name(int tok);

/* Inline: loaders call it after every value, most of them scalars. */
static inline int vl_jsonr_skip(struct vl_jsonr *r, int tok, struct vl_buf *err)
{
	if (tok != VL_J_OBJ && tok != VL_J_ARR)
		return tok == VL_J_ERROR ? VL_EPARSE : 0;
	return vl_jsonr_skip_container(r, err);
}

#endif
