/*
 * parallel.h - the program's way to run a metric's parts at once
 * (metrics/metric.h's vl_parallel_fn).  Metrics never start threads: the
 * caller lends them this (vl_metric.set_parallel).
 */
#ifndef VL_PARALLEL_H
#define VL_PARALLEL_H

#include "metrics/metric.h"

/* Calls fn(ctx, t) for t in [0, n_threads): part 0 on the calling thread,
 * each other part on a thread of its own (on the calling thread, after
 * part 0, when a thread cannot be started).  Returns when all are done. */
void vl_parallel_for(size_t n_threads, void (*fn)(void *ctx, size_t t), void *ctx);

#endif
