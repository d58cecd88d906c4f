/*
 * vqa.h - VQA accuracy as GT-Vision-Lab/VQA vqaEval.py computes it, exposed
 * piece by piece for the metric (metrics/vqa.c), `vleval score vqa` and the
 * tests.
 *
 * Strings are UTF-8 and handled as Python 3 handles str: white space, digits
 * and lowercase follow Python's Unicode tables (metrics/pystr.h), so a
 * non-ASCII answer normalises as in the official scorer.  Invalid UTF-8
 * bytes are kept as they are and are neither space nor digit (the official
 * scorer cannot read such a file at all; loaders reject it first).
 */
#ifndef VL_METRICS_VQA_H
#define VL_METRICS_VQA_H

#include "core/vl.h"

enum vl_vqa_revision {
	VL_VQA_REV_2021 = 0,  /* a013f00 (2021-03-11), the current official code */
	VL_VQA_REV_2017 = 1,  /* a4f1afd (2017) = 458a8b2 (2016) */
};

/* Parses "2021" / "2017" (NULL: 2021).  VL_EINVAL for anything else. */
int vl_vqa_revision_parse(const char *s, enum vl_vqa_revision *out);

/*
 * Reusable work space of the per-question computation, so that scoring
 * 214k questions allocates only while the buffers grow.  Zero-initialise
 * (or VL_VQA_SCRATCH_INIT), release with vl_vqa_scratch_release.
 */
struct vl_vqa_scratch {
	struct vl_buf arena;   /* normalised strings, NUL-separated */
	struct vl_buf tmp1, tmp2, word;
	size_t *off, *len;     /* per ground-truth answer, into arena */
	size_t cap;
	size_t pred_off, pred_len;
	size_t n;              /* answers of the last question */
	int processed;         /* last question: 1 when normalisation ran */
	/* memo of normalised forms: answers repeat ("yes", "2", ...), so each
	 * distinct string is normalised once; bounded (VQA_MEMO_* in vqa.c).
	 * Not core/strmap.c: the keys are (bytes, digits) spans of the arena,
	 * not C strings, and the values are spans too; on strmap each lookup
	 * needs a NUL-terminated copy and each entry two allocations.
	 * Measured (tests/perf/hash_tables.c, 2.1M Zipf answers, median of 7
	 * runs on the shared 2-core machine): 53 ns per answer here, 136 ns
	 * on strmap (2.6x); the memo sits on the per-answer path of VQA
	 * scoring (10 answers a question). */
	struct vl_vqa_memo { uint64_t hash; uint32_t in_off, in_len, out_off, out_len; } *memo;
	size_t memo_cap, memo_n;
	struct vl_buf memo_text; /* inputs and outputs of the memo */
};

#define VL_VQA_SCRATCH_INIT { VL_BUF_INIT, VL_BUF_INIT, VL_BUF_INIT, VL_BUF_INIT, NULL, NULL, 0, 0, 0, 0, 0, \
			      NULL, 0, 0, VL_BUF_INIT }

void vl_vqa_scratch_release(struct vl_vqa_scratch *sc);

/*
 * The accuracy of one question as a fraction in [0, 1]: the official
 * leave-one-out min(1, matches / 3) over the n ground-truth answers (each
 * compared with the other n - 1), summed in order and divided by n.  n = 0
 * gives NAN.  After the call, sc describes the question as the official
 * scorer left it: vl_vqa_scratch_pred / _answer (the prediction and the
 * ground-truth answers after normalisation) and sc->processed.
 */
double vl_vqa_question_accuracy(struct vl_vqa_scratch *sc,
				const char *prediction,          /* borrowed */
				const char *const *answers,      /* borrowed, n of them */
				size_t n,
				enum vl_vqa_revision rev);

/* Borrowed views into sc, valid until the next call on sc. */
const char *vl_vqa_scratch_pred(const struct vl_vqa_scratch *sc);
const char *vl_vqa_scratch_answer(const struct vl_vqa_scratch *sc, size_t i);

/* processPunctuation and processDigitArticle of vqaEval.py; out is reset
 * first and receives a NUL-terminated string. */
void vl_vqa_process_punctuation(const char *in, size_t n, struct vl_buf *out);
void vl_vqa_process_digit_article(const char *in, size_t n, struct vl_buf *out);

#endif
