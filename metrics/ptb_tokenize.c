/*
 * ptb_tokenize.c - a PTB tokenizer in C standing in for pycocoevalcap's
 * PTBTokenizer step (Stanford CoreNLP 3.4.1 edu.stanford.nlp.process.
 * PTBTokenizer -preserveLines -lowerCase, default options, then dropping the
 * tokens of its PUNCTUATIONS list).  Written from the lexer's documented
 * rules; it has NOT been compared with the Java output (no CoreNLP jar is
 * available here), so treat exotic inputs as approximate.
 *
 * Rules implemented, in the order they are tried at each position:
 *  1. White space separates tokens: space, tab, CR, LF, VT, FF, U+0085,
 *     U+00A0, U+2000..U+200A, U+2028, U+2029, U+3000.  U+200B, U+200E,
 *     U+200F, U+FEFF, '|', '\' and ASCII control characters are deleted.
 *  2. "cannot" (any case, as a whole word) -> "can" "not".
 *  3. Contractions: word + 's 'm 'd 're 've 'll (any case, apostrophe ' or
 *     U+2019) followed by a non-letter -> word, "'s" ...; a word ending in
 *     n + n't -> stem, "n't" ("don't" -> "do n't", "can't" -> "ca n't",
 *     "won't" -> "wo n't").  Curly apostrophes come out as '.
 *  4. Words: runs of letters and digits (non-ASCII letters included),
 *     joined across hyphens "-", "_", U+2010, U+2011 when a letter or digit
 *     follows ("black-and-white", "t-shirt", "2-year-old" stay whole), and
 *     across an apostrophe followed by a letter that is not a contraction
 *     ("o'clock", "rock'n'roll").
 *  5. Numbers: digits with inner groups of [.,:] + digits ("1,000", "3.5",
 *     "10:30"), an optional leading + or - ("-5"), or starting with the
 *     separator (".5").
 *  6. Slash compounds: word/word (up to three parts) and dates/fractions
 *     stay one token with the slash escaped: "and/or" -> "and\/or",
 *     "1/2" -> "1\/2".  A lone "/" -> "\/", "*" runs -> "\*" each.
 *  7. Abbreviations keep their period: single letters ("a."), acronyms
 *     ("u.s.", "a.m."), and the lexer's lists of titles, months, days,
 *     states and company words ("mr.", "dr.", "st.", "jan.", "inc.",
 *     "etc.", "vs." ...).  Any other word loses a final period, which
 *     becomes a "." token.
 *  8. Quotes: " -> `` before a letter, digit or $, else ''; ' -> ` when a
 *     letter and another non-space follow and it starts a token, else ';
 *     `` and '' pairs stay; U+2018, U+201B, U+2039 -> `; U+2019, U+203A
 *     -> '; U+201C, U+00AB -> ``; U+201D, U+00BB -> ''.
 *  9. Brackets: ( [ < -> -LRB-; ) ] > -> -RRB-; { -> -LCB-; } -> -RCB-.
 * 10. Dashes: "-" stays, runs of 2..4 hyphens and U+2013, U+2014, U+2015
 *     -> "--", longer runs stay as they are.
 * 11. Dots: runs of 3..5 dots and U+2026 -> "..."; longer runs split into
 *     "..." pieces; "." and ".." give "." tokens.
 * 12. [?!] runs are one token ("?!", "!!": not in PUNCTUATIONS, so kept);
 *     , ; : = + % & ~ ^ # @ $ are tokens of their own (runs of # and @
 *     together); "&amp;" -> "&".
 * 13. Currency and fractions: U+00A2 -> "cents", U+00A3 -> "#", U+00A4,
 *     U+20AC -> "$"; U+00BC, U+00BD, U+00BE -> "1\/4", "1\/2", "3\/4".
 * 14. Americanize (on by default in 3.4.1): pure-letter words that are in
 *     the lexer's British-to-American table ("colour" -> "color", "grey"
 *     -> "gray", "centre" -> "center", ...) or match its patterns
 *     (-our(s) after three letters -> -or(s) except glamour/detour/devour,
 *     haem(at)o -> hem(at)o, -aemia -> -emia, leukaem -> leukem,
 *     programme(s) -> program(s)).  It runs before lowercasing and is case
 *     sensitive, as in Java: "Grey" is not mapped, "grey" is.
 * 15. -lowerCase lowercases every token, "-LRB-" included: pycocoevalcap's
 *     PUNCTUATIONS list holds the upper-case "-LRB-", "-RRB-", "-LCB-",
 *     "-RCB-", which therefore never match, so brackets survive scoring as
 *     "-lrb-" ... tokens.  This mirrors the Java pipeline on purpose.
 * 16. VL_PTB_DROP_PUNCT drops tokens equal to '' ' `` ` -LRB- -RRB- -LCB-
 *     -RCB- . ? ! , : - -- ... ; exactly.
 * Lowercasing covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
 *
 * Not implemented (CoreNLP does them; rare in captions): sentence-final
 * abbreviation period duplication ("etc." then "."), spaced ellipses
 * ". . .", SGML/HTML tags and entities other than &amp;, URLs and e-mail
 * addresses as single tokens, phone numbers, "word." before , ; :,
 * acronym-before-capitalised-word splitting, the full APOWORD list
 * ("'tis", "'90s", "y'all" ...), assimilations "gonna" / "gotta" /
 * "wanna" (split by later CoreNLP versions; not, as far as we can tell, by
 * 3.4.1), untokenizable-character warnings, and full Unicode letter classes
 * and case mapping (other non-ASCII code points count as letters).
 */
#include "metrics/ptb_tokenize.h"

#include <string.h>

/* ---- UTF-8 ----------------------------------------------------------- */

/* Decodes the code point at s (returns its byte length, >= 1).  Invalid
 * bytes decode as themselves (U+0080..U+00FF range is avoided by mapping
 * them to 0xDC00 + byte, a lone surrogate nothing else produces). */
static size_t dec(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80 && s[0] >= 0xc2) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
	    (s[3] & 0xc0) == 0x80) {
		*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		      (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return 4;
	}
	*cp = 0xdc00 + s[0];
	return 1;
}

static void enc(struct vl_buf *b, uint32_t cp)
{
	char t[4];

	if (cp >= 0xdc80 && cp <= 0xdcff) {   /* an invalid byte, kept */
		vl_buf_addch(b, (int)(cp - 0xdc00));
	} else if (cp < 0x80) {
		vl_buf_addch(b, (int)cp);
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | cp >> 6);
		t[1] = (char)(0x80 | (cp & 0x3f));
		vl_buf_add(b, t, 2);
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | cp >> 12);
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f));
		vl_buf_add(b, t, 3);
	} else {
		t[0] = (char)(0xf0 | cp >> 18);
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (char)(0x80 | (cp & 0x3f));
		vl_buf_add(b, t, 4);
	}
}

static uint32_t lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xc0)
		return c;
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7))
		return c + 32;
	if (c >= 0x100 && c <= 0x17f) {
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
			return (c & 1) ? c + 1 : c;   /* odd = upper in these runs */
		if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17f)
			return c == 0x130 ? 'i' : c;
		return (c & 1) ? c : c + 1;
	}
	if (c >= 0x391 && c <= 0x3ab && c != 0x3a2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42f)
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	return c;
}

/* ---- character classes ----------------------------------------------- */

static int is_space(uint32_t c)
{
	return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 ||
	       (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x3000;
}

static int is_deleted(uint32_t c)
{
	return c < 0x20 || c == 0x7f || c == '|' || c == '\\' || c == 0x200b || c == 0x200e ||
	       c == 0x200f || c == 0xfeff || (c >= 0x80 && c < 0xa0);
}

static int is_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int is_apos(uint32_t c)
{
	return c == '\'' || c == 0x2019;
}

static int is_hyphen(uint32_t c)
{
	return c == '-' || c == '_' || c == 0x2010 || c == 0x2011;
}

/* Letters: ASCII letters and the non-ASCII code points that are not
 * white space, punctuation or symbols the lexer treats specially. */
static int is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c >= 0xdc80 && c <= 0xdcff)
		return 1;   /* invalid byte: stays inside its word */
	if (c < 0xc0)
		return c == 0xaa || c == 0xb5 || c == 0xba;
	if (c == 0xd7 || c == 0xf7)
		return 0;
	if (c >= 0x2000 && c <= 0x2bff)
		return 0;   /* general punctuation, symbols, arrows, math */
	if (c >= 0x3000 && c <= 0x303f)
		return 0;
	if (c >= 0xff01 && c <= 0xff0f)
		return 0;
	if (c >= 0x1f000)
		return 0;   /* emoji and pictographs */
	return !is_space(c);
}

static int is_alnum(uint32_t c)
{
	return is_letter(c) || is_digit(c);
}

/* ---- tables ---------------------------------------------------------- */

/* Words that keep their final period (CoreNLP's ABBREV1/ABBREV2 lists:
 * titles, months, days, states, company and number words), lowercase. */
static const char *const abbrevs[] = {
	"mr", "mrs", "ms", "miss", "dr", "drs", "prof", "profs", "sen", "sens", "rep", "reps",
	"atty", "attys", "lt", "col", "gen", "messrs", "gov", "govs", "adm", "rev", "maj",
	"sgt", "cpl", "pvt", "mt", "capt", "st", "ste", "ave", "pres", "lieut", "hon", "brig",
	"cmdr", "comdr", "pfc", "spc", "supt", "supts", "det", "vs", "alex", "wm", "jos", "cie",
	"cf", "treas", "invt", "elec", "natl", "mfg", "mtg",
	"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
	"mon", "tue", "tues", "wed", "thu", "thurs", "fri",
	"ala", "ariz", "ark", "calif", "colo", "conn", "dak", "del", "fla", "ga", "ill", "ind",
	"kan", "kans", "ky", "la", "mass", "md", "mich", "minn", "mo", "mont", "neb", "nev",
	"okla", "ore", "pa", "penn", "tenn", "tex", "va", "vt", "wash", "wis", "wisc", "wyo",
	"inc", "co", "cos", "corp", "pty", "ptys", "ppty", "pptys", "ltd", "plc", "bancorp",
	"dept", "bhd", "assn", "univ", "intl", "sys",
	"no", "nos", "prop", "ph", "tel", "est", "ext", "sq", "ft",
	"jr", "sr", "bros", "blvd", "rd", "esq", "etc", "al", "seq",
	NULL,
};

/* Americanize's word table (British spelling, American spelling). */
static const char *const amer[][2] = {
	{ "anaesthetic", "anesthetic" }, { "analogue", "analog" }, { "analogues", "analogs" },
	{ "analyse", "analyze" }, { "analysed", "analyzed" }, { "analysing", "analyzing" },
	{ "armoured", "armored" }, { "cancelled", "canceled" }, { "cancelling", "canceling" },
	{ "candour", "candor" }, { "capitalise", "capitalize" }, { "capitalised", "capitalized" },
	{ "capitalisation", "capitalization" }, { "centre", "center" }, { "chimaeric", "chimeric" },
	{ "clamour", "clamor" }, { "coloured", "colored" }, { "colouring", "coloring" },
	{ "defence", "defense" }, { "detour", "detour" }, { "discolour", "discolor" },
	{ "discolours", "discolors" }, { "discoloured", "discolored" },
	{ "discolouring", "discoloring" }, { "encyclopaedia", "encyclopedia" },
	{ "endeavour", "endeavor" }, { "endeavours", "endeavors" }, { "endeavoured", "endeavored" },
	{ "endeavouring", "endeavoring" }, { "fervour", "fervor" }, { "favour", "favor" },
	{ "favours", "favors" }, { "favoured", "favored" }, { "favouring", "favoring" },
	{ "favourite", "favorite" }, { "favourites", "favorites" }, { "fibre", "fiber" },
	{ "fibres", "fibers" }, { "finalise", "finalize" }, { "finalised", "finalized" },
	{ "finalising", "finalizing" }, { "flavour", "flavor" }, { "flavours", "flavors" },
	{ "flavoured", "flavored" }, { "flavouring", "flavoring" }, { "glamour", "glamour" },
	{ "grey", "gray" }, { "harbour", "harbor" }, { "harbours", "harbors" },
	{ "homologue", "homolog" }, { "homologues", "homologs" }, { "honour", "honor" },
	{ "honours", "honors" }, { "honoured", "honored" }, { "honouring", "honoring" },
	{ "honourable", "honorable" }, { "humour", "humor" }, { "humours", "humors" },
	{ "humoured", "humored" }, { "humouring", "humoring" }, { "kerb", "curb" },
	{ "labelled", "labeled" }, { "labelling", "labeling" }, { "labour", "labor" },
	{ "labours", "labors" }, { "laboured", "labored" }, { "labouring", "laboring" },
	{ "leant", "leaned" }, { "learnt", "learned" }, { "localise", "localize" },
	{ "localised", "localized" }, { "manoeuvre", "maneuver" }, { "manoeuvres", "maneuvers" },
	{ "maximise", "maximize" }, { "maximised", "maximized" }, { "maximising", "maximizing" },
	{ "meagre", "meager" }, { "minimise", "minimize" }, { "minimised", "minimized" },
	{ "minimising", "minimizing" }, { "modernise", "modernize" }, { "modernised", "modernized" },
	{ "modernising", "modernizing" }, { "misdemeanour", "misdemeanor" },
	{ "misdemeanours", "misdemeanors" }, { "neighbour", "neighbor" },
	{ "neighbours", "neighbors" }, { "neighbourhood", "neighborhood" },
	{ "neighbourhoods", "neighborhoods" }, { "oestrogen", "estrogen" },
	{ "oestrogens", "estrogens" }, { "organisation", "organization" },
	{ "organisations", "organizations" }, { "penalise", "penalize" },
	{ "penalised", "penalized" }, { "popularise", "popularize" },
	{ "popularised", "popularized" }, { "popularises", "popularizes" },
	{ "popularising", "popularizing" }, { "practise", "practice" }, { "practised", "practiced" },
	{ "pressurise", "pressurize" }, { "pressurised", "pressurized" },
	{ "pressurises", "pressurizes" }, { "pressurising", "pressurizing" },
	{ "realise", "realize" }, { "realised", "realized" }, { "realising", "realizing" },
	{ "realises", "realizes" }, { "recognise", "recognize" }, { "recognised", "recognized" },
	{ "recognising", "recognizing" }, { "recognises", "recognizes" },
	{ "rumoured", "rumored" }, { "rumouring", "rumoring" }, { "savour", "savor" },
	{ "savours", "savors" }, { "savoured", "savored" }, { "savouring", "savoring" },
	{ "splendour", "splendor" }, { "splendours", "splendors" }, { "theatre", "theater" },
	{ "theatres", "theaters" }, { "titre", "titer" }, { "titres", "titers" },
	{ "travelled", "traveled" }, { "travelling", "traveling" },
};

/* The patterns of Americanize, applied when the table has no entry (first
 * matching one wins).  w: the ASCII word, NUL-terminated; out: result. */
static int americanize(const char *w, size_t n, struct vl_buf *out)
{
	const char *p;

	for (size_t i = 0; i < sizeof(amer) / sizeof(*amer); i++) {
		if (strlen(amer[i][0]) == n && !memcmp(amer[i][0], w, n)) {
			vl_buf_adds(out, amer[i][1]);
			return 1;
		}
	}
	/* haem(at)?o -> hem$1o, everywhere */
	if ((p = strstr(w, "haem")) && (p[4] == 'o' || !strncmp(p + 4, "ato", 3))) {
		const char *s = w;
		while ((p = strstr(s, "haem"))) {
			size_t tail = p[4] == 'o' ? 1 : !strncmp(p + 4, "ato", 3) ? 3 : 0;
			vl_buf_add(out, s, (size_t)(p - s));
			if (!tail) {
				vl_buf_add(out, p, 4);
				s = p + 4;
				continue;
			}
			vl_buf_adds(out, "hem");
			vl_buf_add(out, p + 4, tail);
			s = p + 4 + tail;
		}
		vl_buf_adds(out, s);
		return 1;
	}
	if (n >= 5 && !strcmp(w + n - 5, "aemia")) {
		vl_buf_add(out, w, n - 5);
		vl_buf_adds(out, "emia");
		return 1;
	}
	if ((p = strstr(w, "leukaem")) || (p = strstr(w, "Leukaem"))) {
		vl_buf_add(out, w, (size_t)(p - w) + 4);
		vl_buf_adds(out, p + 6);
		return 1;
	}
	if ((n >= 9 && !strcmp(w + n - 9, "programme")) ||
	    (n >= 10 && !strcmp(w + n - 10, "programmes"))) {
		size_t base = w[n - 1] == 's' ? n - 10 : n - 9;
		vl_buf_add(out, w, base);
		vl_buf_adds(out, w[n - 1] == 's' ? "programs" : "program");
		return 1;
	}
	/* ^([a-z]{3,})our(s?)$ -> $1or$2, unless glamour / detour / devour */
	if (!strstr(w, "glamour") && !strstr(w, "detour") && !strstr(w, "devour")) {
		size_t end = n, i;
		if (end > 0 && w[end - 1] == 's')
			end--;
		if (end >= 6 && !memcmp(w + end - 3, "our", 3)) {
			for (i = 0; i < end - 3; i++)
				if (w[i] < 'a' || w[i] > 'z')
					break;
			if (i == end - 3) {
				vl_buf_add(out, w, end - 3);
				vl_buf_adds(out, "or");
				vl_buf_add(out, w + end, n - end);
				return 1;
			}
		}
	}
	return 0;
}

/* ---- token output ---------------------------------------------------- */

struct tok_out {
	struct vl_buf *out;
	int flags;
	size_t start;       /* where this output began in out */
	struct vl_buf tok;  /* the token being built */
};

static const char *const coco_punct[] = {
	"''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-",
	".", "?", "!", ",", ":", "-", "--", "...", ";", NULL,
};

int vl_ptb_is_coco_punct(const char *tok, size_t len)
{
	for (size_t i = 0; coco_punct[i]; i++)
		if (strlen(coco_punct[i]) == len && !memcmp(coco_punct[i], tok, len))
			return 1;
	return 0;
}

/* Emits the raw token text t[0..n) (already normalised): americanize for
 * pure ASCII-letter words, lowercase, drop punctuation, append. */
static void emit(struct tok_out *o, const char *t, size_t n, int word)
{
	struct vl_buf *b = &o->tok;
	const unsigned char *p;

	vl_buf_reset(b);
	if (word) {
		char tmp[64];
		int ascii = n < sizeof(tmp);
		for (size_t i = 0; ascii && i < n; i++)
			ascii = (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z');
		if (ascii) {
			memcpy(tmp, t, n);
			tmp[n] = '\0';
			if (!americanize(tmp, n, b))
				vl_buf_add(b, t, n);
		} else {
			vl_buf_add(b, t, n);
		}
	} else {
		vl_buf_add(b, t, n);
	}
	if (o->flags & VL_PTB_LOWER) {
		struct vl_buf lo = VL_BUF_INIT;
		p = (const unsigned char *)vl_buf_str(b);
		vl_buf_init(&lo, b->len + 1);
		while (*p) {
			uint32_t c;
			p += dec(p, &c);
			enc(&lo, lower(c));
		}
		vl_buf_reset(b);
		vl_buf_add(b, lo.buf, lo.len);
		vl_buf_release(&lo);
	}
	if ((o->flags & VL_PTB_DROP_PUNCT) && vl_ptb_is_coco_punct(b->buf, b->len))
		return;
	if (o->out->len > o->start)
		vl_buf_addch(o->out, ' ');
	vl_buf_add(o->out, b->buf, b->len);
}

static void emit_s(struct tok_out *o, const char *s)
{
	emit(o, s, strlen(s), 0);
}

/* ---- the scanner ----------------------------------------------------- */

struct scan {
	const unsigned char *s;  /* whole input */
	size_t n;
};

static uint32_t at(const struct scan *sc, size_t i, size_t *len)
{
	uint32_t c;
	size_t l;

	if (i >= sc->n) {
		if (len)
			*len = 0;
		return 0;
	}
	l = dec(sc->s + i, &c);
	if (len)
		*len = l;
	return c;
}

static int ieq(const unsigned char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = a[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c != (unsigned char)b[i])
			return 0;
	}
	return 1;
}

static int is_abbrev(const unsigned char *w, size_t n)
{
	for (size_t i = 0; abbrevs[i]; i++)
		if (strlen(abbrevs[i]) == n && ieq(w, abbrevs[i], n))
			return 1;
	return 0;
}

/* If a contraction suffix ('s 'm 'd 're 've 'll) starts at i, followed by
 * a non-letter or the end, returns its byte length, else 0. */
static size_t redaux(const struct scan *sc, size_t i)
{
	static const char *const sfx[] = { "ll", "re", "ve", "s", "m", "d", NULL };
	size_t al;

	if (!is_apos(at(sc, i, &al)))
		return 0;
	for (int k = 0; sfx[k]; k++) {
		size_t l = strlen(sfx[k]);
		if (i + al + l <= sc->n && ieq(sc->s + i + al, sfx[k], l) &&
		    !is_letter(at(sc, i + al + l, NULL)))
			return al + l;
	}
	return 0;
}

/* n't at i (n, apostrophe, t) followed by a non-letter: byte length or 0. */
static size_t nt_at(const struct scan *sc, size_t i)
{
	size_t al;

	if (i >= sc->n || (sc->s[i] | 0x20) != 'n')
		return 0;
	if (!is_apos(at(sc, i + 1, &al)))
		return 0;
	if (i + 1 + al >= sc->n || (sc->s[i + 1 + al] | 0x20) != 't')
		return 0;
	if (is_letter(at(sc, i + 2 + al, NULL)))
		return 0;
	return 2 + al;
}

/* Emits a contraction suffix with the apostrophe normalised to '. */
static void emit_clitic(struct tok_out *o, const unsigned char *p, size_t len, size_t apos_off)
{
	struct vl_buf t = VL_BUF_INIT;
	size_t al = p[apos_off] == '\'' ? 1 : 3;

	vl_buf_add(&t, p, apos_off);
	vl_buf_addch(&t, '\'');
	vl_buf_add(&t, p + apos_off + al, len - apos_off - al);
	emit(o, t.buf, t.len, 0);
	vl_buf_release(&t);
}

/* Scans a word-like token starting at i (a letter or digit, or a sign or
 * dot before a digit).  Returns the position after everything consumed. */
static size_t scan_word(struct scan *sc, size_t i, struct tok_out *o)
{
	size_t j = i, l, run_end, k;
	int letters_only = 1, digits_only = 1;
	uint32_t c;

	/* sign or leading dot of a number */
	if (sc->s[j] == '+' || sc->s[j] == '-')
		j++;
	/* the first alphanumeric run */
	while (j < sc->n && is_alnum(c = at(sc, j, &l))) {
		if (!is_letter(c))
			letters_only = 0;
		else
			digits_only = 0;
		j += l;
	}
	run_end = j;
	/* numbers: inner [.,:] digit groups */
	if ((digits_only && run_end > i) || sc->s[i] == '.') {
		while (j + 1 < sc->n && (sc->s[j] == '.' || sc->s[j] == ',' || sc->s[j] == ':') &&
		       is_digit(sc->s[j + 1])) {
			j++;
			while (j < sc->n && is_digit(sc->s[j]))
				j++;
		}
		if (j > run_end) {
			emit(o, (const char *)sc->s + i, j - i, 0);
			return j;
		}
	}
	if (sc->s[i] == '+' || sc->s[i] == '-' || sc->s[i] == '.') {
		emit(o, (const char *)sc->s + i, run_end - i, 0);
		return run_end;
	}
	/* cannot */
	if (letters_only && run_end - i == 6 && ieq(sc->s + i, "cannot", 6)) {
		emit(o, (const char *)sc->s + i, 3, 1);
		emit(o, (const char *)sc->s + i + 3, 3, 1);
		return run_end;
	}
	/* contractions */
	if (letters_only) {
		size_t r = redaux(sc, run_end);
		if (r) {
			emit(o, (const char *)sc->s + i, run_end - i, 1);
			emit_clitic(o, sc->s + run_end, r, 0);
			return run_end + r;
		}
		if (run_end - i >= 2) {
			size_t nt = nt_at(sc, run_end - 1);
			if (nt) {
				emit(o, (const char *)sc->s + i, run_end - 1 - i, 1);
				emit_clitic(o, sc->s + run_end - 1, nt, 1);
				return run_end - 1 + nt;
			}
		}
	}
	/* extend across hyphens and word-internal apostrophes */
	k = j;
	for (;;) {
		size_t hl, al;
		uint32_t h = at(sc, k, &hl);
		if (is_hyphen(h) && is_alnum(at(sc, k + hl, NULL))) {
			k += hl;
		} else if (is_apos(h) && is_letter(at(sc, k + hl, &al)) && !redaux(sc, k) &&
			   !nt_at(sc, k > 0 ? k - 1 : 0)) {
			k += hl;
		} else {
			break;
		}
		while (k < sc->n && is_alnum(c = at(sc, k, &l))) {
			letters_only = letters_only && is_letter(c);
			k += l;
		}
	}
	if (k > j) {
		j = k;
		letters_only = 0;
	}
	/* slash compounds: up to two more parts, slashes escaped */
	if (j + 1 < sc->n && sc->s[j] == '/' && is_alnum(at(sc, j + 1, NULL))) {
		struct vl_buf t = VL_BUF_INIT;
		int parts = 0;
		vl_buf_add(&t, sc->s + i, j - i);
		while (parts < 2 && j + 1 < sc->n && sc->s[j] == '/' && is_alnum(at(sc, j + 1, NULL))) {
			size_t p0 = ++j;
			while (j < sc->n && (is_alnum(c = at(sc, j, &l)) || (is_hyphen(c) &&
			       is_letter(at(sc, j + l, NULL)))))
				j += l;
			vl_buf_adds(&t, "\\/");
			vl_buf_add(&t, sc->s + p0, j - p0);
			parts++;
		}
		emit(o, t.buf, t.len, 0);
		vl_buf_release(&t);
		return j;
	}
	/* acronyms a.b.c. and abbreviations keep their period */
	if (j < sc->n && sc->s[j] == '.') {
		size_t a = j;
		if (run_end - i == 1 && letters_only) {
			while (a + 2 <= sc->n && sc->s[a] == '.' && a + 1 < sc->n &&
			       ((sc->s[a + 1] | 0x20) >= 'a' && (sc->s[a + 1] | 0x20) <= 'z') &&
			       !is_alnum(at(sc, a + 2, NULL)))
				a += 2;
			if (a > j) {   /* u.s or u.s. */
				if (a < sc->n && sc->s[a] == '.')
					a++;
				emit(o, (const char *)sc->s + i, a - i, 0);
				return a;
			}
			if (!(j + 1 < sc->n && sc->s[j + 1] == '.')) {
				emit(o, (const char *)sc->s + i, j + 1 - i, 0);
				return j + 1;
			}
		}
		if (letters_only && is_abbrev(sc->s + i, j - i) &&
		    !(j + 1 < sc->n && sc->s[j + 1] == '.')) {
			emit(o, (const char *)sc->s + i, j + 1 - i, 0);
			return j + 1;
		}
	}
	emit(o, (const char *)sc->s + i, j - i, letters_only);
	return j;
}

void vl_ptb_tokenize(const char *str, int flags, struct vl_buf *out)
{
	struct scan sc = { (const unsigned char *)str, strlen(str) };
	struct tok_out o = { out, flags, 0, VL_BUF_INIT };
	size_t i = 0, l;

	vl_buf_grow(out, sc.n + 16);
	o.start = out->len;
	while (i < sc.n) {
		uint32_t c = at(&sc, i, &l), n1 = 0;
		size_t l1 = 0, j;

		if (is_space(c) || is_deleted(c)) {
			i += l;
			continue;
		}
		n1 = at(&sc, i + l, &l1);
		if (is_alnum(c) || ((c == '+' || c == '-' || c == '.') && is_digit(n1) &&
				    (i == 0 || !is_alnum(at(&sc, i - 1, NULL)) || c == '.'))) {
			i = scan_word(&sc, i, &o);
			continue;
		}
		switch (c) {
		case '"':
			emit_s(&o, is_alnum(n1) || n1 == '$' ? "``" : "''");
			i += l;
			continue;
		case '\'': {
			size_t r = redaux(&sc, i);
			if (n1 == '\'') {
				emit_s(&o, "''");
				i += 2;
			} else if (r) {
				emit_clitic(&o, sc.s + i, r, 0);
				i += r;
			} else if (is_letter(n1) && i + l + l1 < sc.n &&
				   !is_space(at(&sc, i + l + l1, NULL))) {
				emit_s(&o, "`");
				i += l;
			} else {
				emit_s(&o, "'");
				i += l;
			}
			continue;
		}
		case '`':
			emit_s(&o, n1 == '`' ? "``" : "`");
			i += n1 == '`' ? 2 : 1;
			continue;
		case '(': case '[': case '<':
			emit_s(&o, "-LRB-");
			i += l;
			continue;
		case ')': case ']': case '>':
			emit_s(&o, "-RRB-");
			i += l;
			continue;
		case '{':
			emit_s(&o, "-LCB-");
			i += l;
			continue;
		case '}':
			emit_s(&o, "-RCB-");
			i += l;
			continue;
		case '-':
			for (j = i; j < sc.n && sc.s[j] == '-'; j++)
				;
			if (j - i >= 2 && j - i <= 4)
				emit_s(&o, "--");
			else
				emit(&o, (const char *)sc.s + i, j - i, 0);
			i = j;
			continue;
		case '.':
			for (j = i; j < sc.n && sc.s[j] == '.'; j++)
				;
			while (j - i >= 3) {
				size_t take = j - i > 5 ? 5 : j - i;
				emit_s(&o, "...");
				i += take;
			}
			for (; i < j; i++)
				emit_s(&o, ".");
			continue;
		case '?': case '!':
			for (j = i; j < sc.n && (sc.s[j] == '?' || sc.s[j] == '!'); j++)
				;
			emit(&o, (const char *)sc.s + i, j - i, 0);
			i = j;
			continue;
		case '#': case '@':
			for (j = i; j < sc.n && sc.s[j] == c; j++)
				;
			emit(&o, (const char *)sc.s + i, j - i, 0);
			i = j;
			continue;
		case '*':
			for (j = i; j < sc.n && sc.s[j] == '*'; j++)
				;
			{
				struct vl_buf t = VL_BUF_INIT;
				for (size_t k = i; k < j; k++)
					vl_buf_adds(&t, "\\*");
				emit(&o, t.buf, t.len, 0);
				vl_buf_release(&t);
			}
			i = j;
			continue;
		case '/':
			emit_s(&o, "\\/");
			i += l;
			continue;
		case '&':
			if (i + 5 <= sc.n && ieq(sc.s + i, "&amp;", 5)) {
				emit_s(&o, "&");
				i += 5;
			} else {
				emit_s(&o, "&");
				i += l;
			}
			continue;
		case 0x2018: case 0x201b: case 0x2039:
			emit_s(&o, "`");
			i += l;
			continue;
		case 0x2019: case 0x203a:
			if (n1 == 0x2019) {
				emit_s(&o, "''");
				i += l + l1;
			} else {
				emit_s(&o, "'");
				i += l;
			}
			continue;
		case 0x201c: case 0xab:
			emit_s(&o, "``");
			i += l;
			continue;
		case 0x201d: case 0xbb:
			emit_s(&o, "''");
			i += l;
			continue;
		case 0x2013: case 0x2014: case 0x2015:
			emit_s(&o, "--");
			i += l;
			continue;
		case 0x2026:
			emit_s(&o, "...");
			i += l;
			continue;
		case 0xa2:
			emit_s(&o, "cents");
			i += l;
			continue;
		case 0xa3:
			emit_s(&o, "#");
			i += l;
			continue;
		case 0xa4: case 0x20ac:
			emit_s(&o, "$");
			i += l;
			continue;
		case 0xbc:
			emit_s(&o, "1\\/4");
			i += l;
			continue;
		case 0xbd:
			emit_s(&o, "1\\/2");
			i += l;
			continue;
		case 0xbe:
			emit_s(&o, "3\\/4");
			i += l;
			continue;
		default:
			/* , ; : = + % ~ ^ $ and any other symbol: one token */
			emit(&o, (const char *)sc.s + i, l, 0);
			i += l;
			continue;
		}
	}
	vl_buf_release(&o.tok);
}
