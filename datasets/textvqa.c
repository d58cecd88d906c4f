/*
 * textvqa.c - TextVQA annotation files (TextVQA_0.5.1_val.json and
 * _train/_test from textvqa.org/dataset):
 *   {"dataset_name": "textvqa", "data": [{"question_id": 34602,
 *    "question": "...", "image_id": "003a8ae2ef43b901", "answers": [x10],
 *    "image_width": 1024, "image_height": 664, "set_name": "val", ...}]}
 * Images are "<image_id>.jpg" in the image folder (val images live in
 * train_images/).  OCR tokens and the other keys are ignored; the test file
 * has no answers.  set_name becomes the "split" metadata.
 *
 * Dataset keys: "annotations" (required), "images" (image folder).
 * The "data" array is streamed element by element.
 */
#include "datasets/dataset.h"
#include "datasets/loader_util.h"

#include <string.h>

static int textvqa_record(const struct vl_items_loader *t, const cJSON *rec, const char *where,
			  struct vl_sample *s, struct vl_buf *err)
{
	const cJSON *qid = cJSON_GetObjectItemCaseSensitive(rec, "question_id");
	const cJSON *question = cJSON_GetObjectItemCaseSensitive(rec, "question");
	const cJSON *image_id = cJSON_GetObjectItemCaseSensitive(rec, "image_id");
	const cJSON *answers = cJSON_GetObjectItemCaseSensitive(rec, "answers");
	const cJSON *set = cJSON_GetObjectItemCaseSensitive(rec, "set_name");
	struct vl_buf id = VL_BUF_INIT, image = VL_BUF_INIT;
	const char *bad = NULL;

	if (!cJSON_IsObject(rec)) {
		vl_buf_addf(err, "%s: record is not a JSON object", where);
		return VL_EPARSE;
	}
	if (vl_json_id(qid, &id) < 0)
		bad = "question_id";
	else if (!cJSON_IsString(question))
		bad = "question";
	else if (vl_json_id(image_id, &image) < 0 || !image.len)
		bad = "image_id";
	else if (answers && !cJSON_IsNull(answers) &&
		 (!cJSON_IsArray(answers) || vl_json_push_strings(answers, &s->answers) < 0))
		bad = "answers";
	else if (vl_json_get_dims(rec, "image_width", "image_height", &s->image_w,
				  &s->image_h) < 0)
		bad = "image_width";
	if (bad) {
		vl_buf_addf(err, "%s: missing or invalid \"%s\"", where, bad);
		vl_buf_release(&id);
		vl_buf_release(&image);
		return VL_EPARSE;
	}
	vl_buf_adds(&image, ".jpg");
	s->id = vl_buf_detach(&id, NULL);
	if (vl_sample_add_image(s, vl_buf_str(&t->image_dir), vl_buf_str(&image), where, err) < 0) {
		vl_buf_release(&image);
		return VL_EPARSE;
	}
	vl_buf_release(&image);
	s->question = vl_xstrdup(question->valuestring);
	if (cJSON_IsString(set))
		vl_sample_set_meta(s, "split", set->valuestring);
	return 1;
}

static const struct vl_items_loader_desc textvqa_desc = {
	.path_key = "annotations",
	.items_key = "data",
	.container = '[',
	.not_container = "\"data\" is not a JSON array",
	.official = " (the official file is TextVQA_0.5.1_val.json from "
		    "https://textvqa.org/dataset/)",
	.record = textvqa_record,
};

static int textvqa_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	return vl_items_loader_open(spec, &textvqa_desc, handle, err);
}

const struct vl_loader vl_loader_textvqa = {
	.version = VL_LOADER_API_VERSION,
	.name = "textvqa",
	.description = "TextVQA annotations ({\"data\": [question_id, question, image_id, answers]})",
	.open = textvqa_open,
	.next = vl_items_loader_next,
	.close = vl_items_loader_close,
};
