/*
 * option.h - backend options read through their table (struct
 * vl_backend_option, backends/backend.h): the host checks a config against
 * a backend's table before open(), and the built-in backends take each value
 * (or the table's default) from here, so a key's type, range and default are
 * written once, in the table.
 *
 * Adding an option to a built-in backend: add a row to its table (key, type,
 * default, meaning, VL_OPTION_ANSWERS when it changes what the model
 * answers), read it in open() with vl_option_*(), and add it to README's
 * table for that backend (`vleval backends NAME` prints the same rows).
 */
#ifndef VL_OPTION_H
#define VL_OPTION_H

#include "backends/backend.h"
#include "core/vl.h"

/* The row of key in table (ended by a NULL key), or NULL.  table may be NULL. */
const struct vl_backend_option *vl_option_find(const struct vl_backend_option *table,
					       const char *key);

/* Checks value against row o's type and range.  Returns 0, or VL_EINVAL with
 * "option 'KEY' wants ..., got 'VALUE'" appended to err. */
int vl_option_check(const struct vl_backend_option *o, const char *value, struct vl_buf *err);

/* The type of o as shown in tables ("text", "int 1..1024", "number >= 0",
 * "0|1", "base64|url", "JSON"), appended to out. */
void vl_option_describe_type(const struct vl_backend_option *o, struct vl_buf *out);

/*
 * Value of key: cfg's, else the table's default, else NULL.  The row must
 * exist in table (a programming error otherwise: returns NULL).
 */
const char *vl_option_str(const struct vl_backend_option *table,
			  const struct vl_backend_config *cfg, const char *key);

/*
 * Number (INT, NUMBER, BOOL rows) of key: cfg's value, else the table's
 * default, else 0.  Returns 0, or -1 with the vl_option_check message in
 * err (errlen bytes) when the value does not fit the row.
 */
int vl_option_num(const struct vl_backend_option *table, const struct vl_backend_config *cfg,
		  const char *key, double *out, char *err, size_t errlen);

#endif
