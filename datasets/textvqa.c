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

struct textvqa {
	struct vl_buf path, image_dir;
	struct vl_json_items items;
};

static int textvqa_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct textvqa *t = vl_xcalloc(1, sizeof(*t));
	int rc = vl_spec_path(spec, "annotations", 1, &t->path, err);

	if (rc >= 0) {
		vl_spec_path(spec, "images", 0, &t->image_dir, err);
		rc = vl_json_items_open(&t->items, vl_buf_str(&t->path), "data", err);
		if (rc == VL_ENOTFOUND)
			vl_buf_adds(err, " (the official file is TextVQA_0.5.1_val.json from "
				    "https://textvqa.org/dataset/)");
		else if (rc >= 0 && t->items.container != '[') {
			vl_buf_addf(err, "'%s': \"data\" is not a JSON array", vl_buf_str(&t->path));
			vl_json_items_close(&t->items);
			rc = VL_EPARSE;
		}
	}
	if (rc < 0) {
		vl_buf_release(&t->path);
		vl_buf_release(&t->image_dir);
		vl_free(t);
		return rc;
	}
	*handle = t;
	return 0;
}

static int textvqa_record(struct textvqa *t, const cJSON *rec, const char *where,
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

static int textvqa_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct textvqa *t = handle;
	struct vl_buf where = VL_BUF_INIT;
	cJSON *rec;
	int rc = vl_json_items_next(&t->items, &rec, err);

	if (rc <= 0)
		return rc;
	vl_json_items_where(&t->items, &where);
	rc = textvqa_record(t, rec, vl_buf_str(&where), s, err);
	if (rc < 0)
		vl_sample_release(s);
	cJSON_Delete(rec);
	vl_buf_release(&where);
	return rc;
}

static void textvqa_close(void *handle)
{
	struct textvqa *t = handle;

	if (!t)
		return;
	vl_json_items_close(&t->items);
	vl_buf_release(&t->path);
	vl_buf_release(&t->image_dir);
	vl_free(t);
}

const struct vl_loader vl_loader_textvqa = {
	.version = VL_LOADER_API_VERSION,
	.name = "textvqa",
	.description = "TextVQA annotations ({\"data\": [question_id, question, image_id, answers]})",
	.open = textvqa_open,
	.next = textvqa_next,
	.close = textvqa_close,
};
