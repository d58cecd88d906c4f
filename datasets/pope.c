/*
 * pope.c - POPE question files: {"question_id", "image", "text", "label"}.
 *
 * The COCO files of AoiDragon/POPE are JSON lines; the SEEM-based A-OKVQA and
 * GQA files are one pretty-printed JSON array.  Both are read: the first
 * non-blank byte decides.  Labels are kept as written (the official script
 * counts every label other than "no" as positive, so "No" is positive there).
 *
 * Dataset keys: "questions" (required), "images" (image folder), "split"
 * (recorded as the sample's "split" metadata for breakdowns).
 */
#include "datasets/dataset.h"

#include <stdio.h>
#include <string.h>

struct pope {
	struct vl_buf path;
	struct vl_buf image_dir;
	char *split;
	struct vl_lines lines;   /* JSON-lines mode */
	cJSON *array;            /* array mode */
	const cJSON *cursor;
	size_t record;
};

static int pope_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct pope *p = vl_xcalloc(1, sizeof(*p));
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(spec->json, "split");
	FILE *f;
	int c, rc;

	rc = vl_spec_path(spec, "questions", 1, &p->path, err);
	if (rc < 0)
		goto fail;
	vl_spec_path(spec, "images", 0, &p->image_dir, err);
	if (cJSON_IsString(split))
		p->split = vl_xstrdup(split->valuestring);
	f = fopen(vl_buf_str(&p->path), "rb");
	if (!f) {
		vl_buf_addf(err, "cannot open POPE question file '%s' (the official files are "
			    "output/coco/coco_pope_*.json in the POPE repository)",
			    vl_buf_str(&p->path));
		rc = VL_ENOTFOUND;
		goto fail;
	}
	do
		c = fgetc(f);
	while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
	fclose(f);
	if (c == '[') {
		rc = vl_json_load(vl_buf_str(&p->path), &p->array, err);
		if (rc < 0)
			goto fail;
		p->cursor = p->array->child;
	} else {
		rc = vl_lines_open(&p->lines, vl_buf_str(&p->path), err);
		if (rc < 0)
			goto fail;
	}
	*handle = p;
	return 0;
fail:
	vl_buf_release(&p->path);
	vl_buf_release(&p->image_dir);
	vl_free(p->split);
	vl_free(p);
	return rc;
}

/* Fills s from one record; where names the record for messages. */
static int pope_record(struct pope *p, const cJSON *rec, const char *where,
		       struct vl_sample *s, struct vl_buf *err)
{
	const cJSON *qid = cJSON_GetObjectItemCaseSensitive(rec, "question_id");
	const cJSON *img = cJSON_GetObjectItemCaseSensitive(rec, "image");
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(rec, "text");
	const cJSON *label = cJSON_GetObjectItemCaseSensitive(rec, "label");
	struct vl_buf id = VL_BUF_INIT, path = VL_BUF_INIT;
	const char *missing = NULL;

	if (!cJSON_IsObject(rec))
		missing = "(record is not a JSON object)";
	else if (!qid || vl_json_id(qid, &id) < 0)
		missing = "question_id";
	else if (!cJSON_IsString(img))
		missing = "image";
	else if (!cJSON_IsString(text))
		missing = "text";
	if (missing) {
		vl_buf_addf(err, "%s: missing or invalid \"%s\"", where, missing);
		vl_buf_release(&id);
		return VL_EPARSE;
	}
	if (vl_image_resolve(vl_buf_str(&p->image_dir), img->valuestring, &path, err) < 0) {
		vl_buf_release(&id);
		vl_buf_release(&path);
		return VL_EPARSE;
	}
	s->id = vl_buf_detach(&id, NULL);
	s->question = vl_xstrdup(text->valuestring);
	vl_strv_push_owned(&s->images, vl_buf_detach(&path, NULL));
	if (cJSON_IsString(label)) {
		s->label_text = vl_xstrdup(label->valuestring);
		s->label = strcmp(label->valuestring, "no") ? VL_LABEL_YES : VL_LABEL_NO;
	}
	vl_sample_set_meta(s, "image", img->valuestring);
	if (p->split)
		vl_sample_set_meta(s, "split", p->split);
	return 1;
}

static int pope_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct pope *p = handle;
	struct vl_buf where = VL_BUF_INIT;
	cJSON *rec;
	int rc;

	if (p->array) {
		if (!p->cursor)
			return 0;
		p->record++;
		vl_buf_addf(&where, "'%s' record %zu", vl_buf_str(&p->path), p->record);
		rc = pope_record(p, p->cursor, vl_buf_str(&where), s, err);
		p->cursor = p->cursor->next;
		vl_buf_release(&where);
		return rc;
	}
	do {
		rc = vl_lines_next(&p->lines, err);
		if (rc <= 0)
			return rc;
	} while (p->lines.len == 0 || strspn(p->lines.line, " \t") == p->lines.len);
	vl_buf_addf(&where, "'%s' line %zu", vl_buf_str(&p->path), p->lines.lineno);
	rec = cJSON_ParseWithLength(p->lines.line, p->lines.len);
	if (!rec) {
		vl_buf_addf(err, "%s: invalid JSON", vl_buf_str(&where));
		rc = VL_EPARSE;
	} else {
		rc = pope_record(p, rec, vl_buf_str(&where), s, err);
	}
	cJSON_Delete(rec);
	vl_buf_release(&where);
	return rc;
}

static void pope_close(void *handle)
{
	struct pope *p = handle;
	if (!p)
		return;
	vl_lines_close(&p->lines);
	cJSON_Delete(p->array);
	vl_buf_release(&p->path);
	vl_buf_release(&p->image_dir);
	vl_free(p->split);
	vl_free(p);
}

const struct vl_loader vl_loader_pope = {
	.version = VL_LOADER_API_VERSION,
	.name = "pope",
	.description = "POPE question files (JSON lines or JSON array)",
	.open = pope_open,
	.next = pope_next,
	.close = pope_close,
};
