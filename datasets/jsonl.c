/*
 * jsonl.c - vleval's native format: one JSON object per line, for custom
 * sets.  Keys (README "Native JSONL format" documents them for users):
 *
 *   id        string or number, required, unique
 *   image     image path relative to the task's image folder; or
 *   images    array of such paths
 *   question  the prompt text (question, instruction, referring expression)
 *   hint      optional context (multiple choice)
 *   options   array of option texts, labelled A, B, C ... in order
 *   answer    string: the accepted answer (or option letter when options
 *             are given); answers: array of accepted answers (VQA-style,
 *             one per annotator)
 *   label     "yes" / "no" (or true / false)
 *   captions  array of reference captions
 *   box       [x1, y1, x2, y2] in pixels; width, height: the image size
 *   objects   array of ground-truth object categories (CHAIR)
 *   meta      object of string or number values, for breakdowns
 *
 * Dataset keys: "path" (required), "images" (image folder).
 */
#include "datasets/dataset.h"
#include "datasets/loader_util.h"

#include <ctype.h>
#include <string.h>

struct jsonl {
	struct vl_buf path;
	struct vl_buf image_dir;
	struct vl_lines lines;
};

static int jsonl_open(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err)
{
	struct jsonl *j = vl_xcalloc(1, sizeof(*j));
	int rc = vl_spec_path(spec, "path", 1, &j->path, err);

	if (rc >= 0) {
		vl_spec_path(spec, "images", 0, &j->image_dir, err);
		rc = vl_lines_open(&j->lines, vl_buf_str(&j->path), err);
	}
	if (rc < 0) {
		vl_buf_release(&j->path);
		vl_buf_release(&j->image_dir);
		vl_free(j);
		return rc;
	}
	*handle = j;
	return 0;
}

/* The captions, objects, box, width, height and meta of record rec into
 * s (tmp: scratch).  Returns NULL, or the key that is invalid. */
static const char *record_geometry(const cJSON *rec, struct vl_sample *s, struct vl_buf *tmp)
{
	const cJSON *v;

#define GET(k) cJSON_GetObjectItemCaseSensitive(rec, k)
	if ((v = GET("captions")) && vl_json_push_strings(v, &s->captions) < 0)
		return "captions";
	if ((v = GET("objects")) && vl_json_push_strings(v, &s->objects) < 0)
		return "objects";
	if ((v = GET("box"))) {
		if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 4)
			return "box";
		for (int i = 0; i < 4; i++) {
			const cJSON *e = cJSON_GetArrayItem(v, i);
			if (!cJSON_IsNumber(e))
				return "box";
			s->box[i] = e->valuedouble;
		}
		s->has_box = 1;
	}
	if ((v = GET("width"))) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0)
			return "width";
		s->image_w = v->valueint;
	}
	if ((v = GET("height"))) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0)
			return "height";
		s->image_h = v->valueint;
	}
	if ((v = GET("meta"))) {
		const cJSON *e;
		if (!cJSON_IsObject(v))
			return "meta";
		cJSON_ArrayForEach(e, v) {
			vl_buf_reset(tmp);
			if (vl_json_id(e, tmp) < 0)
				return "meta";
			vl_sample_set_meta(s, e->string, vl_buf_str(tmp));
		}
	}
#undef GET
	return NULL;
}

static int jsonl_record(struct jsonl *j, const cJSON *rec, struct vl_sample *s,
			const char **bad_key, struct vl_buf *err)
{
	const cJSON *v;
	const char *bad;
	struct vl_buf tmp = VL_BUF_INIT;

#define GET(k) cJSON_GetObjectItemCaseSensitive(rec, k)
#define BAD(k) do { *bad_key = k; vl_buf_release(&tmp); return VL_EPARSE; } while (0)
	if (!cJSON_IsObject(rec))
		BAD("(record is not a JSON object)");
	if (vl_json_id(GET("id"), &tmp) < 0)
		BAD("id");
	s->id = vl_buf_detach(&tmp, NULL);
	if ((v = GET("question"))) {
		if (!cJSON_IsString(v))
			BAD("question");
		s->question = vl_xstrdup(v->valuestring);
	}
	if ((v = GET("hint")) && !cJSON_IsNull(v)) {
		if (!cJSON_IsString(v))
			BAD("hint");
		s->hint = vl_xstrdup(v->valuestring);
	}
	v = GET("images") ? GET("images") : GET("image");
	if (v) {
		struct vl_strv refs = { 0 };
		if (vl_json_push_strings(v, &refs) < 0) {
			vl_strv_release(&refs);
			BAD(GET("images") ? "images" : "image");
		}
		for (size_t i = 0; i < refs.n; i++) {
			vl_buf_reset(&tmp);
			if (vl_image_resolve(vl_buf_str(&j->image_dir), refs.v[i], &tmp, err) < 0) {
				vl_strv_release(&refs);
				vl_buf_release(&tmp);
				*bad_key = "image";
				return VL_EPARSE;
			}
			vl_strv_push(&s->images, vl_buf_str(&tmp));
		}
		vl_strv_release(&refs);
	}
	if ((v = GET("options")) && vl_json_push_strings(v, &s->options) < 0)
		BAD("options");
	if ((v = GET("answers")) && vl_json_push_strings(v, &s->answers) < 0)
		BAD("answers");
	if ((v = GET("answer"))) {
		if (!cJSON_IsString(v))
			BAD("answer");
		const char *a = v->valuestring;
		if (s->options.n && strlen(a) == 1 && isupper((unsigned char)a[0]) &&
		    (size_t)(a[0] - 'A') < s->options.n)
			s->answer_letter = vl_xstrdup(a);
		else
			vl_strv_push(&s->answers, a);
	}
	if ((v = GET("label"))) {
		if (cJSON_IsBool(v)) {
			s->label = cJSON_IsTrue(v) ? VL_LABEL_YES : VL_LABEL_NO;
			s->label_text = vl_xstrdup(cJSON_IsTrue(v) ? "yes" : "no");
		} else if (cJSON_IsString(v)) {
			s->label_text = vl_xstrdup(v->valuestring);
			s->label = strcmp(v->valuestring, "no") ? VL_LABEL_YES : VL_LABEL_NO;
		} else {
			BAD("label");
		}
	}
	if ((bad = record_geometry(rec, s, &tmp)))
		BAD(bad);
#undef GET
#undef BAD
	vl_buf_release(&tmp);
	return 1;
}

static int jsonl_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct jsonl *j = handle;
	const char *bad_key = NULL;
	size_t bad_off;
	cJSON *rec;
	int rc;

	do {
		rc = vl_lines_next(&j->lines, err);
		if (rc <= 0)
			return rc;
	} while (strspn(j->lines.line, " \t") == j->lines.len);
	if (!vl_utf8_valid(j->lines.line, j->lines.len, &bad_off)) {
		vl_buf_addf(err, "'%s' line %zu: invalid UTF-8 at byte %zu",
			    vl_buf_str(&j->path), j->lines.lineno, bad_off + 1);
		return VL_EPARSE;
	}
	rec = cJSON_ParseWithLength(j->lines.line, j->lines.len);
	if (!rec) {
		vl_buf_addf(err, "'%s' line %zu: invalid JSON", vl_buf_str(&j->path),
			    j->lines.lineno);
		return VL_EPARSE;
	}
	struct vl_buf detail = VL_BUF_INIT;
	rc = jsonl_record(j, rec, s, &bad_key, &detail);
	cJSON_Delete(rec);
	if (rc < 0) {
		vl_buf_addf(err, "'%s' line %zu: ", vl_buf_str(&j->path), j->lines.lineno);
		if (detail.len)
			vl_buf_adds(err, vl_buf_str(&detail));
		else if (bad_key && bad_key[0] == '(')
			vl_buf_adds(err, bad_key + 1), vl_buf_setlen(err, err->len - 1);
		else
			vl_buf_addf(err, "missing or invalid \"%s\"", bad_key);
	}
	vl_buf_release(&detail);
	return rc;
}

static void jsonl_close(void *handle)
{
	struct jsonl *j = handle;
	if (!j)
		return;
	vl_lines_close(&j->lines);
	vl_buf_release(&j->path);
	vl_buf_release(&j->image_dir);
	vl_free(j);
}

const struct vl_loader vl_loader_jsonl = {
	.version = VL_LOADER_API_VERSION,
	.name = "jsonl",
	.description = "vleval native JSON lines (id, image, question, answers/label/box/captions)",
	.open = jsonl_open,
	.next = jsonl_next,
	.close = jsonl_close,
};
