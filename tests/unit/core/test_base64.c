/*
 * test_base64.c - base64: the RFC 4648 test vectors, round trips of every
 * length up to 300 with random bytes, and rejection of malformed input
 * with the offset of the first bad character.
 */
#include "test_helpers.h"

#include "core/base64.h"

static void test_rfc4648_vectors(void **state)
{
	static const struct { const char *plain, *enc; } rows[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
		{ "\xff\xfe\xfd", "//79" }, { "\xfb\xef", "++8=" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf enc = VL_BUF_INIT, dec = VL_BUF_INIT, err = VL_BUF_INIT;
		size_t n = strlen(rows[i].plain);
		vl_base64_encode_buf(&enc, rows[i].plain, n);
		assert_string_equal(vl_buf_str(&enc), rows[i].enc);
		assert_int_equal(enc.len, vl_base64_encoded_len(n));
		assert_int_equal(vl_base64_decode_buf(&dec, rows[i].enc, strlen(rows[i].enc), &err), 0);
		assert_int_equal(dec.len, n);
		assert_memory_equal(vl_buf_str(&dec), rows[i].plain, n);
		vl_buf_release(&enc);
		vl_buf_release(&dec);
		vl_buf_release(&err);
	}
}

static void test_round_trips(void **state)
{
	struct vl_rng rng;
	unsigned char in[300], out[300];

	vl_rng_seed(&rng, 7);
	for (size_t n = 0; n <= sizeof(in); n++) {
		char enc[404];
		size_t len = 0;
		for (size_t i = 0; i < n; i++)
			in[i] = (unsigned char)vl_rng_next(&rng);
		vl_base64_encode(in, n, enc);
		assert_int_equal(strlen(enc), vl_base64_encoded_len(n));
		assert_int_equal(vl_base64_check(enc, strlen(enc), NULL), 0);
		assert_int_equal(vl_base64_decode(enc, strlen(enc), out, &len, NULL), 0);
		assert_int_equal(len, n);
		assert_memory_equal(in, out, n);
		/* without padding, as some writers produce */
		size_t unpadded = strlen(enc);
		while (unpadded && enc[unpadded - 1] == '=')
			unpadded--;
		assert_int_equal(vl_base64_decode(enc, unpadded, out, &len, NULL), 0);
		assert_int_equal(len, n);
		assert_memory_equal(in, out, n);
	}
}

static void test_rejects(void **state)
{
	static const struct { const char *in; size_t bad; } rows[] = {
		{ "Zm9v!mFy", 4 },        /* character outside the alphabet */
		{ "Zm9vYmF\n", 7 },       /* no whitespace */
		{ "Zm 9", 2 },
		{ "Zg==Zg==", 2 },        /* padding in the middle */
		{ "Zm9vY", 5 },           /* 1 mod 4 characters */
		{ "Zg=", 2 },             /* padding that does not complete a group */
		{ "Z===", 1 },
		{ "Zm9-", 3 },            /* URL-safe alphabet is not standard base64 */
		{ "Zm9_YmFy", 3 },
		{ "\xc3\xa9Zm9v", 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		unsigned char out[16];
		size_t bad = 999, len;
		int rc = vl_base64_decode(rows[i].in, strlen(rows[i].in), out, &len, &bad);
		if (rc != VL_EINVAL || bad != rows[i].bad)
			print_error("row %zu '%s': rc %d bad %zu\n", i, rows[i].in, rc, bad);
		assert_int_equal(rc, VL_EINVAL);
		assert_int_equal(bad, rows[i].bad);
		assert_int_equal(vl_base64_check(rows[i].in, strlen(rows[i].in), &bad), VL_EINVAL);
	}
	{
		struct vl_buf out = VL_BUF_INIT, err = VL_BUF_INIT;
		vl_buf_adds(&out, "kept");
		assert_int_equal(vl_base64_decode_buf(&out, "Zm9v!mFy", 8, &err), VL_EINVAL);
		assert_string_equal(vl_buf_str(&err), "invalid base64 at offset 4 (byte 0x21)");
		assert_string_equal(vl_buf_str(&out), "kept");
		vl_buf_reset(&err);
		assert_int_equal(vl_base64_decode_buf(&out, "Zm9vY", 5, &err), VL_EINVAL);
		assert_string_equal(vl_buf_str(&err),
				    "invalid base64: length 5 is not a whole number of groups");
		vl_buf_release(&out);
		vl_buf_release(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
