/*
 * test_helpers.h - what the cmocka unit tests share: reading fixtures and
 * locating ../shared (tests that need it skip with a message when absent).
 */
#ifndef VL_TEST_HELPERS_H
#define VL_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/vl.h"

/* Loads a JSON file relative to the repository root; fails the test if it
 * cannot. Caller frees with cJSON_Delete. */
static inline cJSON *th_load_json(const char *path)
{
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT;
	cJSON *j;

	if (vl_read_file(path, &text, &err) < 0) {
		print_error("%s\n", vl_buf_str(&err));
		fail();
	}
	j = cJSON_ParseWithLength(text.buf, text.len);
	if (!j) {
		print_error("cannot parse %s\n", path);
		fail();
	}
	vl_buf_release(&text);
	vl_buf_release(&err);
	return j;
}

/* ../shared (or $VLEVAL_SHARED) + rel when it exists, else NULL and the
 * test is skipped with a message. */
static inline const char *th_shared(const char *rel, char *out, size_t outlen)
{
	const char *root = getenv("VLEVAL_SHARED");
	struct stat st;

	snprintf(out, outlen, "%s/%s", root ? root : "../shared", rel);
	if (stat(out, &st) != 0) {
		print_message("skipping: %s is absent (../shared not present)\n", out);
		return NULL;
	}
	return out;
}

/* Relative difference check for doubles (1e-12 as the reference asks). */
#define assert_close(a, b, rel) do { \
	double a_ = (a), b_ = (b); \
	double d_ = fabs(a_ - b_), s_ = fmax(fabs(a_), fabs(b_)); \
	if (!(d_ <= (rel) * s_ || d_ == 0)) { \
		print_error("%.17g != %.17g (rel %g)\n", a_, b_, d_ / s_); \
		fail(); \
	} \
} while (0)

/* Removes a SQLite database and its -wal and -shm files (tests that make
 * a run log in /tmp). */
static inline void th_remove_db(const char *path)
{
	char p[256];

	remove(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	remove(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	remove(p);
}

#endif
