/*
 * base64.c - base64 encoder (see base64.h).
 *
 * Speed comes from a table of all 4096 12-bit values, each mapped to its two
 * output characters: every 3 input bytes cost two table loads and two 2-byte
 * stores.  The table is a constant initialiser that macros expand from the
 * 64-character alphabet, so nothing is computed at run time.
 */
#include "bench/base64.h"

#include <stdint.h>
#include <string.h>

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* pair[v] = alphabet[v >> 6], alphabet[v & 63] for every 12-bit v */
#define A(i) alphabet[i]
#define P(v) { A((v) >> 6), A((v) & 63) }
#define P4(v) P(v), P((v) + 1), P((v) + 2), P((v) + 3)
#define P16(v) P4(v), P4((v) + 4), P4((v) + 8), P4((v) + 12)
#define P64(v) P16(v), P16((v) + 16), P16((v) + 32), P16((v) + 48)
#define P256(v) P64(v), P64((v) + 64), P64((v) + 128), P64((v) + 192)
#define P1024(v) P256(v), P256((v) + 256), P256((v) + 512), P256((v) + 768)

static const char pair[4096][2] = {
	P1024(0), P1024(1024), P1024(2048), P1024(3072),
};

size_t vl_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

/* Encodes n bytes and returns the number of characters written (no NUL). */
static size_t encode(const unsigned char *in, size_t n, char *out)
{
	char *o = out;
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		memcpy(o, pair[v >> 12], 2);
		memcpy(o + 2, pair[v & 4095], 2);
		o += 4;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 4;
		memcpy(o, pair[v], 2);
		o[2] = '=';
		o[3] = '=';
		o += 4;
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		memcpy(o, pair[v >> 12], 2);
		o[2] = alphabet[(v >> 6) & 63];
		o[3] = '=';
		o += 4;
	}
	return (size_t)(o - out);
}

void vl_base64_encode(const void *in, size_t n, char *out)
{
	out[encode(in, n, out)] = '\0';
}

void vl_base64_encode_buf(struct vl_buf *out, const void *in, size_t n)
{
	size_t need = vl_base64_encoded_len(n);

	vl_buf_grow(out, need);
	out->len += encode(in, n, out->buf + out->len);
	out->buf[out->len] = '\0';
}
