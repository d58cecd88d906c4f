/*
 * progress.h - the progress display on stderr: a line redrawn in place on a
 * terminal (done/total, rate, ETA, errors), a plain line every few seconds
 * otherwise, nothing with --quiet.
 */
#ifndef VL_PROGRESS_H
#define VL_PROGRESS_H

#include "core/vl.h"

struct vl_progress {
	int mode;            /* 0 off, 1 plain lines, 2 terminal */
	const char *label;   /* task name, borrowed */
	long total;          /* -1 unknown */
	long done, errors, cached, skipped;
	long concurrency;    /* adaptive concurrency's level now, 0: not shown */
	double start, last_draw;
	double interval;     /* seconds between plain lines */
};

void vl_progress_start(struct vl_progress *p, int mode, const char *label, long total);
/* Redraws when due (force: now). */
void vl_progress_update(struct vl_progress *p, int force);
/* Final line (terminal: ends the redrawn line). */
void vl_progress_end(struct vl_progress *p);

#endif
