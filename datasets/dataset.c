/*
 * dataset.c - the loader registry and the wrapper every caller uses: it
 * numbers samples, rejects duplicate ids, and counts skipped records.
 */
#include "datasets/dataset.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct vl_loader vl_loader_jsonl;
extern const struct vl_loader vl_loader_pope;
extern const struct vl_loader vl_loader_vizwiz;
extern const struct vl_loader vl_loader_textvqa;
extern const struct vl_loader vl_loader_gqa;
extern const struct vl_loader vl_loader_coco_karpathy;
extern const struct vl_loader vl_loader_coco_captions;
extern const struct vl_loader vl_loader_chair;
extern const struct vl_loader vl_loader_refcoco;
extern const struct vl_loader vl_loader_refcoco_jsonl;
extern const struct vl_loader vl_loader_vlmeval_tsv;
extern const struct vl_loader vl_loader_vqa;

static const struct vl_loader *const loaders[] = {
	&vl_loader_jsonl,
	&vl_loader_pope,
	&vl_loader_vizwiz,
	&vl_loader_textvqa,
	&vl_loader_gqa,
	&vl_loader_coco_karpathy,
	&vl_loader_coco_captions,
	&vl_loader_chair,
	&vl_loader_refcoco,
	&vl_loader_refcoco_jsonl,
	&vl_loader_vlmeval_tsv,
	&vl_loader_vqa,
	NULL,
};

const struct vl_loader *vl_loader_find(const char *name)
{
	for (size_t i = 0; loaders[i]; i++)
		if (!strcmp(loaders[i]->name, name))
			return loaders[i];
	return NULL;
}

const struct vl_loader *const *vl_loader_list(void)
{
	return loaders;
}

struct vl_dataset {
	const struct vl_loader *loader;
	void *handle;
	size_t next_index;
	size_t bad;
	size_t records;           /* records read so far, good or bad */
	struct vl_strmap seen;    /* ids handed out so far */
};

int vl_dataset_open(const struct vl_dataset_spec *spec, struct vl_dataset **out,
		    struct vl_buf *err)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(spec->json, "format");
	const struct vl_loader *l;
	struct vl_dataset *ds;
	int rc;

	*out = NULL;
	if (!cJSON_IsString(fmt)) {
		vl_buf_addf(err, "task '%s': dataset has no \"format\" string", spec->task);
		return VL_EINVAL;
	}
	l = vl_loader_find(fmt->valuestring);
	if (!l) {
		vl_buf_addf(err, "task '%s': unknown dataset format '%s' (known:",
			    spec->task, fmt->valuestring);
		for (size_t i = 0; loaders[i]; i++)
			vl_buf_addf(err, " %s", loaders[i]->name);
		vl_buf_addch(err, ')');
		return VL_EINVAL;
	}
	ds = vl_xcalloc(1, sizeof(*ds));
	ds->loader = l;
	rc = l->open(spec, &ds->handle, err);
	if (rc < 0) {
		vl_free(ds);
		return rc;
	}
	*out = ds;
	return 0;
}

int vl_dataset_next(struct vl_dataset *ds, struct vl_sample *out, struct vl_buf *err)
{
	int rc = ds->loader->next(ds->handle, out, err);
	void **first;

	if (rc == 1 || rc == VL_EPARSE)
		ds->records++;
	if (rc == VL_EPARSE)
		ds->bad++;
	if (rc != 1)
		return rc;
	if (!out->id || !*out->id) {
		ds->bad++;
		vl_buf_addf(err, "record %zu has no id", ds->records);
		vl_sample_release(out);
		return VL_EPARSE;
	}
	/* the map keeps the record number where each id was first seen */
	first = vl_strmap_find(&ds->seen, out->id);
	if (first) {
		ds->bad++;
		vl_buf_addf(err, "duplicate sample id '%s' in record %zu (first in record %zu)",
			    out->id, ds->records, (size_t)(uintptr_t)*first);
		vl_sample_release(out);
		return VL_EPARSE;
	}
	/* a reference past the limit would make the caption metrics (ROUGE-L's
	 * longest common subsequence) quadratic in its length */
	for (int k = 0; k < 2; k++) {
		const struct vl_strv *v = k ? &out->answers : &out->captions;
		for (size_t i = 0; i < v->n; i++) {
			size_t n = strlen(v->v[i]);
			if (n <= VL_MAX_REFERENCE_BYTES)
				continue;
			ds->bad++;
			vl_buf_addf(err, "sample '%s' (record %zu): reference %s %zu is %zu bytes, "
				    "over the limit of %d bytes", out->id, ds->records,
				    k ? "answer" : "caption", i + 1, n, VL_MAX_REFERENCE_BYTES);
			vl_sample_release(out);
			return VL_EPARSE;
		}
	}
	vl_strmap_put(&ds->seen, out->id, (void *)(uintptr_t)ds->records);
	out->index = ds->next_index++;
	return 1;
}

size_t vl_dataset_bad_records(const struct vl_dataset *ds)
{
	return ds->bad;
}

void *vl_dataset_handle(struct vl_dataset *ds, const struct vl_loader *loader)
{
	return ds && ds->loader == loader ? ds->handle : NULL;
}

void vl_dataset_close(struct vl_dataset *ds)
{
	if (!ds)
		return;
	ds->loader->close(ds->handle);
	vl_strmap_release(&ds->seen, NULL);
	vl_free(ds);
}

int vl_json_load(const char *path, cJSON **out, struct vl_buf *err)
{
	struct vl_buf text = VL_BUF_INIT;
	const char *end = NULL;
	int rc;

	*out = NULL;
	rc = vl_read_file(path, &text, err);
	if (rc < 0)
		return rc;
	*out = cJSON_ParseWithLengthOpts(text.buf, text.len, &end, 0);
	if (!*out) {
		size_t off = end ? (size_t)(end - text.buf) : 0, line = 1, col = 1;
		for (size_t i = 0; i < off && i < text.len; i++) {
			if (text.buf[i] == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
		}
		vl_buf_addf(err, "cannot parse '%s' line %zu column %zu: %s", path, line, col,
			    off >= text.len ? "unexpected end of file (truncated JSON?)"
					    : "invalid JSON");
		vl_buf_release(&text);
		return VL_EPARSE;
	}
	vl_buf_release(&text);
	return 0;
}

int vl_lines_open(struct vl_lines *l, const char *path, struct vl_buf *err)
{
	memset(l, 0, sizeof(*l));
	l->path = path;
	l->file = fopen(path, "rb");
	if (!l->file) {
		vl_buf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		return errno == ENOENT ? VL_ENOTFOUND : VL_EIO;
	}
	return 0;
}

int vl_lines_next(struct vl_lines *l, struct vl_buf *err)
{
	ssize_t n = getline(&l->line, &l->cap, (FILE *)l->file);

	if (n < 0) {
		if (ferror((FILE *)l->file)) {
			vl_buf_addf(err, "cannot read '%s' after line %zu: %s", l->path,
				    l->lineno, strerror(errno));
			return VL_EIO;
		}
		return 0;
	}
	l->lineno++;
	while (n > 0 && (l->line[n - 1] == '\n' || l->line[n - 1] == '\r'))
		l->line[--n] = '\0';
	l->len = (size_t)n;
	return 1;
}

void vl_lines_close(struct vl_lines *l)
{
	if (l->file)
		fclose((FILE *)l->file);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

int vl_json_id(const cJSON *v, struct vl_buf *out)
{
	if (cJSON_IsString(v)) {
		vl_buf_adds(out, v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == floor(d) && fabs(d) < 9e15)
			vl_buf_addf(out, "%lld", (long long)d);
		else
			vl_buf_addf(out, "%.17g", d);
		return 0;
	}
	return VL_EINVAL;
}

int vl_spec_path(const struct vl_dataset_spec *spec, const char *key, int required,
		 struct vl_buf *out, struct vl_buf *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec->json, key);

	if (!cJSON_IsString(v)) {
		if (required)
			vl_buf_addf(err, "task '%s': dataset needs a \"%s\" path", spec->task, key);
		return required ? VL_ENOTFOUND : 1;
	}
	vl_path_join(out, spec->data_root, v->valuestring);
	return 0;
}

long vl_dataset_count(const struct vl_dataset_spec *spec, long limit)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_dataset *ds;
	struct vl_sample s;
	long n = 0;
	int rc;

	if (vl_dataset_open(spec, &ds, &err) < 0) {
		vl_buf_release(&err);
		return -1;
	}
	vl_sample_init(&s);
	while ((limit < 0 || n < limit) && (rc = vl_dataset_next(ds, &s, &err)) != 0) {
		if (rc < 0 && rc != VL_EPARSE)
			break;
		if (rc == 1)
			n++;
		vl_sample_release(&s);
		vl_buf_reset(&err);
	}
	vl_sample_release(&s);
	vl_dataset_close(ds);
	vl_buf_release(&err);
	return n;
}
