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

static int vizwiz_record(const struct vl_items_loader *v, const cJSON *rec, const char *where,
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

static const struct vl_items_loader_desc vizwiz_desc = {
	.path_key = "annotations",
	.items_key = NULL,
	.container = '[',
	.not_container = "top-level value is not a JSON array",
	.official = " (the official file is Annotations/val.json from "
		    "https://vizwiz.org/tasks-and-datasets/vqa/)",
	.record = vizwiz_record,
};

static int vizwiz_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	return vl_items_loader_open(spec, &vizwiz_desc, handle, err);
}

const struct vl_loader vl_loader_vizwiz = {
	.version = VL_LOADER_API_VERSION,
	.name = "vizwiz",
	.description = "VizWiz VQA annotations (JSON array of image, question, answers)",
	.open = vizwiz_open,
	.next = vl_items_loader_next,
	.close = vl_items_loader_close,
};
