/*
 * request.c - one backend request built from one sample (see request.h).
 */
#include "bench/request.h"
#include "core/base64.h"
#include "core/image.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

/* The answers a random guesser picks from: the task's "choices", else
 * yes/no for yes/no tasks, else NULL (per-sample option letters are not
 * known up front; the backend then guesses yes/no). */
static const char **make_choices(const struct vl_task *t)
{
	static const char *yesno[] = { "yes", "no", NULL };
	static const char *letters[] = { "A", "B", "C", "D", NULL };

	if (t->choices.n)
		return (const char **)t->choices.v;
	if (!strcmp(t->extract, "yesno"))
		return yesno;
	if (!strcmp(t->extract, "letter"))
		return letters;
	return NULL;
}

int vl_request_builder_init(struct vl_request_builder *b, const struct vl_task *task,
			    const char *model_family, const struct vl_backend *backend,
			    const char *model, const struct vl_kv *backend_cfg,
			    const struct vl_kv *metric_opts, struct vl_buf *err)
{
	memset(b, 0, sizeof(*b));
	b->task = task;
	b->prompt_tmpl = vl_task_prompt(task, model_family);
	b->metric_opts = metric_opts;
	b->ex = vl_extractor_find(task->extract);
	b->backend = backend;
	b->bm = vl_backend_methods(backend);
	b->model = model;
	b->backend_cfg = backend_cfg;
	b->choices = make_choices(task);
	return vl_kv_get_long(backend_cfg, "max_image_side", 0, &b->max_image_side, err) < 0
		       ? VL_EINVAL : 0;
}

void vl_request_builder_release(struct vl_request_builder *b)
{
	vl_strmap_release(&b->image_hashes, vl_free);
	vl_buf_release(&b->key_base);
}

/*
 * Content hash of an image file, for cache keys: content, not path, so a
 * re-encoded image misses the cache.  Benchmarks ask several questions per
 * image, so hashes are remembered per (path, inode, size, mtime) and a file
 * is read and hashed once per run, not once per request (reading and
 * hashing a 100 KB image for every request doubled the CPU per sample).
 */
static int image_hash(struct vl_request_builder *L, const char *path, XXH128_hash_t *out)
{
	struct vl_buf key = VL_BUF_INIT, file = VL_BUF_INIT;
	struct stat st;
	void **memo;
	int rc = 0;

	if (stat(path, &st) != 0)
		return VL_EIO;
	vl_buf_addf(&key, "%s|%llu|%lld|%lld.%09ld", path, (unsigned long long)st.st_ino,
		    (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	memo = vl_strmap_find(&L->image_hashes, vl_buf_str(&key));
	if (memo) {
		*out = *(XXH128_hash_t *)*memo;
	} else if (vl_read_file(path, &file, NULL) < 0) {
		rc = VL_EIO;
	} else {
		XXH128_hash_t *h = vl_xmalloc(sizeof(*h));
		*h = XXH3_128bits(file.buf, file.len);
		vl_strmap_put(&L->image_hashes, vl_buf_str(&key), h);
		*out = *h;
	}
	vl_buf_release(&key);
	vl_buf_release(&file);
	return rc;
}

/* A sample's image file must be a non-empty file of a type vl_image_mime
 * knows before a request carries it: a server would answer 400 without
 * naming the file, and `validate` flags the same files. */
static int check_image_file(const char *path, struct vl_buf *err)
{
	unsigned char head[32];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		vl_buf_addf(err, "cannot read image '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n == 0) {
		vl_buf_addf(err, "image '%s' is empty", path);
		return VL_EINVAL;
	}
	if (!vl_image_mime(head, n)) {
		vl_buf_addf(err, "image '%s' is not a known image type (JPEG, PNG, GIF, BMP, WebP): "
			    "not sent", path);
		return VL_EINVAL;
	}
	return 0;
}

/* Appends a field of the cache key, length first, so that no two
 * different requests give the same bytes (a prompt holding a newline cannot
 * pass for the end of the system prompt).  Raw bytes, no formatting: this
 * runs for every request. */
static void key_field(struct vl_buf *k, const char *s)
{
	uint64_t n = s ? strlen(s) : 0;

	vl_buf_add(k, &n, sizeof(n));
	vl_buf_add(k, s ? s : "", (size_t)n);
}

/* The part of the key every request of the run shares: backend, model, and
 * the config keys the backend's option table marks as changing answers
 * (base_url, extra_body, command, ...; never speed knobs).  Built once. */
static const struct vl_buf *key_base(struct vl_request_builder *L)
{
	if (L->key_base.len)
		return &L->key_base;
	key_field(&L->key_base, L->bm->name);
	key_field(&L->key_base, L->model);
	for (size_t i = 0; L->backend_cfg && i < L->backend_cfg->keys.n; i++) {
		const char *key = L->backend_cfg->keys.v[i];
		if (vl_backend_changes_answers(L->backend, key)) {
			key_field(&L->key_base, key);
			key_field(&L->key_base, L->backend_cfg->vals.v[i]);
		}
	}
	return &L->key_base;
}

/* XXH3-128 hex digest of everything that determines a deterministic
 * answer: the run's part (key_base), the prompts, each image's content and
 * the generation parameters. */
static char *cache_key(struct vl_request_builder *L, const struct vl_request *req, const struct vl_sample *s)
{
	static const char hex[] = "0123456789abcdef";
	const struct vl_buf *base = key_base(L);
	struct vl_buf k = VL_BUF_INIT;
	unsigned char digest[16];
	XXH128_hash_t h;
	char *out;

	vl_buf_add(&k, base->buf, base->len);
	key_field(&k, req->system);
	key_field(&k, req->prompt);
	for (size_t i = 0; i < req->n_images; i++) {
		if (req->images[i].b64) {
			h = XXH3_128bits(req->images[i].b64, strlen(req->images[i].b64));
		} else if (image_hash(L, req->images[i].path, &h) < 0) {
			vl_buf_release(&k);
			return NULL;
		}
		vl_buf_add(&k, &h, sizeof(h));
	}
	vl_buf_add(&k, &req->max_tokens, sizeof(req->max_tokens));
	vl_buf_add(&k, &req->temperature, sizeof(req->temperature));
	vl_buf_add(&k, &req->top_p, sizeof(req->top_p));
	vl_buf_add(&k, &req->seed, sizeof(req->seed));
	for (size_t i = 0; i < req->n_stop; i++)
		key_field(&k, req->stop[i]);
	h = XXH3_128bits(k.buf, k.len);
	vl_buf_release(&k);
	XXH128_canonicalFromHash((XXH128_canonical_t *)digest, h);
	out = vl_xmalloc(33);
	for (int i = 0; i < 16; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[32] = '\0';
	return out;
}

static void trim(struct vl_buf *b)
{
	size_t start = 0, end = b->len;

	while (start < end && isspace((unsigned char)b->buf[start]))
		start++;
	while (end > start && isspace((unsigned char)b->buf[end - 1]))
		end--;
	if (start)
		memmove(b->buf, b->buf + start, end - start);
	vl_buf_setlen(b, end - start);
}

/* --max-image-side: replaces each image by the base64 of its downscaled
 * bytes (the original bytes when it already fits).  The strings live in the
 * slot until the request completes. */
static int prepare_images(struct vl_request_builder *L, struct vl_built_request *s,
			  struct vl_image *imgs, size_t n, struct vl_buf *err)
{
	struct vl_buf bytes = VL_BUF_INIT, enc = VL_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const char *mime = NULL;
		vl_buf_reset(&bytes);
		vl_buf_reset(&enc);
		if (vl_image_prepare(imgs[i].path, imgs[i].b64, (int)L->max_image_side, &bytes, &mime,
				     err) < 0) {
			rc = VL_EINVAL;
			break;
		}
		vl_base64_encode_buf(&enc, bytes.buf, bytes.len);
		vl_strv_push(&s->prepared, vl_buf_str(&enc));
	}
	/* pointers taken only once every string is in place: the vector may move */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		imgs[i].b64 = s->prepared.v[i];
		imgs[i].mime = NULL;   /* the backend sniffs the re-encoded bytes */
		imgs[i].path = NULL;
	}
	vl_buf_release(&bytes);
	vl_buf_release(&enc);
	return rc;
}

void vl_built_request_release(struct vl_built_request *r)
{
	vl_free(r->prompt);
	vl_free(r->truth);
	vl_free(r->cache_key);
	vl_free(r->imgs);
	vl_strv_release(&r->prepared);
	memset(r, 0, sizeof(*r));
}

int vl_request_build(struct vl_request_builder *b, const struct vl_sample *s, uint64_t id,
		     struct vl_built_request *out, struct vl_buf *err)
{
	struct vl_request *req = &out->req;
	struct vl_buf prompt = VL_BUF_INIT, truth = VL_BUF_INIT;

	memset(out, 0, sizeof(*out));
	if (vl_task_render(b->prompt_tmpl, s, &prompt, err) < 0) {
		vl_buf_release(&prompt);
		return VL_EINVAL;
	}
	trim(&prompt);
	out->prompt = vl_buf_detach(&prompt, NULL);
	if (s->images.n || s->image_b64) {
		out->imgs = vl_xcalloc(s->images.n + 1, sizeof(*out->imgs));
		for (size_t i = 0; i < s->images.n; i++) {
			/* out keeps the prompt: the failed sample's row shows it */
			if ((b->bm->caps & VL_CAP_IMAGES) && check_image_file(s->images.v[i], err) < 0)
				return VL_EINVAL;
			out->imgs[req->n_images++].path = s->images.v[i];
		}
		if (s->image_b64)
			out->imgs[req->n_images++].b64 = s->image_b64;
		/* out keeps the prompt: the failed sample's row shows it */
		if (b->max_image_side > 0 &&
		    prepare_images(b, out, out->imgs, req->n_images, err) < 0)
			return VL_EINVAL;
	}
	req->id = id;
	req->sample_id = s->id;
	req->system = b->task->system;
	req->prompt = out->prompt;
	req->images = out->imgs;
	req->max_tokens = b->task->gen.max_tokens;
	req->temperature = b->task->gen.temperature;
	req->top_p = b->task->gen.top_p;
	req->seed = b->task->gen.seed;
	req->stop = (const char *const *)b->task->gen.stop.v;
	req->n_stop = b->task->gen.stop.n;
	req->choices = b->choices;
	if (b->bm->caps & VL_CAP_TRUTH) {
		if (b->ex->render_truth && b->ex->render_truth(s, b->metric_opts, &truth) == 0)
			out->truth = vl_buf_detach(&truth, NULL);
		req->truth = out->truth;
	}
	vl_buf_release(&truth);
	/* an image that cannot be read for its hash: no key, the request goes out */
	if (b->use_cache)
		out->cache_key = cache_key(b, req, s);
	return 0;
}
