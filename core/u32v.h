/*
 * u32v.h - a growable vector of uint32_t (token ids, alignment rows).
 * Plain struct, zero-initialised means empty; release with vl_u32v_release.
 */
#ifndef VL_U32V_H
#define VL_U32V_H

#include <stddef.h>
#include <stdint.h>

#include "core/alloc.h"

struct vl_u32v {
	uint32_t *v;      /* owned */
	size_t n, alloc;
};

/* Makes room for `more` further elements (doubling, at least 64). */
static inline void vl_u32v_reserve(struct vl_u32v *v, size_t more)
{
	if (v->n + more > v->alloc) {
		size_t na = v->alloc ? v->alloc * 2 : 64;
		while (na < v->n + more)
			na *= 2;
		v->v = vl_xrealloc(v->v, na * sizeof(*v->v));
		v->alloc = na;
	}
}

static inline void vl_u32v_push(struct vl_u32v *v, uint32_t x)
{
	if (v->n == v->alloc)
		vl_u32v_reserve(v, 1);
	v->v[v->n++] = x;
}

static inline void vl_u32v_release(struct vl_u32v *v)
{
	vl_free(v->v);
	v->v = NULL;
	v->n = v->alloc = 0;
}

#endif
