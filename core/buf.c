/*
 * buf.c - growable string buffer (see buf.h).
 */
#include "core/vl.h"
#include "core/buf.h"
#include "core/alloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vl_buf_init(struct vl_buf *b, size_t hint)
{
	b->buf = NULL;
	b->len = 0;
	b->alloc = 0;
	vl_buf_grow(b, hint);
}

void vl_buf_release(struct vl_buf *b)
{
	vl_free(b->buf);
	b->buf = NULL;
	b->len = b->alloc = 0;
}

void vl_buf_reset(struct vl_buf *b)
{
	b->len = 0;
	if (b->buf)
		b->buf[0] = '\0';
}

void vl_buf_grow(struct vl_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (extra >= VL_BUF_MAX || need > VL_BUF_MAX) {
		fprintf(stderr, "vleval: buffer would exceed %zu bytes\n", VL_BUF_MAX);
		abort();
	}
	if (need <= b->alloc)
		return;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need)
		n = n < VL_BUF_MAX / 2 ? n * 2 : VL_BUF_MAX;
	b->buf = vl_xrealloc(b->buf, n);
	b->alloc = n;
	b->buf[b->len] = '\0';
}

void vl_buf_setlen(struct vl_buf *b, size_t len)
{
	if (!b->buf || len > b->len)
		return;
	b->len = len;
	b->buf[len] = '\0';
}

void vl_buf_add(struct vl_buf *b, const void *data, size_t n)
{
	vl_buf_grow(b, n);
	if (n)
		memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void vl_buf_adds(struct vl_buf *b, const char *s)
{
	vl_buf_add(b, s, strlen(s));
}

void vl_buf_addch(struct vl_buf *b, int c)
{
	vl_buf_grow(b, 1);
	b->buf[b->len++] = (char)c;
	b->buf[b->len] = '\0';
}

void vl_buf_vaddf(struct vl_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	vl_buf_grow(b, 64);
	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= b->alloc - b->len) {
		vl_buf_grow(b, (size_t)n);
		va_copy(cp, ap);
		vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, cp);
		va_end(cp);
	}
	b->len += (size_t)n;
}

void vl_buf_addf(struct vl_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vl_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

/* Bytes of the valid UTF-8 sequence at p (1 to 4), 0 when p does not start
 * one (a stray continuation byte, an overlong form, a surrogate, past
 * U+10FFFF, or a sequence cut short by avail or by a NUL). */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned c = p[0], min;
	size_t len;

	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2; min = 0x80; c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3; min = 0x800; c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4; min = 0x10000; c &= 0x07;
	} else {
		return 0;
	}
	if (len > avail)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

/* Here rather than in util.c, beside vl_buf_add_utf8: both use utf8_seq,
 * which stays static so that the per-character loops can inline it. */
int vl_utf8_valid(const char *s, size_t n, size_t *bad_off)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(p + i, n - i)) == 0) {
			if (bad_off)
				*bad_off = i;
			return 0;
		}
		i += k;
	}
	return 1;
}

size_t vl_buf_add_utf8(struct vl_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t bad = 0;

	while (p < end) {
		const unsigned char *q = p;
		size_t k;

		/* runs of valid text are copied in one piece */
		while (q < end && (k = utf8_seq(q, (size_t)(end - q))) != 0)
			q += k;
		vl_buf_add(b, p, (size_t)(q - p));
		if (q == end)
			break;
		vl_buf_add(b, "\xef\xbf\xbd", 3);
		bad++;
		p = q + 1;
	}
	return bad;
}

void vl_buf_add_json_str(struct vl_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	if (!s) {
		vl_buf_adds(b, "null");
		return;
	}
	vl_buf_addch(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': vl_buf_add(b, "\\\"", 2); break;
		case '\\': vl_buf_add(b, "\\\\", 2); break;
		case '\n': vl_buf_add(b, "\\n", 2); break;
		case '\r': vl_buf_add(b, "\\r", 2); break;
		case '\t': vl_buf_add(b, "\\t", 2); break;
		default:
			if (*p < 0x20) {
				char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
				vl_buf_add(b, esc, 6);
			} else if (*p < 0x80) {
				vl_buf_addch(b, *p);
			} else {
				/* JSON is UTF-8: an invalid sequence becomes U+FFFD */
				size_t k = utf8_seq(p, 4);   /* a NUL ends a cut sequence */
				if (k) {
					vl_buf_add(b, p, k);
					p += k - 1;
				} else {
					vl_buf_add(b, "\xef\xbf\xbd", 3);
				}
			}
		}
	}
	vl_buf_addch(b, '"');
}

void vl_buf_add_json_num(struct vl_buf *b, double v)
{
	if (!isfinite(v)) {
		vl_buf_adds(b, "null");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		vl_buf_addf(b, "%.0f", v);
		return;
	}
	/* shortest representation that reads back to the same double */
	for (int prec = 15; prec <= 17; prec++) {
		char tmp[40];
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v || prec == 17) {
			vl_buf_adds(b, tmp);
			return;
		}
	}
}

const char *vl_buf_str(const struct vl_buf *b)
{
	return b->buf ? b->buf : "";
}

char *vl_buf_detach(struct vl_buf *b, size_t *len)
{
	char *s;

	if (!b->buf)
		vl_buf_grow(b, 0);
	s = b->buf;
	if (len)
		*len = b->len;
	b->buf = NULL;
	b->len = b->alloc = 0;
	return s;
}
