/*
 * host.h - the host side of backends: the registry of built-in backends,
 * plugin loading, and the wrapper the runner drives.
 *
 * The wrapper adds what every backend gets for free: `delay_ms` (extra
 * latency, for tests and demos), response bookkeeping, and the check of a
 * plugin's API version.
 *
 * Adding a built-in backend: copy backends/baseline.c's shape, fill a
 * struct vl_backend_methods, append it to the table in backends/backend.c,
 * add the object to BACKEND_OBJS.
 */
#ifndef VL_BACKEND_HOST_H
#define VL_BACKEND_HOST_H

#include "backends/backend.h"
#include "core/vl.h"

struct vl_backend;

const struct vl_backend_methods *vl_backend_find(const char *name);
const struct vl_backend_methods *const *vl_backend_list(void);

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
