/*
 * openai_secret.c - the API key never leaves backend "openai" in a message:
 * vl_openai_redact (see openai.h) takes it, and partly masked echoes of it,
 * out of any text before the text becomes an error.
 */
#include "backends/openai.h"

#include <ctype.h>
#include <string.h>

static int is_word_char(char c)
{
	return c && !isspace((unsigned char)c) && c != '"' && c != '\'' && c != ',';
}

void vl_openai_redact(struct vl_buf *text, const char *key)
{
	struct vl_buf out = VL_BUF_INIT;
	size_t klen = key ? strlen(key) : 0, plen, i = 0;

	if (klen < 4 || !text->len)
		return;
	plen = klen < 8 ? klen : 8;
	while (i < text->len) {
		const char *p = text->buf + i;
		if (!strncmp(p, key, klen)) {
			vl_buf_adds(&out, "[redacted]");
			i += klen;
		} else if (!strncmp(p, key, plen) && (i == 0 || !is_word_char(p[-1]))) {
			vl_buf_adds(&out, "[redacted]");
			while (i < text->len && is_word_char(text->buf[i]))
				i++;
		} else {
			vl_buf_addch(&out, *p);
			i++;
		}
	}
	vl_buf_reset(text);
	vl_buf_add(text, out.buf, out.len);
	vl_buf_release(&out);
}
