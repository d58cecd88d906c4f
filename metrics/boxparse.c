/*
 * boxparse.c - one box parser per model output convention, chosen by name
 * (option "box_format"), never guessed from the numbers; the inverse
 * renderers (pixels to the model's notation) for the oracle baseline; and
 * the "box" answer extractor.
 *
 * Each format is a row of formats[]: a PCRE2 pattern whose first match in
 * the output is the box (its capture groups are the numbers, in the order the
 * model writes them), the grid the numbers live on, and the coordinate order.
 * A model that writes several boxes is scored on the first.  Coordinates are
 * taken as written: a box with x2 < x1 is not reordered (it scores IoU 0).
 * Patterns are compiled per call: parsing is far from any hot path and this
 * keeps the file free of global mutable state.
 *
 * Adding a format: add a row (and, if its geometry is new, a case in
 * decode()/encode()), a data row in tests/unit/test_boxparse.c and a line in
 * the README table naming the source of the convention.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "metrics/box.h"
#include "metrics/metric.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum geometry {
	G_PIXELS,     /* numbers are pixels */
	G_GRID,       /* numbers are v / grid of the image size */
	G_GRID_TRUNC, /* Ferret: int(v * (size / grid)), truncated to whole pixels */
	G_YX_GRID,    /* PaliGemma: y1 x1 y2 x2 on the grid */
	G_KOSMOS,     /* Kosmos-2: two patch indices on a side x side grid */
};

/* Output shapes of the renderers. */
enum shape {
	S_BRACKETS,      /* [x1, y1, x2, y2] */
	S_QWEN_BOX,      /* <box>(x1,y1),(x2,y2)</box> */
	S_QWEN2_BOX,     /* <|box_start|>(x1,y1),(x2,y2)<|box_end|> */
	S_JSON_BBOX,     /* [{"bbox_2d": [x1, y1, x2, y2], "label": "object"}] */
	S_COGVLM,        /* [[x1,y1,x2,y2]] with three digits */
	S_MINIGPT,       /* {<x1><y1><x2><y2>} */
	S_KOSMOS,        /* <object><patch_index_NNNN><patch_index_MMMM></object> */
	S_PALIGEMMA,     /* <locY1><locX1><locY2><locX2> */
	S_INTERNVL,      /* <box>[[x1, y1, x2, y2]]</box> */
};

struct box_format {
	const char *name;
	const char *pattern;
	enum geometry geom;
	double grid;          /* G_GRID*: divisor; G_KOSMOS: patches per side */
	int integers;         /* renderer writes rounded integers on the grid */
	double max;           /* renderer clamps grid values to [0, max] */
	enum shape shape;
};

#define NUM "([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?)"
#define SEP "\\s*,\\s*"
#define BRACKETS4 "\\[\\s*" NUM SEP NUM SEP NUM SEP NUM "\\s*\\]"
#define PAIRS "\\(\\s*" NUM SEP NUM "\\s*\\)\\s*,\\s*\\(\\s*" NUM SEP NUM "\\s*\\)"
#define BBOX2D "\"bbox_2d\"\\s*:\\s*" BRACKETS4

static const struct box_format formats[] = {
	/* plain pixels, as the prompt asked */
	{ "pixels", BRACKETS4, G_PIXELS, 0, 0, 0, S_BRACKETS },
	/* Shikra, SPHINX, Griffon: fractions of width and height */
	{ "norm1", BRACKETS4, G_GRID, 1, 0, 1, S_BRACKETS },
	/* Qwen-VL: <box>(x1,y1),(x2,y2)</box> on 0..999; its own
	 * eval_mm/evaluate_grounding.py divides by 999 (the tags are optional
	 * because that script's pattern does not need them either) */
	{ "qwen", "(?:<box>\\s*)?" PAIRS, G_GRID, 999, 1, 999, S_QWEN_BOX },
	/* the same notation read on a 0..1000 scale */
	{ "qwen1000", "(?:<box>\\s*)?" PAIRS, G_GRID, 1000, 1, 1000, S_QWEN_BOX },
	/* Qwen2-VL: <|box_start|>(x1,y1),(x2,y2)<|box_end|> on 0..1000 (the
	 * special tokens are optional: servers often strip them) */
	{ "qwen2", "(?:<\\|box_start\\|>\\s*)?" PAIRS, G_GRID, 1000, 1, 1000, S_QWEN2_BOX },
	/* Qwen3-VL: JSON "bbox_2d" relative, 0..1000 */
	{ "qwen3", BBOX2D, G_GRID, 1000, 1, 1000, S_JSON_BBOX },
	/* Qwen2.5-VL: JSON "bbox_2d" in absolute pixels of the image it saw */
	{ "qwen25", BBOX2D, G_PIXELS, 0, 0, 0, S_JSON_BBOX },
	/* CogVLM: [[x0,y0,x1,y1]], three digits, 0..999 of 1000 */
	{ "cogvlm", "\\[\\[\\s*" NUM SEP NUM SEP NUM SEP NUM "\\s*\\]\\]", G_GRID, 1000, 1, 999,
	  S_COGVLM },
	/* Ferret: [x1, y1, x2, y2] on 0..999 of 1000, eval_refexp.py truncates
	 * the pixel values to integers */
	{ "ferret", BRACKETS4, G_GRID_TRUNC, 1000, 1, 999, S_BRACKETS },
	/* MiniGPT-v2: {<x1><y1><x2><y2>} on 0..100 */
	{ "minigptv2", "\\{\\s*<" NUM ">\\s*<" NUM ">\\s*<" NUM ">\\s*<" NUM ">\\s*\\}", G_GRID, 100,
	  1, 100, S_MINIGPT },
	/* Kosmos-2: <patch_index_NNNN><patch_index_MMMM> on a 32 x 32 grid */
	{ "kosmos2", "<patch_index_(\\d+)>\\s*<patch_index_(\\d+)>", G_KOSMOS, 32, 1, 1023,
	  S_KOSMOS },
	/* InternVL: <box>[[x1, y1, x2, y2]]</box> on 0..1000; its
	 * eval/refcoco/evaluate_grounding.py takes any number of brackets
	 * around the four numbers and divides by 1000 */
	{ "internvl", "\\[+\\s*" NUM SEP NUM SEP NUM SEP NUM "\\s*\\]+", G_GRID, 1000, 1, 1000,
	  S_INTERNVL },
	/* PaliGemma: <locNNNN> x 4, y before x, 1024 bins */
	{ "paligemma", "<loc(\\d{4})>\\s*<loc(\\d{4})>\\s*<loc(\\d{4})>\\s*<loc(\\d{4})>", G_YX_GRID,
	  1024, 1, 1023, S_PALIGEMMA },
};

#define NFORMATS (sizeof(formats) / sizeof(*formats))

static const char *const format_names[NFORMATS + 1] = {
	"pixels", "norm1", "qwen", "qwen1000", "qwen2", "qwen3", "qwen25", "cogvlm",
	"ferret", "minigptv2", "kosmos2", "internvl", "paligemma", NULL,
};

const char *const *vl_box_format_names(void)
{
	return format_names;
}

static const struct box_format *find_format(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

int vl_box_format_known(const char *name)
{
	return name && find_format(name) != NULL;
}

static int unknown_format(const char *name, struct vl_buf *err)
{
	if (err) {
		vl_buf_addf(err, "unknown box_format '%s' (known:", name ? name : "");
		for (size_t i = 0; i < NFORMATS; i++)
			vl_buf_addf(err, " %s", formats[i].name);
		vl_buf_addch(err, ')');
	}
	return VL_EINVAL;
}

static int needs_size(const struct box_format *f)
{
	return f->geom != G_PIXELS;
}

/* 0 when f (found for format, or NULL) can be used with an image of w x h;
 * VL_EINVAL with err saying why otherwise (parse and render alike). */
static int usable_format(const char *format, const struct box_format *f, int w, int h,
			 struct vl_buf *err)
{
	if (!f)
		return unknown_format(format, err);
	if (needs_size(f) && (w <= 0 || h <= 0)) {
		if (err)
			vl_buf_addf(err, "box_format '%s' needs the image size, which is unknown",
				    f->name);
		return VL_EINVAL;
	}
	return 0;
}

/* Kosmos-2's decode_string.py / transformers' patch_index_to_coordinate:
 * one cell, or cells in one row or column, span whole cells; otherwise the
 * box runs from the centre of the first cell to the centre of the second. */
static void kosmos_decode(long ul, long lr, double side, double out[4])
{
	long n = (long)side;
	double cell = 1.0 / side;
	double ulx = (double)(ul % n), uly = (double)(ul / n);
	double lrx = (double)(lr % n), lry = (double)(lr / n);

	if (ul == lr || ulx == lrx || uly == lry) {
		out[0] = ulx * cell;
		out[1] = uly * cell;
		out[2] = lrx * cell + cell;
		out[3] = lry * cell + cell;
	} else {
		out[0] = ulx * cell + cell / 2;
		out[1] = uly * cell + cell / 2;
		out[2] = lrx * cell + cell / 2;
		out[3] = lry * cell + cell / 2;
	}
}

static void decode(const struct box_format *f, const double *v, int w, int h, double out[4])
{
	switch (f->geom) {
	case G_PIXELS:
		memcpy(out, v, 4 * sizeof(double));
		break;
	case G_GRID:
		out[0] = v[0] / f->grid * w;
		out[1] = v[1] / f->grid * h;
		out[2] = v[2] / f->grid * w;
		out[3] = v[3] / f->grid * h;
		break;
	case G_GRID_TRUNC:
		out[0] = trunc(v[0] * (w * 1.0 / f->grid));
		out[1] = trunc(v[1] * (h * 1.0 / f->grid));
		out[2] = trunc(v[2] * (w * 1.0 / f->grid));
		out[3] = trunc(v[3] * (h * 1.0 / f->grid));
		break;
	case G_YX_GRID:
		out[0] = v[1] / f->grid * w;
		out[1] = v[0] / f->grid * h;
		out[2] = v[3] / f->grid * w;
		out[3] = v[2] / f->grid * h;
		break;
	case G_KOSMOS: {
		double nb[4];
		kosmos_decode((long)v[0], (long)v[1], f->grid, nb);
		out[0] = nb[0] * w;
		out[1] = nb[1] * h;
		out[2] = nb[2] * w;
		out[3] = nb[3] * h;
		break;
	}
	}
}

int vl_box_parse(const char *format, const char *text, int image_w, int image_h,
		 double out[4], struct vl_buf *err)
{
	const struct box_format *f = format ? find_format(format) : NULL;
	pcre2_code *re;
	pcre2_match_data *md;
	PCRE2_SIZE erroff, *ov;
	double v[4];
	int errcode, rc, ngroups = 0;

	if ((rc = usable_format(format, f, image_w, image_h, err)) < 0)
		return rc;
	re = pcre2_compile((PCRE2_SPTR)f->pattern, PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff,
			   NULL);
	if (!re)
		return VL_ENOMEM;  /* the patterns are fixed: only memory can fail */
	md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md) {
		pcre2_code_free(re);
		return VL_ENOMEM;
	}
	rc = pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, NULL);
	if (rc > 1) {
		ov = pcre2_get_ovector_pointer(md);
		ngroups = rc - 1;
		for (int i = 0; i < ngroups && i < 4; i++) {
			char num[64];
			size_t len = ov[2 * i + 3] - ov[2 * i + 2];
			if (len >= sizeof(num)) {
				ngroups = -1;
				break;
			}
			memcpy(num, text + ov[2 * i + 2], len);
			num[len] = '\0';
			v[i] = strtod(num, NULL);
			if (!isfinite(v[i]))
				ngroups = -1;
		}
	}
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (f->geom == G_KOSMOS) {
		double side2 = f->grid * f->grid;
		if (ngroups != 2 || v[0] >= side2 || v[1] >= side2)
			return VL_EPARSE;
	} else if (ngroups != 4) {
		return VL_EPARSE;
	}
	decode(f, v, image_w, image_h, out);
	return 0;
}

/* Value on the grid for a pixel coordinate, rounded and clamped. */
static long to_grid(const struct box_format *f, double px, int size)
{
	double g = nearbyint(px / size * f->grid);
	if (g < 0)
		g = 0;
	if (g > f->max)
		g = f->max;
	return (long)g;
}

static void add_num(struct vl_buf *out, double v)
{
	vl_buf_add_json_num(out, v);
}

/* The box b (pixels, x1 y1 x2 y2) in format f's order and scale, for an
 * image of w x h pixels: the inverse of decode. */
static void encode(const struct box_format *f, const double b[4], int w, int h, double out[4])
{
	switch (f->geom) {
	case G_PIXELS:
		memcpy(out, b, 4 * sizeof(double));
		break;
	case G_GRID:
	case G_GRID_TRUNC:
		if (!f->integers) {
			out[0] = b[0] / w;
			out[1] = b[1] / h;
			out[2] = b[2] / w;
			out[3] = b[3] / h;
			break;
		}
		out[0] = (double)to_grid(f, b[0], w);
		out[1] = (double)to_grid(f, b[1], h);
		out[2] = (double)to_grid(f, b[2], w);
		out[3] = (double)to_grid(f, b[3], h);
		break;
	case G_YX_GRID:
		out[0] = (double)to_grid(f, b[1], h);
		out[1] = (double)to_grid(f, b[0], w);
		out[2] = (double)to_grid(f, b[3], h);
		out[3] = (double)to_grid(f, b[2], w);
		break;
	case G_KOSMOS: {
		/* transformers' coordinate_to_patch_index: floor of the top-left,
		 * ceil(x * side - 1) of the bottom-right, clamped to the grid */
		long n = (long)f->grid, c[4];
		double nb[4] = { b[0] / w, b[1] / h, b[2] / w,
				 b[3] / h };
		c[0] = (long)floor(nb[0] * n);
		c[1] = (long)floor(nb[1] * n);
		c[2] = (long)ceil(nb[2] * n - 1);
		c[3] = (long)ceil(nb[3] * n - 1);
		for (int i = 0; i < 4; i++)
			c[i] = c[i] < 0 ? 0 : c[i] >= n ? n - 1 : c[i];
		out[0] = (double)(c[1] * n + c[0]);
		out[1] = (double)(c[3] * n + c[2]);
		break;
	}
	}
}

/* The numbers v (encode's) written in format f's text shape. */
static void write_shape(const struct box_format *f, const double v[4], struct vl_buf *out)
{
	switch (f->shape) {
	case S_BRACKETS:
		vl_box_format(v, out);
		break;
	case S_QWEN_BOX:
	case S_QWEN2_BOX:
		vl_buf_adds(out, f->shape == S_QWEN_BOX ? "<box>" : "<|box_start|>");
		vl_buf_addf(out, "(%ld,%ld),(%ld,%ld)", (long)v[0], (long)v[1], (long)v[2],
			    (long)v[3]);
		vl_buf_adds(out, f->shape == S_QWEN_BOX ? "</box>" : "<|box_end|>");
		break;
	case S_JSON_BBOX:
		vl_buf_adds(out, "[{\"bbox_2d\": [");
		for (int i = 0; i < 4; i++) {
			if (i)
				vl_buf_adds(out, ", ");
			add_num(out, v[i]);
		}
		vl_buf_adds(out, "], \"label\": \"object\"}]");
		break;
	case S_COGVLM:
		vl_buf_addf(out, "[[%03ld,%03ld,%03ld,%03ld]]", (long)v[0], (long)v[1], (long)v[2],
			    (long)v[3]);
		break;
	case S_MINIGPT:
		vl_buf_addf(out, "{<%ld><%ld><%ld><%ld>}", (long)v[0], (long)v[1], (long)v[2],
			    (long)v[3]);
		break;
	case S_KOSMOS:
		vl_buf_addf(out, "<object><patch_index_%04ld><patch_index_%04ld></object>",
			    (long)v[0], (long)v[1]);
		break;
	case S_PALIGEMMA:
		vl_buf_addf(out, "<loc%04ld><loc%04ld><loc%04ld><loc%04ld>", (long)v[0],
			    (long)v[1], (long)v[2], (long)v[3]);
		break;
	case S_INTERNVL:
		vl_buf_addf(out, "<box>[[%ld, %ld, %ld, %ld]]</box>", (long)v[0], (long)v[1],
			    (long)v[2], (long)v[3]);
		break;
	}
}

int vl_box_render(const char *format, const double box[4], int image_w, int image_h,
		  struct vl_buf *out, struct vl_buf *err)
{
	const struct box_format *f = format ? find_format(format) : NULL;
	double v[4];   /* the four numbers in the model's order and scale */
	int rc;

	if ((rc = usable_format(format, f, image_w, image_h, err)) < 0)
		return rc;
	encode(f, box, image_w, image_h, v);
	write_shape(f, v, out);
	return 0;
}

/* ---- the "box" extractor ---- */

/* Option "box_format" (default "pixels").  Writes the canonical form; "" and
 * VL_EPARSE when the output holds no box; VL_EINVAL for an unknown format or
 * a missing image size (a configuration problem, not the model's). */
static int extract_box(const char *raw, const struct vl_sample *s,
		       const struct vl_kv *opts, struct vl_buf *out)
{
	const char *fmt = vl_kv_get_or(opts, "box_format", "pixels");
	double b[4];
	int rc = vl_box_parse(fmt, raw, s->image_w, s->image_h, b, NULL);

	if (rc)
		return rc;
	vl_box_format(b, out);
	return 0;
}

static int truth_box(const struct vl_sample *s, const struct vl_kv *opts, struct vl_buf *out)
{
	if (!s->has_box)
		return VL_ENOTFOUND;
	return vl_box_render(vl_kv_get_or(opts, "box_format", "pixels"), s->box, s->image_w,
			     s->image_h, out, NULL);
}

const struct vl_extractor vl_extract_box = {
	.version = VL_METRIC_API_VERSION,
	.name = "box",
	.description = "first box in the model's notation (option box_format), as pixels",
	.extract = extract_box,
	.render_truth = truth_box,
};
