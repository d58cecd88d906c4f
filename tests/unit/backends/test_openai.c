/*
 * test_openai.c - the pure parts of backends/openai.c, row by row: request
 * bodies (escaping, image parts, extra_body merge), response parsing,
 * server-sent events, Retry-After, the backoff schedule, key redaction, and
 * the open-time configuration errors.  The fault handling against a live
 * server is in test_openai_faults.c.
 */
#include "test_helpers.h"

#include <unistd.h>

#include "backends/host.h"
#include "backends/openai.h"

static struct vl_request req0(void)
{
	struct vl_request r;

	memset(&r, 0, sizeof(r));
	r.sample_id = "s1";
	r.prompt = "q";
	r.max_tokens = -1;
	r.temperature = -1;
	r.top_p = -1;
	r.seed = -1;
	return r;
}

static void expect_body(const struct vl_openai_body_opts *o, const struct vl_request *r,
			const char *want)
{
	struct vl_buf out = VL_BUF_INIT, err = VL_BUF_INIT;
	cJSON *j;

	assert_int_equal(vl_openai_build_body(o, r, &out, &err), 0);
	if (strcmp(out.buf, want))
		print_error("got  %s\nwant %s\n", out.buf, want);
	assert_string_equal(out.buf, want);
	j = cJSON_Parse(out.buf);   /* and it is JSON */
	assert_non_null(j);
	cJSON_Delete(j);
	vl_buf_release(&out);
	vl_buf_release(&err);
}

static void test_body_text_escaping(void **state)
{
	struct vl_openai_body_opts o = { .model = "m" };
	struct vl_request r = req0();

	r.prompt = "say \"hi\"\n\t\x01 \xc3\xa9 back\\slash";
	expect_body(&o, &r, "{\"messages\":[{\"role\":\"user\",\"content\":"
		    "\"say \\\"hi\\\"\\n\\t\\u0001 \xc3\xa9 back\\\\slash\"}],\"model\":\"m\"}");
	o.model = NULL;
	r.prompt = "";
	expect_body(&o, &r, "{\"messages\":[{\"role\":\"user\",\"content\":\"\"}]}");
}

static void test_body_params_and_inline_image(void **state)
{
	struct vl_openai_body_opts o = { .model = "m", .stream = 1, .stream_usage = 1 };
	struct vl_image img = { .b64 = "/9j/AAAA" };
	struct vl_image png = { .b64 = "iVBORw0KGgpNYW4=" };
	struct vl_image two[2] = { { .b64 = "AAAA", .mime = "image/webp" },
				   { .path = "https://example.org/a b.jpg" } };
	const char *stop[] = { "\n", "###" };
	struct vl_request r = req0();

	r.system = "be brief";
	r.images = &img;
	r.n_images = 1;
	r.max_tokens = 16;
	r.temperature = 0;
	r.top_p = 0.9;
	r.seed = 7;
	r.stop = stop;
	r.n_stop = 2;
	expect_body(&o, &r, "{\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
		    "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
		    "{\"url\":\"data:image/jpeg;base64,/9j/AAAA\"}},{\"type\":\"text\","
		    "\"text\":\"q\"}]}],\"model\":\"m\",\"max_tokens\":16,\"temperature\":0,"
		    "\"top_p\":0.9,\"seed\":7,\"stop\":[\"\\n\",\"###\"],\"stream\":true,"
		    "\"stream_options\":{\"include_usage\":true}}");
	o.stream = 0;
	r = req0();
	r.images = &png;
	r.n_images = 1;
	expect_body(&o, &r, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
		    "\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
		    "iVBORw0KGgpNYW4=\"}},{\"type\":\"text\",\"text\":\"q\"}]}],\"model\":\"m\"}");
	/* given mime wins; http(s) paths go as URLs in either mode, escaped */
	r.images = two;
	r.n_images = 2;
	expect_body(&o, &r, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":"
		    "\"image_url\",\"image_url\":{\"url\":\"data:image/webp;base64,AAAA\"}},"
		    "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.org/a b.jpg\"}},"
		    "{\"type\":\"text\",\"text\":\"q\"}]}],\"model\":\"m\"}");
}

static void test_body_extra(void **state)
{
	struct vl_buf members = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_openai_body_opts o = { .model = "m" };
	struct vl_request r = req0();
	unsigned keys;

	assert_int_equal(vl_openai_extra_body("{\"temperature\":0.5,\"top_k\":1,"
					      "\"chat_template_kwargs\":{\"enable_thinking\":false}}",
					      &members, &keys, &err), 0);
	assert_int_equal(keys, VL_OAI_K_TEMPERATURE);
	o.extra_members = members.buf;
	o.extra_keys = keys;
	r.temperature = 0;
	r.max_tokens = 8;
	/* the request's temperature gives way: no duplicate key */
	expect_body(&o, &r, "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}],"
		    "\"model\":\"m\",\"max_tokens\":8,\"temperature\":0.5,\"top_k\":1,"
		    "\"chat_template_kwargs\":{\"enable_thinking\":false}}");
	vl_buf_reset(&members);
	assert_int_equal(vl_openai_extra_body("{}", &members, &keys, &err), 0);
	assert_int_equal(members.len, 0);

	static const char *const bad[] = { "[1]", "{\"a\":", "3", "{\"messages\":[]}", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		vl_buf_reset(&err);
		assert_int_equal(vl_openai_extra_body(bad[i], &members, &keys, &err), VL_EINVAL);
		assert_non_null(strstr(err.buf, "extra_body"));
	}
	vl_buf_release(&members);
	vl_buf_release(&err);
}

/* A plain reference decoder, independent of the encoder under test. */
static size_t ref_decode(const char *s, size_t n, unsigned char *out)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	int bits = 0;
	size_t k = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(al, s[i]);
		assert_non_null(p);
		acc = acc << 6 | (unsigned)(p - al);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return k;
}

/* Images read from files: sniffed type, and the base64 decodes back to the
 * file at sizes around the encoder's 48 KiB read chunk. */
static void test_body_file_images(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 49151, 49152, 49153, 49154, 98304,
					200003 };
	char path[] = "/tmp/vl_openai_imgXXXXXX";
	struct vl_openai_body_opts o = { 0 };
	struct vl_buf out = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_image img = { .path = path };
	struct vl_request r = req0();
	unsigned char *data = malloc(200003), *back = malloc(200003 + 3);
	struct vl_rng rng;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	vl_rng_seed(&rng, 42);
	for (size_t i = 0; i < 200003; i++)
		data[i] = (unsigned char)vl_rng_next(&rng);
	memcpy(data, "\x89PNG\r\n\x1a\n", 8);
	r.images = &img;
	r.n_images = 1;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(*sizes); k++) {
		const char *url, *end;
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(pwrite(fd, data, sizes[k], 0), (ssize_t)sizes[k]);
		vl_buf_reset(&out);
		assert_int_equal(vl_openai_build_body(&o, &r, &out, &err), 0);
		url = strstr(out.buf, "\"url\":\"data:");
		assert_non_null(url);
		url += 12;
		if (sizes[k] >= 8)
			assert_memory_equal(url, "image/png;base64,", 17);
		else
			assert_memory_equal(url, "image/jpeg;base64,", 18);  /* no magic: default */
		url = strchr(url, ',') + 1;
		end = strchr(url, '"');
		assert_int_equal((size_t)(end - url), (sizes[k] + 2) / 3 * 4);
		assert_int_equal(ref_decode(url, (size_t)(end - url), back), sizes[k]);
		assert_memory_equal(back, data, sizes[k]);
	}
	/* url mode: a local file becomes a file:// URL of its real path */
	o.image_url_mode = 1;
	vl_buf_reset(&out);
	assert_int_equal(vl_openai_build_body(&o, &r, &out, &err), 0);
	assert_non_null(strstr(out.buf, "\"url\":\"file:///tmp/vl_openai_img"));
	/* a missing file names itself */
	close(fd);
	unlink(path);
	o.image_url_mode = 0;
	vl_buf_reset(&out);
	assert_int_equal(vl_openai_build_body(&o, &r, &out, &err), VL_EIO);
	assert_non_null(strstr(err.buf, path));
	free(data);
	free(back);
	vl_buf_release(&out);
	vl_buf_release(&err);
}

static void test_parse_response(void **state)
{
	static const struct {
		const char *body;
		int rc;
		const char *text;
		long pt, ct;
		const char *err;     /* substring of the error */
		const char *finish;  /* finish_reason parsed ("" none) */
	} rows[] = {
		{ "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Yes.\"}}],"
		  "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2}}", 0, "Yes.", 12, 2, NULL, NULL },
		{ "{\"choices\":[{\"message\":{\"content\":\"The cat sat\"},"
		  "\"finish_reason\":\"length\"}]}", 0, "The cat sat", -1, -1, NULL, "length" },
		{ "{\"choices\":[{\"message\":{\"content\":\"No.\"},\"finish_reason\":\"stop\"}]}",
		  0, "No.", -1, -1, NULL, "stop" },
		{ "{\"choices\":[{\"message\":{\"content\":\"x\"},\"finish_reason\":null}]}",
		  0, "x", -1, -1, NULL, "" },
		{ "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
		  "{\"type\":\"text\",\"text\":\"b\"}]}}]}", 0, "ab", -1, -1, NULL, NULL },
		{ "{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"no\"}}],"
		  "\"usage\":{\"prompt_tokens\":3}}", 0, "", 3, -1, NULL, NULL },
		{ "{\"choices\":[{\"text\":\"legacy\"}]}", 0, "legacy", -1, -1, NULL, NULL },
		/* counts no long can hold are absent (converting them was undefined:
		 * fuzz_openai_response and fuzz_sse) */
		{ "{\"choices\":[{\"text\":\"n\"}],\"usage\":{\"prompt_tokens\":5.5e104,"
		  "\"completion_tokens\":-1e300}}", 0, "n", -1, -1, NULL, NULL },
		{ "{\"choices\":[{\"text\":\"n\"}],\"usage\":{\"prompt_tokens\":7.9,"
		  "\"completion_tokens\":9.2e18}}", 0, "n", 7, 9200000000000000000L, NULL, NULL },
		{ "{\"choices\":[{\"message\":{\"content\":\"caf\\u00e9\\n\"}}],\"usage\":null}",
		  0, "caf\xc3\xa9\n", -1, -1, NULL, NULL },
		{ "{\"choices\":[{\"message\":{\"content\":\"yes", VL_EPARSE, NULL, -1, -1,
		  "not JSON", NULL },
		{ "<html>502 Bad Gateway</html>", VL_EPARSE, NULL, -1, -1, "'<html>502", NULL },
		{ "", VL_EPARSE, NULL, -1, -1, "0 bytes", NULL },
		{ "{\"choices\":[]}", VL_EPARSE, NULL, -1, -1, "no choices[0]", NULL },
		{ "{\"choices\":[{\"message\":{\"content\":7}}]}", VL_EPARSE, NULL, -1, -1,
		  "no choices[0]", NULL },
		{ "{\"error\":{\"message\":\"model overloaded\"}}", VL_EPARSE, NULL, -1, -1,
		  "model overloaded", NULL },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT;
		long pt = 99, ct = 99;
		char finish[VL_FINISH_REASON_MAX] = "junk";
		int rc = vl_openai_parse_response(rows[i].body, strlen(rows[i].body), &text,
						  &pt, &ct, finish, &err);
		if (rc != rows[i].rc)
			print_error("row %zu: rc %d (%s)\n", i, rc, vl_buf_str(&err));
		assert_int_equal(rc, rows[i].rc);
		if (!rc) {
			assert_string_equal(vl_buf_str(&text), rows[i].text);
			assert_int_equal(pt, rows[i].pt);
			assert_int_equal(ct, rows[i].ct);
			assert_string_equal(finish, rows[i].finish ? rows[i].finish : "");
		} else {
			if (!strstr(vl_buf_str(&err), rows[i].err))
				print_error("row %zu: %s\n", i, vl_buf_str(&err));
			assert_non_null(strstr(vl_buf_str(&err), rows[i].err));
		}
		vl_buf_release(&text);
		vl_buf_release(&err);
	}
}

static void test_error_message(void **state)
{
	static const struct { const char *body, *want; } rows[] = {
		{ "{\"error\":{\"message\":\"bad image\",\"type\":\"x\"}}", "bad image" },
		{ "{\"error\":\"overloaded\"}", "overloaded" },
		{ "{\"detail\":\"Not Found\"}", "Not Found" },
		{ "{\"message\":\"m\"}", "m" },
		{ "upstream\nconnect error", "upstream connect error" },
		{ "", "(empty body)" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf out = VL_BUF_INIT;
		vl_openai_error_message(rows[i].body, strlen(rows[i].body), &out);
		assert_string_equal(vl_buf_str(&out), rows[i].want);
		vl_buf_release(&out);
	}
}

static const char stream_ok[] =
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
	": ping\n\n"
	"event: message\r\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n"
	"data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo \\\"x\\\"\"}}]}\n\n"
	"data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":3}}\n\n"
	"data: [DONE]\n\n";

static void test_sse(void **state)
{
	static const size_t pieces[] = { 1, 2, 7, 64, sizeof(stream_ok) };
	size_t len = strlen(stream_ok);
	size_t first_at = strstr(stream_ok, "Hel") - stream_ok;

	for (size_t k = 0; k < sizeof(pieces) / sizeof(*pieces); k++) {
		struct vl_sse s;
		int firsts = 0;

		vl_sse_init(&s);
		for (size_t off = 0; off < len; off += pieces[k]) {
			size_t n = len - off < pieces[k] ? len - off : pieces[k];
			if (vl_sse_feed(&s, stream_ok + off, n)) {
				firsts++;
				/* flagged by the piece that completes the first content line */
				assert_true(off + n > first_at);
			}
		}
		assert_int_equal(firsts, 1);
		assert_string_equal(vl_buf_str(&s.text), "Hello \"x\"");
		assert_int_equal(s.done, 1);
		assert_int_equal(s.failed, 0);
		assert_int_equal(s.events, 6);
		assert_int_equal(s.prompt_tokens, 30);
		assert_int_equal(s.completion_tokens, 3);
		/* reset for a retry */
		vl_sse_reset(&s);
		assert_int_equal(s.done, 0);
		assert_int_equal(s.text.len, 0);
		assert_int_equal(s.prompt_tokens, -1);
		vl_sse_release(&s);
	}
}

static void test_sse_faults(void **state)
{
	static const struct { const char *stream; int done, failed; const char *err; } rows[] = {
		/* stops half-way: no [DONE] */
		{ "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", 0, 0, "" },
		/* cut inside an event: the partial line is never parsed */
		{ "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"cho", 0, 0, "" },
		{ "data: {\"choices\":[{\"delta\":\n\ndata: [DONE]\n\n", 0, 1, "malformed stream event" },
		{ "data: {\"error\":{\"message\":\"oom\"}}\n\n", 0, 1, "oom" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_sse s;
		vl_sse_init(&s);
		vl_sse_feed(&s, rows[i].stream, strlen(rows[i].stream));
		assert_int_equal(s.done, rows[i].done);
		assert_int_equal(s.failed, rows[i].failed);
		assert_non_null(strstr(vl_buf_str(&s.err), rows[i].err));
		vl_sse_release(&s);
	}
}

static void test_retry_after(void **state)
{
	/* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
	static const struct { const char *v; double now, want; } rows[] = {
		{ "2", 0, 2 }, { " 1.5 ", 0, 1.5 }, { "0", 0, 0 }, { "120\r\n", 0, 120 },
		{ "abc", 0, -1 }, { "", 0, -1 }, { NULL, 0, -1 }, { "-3", 0, -1 },
		{ "Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 - 30, 30 },
		{ "Wed, 21 Oct 2015 07:28:00 GMT", 1445412480 + 30, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		double got = vl_openai_retry_after(rows[i].v, rows[i].now);
		if (got != rows[i].want)
			print_error("row %zu: '%s' gave %g\n", i, rows[i].v ? rows[i].v : "(null)", got);
		assert_true(got == rows[i].want);
	}
}

static void test_backoff(void **state)
{
	static const struct { int attempt; double ra, u, want; } rows[] = {
		/* base 0.5 s, cap 30 s: d = 0.5 * 2^(attempt-1), delay = d/2 + d/2 * u */
		{ 1, -1, 0, 0.25 }, { 1, -1, 0.5, 0.375 }, { 2, -1, 0, 0.5 }, { 3, -1, 0, 1 },
		{ 3, -1, 0.5, 1.5 }, { 7, -1, 0, 15 }, { 8, -1, 0, 15 }, { 60, -1, 0.5, 22.5 },
		/* Retry-After: at least ra, at most 10% more, capped at 120 s */
		{ 1, 2, 0, 2 }, { 5, 2, 0.5, 2.1 }, { 1, 0, 0.9, 0 }, { 1, 500, 0, 120 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		double got = vl_openai_backoff(rows[i].attempt, 0.5, 30, rows[i].ra, 120, rows[i].u);
		if (fabs(got - rows[i].want) > 1e-12)
			print_error("row %zu: %g, want %g\n", i, got, rows[i].want);
		assert_true(fabs(got - rows[i].want) <= 1e-12);
	}
}

static void test_redact(void **state)
{
	static const struct { const char *text, *key, *want; } rows[] = {
		{ "key sk-abcdef123456 here", "sk-abcdef123456", "key [redacted] here" },
		{ "Incorrect API key provided: sk-abcde*****3456.", "sk-abcdef123456",
		  "Incorrect API key provided: [redacted]" },
		{ "sk-abcdef123456sk-abcdef123456", "sk-abcdef123456", "[redacted][redacted]" },
		{ "nothing to see", "sk-abcdef123456", "nothing to see" },
		{ "ab ab", "ab", "ab ab" },                 /* too short to redact */
		{ "\"Bearer tok-9f8e7d6c5b4a\"", "tok-9f8e7d6c5b4a", "\"Bearer [redacted]\"" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_buf b = VL_BUF_INIT;
		vl_buf_adds(&b, rows[i].text);
		vl_openai_redact(&b, rows[i].key);
		assert_string_equal(vl_buf_str(&b), rows[i].want);
		vl_buf_release(&b);
	}
}

/* open() refuses bad configuration with a message naming the option. */
static void test_open_errors(void **state)
{
	static const struct { const char *k1, *v1, *k2, *v2, *want; } rows[] = {
		{ "model", "m", NULL, NULL, "no server" },
		{ "base_url", "ftp://x", NULL, NULL, "must start with http" },
		{ "base_url", "http://127.0.0.1:9/v1", "image_mode", "png", "image_mode" },
		{ "base_url", "http://127.0.0.1:9/v1", "extra_body", "[]", "extra_body" },
		{ "base_url", "http://127.0.0.1:9/v1", "timeout", "-1", "timeout" },
		{ "base_url", "http://127.0.0.1:9/v1", "retries", "x", "retries" },
		{ "base_url", "http://127.0.0.1:9/v1", "api_key_env", "VL_TEST_NO_SUCH_VAR",
		  "'VL_TEST_NO_SUCH_VAR' (option api_key_env) is not set" },
		{ "base_url", "http://u:secretpw@127.0.0.1:9/v1,ftp://u:secretpw@h", NULL, NULL,
		  "'ftp://h'" },
	};
	unsetenv("OPENAI_BASE_URL");
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_kv cfg = { 0 };
		struct vl_buf err = VL_BUF_INIT;
		struct vl_backend *b;

		vl_kv_set(&cfg, rows[i].k1, rows[i].v1);
		if (rows[i].k2)
			vl_kv_set(&cfg, rows[i].k2, rows[i].v2);
		assert_true(vl_backend_open("openai", &cfg, &b, &err) < 0);
		if (!strstr(vl_buf_str(&err), rows[i].want))
			print_error("row %zu: %s\n", i, vl_buf_str(&err));
		assert_non_null(strstr(vl_buf_str(&err), rows[i].want));
		assert_null(strstr(vl_buf_str(&err), "secretpw"));
		vl_kv_release(&cfg);
		vl_buf_release(&err);
	}
}

/* A prompt that is not UTF-8 is refused at submit(), naming the sample and
 * the byte, before anything is sent (no server listens on port 9). */
static void test_submit_invalid_utf8(void **state)
{
	struct vl_kv cfg = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;
	struct vl_request r = req0();

	vl_kv_set(&cfg, "base_url", "http://127.0.0.1:9/v1");
	vl_kv_set(&cfg, "preflight", "0");   /* no server on port 9 */
	assert_int_equal(vl_backend_open("openai", &cfg, &b, &err), 0);
	r.sample_id = "bad/1";
	r.prompt = "caf\xc3 au lait";
	assert_true(vl_backend_submit(b, &r, &err) < 0);
	assert_string_equal(vl_buf_str(&err),
			    "prompt of sample 'bad/1' is not valid UTF-8 (byte 3)");
	vl_backend_close(b);
	vl_kv_release(&cfg);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_text_escaping),
		cmocka_unit_test(test_body_params_and_inline_image),
		cmocka_unit_test(test_body_extra),
		cmocka_unit_test(test_body_file_images),
		cmocka_unit_test(test_parse_response),
		cmocka_unit_test(test_error_message),
		cmocka_unit_test(test_sse),
		cmocka_unit_test(test_sse_faults),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_submit_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
