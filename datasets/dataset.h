/*
 * dataset.h - the loader interface: one loader per file format, streaming.
 *
 * A loader reads its files from the task's "dataset" object (paths relative
 * to the data root) and hands out one sample at a time; it never keeps the
 * whole parsed file longer than needed.  The wrapper (vl_dataset_*) numbers
 * the samples, rejects duplicate ids, and applies --limit.
 *
 * Adding a loader: copy datasets/jsonl.c, fill a struct vl_loader, append it
 * to the table in datasets/dataset.c, add the object to DATASET_OBJS, write
 * a hand-made fixture in the official layout under tests/fixtures/.
 */
#ifndef VL_DATASET_H
#define VL_DATASET_H

#include <cjson/cJSON.h>

#include "core/vl.h"
#include "core/image.h"

#define VL_LOADER_API_VERSION 1

struct vl_dataset_spec {
	const char *task;        /* task name, for messages */
	const char *data_root;   /* resolved data root ("." when unset) */
	const cJSON *json;       /* the task's "dataset" object, borrowed */
	int strict;              /* 1: the first bad record is fatal */
};

struct vl_loader {
	int version;             /* VL_LOADER_API_VERSION */
	const char *name;        /* "format" value in task files, e.g. "pope" */
	const char *description;
	/* Opens the files.  Missing files: VL_ENOTFOUND with err naming the
	 * expected path and where the official file comes from. */
	int (*open)(const struct vl_dataset_spec *spec, void **handle, struct vl_buf *err);
	/* Fills out (initialised by the caller).  Returns 1 for a sample, 0 at
	 * the end, VL_EPARSE for a bad record that was skipped (err names file,
	 * line or record, and key; call again), another negative code when the
	 * file cannot be read any further. */
	int (*next)(void *handle, struct vl_sample *out, struct vl_buf *err);
	void (*close)(void *handle);
};

const struct vl_loader *vl_loader_find(const char *name);
const struct vl_loader *const *vl_loader_list(void);

struct vl_dataset;

/* Opens the dataset described by spec (borrowed: loaders keep it, so it
 * must outlive the dataset).  Returns 0 or a negative code. */
int vl_dataset_open(const struct vl_dataset_spec *spec, struct vl_dataset **out,
		    struct vl_buf *err);
/* Same contract as vl_loader.next; also sets out->index and reports
 * duplicate ids as VL_EPARSE. */
int vl_dataset_next(struct vl_dataset *ds, struct vl_sample *out, struct vl_buf *err);
/* Records skipped so far. */
size_t vl_dataset_bad_records(const struct vl_dataset *ds);
/* The loader's handle when ds was opened by `loader`, else NULL: lets a
 * loader offer a fast path beside next() (datasets/vqa.h). */
void *vl_dataset_handle(struct vl_dataset *ds, const struct vl_loader *loader);
void vl_dataset_close(struct vl_dataset *ds);
/* Counts the good records of a dataset (at most limit when >= 0) by
 * reading it through; -1 when it cannot be opened. */
long vl_dataset_count(const struct vl_dataset_spec *spec, long limit);

/* Reads a JSON file whole into a cJSON tree (caller frees with cJSON_Delete).
 * Errors name the file, line and column. */
int vl_json_load(const char *path, cJSON **out, struct vl_buf *err);

/* Reads a text file line by line, counting lines, for JSON-lines loaders. */
struct vl_lines {
	void *file;          /* FILE *, owned */
	const char *path;    /* borrowed */
	char *line;          /* owned; the current line without its newline */
	size_t len, cap;
	size_t lineno;       /* 1-based number of the current line */
};

int vl_lines_open(struct vl_lines *l, const char *path, struct vl_buf *err);
/* 1: a line is in l->line; 0: end of file; negative: read error (err). */
int vl_lines_next(struct vl_lines *l, struct vl_buf *err);
void vl_lines_close(struct vl_lines *l);

/* Id of a JSON value (string, or number written as an integer when it is
 * one) appended to out.  Returns 0, or VL_EINVAL when it is neither. */
int vl_json_id(const cJSON *v, struct vl_buf *out);

/* Resolves the path at key `key` of the spec's dataset object against the
 * data root.  Returns 0, VL_ENOTFOUND when the key is absent and required
 * (err names the task and key). */
int vl_spec_path(const struct vl_dataset_spec *spec, const char *key, int required,
		 struct vl_buf *out, struct vl_buf *err);

#endif
