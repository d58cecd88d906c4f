/*
 * base64.h - standard base64 (RFC 4648, alphabet A-Z a-z 0-9 + /, '='
 * padding): a fast encoder for inline images in requests and a validating
 * decoder for images embedded in datasets (VLMEvalKit TSV).
 *
 * The decoder is strict: it accepts only alphabet characters, padding only
 * at the end, and no whitespace.  A final group without its padding ("QQ"
 * for "A") is accepted, as Python's decoders do with validate=False; a
 * length of 1 modulo 4 is not.
 */
#ifndef VL_BASE64_H
#define VL_BASE64_H

#include <stddef.h>

#include "core/buf.h"

/* Characters the encoding of n bytes takes (padding included, no NUL). */
size_t vl_base64_encoded_len(size_t n);

/* Encodes n bytes of in into out, which must have room for
 * vl_base64_encoded_len(n) + 1 bytes; out is NUL-terminated. */
void vl_base64_encode(const void *in, size_t n, char *out);

/* Encodes n bytes of in into out and returns the characters written, which
 * is exactly vl_base64_encoded_len(n): nothing is written past them and no
 * NUL is added, so out may be a slice of someone else's buffer (libcurl's
 * upload buffer).  Input lengths that are multiples of 3 concatenate: the
 * encodings of a and then b equal the encoding of a followed by b. */
size_t vl_base64_encode_raw(const void *in, size_t n, char *out);

/* Appends the encoding of n bytes of in to out. */
void vl_base64_encode_buf(struct vl_buf *out, const void *in, size_t n);

/*
 * The encoder's paths, for tests and benchmarks only: every path gives the
 * same output, and without a call to vl_base64_force the fastest one this
 * CPU runs is used.  Names: "scalar", "ssse3", "avx2",
 * "avx512vbmi".
 *
 * vl_base64_force makes every later encode, in every thread, use the path
 * called name; NULL or "auto" goes back to the fastest.  Returns 0,
 * VL_EINVAL when this CPU (or build) cannot run that path, or VL_ENOTFOUND
 * when no path has that name; the path in use is unchanged on failure.
 */
int vl_base64_force(const char *name);

/* Name of the path in use (a static string). */
const char *vl_base64_impl(void);

/* Name of the i-th path this build knows, slowest first, whether or not
 * this CPU runs it; NULL when i is past the last. */
const char *vl_base64_impl_name(size_t i);

/* Upper bound of the bytes decoding n characters gives. */
size_t vl_base64_decoded_max(size_t n);

/*
 * Decodes n characters of in into out (room for vl_base64_decoded_max(n)
 * bytes); *out_len receives the decoded length.  Returns 0, or VL_EINVAL
 * when the input is not valid base64, with *bad_off (optional) the offset
 * of the first offending character (n for a bad length).
 */
int vl_base64_decode(const char *in, size_t n, unsigned char *out, size_t *out_len,
		     size_t *bad_off);

/* Checks that in is valid base64 without writing anything.  Same result
 * and *bad_off as vl_base64_decode. */
int vl_base64_check(const char *in, size_t n, size_t *bad_off);

/* Appends the decoding of in to out.  VL_EINVAL on bad input, with err
 * naming the offset and the character; out is left as it was. */
int vl_base64_decode_buf(struct vl_buf *out, const char *in, size_t n, struct vl_buf *err);

#endif
