/*
 * ptb_tokenize.h - a Penn Treebank tokenizer in C that does what
 * pycocoevalcap's PTBTokenizer step does (Stanford CoreNLP 3.4.1
 * PTBTokenizer with -preserveLines -lowerCase, then removal of the
 * punctuation tokens in its PUNCTUATIONS list), so that no Java is needed.
 * What 3.4.1 does, and therefore this, is listed at the top of
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

/* Tokenizes the UTF-8 string s (borrowed), one line of the file the Java
 * tokenizer reads, and appends the tokens, joined by single spaces, to out
 * (not reset; NUL-terminated after).  next (borrowed) is the line after s
 * in that file, or NULL when s is the last line: a few rules look past the
 * end of the line (whether a period after "Corp." or "U.S." is repeated as
 * a token of its own depends on what follows), never anything that
 * survives VL_PTB_DROP_PUNCT.  s must not contain '\n' (the Python wrapper
 * replaces newlines by spaces).  A malformed UTF-8 byte is a character no
 * rule knows, deleted like the others.  Never fails. */
void vl_ptb_tokenize_line(const char *s, const char *next, int flags, struct vl_buf *out);

/* vl_ptb_tokenize_line(s, "", flags, out): s followed by a line break, the
 * usual case in pycocoevalcap's file; the final tokens do not depend on
 * what the next line holds. */
void vl_ptb_tokenize(const char *s, int flags, struct vl_buf *out);

/* 1 when tok[0..len) is one of the tokens pycocoevalcap drops (after
 * -lowerCase "-lrb-" is not among them: brackets are scored):
 * '' ' `` ` -LRB- -RRB- -LCB- -RCB- . ? ! , : - -- ... ; */
int vl_ptb_is_coco_punct(const char *tok, size_t len);

#endif
