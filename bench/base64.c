/*
 * base64.c - base64 encoder and validating decoder (see base64.h).
 *
 * Both work on whole groups in a tight loop: the encoder turns 3 bytes into
 * 4 characters with one 64-entry table, the decoder turns 4 characters into
 * 3 bytes with one 256-entry table whose 255 entries mark characters
 * outside the alphabet, so validation costs one OR per group.
 */
#include "bench/base64.h"

#include <string.h>

#include "bench/vl.h"

static const char enc_table[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Alphabet value of every byte; 255 for bytes outside the alphabet. */
static const unsigned char dec_table[256] = {
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,  62, 255, 255, 255,  63,
	 52,  53,  54,  55,  56,  57,  58,  59,  60,  61, 255, 255, 255, 255, 255, 255,
	255,   0,   1,   2,   3,   4,   5,   6,   7,   8,   9,  10,  11,  12,  13,  14,
	 15,  16,  17,  18,  19,  20,  21,  22,  23,  24,  25, 255, 255, 255, 255, 255,
	255,  26,  27,  28,  29,  30,  31,  32,  33,  34,  35,  36,  37,  38,  39,  40,
	 41,  42,  43,  44,  45,  46,  47,  48,  49,  50,  51, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
};

size_t vl_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void vl_base64_encode(const void *in, size_t n, char *out)
{
	const unsigned char *p = in;
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[0] = enc_table[v >> 18];
		out[1] = enc_table[(v >> 12) & 63];
		out[2] = enc_table[(v >> 6) & 63];
		out[3] = enc_table[v & 63];
		out += 4;
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)p[i] << 16;
		out[0] = enc_table[v >> 18];
		out[1] = enc_table[(v >> 12) & 63];
		out[2] = '=';
		out[3] = '=';
		out += 4;
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[0] = enc_table[v >> 18];
		out[1] = enc_table[(v >> 12) & 63];
		out[2] = enc_table[(v >> 6) & 63];
		out[3] = '=';
		out += 4;
	}
	*out = '\0';
}

void vl_base64_encode_buf(struct vl_buf *out, const void *in, size_t n)
{
	size_t len = vl_base64_encoded_len(n);

	vl_buf_grow(out, len + 1);
	vl_base64_encode(in, n, out->buf + out->len);
	out->len += len;
}

size_t vl_base64_decoded_max(size_t n)
{
	return (n + 3) / 4 * 3;
}

/* Shared by decode and check: out may be NULL (check only). */
static int decode(const char *in, size_t n, unsigned char *out, size_t *out_len,
		  size_t *bad_off)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i = 0, o = 0, full, rest, pad = 0;

	/* strip up to two '=' of padding; they must complete a group of 4 */
	if (n >= 1 && p[n - 1] == '=') {
		pad = (n >= 2 && p[n - 2] == '=') ? 2 : 1;
		if (n % 4 != 0) {
			if (bad_off)
				*bad_off = n - pad;
			return VL_EINVAL;
		}
	}
	n -= pad;
	full = n / 4 * 4;
	rest = n - full;
	if (rest == 1) {
		if (bad_off)
			*bad_off = n + pad;
		return VL_EINVAL;
	}
	for (; i < full; i += 4) {
		unsigned a = dec_table[p[i]], b = dec_table[p[i + 1]];
		unsigned c = dec_table[p[i + 2]], d = dec_table[p[i + 3]];
		if ((a | b | c | d) & 0x80)
			break;
		if (out) {
			uint32_t v = a << 18 | b << 12 | c << 6 | d;
			out[o] = (unsigned char)(v >> 16);
			out[o + 1] = (unsigned char)(v >> 8);
			out[o + 2] = (unsigned char)v;
		}
		o += 3;
	}
	if (i < full) {
		while (dec_table[p[i]] != 255)
			i++;
		if (bad_off)
			*bad_off = i;
		return VL_EINVAL;
	}
	if (rest) {
		uint32_t v = 0;
		for (size_t k = 0; k < rest; k++) {
			unsigned d = dec_table[p[i + k]];
			if (d == 255) {
				if (bad_off)
					*bad_off = i + k;
				return VL_EINVAL;
			}
			v |= (uint32_t)d << (18 - 6 * k);
		}
		if (out)
			out[o] = (unsigned char)(v >> 16);
		o++;
		if (rest == 3) {
			if (out)
				out[o] = (unsigned char)(v >> 8);
			o++;
		}
	}
	if (out_len)
		*out_len = o;
	return 0;
}

int vl_base64_decode(const char *in, size_t n, unsigned char *out, size_t *out_len,
		     size_t *bad_off)
{
	return decode(in, n, out, out_len, bad_off);
}

int vl_base64_check(const char *in, size_t n, size_t *bad_off)
{
	return decode(in, n, NULL, NULL, bad_off);
}

int vl_base64_decode_buf(struct vl_buf *out, const char *in, size_t n, struct vl_buf *err)
{
	size_t len = 0, bad = 0;

	vl_buf_grow(out, vl_base64_decoded_max(n) + 1);
	if (decode(in, n, (unsigned char *)out->buf + out->len, &len, &bad) < 0) {
		out->buf[out->len] = '\0';
		if (bad < n)
			vl_buf_addf(err, "invalid base64 at offset %zu (byte 0x%02x)", bad,
				    (unsigned char)in[bad]);
		else
			vl_buf_addf(err, "invalid base64: length %zu is not a whole number "
				    "of groups", n);
		return VL_EINVAL;
	}
	out->len += len;
	out->buf[out->len] = '\0';
	return 0;
}
