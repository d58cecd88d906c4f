/*
 * coco_karpathy.c - the Karpathy splits (dataset_coco.json,
 * dataset_flickr30k.json, dataset_flickr8k.json from Andrej Karpathy's
 * caption_datasets.zip, cs.stanford.edu/people/karpathy/deepimagesent):
 *   {"images": [{"filepath": "val2014", "filename": "COCO_val2014_...jpg",
 *     "split": "test", "sentences": [{"raw": "A man ...", "tokens": [...]}],
 *     "cocoid": 391895, "imgid": 0, ...}], "dataset": "coco"}
 * One sample per image of the selected split; the reference captions are
 * the sentences' "raw" text.  The id is "cocoid" when present (COCO), else
 * "imgid" (Flickr30k, Flickr8k).  The image is "<filepath>/<filename>"
 * under the image folder (Flickr files have no filepath).
 *
 * Dataset keys: "annotations" (required), "images" (image folder), "split"
 * ("test" by default; "val", "train", "restval").  dataset_coco.json is
 * 140 MB: the "images" array is streamed element by element.
 */
#include "datasets/dataset.h"
#include "datasets/loader_util.h"

#include <string.h>

struct karpathy {
	struct vl_buf path, image_dir;
	char *split;
	struct vl_json_items items;
};

static int karpathy_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct karpathy *k = vl_xcalloc(1, sizeof(*k));
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(spec->json, "split");
	int rc = vl_spec_path(spec, "annotations", 1, &k->path, err);

	k->split = vl_xstrdup(cJSON_IsString(split) ? split->valuestring : "test");
	if (rc >= 0) {
		vl_spec_path(spec, "images", 0, &k->image_dir, err);
		rc = vl_json_items_open(&k->items, vl_buf_str(&k->path), "images", err);
		if (rc == VL_ENOTFOUND)
			vl_buf_adds(err, " (the official files are dataset_coco.json and "
				    "dataset_flickr30k.json from Karpathy's caption_datasets.zip, "
				    "https://cs.stanford.edu/people/karpathy/deepimagesent/)");
		else if (rc >= 0 && k->items.container != '[') {
			vl_buf_addf(err, "'%s': \"images\" is not a JSON array",
				    vl_buf_str(&k->path));
			vl_json_items_close(&k->items);
			rc = VL_EPARSE;
		}
	}
	if (rc < 0) {
		vl_buf_release(&k->path);
		vl_buf_release(&k->image_dir);
		vl_free(k->split);
		vl_free(k);
		return rc;
	}
	*handle = k;
	return 0;
}

/* 1: a sample; 0: another split (skip); VL_EPARSE: bad record. */
static int karpathy_record(struct karpathy *k, const cJSON *rec, const char *where,
			   struct vl_sample *s, struct vl_buf *err)
{
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(rec, "split");
	const cJSON *fname = cJSON_GetObjectItemCaseSensitive(rec, "filename");
	const cJSON *fpath = cJSON_GetObjectItemCaseSensitive(rec, "filepath");
	const cJSON *sents = cJSON_GetObjectItemCaseSensitive(rec, "sentences");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "cocoid");
	const char *id_key = "cocoid";
	struct vl_buf ref = VL_BUF_INIT, idb = VL_BUF_INIT;
	const char *bad = NULL;
	const cJSON *e;

	if (!cJSON_IsObject(rec)) {
		vl_buf_addf(err, "%s: record is not a JSON object", where);
		return VL_EPARSE;
	}
	if (!cJSON_IsString(split)) {
		vl_buf_addf(err, "%s: missing or invalid \"split\"", where);
		return VL_EPARSE;
	}
	if (strcmp(split->valuestring, k->split))
		return 0;
	if (!id) {
		id = cJSON_GetObjectItemCaseSensitive(rec, "imgid");
		id_key = "imgid";
	}
	if (vl_json_id(id, &idb) < 0)
		bad = id_key;
	else if (!cJSON_IsString(fname) || !*fname->valuestring)
		bad = "filename";
	else if (fpath && !cJSON_IsString(fpath))
		bad = "filepath";
	else if (!cJSON_IsArray(sents))
		bad = "sentences";
	if (bad) {
		vl_buf_addf(err, "%s: missing or invalid \"%s\"", where, bad);
		vl_buf_release(&idb);
		return VL_EPARSE;
	}
	cJSON_ArrayForEach(e, sents) {
		const cJSON *raw = cJSON_GetObjectItemCaseSensitive(e, "raw");
		if (!cJSON_IsString(raw)) {
			vl_buf_addf(err, "%s: \"sentences\" element %zu has no \"raw\" string",
				    where, s->captions.n + 1);
			vl_buf_release(&idb);
			return VL_EPARSE;
		}
		vl_strv_push(&s->captions, raw->valuestring);
	}
	if (cJSON_IsString(fpath) && *fpath->valuestring) {
		vl_buf_adds(&ref, fpath->valuestring);
		vl_buf_addch(&ref, '/');
	}
	vl_buf_adds(&ref, fname->valuestring);
	s->id = vl_buf_detach(&idb, NULL);
	if (vl_sample_add_image(s, vl_buf_str(&k->image_dir), vl_buf_str(&ref), where, err) < 0) {
		vl_buf_release(&ref);
		return VL_EPARSE;
	}
	vl_buf_release(&ref);
	vl_sample_set_meta(s, "split", split->valuestring);
	return 1;
}

static int karpathy_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct karpathy *k = handle;
	struct vl_buf where = VL_BUF_INIT;
	int rc;

	do {
		cJSON *rec;
		rc = vl_json_items_next(&k->items, &rec, err);
		if (rc <= 0)
			break;
		vl_buf_reset(&where);
		vl_json_items_where(&k->items, &where);
		rc = karpathy_record(k, rec, vl_buf_str(&where), s, err);
		if (rc < 0)
			vl_sample_release(s);
		cJSON_Delete(rec);
	} while (rc == 0);
	vl_buf_release(&where);
	return rc;
}

static void karpathy_close(void *handle)
{
	struct karpathy *k = handle;

	if (!k)
		return;
	vl_json_items_close(&k->items);
	vl_buf_release(&k->path);
	vl_buf_release(&k->image_dir);
	vl_free(k->split);
	vl_free(k);
}

const struct vl_loader vl_loader_coco_karpathy = {
	.version = VL_LOADER_API_VERSION,
	.name = "coco_karpathy",
	.description = "Karpathy caption splits (dataset_coco.json, dataset_flickr30k.json)",
	.open = karpathy_open,
	.next = karpathy_next,
	.close = karpathy_close,
};
