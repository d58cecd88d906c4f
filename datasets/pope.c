/*
 * pope.c - POPE question files: {"question_id", "image", "text", "label"}.
 *
 * The COCO files of AoiDragon/POPE are JSON lines; the SEEM-based A-OKVQA and
 * GQA files are one pretty-printed JSON array.  Both are read: the first
 * non-blank byte decides.  Labels are kept as written (the official script
 * counts every label other than "no" as positive, so "No" is positive there).
 *
 * Dataset keys: "questions" (required), "images" (image folder), "split"
 * (recorded as the sample's "split" metadata for breakdowns).  Or, to pool
 * several splits in one run (per-split breakdown plus the pooled overall):
 * "files": [{"questions": ..., "split": "random"}, ...]; question ids repeat
 * across the official files, so sample ids are then "SPLIT/question_id".
 */
#include "datasets/dataset.h"

#include <stdio.h>
#include <string.h>

struct pope {
	struct vl_buf path;       /* the file being read */
	struct vl_buf image_dir;
	char *split;              /* its split, or NULL */
	const struct vl_dataset_spec *spec;
	const cJSON *files;       /* "files" array, or NULL */
	const cJSON *next_file;   /* next element of files to open */
	int prefix_ids;           /* ids are "split/question_id" */
	struct vl_lines lines;   /* JSON-lines mode */
	cJSON *array;            /* array mode */
	const cJSON *cursor;
	size_t record;
};

/* Opens the file at p->path, JSON lines or one JSON array. */
static int open_file(struct pope *p, struct vl_buf *err)
{
	FILE *f = fopen(vl_buf_str(&p->path), "rb");
	int c;

	if (!f) {
		vl_buf_addf(err, "cannot open POPE question file '%s' (the official files are "
			    "output/coco/coco_pope_*.json in the POPE repository)",
			    vl_buf_str(&p->path));
		return VL_ENOTFOUND;
	}
	do
		c = fgetc(f);
	while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
	fclose(f);
	if (c == '[') {
		int rc = vl_json_load(vl_buf_str(&p->path), &p->array, err);
		if (rc < 0)
			return rc;
		p->cursor = p->array->child;
		p->record = 0;
		return 0;
	}
	return vl_lines_open(&p->lines, vl_buf_str(&p->path), err);
}

static void close_file(struct pope *p)
{
	vl_lines_close(&p->lines);
	cJSON_Delete(p->array);
	p->array = NULL;
	p->cursor = NULL;
}

/* Opens the next entry of "files"; 0 when there is none left. */
static int open_next(struct pope *p, struct vl_buf *err)
{
	const cJSON *e = p->next_file, *q, *sp;

	if (!e)
		return 0;
	p->next_file = e->next;
	q = cJSON_GetObjectItemCaseSensitive(e, "questions");
	sp = cJSON_GetObjectItemCaseSensitive(e, "split");
	if (!cJSON_IsString(q) || !cJSON_IsString(sp)) {
		vl_buf_addf(err, "task '%s': every \"files\" entry needs \"questions\" and \"split\" "
			    "strings", p->spec->task);
		return VL_EINVAL;
	}
	close_file(p);
	vl_buf_reset(&p->path);
	vl_path_join(&p->path, p->spec->data_root, q->valuestring);
	vl_free(p->split);
	p->split = vl_xstrdup(sp->valuestring);
	return open_file(p, err) < 0 ? VL_ENOTFOUND : 1;
}

static void pope_close(void *handle);

static int pope_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct pope *p = vl_xcalloc(1, sizeof(*p));
	const cJSON *split = cJSON_GetObjectItemCaseSensitive(spec->json, "split");
	int rc;

	p->spec = spec;
	vl_spec_path(spec, "images", 0, &p->image_dir, err);
	p->files = cJSON_GetObjectItemCaseSensitive(spec->json, "files");
	if (p->files) {
		if (!cJSON_IsArray(p->files) || !p->files->child) {
			vl_buf_addf(err, "task '%s': \"files\" must be a non-empty array", spec->task);
			rc = VL_EINVAL;
			goto fail;
		}
		/* every file must exist now, not after the first split is done */
		for (const cJSON *e = p->files->child; e; e = e->next) {
			const cJSON *q = cJSON_GetObjectItemCaseSensitive(e, "questions");
			struct vl_buf path = VL_BUF_INIT;
			FILE *f;
			if (!cJSON_IsString(q))
				continue;
			vl_path_join(&path, spec->data_root, q->valuestring);
			f = fopen(vl_buf_str(&path), "rb");
			if (!f) {
				vl_buf_addf(err, "cannot open POPE question file '%s'", vl_buf_str(&path));
				vl_buf_release(&path);
				rc = VL_ENOTFOUND;
				goto fail;
			}
			fclose(f);
			vl_buf_release(&path);
		}
		p->prefix_ids = 1;
		p->next_file = p->files->child;
		rc = open_next(p, err);
		if (rc < 0)
			goto fail;
		*handle = p;
		return 0;
	}
	rc = vl_spec_path(spec, "questions", 1, &p->path, err);
	if (rc < 0)
		goto fail;
	if (cJSON_IsString(split))
		p->split = vl_xstrdup(split->valuestring);
	rc = open_file(p, err);
	if (rc < 0)
		goto fail;
	*handle = p;
	return 0;
fail:
	pope_close(p);
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
	if (p->prefix_ids) {
		struct vl_buf full = VL_BUF_INIT;
		vl_buf_addf(&full, "%s/%s", p->split, vl_buf_str(&id));
		vl_buf_release(&id);
		id = full;
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

/* Reads from the current file; 0 at its end. */
static int next_in_file(struct pope *p, struct vl_sample *s, struct vl_buf *err)
{
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
	if (!p->lines.file)
		return 0;
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

static int pope_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct pope *p = handle;
	int rc;

	for (;;) {
		rc = next_in_file(p, s, err);
		if (rc != 0 || !p->files)
			return rc;
		rc = open_next(p, err);   /* this file is done: the next split */
		if (rc <= 0)
			return rc;
	}
}

static void pope_close(void *handle)
{
	struct pope *p = handle;
	if (!p)
		return;
	close_file(p);
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
