/*
 * ready.h - a FIFO of completed responses, for backends that answer inside
 * submit() (baselines, replay, the plugin template) and hand the answers out
 * at the next poll().
 */
#ifndef VL_READY_H
#define VL_READY_H

#include "backends/backend.h"

struct vl_ready {
	struct vl_response *r;  /* owned, with the strings in each */
	size_t head, n, cap;
};

/* Queues a success (text copied) or, when error is non-NULL, a failure. */
void vl_ready_push(struct vl_ready *q, uint64_t id, const char *text, const char *error);
/* Moves up to max responses to out; returns how many. */
int vl_ready_pop(struct vl_ready *q, struct vl_response *out, int max);
void vl_ready_release(struct vl_ready *q);

#endif
