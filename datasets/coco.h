/*
 * coco.h - the COCO annotation layout shared by the coco_captions and chair
 * loaders: "images" (id, file_name, width, height, and NoCaps' "domain")
 * joined with "annotations" (image_id + caption, or image_id + category_id
 * for instance files).  Internal to datasets/.
 */
#ifndef VL_COCO_H
#define VL_COCO_H

#include "datasets/loader_util.h"

struct vl_coco_image {
	char *id;               /* owned */
	char *file_name;        /* owned */
	char *domain;           /* owned, NULL when absent */
	int w, h;               /* 0 when absent */
	int selected;           /* emitted by the loader */
	struct vl_strv captions;
	int *cats;              /* owned; distinct category ids, sorted */
	size_t ncats, acats;
};

struct vl_coco_set {
	struct vl_coco_image *v;  /* owned */
	size_t n, alloc;
	struct vl_idmap by_id;    /* image id -> slot in v */
	struct vl_strv bad;       /* messages of records skipped while reading,
	                             handed out one per next() as VL_EPARSE */
};

/* Streams the "images" array of path into set.  Bad records go to
 * set->bad; the return value is negative only when the file cannot be
 * read at all (err says why). */
int vl_coco_read_images(struct vl_coco_set *set, const char *path, struct vl_buf *err);

/* Streams the "annotations" array of a captions file (image_id, caption)
 * onto the images already read; annotations of images not in the set are
 * ignored when only_selected, else reported.  A file without
 * "annotations" (test sets) is not an error. */
int vl_coco_read_captions(struct vl_coco_set *set, const char *path, int only_selected,
			  struct vl_buf *err);

/* Fills s from image slot i: id, image path under image_dir, size,
 * captions, domain metadata.  VL_EPARSE when the image reference is
 * refused (err names path and image id). */
int vl_coco_fill(const struct vl_coco_set *set, size_t i, const char *path,
		 const char *image_dir, struct vl_sample *s, struct vl_buf *err);

void vl_coco_set_release(struct vl_coco_set *set);

#endif
