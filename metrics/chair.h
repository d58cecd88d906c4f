/*
 * chair.h - CHAIR's caption-to-objects step (LisaAnne/Hallucination
 * utils/chair.py), exposed for the "chair" metric and its tests.
 */
#ifndef VL_CHAIR_H
#define VL_CHAIR_H

#include "core/vl.h"

struct vl_chair;  /* the synonym table and the compiled singulariser rules */

/* Builds the tables.  Returns NULL when PCRE2 cannot allocate.  Free with
 * vl_chair_free. */
struct vl_chair *vl_chair_new(void);
/* The same with a vocabulary of one's own instead of COCO's synonym list:
 * lines separated by ';', each "category, synonym, ..." as in chair.py's
 * synonyms.txt, each entry also singularised word by word as caption
 * words are ("green cross" and "green crosses" both match); an entry of two
 * words is merged from two tokens as COCO's two-word names are.  COCO's two-word, animal, vehicle and
 * toilet-seat rules do not apply.  NULL: vl_chair_new(). */
struct vl_chair *vl_chair_new_vocab(const char *vocabulary);
void vl_chair_free(struct vl_chair *c);

/* Lowercases caption and splits it into tokens (approximating NLTK's
 * word_tokenize; metrics/chair.c lists the rules).  Appends to tokens. */
void vl_chair_tokenize(const char *caption, struct vl_strv *tokens);

/* pattern.en's singularize(word) (appends the result to out). */
void vl_chair_singularize(const struct vl_chair *c, const char *word, struct vl_buf *out);

/* The COCO category a word (after singularising and two-word merging) maps
 * to, or NULL when it is not in the synonym table. */
const char *vl_chair_category(const struct vl_chair *c, const char *word);

/* caption_to_words: appends the object words of caption to words (may be
 * NULL) and their categories to cats, in caption order, repeats kept. */
void vl_chair_mentions(const struct vl_chair *c, const char *caption, struct vl_strv *words,
		       struct vl_strv *cats);

#endif
