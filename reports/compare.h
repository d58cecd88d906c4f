/*
 * compare.h - two runs of one task compared sample by sample: each headline
 * value of each metric for both runs, the difference with its paired
 * bootstrap interval, a p-value, and the samples that flipped.
 *
 * The pairs are the samples both runs answered.  Both runs' metrics are
 * re-finished from the stored rows (the reference each row keeps and each
 * run's extracted answer), one accumulator per run, so corpus metrics
 * (CIDEr, BLEU, POPE's F1) are resampled as themselves.  The test behind
 * each p-value:
 *   - McNemar's exact test when the value is the mean of per-sample 0/1
 *     scores (POPE accuracy, exact match, multiple-choice accuracy);
 *   - the paired permutation test when it is the mean of other per-sample
 *     scores (VQA accuracy, ANLS);
 *   - the paired bootstrap's p-value otherwise (corpus metrics).
 *
 * Reads the run log through bench/runlog.h only; prints nothing.
 */
#ifndef VL_COMPARE_H
#define VL_COMPARE_H

#include "bench/runlog.h"
#include "core/vl.h"
#include "reports/stats.h"

struct vl_compare_opts {
	const char *const *metrics;   /* the task's metric names (borrowed) */
	size_t nmetrics;
	const struct vl_kv *metric_opts; /* the task's metric options (borrowed, may be NULL) */
	const char *only;             /* --metric: "pope", "pope/f1" or "f1"; NULL: all */
	int intersect;                /* compare the shared samples of different sets */
	int resamples;                /* bootstrap and permutation resamples */
	uint64_t seed;
	double level;                 /* e.g. 0.95 */
	size_t max_flips;             /* flipped samples kept per direction */
};

struct vl_compare_value {
	char *metric, *name;          /* owned */
	int higher_is_better;
	int primary;                  /* the metric's primary value */
	struct vl_paired_result r;    /* a, b, diff, lo, hi, p (NAN: none) */
	const char *test;             /* static: "mcnemar", "permutation", "bootstrap" */
	long discordant_a, discordant_b; /* McNemar: right only in A, right only in B */
	long n;                       /* pairs the metric scored */
};

struct vl_compare_flip {
	char *id, *question;
	char *reference;              /* the ground truth in a few words */
	char *reference_json;         /* as stored */
	char *output_a, *output_b, *extracted_a, *extracted_b;
	double score_a, score_b;
};

struct vl_compare_result {
	struct vl_run_info a, b;      /* owned */
	long rows_a, rows_b;          /* sample rows of each run */
	long only_a, only_b;          /* ids in one run only (left out with intersect) */
	long failed;                  /* shared ids that failed in one run or both */
	long pairs;                   /* answered by both */
	struct vl_compare_value *v;   /* owned */
	size_t nv;
	const char *flip_metric;      /* metric whose per-sample scores decide flips */
	struct vl_compare_flip *worse, *better; /* right->wrong, wrong->right (B vs A) */
	size_t nworse, nbetter;
	long total_worse, total_better;
	int resamples;
	uint64_t seed;
	double level;
};

/*
 * Compares run b of log rlb against run a of log rla (the same log, or
 * two: a baseline kept apart).  Refuses (VL_EINVAL, err says why) runs of
 * different tasks or task versions, runs over different sample sets unless
 * o->intersect, rows without a stored reference, and samples whose stored
 * references differ between the runs.
 */
int vl_compare_runs(struct vl_runlog *rla, long long a, struct vl_runlog *rlb, long long b,
		    const struct vl_compare_opts *o, struct vl_compare_result *res,
		    struct vl_buf *err);
void vl_compare_result_release(struct vl_compare_result *res);

/* The comparison as a terminal table, or as one JSON object. */
void vl_compare_text(const struct vl_compare_result *res, struct vl_buf *out);
void vl_compare_json(const struct vl_compare_result *res, struct vl_buf *out);

/* 1 when value v (metric/name) is selected by --metric sel (NULL: all). */
int vl_compare_selects(const char *sel, const char *metric, const char *name);

#endif
