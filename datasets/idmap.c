/*
 * idmap.c - a string -> size_t map for joining the parts of a dataset file
 * (COCO annotation image ids to image slots, TSV indexes to byte offsets):
 * the core hash table (core/strmap.c) with numbers for values.
 */
#include "datasets/loader_util.h"

#include <stdint.h>
#include <string.h>

void vl_idmap_put(struct vl_idmap *m, const char *key, size_t val)
{
	vl_strmap_put(&m->map, key, (void *)(uintptr_t)val);
	m->n = m->map.n;
}

int vl_idmap_get(const struct vl_idmap *m, const char *key, size_t *val)
{
	void **slot = vl_strmap_find(&m->map, key);

	if (!slot)
		return 0;
	*val = (size_t)(uintptr_t)*slot;
	return 1;
}

void vl_idmap_release(struct vl_idmap *m)
{
	vl_strmap_release(&m->map, NULL);
	memset(m, 0, sizeof(*m));
}
