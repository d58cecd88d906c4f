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

/* ---- loaders of one JSON container of records --------------------------- */

int vl_items_loader_open(const struct vl_dataset_spec *spec, const struct vl_items_loader_desc *d,
			 void **handle, struct vl_buf *err)
{
	struct vl_items_loader *l = vl_xcalloc(1, sizeof(*l));
	int rc = vl_spec_path(spec, d->path_key, 1, &l->path, err);

	l->desc = d;
	if (rc >= 0) {
		vl_spec_path(spec, "images", 0, &l->image_dir, err);
		rc = vl_json_items_open(&l->items, vl_buf_str(&l->path), d->items_key, err);
		if (rc == VL_ENOTFOUND) {
			vl_buf_adds(err, d->official);
		} else if (rc >= 0 && l->items.container != d->container) {
			vl_buf_addf(err, "'%s': %s", vl_buf_str(&l->path), d->not_container);
			vl_json_items_close(&l->items);
			rc = VL_EPARSE;
		}
	}
	if (rc < 0) {
		vl_buf_release(&l->path);
		vl_buf_release(&l->image_dir);
		vl_free(l);
		return rc;
	}
	*handle = l;
	return 0;
}

int vl_items_loader_next(void *handle, struct vl_sample *s, struct vl_buf *err)
{
	struct vl_items_loader *l = handle;
	struct vl_buf where = VL_BUF_INIT;
	cJSON *rec;
	int rc = vl_json_items_next(&l->items, &rec, err);

	if (rc <= 0)
		return rc;
	vl_json_items_where(&l->items, &where);
	rc = l->desc->record(l, rec, vl_buf_str(&where), s, err);
	if (rc < 0)
		vl_sample_release(s);
	cJSON_Delete(rec);
	vl_buf_release(&where);
	return rc;
}

void vl_items_loader_close(void *handle)
{
	struct vl_items_loader *l = handle;

	if (!l)
		return;
	vl_json_items_close(&l->items);
	vl_buf_release(&l->path);
	vl_buf_release(&l->image_dir);
	vl_free(l);
}
