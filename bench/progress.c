/*
 * progress.c - progress display (see progress.h).
 */
#include "bench/progress.h"

#include <stdio.h>

void vl_progress_start(struct vl_progress *p, int mode, const char *label, long total)
{
	p->mode = mode;
	p->label = label;
	p->total = total;
	p->done = p->errors = p->cached = p->skipped = 0;
	p->start = vl_now();
	p->last_draw = mode == 2 ? 0 : p->start;
	p->interval = mode == 2 ? 0.1 : 5.0;
}

static void draw(struct vl_progress *p, int final)
{
	double el = vl_now() - p->start;
	long fresh = p->done - p->skipped;
	double rate = el > 0 ? (double)fresh / el : 0;
	char eta[32] = "";

	if (p->total > 0 && rate > 0 && p->done < p->total) {
		double s = (double)(p->total - p->done) / rate;
		if (s < 3600)
			snprintf(eta, sizeof(eta), " ETA %dm%02ds", (int)s / 60, (int)s % 60);
		else
			snprintf(eta, sizeof(eta), " ETA %dh%02dm", (int)s / 3600, (int)s / 60 % 60);
	}
	if (p->total >= 0)
		fprintf(stderr, "%s%s: %ld/%ld (%.0f%%) %.1f/s%s errors %ld",
			p->mode == 2 ? "\r\033[K" : "", p->label, p->done, p->total,
			p->total ? 100.0 * (double)p->done / (double)p->total : 100.0, rate, eta,
			p->errors);
	else
		fprintf(stderr, "%s%s: %ld done %.1f/s errors %ld", p->mode == 2 ? "\r\033[K" : "",
			p->label, p->done, rate, p->errors);
	if (p->skipped)
		fprintf(stderr, " (resumed: %ld already done)", p->skipped);
	if (p->cached)
		fprintf(stderr, " cached %ld", p->cached);
	if (p->concurrency > 0)
		fprintf(stderr, " in flight <= %ld (auto)", p->concurrency);
	if (p->mode == 1 || final)
		fputc('\n', stderr);
	fflush(stderr);
}

void vl_progress_update(struct vl_progress *p, int force)
{
	double now;

	if (!p->mode)
		return;
	now = vl_now();
	if (!force && now - p->last_draw < p->interval)
		return;
	p->last_draw = now;
	draw(p, 0);
}

void vl_progress_end(struct vl_progress *p)
{
	if (!p->mode)
		return;
	draw(p, p->mode == 2);
}
