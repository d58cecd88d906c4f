/*
 * pace.h - how fast the runner may go and when it must stop: the number of
 * requests in flight (fixed, or adaptive with `--concurrency auto[:MAX]`),
 * the circuit breaker that stops a run whose server is gone, and the price
 * budget (`--max-cost`).  Pure bookkeeping: the runner reports each answer
 * and asks for the limit; nothing here does I/O or reads a clock (times are
 * passed in), so every rule is unit-tested with made-up answers.
 *
 * Adaptive concurrency (AIMD, led by throughput).  Answers are counted in
 * windows of at least max(3 limit, 32) answers and 100 ms (shorter ones
 * are noise on a shared machine).  It starts at 4 and
 * doubles each window while throughput grows (slow start).  At the end
 * of a window, with thr its answers per second, rtt its median latency and
 * base the lowest median seen (the unloaded latency):
 *   - a 429, 503 or timeout in it (or an answer that needed a retry):
 *     limit = max(1, limit / 2) (multiplicative decrease);
 *   - throughput grew by 10% over the last window: limit += sqrt(limit);
 *   - it did not, and rtt > 2 base: requests only queue, limit *= 0.9;
 *   - it did not, and latency holds: limit += 1 (additive probe);
 *   - steps down that cost a quarter of the throughput are undone by one
 *     step, and that window's latency becomes base: the server got slower
 *     for good (a smaller fall may be noise of a shared machine).
 * Below the server's capacity each step up raises throughput; past it
 * throughput stays flat while latency rises with the queue, so the limit
 * settles between the capacity and twice it: the server stays saturated
 * without a long queue.
 */
#ifndef VL_PACE_H
#define VL_PACE_H

#include "core/vl.h"

#define VL_PACE_BREAKER_DEFAULT 20   /* consecutive connection failures */

struct vl_pace {
	/* concurrency */
	int adaptive;          /* 1: --concurrency auto */
	long max;              /* the fixed value, or auto's ceiling */
	double limit;          /* requests allowed in flight now */
	/* the window being filled */
	double win_start;      /* time of its first answer, < 0: none yet */
	long win_n;
	int win_backoff;       /* a 429 or timeout arrived in it */
	double *win_lat;       /* latencies of its answers, owned */
	size_t win_lat_alloc;
	double min_rtt;        /* the unloaded latency: lowest window median, < 0: none */
	int last_down;         /* the last window stepped the limit down */
	double down_thr;       /* throughput when the steps down began */
	int ramped;            /* the doubling start is over */
	long windows;          /* windows closed */
	double prev_thr, prev_limit;

	/* circuit breaker */
	long breaker_after;    /* trip after this many consecutive failures, 0: off */
	long fail_streak;
	int tripped;

	/* budget */
	double max_cost;       /* <= 0: none */
	double price_in, price_out;   /* per million tokens, < 0 unknown */
	double spent;          /* price of the answers so far (cache hits cost nothing) */
	double est_answer;     /* estimated price of one answer before any is priced */
	long priced;           /* answers that carried token counts */
	int over_budget;
};

/* Parses a --concurrency value: "N" (1..4096), "auto" or "auto:MAX".
 * Returns 0, or VL_EINVAL with err saying what is accepted. */
int vl_pace_parse_concurrency(const char *s, int *adaptive, long *max, struct vl_buf *err);

/* Starts pacing: adaptive or a fixed max; breaker_after 0 switches the
 * breaker off; max_cost <= 0 means no budget. */
void vl_pace_init(struct vl_pace *p, int adaptive, long max, long breaker_after,
		  double max_cost, double price_in, double price_out);
void vl_pace_release(struct vl_pace *p);

/* The kinds of answer the pace cares about. */
enum vl_pace_outcome {
	VL_PACE_OK,            /* answered */
	VL_PACE_CONNECTION,    /* no HTTP answer at all: refused, reset, DNS, TLS */
	VL_PACE_OVERLOAD,      /* 429, 503 or a timeout: the server asks for less */
	VL_PACE_OTHER,         /* any other failure (4xx, bad answer, local error) */
};

/* Reports one answer from the backend at time now (seconds): its outcome,
 * latency (< 0 unknown) and token counts (< 0 unknown; counted toward the
 * budget when prices are set). */
void vl_pace_answer(struct vl_pace *p, double now, enum vl_pace_outcome outcome,
		    double latency_s, long prompt_tokens, long completion_tokens);

/* Requests that may be in flight now (>= 1). */
long vl_pace_limit(const struct vl_pace *p);

/* 1 when no new request may start: the breaker tripped, or one more
 * request would take the price past the cap (the inflight requests and the
 * new one counted at the mean price of an answer so far). */
int vl_pace_stop(struct vl_pace *p, long inflight);

#endif
