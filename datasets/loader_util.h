/*
 * loader_util.h - what several loaders share beyond dataset.h: a streaming
 * reader of the elements of one big JSON array (or object) and a string ->
 * number map for joining the parts of a file (COCO images and annotations).
 */
#ifndef VL_LOADER_UTIL_H
#define VL_LOADER_UTIL_H

#include <cjson/cJSON.h>

#include "core/vl.h"
#include "core/jsonr.h"
#include "datasets/dataset.h"

/*
 * Reads the elements of one JSON container one at a time: the top-level
 * array or object of a file, or the array or object at a top-level key
 * ({"images": [...], "annotations": [...]}).  Only the current element is
 * held in memory, as raw text and then as a small cJSON tree, so a 200 MB
 * annotation file costs the size of its largest record.  Other top-level
 * members are skipped without being stored.
 *
 * Built on the pull reader (core/jsonr.h): its tokens for the
 * structure around the elements, vl_jsonr_raw for each element, whose
 * boundaries come from brackets outside strings; each element is then
 * parsed by cJSON, so a malformed element is reported (VL_EPARSE) and the
 * next one is read.  A file that ends inside the container is reported once
 * as truncated and then reads as ended.
 */
struct vl_json_items {
	struct vl_jsonr r;      /* the reader, open while reading */
	char *path;             /* owned copy, for messages (r borrows it) */
	int container;          /* '[' or '{' */
	int started, done;
	size_t record;          /* 1-based number of the current element */
	size_t item_line;       /* line where the current element starts */
	struct vl_buf item;     /* raw text of the current element */
	char *key;              /* owned; member name of the current element
	                           when the container is an object, else NULL */
};

/* Opens path and positions the reader inside the container at top-level
 * key `key` (NULL: the top-level value itself).  A key written "?name" is
 * optional: when the member is absent the result is 1 and `it` is closed.  Errors: VL_ENOTFOUND /
 * VL_EIO when the file cannot be opened, VL_EPARSE when the top level is
 * not what is expected or the key is absent; err names the file and line. */
int vl_json_items_open(struct vl_json_items *it, const char *path, const char *key,
		       struct vl_buf *err);

/* Next element: 1 with *out set (caller frees with cJSON_Delete), 0 at the
 * end, VL_EPARSE for an element that is not valid JSON or UTF-8 (err names
 * file, record and line; call again), VL_EIO on a read error. */
int vl_json_items_next(struct vl_json_items *it, cJSON **out, struct vl_buf *err);

/* Appends "'path' record N (line L)" (or "'path' key "K" (line L)" for an
 * object's members) for messages about the current element. */
void vl_json_items_where(const struct vl_json_items *it, struct vl_buf *out);

void vl_json_items_close(struct vl_json_items *it);

/*
 * A loader that reads the records of one JSON container (GQA, TextVQA,
 * VizWiz): the file at one dataset key, the image folder ("images"), the
 * container, and a function that turns one record into a sample.  Such a
 * loader describes itself with a struct vl_items_loader_desc; its open
 * calls vl_items_loader_open, and vl_items_loader_next and _close are its
 * next and close.
 */
struct vl_items_loader;

struct vl_items_loader_desc {
	const char *path_key;        /* dataset key of the file ("annotations") */
	const char *items_key;       /* top-level key of the container, NULL: the file's value */
	int container;               /* '[' or '{' */
	const char *not_container;   /* message when it is not ("top-level value is not a
	                                JSON array"), after the file name */
	const char *official;        /* appended to a missing file's message: where the
	                                official file comes from */
	/* One record into s (initialised by the caller): 1, or VL_EPARSE with err
	 * starting with where (file, record, line). */
	int (*record)(const struct vl_items_loader *l, const cJSON *rec, const char *where,
		      struct vl_sample *s, struct vl_buf *err);
};

struct vl_items_loader {
	const struct vl_items_loader_desc *desc;   /* static */
	struct vl_buf path, image_dir;
	struct vl_json_items items;                /* items.key: an object member's name */
};

int vl_items_loader_open(const struct vl_dataset_spec *spec, const struct vl_items_loader_desc *d,
			 void **handle, struct vl_buf *err);
int vl_items_loader_next(void *handle, struct vl_sample *s, struct vl_buf *err);
void vl_items_loader_close(void *handle);

/* String -> size_t map: the core hash table (vl_strmap) holding numbers,
 * for joins by id.  Zero-initialise; keys copied. */
struct vl_idmap {
	struct vl_strmap map;   /* values are the numbers, as uintptr_t */
	size_t n;               /* entries */
};

/* Sets key to val, replacing an existing value. */
void vl_idmap_put(struct vl_idmap *m, const char *key, size_t val);
/* 1 and *val when key is present, else 0. */
int vl_idmap_get(const struct vl_idmap *m, const char *key, size_t *val);
void vl_idmap_release(struct vl_idmap *m);

/* Appends every string of a JSON array (or a lone string) to sv; VL_EINVAL
 * on another type or a non-string element. */
int vl_json_push_strings(const cJSON *v, struct vl_strv *sv);

/* Resolves ref under image_dir (vl_image_resolve) and appends it to
 * s->images.  VL_EPARSE with err "WHERE: "image": reason" on refusal. */
int vl_sample_add_image(struct vl_sample *s, const char *image_dir, const char *ref,
			const char *where, struct vl_buf *err);

/* Reads rec[wkey] and rec[hkey] as image width and height: 1 when both are
 * there and valid, 0 when both are absent, VL_EINVAL otherwise. */
int vl_json_get_dims(const cJSON *rec, const char *wkey, const char *hkey, int *w, int *h);

#endif
