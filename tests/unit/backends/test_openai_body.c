/*
 * test_openai_body.c - the request body plan of backends/openai_body.c:
 * the reader gives the same bytes whatever sizes libcurl asks for (down to
 * one byte, splitting base64 groups), seeks to any offset, and the bytes
 * are the JSON text with each image's base64 at its hole, checked against
 * an encoder written here from the bit arithmetic.  Bodies keep the raw
 * image bytes, not their base64.
 */
#include "test_helpers.h"

#include "backends/openai.h"

static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of in, by the bit arithmetic, appended to out */
static void ref_encode(struct vl_buf *out, const unsigned char *in, size_t n)
{
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		char g[4] = { al[v >> 18], al[(v >> 12) & 63], al[(v >> 6) & 63], al[v & 63] };
		vl_buf_add(out, g, 4);
	}
	if (n - i) {
		unsigned v = (unsigned)in[i] << 16 | (n - i == 2 ? (unsigned)in[i + 1] << 8 : 0);
		char g[4] = { al[v >> 18], al[(v >> 12) & 63],
			      n - i == 2 ? al[(v >> 6) & 63] : '=', '=' };
		vl_buf_add(out, g, 4);
	}
}

/* The body as it must come out: text with every hole filled. */
static void expected(const struct vl_openai_body *b, struct vl_buf *out)
{
	size_t tp = 0;

	for (size_t h = 0; h < b->nholes; h++) {
		vl_buf_add(out, b->text.buf + tp, b->holes[h].at - tp);
		ref_encode(out, b->raw + b->holes[h].raw_off, b->holes[h].raw_len);
		tp = b->holes[h].at;
	}
	vl_buf_add(out, b->text.buf + tp, b->text.len - tp);
}

struct images {
	char paths[4][64];
	size_t sizes[4];
	unsigned char *data[4];
};

static void make_images(struct images *im)
{
	static const size_t sizes[4] = { 0, 1, 100003, 49154 };
	struct vl_rng rng;

	vl_rng_seed(&rng, 11);
	for (int i = 0; i < 4; i++) {
		int fd;

		snprintf(im->paths[i], sizeof(im->paths[i]), "/tmp/vl_body_%d_%dXXXXXX", (int)getpid(),
			 i);
		fd = mkstemp(im->paths[i]);
		assert_true(fd >= 0);
		im->sizes[i] = sizes[i];
		im->data[i] = malloc(sizes[i] + 1);
		for (size_t k = 0; k < sizes[i]; k++)
			im->data[i][k] = (unsigned char)vl_rng_next(&rng);
		if (sizes[i] >= 3)
			memcpy(im->data[i], "\xff\xd8\xff", 3);
		assert_int_equal(write(fd, im->data[i], sizes[i]), (ssize_t)sizes[i]);
		close(fd);
	}
}

static void free_images(struct images *im)
{
	for (int i = 0; i < 4; i++) {
		unlink(im->paths[i]);
		free(im->data[i]);
	}
}

/* Four file images (0, 1, 100003 and 49154 bytes) around an inline one. */
static void build(struct vl_openai_body *b, const struct images *im)
{
	struct vl_image imgs[5] = {
		{ .path = im->paths[0] }, { .path = im->paths[1] },
		{ .b64 = "iVBORw0KGgo=" }, { .path = im->paths[2], .mime = "image/webp" },
		{ .path = im->paths[3] },
	};
	struct vl_request r = { .sample_id = "s", .system = "be brief", .prompt = "What \"is\" it?",
				.images = imgs, .n_images = 5, .max_tokens = 8, .temperature = 0,
				.top_p = -1, .seed = 7 };
	struct vl_openai_body_opts o = { .model = "m" };
	struct vl_buf err = VL_BUF_INIT;

	assert_int_equal(vl_openai_body_build(&o, &r, b, &err), 0);
	vl_buf_release(&err);
}

static void test_holes(void **state)
{
	struct images im;
	struct vl_openai_body b;
	struct vl_buf want = VL_BUF_INIT, got = VL_BUF_INIT;
	cJSON *j;

	make_images(&im);
	vl_openai_body_init(&b);
	build(&b, &im);
	assert_int_equal(b.nholes, 4);
	for (size_t h = 0; h < 4; h++) {
		assert_int_equal(b.holes[h].raw_len, im.sizes[h]);
		assert_memory_equal(b.raw + b.holes[h].raw_off, im.data[h], im.sizes[h]);
	}
	/* the raw bytes are kept, not their base64 */
	assert_true(b.rawlen == 0 + 1 + 100003 + 49154);
	assert_true(vl_openai_body_memory(&b) < b.rawlen + b.text.alloc + 4096);
	expected(&b, &want);
	assert_int_equal(b.len, want.len);
	assert_non_null(strstr(want.buf, "\"url\":\"data:image/webp;base64,/9j/"));
	assert_non_null(strstr(want.buf, "\"url\":\"data:image/png;base64,iVBORw0KGgo=\""));
	assert_non_null(strstr(want.buf, "\"url\":\"data:image/jpeg;base64,\"")); /* empty file */
	j = cJSON_Parse(want.buf);
	assert_non_null(j);
	cJSON_Delete(j);
	/* the one-piece builder gives the same */
	{
		struct vl_image imgs[1] = { { .path = im.paths[3] } };
		struct vl_request r = { .sample_id = "s", .prompt = "p", .images = imgs,
					.n_images = 1, .max_tokens = -1, .temperature = -1,
					.top_p = -1, .seed = -1 };
		struct vl_openai_body_opts o = { 0 };
		struct vl_buf err = VL_BUF_INIT, one = VL_BUF_INIT;

		assert_int_equal(vl_openai_build_body(&o, &r, &got, &err), 0);
		vl_buf_adds(&one, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
			    "\"image_url\",\"image_url\":{\"url\":\"data:image/jpeg;base64,");
		ref_encode(&one, im.data[3], im.sizes[3]);
		vl_buf_adds(&one, "\"}},{\"type\":\"text\",\"text\":\"p\"}]}]}");
		assert_int_equal(got.len, one.len);
		assert_memory_equal(got.buf, one.buf, one.len);
		vl_buf_release(&err);
		vl_buf_release(&one);
	}
	vl_openai_body_release(&b);
	vl_buf_release(&want);
	vl_buf_release(&got);
	free_images(&im);
}

/* Reads the whole body in pieces of random sizes up to max. */
static void read_all(struct vl_openai_body *b, struct vl_rng *rng, size_t max,
		     struct vl_buf *out)
{
	for (;;) {
		size_t cap = 1 + (size_t)(vl_rng_next(rng) % max), n;

		vl_buf_grow(out, cap + 1);
		n = vl_openai_body_read(b, out->buf + out->len, cap);
		assert_true(n <= cap);
		out->len += n;
		if (n == 0)
			break;
		/* short only at the end */
		if (n < cap)
			assert_int_equal(vl_openai_body_read(b, out->buf + out->len, 1), 0);
	}
}

/* Reads from the reader's position to the end in pieces up to max and
 * checks the bytes are want[from..]. */
static void expect_rest(struct vl_openai_body *b, struct vl_rng *rng, size_t max,
			const struct vl_buf *want, size_t from)
{
	struct vl_buf got = VL_BUF_INIT;

	read_all(b, rng, max, &got);
	if (got.len != want->len - from || memcmp(got.buf, want->buf + from, got.len))
		print_error("from %zu in pieces up to %zu: %zu bytes, want %zu\n", from, max,
			    got.len, want->len - from);
	assert_int_equal(got.len, want->len - from);
	assert_memory_equal(got.buf, want->buf + from, got.len);
	vl_buf_release(&got);
}

static void test_any_piece_sizes(void **state)
{
	static const size_t maxes[] = { 1, 2, 3, 5, 7, 64, 1000, 16384, 65536, 1 << 20 };
	struct images im;
	struct vl_openai_body b;
	struct vl_buf want = VL_BUF_INIT;
	struct vl_rng rng;

	make_images(&im);
	vl_openai_body_init(&b);
	build(&b, &im);
	expected(&b, &want);
	vl_rng_seed(&rng, 3);
	for (size_t m = 0; m < sizeof(maxes) / sizeof(*maxes); m++) {
		for (int rep = 0; rep < (maxes[m] < 10 ? 1 : 3); rep++) {
			assert_int_equal(vl_openai_body_seek(&b, 0), 0);
			expect_rest(&b, &rng, maxes[m], &want, 0);
		}
	}
	/* a rebuild on the same body (memory kept) gives the same bytes */
	build(&b, &im);
	expect_rest(&b, &rng, 70000, &want, 0);
	vl_openai_body_release(&b);
	vl_buf_release(&want);
	free_images(&im);
}

/* Seeks land on every kind of place: text, hole starts and ends, the middle
 * of a base64 group, the very end. */
static void test_seek(void **state)
{
	struct images im;
	struct vl_openai_body b;
	struct vl_buf want = VL_BUF_INIT;
	struct vl_rng rng;
	size_t offs[64], n = 0;

	make_images(&im);
	vl_openai_body_init(&b);
	build(&b, &im);
	expected(&b, &want);
	vl_rng_seed(&rng, 9);
	offs[n++] = 0;
	offs[n++] = want.len;
	offs[n++] = want.len - 1;
	for (size_t h = 0, shift = 0; h < b.nholes; h++) {
		size_t start = b.holes[h].at + shift;
		offs[n++] = start;
		offs[n++] = start + 1;
		offs[n++] = start + 2;
		offs[n++] = start + b.holes[h].enc_len;
		if (b.holes[h].enc_len > 5)
			offs[n++] = start + b.holes[h].enc_len - 3;
		shift += b.holes[h].enc_len;
	}
	while (n < sizeof(offs) / sizeof(*offs))
		offs[n++] = (size_t)(vl_rng_next(&rng) % (want.len + 1));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(vl_openai_body_seek(&b, offs[i]), 0);
		assert_int_equal(b.pos, offs[i]);
		expect_rest(&b, &rng, 1 + i * 997 % 5000, &want, offs[i]);
	}
	assert_int_equal(vl_openai_body_seek(&b, want.len + 1), VL_EINVAL);
	vl_openai_body_release(&b);
	vl_buf_release(&want);
	free_images(&im);
}

/* No images: the body is the text; errors name the image. */
static void test_text_only_and_errors(void **state)
{
	struct vl_openai_body b;
	struct vl_request r = { .sample_id = "s", .prompt = "hello", .max_tokens = -1,
				.temperature = -1, .top_p = -1, .seed = -1 };
	struct vl_image img = { .path = "/nonexistent/vl_body.jpg" };
	struct vl_openai_body_opts o = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	char out[256];
	size_t n;

	vl_openai_body_init(&b);
	assert_int_equal(vl_openai_body_build(&o, &r, &b, &err), 0);
	n = vl_openai_body_read(&b, out, sizeof(out));
	assert_int_equal(n, b.len);
	out[n] = '\0';
	assert_string_equal(out, "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}");
	r.images = &img;
	r.n_images = 1;
	assert_int_equal(vl_openai_body_build(&o, &r, &b, &err), VL_EIO);
	assert_non_null(strstr(vl_buf_str(&err), "/nonexistent/vl_body.jpg"));
	vl_buf_reset(&err);
	img.path = "/tmp";
	assert_int_equal(vl_openai_body_build(&o, &r, &b, &err), VL_EIO);
	assert_non_null(strstr(vl_buf_str(&err), "not a regular file"));
	vl_openai_body_release(&b);
	vl_buf_release(&err);
}

/* Inline images without a given type are sniffed by core/image.h's one
 * sniffer from their first decoded bytes; unknown bytes are sent as JPEG. */
static void test_inline_mime(void **state)
{
	static const struct { const char *b64, *want; } rows[] = {
		{ "iVBORw0KGgo=", "image/png" },
		{ "/9j/4AAQSkZJRgABAQ", "image/jpeg" },
		{ "R0lGODlhAQABAIAAAP", "image/gif" },
		{ "Qk0=", "image/bmp" },
		{ "UklGRgAAAABXRUJQVlA4", "image/webp" },
		{ "AAAA", "image/jpeg" },
		{ "", "image/jpeg" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_image img = { .b64 = rows[i].b64 };
		struct vl_request r = { .sample_id = "s", .prompt = "q", .images = &img,
					.n_images = 1, .max_tokens = -1, .temperature = -1,
					.top_p = -1, .seed = -1 };
		struct vl_openai_body_opts o = { 0 };
		struct vl_buf out = VL_BUF_INIT, err = VL_BUF_INIT, want = VL_BUF_INIT;

		vl_buf_addf(&want, "\"url\":\"data:%s;base64,%s\"", rows[i].want, rows[i].b64);
		assert_int_equal(vl_openai_build_body(&o, &r, &out, &err), 0);
		if (!strstr(out.buf, want.buf))
			print_error("row %zu: %s\n", i, out.buf);
		assert_non_null(strstr(out.buf, want.buf));
		vl_buf_release(&out);
		vl_buf_release(&err);
		vl_buf_release(&want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_mime),
		cmocka_unit_test(test_holes),
		cmocka_unit_test(test_any_piece_sizes),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_text_only_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
