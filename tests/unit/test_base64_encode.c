/*
 * test_base64_encode.c - the encoder against RFC 4648's test vectors, every input
 * length's padding, and every byte value in every position of a group.
 */
#include "test_helpers.h"

#include "bench/base64.h"

static void test_rfc4648_vectors(void **state)
{
	static const struct { const char *in, *out; } rows[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
		{ "\xff\xff\xff", "////" }, { "\xfb\xef\xbe", "++++" }, { "\0\0\0", "AAAA" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		size_t n = i >= 9 ? 3 : strlen(rows[i].in);
		char out[32];
		struct vl_buf b = VL_BUF_INIT;

		assert_int_equal(vl_base64_encoded_len(n), strlen(rows[i].out));
		vl_base64_encode(rows[i].in, n, out);
		assert_string_equal(out, rows[i].out);
		vl_buf_adds(&b, "x:");
		vl_base64_encode_buf(&b, rows[i].in, n);
		assert_int_equal(b.len, 2 + strlen(rows[i].out));
		assert_string_equal(b.buf + 2, rows[i].out);
		vl_buf_release(&b);
	}
}

/* Each of the 4096 12-bit table entries: byte v at every offset of a group
 * gives the characters the bit arithmetic says. */
static void test_all_bytes(void **state)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (unsigned a = 0; a < 256; a += 1) {
		for (unsigned b = 0; b < 256; b += 17) {
			unsigned char in[3] = { (unsigned char)a, (unsigned char)b,
						(unsigned char)(a ^ b) };
			unsigned v = (unsigned)in[0] << 16 | (unsigned)in[1] << 8 | in[2];
			char out[5], want[5] = { al[v >> 18], al[(v >> 12) & 63],
						 al[(v >> 6) & 63], al[v & 63], 0 };
			vl_base64_encode(in, 3, out);
			assert_string_equal(out, want);
		}
	}
}

/* Long inputs take the SIMD path where the CPU has one: every length from 0
 * to 100 and a long random buffer match the bit arithmetic group by group. */
static void test_long_inputs(void **state)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	enum { N = 4099 };
	unsigned char *in = malloc(N);
	char *out = malloc(N / 3 * 4 + 8), *want = malloc(N / 3 * 4 + 8);
	struct vl_rng rng;

	vl_rng_seed(&rng, 5);
	for (size_t i = 0; i < N; i++)
		in[i] = (unsigned char)vl_rng_next(&rng);
	for (size_t n = 0; n <= N; n += n < 100 ? 1 : 1000) {
		size_t k = 0, i = 0;
		for (; i + 3 <= n; i += 3) {
			unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
			want[k++] = al[v >> 18];
			want[k++] = al[(v >> 12) & 63];
			want[k++] = al[(v >> 6) & 63];
			want[k++] = al[v & 63];
		}
		if (n - i) {
			unsigned v = (unsigned)in[i] << 16 | (n - i == 2 ? (unsigned)in[i + 1] << 8 : 0);
			want[k++] = al[v >> 18];
			want[k++] = al[(v >> 12) & 63];
			want[k++] = n - i == 2 ? al[(v >> 6) & 63] : '=';
			want[k++] = '=';
		}
		want[k] = '\0';
		vl_base64_encode(in, n, out);
		assert_string_equal(out, want);
	}
	free(in);
	free(out);
	free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_long_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
