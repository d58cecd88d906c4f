/*
 * pystr.c - the Python-compatibility unit (see pystr.h): float(),
 * str.strip(), str.lower(), split, isspace/isdecimal over Python's Unicode
 * tables, round(), repr() and random.Random, as the official scorers use
 * them.  The float grammar follows
 * CPython's PyFloat_FromString: Unicode digits and white space are first
 * mapped to ASCII, then underscores between digits are dropped, then the
 * text must be a whole decimal literal or inf/infinity/nan.
 */
#include "metrics/pystr.h"
#include "metrics/pyunicode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void vl_py_strip(const char *s, size_t n, size_t *start, size_t *len)
{
	size_t i = 0, end = n, l;

	while (i < n && vl_py_isspace(vl_utf8_at(s, n, i, &l)))
		i += l;
	while (end > i) {
		size_t j = end - 1;
		while (j > i && ((unsigned char)s[j] & 0xc0) == 0x80)
			j--;
		if (!vl_py_isspace(vl_utf8_at(s, end, j, &l)) || j + l != end)
			break;
		end = j;
	}
	*start = i;
	*len = end - i;
}

/* Checks the ASCII form a: [sign] (digits [. [digits]] | . digits)
 * [(e|E) [sign] digits], or [sign] inf|infinity|nan. */
static int literal_ok(const char *a)
{
	const char *p = a;
	int digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	if (!strcasecmp(p, "inf") || !strcasecmp(p, "infinity") || !strcasecmp(p, "nan"))
		return 1;
	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
	}
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

int vl_py_float(const char *s, size_t n, double *out)
{
	struct vl_buf a = VL_BUF_INIT;
	size_t start, len, i, l;
	int ok = 1;

	vl_py_strip(s, n, &start, &len);
	s += start;
	for (i = 0; i < len && ok; i += l) {
		uint32_t c = vl_utf8_at(s, len, i, &l);
		int d = vl_py_decimal_value(c);
		if (d >= 0) {
			vl_buf_addch(&a, '0' + d);
		} else if (c == '_') {
			/* only between two digits, as CPython's
			 * _Py_string_to_number_with_underscores */
			size_t nl;
			ok = a.len && a.buf[a.len - 1] >= '0' && a.buf[a.len - 1] <= '9' &&
			     i + 1 < len && vl_py_decimal_value(vl_utf8_at(s, len, i + 1, &nl)) >= 0;
		} else if (c < 0x80 && c != 0) {
			vl_buf_addch(&a, (int)c);
		} else {
			ok = 0;   /* anything else is no number (CPython maps it to '?') */
		}
	}
	ok = ok && len && literal_ok(vl_buf_str(&a));
	if (ok)
		*out = strtod(vl_buf_str(&a), NULL);
	vl_buf_release(&a);
	return ok ? 0 : VL_EINVAL;
}

/* ---- CPython's _randommodule.c ------------------------------------------ */

static void init_genrand(struct vl_pyrandom *r, uint32_t s)
{
	r->mt[0] = s;
	for (int i = 1; i < 624; i++)
		r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
	r->mti = 624;
}

void vl_pyrandom_seed(struct vl_pyrandom *r, uint32_t seed)
{
	/* init_by_array with the one 32-bit word of a small seed */
	const uint32_t key[1] = { seed };
	const int key_length = 1;
	int i = 1, j = 0, k;

	init_genrand(r, 19650218u);
	for (k = 624 > key_length ? 624 : key_length; k; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] +
			   (uint32_t)j;
		i++;
		j++;
		if (i >= 624) {
			r->mt[0] = r->mt[623];
			i = 1;
		}
		if (j >= key_length)
			j = 0;
	}
	for (k = 623; k; k--) {
		r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) -
			   (uint32_t)i;
		i++;
		if (i >= 624) {
			r->mt[0] = r->mt[623];
			i = 1;
		}
	}
	r->mt[0] = 0x80000000u;
}

uint32_t vl_pyrandom_u32(struct vl_pyrandom *r)
{
	static const uint32_t mag01[2] = { 0, 0x9908b0dfu };
	uint32_t y;

	if (r->mti >= 624) {
		int kk;
		for (kk = 0; kk < 624 - 397; kk++) {
			y = (r->mt[kk] & 0x80000000u) | (r->mt[kk + 1] & 0x7fffffffu);
			r->mt[kk] = r->mt[kk + 397] ^ (y >> 1) ^ mag01[y & 1];
		}
		for (; kk < 623; kk++) {
			y = (r->mt[kk] & 0x80000000u) | (r->mt[kk + 1] & 0x7fffffffu);
			r->mt[kk] = r->mt[kk + (397 - 624)] ^ (y >> 1) ^ mag01[y & 1];
		}
		y = (r->mt[623] & 0x80000000u) | (r->mt[0] & 0x7fffffffu);
		r->mt[623] = r->mt[396] ^ (y >> 1) ^ mag01[y & 1];
		r->mti = 0;
	}
	y = r->mt[r->mti++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	return y;
}

uint32_t vl_pyrandom_below(struct vl_pyrandom *r, uint32_t n)
{
	int k = 0;
	uint32_t v;

	if (n == 0)
		return 0;   /* CPython: "if not n: return 0"; n == 1 still draws */
	for (uint32_t t = n; t; t >>= 1)
		k++;
	do
		v = vl_pyrandom_u32(r) >> (32 - k);
	while (v >= n);
	return v;
}

void vl_py_repr(struct vl_buf *out, double v)
{
	char tmp[64];
	int prec, exp;

	if (isnan(v)) {
		vl_buf_adds(out, "nan");
		return;
	}
	if (isinf(v)) {
		vl_buf_adds(out, v < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, v);
	exp = atoi(strchr(tmp, 'e') + 1);
	if (exp < -4 || exp >= 16) {   /* float_repr_style 'r' switches here */
		vl_buf_adds(out, tmp);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, v);
	vl_buf_adds(out, tmp);
	if (!strchr(tmp, '.'))
		vl_buf_adds(out, ".0");
}

static void put_utf8(struct vl_buf *b, uint32_t c)
{
	if (c < 0x80) {
		vl_buf_addch(b, (int)c);
	} else if (c < 0x800) {
		vl_buf_addch(b, 0xc0 | (int)(c >> 6));
		vl_buf_addch(b, 0x80 | (int)(c & 0x3f));
	} else if (c < 0x10000) {
		vl_buf_addch(b, 0xe0 | (int)(c >> 12));
		vl_buf_addch(b, 0x80 | (int)(c >> 6 & 0x3f));
		vl_buf_addch(b, 0x80 | (int)(c & 0x3f));
	} else {
		vl_buf_addch(b, 0xf0 | (int)(c >> 18));
		vl_buf_addch(b, 0x80 | (int)(c >> 12 & 0x3f));
		vl_buf_addch(b, 0x80 | (int)(c >> 6 & 0x3f));
		vl_buf_addch(b, 0x80 | (int)(c & 0x3f));
	}
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* One string literal at *pp; appends its value to b. */
static int str_literal(const char **pp, struct vl_buf *b)
{
	const char *p = *pp;
	char q = *p++;

	if (q != '\'' && q != '"')
		return VL_EINVAL;
	while (*p && *p != q) {
		if (*p == '\n')
			return VL_EINVAL;   /* a raw newline ends no short string */
		if (*p != '\\') {
			vl_buf_addch(b, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case '\\': case '\'': case '"':
			vl_buf_addch(b, *p++);
			break;
		case 'n': vl_buf_addch(b, '\n'); p++; break;
		case 'r': vl_buf_addch(b, '\r'); p++; break;
		case 't': vl_buf_addch(b, '\t'); p++; break;
		case 'a': vl_buf_addch(b, '\a'); p++; break;
		case 'b': vl_buf_addch(b, '\b'); p++; break;
		case 'f': vl_buf_addch(b, '\f'); p++; break;
		case 'v': vl_buf_addch(b, '\v'); p++; break;
		case '\n': p++; break;   /* line continuation */
		case 'x': case 'u': case 'U': {
			int nd = *p == 'x' ? 2 : *p == 'u' ? 4 : 8;
			uint32_t c = 0;
			p++;
			for (int k = 0; k < nd; k++, p++) {
				if (hexval((unsigned char)*p) < 0)
					return VL_EINVAL;
				c = c << 4 | (uint32_t)hexval((unsigned char)*p);
			}
			if (c > 0x10ffff)
				return VL_EINVAL;
			put_utf8(b, c);
			break;
		}
		default:
			if (*p >= '0' && *p <= '7') {
				uint32_t c = 0;
				for (int k = 0; k < 3 && *p >= '0' && *p <= '7'; k++)
					c = c * 8 + (uint32_t)(*p++ - '0');
				put_utf8(b, c);
			} else if (*p) {
				/* an unknown escape keeps its backslash */
				vl_buf_addch(b, '\\');
			} else {
				return VL_EINVAL;
			}
		}
	}
	if (*p != q)
		return VL_EINVAL;
	*pp = p + 1;
	return 0;
}

int vl_py_str_list(const char *s, struct vl_strv *out)
{
	struct vl_strv got = { 0 };
	struct vl_buf b = VL_BUF_INIT;
	const char *p = s;
	char close;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[' && *p != '(')
		return VL_EINVAL;
	close = *p == '[' ? ']' : ')';
	p++;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == close)
			break;
		vl_buf_reset(&b);
		if (str_literal(&p, &b) < 0)
			goto bad;
		/* adjacent literals concatenate */
		for (;;) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '\'' && *p != '"')
				break;
			if (str_literal(&p, &b) < 0)
				goto bad;
		}
		vl_strv_push(&got, vl_buf_str(&b));
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == ',')
			p++;
		else if (*p != close)
			goto bad;
	}
	p++;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p)
		goto bad;
	for (size_t i = 0; i < got.n; i++)
		vl_strv_push(out, got.v[i]);
	vl_strv_release(&got);
	vl_buf_release(&b);
	return 0;
bad:
	vl_strv_release(&got);
	vl_buf_release(&b);
	return VL_EINVAL;
}

/* ---- Python's Unicode facts (tables: pyunicode.h, from gen_pyunicode.py) -- */

static int in_ranges(const uint32_t (*r)[2], size_t n, uint32_t c)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c < r[mid][0])
			hi = mid;
		else if (c > r[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

#define NELEM(a) (sizeof(a) / sizeof(*(a)))

/* Decodes the code point at s[i] (i < n); *len receives its byte length.
 * A malformed sequence decodes as one byte with the value 0xFFFFFFFF, which
 * is in no table. */
uint32_t vl_utf8_at_slow(const char *str, size_t n, size_t i, size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c = s[i];
	size_t k, l;

	if (c < 0x80) {
		*len = 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		l = 2;
		c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		l = 3;
		c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		l = 4;
		c &= 0x07;
	} else {
		*len = 1;
		return 0xffffffffu;
	}
	if (i + l > n) {
		*len = 1;
		return 0xffffffffu;
	}
	for (k = 1; k < l; k++) {
		if ((s[i + k] & 0xc0) != 0x80) {
			*len = 1;
			return 0xffffffffu;
		}
		c = c << 6 | (s[i + k] & 0x3f);
	}
	*len = l;
	return c;
}

/* The code point that ends just before s[i] (i > 0). */
uint32_t vl_utf8_before(const char *str, size_t i, size_t *start)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t j = i - 1, len;
	uint32_t c;

	while (j > 0 && i - j < 4 && (s[j] & 0xc0) == 0x80)
		j--;
	c = vl_utf8_at(str, i, j, &len);
	if (j + len != i) {  /* not a whole sequence: the last byte alone */
		j = i - 1;
		c = 0xffffffffu;
	}
	*start = j;
	return c;
}

int vl_py_isspace_slow(uint32_t c)
{
	return in_ranges(py_space, NELEM(py_space), c);
}

int vl_py_isdecimal_slow(uint32_t c)
{
	return in_ranges(py_decimal, NELEM(py_decimal), c);
}

static int py_iscased(uint32_t c)
{
	return in_ranges(py_cased, NELEM(py_cased), c);
}

static int py_isignorable(uint32_t c)
{
	return in_ranges(py_ignorable, NELEM(py_ignorable), c);
}

static const char *py_lower_of(uint32_t c)
{
	size_t lo = 0, hi = NELEM(py_lower);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c < py_lower[mid].cp)
			hi = mid;
		else if (c > py_lower[mid].cp)
			lo = mid + 1;
		else
			return py_lower[mid].lower;
	}
	return NULL;
}

/* Final_Sigma: capital sigma at byte i of s[0..n) lowers to final sigma when
 * a cased letter precedes it (case-ignorable characters skipped) and none
 * follows it (same skipping) - CPython's handle_capital_sigma. */
static int final_sigma(const char *s, size_t n, size_t i)
{
	size_t j = i, len;
	uint32_t c = 0;
	int found = 0;

	while (j > 0) {
		c = vl_utf8_before(s, j, &j);
		if (!py_isignorable(c)) {
			found = 1;
			break;
		}
	}
	if (!found || !py_iscased(c))
		return 0;
	for (j = i + 2; j < n; j += len) {
		c = vl_utf8_at(s, n, j, &len);
		if (!py_isignorable(c))
			return !py_iscased(c);
	}
	return 1;
}

void vl_py_lower(const char *in, size_t n, struct vl_buf *out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, len;

	vl_buf_grow(out, n);
	while (i < n) {
		unsigned char b = s[i];
		if (b < 0x80) {
			if (out->len + 1 >= out->alloc)
				vl_buf_grow(out, n - i + 8);
			out->buf[out->len++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
			i++;
			continue;
		}
		uint32_t c = vl_utf8_at(in, n, i, &len);
		const char *lo = c == 0x3a3 ? (final_sigma(in, n, i) ? "\xcf\x82" : "\xcf\x83")
					    : py_lower_of(c);
		if (lo)
			vl_buf_adds(out, lo);
		else
			vl_buf_add(out, s + i, len);
		i += len;
	}
	out->buf[out->len] = '\0';
}

/* ---- Python round() ----------------------------------------------------- */

double vl_py_round(double x, int nd)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000 };
	uint64_t m, big, q, rem, half;
	double f, ax = fabs(x);
	int e, s;

	if (!isfinite(x) || x == 0 || nd < 0 || nd > 3)
		return x;
	f = frexp(ax, &e);            /* ax = f * 2^e, f in [0.5, 1) */
	m = (uint64_t)ldexp(f, 53);   /* exact: ax = m * 2^(e - 53) */
	if (e - 53 >= 0)
		return x;                 /* an integer already */
	s = 53 - e;
	big = m * pow10[nd];          /* < 2^63: exact */
	if (s >= 64) {
		q = 0;                    /* big < 2^63 <= half */
	} else {
		q = big >> s;
		rem = big & ((UINT64_C(1) << s) - 1);
		half = UINT64_C(1) << (s - 1);
		if (rem > half || (rem == half && (q & 1)))
			q++;
	}
	if (q >= (UINT64_C(1) << 53)) {
		/* q / 10^nd would round twice; such magnitudes never occur in
		 * scores, but stay exact through the C library. */
		char tmp[64];
		snprintf(tmp, sizeof(tmp), "%.*f", nd, ax);
		return copysign(strtod(tmp, NULL), x);
	}
	/* q and 10^nd are exact doubles and IEEE division rounds correctly, so
	 * this is the double nearest to the decimal q / 10^nd - what Python gets
	 * by reading the rounded digits back with strtod. */
	return copysign((double)q / (double)pow10[nd], x);
}

/* ---- str methods ---------------------------------------------------------- */

void vl_py_lower_fold(const char *in, size_t n, struct vl_buf *out)
{
	size_t i = 0, len, start, before = out->len;

	while (i < n) {
		while (i < n && vl_py_isspace(vl_utf8_at(in, n, i, &len)))
			i += len;
		if (i >= n)
			break;
		start = i;
		while (i < n && !vl_py_isspace(vl_utf8_at(in, n, i, &len)))
			i += len;
		if (out->len > before)
			vl_buf_addch(out, ' ');
		vl_py_lower(in + start, i - start, out);
	}
	vl_buf_grow(out, 0);
}

size_t vl_utf8_decode(const char *in, size_t n, uint32_t **out, size_t *cap)
{
	size_t i = 0, k = 0, len;

	if (*cap < n + 1) {
		*cap = n + 1;
		*out = vl_xrealloc(*out, *cap * sizeof(uint32_t));
	}
	while (i < n) {
		(*out)[k++] = vl_utf8_at(in, n, i, &len);
		i += len;
	}
	return k;
}

int vl_py_decimal_value(uint32_t c)
{
	size_t lo = 0, hi = NELEM(py_decimal);

	if (c < 0x80)
		return c >= '0' && c <= '9' ? (int)(c - '0') : -1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c < py_decimal[mid][0])
			hi = mid;
		else if (c > py_decimal[mid][1])
			lo = mid + 1;
		else    /* every run of Unicode decimal digits starts at zero */
			return (int)((c - py_decimal[mid][0]) % 10);
	}
	return -1;
}
