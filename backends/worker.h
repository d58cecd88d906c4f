/*
 * worker.h - the worker protocol of the "worker" backend (backends/
 * worker_proto.c), shared with tests and benchmarks: a request rendered as
 * a line (so a benchmark can feed a worker the very bytes the backend would
 * send) and a reply line decoded.  The protocol itself is documented in
 * worker.c.
 */
#ifndef VL_WORKER_H
#define VL_WORKER_H

#include "backends/backend.h"
#include "core/buf.h"

#include <stdint.h>

struct cJSON;

/* Appends req to out as one JSON object and a '\n'.  Relative image paths
 * are made absolute against cwd (borrowed; NULL leaves them as they are).
 * Everything in req is borrowed.  Cannot fail (the buffer aborts past its
 * cap). */
void vl_worker_request_json(const struct vl_request *req, const char *cwd, struct vl_buf *out);

/* One line of a worker's stdout, decoded.  text and error point into root
 * (or at static text): valid until vl_worker_reply_release. */
struct vl_worker_reply {
	struct cJSON *root;          /* owned: the parsed line */
	uint64_t id;                 /* the request's id */
	const char *text;            /* the answer, or NULL when error is set */
	const char *error;           /* one line, or NULL */
	int fatal;                   /* "fatal": true with an error */
	long prompt_tokens;          /* -1 absent */
	long completion_tokens;      /* -1 absent */
	double ttft_s;               /* -1 absent */
	double gpu_mem_peak_mb;      /* -1 absent */
	const char *finish_reason;   /* "stop", "length" (cut), ...; NULL absent */
};

/* Decodes one line (without its '\n').  0 with r filled, or -1 when the
 * line is not a reply (not a JSON object with a usable "id": a stray
 * print).  A reply with neither "text" nor "error" gets an error saying so.
 * Release r with vl_worker_reply_release in both cases. */
int vl_worker_reply_parse(const char *line, size_t len, struct vl_worker_reply *r);
void vl_worker_reply_release(struct vl_worker_reply *r);

#endif
