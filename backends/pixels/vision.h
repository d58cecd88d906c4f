/*
 * vision.h - the image reading half of `pixels`, a classical engine for the
 * synthetic shapes suite: colour segmentation, connected components and
 * shape classification by simple geometry.  No learning, no knowledge of
 * how the scenes were drawn beyond what a person would write down: the
 * named colours' hues, that backgrounds are greyish, and what a circle,
 * square, triangle, diamond, star and cross look like.
 *
 * It errs where such a reader errs: shapes of one colour that touch merge
 * into one, an occluded or border-clipped shape loses its outline and is
 * misnamed or mis-sized, a box covers only what is visible.
 */
#ifndef VL_PIXELS_VISION_H
#define VL_PIXELS_VISION_H

#define PX_MAX_OBJECTS 32
#define PX_NCOLOURS 7
#define PX_NSHAPES 6

extern const char *const px_colour_names[PX_NCOLOURS];
extern const char *const px_shape_names[PX_NSHAPES];
extern const char *const px_shape_plurals[PX_NSHAPES];
extern const char *const px_size_names[3];

struct px_object {
	int colour, shape, size;     /* indexes into the name tables */
	int box[4];                  /* x1, y1, x2, y2 (exclusive) */
	int area;                    /* pixels */
};

struct px_scene {
	int w, h;
	int n;                       /* objects found, largest first */
	struct px_object obj[PX_MAX_OBJECTS];
};

/* Colour name index of one pixel, or -1 for background (greyish). */
int px_pixel_colour(int r, int g, int b);

/* Shape index of a blob given as a w x h mask (row-major, nonzero = set). */
int px_classify(const unsigned char *mask, int w, int h);

/* Segments an RGB image (w * h * 3 bytes) into sc.  Returns the number of
 * objects found (at most PX_MAX_OBJECTS, the largest kept). */
int px_analyse(const unsigned char *rgb, int w, int h, struct px_scene *sc);

#endif
