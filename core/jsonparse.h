/*
 * jsonparse.h - cJSON parsing of text from outside (servers, workers,
 * prediction files) that keeps a U+0000 from cutting a string short.
 *
 * cJSON decodes "\u0000" into a NUL byte inside a NUL-terminated string,
 * so everything after it would be lost.  vl_cjson_parse turns each such
 * escape into "\u2400" (SYMBOL FOR NULL, the same six bytes) first: the
 * text is kept whole, with a visible mark where the NUL was.
 */
#ifndef VL_JSONPARSE_H
#define VL_JSONPARSE_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* cJSON_ParseWithLength(json, n) after the rewrite above (json is not
 * changed: a copy is made when it holds the escape).  Caller frees with
 * cJSON_Delete; NULL when the text is not JSON. */
cJSON *vl_cjson_parse(const char *json, size_t n);

/* The rewrite alone, in place on json[0..n); returns how many escapes. */
size_t vl_json_nul_to_symbol(char *json, size_t n);

#endif
