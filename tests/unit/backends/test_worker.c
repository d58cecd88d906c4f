/*
 * test_worker.c - the "worker" backend driven through vl_backend_open with
 * the Python test worker tests/fixtures/workers/echo_worker.py: answers
 * matched to their requests across several workers, crash / retry / error,
 * hang / timeout, a bad command turning fatal, stray stdout, large
 * requests that would deadlock blocking I/O, and the resource figures.
 * Every wait is bounded (collect() gives up after its time limit).
 */
#include "test_helpers.h"

#include "backends/host.h"
#include "backends/worker.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXR 400

static const char *root(void)
{
	const char *r = getenv("VLEVAL_ROOT");
	return r ? r : ".";
}

/* "python3 ROOT/tests/fixtures/workers/NAME ARGS" */
static char *worker_cmd(const char *name, const char *args)
{
	struct vl_buf b = VL_BUF_INIT;
	vl_buf_addf(&b, "python3 %s/tests/fixtures/workers/%s %s", root(), name, args);
	return vl_buf_detach(&b, NULL);
}

/* Opens backend "worker" with NULL-terminated key, value pairs. */
static struct vl_backend *open_worker(const char *first, ...)
{
	struct vl_kv kv = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;
	va_list ap;

	va_start(ap, first);
	for (const char *k = first; k; k = va_arg(ap, const char *))
		vl_kv_set(&kv, k, va_arg(ap, const char *));
	va_end(ap);
	if (vl_backend_open("worker", &kv, &b, &err) < 0)
		print_error("open: %s\n", vl_buf_str(&err));
	assert_non_null(b);
	vl_kv_release(&kv);
	vl_buf_release(&err);
	return b;
}

static void submit(struct vl_backend *b, uint64_t id, const char *sample_id, const char *prompt)
{
	struct vl_request req;
	struct vl_buf err = VL_BUF_INIT;

	memset(&req, 0, sizeof(req));
	req.id = id;
	req.sample_id = sample_id;
	req.prompt = prompt;
	req.max_tokens = -1;
	req.temperature = req.top_p = -1;
	req.seed = -1;
	assert_int_equal(vl_backend_submit(b, &req, &err), 0);
	vl_buf_release(&err);
}

/* Polls until n responses arrived or limit_s passed; returns how many. */
static int collect(struct vl_backend *b, struct vl_response *out, int n, double limit_s)
{
	double end = vl_now() + limit_s;
	int got = 0;

	while (got < n && vl_now() < end) {
		int k = vl_backend_poll(b, 50, out + got, n - got);
		assert_true(k >= 0);
		got += k;
	}
	return got;
}

static void release_all(struct vl_response *r, int n)
{
	for (int i = 0; i < n; i++)
		vl_response_release(&r[i]);
}

/* After close no child of ours is left, zombie or alive. */
static void assert_no_children(void)
{
	int st;
	assert_int_equal(waitpid(-1, &st, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void contains(const char *s, const char *want)
{
	if (!s || !strstr(s, want)) {
		print_error("'%s' does not contain '%s'\n", s ? s : "(null)", want);
		fail();
	}
}

static void test_request_json(void **state)
{
	static const struct vl_image imgs[] = {
		{ "rel/a.jpg", NULL, "image/jpeg" },
		{ NULL, "iVBORw0=", "image/png" },
		{ "/abs/b.png", NULL, NULL },
	};
	static const char *const stop[] = { "\n", "END" };
	struct vl_request req = {
		.id = 18446744073709551615ULL, .sample_id = "s/1", .system = "be brief",
		.prompt = "say \"hi\"\n", .images = imgs, .n_images = 3, .max_tokens = 16,
		.temperature = 0, .top_p = -1, .seed = 7, .stop = stop, .n_stop = 2,
	};
	struct vl_buf out = VL_BUF_INIT;
	cJSON *j, *msgs, *user, *part;

	vl_worker_request_json(&req, "/cwd", &out);
	assert_int_equal(out.buf[out.len - 1], '\n');
	assert_null(memchr(out.buf, '\n', out.len - 1));
	j = cJSON_Parse(out.buf);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "id")->valuestring, "18446744073709551615");
	assert_string_equal(cJSON_GetObjectItem(j, "sample_id")->valuestring, "s/1");
	msgs = cJSON_GetObjectItem(j, "messages");
	assert_int_equal(cJSON_GetArraySize(msgs), 2);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "role")->valuestring, "system");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
		cJSON_GetArrayItem(msgs, 0), "content"), 0), "text")->valuestring, "be brief");
	user = cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "content");
	assert_int_equal(cJSON_GetArraySize(user), 4);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(user, 0), "text")->valuestring,
			    "say \"hi\"\n");
	part = cJSON_GetArrayItem(user, 1);
	assert_string_equal(cJSON_GetObjectItem(part, "type")->valuestring, "image");
	assert_string_equal(cJSON_GetObjectItem(part, "path")->valuestring, "/cwd/rel/a.jpg");
	assert_string_equal(cJSON_GetObjectItem(part, "mime")->valuestring, "image/jpeg");
	part = cJSON_GetArrayItem(user, 2);
	assert_string_equal(cJSON_GetObjectItem(part, "b64")->valuestring, "iVBORw0=");
	assert_null(cJSON_GetObjectItem(part, "path"));
	part = cJSON_GetArrayItem(user, 3);
	assert_string_equal(cJSON_GetObjectItem(part, "path")->valuestring, "/abs/b.png");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(part, "mime")));
	assert_int_equal(cJSON_GetObjectItem(j, "max_tokens")->valueint, 16);
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "temperature")));
	assert_true(cJSON_GetObjectItem(j, "temperature")->valuedouble == 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "top_p")));
	assert_int_equal(cJSON_GetObjectItem(j, "seed")->valueint, 7);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "stop")), 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "stop"), 1)->valuestring, "END");
	cJSON_Delete(j);

	/* no system prompt, unset parameters: null, not a made-up default */
	req.system = NULL;
	req.n_images = 0;
	req.max_tokens = -1;
	req.temperature = -1;
	req.seed = -1;
	req.n_stop = 0;
	vl_buf_reset(&out);
	vl_worker_request_json(&req, NULL, &out);
	j = cJSON_Parse(out.buf);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "messages")), 1);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "max_tokens")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "temperature")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "seed")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "stop")), 0);
	cJSON_Delete(j);
	vl_buf_release(&out);
}

static void test_bad_options(void **state)
{
	static const struct { const char *key, *val, *want; } rows[] = {
		{ NULL, NULL, "option 'command' is required" },
		{ "workers", "0", "option 'workers' wants an integer between 1" },
		{ "workers", "2.5", "option 'workers' wants an integer" },
		{ "timeout", "soon", "option 'timeout' wants a number" },
		{ "max_inflight", "-1", "option 'max_inflight'" },
		{ "worker_log", "/nonexistent-dir/x.log", "cannot open worker_log '/nonexistent-dir/x.log'" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_kv kv = { 0 };
		struct vl_buf err = VL_BUF_INIT;
		struct vl_backend *b = NULL;
		if (rows[i].key) {
			vl_kv_set(&kv, "command", "cat");
			vl_kv_set(&kv, rows[i].key, rows[i].val);
		}
		assert_int_equal(vl_backend_open("worker", &kv, &b, &err), VL_EINVAL);
		assert_null(b);
		contains(err.buf, rows[i].want);
		vl_kv_release(&kv);
		vl_buf_release(&err);
	}
	assert_no_children();
}

/* 300 requests over 3 workers with 2 in flight each: every answer is the
 * one for its own request, none lost, none twice. */
static void test_many_requests(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "--mode echo");
	struct vl_backend *b = open_worker("command", cmd, "workers", "3", "max_inflight", "2",
					   "close_grace", "5", NULL);
	static struct vl_response r[MAXR];
	int seen[300] = { 0 }, n = 300, got;
	struct vl_backend_stats st;

	for (int i = 0; i < n; i++) {
		char sid[32], prompt[64];
		snprintf(sid, sizeof(sid), "s%d", i);
		snprintf(prompt, sizeof(prompt), "question %d: \"quoted\" \\ text", i * 7);
		submit(b, 1000 + (uint64_t)i, sid, prompt);
	}
	got = collect(b, r, n, 60);
	assert_int_equal(got, n);
	for (int i = 0; i < got; i++) {
		int k = (int)(r[i].id - 1000);
		char want[128];
		assert_true(k >= 0 && k < n);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
		assert_null(r[i].error);
		snprintf(want, sizeof(want), "s%d|question %d: \"quoted\" \\ text|0|", k, k * 7);
		assert_string_equal(r[i].text, want);
		assert_int_equal(r[i].retries, 0);
		assert_true(r[i].latency_s >= 0);
		assert_true(r[i].gpu_mem_peak_mb == -1);
	}
	/* nothing more trickles in */
	assert_int_equal(vl_backend_poll(b, 100, r, 1), 0);
	vl_backend_stats(b, &st);
	assert_true(st.cpu_s > 0);
	assert_true(st.peak_rss_mb > 1);
	assert_true(st.gpu_mem_peak_mb == -1);
	assert_int_equal(st.requests_sent, n);
	release_all(r, got);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* The worker printed in the README (tests/fixtures/workers/minimal_worker.py). */
static void test_minimal_worker(void **state)
{
	char *cmd = worker_cmd("minimal_worker.py", "");
	struct vl_backend *b = open_worker("command", cmd, "workers", "2", NULL);
	struct vl_response r[4];
	int got;

	submit(b, 1, "a", "Is there a dog in the image?");
	submit(b, 2, "b", "Is there a cat in the image?");
	got = collect(b, r, 2, 20);
	assert_int_equal(got, 2);
	for (int i = 0; i < got; i++)
		assert_string_equal(r[i].text, r[i].id == 1 ? "yes" : "no");
	release_all(r, got);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* A crash on a request: restarted, retried once and answered; a request
 * that crashes every worker: recorded as an error naming the status or the
 * signal, and the worker is back for the next request. */
static void test_crash_retry(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "");
	struct vl_backend *b = open_worker("command", cmd, "worker_log", "/dev/null", NULL);
	char marker[64], prompt[128];
	struct vl_response r[4];
	struct vl_backend_stats st;

	snprintf(marker, sizeof(marker), "/tmp/vl-test-worker-%d.once", (int)getpid());
	unlink(marker);
	submit(b, 1, "warm", "warm up");
	assert_int_equal(collect(b, r, 1, 20), 1);
	assert_string_equal(r[0].text, "no");
	release_all(r, 1);

	snprintf(prompt, sizeof(prompt), "a dog @crash-once:%s", marker);
	submit(b, 2, "once", prompt);
	assert_int_equal(collect(b, r, 1, 20), 1);
	assert_null(r[0].error);
	assert_string_equal(r[0].text, "yes");
	assert_int_equal(r[0].retries, 1);
	release_all(r, 1);
	unlink(marker);

	submit(b, 3, "always", "@crash");
	assert_int_equal(collect(b, r, 1, 20), 1);
	assert_int_equal(r[0].id, 3);
	assert_null(r[0].text);
	contains(r[0].error, "worker died on this request 2 times");
	contains(r[0].error, "exited with status 3");
	assert_int_equal(r[0].fatal, 0);
	assert_int_equal(r[0].retries, 1);
	release_all(r, 1);

	submit(b, 4, "segv", "@segv");
	assert_int_equal(collect(b, r, 1, 20), 1);
	contains(r[0].error, "signal 11, Segmentation fault");
	assert_int_equal(r[0].fatal, 0);
	release_all(r, 1);

	submit(b, 5, "after", "a dog again");
	assert_int_equal(collect(b, r, 1, 20), 1);
	assert_string_equal(r[0].text, "yes");
	release_all(r, 1);
	vl_backend_stats(b, &st);
	/* the crashed workers' CPU time was collected by wait4 */
	assert_true(st.cpu_s > 0);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* A request past its timeout: error, worker killed and restarted; the
 * other requests answered. */
static void test_hang_timeout(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "");
	struct vl_backend *b = open_worker("command", cmd, "workers", "2", "timeout", "0.5",
					   "start_timeout", "20", NULL);
	struct vl_response r[8];
	double t0;
	int got, hung = 0;

	/* warm both workers up so that the start-up allowance is spent */
	submit(b, 1, "w1", "warm");
	submit(b, 2, "w2", "warm");
	assert_int_equal(collect(b, r, 2, 30), 2);
	release_all(r, 2);
	t0 = vl_now();
	submit(b, 3, "hang", "@hang");
	submit(b, 4, "a", "a dog");
	submit(b, 5, "b", "a cat");
	got = collect(b, r, 3, 20);
	assert_int_equal(got, 3);
	for (int i = 0; i < got; i++) {
		if (r[i].id == 3) {
			hung++;
			contains(r[i].error, "no answer within 0.5 s");
			contains(r[i].error, "killed and restarted");
			assert_true(vl_now() - t0 >= 0.5);
		} else {
			assert_string_equal(r[i].text, r[i].id == 4 ? "yes" : "no");
		}
	}
	assert_int_equal(hung, 1);
	release_all(r, got);
	submit(b, 6, "c", "dog");
	submit(b, 7, "d", "dog");
	assert_int_equal(collect(b, r, 2, 20), 2);
	assert_string_equal(r[0].text, "yes");
	assert_string_equal(r[1].text, "yes");
	release_all(r, 2);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* The start-up allowance applies until a fresh worker first answers. */
static void test_start_timeout(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "--delay 0.6");
	struct vl_backend *b = open_worker("command", cmd, "timeout", "0.5",
					   "start_timeout", "10", NULL);
	struct vl_response r[2];

	submit(b, 1, "first", "dog");
	assert_int_equal(collect(b, r, 1, 20), 1);
	assert_string_equal(r[0].text, "yes");
	release_all(r, 1);
	submit(b, 2, "second", "dog");
	assert_int_equal(collect(b, r, 1, 20), 1);
	contains(r[0].error, "no answer within 0.5 s");
	release_all(r, 1);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* A command that cannot start: every response fatal, saying why, the
 * worker's stderr in worker_log. */
static void test_bad_command(void **state)
{
	static const struct { const char *cmd, *workers, *want; } rows[] = {
		{ "/nonexistent/vleval-worker --x", "2", "exited with status 127: command not found?" },
		{ NULL, "2", "exited with status 2" },
		{ NULL, "1", "exited with status 2" },
		{ NULL, "4", "exited with status 2" },
	};
	char log[64];

	snprintf(log, sizeof(log), "/tmp/vl-test-worker-%d.log", (int)getpid());
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		char *cmd = rows[i].cmd ? vl_xstrdup(rows[i].cmd)
					: worker_cmd("echo_worker.py", "--exit-at-start 2");
		struct vl_backend *b;
		struct vl_response r[8];
		struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT;
		int got;

		unlink(log);
		b = open_worker("command", cmd, "workers", rows[i].workers, "worker_log", log, NULL);
		for (int k = 0; k < 3; k++)
			submit(b, (uint64_t)k, "s", "dog");
		got = collect(b, r, 3, 20);
		assert_int_equal(got, 3);
		for (int k = 0; k < got; k++) {
			assert_int_equal(r[k].fatal, 1);
			contains(r[k].error, "failed 3 times in a row before answering any request");
			contains(r[k].error, rows[i].want);
			contains(r[k].error, cmd);
		}
		release_all(r, got);
		/* later requests too, at once */
		submit(b, 9, "late", "dog");
		assert_int_equal(vl_backend_poll(b, 0, r, 8), 1);
		assert_int_equal(r[0].fatal, 1);
		release_all(r, 1);
		vl_backend_close(b);
		assert_int_equal(vl_read_file(log, &text, &err), 0);
		contains(text.buf, rows[i].cmd ? "not found" : "exiting at start");
		vl_buf_release(&text);
		vl_buf_release(&err);
		vl_free(cmd);
	}
	unlink(log);
	assert_no_children();
}

/* Several requests in a row that kill every worker they reach: each is
 * retried once and recorded as an error, the innocent ones between them
 * answered, and the run is not declared broken. */
static void test_poison_requests(void **state)
{
	static const char *const prompts[] = { "@crash", "@segv", "dog", "@crash", "cat", "dog" };
	char *cmd = worker_cmd("echo_worker.py", "");
	struct vl_backend *b = open_worker("command", cmd, "worker_log", "/dev/null", NULL);
	struct vl_response r[8];
	int got;

	submit(b, 100, "warm", "warm");
	assert_int_equal(collect(b, r, 1, 20), 1);
	release_all(r, 1);
	for (int i = 0; i < 6; i++)
		submit(b, (uint64_t)i, "p", prompts[i]);
	got = collect(b, r, 6, 60);
	assert_int_equal(got, 6);
	for (int i = 0; i < got; i++) {
		const char *p = prompts[r[i].id];
		assert_int_equal(r[i].fatal, 0);
		if (p[0] == '@') {
			contains(r[i].error, "worker died on this request 2 times");
		} else {
			assert_null(r[i].error);
			assert_string_equal(r[i].text, strcmp(p, "dog") ? "no" : "yes");
		}
	}
	release_all(r, got);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* gpu_mem_peak_mb per response and its maximum in stats; token counts;
 * an error response recorded on one line, not fatal. */
static void test_reported_fields(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "");
	struct vl_backend *b = open_worker("command", cmd, "workers", "2", NULL);
	struct vl_response r[8];
	struct vl_backend_stats st;
	int got;

	submit(b, 1, "a", "dog @gpu=512");
	submit(b, 2, "b", "dog @gpu=2048.5 @tokens");
	submit(b, 3, "c", "cat @gpu=1024");
	submit(b, 4, "d", "cat @error");
	got = collect(b, r, 4, 20);
	assert_int_equal(got, 4);
	for (int i = 0; i < got; i++) {
		switch (r[i].id) {
		case 1: assert_true(r[i].gpu_mem_peak_mb == 512); break;
		case 2:
			assert_true(r[i].gpu_mem_peak_mb == 2048.5);
			assert_int_equal(r[i].prompt_tokens, 3);
			assert_int_equal(r[i].completion_tokens, 1);
			break;
		case 3:
			assert_true(r[i].gpu_mem_peak_mb == 1024);
			assert_int_equal(r[i].prompt_tokens, -1);
			break;
		case 4:
			assert_null(r[i].text);
			assert_string_equal(r[i].error, "echo_worker: error asked for in the prompt");
			assert_int_equal(r[i].fatal, 0);
			break;
		}
	}
	release_all(r, got);
	vl_backend_stats(b, &st);
	assert_true(st.gpu_mem_peak_mb == 2048.5);
	assert_true(st.cpu_s > 0);
	assert_true(st.peak_rss_mb > 1);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* A worker printing a non-protocol line still answers; the stray line is
 * quoted when a later failure needs explaining. */
static void test_stray_stdout(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "--stray");
	struct vl_backend *b = open_worker("command", cmd, "worker_log", "/dev/null", NULL);
	struct vl_response r[2];

	submit(b, 1, "a", "dog");
	assert_int_equal(collect(b, r, 1, 20), 1);
	assert_string_equal(r[0].text, "yes");
	release_all(r, 1);
	submit(b, 2, "b", "@crash");
	assert_int_equal(collect(b, r, 1, 20), 1);
	contains(r[0].error, "first: 'loading model...'");
	release_all(r, 1);
	vl_backend_close(b);
	assert_no_children();
	vl_free(cmd);
}

/* Requests bigger than any pipe buffer, several in flight, answered with
 * as many bytes: blocking writes would deadlock against a worker blocked
 * writing its answer. */
static void test_large_requests(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "--mode echo");
	struct vl_backend *b = open_worker("command", cmd, "max_inflight", "3", NULL);
	size_t big = 3u << 20;
	char *prompt = vl_xmalloc(big + 1);
	struct vl_response r[3];
	int got;

	for (size_t i = 0; i < big; i++)
		prompt[i] = (char)('a' + i % 26);
	prompt[big] = '\0';
	for (int k = 0; k < 3; k++) {
		prompt[0] = (char)('A' + k);
		submit(b, (uint64_t)k, "big", prompt);
	}
	got = collect(b, r, 3, 60);
	assert_int_equal(got, 3);
	for (int i = 0; i < got; i++) {
		assert_non_null(r[i].text);
		assert_int_equal(strlen(r[i].text), big + strlen("big|") + strlen("|0|"));
		assert_int_equal(r[i].text[4], 'A' + (int)r[i].id);
	}
	release_all(r, got);
	vl_backend_close(b);
	vl_free(prompt);
	assert_no_children();
	vl_free(cmd);
}

/* An answer line over VL_WORKER_MAX_LINE (8 MB) is not kept: its request
 * gets an error at once, not retried; the rest of the line is skipped and
 * the same worker answers the next request (held in flight beside it). */
static void test_overlong_answer(void **state)
{
	char *cmd = worker_cmd("echo_worker.py", "--mode echo");
	struct vl_backend *b = open_worker("command", cmd, "max_inflight", "2", NULL);
	size_t big = 9u << 20;
	char *prompt = vl_xmalloc(big + 1);
	struct vl_response r[2];
	int got;

	memset(prompt, 'a', big);
	prompt[big] = '\0';
	submit(b, 7, "big", prompt);
	submit(b, 8, "small", "dog");
	got = collect(b, r, 2, 60);
	assert_int_equal(got, 2);
	for (int i = 0; i < got; i++) {
		if (r[i].id == 7) {
			assert_null(r[i].text);
			contains(r[i].error, "worker 0's answer is over 8 MB, where an output is "
				 "limited to 65536 bytes (the rest of the line was skipped)");
			assert_int_equal(r[i].retries, 0);
		} else {
			assert_int_equal(r[i].id, 8);
			assert_string_equal(r[i].text, "small|dog|0|");
		}
	}
	release_all(r, got);
	/* the worker goes on */
	submit(b, 9, "after", "cat");
	assert_int_equal(collect(b, r, 1, 20), 1);
	assert_string_equal(r[0].text, "after|cat|0|");
	release_all(r, 1);
	vl_backend_close(b);
	vl_free(prompt);
	assert_no_children();
	vl_free(cmd);
}

/* close() on workers that ignore EOF and SIGTERM: killed, reaped, no
 * zombie. */
static void test_close_stubborn(void **state)
{
	struct vl_backend *b = open_worker("command", "trap '' TERM; while :; do sleep 1; done",
					   "workers", "2", "close_grace", "0.1", NULL);
	struct vl_backend_stats st;
	double t0;

	vl_backend_stats(b, &st);
	assert_true(st.peak_rss_mb > 0);
	t0 = vl_now();
	vl_backend_close(b);
	assert_true(vl_now() - t0 < 5);
	assert_no_children();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_json),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_many_requests),
		cmocka_unit_test(test_minimal_worker),
		cmocka_unit_test(test_crash_retry),
		cmocka_unit_test(test_hang_timeout),
		cmocka_unit_test(test_start_timeout),
		cmocka_unit_test(test_bad_command),
		cmocka_unit_test(test_poison_requests),
		cmocka_unit_test(test_reported_fields),
		cmocka_unit_test(test_stray_stdout),
		cmocka_unit_test(test_large_requests),
		cmocka_unit_test(test_overlong_answer),
		cmocka_unit_test(test_close_stubborn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
