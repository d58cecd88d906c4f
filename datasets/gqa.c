/*
 * gqa.c - GQA question files (questions1.2/testdev_balanced_questions.json,
 * val_balanced_questions.json ... from cs.stanford.edu/people/dorarad/gqa):
 * one JSON object keyed by question id,
 *   {"201307251": {"imageId": "n7298", "question": "...", "answer": "yes",
 *    "fullAnswer": "...", "isBalanced": true,
 *    "types": {"structural": "verify", "semantic": "rel", "detailed": "..."},
 *    ...}, ...}
 * Images are "<imageId>.jpg" in the image folder (GQA's images/).  The one
 * accepted answer goes to sample.answers (exact-match accuracy); the three
 * question types become metadata "structural", "semantic", "detailed".
 * The test and challenge files have no answers.
 *
 * Dataset keys: "questions" (required), "images" (image folder).  The
 * object is streamed member by member.
 */
#include "datasets/dataset.h"
#include "datasets/loader_util.h"

#include <string.h>

/* A record of the object keyed by question id: the id is the member name. */
static int gqa_record(const struct vl_items_loader *g, const cJSON *rec, const char *where,
		      struct vl_sample *s, struct vl_buf *err)
{
	const char *qid = g->items.key;
	static const char *const type_keys[] = { "structural", "semantic", "detailed" };
	const cJSON *image = cJSON_GetObjectItemCaseSensitive(rec, "imageId");
	const cJSON *question = cJSON_GetObjectItemCaseSensitive(rec, "question");
	const cJSON *answer = cJSON_GetObjectItemCaseSensitive(rec, "answer");
	const cJSON *types = cJSON_GetObjectItemCaseSensitive(rec, "types");
	struct vl_buf ref = VL_BUF_INIT;
	const char *bad = NULL;

	if (!cJSON_IsObject(rec)) {
		vl_buf_addf(err, "%s: value is not a JSON object", where);
		return VL_EPARSE;
	}
	if (vl_json_id(image, &ref) < 0 || !ref.len)
		bad = "imageId";
	else if (!cJSON_IsString(question))
		bad = "question";
	else if (answer && !cJSON_IsString(answer) && !cJSON_IsNull(answer))
		bad = "answer";
	else if (types && !cJSON_IsObject(types) && !cJSON_IsNull(types))
		bad = "types";
	if (bad) {
		vl_buf_addf(err, "%s: missing or invalid \"%s\"", where, bad);
		vl_buf_release(&ref);
		return VL_EPARSE;
	}
	vl_buf_adds(&ref, ".jpg");
	if (vl_sample_add_image(s, vl_buf_str(&g->image_dir), vl_buf_str(&ref), where, err) < 0) {
		vl_buf_release(&ref);
		return VL_EPARSE;
	}
	vl_buf_release(&ref);
	s->id = vl_xstrdup(qid);
	s->question = vl_xstrdup(question->valuestring);
	if (cJSON_IsString(answer))
		vl_strv_push(&s->answers, answer->valuestring);
	for (size_t i = 0; i < 3; i++) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(types, type_keys[i]);
		if (cJSON_IsString(t))
			vl_sample_set_meta(s, type_keys[i], t->valuestring);
	}
	return 1;
}

static const struct vl_items_loader_desc gqa_desc = {
	.path_key = "questions",
	.items_key = NULL,
	.container = '{',
	.not_container = "top-level value is not a JSON object keyed by question id",
	.official = " (the official file is questions1.2/testdev_balanced_questions.json from "
		    "https://cs.stanford.edu/people/dorarad/gqa/download.html)",
	.record = gqa_record,
};

static int gqa_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	return vl_items_loader_open(spec, &gqa_desc, handle, err);
}

const struct vl_loader vl_loader_gqa = {
	.version = VL_LOADER_API_VERSION,
	.name = "gqa",
	.description = "GQA balanced questions (object keyed by question id)",
	.open = gqa_open,
	.next = vl_items_loader_next,
	.close = vl_items_loader_close,
};
