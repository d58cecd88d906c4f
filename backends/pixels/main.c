/*
 * main.c - `vleval-pixels`: the classical image-analysis engine as a worker
 * for the "worker" backend (backends/worker.c has the protocol): one JSON
 * request a line on stdin, one {"id", "text"} answer a line on stdout.
 *
 *   vleval run --task synth_vqa --backend worker \
 *       --set command=build/vleval-pixels --model pixels
 *
 * Each request's first image (a file path, or inline base64) is decoded
 * with stb_image and segmented (vision.h); the text parts, joined by
 * newlines, are the prompt answer.h reads.  The last few analyses are kept,
 * since suites ask several questions about one image in a row.  A request
 * whose image cannot be read gets an "error" answer (recorded, not fatal).
 * It is a labelled baseline for the synthetic suite, not a model.
 */
#include "backends/pixels/answer.h"
#include "backends/pixels/vision.h"
#include "core/base64.h"
#include "core/vl.h"

#include <cjson/cJSON.h>
#include <stb_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE 8

struct cache_entry {
	uint64_t key;
	int used;
	struct px_scene sc;
};

struct engine {
	struct cache_entry cache[CACHE];
	unsigned next;               /* slot to replace */
};

/* The scene of an image: path or base64 (one of them non-NULL).  NULL with
 * err on failure; the result is owned by the engine. */
static const struct px_scene *analyse(struct engine *e, const char *path, const char *b64,
				      struct vl_buf *err)
{
	const char *ref = path ? path : b64;
	uint64_t key = vl_hash64_bulk(ref, strlen(ref), path ? 1 : 2);
	struct vl_buf raw = VL_BUF_INIT;
	unsigned char *rgb = NULL;
	int w, h, comp;
	struct cache_entry *c;

	for (int i = 0; i < CACHE; i++)
		if (e->cache[i].used && e->cache[i].key == key)
			return &e->cache[i].sc;
	if (path) {
		if (vl_read_file(path, &raw, err) < 0)
			return NULL;
	} else if (vl_base64_decode_buf(&raw, b64, strlen(b64), err) < 0) {
		vl_buf_release(&raw);
		return NULL;
	}
	rgb = stbi_load_from_memory((const unsigned char *)raw.buf, (int)raw.len, &w, &h, &comp, 3);
	vl_buf_release(&raw);
	if (!rgb) {
		vl_buf_addf(err, "cannot decode image '%s': %s", path ? path : "(inline)",
			    stbi_failure_reason());
		return NULL;
	}
	c = &e->cache[e->next++ % CACHE];
	px_analyse(rgb, w, h, &c->sc);
	c->key = key;
	c->used = 1;
	stbi_image_free(rgb);
	return &c->sc;
}

/* Answers one request line into out (a JSON line without the newline). */
static void handle(struct engine *e, const char *line, struct vl_buf *out)
{
	cJSON *req = cJSON_Parse(line);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
	const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(req, "messages"), *m;
	const char *path = NULL, *b64 = NULL;
	struct vl_buf prompt = VL_BUF_INIT, err = VL_BUF_INIT, text = VL_BUF_INIT;
	const struct px_scene *sc = NULL;

	if (!req || !id)
		goto out;    /* not a request: nothing to answer to */
	cJSON_ArrayForEach(m, msgs) {
		const cJSON *part;
		cJSON_ArrayForEach(part, cJSON_GetObjectItemCaseSensitive(m, "content")) {
			const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "type"));
			if (!type)
				continue;
			if (!strcmp(type, "text")) {
				const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "text"));
				if (t) {
					if (prompt.len)
						vl_buf_addch(&prompt, '\n');
					vl_buf_adds(&prompt, t);
				}
			} else if (!strcmp(type, "image") && !path && !b64) {
				path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "path"));
				b64 = path ? NULL : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "b64"));
			}
		}
	}
	vl_buf_adds(out, "{\"id\": ");
	if (cJSON_IsNumber(id))
		vl_buf_addf(out, "%.0f", id->valuedouble);
	else
		vl_buf_add_json_str(out, cJSON_GetStringValue(id) ? id->valuestring : "");
	if (!path && !b64)
		vl_buf_adds(&err, "pixels: the request has no image");
	else
		sc = analyse(e, path, b64, &err);
	if (!sc) {
		vl_buf_adds(out, ", \"error\": ");
		vl_buf_add_json_str(out, vl_buf_str(&err));
	} else {
		px_answer(sc, vl_buf_str(&prompt), &text);
		vl_buf_adds(out, ", \"text\": ");
		vl_buf_add_json_str(out, vl_buf_str(&text));
	}
	vl_buf_adds(out, "}");
out:
	cJSON_Delete(req);
	vl_buf_release(&prompt);
	vl_buf_release(&err);
	vl_buf_release(&text);
}

int main(int argc, char **argv)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct vl_buf out = VL_BUF_INIT;
	char *line = NULL;
	size_t cap = 0;

	if (argc > 1) {
		fprintf(stderr, "usage: %s < requests.jsonl (a worker for vleval's worker backend;\n"
				"  vleval run --task synth_vqa --backend worker --set command=%s)\n",
			argv[0], argv[0]);
		return 2;
	}
	if (!e)
		return 1;
	while (getline(&line, &cap, stdin) > 0) {
		vl_buf_reset(&out);
		handle(e, line, &out);
		if (!out.len)
			continue;
		vl_buf_addch(&out, '\n');
		if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout) != 0)
			break;
	}
	free(line);
	free(e);
	vl_buf_release(&out);
	return 0;
}
