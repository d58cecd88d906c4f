/*
 * strmap.c - string-keyed hash map with open addressing (see vl.h).  Used
 * for sample-id sets: duplicate detection, answered samples on resume, the
 * join of the run log with the dataset.
 */
#include "core/vl.h"

#include <string.h>

static size_t slot(const struct vl_strmap *m, const char *key)
{
	size_t i = vl_hash64(key, strlen(key), VL_HASH_SEED) & (m->cap - 1);
	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void grow(struct vl_strmap *m)
{
	struct vl_strmap bigger = { NULL, NULL, m->cap ? m->cap * 2 : 256, 0 };

	bigger.keys = vl_xcalloc(bigger.cap, sizeof(char *));
	bigger.vals = vl_xcalloc(bigger.cap, sizeof(void *));
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i]) {
			size_t j = slot(&bigger, m->keys[i]);
			bigger.keys[j] = m->keys[i];
			bigger.vals[j] = m->vals[i];
			bigger.n++;
		}
	}
	vl_free(m->keys);
	vl_free(m->vals);
	*m = bigger;
}

int vl_strmap_put(struct vl_strmap *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3)
		grow(m);
	i = slot(m, key);
	if (m->keys[i]) {
		m->vals[i] = val;
		return 0;
	}
	m->keys[i] = vl_xstrdup(key);
	m->vals[i] = val;
	m->n++;
	return 1;
}

void **vl_strmap_find(const struct vl_strmap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = slot(m, key);
	return m->keys[i] ? &m->vals[i] : NULL;
}

void vl_strmap_release(struct vl_strmap *m, void (*free_val)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (m->keys[i]) {
			vl_free(m->keys[i]);
			if (free_val)
				free_val(m->vals[i]);
		}
	}
	vl_free(m->keys);
	vl_free(m->vals);
	memset(m, 0, sizeof(*m));
}
