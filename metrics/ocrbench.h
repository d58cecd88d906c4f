/*
 * ocrbench.h - OCRBench as its official example.py scores it
 * (Yuliang-Liu/MultimodalOCR 794c36d, example.py unchanged since f5cbec66)
 * and as VLMEvalKit's OCRBench.evaluate does (e8e78f05): an item scores 1
 * when any answer is a substring of the prediction after normalisation;
 * ten per-type counts, five groups and the final score out of 1000.
 * Pure functions, no I/O.
 */
#ifndef VL_METRICS_OCRBENCH_H
#define VL_METRICS_OCRBENCH_H

#include "core/vl.h"

#define VL_OCRBENCH_HME "Handwritten Mathematical Expression Recognition"

/* The ten question types in the official print order. */
extern const char *const vl_ocrbench_types[10];
/* Items per type in the released 1000-question set. */
extern const int vl_ocrbench_type_total[10];

/*
 * 1 when one of answers[0..n) occurs in prediction after the official
 * normalisation; hme selects the formula rule (strip, newline to space,
 * every space removed) over the text rule (Python lower, strip, newline to
 * space).
 */
int vl_ocrbench_match(const char *prediction, const char *const *answers, size_t n, int hme);

#endif
