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
 * quoted in later error messages.  Logs belong on stderr.
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
 * Why the stdin end is a socket pair rather than a pipe: send() with
 * MSG_NOSIGNAL reports a dead reader as EPIPE without raising SIGPIPE, so the
 * backend needs no process-wide signal disposition.
 */
#include "backends/backend.h"
#include "backends/option.h"
#include "backends/ready.h"
#include "backends/worker.h"
#include "core/vl.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SAMPLE_EVERY_S 0.1
#define TREE_MAX 64          /* processes looked at per worker tree */
#define STRAY_QUOTE 160      /* bytes of a stray stdout line kept */

struct job {
	struct job *next;
	uint64_t id;
	char *line;          /* the request line with its '\n'; vl_malloc'd */
	size_t len;
	int crashes;         /* workers that died holding it */
	double t_sent;       /* when it was handed to a worker */
};

struct wproc {
	int index;
	pid_t pid;           /* 0: not running */
	int in_fd;           /* our end of its stdin (socket) */
	int out_fd;          /* read end of its stdout (pipe) */
	int dead;            /* EOF or broken stdin seen: reap it */
	struct vl_buf wbuf;  /* request bytes not yet written */
	size_t woff;
	struct vl_buf rbuf;  /* stdout bytes not yet a full line */
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

/* ---- the request line --------------------------------------------------- */

static void add_num_or_null(struct vl_buf *b, double v, int set)
{
	if (set)
		vl_buf_add_json_num(b, v);
	else
		vl_buf_adds(b, "null");
}

void vl_worker_request_json(const struct vl_request *req, const char *cwd, struct vl_buf *out)
{
	vl_buf_addf(out, "{\"id\":\"%llu\",\"sample_id\":", (unsigned long long)req->id);
	vl_buf_add_json_str(out, req->sample_id);
	vl_buf_adds(out, ",\"messages\":[");
	if (req->system) {
		vl_buf_adds(out, "{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":");
		vl_buf_add_json_str(out, req->system);
		vl_buf_adds(out, "}]},");
	}
	vl_buf_adds(out, "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":");
	vl_buf_add_json_str(out, req->prompt ? req->prompt : "");
	vl_buf_addch(out, '}');
	for (size_t i = 0; i < req->n_images; i++) {
		const struct vl_image *im = &req->images[i];
		vl_buf_adds(out, ",{\"type\":\"image\",");
		if (im->path) {
			vl_buf_adds(out, "\"path\":");
			if (im->path[0] != '/' && cwd) {
				struct vl_buf abs = VL_BUF_INIT;
				vl_buf_addf(&abs, "%s/%s", cwd, im->path);
				vl_buf_add_json_str(out, abs.buf);
				vl_buf_release(&abs);
			} else {
				vl_buf_add_json_str(out, im->path);
			}
		} else {
			vl_buf_adds(out, "\"b64\":");
			vl_buf_add_json_str(out, im->b64 ? im->b64 : "");
		}
		vl_buf_adds(out, ",\"mime\":");
		vl_buf_add_json_str(out, im->mime);
		vl_buf_addch(out, '}');
	}
	vl_buf_adds(out, "]}],\"max_tokens\":");
	add_num_or_null(out, req->max_tokens, req->max_tokens >= 0);
	vl_buf_adds(out, ",\"temperature\":");
	add_num_or_null(out, req->temperature, req->temperature >= 0);
	vl_buf_adds(out, ",\"top_p\":");
	add_num_or_null(out, req->top_p, req->top_p >= 0);
	vl_buf_adds(out, ",\"seed\":");
	if (req->seed >= 0)
		vl_buf_addf(out, "%lld", req->seed);
	else
		vl_buf_adds(out, "null");
	vl_buf_adds(out, ",\"stop\":[");
	for (size_t i = 0; i < req->n_stop; i++) {
		if (i)
			vl_buf_addch(out, ',');
		vl_buf_add_json_str(out, req->stop[i]);
	}
	vl_buf_adds(out, "]}\n");
}

/* ---- small helpers ------------------------------------------------------ */

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The message for a wait status: "exited with status 3", "was killed by
 * signal 11 (Segmentation fault)". */
static void describe_status(struct vl_buf *b, int st)
{
	if (WIFEXITED(st))
		vl_buf_addf(b, "exited with status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		vl_buf_addf(b, "was killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
	else
		vl_buf_adds(b, "stopped");
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		vl_buf_adds(b, ": command not found?");
	/* /bin/sh reports a child killed by signal N as status 128 + N */
	if (WIFEXITED(st) && WEXITSTATUS(st) > 128 && WEXITSTATUS(st) < 128 + 65)
		vl_buf_addf(b, " (the shell's report of signal %d, %s)", WEXITSTATUS(st) - 128,
			    strsignal(WEXITSTATUS(st) - 128));
}

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

/* ---- measurements -------------------------------------------------------- */

/* Adds the CPU seconds of process pid and its live descendants (their own
 * time plus that of the children they reaped) to *cpu, and raises *hwm_mb
 * to the largest VmHWM among them.  *budget bounds the walk. */
static void sample_tree(struct worker *b, pid_t pid, double *cpu, double *hwm_mb, int *budget)
{
	char path[64], buf[1024];
	unsigned long long ut, st;
	long long cut, cst;
	FILE *f;
	char *p;

	if ((*budget)-- <= 0)
		return;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* after "pid (comm)": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime */
	if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld",
			&ut, &st, &cut, &cst) == 4)
		*cpu += (double)(ut + st + (unsigned long long)cut + (unsigned long long)cst) /
			(double)b->clk_tck;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f) {
		long kb;
		while (fgets(buf, sizeof(buf), f))
			if (sscanf(buf, "VmHWM: %ld kB", &kb) == 1 && kb / 1024.0 > *hwm_mb)
				*hwm_mb = kb / 1024.0;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (f) {
		int kids[TREE_MAX], n = 0, k;
		while (n < TREE_MAX && fscanf(f, "%d", &k) == 1)
			kids[n++] = k;
		fclose(f);
		for (int i = 0; i < n; i++)
			sample_tree(b, kids[i], cpu, hwm_mb, budget);
	}
}

static void sample_stats(struct worker *b, int force)
{
	double now = vl_now();

	if (!force && now - b->last_sample < SAMPLE_EVERY_S)
		return;
	b->last_sample = now;
	for (int i = 0; i < b->nworkers; i++) {
		struct wproc *w = &b->w[i];
		double cpu = 0, hwm = 0;
		int budget = TREE_MAX;
		if (!w->pid)
			continue;
		sample_tree(b, w->pid, &cpu, &hwm, &budget);
		/* a process read between its exit and our wait4 reads as nothing */
		if (cpu > w->cpu_s)
			w->cpu_s = cpu;
		if (hwm > b->peak_rss_mb)
			b->peak_rss_mb = hwm;
	}
}

/* ---- worker processes ---------------------------------------------------- */

static int spawn(struct worker *b, struct wproc *w, struct vl_buf *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	char idx[48], cnt[48];
	char *argv[] = { "/bin/sh", "-c", b->command, NULL };
	char **envp;
	size_t ne = 0, k = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0 ||
	    pipe2(out, O_CLOEXEC) < 0) {
		vl_buf_addf(err, "cannot create pipes for worker %d: %s", w->index, strerror(errno));
		goto fail;
	}
	snprintf(idx, sizeof(idx), "VLEVAL_WORKER_INDEX=%d", w->index);
	snprintf(cnt, sizeof(cnt), "VLEVAL_WORKERS=%d", b->nworkers);
	while (environ && environ[ne])
		ne++;
	envp = vl_xcalloc(ne + 3, sizeof(*envp));
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "VLEVAL_WORKER_INDEX=", 20) &&
		    strncmp(environ[i], "VLEVAL_WORKERS=", 15))
			envp[k++] = environ[i];
	envp[k++] = idx;
	envp[k++] = cnt;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[1], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (b->log_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, b->log_fd, 2);
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	/* its own process group, so a kill reaches what the shell started */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	vl_free(envp);
	if (rc) {
		vl_buf_addf(err, "cannot start worker %d: /bin/sh: %s", w->index, strerror(rc));
		goto fail;
	}
	close(in[1]);
	close(out[1]);
	fcntl(in[0], F_SETFL, fcntl(in[0], F_GETFL) | O_NONBLOCK);
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	w->pid = pid;
	w->in_fd = in[0];
	w->out_fd = out[0];
	w->dead = 0;
	w->answered = 0;
	w->cpu_s = 0;
	w->woff = 0;
	vl_buf_reset(&w->wbuf);
	vl_buf_reset(&w->rbuf);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	return VL_EIO;
}

/* Books the rusage of an exited worker and closes its descriptors. */
static void book_exit(struct worker *b, struct wproc *w, const struct rusage *ru)
{
	if (ru) {
		b->cpu_dead_s += ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
			ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6;
		if (ru->ru_maxrss / 1024.0 > b->peak_rss_mb)
			b->peak_rss_mb = ru->ru_maxrss / 1024.0;
	} else {
		b->cpu_dead_s += w->cpu_s;
	}
	/* whatever the shell left behind in the group goes too */
	kill(-w->pid, SIGKILL);
	w->cpu_s = 0;
	close(w->in_fd);
	close(w->out_fd);
	w->in_fd = w->out_fd = -1;
	w->pid = 0;
}

/* Reaps w if it has exited: returns 1 (status in *st), else 0. */
static int try_reap(struct worker *b, struct wproc *w, int *st)
{
	struct rusage ru;
	pid_t r;

	memset(&ru, 0, sizeof(ru));
	while ((r = wait4(w->pid, st, WNOHANG, &ru)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	book_exit(b, w, r == w->pid ? &ru : NULL);
	return 1;
}

/* Reaps w, waiting up to grace_s for it to exit by itself, then SIGKILL to
 * its process group.  Returns the wait status. */
static int reap(struct worker *b, struct wproc *w, double grace_s)
{
	struct rusage ru;
	double end = vl_now() + grace_s;
	int st = 0;
	pid_t r;

	for (;;) {
		if (try_reap(b, w, &st))
			return st;
		if (vl_now() >= end)
			break;
		sleep_s(0.002);
	}
	kill(-w->pid, SIGKILL);
	memset(&ru, 0, sizeof(ru));
	while ((r = wait4(w->pid, &st, 0, &ru)) < 0 && errno == EINTR)
		;
	book_exit(b, w, r == w->pid ? &ru : NULL);
	return st;
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
	st = reap(b, w, expired ? 0 : 0.2);
	vl_buf_addf(&why, "worker %d (pid %d) ", w->index, pid);
	describe_status(&why, st);

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
		if (spawn(b, w, &err) < 0)
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

static double num_or(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* One line of w's stdout. */
static void on_line(struct worker *b, struct wproc *w, const char *line, size_t len)
{
	cJSON *o = cJSON_ParseWithLength(line, len);
	const cJSON *idv, *text, *error;
	struct vl_response *r;
	struct job *j = NULL;
	uint64_t id = 0;
	int ok = 0, k;

	if (len && line[len - 1] == '\r')
		len--;
	idv = cJSON_GetObjectItemCaseSensitive(o, "id");
	if (cJSON_IsString(idv)) {
		char *end;
		errno = 0;
		id = strtoull(idv->valuestring, &end, 10);
		ok = !*end && end != idv->valuestring && !errno;
	} else if (cJSON_IsNumber(idv) && idv->valuedouble >= 0 &&
		   idv->valuedouble == floor(idv->valuedouble)) {
		id = (uint64_t)idv->valuedouble;
		ok = 1;
	}
	for (k = 0; ok && k < w->nflight; k++)
		if (w->flight[k]->id == id)
			break;
	if (!ok || k >= w->nflight) {
		stray_line(b, line, len);
		cJSON_Delete(o);
		return;
	}
	j = w->flight[k];
	w->flight[k] = w->flight[--w->nflight];
	text = cJSON_GetObjectItemCaseSensitive(o, "text");
	error = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (cJSON_IsString(error) || (error && !cJSON_IsNull(error))) {
		char *e = cJSON_IsString(error) ? vl_xstrdup(error->valuestring)
						: vl_xstrdup("worker reported an error");
		for (char *p = e; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		r = finish(b, id, NULL, e);
		r->fatal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "fatal"));
		vl_free(e);
	} else if (cJSON_IsString(text)) {
		r = finish(b, id, text->valuestring, NULL);
	} else {
		r = finish(b, id, NULL, "worker response has neither a \"text\" string nor an \"error\"");
	}
	r->latency_s = vl_now() - j->t_sent;
	r->retries = j->crashes;
	r->prompt_tokens = (long)num_or(o, "prompt_tokens", -1);
	r->completion_tokens = (long)num_or(o, "completion_tokens", -1);
	r->ttft_s = num_or(o, "ttft_s", -1);
	r->gpu_mem_peak_mb = num_or(o, "gpu_mem_peak_mb", -1);
	if (r->gpu_mem_peak_mb > b->gpu_peak_mb)
		b->gpu_peak_mb = r->gpu_mem_peak_mb;
	w->answered++;
	b->start_failures = 0;
	job_free(j);
	cJSON_Delete(o);
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
		if (spawn(b, &b->w[i], &e) < 0) {
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
	sample_stats(b, 0);
	return vl_ready_pop(&b->ready, out, max);
}

static void worker_stats(void *self, struct vl_backend_stats *out)
{
	struct worker *b = self;
	double cpu = b->cpu_dead_s;

	sample_stats(b, 1);
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
				if (b->w[i].pid && !try_reap(b, &b->w[i], &st))
					live++;
			if (!live || vl_now() >= end)
				break;
			sleep_s(0.005);
		}
	}
	for (int i = 0; b->w && i < b->nworkers; i++) {
		struct wproc *w = &b->w[i];
		if (w->pid)
			reap(b, w, 0);
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
