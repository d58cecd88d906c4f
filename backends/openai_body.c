/*
 * openai_body.c - the chat-completions request body (see openai.h).
 *
 * A body with a 100 KB image is 137 KB of JSON, almost all of it base64.
 * Building that string and handing it to libcurl costs two passes over it:
 * the encoder writes it, then libcurl copies it into its upload buffer.  So
 * the body is kept as a plan instead: the JSON text with the images left
 * out, and each image's raw bytes, read from its file when the request is
 * queued (a missing or unreadable file is then the sample's error, before
 * anything is sent).  vl_openai_body_read() produces the bytes in order,
 * encoding each image straight into the reader's buffer (libcurl's upload
 * buffer), and can start again from any offset for a retry or a rewind.
 * Memory per request in flight is the image's size, not 4/3 of it.
 */
#include "backends/openai.h"
#include "core/base64.h"
#include "core/image.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name;
	unsigned bit;
} std_keys[] = {
	{ "model", VL_OAI_K_MODEL },
	{ "max_tokens", VL_OAI_K_MAX_TOKENS },
	{ "temperature", VL_OAI_K_TEMPERATURE },
	{ "top_p", VL_OAI_K_TOP_P },
	{ "seed", VL_OAI_K_SEED },
	{ "stop", VL_OAI_K_STOP },
	{ "stream", VL_OAI_K_STREAM },
	{ "stream_options", VL_OAI_K_STREAM_OPTIONS },
};

int vl_openai_extra_body(const char *json, struct vl_buf *members, unsigned *keys,
			 struct vl_buf *err)
{
	cJSON *root = cJSON_Parse(json);
	const cJSON *c;

	*keys = 0;
	if (!root || !cJSON_IsObject(root)) {
		vl_buf_adds(err, "option 'extra_body' must be a JSON object, e.g. "
			    "extra_body='{\"top_k\":1}'");
		cJSON_Delete(root);
		return VL_EINVAL;
	}
	cJSON_ArrayForEach(c, root) {
		char *v;

		if (!strcmp(c->string, "messages")) {
			vl_buf_adds(err, "option 'extra_body' may not set \"messages\": "
				    "the prompt comes from the task");
			cJSON_Delete(root);
			return VL_EINVAL;
		}
		for (size_t i = 0; i < sizeof(std_keys) / sizeof(*std_keys); i++)
			if (!strcmp(c->string, std_keys[i].name))
				*keys |= std_keys[i].bit;
		v = cJSON_PrintUnformatted(c);
		if (!v) {
			cJSON_Delete(root);
			return VL_ENOMEM;
		}
		vl_buf_addch(members, ',');
		vl_buf_add_json_str(members, c->string);
		vl_buf_addch(members, ':');
		vl_buf_adds(members, v);
		cJSON_free(v);
	}
	cJSON_Delete(root);
	return 0;
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

int vl_openai_is_http_url(const char *s)
{
	return has_prefix(s, "http://") || has_prefix(s, "https://");
}

/* MIME type of a file's bytes (the one sniffer, vl_image_mime), else from
 * its extension, else JPEG. */
static const char *sniff_mime(const unsigned char *h, size_t n, const char *path)
{
	const char *mime = vl_image_mime(h, n);
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (mime)
		return mime;
	if (dot && !strcasecmp(dot, ".png"))
		return "image/png";
	if (dot && !strcasecmp(dot, ".webp"))
		return "image/webp";
	if (dot && !strcasecmp(dot, ".gif"))
		return "image/gif";
	return "image/jpeg";
}

/* The same for inline base64: its first 12 bytes decoded. */
static const char *sniff_b64_mime(const char *b64)
{
	unsigned char head[12];
	size_t n = strnlen(b64, 16) / 4 * 4, len = 0;

	if (vl_base64_decode(b64, n, head, &len, NULL) < 0)
		len = 0;
	return sniff_mime(head, len, NULL);
}

/* ------------------------------------------------------------- the plan */

void vl_openai_body_init(struct vl_openai_body *b)
{
	memset(b, 0, sizeof(*b));
}

void vl_openai_body_reset(struct vl_openai_body *b)
{
	vl_buf_reset(&b->text);
	b->nholes = 0;
	b->rawlen = 0;
	b->len = 0;
	vl_openai_body_seek(b, 0);
}

void vl_openai_body_release(struct vl_openai_body *b)
{
	vl_buf_release(&b->text);
	vl_free(b->holes);
	vl_free(b->raw);
	memset(b, 0, sizeof(*b));
}

size_t vl_openai_body_memory(const struct vl_openai_body *b)
{
	return b->text.alloc + b->capholes * sizeof(*b->holes) + b->rawcap;
}

static void raw_reserve(struct vl_openai_body *b, size_t extra)
{
	size_t need = b->rawlen + extra;

	if (need <= b->rawcap)
		return;
	/* exact (in pages), not doubled: a request holds a few images at most,
	 * each reserved once at its size, and the job keeps the memory */
	need = (need + 4095) / 4096 * 4096;
	b->raw = vl_xrealloc(b->raw, need);
	b->rawcap = need;
}

/* Reads the whole file at path onto the end of b->raw.  Returns 0, or VL_EIO
 * with err naming the file. */
static int read_file_raw(struct vl_openai_body *b, const char *path, struct vl_buf *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		vl_buf_addf(err, "cannot open image '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		vl_buf_addf(err, "cannot read image '%s': not a regular file", path);
		close(fd);
		return VL_EIO;
	}
	/* room for one byte more than fstat said: a regular file's read() comes
	 * back short only at the end, so one call reads an unchanged file
	 * (no second call to see the end); one that grew is read to its end */
	raw_reserve(b, (size_t)st.st_size + 1);
	for (;;) {
		size_t room;
		ssize_t n;

		if (b->rawlen == b->rawcap)
			raw_reserve(b, 65536);
		room = b->rawcap - b->rawlen;
		n = read(fd, b->raw + b->rawlen, room);
		if (n > 0 && (size_t)n < room) {
			b->rawlen += (size_t)n;
			break;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			vl_buf_addf(err, "cannot read image '%s': %s", path, strerror(errno));
			close(fd);
			return VL_EIO;
		}
		if (n == 0)
			break;
		b->rawlen += (size_t)n;
	}
	close(fd);
	return 0;
}

/* Appends "data:MIME;base64,<hole>" for the file at path. */
static int add_file_data_url(struct vl_openai_body *b, const char *path, const char *mime,
			     struct vl_buf *err)
{
	size_t off = b->rawlen;
	struct vl_openai_hole *h;
	int rc = read_file_raw(b, path, err);

	if (rc < 0)
		return rc;
	if (!mime)
		mime = sniff_mime(b->raw + off, b->rawlen - off, path);
	vl_buf_adds(&b->text, "data:");
	vl_buf_adds(&b->text, mime);
	vl_buf_adds(&b->text, ";base64,");
	if (b->nholes == b->capholes) {
		b->capholes = b->capholes ? b->capholes * 2 : 4;
		b->holes = vl_xrealloc(b->holes, b->capholes * sizeof(*b->holes));
	}
	h = &b->holes[b->nholes++];
	h->at = b->text.len;
	h->raw_off = off;
	h->raw_len = b->rawlen - off;
	h->enc_len = vl_base64_encoded_len(h->raw_len);
	return 0;
}

static int add_image(struct vl_openai_body *b, const struct vl_image *img, int url_mode,
		     struct vl_buf *err)
{
	struct vl_buf *out = &b->text;

	vl_buf_adds(out, "{\"type\":\"image_url\",\"image_url\":{\"url\":");
	if (img->b64) {
		vl_buf_adds(out, "\"data:");
		vl_buf_adds(out, img->mime ? img->mime : sniff_b64_mime(img->b64));
		vl_buf_adds(out, ";base64,");
		vl_buf_adds(out, img->b64);
		vl_buf_addch(out, '"');
	} else if (!img->path) {
		vl_buf_adds(err, "image has neither a path nor inline data");
		return VL_EINVAL;
	} else if (vl_openai_is_http_url(img->path)) {
		vl_buf_add_json_str(out, img->path);
	} else if (url_mode) {
		char real[PATH_MAX];
		struct vl_buf u = VL_BUF_INIT;

		if (!realpath(img->path, real)) {
			vl_buf_addf(err, "cannot find image '%s': %s", img->path, strerror(errno));
			return VL_EIO;
		}
		vl_buf_adds(&u, "file://");
		vl_buf_adds(&u, real);
		vl_buf_add_json_str(out, u.buf);
		vl_buf_release(&u);
	} else {
		int rc;

		vl_buf_addch(out, '"');
		rc = add_file_data_url(b, img->path, img->mime, err);
		if (rc < 0)
			return rc;
		vl_buf_addch(out, '"');
	}
	vl_buf_adds(out, "}}");
	return 0;
}

int vl_openai_body_build(const struct vl_openai_body_opts *o, const struct vl_request *req,
			 struct vl_openai_body *b, struct vl_buf *err)
{
	struct vl_buf *out = &b->text;
	unsigned x = o->extra_keys;
	int rc;

	vl_openai_body_reset(b);
	vl_buf_adds(out, "{\"messages\":[");
	if (req->system) {
		vl_buf_adds(out, "{\"role\":\"system\",\"content\":");
		vl_buf_add_json_str(out, req->system);
		vl_buf_adds(out, "},");
	}
	vl_buf_adds(out, "{\"role\":\"user\",\"content\":");
	if (!req->n_images) {
		vl_buf_add_json_str(out, req->prompt ? req->prompt : "");
	} else {
		vl_buf_addch(out, '[');
		for (size_t i = 0; i < req->n_images; i++) {
			rc = add_image(b, &req->images[i], o->image_url_mode, err);
			if (rc < 0)
				return rc;
			vl_buf_addch(out, ',');
		}
		vl_buf_adds(out, "{\"type\":\"text\",\"text\":");
		vl_buf_add_json_str(out, req->prompt ? req->prompt : "");
		vl_buf_adds(out, "}]");
	}
	vl_buf_adds(out, "}]");
	if (o->model && !(x & VL_OAI_K_MODEL)) {
		vl_buf_adds(out, ",\"model\":");
		vl_buf_add_json_str(out, o->model);
	}
	if (req->max_tokens > 0 && !(x & VL_OAI_K_MAX_TOKENS))
		vl_buf_addf(out, ",\"max_tokens\":%d", req->max_tokens);
	if (req->temperature >= 0 && !(x & VL_OAI_K_TEMPERATURE)) {
		vl_buf_adds(out, ",\"temperature\":");
		vl_buf_add_json_num(out, req->temperature);
	}
	if (req->top_p >= 0 && !(x & VL_OAI_K_TOP_P)) {
		vl_buf_adds(out, ",\"top_p\":");
		vl_buf_add_json_num(out, req->top_p);
	}
	if (req->seed >= 0 && !(x & VL_OAI_K_SEED))
		vl_buf_addf(out, ",\"seed\":%lld", req->seed);
	if (req->n_stop && !(x & VL_OAI_K_STOP)) {
		vl_buf_adds(out, ",\"stop\":[");
		for (size_t i = 0; i < req->n_stop; i++) {
			if (i)
				vl_buf_addch(out, ',');
			vl_buf_add_json_str(out, req->stop[i]);
		}
		vl_buf_addch(out, ']');
	}
	if (o->stream && !(x & VL_OAI_K_STREAM))
		vl_buf_adds(out, ",\"stream\":true");
	if (o->stream && o->stream_usage && !(x & VL_OAI_K_STREAM_OPTIONS))
		vl_buf_adds(out, ",\"stream_options\":{\"include_usage\":true}");
	if (o->extra_members)
		vl_buf_adds(out, o->extra_members);
	vl_buf_addch(out, '}');
	b->len = b->text.len;
	for (size_t i = 0; i < b->nholes; i++)
		b->len += b->holes[i].enc_len;
	return 0;
}

/* ----------------------------------------------------------- the reader */

/* The reader's position is (hole index, text offset, encoded offset in
 * that hole): the text before hole h is text[..holes[h].at], then hole h's
 * enc_len characters, and so on; after the last hole, the rest of text. */
int vl_openai_body_seek(struct vl_openai_body *b, size_t off)
{
	size_t at = 0;   /* body offset of text[tp] */

	if (off > b->len)
		return VL_EINVAL;
	b->pos = off;
	b->h = 0;
	b->tp = 0;
	b->eo = 0;
	for (; b->h < b->nholes; b->h++) {
		const struct vl_openai_hole *h = &b->holes[b->h];
		size_t text_end = at + (h->at - b->tp);

		if (off < text_end + h->enc_len) {
			if (off <= text_end) {
				b->tp += off - at;
			} else {
				b->tp = h->at;
				b->eo = off - text_end;
			}
			return 0;
		}
		at = text_end + h->enc_len;
		b->tp = h->at;
	}
	b->tp += off - at;
	return 0;
}

size_t vl_openai_body_read(struct vl_openai_body *b, char *dst, size_t cap)
{
	size_t done = 0;

	while (done < cap) {
		size_t text_end = b->h < b->nholes ? b->holes[b->h].at : b->text.len;
		const struct vl_openai_hole *h;
		size_t k;

		if (b->tp < text_end) {
			k = text_end - b->tp;
			if (k > cap - done)
				k = cap - done;
			memcpy(dst + done, b->text.buf + b->tp, k);
			b->tp += k;
			done += k;
			continue;
		}
		if (b->h == b->nholes)
			break;                  /* the end */
		h = &b->holes[b->h];
		if (b->eo == h->enc_len) {
			b->h++;
			b->eo = 0;
			continue;
		}
		if (b->eo % 4 == 0 && cap - done >= 4) {
			/* whole groups straight into dst: 3 raw bytes per 4 characters
			 * (the last group takes what is left and its padding) */
			size_t groups = (cap - done) / 4, r = b->eo / 4 * 3;
			size_t n = groups * 3 < h->raw_len - r ? groups * 3 : h->raw_len - r;

			k = vl_base64_encode_raw(b->raw + h->raw_off + r, n, dst + done);
		} else {
			/* a group split by the end of dst: encode it aside, copy a part */
			char group[4];
			size_t r = b->eo / 4 * 3, n = h->raw_len - r < 3 ? h->raw_len - r : 3;
			size_t skip = b->eo % 4;

			vl_base64_encode_raw(b->raw + h->raw_off + r, n, group);
			k = 4 - skip < cap - done ? 4 - skip : cap - done;
			memcpy(dst + done, group + skip, k);
		}
		b->eo += k;
		done += k;
	}
	b->pos += done;
	return done;
}

int vl_openai_build_body(const struct vl_openai_body_opts *o, const struct vl_request *req,
			 struct vl_buf *out, struct vl_buf *err)
{
	struct vl_openai_body b;
	int rc;

	vl_openai_body_init(&b);
	rc = vl_openai_body_build(o, req, &b, err);
	if (rc == 0) {
		vl_buf_grow(out, b.len);
		out->len += vl_openai_body_read(&b, out->buf + out->len, b.len);
		out->buf[out->len] = '\0';
	} else {
		/* what there is, as the old single-buffer builder left it */
		vl_buf_add(out, b.text.buf ? b.text.buf : "", b.text.len);
	}
	vl_openai_body_release(&b);
	return rc;
}
