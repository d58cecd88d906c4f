/*
 * pystr.h - Python 3 str and float behaviour that the official benchmark
 * scorers depend on (ChartQA's float(), MMMU's float() and round(), the
 * whitespace of str.strip() and str.split()), and CPython's random module
 * (Mersenne Twister MT19937 with init_by_array seeding, random.choice), so
 * that a seeded fallback draws exactly what the official scorer draws.
 *
 * It is also the Python-compatibility unit of the other ports: str.lower()
 * with full case mapping and Final_Sigma, " ".join(s.lower().split()),
 * isspace / isdecimal of any code point, round().  The Unicode facts come
 * from metrics/pyunicode.h, which metrics/gen_pyunicode.py writes from
 * Python itself (rerun it there to move to another Unicode version).
 *
 * Strings are UTF-8; pure functions, no I/O.  Invalid UTF-8 bytes are kept
 * as they are and are neither space nor digit.
 */
#ifndef VL_METRICS_PYSTR_H
#define VL_METRICS_PYSTR_H

#include "core/vl.h"

/* Python 3 str.lower() of a UTF-8 string (full case mapping, Final_Sigma),
 * appended to out. */
void vl_py_lower(const char *in, size_t n, struct vl_buf *out);

/* " ".join(s.lower().split()) of Python 3, appended to out. */
void vl_py_lower_fold(const char *in, size_t n, struct vl_buf *out);

/* Decodes UTF-8 into code points (a malformed byte becomes one code point
 * 0xFFFFFFFF); returns the count, *out grown as needed (caller frees with
 * vl_free). */
size_t vl_utf8_decode(const char *in, size_t n, uint32_t **out, size_t *cap);

/* Python 3 round(x, ndigits) for 0 <= ndigits <= 3: the decimal nearest to
 * the exact binary value of x, ties (exact binary midpoints) to even, read
 * back as the nearest double.  NaN and infinities pass through. */
double vl_py_round(double x, int ndigits);

/* The digit value of a Python str.isdecimal() code point, else -1. */
int vl_py_decimal_value(uint32_t c);

/* The code point that ends just before s[i] (i > 0); *start receives where
 * it begins.  A byte that ends no whole sequence is one code point
 * 0xFFFFFFFF. */
uint32_t vl_utf8_before(const char *s, size_t i, size_t *start);

/* The per-character facts below are inline for ASCII (the VQA scorer asks
 * them for every byte of 2 million answers) and call out for the rest. */
uint32_t vl_utf8_at_slow(const char *s, size_t n, size_t i, size_t *len);
int vl_py_isspace_slow(uint32_t c);
int vl_py_isdecimal_slow(uint32_t c);

/* The code point at s[i] (i < n) and its byte length in *len; a malformed
 * byte is one code point 0xFFFFFFFF. */
static inline uint32_t vl_utf8_at(const char *s, size_t n, size_t i, size_t *len)
{
	if ((unsigned char)s[i] < 0x80) {
		*len = 1;
		return (unsigned char)s[i];
	}
	return vl_utf8_at_slow(s, n, i, len);
}

/* Python 3 str.isspace() of one code point. */
static inline int vl_py_isspace(uint32_t c)
{
	if (c < 0x80)
		return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
	return vl_py_isspace_slow(c);
}

/* Python 3 str.isdecimal() of one code point (what re's \d matches). */
static inline int vl_py_isdecimal(uint32_t c)
{
	if (c < 0x80)
		return c >= '0' && c <= '9';
	return vl_py_isdecimal_slow(c);
}

/* Python float(s) on s[0..n): surrounding Unicode white space, a sign,
 * digits (any Unicode decimal digits) with single '_' between digits, an
 * optional fraction and exponent, or inf / infinity / nan in any case.
 * Returns 0 and fills *out, or VL_EINVAL where Python raises ValueError. */
int vl_py_float(const char *s, size_t n, double *out);

/* Python s.strip() (Unicode white space): the kept span is
 * s[*start .. *start + *len). */
void vl_py_strip(const char *s, size_t n, size_t *start, size_t *len);

/* Python eval() of a list or tuple literal of string literals, as
 * VLMEvalKit stores answer lists in its TSVs ("['a', \"b's\"]"): quotes ' or
 * ", the escapes \\ \' \" \n \r \t \xhh \uhhhh \Uhhhhhhhh and octal.  Appends
 * each string to out and returns 0, or VL_EINVAL (out untouched) when s is
 * anything else. */
int vl_py_str_list(const char *s, struct vl_strv *out);

/* Appends Python's repr() of a float: the shortest digits that read back
 * to v, with ".0" on integral values ("75.0", "954.5959595959595"). */
void vl_py_repr(struct vl_buf *out, double v);

/* CPython's random.Random: MT19937 seeded as random.seed(int) does. */
struct vl_pyrandom {
	uint32_t mt[624];
	int mti;
};

/* random.seed(seed) for 0 <= seed < 2^32 (init_by_array([seed])). */
void vl_pyrandom_seed(struct vl_pyrandom *r, uint32_t seed);
/* The next 32-bit output (genrand_uint32). */
uint32_t vl_pyrandom_u32(struct vl_pyrandom *r);
/* random._randbelow(n) for 1 <= n <= 2^32 - 1: the index random.choice
 * picks from a sequence of n elements. */
uint32_t vl_pyrandom_below(struct vl_pyrandom *r, uint32_t n);

#endif
