/*
 * mme.h - the yes/no benchmarks as their official code scores them:
 *   MME, official (BradyFU eval_tool/calculation.py, 1c1d69e1 = dd29509):
 *     per task acc, acc+ (both questions of an image right), score =
 *     acc*100 + acc+*100, TP/FN/TN/FP, precision, recall, other_num;
 *   MME, VLMEvalKit (YOrN_Extraction + MME_rating, e8e78f05): the "mme"
 *     metric;
 *   HallusionBench, VLMEvalKit (Hallusion_rating): the "hallusionbench"
 *     metric (aAcc, fAcc, qAcc).
 * Pure functions, no I/O.
 */
#ifndef VL_METRICS_MME_H
#define VL_METRICS_MME_H

#include "core/vl.h"

/* calculation.py's labels */
enum vl_mme_label { VL_MME_OTHER = -1, VL_MME_NO = 0, VL_MME_YES = 1 };

/*
 * parse_pred_ans of calculation.py on a response as read (trailing "\n"
 * included): Python lower(); exactly "yes"/"no" -> that; else "yes" within
 * the first four code points -> yes, else "no" there -> no, else other.
 */
int vl_mme_official_label(const char *response);

/* The numbers calculation.py computes for one task. */
struct vl_mme_task {
	long n_questions, n_images;
	long tp, fn, tn, fp, other_num;
	long correct, images_both;   /* right lines; images with both right */
	double acc, acc_plus, precision, recall;
	double score;                /* 0 + acc*100 + acc_plus*100 */
};

/*
 * Scores one task: gt[i] VL_MME_YES/NO and pred[i] the label of line i, in
 * file order; lines 2k and 2k+1 are image k.  n must be even (the script
 * asserts it): VL_EINVAL otherwise.
 */
int vl_mme_official_task(const int *gt, const int *pred, size_t n, struct vl_mme_task *out);

/* The official task lists: names[0..*n) in eval_type_dict order. */
extern const char *const vl_mme_perception[10];
extern const char *const vl_mme_cognition[4];

/*
 * VLMEvalKit's YOrN_Extraction: Python lower(), process_punctuation,
 * split() on Unicode white space; "Yes" when the word yes is there and no
 * is not, "No" for the reverse, else "Unknown".  Returns a static string.
 */
const char *vl_yorn_extract(const char *prediction);

#endif
