/*
 * vqa.h - a fast path into the "vqa" loader (datasets/vqa.c) for callers
 * that only need the ground truth of each annotation, such as `vleval score
 * vqa`: records come out as borrowed views, without building a struct
 * vl_sample (about 25 allocations) and without resolving image paths.
 */
#ifndef VL_DATASETS_VQA_H
#define VL_DATASETS_VQA_H

#include "datasets/dataset.h"

/* One annotation joined to its question.  Every pointer is borrowed from
 * the dataset and valid until the next call on it. */
struct vl_vqa_record {
	int64_t qid, image_id;
	size_t question_index;               /* position in the questions file */
	const char *const *answers;          /* every annotator answer, in order */
	size_t nanswers;
	const char *answer_type, *question_type;
	const char *multiple_choice_answer;  /* NULL when absent */
};

/* The next annotation of a dataset opened with format "vqa" and an
 * annotations file, in file order, like vl_dataset_next: 1 with *rec
 * filled, 0 at the end, VL_EPARSE for a bad record (err says which; call
 * again), VL_EINVAL for broken JSON or a dataset of another kind.  Do not
 * mix with vl_dataset_next on the same dataset; ids are not checked for
 * duplicates here (the caller's join does that). */
int vl_vqa_next_record(struct vl_dataset *ds, struct vl_vqa_record *rec, struct vl_buf *err);

/* The annotations are parsed on a background thread, a few batches of
 * records ahead of the reader (on by default).  Test hook: 0 parses them on
 * the calling thread instead, for datasets opened afterwards. */
void vl_vqa_set_background(int on);

#endif
