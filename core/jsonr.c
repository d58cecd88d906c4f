/*
 * jsonr.c - the streaming JSON reader (see jsonr.h).
 *
 * Why not cJSON or a library: cJSON builds the whole tree (VQAv2's 172 MB
 * annotations become well over 1 GB of nodes), and a callback parser such as
 * yajl turns the loaders inside out.  A pull reader lets a loader read
 * `for each annotation: read its keys` as straight-line code, over a fixed
 * 256 KiB buffer, at several hundred MB/s.
 *
 * Structure: refill() keeps buf filled; the grammar is a small state machine
 * (what may come next) plus a stack of open containers; strings and numbers
 * are copied into r->str as they are read, so tokens may span refills.
 */
#include "core/jsonr.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define JSONR_BUFSIZE (256 * 1024)
#define JSONR_MAX_DEPTH 10000

enum {
	ST_VALUE,      /* a value must come (document start, after ':' or ',' in an array) */
	ST_ARR_FIRST,  /* a value or ']' */
	ST_OBJ_FIRST,  /* a key or '}' */
	ST_KEY,        /* a key (after ',' in an object) */
	ST_AFTER,      /* ',' or the closing bracket, or the end at depth 0 */
	ST_DONE,       /* the document ended */
};

/* Byte classes: 1 = ends the fast copy loop of a string ('"', '\\', control
 * characters, bytes >= 0x80, which are validated one sequence at a time);
 * 2 = JSON white space. */
static const unsigned char cls[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 1, 1, 3, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* A UTF-8 byte order mark at the start of the input (as Windows tools
 * write it) is not part of the document.  (With a test buffer of under 3
 * bytes a mark split across reads is not recognised.) */
static void skip_bom(struct vl_jsonr *r)
{
	if (r->base == 0 && r->pos == 0 && r->len >= 3 && !memcmp(r->buf, "\xef\xbb\xbf", 3)) {
		r->pos = 3;
		r->line_start = 3;
	}
}

static void init_common(struct vl_jsonr *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->fd = -1;
	r->line = 1;
	r->state = ST_VALUE;
}

int vl_jsonr_open(struct vl_jsonr *r, const char *path, struct vl_buf *err)
{
	init_common(r, path);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		int e = errno;
		if (err)
			vl_buf_addf(err, "cannot open '%s': %s", path, strerror(e));
		return e == ENOENT ? VL_ENOTFOUND : VL_EIO;
	}
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	r->cap = JSONR_BUFSIZE;
	r->buf = vl_xmalloc(r->cap);
	return 0;
}

void vl_jsonr_open_mem(struct vl_jsonr *r, const char *name, const char *data, size_t n)
{
	init_common(r, name);
	r->buf = (char *)data;
	r->len = n;
	r->eof = 1;
	skip_bom(r);
}

void vl_jsonr_close(struct vl_jsonr *r)
{
	if (r->fd >= 0) {
		close(r->fd);
		vl_free(r->buf);
	}
	vl_free(r->stack);
	vl_buf_release(&r->str);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

void vl_jsonr_set_bufsize(struct vl_jsonr *r, size_t n)
{
	if (r->fd < 0 || r->base || r->len || n == 0)
		return;
	r->cap = n;
	r->buf = vl_xrealloc(r->buf, n);
}

size_t vl_jsonr_depth(const struct vl_jsonr *r)
{
	return r->depth;
}

const char *vl_jsonr_tok_name(int tok)
{
	switch (tok) {
	case VL_J_OBJ: return "object";
	case VL_J_OBJ_END: return "'}'";
	case VL_J_ARR: return "array";
	case VL_J_ARR_END: return "']'";
	case VL_J_KEY: return "key";
	case VL_J_STR: return "string";
	case VL_J_NUM: return "number";
	case VL_J_TRUE: case VL_J_FALSE: return "boolean";
	case VL_J_NULL: return "null";
	case VL_J_END: return "end of file";
	default: return "error";
	}
}

/* Reads more input once buf is used up.  1: bytes available; 0: end of
 * input; VL_EIO with err. */
static int refill(struct vl_jsonr *r, struct vl_buf *err)
{
	ssize_t n;

	if (r->pos < r->len)
		return 1;
	if (r->eof || r->fd < 0)
		return 0;
	r->base += r->len;
	r->pos = r->len = 0;
	do
		n = read(r->fd, r->buf, r->cap);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (err)
			vl_buf_addf(err, "cannot read '%s': %s", r->path, strerror(errno));
		return VL_EIO;
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->len = (size_t)n;
	if (r->base == 0)
		skip_bom(r);
	return 1;
}

__attribute__((cold, noinline)) static int fail(struct vl_jsonr *r, struct vl_buf *err, const char *what)
{
	uint64_t off = r->base + r->pos;

	if (err)
		vl_buf_addf(err, "cannot parse '%s' line %zu column %llu: %s", r->path, r->line,
			    (unsigned long long)(off - r->line_start + 1), what);
	r->state = -1;
	return VL_J_ERROR;
}

/* Next byte without consuming it: 0..255, -1 at the end, VL_EIO. */
static int peek(struct vl_jsonr *r, struct vl_buf *err)
{
	int rc = refill(r, err);
	if (rc <= 0)
		return rc == 0 ? -1 : rc;
	return (unsigned char)r->buf[r->pos];
}

__attribute__((noinline)) static void skip_ws(struct vl_jsonr *r)
{
	for (;;) {
		while (r->pos < r->len && (cls[(unsigned char)r->buf[r->pos]] & 2)) {
			char c = r->buf[r->pos];
			if (c == '\n') {
				r->line++;
				r->line_start = r->base + r->pos + 1;
			}
			r->pos++;
		}
		if (r->pos < r->len || refill(r, NULL) <= 0)
			return;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads the 4 hex digits of a \u escape. */
static int read_u4(struct vl_jsonr *r, struct vl_buf *err, unsigned *out)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		int c = peek(r, err), h;
		if (c < 0 || (h = hexval(c)) < 0)
			return fail(r, err, "invalid \\u escape in string");
		v = v << 4 | (unsigned)h;
		r->pos++;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct vl_buf *b, unsigned c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	vl_buf_add(b, u, n);
}

/* Validates and copies one multi-byte UTF-8 sequence starting at buf[pos]. */
static int read_utf8(struct vl_jsonr *r, struct vl_buf *err)
{
	unsigned char u[4];
	unsigned c;
	size_t len, k;
	unsigned min;

	u[0] = (unsigned char)r->buf[r->pos];
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2; min = 0x80; c = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3; min = 0x800; c = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4; min = 0x10000; c = u[0] & 0x07;
	} else {
		return fail(r, err, "invalid UTF-8 in string");
	}
	r->pos++;
	for (k = 1; k < len; k++) {
		int b = peek(r, err);
		if (b < 0 || (b & 0xc0) != 0x80)
			return fail(r, err, "invalid UTF-8 in string");
		u[k] = (unsigned char)b;
		c = c << 6 | (unsigned)(b & 0x3f);
		r->pos++;
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return fail(r, err, "invalid UTF-8 in string");
	vl_buf_add(&r->str, u, len);
	return 0;
}

static int str_special(unsigned char c)
{
	return cls[c] & 1;
}

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Nonzero when one of the 8 bytes of x ends the fast copy loop of a string
 * ('"', '\\', below 0x20 or from 0x80): the classic "has a zero byte" bit
 * trick, exact as to whether there is one. */
static inline uint64_t special8(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return ((((x - ONES * 0x20) | (q - ONES) | (b - ONES)) & ~x) | x) & HIGHS;
}

/* Whether scan_plain may use SSE2 (a test hook switches to the portable
 * code, so that both are tested on x86-64). */
static int use_simd = 1;

void vl_jsonr_set_simd(int on)
{
	use_simd = on;
}

/* First byte of [p, end) that ends a plain run of string bytes, or end.
 * SSE2 (baseline on x86-64) looks at 16 bytes per step: a signed compare
 * below 0x20 catches control characters and bytes from 0x80 at once.  The
 * portable code looks at 8 bytes per step; on a little-endian machine the
 * lowest flagged byte of special8 is exact (a borrow only runs towards
 * higher bytes), so its position comes from a count of trailing zeros. */
static inline const char *scan_plain(const char *p, const char *end)
{
#ifdef __SSE2__
	if (use_simd) {
		const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
		const __m128i space = _mm_set1_epi8(0x20);
		while (end - p >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote),
							      _mm_cmpeq_epi8(x, bslash)),
						 _mm_cmplt_epi8(x, space));
			unsigned mask = (unsigned)_mm_movemask_epi8(m);
			if (mask)
				return p + __builtin_ctz(mask);
			p += 16;
		}
	}
#endif
	while (end - p >= 8) {
		uint64_t x, m;
		memcpy(&x, p, 8);
		m = special8(x);
		if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(m) >> 3);
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < end && !str_special((unsigned char)*p))
		p++;
	return p;
}

/* Reads a string whose opening quote is at buf[pos] into r->str: the
 * general case (escapes, UTF-8, a string that crosses a refill). */
__attribute__((noinline)) static int read_string_slow(struct vl_jsonr *r, struct vl_buf *err)
{
	r->str.len = 0;
	if (r->str.buf)
		r->str.buf[0] = '\0';
	r->pos++;
	for (;;) {
		size_t start = r->pos;
		int c;

		r->pos = (size_t)(scan_plain(r->buf + r->pos, r->buf + r->len) - r->buf);
		if (r->pos > start)
			vl_buf_add(&r->str, r->buf + start, r->pos - start);
		c = peek(r, err);
		if (c < 0)
			return c == -1 ? fail(r, err, "unexpected end of file in a string (truncated JSON?)")
				       : VL_J_ERROR;
		if (!str_special((unsigned char)c))
			continue;  /* the buffer ran out mid-run: refilled */
		if (c == '"') {
			r->pos++;
			vl_buf_grow(&r->str, 0);
			return 0;
		}
		if (c < 0x20)
			return fail(r, err, c == '\n' ? "unterminated string (raw newline)"
						      : "control character in string");
		if (c >= 0x80) {
			if (read_utf8(r, err) < 0)
				return VL_J_ERROR;
			continue;
		}
		/* backslash */
		r->pos++;
		c = peek(r, err);
		if (c < 0)
			return fail(r, err, "unexpected end of file in a string (truncated JSON?)");
		r->pos++;
		switch (c) {
		case '"': vl_buf_addch(&r->str, '"'); break;
		case '\\': vl_buf_addch(&r->str, '\\'); break;
		case '/': vl_buf_addch(&r->str, '/'); break;
		case 'b': vl_buf_addch(&r->str, '\b'); break;
		case 'f': vl_buf_addch(&r->str, '\f'); break;
		case 'n': vl_buf_addch(&r->str, '\n'); break;
		case 'r': vl_buf_addch(&r->str, '\r'); break;
		case 't': vl_buf_addch(&r->str, '\t'); break;
		case 'u': {
			unsigned u, lo;
			if (read_u4(r, err, &u) < 0)
				return VL_J_ERROR;
			if (u >= 0xdc00 && u <= 0xdfff)
				return fail(r, err, "lone low surrogate \\u escape in string");
			if (u >= 0xd800 && u <= 0xdbff) {
				if (peek(r, err) != '\\')
					return fail(r, err, "lone high surrogate \\u escape in string");
				r->pos++;
				if (peek(r, err) != 'u')
					return fail(r, err, "lone high surrogate \\u escape in string");
				r->pos++;
				if (read_u4(r, err, &lo) < 0)
					return VL_J_ERROR;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(r, err, "lone high surrogate \\u escape in string");
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (u == 0)
				return fail(r, err, "\\u0000 in a string is not supported");
			put_utf8(&r->str, u);
			break;
		}
		default:
			return fail(r, err, "invalid escape in string");
		}
	}
}

/* Reads a string whose opening quote is at buf[pos] into r->str (inline:
 * the plain string that ends in the buffer; the rest, read_string_slow). */
static inline int read_string(struct vl_jsonr *r, struct vl_buf *err)
{
	{
		/* fast path: the whole plain string is in the buffer */
		const char *p = r->buf + r->pos + 1, *end = r->buf + r->len;
		const char *q = scan_plain(p, end);
		if (q < end && *q == '"') {
			size_t n = (size_t)(q - p);
			if (r->str.alloc < n + 17)
				vl_buf_grow(&r->str, n + 16);
#ifdef __SSE2__
			/* short strings (most keys and answers): one 16-byte
			 * move instead of a call to memcpy */
			if (n <= 16 && end - p >= 16)
				_mm_storeu_si128((__m128i *)(void *)r->str.buf,
						 _mm_loadu_si128((const __m128i *)(const void *)p));
			else
#endif
				memcpy(r->str.buf, p, n);
			r->str.buf[n] = '\0';
			r->str.len = n;
			r->pos += n + 2;
			return 0;
		}
	}
	return read_string_slow(r, err);
}


static int isdigit_(int c)
{
	return c >= '0' && c <= '9';
}

/* Reads a number starting at buf[pos] into r->str / r->num.  Integers are
 * converted while they are scanned; strtod runs only for numbers with a
 * fraction or an exponent (the ids of a VQA file are all integers). */
static int read_number(struct vl_jsonr *r, struct vl_buf *err)
{
	int c, frac = 0, neg = 0, overflow = 0;
	unsigned long long v = 0;

	{
		/* fast path: an integer of up to 15 digits (exact as a double)
		 * that ends inside the buffer */
		const char *b = r->buf + r->pos, *end = r->buf + r->len, *q = b;
		neg = q < end && *q == '-';
		q += neg;
		if (q < end && *q >= '1' && *q <= '9') {
			const char *d = q;
			while (q < end && q - d < 16 && isdigit_(*q))
				v = v * 10 + (unsigned)(*q++ - '0');
			if (q < end && q - d < 16 && *q != '.' && *q != 'e' && *q != 'E') {
				size_t n = (size_t)(q - b);
				if (r->str.alloc < n + 1)
					vl_buf_grow(&r->str, n + 1);
				memcpy(r->str.buf, b, n);
				r->str.buf[n] = '\0';
				r->str.len = n;
				r->pos += n;
				r->is_int = 1;
				r->inum = neg ? -(long long)v : (long long)v;
				r->num = (double)r->inum;
				return 0;
			}
		}
		neg = 0;
		v = 0;
	}
	vl_buf_reset(&r->str);
#define TAKE() do { vl_buf_addch(&r->str, c); r->pos++; c = peek(r, err); } while (0)
	c = peek(r, err);
	if (c == '-') {
		neg = 1;
		TAKE();
	}
	if (c == '0') {
		TAKE();
	} else if (isdigit_(c)) {
		while (isdigit_(c)) {
			if (v > (ULLONG_MAX - 9) / 10)
				overflow = 1;
			v = v * 10 + (unsigned)(c - '0');
			/* digits inside the buffer: copy them in one go */
			size_t start = r->pos, p = r->pos + 1;
			while (p < r->len && isdigit_(r->buf[p])) {
				if (v > (ULLONG_MAX - 9) / 10)
					overflow = 1;
				v = v * 10 + (unsigned)(r->buf[p] - '0');
				p++;
			}
			vl_buf_add(&r->str, r->buf + start, p - start);
			r->pos = p;
			c = peek(r, err);
		}
	} else {
		return fail(r, err, "invalid number");
	}
	if (c == '.') {
		frac = 1;
		TAKE();
		if (!isdigit_(c))
			return fail(r, err, "invalid number (no digit after '.')");
		while (isdigit_(c))
			TAKE();
	}
	if (c == 'e' || c == 'E') {
		frac = 1;
		TAKE();
		if (c == '+' || c == '-')
			TAKE();
		if (!isdigit_(c))
			return fail(r, err, "invalid number (no digit in exponent)");
		while (isdigit_(c))
			TAKE();
	}
#undef TAKE
	if (c < -1)
		return VL_J_ERROR;
	r->is_int = !frac && !overflow && v <= (unsigned long long)LLONG_MAX;
	if (r->is_int) {
		r->inum = neg ? -(long long)v : (long long)v;
		r->num = (double)r->inum;
		if (r->num != (double)r->inum || v > (UINT64_C(1) << 53))
			r->num = strtod(r->str.buf, NULL);
	} else {
		r->num = strtod(r->str.buf, NULL);
	}
	return 0;
}

__attribute__((noinline)) static int literal(struct vl_jsonr *r, struct vl_buf *err, const char *word, int tok)
{
	for (const char *p = word; *p; p++) {
		if (peek(r, err) != (unsigned char)*p)
			return fail(r, err, "invalid literal (expected a value)");
		r->pos++;
	}
	return tok;
}

static inline int push(struct vl_jsonr *r, struct vl_buf *err, unsigned char kind)
{
	if (r->depth >= JSONR_MAX_DEPTH)
		return fail(r, err, "nesting too deep");
	if (r->depth == r->stack_cap) {
		r->stack_cap = r->stack_cap ? r->stack_cap * 2 : 64;
		r->stack = vl_xrealloc(r->stack, r->stack_cap);
	}
	r->stack[r->depth++] = kind;
	return 0;
}

/* The state after a complete value. */
static void value_done(struct vl_jsonr *r)
{
	r->state = r->depth ? ST_AFTER : ST_DONE;
}

/* Reads a value that starts at the current byte c. */
static int read_value(struct vl_jsonr *r, struct vl_buf *err, int c)
{
	switch (c) {
	case '{':
		r->pos++;
		if (push(r, err, 'o') < 0)
			return VL_J_ERROR;
		r->state = ST_OBJ_FIRST;
		return VL_J_OBJ;
	case '[':
		r->pos++;
		if (push(r, err, 'a') < 0)
			return VL_J_ERROR;
		r->state = ST_ARR_FIRST;
		return VL_J_ARR;
	case '"':
		if (read_string(r, err) < 0)
			return VL_J_ERROR;
		value_done(r);
		return VL_J_STR;
	case 't':
		c = literal(r, err, "true", VL_J_TRUE);
		break;
	case 'f':
		c = literal(r, err, "false", VL_J_FALSE);
		break;
	case 'n':
		c = literal(r, err, "null", VL_J_NULL);
		break;
	default:
		if (c == '-' || isdigit_(c)) {
			if (read_number(r, err) < 0)
				return VL_J_ERROR;
			value_done(r);
			return VL_J_NUM;
		}
		return fail(r, err, c == ']' || c == '}' ? "unexpected closing bracket"
							 : "expected a value");
	}
	if (c > 0)
		value_done(r);
	return c;
}

static int close_container(struct vl_jsonr *r, struct vl_buf *err, int c)
{
	unsigned char want = c == '}' ? 'o' : 'a';

	if (!r->depth || r->stack[r->depth - 1] != want)
		return fail(r, err, "mismatched closing bracket");
	r->pos++;
	r->depth--;
	value_done(r);
	return c == '}' ? VL_J_OBJ_END : VL_J_ARR_END;
}

static int read_key(struct vl_jsonr *r, struct vl_buf *err)
{
	if (read_string(r, err) < 0)
		return VL_J_ERROR;
	if (r->pos < r->len && r->buf[r->pos] == ':') {
		r->pos++;
		/* the usual "key": value, without a trip through skip_ws */
		if (r->pos < r->len && r->buf[r->pos] == ' ')
			r->pos++;
		r->state = ST_VALUE;
		return VL_J_KEY;
	}
	skip_ws(r);
	if (peek(r, err) != ':')
		return fail(r, err, "expected ':' after object key");
	r->pos++;
	r->state = ST_VALUE;
	return VL_J_KEY;
}

int vl_jsonr_next(struct vl_jsonr *r, struct vl_buf *err)
{
	int c;

	if (r->pos < r->len && !(cls[c = (unsigned char)r->buf[r->pos]] & 2) && r->state >= 0) {
		/* the usual case: the token starts right here, in the buffer */
		r->tok_line = r->line;
		r->tok_col = (size_t)(r->base + r->pos - r->line_start + 1);
	} else {
		if (r->state < 0)
			return VL_J_ERROR;
		skip_ws(r);
		r->tok_line = r->line;
		r->tok_col = (size_t)(r->base + r->pos - r->line_start + 1);
		c = peek(r, err);
		if (c < -1)
			return VL_J_ERROR;
		if (c == -1) {
			if (r->state == ST_DONE)
				return VL_J_END;
			return fail(r, err, r->base + r->len == 0 ? "empty file"
								  : "unexpected end of file (truncated JSON?)");
		}
	}
	switch (r->state) {
	case ST_DONE:
		return fail(r, err, "extra data after the JSON document");
	case ST_VALUE:
		return read_value(r, err, c);
	case ST_ARR_FIRST:
		if (c == ']')
			return close_container(r, err, c);
		return read_value(r, err, c);
	case ST_OBJ_FIRST:
		if (c == '}')
			return close_container(r, err, c);
		/* fall through */
	case ST_KEY:
		if (c != '"')
			return fail(r, err, "expected a string key");
		return read_key(r, err);
	case ST_AFTER:
		if (c == '}' || c == ']')
			return close_container(r, err, c);
		if (c != ',')
			return fail(r, err, r->stack[r->depth - 1] == 'o' ? "expected ',' or '}'"
									  : "expected ',' or ']'");
		r->pos++;
		r->state = r->stack[r->depth - 1] == 'o' ? ST_KEY : ST_VALUE;
		/* the common ", " and ", \"" right here, without a second call */
		if (r->pos < r->len && r->buf[r->pos] == ' ')
			r->pos++;
		if (r->pos < r->len && r->buf[r->pos] == '"') {
			r->tok_col = (size_t)(r->base + r->pos - r->line_start + 1);
			if (r->state == ST_KEY)
				return read_key(r, err);
			if (read_string(r, err) < 0)
				return VL_J_ERROR;
			value_done(r);
			return VL_J_STR;
		}
		return vl_jsonr_next(r, err);
	}
	return fail(r, err, "internal state error");
}

int vl_jsonr_skip_container(struct vl_jsonr *r, struct vl_buf *err)
{
	size_t depth;

	depth = r->depth - 1;
	while (r->depth > depth) {
		int t = vl_jsonr_next(r, err);
		if (t == VL_J_ERROR || t == VL_J_END)
			return VL_EPARSE;
	}
	return 0;
}

int vl_jsonr_skip_value(struct vl_jsonr *r, struct vl_buf *err)
{
	if (r->state == ST_VALUE && r->pos < r->len) {
		const char *p = r->buf + r->pos, *end = r->buf + r->len, *q;
		int tok = 0;

		if (*p == '"') {
			/* a plain string that ends in the buffer: nothing to
			 * decode or copy (anything else takes the full path,
			 * which validates escapes and UTF-8) */
			q = scan_plain(p + 1, end);
			if (q < end && *q == '"') {
				q++;
				tok = VL_J_STR;
			}
		} else if (*p >= '1' && *p <= '9') {
			for (q = p + 1; q < end && isdigit_(*q); q++)
				;
			if (q < end && *q != '.' && *q != 'e' && *q != 'E')
				tok = VL_J_NUM;
		}
		if (tok) {
			r->tok_line = r->line;
			r->tok_col = (size_t)(r->base + r->pos - r->line_start + 1);
			r->pos += (size_t)(q - p);
			value_done(r);
			return tok;
		}
	}
	{
		int t = vl_jsonr_next(r, err);
		if (t == VL_J_OBJ || t == VL_J_ARR)
			return vl_jsonr_skip_container(r, err) < 0 ? VL_J_ERROR : t;
		return t;
	}
}

int vl_jsonr_peek_byte(struct vl_jsonr *r, struct vl_buf *err)
{
	skip_ws(r);
	return peek(r, err);
}

int vl_jsonr_raw(struct vl_jsonr *r, struct vl_buf *out, struct vl_buf *err)
{
	int depth = 0, in_str = 0, esc = 0, scalar, c;

	if (r->state == ST_AFTER && r->depth && r->stack[r->depth - 1] == 'a') {
		if (vl_jsonr_peek_byte(r, err) != ',')
			return 0;
		r->pos++;
		r->state = ST_VALUE;
	}
	if (r->state != ST_VALUE && r->state != ST_ARR_FIRST)
		return 0;
	c = vl_jsonr_peek_byte(r, err);
	if (c < 0)
		return c == -1 ? 0 : VL_EIO;
	r->tok_line = r->line;
	r->tok_col = (size_t)(r->base + r->pos - r->line_start + 1);
	scalar = c != '"' && c != '[' && c != '{';
	for (;;) {
		int rc = refill(r, err);
		if (rc <= 0) {
			if (rc < 0)
				return VL_EIO;
			if (!scalar)
				return 0;
			break;  /* a number or literal ends with the input */
		}
		const char *start = r->buf + r->pos, *p = start, *end = r->buf + r->len;
		int finished = 0;

		if (scalar) {
			while (p < end && *p != ',' && *p != ']' && *p != '}' && !(cls[(unsigned char)*p] & 2))
				p++;
			finished = p < end;
		} else {
			for (; p < end; p++) {
				char ch = *p;
				if (ch == '\n') {
					r->line++;
					r->line_start = r->base + (size_t)(p - r->buf) + 1;
				}
				if (in_str) {
					if (esc) {
						esc = 0;
					} else if (ch == '\\') {
						esc = 1;
					} else if (ch == '"') {
						in_str = 0;
						if (depth == 0) {
							p++;
							finished = 1;
							break;
						}
					} else if (!(cls[(unsigned char)ch] & 1)) {
						/* a plain run: skip it in one go */
						const char *q = scan_plain(p, end);
						p = q - 1;
					}
				} else if (ch == '"') {
					in_str = 1;
				} else if (ch == '[' || ch == '{') {
					depth++;
				} else if (ch == ']' || ch == '}') {
					if (--depth <= 0) {
						p++;
						finished = 1;
						break;
					}
				}
			}
		}
		if (out)
			vl_buf_add(out, start, (size_t)(p - start));
		r->pos += (size_t)(p - start);
		if (finished)
			break;
	}
	value_done(r);
	return 1;
}
