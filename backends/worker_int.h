/*
 * worker_int.h - what the files of backend "worker" share: its state, a
 * request's job, a worker process.  Internal to backends/worker*.c.
 *
 *   worker.c        the backend's methods: options, queueing, dispatch, faults
 *   worker_proc.c   process supervision: spawn, reap, /proc sampling
 *   worker_proto.c  the protocol: request lines, reply lines
 */
#ifndef VL_WORKER_INT_H
#define VL_WORKER_INT_H

#include "backends/backend.h"
#include "backends/ready.h"
#include "backends/worker.h"
#include "core/vl.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/types.h>

struct job {
	struct job *next;
	uint64_t id;
	char *line;          /* the request line with its '\n'; vl_malloc'd */
	size_t len;
	int crashes;         /* workers that died holding it */
	double t_sent;       /* when it was handed to a worker */
};

/* The longest stdout line of a worker that is read.  An answer holds at
 * most VL_MAX_OUTPUT_BYTES (64 KB) of text, at most 6 times that once
 * JSON-escaped; 8 MB leaves room for the other fields.  A longer line is
 * not kept (it used to grow without bound: a worker printing 300 MB without
 * a newline cost 300 MB): its request, named by the "id" at the start of
 * the line, gets an error at once and the rest of the line is skipped. */
#define VL_WORKER_MAX_LINE ((size_t)8 << 20)

struct wproc {
	int index;
	pid_t pid;           /* 0: not running */
	int in_fd;           /* our end of its stdin (socket) */
	int out_fd;          /* read end of its stdout (pipe) */
	int dead;            /* EOF or broken stdin seen: reap it */
	struct vl_buf wbuf;  /* request bytes not yet written */
	size_t woff;
	struct vl_buf rbuf;  /* stdout bytes not yet a full line */
	int skipping;        /* dropping the rest of a line over VL_WORKER_MAX_LINE */
	struct job **flight; /* max_inflight slots, owned */
	int nflight;
	long answered;       /* answers since this process started */
	double cpu_s;        /* last sample of its live tree */
};

struct worker {
	char *command;
	int nworkers, max_inflight, max_start_failures;
	double timeout_s, start_timeout_s, close_grace_s;
	int log_fd;          /* -1: stderr is inherited */
	char *cwd;           /* for relative image paths */
	struct wproc *w;
	struct pollfd *pfd;
	struct wproc **pfd_w;
	struct job *qhead, *qtail;
	struct vl_ready ready;
	struct vl_buf tmp;
	int start_failures;  /* deaths in a row before any answer */
	char *fatal;         /* set once the command is judged broken */
	long nstray;
	char *stray;         /* first stray stdout line, quoted in errors */
	double cpu_dead_s, peak_rss_mb, gpu_peak_mb, last_sample;
	long requests_sent;
	long clk_tck;
};

/* worker_proc.c: process supervision. */

/* Starts worker w (its index set) with o's command: /bin/sh -c, its own
 * process group, stdin a socket, stdout a pipe, stderr the worker log.
 * VL_EIO with err. */
int vl_worker_spawn(struct worker *b, struct wproc *w, struct vl_buf *err);
/* Reaps w if it has exited: 1 (wait status in *st), else 0. */
int vl_worker_try_reap(struct worker *b, struct wproc *w, int *st);
/* Reaps w, waiting up to grace_s for it to exit by itself, then SIGKILL to
 * its process group.  Returns the wait status. */
int vl_worker_reap(struct worker *b, struct wproc *w, double grace_s);
/* "exited with status 3", "was killed by signal 11 (Segmentation fault)". */
void vl_worker_describe_status(struct vl_buf *out, int st);
/* Samples the CPU time and peak RSS of every live worker's process tree
 * from /proc, at most every 100 ms unless force. */
void vl_worker_sample_stats(struct worker *b, int force);
/* Sleeps s seconds, through signals. */
void vl_worker_sleep(double s);

#endif
