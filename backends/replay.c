/*
 * replay.c - answers from a predictions file made elsewhere, so outputs of
 * any model or harness can be re-scored: one JSON object per line with
 * "id" (the sample id; "question_id" also accepted) and "output" (also
 * accepted: "answer", "text", "prediction").  --set predictions=FILE.
 *
 * VLMEvalKit's own result file (the dataset TSV plus a "prediction" column,
 * PRED_FORMAT=tsv) is accepted too, recognised by its header: ids are the
 * "index" column, read as pandas reads it (backends/replay_tsv.c).
 *
 * Malformed lines do not stop the run: they are skipped, and a sample left
 * without a prediction is recorded as an error that names the first bad line.
 */
#include "core/jsonparse.h"
#include "backends/backend.h"
#include "backends/ready.h"
#include "backends/replay_tsv.h"
#include "core/vl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *id;
	char *output;
};

struct replay {
	struct vl_ready ready;
	struct entry *slots;    /* open addressing, power-of-two size */
	size_t cap, n;
	char *path;
	size_t bad_lines;
	char *first_bad;        /* message for the first malformed line */
};

static size_t slot_of(const struct replay *r, const char *id)
{
	size_t i = vl_hash64(id, strlen(id), VL_HASH_SEED) & (r->cap - 1);
	while (r->slots[i].id && strcmp(r->slots[i].id, id))
		i = (i + 1) & (r->cap - 1);
	return i;
}

static void put(struct replay *r, char *id, char *output)
{
	size_t i;

	if ((r->n + 1) * 2 > r->cap) {
		struct entry *old = r->slots;
		size_t oldcap = r->cap;
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->slots = vl_xcalloc(r->cap, sizeof(*r->slots));
		r->n = 0;
		for (size_t k = 0; k < oldcap; k++)
			if (old[k].id)
				put(r, old[k].id, old[k].output);
		vl_free(old);
	}
	i = slot_of(r, id);
	if (r->slots[i].id) {   /* a later line for the same id wins */
		vl_free(r->slots[i].id);
		vl_free(r->slots[i].output);
		r->n--;
	}
	r->slots[i].id = id;
	r->slots[i].output = output;
	r->n++;
}

static void note_bad(struct replay *r, size_t lineno, const char *what)
{
	char msg[256];

	r->bad_lines++;
	if (r->first_bad)
		return;
	snprintf(msg, sizeof(msg), "line %zu: %s", lineno, what);
	r->first_bad = vl_xstrdup(msg);
}

static const cJSON *first_of(const cJSON *o, const char *const *keys)
{
	for (; *keys; keys++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, *keys);
		if (v)
			return v;
	}
	return NULL;
}

static const struct vl_backend_option replay_options[] = {
	{ .key = "predictions", .type = VL_OPTION_STRING,
	  .meaning = "JSON lines file: one {\"id\": ..., \"output\": ...} per sample, or "
		     "VLMEvalKit's result TSV (index, ..., prediction)",
	  .flags = VL_OPTION_ANSWERS | VL_OPTION_REQUIRED },
	{ .key = NULL },
};

static void put_tsv(void *ctx, char *id, char *prediction)
{
	put(ctx, id, prediction);
}

/* A VLMEvalKit result TSV: reads it whole and returns 1 (*rc -1 on error),
 * else rewinds f and returns 0. */
static int replay_try_tsv(struct replay *r, FILE *f, char *err, size_t errlen, ssize_t *rc)
{
	struct vl_buf text = VL_BUF_INIT, e = VL_BUF_INIT;
	char head[4096];
	size_t got = fread(head, 1, sizeof(head), f);
	long rows;

	*rc = 0;
	if (!vl_replay_tsv_detect(head, got)) {
		rewind(f);
		return 0;
	}
	if (vl_read_file(r->path, &text, &e) < 0) {
		snprintf(err, errlen, "%s", vl_buf_str(&e));
		*rc = -1;
	} else {
		rows = vl_replay_tsv_read(r->path, text.buf, text.len, put_tsv, r, err, errlen);
		if (rows <= 0) {
			if (rows == 0)
				snprintf(err, errlen, "predictions file '%s' has no rows", r->path);
			*rc = -1;
		}
	}
	vl_buf_release(&text);
	vl_buf_release(&e);
	return 1;
}

static void replay_close(void *self);

static int replay_open(void *self, const struct vl_backend_config *cfg, char *err, size_t errlen)
{
	static const char *const id_keys[] = { "id", "question_id", NULL };
	static const char *const out_keys[] = { "output", "answer", "text", "prediction", NULL };
	struct replay *r = self;
	const char *path = vl_backend_config_get(cfg, "predictions");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	FILE *f;

	if (!path) {
		snprintf(err, errlen, "needs --set predictions=FILE (JSON lines with \"id\" and \"output\")");
		return -1;
	}
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot open predictions file '%s'", path);
		return -1;
	}
	r->path = vl_xstrdup(path);
	if (replay_try_tsv(r, f, err, errlen, &len)) {
		fclose(f);
		if (len < 0)
			replay_close(self);   /* the host calls close only after a good open */
		return len < 0 ? -1 : 0;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		const cJSON *id, *out;
		cJSON *o;
		char idbuf[64];
		long long idnum;

		lineno++;
		if ((size_t)len == strspn(line, " \t\r\n"))
			continue;
		o = vl_cjson_parse(line, (size_t)len);
		if (!cJSON_IsObject(o)) {
			note_bad(r, lineno, "invalid JSON");
			cJSON_Delete(o);
			continue;
		}
		id = first_of(o, id_keys);
		out = first_of(o, out_keys);
		if (cJSON_IsNumber(id) && vl_whole_ll(id->valuedouble, &idnum) == 0) {
			snprintf(idbuf, sizeof(idbuf), "%lld", idnum);
		} else if (!cJSON_IsString(id)) {
			note_bad(r, lineno, "missing or invalid \"id\"");
			cJSON_Delete(o);
			continue;
		}
		if (!cJSON_IsString(out)) {
			note_bad(r, lineno, "missing or invalid \"output\"");
			cJSON_Delete(o);
			continue;
		}
		put(r, vl_xstrdup(cJSON_IsString(id) ? id->valuestring : idbuf),
		    vl_xstrdup(out->valuestring));
		cJSON_Delete(o);
	}
	free(line);
	fclose(f);
	if (r->n == 0) {
		snprintf(err, errlen, "predictions file '%s' holds no usable line%s%s", path,
			 r->first_bad ? "; first problem at " : "",
			 r->first_bad ? r->first_bad : "");
		replay_close(self);   /* the host calls close only after a good open */
		return -1;
	}
	return 0;
}

static int replay_submit(void *self, const struct vl_request *req, char *err, size_t errlen)
{
	struct replay *r = self;
	size_t i = slot_of(r, req->sample_id);

	if (r->slots[i].id) {
		vl_ready_push(&r->ready, req->id, r->slots[i].output, NULL);
	} else {
		char msg[512];
		snprintf(msg, sizeof(msg), "no prediction for sample '%s' in '%s'%s%s%s",
			 req->sample_id, r->path,
			 r->bad_lines ? " (malformed lines were skipped; first at " : "",
			 r->bad_lines ? r->first_bad : "", r->bad_lines ? ")" : "");
		vl_ready_push(&r->ready, req->id, NULL, msg);
	}
	return 0;
}

static int replay_poll(void *self, int timeout_ms, struct vl_response *out, int max)
{
	struct replay *r = self;
	return vl_ready_pop(&r->ready, out, max);
}

static void replay_close(void *self)
{
	struct replay *r = self;

	vl_ready_release(&r->ready);
	for (size_t i = 0; i < r->cap; i++) {
		vl_free(r->slots[i].id);
		vl_free(r->slots[i].output);
	}
	vl_free(r->slots);
	vl_free(r->path);
	vl_free(r->first_bad);
}

const struct vl_backend_methods vl_backend_replay = {
	.version = VL_BACKEND_API_VERSION,
	.instance_size = sizeof(struct replay),
	.name = "replay",
	.description = "answers from a predictions JSONL made elsewhere (--set predictions=FILE)",
	.caps = 0,
	.open = replay_open,
	.submit = replay_submit,
	.poll = replay_poll,
	.close = replay_close,
	.options = replay_options,
};
