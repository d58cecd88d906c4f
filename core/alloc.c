/*
 * alloc.c - allocation wrapper with failure injection (see alloc.h).
 */
#include "core/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Allocations left before failure injection starts failing them; -1 off.
 * Atomic: the openai I/O thread and the caption workers allocate too. */
static long fail_countdown = -1;
static int env_read;

void vl_alloc_fail_after(long n)
{
	__atomic_store_n(&env_read, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
}

/* VLEVAL_ALLOC_FAIL_AFTER=N: the whole process runs with the (N+1)th and
 * every later allocation failing (tests/integration/alloc_fail.sh). */
static void read_env(void)
{
	const char *e = getenv("VLEVAL_ALLOC_FAIL_AFTER");
	char *end;
	long n;

	__atomic_store_n(&env_read, 1, __ATOMIC_RELAXED);
	if (!e || !*e)
		return;
	n = strtol(e, &end, 10);
	if (*end == '\0' && n >= 0)
		__atomic_store_n(&fail_countdown, n, __ATOMIC_RELAXED);
}

static int should_fail(void)
{
	long left;

	if (!__atomic_load_n(&env_read, __ATOMIC_RELAXED))
		read_env();
	left = __atomic_load_n(&fail_countdown, __ATOMIC_RELAXED);
	while (left > 0) {
		if (__atomic_compare_exchange_n(&fail_countdown, &left, left - 1, 0,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			return 0;
	}
	return left == 0;
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

/* No memory for bookkeeping that cannot fail: say so and leave at once
 * with exit status 4 (fatal, resumable: what was committed stays).  _exit,
 * not exit: other threads may still be running, and nothing half-done in
 * this process is worth flushing. */
static void oom(size_t n)
{
	char msg[96];
	int len = snprintf(msg, sizeof(msg), "vleval: error: out of memory allocating %zu bytes\n", n);

	if (len > 0 && write(2, msg, (size_t)len) < 0) {
		/* nothing more to say */
	}
	_exit(4);
}

void *vl_xmalloc(size_t n)
{
	void *p = vl_malloc(n);
	if (!p)
		oom(n);
	return p;
}

void *vl_xmalloc_big(size_t n)
{
	void *p = vl_xmalloc(n);
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(huge - 1);

	if (e > a)
		madvise((void *)a, e - a, MADV_HUGEPAGE);
#endif
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
