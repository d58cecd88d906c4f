/*
 * pystr.h - Python 3 str and float behaviour that the official benchmark
 * scorers depend on (ChartQA's float(), MMMU's float() and round(), the
 * whitespace of str.strip() and str.split()), and CPython's random module
 * (Mersenne Twister MT19937 with init_by_array seeding, random.choice), so
 * that a seeded fallback draws exactly what the official scorer draws.
 *
 * Strings are UTF-8; pure functions, no I/O.
 */
#ifndef VL_METRICS_PYSTR_H
#define VL_METRICS_PYSTR_H

#include "core/vl.h"

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
