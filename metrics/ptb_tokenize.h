/*
 * ptb_tokenize.h - a Penn Treebank tokenizer in C that does what
 * pycocoevalcap's PTBTokenizer step does (Stanford CoreNLP 3.4.1
 * PTBTokenizer with -preserveLines -lowerCase, then removal of the
 * punctuation tokens in its PUNCTUATIONS list), so that no Java is needed.
 * The rules implemented, and those that are not, are listed at the top of
 * ptb_tokenize.c.
 */
#ifndef VL_PTB_TOKENIZE_H
#define VL_PTB_TOKENIZE_H

#include "core/vl.h"

enum {
	VL_PTB_LOWER = 1,        /* -lowerCase */
	VL_PTB_DROP_PUNCT = 2,   /* drop pycocoevalcap's PUNCTUATIONS tokens */
	/* what COCOEvalCap does before scoring */
	VL_PTB_COCO = VL_PTB_LOWER | VL_PTB_DROP_PUNCT,
};

/* Tokenizes the UTF-8 string s (borrowed) and appends the tokens, joined by
 * single spaces, to out (not reset).  Newlines count as spaces, as the
 * Python wrapper replaces them before calling Java.  Invalid UTF-8 bytes
 * are kept as they are, inside the token they occur in.  Never fails. */
void vl_ptb_tokenize(const char *s, int flags, struct vl_buf *out);

/* 1 when tok (NUL-terminated) is one of the tokens pycocoevalcap drops:
 * '' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ; */
int vl_ptb_is_coco_punct(const char *tok, size_t len);

#endif
