/*
 * parallel.c - vl_parallel_for (see parallel.h): one pthread per part
 * beyond the first, joined before returning.
 */
#include "bench/parallel.h"

#include <pthread.h>

struct part {
	void (*fn)(void *ctx, size_t t);
	void *ctx;
	size_t t;
	pthread_t th;
	int started;
};

static void *part_run(void *arg)
{
	struct part *p = arg;

	p->fn(p->ctx, p->t);
	return NULL;
}

void vl_parallel_for(size_t n_threads, void (*fn)(void *ctx, size_t t), void *ctx)
{
	struct part *parts;

	if (n_threads == 0)
		return;
	if (n_threads == 1) {
		fn(ctx, 0);
		return;
	}
	parts = vl_xcalloc(n_threads, sizeof(*parts));
	for (size_t t = 1; t < n_threads; t++) {
		parts[t] = (struct part){ .fn = fn, .ctx = ctx, .t = t };
		parts[t].started = pthread_create(&parts[t].th, NULL, part_run, &parts[t]) == 0;
	}
	fn(ctx, 0);
	for (size_t t = 1; t < n_threads; t++) {
		if (parts[t].started)
			pthread_join(parts[t].th, NULL);
		else
			fn(ctx, t);
	}
	vl_free(parts);
}
