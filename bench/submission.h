/*
 * submission.h - a run's answers in a benchmark's official submission
 * format, for the evaluation servers of splits without public ground truth
 * (VQAv2 test-dev).  Reads the run log only.
 */
#ifndef VL_SUBMISSION_H
#define VL_SUBMISSION_H

#include "bench/runlog.h"

/* Writes the answered samples of run as the official VQA results format,
 * [{"question_id": 1, "answer": "..."}], in dataset order (integer ids as
 * numbers).  *written receives how many. */
int vl_submission_write_vqa(struct vl_runlog *rl, long long run, const char *path,
			    long *written, struct vl_buf *err);

#endif
