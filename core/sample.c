/*
 * sample.c - lifecycle of the core types in vl.h (samples, string vectors,
 * generation parameters), and a sample's reference as JSON (what the run
 * log stores so that scoring needs no second read of the dataset).
 */
#include "core/vl.h"
#include "core/jsonr.h"

#include <stdio.h>
#include <string.h>

void vl_strv_push_owned(struct vl_strv *sv, char *s)
{
	if (sv->n + 1 >= sv->alloc) {
		sv->alloc = sv->alloc ? sv->alloc * 2 : 4;
		sv->v = vl_xrealloc(sv->v, sv->alloc * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void vl_strv_push(struct vl_strv *sv, const char *s)
{
	vl_strv_push_owned(sv, vl_xstrdup(s ? s : ""));
}

void vl_strv_clear(struct vl_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		vl_free(sv->v[i]);
	sv->n = 0;
	if (sv->v)
		sv->v[0] = NULL;
}

void vl_strv_release(struct vl_strv *sv)
{
	vl_strv_clear(sv);
	vl_free(sv->v);
	sv->v = NULL;
	sv->alloc = 0;
}

static const char *const family_names[] = {
	[VL_FAMILY_VQA] = "vqa",
	[VL_FAMILY_CAPTION] = "caption",
	[VL_FAMILY_GROUNDING] = "grounding",
	[VL_FAMILY_HALLUCINATION] = "hallucination",
	[VL_FAMILY_MCQ] = "mcq",
	[VL_FAMILY_OTHER] = "other",
};

const char *vl_family_name(enum vl_family f)
{
	if ((int)f < 0 || (size_t)f >= sizeof(family_names) / sizeof(*family_names))
		return "other";
	return family_names[f];
}

int vl_family_parse(const char *s, enum vl_family *out)
{
	for (size_t i = 0; i < sizeof(family_names) / sizeof(*family_names); i++) {
		if (!strcmp(s, family_names[i])) {
			*out = (enum vl_family)i;
			return 0;
		}
	}
	return VL_EINVAL;
}

void vl_sample_init(struct vl_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->label = VL_LABEL_NONE;
}

void vl_sample_release(struct vl_sample *s)
{
	vl_free(s->id);
	vl_free(s->question);
	vl_free(s->hint);
	vl_free(s->image_b64);
	vl_free(s->label_text);
	vl_free(s->answer_letter);
	vl_strv_release(&s->options);
	vl_strv_release(&s->images);
	vl_strv_release(&s->answers);
	vl_strv_release(&s->captions);
	vl_strv_release(&s->objects);
	vl_strv_release(&s->meta_keys);
	vl_strv_release(&s->meta_vals);
	vl_sample_init(s);
}

void vl_sample_set_meta(struct vl_sample *s, const char *key, const char *val)
{
	for (size_t i = 0; i < s->meta_keys.n; i++) {
		if (!strcmp(s->meta_keys.v[i], key)) {
			vl_free(s->meta_vals.v[i]);
			s->meta_vals.v[i] = vl_xstrdup(val ? val : "");
			return;
		}
	}
	vl_strv_push(&s->meta_keys, key);
	vl_strv_push(&s->meta_vals, val ? val : "");
}

const char *vl_sample_meta(const struct vl_sample *s, const char *key)
{
	for (size_t i = 0; i < s->meta_keys.n; i++)
		if (!strcmp(s->meta_keys.v[i], key))
			return s->meta_vals.v[i];
	return NULL;
}

void vl_gen_params_init(struct vl_gen_params *g)
{
	memset(g, 0, sizeof(*g));
	g->max_tokens = -1;
	g->temperature = -1;
	g->top_p = -1;
	g->seed = -1;
}

void vl_gen_params_release(struct vl_gen_params *g)
{
	vl_strv_release(&g->stop);
	vl_gen_params_init(g);
}

/* ---- the reference as JSON ---------------------------------------- */

static void ref_strv(struct vl_buf *b, const char *key, const struct vl_strv *v)
{
	if (!v->n)
		return;
	if (b->buf[b->len - 1] != '{')
		vl_buf_addch(b, ',');
	vl_buf_add_json_str(b, key);
	vl_buf_addch(b, ':');
	vl_buf_addch(b, '[');
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			vl_buf_addch(b, ',');
		vl_buf_add_json_str(b, v->v[i]);
	}
	vl_buf_addch(b, ']');
}

static void ref_key(struct vl_buf *b, const char *key)
{
	if (b->buf[b->len - 1] != '{')
		vl_buf_addch(b, ',');
	vl_buf_add_json_str(b, key);
	vl_buf_addch(b, ':');
}

void vl_sample_ref_json(const struct vl_sample *s, struct vl_buf *out)
{
	vl_buf_addch(out, '{');
	ref_strv(out, "answers", &s->answers);
	ref_strv(out, "captions", &s->captions);
	ref_strv(out, "objects", &s->objects);
	if (s->label == VL_LABEL_YES || s->label == VL_LABEL_NO) {
		ref_key(out, "label");
		vl_buf_adds(out, s->label == VL_LABEL_YES ? "\"yes\"" : "\"no\"");
	}
	if (s->label_text) {
		ref_key(out, "label_text");
		vl_buf_add_json_str(out, s->label_text);
	}
	if (s->answer_letter) {
		ref_key(out, "answer_letter");
		vl_buf_add_json_str(out, s->answer_letter);
	}
	ref_strv(out, "options", &s->options);
	/* the paths, not the pixels: MME pairs the two questions of an image */
	ref_strv(out, "images", &s->images);
	if (s->has_box) {
		ref_key(out, "box");
		for (int i = 0; i < 4; i++) {
			vl_buf_addch(out, i ? ',' : '[');
			vl_buf_add_json_num(out, s->box[i]);
		}
		vl_buf_addch(out, ']');
	}
	if (s->image_w || s->image_h) {
		ref_key(out, "image_size");
		vl_buf_addf(out, "[%d,%d]", s->image_w, s->image_h);
	}
	if (s->meta_keys.n) {
		ref_key(out, "meta");
		for (size_t i = 0; i < s->meta_keys.n; i++) {
			vl_buf_addch(out, i ? ',' : '{');
			vl_buf_add_json_str(out, s->meta_keys.v[i]);
			vl_buf_addch(out, ':');
			vl_buf_add_json_str(out, s->meta_vals.v[i]);
		}
		vl_buf_addch(out, '}');
	}
	vl_buf_addch(out, '}');
}

/* Reads an array of strings (its '[' already read) into v. */
static int ref_read_strv(struct vl_jsonr *r, struct vl_strv *v, struct vl_buf *err)
{
	int tok;

	while ((tok = vl_jsonr_next(r, err)) == VL_J_STR)
		vl_strv_push(v, vl_buf_str(&r->str));
	return tok == VL_J_ARR_END ? 0 : VL_EPARSE;
}

/* Reads an array of at most max numbers (its '[' already read); *n gets
 * how many. */
static int ref_read_nums(struct vl_jsonr *r, double *out, int max, int *n, struct vl_buf *err)
{
	int tok;

	*n = 0;
	while ((tok = vl_jsonr_next(r, err)) == VL_J_NUM && *n < max)
		out[(*n)++] = r->num;
	return tok == VL_J_ARR_END ? 0 : VL_EPARSE;
}

static int ref_read_meta(struct vl_jsonr *r, struct vl_sample *s, struct vl_buf *err)
{
	struct vl_buf key = VL_BUF_INIT;
	int tok, rc = 0;

	while ((tok = vl_jsonr_next(r, err)) == VL_J_KEY) {
		vl_buf_reset(&key);
		vl_buf_add(&key, r->str.buf, r->str.len);
		if (vl_jsonr_next(r, err) != VL_J_STR) {
			rc = VL_EPARSE;
			break;
		}
		vl_strv_push(&s->meta_keys, vl_buf_str(&key));
		vl_strv_push(&s->meta_vals, vl_buf_str(&r->str));
	}
	if (!rc && tok != VL_J_OBJ_END)
		rc = VL_EPARSE;
	vl_buf_release(&key);
	return rc;
}

static char **ref_str_field(struct vl_sample *s, const char *key)
{
	if (!strcmp(key, "label_text"))
		return &s->label_text;
	if (!strcmp(key, "answer_letter"))
		return &s->answer_letter;
	return NULL;
}

static struct vl_strv *ref_strv_field(struct vl_sample *s, const char *key)
{
	if (!strcmp(key, "answers"))
		return &s->answers;
	if (!strcmp(key, "captions"))
		return &s->captions;
	if (!strcmp(key, "objects"))
		return &s->objects;
	if (!strcmp(key, "options"))
		return &s->options;
	if (!strcmp(key, "images"))
		return &s->images;
	return NULL;
}

/* One "key": value of the reference object; the key is in r->str. */
static int ref_read_field(struct vl_jsonr *r, struct vl_sample *s, struct vl_buf *err)
{
	char key[32];
	struct vl_strv *v;
	char **str;
	double nums[4];
	int tok, n;

	snprintf(key, sizeof(key), "%s", vl_buf_str(&r->str));
	tok = vl_jsonr_next(r, err);
	if ((v = ref_strv_field(s, key)))
		return tok == VL_J_ARR ? ref_read_strv(r, v, err) : VL_EPARSE;
	if ((str = ref_str_field(s, key))) {
		if (tok != VL_J_STR)
			return VL_EPARSE;
		vl_free(*str);
		*str = vl_xstrdup(vl_buf_str(&r->str));
		return 0;
	}
	if (!strcmp(key, "label")) {
		if (tok != VL_J_STR)
			return VL_EPARSE;
		s->label = !strcmp(vl_buf_str(&r->str), "yes") ? VL_LABEL_YES : VL_LABEL_NO;
		return 0;
	}
	if (!strcmp(key, "box")) {
		if (tok != VL_J_ARR || ref_read_nums(r, s->box, 4, &n, err) < 0 || n != 4)
			return VL_EPARSE;
		s->has_box = 1;
		return 0;
	}
	if (!strcmp(key, "image_size")) {
		if (tok != VL_J_ARR || ref_read_nums(r, nums, 2, &n, err) < 0 || n != 2)
			return VL_EPARSE;
		s->image_w = (int)nums[0];
		s->image_h = (int)nums[1];
		return 0;
	}
	if (!strcmp(key, "meta"))
		return tok == VL_J_OBJ ? ref_read_meta(r, s, err) : VL_EPARSE;
	/* a field a later version added: not needed to score */
	return vl_jsonr_skip(r, tok, err);
}

int vl_sample_ref_parse(const char *json, size_t n, struct vl_sample *s, struct vl_buf *err)
{
	struct vl_jsonr r;
	int tok, rc = 0;

	vl_jsonr_open_mem(&r, "reference", json, n);
	if (vl_jsonr_next(&r, err) != VL_J_OBJ) {
		rc = VL_EPARSE;
		goto out;
	}
	while ((tok = vl_jsonr_next(&r, err)) == VL_J_KEY)
		if ((rc = ref_read_field(&r, s, err)) < 0)
			goto out;
	if (tok != VL_J_OBJ_END || vl_jsonr_next(&r, err) != VL_J_END)
		rc = VL_EPARSE;
out:
	if (rc < 0 && err && !err->len)
		vl_buf_adds(err, "malformed reference JSON");
	vl_jsonr_close(&r);
	return rc;
}
