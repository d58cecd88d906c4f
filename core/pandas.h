/*
 * pandas.h - what pandas read_csv makes of a field, for the readers of
 * VLMEvalKit's TSV files (datasets/vlmeval_tsv.c, backends/replay_tsv.c).
 */
#ifndef VL_PANDAS_H
#define VL_PANDAS_H

/* 1 when read_csv turns the whole field s into NaN (its default na_values
 * of pandas >= 2.0: "", "NA", "N/A", "NULL", "nan", "None", "#N/A", ...),
 * which VLMEvalKit's scorers then see as the text "nan"; NULL counts too. */
int vl_pandas_is_na(const char *s);

#endif
