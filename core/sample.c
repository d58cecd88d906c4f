/*
 * sample.c - lifecycle of the core types in vl.h (samples, string vectors,
 * generation parameters).
 */
#include "core/vl.h"

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
