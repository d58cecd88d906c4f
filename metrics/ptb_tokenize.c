/*
 * ptb_tokenize.c - Stanford CoreNLP 3.4.1's PTBTokenizer, as pycocoevalcap's
 * ptbtokenizer.py runs it (`PTBTokenizer -preserveLines -lowerCase` on a file
 * holding one caption per line), then the removal of its PUNCTUATIONS list.
 *
 * The Java tokenizer is a JFlex scanner (PTBLexer): at each position every
 * rule is tried, the longest match wins (a rule's trailing context, "r1/r2",
 * counts in that length but only r1 is consumed), and on a tie the rule
 * written first wins.  This file does the same: one matcher per rule, tried
 * in PTBLexer's order (rules[] below), plus a fast path for the common case
 * that provably gives the same token (a run of letters and digits followed
 * by white space).  It is checked line by line against the output of the
 * real 3.4.1 tokenizer (tests/fixtures/ptb/: raw tokens and final tokens).
 *
 * What 3.4.1 does with its default options (and therefore what this does):
 *  - No Americanization: "grey", "colour", "centre", "travelled" stay (the
 *    option exists, off by default whatever a comment in the lexer says).
 *  - "/" and "*" are not escaped ("and/or", "1/2", "a * b").
 *  - ( ) -> -LRB- -RRB-, [ ] -> -LSB- -RSB-, { } -> -LCB- -RCB-; < and >
 *    stay; smileys keep their bracket escaped: ":)" -> ":-RRB-".
 *    -lowerCase lower-cases these to "-lrb-" ..., and pycocoevalcap's list
 *    holds the upper-case "-LRB-", so brackets stay in the scored tokens.
 *  - Assimilations are split: "cannot" -> "can not", "gonna" -> "gon na",
 *    likewise gotta, wanna, lemme, gimme, dunno, "'tis" -> "'t is", "'twas".
 *  - Contractions: "don't" -> "do n't", "it's" -> "it 's", "I'm" -> "I 'm";
 *    words with an inner apostrophe stay whole ("o'clock", "ma'am",
 *    "O'Neill", "nor'easter", "'90s", "'em"); "rock'n'roll" -> "rock 'n'
 *    roll"; "y'all" -> "y' all" (an inner apostrophe after one letter
 *    only joins for the letters A-H, J-X, Z and n: "O'Neill", "n'est").
 *  - URLs, e-mail addresses, @user and #tag stay one token; so do SGML
 *    tags ("<b>"), hyphenated words, x/y compounds, numbers with , . :,
 *    dates, fractions and phone numbers (inner spaces become U+00A0).
 *  - Quotes: " -> `` before an ASCII letter, digit or $, else ''; ' -> `
 *    before a letter and another non-space character; curly quotes and
 *    guillemets map to ` ' `` ''.  Dashes: en/em dash and 3-4 hyphens ->
 *    "--".  3-5 dots or U+2026 -> "...".  ½ ¼ ¾ ⅓ ⅔ -> 1/2 ...; ¢ -> cents,
 *    £ -> #, € -> $.
 *  - Abbreviations keep their period (the lexer's lists: titles, months,
 *    days, states, company words, acronyms like "U.S.", single letters);
 *    some of them also give a separate "." when a sentence seems to end
 *    after them, which is where the next line of the file matters (see
 *    vl_ptb_tokenize_line).  A word may hold inner . ! ? before a letter:
 *    "Mr.Smith" is one token, "v2.0" is "v2" ".0".
 *  - Characters no rule knows are deleted, and so is every character
 *    outside the Basic Multilingual Plane (the Java scanner reads UTF-16
 *    units: an emoji is two surrogates it cannot tokenize); they still
 *    separate tokens.  Soft hyphens (U+00AD) are removed from words.
 *  - -lowerCase is Java's String.toLowerCase: full case mapping ("İ" ->
 *    "i̇", final sigma), the same as Python's str.lower (vl_py_lower).
 * Reconstructed, not copied: PTBLexer's rules as published around 3.4.1
 * were read for facts (character classes, word lists); where versions
 * differ, the fixture decided.  To add a rule: write its matcher (length of
 * the longest match at i, 0 for none) and put it in rules[] at the place the
 * lexer has it.
 */
#include "metrics/ptb_tokenize.h"
#include "metrics/pyunicode.h"
#include "metrics/pystr.h"

#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof(*(a)))
#define NOCP 0xffffffffu   /* past the end of the input */

/* ---- the input: one line, then "\n" and the next line ---------------- */

struct lx {
	const unsigned char *s;   /* the line (borrowed) */
	size_t n;
	const unsigned char *nx;  /* the line after it (borrowed); NULL: none */
	size_t nn;
	int flags;
	struct vl_buf *out;       /* tokens are appended here */
	size_t start;             /* where this call's output began */
	struct vl_buf tok;        /* scratch for one token */
};

/* Byte at position i of the stream line + "\n" + next; -1 past the end. */
static int by(const struct lx *L, size_t i)
{
	if (i < L->n)
		return L->s[i];
	if (!L->nx)
		return -1;
	if (i == L->n)
		return '\n';
	i -= L->n + 1;
	return i < L->nn ? L->nx[i] : -1;
}

/* Code point at i and its byte length; a malformed byte is U+FFFD of
 * length 1 (Java's decoder makes it a replacement character); NOCP with
 * length 0 past the end. */
static uint32_t cp(const struct lx *L, size_t i, size_t *len)
{
	int b0 = by(L, i), b1, b2, b3;

	if (b0 < 0) {
		*len = 0;
		return NOCP;
	}
	*len = 1;
	if (b0 < 0x80)
		return (uint32_t)b0;
	b1 = by(L, i + 1);
	if (b0 >= 0xc2 && b0 < 0xe0 && b1 >= 0 && (b1 & 0xc0) == 0x80) {
		*len = 2;
		return (uint32_t)(b0 & 0x1f) << 6 | (uint32_t)(b1 & 0x3f);
	}
	b2 = by(L, i + 2);
	if (b0 >= 0xe0 && b0 < 0xf0 && b1 >= 0 && (b1 & 0xc0) == 0x80 && b2 >= 0 &&
	    (b2 & 0xc0) == 0x80) {
		uint32_t c = (uint32_t)(b0 & 0x0f) << 12 | (uint32_t)(b1 & 0x3f) << 6 |
			     (uint32_t)(b2 & 0x3f);
		if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) {
			*len = 3;
			return c;
		}
		return 0xfffd;
	}
	b3 = by(L, i + 3);
	if (b0 >= 0xf0 && b0 < 0xf5 && b1 >= 0 && (b1 & 0xc0) == 0x80 && b2 >= 0 &&
	    (b2 & 0xc0) == 0x80 && b3 >= 0 && (b3 & 0xc0) == 0x80) {
		uint32_t c = (uint32_t)(b0 & 0x07) << 18 | (uint32_t)(b1 & 0x3f) << 12 |
			     (uint32_t)(b2 & 0x3f) << 6 | (uint32_t)(b3 & 0x3f);
		if (c >= 0x10000 && c <= 0x10ffff) {
			*len = 4;
			return c;
		}
	}
	return 0xfffd;
}

static uint32_t cp1(const struct lx *L, size_t i)
{
	size_t l;
	return cp(L, i, &l);
}

/* Case-insensitive ASCII literal lit (lower case) at i: its length, or 0. */
static size_t lit(const struct lx *L, size_t i, const char *s)
{
	size_t k;

	for (k = 0; s[k]; k++) {
		int c = by(L, i + k);
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != (unsigned char)s[k])
			return 0;
	}
	return k;
}

/* ---- character classes ----------------------------------------------- */

/* c in one of the sorted ranges t[0..n); never for a code point outside the
 * Basic Multilingual Plane (the Java lexer sees two surrogates there) */
static int in32(const uint32_t (*t)[2], size_t n, uint32_t c)
{
	size_t lo = 0, hi = n;

	if (c > 0xffff)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (c < t[mid][0])
			hi = mid;
		else if (c > t[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static int is_azAZ(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_09(uint32_t c)
{
	return c >= '0' && c <= '9';
}

/* [:letter:] (general category L*) */
static int is_letter(uint32_t c)
{
	if (c < 0x80)
		return is_azAZ(c);
	return in32(py_letter, NELEM(py_letter), c);
}

/* {DIGIT} = [:digit:] (general category Nd; NKo digits are Nd already) */
static int is_digit(uint32_t c)
{
	if (c < 0x80)
		return is_09(c);
	return in32(py_decimal, NELEM(py_decimal), c);
}

static int is_alnum(uint32_t c)
{
	return is_letter(c) || is_digit(c);
}

/* Marks and signs the lexer lets into words besides [:letter:] (its LETTER
 * class: soft hyphen, combining marks, Indic and Thai vowel signs ...). */
static const uint32_t word_extra[][2] = {
	{ 0x00ad, 0x00ad }, { 0x0237, 0x024f }, { 0x02c2, 0x02c5 }, { 0x02d2, 0x02df },
	{ 0x02e5, 0x02ff }, { 0x0300, 0x036f }, { 0x0370, 0x037d }, { 0x0384, 0x0385 },
	{ 0x03cf, 0x03cf }, { 0x03f6, 0x03f6 }, { 0x03fc, 0x03ff }, { 0x0483, 0x0487 },
	{ 0x04cf, 0x04cf }, { 0x04f6, 0x04ff }, { 0x0510, 0x0525 }, { 0x055a, 0x055f },
	{ 0x0591, 0x05bd }, { 0x05bf, 0x05bf }, { 0x05c1, 0x05c2 }, { 0x05c4, 0x05c5 },
	{ 0x05c7, 0x05c7 }, { 0x0615, 0x061a }, { 0x063b, 0x063f }, { 0x064b, 0x065e },
	{ 0x0670, 0x0670 }, { 0x06d6, 0x06ef }, { 0x06fa, 0x06ff }, { 0x070f, 0x070f },
	{ 0x0711, 0x0711 }, { 0x0730, 0x074f }, { 0x0750, 0x077f }, { 0x07a6, 0x07b1 },
	{ 0x07ca, 0x07f5 }, { 0x07fa, 0x07fa }, { 0x0900, 0x0903 }, { 0x093c, 0x093c },
	{ 0x093e, 0x094e }, { 0x0951, 0x0955 }, { 0x0962, 0x0963 }, { 0x0981, 0x0983 },
	{ 0x09bc, 0x09c4 }, { 0x09c7, 0x09c8 }, { 0x09cb, 0x09cd }, { 0x09d7, 0x09d7 },
	{ 0x09e2, 0x09e3 }, { 0x0a01, 0x0a03 }, { 0x0a3c, 0x0a3c }, { 0x0a3e, 0x0a4f },
	{ 0x0a81, 0x0a83 }, { 0x0abc, 0x0acf }, { 0x0b82, 0x0b82 }, { 0x0bbe, 0x0bc2 },
	{ 0x0bc6, 0x0bc8 }, { 0x0bca, 0x0bcd }, { 0x0c01, 0x0c03 }, { 0x0c3e, 0x0c56 },
	{ 0x0d3e, 0x0d44 }, { 0x0d46, 0x0d48 }, { 0x0e30, 0x0e3a }, { 0x0e47, 0x0e4e },
	{ 0x0eb1, 0x0ebc }, { 0x0ec8, 0x0ecd },
};

/* MISCSYMBOL: symbols that are tokens of their own */
static const uint32_t misc_symbol[][2] = {
	{ 0x0025, 0x0026 }, { 0x002b, 0x002b }, { 0x005c, 0x005c }, { 0x005e, 0x005e },
	{ 0x007c, 0x007c }, { 0x007e, 0x007e }, { 0x00a6, 0x00a9 }, { 0x00ac, 0x00ac },
	{ 0x00ae, 0x00ba }, { 0x00d7, 0x00d7 }, { 0x00f7, 0x00f7 }, { 0x0387, 0x0387 },
	{ 0x05be, 0x05be }, { 0x05c0, 0x05c0 }, { 0x05c3, 0x05c3 }, { 0x05c6, 0x05c6 },
	{ 0x05f3, 0x05f4 }, { 0x0600, 0x0603 }, { 0x0606, 0x060a }, { 0x060c, 0x060c },
	{ 0x0614, 0x0614 }, { 0x061b, 0x061b }, { 0x061e, 0x061e }, { 0x066a, 0x066a },
	{ 0x066d, 0x066d }, { 0x0703, 0x070d }, { 0x07f6, 0x07f8 }, { 0x0964, 0x0965 },
	{ 0x0e4f, 0x0e4f }, { 0x1fbd, 0x1fbd }, { 0x2016, 0x2017 }, { 0x2020, 0x2023 },
	{ 0x2030, 0x2038 }, { 0x203b, 0x203b }, { 0x203e, 0x2042 }, { 0x2044, 0x2044 },
	{ 0x207a, 0x207f }, { 0x208a, 0x208e }, { 0x2100, 0x214f }, { 0x2190, 0x21ff },
	{ 0x2200, 0x2bff }, { 0x3012, 0x3012 }, { 0x30fb, 0x30fb }, { 0xff01, 0xff0f },
	{ 0xff1a, 0xff20 }, { 0xff3b, 0xff40 }, { 0xff5b, 0xff65 },
};

/* SPACE: what separates tokens on a line */
static int is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == 0xa0 || (c >= 0x2000 && c <= 0x200a) || c == 0x3000;
}

static int is_newline(uint32_t c)
{
	return c == '\r' || c == '\n' || c == 0x2028 || c == 0x2029 || c == 0x0b || c == 0x0c ||
	       c == 0x85;
}

/* APOS = ['\u0092\u2019] | &apos;  : its length at i, or 0 */
static size_t apos(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	if (c == '\'' || c == 0x92 || c == 0x2019)
		return l;
	return c == '&' ? lit(L, i, "&apos;") : 0;
}

/* APOSETCETERA = {APOS} | [\u0091\u2018\u201B] */
static size_t aposetc(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	if (c == 0x91 || c == 0x2018 || c == 0x201b)
		return l;
	return apos(L, i);
}

/* SPLET = &[aeiouAEIOU](acute|grave|uml); */
static size_t splet(const struct lx *L, size_t i)
{
	static const char *const acc[] = { "acute;", "grave;", "uml;" };

	if (by(L, i) != '&' || !strchr("aeiouAEIOU", by(L, i + 1)) || by(L, i + 1) <= 0)
		return 0;
	for (size_t k = 0; k < NELEM(acc); k++) {
		size_t m = lit(L, i + 2, acc[k]);
		if (m)
			return 2 + m;
	}
	return 0;
}

/* WORD's LETTER at i: its length, or 0 */
static size_t wletter(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	if (is_letter(c) || in32(word_extra, NELEM(word_extra), c))
		return l;
	return c == '&' ? splet(L, i) : 0;
}

/* length of a run of [:letter:]|[:digit:] at i */
static size_t alnum_run(const struct lx *L, size_t i)
{
	size_t j = i, l;

	while (is_alnum(cp(L, j, &l)))
		j += l;
	return j - i;
}

static size_t run_of(const struct lx *L, size_t i, int (*pred)(uint32_t))
{
	size_t j = i, l;

	while (pred(cp(L, j, &l)))
		j += l;
	return j - i;
}

static int is_azAZ09(uint32_t c)
{
	return is_azAZ(c) || is_09(c);
}

static int is_AZ(uint32_t c)
{
	return c >= 'A' && c <= 'Z';
}

/* ---- word-like rules --------------------------------------------------- */

/* WORD = LETTER (LETTER|DIGIT)* ([.!?] LETTER (LETTER|DIGIT)*)* */
static size_t m_word(const struct lx *L, size_t i)
{
	size_t j = i, l;
	int c;

	if (!(l = wletter(L, j)))
		return 0;
	j += l;
	for (;;) {
		for (;;) {
			if ((l = wletter(L, j))) {
				j += l;
			} else if (is_digit(cp(L, j, &l))) {
				j += l;
			} else {
				break;
			}
		}
		c = by(L, j);
		if ((c == '.' || c == '!' || c == '?') && (l = wletter(L, j + 1))) {
			j += 1 + l;
			continue;
		}
		return j - i;
	}
}

/* REDAUX = {APOS}([msdMSD]|re|ve|ll) */
static size_t redaux(const struct lx *L, size_t i)
{
	size_t a = apos(L, i);
	int c;

	if (!a)
		return 0;
	if (lit(L, i + a, "re") || lit(L, i + a, "ve") || lit(L, i + a, "ll"))
		return a + 2;
	c = by(L, i + a);
	return c > 0 && strchr("msdMSD", c) ? a + 1 : 0;
}

/* SREDAUX = n{APOSETCETERA}t */
static size_t sredaux(const struct lx *L, size_t i)
{
	size_t a;
	int c = by(L, i);

	if (c != 'n' && c != 'N')
		return 0;
	if (!(a = aposetc(L, i + 1)))
		return 0;
	c = by(L, i + 1 + a);
	return c == 't' || c == 'T' ? 2 + a : 0;
}

/* {WORD}/{REDAUX} */
static size_t m_word_redaux(const struct lx *L, size_t i, size_t *keep)
{
	size_t w = m_word(L, i), r;

	if (!w || !(r = redaux(L, i + w)))
		return 0;
	*keep = w;
	return w + r;
}

static int is_sword(uint32_t c)
{
	return is_azAZ(c) || c == 0xad;
}

/* {SWORD}/{SREDAUX}, SWORD = [A-Za-z\u00AD]*[A-MO-Za-mo-z](\u00AD)* */
static size_t m_sword_sredaux(const struct lx *L, size_t i, size_t *keep)
{
	size_t j = i, l, k, r;
	uint32_t c;

	while (is_sword(cp(L, j, &l)))
		j += l;
	if (j == i || ((c = by(L, j - 1)) != 'n' && c != 'N'))
		return 0;
	k = j - 1;                      /* the n of n't */
	if (!(r = sredaux(L, k)))
		return 0;
	j = k;
	while (j - i >= 2 && by(L, j - 2) == 0xc2 && by(L, j - 1) == 0xad)
		j -= 2;                     /* trailing soft hyphens */
	if (j == i)
		return 0;
	c = (uint32_t)by(L, j - 1);
	if (!is_azAZ(c) || c == 'n' || c == 'N')
		return 0;
	*keep = k - i;
	return k - i + r;
}

/* APOWORD: words with an apostrophe that stay whole */
static size_t m_apoword(const struct lx *L, size_t i)
{
	static const char *const lits[] = {
		"dunkin", "somethin", "ol",
	};
	static const char *const whole[] = {
		"'twas", "nor'easter", "c'mon", "e'er", "s'mores", "ev'ry", "li'l", "nat'l",
	};
	size_t best = 0, a, m, l, j;
	uint32_t c = cp(L, i, &l), c2;

	if ((a = apos(L, i))) {
		/* {APOS}n{APOS}? | {APOS}em | {APOS}[2-9]0s | {APOS}till? | {APOS}cause */
		int b = by(L, i + a);
		if (b == 'n' || b == 'N') {
			m = a + 1 + apos(L, i + a + 1);
			best = m > best ? m : best;
		}
		if ((m = lit(L, i + a, "em")))
			best = a + m > best ? a + m : best;
		if (b >= '2' && b <= '9' && by(L, i + a + 1) == '0' &&
		    (by(L, i + a + 2) == 's' || by(L, i + a + 2) == 'S'))
			best = a + 3 > best ? a + 3 : best;
		if ((m = lit(L, i + a, "till")))
			best = a + m > best ? a + m : best;
		else if ((m = lit(L, i + a, "til")))
			best = a + m > best ? a + m : best;
		if ((m = lit(L, i + a, "cause")))
			best = a + m > best ? a + m : best;
	}
	/* [lLdDjJ]{APOS} */
	if (c < 0x80 && c && strchr("lLdDjJ", (int)c) && (a = apos(L, i + 1)))
		best = 1 + a > best ? 1 + a : best;
	for (size_t k = 0; k < NELEM(lits); k++)
		if ((m = lit(L, i, lits[k])) && (a = apos(L, i + m)))
			best = m + a > best ? m + a : best;
	for (size_t k = 0; k < NELEM(whole); k++)
		if ((m = lit(L, i, whole[k])))
			best = m > best ? m : best;
	/* cont'd\.? */
	if ((m = lit(L, i, "cont'd")))
		best = m + (by(L, i + m) == '.') > best ? m + (by(L, i + m) == '.') : best;
	/* [A-HJ-XZn]{APOSETCETERA}[:letter:]{2}[:letter:]* */
	if (((c >= 'A' && c <= 'Z' && c != 'I' && c != 'Y') || c == 'n') &&
	    (a = aposetc(L, i + 1))) {
		size_t r = run_of(L, i + 1 + a, is_letter), cnt = 0;
		for (j = i + 1 + a; j < i + 1 + a + r; j += l, cnt++)
			cp(L, j, &l);
		if (cnt >= 2)
			best = 1 + a + r > best ? 1 + a + r : best;
	}
	/* [:letter:][:letter:]*[aeiouyAEIOUY]{APOSETCETERA}[aeiouA-Z][:letter:]*:
	 * two letters at least before the apostrophe ("ma'am", not "y'all") */
	if (is_letter(c)) {
		size_t r = run_of(L, i, is_letter);
		c2 = r > l ? (uint32_t)by(L, i + r - 1) : 0;
		if (strchr("aeiouyAEIOUY", (int)c2) && c2 && (a = aposetc(L, i + r))) {
			uint32_t d = cp1(L, i + r + a);
			if ((d < 0x80 && d && strchr("aeiou", (int)d)) || is_AZ(d)) {
				m = r + a + run_of(L, i + r + a, is_letter);
				best = m > best ? m : best;
			}
		}
	}
	return best;
}

/* {APOWORD2}/[:letter:], APOWORD2 = y{APOS} */
static size_t m_apoword2(const struct lx *L, size_t i, size_t *keep)
{
	size_t a, l;
	int c = by(L, i);

	if ((c != 'y' && c != 'Y') || !(a = apos(L, i + 1)))
		return 0;
	if (!is_letter(cp(L, i + 1 + a, &l)))
		return 0;
	*keep = 1 + a;
	return 1 + a + l;
}

/* [ \t\n\f\r"<>|()] - characters no URL holds */
static int url_stop(uint32_t c)
{
	return c == NOCP || c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' ||
	       c == '"' || c == '<' || c == '>' || c == '|' || c == '(' || c == ')';
}

/* characters a URL does not end with: url_stop and [.!?{},-] */
static int url_noend(uint32_t c)
{
	return url_stop(c) || c == '.' || c == '!' || c == '?' || c == '{' || c == '}' ||
	       c == ',' || c == '-';
}

/* [^stop]+[^noend] at i: the longest, or 0 */
static size_t url_tail(const struct lx *L, size_t i)
{
	size_t j = i, l, best = 0;
	uint32_t c;

	while (!url_stop(c = cp(L, j, &l))) {
		j += l;
		if (j - l > i && !url_noend(c))
			best = j - i;
	}
	return best;
}

/* FULLURL = https?:\/\/[^ \t\n\f\r\"<>|()]+[^ \t\n\f\r\"<>|.!?(){},-] */
static size_t m_fullurl(const struct lx *L, size_t i)
{
	size_t m = lit(L, i, "https://"), t;

	if (!m)
		m = lit(L, i, "http://");
	if (!m || !(t = url_tail(L, i + m)))
		return 0;
	return m + t;
}

/* the optional path of LIKELYURL: \/[^ ...]+[^ ...] */
static size_t url_path(const struct lx *L, size_t i)
{
	size_t t;

	if (by(L, i) != '/' || !(t = url_tail(L, i + 1)))
		return 0;
	return 1 + t;
}

/* LIKELYURL = ((www\.([^ \t\n\f\r\"<>|.!?(){},]+\.)+[a-zA-Z]{2,4})|
 *  (([^ \t\n\f\r\"`'<>|.!?(){},-_$]+\.)+(com|net|org|edu)))(path)?
 * (",-_" in the second class is a range: it excludes , - . / 0-9 : ; < = >
 * ? @ A-Z [ \ ] ^ _ as well) */
static int seg1_ok(uint32_t c)
{
	return !url_stop(c) && c != '.' && c != '!' && c != '?' && c != '{' && c != '}' &&
	       c != ',';
}

static int seg2_ok(uint32_t c)
{
	return seg1_ok(c) && c != '`' && c != '\'' && c != '$' && !(c >= ',' && c <= '_');
}

static size_t m_likelyurl(const struct lx *L, size_t i)
{
	size_t best = 0, j, l, seg;
	uint32_t c;

	if (lit(L, i, "www.")) {
		j = i + 4;
		for (;;) {
			seg = j;
			while (seg1_ok(c = cp(L, j, &l)))
				j += l;
			if (j == seg || by(L, j) != '.')
				break;
			j++;   /* a segment and its dot: try the final [a-zA-Z]{2,4} */
			size_t r = run_of(L, j, is_azAZ), e;
			if (r >= 2) {
				e = j + (r > 4 ? 4 : r) - i;
				best = e > best ? e : best;
				if (r <= 4 && (e = url_path(L, j + r)))
					best = j + r + e - i > best ? j + r + e - i : best;
			}
		}
	}
	j = i;
	for (;;) {
		static const char *const tld[] = { "com", "net", "org", "edu" };
		seg = j;
		while (seg2_ok(c = cp(L, j, &l)))
			j += l;
		if (j == seg || by(L, j) != '.')
			break;
		j++;
		for (size_t k = 0; k < NELEM(tld); k++) {
			if (lit(L, j, tld[k])) {
				size_t e = j + 3 - i, p = url_path(L, j + 3);
				if (p)
					e += p;
				best = e > best ? e : best;
			}
		}
	}
	return best;
}

/* EMAIL = [a-zA-Z0-9][^ \t\n\f\r\"<>|()\u00A0]*@([^ ...().\u00A0]+\.)*([^ ...().\u00A0]+) */
static int email_ok(uint32_t c)
{
	return !url_stop(c) && c != 0xa0;
}

static size_t m_email(const struct lx *L, size_t i)
{
	size_t j, l, best = 0;
	uint32_t c;

	if (!is_azAZ09(cp1(L, i)))
		return 0;
	for (j = i + 1; email_ok(c = cp(L, j, &l)); j += l) {
		size_t k, last = 0;
		if (c != '@')
			continue;
		/* domain: segments of [^stop.] separated by single dots */
		for (k = j + 1;;) {
			size_t s0 = k;
			uint32_t d;
			size_t dl;
			while (email_ok(d = cp(L, k, &dl)) && d != '.')
				k += dl;
			if (k == s0)
				break;
			last = k;
			if (by(L, k) != '.')
				break;
			k++;
		}
		if (last && last - i > best)
			best = last - i;
	}
	return best;
}

/* TWITTER = @[a-zA-Z_][a-zA-Z_0-9]* | #{WORD} */
static int is_tw(uint32_t c)
{
	return is_azAZ09(c) || c == '_';
}

static size_t m_twitter(const struct lx *L, size_t i)
{
	int c = by(L, i);
	size_t w;

	if (c == '@') {
		uint32_t d = cp1(L, i + 1);
		if (!is_azAZ(d) && d != '_')
			return 0;
		return 1 + run_of(L, i + 1, is_tw);
	}
	if (c == '#' && (w = m_word(L, i + 1)))
		return 1 + w;
	return 0;
}

/* {REDAUX}/[^A-Za-z] */
static size_t m_redaux_ctx(const struct lx *L, size_t i, size_t *keep)
{
	size_t r = redaux(L, i), l;
	uint32_t c;

	if (!r)
		return 0;
	c = cp(L, i + r, &l);
	if (c == NOCP || is_azAZ(c))
		return 0;
	*keep = r;
	return r + l;
}

static size_t m_redaux(const struct lx *L, size_t i)
{
	return redaux(L, i);
}

static size_t m_sredaux(const struct lx *L, size_t i)
{
	return sredaux(L, i);
}

/* ---- numbers ----------------------------------------------------------- */

static size_t digits(const struct lx *L, size_t i, size_t max, size_t *count)
{
	size_t j = i, l, k = 0;

	while (k < max && is_digit(cp(L, j, &l))) {
		j += l;
		k++;
	}
	*count = k;
	return j - i;
}

/* DATE = {DIGIT}{1,2}[\-\/]{DIGIT}{1,2}[\-\/]{DIGIT}{2,4} */
static size_t m_date(const struct lx *L, size_t i)
{
	size_t a, b, c, na, nb, nc;
	int s;

	a = digits(L, i, 2, &na);
	if (!na || ((s = by(L, i + a)) != '-' && s != '/'))
		return 0;
	b = digits(L, i + a + 1, 2, &nb);
	if (!nb || ((s = by(L, i + a + 1 + b)) != '-' && s != '/'))
		return 0;
	c = digits(L, i + a + b + 2, 4, &nc);
	return nc >= 2 ? a + b + c + 2 : 0;
}

static int num_sep(uint32_t c)
{
	return c == '.' || c == ':' || c == ',' || c == 0xad || c == 0x66b || c == 0x66c;
}

/* NUMBER = [\-+]?{NUM}, NUM = {DIGIT}+|{DIGIT}*([.:,\u00AD\u066B\u066C]{DIGIT}+)+ */
static size_t m_number(const struct lx *L, size_t i)
{
	size_t j = i, l, d, nd;
	int s = by(L, i);

	if (s == '-' || s == '+')
		j++;
	d = digits(L, j, (size_t)-1, &nd);
	j += d;
	for (;;) {
		size_t sl, g, ng;
		if (!num_sep(cp(L, j, &sl)))
			break;
		g = digits(L, j + sl, (size_t)-1, &ng);
		if (!ng)
			break;
		j += sl + g;
		nd++;
	}
	(void)l;
	return nd ? j - i : 0;
}

/* SUBSUPNUM = [\u207A\u207B\u208A\u208B]?([\u2070\u00B9\u00B2\u00B3\u2074-\u2079]+|[\u2080-\u2089]+) */
static int is_sup(uint32_t c)
{
	return c == 0x2070 || c == 0xb9 || c == 0xb2 || c == 0xb3 || (c >= 0x2074 && c <= 0x2079);
}

static int is_sub(uint32_t c)
{
	return c >= 0x2080 && c <= 0x2089;
}

static size_t m_subsupnum(const struct lx *L, size_t i)
{
	size_t j = i, l, r;
	uint32_t c = cp(L, i, &l);

	if (c == 0x207a || c == 0x207b || c == 0x208a || c == 0x208b)
		j += l;
	r = run_of(L, j, is_sup);
	if (!r)
		r = run_of(L, j, is_sub);
	return r ? j + r - i : 0;
}

/* FRAC = ({DIGIT}{1,4}[- \u00A0])?{DIGIT}{1,4}(\\?\/|\u2044){DIGIT}{1,4} */
static size_t frac_core(const struct lx *L, size_t i)
{
	size_t a, na, b, nb, l, s;
	uint32_t c;

	a = digits(L, i, 4, &na);
	if (!na)
		return 0;
	s = i + a;
	if (by(L, s) == '\\')
		s++;
	c = cp(L, s, &l);
	if (!(c == '/' && l == 1) && !(c == 0x2044 && s == i + a))
		return 0;
	b = digits(L, s + l, 4, &nb);
	return nb ? s + l + b - i : 0;
}

static size_t m_frac(const struct lx *L, size_t i)
{
	size_t a, na, l, best = frac_core(L, i), m;
	uint32_t c;

	a = digits(L, i, 4, &na);
	if (na) {
		c = cp(L, i + a, &l);
		if ((c == '-' || c == ' ' || c == 0xa0) && (m = frac_core(L, i + a + l)))
			best = a + l + m > best ? a + l + m : best;
	}
	return best;
}

static size_t m_frac2(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	return c == 0xbc || c == 0xbd || c == 0xbe || (c >= 0x2153 && c <= 0x215e) ? l : 0;
}

/* TBSPEC = -(RRB|LRB|RCB|LCB|RSB|LSB)-|C\.D\.s|pro-|anti-|S(&|&amp;)P-500|
 *          S(&|&amp;)Ls|Cap{APOS}n|c{APOS}est */
static size_t m_tbspec(const struct lx *L, size_t i)
{
	static const char *const br[] = { "-rrb-", "-lrb-", "-rcb-", "-lcb-", "-rsb-", "-lsb-",
					   "c.d.s", "pro-", "anti-" };
	size_t best = 0, m, a;
	int c0 = by(L, i) | 0x20;

	if (c0 <= 0 || !strchr("-cpas", c0))   /* what the literals start with */
		return 0;
	for (size_t k = 0; k < NELEM(br); k++)
		if ((m = lit(L, i, br[k])) && m > best)
			best = m;
	if (by(L, i) == 's' || by(L, i) == 'S') {
		a = lit(L, i + 1, "&amp;");
		if (!a && by(L, i + 1) == '&')
			a = 1;
		if (a) {
			if ((m = lit(L, i + 1 + a, "p-500")))
				best = 1 + a + m > best ? 1 + a + m : best;
			if ((m = lit(L, i + 1 + a, "ls")))
				best = 1 + a + m > best ? 1 + a + m : best;
		}
	}
	if ((m = lit(L, i, "cap")) && (a = apos(L, i + 3)) && (by(L, i + 3 + a) | 0x20) == 'n')
		best = 4 + a > best ? 4 + a : best;
	if ((by(L, i) | 0x20) == 'c' && (a = apos(L, i + 1)) && lit(L, i + 1 + a, "est"))
		best = 4 + a > best ? 4 + a : best;
	return best;
}

/* THING3 = [A-Za-z0-9]+(-[A-Za-z]+){0,2}(\\?\/[A-Za-z0-9]+(-[A-Za-z]+){0,2}){1,2} */
static size_t thing3_part(const struct lx *L, size_t i)
{
	size_t j = i + run_of(L, i, is_azAZ09), r;

	if (j == i)
		return 0;
	for (int k = 0; k < 2 && by(L, j) == '-' && (r = run_of(L, j + 1, is_azAZ)); k++)
		j += 1 + r;
	return j - i;
}

static size_t m_thing3(const struct lx *L, size_t i)
{
	size_t j = thing3_part(L, i), end = 0, p;

	if (!j)
		return 0;
	j += i;
	for (int k = 0; k < 2; k++) {
		size_t s = j;
		if (by(L, s) == '\\')
			s++;
		if (by(L, s) != '/' || !(p = thing3_part(L, s + 1)))
			break;
		j = s + 1 + p;
		end = j;
	}
	return end ? end - i : 0;
}

/* DOLSIGN = ([A-Z]*\$|#) */
static size_t m_dolsign(const struct lx *L, size_t i)
{
	size_t r = run_of(L, i, is_AZ);

	if (by(L, i + r) == '$')
		return r + 1;
	return by(L, i) == '#' ? 1 : 0;
}

static size_t m_dolsign2(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	switch (c) {
	case 0xa2: case 0xa3: case 0xa4: case 0xa5: case 0x80: case 0x20a0: case 0x20ac:
	case 0x60b: case 0xe3f: case 0x20a4: case 0xffe0: case 0xffe1: case 0xffe5: case 0xffe6:
		return l;
	}
	return 0;
}

/* ---- abbreviations ------------------------------------------------------ */

/* A word list entry: "*" first means the first letter must be upper case
 * (the lexer writes it as a one-letter class, which %caseless leaves alone). */
static size_t word_in(const struct lx *L, size_t i, const char *const *list, size_t n)
{
	size_t best = 0, m;

	for (size_t k = 0; k < n; k++) {
		const char *w = list[k];
		if (w[0] == '*') {
			if (by(L, i) != w[1] - 32)
				continue;
			m = lit(L, i + 1, w + 2);
			if (m || !w[2])
				m++;
			else
				continue;
		} else {
			m = lit(L, i, w);
		}
		if (m > best)
			best = m;
	}
	return best;
}

/* ACRO = [A-Za-z](\.[A-Za-z])+|(Canada|Sino|Korean|EU|Japan|non)-U\.S|U\.S\.-(U\.K|U\.S\.S\.R) */
static size_t m_acro(const struct lx *L, size_t i)
{
	static const char *const pre[] = { "canada-u.s", "sino-u.s", "korean-u.s", "eu-u.s",
					   "japan-u.s", "non-u.s", "u.s.-u.k", "u.s.-u.s.s.r" };
	size_t j = i, best = 0, m;

	if (is_azAZ(cp1(L, i))) {
		j++;
		while (by(L, j) == '.' && is_azAZ(cp1(L, j + 1)))
			j += 2;
		if (j - i >= 3)
			best = j - i;
	}
	for (size_t k = 0; k < NELEM(pre); k++)
		if ((m = lit(L, i, pre[k])) && m > best)
			best = m;
	return best;
}

static const char *const abbrev1_words[] = {
	/* ABMONTH */
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	/* ABDAYS */
	"mon", "tue", "tues", "wed", "thu", "thurs", "fri",
	/* ABSTATE */
	"ala", "ariz", "*ark", "calif", "colo", "conn", "dak", "del", "fla", "ga", "*ill", "ind",
	"kan", "kans", "ky", "la", "*mass", "md", "mich", "minn", "*miss", "mo", "mont", "neb",
	"nev", "okla", "*ore", "pa", "penn", "tenn", "tex", "va", "vt", "*wash", "wis", "wisc",
	"wyo",
	/* ABCOMP */
	"inc", "co", "cos", "corp", "pty", "ptys", "ppty", "pptys", "ltd", "plc", "bancorp",
	"dept", "bhd", "assn", "univ", "intl", "sys",
	/* ABNUM */
	"no", "nos", "prop", "ph", "tel", "est", "ext", "sq", "ft",
	/* ABPTIT */
	"jr", "sr", "bros", "ed.d", "ph.d", "blvd", "rd", "esq",
	"etc", "al", "seq",
};

/* 1 when the run of ASCII letters at i is followed by c1 or c2: every word
 * of the abbreviation lists is letters, possibly with inner periods, so a
 * run followed by anything else cannot start one (a quick way out) */
static int run_then(const struct lx *L, size_t i, int c1, int c2)
{
	size_t j = i;
	int c;

	while ((c = by(L, j)) > 0 && is_azAZ((uint32_t)c))
		j++;
	return j > i && (c == c1 || c == c2);
}

/* ABBREV1 = (...)\. */
static size_t m_abbrev1(const struct lx *L, size_t i)
{
	size_t best = 0;

	if (!run_then(L, i, '.', '.'))
		return 0;
	/* every entry that matches is followed by the period, so check each */
	for (size_t k = 0; k < NELEM(abbrev1_words); k++) {
		size_t m = word_in(L, i, abbrev1_words + k, 1);
		if (m && by(L, i + m) == '.' && m + 1 > best)
			best = m + 1;
	}
	return best;
}

static const char *const abbrev4_words[] = {
	/* ABTITLE */
	"mr", "mrs", "ms", "*miss", "dr", "drs", "prof", "profs", "sen", "sens", "rep", "reps",
	"atty", "attys", "lt", "col", "gen", "messrs", "gov", "govs", "adm", "rev", "maj", "sgt",
	"cpl", "pvt", "mt", "capt", "st", "ste", "ave", "pres", "lieut", "hon", "brig", "cmdr",
	"comdr", "pfc", "spc", "supt", "supts", "det",
	"vs", "alex", "wm", "jos", "cie", "a.k.a", "cf", "treas",
	/* ABCOMP2 (M[ft]g: the second letter lower case only) */
	"invt", "elec", "natl",
};

/* ABBREV4 = [A-Za-z]|{ABTITLE}|vs|Alex|Wm|Jos|Cie|a\.k\.a|cf|TREAS|{ACRO}|{ABCOMP2} */
static size_t m_abbrev4_at(const struct lx *L, size_t i, int want_dot)
{
	size_t best = 0, m;
	int c = by(L, i);

#define CAND(len) do { size_t m_ = (len); if (m_ && (!want_dot || by(L, i + m_) == '.') && \
				       m_ > best) best = m_; } while (0)
	if (c > 0 && is_azAZ((uint32_t)c))
		CAND(1);
	for (size_t k = 0; k < NELEM(abbrev4_words); k++)
		CAND(word_in(L, i, abbrev4_words + k, 1));
	if ((c == 'm' || c == 'M') && (by(L, i + 1) == 'f' || by(L, i + 1) == 't') &&
	    (by(L, i + 2) | 0x20) == 'g')
		CAND(3);
	CAND(m_acro(L, i));
#undef CAND
	(void)m;
	return best;
}

/* ACRONYM/({SPACES})(About|According|...|You){SPACE} */
static size_t m_acronym_ctx(const struct lx *L, size_t i, size_t *keep)
{
	static const char *const next[] = {
		"*about", "*according", "*additionally", "*after", "*an", "*a", "*as", "*at",
		"*but", "*earlier", "*he", "*her", "*here", "*however", "*if", "*in", "*it",
		"*last", "*many", "*more", "*mr.", "*ms.", "*now", "*once", "*one", "*other",
		"*our", "*she", "*since", "*so", "*some", "*such", "*that", "*the", "*then",
		"*there", "*these", "*they", "*this", "*we", "*when", "*while", "*what", "*yet",
		"*you",
	};
	size_t a = m_acro(L, i), j, l, best = 0;

	if (!a || by(L, i + a) != '.')
		return 0;
	j = i + a + 1;
	while (is_space(cp(L, j, &l)))
		j += l;
	if (j == i + a + 1)
		return 0;
	for (size_t k = 0; k < NELEM(next); k++) {
		size_t m = word_in(L, j, next + k, 1);
		if (m && is_space(cp(L, j + m, &l)) && j + m + l - i > best)
			best = j + m + l - i;
	}
	if (best)
		*keep = a + 1;
	return best;
}

/* SGML = <\/?[A-Za-z!?][^>\r\n]*> */
static size_t m_sgml(const struct lx *L, size_t i)
{
	size_t j = i + 1;
	int c;

	if (by(L, i) != '<')
		return 0;
	if (by(L, j) == '/')
		j++;
	c = by(L, j);
	if (c < 0 || !(is_azAZ((uint32_t)c) || c == '!' || c == '?'))
		return 0;
	for (j++; (c = by(L, j)) >= 0 && c != '>' && c != '\r' && c != '\n'; j++)
		;
	return c == '>' ? j + 1 - i : 0;
}

/* {ABBREV1}/{SENTEND}, SENTEND = {SPACENL}({SPACENL}|[A-Z]|{SGML}) */
static int is_spacenl(uint32_t c)
{
	return is_space(c) || is_newline(c);
}

static size_t m_abbrev1_sentend(const struct lx *L, size_t i, size_t *keep)
{
	size_t b = m_abbrev1(L, i), l, l2, s;
	uint32_t c;

	if (!b || !is_spacenl(cp(L, i + b, &l)))
		return 0;
	c = cp(L, i + b + l, &l2);
	if (is_spacenl(c) || is_AZ(c))
		s = l2;
	else if (!(s = m_sgml(L, i + b + l)))
		return 0;
	*keep = b;
	return b + l + s;
}

static size_t m_abbrev2(const struct lx *L, size_t i)
{
	size_t a = run_then(L, i, '.', '-') ? m_abbrev4_at(L, i, 1) : 0;
	return a ? a + 1 : 0;
}

/* {ABBREV4}/{SPACE}: each way ABBREV4 can match needs its own space after */
static size_t m_abbrev4_space(const struct lx *L, size_t i, size_t *keep)
{
	size_t cand[NELEM(abbrev4_words) + 3], nc = 0, best = 0, l, r = 0;
	int c = by(L, i);

	while (by(L, i + r) > 0 && is_azAZ((uint32_t)by(L, i + r)))
		r++;
	if (!r || (by(L, i + r) != '.' && by(L, i + r) != '-' && !is_space(cp(L, i + r, &l))))
		return 0;
	if (c > 0 && is_azAZ((uint32_t)c))
		cand[nc++] = 1;
	for (size_t k = 0; k < NELEM(abbrev4_words); k++)
		cand[nc++] = word_in(L, i, abbrev4_words + k, 1);
	if ((c == 'm' || c == 'M') && (by(L, i + 1) == 'f' || by(L, i + 1) == 't') &&
	    (by(L, i + 2) | 0x20) == 'g')
		cand[nc++] = 3;
	cand[nc++] = m_acro(L, i);
	for (size_t k = 0; k < nc; k++) {
		size_t m = cand[k];
		if (m && is_space(cp(L, i + m, &l)) && m + l > best) {
			best = m + l;
			*keep = m;
		}
	}
	return best;
}

/* {ACRO}/{SPACENL} */
static size_t m_acro_spacenl(const struct lx *L, size_t i, size_t *keep)
{
	size_t a = m_acro(L, i), l;

	if (!a || !is_spacenl(cp(L, i + a, &l)))
		return 0;
	*keep = a;
	return a + l;
}

/* {TBSPEC2}/{SPACENL}, TBSPEC2 = {APOS}[0-9][0-9] */
static size_t m_tbspec2_spacenl(const struct lx *L, size_t i, size_t *keep)
{
	size_t a = apos(L, i), l;

	if (!a || !is_09(cp1(L, i + a)) || !is_09(cp1(L, i + a + 1)) ||
	    !is_spacenl(cp(L, i + a + 2, &l)))
		return 0;
	*keep = a + 2;
	return a + 2 + l;
}

/* INSENTP = [,;:\u3001] */
static size_t insentp(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	return c == ',' || c == ';' || c == ':' || c == 0x3001 ? l : 0;
}

/* X\./{INSENTP} for a matcher X */
static size_t dot_insentp(const struct lx *L, size_t i, size_t x, size_t *keep)
{
	size_t p;

	if (!x || by(L, i + x) != '.' || !(p = insentp(L, i + x + 1)))
		return 0;
	*keep = x + 1;
	return x + 1 + p;
}

static size_t m_word_dot(const struct lx *L, size_t i, size_t *keep)
{
	return dot_insentp(L, i, m_word(L, i), keep);
}

/* PHONE = (\([0-9]{2,3}\)[ \u00A0]?|(\+\+?)?([0-9]{2,4}[\- \u00A0])?[0-9]{2,4}[\- \u00A0])
 *         [0-9]{3,4}[\- \u00A0]?[0-9]{3,5}
 *       | ((\+\+?)?[0-9]{2,4}\.)?[0-9]{2,4}\.[0-9]{3,4}\.[0-9]{3,5} */
static size_t d09(const struct lx *L, size_t i, size_t lo, size_t hi, size_t *outs)
{
	/* every count in lo..hi that is possible: bit k of the result */
	size_t k = 0, mask = 0;

	while (k < hi && is_09(cp1(L, i + k)))
		k++;
	for (size_t m = lo; m <= k; m++)
		mask |= (size_t)1 << m;
	*outs = k;
	return mask;
}

static int phone_sep(const struct lx *L, size_t i, size_t *l)
{
	uint32_t c = cp(L, i, l);
	return c == '-' || c == ' ' || c == 0xa0;
}

/* the tail [0-9]{3,4}[\- \u00A0]?[0-9]{3,5} at i: the longest, or 0 */
static size_t phone_tail(const struct lx *L, size_t i)
{
	size_t best = 0, n, mask = d09(L, i, 3, 4, &n), l;

	for (size_t a = 3; a <= 4; a++) {
		size_t n2, m2, s = 0;
		if (!(mask >> a & 1))
			continue;
		for (int sep = 0; sep < 2; sep++) {
			if (sep) {
				if (!phone_sep(L, i + a, &l))
					continue;
				s = l;
			} else {
				s = 0;
			}
			m2 = d09(L, i + a + s, 3, 5, &n2);
			for (size_t b = 5; b >= 3; b--)
				if (m2 >> b & 1) {
					best = a + s + b > best ? a + s + b : best;
					break;
				}
		}
	}
	return best;
}

static size_t m_phone(const struct lx *L, size_t i)
{
	size_t best = 0, n, l, t, j0, mask;

	/* \([0-9]{2,3}\)[ \u00A0]? tail */
	if (by(L, i) == '(') {
		mask = d09(L, i + 1, 2, 3, &n);
		for (size_t a = 2; a <= 3; a++) {
			if (!(mask >> a & 1) || by(L, i + 1 + a) != ')')
				continue;
			size_t p = i + 2 + a;
			if ((t = phone_tail(L, p)))
				best = p + t - i > best ? p + t - i : best;
			if (phone_sep(L, p, &l) && cp1(L, p) != '-' && (t = phone_tail(L, p + l)))
				best = p + l + t - i > best ? p + l + t - i : best;
		}
	}
	j0 = i;
	if (by(L, j0) == '+') {
		j0++;
		if (by(L, j0) == '+')
			j0++;
	}
	/* (\+\+?)? is optional: try with and without the pluses */
	for (size_t start = i; start <= j0; start = start == j0 ? j0 + 1 : j0) {
		/* ([0-9]{2,4}[\- \u00A0])?[0-9]{2,4}[\- \u00A0] tail */
		size_t m1 = d09(L, start, 2, 4, &n);
		for (size_t a = 2; a <= 4; a++) {
			size_t p, m2, n2;
			if (!(m1 >> a & 1) || !phone_sep(L, start + a, &l))
				continue;
			p = start + a + l;
			if ((t = phone_tail(L, p)))
				best = p + t - i > best ? p + t - i : best;
			m2 = d09(L, p, 2, 4, &n2);
			for (size_t b = 2; b <= 4; b++) {
				size_t l2;
				if (!(m2 >> b & 1) || !phone_sep(L, p + b, &l2))
					continue;
				if ((t = phone_tail(L, p + b + l2)))
					best = p + b + l2 + t - i > best ? p + b + l2 + t - i : best;
			}
		}
		/* dotted: ([0-9]{2,4}\.)?[0-9]{2,4}\.[0-9]{3,4}\.[0-9]{3,5} */
		for (int pre = start == i ? 0 : 1; pre < 2; pre++) {
			size_t p = start;
			if (pre) {
				size_t m0 = d09(L, p, 2, 4, &n), a;
				for (a = 4; a >= 2; a--)
					if (m0 >> a & 1 && by(L, p + a) == '.')
						break;
				if (a < 2)
					continue;
				p += a + 1;
			}
			for (size_t a = 2; a <= 4; a++) {
				size_t mb, nb, mc, nc;
				if (!(d09(L, p, 2, 4, &n) >> a & 1) || by(L, p + a) != '.')
					continue;
				mb = d09(L, p + a + 1, 3, 4, &nb);
				for (size_t b = 3; b <= 4; b++) {
					if (!(mb >> b & 1) || by(L, p + a + 1 + b) != '.')
						continue;
					mc = d09(L, p + a + b + 2, 3, 5, &nc);
					for (size_t c = 5; c >= 3; c--)
						if (mc >> c & 1) {
							size_t e = p + a + b + 2 + c - i;
							best = e > best ? e : best;
							break;
						}
				}
			}
		}
		if (start == j0)
			break;
	}
	return best;
}

/* ---- quotes, brackets, punctuation ------------------------------------ */

/* DBLQUOT = \"|&quot; */
static size_t dblquot(const struct lx *L, size_t i)
{
	int c = by(L, i);

	if (c == '"')
		return 1;
	return c == '&' ? lit(L, i, "&quot;") : 0;
}

/* {DBLQUOT}/[A-Za-z0-9$] */
static size_t m_dblquot_left(const struct lx *L, size_t i, size_t *keep)
{
	size_t q = dblquot(L, i);
	int c;

	if (!q)
		return 0;
	c = by(L, i + q);
	if (c < 0 || !(is_azAZ09((uint32_t)c) || c == '$'))
		return 0;
	*keep = q;
	return q + 1;
}

static size_t m_dblquot(const struct lx *L, size_t i)
{
	return dblquot(L, i);
}

static size_t m_del7f(const struct lx *L, size_t i)
{
	return by(L, i) == 0x7f;
}

static size_t m_lessthan(const struct lx *L, size_t i)
{
	return by(L, i) == '<' ? 1 : lit(L, i, "&lt;");
}

static size_t m_greaterthan(const struct lx *L, size_t i)
{
	return by(L, i) == '>' ? 1 : lit(L, i, "&gt;");
}

/* {SMILEY}/[^A-Za-z0-9], SMILEY = [<>]?[:;=][\-o\*']?[\(\)DPdpO\\{@\|\[\]] */
static size_t m_smiley(const struct lx *L, size_t i, size_t *keep)
{
	size_t j = i, l;
	int c = by(L, j);
	uint32_t d;

	if (c == '<' || c == '>')
		c = by(L, ++j);
	if (c != ':' && c != ';' && c != '=')
		return 0;
	c = by(L, ++j);
	if (c == '-' || c == 'o' || c == '*' || c == '\'')
		c = by(L, ++j);
	if (c < 0 || !strchr("()DPdpO\\{@|[]", c) || !c)
		return 0;
	j++;
	d = cp(L, j, &l);
	if (d == NOCP || is_azAZ09(d))
		return 0;
	*keep = j - i;
	return j - i + l;
}

static size_t m_char(const struct lx *L, size_t i, int ch)
{
	return by(L, i) == ch;
}

static size_t m_lcb(const struct lx *L, size_t i) { return m_char(L, i, '{'); }
static size_t m_rcb(const struct lx *L, size_t i) { return m_char(L, i, '}'); }
static size_t m_lsb(const struct lx *L, size_t i) { return m_char(L, i, '['); }
static size_t m_rsb(const struct lx *L, size_t i) { return m_char(L, i, ']'); }
static size_t m_lrb(const struct lx *L, size_t i) { return m_char(L, i, '('); }
static size_t m_rrb(const struct lx *L, size_t i) { return m_char(L, i, ')'); }
static size_t m_equals(const struct lx *L, size_t i) { return m_char(L, i, '='); }
static size_t m_slash(const struct lx *L, size_t i) { return m_char(L, i, '/'); }

static size_t m_hyphens(const struct lx *L, size_t i)
{
	size_t j = i;

	while (by(L, j) == '-')
		j++;
	return j - i;
}

/* LDOTS = \.{3,5}|(\.[ \u00A0]){2,4}\.|[\u0085\u2026] */
static size_t m_ldots(const struct lx *L, size_t i)
{
	size_t j = i, l, best = 0, pairs = 0;
	uint32_t c = cp(L, i, &l);

	if (c == 0x85 || c == 0x2026)
		return l;
	while (by(L, j) == '.' && j - i < 5)
		j++;
	if (j - i >= 3)
		best = j - i;
	j = i;
	while (pairs < 4 && by(L, j) == '.') {
		uint32_t s = cp(L, j + 1, &l);
		if (s != ' ' && s != 0xa0)
			break;
		j += 1 + l;
		pairs++;
		if (pairs >= 2 && by(L, j) == '.' && j + 1 - i > best)
			best = j + 1 - i;
	}
	return best;
}

/* FNMARKS = @+|#+|_+ */
static size_t m_fnmarks(const struct lx *L, size_t i)
{
	int c = by(L, i);
	size_t j = i;

	if (c != '@' && c != '#' && c != '_')
		return 0;
	while (by(L, j) == c)
		j++;
	return j - i;
}

/* ASTS = \*+|(\\\*){1,3} */
static size_t m_asts(const struct lx *L, size_t i)
{
	size_t j = i;

	while (by(L, j) == '*')
		j++;
	if (j > i)
		return j - i;
	while (j - i < 6 && by(L, j) == '\\' && by(L, j + 1) == '*')
		j += 2;
	return j - i;
}

static size_t m_insentp(const struct lx *L, size_t i)
{
	return insentp(L, i);
}

static size_t m_qmark(const struct lx *L, size_t i)
{
	size_t j = i;

	while (by(L, j) == '?' || by(L, j) == '!')
		j++;
	return j - i;
}

/* [.¡¿\u037E\u0589\u061F\u06D4\u0700-\u0702\u07FA\u3002] */
static size_t m_period(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	return c == '.' || c == 0xa1 || c == 0xbf || c == 0x37e || c == 0x589 || c == 0x61f ||
	       c == 0x6d4 || (c >= 0x700 && c <= 0x702) || c == 0x7fa || c == 0x3002 ? l : 0;
}

/* HTHING = [A-Za-z0-9][A-Za-z0-9.,\u00AD]*(-([A-Za-z0-9\u00AD]+|{ACRO}\.))+ */
static int is_hthing1(uint32_t c)
{
	return is_azAZ09(c) || c == '.' || c == ',' || c == 0xad;
}

static int is_hthing2(uint32_t c)
{
	return is_azAZ09(c) || c == 0xad;
}

static size_t m_hthing(const struct lx *L, size_t i)
{
	size_t j, end = 0;

	if (!is_azAZ09(cp1(L, i)))
		return 0;
	j = i + 1 + run_of(L, i + 1, is_hthing1);
	while (by(L, j) == '-') {
		size_t r = run_of(L, j + 1, is_hthing2), a = m_acro(L, j + 1);
		if (a && by(L, j + 1 + a) == '.' && a + 1 > r)
			r = a + 1;
		if (!r)
			break;
		j += 1 + r;
		end = j;
	}
	return end ? end - i : 0;
}

static size_t m_hthing_dot(const struct lx *L, size_t i, size_t *keep)
{
	return dot_insentp(L, i, m_hthing(L, i), keep);
}

/* THING = ([dDoOlL]{APOSETCETERA}[alnum])?[alnum]+({HYPHEN}([dDoOlL]{APOSETCETERA}[alnum])?[alnum]+)*
 * HYPHEN = [-_\u058A\u2010\u2011] */
static size_t thing_seg(const struct lx *L, size_t i)
{
	int c = by(L, i);
	size_t a, l, r;

	if (c > 0 && strchr("dDoOlL", c) && (a = aposetc(L, i + 1)) &&
	    is_alnum(cp(L, i + 1 + a, &l)) && (r = alnum_run(L, i + 1 + a + l)))
		return 1 + a + l + r;
	return alnum_run(L, i);
}

static size_t m_thing(const struct lx *L, size_t i)
{
	size_t j = thing_seg(L, i), l, s;
	uint32_t c;

	if (!j)
		return 0;
	j += i;
	for (;;) {
		c = cp(L, j, &l);
		if (!(c == '-' || c == '_' || c == 0x58a || c == 0x2010 || c == 0x2011))
			break;
		if (!(s = thing_seg(L, j + l)))
			break;
		j += l + s;
	}
	return j - i;
}

static size_t m_thing_dot(const struct lx *L, size_t i, size_t *keep)
{
	return dot_insentp(L, i, m_thing(L, i), keep);
}

/* THINGA = [A-Z]+(([+&]|{SPAMP})[A-Z]+)+ */
static size_t m_thinga(const struct lx *L, size_t i)
{
	size_t j = i + run_of(L, i, is_AZ), end = 0;

	if (j == i)
		return 0;
	for (;;) {
		size_t s = lit(L, j, "&amp;"), r;
		if (!s && (by(L, j) == '+' || by(L, j) == '&'))
			s = 1;
		if (!s || !(r = run_of(L, j + s, is_AZ)))
			break;
		j += s + r;
		end = j;
	}
	return end ? end - i : 0;
}

static size_t m_thinga_dot(const struct lx *L, size_t i, size_t *keep)
{
	return dot_insentp(L, i, m_thinga(L, i), keep);
}

/* '/[A-Za-z][^ \t\n\r\u00A0] */
static size_t m_quote_left(const struct lx *L, size_t i, size_t *keep)
{
	size_t l;
	uint32_t c;

	if (by(L, i) != '\'' || !is_azAZ(cp1(L, i + 1)))
		return 0;
	c = cp(L, i + 2, &l);
	if (c == NOCP || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xa0)
		return 0;
	*keep = 1;
	return 2 + l;
}

/* QUOTES = {APOS}|''|[`\u2018\u2019\u201A\u201B\u201C\u201D\u0091-\u0094\u201E\u201F\u2039\u203A\u00AB\u00BB]{1,2} */
static int is_qchar(uint32_t c)
{
	return c == '`' || c == 0x2018 || c == 0x2019 || c == 0x201a || c == 0x201b ||
	       c == 0x201c || c == 0x201d || (c >= 0x91 && c <= 0x94) || c == 0x201e ||
	       c == 0x201f || c == 0x2039 || c == 0x203a || c == 0xab || c == 0xbb;
}

static size_t m_quotes(const struct lx *L, size_t i)
{
	size_t best = apos(L, i), l, l2;

	if (by(L, i) == '\'' && by(L, i + 1) == '\'')
		best = 2;
	if (is_qchar(cp(L, i, &l))) {
		size_t m = is_qchar(cp(L, i + l, &l2)) ? l + l2 : l;
		best = m > best ? m : best;
	}
	return best;
}

static size_t m_duckfeet(const struct lx *L, size_t i)
{
	int c = by(L, i);
	return (c == '<' || c == '>') && by(L, i + 1) == c ? 2 : 0;
}

static size_t m_miscsymbol(const struct lx *L, size_t i)
{
	size_t l;
	uint32_t c = cp(L, i, &l);

	return in32(misc_symbol, NELEM(misc_symbol), c) ? l : 0;
}

/* \0|{SPACES}|[\u200B\u200E-\u200F\uFEFF]|{NEWLINE}|&nbsp; : skipped */
static size_t m_skip(const struct lx *L, size_t i)
{
	size_t j = i, l;
	uint32_t c = cp(L, i, &l);

	if (c == 0 || c == 0x200b || c == 0x200e || c == 0x200f || c == 0xfeff || is_newline(c))
		return l;
	while (is_space(cp(L, j, &l)))
		j += l;
	if (j > i)
		return j - i;
	return lit(L, i, "&nbsp;");
}

static size_t m_assim3(const struct lx *L, size_t i)
{
	int c0 = by(L, i) | 0x20;
	size_t m;

	if (c0 != 'c' && c0 != '\'' && c0 != 'd')
		return 0;
	m = lit(L, i, "cannot");

	if (!m)
		m = lit(L, i, "'twas");
	if (!m)
		m = lit(L, i, "dunno");
	return m;
}

static size_t m_assim2(const struct lx *L, size_t i)
{
	static const char *const w[] = { "gonna", "gotta", "lemme", "gimme", "wanna" };
	size_t a, m;
	int c0 = by(L, i) | 0x20;

	if (c0 == 'g' || c0 == 'l' || c0 == 'w') {
		for (size_t k = 0; k < NELEM(w); k++)
			if ((m = lit(L, i, w[k])))
				return m;
		return 0;
	}
	a = apos(L, i);
	return a && (m = lit(L, i + a, "tis")) ? a + m : 0;
}

/* SPMDASH = &(MD|mdash|ndash);|[\u0096\u0097\u2013\u2014\u2015] */
static size_t m_spmdash(const struct lx *L, size_t i)
{
	size_t l, m;
	uint32_t c = cp(L, i, &l);

	if (c == 0x96 || c == 0x97 || c == 0x2013 || c == 0x2014 || c == 0x2015)
		return l;
	if (c != '&')
		return 0;
	if ((m = lit(L, i, "&md;")) || (m = lit(L, i, "&mdash;")) || (m = lit(L, i, "&ndash;")))
		return m;
	return 0;
}

static size_t m_spamp(const struct lx *L, size_t i)
{
	return lit(L, i, "&amp;");
}

/* SPPUNC = &(HT|TL|UR|LR|QC|QL|QR|odq|cdq|#[0-9]+); */
static size_t m_sppunc(const struct lx *L, size_t i)
{
	static const char *const e[] = { "ht;", "tl;", "ur;", "lr;", "qc;", "ql;", "qr;",
					 "odq;", "cdq;" };
	size_t m, r;

	if (by(L, i) != '&')
		return 0;
	for (size_t k = 0; k < NELEM(e); k++)
		if ((m = lit(L, i + 1, e[k])))
			return 1 + m;
	if (by(L, i + 1) == '#' && (r = run_of(L, i + 2, is_09)) && by(L, i + 2 + r) == ';')
		return 3 + r;
	return 0;
}

static size_t m_abbrev1_plain(const struct lx *L, size_t i)
{
	return m_abbrev1(L, i);
}

/* ---- the rule table ---------------------------------------------------- */

enum act {
	A_PLAIN,      /* the text as it is */
	A_WORD,       /* soft hyphens removed ("-" if nothing is left) */
	A_PUSH3,      /* emit all but the last 3 characters (assimilations) */
	A_PUSH2,
	A_DUP,        /* emit, then read the final period again */
	A_SGML,       /* spaces -> U+00A0 */
	A_DASH,       /* "--" */
	A_AMP,        /* &amp; -> & */
	A_QUOTE_R,    /* quotes as closing ones */
	A_QUOTE_L,    /* quotes as opening ones */
	A_FRAC,       /* spaces -> U+00A0 */
	A_FRAC2,      /* ½ -> 1/2 ... */
	A_CURRENCY,   /* ¢ -> cents, £ -> #, € -> $ */
	A_PHONE,      /* spaces -> U+00A0, ( ) -> -LRB- -RRB- */
	A_LT, A_GT,
	A_SMILEY,     /* ( ) -> -LRB- -RRB- */
	A_LCB, A_RCB, A_LSB, A_RSB, A_LRB, A_RRB,
	A_HYPHENS,    /* 3 or 4 hyphens -> "--" */
	A_ELLIPSIS,   /* "..." */
	A_SKIP,       /* nothing */
};

struct rule {
	size_t (*m)(const struct lx *, size_t);                /* or: */
	size_t (*mt)(const struct lx *, size_t, size_t *keep);  /* with trailing context */
	enum act act;
};

#define R(f, a) { f, NULL, a }
#define RT(f, a) { NULL, f, a }

/* PTBLexer's rules in its order (the first of equally long matches wins) */
static const struct rule rules[] = {
	R(m_assim3, A_PUSH3),
	R(m_assim2, A_PUSH2),
	R(m_sgml, A_SGML),
	R(m_spmdash, A_DASH),
	R(m_spamp, A_AMP),
	R(m_sppunc, A_PLAIN),
	RT(m_word_redaux, A_WORD),
	RT(m_sword_sredaux, A_WORD),
	R(m_word, A_WORD),
	R(m_apoword, A_PLAIN),
	RT(m_apoword2, A_PLAIN),
	R(m_fullurl, A_PLAIN),
	R(m_likelyurl, A_PLAIN),
	R(m_email, A_PLAIN),
	R(m_twitter, A_PLAIN),
	RT(m_redaux_ctx, A_QUOTE_R),
	R(m_sredaux, A_QUOTE_R),
	R(m_date, A_PLAIN),
	R(m_number, A_WORD),
	R(m_subsupnum, A_PLAIN),
	R(m_frac, A_FRAC),
	R(m_frac2, A_FRAC2),
	R(m_tbspec, A_AMP),
	R(m_thing3, A_PLAIN),
	R(m_dolsign, A_PLAIN),
	R(m_dolsign2, A_CURRENCY),
	RT(m_acronym_ctx, A_DUP),
	RT(m_abbrev1_sentend, A_DUP),
	R(m_abbrev1_plain, A_PLAIN),
	R(m_abbrev2, A_PLAIN),
	RT(m_abbrev4_space, A_PLAIN),
	RT(m_acro_spacenl, A_PLAIN),
	RT(m_tbspec2_spacenl, A_PLAIN),
	RT(m_word_dot, A_WORD),
	R(m_phone, A_PHONE),
	RT(m_dblquot_left, A_QUOTE_L),
	R(m_dblquot, A_QUOTE_R),
	R(m_del7f, A_SKIP),
	R(m_lessthan, A_LT),
	R(m_greaterthan, A_GT),
	RT(m_smiley, A_SMILEY),
	R(m_lcb, A_LCB),
	R(m_rcb, A_RCB),
	R(m_lsb, A_LSB),
	R(m_rsb, A_RSB),
	R(m_lrb, A_LRB),
	R(m_rrb, A_RRB),
	R(m_hyphens, A_HYPHENS),
	R(m_ldots, A_ELLIPSIS),
	R(m_fnmarks, A_PLAIN),
	R(m_asts, A_PLAIN),
	R(m_insentp, A_PLAIN),
	R(m_qmark, A_PLAIN),
	R(m_period, A_PLAIN),
	R(m_equals, A_PLAIN),
	R(m_slash, A_PLAIN),
	RT(m_hthing_dot, A_WORD),
	R(m_hthing, A_WORD),
	RT(m_thing_dot, A_PLAIN),
	R(m_thing, A_PLAIN),
	RT(m_thinga_dot, A_AMP),
	R(m_thinga, A_AMP),
	RT(m_quote_left, A_QUOTE_L),
	R(m_redaux, A_QUOTE_R),
	R(m_quotes, A_QUOTE_R),
	R(m_duckfeet, A_PLAIN),
	R(m_miscsymbol, A_PLAIN),
	R(m_skip, A_SKIP),
};

/* ---- output ------------------------------------------------------------- */

static const struct { const char *s; size_t n; } coco_punct[] = {
	{ "''", 2 }, { "'", 1 }, { "``", 2 }, { "`", 1 }, { "-LRB-", 5 }, { "-RRB-", 5 },
	{ "-LCB-", 5 }, { "-RCB-", 5 }, { ".", 1 }, { "?", 1 }, { "!", 1 }, { ",", 1 },
	{ ":", 1 }, { "-", 1 }, { "--", 2 }, { "...", 3 }, { ";", 1 },
};

int vl_ptb_is_coco_punct(const char *tok, size_t len)
{
	/* none starts with a letter or a digit: most tokens leave at once */
	if (!len)
		return 0;
	if (len > 5 || (unsigned char)tok[0] >= 'A')
		return tok[0] == '`' && (len == 1 || (len == 2 && tok[1] == '`'));
	for (size_t i = 0; i < NELEM(coco_punct); i++)
		if (coco_punct[i].n == len && !memcmp(coco_punct[i].s, tok, len))
			return 1;
	return 0;
}

/* Appends token t[0..n) to the output: lower-cased (-lowerCase), dropped
 * when it is in PUNCTUATIONS (VL_PTB_DROP_PUNCT). */
static void emit(struct lx *L, const char *t, size_t n)
{
	struct vl_buf *o = L->out;
	size_t mark, k;
	int ascii = 1;

	if (!n)
		return;
	if (o->len > L->start)
		vl_buf_addch(o, ' ');
	mark = o->len;
	for (k = 0; k < n; k++)
		if ((unsigned char)t[k] >= 0x80) {
			ascii = 0;
			break;
		}
	if (!(L->flags & VL_PTB_LOWER)) {
		vl_buf_add(o, t, n);
	} else if (ascii) {
		vl_buf_grow(o, n + 1);
		for (k = 0; k < n; k++) {
			char c = t[k];
			o->buf[o->len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		o->buf[o->len] = '\0';
	} else {
		vl_py_lower(t, n, o);
	}
	if ((L->flags & VL_PTB_DROP_PUNCT) && vl_ptb_is_coco_punct(o->buf + mark, o->len - mark)) {
		o->len = mark > L->start ? mark - 1 : mark;   /* the separator goes too */
		o->buf[o->len] = '\0';
	}
}

static void emit_s(struct lx *L, const char *s)
{
	emit(L, s, strlen(s));
}

/* the token text [i, i+n) of the stream, which lies within the line */
static const char *txt(const struct lx *L, size_t i)
{
	return (const char *)L->s + i;
}

/* latexQuotes(): ' " &apos; &quot; by position, the typographic ones by
 * their direction; anything else as it is */
static void emit_quotes(struct lx *L, size_t i, size_t n, int left)
{
	struct vl_buf *b = &L->tok;
	size_t j = i, l, m;

	vl_buf_reset(b);
	while (j < i + n) {
		uint32_t c = cp(L, j, &l);
		if ((m = lit(L, j, "&apos;"))) {
			vl_buf_adds(b, left ? "`" : "'");
			j += m;
			continue;
		}
		if ((m = lit(L, j, "&quot;"))) {
			vl_buf_adds(b, left ? "``" : "''");
			j += m;
			continue;
		}
		if (c == '\'')
			vl_buf_adds(b, left ? "`" : "'");
		else if (c == '"')
			vl_buf_adds(b, left ? "``" : "''");
		else if (c == 0x91 || c == 0x2018 || c == 0x201b || c == 0x2039)
			vl_buf_adds(b, "`");
		else if (c == 0x92 || c == 0x2019 || c == 0x203a)
			vl_buf_adds(b, "'");
		else if (c == 0x93 || c == 0x201c || c == 0xab)
			vl_buf_adds(b, "``");
		else if (c == 0x94 || c == 0x201d || c == 0xbb)
			vl_buf_adds(b, "''");
		else
			vl_buf_add(b, txt(L, j), l);
		j += l;
	}
	emit(L, b->buf, b->len);
}

/* text with some code points replaced: map returns the replacement or NULL */
static void emit_mapped(struct lx *L, size_t i, size_t n, const char *(*map)(uint32_t))
{
	struct vl_buf *b = &L->tok;
	size_t j = i, l;

	vl_buf_reset(b);
	while (j < i + n) {
		uint32_t c = cp(L, j, &l);
		const char *r = map(c);
		if (r)
			vl_buf_adds(b, r);
		else
			vl_buf_add(b, txt(L, j), l);
		j += l;
	}
	emit(L, b->buf, b->len);
}

static const char *map_soft(uint32_t c)
{
	return c == 0xad ? "" : NULL;
}

static const char *map_space(uint32_t c)
{
	return c == ' ' ? "\xc2\xa0" : NULL;
}

static const char *map_phone(uint32_t c)
{
	return c == ' ' ? "\xc2\xa0" : c == '(' ? "-LRB-" : c == ')' ? "-RRB-" : NULL;
}

static const char *map_paren(uint32_t c)
{
	return c == '(' ? "-LRB-" : c == ')' ? "-RRB-" : NULL;
}

static const char *map_frac2(uint32_t c)
{
	switch (c) {
	case 0xbc: return "1/4";
	case 0xbd: return "1/2";
	case 0xbe: return "3/4";
	case 0x2153: return "1/3";
	case 0x2154: return "2/3";
	}
	return NULL;
}

static const char *map_currency(uint32_t c)
{
	switch (c) {
	case 0xa2: return "cents";
	case 0xa3: return "#";
	case 0x80: case 0xa4: case 0x20a0: case 0x20ac: return "$";
	}
	return NULL;
}

static void emit_amp(struct lx *L, size_t i, size_t n)
{
	struct vl_buf *b = &L->tok;
	size_t j = i, m;

	vl_buf_reset(b);
	while (j < i + n) {
		if ((m = lit(L, j, "&amp;"))) {
			vl_buf_addch(b, '&');
			j += m;
		} else {
			vl_buf_addch(b, by(L, j));
			j++;
		}
	}
	emit(L, b->buf, b->len);
}

/* Runs the action of rule r matched at i (keep characters consumed);
 * returns where scanning goes on. */
static size_t act(struct lx *L, enum act a, size_t i, size_t keep)
{
	if (keep > L->n - i)   /* tokens never cross the line end; be safe */
		keep = L->n - i;
	switch (a) {
	case A_PLAIN:
		emit(L, txt(L, i), keep);
		break;
	case A_WORD:
		if (memchr(txt(L, i), 0xc2, keep)) {
			emit_mapped(L, i, keep, map_soft);
			if (!L->tok.len)
				emit_s(L, "-");
		} else {
			emit(L, txt(L, i), keep);
		}
		break;
	case A_PUSH3:
		emit(L, txt(L, i), keep - 3);
		return i + keep - 3;
	case A_PUSH2:
		emit(L, txt(L, i), keep - 2);
		return i + keep - 2;
	case A_DUP:
		emit(L, txt(L, i), keep);
		return i + keep - 1;
	case A_SGML:
	case A_FRAC:
		emit_mapped(L, i, keep, map_space);
		break;
	case A_DASH:
		emit_s(L, "--");
		break;
	case A_AMP:
		emit_amp(L, i, keep);
		break;
	case A_QUOTE_R:
	case A_QUOTE_L:
		emit_quotes(L, i, keep, a == A_QUOTE_L);
		break;
	case A_FRAC2:
		emit_mapped(L, i, keep, map_frac2);
		break;
	case A_CURRENCY:
		emit_mapped(L, i, keep, map_currency);
		break;
	case A_PHONE:
		emit_mapped(L, i, keep, map_phone);
		break;
	case A_SMILEY:
		emit_mapped(L, i, keep, map_paren);
		break;
	case A_LT: emit_s(L, "<"); break;
	case A_GT: emit_s(L, ">"); break;
	case A_LCB: emit_s(L, "-LCB-"); break;
	case A_RCB: emit_s(L, "-RCB-"); break;
	case A_LSB: emit_s(L, "-LSB-"); break;
	case A_RSB: emit_s(L, "-RSB-"); break;
	case A_LRB: emit_s(L, "-LRB-"); break;
	case A_RRB: emit_s(L, "-RRB-"); break;
	case A_HYPHENS:
		if (keep >= 3 && keep <= 4)
			emit_s(L, "--");
		else
			emit(L, txt(L, i), keep);
		break;
	case A_ELLIPSIS:
		emit_s(L, "...");
		break;
	case A_SKIP:
		break;
	}
	return i + keep;
}

static int is_fast_char(uint32_t c)
{
	return c < 0x80 ? is_azAZ09(c) : c <= 0xffff && (is_letter(c) || is_digit(c));
}

/* The fast path: a letter, then letters and digits, then white space or the
 * end of the line is a WORD whatever the other rules say (they all need
 * some punctuation), unless it is an assimilation ("cannot", "gonna" ...).
 * Returns the end of the token, or 0 when the general path must decide. */
static size_t fast_word(struct lx *L, size_t i)
{
	static const char *const assim[] = { "cannot", "dunno", "gonna", "gotta", "lemme",
					     "gimme", "wanna" };
	size_t j = i, l;
	uint32_t c = cp(L, i, &l);
	int b;

	if (!(c < 0x80 ? is_azAZ(c) : c <= 0xffff && is_letter(c)))
		return 0;
	j += l;
	while (j < L->n && is_fast_char(c = cp(L, j, &l)))
		j += l;
	b = j < L->n ? L->s[j] : -1;
	if (!(b == ' ' || b == '\t' || b == -1))
		return 0;
	if (j - i == 5 || j - i == 6)
		for (size_t k = 0; k < NELEM(assim); k++)
			if (lit(L, i, assim[k]) == j - i)
				return 0;
	emit(L, txt(L, i), j - i);
	return j;
}

static void tokenize(struct lx *L)
{
	size_t i = 0;

	vl_buf_grow(L->out, L->n + 16);
	L->start = L->out->len;
	while (i < L->n) {
		size_t best = 0, keep = 0, l, j;
		const struct rule *win = NULL;
		int b = L->s[i];

		if (b == ' ') {
			i++;
			continue;
		}
		if ((j = fast_word(L, i))) {
			i = j;
			continue;
		}
		for (size_t r = 0; r < NELEM(rules); r++) {
			size_t k = 0, t = rules[r].m ? rules[r].m(L, i) : rules[r].mt(L, i, &k);
			if (t > best) {
				best = t;
				keep = rules[r].m ? t : k;
				win = &rules[r];
			}
		}
		if (!win) {   /* untokenizable: deleted */
			cp(L, i, &l);
			i += l;
			continue;
		}
		i = act(L, win->act, i, keep);
	}
	vl_buf_release(&L->tok);
	vl_buf_str(L->out);
}

void vl_ptb_tokenize_line(const char *s, const char *next, int flags, struct vl_buf *out)
{
	struct lx L = { (const unsigned char *)s, strlen(s), (const unsigned char *)next,
			next ? strlen(next) : 0, flags, out, 0, VL_BUF_INIT };

	tokenize(&L);
}

void vl_ptb_tokenize(const char *s, int flags, struct vl_buf *out)
{
	vl_ptb_tokenize_line(s, "", flags, out);
}
