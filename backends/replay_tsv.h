/*
 * replay_tsv.h - VLMEvalKit's result file for the replay backend: the
 * dataset TSV plus a "prediction" column, as VLMEvalKit writes it with
 * PRED_FORMAT=tsv (see replay_tsv.c).
 */
#ifndef VL_REPLAY_TSV_H
#define VL_REPLAY_TSV_H

#include <stddef.h>

/* 1 when the file's first line is a tab-separated header naming both an
 * "index" and a "prediction" column, else 0. */
int vl_replay_tsv_detect(const char *head, size_t n);

/*
 * Reads every row of the TSV text[0..n): put(ctx, id, prediction) receives
 * owned strings (free with vl_free) for each row.  Cells are read as
 * pandas read_csv(sep='\t') reads them; a NaN cell becomes "nan", as
 * VLMEvalKit's str() of it.  Returns the number of rows, or -1 with err
 * naming the path and line.
 */
long vl_replay_tsv_read(const char *path, const char *text, size_t n,
			void (*put)(void *ctx, char *id, char *prediction), void *ctx,
			char *err, size_t errlen);

#endif
