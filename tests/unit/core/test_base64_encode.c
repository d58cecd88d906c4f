/*
 * test_base64_encode.c - the encoder against RFC 4648's test vectors, every input
 * length's padding, and every byte value in every position of a group; then
 * each encoder path this CPU runs (vl_base64_force), against the bit
 * arithmetic, with guard pages around input and output so that a read or a
 * write one byte outside them crashes the test.
 */
#include "test_helpers.h"

#include <sys/mman.h>

#include "core/base64.h"

static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The encoding of in[0, n) by the bit arithmetic of RFC 4648, one group at
 * a time: the reference every path is compared with.  Returns its length. */
static size_t reference_encode(const unsigned char *in, size_t n, char *want)
{
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
	return k;
}

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
	enum { N = 4099 };
	unsigned char *in = malloc(N);
	char *out = malloc(N / 3 * 4 + 8), *want = malloc(N / 3 * 4 + 8);
	struct vl_rng rng;

	vl_rng_seed(&rng, 5);
	for (size_t i = 0; i < N; i++)
		in[i] = (unsigned char)vl_rng_next(&rng);
	for (size_t n = 0; n <= N; n += n < 100 ? 1 : 1000) {
		want[reference_encode(in, n, want)] = '\0';
		vl_base64_encode(in, n, out);
		assert_string_equal(out, want);
	}
	free(in);
	free(out);
	free(want);
}

/* A region of whole pages between two PROT_NONE pages: reading or writing
 * the byte before lo or the byte at lo + len crashes. */
struct guarded {
	unsigned char *map;   /* the whole mapping, guards included */
	size_t map_len;
	unsigned char *lo;    /* first usable byte */
	size_t len;           /* usable bytes, a whole number of pages */
};

static void guarded_init(struct guarded *g, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	g->len = (len / page + 1) * page;
	g->map_len = g->len + 2 * page;
	g->map = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map, page, PROT_NONE), 0);
	assert_int_equal(mprotect(g->map + page + g->len, page, PROT_NONE), 0);
	g->lo = g->map + page;
}

static void guarded_release(struct guarded *g)
{
	munmap(g->map, g->map_len);
}

/* n bytes of g placed against its lower guard (at_end 0) or its upper one. */
static unsigned char *guarded_place(const struct guarded *g, size_t n, int at_end)
{
	return at_end ? g->lo + g->len - n : g->lo;
}

enum { CANARY = 0xa5 };   /* not a base64 character */

/* The first byte of g outside [out, out + len) that is no longer CANARY,
 * or NULL. */
static const unsigned char *canary_damage(const struct guarded *g, const char *out, size_t len)
{
	const unsigned char *o = (const unsigned char *)out;

	for (const unsigned char *p = g->lo; p < g->lo + g->len; p++) {
		if (p == o)
			p += len;
		if (p < g->lo + g->len && *p != CANARY)
			return p;
	}
	return NULL;
}

/* Encodes n random bytes with the path in use, input and output each set
 * against a guard page (both lower or both upper), and compares the result
 * with the reference and the canary around it. */
static void check_one_length(struct guarded *gin, struct guarded *gout, char *want,
			     struct vl_rng *rng, size_t n, int at_end)
{
	size_t len = vl_base64_encoded_len(n);
	unsigned char *in = guarded_place(gin, n, at_end);
	char *out = (char *)guarded_place(gout, len, at_end);
	const unsigned char *bad;

	for (size_t i = 0; i < n; i++)
		in[i] = (unsigned char)vl_rng_next(rng);
	memset(gout->lo, CANARY, gout->len);
	assert_int_equal(reference_encode(in, n, want), len);
	assert_int_equal(vl_base64_encode_raw(in, n, out), len);
	if (memcmp(out, want, len)) {
		size_t k = 0;
		while (out[k] == want[k])
			k++;
		print_error("path '%s', %zu bytes: character %zu is '%c', want '%c'\n",
			    vl_base64_impl(), n, k, out[k], want[k]);
		fail();
	}
	bad = canary_damage(gout, out, len);
	if (bad) {
		print_error("path '%s', %zu bytes: wrote the byte at out%+td\n", vl_base64_impl(),
			    n, (const char *)bad - out);
		fail();
	}
}

/* Pieces whose lengths are multiples of 3, encoded one after the other,
 * give the encoding of the whole. */
static void check_concatenation(struct vl_rng *rng)
{
	static const size_t cuts[] = { 0, 3, 12, 48, 51, 99, 300, 1503, 3000, 4095, 4800 };
	enum { N = 4800 };
	unsigned char *in = malloc(N);
	char *out = malloc(N / 3 * 4), *want = malloc(N / 3 * 4);
	size_t o = 0;

	for (size_t i = 0; i < N; i++)
		in[i] = (unsigned char)vl_rng_next(rng);
	for (size_t c = 1; c < sizeof(cuts) / sizeof(*cuts); c++)
		o += vl_base64_encode_raw(in + cuts[c - 1], cuts[c] - cuts[c - 1], out + o);
	assert_int_equal(o, reference_encode(in, N, want));
	assert_memory_equal(out, want, o);
	free(in);
	free(out);
	free(want);
}

/* One path (*state names it): every length 0..300, long buffers around
 * 100 KB and the openai backend's 48 KiB chunk, input and output against
 * either guard; skipped with a message when this CPU cannot run the path. */
static void test_path(void **state)
{
	static const size_t long_lengths[] = { 49152, 102400, 102401, 102402, 102403 };
	const char *name = *state;
	size_t most = long_lengths[sizeof(long_lengths) / sizeof(*long_lengths) - 1];
	struct guarded gin, gout;
	char *want = malloc(vl_base64_encoded_len(most));
	struct vl_rng rng;
	int rc = vl_base64_force(name);

	if (rc == VL_EINVAL) {
		print_message("skipping encoder path '%s': this CPU cannot run it\n", name);
		free(want);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_string_equal(vl_base64_impl(), name);
	vl_rng_seed(&rng, 11);
	guarded_init(&gin, most);
	guarded_init(&gout, vl_base64_encoded_len(most));
	for (int at_end = 0; at_end <= 1; at_end++) {
		for (size_t n = 0; n <= 300; n++)
			check_one_length(&gin, &gout, want, &rng, n, at_end);
		for (size_t i = 0; i < sizeof(long_lengths) / sizeof(*long_lengths); i++)
			check_one_length(&gin, &gout, want, &rng, long_lengths[i], at_end);
	}
	check_concatenation(&rng);
	guarded_release(&gin);
	guarded_release(&gout);
	free(want);
}

/* Whatever a test forced, the next one starts with the default path. */
static int use_fastest_path(void **state)
{
	return vl_base64_force(NULL);
}

/* vl_base64_force's answers, and the default being the widest path the CPU
 * runs. */
static void test_force(void **state)
{
	const char *fastest = NULL, *name;

	assert_int_equal(vl_base64_force("scalar"), 0);
	assert_string_equal(vl_base64_impl(), "scalar");
	assert_int_equal(vl_base64_force("sse9"), VL_ENOTFOUND);
	assert_string_equal(vl_base64_impl(), "scalar");
	for (size_t i = 0; (name = vl_base64_impl_name(i)); i++) {
		int rc = vl_base64_force(name);
		assert_true(rc == 0 || rc == VL_EINVAL);
		if (rc == 0)
			fastest = name;
	}
	assert_string_equal(vl_base64_impl_name(0), "scalar");
	assert_int_equal(vl_base64_force("auto"), 0);
	assert_string_equal(vl_base64_impl(), fastest);
	assert_int_equal(vl_base64_force("scalar"), 0);
	assert_int_equal(vl_base64_force(NULL), 0);
	assert_string_equal(vl_base64_impl(), fastest);
#if defined(__x86_64__) && defined(__GNUC__)
	/* the CPU's own flags, asked independently of the dispatcher */
	assert_string_equal(fastest,
			    __builtin_cpu_supports("avx512vbmi") ? "avx512vbmi" :
			    __builtin_cpu_supports("avx2") ? "avx2" :
				     __builtin_cpu_supports("ssse3") ? "ssse3" : "scalar");
#endif
}

/* test_path for one path, named after it in cmocka's report */
#define PATH_TEST(name) { "test_path_" name, test_path, NULL, use_fastest_path, name }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_all_bytes),
		cmocka_unit_test(test_long_inputs),
		cmocka_unit_test_teardown(test_force, use_fastest_path),
		PATH_TEST("scalar"),
		PATH_TEST("ssse3"),
		PATH_TEST("avx2"),
		PATH_TEST("avx512vbmi"),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
