/*
 * idmap.c - a string -> size_t map with open addressing, for joining the
 * parts of a dataset file (COCO annotation image ids to image slots, TSV
 * indexes to byte offsets).  Keys are copied; lookups compare the strings,
 * so hash collisions never give wrong answers.
 */
#include "datasets/loader_util.h"

#include <string.h>

static size_t slot_of(const struct vl_idmap *m, const char *key)
{
	size_t i = vl_hash64(key, strlen(key), VL_HASH_SEED) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void vl_idmap_put(struct vl_idmap *m, const char *key, size_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		struct vl_idmap bigger = { NULL, NULL, m->cap ? m->cap * 2 : 64, 0 };
		bigger.keys = vl_xcalloc(bigger.cap, sizeof(char *));
		bigger.vals = vl_xcalloc(bigger.cap, sizeof(size_t));
		for (size_t k = 0; k < m->cap; k++) {
			if (!m->keys[k])
				continue;
			i = slot_of(&bigger, m->keys[k]);
			bigger.keys[i] = m->keys[k];
			bigger.vals[i] = m->vals[k];
			bigger.n++;
		}
		vl_free(m->keys);
		vl_free(m->vals);
		*m = bigger;
	}
	i = slot_of(m, key);
	if (!m->keys[i]) {
		m->keys[i] = vl_xstrdup(key);
		m->n++;
	}
	m->vals[i] = val;
}

int vl_idmap_get(const struct vl_idmap *m, const char *key, size_t *val)
{
	size_t i;

	if (!m->cap)
		return 0;
	i = slot_of(m, key);
	if (!m->keys[i])
		return 0;
	*val = m->vals[i];
	return 1;
}

void vl_idmap_release(struct vl_idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		vl_free(m->keys[i]);
	vl_free(m->keys);
	vl_free(m->vals);
	memset(m, 0, sizeof(*m));
}
