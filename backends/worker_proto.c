/*
 * worker_proto.c - the worker protocol of backend "worker" (see worker.h
 * and the protocol in worker.c's opening comment): a request rendered as
 * one JSON line, and one line of a worker's stdout decoded into a reply.
 * No processes here.
 */
#include "core/jsonparse.h"
#include "backends/worker.h"
#include "core/vl.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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


static double num_or(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* A token count: -1 (absent) when missing or too large for a long (the
 * conversion would be undefined: "prompt_tokens": 1e300). */
static long count_or_absent(const cJSON *o, const char *key)
{
	long long n;
	return vl_whole_ll(floor(num_or(o, key, -1)), &n) == 0 ? (long)n : -1;
}

/* The reply's id: a string of digits or a non-negative integer below 2^64
 * (a larger number has no uint64_t value: not a reply). */
static int reply_id(const cJSON *idv, uint64_t *id)
{
	if (cJSON_IsString(idv)) {
		char *end;
		errno = 0;
		*id = strtoull(idv->valuestring, &end, 10);
		return !*end && end != idv->valuestring && !errno ? 0 : -1;
	}
	if (cJSON_IsNumber(idv) && idv->valuedouble >= 0 &&
	    idv->valuedouble < 18446744073709551616.0 &&
	    idv->valuedouble == floor(idv->valuedouble)) {
		*id = (uint64_t)idv->valuedouble;
		return 0;
	}
	return -1;
}

int vl_worker_reply_parse(const char *line, size_t len, struct vl_worker_reply *r)
{
	const cJSON *text, *error;

	memset(r, 0, sizeof(*r));
	r->root = vl_cjson_parse(line, len);
	if (reply_id(cJSON_GetObjectItemCaseSensitive(r->root, "id"), &r->id) < 0) {
		cJSON_Delete(r->root);
		r->root = NULL;
		return -1;
	}
	text = cJSON_GetObjectItemCaseSensitive(r->root, "text");
	error = cJSON_GetObjectItemCaseSensitive(r->root, "error");
	if (cJSON_IsString(error)) {
		/* one line: the error becomes a log row and a table cell */
		for (char *p = error->valuestring; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		r->error = error->valuestring;
		r->fatal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->root, "fatal"));
	} else if (error && !cJSON_IsNull(error)) {
		r->error = "worker reported an error";
		r->fatal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->root, "fatal"));
	} else if (cJSON_IsString(text)) {
		r->text = text->valuestring;
	} else {
		r->error = "worker response has neither a \"text\" string nor an \"error\"";
	}
	r->prompt_tokens = count_or_absent(r->root, "prompt_tokens");
	r->completion_tokens = count_or_absent(r->root, "completion_tokens");
	r->ttft_s = num_or(r->root, "ttft_s", -1);
	r->gpu_mem_peak_mb = num_or(r->root, "gpu_mem_peak_mb", -1);
	if (r->text &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(r->root, "finish_reason")))
		r->finish_reason =
			cJSON_GetObjectItemCaseSensitive(r->root, "finish_reason")->valuestring;
	return 0;
}

void vl_worker_reply_release(struct vl_worker_reply *r)
{
	cJSON_Delete(r->root);
	memset(r, 0, sizeof(*r));
}
