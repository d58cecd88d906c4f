/*
 * replay_tsv.c - reads VLMEvalKit's own result file (dataset TSV + a
 * "prediction" column, PRED_FORMAT=tsv; VLMEvalKit writes it QUOTE_ALL) so
 * that predictions made with VLMEvalKit are re-scored by vleval.
 *
 * Reading follows pandas read_csv(sep='\t'), which VLMEvalKit's load()
 * uses: a field may be quoted with '"' ('""' inside is one quote) and then
 * holds tabs and newlines; nothing is stripped; a whole field in pandas'
 * NaN list ('', 'NA', 'N/A', 'NULL', 'nan', 'None', ...) becomes NaN, which
 * the scorers see as the string "nan".  An integer index is written back
 * as Python's str() of the int ("007" -> "7").  Not reproduced: pandas
 * turns a prediction column whose every cell is a number into floats
 * ("12" -> "12.0"); here the text is kept.
 */
#include "backends/replay_tsv.h"
#include "core/pandas.h"
#include "core/vl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One row from text at *pos into cells (reset first); returns the number
 * of cells, 0 at the end, -1 on a quote never closed. */
static long read_row(const char *text, size_t n, size_t *pos, struct vl_strv *cells,
		     size_t *line)
{
	struct vl_buf cell = VL_BUF_INIT;
	size_t i = *pos;

	vl_strv_clear(cells);
	if (i >= n)
		return 0;
	for (;;) {
		vl_buf_reset(&cell);
		if (i < n && text[i] == '"') {
			i++;
			for (;;) {
				if (i >= n) {
					vl_buf_release(&cell);
					return -1;
				}
				if (text[i] == '"') {
					if (i + 1 < n && text[i + 1] == '"') {
						vl_buf_addch(&cell, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				*line += text[i] == '\n';
				vl_buf_addch(&cell, text[i++]);
			}
		}
		/* text after a closing quote, or an unquoted field */
		while (i < n && text[i] != '\t' && text[i] != '\n' && text[i] != '\r')
			vl_buf_addch(&cell, text[i++]);
		vl_strv_push(cells, vl_buf_str(&cell));
		if (i < n && text[i] == '\t') {
			i++;
			continue;
		}
		if (i < n && text[i] == '\r')
			i++;
		if (i < n && text[i] == '\n')
			i++;
		(*line)++;
		break;
	}
	vl_buf_release(&cell);
	*pos = i;
	return (long)cells->n;
}

int vl_replay_tsv_detect(const char *head, size_t n)
{
	size_t pos = 0, line = 1;
	struct vl_strv cells = { 0 };
	const char *nl = memchr(head, '\n', n);
	int idx = 0, pred = 0;

	if (!nl || !memchr(head, '\t', (size_t)(nl - head)))
		return 0;
	if (read_row(head, (size_t)(nl - head) + 1, &pos, &cells, &line) > 0)
		for (size_t i = 0; i < cells.n; i++) {
			idx |= !strcmp(cells.v[i], "index");
			pred |= !strcmp(cells.v[i], "prediction");
		}
	vl_strv_release(&cells);
	return idx && pred;
}

long vl_replay_tsv_read(const char *path, const char *text, size_t n,
			void (*put)(void *ctx, char *id, char *prediction), void *ctx,
			char *err, size_t errlen)
{
	struct vl_strv cells = { 0 };
	size_t pos = 0, line = 1, ncols;
	long ci = -1, cp = -1, rows = 0, r;

	if (n >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	if (read_row(text, n, &pos, &cells, &line) <= 0) {
		snprintf(err, errlen, "'%s' line 1: no header row", path);
		vl_strv_release(&cells);
		return -1;
	}
	ncols = cells.n;
	for (size_t i = 0; i < cells.n; i++) {
		if (!strcmp(cells.v[i], "index"))
			ci = (long)i;
		if (!strcmp(cells.v[i], "prediction"))
			cp = (long)i;
	}
	if (ci < 0 || cp < 0) {
		snprintf(err, errlen, "'%s' line 1: header has no \"%s\" column", path,
			 ci < 0 ? "index" : "prediction");
		vl_strv_release(&cells);
		return -1;
	}
	for (;;) {
		size_t at = line;
		char *id, *end;
		long long v;

		r = read_row(text, n, &pos, &cells, &line);
		if (r == 0)
			break;
		if (r < 0) {
			snprintf(err, errlen, "'%s' line %zu: quoted field never closed", path, at);
			vl_strv_release(&cells);
			return -1;
		}
		if (cells.n == 1 && !cells.v[0][0])
			continue;   /* pandas skips blank lines */
		if (cells.n != ncols) {
			snprintf(err, errlen, "'%s' line %zu: %zu fields, the header has %zu", path, at,
				 cells.n, ncols);
			vl_strv_release(&cells);
			return -1;
		}
		v = strtoll(cells.v[ci], &end, 10);
		if (*cells.v[ci] && !*end) {
			char tmp[32];
			snprintf(tmp, sizeof(tmp), "%lld", v);
			id = vl_xstrdup(tmp);
		} else {
			id = vl_xstrdup(cells.v[ci]);
		}
		put(ctx, id, vl_xstrdup(vl_pandas_is_na(cells.v[cp]) ? "nan" : cells.v[cp]));
		rows++;
	}
	vl_strv_release(&cells);
	return rows;
}
