/*
 * alloc.h - the one allocation wrapper.
 *
 * Every allocation in vleval goes through these functions so that a test can
 * make the Nth allocation fail (vl_alloc_fail_after) and check that the code
 * under test reports the failure instead of crashing; the environment variable
 * VLEVAL_ALLOC_FAIL_AFTER=N does the same for a whole vleval process.  The
 * vl_x* variants never return NULL: they print "out of memory" and end the
 * process with exit status 4, for the places where running out of memory is
 * not a recoverable condition (the CLI, the runner's bookkeeping).
 */
#ifndef VL_ALLOC_H
#define VL_ALLOC_H

#include <stddef.h>

void *vl_malloc(size_t n);             /* NULL on failure */
void *vl_calloc(size_t n, size_t size); /* NULL on failure */
void *vl_realloc(void *p, size_t n);   /* NULL on failure, p untouched */
char *vl_strdup(const char *s);        /* NULL if s is NULL or on failure */
char *vl_strndup(const char *s, size_t n);
void vl_free(void *p);

void *vl_xmalloc(size_t n);
void *vl_xcalloc(size_t n, size_t size);
void *vl_xrealloc(void *p, size_t n);
char *vl_xstrdup(const char *s);       /* NULL only if s is NULL */
char *vl_xstrndup(const char *s, size_t n);

/* vl_xmalloc for a big array written once, page by page (tens of MB):
 * where the kernel offers transparent huge pages on request (Linux,
 * MADV_HUGEPAGE), asks for them on the 2 MiB pages inside the array, so
 * that first touches fault once per 2 MiB rather than once per 4 KiB.
 * Only a hint: nothing changes where it is refused.  Free with vl_free. */
void *vl_xmalloc_big(size_t n);

/* Test hook: after n more successful allocations, every allocation fails
 * until vl_alloc_fail_after(-1) switches failure injection off again. */
void vl_alloc_fail_after(long n);

#endif
