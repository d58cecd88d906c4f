/*
 * test_image.c - image references and headers: sizes of JPEG, PNG and BMP
 * files written by stb at test time, a hand-built GIF, hand-built WebP
 * headers of the three kinds (VP8, VP8L, VP8X), refusal of references that
 * escape the image folder, and downscaling with vl_image_prepare.
 */
#include "loader_helpers.h"

#include <stb_image.h>

#include "core/base64.h"
#include "core/image.h"

static char dir[64];

static int setup(void **state)
{
	th_tmpdir(dir, sizeof(dir));
	return 0;
}

static int teardown(void **state)
{
	th_rmtree(dir);
	return 0;
}

static void check_size(const char *name, int want_w, int want_h)
{
	struct vl_buf path = VL_BUF_INIT, err = VL_BUF_INIT;
	int w = -1, h = -1;

	vl_buf_addf(&path, "%s/%s", dir, name);
	if (vl_image_size(path.buf, &w, &h, &err) != 0) {
		print_error("%s: %s\n", name, vl_buf_str(&err));
		fail();
	}
	assert_int_equal(w, want_w);
	assert_int_equal(h, want_h);
	vl_buf_release(&path);
	vl_buf_release(&err);
}

static void test_stb_formats(void **state)
{
	th_make_image(dir, "a.png", "png", 13, 7, 3);
	th_make_image(dir, "a4.png", "png", 5, 9, 4);
	th_make_image(dir, "a.jpg", "jpg", 17, 11, 3);
	th_make_image(dir, "g.jpg", "jpg", 8, 3, 1);
	th_make_image(dir, "a.bmp", "bmp", 6, 4, 3);
	check_size("a.png", 13, 7);
	check_size("a4.png", 5, 9);
	check_size("a.jpg", 17, 11);
	check_size("g.jpg", 8, 3);
	check_size("a.bmp", 6, 4);
}

static void test_gif(void **state)
{
	/* GIF89a, 3 x 2, global colour table of 2 entries, one 1-pixel LZW image */
	static const unsigned char gif[] = {
		'G', 'I', 'F', '8', '9', 'a', 3, 0, 2, 0, 0x80, 0, 0,
		0, 0, 0, 255, 255, 255,
		0x2c, 0, 0, 0, 0, 3, 0, 2, 0, 0,
		2, 2, 0x44, 0x01, 0, 0x3b,
	};
	th_write(dir, "a.gif", gif, sizeof(gif));
	check_size("a.gif", 3, 2);
	assert_string_equal(vl_image_mime(gif, sizeof(gif)), "image/gif");
}

/* RIFF header + chunk fourcc + 10 payload bytes, as the first 30 bytes. */
static void webp(unsigned char out[30], const char *fourcc, const unsigned char payload[10])
{
	memcpy(out, "RIFF\x16\x00\x00\x00WEBP", 12);
	memcpy(out + 12, fourcc, 4);
	memcpy(out + 16, "\x0a\x00\x00\x00", 4);
	memcpy(out + 20, payload, 10);
}

static void test_webp(void **state)
{
	/* lossy: key frame tag, start code 9d 01 2a, 14-bit sizes 640 x 480 */
	static const unsigned char vp8[10] = { 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a,
					       0x80, 0x02, 0xe0, 0x01 };
	/* lossless: 0x2f, then (300-1) | (200-1) << 14 little endian */
	static const unsigned char vp8l[10] = { 0x2f, 0x2b, 0xc1, 0x31, 0x00 };
	/* extended: flags, reserved, (4000-1) and (3000-1) as 24-bit LE */
	static const unsigned char vp8x[10] = { 0x10, 0, 0, 0, 0x9f, 0x0f, 0x00, 0xb7, 0x0b, 0x00 };
	static const unsigned char bad_vp8[10] = { 0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2b };
	unsigned char b[30];
	struct vl_buf err = VL_BUF_INIT, path = VL_BUF_INIT;
	int w, h;

	webp(b, "VP8 ", vp8);
	assert_int_equal(vl_webp_size(b, 30, &w, &h), 0);
	assert_int_equal(w, 640);
	assert_int_equal(h, 480);
	th_write(dir, "lossy.webp", b, 30);
	check_size("lossy.webp", 640, 480);
	webp(b, "VP8L", vp8l);
	assert_int_equal(vl_image_size_mem(b, 30, &w, &h, &err), 0);
	assert_int_equal(w, 300);
	assert_int_equal(h, 200);
	assert_string_equal(vl_image_mime(b, 30), "image/webp");
	webp(b, "VP8X", vp8x);
	th_write(dir, "x.webp", b, 30);
	check_size("x.webp", 4000, 3000);
	/* wrong start code, unknown chunk, too short, non-key frame */
	webp(b, "VP8 ", bad_vp8);
	assert_int_equal(vl_webp_size(b, 30, &w, &h), VL_EINVAL);
	th_write(dir, "bad.webp", b, 30);
	vl_buf_addf(&path, "%s/bad.webp", dir);
	assert_int_equal(vl_image_size(path.buf, &w, &h, &err), VL_EINVAL);
	assert_contains(vl_buf_str(&err), "bad.webp': unreadable WebP header");
	webp(b, "ALPH", vp8x);
	assert_int_equal(vl_webp_size(b, 30, &w, &h), VL_EINVAL);
	webp(b, "VP8L", vp8l);
	assert_int_equal(vl_webp_size(b, 29, &w, &h), VL_EINVAL);
	webp(b, "VP8 ", vp8);
	b[20] |= 1;
	assert_int_equal(vl_webp_size(b, 30, &w, &h), VL_EINVAL);
	vl_buf_release(&err);
	vl_buf_release(&path);
}

static void test_not_images(void **state)
{
	struct vl_buf err = VL_BUF_INIT, path = VL_BUF_INIT;
	int w, h;

	th_write_str(dir, "text.jpg", "hello, not an image");
	vl_buf_addf(&path, "%s/text.jpg", dir);
	assert_int_equal(vl_image_size(path.buf, &w, &h, &err), VL_EINVAL);
	assert_contains(vl_buf_str(&err), "cannot read image header of '");
	vl_buf_reset(&err);
	vl_buf_reset(&path);
	vl_buf_addf(&path, "%s/missing.png", dir);
	assert_int_equal(vl_image_size(path.buf, &w, &h, &err), VL_ENOTFOUND);
	assert_contains(vl_buf_str(&err), "missing.png");
	assert_null(vl_image_mime("hello", 5));
	vl_buf_release(&err);
	vl_buf_release(&path);
}

static void test_resolve_refuses_escapes(void **state)
{
	struct vl_buf imgdir = VL_BUF_INIT, out = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_buf link = VL_BUF_INIT, target = VL_BUF_INIT;

	vl_buf_addf(&imgdir, "%s/images", dir);
	assert_int_equal(mkdir(imgdir.buf, 0700), 0);
	th_make_image(imgdir.buf, "in.png", "png", 2, 2, 3);
	th_make_image(dir, "outside.png", "png", 2, 2, 3);

	assert_int_equal(vl_image_resolve(imgdir.buf, "in.png", &out, &err), 0);
	assert_path_ends(out.buf, "/images/in.png");
	static const char *const bad[] = { "../outside.png", "a/../../outside.png", "..",
					   "/etc/passwd", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		vl_buf_reset(&err);
		vl_buf_reset(&out);
		assert_int_equal(vl_image_resolve(imgdir.buf, bad[i], &out, &err), VL_EINVAL);
		assert_true(err.len > 0);
	}
	/* a symlink inside the folder that points outside is refused ... */
	vl_buf_addf(&link, "%s/link.png", imgdir.buf);
	vl_buf_addf(&target, "%s/outside.png", dir);
	assert_int_equal(symlink(target.buf, link.buf), 0);
	vl_buf_reset(&err);
	vl_buf_reset(&out);
	assert_int_equal(vl_image_resolve(imgdir.buf, "link.png", &out, &err), VL_EINVAL);
	assert_contains(vl_buf_str(&err), "resolves outside the image folder");
	/* ... and one that stays inside is fine */
	vl_buf_reset(&link);
	vl_buf_addf(&link, "%s/alias.png", imgdir.buf);
	assert_int_equal(symlink("in.png", link.buf), 0);
	vl_buf_reset(&out);
	assert_int_equal(vl_image_resolve(imgdir.buf, "alias.png", &out, &err), 0);
	/* a folder component that is a symlink to outside is refused too */
	vl_buf_reset(&link);
	vl_buf_addf(&link, "%s/sub", imgdir.buf);
	assert_int_equal(symlink(dir, link.buf), 0);
	vl_buf_reset(&out);
	vl_buf_reset(&err);
	assert_int_equal(vl_image_resolve(imgdir.buf, "sub/outside.png", &out, &err), VL_EINVAL);
	assert_contains(vl_buf_str(&err), "resolves outside the image folder");
	/* names that merely start with two dots are not escapes */
	vl_buf_reset(&out);
	assert_int_equal(vl_image_resolve(imgdir.buf, "..hidden.png", &out, &err), 0);
	vl_buf_reset(&out);
	vl_buf_reset(&err);
	assert_int_equal(vl_image_resolve(imgdir.buf, "./sub//outside.png", &out, &err), VL_EINVAL);
	/* ... while an image folder that is itself a symlink is fine */
	vl_buf_reset(&link);
	vl_buf_addf(&link, "%s/images-link", dir);
	assert_int_equal(symlink(imgdir.buf, link.buf), 0);
	vl_buf_reset(&out);
	assert_int_equal(vl_image_resolve(link.buf, "in.png", &out, &err), 0);
	vl_buf_reset(&out);
	assert_int_equal(vl_image_resolve(link.buf, "sub/outside.png", &out, &err), VL_EINVAL);
	vl_buf_release(&imgdir);
	vl_buf_release(&out);
	vl_buf_release(&err);
	vl_buf_release(&link);
	vl_buf_release(&target);
}

static void test_prepare(void **state)
{
	struct vl_buf path = VL_BUF_INIT, out = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_buf raw = VL_BUF_INIT, b64 = VL_BUF_INIT;
	const char *mime;
	int w, h, comp;

	/* RGB 400 x 100 -> JPEG 120 x 30 */
	th_make_image(dir, "wide.png", "png", 400, 100, 3);
	vl_buf_addf(&path, "%s/wide.png", dir);
	assert_int_equal(vl_image_prepare(path.buf, NULL, 120, &out, &mime, &err), 1);
	assert_string_equal(mime, "image/jpeg");
	assert_string_equal(vl_image_mime(out.buf, out.len), "image/jpeg");
	assert_true(stbi_info_from_memory((unsigned char *)out.buf, (int)out.len, &w, &h, &comp));
	assert_int_equal(w, 120);
	assert_int_equal(h, 30);
	/* already small enough, or no limit: the original bytes unchanged */
	assert_int_equal(vl_read_file(path.buf, &raw, &err), 0);
	vl_buf_reset(&out);
	assert_int_equal(vl_image_prepare(path.buf, NULL, 400, &out, &mime, &err), 0);
	assert_string_equal(mime, "image/png");
	assert_int_equal(out.len, raw.len);
	assert_memory_equal(out.buf, raw.buf, raw.len);
	vl_buf_reset(&out);
	assert_int_equal(vl_image_prepare(path.buf, NULL, 0, &out, &mime, &err), 0);
	assert_int_equal(out.len, raw.len);
	/* RGBA, tall, from base64 -> PNG keeping alpha, 25 x 100 (aspect kept) */
	th_make_image(dir, "tall.png", "png", 50, 201, 4);
	vl_buf_reset(&path);
	vl_buf_reset(&raw);
	vl_buf_addf(&path, "%s/tall.png", dir);
	assert_int_equal(vl_read_file(path.buf, &raw, &err), 0);
	vl_base64_encode_buf(&b64, raw.buf, raw.len);
	vl_buf_reset(&out);
	assert_int_equal(vl_image_prepare(NULL, b64.buf, 100, &out, &mime, &err), 1);
	assert_string_equal(mime, "image/png");
	assert_true(stbi_info_from_memory((unsigned char *)out.buf, (int)out.len, &w, &h, &comp));
	assert_int_equal(w, 25);
	assert_int_equal(h, 100);
	assert_int_equal(comp, 4);
	/* errors: bad base64, missing file, a WebP that would need decoding */
	vl_buf_reset(&out);
	assert_true(vl_image_prepare(NULL, "!!!!", 100, &out, &mime, &err) < 0);
	assert_contains(vl_buf_str(&err), "invalid base64 at offset 0");
	vl_buf_reset(&err);
	assert_int_equal(vl_image_prepare("/nonexistent/x.png", NULL, 100, &out, &mime, &err),
			 VL_ENOTFOUND);
	assert_contains(vl_buf_str(&err), "/nonexistent/x.png");
	vl_buf_reset(&err);
	vl_buf_reset(&path);
	vl_buf_addf(&path, "%s/x.webp", dir);
	{
		static const unsigned char vp8x[10] = { 0, 0, 0, 0, 0x9f, 0x0f, 0, 0xb7, 0x0b, 0 };
		unsigned char b[30];
		memcpy(b, "RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00", 20);
		memcpy(b + 20, vp8x, 10);
		th_write(dir, "x.webp", b, 30);
	}
	vl_buf_reset(&out);
	assert_int_equal(vl_image_prepare(path.buf, NULL, 5000, &out, &mime, &err), 0);
	assert_string_equal(mime, "image/webp");
	assert_int_equal(vl_image_prepare(path.buf, NULL, 100, &out, &mime, &err), VL_EINVAL);
	assert_contains(vl_buf_str(&err), "cannot decode '");
	vl_buf_release(&path);
	vl_buf_release(&out);
	vl_buf_release(&err);
	vl_buf_release(&raw);
	vl_buf_release(&b64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stb_formats),
		cmocka_unit_test(test_gif),
		cmocka_unit_test(test_webp),
		cmocka_unit_test(test_not_images),
		cmocka_unit_test(test_resolve_refuses_escapes),
		cmocka_unit_test(test_prepare),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
