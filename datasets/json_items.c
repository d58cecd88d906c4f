/*
 * json_items.c - streaming reader of the elements of one big JSON
 * container (see loader_util.h), on top of the pull reader jsonr.c: the
 * reader's tokens walk the structure (the top-level object, its keys, the
 * container), vl_jsonr_raw captures one element's text, and cJSON parses
 * that element alone, so memory is bounded by the largest element.
 */
#include "datasets/loader_util.h"

#include <string.h>

static void where_line(struct vl_json_items *it, struct vl_buf *err)
{
	vl_buf_addf(err, "'%s' line %zu", it->path, it->r.line);
}

int vl_json_items_open(struct vl_json_items *it, const char *path, const char *key,
		       struct vl_buf *err)
{
	int optional = key && key[0] == '?';
	int c, t, rc;

	if (optional)
		key++;
	memset(it, 0, sizeof(*it));
	it->path = vl_xstrdup(path);
	rc = vl_jsonr_open(&it->r, it->path, err);
	if (rc < 0) {
		vl_free(it->path);
		memset(it, 0, sizeof(*it));
		return rc;
	}
	c = vl_jsonr_peek_byte(&it->r, NULL);
	if (!key) {
		if (c != '[' && c != '{') {
			vl_buf_addf(err, "'%s': %s", path, c < 0 ? "empty file"
				    : "top-level value is not a JSON array or object");
			goto fail;
		}
		vl_jsonr_next(&it->r, NULL);
		it->container = c;
		return 0;
	}
	if (c != '{') {
		vl_buf_addf(err, "'%s': %s (expected an object with a \"%s\" member)", path,
			    c < 0 ? "empty file" : "top-level value is not a JSON object", key);
		goto fail;
	}
	vl_jsonr_next(&it->r, NULL);
	for (;;) {
		c = vl_jsonr_peek_byte(&it->r, NULL);
		if (c < 0)
			break;
		t = vl_jsonr_next(&it->r, NULL);
		if (t != VL_J_KEY)
			break;
		if (!strcmp(it->r.str.buf, key)) {
			c = vl_jsonr_peek_byte(&it->r, NULL);
			if (c < 0)
				break;
			if (c != '[' && c != '{') {
				where_line(it, err);
				vl_buf_addf(err, ": \"%s\" is not an array or object", key);
				goto fail;
			}
			vl_jsonr_next(&it->r, NULL);
			it->container = c;
			return 0;
		}
		if (vl_jsonr_raw(&it->r, NULL, NULL) != 1) {
			c = -1;
			break;
		}
	}
	if (t == VL_J_OBJ_END && optional) {
		vl_json_items_close(it);
		return 1;
	}
	if (t == VL_J_OBJ_END)
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
	if (rc == VL_EIO)
		return VL_EIO;  /* err filled by the reader */
	vl_buf_addf(err, "'%s' line %zu: unexpected end of file after record %zu "
		    "(truncated JSON?)", it->path, it->r.line, it->record);
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
	c = vl_jsonr_peek_byte(&it->r, err);
	if (c < 0)
		return truncated(it, c, err);
	if (c == close) {
		vl_jsonr_next(&it->r, NULL);
		it->done = 1;
		return 0;
	}
	if (it->started && c != ',') {
		it->done = 1;
		where_line(it, err);
		vl_buf_addf(err, ": expected ',' or '%c' after record %zu", close, it->record);
		return VL_EPARSE;
	}
	it->started = 1;
	it->record++;
	vl_free(it->key);
	it->key = NULL;
	if (it->container == '{') {
		if (c == ',') {
			/* the reader takes the ',' with the key that follows */
			size_t line = it->r.line;
			int t = vl_jsonr_next(&it->r, NULL);
			if (t != VL_J_KEY) {
				it->done = 1;
				if (it->r.eof && it->r.pos >= it->r.len)
					return truncated(it, -1, err);
				vl_buf_addf(err, "'%s' line %zu: expected a member name", it->path, line);
				return VL_EPARSE;
			}
		} else if (c != '"' || vl_jsonr_next(&it->r, NULL) != VL_J_KEY) {
			it->done = 1;
			if (c == '"' && it->r.eof && it->r.pos >= it->r.len)
				return truncated(it, -1, err);
			where_line(it, err);
			vl_buf_adds(err, ": expected a member name");
			return VL_EPARSE;
		}
		it->key = vl_xstrdup(it->r.str.buf);
	}
	c = vl_jsonr_peek_byte(&it->r, err);
	if (c < 0)
		return truncated(it, c, err);
	it->item_line = it->r.line;
	vl_buf_reset(&it->item);
	rc = vl_jsonr_raw(&it->r, &it->item, err);
	if (rc <= 0)
		return truncated(it, rc == 0 ? -1 : rc, err);
	/* the line where the element itself starts (after a ',') */
	it->item_line = it->r.tok_line;
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
	vl_jsonr_close(&it->r);
	vl_free(it->path);
	vl_free(it->key);
	vl_buf_release(&it->item);
	memset(it, 0, sizeof(*it));
}
