/*
 * test_openai_faults.c - the openai backend against a live fake server
 * (tests/tools/fakeserver, started on a free loopback port by each test and
 * killed at its end): every request ends answered or with its error, each
 * exactly once; retries and Retry-After are honoured; 401/403/404 are fatal;
 * the API key reaches the server's Authorization header and never an error.
 * Every loop is bounded in count and time.
 */
#include "test_helpers.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include "backends/host.h"
#include "backends/openai.h"

#define KEY "sk-test-7f3a9c2e1b5d4a6f"
#define MAXREQ 400

struct server {
	pid_t pid;
	int port;
	char log[64];
};

/* Servers still running, killed by the teardown when a test fails half-way
 * (they also exit by themselves after --lifetime 60). */
static pid_t live[8];

static int kill_live(void **state)
{
	for (size_t i = 0; i < sizeof(live) / sizeof(*live); i++) {
		if (live[i] > 0) {
			kill(live[i], SIGTERM);
			waitpid(live[i], NULL, 0);
			live[i] = 0;
		}
	}
	return 0;
}

static int server_start(struct server *s, const char *const *extra)
{
	const char *build = getenv("VLEVAL_BUILD");
	char path[512], line[32] = "";
	const char *argv[32];
	int fds[2], n = 0;
	struct pollfd pfd;

	snprintf(path, sizeof(path), "%s/tests/tools/fakeserver", build ? build : "build");
	if (access(path, X_OK)) {
		print_error("%s is missing: run make test\n", path);
		return -1;
	}
	snprintf(s->log, sizeof(s->log), "/tmp/vl_fake_%d_%d.log", (int)getpid(), rand());
	unlink(s->log);
	argv[n++] = path;
	argv[n++] = "--echo";
	argv[n++] = "--log";
	argv[n++] = s->log;
	argv[n++] = "--expect-key-env";
	argv[n++] = "VL_TEST_KEY";
	argv[n++] = "--lifetime";
	argv[n++] = "60";
	for (size_t i = 0; extra && extra[i] && n < 30; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (pipe(fds))
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	for (size_t i = 0; i < sizeof(live) / sizeof(*live); i++) {
		if (!live[i]) {
			live[i] = s->pid;
			break;
		}
	}
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1 || read(fds[0], line, sizeof(line) - 1) <= 0) {
		close(fds[0]);
		return -1;
	}
	close(fds[0]);
	s->port = atoi(line);
	return s->port > 0 ? 0 : -1;
}

static void server_stop(struct server *s)
{
	for (size_t i = 0; i < sizeof(live) / sizeof(*live); i++)
		if (live[i] == s->pid)
			live[i] = 0;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	unlink(s->log);
}

/* Lines of the server's log containing needle. */
static int log_count(const struct server *s, const char *needle)
{
	struct vl_buf text = VL_BUF_INIT;
	int n = 0;

	if (vl_read_file(s->log, &text, NULL) < 0)
		return -1;
	for (const char *p = text.buf; (p = strstr(p, needle)); p++)
		n++;
	assert_null(strstr(text.buf, KEY));   /* the key is never logged */
	vl_buf_release(&text);
	return n;
}

static struct vl_backend *open_backend(const char *base, const char *const *kv)
{
	struct vl_kv cfg = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;

	vl_kv_set(&cfg, "base_url", base);
	/* these tests count the requests the server sees, and some point at a
	 * port where nothing listens: the server check is tested on its own */
	vl_kv_set(&cfg, "preflight", "0");
	vl_kv_set(&cfg, "model", "fake-model");
	vl_kv_set(&cfg, "api_key_env", "VL_TEST_KEY");
	vl_kv_set(&cfg, "backoff_ms", "20");
	vl_kv_set(&cfg, "backoff_max_ms", "200");
	vl_kv_set(&cfg, "timeout", "5");
	vl_kv_set(&cfg, "concurrency", "32");
	for (size_t i = 0; kv && kv[i]; i += 2)
		vl_kv_set(&cfg, kv[i], kv[i + 1]);
	if (vl_backend_open("openai", &cfg, &b, &err) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_non_null(b);
	vl_kv_release(&cfg);
	vl_buf_release(&err);
	return b;
}

static char *base_of(const struct server *s, char *buf, size_t n)
{
	snprintf(buf, n, "http://127.0.0.1:%d/v1", s->port);
	return buf;
}

struct run {
	char prompts[MAXREQ][96];
	struct vl_response r[MAXREQ];
	int seen[MAXREQ];
	double elapsed;
};

/* Submits prompts[0..n) and polls until every one came back (at most
 * max_s seconds); fails on a lost, unknown or duplicated answer. */
static void run_all(struct vl_backend *b, struct run *run, size_t n, double max_s)
{
	struct vl_response out[64];
	double t0 = vl_now();
	size_t got = 0;

	memset(run->seen, 0, sizeof(run->seen));
	for (size_t i = 0; i < n; i++) {
		struct vl_request q = { 0 };
		struct vl_buf err = VL_BUF_INIT;
		q.id = i;
		q.sample_id = run->prompts[i];
		q.prompt = run->prompts[i];
		q.max_tokens = 8;
		q.temperature = 0;
		q.top_p = -1;
		q.seed = -1;
		assert_int_equal(vl_backend_submit(b, &q, &err), 0);
		vl_buf_release(&err);
	}
	for (int loops = 0; got < n && vl_now() - t0 < max_s && loops < 100000; loops++) {
		int k = vl_backend_poll(b, 100, out, 64);
		assert_true(k >= 0);
		for (int i = 0; i < k; i++) {
			assert_true(out[i].id < n);
			assert_int_equal(run->seen[out[i].id], 0);
			run->seen[out[i].id] = 1;
			run->r[out[i].id] = out[i];
			/* exactly one of text and error */
			assert_true((out[i].text == NULL) != (out[i].error == NULL));
			if (out[i].error) {
				assert_null(strstr(out[i].error, KEY));
				assert_null(strstr(out[i].error, "7f3a9c2e"));
			}
			got++;
		}
	}
	run->elapsed = vl_now() - t0;
	if (getenv("VL_TEST_VERBOSE"))
		print_message("%zu requests in %.2f s\n", n, run->elapsed);
	if (got != n)
		print_error("%zu of %zu answers after %.1f s\n", got, n, run->elapsed);
	assert_int_equal(got, n);
	/* nothing more comes */
	assert_int_equal(vl_backend_poll(b, 0, out, 64), 0);
}

static void release_run(struct run *run, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vl_response_release(&run->r[i]);
}

static long sent(struct vl_backend *b)
{
	struct vl_backend_stats st;
	vl_backend_stats(b, &st);
	return st.requests_sent;
}

static void test_answers_all(void **state)
{
	static struct run run;
	struct server s;
	char base[64];
	struct vl_backend *b;
	size_t n = 300;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), NULL);
	for (size_t i = 0; i < n; i++)
		snprintf(run.prompts[i], sizeof(run.prompts[i]), "req-%zu says \"hi\"", i);
	run_all(b, &run, n, 30);
	for (size_t i = 0; i < n; i++) {
		struct vl_response *r = &run.r[i];
		if (!r->text)
			print_error("%zu: %s\n", i, r->error);
		assert_non_null(r->text);
		assert_string_equal(r->text, run.prompts[i]);   /* its own answer */
		assert_int_equal(r->http_status, 200);
		assert_int_equal(r->retries, 0);
		assert_int_equal(r->fatal, 0);
		/* the server counts the echoed JSON text: quotes escaped */
		assert_int_equal(r->completion_tokens, (long)strlen(run.prompts[i]) + 2);
		assert_true(r->prompt_tokens > 0);
		assert_true(r->bytes_sent > 100);
		assert_true(r->bytes_received > 100);
		assert_true(r->latency_s > 0 && r->latency_s < 30);
		assert_true(r->ttft_s == -1);
	}
	assert_int_equal(sent(b), (long)n);
	vl_backend_close(b);
	assert_int_equal(log_count(&s, "auth=match"), (int)n);
	assert_int_equal(log_count(&s, "req="), (int)n);
	release_run(&run, n);
	server_stop(&s);
}

/* Faults that go away after some attempts: answered, retries counted. */
static void test_retried_faults(void **state)
{
	static const struct { const char *fault; int retries; } rows[] = {
		{ "FAULT:500:times=2", 2 }, { "FAULT:503:times=1", 1 },
		{ "FAULT:502:times=1", 1 }, { "FAULT:408:times=1", 1 },
		{ "FAULT:409:times=1", 1 }, { "FAULT:429:times=3", 3 },
		{ "FAULT:reset:times=1", 1 }, { "FAULT:malformed:times=2", 2 },
		{ "FAULT:truncated:times=1", 1 }, { "FAULT:close", 0 },
		{ "FAULT:slow=100", 0 },
	};
	static struct run run;
	size_t nrows = sizeof(rows) / sizeof(*rows), n = nrows * 4;
	long want_sent = 0;
	struct server s;
	char base[64];
	struct vl_backend *b;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), NULL);
	for (size_t i = 0; i < n; i++)
		snprintf(run.prompts[i], sizeof(run.prompts[i]), "req-%zu %s:tag=%zu", i,
			 rows[i % nrows].fault, i);
	run_all(b, &run, n, 30);
	for (size_t i = 0; i < n; i++) {
		if (!run.r[i].text)
			print_error("%s: %s\n", run.prompts[i], run.r[i].error);
		assert_non_null(run.r[i].text);
		assert_string_equal(run.r[i].text, run.prompts[i]);
		if (run.r[i].retries != rows[i % nrows].retries)
			print_error("%s: %d retries\n", run.prompts[i], run.r[i].retries);
		assert_int_equal(run.r[i].retries, rows[i % nrows].retries);
		want_sent += 1 + rows[i % nrows].retries;
	}
	assert_int_equal(sent(b), want_sent);
	assert_int_equal(log_count(&s, "req="), (int)want_sent);
	vl_backend_close(b);
	release_run(&run, n);
	server_stop(&s);
}

/* The retry comes no earlier than Retry-After says. */
static void test_retry_after(void **state)
{
	static struct run run;
	const char *const kv[] = { "backoff_ms", "1", NULL };
	struct server s;
	char base[64];
	struct vl_backend *b;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), kv);
	snprintf(run.prompts[0], 96, "a FAULT:429:retry_after=1:times=1");
	snprintf(run.prompts[1], 96, "b FAULT:503:retry_after=1:times=2");
	snprintf(run.prompts[2], 96, "c FAULT:429:times=1");
	run_all(b, &run, 3, 10);
	assert_non_null(run.r[0].text);
	assert_int_equal(run.r[0].retries, 1);
	assert_true(run.r[0].latency_s >= 1.0);
	assert_true(run.r[0].latency_s < 3.0);
	assert_non_null(run.r[1].text);
	assert_int_equal(run.r[1].retries, 2);
	assert_true(run.r[1].latency_s >= 2.0);
	/* no Retry-After: the short backoff */
	assert_non_null(run.r[2].text);
	assert_true(run.r[2].latency_s < 0.5);
	vl_backend_close(b);
	release_run(&run, 3);
	server_stop(&s);
}

/* Errors: retries exhausted (recorded, run goes on), 400 not retried,
 * 401/403/404 fatal at once, with the key nowhere in the message although
 * the server echoes it back in its 401 body. */
static void test_errors(void **state)
{
	static const struct {
		const char *fault;
		int retries, fatal, status;
		const char *msg;
	} rows[] = {
		{ "FAULT:500", 2, 0, 500, "http 500 from http://127.0.0.1:" },
		{ "FAULT:reset", 2, 0, 200, "failed: " },
		{ "FAULT:truncated", 2, 0, 200, "failed: " },
		{ "FAULT:malformed", 2, 0, 200, "malformed response" },
		{ "FAULT:400", 0, 0, 400, "injected 400" },
		{ "FAULT:401", 0, 1, 401, "refused the API key in $VL_TEST_KEY" },
		{ "FAULT:403", 0, 1, 403, "access denied" },
		{ "FAULT:404", 0, 1, 404, "no such endpoint or model 'fake-model'" },
	};
	static struct run run;
	const char *const kv[] = { "retries", "2", NULL };
	size_t n = sizeof(rows) / sizeof(*rows);
	struct server s;
	char base[64];
	struct vl_backend *b;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), kv);
	for (size_t i = 0; i < n; i++)
		snprintf(run.prompts[i], 96, "req-%zu %s", i, rows[i].fault);
	run_all(b, &run, n, 20);
	for (size_t i = 0; i < n; i++) {
		const struct vl_response *r = &run.r[i];
		assert_null(r->text);
		if (!strstr(r->error, rows[i].msg))
			print_error("%s: %s\n", rows[i].fault, r->error);
		assert_non_null(strstr(r->error, rows[i].msg));
		assert_int_equal(r->retries, rows[i].retries);
		assert_int_equal(r->fatal, rows[i].fatal);
		assert_int_equal(r->http_status, rows[i].status);
		if (rows[i].retries)
			assert_non_null(strstr(r->error, "(after 3 attempts)"));
	}
	/* the 401 body carried the key: it was redacted */
	assert_non_null(strstr(run.r[5].error, "[redacted]"));
	vl_backend_close(b);
	release_run(&run, n);
	server_stop(&s);
}

static void test_timeout(void **state)
{
	static struct run run;
	const char *const kv[] = { "timeout", "0.3", "retries", "2", NULL };
	struct server s;
	char base[64];
	struct vl_backend *b;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), kv);
	snprintf(run.prompts[0], 96, "a FAULT:slow=3000");
	snprintf(run.prompts[1], 96, "b FAULT:slow=1000:times=1");
	run_all(b, &run, 2, 10);
	assert_null(run.r[0].text);
	assert_non_null(strstr(run.r[0].error, "timed out after 0.3 s waiting for"));
	assert_non_null(strstr(run.r[0].error, "--timeout covers the whole request"));
	assert_int_equal(run.r[0].retries, 2);
	assert_true(run.r[0].latency_s >= 0.9 && run.r[0].latency_s < 2.5);
	assert_non_null(run.r[1].text);
	assert_int_equal(run.r[1].retries, 1);
	vl_backend_close(b);
	release_run(&run, 2);
	server_stop(&s);
}

static void test_stream(void **state)
{
	static struct run run;
	const char *const kv[] = { "stream", "1", "retries", "1", NULL };
	struct server s;
	char base[64];
	struct vl_backend *b;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), kv);
	snprintf(run.prompts[0], 96, "plain answer");
	snprintf(run.prompts[1], 96, "late FAULT:slowstream=400");
	snprintf(run.prompts[2], 96, "cut FAULT:stream_cut:times=1");
	snprintf(run.prompts[3], 96, "always cut FAULT:stream_cut");
	run_all(b, &run, 4, 10);
	assert_string_equal(run.r[0].text, "plain answer");
	assert_true(run.r[0].ttft_s > 0 && run.r[0].ttft_s <= run.r[0].latency_s);
	assert_int_equal(run.r[0].completion_tokens, 12);
	assert_true(run.r[0].prompt_tokens > 0);
	assert_string_equal(run.r[1].text, "late FAULT:slowstream=400");
	assert_true(run.r[1].latency_s >= 0.4);
	assert_true(run.r[1].ttft_s < 0.3);
	assert_string_equal(run.r[2].text, "cut FAULT:stream_cut:times=1");
	assert_int_equal(run.r[2].retries, 1);
	assert_null(run.r[3].text);
	assert_int_equal(run.r[3].retries, 1);
	assert_int_equal(log_count(&s, "stream=1"), 6);
	vl_backend_close(b);
	release_run(&run, 4);
	server_stop(&s);
}

/* A huge answer is not read whole: a body past VL_OPENAI_MAX_BODY (8 MB)
 * and a stream whose text passes VL_MAX_OUTPUT_BYTES stop there, as that
 * sample's error, not retried (one request each); a 1 MB body is still
 * read whole (the runner, not the backend, refuses its output). */
static void test_huge_answers(void **state)
{
	static struct run run;
	const char *const plain[] = { "retries", "3", NULL };
	const char *const streamed[] = { "retries", "3", "stream", "1", NULL };
	struct server s;
	char base[64];
	struct vl_backend *b;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), plain);
	snprintf(run.prompts[0], 96, "FAULT:huge=20:tag=big");
	snprintf(run.prompts[1], 96, "FAULT:huge=1:tag=fits");
	run_all(b, &run, 2, 30);
	assert_null(run.r[0].text);
	assert_non_null(strstr(run.r[0].error, "is over 8 MB, where an output is limited to "
				"65536 bytes (it was stopped there): not scored"));
	assert_int_equal(run.r[0].retries, 0);
	assert_true(run.r[0].bytes_received < (9 << 20));
	assert_non_null(run.r[1].text);
	assert_int_equal(strlen(run.r[1].text), 1 << 20);
	vl_backend_close(b);
	release_run(&run, 2);
	b = open_backend(base_of(&s, base, sizeof(base)), streamed);
	snprintf(run.prompts[0], 96, "FAULT:huge=2:tag=stream");
	run_all(b, &run, 1, 30);
	assert_null(run.r[0].text);
	assert_non_null(strstr(run.r[0].error, "is over the limit of 65536 bytes (the stream was "
				"stopped there): not scored"));
	assert_int_equal(run.r[0].retries, 0);
	assert_true(run.r[0].bytes_received < (1 << 20));
	vl_backend_close(b);
	release_run(&run, 1);
	/* one request each */
	assert_int_equal(log_count(&s, " tag=big auth="), 1);
	assert_int_equal(log_count(&s, " tag=fits auth="), 1);
	assert_int_equal(log_count(&s, " tag=stream auth="), 1);
	server_stop(&s);
}

static void test_connect_refused(void **state)
{
	static struct run run;
	const char *const kv[] = { "retries", "2", NULL };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct vl_backend *b;
	char base[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* a port that was free a moment ago and has no listener */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/v1", ntohs(sa.sin_port));
	b = open_backend(base, kv);
	snprintf(run.prompts[0], 96, "nobody home");
	run_all(b, &run, 1, 10);
	assert_null(run.r[0].text);
	assert_non_null(strstr(run.r[0].error, "connect"));
	assert_int_equal(run.r[0].retries, 2);
	assert_int_equal(run.r[0].fatal, 0);
	assert_int_equal(sent(b), 3);
	vl_backend_close(b);
	release_run(&run, 1);
}

/* finish_reason reaches the response, streamed or not: "length" for an
 * answer the server cut, "stop" for a whole one. */
static void test_finish_reason(void **state)
{
	static struct run run;
	const char *const stream[] = { "stream", "1", NULL };
	struct server s;
	char base[64];

	assert_int_equal(server_start(&s, NULL), 0);
	for (int k = 0; k < 2; k++) {
		struct vl_backend *b = open_backend(base_of(&s, base, sizeof(base)),
						    k ? stream : NULL);
		snprintf(run.prompts[0], 96, "whole answer");
		snprintf(run.prompts[1], 96, "cut answer FAULT:length");
		run_all(b, &run, 2, 10);
		assert_string_equal(run.r[0].text, "whole answer");
		assert_string_equal(run.r[0].finish_reason, "stop");
		assert_string_equal(run.r[1].text, "cut answer FAULT:length");
		assert_string_equal(run.r[1].finish_reason, "length");
		vl_backend_close(b);
		release_run(&run, 2);
	}
	server_stop(&s);
}

/* An https:// URL to a server that accepts the connection and never speaks
 * TLS (a plain-HTTP server, here a silent listener: the kernel completes the
 * TCP handshake from the backlog): the error names the TLS handshake and the
 * connect limit min(timeout, 30 s), not the whole-request timeout. */
static void test_tls_handshake_timeout(void **state)
{
	static struct run run;
	const char *const kv[] = { "timeout", "0.4", "retries", "0", NULL };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct vl_backend *b;
	char base[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(base, sizeof(base), "https://127.0.0.1:%d/v1", ntohs(sa.sin_port));
	b = open_backend(base, kv);
	snprintf(run.prompts[0], 96, "tls to a silent server");
	run_all(b, &run, 1, 10);
	assert_null(run.r[0].text);
	assert_non_null(strstr(run.r[0].error, "timed out after 0.4 s in the TLS handshake"));
	assert_non_null(strstr(run.r[0].error, "min(--timeout, 30 s)"));
	vl_backend_close(b);
	release_run(&run, 1);
	close(fd);
}

/* Two replicas share the load; --fail-first makes the first attempts fail. */
static void test_load_balance(void **state)
{
	static struct run run;
	const char *const ff[] = { "--fail-first", "2", NULL };
	struct server s1, s2;
	char base[160];
	struct vl_backend *b;
	size_t n = 60;

	assert_int_equal(server_start(&s1, ff), 0);
	assert_int_equal(server_start(&s2, NULL), 0);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d/v1, http://127.0.0.1:%d/v1/", s1.port,
		 s2.port);
	b = open_backend(base, NULL);
	for (size_t i = 0; i < n; i++)
		snprintf(run.prompts[i], 96, "req-%zu", i);
	run_all(b, &run, n, 20);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(run.r[i].text, run.prompts[i]);
	assert_true(log_count(&s1, "status=200") >= 10);
	assert_true(log_count(&s2, "status=200") >= 10);
	assert_int_equal(log_count(&s1, "status=200") + log_count(&s2, "status=200"), (int)n);
	assert_int_equal(log_count(&s1, "status=500"), 2);
	vl_backend_close(b);
	release_run(&run, n);
	server_stop(&s1);
	server_stop(&s2);
}

/* Random faults on 20% of requests: every answer arrives, once. */
static void test_random_faults(void **state)
{
	static const char *const kinds[] = { "500", "reset", "malformed", "429" };
	static struct run run;
	const char *const kv[] = { "retries", "10", NULL };
	size_t n = 200;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
		const char *const args[] = { "--fail-rate", "0.2", "--fail-kind", kinds[k],
					     "--seed", "7", NULL };
		struct server s;
		char base[64];
		struct vl_backend *b;
		long failed;

		assert_int_equal(server_start(&s, args), 0);
		b = open_backend(base_of(&s, base, sizeof(base)), kv);
		for (size_t i = 0; i < n; i++)
			snprintf(run.prompts[i], 96, "req-%zu", i);
		run_all(b, &run, n, 30);
		for (size_t i = 0; i < n; i++) {
			if (!run.r[i].text)
				print_error("%s: %s\n", kinds[k], run.r[i].error);
			assert_string_equal(run.r[i].text, run.prompts[i]);
		}
		failed = log_count(&s, "fault=FAULT:");
		assert_true(failed > 10);
		assert_int_equal(sent(b), (long)n + failed);
		vl_backend_close(b);
		release_run(&run, n);
		server_stop(&s);
	}
}

/* Bodies with images of sizes around libcurl's buffer sizes arrive byte for
 * byte as vl_openai_build_body plans them (the base64 is produced in the
 * read callback), including after a reset that makes libcurl or the
 * backend send the body again; bytes_sent is the body plus the headers. */
static void test_image_bodies(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 16383, 65535, 70000, 140000, 600001 };
	enum { N = sizeof(sizes) / sizeof(*sizes) };
	static struct run run;
	struct vl_response out[64];
	struct vl_image imgs[N];
	char paths[N][64];
	struct server s;
	char base[64];
	struct vl_backend *b;
	struct vl_rng rng;
	struct vl_buf log = VL_BUF_INIT;
	size_t got = 0;
	double t0;

	vl_rng_seed(&rng, 21);
	for (size_t i = 0; i < N; i++) {
		unsigned char *data = malloc(sizes[i] + 1);
		int fd;

		snprintf(paths[i], sizeof(paths[i]), "/tmp/vl_fault_img_%d_%zuXXXXXX", (int)getpid(),
			 i);
		fd = mkstemp(paths[i]);
		assert_true(fd >= 0);
		for (size_t k = 0; k < sizes[i]; k++)
			data[k] = (unsigned char)vl_rng_next(&rng);
		assert_int_equal(write(fd, data, sizes[i]), (ssize_t)sizes[i]);
		close(fd);
		free(data);
		imgs[i] = (struct vl_image){ .path = paths[i] };
		/* every third one is reset once: sent again, from its start */
		snprintf(run.prompts[i], 96, i % 3 == 1 ? "img-%zu FAULT:reset:times=1:tag=i%zu"
							: "img-%zu", i, i);
	}
	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), NULL);
	for (size_t i = 0; i < N; i++) {
		struct vl_request q = { .id = i, .sample_id = run.prompts[i], .prompt = run.prompts[i],
					.images = &imgs[i], .n_images = 1, .max_tokens = 8,
					.temperature = 0, .top_p = -1, .seed = -1 };
		struct vl_buf err = VL_BUF_INIT;
		assert_int_equal(vl_backend_submit(b, &q, &err), 0);
		vl_buf_release(&err);
	}
	t0 = vl_now();
	while (got < N && vl_now() - t0 < 30) {
		int k = vl_backend_poll(b, 100, out, 64);
		assert_true(k >= 0);
		for (int i = 0; i < k; i++) {
			assert_true(out[i].id < N);
			run.r[out[i].id] = out[i];
			got++;
		}
	}
	assert_int_equal(got, N);
	vl_backend_close(b);
	assert_int_equal(vl_read_file(s.log, &log, NULL), 0);
	for (size_t i = 0; i < N; i++) {
		struct vl_request q = { .id = i, .sample_id = run.prompts[i], .prompt = run.prompts[i],
					.images = &imgs[i], .n_images = 1, .max_tokens = 8,
					.temperature = 0, .top_p = -1, .seed = -1 };
		struct vl_openai_body_opts o = { .model = "fake-model" };
		struct vl_buf body = VL_BUF_INIT, err = VL_BUF_INIT, want = VL_BUF_INIT;
		struct vl_response *r = &run.r[i];
		long long attempts;

		if (!r->text)
			print_error("image of %zu bytes: %s\n", sizes[i], r->error);
		assert_non_null(r->text);
		assert_int_equal(vl_openai_build_body(&o, &q, &body, &err), 0);
		/* the answered attempt's log line carries the planned body's size and
		 * FNV-1a hash (vl_hash64 from FNV's offset basis) */
		vl_buf_addf(&want, "bytes=%zu fnv=%016llx stream=0 fault=- status=200 text=img-%zu",
			    body.len, (unsigned long long)vl_hash64(body.buf, body.len, VL_HASH_SEED), i);
		if (!strstr(log.buf, want.buf))
			print_error("no log line with %s\n", want.buf);
		assert_non_null(strstr(log.buf, want.buf));
		/* request line and headers: between 100 and 400 bytes, counted for
		 * every attempt (the reset one sent it all twice) */
		attempts = i % 3 == 1 ? 2 : 1;
		assert_int_equal(r->retries, attempts - 1);
		assert_true(r->bytes_sent >= attempts * ((long long)body.len + 100));
		assert_true(r->bytes_sent <= attempts * ((long long)body.len + 400));
		vl_buf_release(&body);
		vl_buf_release(&err);
		vl_buf_release(&want);
		vl_response_release(r);
		unlink(paths[i]);
	}
	vl_buf_release(&log);
	server_stop(&s);
}

/* rpm=600: a burst of one second's worth (10), then 10 per second. */
static void test_rpm(void **state)
{
	static struct run run;
	const char *const kv[] = { "rpm", "600", NULL };
	struct server s;
	char base[64];
	struct vl_backend *b;

	assert_int_equal(server_start(&s, NULL), 0);
	b = open_backend(base_of(&s, base, sizeof(base)), kv);
	for (size_t i = 0; i < 25; i++)
		snprintf(run.prompts[i], 96, "req-%zu", i);
	run_all(b, &run, 25, 10);
	assert_true(run.elapsed >= 1.4);
	assert_true(run.elapsed < 5);
	vl_backend_close(b);
	release_run(&run, 25);
	server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_answers_all, kill_live),
		cmocka_unit_test_teardown(test_retried_faults, kill_live),
		cmocka_unit_test_teardown(test_retry_after, kill_live),
		cmocka_unit_test_teardown(test_errors, kill_live),
		cmocka_unit_test_teardown(test_timeout, kill_live),
		cmocka_unit_test_teardown(test_stream, kill_live),
		cmocka_unit_test_teardown(test_connect_refused, kill_live),
		cmocka_unit_test_teardown(test_huge_answers, kill_live),
		cmocka_unit_test_teardown(test_tls_handshake_timeout, kill_live),
		cmocka_unit_test_teardown(test_finish_reason, kill_live),
		cmocka_unit_test_teardown(test_load_balance, kill_live),
		cmocka_unit_test_teardown(test_random_faults, kill_live),
		cmocka_unit_test_teardown(test_rpm, kill_live),
		cmocka_unit_test_teardown(test_image_bodies, kill_live),
	};
	setenv("VL_TEST_KEY", KEY, 1);
	signal(SIGPIPE, SIG_IGN);
	srand((unsigned)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
