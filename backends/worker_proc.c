/*
 * worker_proc.c - process supervision of backend "worker": starting a
 * worker (posix_spawn of /bin/sh -c COMMAND in its own process group, stdin
 * a socket pair, stdout a pipe), reaping it with its rusage, and sampling
 * the CPU time and peak RSS of live workers' process trees from /proc.
 *
 * Why the stdin end is a socket pair rather than a pipe: send() with
 * MSG_NOSIGNAL reports a dead reader as EPIPE without raising SIGPIPE, so the
 * backend needs no process-wide signal disposition.
 */
#include "backends/worker_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SAMPLE_EVERY_S 0.1
#define TREE_MAX 64          /* processes looked at per worker tree */

void vl_worker_sleep(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - floor(s)) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The message for a wait status: "exited with status 3", "was killed by
 * signal 11 (Segmentation fault)". */
void vl_worker_describe_status(struct vl_buf *b, int st)
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

void vl_worker_sample_stats(struct worker *b, int force)
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

int vl_worker_spawn(struct worker *b, struct wproc *w, struct vl_buf *err)
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
int vl_worker_try_reap(struct worker *b, struct wproc *w, int *st)
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
int vl_worker_reap(struct worker *b, struct wproc *w, double grace_s)
{
	struct rusage ru;
	double end = vl_now() + grace_s;
	int st = 0;
	pid_t r;

	for (;;) {
		if (vl_worker_try_reap(b, w, &st))
			return st;
		if (vl_now() >= end)
			break;
		vl_worker_sleep(0.002);
	}
	kill(-w->pid, SIGKILL);
	memset(&ru, 0, sizeof(ru));
	while ((r = wait4(w->pid, &st, 0, &ru)) < 0 && errno == EINTR)
		;
	book_exit(b, w, r == w->pid ? &ru : NULL);
	return st;
}
