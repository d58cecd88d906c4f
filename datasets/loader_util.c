/*
 * loader_util.c - small helpers the loaders share (see loader_util.h):
 * string arrays into a vector, image references into a sample.
 */
#include "datasets/loader_util.h"

#include "datasets/dataset.h"

int vl_json_push_strings(const cJSON *v, struct vl_strv *sv)
{
	const cJSON *e;

	if (cJSON_IsString(v)) {
		vl_strv_push(sv, v->valuestring);
		return 0;
	}
	if (!cJSON_IsArray(v))
		return VL_EINVAL;
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e))
			return VL_EINVAL;
		vl_strv_push(sv, e->valuestring);
	}
	return 0;
}

int vl_sample_add_image(struct vl_sample *s, const char *image_dir, const char *ref,
			const char *where, struct vl_buf *err)
{
	struct vl_buf path = VL_BUF_INIT, detail = VL_BUF_INIT;

	if (vl_image_resolve(image_dir, ref, &path, &detail) < 0) {
		vl_buf_addf(err, "%s: \"%s\": %s", where, "image", vl_buf_str(&detail));
		vl_buf_release(&path);
		vl_buf_release(&detail);
		return VL_EPARSE;
	}
	vl_strv_push_owned(&s->images, vl_buf_detach(&path, NULL));
	vl_buf_release(&detail);
	return 0;
}

int vl_json_get_dims(const cJSON *rec, const char *wkey, const char *hkey, int *w, int *h)
{
	const cJSON *wv = cJSON_GetObjectItemCaseSensitive(rec, wkey);
	const cJSON *hv = cJSON_GetObjectItemCaseSensitive(rec, hkey);

	if (!wv && !hv)
		return 0;
	if (!cJSON_IsNumber(wv) || !cJSON_IsNumber(hv) || wv->valuedouble < 0 ||
	    hv->valuedouble < 0 || wv->valuedouble > 1e6 || hv->valuedouble > 1e6)
		return VL_EINVAL;
	*w = (int)wv->valuedouble;
	*h = (int)hv->valuedouble;
	return 1;
}
