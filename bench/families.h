/*
 * families.h - model families and their grounding conventions: how each
 * family is asked for a box and how it writes one (the box_format of
 * metrics/boxparse.c).  `vleval run --model-family NAME` picks the entry on
 * every grounding task; a task file's own "prompts" / "metric_options_by_family"
 * entry for that name still wins.
 *
 * Adding a family: add a row to families[] in bench/families.c (its box
 * format must exist in metrics/boxparse.c), a row with a hand-checked box in
 * tests/unit/bench/test_families.c and a line in README's families table.
 */
#ifndef VL_FAMILIES_H
#define VL_FAMILIES_H

#include "core/vl.h"

struct vl_model_family {
	const char *name;        /* what --model-family takes, lower case */
	const char *box_format;  /* metric/extractor option box_format */
	const char *prompt;      /* grounding prompt template ({question}) */
	const char *source;      /* where the convention comes from */
};

/* The entry called name (exact, case-insensitive); NULL if none. */
const struct vl_model_family *vl_model_family_find(const char *name);

/* NULL-terminated list of the family names (static strings). */
const char *const *vl_model_family_names(void);

/* Appends "unknown model family 'x' (known: a, b, ...)" to err. */
void vl_model_family_unknown(const char *name, struct vl_buf *err);

#endif
