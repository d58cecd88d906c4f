/*
 * base64.h - standard base64 encoding (RFC 4648: A-Z a-z 0-9 + /, '='
 * padding), fast enough to inline images in every request (well above
 * 1 GB/s on one core: a 12-bit lookup table turns 3 bytes into 4 characters
 * with two loads and two 16-bit stores).
 *
 * The signatures match the datasets branch's bench/base64.h (which also
 * decodes), so either file can be kept when the branches meet.
 */
#ifndef VL_BASE64_H
#define VL_BASE64_H

#include <stddef.h>

#include "bench/buf.h"

/* Characters the encoding of n bytes takes (padding included, no NUL). */
size_t vl_base64_encoded_len(size_t n);

/* Encodes n bytes of in into out, which must have room for
 * vl_base64_encoded_len(n) + 1 bytes; out is NUL-terminated. */
void vl_base64_encode(const void *in, size_t n, char *out);

/* Appends the encoding of n bytes of in to out. */
void vl_base64_encode_buf(struct vl_buf *out, const void *in, size_t n);

#endif
