/*
 * vizwiz.c - VizWiz VQA annotation files (Annotations/val.json, train.json,
 * test.json from vizwiz.org): one JSON array of
 *   {"image": "VizWiz_val_00000000.jpg", "question": "...",
 *    "answers": [{"answer": "...", "answer_confidence": "yes"}, ... x10],
 *    "answerable": 1, "answer_type": "other"}
 * The test file has no answers.  VizWiz has one question per image, and its
 * submission format is keyed by image name, so the image name is the id.
 * Answers go to sample.answers in file order (VQA accuracy over the ten);
 * answer_type and answerable become metadata.
 *
 * Dataset keys: "annotations" (required), "images" (image folder).
 * Streamed element by element (datasets/json_items.c).
 */
#include "datasets/dataset.h"
#include "datasets/loader_util.h"

#include <string.h>

struct vizwiz {
	struct vl_buf path, image_dir;
	struct vl_json_items items;
};

static int vizwiz_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct vizwiz *v = vl_xcalloc(1, sizeof(*v));
	int rc = vl_spec_path(spec, "annotations", 1, &v->path, err);

	if (rc >= 0) {
		vl_spec_path(spec, "images", 0, &v->image_dir, err);
		rc = vl_json_items_open(&v->items, vl_buf_str(&v->path), NULL, err);
		if (rc == VL_ENOTFOUND)
			vl_buf_adds(err, " (the official file is Annotations/val.json from "
				    "https://vizwiz.org/tasks-and-datasets/vqa/)");
		else if (rc >= 0 && v->items.container != '[') {
			vl_buf_addf(err, "'%s': top-level value is not a JSON array",
				    vl_buf_str(&v->path));
			vl_json_items_close(&v->items);
			rc = VL_EPARSE;
		}
	}
	if (rc < 0) {
		vl_buf_release(&v->path);
		vl_buf_release(&v->image_dir);
		vl_free(v);
		return rc;
	}
	*handle = v;
	return 0;
}

static int vizwiz_record(struct vizwiz *v, const cJSON *rec, const char *where,
			 struct vl_sample *s, struct vl_buf *err)
{
	const cJSON *image = cJSON_GetObjectItemCaseSensitive(rec, "image");
	const cJSON *question = cJSON_GetObjectItemCaseSensitive(rec, "question");
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(rec, "answers");
	const cJSON *atype = cJSON_GetObjectItemCaseSensitive(rec, "answer_type");
	const cJSON *answerable = cJSON_GetObjectItemCaseSensitive(rec, "answerable");
	const char *bad = NULL;
	const cJSON *a;

	if (!cJSON_IsObject(rec)) {
		vl_buf_addf(err, "%s: record is not a JSON object", where);
		return VL_EPARSE;
	}
	if (!cJSON_IsString(image) || !*image->valuestring)
		bad = "image";
	else if (!cJSON_IsString(question))
		bad = "question";
	else if (answers && !cJSON_IsArray(answers) && !cJSON_IsNull(answers))
		bad = "answers";
	else if (atype && !cJSON_IsString(atype) && !cJSON_IsNull(atype))
		bad = "answer_type";
	else if (answerable && !cJSON_IsNumber(answerable) && !cJSON_IsBool(answerable))
		bad = "answerable";
	if (bad) {
		vl_buf_addf(err, "%s: missing or invalid \"%s\"", where, bad);
		return VL_EPARSE;
	}
	cJSON_ArrayForEach(a, answers) {
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(a, "answer");
		if (!cJSON_IsString(text)) {
			vl_buf_addf(err, "%s: \"answers\" element %zu has no \"answer\" string",
				    where, s->answers.n + 1);
			return VL_EPARSE;
		}
		vl_strv_push(&s->answers, text->valuestring);
	}
	if (vl_sample_add_image(s, vl_buf_str(&v->image_dir), image->valuestring, where, err) < 0)
		return VL_EPARSE;
	s->id = vl_xstrdup(image->valuestring);
	s->question = vl_xstrdup(question->valuestring);
	if (cJSON_IsString(atype))
		vl_sample_set_meta(s, "answer_type", atype->valuestring);
	if (answerable)
		vl_sample_set_meta(s, "answerable",
				   (cJSON_IsTrue(answerable) ||
				    (cJSON_IsNumber(answerable) && answerable->valuedouble != 0))
					   ? "1" : "0");
	return 1;
}

static int vizwiz_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct vizwiz *v = handle;
	struct vl_buf where = VL_BUF_INIT;
	cJSON *rec;
	int rc = vl_json_items_next(&v->items, &rec, err);

	if (rc <= 0)
		return rc;
	vl_json_items_where(&v->items, &where);
	rc = vizwiz_record(v, rec, vl_buf_str(&where), s, err);
	if (rc < 0)
		vl_sample_release(s);
	cJSON_Delete(rec);
	vl_buf_release(&where);
	return rc;
}

static void vizwiz_close(void *handle)
{
	struct vizwiz *v = handle;

	if (!v)
		return;
	vl_json_items_close(&v->items);
	vl_buf_release(&v->path);
	vl_buf_release(&v->image_dir);
	vl_free(v);
}

const struct vl_loader vl_loader_vizwiz = {
	.version = VL_LOADER_API_VERSION,
	.name = "vizwiz",
	.description = "VizWiz VQA annotations (JSON array of image, question, answers)",
	.open = vizwiz_open,
	.next = vizwiz_next,
	.close = vizwiz_close,
};
