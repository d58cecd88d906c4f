/*
 * mcq.h - option-letter extraction for multiple-choice answers (the
 * "letter" extractor and the "mcq_accuracy" / "mcq_circular" metrics use it).
 */
#ifndef VL_MCQ_H
#define VL_MCQ_H

#include "core/vl.h"

/* vl_mcq_letter results besides a letter 'A'..'Z'. */
#define VL_MCQ_NONE 0         /* no option letter found */
#define VL_MCQ_AMBIGUOUS (-1) /* two different letters (or option texts) found */

/*
 * The option letter a raw answer names, by the rules in metrics/mcq.c (in
 * order of precedence: the whole answer is a letter; a leading label "B."
 * "(B)" "B)"; an explicit phrase "answer is B" "Answer: B" "option B"; the
 * answer equal to one option's text; standalone capital letters; one option's
 * text contained in the answer).  options (borrowed, may be NULL or empty)
 * gives the valid letters A.. and the texts; without options every letter
 * A..Z is valid and text matching is skipped.
 */
int vl_mcq_letter(const char *raw, const struct vl_strv *options);

#endif
