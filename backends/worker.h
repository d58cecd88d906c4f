/*
 * worker.h - what the "worker" backend (backends/worker.c) shares with tests
 * and benchmarks: the one function that renders a request as a line of the
 * worker protocol, so a benchmark can feed a worker the very bytes the
 * backend would send.  The protocol itself is documented in worker.c.
 */
#ifndef VL_WORKER_H
#define VL_WORKER_H

#include "backends/backend.h"
#include "core/buf.h"

/* Appends req to out as one JSON object and a '\n'.  Relative image paths
 * are made absolute against cwd (borrowed; NULL leaves them as they are).
 * Everything in req is borrowed.  Cannot fail (the buffer aborts past its
 * cap). */
void vl_worker_request_json(const struct vl_request *req, const char *cwd, struct vl_buf *out);

#endif
