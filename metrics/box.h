/*
 * box.h - boxes for grounding: the canonical text form that extractors hand
 * to metrics, IoU under the documented conventions, and the box parsers of
 * each model output convention.
 *
 * A box is double[4] = { x1, y1, x2, y2 } in pixels of the original image,
 * continuous coordinates (x2 - x1 is the width, no +1).
 *
 * Canonical text form (what the "box" extractor writes and the "grounding"
 * metric reads): "[x1, y1, x2, y2]" with each number in its shortest form
 * that reads back to the same double (so formatting and parsing round-trip
 * bit for bit), or "" when the model output could not be parsed.
 *
 * Adding a box format: add a row to the formats[] table in
 * metrics/boxparse.c (name, regex, decode and encode functions), a data row
 * to tests/unit/test_boxparse.c, and a line to the README table.
 * Adding an IoU variant: add a row to variants[] in metrics/iou.c and a test.
 */
#ifndef VL_BOX_H
#define VL_BOX_H

#include "core/vl.h"

/* Appends the canonical form of b to out. */
void vl_box_format(const double b[4], struct vl_buf *out);

/* Parses the canonical form (leading/trailing white space allowed).
 * Returns 0, or VL_EPARSE for "" or anything else that is not exactly four
 * finite numbers in brackets separated by commas; out untouched then. */
int vl_box_parse_canonical(const char *s, double out[4]);

/* The main convention: intersection clamped at 0, IoU = inter / (area_a +
 * area_b - inter).  A zero union (two empty boxes, e.g. [0,0,0,0] against a
 * degenerate GT) gives 0, not NaN: no box matches nothing. */
double vl_iou(const double a[4], const double b[4]);

/*
 * An IoU convention selectable by name (metric option "iou_variant"):
 * "standard", "strict_gt_0.5", "plus_one_inclusive", "mattnet_computeIoU",
 * "normalized_by_image_wh", "float32_torchvision".  iou() gets the image size
 * for the normalised variant (others ignore it); hit() applies the threshold.
 */
struct vl_iou_variant {
	const char *name;
	const char *description;
	int needs_image_size;      /* 1: iou() needs image_w, image_h > 0 */
	double (*iou)(const double pred[4], const double gt[4], int image_w, int image_h);
	int strict;                /* 1: hit when IoU > 0.5, else IoU >= 0.5 */
};

/* Looks a variant up by name; NULL if unknown. */
const struct vl_iou_variant *vl_iou_variant_find(const char *name);
/* NULL-terminated list of all variants. */
const struct vl_iou_variant *const *vl_iou_variant_list(void);
/* 1 when iou counts as a hit under v. */
int vl_iou_hit(const struct vl_iou_variant *v, double iou);

/*
 * Box formats (option "box_format"): "pixels", "norm1", "qwen", "qwen1000",
 * "qwen2", "qwen3", "qwen25", "cogvlm", "ferret", "minigptv2", "kosmos2",
 * "internvl", "paligemma".  README "Box formats" has the source of each convention.
 */

/* NULL-terminated list of the format names (static strings). */
const char *const *vl_box_format_names(void);
/* 1 when name is a known format. */
int vl_box_format_known(const char *name);

/*
 * Finds the first box of the given format in text and converts it to pixels
 * of an image_w x image_h image.  Returns 0 and fills out, VL_EPARSE when the
 * text holds no box of that format (out untouched), or VL_EINVAL for an
 * unknown format or a format that needs the image size when it is unknown
 * (err, optional, says which).
 */
int vl_box_parse(const char *format, const char *text, int image_w, int image_h,
		 double out[4], struct vl_buf *err);

/*
 * The inverse: appends box (pixels) written the way a model of that format
 * would write it, so that vl_box_parse gives back the box up to the format's
 * quantisation.  Returns 0 or VL_EINVAL (unknown format, image size needed
 * and unknown; err says which).
 */
int vl_box_render(const char *format, const double box[4], int image_w, int image_h,
		  struct vl_buf *out, struct vl_buf *err);

#endif
