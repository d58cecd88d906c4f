/*
 * openai.c - backend "openai": any OpenAI-compatible chat-completions server
 * (vLLM, SGLang, llama-server, Ollama, LM Studio, TGI, hosted APIs): its
 * option table, and the methods that glue the parts together.
 *
 * submit() plans the JSON body on the caller's thread (openai_body.c: the
 * text, and each image's bytes read from its file, so a missing image is
 * that call's error) and enqueues the request; the I/O thread
 * (openai_http.c) sends it, retries it (openai_retry.c) and parses the
 * answer (openai_proto.c); poll() hands the responses over.
 *
 * Faults: connect errors, timeouts, 408/409/429/5xx and truncated or
 * malformed bodies (or streams) are retried with exponential backoff and
 * jitter, honouring Retry-After; 400 and other 4xx are recorded at once;
 * 401/403/404 are fatal (every request would fail).  The API key is read
 * from the environment variable named by api_key_env, goes only into the
 * Authorization header, and is redacted from every message
 * (openai_secret.c).
 *
 * The pure parts (body, parsing, backoff) are declared in openai.h for the
 * unit tests.  Configuration keys are in openai_options below and README.
 */
#include "backends/host.h"
#include "backends/openai_int.h"
#include "backends/option.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
				char *shown = vl_url_redact(u.buf);
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
			o->shown[o->nurls] = vl_url_redact(u.buf);
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
	{ .key = "preflight", .type = VL_OPTION_BOOL, .dflt = "1",
	  .meaning = "check each server (reachable, path, key, model) before the first sample "
	  "(--no-preflight: 0)" },
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
	vl_openai_bucket_init(&o->rpm, rpm, vl_now());
	vl_openai_bucket_init(&o->tpm, tpm, vl_now());
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
	o->preflight = strcmp(vl_option_str(openai_options, cfg, "preflight"), "0") != 0;
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

	o->ep = -1;
	o->wake_fd = -1;
	vl_rng_seed(&o->rng, (uint64_t)(vl_wall_time() * 1e6) ^ (uint64_t)(uintptr_t)o);
	if (read_options(o, cfg, err, errlen) < 0)
		return -1;
	return vl_openai_http_start(o, err, errlen);
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

	if (req->prompt && !vl_utf8_valid(req->prompt, strlen(req->prompt), &bad)) {
		snprintf(err, errlen, "prompt of sample '%s' is not valid UTF-8 (byte %zu)",
			 req->sample_id ? req->sample_id : "?", bad);
		return VL_EINVAL;
	}
	j = vl_openai_job_get(o);
	j->id = req->id;
	j->t_submit = vl_now();
	j->not_before = 0;
	j->attempts = 0;
	j->resends = 0;
	j->status = 0;
	j->bytes_sent = j->bytes_received = 0;
	if (vl_openai_body_build(&bo, req, &j->body, &e) < 0) {
		snprintf(err, errlen, "sample '%s': %s", req->sample_id ? req->sample_id : "?",
			 vl_buf_str(&e));
		vl_buf_release(&e);
		vl_openai_job_put(o, j);
		return VL_EIO;
	}
	j->cost = (req->max_tokens > 0 ? req->max_tokens : 256) +
		  (req->prompt ? (double)strlen(req->prompt) / 4 : 0) + 768.0 * (double)req->n_images;
	vl_openai_enqueue(o, j);
	return 0;
}

static int op_poll(void *self, int timeout_ms, struct vl_response *out, int max)
{
	return vl_openai_take_done(self, timeout_ms, out, max);
}

static void op_stats(void *self, struct vl_backend_stats *out)
{
	struct openai *o = self;
	out->requests_sent = __atomic_load_n(&o->requests_sent, __ATOMIC_RELAXED);
}

static void op_close(void *self)
{
	struct openai *o = self;

	vl_openai_http_stop(o);
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
