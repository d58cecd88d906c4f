/*
 * worker.c - the "worker" backend: a local engine run as N persistent
 * subprocesses that speak newline-delimited JSON on stdin/stdout, so a model
 * in any language (a Hugging Face script, llama.cpp, a shell loop) plugs in
 * without linking anything.
 *
 * Configuration (--set key=value):
 *   command=CMD        required; run as /bin/sh -c CMD, once per worker, each
 *                      in its own process group, with the environment plus
 *                      VLEVAL_WORKER_INDEX (0..N-1) and VLEVAL_WORKERS (N)
 *   workers=N          copies to run (default 1)
 *   max_inflight=K     requests queued on one worker at a time (default 1: a
 *                      worker gets the next request once it answered the last;
 *                      the rest wait in the backend)
 *   timeout=S          seconds a request may take once sent (default 600, 0 =
 *                      none); past it the worker is killed and restarted and
 *                      the request recorded as an error
 *   start_timeout=S    extra seconds allowed while a fresh worker has not yet
 *                      answered anything, for loading the model (default 300)
 *   worker_log=FILE    append the workers' stderr to FILE (default: vleval's
 *                      own stderr)
 *   max_start_failures=N  workers dying N times in a row before answering
 *                      anything make every response fatal (default 3)
 *   close_grace=S      on close, seconds to wait for workers to exit after
 *                      their stdin closes, before SIGTERM then SIGKILL (2)
 *
 * Protocol, one JSON object per line in each direction.  Request (stdin):
 *
 *   {"id": "17", "sample_id": "pope/random/3",
 *    "messages": [
 *      {"role": "system", "content": [{"type": "text", "text": "..."}]},
 *      {"role": "user", "content": [
 *         {"type": "text", "text": "Is there a dog? Answer yes or no."},
 *         {"type": "image", "path": "/abs/path/0001.jpg"},
 *         {"type": "image", "b64": "iVBORw0...", "mime": "image/png"}]}],
 *    "max_tokens": 16, "temperature": 0, "top_p": null, "seed": null,
 *    "stop": []}
 *
 * The system message is present only when the task has one; content is
 * always a list of parts; images come as an absolute file path or, for
 * datasets that embed them, inline base64 (mime may be null).  Unset
 * generation parameters are null: use the engine's default.
 *
 * Response (stdout), in any order when max_inflight > 1:
 *
 *   {"id": "17", "text": "yes"}
 *   {"id": "17", "error": "CUDA out of memory"}          (recorded, not fatal)
 *   {"id": "17", "error": "cannot load model", "fatal": true}  (stops the run)
 *
 * optionally with "prompt_tokens", "completion_tokens", "ttft_s" and
 * "gpu_mem_peak_mb" (the accelerator memory peak so far; the backend keeps
 * the largest).  "id" may also be a number.  Lines that are not such an
 * object (a stray print) are ignored and counted, and the first one is
 * quoted in later error messages.  Logs belong on stderr.  A line over 8 MB
 * (VL_WORKER_MAX_LINE) is not kept: the request named by its leading "id"
 * gets an error at once (without one it is a stray line), and the rest of
 * the line is skipped.
 *
 * Faults.  A worker whose stdout reaches EOF or whose stdin breaks is reaped
 * and restarted; each request it held is retried once, then recorded as an
 * error naming the exit status or signal.  A request past its timeout gets an
 * error and its worker is killed (process group) and restarted; the worker's
 * other requests are requeued.  Workers that die max_start_failures times in
 * a row without answering anything (a bad command, a model that cannot
 * load) turn every pending and later request into a fatal error that says
 * so.  Only deaths of workers holding requests that had crashed no worker
 * count here, and a request that has crashed a worker waits for a worker
 * that has answered something while the command is on trial (see
 * dispatch()), so a poisonous request is not mistaken for a bad command.
 *
 * Measurements.  CPU time and peak RSS of the workers: wait4()'s rusage for
 * exited ones, /proc/PID/stat and VmHWM of /proc/PID/status over each
 * worker's process tree for live ones (sampled at most every 100 ms, in
 * poll()), reported by stats() with the largest gpu_mem_peak_mb any
 * response carried.  latency_s runs from the moment a request is handed to a
 * worker to its answer (time queued in the backend excluded).
 *
 * The protocol lives in worker_proto.c, process supervision (spawn, reap,
 * /proc sampling) in worker_proc.c; this file queues and dispatches
 * requests and handles the faults.
 */
#include "backends/option.h"
#include "backends/worker_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STRAY_QUOTE 160      /* bytes of a stray stdout line kept */

static void add_stray_note(struct worker *b, struct vl_buf *m)
{
	if (b->nstray)
		vl_buf_addf(m, " (workers also wrote %ld line%s to stdout that %s not "
			    "protocol responses, first: '%s')", b->nstray, b->nstray > 1 ? "s" : "",
			    b->nstray > 1 ? "were" : "was", b->stray);
}

static void job_free(struct job *j)
{
	if (!j)
		return;
	vl_free(j->line);
	vl_free(j);
}

static void queue_push(struct worker *b, struct job *j, int front)
{
	j->next = NULL;
	if (!b->qhead) {
		b->qhead = b->qtail = j;
	} else if (front) {
		j->next = b->qhead;
		b->qhead = j;
	} else {
		b->qtail->next = j;
		b->qtail = j;
	}
}

static struct job *queue_pop(struct worker *b)
{
	struct job *j = b->qhead;
	if (j) {
		b->qhead = j->next;
		if (!b->qhead)
			b->qtail = NULL;
		j->next = NULL;
	}
	return j;
}

static struct vl_response *finish(struct worker *b, uint64_t id, const char *text,
				  const char *error)
{
	vl_ready_push(&b->ready, id, text, error);
	return &b->ready.r[b->ready.head + b->ready.n - 1];
}

static void finish_job(struct worker *b, struct job *j, const char *error, int fatal)
{
	struct vl_response *r = finish(b, j->id, NULL, error);
	r->fatal = fatal;
	r->latency_s = j->t_sent > 0 ? vl_now() - j->t_sent : -1;
	r->retries = j->crashes;
	job_free(j);
}

static void set_fatal(struct worker *b, const char *msg)
{
	struct job *j;

	if (b->fatal)
		return;
	b->fatal = vl_xstrdup(msg);
	while ((j = queue_pop(b)))
		finish_job(b, j, b->fatal, 1);
	for (int i = 0; i < b->nworkers; i++) {
		struct wproc *w = &b->w[i];
		for (int k = 0; k < w->nflight; k++)
			finish_job(b, w->flight[k], b->fatal, 1);
		w->nflight = 0;
	}
}

static void read_worker(struct worker *b, struct wproc *w);

/* Worker w died (expired == NULL) or held request `expired` past its
 * timeout: reaps it, settles the requests it held, restarts it. */
static void worker_lost(struct worker *b, struct wproc *w, struct job *expired)
{
	struct vl_buf why = VL_BUF_INIT, msg = VL_BUF_INIT;
	int n, pid = (int)w->pid, st, startup;
	struct job **held;

	/* answers written just before the death still count */
	if (!expired)
		read_worker(b, w);
	n = w->nflight;
	/* A death counts against the command (not a request) when the worker
	 * never answered and held only requests that had crashed no worker:
	 * dispatch() keeps such suspects away from unproven workers while
	 * other requests wait, so a request that kills every worker is not
	 * mistaken for a command that cannot start. */
	startup = !w->answered && !expired;
	for (int k = 0; k < n; k++)
		if (w->flight[k]->crashes)
			startup = 0;
	held = vl_xcalloc((size_t)n + 1, sizeof(*held));
	memcpy(held, w->flight, (size_t)n * sizeof(*held));
	w->nflight = 0;
	if (expired)
		kill(-w->pid, SIGKILL);
	st = vl_worker_reap(b, w, expired ? 0 : 0.2);
	vl_buf_addf(&why, "worker %d (pid %d) ", w->index, pid);
	vl_worker_describe_status(&why, st);

	if (startup && ++b->start_failures >= b->max_start_failures) {
		vl_buf_addf(&msg, "worker command '%s' failed %d times in a row before answering "
			    "any request (last: %s); check the command and the workers' stderr",
			    b->command, b->start_failures, vl_buf_str(&why));
		add_stray_note(b, &msg);
	}
	/* requeue in their original order, ahead of the waiting ones */
	for (int k = n; k-- > 0;) {
		struct job *j = held[k];
		if (j == expired) {
			vl_buf_reset(&msg);
			vl_buf_addf(&msg, "no answer within %g s: worker %d (pid %d) killed and "
				    "restarted", b->timeout_s + (w->answered ? 0 : b->start_timeout_s),
				    w->index, pid);
			add_stray_note(b, &msg);
			finish_job(b, j, msg.buf, 0);
			vl_buf_reset(&msg);
			continue;
		}
		if (!expired) {
			if (++j->crashes >= 2) {
				struct vl_buf e = VL_BUF_INIT;
				vl_buf_addf(&e, "worker died on this request %d times (last: %s)",
					    j->crashes, vl_buf_str(&why));
				add_stray_note(b, &e);
				j->crashes--;  /* retries = crashes - 1 */
				finish_job(b, j, e.buf, 0);
				vl_buf_release(&e);
				continue;
			}
		}
		j->t_sent = 0;
		queue_push(b, j, 1);
	}
	vl_free(held);
	if (!expired && startup && b->start_failures >= b->max_start_failures) {
		set_fatal(b, msg.buf);
	} else if (!b->fatal) {
		struct vl_buf err = VL_BUF_INIT;
		if (vl_worker_spawn(b, w, &err) < 0)
			set_fatal(b, err.buf);
		vl_buf_release(&err);
	}
	vl_buf_release(&why);
	vl_buf_release(&msg);
}

/* Writes what w's stdin will take now. */
static void flush_worker(struct wproc *w)
{
	while (w->woff < w->wbuf.len) {
		ssize_t k = send(w->in_fd, w->wbuf.buf + w->woff, w->wbuf.len - w->woff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				w->dead = 1;
			return;
		}
		w->woff += (size_t)k;
	}
	vl_buf_reset(&w->wbuf);
	w->woff = 0;
}

/* Hands queued requests to workers with room, least loaded first.  A
 * request that already crashed a worker (a suspect) goes only to a worker
 * that has answered something while the command itself is on trial: while
 * an innocent request waits, or one is held by a worker yet to answer.  So
 * a fresh worker proves itself on an innocent request first, and a command
 * that cannot start is told from a request that kills every worker. */
static void dispatch(struct worker *b)
{
	struct job *prev = NULL, *j, *next;
	int clean = 0, trial = 0;

	if (b->fatal)
		return;
	for (j = b->qhead; j; j = j->next)
		clean += !j->crashes;
	for (int i = 0; i < b->nworkers; i++)
		for (int k = 0; !b->w[i].answered && k < b->w[i].nflight; k++)
			trial |= !b->w[i].flight[k]->crashes;
	for (j = b->qhead; j; j = next) {
		struct wproc *best = NULL;
		next = j->next;
		for (int i = 0; i < b->nworkers; i++) {
			struct wproc *w = &b->w[i];
			if (!w->pid || w->dead || w->nflight >= b->max_inflight)
				continue;
			if (j->crashes && (clean || trial) && !w->answered)
				continue;
			if (!best || w->nflight < best->nflight)
				best = w;
		}
		if (!best) {
			prev = j;
			continue;
		}
		if (prev)
			prev->next = next;
		else
			b->qhead = next;
		if (b->qtail == j)
			b->qtail = prev;
		j->next = NULL;
		clean -= !j->crashes;
		j->t_sent = vl_now();
		best->flight[best->nflight++] = j;
		vl_buf_add(&best->wbuf, j->line, j->len);
		b->requests_sent++;
	}
	/* one write per worker for all it was just given */
	for (int i = 0; i < b->nworkers; i++)
		if (b->w[i].pid && !b->w[i].dead && b->w[i].woff < b->w[i].wbuf.len)
			flush_worker(&b->w[i]);
}

static void stray_line(struct worker *b, const char *line, size_t len)
{
	if (!b->nstray++) {
		b->stray = vl_xstrndup(line, len < STRAY_QUOTE ? len : STRAY_QUOTE);
		for (char *p = b->stray; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
	}
}

/* One line of w's stdout. */
static void on_line(struct worker *b, struct wproc *w, const char *line, size_t len)
{
	struct vl_worker_reply rep;
	struct vl_response *r;
	struct job *j;
	int k = 0;

	if (len && line[len - 1] == '\r')
		len--;
	if (vl_worker_reply_parse(line, len, &rep) == 0)
		for (k = 0; k < w->nflight && w->flight[k]->id != rep.id; k++)
			;
	if (!rep.root || k >= w->nflight) {
		stray_line(b, line, len);
		vl_worker_reply_release(&rep);
		return;
	}
	j = w->flight[k];
	w->flight[k] = w->flight[--w->nflight];
	r = finish(b, rep.id, rep.text, rep.error);
	r->fatal = rep.fatal;
	r->latency_s = vl_now() - j->t_sent;
	r->retries = j->crashes;
	r->prompt_tokens = rep.prompt_tokens;
	r->completion_tokens = rep.completion_tokens;
	r->ttft_s = rep.ttft_s;
	r->gpu_mem_peak_mb = rep.gpu_mem_peak_mb;
	if (rep.finish_reason)
		r->finish_reason = strdup(rep.finish_reason);
	if (r->gpu_mem_peak_mb > b->gpu_peak_mb)
		b->gpu_peak_mb = r->gpu_mem_peak_mb;
	w->answered++;
	b->start_failures = 0;
	job_free(j);
	vl_worker_reply_release(&rep);
}

/* The id of a reply line cut short: "id" near its start, as a string or a
 * number; -1 when there is none. */
static int leading_id(const char *p, size_t len, uint64_t *id)
{
	const char *k = memmem(p, len < 256 ? len : 256, "\"id\"", 4), *end = p + len;
	char *e;

	if (!k)
		return -1;
	for (k += 4; k < end && strchr(" \t:\"", *k); k++)
		;
	if (k >= end || *k < '0' || *k > '9')
		return -1;
	errno = 0;
	*id = strtoull(k, &e, 10);
	return errno || e >= end || !strchr("\", \t}", *e) ? -1 : 0;
}

/* w's stdout holds a line over VL_WORKER_MAX_LINE: the request it answers
 * gets an error now (a stray line when none is named), and the rest of the
 * line is dropped as it comes. */
static void overlong_line(struct worker *b, struct wproc *w)
{
	struct vl_buf m = VL_BUF_INIT;
	struct vl_response *r;
	struct job *j;
	uint64_t id;
	int k = w->nflight;

	if (leading_id(w->rbuf.buf, w->rbuf.len, &id) == 0)
		for (k = 0; k < w->nflight && w->flight[k]->id != id; k++)
			;
	if (k >= w->nflight) {
		stray_line(b, w->rbuf.buf, w->rbuf.len);
	} else {
		j = w->flight[k];
		w->flight[k] = w->flight[--w->nflight];
		vl_buf_addf(&m, "worker %d's answer is over %zu MB, where an output is limited to %d "
			    "bytes (the rest of the line was skipped): not scored", w->index,
			    VL_WORKER_MAX_LINE >> 20, VL_MAX_OUTPUT_BYTES);
		r = finish(b, id, NULL, m.buf);
		r->latency_s = vl_now() - j->t_sent;
		r->retries = j->crashes;
		w->answered++;
		b->start_failures = 0;
		job_free(j);
		vl_buf_release(&m);
	}
	w->skipping = 1;
	vl_buf_setlen(&w->rbuf, 0);
}

/* Reads what w's stdout has; marks w dead at EOF. */
static void read_worker(struct worker *b, struct wproc *w)
{
	/* bounded, so that a worker flooding stdout cannot starve the others */
	for (int round = 0; round < 64; round++) {
		ssize_t k;
		size_t start = 0;
		char *nl;

		vl_buf_grow(&w->rbuf, 65536);
		k = read(w->out_fd, w->rbuf.buf + w->rbuf.len, w->rbuf.alloc - w->rbuf.len - 1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				w->dead = 1;
			return;
		}
		if (k == 0) {
			w->dead = 1;
			return;
		}
		w->rbuf.len += (size_t)k;
		w->rbuf.buf[w->rbuf.len] = '\0';
		if (w->skipping) {
			/* the rest of an overlong line: up to its newline */
			nl = memchr(w->rbuf.buf, '\n', w->rbuf.len);
			if (!nl) {
				vl_buf_setlen(&w->rbuf, 0);
				continue;
			}
			w->skipping = 0;
			start = (size_t)(nl - w->rbuf.buf) + 1;
		}
		while ((nl = memchr(w->rbuf.buf + start, '\n', w->rbuf.len - start))) {
			size_t n = (size_t)(nl - (w->rbuf.buf + start));
			if (n)
				on_line(b, w, w->rbuf.buf + start, n);
			start += n + 1;
		}
		if (start) {
			memmove(w->rbuf.buf, w->rbuf.buf + start, w->rbuf.len - start);
			vl_buf_setlen(&w->rbuf, w->rbuf.len - start);
		}
		if (w->rbuf.len > VL_WORKER_MAX_LINE)
			overlong_line(b, w);
	}
}

static double job_deadline(const struct worker *b, const struct wproc *w, const struct job *j)
{
	return j->t_sent + b->timeout_s + (w->answered ? 0 : b->start_timeout_s);
}

/* ---- the methods ---------------------------------------------------------- */

/* The keys open() reads; README's table for the backend shows the same rows. */
static const struct vl_backend_option worker_options[] = {
	{ .key = "command", .type = VL_OPTION_STRING,
	  .meaning = "the engine, run with /bin/sh -c once per worker",
	  .flags = VL_OPTION_ANSWERS | VL_OPTION_REQUIRED },
	{ .key = "workers", .type = VL_OPTION_INT, .dflt = "1",
	  .meaning = "copies of the command (--workers)", .min = 1, .max = 1024 },
	{ .key = "max_inflight", .type = VL_OPTION_INT, .dflt = "1",
	  .meaning = "requests a worker holds at once", .min = 1, .max = 65536 },
	{ .key = "timeout", .type = VL_OPTION_NUMBER, .dflt = "600",
	  .meaning = "seconds a request may take once sent (0 = none); past it the worker is "
	  "restarted (--timeout)",
	  .max = 1e9 },
	{ .key = "start_timeout", .type = VL_OPTION_NUMBER, .dflt = "300",
	  .meaning = "extra seconds until a fresh worker's first answer (model loading)",
	  .max = 1e9 },
	{ .key = "worker_log", .type = VL_OPTION_STRING,
	  .meaning = "append the workers' stderr to this file (default: vleval's stderr)" },
	{ .key = "max_start_failures", .type = VL_OPTION_INT, .dflt = "3",
	  .meaning = "deaths in a row before any answer that stop the run", .min = 1,
	  .max = 1000 },
	{ .key = "close_grace", .type = VL_OPTION_NUMBER, .dflt = "2",
	  .meaning = "seconds a worker has to exit at the end before SIGTERM, then SIGKILL",
	  .max = 3600 },
	{ .key = NULL },
};

static void worker_close(void *self);

static int worker_open(void *self, const struct vl_backend_config *cfg, char *err, size_t errlen)
{
	struct worker *b = self;
	const char *cmd = vl_backend_config_get(cfg, "command");
	const char *log = vl_backend_config_get(cfg, "worker_log");
	const struct vl_backend_option *t = worker_options;
	double nw, inflight, starts;

	b->log_fd = -1;
	b->gpu_peak_mb = -1;
	b->peak_rss_mb = -1;
	if (!cmd || !*cmd) {
		snprintf(err, errlen, "option 'command' is required, e.g. "
			 "--set command=\"python3 my_worker.py\"");
		return -1;
	}
	if (vl_option_num(t, cfg, "workers", &nw, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "max_inflight", &inflight, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "timeout", &b->timeout_s, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "start_timeout", &b->start_timeout_s, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "close_grace", &b->close_grace_s, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "max_start_failures", &starts, err, errlen) < 0)
		return -1;
	b->nworkers = (int)nw;
	b->max_inflight = (int)inflight;
	b->max_start_failures = (int)starts;
	if (b->timeout_s == 0)
		b->timeout_s = INFINITY;
	b->clk_tck = sysconf(_SC_CLK_TCK);
	if (b->clk_tck <= 0)
		b->clk_tck = 100;
	if (log && *log) {
		b->log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (b->log_fd < 0) {
			snprintf(err, errlen, "cannot open worker_log '%s': %s", log, strerror(errno));
			return -1;
		}
	}
	b->command = vl_xstrdup(cmd);
	b->cwd = getcwd(NULL, 0);
	b->w = vl_xcalloc((size_t)b->nworkers, sizeof(*b->w));
	b->pfd = vl_xcalloc(2 * (size_t)b->nworkers, sizeof(*b->pfd));
	b->pfd_w = vl_xcalloc(2 * (size_t)b->nworkers, sizeof(*b->pfd_w));
	for (int i = 0; i < b->nworkers; i++) {
		struct wproc *w = &b->w[i];
		w->index = i;
		w->in_fd = w->out_fd = -1;
		w->flight = vl_xcalloc((size_t)b->max_inflight, sizeof(*w->flight));
	}
	for (int i = 0; i < b->nworkers; i++) {
		struct vl_buf e = VL_BUF_INIT;
		if (vl_worker_spawn(b, &b->w[i], &e) < 0) {
			snprintf(err, errlen, "%s", e.buf);
			vl_buf_release(&e);
			worker_close(self);
			return -1;
		}
	}
	return 0;
}

static int worker_submit(void *self, const struct vl_request *req, char *err, size_t errlen)
{
	struct worker *b = self;
	struct job *j;

	if (b->fatal) {
		finish(b, req->id, NULL, b->fatal)->fatal = 1;
		return 0;
	}
	vl_buf_reset(&b->tmp);
	vl_worker_request_json(req, b->cwd, &b->tmp);
	j = vl_xcalloc(1, sizeof(*j));
	j->id = req->id;
	j->line = vl_buf_detach(&b->tmp, &j->len);
	/* handed out in poll(), so that a burst of submits costs one write */
	queue_push(b, j, 0);
	return 0;
}

static int worker_poll(void *self, int timeout_ms, struct vl_response *out, int max)
{
	struct worker *b = self;
	double end = vl_now() + (timeout_ms > 0 ? timeout_ms / 1000.0 : 0);

	for (;;) {
		double now, wake = end;
		int nfd = 0, busy = 0, rc;

		dispatch(b);
		if (b->ready.n)
			break;
		for (int i = 0; i < b->nworkers; i++) {
			struct wproc *w = &b->w[i];
			if (!w->pid)
				continue;
			busy |= w->nflight > 0;
			b->pfd[nfd] = (struct pollfd){ .fd = w->out_fd, .events = POLLIN };
			b->pfd_w[nfd++] = w;
			if (w->woff < w->wbuf.len) {
				b->pfd[nfd] = (struct pollfd){ .fd = w->in_fd, .events = POLLOUT };
				b->pfd_w[nfd++] = w;
			}
			for (int k = 0; k < w->nflight; k++)
				if (job_deadline(b, w, w->flight[k]) < wake)
					wake = job_deadline(b, w, w->flight[k]);
		}
		/* nothing in flight: nothing will complete */
		if (!busy && !b->qhead)
			break;
		now = vl_now();
		rc = poll(b->pfd, (nfds_t)nfd, wake > now ? (int)ceil((wake - now) * 1000.0) : 0);
		if (rc < 0 && errno != EINTR)
			return VL_EIO;
		for (int i = 0; rc > 0 && i < nfd; i++) {
			struct wproc *w = b->pfd_w[i];
			if (!b->pfd[i].revents || !w->pid)
				continue;
			if (b->pfd[i].fd == w->out_fd)
				read_worker(b, w);
			else if (b->pfd[i].revents & POLLOUT)
				flush_worker(w);
			else
				w->dead = 1;
		}
		now = vl_now();
		for (int i = 0; i < b->nworkers; i++) {
			struct wproc *w = &b->w[i];
			if (!w->pid)
				continue;
			if (w->dead) {
				worker_lost(b, w, NULL);
				continue;
			}
			for (int k = 0; k < w->nflight; k++) {
				if (now >= job_deadline(b, w, w->flight[k])) {
					worker_lost(b, w, w->flight[k]);
					break;
				}
			}
		}
		if (b->ready.n || vl_now() >= end)
			break;
	}
	vl_worker_sample_stats(b, 0);
	return vl_ready_pop(&b->ready, out, max);
}

static void worker_stats(void *self, struct vl_backend_stats *out)
{
	struct worker *b = self;
	double cpu = b->cpu_dead_s;

	vl_worker_sample_stats(b, 1);
	for (int i = 0; i < b->nworkers; i++)
		cpu += b->w[i].cpu_s;
	out->cpu_s = cpu;
	out->peak_rss_mb = b->peak_rss_mb;
	out->gpu_mem_peak_mb = b->gpu_peak_mb;
	out->requests_sent = b->requests_sent;
}

/* Closes every worker's stdin (the polite "no more requests"), waits up to
 * close_grace for them to exit, then SIGTERM (up to 1 s more), then SIGKILL;
 * reaps every one and frees everything. */
static void worker_close(void *self)
{
	struct worker *b = self;
	static const int sigs[] = { 0, SIGTERM };
	struct job *j;
	int st;

	for (int i = 0; b->w && i < b->nworkers; i++)
		if (b->w[i].pid)
			shutdown(b->w[i].in_fd, SHUT_WR);
	for (int s = 0; b->w && s < 2; s++) {
		double grace = s ? fmin(b->close_grace_s, 1.0) : b->close_grace_s;
		double end = vl_now() + grace;
		for (int i = 0; s && i < b->nworkers; i++)
			if (b->w[i].pid)
				kill(-b->w[i].pid, sigs[s]);
		for (;;) {
			int live = 0;
			for (int i = 0; i < b->nworkers; i++)
				if (b->w[i].pid && !vl_worker_try_reap(b, &b->w[i], &st))
					live++;
			if (!live || vl_now() >= end)
				break;
			vl_worker_sleep(0.005);
		}
	}
	for (int i = 0; b->w && i < b->nworkers; i++) {
		struct wproc *w = &b->w[i];
		if (w->pid)
			vl_worker_reap(b, w, 0);
		for (int k = 0; k < w->nflight; k++)
			job_free(w->flight[k]);
		vl_free(w->flight);
		vl_buf_release(&w->wbuf);
		vl_buf_release(&w->rbuf);
	}
	while ((j = queue_pop(b)))
		job_free(j);
	vl_ready_release(&b->ready);
	vl_buf_release(&b->tmp);
	if (b->log_fd >= 0)
		close(b->log_fd);
	vl_free(b->w);
	vl_free(b->pfd);
	vl_free(b->pfd_w);
	vl_free(b->command);
	vl_free(b->fatal);
	vl_free(b->stray);
	free(b->cwd);
	memset(b, 0, sizeof(*b));
}

const struct vl_backend_methods vl_backend_worker = {
	.version = VL_BACKEND_API_VERSION,
	.instance_size = sizeof(struct worker),
	.name = "worker",
	.description = "a local engine as N subprocesses speaking JSON lines "
		       "(--set command=\"python3 my_worker.py\" workers=N)",
	.caps = VL_CAP_IMAGES | VL_CAP_USAGE | VL_CAP_CACHEABLE,
	.open = worker_open,
	.submit = worker_submit,
	.poll = worker_poll,
	.close = worker_close,
	.stats = worker_stats,
	.options = worker_options,
};
