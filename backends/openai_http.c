/*
 * openai_http.c - the transport of backend "openai": one libcurl multi
 * handle drives every request in flight from a thread of the backend's own
 * (the I/O thread, "vleval-http" in top -H), through libcurl's event API:
 * an epoll set holds the sockets libcurl asks to watch, so a wake-up costs
 * the ready sockets, not every connection.
 *
 * The caller's thread (the runner) enqueues jobs whose bodies it planned;
 * the I/O thread starts what the rate limits and backoff allow, classifies
 * each finished attempt (done, retry, failed, fatal: every request would
 * fail) and hands the responses back.  The body is produced in libcurl's
 * read callback, images base64-encoded straight into libcurl's upload
 * buffer, sized to take a whole body of up to 512 KB at once (one send()
 * per request).  Easy handles and job buffers are pooled, so a long run
 * allocates little per request once warm.
 */
#include "backends/openai_int.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static void job_free(struct job *j)
{
	vl_openai_body_release(&j->body);
	vl_buf_release(&j->resp);
	vl_buf_release(&j->lasterr);
	vl_sse_release(&j->sse);
	vl_free(j);
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct job *j = ud;
	size_t n = size * nmemb;

	if (j->resp.len + n > VL_OPENAI_MAX_BODY) {
		j->too_big = 1;
		return 0;
	}
	vl_buf_add(&j->resp, p, n);
	/* t_first is -1 unless streaming; error bodies are not events */
	if (j->status >= 200 && j->status < 300 && j->t_first >= 0) {
		if (vl_sse_feed(&j->sse, p, n))
			j->t_first = vl_now();
		if (j->sse.text.len > VL_MAX_OUTPUT_BYTES) {
			j->too_big = 2;
			return 0;
		}
	}
	return n;
}

/* libcurl asks for the next piece of the body: the image base64 is encoded
 * right here, into libcurl's upload buffer. */
static size_t on_read(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct job *j = ud;

	return vl_openai_body_read(&j->body, dst, size * nmemb);
}

/* libcurl rewinds the body when it sends it again by itself (a reused
 * connection that the server had closed). */
static int on_seek(void *ud, curl_off_t off, int origin)
{
	struct job *j = ud;

	/* a rewind after the body went out is one more request on the wire:
	 * one more attempt to count */
	if (off == 0 && j->body.pos > 0)
		j->resends++;
	if (origin != SEEK_SET || off < 0 || vl_openai_body_seek(&j->body, (size_t)off) < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	return CURL_SEEKFUNC_OK;
}

/* The whole body in one read and one send() when it fits: each extra piece
 * is one more system call and one more wake-up of the server.  Between
 * libcurl's 64 KB default and 512 KB, so that a window of 64 transfers of
 * large images holds at most 32 MB of upload buffers. */
long vl_openai_upload_buffer_size(size_t body_len)
{
	size_t n = (body_len + 16383) / 16384 * 16384;

	if (n < 65536)
		n = 65536;
	if (n > 524288)
		n = 524288;
	return (long)n;
}

/* libcurl tells which of its sockets to watch for what; the registration
 * (CURL_POLL_* + 1) is kept as the socket's pointer in libcurl's table, so
 * that an unchanged request costs no system call. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *ud, void *sockp)
{
	struct openai *o = ud;
	intptr_t had = (intptr_t)sockp;
	struct epoll_event ev = { 0 };

	if (what == CURL_POLL_REMOVE) {
		if (had)
			epoll_ctl(o->ep, EPOLL_CTL_DEL, fd, NULL);
		return 0;
	}
	if (had == what + 1)
		return 0;
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	ev.data.fd = fd;
	if (epoll_ctl(o->ep, had ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0) {
		/* a registration that outlived its socket number, or the reverse */
		if (errno == EEXIST)
			epoll_ctl(o->ep, EPOLL_CTL_MOD, fd, &ev);
		else if (errno == ENOENT)
			epoll_ctl(o->ep, EPOLL_CTL_ADD, fd, &ev);
	}
	curl_multi_assign(o->multi, fd, (void *)(intptr_t)(what + 1));
	return 0;
}

/* libcurl's single timeout; run by the I/O thread's loop (never from here). */
static int on_timer(CURLM *m, long timeout_ms, void *ud)
{
	struct openai *o = ud;

	o->timer_due = timeout_ms < 0 ? -1 : vl_now() + (double)timeout_ms / 1000.0;
	return 0;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct job *j = ud;
	size_t n = size * nmemb;

	if (n > 5 && !memcmp(p, "HTTP/", 5)) {
		/* a new response (after a 100 Continue or a redirect) */
		const char *sp = memchr(p, ' ', n);
		j->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		j->retry_after = -1;
	} else if (n > 12 && !strncasecmp(p, "retry-after:", 12)) {
		char v[64];
		size_t k = n - 12 < sizeof(v) - 1 ? n - 12 : sizeof(v) - 1;
		memcpy(v, p + 12, k);
		v[k] = '\0';
		double ra = vl_openai_retry_after(v, vl_wall_time());
		if (ra >= 0 && j->retry_after < 0)
			j->retry_after = ra;
	} else if (n > 15 && !strncasecmp(p, "retry-after-ms:", 15)) {
		double ms = strtod(p + 15, NULL);
		if (ms >= 0 && isfinite(ms))
			j->retry_after = ms / 1000.0;
	}
	return n;
}

static void *io_main(void *arg);

static int start_io_thread(struct openai *o, char *err, size_t errlen)
{
	pthread_condattr_t ca;
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t all, old;
	int rc;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);   /* poll()'s deadlines */
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
	o->sync_made = 1;
	o->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.fd = o->wake_fd;
	if (o->wake_fd < 0 || epoll_ctl(o->ep, EPOLL_CTL_ADD, o->wake_fd, &ev) < 0) {
		snprintf(err, errlen, "cannot create an eventfd: %s", strerror(errno));
		return -1;
	}
	/* signals (the runner's SIGINT) go to the caller's threads, never here:
	 * the thread starts with all of them blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&o->io, NULL, io_main, o);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start the I/O thread: %s", strerror(rc));
		return -1;
	}
	o->io_started = 1;
	pthread_setname_np(o->io, "vleval-http");   /* for top -H, perf */
	return 0;
}

int vl_openai_http_start(struct openai *o, char *err, size_t errlen)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -1;
	}
	o->multi = curl_multi_init();
	if (!o->multi) {
		snprintf(err, errlen, "cannot create a libcurl multi handle");
		return -1;
	}
	/* libcurl's event API: epoll reports the sockets that are ready, where
	 * curl_multi_poll() would poll() every connection on every call */
	o->ep = epoll_create1(EPOLL_CLOEXEC);
	if (o->ep < 0) {
		snprintf(err, errlen, "cannot create an epoll set: %s", strerror(errno));
		return -1;
	}
	o->timer_due = -1;
	curl_multi_setopt(o->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(o->multi, CURLMOPT_SOCKETDATA, o);
	curl_multi_setopt(o->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(o->multi, CURLMOPT_TIMERDATA, o);
	curl_multi_setopt(o->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	if (o->concurrency >= 1)
		curl_multi_setopt(o->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->concurrency);
	/* keep every connection of a full window alive between requests */
	curl_multi_setopt(o->multi, CURLMOPT_MAXCONNECTS,
			  (long)((o->concurrency >= 1 ? o->concurrency : 64) + 4) * o->nurls);
	o->headers = curl_slist_append(NULL, "Content-Type: application/json");
	o->headers = curl_slist_append(o->headers, "Expect:");
	if (o->key) {
		struct vl_buf h = VL_BUF_INIT;
		vl_buf_adds(&h, "Authorization: Bearer ");
		vl_buf_adds(&h, o->key);
		o->headers = curl_slist_append(o->headers, h.buf);
		explicit_bzero(h.buf, h.len);
		vl_buf_release(&h);
	}
	if (!o->headers) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (o->preflight && vl_openai_check_servers(o, err, errlen) < 0)
		return -1;
	return start_io_thread(o, err, errlen);
}

static CURL *get_easy(struct openai *o)
{
	CURL *e;

	if (o->neasy)
		return o->easy_pool[--o->neasy];
	e = curl_easy_init();
	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, o->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, o->http_version);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)ceil(o->timeout_s * 1000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)ceil((o->timeout_s < 30 ? o->timeout_s : 30) * 1000));
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->tls_verify ? 2L : 0L);
	return e;
}

static void put_easy(struct openai *o, CURL *e)
{
	if (o->neasy == o->capeasy) {
		o->capeasy = o->capeasy ? o->capeasy * 2 : 64;
		o->easy_pool = vl_xrealloc(o->easy_pool, o->capeasy * sizeof(CURL *));
	}
	o->easy_pool[o->neasy++] = e;
}

static void push_wait(struct openai *o, struct job *j)
{
	if (o->nwait == o->capwait) {
		o->capwait = o->capwait ? o->capwait * 2 : 64;
		o->wait = vl_xrealloc(o->wait, o->capwait * sizeof(*o->wait));
	}
	o->wait[o->nwait++] = j;
}

/* Adds r to the done list and j to the free jobs (under mu). */
static void hand_back(struct openai *o, const struct vl_response *r, struct job *j)
{
	/* keep buffers (their memory) but not a runaway one */
	if (vl_openai_body_memory(&j->body) > ((size_t)8 << 20))
		vl_openai_body_release(&j->body);
	if (j->resp.alloc > ((size_t)1 << 20))
		vl_buf_release(&j->resp);
	pthread_mutex_lock(&o->mu);
	if (o->ndone == o->capdone) {
		o->capdone = o->capdone ? o->capdone * 2 : 64;
		o->done = vl_xrealloc(o->done, o->capdone * sizeof(*o->done));
	}
	o->done[o->ndone++] = *r;
	j->next_free = o->free_jobs;
	o->free_jobs = j;
	pthread_mutex_unlock(&o->mu);
	o->completed = 1;
}

/* Finishes a job: hands its outcome to the runner.  msg NULL = success
 * with text. */
static void complete(struct openai *o, struct job *j, const char *text, const char *msg,
		     int fatal, long pt, long ct)
{
	struct vl_response resp = { 0 }, *r = &resp;
	double now = vl_now();

	r->gpu_mem_peak_mb = -1;
	r->id = j->id;
	if (msg) {
		struct vl_buf m = VL_BUF_INIT;
		vl_buf_adds(&m, msg);
		if (j->attempts > 1)
			vl_buf_addf(&m, " (after %d attempts)", j->attempts);
		vl_openai_redact(&m, o->key);
		r->error = strdup(m.buf);
		vl_buf_release(&m);
	} else {
		r->text = strdup(text ? text : "");
		if (j->finish[0])
			r->finish_reason = strdup(j->finish);
	}
	r->fatal = fatal;
	r->http_status = (int)j->status;
	r->prompt_tokens = pt;
	r->completion_tokens = ct;
	r->latency_s = now - j->t_submit;
	r->ttft_s = o->stream && j->t_first > 0 ? j->t_first - j->t_submit : -1;
	r->bytes_sent = j->bytes_sent;
	r->bytes_received = j->bytes_received;
	r->retries = (j->attempts > 0 ? j->attempts - 1 : 0) + j->resends;
	__atomic_add_fetch(&o->requests_sent, j->resends, __ATOMIC_RELAXED);
	if (o->tpm.rate && pt >= 0 && ct >= 0) {
		/* give back what the estimate overcharged (or take the rest) */
		o->tpm.level += j->cost - (double)(pt + ct);
		if (o->tpm.level > o->tpm.cap)
			o->tpm.level = o->tpm.cap;
	}
	hand_back(o, r, j);
}

static int start(struct openai *o, struct job *j, char *err, size_t errlen)
{
	CURL *e = get_easy(o);
	int best = 0;

	if (!e) {
		snprintf(err, errlen, "cannot create a libcurl handle");
		return -1;
	}
	/* least in flight first; ties go round-robin */
	best = o->rr % o->nurls;
	for (int k = 1; k < o->nurls; k++) {
		int u = (o->rr + k) % o->nurls;
		if (o->inflight[u] < o->inflight[best])
			best = u;
	}
	o->rr = (o->rr + 1) % o->nurls;
	j->url = best;
	j->easy = e;
	j->attempts++;
	j->status = 0;
	j->retry_after = -1;
	j->too_big = 0;
	j->t_first = o->stream ? 0 : -1;
	vl_buf_reset(&j->resp);
	vl_sse_reset(&j->sse);
	curl_easy_setopt(e, CURLOPT_URL, o->urls[best]);
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, !strncmp(o->urls[best], "https:", 6) ? 1L : 0L);
	vl_openai_body_seek(&j->body, 0);
	curl_easy_setopt(e, CURLOPT_READDATA, j);
	curl_easy_setopt(e, CURLOPT_SEEKDATA, j);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)j->body.len);
	curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, vl_openai_upload_buffer_size(j->body.len));
	curl_easy_setopt(e, CURLOPT_PRIVATE, j);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, j);
	if (curl_multi_add_handle(o->multi, e) != CURLM_OK) {
		put_easy(o, e);
		j->easy = NULL;
		snprintf(err, errlen, "cannot queue a libcurl transfer");
		return -1;
	}
	o->inflight[best]++;
	if (o->running == o->caplive) {
		o->caplive = o->caplive ? o->caplive * 2 : 64;
		o->live = vl_xrealloc(o->live, o->caplive * sizeof(*o->live));
	}
	j->live = o->running;
	o->live[o->running++] = j;
	__atomic_add_fetch(&o->requests_sent, 1, __ATOMIC_RELAXED);
	return 0;
}

/* Starts queued jobs that are due and allowed by the rate limits; returns
 * the seconds until the next one could start (INFINITY when none wait). */
static double start_due(struct openai *o)
{
	double now = vl_now(), wake = INFINITY;
	size_t k = 0;

	vl_openai_bucket_refill(&o->rpm, now);
	vl_openai_bucket_refill(&o->tpm, now);
	for (size_t i = 0; i < o->nwait; i++) {
		struct job *j = o->wait[i];
		double w;
		char err[128];

		if (j->not_before > now) {
			o->wait[k++] = j;
			if (j->not_before - now < wake)
				wake = j->not_before - now;
			continue;
		}
		w = fmax(vl_openai_bucket_wait(&o->rpm, 1), vl_openai_bucket_wait(&o->tpm, j->cost));
		if (w > 0) {
			o->wait[k++] = j;
			if (w < wake)
				wake = w;
			continue;
		}
		if (start(o, j, err, sizeof(err)) < 0) {
			complete(o, j, NULL, err, 0, -1, -1);
			continue;
		}
		if (o->rpm.rate)
			o->rpm.level -= 1;
		if (o->tpm.rate)
			o->tpm.level -= j->cost;
	}
	o->nwait = k;
	return wake;
}

enum outcome { DONE_OK, DONE_RETRY, DONE_FAIL, DONE_FATAL };

/* Names the phase a timed-out attempt was in and the limit that applied:
 * libcurl caps the connect phase (TCP and the TLS handshake) at
 * CONNECTTIMEOUT = min(timeout, 30 s); --timeout covers the whole request. */
static void timeout_message(struct openai *o, CURL *e, const char *url, struct vl_buf *out)
{
	double conn = 0, app = 0, pre = 0, limit = o->timeout_s < 30 ? o->timeout_s : 30;
	curl_off_t up = 0;
	long port = 0;

	/* libcurl 7.88 leaves CONNECT_TIME at 0 until the whole connect phase
	 * (TLS included) is done; the peer's port is known once TCP is up */
	curl_easy_getinfo(e, CURLINFO_PRIMARY_PORT, &port);
	curl_easy_getinfo(e, CURLINFO_CONNECT_TIME, &conn);
	curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME, &app);
	curl_easy_getinfo(e, CURLINFO_PRETRANSFER_TIME, &pre);
	curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &up);
	if (pre > 0 || up > 0)  /* connected (or a kept-alive connection): sent */
		vl_buf_addf(out, "timed out after %g s waiting for %s to answer (--timeout covers "
			    "the whole request)", o->timeout_s, url);
	else if (conn <= 0 && port <= 0)
		vl_buf_addf(out, "timed out after %g s connecting to %s (the connect phase is "
			    "capped at min(--timeout, 30 s))", limit, url);
	else if (!strncasecmp(url, "https://", 8) && app <= 0)
		vl_buf_addf(out, "timed out after %g s in the TLS handshake with %s (the connect "
			    "phase is capped at min(--timeout, 30 s); a plain-HTTP server behind "
			    "an https:// URL?)", limit, url);
	else
		vl_buf_addf(out, "timed out after %g s waiting for %s to answer (--timeout covers "
			    "the whole request)", o->timeout_s, url);
}

/* Classifies a finished attempt; fills j->lasterr unless it succeeded. */
static enum outcome classify(struct openai *o, CURL *e, struct job *j, CURLcode res,
			     struct vl_buf *text, long *pt, long *ct)
{
	const char *url = o->shown[j->url];
	long st = j->status;

	vl_buf_reset(&j->lasterr);
	*pt = *ct = -1;
	j->finish[0] = '\0';
	if (res != CURLE_OK) {
		/* the runner would refuse the output: read no further, do not retry */
		if (j->too_big == 2) {
			vl_buf_addf(&j->lasterr, "output from %s is over the limit of %d bytes (the "
				    "stream was stopped there): not scored", url, VL_MAX_OUTPUT_BYTES);
			return DONE_FAIL;
		}
		if (j->too_big) {
			vl_buf_addf(&j->lasterr, "response from %s is over %zu MB, where an output is "
				    "limited to %d bytes (it was stopped there): not scored", url,
				    VL_OPENAI_MAX_BODY >> 20, VL_MAX_OUTPUT_BYTES);
			return DONE_FAIL;
		}
		if (res == CURLE_OPERATION_TIMEDOUT)
			timeout_message(o, e, url, &j->lasterr);
		else
			vl_buf_addf(&j->lasterr, "request to %s failed: %s", url,
				    curl_easy_strerror(res));
		if (res == CURLE_URL_MALFORMAT || res == CURLE_UNSUPPORTED_PROTOCOL ||
		    res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE)
			return DONE_FATAL;
		return DONE_RETRY;
	}
	if (st >= 200 && st < 300) {
		int rc;
		if (o->stream && j->sse.events) {
			if (j->sse.failed) {
				vl_buf_addf(&j->lasterr, "%s from %s", j->sse.err.buf, url);
				return DONE_RETRY;
			}
			if (!j->sse.done) {
				vl_buf_addf(&j->lasterr, "stream from %s stopped before [DONE] "
					    "(%d events)", url, j->sse.events);
				return DONE_RETRY;
			}
			vl_buf_add(text, j->sse.text.buf, j->sse.text.len);
			*pt = j->sse.prompt_tokens;
			*ct = j->sse.completion_tokens;
			memcpy(j->finish, j->sse.finish_reason, sizeof(j->finish));
			return DONE_OK;
		}
		/* not streamed (or a server that ignored "stream") */
		rc = vl_openai_parse_response(j->resp.buf ? j->resp.buf : "", j->resp.len, text,
					      pt, ct, j->finish, &j->lasterr);
		if (rc < 0) {
			vl_buf_addf(&j->lasterr, " from %s", url);
			return DONE_RETRY;
		}
		return DONE_OK;
	}
	vl_buf_addf(&j->lasterr, "http %ld from %s", st, url);
	if (st == 401)
		vl_buf_addf(&j->lasterr, ": the server refused the API key %s$%s",
			    o->key ? "in " : "(none set) in ", o->key_env);
	else if (st == 403)
		vl_buf_addf(&j->lasterr, ": access denied (key in $%s, model '%s')", o->key_env,
			    o->model ? o->model : "(none)");
	else if (st == 404)
		vl_buf_addf(&j->lasterr, ": no such endpoint or model '%s' (--base-url usually "
			    "ends in /v1)", o->model ? o->model : "(none)");
	vl_buf_adds(&j->lasterr, ": ");
	vl_openai_error_message(j->resp.buf ? j->resp.buf : "", j->resp.len, &j->lasterr);
	if (st == 401 || st == 403 || st == 404)
		return DONE_FATAL;
	if (st == 408 || st == 409 || st == 429 || st >= 500)
		return DONE_RETRY;
	return DONE_FAIL;
}

static void finish_transfer(struct openai *o, CURL *e, CURLcode res)
{
	struct job *j = NULL;
	struct vl_buf text = VL_BUF_INIT;
	curl_off_t up = 0, down = 0;
	long req_size = 0, hdr_size = 0;
	enum outcome oc;
	long pt, ct;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
	curl_easy_getinfo(e, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &req_size);
	curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &hdr_size);
	curl_multi_remove_handle(o->multi, e);
	put_easy(o, e);
	o->live[j->live] = o->live[--o->running];
	o->live[j->live]->live = j->live;
	o->inflight[j->url]--;
	j->easy = NULL;
	/* the body comes from the read callback, never inside the request
	 * buffer: REQUEST_SIZE is the request line and headers, SIZE_UPLOAD the
	 * body bytes sent */
	j->bytes_sent += (long long)req_size + (long long)up;
	j->bytes_received += (long long)down + hdr_size;

	oc = classify(o, e, j, res, &text, &pt, &ct);
	if (oc == DONE_RETRY && j->attempts <= o->retries) {
		j->not_before = vl_now() + vl_openai_backoff(j->attempts, o->backoff_s,
							     o->backoff_max_s, j->retry_after,
							     o->retry_after_max_s,
							     vl_rng_unit(&o->rng));
		push_wait(o, j);
	} else if (oc == DONE_OK) {
		complete(o, j, vl_buf_str(&text), NULL, 0, pt, ct);
	} else {
		complete(o, j, NULL, vl_buf_str(&j->lasterr), oc == DONE_FATAL, -1, -1);
	}
	vl_buf_release(&text);
}

/* Takes a free job (or makes one). */
struct job *vl_openai_job_get(struct openai *o)
{
	struct job *j;

	pthread_mutex_lock(&o->mu);
	j = o->free_jobs;
	if (j)
		o->free_jobs = j->next_free;
	pthread_mutex_unlock(&o->mu);
	if (!j) {
		j = vl_xcalloc(1, sizeof(*j));
		vl_sse_init(&j->sse);
	}
	return j;
}

void vl_openai_job_put(struct openai *o, struct job *j)
{
	pthread_mutex_lock(&o->mu);
	j->next_free = o->free_jobs;
	o->free_jobs = j;
	pthread_mutex_unlock(&o->mu);
}

void vl_openai_enqueue(struct openai *o, struct job *j)
{
	int wake;

	pthread_mutex_lock(&o->mu);
	if (o->ninbox == o->capinbox) {
		o->capinbox = o->capinbox ? o->capinbox * 2 : 64;
		o->inbox = vl_xrealloc(o->inbox, o->capinbox * sizeof(*o->inbox));
	}
	o->inbox[o->ninbox++] = j;
	o->outstanding++;
	/* a system call only when the I/O thread sleeps and nobody woke it yet */
	wake = o->io_sleeping && !o->wake_pending;
	if (wake)
		o->wake_pending = 1;
	pthread_mutex_unlock(&o->mu);
	if (wake) {
		uint64_t one = 1;
		if (write(o->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
			/* cannot happen with a valid eventfd; the next timeout picks it up */
		}
	}
}

static void drain(struct openai *o)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(o->multi, &left)))
		if (m->msg == CURLMSG_DONE)
			finish_transfer(o, m->easy_handle, m->data.result);
}

/* Wakes a waiting poll() once per batch of responses, not once per
 * response. */
static void signal_runner(struct openai *o)
{
	if (!o->completed)
		return;
	o->completed = 0;
	pthread_mutex_lock(&o->mu);
	if (o->runner_waiting)
		pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

/* Runs libcurl's timeout when it is due.  Returns -1 on a libcurl error. */
static int run_timer(struct openai *o)
{
	int running;

	if (o->timer_due < 0 || o->timer_due > vl_now())
		return 0;
	o->timer_due = -1;   /* before the call: it may set a new one */
	return curl_multi_socket_action(o->multi, CURL_SOCKET_TIMEOUT, 0, &running) ==
			       CURLM_OK ? 0 : -1;
}

/* Moves the inbox to the wait queue.  Returns 1 when close() asked to stop. */
static int take_inbox(struct openai *o)
{
	int stop;

	pthread_mutex_lock(&o->mu);
	for (size_t i = 0; i < o->ninbox; i++)
		push_wait(o, o->inbox[i]);
	o->ninbox = 0;
	stop = o->stop;
	pthread_mutex_unlock(&o->mu);
	return stop;
}

/* Waits for the next event (a socket, libcurl's timer, a backoff or rate
 * limit expiring, a submit) and acts on it.  Returns -1 on an error. */
static int io_wait(struct openai *o, double wake)
{
	struct epoll_event ev[64];
	double now = vl_now();
	int n, ms, running;

	signal_runner(o);
	if (o->timer_due >= 0)
		wake = fmin(wake, fmax(0, o->timer_due - now));
	ms = isinf(wake) ? -1 : (int)ceil(fmin(wake, 3600) * 1000);
	pthread_mutex_lock(&o->mu);
	if (o->ninbox || o->stop)
		ms = 0;
	o->io_sleeping = ms != 0;
	pthread_mutex_unlock(&o->mu);
	n = epoll_wait(o->ep, ev, (int)(sizeof(ev) / sizeof(*ev)), ms);
	if (ms != 0) {
		pthread_mutex_lock(&o->mu);
		o->io_sleeping = 0;
		pthread_mutex_unlock(&o->mu);
	}
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		int fl = (ev[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
			 (ev[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			 (ev[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);

		if (fd == o->wake_fd) {
			uint64_t v;
			if (read(o->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				return -1;
			pthread_mutex_lock(&o->mu);
			o->wake_pending = 0;
			pthread_mutex_unlock(&o->mu);
			continue;
		}
		if (curl_multi_socket_action(o->multi, fd, fl, &running) != CURLM_OK)
			return -1;
	}
	return 0;
}

/* The I/O thread: starts what is due, runs libcurl, hands back responses. */
static void *io_main(void *arg)
{
	struct openai *o = arg;

	while (!take_inbox(o)) {
		double wake = start_due(o);

		if (run_timer(o) < 0)
			goto fail;
		drain(o);
		/* retries that drain() queued may be due at once */
		wake = fmin(wake, start_due(o));
		if (io_wait(o, wake) < 0)
			goto fail;
	}
	return NULL;
fail:
	pthread_mutex_lock(&o->mu);
	o->io_failed = 1;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

int vl_openai_take_done(struct openai *o, int timeout_ms, struct vl_response *out, int max)
{
	struct timespec until;
	int k;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&o->mu);
	while (!o->ndone && !o->io_failed && o->outstanding > 0 && timeout_ms > 0) {
		int rc;

		o->runner_waiting = 1;
		rc = pthread_cond_timedwait(&o->cv, &o->mu, &until);
		o->runner_waiting = 0;
		if (rc == ETIMEDOUT)
			break;
	}
	if (o->io_failed && !o->ndone) {
		pthread_mutex_unlock(&o->mu);
		return -1;
	}
	k = (int)(o->ndone < (size_t)max ? o->ndone : (size_t)max);
	if (k > 0) {
		memcpy(out, o->done, (size_t)k * sizeof(*out));
		memmove(o->done, o->done + k, (o->ndone - (size_t)k) * sizeof(*o->done));
		o->ndone -= (size_t)k;
		o->outstanding -= k;
	}
	pthread_mutex_unlock(&o->mu);
	return k > 0 ? k : 0;
}


void vl_openai_http_stop(struct openai *o)
{
	struct job *j;

	if (o->io_started) {
		uint64_t one = 1;

		pthread_mutex_lock(&o->mu);
		o->stop = 1;
		pthread_mutex_unlock(&o->mu);
		if (write(o->wake_fd, &one, sizeof(one)) < 0) {
			/* io_wait sees stop at its next timeout at the latest */
		}
		pthread_join(o->io, NULL);
	}
	/* one thread from here on */
	for (size_t i = 0; i < o->ninbox; i++)
		job_free(o->inbox[i]);
	vl_free(o->inbox);
	if (o->multi) {
		/* abandon what is in flight */
		for (size_t i = 0; i < o->running; i++) {
			curl_multi_remove_handle(o->multi, o->live[i]->easy);
			curl_easy_cleanup(o->live[i]->easy);
			job_free(o->live[i]);
		}
		curl_multi_cleanup(o->multi);
	}
	if (o->ep >= 0)
		close(o->ep);
	for (size_t i = 0; i < o->neasy; i++)
		curl_easy_cleanup(o->easy_pool[i]);
	vl_free(o->easy_pool);
	vl_free(o->live);
	for (size_t i = 0; i < o->nwait; i++)
		job_free(o->wait[i]);
	vl_free(o->wait);
	while ((j = o->free_jobs)) {
		o->free_jobs = j->next_free;
		job_free(j);
	}
	for (size_t i = 0; i < o->ndone; i++) {
		free(o->done[i].text);
		free(o->done[i].error);
		free(o->done[i].finish_reason);
	}
	vl_free(o->done);
	for (struct curl_slist *h = o->headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	if (o->headers)
		curl_slist_free_all(o->headers);
	if (o->wake_fd >= 0)
		close(o->wake_fd);
	if (o->sync_made) {
		pthread_mutex_destroy(&o->mu);
		pthread_cond_destroy(&o->cv);
	}
}
