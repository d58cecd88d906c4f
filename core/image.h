/*
 * image.h - image bytes: size from a header in memory, type detection, and
 * optional downscaling before an image is sent to a model.
 *
 * Part of core/: loaders resolve references and read sizes with it, the
 * runner turns a reference (a path or inline base64) into the bytes of a
 * request with vl_image_prepare, and backends name the MIME type with the
 * one sniffer, vl_image_mime.
 */
#ifndef VL_IMAGE_H
#define VL_IMAGE_H

#include <stddef.h>

#include "core/vl.h"

/* Resolves an image reference against image_dir.  Refuses references that
 * escape the folder (absolute paths, "..", symlinks pointing outside) with
 * VL_EINVAL and an err naming the reference. */
int vl_image_resolve(const char *image_dir, const char *ref, struct vl_buf *out,
		     struct vl_buf *err);

/* Reads an image's width and height from its header (JPEG, PNG, GIF, BMP,
 * WebP) without decoding it. */
int vl_image_size(const char *path, int *w, int *h, struct vl_buf *err);

/* MIME type of an image from its first bytes ("image/jpeg", "image/png",
 * "image/gif", "image/bmp", "image/webp"), or NULL when not recognised.
 * Returns a static string. */
const char *vl_image_mime(const void *data, size_t n);

/* Width and height from an image held in memory (JPEG, PNG, GIF, BMP,
 * WebP VP8/VP8L/VP8X).  Returns 0, or VL_EINVAL with err saying why. */
int vl_image_size_mem(const void *data, size_t n, int *w, int *h, struct vl_buf *err);

/* Width and height from a WebP header (the first 30 bytes suffice).
 * Returns 0, or VL_EINVAL when data is not a WebP file we can read. */
int vl_webp_size(const void *data, size_t n, int *w, int *h);

/*
 * Produces the bytes to send for one image.
 *
 *   path      image file, or NULL when b64 is given
 *   b64       inline base64 image (VLMEvalKit TSV), or NULL
 *   max_side  longest side allowed in pixels; <= 0: no limit
 *   out       OUT: the image bytes (appended; caller releases)
 *   mime      OUT: static MIME type of the bytes in out
 *
 * When the image already fits (or max_side <= 0) the original bytes are
 * returned unchanged and the result is 0.  Otherwise the image is decoded,
 * resized so that its longest side is max_side (aspect ratio kept, sRGB-
 * aware filtering), re-encoded as JPEG quality 90, or PNG when the source
 * has an alpha channel, and the result is 1.  Negative on failure (missing
 * file, invalid base64, undecodable image; WebP can be measured but not
 * decoded, so a WebP larger than max_side fails), with err naming the file.
 */
int vl_image_prepare(const char *path, const char *b64, int max_side,
		     struct vl_buf *out, const char **mime, struct vl_buf *err);

#endif
