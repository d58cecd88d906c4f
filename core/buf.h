/*
 * buf.h - the growable byte/string buffer used for all text building.
 *
 * A struct vl_buf always holds a NUL-terminated string once initialised
 * (buf is never NULL after vl_buf_init or VL_BUF_INIT's first write; use
 * vl_buf_str() to read it safely).  Growth is capped at VL_BUF_MAX: a write
 * past the cap aborts, since no legitimate prompt, response or report line
 * comes near it and an unbounded buffer is how a malformed input eats memory.
 *
 * Lifecycle: vl_buf_init fills a caller-owned struct, vl_buf_release frees
 * what it holds, vl_buf_detach hands the string to the caller (free with
 * vl_free) and leaves the buffer empty and reusable.
 */
#ifndef VL_BUF_H
#define VL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define VL_BUF_MAX ((size_t)1 << 31)

struct vl_buf {
	char *buf;    /* owned; NUL-terminated; NULL only before first use */
	size_t len;   /* bytes used, not counting the NUL */
	size_t alloc; /* bytes allocated */
};

#define VL_BUF_INIT { NULL, 0, 0 }

void vl_buf_init(struct vl_buf *b, size_t hint);
void vl_buf_release(struct vl_buf *b);
void vl_buf_reset(struct vl_buf *b);               /* len = 0, keeps memory */
void vl_buf_grow(struct vl_buf *b, size_t extra);  /* room for extra more */
void vl_buf_setlen(struct vl_buf *b, size_t len);  /* truncate (len <= b->len) */
void vl_buf_add(struct vl_buf *b, const void *data, size_t n);
void vl_buf_adds(struct vl_buf *b, const char *s);
void vl_buf_addch(struct vl_buf *b, int c);
void vl_buf_addf(struct vl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vl_buf_vaddf(struct vl_buf *b, const char *fmt, va_list ap);
/* Appends the n bytes at s with every invalid UTF-8 sequence replaced by
 * U+FFFD (one per bad byte); returns how many were replaced. */
size_t vl_buf_add_utf8(struct vl_buf *b, const char *s, size_t n);
/* Appends s as a JSON string literal, quotes included; NULL gives null.
 * Invalid UTF-8 becomes U+FFFD, so the JSON is always valid. */
void vl_buf_add_json_str(struct vl_buf *b, const char *s);
/* Appends a double the way JSON wants it (shortest round-trip form, null
 * for NaN and infinities). */
void vl_buf_add_json_num(struct vl_buf *b, double v);
const char *vl_buf_str(const struct vl_buf *b);   /* "" when empty */
char *vl_buf_detach(struct vl_buf *b, size_t *len); /* caller frees with vl_free */

#endif
