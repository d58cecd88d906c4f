/*
 * ready.c - FIFO of completed responses (see ready.h).
 */
#include "backends/ready.h"
#include "core/vl.h"

#include <stdlib.h>

void vl_ready_push(struct vl_ready *q, uint64_t id, const char *text, const char *error)
{
	struct vl_response *r;

	if (q->head + q->n == q->cap) {
		if (q->head) {
			for (size_t i = 0; i < q->n; i++)
				q->r[i] = q->r[q->head + i];
			q->head = 0;
		}
		if (q->n == q->cap) {
			q->cap = q->cap ? q->cap * 2 : 64;
			q->r = vl_xrealloc(q->r, q->cap * sizeof(*q->r));
		}
	}
	r = &q->r[q->head + q->n++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	/* backend strings are freed by the host with free(): use plain strdup */
	r->text = error ? NULL : strdup(text ? text : "");
	r->error = error ? strdup(error) : NULL;
	r->prompt_tokens = r->completion_tokens = -1;
	r->latency_s = 0;
	r->ttft_s = -1;
	r->gpu_mem_peak_mb = -1;
}

int vl_ready_pop(struct vl_ready *q, struct vl_response *out, int max)
{
	int k = 0;

	while (q->n && k < max) {
		out[k++] = q->r[q->head++];
		q->n--;
	}
	if (!q->n)
		q->head = 0;
	return k;
}

void vl_ready_release(struct vl_ready *q)
{
	for (size_t i = 0; i < q->n; i++) {
		free(q->r[q->head + i].text);
		free(q->r[q->head + i].error);
		free(q->r[q->head + i].finish_reason);
	}
	vl_free(q->r);
	q->r = NULL;
	q->head = q->n = q->cap = 0;
}
