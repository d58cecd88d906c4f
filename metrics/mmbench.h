/*
 * mmbench.h - VLMEvalKit's rule-based option matching (utils/
 * multiple_choice.py can_infer, e8e78f05, with the "answer is X" regex of
 * a67ace50), which MMBench's CircularEval and the other VLMEvalKit
 * multiple-choice sets use when no GPT judge is given.  Pure, no I/O.
 */
#ifndef VL_METRICS_MMBENCH_H
#define VL_METRICS_MMBENCH_H

#include "core/vl.h"

/*
 * can_infer(answer, choices) with choices the option texts of letters A,
 * B, ... (n of them): returns the letter ('A'..), 'Z' (a refusal, or a
 * lone token Z), or 0 (False: nothing inferred).
 */
int vl_mmbench_can_infer(const char *answer, const char *const *options, size_t n);

#endif
