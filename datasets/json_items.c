/*
 * json_items.c - streaming reader of the elements of one big JSON
 * container (see loader_util.h).  The scanner only finds where an element
 * begins and ends (strings, escapes and bracket depth); cJSON parses each
 * element on its own, so memory is bounded by the largest element.
 */
#include "datasets/loader_util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define READ_CHUNK (256 * 1024)

/* Makes buf[pos] readable; 0 at the end of the file, negative on error. */
static int fill(struct vl_json_items *it)
{
	size_t n;

	if (it->pos < it->len)
		return 1;
	n = fread(it->buf, 1, READ_CHUNK, it->file);
	it->pos = 0;
	it->len = n;
	if (n == 0)
		return ferror((FILE *)it->file) ? VL_EIO : 0;
	return 1;
}

/* Next non-blank byte without consuming it; -1 at the end, -2 on error. */
static int peek(struct vl_json_items *it)
{
	for (;;) {
		int rc = fill(it);
		if (rc <= 0)
			return rc == 0 ? -1 : -2;
		unsigned char c = it->buf[it->pos];
		if (c == '\n')
			it->line++;
		else if (c != ' ' && c != '\t' && c != '\r')
			return c;
		it->pos++;
	}
}

/*
 * Consumes one JSON value starting at buf[pos] (blanks already skipped),
 * appending its raw text to it->item when store is set.  Returns 0, -1 when
 * the file ends inside the value, -2 on a read error.
 */
static int scan_value(struct vl_json_items *it, int store)
{
	int depth = 0, in_str = 0, esc = 0, scalar;
	unsigned char first;

	if (fill(it) <= 0)
		return -1;
	first = it->buf[it->pos];
	scalar = first != '"' && first != '[' && first != '{';
	for (;;) {
		int rc = fill(it);
		if (rc <= 0)
			return scalar && rc == 0 ? 0 : (rc == 0 ? -1 : -2);
		const unsigned char *start = it->buf + it->pos, *p = start;
		const unsigned char *end = it->buf + it->len;
		int finished = 0;

		if (scalar) {
			while (p < end && *p != ',' && *p != ']' && *p != '}' && *p != ' ' &&
			       *p != '\n' && *p != '\r' && *p != '\t')
				p++;
			finished = p < end;
		} else {
			for (; p < end; p++) {
				unsigned char c = *p;
				if (in_str) {
					if (esc)
						esc = 0;
					else if (c == '\\')
						esc = 1;
					else if (c == '"') {
						in_str = 0;
						if (depth == 0) {
							p++;
							finished = 1;
							break;
						}
					} else if (c == '\n')
						it->line++;
				} else if (c == '"') {
					in_str = 1;
				} else if (c == '[' || c == '{') {
					depth++;
				} else if (c == ']' || c == '}') {
					if (--depth <= 0) {
						p++;
						finished = 1;
						break;
					}
				} else if (c == '\n') {
					it->line++;
				}
			}
		}
		if (store)
			vl_buf_add(&it->item, start, (size_t)(p - start));
		it->pos += (size_t)(p - start);
		if (finished)
			return 0;
	}
}

static void where_line(struct vl_json_items *it, struct vl_buf *err)
{
	vl_buf_addf(err, "'%s' line %zu", it->path, it->line);
}

int vl_json_items_open(struct vl_json_items *it, const char *path, const char *key,
		       struct vl_buf *err)
{
	int optional = key && key[0] == '?';
	int c;

	if (optional)
		key++;

	memset(it, 0, sizeof(*it));
	it->file = fopen(path, "rb");
	if (!it->file) {
		vl_buf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		return errno == ENOENT ? VL_ENOTFOUND : VL_EIO;
	}
	it->path = vl_xstrdup(path);
	it->buf = vl_xmalloc(READ_CHUNK);
	it->line = 1;
	if (fill(it) > 0 && it->len >= 3 && !memcmp(it->buf, "\xef\xbb\xbf", 3))
		it->pos = 3; /* UTF-8 byte order mark */
	c = peek(it);
	if (!key) {
		if (c != '[' && c != '{') {
			vl_buf_addf(err, "'%s': %s", path, c < 0 ? "empty file"
				    : "top-level value is not a JSON array or object");
			goto fail;
		}
		it->container = c;
		it->pos++;
		return 0;
	}
	if (c != '{') {
		vl_buf_addf(err, "'%s': %s (expected an object with a \"%s\" member)", path,
			    c < 0 ? "empty file" : "top-level value is not a JSON object", key);
		goto fail;
	}
	it->pos++;
	for (int first = 1;; first = 0) {
		c = peek(it);
		if (c == '}' && first)
			break;
		if (!first) {
			if (c != ',')
				break;
			it->pos++;
			c = peek(it);
		}
		if (c != '"')
			break;
		vl_buf_reset(&it->item);
		if (scan_value(it, 1) < 0)
			break;
		c = peek(it);
		if (c != ':')
			break;
		it->pos++;
		c = peek(it);
		if (c < 0)
			break;
		if (it->item.len == strlen(key) + 2 && !memcmp(it->item.buf + 1, key, strlen(key))) {
			if (c != '[' && c != '{') {
				where_line(it, err);
				vl_buf_addf(err, ": \"%s\" is not an array or object", key);
				goto fail;
			}
			it->container = c;
			it->pos++;
			vl_buf_reset(&it->item);
			return 0;
		}
		if (scan_value(it, 0) < 0)
			break;
	}
	if (c == '}' && optional) {
		vl_json_items_close(it);
		return 1;
	}
	if (c == '}')
		vl_buf_addf(err, "'%s': no top-level \"%s\" member", path, key);
	else if (c < 0)
		vl_buf_addf(err, "'%s': unexpected end of file before the \"%s\" member "
			    "(truncated JSON?)", path, key);
	else {
		where_line(it, err);
		vl_buf_addf(err, ": invalid JSON while looking for \"%s\"", key);
	}
fail:
	vl_json_items_close(it);
	return VL_EPARSE;
}

void vl_json_items_where(const struct vl_json_items *it, struct vl_buf *out)
{
	if (it->key)
		vl_buf_addf(out, "'%s' key \"%s\" (line %zu)", it->path, it->key, it->item_line);
	else
		vl_buf_addf(out, "'%s' record %zu (line %zu)", it->path, it->record,
			    it->item_line);
}

static int truncated(struct vl_json_items *it, int rc, struct vl_buf *err)
{
	it->done = 1;
	if (rc == -2) {
		vl_buf_addf(err, "cannot read '%s' after line %zu: %s", it->path, it->line,
			    strerror(errno));
		return VL_EIO;
	}
	vl_buf_addf(err, "'%s' line %zu: unexpected end of file after record %zu "
		    "(truncated JSON?)", it->path, it->line, it->record);
	return VL_EPARSE;
}

int vl_json_items_next(struct vl_json_items *it, cJSON **out, struct vl_buf *err)
{
	int close = it->container == '[' ? ']' : '}';
	size_t bad;
	int c, rc;

	*out = NULL;
	if (it->done)
		return 0;
	c = peek(it);
	if (c < 0)
		return truncated(it, c, err);
	if (c == close) {
		it->pos++;
		it->done = 1;
		return 0;
	}
	if (it->started) {
		if (c != ',') {
			it->done = 1;
			where_line(it, err);
			vl_buf_addf(err, ": expected ',' or '%c' after record %zu", close,
				    it->record);
			return VL_EPARSE;
		}
		it->pos++;
		c = peek(it);
		if (c < 0)
			return truncated(it, c, err);
	}
	it->started = 1;
	it->record++;
	vl_free(it->key);
	it->key = NULL;
	if (it->container == '{') {
		cJSON *k;
		if (c != '"') {
			it->done = 1;
			where_line(it, err);
			vl_buf_adds(err, ": expected a member name");
			return VL_EPARSE;
		}
		vl_buf_reset(&it->item);
		if ((rc = scan_value(it, 1)) < 0)
			return truncated(it, rc, err);
		k = cJSON_ParseWithLength(it->item.buf, it->item.len);
		it->key = vl_xstrdup(cJSON_IsString(k) ? k->valuestring : "?");
		cJSON_Delete(k);
		c = peek(it);
		if (c != ':') {
			if (c < 0)
				return truncated(it, c, err);
			it->done = 1;
			where_line(it, err);
			vl_buf_addf(err, ": expected ':' after \"%s\"", it->key);
			return VL_EPARSE;
		}
		it->pos++;
		c = peek(it);
		if (c < 0)
			return truncated(it, c, err);
	}
	it->item_line = it->line;
	vl_buf_reset(&it->item);
	if ((rc = scan_value(it, 1)) < 0)
		return truncated(it, rc, err);
	if (!vl_utf8_valid(it->item.buf, it->item.len, &bad)) {
		size_t line = it->item_line;
		for (size_t i = 0; i < bad; i++)
			line += it->item.buf[i] == '\n';
		vl_json_items_where(it, err);
		vl_buf_addf(err, ": invalid UTF-8 on line %zu", line);
		return VL_EPARSE;
	}
	*out = cJSON_ParseWithLength(it->item.buf, it->item.len);
	if (!*out) {
		vl_json_items_where(it, err);
		vl_buf_adds(err, ": invalid JSON");
		return VL_EPARSE;
	}
	return 1;
}

void vl_json_items_close(struct vl_json_items *it)
{
	if (it->file)
		fclose(it->file);
	vl_free(it->path);
	vl_free(it->buf);
	vl_free(it->key);
	vl_buf_release(&it->item);
	memset(it, 0, sizeof(*it));
}
