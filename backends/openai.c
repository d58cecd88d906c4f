/*
 * openai.c - backend "openai": any OpenAI-compatible chat-completions server
 * (vLLM, SGLang, llama-server, Ollama, LM Studio, TGI, hosted APIs).
 *
 * One libcurl multi handle drives every request in flight from a thread of
 * the backend's own (the I/O thread), through libcurl's event API: an epoll
 * set holds the sockets libcurl asks to watch, so a wake-up costs the ready
 * sockets, not every connection.  The runner's thread keeps loading,
 * rendering, scoring and logging meanwhile: submit() plans the JSON body
 * (openai_body.c: the text, and each image's bytes read from its file) and
 * queues the request; the I/O thread starts what the rate limits and
 * backoff allow and turns finished transfers into responses or scheduled
 * retries; poll() hands the responses over.  The body is
 * produced in libcurl's read callback, images base64-encoded straight into
 * libcurl's upload buffer, sized to take a whole body of up to 512 KB at
 * once (one send() per request).  Easy handles and job buffers are pooled,
 * so a long run allocates little per request once warm; connections are
 * kept alive and HTTP/2 is multiplexed when the server offers it.
 *
 * Faults: connect errors, timeouts, 408/409/429/5xx and truncated or
 * malformed bodies (or streams) are retried with exponential backoff and
 * jitter, honouring Retry-After; 400 and other 4xx are recorded at once;
 * 401/403/404 are fatal (every request would fail).  The API key is read
 * from the environment variable named by api_key_env, goes only into the
 * Authorization header, and is redacted from every message.
 *
 * The pure parts (body, parsing, backoff) are declared in openai.h for the
 * unit tests.  Configuration keys are listed in cfg_keys below and in README.
 */
#include "backends/host.h"
#include "backends/openai.h"
#include "backends/option.h"
#include "core/base64.h"

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* ------------------------------------------------------------- parsing */

static void add_content(struct vl_buf *text, const cJSON *content)
{
	const cJSON *part;

	if (cJSON_IsString(content)) {
		vl_buf_adds(text, content->valuestring);
		return;
	}
	cJSON_ArrayForEach(part, content) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(part, "text");
		if (cJSON_IsString(part))
			vl_buf_adds(text, part->valuestring);
		else if (cJSON_IsString(t))
			vl_buf_adds(text, t->valuestring);
	}
}

static void get_usage(const cJSON *root, long *pt, long *ct)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(root, "usage");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(u, "completion_tokens");

	if (cJSON_IsNumber(p) && p->valuedouble >= 0)
		*pt = (long)p->valuedouble;
	if (cJSON_IsNumber(c) && c->valuedouble >= 0)
		*ct = (long)c->valuedouble;
}

/* Appends a one-line excerpt of at most max bytes of s. */
static void add_excerpt(struct vl_buf *out, const char *s, size_t len, size_t max)
{
	size_t i;

	for (i = 0; i < len && i < max; i++)
		vl_buf_addch(out, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
	if (len > max)
		vl_buf_adds(out, "...");
}

int vl_openai_parse_response(const char *body, size_t len, struct vl_buf *text,
			     long *prompt_tokens, long *completion_tokens, struct vl_buf *err)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *choice, *msg, *content;

	*prompt_tokens = *completion_tokens = -1;
	if (!root) {
		vl_buf_addf(err, "malformed response (%zu bytes, not JSON): '", len);
		add_excerpt(err, body, len, 80);
		vl_buf_addch(err, '\'');
		return VL_EPARSE;
	}
	if (cJSON_GetObjectItemCaseSensitive(root, "error") &&
	    !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "error"))) {
		vl_buf_adds(err, "server error in response: ");
		vl_openai_error_message(body, len, err);
		cJSON_Delete(root);
		return VL_EPARSE;
	}
	choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
	msg = cJSON_GetObjectItemCaseSensitive(choice, "message");
	content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	if (cJSON_IsObject(msg) && (!content || cJSON_IsNull(content) ||
				    cJSON_IsString(content) || cJSON_IsArray(content))) {
		add_content(text, content);
	} else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(choice, "text"))) {
		vl_buf_adds(text, cJSON_GetObjectItemCaseSensitive(choice, "text")->valuestring);
	} else {
		vl_buf_adds(err, "malformed response: no choices[0].message.content");
		cJSON_Delete(root);
		return VL_EPARSE;
	}
	get_usage(root, prompt_tokens, completion_tokens);
	cJSON_Delete(root);
	return 0;
}

void vl_openai_error_message(const char *body, size_t len, struct vl_buf *out)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
	const char *s = NULL;

	if (cJSON_IsString(m))
		s = m->valuestring;
	else if (cJSON_IsString(e))
		s = e->valuestring;
	else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "message")))
		s = cJSON_GetObjectItemCaseSensitive(root, "message")->valuestring;
	else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "detail")))
		s = cJSON_GetObjectItemCaseSensitive(root, "detail")->valuestring;
	if (s)
		add_excerpt(out, s, strlen(s), 300);
	else if (len)
		add_excerpt(out, body, len, 200);
	else
		vl_buf_adds(out, "(empty body)");
	cJSON_Delete(root);
}

void vl_sse_init(struct vl_sse *s)
{
	memset(s, 0, sizeof(*s));
	s->prompt_tokens = s->completion_tokens = -1;
}

void vl_sse_reset(struct vl_sse *s)
{
	vl_buf_reset(&s->line);
	vl_buf_reset(&s->text);
	vl_buf_reset(&s->err);
	s->prompt_tokens = s->completion_tokens = -1;
	s->events = s->done = s->failed = s->first_token = 0;
}

void vl_sse_release(struct vl_sse *s)
{
	vl_buf_release(&s->line);
	vl_buf_release(&s->text);
	vl_buf_release(&s->err);
}

/* Handles one complete line; returns 1 on the first non-empty delta. */
static int sse_line(struct vl_sse *s, const char *p, size_t n)
{
	const cJSON *choice, *delta, *content, *e;
	cJSON *root;
	size_t before;
	int first = 0;

	if (n && p[n - 1] == '\r')
		n--;
	if (n < 5 || memcmp(p, "data:", 5) || s->failed)
		return 0;   /* blank lines, comments, event:/id: fields */
	p += 5;
	n -= 5;
	if (n && *p == ' ') {
		p++;
		n--;
	}
	s->events++;
	if (n == 6 && !memcmp(p, "[DONE]", 6)) {
		s->done = 1;
		return 0;
	}
	root = cJSON_ParseWithLength(p, n);
	if (!root) {
		s->failed = 1;
		vl_buf_adds(&s->err, "malformed stream event: '");
		add_excerpt(&s->err, p, n, 80);
		vl_buf_addch(&s->err, '\'');
		return 0;
	}
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (e && !cJSON_IsNull(e)) {
		s->failed = 1;
		vl_buf_adds(&s->err, "server error in stream: ");
		vl_openai_error_message(p, n, &s->err);
		cJSON_Delete(root);
		return 0;
	}
	choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "choices"), 0);
	delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	content = cJSON_GetObjectItemCaseSensitive(delta, "content");
	before = s->text.len;
	if (content)
		add_content(&s->text, content);
	else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(choice, "text")))
		vl_buf_adds(&s->text, cJSON_GetObjectItemCaseSensitive(choice, "text")->valuestring);
	if (s->text.len > before && !s->first_token) {
		s->first_token = 1;
		first = 1;
	}
	get_usage(root, &s->prompt_tokens, &s->completion_tokens);
	cJSON_Delete(root);
	return first;
}

int vl_sse_feed(struct vl_sse *s, const char *data, size_t n)
{
	int first = 0;

	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t k = nl ? (size_t)(nl - data) : n;

		if (!nl) {
			vl_buf_add(&s->line, data, n);
			break;
		}
		if (s->line.len) {
			vl_buf_add(&s->line, data, k);
			first |= sse_line(s, s->line.buf, s->line.len);
			vl_buf_reset(&s->line);
		} else {
			first |= sse_line(s, data, k);
		}
		data += k + 1;
		n -= k + 1;
	}
	return first;
}

/* ----------------------------------------------------- retries, secrets */

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

static int is_word_char(char c)
{
	return c && !isspace((unsigned char)c) && c != '"' && c != '\'' && c != ',';
}

void vl_openai_redact(struct vl_buf *text, const char *key)
{
	struct vl_buf out = VL_BUF_INIT;
	size_t klen = key ? strlen(key) : 0, plen, i = 0;

	if (klen < 4 || !text->len)
		return;
	plen = klen < 8 ? klen : 8;
	while (i < text->len) {
		const char *p = text->buf + i;
		if (!strncmp(p, key, klen)) {
			vl_buf_adds(&out, "[redacted]");
			i += klen;
		} else if (!strncmp(p, key, plen) && (i == 0 || !is_word_char(p[-1]))) {
			vl_buf_adds(&out, "[redacted]");
			while (i < text->len && is_word_char(text->buf[i]))
				i++;
		} else {
			vl_buf_addch(&out, *p);
			i++;
		}
	}
	vl_buf_reset(text);
	vl_buf_add(text, out.buf, out.len);
	vl_buf_release(&out);
}

/* ------------------------------------------------------------- backend */

struct job {
	struct job *next_free;
	uint64_t id;
	double t_submit;
	double t_first;           /* first token (stream), 0 until then */
	double not_before;        /* backoff: no attempt before this time */
	struct vl_openai_body body;  /* built once, read out on every attempt */
	struct vl_buf resp;       /* raw body of the current attempt */
	struct vl_buf lasterr;    /* why the last attempt failed */
	struct vl_sse sse;
	CURL *easy;               /* while in flight */
	size_t live;              /* index in openai.live while in flight */
	int url;                  /* index of the replica in use */
	int attempts;
	int too_big;
	long status;              /* HTTP status of the current attempt */
	double retry_after;       /* seconds, -1 none */
	long long bytes_sent, bytes_received;
	double cost;              /* tokens estimated for the tpm bucket */
};

struct bucket {
	double rate;              /* per second; 0: no limit */
	double cap, level, last;
};

/*
 * Two threads share this struct.  The caller's thread (the runner) calls
 * submit() and poll(); the I/O thread owns libcurl (the multi handle, the
 * easy handles, epoll), the queues of waiting and live jobs, the rate
 * buckets and the backoff.  They meet only under mu: the inbox (submitted
 * jobs the I/O thread has not taken yet), the done list, the free jobs.
 * The configuration above "I/O thread only" is set by open() before the
 * thread starts and only read afterwards.
 */
struct openai {
	struct curl_slist *headers;   /* holds the Authorization header */
	char **urls;                  /* {base}/chat/completions, owned */
	char **shown;                 /* the same without user:password@ */
	int *inflight;                /* per url */
	int nurls, rr;
	char *key;                    /* API key, owned, wiped at close */
	char *key_env;
	char *model;
	struct vl_buf extra;          /* extra_body members */
	unsigned extra_keys;
	int stream, stream_usage, image_url_mode, retries, tls_verify;
	long http_version;
	double timeout_s, backoff_s, backoff_max_s, retry_after_max_s;
	double concurrency;           /* 0: not set */
	size_t max_response;

	/* I/O thread only */
	CURLM *multi;
	int ep;                       /* epoll set: libcurl's sockets and wake_fd */
	double timer_due;             /* libcurl's timeout (vl_now() time); -1 none */
	struct bucket rpm, tpm;
	struct vl_rng rng;
	CURL **easy_pool;
	size_t neasy, capeasy;
	struct job **wait;            /* taken from the inbox: not started or backing off */
	size_t nwait, capwait;
	struct job **live;            /* transfers in the multi handle */
	size_t running, caplive;
	int completed;                /* a response was added since the last signal */

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;            /* the runner waits here for responses */
	struct job **inbox;           /* submitted, not yet taken by the I/O thread */
	size_t ninbox, capinbox;
	struct vl_response *done;     /* completed, not yet polled */
	size_t ndone, capdone;
	struct job *free_jobs;
	long outstanding;             /* submitted and not yet returned by poll() */
	long requests_sent;           /* HTTP requests including retries */
	int io_sleeping;              /* the I/O thread waits in epoll_wait */
	int wake_pending;             /* wake_fd written and not yet read */
	int runner_waiting;
	int stop;                     /* close() asks the I/O thread to end */
	int io_failed;                /* the I/O thread hit a libcurl or epoll error */

	int wake_fd;                  /* eventfd: submit() and close() wake the I/O thread */
	pthread_t io;
	int io_started, sync_made;
};

static void job_free(struct job *j)
{
	vl_openai_body_release(&j->body);
	vl_buf_release(&j->resp);
	vl_buf_release(&j->lasterr);
	vl_sse_release(&j->sse);
	vl_free(j);
}

static void bucket_init(struct bucket *b, double per_minute, double now)
{
	b->rate = per_minute / 60.0;
	/* one second's worth: smooth, with a small burst */
	b->cap = b->rate > 1 ? b->rate : 1;
	b->level = b->cap;
	b->last = now;
}

static void bucket_refill(struct bucket *b, double now)
{
	if (!b->rate)
		return;
	b->level += (now - b->last) * b->rate;
	if (b->level > b->cap)
		b->level = b->cap;
	b->last = now;
}

/* Seconds until the bucket holds need (0 when it does). */
static double bucket_wait(const struct bucket *b, double need)
{
	if (!b->rate)
		return 0;
	if (need > b->cap)
		need = b->cap;
	return b->level >= need ? 0 : (need - b->level) / b->rate;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct job *j = ud;
	size_t n = size * nmemb;

	if (j->resp.len + n > (size_t)64 << 20) {
		j->too_big = 1;
		return 0;
	}
	vl_buf_add(&j->resp, p, n);
	/* t_first is -1 unless streaming; error bodies are not events */
	if (j->status >= 200 && j->status < 300 && j->t_first >= 0 &&
	    vl_sse_feed(&j->sse, p, n))
		j->t_first = vl_now();
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

static char *strip_userinfo(const char *url)
{
	const char *s = strstr(url, "://"), *at, *slash;
	struct vl_buf b = VL_BUF_INIT;

	if (!s)
		return vl_xstrdup(url);
	s += 3;
	slash = strchr(s, '/');
	at = strchr(s, '@');
	if (!at || (slash && at > slash))
		return vl_xstrdup(url);
	vl_buf_add(&b, url, (size_t)(s - url));
	vl_buf_adds(&b, at + 1);
	return vl_buf_detach(&b, NULL);
}

static int add_urls(struct openai *o, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		struct vl_buf u = VL_BUF_INIT;

		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		while (n && (isspace((unsigned char)p[n - 1]) || p[n - 1] == '/'))
			n--;
		if (n) {
			vl_buf_add(&u, p, n);
			if (!vl_openai_is_http_url(u.buf)) {
				char *shown = strip_userinfo(u.buf);
				snprintf(err, errlen, "base URL '%s' must start with http:// or "
					 "https://", shown);
				vl_free(shown);
				vl_buf_release(&u);
				return -1;
			}
			if (u.len < 17 || strcmp(u.buf + u.len - 17, "/chat/completions"))
				vl_buf_adds(&u, "/chat/completions");
			o->urls = vl_xrealloc(o->urls, (size_t)(o->nurls + 1) * sizeof(char *));
			o->shown = vl_xrealloc(o->shown, (size_t)(o->nurls + 1) * sizeof(char *));
			o->shown[o->nurls] = strip_userinfo(u.buf);
			o->urls[o->nurls++] = vl_buf_detach(&u, NULL);
		}
		p += n + (comma ? (size_t)(comma - p) - n + 1 : 0);
		if (!comma)
			break;
	}
	if (!o->nurls) {
		snprintf(err, errlen, "no server: give --base-url URL (e.g. "
			 "http://127.0.0.1:8000/v1) or set OPENAI_BASE_URL");
		return -1;
	}
	o->inflight = vl_xcalloc((size_t)o->nurls, sizeof(int));
	return 0;
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

/* The keys open() reads; README's table for the backend shows the same rows. */
static const struct vl_backend_option openai_options[] = {
	{ .key = "base_url", .type = VL_OPTION_STRING,
	  .meaning = "server root(s), comma-separated, usually ending in /v1 (--base-url; "
	  "default $OPENAI_BASE_URL)",
	  .flags = VL_OPTION_ANSWERS },
	{ .key = "api_key_env", .type = VL_OPTION_STRING, .dflt = "OPENAI_API_KEY",
	  .meaning = "environment variable holding the API key (--api-key-env)" },
	{ .key = "timeout", .type = VL_OPTION_NUMBER, .dflt = "600",
	  .meaning = "seconds per attempt, connect included (--timeout)", .min = 0.001,
	  .max = VL_OPTION_UNBOUNDED },
	{ .key = "retries", .type = VL_OPTION_INT, .dflt = "3",
	  .meaning = "further attempts after a retryable fault (--retries)", .max = 1000 },
	{ .key = "backoff_ms", .type = VL_OPTION_NUMBER, .dflt = "500",
	  .meaning = "backoff before the first retry, doubled per retry",
	  .max = VL_OPTION_UNBOUNDED },
	{ .key = "backoff_max_ms", .type = VL_OPTION_NUMBER, .dflt = "30000",
	  .meaning = "cap of the backoff", .max = VL_OPTION_UNBOUNDED },
	{ .key = "retry_after_max", .type = VL_OPTION_NUMBER, .dflt = "120",
	  .meaning = "cap (seconds) on a server's Retry-After", .max = VL_OPTION_UNBOUNDED },
	{ .key = "rpm", .type = VL_OPTION_NUMBER, .dflt = "0",
	  .meaning = "requests per minute limit, 0 = none (--rpm)",
	  .max = VL_OPTION_UNBOUNDED },
	{ .key = "tpm", .type = VL_OPTION_NUMBER, .dflt = "0",
	  .meaning = "tokens per minute limit, 0 = none (--tpm)", .max = VL_OPTION_UNBOUNDED },
	{ .key = "stream", .type = VL_OPTION_BOOL, .dflt = "0",
	  .meaning = "server-sent events, to measure time to first token (--stream)" },
	{ .key = "stream_usage", .type = VL_OPTION_BOOL, .dflt = "1",
	  .meaning = "with stream, ask for stream_options.include_usage" },
	{ .key = "image_mode", .type = VL_OPTION_CHOICE, .dflt = "base64",
	  .meaning = "local images as base64 data, or as file:// URLs (--image-mode)",
	  .choices = "base64|url" },
	{ .key = "extra_body", .type = VL_OPTION_JSON,
	  .meaning = "a JSON object merged into every request body",
	  .flags = VL_OPTION_ANSWERS },
	{ .key = "http", .type = VL_OPTION_CHOICE, .dflt = "auto", .meaning = "HTTP version",
	  .choices = "auto|1.1|2-prior-knowledge" },
	{ .key = "tls_verify", .type = VL_OPTION_BOOL, .dflt = "1",
	  .meaning = "0 accepts self-signed certificates" },
	{ .key = NULL },
};

/* The API key from the environment variable named by api_key_env. */
static int read_key(struct openai *o, const struct vl_backend_config *cfg, char *err,
		    size_t errlen)
{
	const char *env = vl_backend_config_get(cfg, "api_key_env");
	const char *s;

	o->key_env = vl_xstrdup(vl_option_str(openai_options, cfg, "api_key_env"));
	s = getenv(o->key_env);
	if (s && *s) {
		if (strpbrk(s, "\r\n")) {
			snprintf(err, errlen, "the API key in $%s contains a line break", o->key_env);
			return -1;
		}
		o->key = vl_xstrdup(s);
	} else if (env && *env) {
		snprintf(err, errlen, "environment variable '%s' (option api_key_env) is not set",
			 env);
		return -1;
	}
	return 0;
}

/* Numbers and switches from the table (checked by the host already). */
static int read_numbers(struct openai *o, const struct vl_backend_config *cfg, char *err,
			size_t errlen)
{
	const struct vl_backend_option *t = openai_options;
	double retries, rpm, tpm, stream, usage, verify;

	if (vl_option_num(t, cfg, "timeout", &o->timeout_s, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "retries", &retries, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "backoff_ms", &o->backoff_s, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "backoff_max_ms", &o->backoff_max_s, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "retry_after_max", &o->retry_after_max_s, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "rpm", &rpm, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "tpm", &tpm, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "stream", &stream, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "stream_usage", &usage, err, errlen) < 0 ||
	    vl_option_num(t, cfg, "tls_verify", &verify, err, errlen) < 0 ||
	    vl_option_num(vl_backend_host_options(), cfg, "concurrency", &o->concurrency, err,
			  errlen) < 0)
		return -1;
	o->retries = (int)retries;
	o->backoff_s /= 1000;
	o->backoff_max_s /= 1000;
	bucket_init(&o->rpm, rpm, vl_now());
	bucket_init(&o->tpm, tpm, vl_now());
	o->stream = stream != 0;
	o->stream_usage = usage != 0;
	o->tls_verify = verify != 0;
	return 0;
}

static int read_options(struct openai *o, const struct vl_backend_config *cfg, char *err,
			size_t errlen)
{
	const char *base = vl_backend_config_get(cfg, "base_url");
	const char *http = vl_option_str(openai_options, cfg, "http");
	const char *s;

	if (!base || !*base)
		base = getenv("OPENAI_BASE_URL");
	if (add_urls(o, base ? base : "", err, errlen) < 0)
		return -1;
	if ((s = vl_backend_config_get(cfg, "model")) && *s)
		o->model = vl_xstrdup(s);
	if (read_key(o, cfg, err, errlen) < 0 || read_numbers(o, cfg, err, errlen) < 0)
		return -1;
	o->image_url_mode = !strcmp(vl_option_str(openai_options, cfg, "image_mode"), "url");
	o->http_version = !strcmp(http, "1.1") ? CURL_HTTP_VERSION_1_1 :
			  !strcmp(http, "2-prior-knowledge") ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE :
			  CURL_HTTP_VERSION_2TLS;
	if ((s = vl_backend_config_get(cfg, "extra_body"))) {
		struct vl_buf e = VL_BUF_INIT;
		if (vl_openai_extra_body(s, &o->extra, &o->extra_keys, &e) < 0) {
			snprintf(err, errlen, "%s", vl_buf_str(&e));
			vl_buf_release(&e);
			return -1;
		}
		vl_buf_release(&e);
	}
	return 0;
}

static int open_inner(void *self, const struct vl_backend_config *cfg, char *err, size_t errlen)
{
	struct openai *o = self;
	double conc;

	o->ep = -1;
	o->wake_fd = -1;
	vl_rng_seed(&o->rng, (uint64_t)(vl_wall_time() * 1e6) ^ (uint64_t)(uintptr_t)o);
	if (read_options(o, cfg, err, errlen) < 0)
		return -1;
	conc = o->concurrency;
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
	if (conc >= 1)
		curl_multi_setopt(o->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)conc);
	/* keep every connection of a full window alive between requests */
	curl_multi_setopt(o->multi, CURLMOPT_MAXCONNECTS,
			  (long)((conc >= 1 ? conc : 64) + 4) * o->nurls);
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
	return start_io_thread(o, err, errlen);
}

static void op_close(void *self);

static int op_open(void *self, const struct vl_backend_config *cfg, char *err, size_t errlen)
{
	/* the host frees self without close() when open fails: clean up here */
	if (open_inner(self, cfg, err, errlen) < 0) {
		op_close(self);
		return -1;
	}
	return 0;
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
	}
	r->fatal = fatal;
	r->http_status = (int)j->status;
	r->prompt_tokens = pt;
	r->completion_tokens = ct;
	r->latency_s = now - j->t_submit;
	r->ttft_s = o->stream && j->t_first > 0 ? j->t_first - j->t_submit : -1;
	r->bytes_sent = j->bytes_sent;
	r->bytes_received = j->bytes_received;
	r->retries = j->attempts > 0 ? j->attempts - 1 : 0;
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
	curl_easy_setopt(e, CURLOPT_PIPEWAIT, has_prefix(o->urls[best], "https:") ? 1L : 0L);
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

	bucket_refill(&o->rpm, now);
	bucket_refill(&o->tpm, now);
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
		w = fmax(bucket_wait(&o->rpm, 1), bucket_wait(&o->tpm, j->cost));
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

/* Classifies a finished attempt; fills j->lasterr unless it succeeded. */
static enum outcome classify(struct openai *o, struct job *j, CURLcode res,
			     struct vl_buf *text, long *pt, long *ct)
{
	const char *url = o->shown[j->url];
	long st = j->status;

	vl_buf_reset(&j->lasterr);
	*pt = *ct = -1;
	if (res != CURLE_OK) {
		if (j->too_big) {
			vl_buf_addf(&j->lasterr, "response from %s is larger than 64 MB", url);
			return DONE_FAIL;
		}
		if (res == CURLE_OPERATION_TIMEDOUT)
			vl_buf_addf(&j->lasterr, "timed out after %g s waiting for %s",
				    o->timeout_s, url);
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
			return DONE_OK;
		}
		/* not streamed (or a server that ignored "stream") */
		rc = vl_openai_parse_response(j->resp.buf ? j->resp.buf : "", j->resp.len, text,
					      pt, ct, &j->lasterr);
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

	oc = classify(o, j, res, &text, &pt, &ct);
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
static struct job *get_job(struct openai *o)
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

/* Runs on the caller's thread: the body (file reads included) is planned
 * here, so a missing image is this call's error and the I/O thread only
 * sends. */
static int op_submit(void *self, const struct vl_request *req, char *err, size_t errlen)
{
	struct openai *o = self;
	struct vl_openai_body_opts bo = {
		.model = o->model,
		.extra_members = o->extra.len ? o->extra.buf : NULL,
		.extra_keys = o->extra_keys,
		.stream = o->stream,
		.stream_usage = o->stream_usage,
		.image_url_mode = o->image_url_mode,
	};
	struct vl_buf e = VL_BUF_INIT;
	struct job *j;
	size_t bad;
	int wake;

	if (req->prompt && !vl_utf8_valid(req->prompt, strlen(req->prompt), &bad)) {
		snprintf(err, errlen, "prompt of sample '%s' is not valid UTF-8 (byte %zu)",
			 req->sample_id ? req->sample_id : "?", bad);
		return VL_EINVAL;
	}
	j = get_job(o);
	j->id = req->id;
	j->t_submit = vl_now();
	j->not_before = 0;
	j->attempts = 0;
	j->status = 0;
	j->bytes_sent = j->bytes_received = 0;
	if (vl_openai_body_build(&bo, req, &j->body, &e) < 0) {
		snprintf(err, errlen, "sample '%s': %s", req->sample_id ? req->sample_id : "?",
			 vl_buf_str(&e));
		vl_buf_release(&e);
		pthread_mutex_lock(&o->mu);
		j->next_free = o->free_jobs;
		o->free_jobs = j;
		pthread_mutex_unlock(&o->mu);
		return VL_EIO;
	}
	j->cost = (req->max_tokens > 0 ? req->max_tokens : 256) +
		  (req->prompt ? (double)strlen(req->prompt) / 4 : 0) + 768.0 * (double)req->n_images;
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
	return 0;
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

static int op_poll(void *self, int timeout_ms, struct vl_response *out, int max)
{
	struct openai *o = self;
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

static void op_stats(void *self, struct vl_backend_stats *out)
{
	struct openai *o = self;
	out->requests_sent = __atomic_load_n(&o->requests_sent, __ATOMIC_RELAXED);
}

static void op_close(void *self)
{
	struct openai *o = self;
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
	}
	vl_free(o->done);
	for (struct curl_slist *h = o->headers; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	if (o->headers)
		curl_slist_free_all(o->headers);
	if (o->key) {
		explicit_bzero(o->key, strlen(o->key));
		vl_free(o->key);
	}
	for (int i = 0; i < o->nurls; i++) {
		vl_free(o->urls[i]);
		vl_free(o->shown[i]);
	}
	vl_free(o->urls);
	vl_free(o->shown);
	vl_free(o->inflight);
	vl_free(o->key_env);
	vl_free(o->model);
	vl_buf_release(&o->extra);
	if (o->wake_fd >= 0)
		close(o->wake_fd);
	if (o->sync_made) {
		pthread_mutex_destroy(&o->mu);
		pthread_cond_destroy(&o->cv);
	}
}

const struct vl_backend_methods vl_backend_openai = {
	.version = VL_BACKEND_API_VERSION,
	.instance_size = sizeof(struct openai),
	.name = "openai",
	.description = "any OpenAI-compatible chat-completions server (--base-url, --model)",
	.caps = VL_CAP_IMAGES | VL_CAP_STREAM | VL_CAP_USAGE | VL_CAP_REMOTE | VL_CAP_CACHEABLE,
	.open = op_open,
	.submit = op_submit,
	.poll = op_poll,
	.close = op_close,
	.stats = op_stats,
	.options = openai_options,
};
