/*
 * base64.c - base64 encoder (a scalar 12-bit-table loop, and SIMD paths
 * chosen at run time) and validating decoder (see base64.h).
 *
 * The encoder runs one of the paths in encoders[]: a path lists SIMD
 * kernels (base64-x86.c), widest first, each taking whole blocks and
 * leaving the rest to the next, and the scalar loop finishes.  The fastest
 * path the CPU runs is chosen on first use; tests and benchmarks can force
 * another with vl_base64_force.  To add a path, add its kernel (see
 * base64-x86.h) and a row to encoders[], slowest first.
 *
 * The scalar loop's speed comes from a table of all 4096 12-bit values,
 * each mapped to its two output characters: on little-endian machines every
 * 6 input bytes cost one 8-byte load, four table loads and one 8-byte
 * store; elsewhere every 3 bytes cost two table loads and two 2-byte
 * stores.  The table is a constant initialiser that macros expand from the
 * 64-character alphabet, so nothing is computed at run time.
 */
#include "core/base64.h"

#include <stdint.h>
#include <string.h>

#include "core/base64-x86.h"
#include "core/vl.h"

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* pair[v] = alphabet[v >> 6], alphabet[v & 63] for every 12-bit v */
/* the literal, not alphabet[]: clang takes only a literal's bytes as
 * constants in an initializer */
#define A(i) "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i]
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

/* Encodes all n bytes, padding included, and returns the characters written. */
static size_t encode_scalar(const unsigned char *in, size_t n, char *out)
{
	char *o = out;
	size_t i = 0;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* 6 bytes per step: one 8-byte big-endian load, four 12-bit lookups,
	 * one 8-byte store (the load reads 2 bytes ahead, hence i + 8 <= n) */
	for (; i + 8 <= n; i += 6) {
		uint64_t v, w;
		uint16_t a, b, c, d;

		memcpy(&v, in + i, 8);
		v = __builtin_bswap64(v);
		memcpy(&a, pair[v >> 52], 2);
		memcpy(&b, pair[(v >> 40) & 4095], 2);
		memcpy(&c, pair[(v >> 28) & 4095], 2);
		memcpy(&d, pair[(v >> 16) & 4095], 2);
		w = (uint64_t)a | (uint64_t)b << 16 | (uint64_t)c << 32 | (uint64_t)d << 48;
		memcpy(o, &w, 8);
		o += 8;
	}
#endif
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

/* A SIMD kernel: consumes whole blocks from the start of in and returns the
 * bytes consumed (contract in base64-x86.h). */
typedef size_t encode_kernel(const unsigned char *in, size_t n, char *out);

/* One encoder path, by the name vl_base64_force takes. */
struct encoder {
	const char *name;
	int (*cpu_has)(void);            /* NULL: every CPU runs it */
	encode_kernel *kernels[4];       /* widest first, NULL-terminated */
};

/* Slowest first: the last row the CPU runs is the default. */
static const struct encoder encoders[] = {
	{ "scalar", NULL, { NULL } },
	{ "ssse3", vl_base64_x86_cpu_has_ssse3, { vl_base64_x86_encode_ssse3, NULL } },
	{ "avx2", vl_base64_x86_cpu_has_avx2,
	  { vl_base64_x86_encode_avx2, vl_base64_x86_encode_ssse3, NULL } },
	{ "avx512vbmi", vl_base64_x86_cpu_has_avx512vbmi,
	  { vl_base64_x86_encode_avx512vbmi, vl_base64_x86_encode_avx2,
	    vl_base64_x86_encode_ssse3, NULL } },
};

enum { N_ENCODERS = sizeof(encoders) / sizeof(*encoders) };

/*
 * The path in use, NULL until the first encode (or vl_base64_force) sets
 * it.  Several threads may find it NULL and choose at once: they choose the
 * same row, and the atomic accesses keep that race well defined.  It is the
 * one piece of mutable global state here because it describes the CPU,
 * which is the same for every caller.
 */
static const struct encoder *encoder_in_use;

static int runs_here(const struct encoder *e)
{
	return !e->cpu_has || e->cpu_has();
}

static const struct encoder *fastest_encoder(void)
{
	size_t i = N_ENCODERS - 1;

	while (i > 0 && !runs_here(&encoders[i]))
		i--;
	return &encoders[i];
}

static const struct encoder *current_encoder(void)
{
	const struct encoder *e = __atomic_load_n(&encoder_in_use, __ATOMIC_ACQUIRE);

	if (!e) {
		e = fastest_encoder();
		__atomic_store_n(&encoder_in_use, e, __ATOMIC_RELEASE);
	}
	return e;
}

int vl_base64_force(const char *name)
{
	if (!name || !strcmp(name, "auto")) {
		__atomic_store_n(&encoder_in_use, fastest_encoder(), __ATOMIC_RELEASE);
		return 0;
	}
	for (size_t i = 0; i < N_ENCODERS; i++) {
		if (strcmp(encoders[i].name, name))
			continue;
		if (!runs_here(&encoders[i]))
			return VL_EINVAL;
		__atomic_store_n(&encoder_in_use, &encoders[i], __ATOMIC_RELEASE);
		return 0;
	}
	return VL_ENOTFOUND;
}

const char *vl_base64_impl(void)
{
	return current_encoder()->name;
}

const char *vl_base64_impl_name(size_t i)
{
	return i < N_ENCODERS ? encoders[i].name : NULL;
}

/* Encodes n bytes and returns the number of characters written (no NUL). */
static size_t encode(const unsigned char *in, size_t n, char *out)
{
	const struct encoder *e = current_encoder();
	size_t done = 0;

	/* every kernel consumes a multiple of 3 bytes, so done / 3 * 4 is
	 * exactly the characters written so far */
	for (encode_kernel *const *k = e->kernels; *k; k++)
		done += (*k)(in + done, n - done, out + done / 3 * 4);
	return done / 3 * 4 + encode_scalar(in + done, n - done, out + done / 3 * 4);
}

size_t vl_base64_encode_raw(const void *in, size_t n, char *out)
{
	return encode(in, n, out);
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

/* Alphabet value of every byte; 255 for bytes outside the alphabet: one OR
 * per group validates. */
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
