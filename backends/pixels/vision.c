/*
 * vision.c - segmentation and shape classification for `pixels` (see
 * vision.h).
 *
 * 1. Each pixel gets a colour by hue when its chroma (max - min channel)
 *    is high enough; greyish pixels are background, whatever their
 *    brightness, so gradients and brightness noise do not matter.
 * 2. Connected components (4-neighbour) of pixels with the same colour;
 *    blobs under MIN_AREA pixels are dropped.
 * 3. Each blob's shape from its fill ratio (area / box area) and the
 *    widths of a few rows of its mask.
 */
#include "backends/pixels/vision.h"

#include <stdlib.h>
#include <string.h>

#define MIN_AREA 20
#define MIN_CHROMA 60

const char *const px_colour_names[PX_NCOLOURS] = {
	"red", "orange", "yellow", "green", "blue", "purple", "pink",
};
const char *const px_shape_names[PX_NSHAPES] = {
	"circle", "square", "triangle", "diamond", "star", "cross",
};
const char *const px_shape_plurals[PX_NSHAPES] = {
	"circles", "squares", "triangles", "diamonds", "stars", "crosses",
};
const char *const px_size_names[3] = { "small", "medium", "large" };

int px_pixel_colour(int r, int g, int b)
{
	int mx = r > g ? (r > b ? r : b) : (g > b ? g : b);
	int mn = r < g ? (r < b ? r : b) : (g < b ? g : b);
	int c = mx - mn, hue;

	if (c < MIN_CHROMA)
		return -1;
	if (mx == r)
		hue = 60 * (g - b) / c;
	else if (mx == g)
		hue = 120 + 60 * (b - r) / c;
	else
		hue = 240 + 60 * (r - g) / c;
	if (hue < 0)
		hue += 360;
	/* hue bands of the named colours */
	if (hue < 15 || hue >= 345)
		return 0;
	if (hue < 40)
		return 1;
	if (hue < 75)
		return 2;
	if (hue < 180)
		return 3;
	if (hue < 255)
		return 4;
	if (hue < 300)
		return 5;
	return 6;
}

/* Fraction of set pixels in rows [y0, y1) of the mask. */
static double rows_fill(const unsigned char *m, int w, int y0, int y1)
{
	int set = 0;

	if (y1 <= y0)
		y1 = y0 + 1;
	for (int y = y0; y < y1; y++)
		for (int x = 0; x < w; x++)
			set += m[y * w + x] != 0;
	return (double)set / ((double)w * (y1 - y0));
}

int px_classify(const unsigned char *m, int w, int h)
{
	int area = 0;
	double fill, top, bottom, mid, upper;
	int band = h / 8 > 1 ? h / 8 : 1;

	for (int i = 0; i < w * h; i++)
		area += m[i] != 0;
	fill = (double)area / ((double)w * h);
	if (fill >= 0.88)
		return 1;                          /* square */
	if (fill >= 0.68)
		return 0;                          /* circle */
	if (fill < 0.43)
		return 4;                          /* star */
	top = rows_fill(m, w, 0, band);
	bottom = rows_fill(m, w, h - band, h);
	mid = rows_fill(m, w, h / 2 - band / 2, h / 2 - band / 2 + band);
	upper = rows_fill(m, w, h * 3 / 10, h * 3 / 10 + 1);
	if (bottom > 0.65 && top < 0.45)
		return 2;                          /* triangle */
	if (mid > 0.8 && upper < 0.45)
		return 5;                          /* cross */
	return 3;                                  /* diamond */
}

static int size_class(int shape, int w, int h)
{
	double side = w > h ? w : h;

	if (shape == 4)
		side /= 0.88;                      /* a star is narrower than its frame */
	return side < 21 ? 0 : side < 30.5 ? 1 : 2;
}

int px_analyse(const unsigned char *rgb, int w, int h, struct px_scene *sc)
{
	size_t npx = (size_t)w * h;
	signed char *lab = malloc(npx);
	int *comp = malloc(npx * sizeof(int)), *stack = malloc(npx * sizeof(int));
	int ncomp = 0;

	memset(sc, 0, sizeof(*sc));
	sc->w = w;
	sc->h = h;
	if (!lab || !comp || !stack) {
		free(lab);
		free(comp);
		free(stack);
		return 0;
	}
	for (size_t i = 0; i < npx; i++) {
		lab[i] = (signed char)px_pixel_colour(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]);
		comp[i] = -1;
	}
	for (size_t start = 0; start < npx; start++) {
		int sp = 0, x1 = w, y1 = h, x2 = 0, y2 = 0, area = 0;
		if (lab[start] < 0 || comp[start] >= 0)
			continue;
		comp[start] = ncomp;
		stack[sp++] = (int)start;
		while (sp) {
			int p = stack[--sp], x = p % w, y = p / w;
			area++;
			x1 = x < x1 ? x : x1;
			y1 = y < y1 ? y : y1;
			x2 = x + 1 > x2 ? x + 1 : x2;
			y2 = y + 1 > y2 ? y + 1 : y2;
			const int nb[4] = { x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1,
					    y > 0 ? p - w : -1, y < h - 1 ? p + w : -1 };
			for (int k = 0; k < 4; k++)
				if (nb[k] >= 0 && comp[nb[k]] < 0 && lab[nb[k]] == lab[start]) {
					comp[nb[k]] = ncomp;
					stack[sp++] = nb[k];
				}
		}
		if (area >= MIN_AREA) {
			struct px_object o = { .colour = lab[start], .area = area,
					       .box = { x1, y1, x2, y2 } };
			int bw = x2 - x1, bh = y2 - y1;
			unsigned char *m = calloc((size_t)bw * bh, 1);
			if (m) {
				for (int y = y1; y < y2; y++)
					for (int x = x1; x < x2; x++)
						m[(y - y1) * bw + (x - x1)] = comp[y * w + x] == ncomp;
				o.shape = px_classify(m, bw, bh);
				free(m);
			}
			o.size = size_class(o.shape, bw, bh);
			/* keep the largest PX_MAX_OBJECTS, sorted by area */
			int pos = sc->n < PX_MAX_OBJECTS ? sc->n : PX_MAX_OBJECTS - 1;
			if (sc->n < PX_MAX_OBJECTS || sc->obj[pos].area < area) {
				while (pos > 0 && sc->obj[pos - 1].area < area) {
					sc->obj[pos] = sc->obj[pos - 1];
					pos--;
				}
				sc->obj[pos] = o;
				if (sc->n < PX_MAX_OBJECTS)
					sc->n++;
			}
		}
		ncomp++;
	}
	free(lab);
	free(comp);
	free(stack);
	return sc->n;
}
