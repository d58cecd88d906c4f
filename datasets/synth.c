/*
 * synth.c - the synthetic suite of synth.h: scenes, their rendering, and the
 * files in the official layouts, each written from the scenes' exact ground
 * truth.
 *
 * Scenes.  192x144 images with 2 to 6 shapes (circle, square, triangle,
 * diamond, star, cross) in 7 named colours and 3 size bands, on a light,
 * low-saturation background that is flat or a gradient, with +-8 brightness
 * noise on every pixel; shapes have antialiased edges (4x4 samples a pixel),
 * so edge pixels mix colours as in a photograph.  Object kinds are drawn with uneven
 * frequencies and three "themes" (warm colours with round shapes, cool ones
 * with angular shapes, a mixed one), so that some objects are popular and
 * some pairs co-occur: what POPE's popular and adversarial negatives need.
 * About one object in four may overlap earlier ones (each object keeps at
 * least 55% of its pixels visible) and one in eight touches or crosses the
 * border, which is what makes a simple reader err.
 *
 * Determinism.  One splitmix64 stream per seed; geometry uses only +, -, *
 * and / on doubles and constant tables (no libm), PNGs are written by stb
 * with a fixed compression level, JSON numbers are integers: the same seed
 * gives byte-identical files on any machine with the same stb.
 */
#include "datasets/synth.h"
#include "core/base64.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image_write.h>

const char *const vl_synth_colours[VL_SYNTH_NCOLOURS] = {
	"red", "orange", "yellow", "green", "blue", "purple", "pink",
};
const char *const vl_synth_shapes[VL_SYNTH_NSHAPES] = {
	"circle", "square", "triangle", "diamond", "star", "cross",
};
const char *const vl_synth_shape_plurals[VL_SYNTH_NSHAPES] = {
	"circles", "squares", "triangles", "diamonds", "stars", "crosses",
};
const char *const vl_synth_sizes[VL_SYNTH_NSIZES] = { "small", "medium", "large" };

static const unsigned char palette[VL_SYNTH_NCOLOURS][3] = {
	{ 215, 40, 40 }, { 240, 135, 30 }, { 235, 205, 35 }, { 45, 160, 70 },
	{ 40, 90, 215 }, { 135, 65, 185 }, { 235, 105, 175 },
};

/* Side of the frame per size band: [lo, hi]. */
static const int size_band[VL_SYNTH_NSIZES][2] = { { 13, 19 }, { 22, 28 }, { 32, 44 } };

/* How annotators also name a value (VQA answers, caption words). */
static const char *const colour_alt[VL_SYNTH_NCOLOURS][2] = {
	{ "dark red", "maroon" }, { "dark orange", "orange color" }, { "gold", "light yellow" },
	{ "dark green", "lime" }, { "dark blue", "navy" }, { "violet", "dark purple" },
	{ "magenta", "light pink" },
};
static const char *const shape_alt[VL_SYNTH_NSHAPES][2] = {
	{ "round", "ball" }, { "box", "rectangle" }, { "triangular", "pyramid" },
	{ "rhombus", "kite" }, { "star shape", "starfish" }, { "plus", "plus sign" },
};
static const char *const number_words[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
};

/* Uneven base frequencies (x10) and the three themes' favourites. */
static const int colour_weight[VL_SYNTH_NCOLOURS] = { 14, 8, 10, 11, 13, 7, 6 };
static const int shape_weight[VL_SYNTH_NSHAPES] = { 14, 13, 11, 7, 8, 7 };
static const unsigned theme_colours[3] = { 0x47, 0x38, 0x1d };  /* bit per colour */
static const unsigned theme_shapes[3] = { 0x11, 0x0a, 0x24 };   /* bit per shape */

/* The 5-point star, unit frame, outer radius 0.5 and inner 0.21, vertices
 * in order; its top point touches the frame's top edge. */
static const double star_xy[10][2] = {
	{ 0.5, 0.0477 },
	{ 0.5 + 0.21 * 0.5877852522924731, 0.5477 - 0.21 * 0.8090169943749475 },
	{ 0.5 + 0.5 * 0.9510565162951535, 0.5477 - 0.5 * 0.3090169943749474 },
	{ 0.5 + 0.21 * 0.9510565162951535, 0.5477 + 0.21 * 0.3090169943749474 },
	{ 0.5 + 0.5 * 0.5877852522924731, 0.5477 + 0.5 * 0.8090169943749475 },
	{ 0.5, 0.5477 + 0.21 },
	{ 0.5 - 0.5 * 0.5877852522924731, 0.5477 + 0.5 * 0.8090169943749475 },
	{ 0.5 - 0.21 * 0.9510565162951535, 0.5477 + 0.21 * 0.3090169943749474 },
	{ 0.5 - 0.5 * 0.9510565162951535, 0.5477 - 0.5 * 0.3090169943749474 },
	{ 0.5 - 0.21 * 0.5877852522924731, 0.5477 - 0.21 * 0.8090169943749475 },
};

int vl_synth_inside(int shape, double u, double v)
{
	double du = u - 0.5, dv = v - 0.5;
	double au = du < 0 ? -du : du, av = dv < 0 ? -dv : dv;

	switch (shape) {
	case 0:
		return du * du + dv * dv <= 0.25;
	case 1:
		return 1;
	case 2:
		return au <= v / 2;
	case 3:
		return au + av <= 0.5;
	case 4: {
		int in = 0;
		for (int i = 0, j = 9; i < 10; j = i++) {
			double xi = star_xy[i][0], yi = star_xy[i][1];
			double xj = star_xy[j][0], yj = star_xy[j][1];
			if ((yi > v) != (yj > v) && u < (xj - xi) * (v - yi) / (yj - yi) + xi)
				in = !in;
		}
		return in;
	}
	case 5:
		return au <= 1.0 / 6 || av <= 1.0 / 6;
	}
	return 0;
}

static int covers(const struct vl_synth_object *o, int x, int y)
{
	if (x < o->x0 || y < o->y0 || x >= o->x0 + o->side || y >= o->y0 + o->side)
		return 0;
	return vl_synth_inside(o->shape, (x - o->x0 + 0.5) / o->side,
			       (y - o->y0 + 0.5) / o->side);
}

static int pick_weighted(struct vl_rng *r, const int *w, int n)
{
	int total = 0, x;

	for (int i = 0; i < n; i++)
		total += w[i];
	x = (int)vl_rng_below(r, (size_t)total);
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Fills o->box and o->area from its mask; 0 when nothing is inside. */
static int measure(struct vl_synth_object *o, int w, int h)
{
	int x1 = w, y1 = h, x2 = 0, y2 = 0, area = 0;

	for (int y = clampi(o->y0, 0, h); y < clampi(o->y0 + o->side, 0, h); y++)
		for (int x = clampi(o->x0, 0, w); x < clampi(o->x0 + o->side, 0, w); x++)
			if (covers(o, x, y)) {
				area++;
				x1 = x < x1 ? x : x1;
				y1 = y < y1 ? y : y1;
				x2 = x + 1 > x2 ? x + 1 : x2;
				y2 = y + 1 > y2 ? y + 1 : y2;
			}
	o->area = area;
	o->box[0] = x1, o->box[1] = y1, o->box[2] = x2, o->box[3] = y2;
	return area > 0;
}

/* Pixels of object i still visible when objects i+1..n-1 lie on top. */
static int visible_pixels(const struct vl_synth_scene *sc, int i, int n)
{
	const struct vl_synth_object *o = &sc->obj[i];
	int vis = 0;

	for (int y = o->box[1]; y < o->box[3]; y++)
		for (int x = o->box[0]; x < o->box[2]; x++) {
			if (!covers(o, x, y))
				continue;
			int hidden = 0;
			for (int k = i + 1; k < n && !hidden; k++)
				hidden = covers(&sc->obj[k], x, y);
			vis += !hidden;
		}
	return vis;
}

static int boxes_overlap(const int *a, const int *b, int margin)
{
	return a[0] < b[2] + margin && b[0] < a[2] + margin && a[1] < b[3] + margin &&
	       b[1] < a[3] + margin;
}

void vl_synth_scene_make(struct vl_rng *r, int id, struct vl_synth_scene *sc)
{
	static const int nobj_w[] = { 0, 0, 10, 25, 30, 20, 15 };
	int theme = (int)vl_rng_below(r, 3);
	int cw[VL_SYNTH_NCOLOURS], sw[VL_SYNTH_NSHAPES];

	memset(sc, 0, sizeof(*sc));
	sc->id = id;
	sc->w = VL_SYNTH_W;
	sc->h = VL_SYNTH_H;
	sc->bg_kind = (int)vl_rng_below(r, 4);
	{
		int grey = 180 + (int)vl_rng_below(r, 50);
		for (int c = 0; c < 3; c++)
			sc->bg[c] = grey - 10 + (int)vl_rng_below(r, 21);
	}
	sc->bg_delta = sc->bg_kind ? (int)vl_rng_below(r, 61) - 30 : 0;
	sc->noise = 8;
	sc->pixel_seed = vl_rng_next(r);
	for (int i = 0; i < VL_SYNTH_NCOLOURS; i++)
		cw[i] = colour_weight[i] * (theme_colours[theme] >> i & 1 ? 2 : 1);
	for (int i = 0; i < VL_SYNTH_NSHAPES; i++)
		sw[i] = shape_weight[i] * (theme_shapes[theme] >> i & 1 ? 2 : 1);

	int want = pick_weighted(r, nobj_w, 7);
	for (int tries = 0; sc->n < want && tries < 200; tries++) {
		struct vl_synth_object *o = &sc->obj[sc->n];
		int allow_overlap = vl_rng_below(r, 4) == 0, border = vl_rng_below(r, 8) == 0;
		int ok = 1;

		memset(o, 0, sizeof(*o));
		o->colour = pick_weighted(r, cw, VL_SYNTH_NCOLOURS);
		o->shape = pick_weighted(r, sw, VL_SYNTH_NSHAPES);
		o->size = (int)vl_rng_below(r, 3);
		o->side = size_band[o->size][0] +
			  (int)vl_rng_below(r, (size_t)(size_band[o->size][1] - size_band[o->size][0] + 1));
		if (border) {
			/* touching an edge, or up to a quarter past it */
			int over = (int)vl_rng_below(r, (size_t)(o->side / 4 + 1));
			int edge = (int)vl_rng_below(r, 4);
			o->x0 = 2 + (int)vl_rng_below(r, (size_t)(sc->w - o->side - 3));
			o->y0 = 2 + (int)vl_rng_below(r, (size_t)(sc->h - o->side - 3));
			if (edge == 0)
				o->x0 = -over;
			else if (edge == 1)
				o->x0 = sc->w - o->side + over;
			else if (edge == 2)
				o->y0 = -over;
			else
				o->y0 = sc->h - o->side + over;
		} else {
			o->x0 = 2 + (int)vl_rng_below(r, (size_t)(sc->w - o->side - 3));
			o->y0 = 2 + (int)vl_rng_below(r, (size_t)(sc->h - o->side - 3));
		}
		for (int c = 0; c < 3; c++)
			o->rgb[c] = (unsigned char)clampi(palette[o->colour][c] - 10 +
							  (int)vl_rng_below(r, 21), 0, 255);
		if (!measure(o, sc->w, sc->h))
			continue;
		for (int k = 0; k < sc->n && ok; k++) {
			if (!boxes_overlap(o->box, sc->obj[k].box, allow_overlap ? -4 : 3))
				continue;
			if (!allow_overlap)
				ok = 0;
		}
		if (!ok)
			continue;
		/* every object keeps at least 55% of itself in view */
		for (int k = 0; k < sc->n && ok; k++)
			ok = visible_pixels(sc, k, sc->n + 1) * 100 >= sc->obj[k].area * 55;
		if (!ok)
			continue;
		sc->n++;
	}
	for (int k = 0; k < sc->n; k++)
		sc->obj[k].visible = visible_pixels(sc, k, sc->n);
}

void vl_synth_render(const struct vl_synth_scene *sc, unsigned char *rgb)
{
	struct vl_rng noise;
	int w = sc->w, h = sc->h;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int t256; /* gradient position 0..256 */
			switch (sc->bg_kind) {
			case 1: t256 = x * 256 / (w - 1); break;
			case 2: t256 = y * 256 / (h - 1); break;
			case 3: t256 = (x + y) * 256 / (w + h - 2); break;
			default: t256 = 0;
			}
			for (int c = 0; c < 3; c++)
				rgb[(y * w + x) * 3 + c] =
					(unsigned char)clampi(sc->bg[c] + sc->bg_delta * t256 / 256, 0, 255);
		}
	/* antialiased edges: each pixel of the box grown by one, 4x4 samples,
	 * the fill blended by coverage (integer arithmetic) */
	for (int i = 0; i < sc->n; i++) {
		const struct vl_synth_object *o = &sc->obj[i];
		for (int y = clampi(o->box[1] - 1, 0, h); y < clampi(o->box[3] + 1, 0, h); y++)
			for (int x = clampi(o->box[0] - 1, 0, w); x < clampi(o->box[2] + 1, 0, w); x++) {
				int cov = 0;
				unsigned char *p = rgb + (y * w + x) * 3;
				for (int sy = 0; sy < 4; sy++)
					for (int sx = 0; sx < 4; sx++)
						cov += vl_synth_inside(o->shape,
								       (x - o->x0 + (sx + 0.5) / 4) / o->side,
								       (y - o->y0 + (sy + 0.5) / 4) / o->side) &&
						       x - o->x0 + (sx + 0.5) / 4 >= 0 &&
						       y - o->y0 + (sy + 0.5) / 4 >= 0 &&
						       x - o->x0 + (sx + 0.5) / 4 < o->side &&
						       y - o->y0 + (sy + 0.5) / 4 < o->side;
				for (int c = 0; c < 3 && cov; c++)
					p[c] = (unsigned char)((o->rgb[c] * cov + p[c] * (16 - cov) + 8) / 16);
			}
	}
	vl_rng_seed(&noise, sc->pixel_seed);
	/* brightness noise, the same on the three channels (it keeps the PNG
	 * files small); four 16-bit draws from each 64-bit number */
	for (int i = 0, total = w * h; i < total;) {
		uint64_t bits = vl_rng_next(&noise);
		for (int k = 0; k < 4 && i < total; k++, i++) {
			int d = (int)((bits >> (16 * k) & 0xffff) % (uint64_t)(2 * sc->noise + 1));
			for (int c = 0; c < 3; c++)
				rgb[i * 3 + c] = (unsigned char)clampi(rgb[i * 3 + c] + d - sc->noise, 0, 255);
		}
	}
}

/* ---- output helpers ---- */

struct gen {
	const struct vl_synth_opts *o;
	struct vl_synth_scene *sc;   /* [images] */
	int n;
	struct vl_rng r;             /* questions and annotations */
	struct vl_buf root;          /* OUT/synth */
	struct vl_synth_counts counts;
	struct vl_buf *err;
};

static int mkdirs(const char *path)
{
	struct vl_buf tmp = VL_BUF_INIT;
	int rc = 0;

	vl_buf_adds(&tmp, path);
	for (char *p = tmp.buf + 1; *p && !rc; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp.buf, 0755) != 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	if (!rc && mkdir(tmp.buf, 0755) != 0 && errno != EEXIST)
		rc = -1;
	vl_buf_release(&tmp);
	return rc;
}

static int save(struct gen *g, const char *rel, const struct vl_buf *b)
{
	struct vl_buf path = VL_BUF_INIT;
	FILE *f;
	int ok;

	vl_buf_addf(&path, "%s/%s", vl_buf_str(&g->root), rel);
	f = fopen(path.buf, "w");
	ok = f && fwrite(b->buf, 1, b->len, f) == b->len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok)
		vl_buf_addf(g->err, "cannot write '%s': %s", path.buf, strerror(errno));
	vl_buf_release(&path);
	return ok ? 0 : VL_EIO;
}

static void image_name(struct vl_buf *b, int id)
{
	vl_buf_addf(b, "synth_%06d.png", id);
}

static void add_str_member(struct vl_buf *b, const char *key, const char *val)
{
	vl_buf_add_json_str(b, key);
	vl_buf_adds(b, ": ");
	vl_buf_add_json_str(b, val);
}

/* "the red circle" style words of an object: colour shape, with size. */
static void object_words(struct vl_buf *b, const struct vl_synth_object *o, int with_size)
{
	if (with_size)
		vl_buf_addf(b, "%s ", vl_synth_sizes[o->size]);
	vl_buf_addf(b, "%s %s", vl_synth_colours[o->colour], vl_synth_shapes[o->shape]);
}

static int count_where(const struct vl_synth_scene *sc, int colour, int shape)
{
	int n = 0;
	for (int i = 0; i < sc->n; i++)
		n += (colour < 0 || sc->obj[i].colour == colour) &&
		     (shape < 0 || sc->obj[i].shape == shape);
	return n;
}

static int category(const struct vl_synth_object *o)
{
	return o->colour * VL_SYNTH_NSHAPES + o->shape;   /* 0-based; COCO id is +1 */
}

static void category_name(struct vl_buf *b, int cat)
{
	vl_buf_addf(b, "%s %s", vl_synth_colours[cat / VL_SYNTH_NSHAPES],
		    vl_synth_shapes[cat % VL_SYNTH_NSHAPES]);
}

static void shuffle(struct vl_rng *r, int *v, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)vl_rng_below(r, (size_t)i + 1), t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* ---- images ---- */

static int write_images(struct gen *g)
{
	unsigned char *px = vl_xmalloc((size_t)VL_SYNTH_W * VL_SYNTH_H * 3);
	struct vl_buf path = VL_BUF_INIT;
	int rc = 0;

	stbi_write_png_compression_level = 6;
	for (int i = 0; i < g->n && !rc; i++) {
		vl_synth_render(&g->sc[i], px);
		vl_buf_reset(&path);
		vl_buf_addf(&path, "%s/images/", vl_buf_str(&g->root));
		image_name(&path, g->sc[i].id);
		if (!stbi_write_png(path.buf, g->sc[i].w, g->sc[i].h, 3, px, g->sc[i].w * 3)) {
			vl_buf_addf(g->err, "cannot write '%s'", path.buf);
			rc = VL_EIO;
		}
	}
	vl_free(px);
	vl_buf_release(&path);
	return rc;
}

/* ---- VQA v2 ---- */

struct vqa_q {
	struct vl_buf text;
	const char *answer;          /* canonical, static or in ans_buf */
	char ans_buf[16];
	const char *answer_type, *question_type;
	int kind;                    /* 0 number, 1 colour, 2 shape, 3 yes/no */
	int value;                   /* the number, colour, shape, or yes=1 */
};

/* The 10 annotators' answers: mostly the canonical one, some in other
 * words ("two", "dark red"), a few wrong (a neighbouring count, "no"). */
static void vqa_answers(struct gen *g, const struct vqa_q *q, const char *out[10], char nums[10][16])
{
	for (int k = 0; k < 10; k++) {
		int roll = (int)vl_rng_below(&g->r, 100);
		out[k] = q->answer;
		if (roll < 72)
			continue;
		switch (q->kind) {
		case 0:
			if (roll < 90 && q->value <= 8) {
				out[k] = number_words[q->value];
			} else {
				int v = q->value + (roll & 1 ? 1 : -1);
				snprintf(nums[k], sizeof(nums[k]), "%d", v < 0 ? 1 : v);
				out[k] = nums[k];
			}
			break;
		case 1:
			out[k] = roll < 94 ? colour_alt[q->value][roll & 1]
					   : vl_synth_colours[(q->value + 1) % VL_SYNTH_NCOLOURS];
			break;
		case 2:
			out[k] = roll < 94 ? shape_alt[q->value][roll & 1]
					   : vl_synth_shapes[(q->value + 1) % VL_SYNTH_NSHAPES];
			break;
		case 3:
			if (roll >= 93)
				out[k] = q->value ? "no" : "yes";
			break;
		}
	}
}

/* Up to 3 questions about scene sc, from the templates that apply. */
static int vqa_questions(struct gen *g, const struct vl_synth_scene *sc, struct vqa_q *q)
{
	int order[6] = { 0, 1, 2, 3, 4, 5 }, n = 0;

	shuffle(&g->r, order, 6);
	for (int t = 0; t < 6 && n < 3; t++) {
		struct vqa_q *x = &q[n];
		const struct vl_synth_object *o = &sc->obj[vl_rng_below(&g->r, (size_t)sc->n)];
		vl_buf_reset(&x->text);
		switch (order[t]) {
		case 0:   /* how many <shape>s */
			x->kind = 0;
			x->value = count_where(sc, -1, o->shape);
			vl_buf_addf(&x->text, "How many %s are there?", vl_synth_shape_plurals[o->shape]);
			x->answer_type = "number";
			x->question_type = "how many";
			break;
		case 1:   /* how many <colour> shapes */
			x->kind = 0;
			x->value = count_where(sc, o->colour, -1);
			vl_buf_addf(&x->text, "How many %s shapes are there?", vl_synth_colours[o->colour]);
			x->answer_type = "number";
			x->question_type = "how many";
			break;
		case 2:   /* colour of the only <shape> */
			if (count_where(sc, -1, o->shape) != 1)
				continue;
			x->kind = 1;
			x->value = o->colour;
			vl_buf_addf(&x->text, "What color is the %s?", vl_synth_shapes[o->shape]);
			x->answer_type = "other";
			x->question_type = "what color is the";
			break;
		case 3:   /* shape of the only <colour> object */
			if (count_where(sc, o->colour, -1) != 1)
				continue;
			x->kind = 2;
			x->value = o->shape;
			vl_buf_addf(&x->text, "What is the shape of the %s object?",
				    vl_synth_colours[o->colour]);
			x->answer_type = "other";
			x->question_type = "what is the";
			break;
		case 4: { /* is there a <colour> <shape>: half present, half absent */
			int colour = o->colour, shape = o->shape;
			if (vl_rng_below(&g->r, 2)) {
				colour = (int)vl_rng_below(&g->r, VL_SYNTH_NCOLOURS);
				shape = (int)vl_rng_below(&g->r, VL_SYNTH_NSHAPES);
			}
			x->kind = 3;
			x->value = count_where(sc, colour, shape) > 0;
			vl_buf_addf(&x->text, "Is there %s %s %s in the picture?", colour == 1 ? "an" : "a",
				    vl_synth_colours[colour],
				    vl_synth_shapes[shape]);
			x->answer_type = "yes/no";
			x->question_type = "is there a";
			break;
		}
		case 5: { /* are there more As than Bs */
			int other = (o->shape + 1 + (int)vl_rng_below(&g->r, VL_SYNTH_NSHAPES - 1)) %
				    VL_SYNTH_NSHAPES;
			int a = count_where(sc, -1, o->shape), b = count_where(sc, -1, other);
			if (a == b)
				continue;
			x->kind = 3;
			x->value = a > b;
			vl_buf_addf(&x->text, "Are there more %s than %s?",
				    vl_synth_shape_plurals[o->shape], vl_synth_shape_plurals[other]);
			x->answer_type = "yes/no";
			x->question_type = "are there";
			break;
		}
		}
		switch (x->kind) {
		case 0:
			snprintf(x->ans_buf, sizeof(x->ans_buf), "%d", x->value);
			x->answer = x->ans_buf;
			break;
		case 1: x->answer = vl_synth_colours[x->value]; break;
		case 2: x->answer = vl_synth_shapes[x->value]; break;
		default: x->answer = x->value ? "yes" : "no";
		}
		n++;
	}
	return n;
}

static int write_vqa(struct gen *g)
{
	struct vl_buf qs = VL_BUF_INIT, an = VL_BUF_INIT;
	struct vqa_q q[3];
	int nq = 0, rc;

	memset(q, 0, sizeof(q));
	vl_buf_adds(&qs, "{\"info\": {\"description\": \"vleval synthetic shapes, VQA v2 layout\", "
			 "\"version\": \"2.0\"}, \"task_type\": \"Open-Ended\", \"data_type\": \"synth\", "
			 "\"license\": {\"name\": \"CC0\"}, \"data_subtype\": \"synth\", \"questions\": [");
	vl_buf_adds(&an, "{\"info\": {\"description\": \"vleval synthetic shapes, VQA v2 layout\", "
			 "\"version\": \"2.0\"}, \"license\": {\"name\": \"CC0\"}, \"data_subtype\": "
			 "\"synth\", \"data_type\": \"synth\", \"annotations\": [");
	for (int i = 0; i < g->n; i++) {
		const struct vl_synth_scene *sc = &g->sc[i];
		int k = vqa_questions(g, sc, q);
		for (int j = 0; j < k; j++) {
			const char *ans[10];
			char nums[10][16];
			long long qid = (long long)sc->id * 1000 + j;
			vqa_answers(g, &q[j], ans, nums);
			vl_buf_adds(&qs, nq ? ",\n" : "\n");
			vl_buf_addf(&qs, "{\"image_id\": %d, ", sc->id);
			add_str_member(&qs, "question", q[j].text.buf);
			vl_buf_addf(&qs, ", \"question_id\": %lld}", qid);
			vl_buf_adds(&an, nq ? ",\n{" : "\n{");
			add_str_member(&an, "question_type", q[j].question_type);
			vl_buf_adds(&an, ", ");
			add_str_member(&an, "multiple_choice_answer", q[j].answer);
			vl_buf_adds(&an, ", \"answers\": [");
			for (int a = 0; a < 10; a++) {
				static const char *const conf[] = { "yes", "yes", "yes", "maybe" };
				vl_buf_adds(&an, a ? ", {" : "{");
				add_str_member(&an, "answer", ans[a]);
				vl_buf_adds(&an, ", ");
				add_str_member(&an, "answer_confidence",
					       strcmp(ans[a], q[j].answer) ? conf[3] : conf[a % 3]);
				vl_buf_addf(&an, ", \"answer_id\": %d}", a + 1);
			}
			vl_buf_addf(&an, "], \"image_id\": %d, ", sc->id);
			add_str_member(&an, "answer_type", q[j].answer_type);
			vl_buf_addf(&an, ", \"question_id\": %lld}", qid);
			nq++;
		}
	}
	vl_buf_adds(&qs, "\n]}\n");
	vl_buf_adds(&an, "\n]}\n");
	rc = save(g, "vqa/v2_OpenEnded_synth_questions.json", &qs);
	if (!rc)
		rc = save(g, "vqa/v2_synth_annotations.json", &an);
	g->counts.vqa = nq;
	for (int j = 0; j < 3; j++)
		vl_buf_release(&q[j].text);
	vl_buf_release(&qs);
	vl_buf_release(&an);
	return rc;
}

/* ---- captions: COCO captions, Karpathy split file, COCO instances ---- */

static const char *bg_words(const struct vl_synth_scene *sc)
{
	return sc->bg_kind ? "shaded gray" : "plain gray";
}

/* Objects of sc sorted left to right by box centre. */
static void left_to_right(const struct vl_synth_scene *sc, int *idx)
{
	for (int i = 0; i < sc->n; i++)
		idx[i] = i;
	for (int i = 1; i < sc->n; i++)
		for (int j = i; j > 0; j--) {
			const int *a = sc->obj[idx[j - 1]].box, *b = sc->obj[idx[j]].box;
			if (a[0] + a[2] <= b[0] + b[2])
				break;
			int t = idx[j];
			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
}

/* "a" or "an" before the words object_words would write. */
static const char *article(const struct vl_synth_object *o, int with_size)
{
	const char *w = with_size ? vl_synth_sizes[o->size] : vl_synth_colours[o->colour];
	return strchr("aeiou", w[0]) ? "an" : "a";
}

static void list_objects(struct vl_buf *b, const struct vl_synth_scene *sc, const int *idx,
			 int n, int sizes)
{
	for (int i = 0; i < n; i++) {
		if (i)
			vl_buf_adds(b, i == n - 1 ? " and " : ", ");
		vl_buf_addf(b, "%s ", article(&sc->obj[idx[i]], sizes));
		object_words(b, &sc->obj[idx[i]], sizes);
	}
}

/* Reference k (0..4) of scene sc: five annotators, five ways of saying it. */
static void caption(struct gen *g, const struct vl_synth_scene *sc, int k, struct vl_buf *b)
{
	int idx[VL_SYNTH_MAX_OBJECTS];
	const char *count = number_words[sc->n];

	left_to_right(sc, idx);
	switch (k) {
	case 0:
		list_objects(b, sc, idx, sc->n, 0);
		vl_buf_addf(b, " on a %s background.", bg_words(sc));
		break;
	case 1:
		vl_buf_addf(b, "%s colorful shapes on a %s background.", count, bg_words(sc));
		break;
	case 2:
		vl_buf_adds(b, "A picture with ");
		list_objects(b, sc, idx, sc->n, 1);
		vl_buf_adds(b, ".");
		break;
	case 3: {
		const struct vl_synth_object *o = &sc->obj[vl_rng_below(&g->r, (size_t)sc->n)];
		vl_buf_addf(b, "There is %s ", article(o, 1));
		object_words(b, o, 1);
		if (sc->n > 1)
			vl_buf_addf(b, " and %s other shape%s", number_words[sc->n - 1], sc->n > 2 ? "s" : "");
		vl_buf_adds(b, ".");
		break;
	}
	default:
		vl_buf_addf(b, "Simple geometric shapes including ");
		list_objects(b, sc, idx, sc->n < 2 ? sc->n : 2, 0);
		vl_buf_adds(b, ".");
	}
	b->buf[0] = (char)(b->buf[0] >= 'a' && b->buf[0] <= 'z' ? b->buf[0] - 32 : b->buf[0]);
}

static void add_tokens(struct vl_buf *b, const char *s)
{
	int first = 1;

	vl_buf_adds(b, "[");
	while (*s) {
		while (*s && !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			s++;
		if (!*s)
			break;
		vl_buf_adds(b, first ? "\"" : ", \"");
		first = 0;
		while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) {
			vl_buf_addch(b, *s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
			s++;
		}
		vl_buf_adds(b, "\"");
	}
	vl_buf_adds(b, "]");
}

static void coco_images(struct vl_buf *b, const struct gen *g)
{
	struct vl_buf name = VL_BUF_INIT;

	vl_buf_adds(b, "\"images\": [");
	for (int i = 0; i < g->n; i++) {
		vl_buf_reset(&name);
		image_name(&name, g->sc[i].id);
		vl_buf_adds(b, i ? ",\n{\"license\": 1, " : "\n{\"license\": 1, ");
		add_str_member(b, "file_name", name.buf);
		vl_buf_addf(b, ", \"height\": %d, \"width\": %d, \"date_captured\": "
			    "\"2026-01-01 00:00:00\", \"id\": %d}", g->sc[i].h, g->sc[i].w, g->sc[i].id);
	}
	vl_buf_adds(b, "\n]");
	vl_buf_release(&name);
}

static int write_captions(struct gen *g)
{
	struct vl_buf cap = VL_BUF_INIT, kp = VL_BUF_INIT, inst = VL_BUF_INIT, name = VL_BUF_INIT;
	struct vl_buf text = VL_BUF_INIT;
	int sent = 0, ann = 0, rc;
	static const char head[] = "{\"info\": {\"description\": \"vleval synthetic shapes, COCO "
				   "layout\", \"version\": \"1.0\", \"year\": 2026}, \"licenses\": "
				   "[{\"id\": 1, \"name\": \"CC0\"}], ";

	vl_buf_adds(&cap, head);
	coco_images(&cap, g);
	vl_buf_adds(&cap, ", \"annotations\": [");
	vl_buf_adds(&kp, "{\"images\": [");
	vl_buf_adds(&inst, head);
	coco_images(&inst, g);
	vl_buf_adds(&inst, ", \"annotations\": [");
	for (int i = 0; i < g->n; i++) {
		const struct vl_synth_scene *sc = &g->sc[i];
		static const char *const splits[] = { "test", "test", "test", "test", "test",
						      "test", "test", "test", "val", "train" };
		vl_buf_reset(&name);
		image_name(&name, sc->id);
		vl_buf_adds(&kp, i ? ",\n{\"filepath\": \"images\", \"sentids\": ["
				   : "\n{\"filepath\": \"images\", \"sentids\": [");
		for (int k = 0; k < 5; k++)
			vl_buf_addf(&kp, "%s%d", k ? ", " : "", sent + k);
		vl_buf_adds(&kp, "], ");
		add_str_member(&kp, "filename", name.buf);
		vl_buf_addf(&kp, ", \"imgid\": %d, ", i);
		add_str_member(&kp, "split", splits[i % 10]);
		vl_buf_adds(&kp, ", \"sentences\": [");
		for (int k = 0; k < 5; k++) {
			vl_buf_reset(&text);
			caption(g, sc, k, &text);
			vl_buf_adds(&cap, sent ? ",\n" : "\n");
			vl_buf_addf(&cap, "{\"image_id\": %d, \"id\": %d, ", sc->id, sent + 1);
			add_str_member(&cap, "caption", text.buf);
			vl_buf_adds(&cap, "}");
			vl_buf_adds(&kp, k ? ", {\"tokens\": " : "{\"tokens\": ");
			add_tokens(&kp, text.buf);
			vl_buf_adds(&kp, ", ");
			add_str_member(&kp, "raw", text.buf);
			vl_buf_addf(&kp, ", \"imgid\": %d, \"sentid\": %d}", i, sent);
			sent++;
		}
		vl_buf_addf(&kp, "], \"cocoid\": %d}", sc->id);
		for (int k = 0; k < sc->n; k++) {
			const struct vl_synth_object *o = &sc->obj[k];
			int bw = o->box[2] - o->box[0], bh = o->box[3] - o->box[1];
			vl_buf_adds(&inst, ann ? ",\n" : "\n");
			vl_buf_addf(&inst, "{\"segmentation\": [], \"area\": %d, \"iscrowd\": 0, "
				    "\"image_id\": %d, \"bbox\": [%d, %d, %d, %d], \"category_id\": %d, "
				    "\"id\": %d}", o->visible, sc->id, o->box[0], o->box[1], bw, bh,
				    category(o) + 1, ++ann);
		}
	}
	vl_buf_adds(&cap, "\n]}\n");
	vl_buf_adds(&kp, "\n], \"dataset\": \"coco\"}\n");
	vl_buf_adds(&inst, "\n], \"categories\": [");
	for (int c = 0; c < VL_SYNTH_NCOLOURS * VL_SYNTH_NSHAPES; c++) {
		vl_buf_reset(&name);
		category_name(&name, c);
		vl_buf_addf(&inst, "%s{\"supercategory\": ", c ? ",\n" : "\n");
		vl_buf_add_json_str(&inst, vl_synth_shapes[c % VL_SYNTH_NSHAPES]);
		vl_buf_addf(&inst, ", \"id\": %d, ", c + 1);
		add_str_member(&inst, "name", name.buf);
		vl_buf_adds(&inst, "}");
	}
	vl_buf_adds(&inst, "\n]}\n");
	rc = save(g, "coco/captions_synth.json", &cap);
	if (!rc)
		rc = save(g, "coco/dataset_coco.json", &kp);
	if (!rc)
		rc = save(g, "coco/instances_synth.json", &inst);
	g->counts.captions = sent;
	vl_buf_release(&cap);
	vl_buf_release(&kp);
	vl_buf_release(&inst);
	vl_buf_release(&name);
	vl_buf_release(&text);
	return rc;
}

/* ---- RefCOCO (MDETR) ---- */

/* 1 when object t of sc is the extreme one along `dir` (0 left, 1 right,
 * 2 top, 3 bottom) among those matching (colour, shape, size; -1 = any),
 * by a clear margin. */
static int extreme(const struct vl_synth_scene *sc, int t, int dir, int colour, int shape, int size)
{
	const int *b = sc->obj[t].box;
	int mine = dir < 2 ? b[0] + b[2] : b[1] + b[3];

	for (int i = 0; i < sc->n; i++) {
		const struct vl_synth_object *o = &sc->obj[i];
		if (i == t || (colour >= 0 && o->colour != colour) || (shape >= 0 && o->shape != shape) ||
		    (size >= 0 && o->size != size))
			continue;
		int theirs = dir < 2 ? o->box[0] + o->box[2] : o->box[1] + o->box[3];
		/* centres (doubled) at least 12 px apart, on the right side */
		if ((dir == 0 || dir == 2) ? theirs - mine < 24 : mine - theirs < 24)
			return 0;
	}
	return 1;
}

/* A referring expression that picks object t alone; 0 when none does.
 * Tries the shortest first, sometimes says more than needed, as RefCOCO's
 * annotators do. */
static int refexp(struct gen *g, const struct vl_synth_scene *sc, int t, struct vl_buf *b)
{
	static const char *const where[] = { "on the left", "on the right", "at the top", "at the bottom" };
	const struct vl_synth_object *o = &sc->obj[t];
	int verbose = vl_rng_below(&g->r, 3) == 0;

	vl_buf_reset(b);
	if (count_where(sc, o->colour, o->shape) == 1) {
		int with_size = verbose || (count_where(sc, -1, o->shape) == 1 && vl_rng_below(&g->r, 2));
		vl_buf_adds(b, "the ");
		if (count_where(sc, -1, o->shape) == 1 && !verbose && vl_rng_below(&g->r, 2)) {
			vl_buf_adds(b, vl_synth_shapes[o->shape]);
			return 1;
		}
		object_words(b, o, with_size);
		return 1;
	}
	{
		int same_size = 0;
		for (int i = 0; i < sc->n; i++)
			same_size += sc->obj[i].colour == o->colour && sc->obj[i].shape == o->shape &&
				     sc->obj[i].size == o->size;
		if (same_size == 1) {
			vl_buf_adds(b, "the ");
			object_words(b, o, 1);
			return 1;
		}
	}
	for (int d0 = (int)vl_rng_below(&g->r, 4), k = 0; k < 4; k++) {
		int d = (d0 + k) % 4;
		if (extreme(sc, t, d, o->colour, o->shape, -1)) {
			vl_buf_adds(b, "the ");
			object_words(b, o, verbose);
			vl_buf_addf(b, " %s", where[d]);
			return 1;
		}
	}
	return 0;
}

static int write_refcoco(struct gen *g)
{
	struct vl_buf images = VL_BUF_INIT, anns = VL_BUF_INIT, doc = VL_BUF_INIT;
	struct vl_buf text = VL_BUF_INIT, name = VL_BUF_INIT;
	int n = 0, rc;

	for (int i = 0; i < g->n; i++) {
		const struct vl_synth_scene *sc = &g->sc[i];
		int idx[VL_SYNTH_MAX_OBJECTS], made = 0;
		for (int k = 0; k < sc->n; k++)
			idx[k] = k;
		shuffle(&g->r, idx, sc->n);
		vl_buf_reset(&name);
		image_name(&name, sc->id);
		for (int k = 0; k < sc->n && made < 2; k++) {
			const struct vl_synth_object *o = &sc->obj[idx[k]];
			size_t len;
			if (!refexp(g, sc, idx[k], &text))
				continue;
			len = text.len;
			vl_buf_adds(&images, n ? ",\n{" : "\n{");
			add_str_member(&images, "file_name", name.buf);
			vl_buf_addf(&images, ", \"height\": %d, \"width\": %d, \"id\": %d, "
				    "\"original_id\": %d, ", sc->h, sc->w, n, sc->id);
			add_str_member(&images, "caption", text.buf);
			vl_buf_addf(&images, ", \"dataset_name\": \"refcoco\", \"tokens_negative\": "
				    "[[0, %zu]], \"sentence_id\": 0, \"tokens_positive_eval\": "
				    "[[[0, %zu]]]}", len, len);
			vl_buf_adds(&anns, n ? ",\n" : "\n");
			vl_buf_addf(&anns, "{\"area\": %d, \"iscrowd\": 0, \"image_id\": %d, "
				    "\"category_id\": %d, \"id\": %d, \"bbox\": [%d, %d, %d, %d], "
				    "\"tokens_positive\": [[0, %zu]]}", o->visible, n, category(o) + 1,
				    n, o->box[0], o->box[1], o->box[2] - o->box[0],
				    o->box[3] - o->box[1], len);
			n++;
			made++;
		}
	}
	vl_buf_adds(&doc, "{\"images\": [");
	vl_buf_add(&doc, images.buf, images.len);
	vl_buf_adds(&doc, "\n], \"annotations\": [");
	vl_buf_add(&doc, anns.buf, anns.len);
	vl_buf_adds(&doc, "\n], \"categories\": [");
	for (int c = 0; c < VL_SYNTH_NCOLOURS * VL_SYNTH_NSHAPES; c++) {
		vl_buf_reset(&name);
		category_name(&name, c);
		vl_buf_addf(&doc, "%s{\"supercategory\": \"shape\", \"id\": %d, ", c ? ", " : "", c + 1);
		add_str_member(&doc, "name", name.buf);
		vl_buf_adds(&doc, "}");
	}
	vl_buf_adds(&doc, "]}\n");
	rc = save(g, "refcoco/final_refcoco_synth.json", &doc);
	g->counts.refexp = n;
	vl_buf_release(&images);
	vl_buf_release(&anns);
	vl_buf_release(&doc);
	vl_buf_release(&text);
	vl_buf_release(&name);
	return rc;
}

/* ---- POPE ---- */

#define NCAT (VL_SYNTH_NCOLOURS * VL_SYNTH_NSHAPES)

/* Distinct categories of sc in order of appearance; returns how many. */
static int scene_cats(const struct vl_synth_scene *sc, int *cats, unsigned char *present)
{
	int n = 0;

	memset(present, 0, NCAT);
	for (int i = 0; i < sc->n; i++) {
		int c = category(&sc->obj[i]);
		if (!present[c]) {
			present[c] = 1;
			cats[n++] = c;
		}
	}
	return n;
}

/*
 * The three files, with POPE's negative sampling (Li et al. 2023, AoiDragon/
 * POPE): every image with at least 3 distinct objects gets 3 questions about
 * objects it holds (chosen at random, shared by the three files) and 3 about
 * objects it does not hold:
 *   random       uniformly among the absent categories;
 *   popular      the absent categories that appear in the most images;
 *   adversarial  for each of the 3 present objects in turn, the absent
 *                category most often in the same image as it (and not
 *                chosen yet).
 * Ties go to the smaller category id.  Questions alternate yes, no.
 */
static int write_pope(struct gen *g)
{
	static const char *const names[3] = { "random", "popular", "adversarial" };
	int freq[NCAT] = { 0 }, *co = vl_xcalloc((size_t)NCAT * NCAT, sizeof(int));
	int byfreq[NCAT], rc = 0, nq = 0;
	struct vl_buf out[3] = { VL_BUF_INIT, VL_BUF_INIT, VL_BUF_INIT };
	struct vl_buf name = VL_BUF_INIT, text = VL_BUF_INIT;
	unsigned char present[NCAT];
	int cats[VL_SYNTH_MAX_OBJECTS];

	for (int i = 0; i < g->n; i++) {
		int n = scene_cats(&g->sc[i], cats, present);
		for (int a = 0; a < n; a++) {
			freq[cats[a]]++;
			for (int b = 0; b < n; b++)
				if (a != b)
					co[cats[a] * NCAT + cats[b]]++;
		}
	}
	for (int c = 0; c < NCAT; c++)
		byfreq[c] = c;
	for (int i = 1; i < NCAT; i++)
		for (int j = i; j > 0 && freq[byfreq[j]] > freq[byfreq[j - 1]]; j--) {
			int t = byfreq[j];
			byfreq[j] = byfreq[j - 1];
			byfreq[j - 1] = t;
		}
	for (int i = 0; i < g->n; i++) {
		const struct vl_synth_scene *sc = &g->sc[i];
		int n = scene_cats(sc, cats, present), neg[3][3], absent[NCAT], na = 0;
		if (n < 3)
			continue;
		shuffle(&g->r, cats, n);
		for (int c = 0; c < NCAT; c++)
			if (!present[c])
				absent[na++] = c;
		shuffle(&g->r, absent, na);
		for (int k = 0; k < 3; k++)
			neg[0][k] = absent[k];
		for (int k = 0, j = 0; k < 3; j++)
			if (!present[byfreq[j]])
				neg[1][k++] = byfreq[j];
		for (int k = 0; k < 3; k++) {
			int best = -1;
			for (int c = 0; c < NCAT; c++) {
				if (present[c] || (k > 0 && neg[2][0] == c) || (k > 1 && neg[2][1] == c))
					continue;
				if (best < 0 || co[cats[k] * NCAT + c] > co[cats[k] * NCAT + best])
					best = c;
			}
			neg[2][k] = best;
		}
		vl_buf_reset(&name);
		image_name(&name, sc->id);
		for (int f = 0; f < 3; f++)
			for (int k = 0; k < 6; k++) {
				int c = k % 2 ? neg[f][k / 2] : cats[k / 2];
				vl_buf_reset(&text);
				vl_buf_addf(&text, "Is there %s ", c / VL_SYNTH_NSHAPES == 1 ? "an" : "a");
				category_name(&text, c);
				vl_buf_adds(&text, " in the image?");
				vl_buf_addf(&out[f], "{\"question_id\": %d, ", nq + k + 1);
				add_str_member(&out[f], "image", name.buf);
				vl_buf_adds(&out[f], ", ");
				add_str_member(&out[f], "text", text.buf);
				vl_buf_adds(&out[f], ", ");
				add_str_member(&out[f], "label", k % 2 ? "no" : "yes");
				vl_buf_adds(&out[f], "}\n");
			}
		nq += 6;
	}
	for (int f = 0; f < 3 && !rc; f++) {
		vl_buf_reset(&name);
		vl_buf_addf(&name, "pope/synth_pope_%s.json", names[f]);
		rc = save(g, name.buf, &out[f]);
	}
	g->counts.pope = nq;
	for (int f = 0; f < 3; f++)
		vl_buf_release(&out[f]);
	vl_buf_release(&name);
	vl_buf_release(&text);
	vl_free(co);
	return rc;
}

/* ---- multiple choice: VLMEvalKit TSV ---- */

struct mcq {
	struct vl_buf q, opt[4];
	int nopt, answer;
	const char *category, *l2;
};

/* Options: the right value v among distinct others of 0..n-1, at a random
 * position. */
static void pick_options(struct gen *g, struct mcq *m, int v, int n, const char *const *names)
{
	int vals[8], k = 0;

	m->nopt = n < 4 ? n : 4;
	m->answer = (int)vl_rng_below(&g->r, (size_t)m->nopt);
	for (int i = 0; i < n; i++)
		if (i != v)
			vals[k++] = i;
	shuffle(&g->r, vals, k);
	for (int i = 0, j = 0; i < m->nopt; i++) {
		vl_buf_reset(&m->opt[i]);
		vl_buf_adds(&m->opt[i], names[i == m->answer ? v : vals[j++]]);
	}
}

/* One question about sc of kind `kind` (0 colour, 1 shape, 2 count,
 * 3 leftmost, 4 size); 0 when it does not apply to this scene. */
static int mcq_make(struct gen *g, const struct vl_synth_scene *sc, int kind, struct mcq *m)
{
	const struct vl_synth_object *o = &sc->obj[vl_rng_below(&g->r, (size_t)sc->n)];

	vl_buf_reset(&m->q);
	switch (kind) {
	case 0:
		if (count_where(sc, -1, o->shape) != 1)
			return 0;
		vl_buf_addf(&m->q, "What color is the %s?", vl_synth_shapes[o->shape]);
		pick_options(g, m, o->colour, VL_SYNTH_NCOLOURS, vl_synth_colours);
		m->category = "attribute_recognition";
		m->l2 = "fine-grained perception (instance-level)";
		return 1;
	case 1:
		if (count_where(sc, o->colour, -1) != 1)
			return 0;
		vl_buf_addf(&m->q, "What shape is the %s object?", vl_synth_colours[o->colour]);
		pick_options(g, m, o->shape, VL_SYNTH_NSHAPES, vl_synth_shapes);
		m->category = "object_recognition";
		m->l2 = "coarse perception";
		return 1;
	case 2: {
		static const char *const nums[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };
		int lo = sc->n - 1 - (int)vl_rng_below(&g->r, 3);
		lo = lo < 0 ? 0 : lo;
		vl_buf_adds(&m->q, "How many shapes are in the image?");
		pick_options(g, m, sc->n - 1 - lo, 4, nums + lo);
		m->category = "object_counting";
		m->l2 = "fine-grained perception (instance-level)";
		return 1;
	}
	case 3: {
		int idx[VL_SYNTH_MAX_OBJECTS], used = 0, t, k = 0, others[VL_SYNTH_MAX_OBJECTS];
		if (sc->n < 3)
			return 0;
		left_to_right(sc, idx);
		t = idx[0];
		if (!extreme(sc, t, 0, -1, -1, -1))
			return 0;
		for (int i = 0; i < sc->n; i++)
			if (count_where(sc, sc->obj[i].colour, sc->obj[i].shape) != 1)
				return 0;
		vl_buf_adds(&m->q, "Which object is furthest to the left?");
		m->nopt = sc->n < 4 ? sc->n : 4;
		m->answer = (int)vl_rng_below(&g->r, (size_t)m->nopt);
		for (int i = 1; i < sc->n; i++)
			others[k++] = idx[i];
		shuffle(&g->r, others, k);
		for (int i = 0; i < m->nopt; i++) {
			vl_buf_reset(&m->opt[i]);
			vl_buf_adds(&m->opt[i], "the ");
			object_words(&m->opt[i], &sc->obj[i == m->answer ? t : others[used++]], 0);
		}
		m->category = "spatial_relationship";
		m->l2 = "relation reasoning";
		return 1;
	}
	default:
		if (count_where(sc, o->colour, o->shape) != 1)
			return 0;
		vl_buf_adds(&m->q, "What size is the ");
		object_words(&m->q, o, 0);
		vl_buf_adds(&m->q, "?");
		m->nopt = 3;
		m->answer = o->size;
		for (int i = 0; i < 3; i++) {
			vl_buf_reset(&m->opt[i]);
			vl_buf_adds(&m->opt[i], vl_synth_sizes[i]);
		}
		m->category = "attribute_recognition";
		m->l2 = "fine-grained perception (instance-level)";
		return 1;
	}
}

static int write_mcq(struct gen *g)
{
	struct vl_buf tsv = VL_BUF_INIT, png = VL_BUF_INIT, path = VL_BUF_INIT;
	struct mcq m;
	int index = 0, rc = 0;

	memset(&m, 0, sizeof(m));
	vl_buf_adds(&tsv, "index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\tl2-category\tsplit\n");
	for (int i = 0; i < g->n && !rc; i++) {
		const struct vl_synth_scene *sc = &g->sc[i];
		int first = -1, want = i % 3 == 0 ? 2 : 1, made = 0;
		for (int tries = 0; tries < 12 && made < want; tries++) {
			if (!mcq_make(g, sc, (int)vl_rng_below(&g->r, 5), &m))
				continue;
			vl_buf_addf(&tsv, "%d\t%s\t%s", index, m.q.buf,
				    vl_rng_below(&g->r, 4) ? "" :
				    "The image shows simple colored shapes on a light background.");
			for (int k = 0; k < 4; k++)
				vl_buf_addf(&tsv, "\t%s", k < m.nopt ? m.opt[k].buf : "");
			vl_buf_addf(&tsv, "\t%c\t%s\t", 'A' + m.answer, m.category);
			if (first < 0) {
				/* the image itself; a second question on it names this row */
				vl_buf_reset(&path);
				vl_buf_addf(&path, "%s/images/", vl_buf_str(&g->root));
				image_name(&path, sc->id);
				vl_buf_reset(&png);
				if (vl_read_file(path.buf, &png, g->err) < 0) {
					rc = VL_EIO;
					break;
				}
				vl_base64_encode_buf(&tsv, png.buf, png.len);
				first = index;
			} else {
				vl_buf_addf(&tsv, "%d", first);
			}
			vl_buf_addf(&tsv, "\t%s\tdev\n", m.l2);
			index++;
			made++;
		}
	}
	if (!rc)
		rc = save(g, "vlmeval/SYNTH_MCQ.tsv", &tsv);
	g->counts.mcq = index;
	vl_buf_release(&m.q);
	for (int k = 0; k < 4; k++)
		vl_buf_release(&m.opt[k]);
	vl_buf_release(&tsv);
	vl_buf_release(&png);
	vl_buf_release(&path);
	return rc;
}

static int write_manifest(struct gen *g)
{
	struct vl_buf b = VL_BUF_INIT;
	int rc;

	vl_buf_addf(&b, "{\"generator\": \"vleval synth\", \"seed\": %llu, \"images\": %d, "
		    "\"width\": %d, \"height\": %d, \"vqa_questions\": %d, \"captions\": %d, "
		    "\"referring_expressions\": %d, \"pope_questions_per_split\": %d, "
		    "\"mcq_questions\": %d}\n", (unsigned long long)g->o->seed, g->n, VL_SYNTH_W,
		    VL_SYNTH_H, g->counts.vqa, g->counts.captions, g->counts.refexp, g->counts.pope,
		    g->counts.mcq);
	rc = save(g, "manifest.json", &b);
	vl_buf_release(&b);
	return rc;
}

int vl_synth_generate(const struct vl_synth_opts *o, struct vl_synth_counts *counts,
		      struct vl_buf *err)
{
	static const char *const dirs[] = { "images", "vqa", "coco", "refcoco", "pope", "vlmeval" };
	struct gen g;
	struct vl_rng scenes;
	struct vl_buf dir = VL_BUF_INIT;
	int rc = 0;

	if (o->images < 1) {
		vl_buf_addf(err, "synth: --images must be at least 1, not %d", o->images);
		return VL_EINVAL;
	}
	memset(&g, 0, sizeof(g));
	g.o = o;
	g.err = err;
	g.n = o->images;
	vl_buf_addf(&g.root, "%s/synth", o->out);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs) && !rc; i++) {
		vl_buf_reset(&dir);
		vl_buf_addf(&dir, "%s/%s", g.root.buf, dirs[i]);
		if (mkdirs(dir.buf) < 0) {
			vl_buf_addf(err, "cannot create '%s': %s", dir.buf, strerror(errno));
			rc = VL_EIO;
		}
	}
	vl_buf_release(&dir);
	if (rc) {
		vl_buf_release(&g.root);
		return rc;
	}
	/* scenes from one stream, questions from another: asking one more
	 * question never changes the pictures */
	vl_rng_seed(&scenes, o->seed * 2 + 1);
	vl_rng_seed(&g.r, o->seed * 2 + 2);
	g.sc = vl_xcalloc((size_t)g.n, sizeof(*g.sc));
	for (int i = 0; i < g.n; i++)
		vl_synth_scene_make(&scenes, i + 1, &g.sc[i]);
	g.counts.images = g.n;
	rc = write_images(&g);
	if (!rc)
		rc = write_vqa(&g);
	if (!rc)
		rc = write_captions(&g);
	if (!rc)
		rc = write_refcoco(&g);
	if (!rc)
		rc = write_pope(&g);
	if (!rc)
		rc = write_mcq(&g);
	if (!rc)
		rc = write_manifest(&g);
	if (counts)
		*counts = g.counts;
	vl_free(g.sc);
	vl_buf_release(&g.root);
	return rc;
}
