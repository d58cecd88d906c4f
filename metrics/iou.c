/*
 * iou.c - grounding: IoU under the documented conventions, the canonical
 * box text form, and the "grounding" metric (Acc@0.5 and mean IoU).
 *
 * Main convention (tests/fixtures/reference/README.md, "grounding/"):
 * continuous coordinates, width = x2 - x1 with no +1, intersection clamped
 * at 0, IoU = inter / (area1 + area2 - inter), a hit when IoU >= 0.5,
 * Acc@0.5 = hits / n, mean IoU = plain sum in add order / n.  No clipping to
 * the image.  A zero union gives IoU 0 (the Python scorers would divide by
 * zero).
 *
 * The other conventions are rows of variants[], chosen by the metric option
 * "iou_variant"; add one by writing its iou function and a row.
 *
 * The prediction the metric receives is the canonical form written by the
 * "box" extractor ("[x1, y1, x2, y2]" in pixels, or "" for a parse failure,
 * which scores IoU 0 and is counted in parse_failures).  Other text is parsed
 * with the metric option "box_format" (default "pixels"), so a raw output
 * scores the same as its extracted box.
 */
#include "metrics/box.h"
#include "metrics/metric.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void vl_box_format(const double b[4], struct vl_buf *out)
{
	vl_buf_addch(out, '[');
	for (int i = 0; i < 4; i++) {
		if (i)
			vl_buf_adds(out, ", ");
		vl_buf_add_json_num(out, b[i]);
	}
	vl_buf_addch(out, ']');
}

int vl_box_parse_canonical(const char *s, double out[4])
{
	double v[4];
	const char *p = s;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	if (*p++ != '[')
		return VL_EPARSE;
	for (int i = 0; i < 4; i++) {
		while (isspace((unsigned char)*p))
			p++;
		v[i] = strtod(p, &end);
		if (end == p || !isfinite(v[i]))
			return VL_EPARSE;
		p = end;
		while (isspace((unsigned char)*p))
			p++;
		if (*p++ != (i < 3 ? ',' : ']'))
			return VL_EPARSE;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return VL_EPARSE;
	memcpy(out, v, sizeof(v));
	return 0;
}

double vl_iou(const double a[4], const double b[4])
{
	double iw = fmin(a[2], b[2]) - fmax(a[0], b[0]);
	double ih = fmin(a[3], b[3]) - fmax(a[1], b[1]);
	double inter, uni;

	if (iw < 0)
		iw = 0;
	if (ih < 0)
		ih = 0;
	inter = iw * ih;
	uni = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
	return uni > 0 ? inter / uni : 0.0;
}

static double iou_standard(const double p[4], const double g[4], int w, int h)
{
	return vl_iou(p, g);
}

/* Inclusive pixel ends: every width and height gets +1 (old VOC and
 * Faster R-CNN code, some RefCOCO forks). */
static double iou_plus_one(const double a[4], const double b[4], int w, int h)
{
	double iw = fmin(a[2], b[2]) - fmax(a[0], b[0]) + 1;
	double ih = fmin(a[3], b[3]) - fmax(a[1], b[1]) + 1;
	double inter, uni;

	if (iw < 0)
		iw = 0;
	if (ih < 0)
		ih = 0;
	inter = iw * ih;
	uni = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1) - inter;
	return uni > 0 ? inter / uni : 0.0;
}

/* MAttNet lib/models/eval_dets_utils.py computeIoU on [x, y, w, h] boxes:
 * inclusive ends for the intersection (-1 then +1), an intersection only
 * when it is wider and taller than one pixel, union from plain w x h. */
static double iou_mattnet(const double a[4], const double b[4], int w, int h)
{
	double aw = a[2] - a[0], ah = a[3] - a[1];
	double bw = b[2] - b[0], bh = b[3] - b[1];
	double x1 = fmax(a[0], b[0]), y1 = fmax(a[1], b[1]);
	double x2 = fmin(a[0] + aw - 1, b[0] + bw - 1);
	double y2 = fmin(a[1] + ah - 1, b[1] + bh - 1);
	double inter = 0, uni;

	if (x1 < x2 && y1 < y2)
		inter = (x2 - x1 + 1) * (y2 - y1 + 1);
	uni = aw * ah + bw * bh - inter;
	return uni != 0 ? inter / uni : 0.0;
}

/* Both boxes divided by image width and height first (lmms-eval works on
 * normalised boxes); rounding moves some exact 0.5 cases below 0.5. */
static double iou_normalized(const double a[4], const double b[4], int w, int h)
{
	double na[4] = { a[0] / w, a[1] / h, a[2] / w, a[3] / h };
	double nb[4] = { b[0] / w, b[1] / h, b[2] / w, b[3] / h };
	return vl_iou(na, nb);
}

/* torchvision.ops.box_iou in float32 (Qwen-VL's evaluate_grounding.py):
 * every coordinate rounded to float, every operation in float. */
static double iou_float32(const double a[4], const double b[4], int w, int h)
{
	float ax1 = (float)a[0], ay1 = (float)a[1], ax2 = (float)a[2], ay2 = (float)a[3];
	float bx1 = (float)b[0], by1 = (float)b[1], bx2 = (float)b[2], by2 = (float)b[3];
	float area_a = (ax2 - ax1) * (ay2 - ay1);
	float area_b = (bx2 - bx1) * (by2 - by1);
	float iw = fminf(ax2, bx2) - fmaxf(ax1, bx1);
	float ih = fminf(ay2, by2) - fmaxf(ay1, by1);
	float inter, uni;

	if (iw < 0)
		iw = 0;
	if (ih < 0)
		ih = 0;
	inter = iw * ih;
	uni = area_a + area_b - inter;
	return uni > 0 ? (double)(inter / uni) : 0.0;
}

static const struct vl_iou_variant v_standard = {
	"standard", "continuous coordinates, no +1, hit when IoU >= 0.5", 0, iou_standard, 0,
};
static const struct vl_iou_variant v_strict = {
	"strict_gt_0.5", "standard IoU, hit only when IoU > 0.5 (Shikra)", 0, iou_standard, 1,
};
static const struct vl_iou_variant v_plus_one = {
	"plus_one_inclusive", "inclusive pixel ends, +1 on every width and height", 0,
	iou_plus_one, 0,
};
static const struct vl_iou_variant v_mattnet = {
	"mattnet_computeIoU", "MAttNet computeIoU (inclusive intersection, plain union)", 0,
	iou_mattnet, 0,
};
static const struct vl_iou_variant v_normalized = {
	"normalized_by_image_wh", "both boxes divided by image width and height first", 1,
	iou_normalized, 0,
};
static const struct vl_iou_variant v_float32 = {
	"float32_torchvision", "torchvision box_iou in float32 (Qwen-VL)", 0, iou_float32, 0,
};

static const struct vl_iou_variant *const variants[] = {
	&v_standard, &v_strict, &v_plus_one, &v_mattnet, &v_normalized, &v_float32, NULL,
};

const struct vl_iou_variant *vl_iou_variant_find(const char *name)
{
	for (size_t i = 0; variants[i]; i++)
		if (!strcmp(variants[i]->name, name))
			return variants[i];
	return NULL;
}

const struct vl_iou_variant *const *vl_iou_variant_list(void)
{
	return variants;
}

int vl_iou_hit(const struct vl_iou_variant *v, double iou)
{
	return v->strict ? iou > 0.5 : iou >= 0.5;
}

/* ---- the "grounding" metric ---- */

struct gr_state {
	const struct vl_iou_variant *variant;
	const char *box_format;  /* static name: parses non-canonical predictions */
	double *iou;            /* per added sample */
	unsigned char *flags;   /* bit 0: hit, bit 1: parse failure, bit 2: IoU exactly 0.5 */
	size_t n, alloc;
};

static void *gr_new(const struct vl_kv *opts, struct vl_buf *err)
{
	const char *name = vl_kv_get_or(opts, "iou_variant", "standard");
	const struct vl_iou_variant *v = vl_iou_variant_find(name);
	struct gr_state *st;

	if (!v) {
		if (err) {
			vl_buf_addf(err, "unknown iou_variant '%s' (known:", name);
			for (size_t i = 0; variants[i]; i++)
				vl_buf_addf(err, " %s", variants[i]->name);
			vl_buf_addch(err, ')');
		}
		return NULL;
	}
	name = vl_kv_get_or(opts, "box_format", "pixels");
	if (!vl_box_format_known(name)) {
		if (err)
			vl_buf_addf(err, "unknown box_format '%s'", name);
		return NULL;
	}
	st = vl_xcalloc(1, sizeof(*st));
	st->variant = v;
	for (const char *const *f = vl_box_format_names(); *f; f++)
		if (!strcmp(*f, name))
			st->box_format = *f;
	return st;
}

static int gr_add(void *state, const struct vl_sample *s, const char *pred,
		  double *score, struct vl_buf *err)
{
	struct gr_state *st = state;
	double box[4], iou = 0.0;
	unsigned char f = 0;

	if (!s->has_box) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no ground-truth box", s->id);
		return VL_EINVAL;
	}
	if (st->variant->needs_image_size && (s->image_w <= 0 || s->image_h <= 0)) {
		if (err)
			vl_buf_addf(err, "sample '%s' has no image size, which iou_variant '%s' needs",
				    s->id, st->variant->name);
		return VL_EINVAL;
	}
	/* the box extractor's canonical form; any other text (a task that kept
	 * the raw output) goes through the parser of option box_format */
	if (vl_box_parse_canonical(pred, box) == 0 ||
	    (*pred && vl_box_parse(st->box_format, pred, s->image_w, s->image_h, box, NULL) == 0)) {
		iou = st->variant->iou(box, s->box, s->image_w, s->image_h);
		f |= vl_iou_hit(st->variant, iou) ? 1 : 0;
		f |= iou == 0.5 ? 4 : 0;
	} else {
		f |= 2;
	}
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 256;
		st->iou = vl_xrealloc(st->iou, st->alloc * sizeof(*st->iou));
		st->flags = vl_xrealloc(st->flags, st->alloc);
	}
	st->iou[st->n] = iou;
	st->flags[st->n++] = f;
	*score = iou;
	return 0;
}

static int gr_finish(void *state, const size_t *idx, size_t n,
		     struct vl_metric_value *out, size_t max)
{
	struct gr_state *st = state;
	double sum = 0.0;
	long hits = 0, fails = 0, half = 0;
	size_t k = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++) {
		size_t j = idx ? idx[i] : i;
		sum += st->iou[j];
		hits += st->flags[j] & 1;
		fails += (st->flags[j] >> 1) & 1;
		half += (st->flags[j] >> 2) & 1;
	}
	const struct vl_metric_value v[] = {
		{ "acc_at_0.5", n ? (double)hits / (double)n : NAN, (long)n, 1 },
		{ "mean_iou", n ? sum / (double)n : NAN, (long)n, 1 },
		{ "hits", (double)hits, (long)n, 0 },
		{ "parse_failures", (double)fails, (long)n, 0 },
		{ "exactly_half", (double)half, (long)n, 0 },
		{ "n", (double)n, (long)n, 0 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

static void gr_free(void *state)
{
	struct gr_state *st = state;
	if (!st)
		return;
	vl_free(st->iou);
	vl_free(st->flags);
	vl_free(st);
}

const struct vl_metric vl_metric_grounding = {
	.version = VL_METRIC_API_VERSION,
	.name = "grounding",
	.description = "Acc@0.5 and mean IoU of boxes (option iou_variant; parse failures score 0)",
	.higher_is_better = 1,
	.primary = "acc_at_0.5",
	.new_state = gr_new,
	.add = gr_add,
	.finish = gr_finish,
	.free_state = gr_free,
};
