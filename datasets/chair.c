/*
 * chair.c - CHAIR (Rohrbach et al. 2018, "Object Hallucination in Image
 * Captioning") over a COCO captioning set.  Two official COCO files:
 *   "annotations": captions_val2014.json (images + reference captions),
 *   "instances":   instances_val2014.json (categories[] id -> name,
 *                  annotations[] image_id + category_id),
 * both from cocodataset.org (2014 Train/Val annotations).  One sample per
 * selected image: the reference captions, and sample.objects = the names
 * of the COCO categories annotated on the image (distinct, by category
 * id).  The metric adds the objects mentioned in the reference captions,
 * as the CHAIR script does; the loader only supplies the two sources.
 *
 * Selection: "image_ids" (a text file of image ids, one per line, e.g. the
 * 500 ids of a paper) or "max_images" N with "seed" S: the N images with
 * the smallest 64-bit FNV-1a hash of their id under S, emitted in file
 * order, so the same N and S give the same images on every machine.
 * Without either key every image is used.
 *
 * Dataset keys: "annotations" and "instances" (required), "images" (image
 * folder), "image_ids", "max_images", "seed".  Both files are streamed;
 * only the images table, the selected images' captions and their category
 * ids stay in memory.
 */
#include "datasets/coco.h"
#include "datasets/dataset.h"

#include <stdlib.h>
#include <string.h>

struct chair {
	struct vl_buf path, inst_path, image_dir;
	struct vl_coco_set set;
	struct vl_idmap cat_by_id;   /* category id -> index in cat_names */
	struct vl_strv cat_names;
	size_t next_bad, next_image;
};

struct ranked {
	uint64_t hash;
	size_t slot;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int select_images(struct chair *c, const struct vl_dataset_spec *spec,
			 struct vl_buf *err)
{
	const cJSON *ids = cJSON_GetObjectItemCaseSensitive(spec->json, "image_ids");
	const cJSON *maxv = cJSON_GetObjectItemCaseSensitive(spec->json, "max_images");
	const cJSON *seedv = cJSON_GetObjectItemCaseSensitive(spec->json, "seed");
	struct vl_coco_set *set = &c->set;

	if (ids) {
		struct vl_buf path = VL_BUF_INIT;
		struct vl_lines lines;
		int rc;

		vl_spec_path(spec, "image_ids", 1, &path, err);
		rc = vl_lines_open(&lines, vl_buf_str(&path), err);
		if (rc < 0) {
			vl_buf_release(&path);
			return rc;
		}
		for (size_t i = 0; i < set->n; i++)
			set->v[i].selected = 0;
		while ((rc = vl_lines_next(&lines, err)) > 0) {
			size_t slot;
			char *p = lines.line;
			p += strspn(p, " \t");
			if (!*p)
				continue;
			p[strcspn(p, " \t")] = '\0';
			if (vl_idmap_get(&set->by_id, p, &slot)) {
				set->v[slot].selected = 1;
			} else {
				struct vl_buf msg = VL_BUF_INIT;
				vl_buf_addf(&msg, "'%s' line %zu: image id '%s' is not in '%s'",
					    vl_buf_str(&path), lines.lineno, p, vl_buf_str(&c->path));
				vl_strv_push_owned(&set->bad, vl_buf_detach(&msg, NULL));
			}
		}
		vl_lines_close(&lines);
		vl_buf_release(&path);
		return rc;
	}
	if (maxv) {
		uint64_t seed = 0;
		struct ranked *r;
		size_t n;

		if (!cJSON_IsNumber(maxv) || maxv->valuedouble < 1) {
			vl_buf_addf(err, "task '%s': dataset \"max_images\" must be a positive "
				    "number", spec->task);
			return VL_EINVAL;
		}
		if (seedv && !cJSON_IsNumber(seedv)) {
			vl_buf_addf(err, "task '%s': dataset \"seed\" must be a number", spec->task);
			return VL_EINVAL;
		}
		if (seedv) {
			long long s;
			if (vl_whole_ll(seedv->valuedouble, &s) < 0 || s < 0) {
				vl_buf_addf(err, "task '%s': dataset \"seed\" must be a whole number "
					    "from 0 to 2^63", spec->task);
				return VL_EINVAL;
			}
			seed = (uint64_t)s;
		}
		/* past the size of any set: all of it (the conversion of a larger
		 * double to size_t would be undefined) */
		n = maxv->valuedouble < 1e15 ? (size_t)maxv->valuedouble : SIZE_MAX;
		if (n >= set->n)
			return 0;
		r = vl_xmalloc((set->n ? set->n : 1) * sizeof(*r));
		for (size_t i = 0; i < set->n; i++) {
			r[i].hash = vl_hash64(set->v[i].id, strlen(set->v[i].id),
					      VL_HASH_SEED ^ (seed * 0x9e3779b97f4a7c15ULL));
			r[i].slot = i;
			set->v[i].selected = 0;
		}
		qsort(r, set->n, sizeof(*r), cmp_ranked);
		for (size_t i = 0; i < n; i++)
			set->v[r[i].slot].selected = 1;
		vl_free(r);
	}
	return 0;
}

static void add_cat(struct vl_coco_image *im, int cat)
{
	size_t i = 0;

	while (i < im->ncats && im->cats[i] < cat)
		i++;
	if (i < im->ncats && im->cats[i] == cat)
		return;
	if (im->ncats == im->acats) {
		im->acats = im->acats ? im->acats * 2 : 4;
		im->cats = vl_xrealloc(im->cats, im->acats * sizeof(int));
	}
	memmove(im->cats + i + 1, im->cats + i, (im->ncats - i) * sizeof(int));
	im->cats[i] = cat;
	im->ncats++;
}

static void add_bad(struct chair *c, const struct vl_json_items *it, const char *what)
{
	struct vl_buf msg = VL_BUF_INIT;

	vl_json_items_where(it, &msg);
	vl_buf_addf(&msg, ": %s", what);
	vl_strv_push_owned(&c->set.bad, vl_buf_detach(&msg, NULL));
}

/* One pass over "annotations" (category ids of selected images), one over
 * "categories" (names). */
static int read_instances(struct chair *c, struct vl_buf *err)
{
	const char *path = vl_buf_str(&c->inst_path);
	struct vl_buf id = VL_BUF_INIT, msg = VL_BUF_INIT;
	struct vl_json_items it;
	cJSON *rec;
	int rc;

	for (int pass = 0; pass < 2; pass++) {
		rc = vl_json_items_open(&it, path, pass ? "categories" : "annotations", err);
		if (rc < 0)
			break;
		while ((rc = vl_json_items_next(&it, &rec, &msg)) != 0) {
			const cJSON *cat = cJSON_GetObjectItemCaseSensitive(rec, "category_id");
			const cJSON *name = cJSON_GetObjectItemCaseSensitive(rec, "name");
			const cJSON *cid = cJSON_GetObjectItemCaseSensitive(rec, "id");
			size_t slot;

			if (rc < 0) {
				if (rc != VL_EPARSE) {
					vl_buf_adds(err, vl_buf_str(&msg));
					break;
				}
				vl_strv_push(&c->set.bad, vl_buf_str(&msg));
				vl_buf_reset(&msg);
				continue;
			}
			vl_buf_reset(&id);
			if (pass == 0) {
				if (vl_json_id(cJSON_GetObjectItemCaseSensitive(rec, "image_id"),
					       &id) < 0)
					add_bad(c, &it, "missing or invalid \"image_id\"");
				else if (!cJSON_IsNumber(cat))
					add_bad(c, &it, "missing or invalid \"category_id\"");
				else if (vl_idmap_get(&c->set.by_id, vl_buf_str(&id), &slot) &&
					 c->set.v[slot].selected)
					add_cat(&c->set.v[slot], cat->valueint);
			} else {
				if (!cJSON_IsNumber(cid))
					add_bad(c, &it, "missing or invalid \"id\"");
				else if (!cJSON_IsString(name))
					add_bad(c, &it, "missing or invalid \"name\"");
				else {
					vl_json_id(cid, &id);
					vl_idmap_put(&c->cat_by_id, vl_buf_str(&id), c->cat_names.n);
					vl_strv_push(&c->cat_names, name->valuestring);
				}
			}
			cJSON_Delete(rec);
		}
		vl_json_items_close(&it);
		if (rc < 0)
			break;
	}
	vl_buf_release(&id);
	vl_buf_release(&msg);
	return rc < 0 ? rc : 0;
}

static void chair_close(void *handle)
{
	struct chair *c = handle;

	if (!c)
		return;
	vl_coco_set_release(&c->set);
	vl_idmap_release(&c->cat_by_id);
	vl_strv_release(&c->cat_names);
	vl_buf_release(&c->path);
	vl_buf_release(&c->inst_path);
	vl_buf_release(&c->image_dir);
	vl_free(c);
}

static int chair_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct chair *c = vl_xcalloc(1, sizeof(*c));
	int rc = vl_spec_path(spec, "annotations", 1, &c->path, err);

	if (rc >= 0)
		rc = vl_spec_path(spec, "instances", 1, &c->inst_path, err);
	if (rc >= 0) {
		vl_spec_path(spec, "images", 0, &c->image_dir, err);
		rc = vl_coco_read_images(&c->set, vl_buf_str(&c->path), err);
	}
	if (rc >= 0)
		rc = select_images(c, spec, err);
	if (rc >= 0)
		rc = vl_coco_read_captions(&c->set, vl_buf_str(&c->path), 1, err);
	if (rc >= 0)
		rc = read_instances(c, err);
	if (rc == VL_ENOTFOUND)
		vl_buf_adds(err, " (the official files are annotations/captions_val2014.json "
			    "and annotations/instances_val2014.json from "
			    "https://cocodataset.org/#download, 2014 Train/Val annotations)");
	if (rc < 0) {
		chair_close(c);
		return rc;
	}
	*handle = c;
	return 0;
}

static int chair_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct chair *c = handle;
	struct vl_coco_image *im;
	struct vl_buf key = VL_BUF_INIT;
	int rc;

	if (c->next_bad < c->set.bad.n) {
		vl_buf_adds(err, c->set.bad.v[c->next_bad++]);
		return VL_EPARSE;
	}
	while (c->next_image < c->set.n && !c->set.v[c->next_image].selected)
		c->next_image++;
	if (c->next_image >= c->set.n)
		return 0;
	im = &c->set.v[c->next_image];
	rc = vl_coco_fill(&c->set, c->next_image++, vl_buf_str(&c->path),
			  vl_buf_str(&c->image_dir), s, err);
	if (rc < 0) {
		vl_sample_release(s);
		return rc;
	}
	for (size_t i = 0; i < im->ncats; i++) {
		size_t k;
		vl_buf_reset(&key);
		vl_buf_addf(&key, "%d", im->cats[i]);
		if (vl_idmap_get(&c->cat_by_id, vl_buf_str(&key), &k))
			vl_strv_push(&s->objects, c->cat_names.v[k]);
	}
	vl_buf_release(&key);
	return 1;
}

const struct vl_loader vl_loader_chair = {
	.version = VL_LOADER_API_VERSION,
	.name = "chair",
	.description = "CHAIR: COCO captions plus COCO instance annotations (objects per image)",
	.open = chair_open,
	.next = chair_next,
	.close = chair_close,
};
