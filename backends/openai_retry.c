/*
 * openai_retry.c - when backend "openai" tries again (see openai.h): the
 * server's Retry-After (seconds or an HTTP date), exponential backoff with
 * jitter, and the token buckets of the rpm / tpm rate limits.
 */
#include "backends/openai.h"

#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

double vl_openai_retry_after(const char *value, double now_wall)
{
	char *end;
	double v;
	time_t t;

	if (!value)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (!*value)
		return -1;
	if (isdigit((unsigned char)*value)) {
		v = strtod(value, &end);
		while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
			end++;
		if (!*end && isfinite(v))
			return v;
	}
	t = curl_getdate(value, NULL);
	if (t == (time_t)-1)
		return -1;
	return (double)t > now_wall ? (double)t - now_wall : 0;
}

double vl_openai_backoff(int attempt, double base, double cap, double ra, double ra_cap,
			 double u)
{
	double d;

	if (ra >= 0) {
		if (ra > ra_cap)
			ra = ra_cap;
		return ra + ra * 0.1 * u;
	}
	d = base * ldexp(1.0, attempt > 1 ? (attempt < 40 ? attempt - 1 : 40) : 0);
	if (d > cap)
		d = cap;
	return d / 2 + d / 2 * u;
}


void vl_openai_bucket_init(struct vl_openai_bucket *b, double per_minute, double now)
{
	b->rate = per_minute / 60.0;
	/* one second's worth: smooth, with a small burst */
	b->cap = b->rate > 1 ? b->rate : 1;
	b->level = b->cap;
	b->last = now;
}

void vl_openai_bucket_refill(struct vl_openai_bucket *b, double now)
{
	if (!b->rate)
		return;
	b->level += (now - b->last) * b->rate;
	if (b->level > b->cap)
		b->level = b->cap;
	b->last = now;
}

/* Seconds until the bucket holds need (0 when it does). */
double vl_openai_bucket_wait(const struct vl_openai_bucket *b, double need)
{
	if (!b->rate)
		return 0;
	if (need > b->cap)
		need = b->cap;
	return b->level >= need ? 0 : (need - b->level) / b->rate;
}
