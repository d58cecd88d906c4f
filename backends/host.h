/*
 * host.h - the host side of backends: the registry of built-in backends,
 * plugin loading, and the wrapper the runner drives.
 *
 * The wrapper adds what every backend gets for free: `delay_ms` (extra
 * latency, for tests and demos), response bookkeeping, and the check of a
 * plugin's API version.
 *
 * Adding a built-in backend: copy backends/baseline.c's shape, fill a
 * struct vl_backend_methods with its option table (backends/option.h),
 * append it to the table in backends/backend.c, add the object to
 * BACKEND_OBJS.
 */
#ifndef VL_BACKEND_HOST_H
#define VL_BACKEND_HOST_H

#include "backends/backend.h"
#include "core/vl.h"

struct vl_backend;

const struct vl_backend_methods *vl_backend_find(const char *name);
const struct vl_backend_methods *const *vl_backend_list(void);

/* m's option table (its `options`, read only when m->version says the
 * member exists), or NULL when it declares none. */
const struct vl_backend_option *vl_backend_options(const struct vl_backend_methods *m);
/* The options every backend takes (model, max_image_side, concurrency,
 * delay_ms): the host and the runner act on them. */
const struct vl_backend_option *vl_backend_host_options(void);
/* Checks cfg against built-in backend name's options: an unknown key (with
 * "did you mean" and the backend's keys) or a value of the wrong type is
 * VL_EINVAL with err.  vl_backend_open() runs the same check. */
int vl_backend_check_config(const char *name, const struct vl_kv *cfg, struct vl_buf *err);
/* 1 when config key changes the answers of the open backend b (and so
 * belongs in the response cache key): its VL_OPTION_ANSWERS flag, or, for a
 * backend without a table, any key but the host's speed knobs. */
int vl_backend_changes_answers(const struct vl_backend *b, const char *key);

/* Loads the plugin at path to read its methods (name, description, option
 * table) without opening it, with the version checks of vl_backend_open.
 * Returns 0 with *m valid until vl_backend_plugin_release(*handle), or
 * negative with err. */
int vl_backend_plugin_methods(const char *path, const struct vl_backend_methods **m,
			      void **handle, struct vl_buf *err);
void vl_backend_plugin_release(void *handle);

/* The same for built-in backend `name` before it is opened (a resume keeps
 * such keys): a key of a plugin's own, or unknown, counts as changing
 * answers. */
int vl_backend_key_changes_answers(const char *name, const char *key);

/* Opens backend `name` with config cfg (borrowed).  "plugin" loads the
 * shared library named by cfg "path".  Returns 0 or negative with err. */
int vl_backend_open(const char *name, const struct vl_kv *cfg,
		    struct vl_backend **out, struct vl_buf *err);
const struct vl_backend_methods *vl_backend_methods(const struct vl_backend *b);
int vl_backend_submit(struct vl_backend *b, const struct vl_request *req, struct vl_buf *err);
/* Returns completed responses (held back until delay_ms has passed). */
int vl_backend_poll(struct vl_backend *b, int timeout_ms, struct vl_response *out, int max);
void vl_backend_stats(struct vl_backend *b, struct vl_backend_stats *out);
void vl_backend_close(struct vl_backend *b);
/* Frees a response's strings. */
void vl_response_release(struct vl_response *r);

#endif
