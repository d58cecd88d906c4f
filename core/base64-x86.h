/*
 * base64-x86.h - the x86-64 SIMD kernels of the base64 encoder, private to
 * core/base64.c, which picks one path at run time (see base64.h).
 *
 * Every kernel has the same contract:
 *   in, n   the input, borrowed; the kernel never reads outside in[0, n)
 *   out     OUT: receives exactly 4 characters for every 3 bytes consumed,
 *           and nothing past them (no NUL)
 * and returns the number of bytes it consumed from the start of in: a
 * multiple of its block size (12 bytes for SSSE3, 24 for AVX2, 48 for AVX-512), possibly 0.  The caller
 * encodes the rest with a narrower kernel or the scalar loop.
 *
 * The vl_base64_x86_cpu_has_* functions say whether this CPU and operating
 * system run a kernel; off x86-64 (or without GCC/Clang) they return 0 and
 * the kernels consume nothing, so the caller needs no #ifdef.
 *
 * To add a kernel: declare it and its check here, define both in
 * base64-x86.c with __attribute__((target(...))), and add a row to
 * encoders[] in base64.c.
 */
#ifndef VL_BASE64_X86_H
#define VL_BASE64_X86_H

#include <stddef.h>

/* 12 bytes -> 16 characters per step; needs SSSE3. */
size_t vl_base64_x86_encode_ssse3(const unsigned char *in, size_t n, char *out);
int vl_base64_x86_cpu_has_ssse3(void);

/* 24 bytes -> 32 characters per step; needs AVX2. */
size_t vl_base64_x86_encode_avx2(const unsigned char *in, size_t n, char *out);
int vl_base64_x86_cpu_has_avx2(void);

/* 48 bytes -> 64 characters per step; needs AVX-512 F, BW and VBMI. */
size_t vl_base64_x86_encode_avx512vbmi(const unsigned char *in, size_t n, char *out);
int vl_base64_x86_cpu_has_avx512vbmi(void);

#endif
