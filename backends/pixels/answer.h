/*
 * answer.h - the language half of `pixels`: reads a prompt of the synthetic
 * suite's templates (VQA, POPE, multiple choice, captioning, referring
 * expressions) and answers it from a segmented scene (vision.h).  A prompt
 * it cannot read gets "unknown".
 */
#ifndef VL_PIXELS_ANSWER_H
#define VL_PIXELS_ANSWER_H

#include "backends/pixels/vision.h"
#include "core/vl.h"

/* Appends the answer to prompt (the request's text parts joined by
 * newlines) about scene sc to out. */
void px_answer(const struct px_scene *sc, const char *prompt, struct vl_buf *out);

#endif
