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
#include "bench/base64-x86.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/*
 * SSSE3, 12 bytes -> 16 characters per step (the multiply-shift method
 * described by Wojciech Mula): a byte shuffle puts each 3-byte group
 * (a, b, c) in a 32-bit lane as (b, a, c, b); two masked 16-bit multiplies
 * move the four 6-bit indices to bytes 0..3 of the lane; a saturating
 * subtract and a compare classify each index into its alphabet range, and a
 * 16-entry shuffle table gives the offset that turns it into its character.
 * Loads 16 bytes, so it stops 4 bytes before the end of the input.
 */
__attribute__((target("ssse3")))
size_t vl_base64_x86_encode_ssse3(const unsigned char *in, size_t n, char *out)
{
	const __m128i shuf = _mm_set_epi8(10, 11, 9, 10, 7, 8, 6, 7, 4, 5, 3, 4, 1, 2, 0, 1);
	const __m128i offsets = _mm_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
					      '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
					      '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
	size_t i = 0;

	for (; i + 16 <= n; i += 12) {
		__m128i v = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(in + i)), shuf);
		__m128i hi = _mm_mulhi_epu16(_mm_and_si128(v, _mm_set1_epi32(0x0fc0fc00)),
					     _mm_set1_epi32(0x04000040));
		__m128i lo = _mm_mullo_epi16(_mm_and_si128(v, _mm_set1_epi32(0x003f03f0)),
					     _mm_set1_epi32(0x01000010));
		__m128i idx = _mm_or_si128(hi, lo);
		__m128i cls = _mm_subs_epu8(idx, _mm_set1_epi8(51));
		__m128i low = _mm_cmpgt_epi8(_mm_set1_epi8(26), idx);

		cls = _mm_or_si128(cls, _mm_and_si128(low, _mm_set1_epi8(13)));
		_mm_storeu_si128((__m128i *)(out + i / 3 * 4),
				 _mm_add_epi8(_mm_shuffle_epi8(offsets, cls), idx));
	}
	return i;
}

int vl_base64_x86_cpu_has_ssse3(void)
{
	return __builtin_cpu_supports("ssse3") ? 1 : 0;
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

#endif
