/*
 * pace.c - concurrency, circuit breaker and budget of a run (see pace.h for
 * the rules and why they are what they are).
 */
#include "bench/pace.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WIN_MIN_ANSWERS 32
#define WIN_LIMITS 3          /* a window holds at least this many limits of answers */
#define WIN_MIN_SECONDS 0.1
#define RTT_TOLERANCE 2.0     /* latency may double before a flat throughput backs off */
#define THR_GAIN 1.10         /* a window this much faster than the last: growth */
#define RELEARN_FALL 0.75     /* steps down that lose this much: base is stale */
#define START_LIMIT 4.0

int vl_pace_parse_concurrency(const char *s, int *adaptive, long *max, struct vl_buf *err)
{
	char *end;
	long v;

	*adaptive = 0;
	if (!strncmp(s, "auto", 4)) {
		*adaptive = 1;
		if (!s[4]) {
			*max = 256;
			return 0;
		}
		if (s[4] != ':')
			goto bad;
		s += 5;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > 4096)
		goto bad;
	*max = v;
	return 0;
bad:
	vl_buf_addf(err, "--concurrency wants N (1..4096), auto or auto:MAX, got '%s'", s);
	return VL_EINVAL;
}

void vl_pace_init(struct vl_pace *p, int adaptive, long max, long breaker_after,
		  double max_cost, double price_in, double price_out)
{
	memset(p, 0, sizeof(*p));
	p->adaptive = adaptive;
	p->max = max > 0 ? max : 1;
	p->limit = adaptive ? fmin(START_LIMIT, (double)p->max) : (double)p->max;
	p->win_start = -1;
	p->min_rtt = -1;
	p->prev_thr = -1;
	p->breaker_after = breaker_after;
	p->max_cost = max_cost;
	p->price_in = price_in;
	p->price_out = price_out;
}

void vl_pace_release(struct vl_pace *p)
{
	vl_free(p->win_lat);
	p->win_lat = NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Closes the window at time now and moves the limit. */
static void close_window(struct vl_pace *p, double now)
{
	double thr = (double)p->win_n / fmax(now - p->win_start, 1e-6);
	double limit = p->limit, rtt;
	size_t n = (size_t)p->win_n;

	qsort(p->win_lat, n, sizeof(double), cmp_double);
	rtt = p->win_lat[n / 2];
	if (p->min_rtt < 0 || rtt < p->min_rtt)
		p->min_rtt = rtt;
	if (!p->win_backoff && p->prev_thr >= 0 && thr < THR_GAIN * p->prev_thr)
		p->ramped = 1;
	if (p->win_backoff) {
		limit = fmax(1, floor(limit / 2));         /* the server asked for less */
		p->ramped = 1;
		p->last_down = 0;
	} else if (p->last_down && thr < RELEARN_FALL * p->down_thr) {
		/* the steps down cost a quarter of the throughput: below capacity,
		 * so this latency is the server's unloaded one now (it got slower
		 * for good); a smaller fall may be noise */
		p->min_rtt = rtt;
		limit = p->prev_limit / 0.9;
		p->last_down = 0;
	} else if (p->prev_thr < 0 || thr >= THR_GAIN * p->prev_thr) {
		/* throughput grows: go on, doubling until it first stops growing */
		limit = p->ramped ? limit + sqrt(limit) : limit * 2;
		p->last_down = 0;
	} else if (rtt > RTT_TOLERANCE * p->min_rtt) {
		if (!p->last_down)
			p->down_thr = p->prev_thr > thr ? p->prev_thr : thr;
		limit *= 0.9;                              /* a queue, and no gain */
		p->last_down = 1;
	} else {
		limit += 1;                                /* latency holds: probe */
		p->last_down = 0;
	}
	p->windows++;
	p->prev_thr = thr;
	p->prev_limit = p->limit;
	p->limit = fmin((double)p->max, fmax(1, limit));
	p->win_start = -1;
	p->win_n = 0;
	p->win_backoff = 0;
}

static void window_add(struct vl_pace *p, double now, enum vl_pace_outcome outcome,
		       double latency_s)
{
	long need = (long)fmax(WIN_MIN_ANSWERS, WIN_LIMITS * p->limit);

	if (p->win_start < 0)
		p->win_start = now;
	if (outcome == VL_PACE_OVERLOAD)
		p->win_backoff = 1;
	if ((size_t)p->win_n >= p->win_lat_alloc) {
		p->win_lat_alloc = p->win_lat_alloc ? p->win_lat_alloc * 2 : 64;
		p->win_lat = vl_xrealloc(p->win_lat, p->win_lat_alloc * sizeof(double));
	}
	p->win_lat[p->win_n++] = latency_s >= 0 ? latency_s : 0;
	if (p->win_backoff || (p->win_n >= need && now - p->win_start >= WIN_MIN_SECONDS))
		close_window(p, now);
}

void vl_pace_answer(struct vl_pace *p, double now, enum vl_pace_outcome outcome,
		    double latency_s, long prompt_tokens, long completion_tokens)
{
	if (outcome == VL_PACE_CONNECTION) {
		if (p->breaker_after > 0 && ++p->fail_streak >= p->breaker_after)
			p->tripped = 1;
	} else {
		p->fail_streak = 0;
	}
	if (outcome == VL_PACE_OK && p->price_in >= 0 && p->price_out >= 0 &&
	    prompt_tokens >= 0 && completion_tokens >= 0) {
		p->spent += ((double)prompt_tokens * p->price_in +
			     (double)completion_tokens * p->price_out) / 1e6;
		p->priced++;
	}
	if (p->adaptive)
		window_add(p, now, outcome, latency_s);
}

long vl_pace_limit(const struct vl_pace *p)
{
	return (long)fmax(1, floor(p->limit));
}

int vl_pace_stop(struct vl_pace *p, long inflight)
{
	if (p->tripped)
		return 1;
	if (p->max_cost > 0) {
		double mean = p->priced ? p->spent / (double)p->priced : p->est_answer;
		/* one more request would cost mean: start it only within the cap */
		if (p->spent + (double)(inflight + 1) * mean > p->max_cost)
			p->over_budget = 1;
	}
	return p->over_budget;
}
