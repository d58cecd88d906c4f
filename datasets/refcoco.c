/*
 * refcoco.c - referring expression grounding: RefCOCO, RefCOCO+, RefCOCOg.
 *
 * "refcoco": the COCO-style files MDETR distributes
 * (finetune_refcoco_{val,testA,testB}.json, finetune_refcoco+_{val,testA,testB}.json,
 * finetune_refcocog_{val,test}.json and final_refexp_val.json in
 * mdetr_annotations.tar.gz, https://zenodo.org/record/4729015), which many
 * MLLM repositories reuse:
 *   {"images": [{"id": 0, "file_name": "COCO_train2014_000000581857.jpg",
 *     "caption": "the lady with the blue shirt", "height": 640,
 *     "width": 427, "original_id": 581857, ...}],
 *    "annotations": [{"image_id": 0, "bbox": [x, y, w, h], ...}]}
 * Each "images" entry is one referring expression; its box is the
 * annotation whose image_id is the entry's id.  One sample per expression,
 * id = the entry's id, question = the caption.
 *
 * "refcoco_jsonl": one JSON object per line,
 *   {"id": "...", "image": "COCO_train2014_....jpg", "expression": "...",
 *    "bbox": [x, y, w, h]   (COCO convention: top-left corner and size)
 *    or "box": [x1, y1, x2, y2] (corners), "width": 427, "height": 640}
 * "id" is optional (the line number is used when absent).
 *
 * Both convert the ground truth to [x1, y1, x2, y2] pixels once, at load
 * (x2 = x + w, no +1).  Image width and height come from the file, or when
 * absent from the image header (vl_image_size); a sample whose size is
 * unknown and whose image cannot be read is a bad record.
 *
 * Dataset keys: "annotations" (refcoco) or "path" (refcoco_jsonl)
 * required; "images" (image folder, COCO train2014 for all three sets);
 * "split" (recorded as metadata).
 */
#include "datasets/dataset.h"
#include "datasets/loader_util.h"

#include <math.h>
#include <string.h>

struct refcoco {
	struct vl_buf path, image_dir;
	char *split;
	/* refcoco: boxes by entry id */
	struct vl_idmap box_by_id;
	double (*boxes)[4];
	size_t nboxes, aboxes;
	struct vl_strv bad;
	size_t next_bad;
	struct vl_json_items items;
	/* refcoco_jsonl */
	struct vl_lines lines;
};

static void refcoco_close(void *handle)
{
	struct refcoco *r = handle;

	if (!r)
		return;
	vl_json_items_close(&r->items);
	vl_lines_close(&r->lines);
	vl_idmap_release(&r->box_by_id);
	vl_free(r->boxes);
	vl_strv_release(&r->bad);
	vl_buf_release(&r->path);
	vl_buf_release(&r->image_dir);
	vl_free(r->split);
	vl_free(r);
}

/* Reads 4 numbers of an array into out; VL_EINVAL when it is not one. */
static int read_box(const cJSON *v, double out[4])
{
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 4)
		return VL_EINVAL;
	for (int i = 0; i < 4; i++) {
		const cJSON *e = cJSON_GetArrayItem(v, i);
		if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble))
			return VL_EINVAL;
		out[i] = e->valuedouble;
	}
	return 0;
}

/* [x, y, w, h] -> [x1, y1, x2, y2]; VL_EINVAL on a negative size. */
static int xywh_to_corners(double b[4])
{
	if (b[2] < 0 || b[3] < 0)
		return VL_EINVAL;
	b[2] += b[0];
	b[3] += b[1];
	return 0;
}

static struct refcoco *refcoco_new(const struct vl_dataset_spec *spec)
{
	struct refcoco *r = vl_xcalloc(1, sizeof(*r));
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(spec->json, "split");

	if (cJSON_IsString(split))
		r->split = vl_xstrdup(split->valuestring);
	vl_spec_path(spec, "images", 0, &r->image_dir, NULL);
	return r;
}

static void add_bad(struct refcoco *r, const struct vl_json_items *it, const char *what)
{
	struct vl_buf msg = VL_BUF_INIT;

	vl_json_items_where(it, &msg);
	vl_buf_addf(&msg, ": %s", what);
	vl_strv_push_owned(&r->bad, vl_buf_detach(&msg, NULL));
}

static int read_boxes(struct refcoco *r, struct vl_buf *err)
{
	struct vl_json_items it;
	struct vl_buf id = VL_BUF_INIT, msg = VL_BUF_INIT;
	cJSON *rec;
	int rc = vl_json_items_open(&it, vl_buf_str(&r->path), "annotations", err);

	if (rc < 0)
		return rc;
	while ((rc = vl_json_items_next(&it, &rec, &msg)) != 0) {
		double b[4];
		size_t dup;

		if (rc < 0) {
			if (rc != VL_EPARSE) {
				vl_buf_adds(err, vl_buf_str(&msg));
				break;
			}
			vl_strv_push(&r->bad, vl_buf_str(&msg));
			vl_buf_reset(&msg);
			continue;
		}
		vl_buf_reset(&id);
		if (vl_json_id(cJSON_GetObjectItemCaseSensitive(rec, "image_id"), &id) < 0)
			add_bad(r, &it, "missing or invalid \"image_id\"");
		else if (read_box(cJSON_GetObjectItemCaseSensitive(rec, "bbox"), b) < 0 ||
			 xywh_to_corners(b) < 0)
			add_bad(r, &it, "missing or invalid \"bbox\" (expected [x, y, w, h])");
		else if (vl_idmap_get(&r->box_by_id, vl_buf_str(&id), &dup))
			add_bad(r, &it, "second annotation for the same \"image_id\"");
		else {
			if (r->nboxes == r->aboxes) {
				r->aboxes = r->aboxes ? r->aboxes * 2 : 256;
				r->boxes = vl_xrealloc(r->boxes, r->aboxes * sizeof(*r->boxes));
			}
			memcpy(r->boxes[r->nboxes], b, sizeof(b));
			vl_idmap_put(&r->box_by_id, vl_buf_str(&id), r->nboxes++);
		}
		cJSON_Delete(rec);
	}
	vl_json_items_close(&it);
	vl_buf_release(&id);
	vl_buf_release(&msg);
	return rc < 0 ? rc : 0;
}

static int refcoco_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct refcoco *r = refcoco_new(spec);
	int rc = vl_spec_path(spec, "annotations", 1, &r->path, err);

	if (rc >= 0)
		rc = read_boxes(r, err);
	if (rc >= 0)
		rc = vl_json_items_open(&r->items, vl_buf_str(&r->path), "images", err);
	if (rc == VL_ENOTFOUND)
		vl_buf_adds(err, " (the official files are MDETR's finetune_refcoco_{val,testA,testB}"
			    ".json, finetune_refcoco+_{val,testA,testB}.json, finetune_refcocog_"
			    "{val,test}.json and final_refexp_val.json, in mdetr_annotations.tar.gz "
			    "from https://zenodo.org/record/4729015/files/mdetr_annotations.tar.gz)");
	if (rc < 0) {
		refcoco_close(r);
		return rc;
	}
	*handle = r;
	return 0;
}

/* Width and height of s from its record or, when absent, the image header. */
static int fill_size(struct vl_sample *s, const cJSON *rec, const char *where,
		     struct vl_buf *err)
{
	struct vl_buf detail = VL_BUF_INIT;
	int rc = vl_json_get_dims(rec, "width", "height", &s->image_w, &s->image_h);

	if (rc < 0) {
		vl_buf_addf(err, "%s: invalid \"width\" or \"height\"", where);
		return VL_EPARSE;
	}
	if (rc == 1 && s->image_w > 0 && s->image_h > 0)
		return 0;
	if (vl_image_size(s->images.v[0], &s->image_w, &s->image_h, &detail) < 0) {
		vl_buf_addf(err, "%s: no \"width\"/\"height\" and %s", where, vl_buf_str(&detail));
		vl_buf_release(&detail);
		return VL_EPARSE;
	}
	vl_buf_release(&detail);
	return 0;
}

static int refcoco_record(struct refcoco *r, const cJSON *rec, const char *where,
			  struct vl_sample *s, struct vl_buf *err)
{
	const cJSON *fname = cJSON_GetObjectItemCaseSensitive(rec, "file_name");
	const cJSON *caption = cJSON_GetObjectItemCaseSensitive(rec, "caption");
	const cJSON *orig = cJSON_GetObjectItemCaseSensitive(rec, "original_id");
	struct vl_buf id = VL_BUF_INIT;
	const char *bad = NULL;
	size_t slot = 0;

	if (!cJSON_IsObject(rec))
		bad = "(record is not a JSON object)";
	else if (vl_json_id(cJSON_GetObjectItemCaseSensitive(rec, "id"), &id) < 0)
		bad = "id";
	else if (!cJSON_IsString(fname) || !*fname->valuestring)
		bad = "file_name";
	else if (!cJSON_IsString(caption))
		bad = "caption";
	if (bad) {
		if (bad[0] == '(')
			vl_buf_addf(err, "%s: record is not a JSON object", where);
		else
			vl_buf_addf(err, "%s: missing or invalid \"%s\"", where, bad);
		vl_buf_release(&id);
		return VL_EPARSE;
	}
	if (!vl_idmap_get(&r->box_by_id, vl_buf_str(&id), &slot)) {
		vl_buf_addf(err, "%s: no annotation with \"image_id\" %s (no box)", where,
			    vl_buf_str(&id));
		vl_buf_release(&id);
		return VL_EPARSE;
	}
	s->id = vl_buf_detach(&id, NULL);
	if (vl_sample_add_image(s, vl_buf_str(&r->image_dir), fname->valuestring, where, err) < 0)
		return VL_EPARSE;
	if (fill_size(s, rec, where, err) < 0)
		return VL_EPARSE;
	s->question = vl_xstrdup(caption->valuestring);
	memcpy(s->box, r->boxes[slot], sizeof(s->box));
	s->has_box = 1;
	if (orig && vl_json_id(orig, &id) == 0) {
		vl_sample_set_meta(s, "image_id", vl_buf_str(&id));
		vl_buf_release(&id);
	}
	if (r->split)
		vl_sample_set_meta(s, "split", r->split);
	return 1;
}

static int refcoco_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct refcoco *r = handle;
	struct vl_buf where = VL_BUF_INIT;
	cJSON *rec;
	int rc;

	if (r->next_bad < r->bad.n) {
		vl_buf_adds(err, r->bad.v[r->next_bad++]);
		return VL_EPARSE;
	}
	rc = vl_json_items_next(&r->items, &rec, err);
	if (rc <= 0)
		return rc;
	vl_json_items_where(&r->items, &where);
	rc = refcoco_record(r, rec, vl_buf_str(&where), s, err);
	if (rc < 0)
		vl_sample_release(s);
	cJSON_Delete(rec);
	vl_buf_release(&where);
	return rc;
}

const struct vl_loader vl_loader_refcoco = {
	.version = VL_LOADER_API_VERSION,
	.name = "refcoco",
	.description = "RefCOCO/RefCOCO+/RefCOCOg, MDETR COCO-style JSON (caption + bbox [x,y,w,h])",
	.open = refcoco_open,
	.next = refcoco_next,
	.close = refcoco_close,
};

static int jsonl_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct refcoco *r = refcoco_new(spec);
	int rc = vl_spec_path(spec, "path", 1, &r->path, err);

	if (rc >= 0)
		rc = vl_lines_open(&r->lines, vl_buf_str(&r->path), err);
	if (rc < 0) {
		refcoco_close(r);
		return rc;
	}
	*handle = r;
	return 0;
}

static int jsonl_record(struct refcoco *r, const cJSON *rec, const char *where,
			struct vl_sample *s, struct vl_buf *err)
{
	const cJSON *image = cJSON_GetObjectItemCaseSensitive(rec, "image");
	const cJSON *expr = cJSON_GetObjectItemCaseSensitive(rec, "expression");
	const cJSON *bbox = cJSON_GetObjectItemCaseSensitive(rec, "bbox");
	const cJSON *box = cJSON_GetObjectItemCaseSensitive(rec, "box");
	const cJSON *idv = cJSON_GetObjectItemCaseSensitive(rec, "id");
	struct vl_buf id = VL_BUF_INIT;
	const char *bad = NULL;

	if (!cJSON_IsObject(rec)) {
		vl_buf_addf(err, "%s: record is not a JSON object", where);
		return VL_EPARSE;
	}
	if (idv && vl_json_id(idv, &id) < 0)
		bad = "id";
	else if (!cJSON_IsString(image) || !*image->valuestring)
		bad = "image";
	else if (!cJSON_IsString(expr))
		bad = "expression";
	else if (bbox && box)
		bad = "bbox\" and \"box";
	else if (bbox && (read_box(bbox, s->box) < 0 || xywh_to_corners(s->box) < 0))
		bad = "bbox";
	else if (box && (read_box(box, s->box) < 0 || s->box[2] < s->box[0] ||
			 s->box[3] < s->box[1]))
		bad = "box";
	else if (!bbox && !box)
		bad = "bbox";
	if (bad) {
		vl_buf_addf(err, "%s: missing or invalid \"%s\"", where, bad);
		vl_buf_release(&id);
		return VL_EPARSE;
	}
	if (!idv)
		vl_buf_addf(&id, "%zu", r->lines.lineno);
	s->id = vl_buf_detach(&id, NULL);
	s->has_box = 1;
	if (vl_sample_add_image(s, vl_buf_str(&r->image_dir), image->valuestring, where, err) < 0)
		return VL_EPARSE;
	if (fill_size(s, rec, where, err) < 0)
		return VL_EPARSE;
	s->question = vl_xstrdup(expr->valuestring);
	if (r->split)
		vl_sample_set_meta(s, "split", r->split);
	return 1;
}

static int jsonl_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct refcoco *r = handle;
	struct vl_buf where = VL_BUF_INIT;
	size_t bad_off;
	cJSON *rec;
	int rc;

	do {
		rc = vl_lines_next(&r->lines, err);
		if (rc <= 0)
			return rc;
	} while (strspn(r->lines.line, " \t") == r->lines.len);
	vl_buf_addf(&where, "'%s' line %zu", vl_buf_str(&r->path), r->lines.lineno);
	if (!vl_utf8_valid(r->lines.line, r->lines.len, &bad_off)) {
		vl_buf_addf(err, "%s: invalid UTF-8 at byte %zu", vl_buf_str(&where), bad_off + 1);
		vl_buf_release(&where);
		return VL_EPARSE;
	}
	rec = cJSON_ParseWithLength(r->lines.line, r->lines.len);
	if (!rec) {
		vl_buf_addf(err, "%s: invalid JSON", vl_buf_str(&where));
		rc = VL_EPARSE;
	} else {
		rc = jsonl_record(r, rec, vl_buf_str(&where), s, err);
	}
	if (rc < 0)
		vl_sample_release(s);
	cJSON_Delete(rec);
	vl_buf_release(&where);
	return rc;
}

const struct vl_loader vl_loader_refcoco_jsonl = {
	.version = VL_LOADER_API_VERSION,
	.name = "refcoco_jsonl",
	.description = "grounding JSON lines (image, expression, bbox [x,y,w,h] or box "
		       "[x1,y1,x2,y2], width, height)",
	.open = jsonl_open,
	.next = jsonl_next,
	.close = refcoco_close,
};
