/*
 * synth.h - the synthetic benchmark suite: seeded scenes of coloured shapes
 * drawn as PNG files, and, from each scene's exact ground truth, question
 * files in the official layouts that real data uses (VQAv2, COCO captions
 * and Karpathy's split file, MDETR RefCOCO, POPE, COCO instances, a
 * VLMEvalKit TSV), so the built-in synth_* tasks go through the real
 * loaders.  Same seed and image count: byte-identical files.
 *
 * The layout written under the data root OUT (what bench/tasks/synth_*.json
 * read):
 *   synth/images/synth_NNNNNN.png                 the scenes (image id N)
 *   synth/vqa/v2_OpenEnded_synth_questions.json   VQAv2 questions
 *   synth/vqa/v2_synth_annotations.json           10 answers a question
 *   synth/coco/captions_synth.json                COCO captions (5 refs)
 *   synth/coco/instances_synth.json               COCO instances (CHAIR)
 *   synth/coco/dataset_coco.json                  Karpathy split file
 *   synth/refcoco/final_refcoco_synth.json        MDETR RefCOCO layout
 *   synth/pope/synth_pope_{random,popular,adversarial}.json  POPE
 *   synth/vlmeval/SYNTH_MCQ.tsv                   VLMEvalKit TSV, base64
 *   synth/manifest.json                           seed, counts, file list
 *
 * Adding a question family: write its file from the scenes in synth.c
 * (look at write_pope for the pattern), add a bench/tasks/synth_NAME.json
 * that reads it, and a template that backends/pixels/answer.c can parse.
 */
#ifndef VL_DATASETS_SYNTH_H
#define VL_DATASETS_SYNTH_H

#include <stdint.h>

#include "core/vl.h"

#define VL_SYNTH_W 192
#define VL_SYNTH_H 144
#define VL_SYNTH_MAX_OBJECTS 6

enum { VL_SYNTH_NCOLOURS = 7, VL_SYNTH_NSHAPES = 6, VL_SYNTH_NSIZES = 3 };

/* One drawn shape.  Its frame is the square (x0, y0, side), which may reach
 * past the image border; box is the tight extent of its own pixels inside
 * the image (x2, y2 exclusive), occluded pixels included, as COCO boxes are. */
struct vl_synth_object {
	int colour, shape, size;     /* indexes into the name tables */
	int x0, y0, side;
	int box[4];                  /* x1, y1, x2, y2 */
	int area;                    /* pixels of its mask inside the image */
	int visible;                 /* of those, not covered by later objects */
	unsigned char rgb[3];        /* its exact fill colour */
};

struct vl_synth_scene {
	int id;                      /* image id, 1-based */
	int w, h;
	int bg_kind;                 /* 0 flat, 1 horizontal, 2 vertical, 3 diagonal gradient */
	int bg[3], bg_delta;         /* base colour and gradient amplitude */
	int noise;                   /* +- noise per channel */
	uint64_t pixel_seed;         /* the noise stream */
	int n;
	struct vl_synth_object obj[VL_SYNTH_MAX_OBJECTS];
};

/* Name tables ("red", "circle", "small"); plural of a shape ("crosses"). */
extern const char *const vl_synth_colours[VL_SYNTH_NCOLOURS];
extern const char *const vl_synth_shapes[VL_SYNTH_NSHAPES];
extern const char *const vl_synth_shape_plurals[VL_SYNTH_NSHAPES];
extern const char *const vl_synth_sizes[VL_SYNTH_NSIZES];

/* Makes scene `id` from the stream r (deterministic). */
void vl_synth_scene_make(struct vl_rng *r, int id, struct vl_synth_scene *sc);

/* Draws the scene into rgb (w * h * 3 bytes, caller-owned). */
void vl_synth_render(const struct vl_synth_scene *sc, unsigned char *rgb);

/* 1 when shape `shape` covers the point (u, v) of its unit frame. */
int vl_synth_inside(int shape, double u, double v);

struct vl_synth_opts {
	const char *out;             /* data root; files go under OUT/synth/ */
	uint64_t seed;
	int images;                  /* scenes to draw (>= 1) */
};

struct vl_synth_counts {
	int images, vqa, captions, refexp, pope, mcq;
};

/* Writes the whole suite.  Returns 0, or a negative code with err naming
 * the file that could not be written.  counts (may be NULL) receives what
 * was written. */
int vl_synth_generate(const struct vl_synth_opts *o, struct vl_synth_counts *counts,
		      struct vl_buf *err);

#endif
