/*
 * base64-x86.c - x86-64 SIMD kernels of the base64 encoder (contract in
 * base64-x86.h).  Each kernel carries its own target attribute, so this file
 * builds with the project's flags (no -march) and base64.c calls a kernel
 * only after vl_base64_x86_cpu_has_* said yes.
 *
 * Every kernel stops while a whole load still fits in the input, which
 * leaves up to a block or two to the next narrower kernel: that tail is
 * small next to the images (100 KB and more) the encoder is for.
 *
 * To add a kernel, see base64-x86.h.
 */
#include "core/base64-x86.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*
 * SSSE3, 12 bytes -> 16 characters per step (the multiply-shift method
 * described by Wojciech Mula): a byte shuffle puts each 3-byte group
 * (a, b, c) in a 32-bit lane as (b, a, c, b); two masked 16-bit multiplies
 * move the four 6-bit indices to bytes 0..3 of the lane; a saturating
 * subtract and a compare classify each index into its alphabet range, and a
 * 16-entry shuffle table gives the offset that turns it into its character.
 * Loads 16 bytes to use 12, so it stops when fewer than 16 are left.
 */
__attribute__((target("ssse3")))
size_t vl_base64_x86_encode_ssse3(const unsigned char *in, size_t n, char *out)
{
	const __m128i shuf = _mm_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
	const __m128i offsets = _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
					      '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
					      '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
	char *o = out;
	size_t i = 0;

	for (; i + 16 <= n; i += 12, o += 16) {
		__m128i v = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + i)), shuf);
		__m128i hi = _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)),
					     _mm_set1_epi32(0x04000040));
		__m128i lo = _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)),
					     _mm_set1_epi32(0x01000010));
		__m128i idx = _mm_or_si128(hi, lo);
		__m128i cls = _mm_subs_epu8(idx, _mm_set1_epi8(51));
		__m128i low = _mm_cmpgt_epi8(_mm_set1_epi8(26), idx);

		cls = _mm_or_si128(cls, _mm_and_si128(low, _mm_set1_epi8(13)));
		_mm_storeu_si128((__m128i *)o, _mm_add_epi8(_mm_shuffle_epi8(offsets, cls), idx));
	}
	return i;
}

int vl_base64_x86_cpu_has_ssse3(void)
{
	return __builtin_cpu_supports("ssse3") ? 1 : 0;
}

/*
 * The SSSE3 step on a whole register: each 32-bit lane holds one 3-byte
 * group as (b, a, c, b); returns the four characters of each lane.  The
 * constants are SSSE3's, repeated in both 128-bit halves.
 */
__attribute__((target("avx2")))
static inline __m256i avx2_lanes_to_chars(__m256i v)
{
	const __m256i offsets = _mm256_setr_epi8(
		'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
		'0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0,
		'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
		'0' - 52, '0' - 52, '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
	__m256i hi = _mm256_mulhi_epu16(_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)),
					_mm256_set1_epi32(0x04000040));
	__m256i lo = _mm256_mullo_epi16(_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)),
					_mm256_set1_epi32(0x01000010));
	__m256i idx = _mm256_or_si256(hi, lo);
	__m256i cls = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
	__m256i high = _mm256_cmpgt_epi8(idx, _mm256_set1_epi8(25));

	/* 13 where idx < 26: andnot of idx > 25, which is one instruction,
	 * where GCC turns 26 > idx into a min and a compare */
	cls = _mm256_or_si256(cls, _mm256_andnot_si256(high, _mm256_set1_epi8(13)));
	return _mm256_add_epi8(_mm256_shuffle_epi8(offsets, cls), idx);
}

/*
 * AVX2, 24 bytes -> 32 characters per step (the layout Mula and Lemire
 * published): vpshufb cannot move bytes between the two 128-bit halves, so
 * each half must already hold its 12 bytes.  Loading 32 bytes from 4
 * before the step does that: the low half gets them at offset 4, the high
 * half at offset 0, and one shuffle with a different pattern per half
 * forms the (b, a, c, b) lanes.  The first step has nothing before it to
 * load, so it loads from the start and moves the 32-bit words up by one.
 * A step reads up to 28 bytes past its start, so the loop stops when fewer
 * than 28 are left.
 */
__attribute__((target("avx2")))
size_t vl_base64_x86_encode_avx2(const unsigned char *in, size_t n, char *out)
{
	const __m256i shuf = _mm256_setr_epi8(5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14,
					      1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
	char *o = out + 32;
	__m256i v;
	size_t i;

	if (n < 32)
		return 0;
	v = _mm256_loadu_si256((const __m256i *)in);
	v = _mm256_permutevar8x32_epi32(v, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6));
	_mm256_storeu_si256((__m256i *)out, avx2_lanes_to_chars(_mm256_shuffle_epi8(v, shuf)));
	for (i = 24; i + 28 <= n; i += 24, o += 32) {
		v = _mm256_loadu_si256((const __m256i *)(in + i - 4));
		_mm256_storeu_si256((__m256i *)o, avx2_lanes_to_chars(_mm256_shuffle_epi8(v, shuf)));
	}
	return i;
}

int vl_base64_x86_cpu_has_avx2(void)
{
	return __builtin_cpu_supports("avx2") ? 1 : 0;
}

/* vpermb index that gives output group j the bytes (b, a, c, b) of input
 * group j = (a, b, c) = bytes 3j, 3j + 1, 3j + 2 */
#define GROUP_BAC(j) (0x01020001 + (j) * 0x03030303)

/*
 * AVX-512 VBMI, 48 bytes -> 64 characters per step (Mula's method): vpermb
 * spreads the 16 groups over the 16 32-bit lanes as (b, a, c, b), which
 * puts the four 6-bit fields of each group at bit offsets 10, 4, 22 and 16
 * of its lane; vpmultishiftqb copies the 8 bits at each of those offsets
 * into a byte, and vpermb with the 64-character alphabet as its table
 * looks each byte up by its low 6 bits, so the 2 stray bits need no mask.
 * The loop loads 64 bytes; the last step, when only 48 to 63 are left,
 * loads 48 under a mask, which never touches the masked-off bytes.
 */
__attribute__((target("avx512vbmi,avx512bw,avx512f")))
size_t vl_base64_x86_encode_avx512vbmi(const unsigned char *in, size_t n, char *out)
{
	const __m512i place = _mm512_setr_epi32(
		GROUP_BAC(0), GROUP_BAC(1), GROUP_BAC(2), GROUP_BAC(3),
		GROUP_BAC(4), GROUP_BAC(5), GROUP_BAC(6), GROUP_BAC(7),
		GROUP_BAC(8), GROUP_BAC(9), GROUP_BAC(10), GROUP_BAC(11),
		GROUP_BAC(12), GROUP_BAC(13), GROUP_BAC(14), GROUP_BAC(15));
	/* bit offsets 10, 4, 22, 16 in the low lane of each 64-bit word and
	 * 32 more in the high lane, one per byte, lowest byte first */
	const __m512i fields = _mm512_set1_epi64(0x3036242a1016040aLL);
	const __m512i alphabet = _mm512_loadu_si512(
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
	char *o = out;
	size_t i = 0;
	__m512i v;

	for (; i + 64 <= n; i += 48, o += 64) {
		v = _mm512_permutexvar_epi8(place, _mm512_loadu_si512(in + i));
		v = _mm512_multishift_epi64_epi8(fields, v);
		_mm512_storeu_si512(o, _mm512_permutexvar_epi8(v, alphabet));
	}
	if (i + 48 <= n) {
		v = _mm512_maskz_loadu_epi8(0xffffffffffffULL, in + i);
		v = _mm512_multishift_epi64_epi8(fields, _mm512_permutexvar_epi8(place, v));
		_mm512_storeu_si512(o, _mm512_permutexvar_epi8(v, alphabet));
		i += 48;
	}
	return i;
}

int vl_base64_x86_cpu_has_avx512vbmi(void)
{
	/* the path runs the AVX2 and SSSE3 kernels on its tail too */
	return __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") &&
	       __builtin_cpu_supports("ssse3");
}

#else   /* not x86-64: no kernel runs, and none is ever chosen */

size_t vl_base64_x86_encode_ssse3(const unsigned char *in, size_t n, char *out)
{
	return 0;
}

int vl_base64_x86_cpu_has_ssse3(void)
{
	return 0;
}

size_t vl_base64_x86_encode_avx2(const unsigned char *in, size_t n, char *out)
{
	return 0;
}

int vl_base64_x86_cpu_has_avx2(void)
{
	return 0;
}

size_t vl_base64_x86_encode_avx512vbmi(const unsigned char *in, size_t n, char *out)
{
	return 0;
}

int vl_base64_x86_cpu_has_avx512vbmi(void)
{
	return 0;
}

#endif
