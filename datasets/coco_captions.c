/*
 * coco_captions.c - the official COCO captions annotation format
 * (annotations/captions_val2014.json, captions_val2017.json from
 * cocodataset.org) and the files that copy it, NoCaps among them
 * (nocaps_val_4500_captions.json from nocaps.org, whose images carry
 * "domain": in-domain / near-domain / out-domain):
 *   {"images": [{"id": 391895, "file_name": "COCO_val2014_...jpg",
 *     "width": 640, "height": 360, ...}],
 *    "annotations": [{"image_id": 391895, "id": 770337, "caption": "..."}]}
 * One sample per image, in the order of "images", with every caption of
 * that image as references; the id is the image id, "domain" becomes
 * metadata.  A file without "annotations" (image_info_test2014.json) gives
 * images without references.
 *
 * The file is read twice, streaming: "images" into a table (id, file name,
 * size), then "annotations" onto it; only the table and the caption strings
 * stay in memory (about 20 MB for captions_val2014.json's 40k images).
 * Bad records found while reading are handed out as VL_EPARSE by next().
 *
 * Dataset keys: "annotations" (required), "images" (image folder).
 */
#include "datasets/coco.h"
#include "datasets/dataset.h"

#include <stdlib.h>
#include <string.h>

void vl_coco_set_release(struct vl_coco_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct vl_coco_image *im = &set->v[i];
		vl_free(im->id);
		vl_free(im->file_name);
		vl_free(im->domain);
		vl_strv_release(&im->captions);
		vl_free(im->cats);
	}
	vl_free(set->v);
	vl_idmap_release(&set->by_id);
	vl_strv_release(&set->bad);
	memset(set, 0, sizeof(*set));
}

/* An item the reader could not give (rc < 0, its message in msg): a bad
 * record (VL_EPARSE) is kept in set->bad and reading goes on (returns 0);
 * anything else goes to err and stops the reading (returns 1). */
static int item_failed(struct vl_coco_set *set, int rc, struct vl_buf *msg, struct vl_buf *err)
{
	if (rc != VL_EPARSE) {
		vl_buf_adds(err, vl_buf_str(msg));
		return 1;
	}
	vl_strv_push(&set->bad, vl_buf_str(msg));
	vl_buf_reset(msg);
	return 0;
}

static void add_bad(struct vl_coco_set *set, const struct vl_json_items *it, const char *what)
{
	struct vl_buf msg = VL_BUF_INIT;

	vl_json_items_where(it, &msg);
	vl_buf_addf(&msg, ": %s", what);
	vl_strv_push_owned(&set->bad, vl_buf_detach(&msg, NULL));
}

int vl_coco_read_images(struct vl_coco_set *set, const char *path, struct vl_buf *err)
{
	struct vl_json_items it;
	struct vl_buf id = VL_BUF_INIT, msg = VL_BUF_INIT;
	cJSON *rec;
	int rc;

	rc = vl_json_items_open(&it, path, "images", err);
	if (rc < 0)
		return rc;
	while ((rc = vl_json_items_next(&it, &rec, &msg)) != 0) {
		const cJSON *fname, *domain;
		struct vl_coco_image im = { 0 };
		size_t dup;

		if (rc < 0) {
			if (item_failed(set, rc, &msg, err))
				break;
			continue;
		}
		fname = cJSON_GetObjectItemCaseSensitive(rec, "file_name");
		domain = cJSON_GetObjectItemCaseSensitive(rec, "domain");
		vl_buf_reset(&id);
		if (!cJSON_IsObject(rec))
			add_bad(set, &it, "record is not a JSON object");
		else if (vl_json_id(cJSON_GetObjectItemCaseSensitive(rec, "id"), &id) < 0)
			add_bad(set, &it, "missing or invalid \"id\"");
		else if (!cJSON_IsString(fname) || !*fname->valuestring)
			add_bad(set, &it, "missing or invalid \"file_name\"");
		else if (vl_json_get_dims(rec, "width", "height", &im.w, &im.h) < 0)
			add_bad(set, &it, "invalid \"width\" or \"height\"");
		else if (vl_idmap_get(&set->by_id, vl_buf_str(&id), &dup))
			add_bad(set, &it, "duplicate image \"id\"");
		else {
			if (set->n == set->alloc) {
				set->alloc = set->alloc ? set->alloc * 2 : 256;
				set->v = vl_xrealloc(set->v, set->alloc * sizeof(*set->v));
			}
			im.id = vl_xstrdup(vl_buf_str(&id));
			im.file_name = vl_xstrdup(fname->valuestring);
			if (cJSON_IsString(domain))
				im.domain = vl_xstrdup(domain->valuestring);
			im.selected = 1;
			vl_idmap_put(&set->by_id, im.id, set->n);
			set->v[set->n++] = im;
		}
		cJSON_Delete(rec);
	}
	vl_json_items_close(&it);
	vl_buf_release(&id);
	vl_buf_release(&msg);
	return rc < 0 ? rc : 0;
}

int vl_coco_read_captions(struct vl_coco_set *set, const char *path, int only_selected,
			  struct vl_buf *err)
{
	struct vl_json_items it;
	struct vl_buf id = VL_BUF_INIT, msg = VL_BUF_INIT;
	cJSON *rec;
	int rc;

	rc = vl_json_items_open(&it, path, "?annotations", err);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	while ((rc = vl_json_items_next(&it, &rec, &msg)) != 0) {
		const cJSON *cap;
		size_t slot;

		if (rc < 0) {
			if (item_failed(set, rc, &msg, err))
				break;
			continue;
		}
		cap = cJSON_GetObjectItemCaseSensitive(rec, "caption");
		vl_buf_reset(&id);
		if (!cJSON_IsObject(rec))
			add_bad(set, &it, "record is not a JSON object");
		else if (vl_json_id(cJSON_GetObjectItemCaseSensitive(rec, "image_id"), &id) < 0)
			add_bad(set, &it, "missing or invalid \"image_id\"");
		else if (!cJSON_IsString(cap))
			add_bad(set, &it, "missing or invalid \"caption\"");
		else if (!vl_idmap_get(&set->by_id, vl_buf_str(&id), &slot)) {
			if (!only_selected)
				add_bad(set, &it, "\"image_id\" is not in \"images\"");
		} else if (set->v[slot].selected) {
			vl_strv_push(&set->v[slot].captions, cap->valuestring);
		}
		cJSON_Delete(rec);
	}
	vl_json_items_close(&it);
	vl_buf_release(&id);
	vl_buf_release(&msg);
	return rc < 0 ? rc : 0;
}

int vl_coco_fill(const struct vl_coco_set *set, size_t i, const char *path,
		 const char *image_dir, struct vl_sample *s, struct vl_buf *err)
{
	const struct vl_coco_image *im = &set->v[i];
	struct vl_buf where = VL_BUF_INIT;

	vl_buf_addf(&where, "'%s' image %s", path, im->id);
	if (vl_sample_add_image(s, image_dir, im->file_name, vl_buf_str(&where), err) < 0) {
		vl_buf_release(&where);
		return VL_EPARSE;
	}
	vl_buf_release(&where);
	s->id = vl_xstrdup(im->id);
	s->image_w = im->w;
	s->image_h = im->h;
	for (size_t k = 0; k < im->captions.n; k++)
		vl_strv_push(&s->captions, im->captions.v[k]);
	if (im->domain)
		vl_sample_set_meta(s, "domain", im->domain);
	return 1;
}

struct coco_captions {
	struct vl_buf path, image_dir;
	struct vl_coco_set set;
	size_t next_bad, next_image;
};

static int captions_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct coco_captions *c = vl_xcalloc(1, sizeof(*c));
	int rc = vl_spec_path(spec, "annotations", 1, &c->path, err);

	if (rc >= 0) {
		vl_spec_path(spec, "images", 0, &c->image_dir, err);
		rc = vl_coco_read_images(&c->set, vl_buf_str(&c->path), err);
		if (rc == VL_ENOTFOUND)
			vl_buf_adds(err, " (the official files are annotations/"
				    "captions_val2014.json from https://cocodataset.org/#download "
				    "and nocaps_val_4500_captions.json from https://nocaps.org/download)");
	}
	if (rc >= 0)
		rc = vl_coco_read_captions(&c->set, vl_buf_str(&c->path), 0, err);
	if (rc < 0) {
		vl_coco_set_release(&c->set);
		vl_buf_release(&c->path);
		vl_buf_release(&c->image_dir);
		vl_free(c);
		return rc;
	}
	*handle = c;
	return 0;
}

static int captions_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct coco_captions *c = handle;
	int rc;

	if (c->next_bad < c->set.bad.n) {
		vl_buf_adds(err, c->set.bad.v[c->next_bad++]);
		return VL_EPARSE;
	}
	if (c->next_image >= c->set.n)
		return 0;
	rc = vl_coco_fill(&c->set, c->next_image++, vl_buf_str(&c->path),
			  vl_buf_str(&c->image_dir), s, err);
	if (rc < 0)
		vl_sample_release(s);
	return rc;
}

static void captions_close(void *handle)
{
	struct coco_captions *c = handle;

	if (!c)
		return;
	vl_coco_set_release(&c->set);
	vl_buf_release(&c->path);
	vl_buf_release(&c->image_dir);
	vl_free(c);
}

const struct vl_loader vl_loader_coco_captions = {
	.version = VL_LOADER_API_VERSION,
	.name = "coco_captions",
	.description = "COCO captions annotation format (captions_val2014.json, NoCaps val)",
	.open = captions_open,
	.next = captions_next,
	.close = captions_close,
};
