/*
 * chartqa.h - ChartQA's relaxed correctness (see chartqa.c).
 */
#ifndef VL_METRICS_CHARTQA_H
#define VL_METRICS_CHARTQA_H

/* relaxed_correctness(target, prediction) of VLMEvalKit / pix2struct, on
 * the strings as given (the caller strips the prediction): 1 or 0. */
int vl_chartqa_relaxed(const char *target, const char *prediction);

#endif
