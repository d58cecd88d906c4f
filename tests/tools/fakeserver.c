/*
 * fakeserver.c - a small OpenAI chat-completions server for tests and
 * benchmarks: one process, one thread, epoll, HTTP/1.1 keep-alive, on
 * 127.0.0.1.  Plain C and libc only.
 *
 *   fakeserver [--port N] [--log FILE] [--reply TEXT] [--echo] [--no-usage]
 *              [--bench] [--fail-first N] [--fail-rate P] [--fail-kind KIND]
 *              [--seed S] [--expect-key-env VAR] [--lifetime SECONDS]
 *              [--capacity N --service-ms MS] [--models ID,ID] [--models-auth]
 *
 * With --port 0 (the default) the kernel picks a free port; the port is
 * printed on stdout as one line, then the server runs until SIGTERM or
 * --lifetime seconds (default 600, so a forgotten server goes away).
 *
 * Answers: a chat completion whose content is --reply (default "yes"), or
 * with --echo the first text part of the request (JSON escapes kept), and
 * usage {prompt_tokens: request body bytes / 4, completion_tokens: reply
 * length in bytes}.  A body with "stream":true gets server-sent events
 * (chunked): role, the reply in two deltas, finish, usage, [DONE].
 *
 * Faults are chosen per request by a directive anywhere in the body,
 *     FAULT:<kind>[:retry_after=S][:times=N][:tag=T]
 * kinds: 400 401 403 404 408 409 429 500 502 503 (that status with a JSON
 * error; 401 echoes the bearer token back as OpenAI does), reset (half the
 * answer, then RST), drop (RST at once, no answer: curl may resend that by
 * itself on a reused connection), close (answer, then close), malformed (200 with
 * cut JSON), truncated (Content-Length larger than the body sent, then
 * close), slow=MS (answer after MS), stream_cut (stream that stops after the
 * first delta), slowstream=MS (first delta at once, the rest after MS),
 * badutf8 (content with raw invalid UTF-8 bytes), nul (content "before",
 * U+0000, "after"), empty_choices (200 with "choices": []), length (the
 * answer with finish_reason "length", as cut by max_tokens; streamed too),
 * huge[=MB] (200 with a well-formed answer whose content is MB megabytes of
 * 'a', default 50; streamed as 64 KB deltas when the request streams).
 * times=N applies the fault to the first N requests carrying that exact
 * directive and answers normally afterwards (counters are per directive
 * text, so tag=T separates requests).  --fail-first N and --fail-rate P
 * (seeded with --seed) apply --fail-kind (default 500) to whole-server
 * request numbers instead.  --bench skips the body scans (no directives, no
 * stream detection) and answers from one prepared buffer.
 *
 * GET .../models (a client's server check) lists the --models ids (none by
 * default); with --models-auth it answers 401 unless the bearer token is
 * $VAR of --expect-key-env.  It is neither counted nor logged.
 *
 * --capacity N --service-ms MS model a server of N parallel slots: a plain
 * answer takes MS, served in arrival order, so up to N requests in flight
 * answer in MS and more queue (throughput N/MS at most): the load that
 * adaptive concurrency is tested against.
 *
 * --log FILE gets one line per request: number, the directive's tag= (also
 * once its times=N are used up, so requests can be counted per sample; -
 * without one), whether the Authorization header was "Bearer <the key in
 * $VAR>" (auth=match/mismatch/none; the key itself is never written), path,
 * body bytes and their FNV-1a hash, stream flag, fault (- when none
 * applied), status, and the echoed text's first 60 bytes.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t n = b->cap ? b->cap : 4096;
	while (n < b->len + extra + 1)
		n *= 2;
	b->p = realloc(b->p, n);
	if (!b->p) {
		perror("fakeserver: realloc");
		exit(2);
	}
	b->cap = n;
}

static void buf_add(struct buf *b, const void *d, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

enum after { KEEP, CLOSE, RESET };

struct conn {
	int fd;
	struct buf in;
	size_t scanned;         /* bytes of in searched for the header end */
	int sent_continue;
	struct buf out;         /* to send now */
	size_t outoff;
	struct buf later;       /* to send at due */
	double due;             /* 0: nothing held */
	enum after after_out, after_later;
	int want_out;           /* EPOLLOUT registered */
};

static struct {
	int port, echo, usage, bench;
	const char *reply;
	FILE *log;
	long fail_first;
	double fail_rate;
	const char *fail_kind;
	uint64_t rng;
	const char *key;
	double lifetime;
	const char *models;     /* --models: ids GET /models lists */
	int models_auth;        /* --models-auth: /models checks the key */
	int capacity;           /* --capacity: requests served at once, 0: any */
	double service;         /* --service-ms, in seconds */
	double *free_at;        /* when each of the capacity slots is next free */
	long nreq;
	int ep;
	struct conn **conns;
	int nconns;
	struct buf fixed;       /* --bench answer */
	struct counter {
		char *tok;
		long n;
	} *counters;            /* times=N use counts, one per directive text */
	int ncounters, capcounters;
} S;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double rng_unit(void)
{
	uint64_t z = (S.rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static void conn_close(struct conn *c, int reset)
{
	if (reset) {
		struct linger l = { 1, 0 };
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	epoll_ctl(S.ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	for (int i = 0; i < S.nconns; i++) {
		if (S.conns[i] == c) {
			S.conns[i] = S.conns[--S.nconns];
			break;
		}
	}
	free(c->in.p);
	free(c->out.p);
	free(c->later.p);
	free(c);
}

static void set_out_interest(struct conn *c, int want)
{
	struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c };
	if (c->want_out == want)
		return;
	c->want_out = want;
	epoll_ctl(S.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Sends what is queued.  Returns -1 when the connection was closed. */
static int flush_out(struct conn *c)
{
	while (c->outoff < c->out.len) {
		ssize_t n = send(c->fd, c->out.p + c->outoff, c->out.len - c->outoff,
				 MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			set_out_interest(c, 1);
			return 0;
		}
		if (n < 0) {
			conn_close(c, 0);
			return -1;
		}
		c->outoff += (size_t)n;
	}
	c->out.len = c->outoff = 0;
	set_out_interest(c, 0);
	if (c->after_out != KEEP) {
		conn_close(c, c->after_out == RESET);
		return -1;
	}
	return 0;
}

/* Finds a per-directive counter and returns its value before incrementing. */
static long bump(const char *tok, size_t n)
{
	for (int i = 0; i < S.ncounters; i++)
		if (strlen(S.counters[i].tok) == n && !memcmp(S.counters[i].tok, tok, n))
			return S.counters[i].n++;
	if (S.ncounters == S.capcounters) {
		S.capcounters = S.capcounters ? S.capcounters * 2 : 256;
		S.counters = realloc(S.counters, (size_t)S.capcounters * sizeof(*S.counters));
		if (!S.counters) {
			perror("fakeserver: realloc");
			exit(2);
		}
	}
	S.counters[S.ncounters].tok = strndup(tok, n);
	S.counters[S.ncounters].n = 1;
	S.ncounters++;
	return 0;
}

static const char *reason(int st)
{
	switch (st) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 429: return "Too Many Requests";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

static void add_response(struct buf *o, int st, const char *ctype, const char *extra,
			 const char *body, size_t blen, int closing)
{
	buf_addf(o, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
		 st, reason(st), ctype, blen, extra ? extra : "",
		 closing ? "Connection: close\r\n" : "");
	buf_add(o, body, blen);
}

/* finish_reason of the answer being built: "length" for FAULT:length */
static const char *finish = "stop";

/* The completion JSON for text (already JSON-escaped). */
static void completion_json(struct buf *b, const char *text, size_t tlen, size_t bodylen)
{
	buf_addf(b, "{\"id\":\"chatcmpl-%ld\",\"object\":\"chat.completion\",\"created\":0,"
		 "\"model\":\"fake\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
		 "\"assistant\",\"content\":\"%.*s\"},\"finish_reason\":\"%s\"}]",
		 S.nreq, (int)tlen, text, finish);
	if (S.usage)
		buf_addf(b, ",\"usage\":{\"prompt_tokens\":%zu,\"completion_tokens\":%zu,"
			 "\"total_tokens\":%zu}", bodylen / 4, tlen, bodylen / 4 + tlen);
	buf_add(b, "}", 1);
}

static void add_chunk(struct buf *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_chunk(struct buf *o, const char *fmt, ...)
{
	char tmp[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	buf_addf(o, "%x\r\n", n);
	buf_add(o, tmp, (size_t)n);
	buf_add(o, "\r\n", 2);
}

/* The echoed text: the first "text":"..." string, or the user content
 * string, escapes kept.  Falls back to --reply. */
static void reply_text(const char *body, size_t blen, const char **t, size_t *tl)
{
	const char *p = S.echo ? memmem(body, blen, "\"text\":\"", 8) : NULL;
	const char *end = body + blen;
	size_t skip = 8;

	if (S.echo && !p) {
		p = memmem(body, blen, "\"role\":\"user\",\"content\":\"", 25);
		skip = 25;
	}
	if (!p) {
		*t = S.reply;
		*tl = strlen(S.reply);
		return;
	}
	p += skip;
	*t = p;
	while (p < end && *p != '"')
		p += *p == '\\' && p + 1 < end ? 2 : 1;
	*tl = (size_t)(p - *t);
}

/* FNV-1a, 64 bits: lets a test check that the body arrived byte for byte */
static unsigned long long fnv1a(const char *p, size_t n)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void log_line(const char *auth, const char *path, const char *body, size_t blen,
		     int stream, const char *fault, size_t flen, int st, const char *tag,
		     const char *t, size_t tl)
{
	if (!S.log)
		return;
	fprintf(S.log, "req=%ld tag=%s auth=%s path=%s bytes=%zu fnv=%016llx stream=%d "
		"fault=%.*s status=%d text=", S.nreq, tag && *tag ? tag : "-", auth, path, blen,
		fnv1a(body, blen), stream, flen ? (int)flen : 1, flen ? fault : "-", st);
	for (size_t i = 0; i < tl && i < 60; i++)
		fputc(isspace((unsigned char)t[i]) ? '_' : t[i], S.log);
	fputc('\n', S.log);
	fflush(S.log);
}

static const char *opt_of(const char *tok, size_t n, const char *name, char *val, size_t vlen)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl < n; i++) {
		if (tok[i] == ':' && !memcmp(tok + i + 1, name, nl) && tok[i + 1 + nl] == '=') {
			size_t k = 0, j = i + 2 + nl;
			while (j < n && tok[j] != ':' && k + 1 < vlen)
				val[k++] = tok[j++];
			val[k] = '\0';
			return val;
		}
	}
	return NULL;
}

/* GET .../models, the client's server check: the --models list (empty by
 * default: nothing to check a model against), and with --models-auth a 401
 * when the bearer token is not $KEY.  Neither counted nor logged, so the
 * request counts of the tests stay those of the samples. */
static void models(struct conn *c, const char *auth_hdr, size_t auth_len, int want_close)
{
	struct buf b = { 0 };

	if (S.models_auth && S.key && !(auth_hdr && auth_len == 7 + strlen(S.key) &&
					 !memcmp(auth_hdr + 7, S.key, auth_len - 7))) {
		buf_addf(&b, "{\"error\":{\"message\":\"Incorrect API key provided\"}}");
		add_response(&c->out, 401, "application/json", NULL, b.p, b.len, want_close);
	} else {
		const char *p = S.models ? S.models : "";
		buf_addf(&b, "{\"object\":\"list\",\"data\":[");
		while (*p) {
			size_t n = strcspn(p, ",");
			buf_addf(&b, "%s{\"id\":\"%.*s\",\"object\":\"model\"}",
				 b.p[b.len - 1] == '[' ? "" : ",", (int)n, p);
			p += n + (p[n] == ',');
		}
		buf_addf(&b, "]}");
		add_response(&c->out, 200, "application/json", NULL, b.p, b.len, want_close);
	}
	c->after_out = want_close ? CLOSE : KEEP;
	free(b.p);
}

/* Handles one complete request; builds its answer in c. */
static void handle(struct conn *c, const char *method, const char *path, const char *auth_hdr,
		   size_t auth_len, int want_close, const char *body, size_t blen)
{
	const char *tok = NULL, *t;
	size_t tl, toklen = 0;
	char kind[32] = "", val[64], tag[64] = "";
	char fb[64];
	const char *auth = "none";
	int stream = 0, st = 200;
	long ms = 0;
	double cap_due = 0;
	struct buf b = { 0 };

	if (!strcmp(method, "GET") && strlen(path) >= 7 && !strcmp(path + strlen(path) - 7, "/models")) {
		models(c, auth_hdr, auth_len, want_close);
		return;
	}
	S.nreq++;
	if (S.bench) {
		buf_add(&c->out, S.fixed.p, S.fixed.len);
		c->after_out = want_close ? CLOSE : KEEP;
		return;
	}
	if (auth_hdr) {
		if (!S.key)
			auth = "present";
		else if (auth_len == 7 + strlen(S.key) && !strncasecmp(auth_hdr, "Bearer ", 7) &&
			 !memcmp(auth_hdr + 7, S.key, auth_len - 7))
			auth = "match";
		else
			auth = "mismatch";
	}
	reply_text(body, blen, &t, &tl);
	stream = memmem(body, blen, "\"stream\":true", 13) != NULL;
	if (strcmp(method, "POST") || (strlen(path) < 17 ||
				       strcmp(path + strlen(path) - 17, "/chat/completions"))) {
		const char *e = "{\"error\":{\"message\":\"no such route\"}}";
		st = strcmp(method, "POST") ? 405 : 404;
		add_response(&c->out, st, "application/json", NULL, e, strlen(e), want_close);
		c->after_out = want_close ? CLOSE : KEEP;
		log_line(auth, path, body, blen, stream, NULL, 0, st, NULL, t, tl);
		return;
	}
	tok = memmem(body, blen, "FAULT:", 6);
	if (tok) {
		const char *e = tok;
		while (e < body + blen && !strchr("\"\\ ,}\n", *e))
			e++;
		toklen = (size_t)(e - tok);
		/* logged even once times=N is used up: requests per sample */
		opt_of(tok, toklen, "tag", tag, sizeof(tag));
		if (opt_of(tok, toklen, "times", val, sizeof(val)) &&
		    bump(tok, toklen) >= atol(val)) {
			tok = NULL;     /* used up: answer normally */
			toklen = 0;
		} else {
			size_t k = 0;
			for (const char *p = tok + 6; p < e && *p != ':' && k + 1 < sizeof(kind); p++)
				kind[k++] = *p;
			kind[k] = '\0';
		}
	}
	if (!tok && S.fail_kind && ((S.fail_first && S.nreq <= S.fail_first) ||
				    (S.fail_rate > 0 && rng_unit() < S.fail_rate))) {
		snprintf(kind, sizeof(kind), "%s", S.fail_kind);
		snprintf(fb, sizeof(fb), "FAULT:%s", S.fail_kind);
		tok = fb;
		toklen = strlen(fb);
	}
	c->after_out = want_close ? CLOSE : KEEP;
	if (!strncmp(kind, "slow=", 5) || !strncmp(kind, "slowstream=", 11))
		ms = atol(strchr(kind, '=') + 1);
	if (S.capacity > 0 && !kind[0] && !stream) {
		/* capacity slots serve in arrival order, service seconds each:
		 * below capacity every answer takes service, above it they queue */
		double now = now_s(), start;
		int best = 0;
		for (int i = 1; i < S.capacity; i++)
			if (S.free_at[i] < S.free_at[best])
				best = i;
		start = S.free_at[best] > now ? S.free_at[best] : now;
		S.free_at[best] = start + S.service;
		cap_due = S.free_at[best];
		ms = 1;   /* held until cap_due */
	}
	finish = !strcmp(kind, "length") ? "length" : "stop";
	if (isdigit((unsigned char)kind[0])) {
		char extra[96] = "";
		st = atoi(kind);
		if (st == 401)
			buf_addf(&b, "{\"error\":{\"message\":\"Incorrect API key provided: %.*s\","
				 "\"type\":\"invalid_request_error\"}}",
				 auth_hdr && auth_len > 7 ? (int)(auth_len - 7) : 0,
				 auth_hdr ? auth_hdr + 7 : "");
		else
			buf_addf(&b, "{\"error\":{\"message\":\"injected %d\",\"type\":\"fake\"}}", st);
		if (opt_of(tok, toklen, "retry_after", val, sizeof(val)))
			snprintf(extra, sizeof(extra), "Retry-After: %s\r\n", val);
		add_response(&c->out, st, "application/json", extra, b.p, b.len, want_close);
	} else if (!strcmp(kind, "drop")) {
		st = 0;
		c->after_out = RESET;
	} else if (!strcmp(kind, "reset")) {
		/* half the answer, then RST once the client has read it (a reset
		 * before any byte lets curl retry a reused connection by itself) */
		completion_json(&b, t, tl, blen);
		buf_addf(&c->out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n", b.len);
		buf_add(&c->out, b.p, b.len / 2);
		c->due = now_s() + 0.05;
		c->after_later = RESET;
	} else if (!strcmp(kind, "malformed")) {
		const char *m = "{\"choices\":[{\"message\":{\"content\":\"yes";
		add_response(&c->out, 200, "application/json", NULL, m, strlen(m), want_close);
	} else if (!strcmp(kind, "badutf8") || !strcmp(kind, "nul") ||
		   !strcmp(kind, "empty_choices")) {
		/* raw invalid UTF-8 in the content; a U+0000 inside it; no choice */
		const char *m = !strcmp(kind, "badutf8")
			? "{\"choices\":[{\"message\":{\"content\":\"bad \xff\xfe bytes \xc3\"}}]}"
			: !strcmp(kind, "nul")
			? "{\"choices\":[{\"message\":{\"content\":\"before\\u0000after\"}}]}"
			: "{\"choices\":[]}";
		add_response(&c->out, 200, "application/json", NULL, m, strlen(m), want_close);
	} else if (!strncmp(kind, "huge", 4)) {
		/* a well-formed answer whose content is huge=MB megabytes (default
		 * 50) of 'a', streamed as 64 KB deltas when asked; each response
		 * is built once and reused */
		static struct buf big[2];
		static long big_mb[2];
		long mb = kind[4] == '=' ? atol(kind + 5) : 50;
		if (mb < 1)
			mb = 1;
		if (mb != big_mb[stream]) {
			size_t n = (size_t)mb << 20, piece = 65536;
			struct buf text = { 0 };
			buf_grow(&text, n);
			memset(text.p, 'a', n);
			text.len = n;
			big[stream].len = 0;
			if (!stream)
				completion_json(&big[stream], text.p, text.len, blen);
			for (size_t off = 0; stream && off < n; off += piece) {
				struct buf ev = { 0 };
				buf_addf(&ev, "data: {\"choices\":[{\"index\":0,\"delta\":"
					 "{\"content\":\"%.*s\"}}]}\n\n", (int)piece, text.p + off);
				buf_addf(&big[stream], "%zx\r\n", ev.len);
				buf_add(&big[stream], ev.p, ev.len);
				buf_add(&big[stream], "\r\n", 2);
				free(ev.p);
			}
			if (stream) {
				add_chunk(&big[stream], "data: {\"choices\":[{\"index\":0,\"delta\":{},"
					  "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
				buf_add(&big[stream], "0\r\n\r\n", 5);
			}
			free(text.p);
			big_mb[stream] = mb;
		}
		if (stream) {
			buf_addf(&c->out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
				 "Transfer-Encoding: chunked\r\n%s\r\n",
				 want_close ? "Connection: close\r\n" : "");
			buf_add(&c->out, big[1].p, big[1].len);
		} else {
			add_response(&c->out, 200, "application/json", NULL, big[0].p, big[0].len,
				     want_close);
		}
	} else if (!strcmp(kind, "truncated")) {
		completion_json(&b, t, tl, blen);
		buf_addf(&c->out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n", b.len);
		buf_add(&c->out, b.p, b.len / 2);
		c->after_out = CLOSE;
	} else if (stream) {
		struct buf *rest = &c->out;
		size_t half = tl / 2;

		/* do not split an escape sequence */
		while (half > 0 && half < tl && t[half - 1] == '\\')
			half--;
		buf_addf(&c->out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
			 "Transfer-Encoding: chunked\r\n%s\r\n",
			 want_close ? "Connection: close\r\n" : "");
		add_chunk(&c->out, "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":"
			  "\"assistant\",\"content\":\"\"}}]}\n\n");
		add_chunk(&c->out, ": keep-alive comment\n\ndata: {\"choices\":[{\"index\":0,"
			  "\"delta\":{\"content\":\"%.*s\"}}]}\n\n", (int)half, t);
		if (!strcmp(kind, "stream_cut")) {
			c->after_out = CLOSE;
		} else {
			if (ms > 0)
				rest = &c->later;
			add_chunk(rest, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"
				  "\"%.*s\"},\"finish_reason\":null}]}\r\n\r\n",
				  (int)(tl - half), t + half);
			add_chunk(rest, "data: {\"choices\":[{\"index\":0,\"delta\":{},"
				  "\"finish_reason\":\"%s\"}]}\n\n", finish);
			if (S.usage)
				add_chunk(rest, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":"
					  "%zu,\"completion_tokens\":%zu}}\n\n", blen / 4, tl);
			add_chunk(rest, "data: [DONE]\n\n");
			buf_add(rest, "0\r\n\r\n", 5);
			if (ms > 0) {
				c->due = now_s() + ms / 1000.0;
				c->after_later = c->after_out;
				c->after_out = KEEP;
			}
		}
	} else {
		struct buf *dst = ms > 0 ? &c->later : &c->out;
		completion_json(&b, t, tl, blen);
		if (!strcmp(kind, "close"))
			c->after_out = CLOSE;
		add_response(dst, 200, "application/json", NULL, b.p, b.len,
			     c->after_out == CLOSE);
		if (ms > 0) {
			c->due = cap_due > 0 ? cap_due : now_s() + ms / 1000.0;
			c->after_later = c->after_out;
			c->after_out = KEEP;
		}
	}
	log_line(auth, path, body, blen, stream, tok, toklen, st, tag, t, tl);
	free(b.p);
}

static const char *find_header(const char *h, size_t n, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *p = h, *end = h + n;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(eol - v);
			return v;
		}
		p = eol + 2;
	}
	return NULL;
}

/* Parses and answers every complete request in c->in.  -1: closed. */
static int process(struct conn *c)
{
	for (;;) {
		char method[16], path[256];
		const char *hend, *v, *auth;
		size_t hlen, clen = 0, vlen, alen = 0;
		int want_close = 0;

		if (c->due || c->out.len)
			return 0;   /* one request at a time */
		if (c->in.len < 4)
			return 0;
		hend = memmem(c->in.p + (c->scanned > 3 ? c->scanned - 3 : 0),
			      c->in.len - (c->scanned > 3 ? c->scanned - 3 : 0), "\r\n\r\n", 4);
		if (!hend) {
			c->scanned = c->in.len;
			if (c->in.len > 65536) {
				conn_close(c, 0);
				return -1;
			}
			return 0;
		}
		hlen = (size_t)(hend - c->in.p) + 4;
		if (sscanf(c->in.p, "%15s %255s", method, path) != 2) {
			conn_close(c, 0);
			return -1;
		}
		v = find_header(c->in.p, hlen, "Content-Length", &vlen);
		if (v)
			clen = strtoul(v, NULL, 10);
		v = find_header(c->in.p, hlen, "Connection", &vlen);
		if (v && vlen >= 5 && !strncasecmp(v, "close", 5))
			want_close = 1;
		auth = find_header(c->in.p, hlen, "Authorization", &alen);
		if (c->in.len < hlen + clen) {
			v = find_header(c->in.p, hlen, "Expect", &vlen);
			if (v && !c->sent_continue) {
				c->sent_continue = 1;
				if (send(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, MSG_NOSIGNAL) < 0) {
					conn_close(c, 0);
					return -1;
				}
			}
			return 0;
		}
		handle(c, method, path, auth, alen, want_close, c->in.p + hlen, clen);
		memmove(c->in.p, c->in.p + hlen + clen, c->in.len - hlen - clen);
		c->in.len -= hlen + clen;
		c->scanned = 0;
		c->sent_continue = 0;
		if (flush_out(c) < 0)
			return -1;
	}
}

static void on_readable(struct conn *c)
{
	for (;;) {
		ssize_t n;

		buf_grow(&c->in, 65536);
		n = recv(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			conn_close(c, 0);
			return;
		}
		c->in.len += (size_t)n;
		if (c->in.len < c->in.cap - 1)
			break;
	}
	process(c);
}

static void on_accept(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct epoll_event ev;
		struct conn *c;

		if (fd < 0)
			return;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		S.conns = realloc(S.conns, (size_t)(S.nconns + 1) * sizeof(*S.conns));
		S.conns[S.nconns++] = c;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(S.ep, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* Sends held (slow) answers that are due; returns ms until the next one. */
static int run_timers(void)
{
	double now = now_s(), next = -1;

	for (int i = 0; i < S.nconns; i++) {
		struct conn *c = S.conns[i];
		if (!c->due)
			continue;
		if (c->due <= now) {
			buf_add(&c->out, c->later.p, c->later.len);
			c->later.len = 0;
			c->due = 0;
			c->after_out = c->after_later;
			if (flush_out(c) < 0 || process(c) < 0) {
				i = -1;   /* the list changed: rescan */
				now = now_s();
				next = -1;
			}
			continue;
		}
		if (next < 0 || c->due - now < next)
			next = c->due - now;
	}
	return next < 0 ? -1 : (int)(next * 1000) + 1;
}

static void usage_exit(void)
{
	fprintf(stderr, "usage: fakeserver [--port N] [--log FILE] [--reply TEXT] [--echo] "
		"[--no-usage] [--bench] [--fail-first N] [--fail-rate P] [--fail-kind KIND] "
		"[--seed S] [--expect-key-env VAR] [--lifetime SECONDS] [--capacity N --service-ms MS] "
		"[--models ID,ID] [--models-auth]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sa);
	struct epoll_event ev, evs[256];
	double t_end;
	int lfd, one = 1;

	S.reply = "yes";
	S.usage = 1;
	S.lifetime = 600;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;

		if (!strcmp(a, "--echo"))
			S.echo = 1, takes = 0;
		else if (!strcmp(a, "--no-usage"))
			S.usage = 0, takes = 0;
		else if (!strcmp(a, "--bench"))
			S.bench = 1, takes = 0;
		else if (!strcmp(a, "--models-auth"))
			S.models_auth = 1, takes = 0;
		else if (!v)
			usage_exit();
		else if (!strcmp(a, "--port"))
			S.port = atoi(v);
		else if (!strcmp(a, "--log")) {
			S.log = fopen(v, "a");
			if (!S.log) {
				perror(v);
				return 2;
			}
		} else if (!strcmp(a, "--reply"))
			S.reply = v;
		else if (!strcmp(a, "--fail-first"))
			S.fail_first = atol(v);
		else if (!strcmp(a, "--fail-rate"))
			S.fail_rate = atof(v);
		else if (!strcmp(a, "--fail-kind"))
			S.fail_kind = v;
		else if (!strcmp(a, "--seed"))
			S.rng = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--expect-key-env"))
			S.key = getenv(v);
		else if (!strcmp(a, "--lifetime"))
			S.lifetime = atof(v);
		else if (!strcmp(a, "--models"))
			S.models = v;
		else if (!strcmp(a, "--capacity"))
			S.capacity = atoi(v);
		else if (!strcmp(a, "--service-ms"))
			S.service = atof(v) / 1000;
		else
			usage_exit();
		i += takes;
	}
	if (S.capacity > 0) {
		S.free_at = calloc((size_t)S.capacity, sizeof(double));
		if (!S.free_at)
			return 2;
	}
	if ((S.fail_first || S.fail_rate > 0) && !S.fail_kind)
		S.fail_kind = "500";
	signal(SIGPIPE, SIG_IGN);
	{
		struct buf b = { 0 };
		completion_json(&b, S.reply, strlen(S.reply), 0);
		add_response(&S.fixed, 200, "application/json", NULL, b.p, b.len, 0);
		free(b.p);
	}
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)S.port);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 1024) < 0 || getsockname(lfd, (struct sockaddr *)&sa, &slen) < 0) {
		perror("fakeserver: listen");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	S.ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(S.ep, EPOLL_CTL_ADD, lfd, &ev);
	t_end = now_s() + S.lifetime;
	for (;;) {
		int wait = run_timers(), n;
		int left = (int)((t_end - now_s()) * 1000) + 1;

		if (left <= 1)
			break;
		if (wait < 0 || wait > left)
			wait = left;
		n = epoll_wait(S.ep, evs, 256, wait);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (!c) {
				on_accept(lfd);
			} else if (evs[i].events & EPOLLOUT) {
				if (flush_out(c) == 0)
					process(c);
			} else {
				on_readable(c);
			}
		}
	}
	return 0;
}
