/*
 * image.c - image references: resolving them safely under the task's image
 * folder, reading width and height from the file header (stb's info
 * functions for JPEG, PNG, GIF and BMP; our own parser for WebP, which stb
 * does not know), and downscaling before sending (stb_image, stb_image_resize,
 * stb_image_write).
 *
 * Adding a format: teach vl_image_mime its magic bytes and vl_image_size_mem
 * (and vl_image_size) its header; downscaling needs a decoder stb has.
 */
#include "core/image.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

#include "core/base64.h"

/* 1 when a component of path after its first `from` bytes (the image
 * folder) is a symlink; 0 when none is, or a component does not exist. */
static int ref_has_symlink(const char *path, size_t from)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);
	struct stat st;

	if (n >= sizeof(tmp))
		return 1;  /* let realpath decide */
	memcpy(tmp, path, n + 1);
	for (size_t i = from + 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		char keep = tmp[i];
		tmp[i] = '\0';
		if (lstat(tmp, &st) < 0)
			return 0;
		if (S_ISLNK(st.st_mode))
			return 1;
		tmp[i] = keep;
	}
	return 0;
}

int vl_image_resolve(const char *image_dir, const char *ref, struct vl_buf *out,
		     struct vl_buf *err)
{
	const char *p = ref;

	if (!ref || !*ref) {
		vl_buf_adds(err, "empty image reference");
		return VL_EINVAL;
	}
	if (ref[0] == '/') {
		vl_buf_addf(err, "image reference '%s' is an absolute path; "
			    "references must stay inside the image folder", ref);
		return VL_EINVAL;
	}
	/* lexical check: no ".." component anywhere */
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			vl_buf_addf(err, "image reference '%s' escapes the image folder ('..')", ref);
			return VL_EINVAL;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	vl_path_join(out, image_dir, ref);
	/* A symlink may still point outside.  Real paths cost a system call
	 * per component of the folder and of the file, twice per image; so
	 * lstat only the components of ref and compare real paths when one of
	 * them is a symlink (the folder itself may be one: it is the root). */
	if (image_dir && *image_dir && ref_has_symlink(vl_buf_str(out), out->len - strlen(ref))) {
		char real_dir[PATH_MAX], real_file[PATH_MAX];
		if (realpath(image_dir, real_dir) && realpath(vl_buf_str(out), real_file)) {
			size_t n = strlen(real_dir);
			if (strncmp(real_file, real_dir, n) != 0 ||
			    (real_file[n] != '/' && real_file[n] != '\0')) {
				vl_buf_addf(err, "image reference '%s' resolves outside the image "
					    "folder (symlink to '%s')", ref, real_file);
				return VL_EINVAL;
			}
		}
	}
	return 0;
}

static unsigned le16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static unsigned long le24(const unsigned char *p)
{
	return p[0] | (unsigned long)p[1] << 8 | (unsigned long)p[2] << 16;
}

/*
 * WebP: "RIFF" size "WEBP", then the first chunk decides.
 *   "VP8 " (lossy): a key frame tag (3 bytes), start code 9d 01 2a, then
 *          14-bit width and height (top two bits are scaling), little endian;
 *   "VP8L" (lossless): signature 0x2f, then width-1 and height-1 as two
 *          14-bit fields packed little endian;
 *   "VP8X" (extended): flags, 3 reserved bytes, canvas width-1 and
 *          height-1 as 24-bit little-endian numbers.
 */
int vl_webp_size(const void *data, size_t n, int *w, int *h)
{
	const unsigned char *p = data;

	if (n < 30 || memcmp(p, "RIFF", 4) || memcmp(p + 8, "WEBP", 4))
		return VL_EINVAL;
	if (!memcmp(p + 12, "VP8 ", 4)) {
		if ((p[20] & 1) != 0 || p[23] != 0x9d || p[24] != 0x01 || p[25] != 0x2a)
			return VL_EINVAL;
		*w = (int)(le16(p + 26) & 0x3fff);
		*h = (int)(le16(p + 28) & 0x3fff);
	} else if (!memcmp(p + 12, "VP8L", 4)) {
		unsigned long bits;
		if (p[20] != 0x2f)
			return VL_EINVAL;
		bits = p[21] | (unsigned long)p[22] << 8 | (unsigned long)p[23] << 16 |
		       (unsigned long)p[24] << 24;
		*w = (int)(bits & 0x3fff) + 1;
		*h = (int)((bits >> 14) & 0x3fff) + 1;
	} else if (!memcmp(p + 12, "VP8X", 4)) {
		*w = (int)le24(p + 24) + 1;
		*h = (int)le24(p + 27) + 1;
	} else {
		return VL_EINVAL;
	}
	return (*w > 0 && *h > 0) ? 0 : VL_EINVAL;
}

const char *vl_image_mime(const void *data, size_t n)
{
	const unsigned char *p = data;

	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 6 && (!memcmp(p, "GIF87a", 6) || !memcmp(p, "GIF89a", 6)))
		return "image/gif";
	if (n >= 2 && p[0] == 'B' && p[1] == 'M')
		return "image/bmp";
	if (n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

int vl_image_size_mem(const void *data, size_t n, int *w, int *h, struct vl_buf *err)
{
	int comp;

	if (n >= 12 && !memcmp(data, "RIFF", 4) && !memcmp((const char *)data + 8, "WEBP", 4)) {
		if (vl_webp_size(data, n, w, h) < 0) {
			vl_buf_adds(err, "unreadable WebP header");
			return VL_EINVAL;
		}
		return 0;
	}
	if (n > INT_MAX || !stbi_info_from_memory(data, (int)n, w, h, &comp)) {
		vl_buf_addf(err, "not a readable image (%s)",
			    n > INT_MAX ? "too large" : stbi_failure_reason());
		return VL_EINVAL;
	}
	return 0;
}

int vl_image_size(const char *path, int *w, int *h, struct vl_buf *err)
{
	unsigned char head[32];
	FILE *f = fopen(path, "rb");
	size_t n;
	int comp, ok;

	if (!f) {
		vl_buf_addf(err, "cannot open image '%s': %s", path, strerror(errno));
		return errno == ENOENT ? VL_ENOTFOUND : VL_EIO;
	}
	n = fread(head, 1, sizeof(head), f);
	if (n >= 12 && !memcmp(head, "RIFF", 4) && !memcmp(head + 8, "WEBP", 4)) {
		fclose(f);
		if (vl_webp_size(head, n, w, h) < 0) {
			vl_buf_addf(err, "cannot read image header of '%s': unreadable WebP "
				    "header", path);
			return VL_EINVAL;
		}
		return 0;
	}
	rewind(f);
	ok = stbi_info_from_file(f, w, h, &comp);
	fclose(f);
	if (!ok) {
		vl_buf_addf(err, "cannot read image header of '%s': %s", path,
			    stbi_failure_reason());
		return VL_EINVAL;
	}
	return 0;
}

static void write_to_buf(void *ctx, void *data, int size)
{
	vl_buf_add(ctx, data, (size_t)size);
}

int vl_image_prepare(const char *path, const char *b64, int max_side,
		     struct vl_buf *out, const char **mime, struct vl_buf *err)
{
	struct vl_buf raw = VL_BUF_INIT, detail = VL_BUF_INIT;
	const char *what = path ? path : "inline image";
	unsigned char *pixels = NULL, *small = NULL;
	int w, h, comp, nw, nh, rc;

	*mime = NULL;
	if (path)
		rc = vl_read_file(path, &raw, err);
	else if (b64)
		rc = vl_base64_decode_buf(&raw, b64, strlen(b64), err);
	else {
		vl_buf_adds(err, "no image given");
		return VL_EINVAL;
	}
	if (rc < 0)
		goto done;
	*mime = vl_image_mime(raw.buf, raw.len);
	if (!*mime || vl_image_size_mem(raw.buf, raw.len, &w, &h, &detail) < 0) {
		vl_buf_addf(err, "'%s' is not a readable image%s%s", what,
			    detail.len ? ": " : "", vl_buf_str(&detail));
		rc = VL_EINVAL;
		goto done;
	}
	if (max_side <= 0 || (w <= max_side && h <= max_side)) {
		vl_buf_add(out, raw.buf, raw.len);
		rc = 0;
		goto done;
	}
	if (raw.len > INT_MAX ||
	    !(pixels = stbi_load_from_memory((unsigned char *)raw.buf, (int)raw.len, &w, &h,
					     &comp, 0))) {
		vl_buf_addf(err, "cannot decode '%s' to downscale it: %s", what,
			    raw.len > INT_MAX ? "too large" : stbi_failure_reason());
		*mime = NULL;
		rc = VL_EINVAL;
		goto done;
	}
	if (w >= h) {
		nw = max_side;
		nh = (int)((double)h * max_side / w + 0.5);
	} else {
		nh = max_side;
		nw = (int)((double)w * max_side / h + 0.5);
	}
	nw = nw < 1 ? 1 : nw;
	nh = nh < 1 ? 1 : nh;
	small = vl_xmalloc((size_t)nw * nh * comp);
	if (!stbir_resize_uint8_srgb(pixels, w, h, 0, small, nw, nh, 0, comp,
				     (comp == 2 || comp == 4) ? comp - 1 : STBIR_ALPHA_CHANNEL_NONE,
				     0)) {
		vl_buf_addf(err, "cannot resize '%s'", what);
		*mime = NULL;
		rc = VL_EINVAL;
		goto done;
	}
	if (comp == 2 || comp == 4) {
		rc = stbi_write_png_to_func(write_to_buf, out, nw, nh, comp, small, nw * comp);
		*mime = "image/png";
	} else {
		rc = stbi_write_jpg_to_func(write_to_buf, out, nw, nh, comp, small, 90);
		*mime = "image/jpeg";
	}
	if (!rc) {
		vl_buf_addf(err, "cannot encode the downscaled '%s'", what);
		*mime = NULL;
		rc = VL_EINVAL;
		goto done;
	}
	rc = 1;
done:
	stbi_image_free(pixels);
	vl_free(small);
	vl_buf_release(&raw);
	vl_buf_release(&detail);
	return rc;
}
