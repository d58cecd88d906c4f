/*
 * score-ci.h - bootstrap intervals for the `vleval score` kinds that
 * reproduce a published scorer (mme, ocrbench, mmmu): their samples go
 * through the one scoring path (bench/scoring.h), whose finish emits each
 * value with its percentile interval; this collects the whole-set values
 * and prints them.
 */
#ifndef VL_SCORE_CI_H
#define VL_SCORE_CI_H

#include "bench/scoring.h"

struct vl_score_ci {
	struct vl_strv names;     /* value names of the whole set (subset "") */
	double *value, *lo, *hi;  /* owned, names.n of each */
	struct vl_scoring_ci ci;  /* the settings used */
};

/* An emit callback for vl_scoring_finish: ctx is a struct vl_score_ci. */
void vl_score_ci_collect(void *ctx, const struct vl_scoring_value *v);

/* vl_scoring_finish of sc into c; when nothing was scored (the path then
 * emits nothing), the values of metric (opts: its options, may be NULL)
 * over an empty set instead, as the score kinds have always printed them. */
void vl_score_ci_finish(struct vl_scoring *sc, const char *metric, const struct vl_kv *opts,
			struct vl_score_ci *c);

/* The index of value name, or -1. */
long vl_score_ci_find(const struct vl_score_ci *c, const char *name);

/* Appends ,"ci":{"resamples":N,"seed":S,"level":L,"NAME":[lo,hi],...} for
 * the values with an interval; nothing when resamples is 0. */
void vl_score_ci_json(const struct vl_score_ci *c, struct vl_buf *out);

/* Appends one line per value with an interval: "95% CI NAME: [lo, hi]". */
void vl_score_ci_text(const struct vl_score_ci *c, struct vl_buf *out);

void vl_score_ci_release(struct vl_score_ci *c);

#endif
