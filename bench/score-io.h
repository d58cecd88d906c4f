/*
 * score-io.h - what the `vleval score` kinds that read files of their own
 * shape (caption, grounding, vqa, pope) share: the list of input problems
 * and the --lenient policy over it, opening a dataset loader on the
 * reference files, and the pieces of the standard JSON output.
 *
 * The --lenient policy: a problem names the file, the line or record and
 * the id; without --lenient any problem is fatal (the problems are printed
 * as errors and nothing is scored), with it the problem's item is skipped,
 * the problem printed as a warning and listed under "skipped" in the JSON.
 */
#ifndef VL_SCORE_IO_H
#define VL_SCORE_IO_H

#include "core/vl.h"
#include "datasets/dataset.h"
#include "metrics/metric.h"

#include <cjson/cJSON.h>

/* Problems found in the inputs, in the order found.  The first
 * VL_SCORE_PROBLEMS_KEPT messages are kept; count counts them all. */
#define VL_SCORE_PROBLEMS_KEPT 1000
struct vl_score_problems {
	struct vl_strv msgs;
	size_t count;
};

void vl_score_problem(struct vl_score_problems *pb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Takes msg (allocated with vl_xmalloc) as a problem. */
void vl_score_problem_owned(struct vl_score_problems *pb, char *msg);
void vl_score_problems_release(struct vl_score_problems *pb);

/* Prints the first `shown` (0: all) kept problems, as warnings "skipped:
 * MSG" when lenient, else as errors; returns how many it printed. */
size_t vl_score_problems_print(const struct vl_score_problems *pb, int lenient, size_t shown);

/* Appends the JSON array ["a", "b", ...] of v[0..n). */
void vl_score_json_strings(struct vl_buf *out, const char *const *v, size_t n);

/* Appends "name": value pairs of v[0..n), separated by ", " and ": " when
 * spaced, else by "," and ":" (no braces). */
void vl_score_json_values(struct vl_buf *out, const struct vl_metric_value *v, int n, int spaced);

/* A dataset loader opened on reference files named on the command line. */
struct vl_score_dataset {
	struct vl_dataset_spec spec;   /* the loader may keep a pointer to it */
	cJSON *json;
	struct vl_dataset *ds;
};

/* Opens the loader of format with the string members kv[0] = kv[1], ...
 * (NULL-terminated pairs); who names the command in messages.  0, or a
 * negative code with err filled (close d all the same). */
int vl_score_dataset_open(struct vl_score_dataset *d, const char *who, const char *format,
			  const char *const *kv, int strict, struct vl_buf *err);
void vl_score_dataset_close(struct vl_score_dataset *d);

#endif
