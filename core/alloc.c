/*
 * alloc.c - allocation wrapper with failure injection (see alloc.h).
 */
#include "core/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Failure injection is for single-threaded tests only; -1 means off. */
static long fail_countdown = -1;

void vl_alloc_fail_after(long n)
{
	fail_countdown = n;
}

static int should_fail(void)
{
	if (fail_countdown < 0)
		return 0;
	if (fail_countdown == 0)
		return 1;
	fail_countdown--;
	return 0;
}

void *vl_malloc(size_t n)
{
	if (should_fail())
		return NULL;
	return malloc(n ? n : 1);
}

void *vl_calloc(size_t n, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *vl_realloc(void *p, size_t n)
{
	if (should_fail())
		return NULL;
	return realloc(p, n ? n : 1);
}

char *vl_strndup(const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = vl_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *vl_strdup(const char *s)
{
	return s ? vl_strndup(s, strlen(s)) : NULL;
}

void vl_free(void *p)
{
	free(p);
}

static void oom(size_t n)
{
	fprintf(stderr, "vleval: out of memory allocating %zu bytes\n", n);
	abort();
}

void *vl_xmalloc(size_t n)
{
	void *p = vl_malloc(n);
	if (!p)
		oom(n);
	return p;
}

void *vl_xcalloc(size_t n, size_t size)
{
	void *p = vl_calloc(n, size);
	if (!p)
		oom(n * size);
	return p;
}

void *vl_xrealloc(void *p, size_t n)
{
	void *q = vl_realloc(p, n);
	if (!q)
		oom(n);
	return q;
}

char *vl_xstrndup(const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = vl_strndup(s, n);
	if (!d)
		oom(n + 1);
	return d;
}

char *vl_xstrdup(const char *s)
{
	return s ? vl_xstrndup(s, strlen(s)) : NULL;
}
