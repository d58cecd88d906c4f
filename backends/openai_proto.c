/*
 * openai_proto.c - the chat-completions protocol of backend "openai" (see
 * openai.h): a response body's answer and token counts, a server's error
 * message, and the incremental parser of a streamed answer (server-sent
 * events).  Pure functions of their input: no I/O, no libcurl.
 */
#include "core/jsonparse.h"
#include "backends/openai.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

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

	long long n;

	/* a count no long can hold is absent, as a negative one is */
	if (cJSON_IsNumber(p) && vl_whole_ll(floor(p->valuedouble), &n) == 0 && n >= 0)
		*pt = (long)n;
	if (cJSON_IsNumber(c) && vl_whole_ll(floor(c->valuedouble), &n) == 0 && n >= 0)
		*ct = (long)n;
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

/* choices[i].finish_reason when it is a string (null in all but the last
 * stream event), cut to fit. */
static void get_finish(const cJSON *choice, char out[VL_FINISH_REASON_MAX])
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(choice, "finish_reason");

	if (cJSON_IsString(f))
		snprintf(out, VL_FINISH_REASON_MAX, "%s", f->valuestring);
}

int vl_openai_parse_response(const char *body, size_t len, struct vl_buf *text,
			     long *prompt_tokens, long *completion_tokens,
			     char finish_reason[VL_FINISH_REASON_MAX], struct vl_buf *err)
{
	cJSON *root = vl_cjson_parse(body, len);
	const cJSON *choice, *msg, *content;

	*prompt_tokens = *completion_tokens = -1;
	finish_reason[0] = '\0';
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
	get_finish(choice, finish_reason);
	cJSON_Delete(root);
	return 0;
}

void vl_openai_error_message(const char *body, size_t len, struct vl_buf *out)
{
	cJSON *root = vl_cjson_parse(body, len);
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
	s->finish_reason[0] = '\0';
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
	root = vl_cjson_parse(p, n);
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
	get_finish(choice, s->finish_reason);
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
