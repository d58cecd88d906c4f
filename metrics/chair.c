/*
 * chair.c - CHAIR (Rohrbach et al. 2018): how often a caption mentions COCO
 * objects that are not in the image.  CHAIRs = captions with at least one
 * hallucinated object / captions; CHAIRi = hallucinated mentions / all
 * mentions (repeats count).  Lower is better.
 *
 * The algorithm of LisaAnne/Hallucination utils/chair.py (6e4d33c):
 *   1. caption -> lowercase -> tokens (NLTK word_tokenize there; see
 *      tokenize below for our approximation) -> pattern.en singularize;
 *   2. a left-to-right scan merges two-word phrases of a fixed table
 *      (COCO's two-word names; "baby X"/"adult X" -> X for animal words;
 *      "passenger jet/train" -> jet/train; "bow tie" -> tie; "toilet seat" ->
 *      toilet; "wine glas" -> wine glass, because singularize("glass") is
 *      "glas");
 *   3. if both "toilet" and "seat" remain, every "seat" is dropped;
 *   4. the words found in the synonym table (chair_synonyms.h) are the
 *      mentions, each mapped to its category.
 * Option "vocabulary" (metric_options): the object words of a suite that is
 * not COCO, e.g. the synthetic shapes' "red circle; blue square; ...", in
 * synonyms.txt's line format, lines separated by ';' (chair.h).
 * Ground truth of a sample: its objects (struct vl_sample.objects: COCO
 * instance categories, or any synonym) plus the categories its reference
 * captions (struct vl_sample.captions) mention by the same steps.
 *
 * Singularisation: pattern.en's singularize() rules (clips/pattern
 * pattern/text/en/inflect.py, commit 0483028), run in full: the
 * uninflected / uncountable / -ie / irregular lists and the ordered suffix
 * rules, quirks included ("bus" -> "bu", "glass" -> "glas",
 * "people" -> "person", "women" -> "woman", "mice" -> "mouse",
 * "geese" -> "goose", "oxen" -> "ox", "calves" -> "calf", "skis" -> "ski";
 * its -ie list returns the plural unchanged, so "collies" stays "collies"
 * and is not counted; "shelves" ends with the irregular "helves").
 * The rules are from that later pattern revision; chair.py ran the 2018
 * release, whose rules we could not check line by line.  One hint that they
 * differ: the synonym list carries "knive", which suggests the old release
 * singularised "knives" to "knive"; these rules give "knife".  Both map to
 * the knife category, so CHAIR is the same either way.
 *
 * Tokenisation approximates NLTK word_tokenize: split on white space; then
 * leading quotes and brackets, trailing . , ; : ! ? quotes and brackets, and
 * the clitics 's 're 've 'll 'd 'm n't become tokens of their own; inside a
 * token , ; : ! ? split it (except a comma or colon between digits), while
 * hyphens and slashes do not ("hot-dog" stays one token, as in NLTK).
 * Differences: NLTK splits a period only at a sentence end (punkt), we strip
 * every trailing period ("st." -> "st" "."), which can only matter for a word
 * in the synonym table written with a period; NLTK also splits "cannot" and
 * some quote forms, which are not object words.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "metrics/chair.h"
#include "metrics/chair_synonyms.h"
#include "metrics/metric.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* pattern.en singular_rules, in order: pattern, replacement (\N = group). */
static const char *const singular_rules[][2] = {
	{ "(.)ae$", "\\1a" },
	{ "(.)itis$", "\\1itis" },
	{ "(.)eaux$", "\\1eau" },
	{ "(quiz)zes$", "\\1" },
	{ "(matr)ices$", "\\1ix" },
	{ "(ap|vert|ind)ices$", "\\1ex" },
	{ "^(ox)en", "\\1" },
	{ "(alias|status)es$", "\\1" },
	{ "([octop|vir])i$", "\\1us" },
	{ "(cris|ax|test)es$", "\\1is" },
	{ "(shoe)s$", "\\1" },
	{ "(o)es$", "\\1" },
	{ "(bus)es$", "\\1" },
	{ "([m|l])ice$", "\\1ouse" },
	{ "(x|ch|ss|sh)es$", "\\1" },
	{ "(m)ovies$", "\\1ovie" },
	{ "(.)ombies$", "\\1ombie" },
	{ "(s)eries$", "\\1eries" },
	{ "([^aeiouy]|qu)ies$", "\\1y" },
	{ "([aeo]l)ves$", "\\1f" },
	{ "([^d]ea)ves$", "\\1f" },
	{ "arves$", "arf" },
	{ "erves$", "erve" },
	{ "([nlw]i)ves$", "\\1fe" },
	{ "([lr])ves$", "\\1f" },
	{ "([aeo])ves$", "\\1ve" },
	{ "(sive)s$", "\\1" },
	{ "(tive)s$", "\\1" },
	{ "(hive)s$", "\\1" },
	{ "([^f])ves$", "\\1fe" },
	{ "(^analy)ses$", "\\1sis" },
	{ "((a)naly|(b)a|(d)iagno|(p)arenthe|(p)rogno|(s)ynop|(t)he)ses$", "\\1\\2sis" },
	{ "(.)opses$", "\\1opsis" },
	{ "(.)yses$", "\\1ysis" },
	{ "(h|d|r|o|n|b|cl|p)oses$", "\\1ose" },
	{ "(fruct|gluc|galact|lact|ket|malt|rib|sacchar|cellul)ose$", "\\1ose" },
	{ "(.)oses$", "\\1osis" },
	{ "([ti])a$", "\\1um" },
	{ "(n)ews$", "\\1ews" },
	{ "s$", "" },
};

#define NRULES (sizeof(singular_rules) / sizeof(*singular_rules))

static const char *const singular_uninflected[] = {
	"bison", "debris", "headquarters", "pincers", "trout", "bream", "diabetes", "herpes",
	"pliers", "tuna", "breeches", "djinn", "high-jinks", "proceedings", "whiting",
	"britches", "eland", "homework", "rabies", "wildebeest", "carp", "elk", "innings",
	"salmon", "chassis", "flounder", "jackanapes", "scissors", "christmas", "gallows",
	"mackerel", "series", "clippers", "georgia", "measles", "shears", "cod", "graffiti",
	"mews", "species", "contretemps", "mumps", "swine", "corps", "news", "swiss",
	/* singular_uncountable */
	"advice", "equipment", "happiness", "luggage", "news", "software", "bread", "fruit",
	"information", "mathematics", "progress", "understanding", "butter", "furniture",
	"ketchup", "mayonnaise", "research", "water", "cheese", "garbage", "knowledge", "meat",
	"rice", "electricity", "gravel", "love", "mustard", "sand",
};

/* singular_ie; "^pie" and "^tie" are compared literally by pattern's
 * endswith(), so they never match, and neither do they here. */
static const char *const singular_ie[] = {
	"alergie", "cutie", "hoagie", "newbie", "softie", "veggie", "auntie", "doggie", "hottie",
	"nightie", "sortie", "weenie", "beanie", "eyrie", "indie", "oldie", "stoolie", "yuppie",
	"birdie", "freebie", "junkie", "^pie", "sweetie", "zombie", "bogie", "goonie", "laddie",
	"pixie", "techie", "bombie", "groupie", "laramie", "quickie", "^tie", "collie", "hankie",
	"lingerie", "reverie", "toughie", "cookie", "hippie", "meanie", "rookie", "valkyrie",
};

static const char *const singular_irregular[][2] = {
	{ "atlantes", "atlas" }, { "atlases", "atlas" }, { "axes", "axe" }, { "beeves", "beef" },
	{ "brethren", "brother" }, { "children", "child" }, { "corpora", "corpus" },
	{ "corpuses", "corpus" }, { "ephemerides", "ephemeris" }, { "feet", "foot" },
	{ "ganglia", "ganglion" }, { "geese", "goose" }, { "genera", "genus" },
	{ "genii", "genie" }, { "graffiti", "graffito" }, { "helves", "helve" }, { "kine", "cow" },
	{ "leaves", "leaf" }, { "loaves", "loaf" }, { "men", "man" }, { "mongooses", "mongoose" },
	{ "monies", "money" }, { "moves", "move" }, { "mythoi", "mythos" }, { "numena", "numen" },
	{ "occipita", "occiput" }, { "octopodes", "octopus" }, { "opera", "opus" },
	{ "opuses", "opus" }, { "our", "my" }, { "oxen", "ox" }, { "penes", "penis" },
	{ "penises", "penis" }, { "people", "person" }, { "sexes", "sex" },
	{ "soliloquies", "soliloquy" }, { "teeth", "tooth" }, { "testes", "testis" },
	{ "trilbys", "trilby" }, { "turves", "turf" }, { "zoa", "zoon" },
};

static const char *const plural_prepositions[] = {
	"about", "above", "across", "after", "among", "around", "at", "athwart", "before",
	"behind", "below", "beneath", "beside", "besides", "between", "betwixt", "beyond", "but",
	"by", "during", "except", "for", "from", "in", "into", "near", "of", "off", "on", "onto",
	"out", "over", "since", "till", "to", "under", "until", "unto", "upon", "with",
};

/* chair.py's double_word_dict, in its order of assignment (later wins). */
static const char *const coco_double_words[] = {
	"motor bike", "motor cycle", "air plane", "traffic light", "street light",
	"traffic signal", "stop light", "fire hydrant", "stop sign", "parking meter", "suit case",
	"sports ball", "baseball bat", "baseball glove", "tennis racket", "wine glass", "hot dog",
	"cell phone", "mobile phone", "teddy bear", "hair drier", "potted plant", "bow tie",
	"laptop computer", "stove top oven", "hot dog", "teddy bear", "home plate",
};
static const char *const animal_words[] = {
	"bird", "cat", "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe",
	"animal", "cub",
};
static const char *const vehicle_words[] = { "jet", "train" };

#define N(a) (sizeof(a) / sizeof(*(a)))

struct entry {
	char *key;        /* owned */
	const char *val;  /* points into another entry's key or owned elsewhere */
};

struct vl_chair {
	pcre2_code *rules[NRULES];
	pcre2_match_data *md;
	struct entry *syn;    /* word -> category, sorted by key */
	size_t nsyn;
	struct entry *dbl;    /* two words -> replacement, sorted by key */
	size_t ndbl;
	struct vl_strv owned; /* strings the entries' val point to */
};

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static const struct entry *lookup(const struct entry *t, size_t n, const char *key)
{
	struct entry k = { (char *)key, NULL };
	return bsearch(&k, t, n, sizeof(*t), cmp_entry);
}

/* Sorts t and keeps the LAST assignment of each key (Python dict semantics);
 * stable because ties are ordered by insertion index first. */
static size_t sort_dedupe(struct entry *t, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		size_t j;
		for (j = 0; j < out; j++)
			if (!strcmp(t[j].key, t[i].key))
				break;
		if (j < out) {
			t[j].val = t[i].val;
			vl_free(t[i].key);
		} else {
			t[out++] = t[i];
		}
	}
	qsort(t, out, sizeof(*t), cmp_entry);
	return out;
}

/* A string that lives as long as c (the vector may move, its strings do
 * not). */
static const char *keep(struct vl_chair *c, const char *s)
{
	vl_strv_push(&c->owned, s);
	return c->owned.v[c->owned.n - 1];
}

/* One synonym line [line, end): stripped, split on ", ", the first entry
 * is the category; entries appended to c->syn (n used, cap allocated). */
static void add_synonym_line(struct vl_chair *c, const char *line, const char *end,
			     size_t *n, size_t *cap)
{
	const char *cat = NULL;

	while (line < end && isspace((unsigned char)*line))
		line++;
	while (end > line && isspace((unsigned char)end[-1]))
		end--;
	if (line == end)
		return;
	for (const char *p = line; p <= end;) {
		const char *sep = strstr(p, ", ");
		const char *stop = sep && sep < end ? sep : end;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			c->syn = vl_xrealloc(c->syn, *cap * sizeof(*c->syn));
		}
		c->syn[*n].key = vl_xstrndup(p, (size_t)(stop - p));
		if (!cat)
			cat = keep(c, c->syn[*n].key);
		c->syn[*n].val = cat;
		(*n)++;
		p = stop + 2;
	}
}

/* Appends phrase singularised word by word (words split on spaces). */
static void singular_phrase(const struct vl_chair *c, const char *phrase, struct vl_buf *out)
{
	size_t start = out->len;

	while (*phrase) {
		size_t len = strcspn(phrase, " ");
		char *w = vl_xstrndup(phrase, len);
		if (out->len > start)
			vl_buf_addch(out, ' ');
		vl_chair_singularize(c, w, out);
		vl_free(w);
		phrase += len;
		phrase += strspn(phrase, " ");
	}
}

struct vl_chair *vl_chair_new(void)
{
	return vl_chair_new_vocab(NULL);
}

/* The synonym and two-word tables of a task's own vocabulary (lines
 * separated by ';'), as vl_chair_new_vocab documents. */
static void load_vocabulary(struct vl_chair *c, const char *vocabulary)
{
	size_t cap = 0, n = 0;
	struct vl_buf b = VL_BUF_INIT;

	/* a vocabulary of the task's own: its lines, and every entry of
	 * two words merged as chair.py merges COCO's ("hot dog") */
	for (const char *p = vocabulary; *p;) {
		const char *semi = strchr(p, ';'), *end = semi ? semi : p + strlen(p);
		add_synonym_line(c, p, end, &n, &cap);
		p = semi ? semi + 1 : end;
	}
	/* each key also singularised word by word, as caption tokens are:
	 * the singulariser makes "cross" "cros" but "crosses" "cross" */
	for (size_t i = 0, n0 = n; i < n0; i++) {
		vl_buf_reset(&b);
		singular_phrase(c, c->syn[i].key, &b);
		if (!strcmp(b.buf, c->syn[i].key))
			continue;
		if (n == cap) {
			cap *= 2;
			c->syn = vl_xrealloc(c->syn, cap * sizeof(*c->syn));
		}
		c->syn[n].val = c->syn[i].val;
		c->syn[n++].key = vl_buf_detach(&b, NULL);
	}
	c->nsyn = sort_dedupe(c->syn, n);
	c->dbl = vl_xcalloc(c->nsyn + 1, sizeof(*c->dbl));
	for (size_t i = 0; i < c->nsyn; i++) {
		const char *sp = strchr(c->syn[i].key, ' ');
		if (sp && !strchr(sp + 1, ' ')) {
			c->dbl[c->ndbl].key = vl_xstrdup(c->syn[i].key);
			c->dbl[c->ndbl++].val = keep(c, c->syn[i].key);
		}
	}
	c->ndbl = sort_dedupe(c->dbl, c->ndbl);
	vl_buf_release(&b);
}

/* The synonym and two-word tables of chair.py's COCO vocabulary. */
static void load_coco(struct vl_chair *c)
{
	size_t cap = 0, n = 0;
	struct vl_buf b = VL_BUF_INIT;

	/* synonyms: strip the line, split on ", ", first entry is the category */
	for (size_t l = 0; l < N(chair_synonym_lines); l++) {
		const char *line = chair_synonym_lines[l];
		add_synonym_line(c, line, line + strlen(line), &n, &cap);
	}
	c->nsyn = sort_dedupe(c->syn, n);

	/* two-word phrases, in chair.py's order of assignment */
	cap = N(coco_double_words) + 2 * N(animal_words) + N(vehicle_words) + 3;
	c->dbl = vl_xcalloc(cap, sizeof(*c->dbl));
	n = 0;
	for (size_t i = 0; i < N(coco_double_words); i++) {
		c->dbl[n].key = vl_xstrdup(coco_double_words[i]);
		c->dbl[n++].val = keep(c, coco_double_words[i]);
	}
	for (size_t i = 0; i < N(animal_words); i++) {
		const char *w = keep(c, animal_words[i]);
		vl_buf_reset(&b);
		vl_buf_addf(&b, "baby %s", animal_words[i]);
		c->dbl[n].key = vl_xstrdup(b.buf);
		c->dbl[n++].val = w;
		vl_buf_reset(&b);
		vl_buf_addf(&b, "adult %s", animal_words[i]);
		c->dbl[n].key = vl_xstrdup(b.buf);
		c->dbl[n++].val = w;
	}
	for (size_t i = 0; i < N(vehicle_words); i++) {
		vl_buf_reset(&b);
		vl_buf_addf(&b, "passenger %s", vehicle_words[i]);
		c->dbl[n].key = vl_xstrdup(b.buf);
		c->dbl[n++].val = keep(c, vehicle_words[i]);
	}
	c->dbl[n].key = vl_xstrdup("bow tie");
	c->dbl[n++].val = keep(c, "tie");
	c->dbl[n].key = vl_xstrdup("toilet seat");
	c->dbl[n++].val = keep(c, "toilet");
	c->dbl[n].key = vl_xstrdup("wine glas");
	c->dbl[n++].val = keep(c, "wine glass");
	c->ndbl = sort_dedupe(c->dbl, n);
	vl_buf_release(&b);
}

struct vl_chair *vl_chair_new_vocab(const char *vocabulary)
{
	struct vl_chair *c = vl_xcalloc(1, sizeof(*c));

	for (size_t i = 0; i < NRULES; i++) {
		int ec;
		PCRE2_SIZE eo;
		c->rules[i] = pcre2_compile((PCRE2_SPTR)singular_rules[i][0], PCRE2_ZERO_TERMINATED,
					    PCRE2_CASELESS, &ec, &eo, NULL);
		if (!c->rules[i]) {
			vl_chair_free(c);
			return NULL;
		}
	}
	c->md = pcre2_match_data_create(16, NULL);
	if (!c->md) {
		vl_chair_free(c);
		return NULL;
	}
	if (vocabulary)
		load_vocabulary(c, vocabulary);
	else
		load_coco(c);
	return c;
}

void vl_chair_free(struct vl_chair *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < NRULES; i++)
		pcre2_code_free(c->rules[i]);
	pcre2_match_data_free(c->md);
	for (size_t i = 0; i < c->nsyn; i++)
		vl_free(c->syn[i].key);
	for (size_t i = 0; i < c->ndbl; i++)
		vl_free(c->dbl[i].key);
	vl_free(c->syn);
	vl_free(c->dbl);
	vl_strv_release(&c->owned);
	vl_free(c);
}

const char *vl_chair_category(const struct vl_chair *c, const char *word)
{
	const struct entry *e = lookup(c->syn, c->nsyn, word);
	return e ? e->val : NULL;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return m <= n && !memcmp(s + n - m, suffix, m);
}

void vl_chair_singularize(const struct vl_chair *c, const char *word, struct vl_buf *out)
{
	size_t n = strlen(word);
	const char *dash = strchr(word, '-');

	/* compound words: "mothers-in-law" -> "mother-in-law" */
	if (dash) {
		const char *second = dash + 1, *next = strchr(second, '-');
		size_t len = next ? (size_t)(next - second) : strlen(second);
		for (size_t i = 0; i < N(plural_prepositions); i++) {
			if (strlen(plural_prepositions[i]) == len &&
			    !strncmp(second, plural_prepositions[i], len)) {
				char *first = vl_xstrndup(word, (size_t)(dash - word));
				vl_chair_singularize(c, first, out);
				vl_free(first);
				vl_buf_adds(out, dash);
				return;
			}
		}
	}
	/* "dogs'" -> "dog's" */
	if (n && word[n - 1] == '\'') {
		char *w = vl_xstrndup(word, n - 1);
		vl_chair_singularize(c, w, out);
		vl_free(w);
		vl_buf_adds(out, "'s");
		return;
	}
	for (size_t i = 0; i < N(singular_uninflected); i++)
		if (ends_with(singular_uninflected[i], word)) {
			vl_buf_adds(out, word);
			return;
		}
	for (size_t i = 0; i < N(singular_ie); i++) {
		size_t m = strlen(singular_ie[i]);
		if (n > m && word[n - 1] == 's' && !memcmp(word + n - 1 - m, singular_ie[i], m)) {
			vl_buf_adds(out, word);
			return;
		}
	}
	for (size_t i = 0; i < N(singular_irregular); i++)
		if (ends_with(word, singular_irregular[i][0])) {
			vl_buf_add(out, word, n - strlen(singular_irregular[i][0]));
			vl_buf_adds(out, singular_irregular[i][1]);
			return;
		}
	for (size_t i = 0; i < NRULES; i++) {
		const char *r;
		PCRE2_SIZE *ov;
		int rc = pcre2_match(c->rules[i], (PCRE2_SPTR)word, n, 0, 0, c->md, NULL);
		if (rc < 1)
			continue;
		ov = pcre2_get_ovector_pointer(c->md);
		vl_buf_add(out, word, ov[0]);
		for (r = singular_rules[i][1]; *r; r++) {
			if (r[0] == '\\' && isdigit((unsigned char)r[1])) {
				int g = r[1] - '0';
				if (g < rc && ov[2 * g] != PCRE2_UNSET)
					vl_buf_add(out, word + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
				r++;
			} else {
				vl_buf_addch(out, *r);
			}
		}
		vl_buf_adds(out, word + ov[1]);
		return;
	}
	vl_buf_adds(out, word);
}

static void push_n(struct vl_strv *v, const char *s, size_t n)
{
	if (n)
		vl_strv_push_owned(v, vl_xstrndup(s, n));
}

static int lead_punct(int ch)
{
	return ch && strchr("\"'`([{<", ch);
}

static int trail_punct(int ch)
{
	return ch && strchr(".,;:!?\"')]}>", ch);
}

/* Splits the middle of a chunk at , ; : ! ? (not a comma or colon between
 * digits). */
static void split_inner(const char *s, size_t n, struct vl_strv *out)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];
		if (!strchr(",;:!?", ch))
			continue;
		if ((ch == ',' || ch == ':') && i > 0 && i + 1 < n &&
		    isdigit((unsigned char)s[i - 1]) && isdigit((unsigned char)s[i + 1]))
			continue;
		push_n(out, s + start, i - start);
		push_n(out, s + i, 1);
		start = i + 1;
	}
	push_n(out, s + start, n - start);
}

void vl_chair_tokenize(const char *caption, struct vl_strv *tokens)
{
	static const char *const clitics[] = { "n't", "'s", "'re", "'ve", "'ll", "'d", "'m" };
	struct vl_buf low = VL_BUF_INIT;
	const char *p;

	for (p = caption; *p; p++)
		vl_buf_addch(&low, tolower((unsigned char)*p));
	p = vl_buf_str(&low);
	while (*p) {
		const char *s, *e;
		struct vl_strv tail = { 0 };

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		e = p;
		while (s < e && lead_punct((unsigned char)*s)) {
			push_n(tokens, s, 1);
			s++;
		}
		/* trailing punctuation and clitics, collected right to left */
		for (;;) {
			size_t k;
			if (e > s && trail_punct((unsigned char)e[-1])) {
				vl_strv_push_owned(&tail, vl_xstrndup(e - 1, 1));
				e--;
				continue;
			}
			for (k = 0; k < N(clitics); k++) {
				size_t m = strlen(clitics[k]);
				if ((size_t)(e - s) > m && !memcmp(e - m, clitics[k], m)) {
					vl_strv_push_owned(&tail, vl_xstrndup(e - m, m));
					e -= m;
					break;
				}
			}
			if (k == N(clitics))
				break;
		}
		split_inner(s, (size_t)(e - s), tokens);
		for (size_t k = tail.n; k-- > 0;) {
			vl_strv_push_owned(tokens, tail.v[k]);
			tail.v[k] = NULL;
		}
		vl_strv_release(&tail);
	}
	vl_buf_release(&low);
}

void vl_chair_mentions(const struct vl_chair *c, const char *caption, struct vl_strv *words,
		       struct vl_strv *cats)
{
	struct vl_strv tok = { 0 }, sing = { 0 }, merged = { 0 };
	struct vl_buf b = VL_BUF_INIT;
	int toilet = 0, seat = 0;

	vl_chair_tokenize(caption, &tok);
	for (size_t i = 0; i < tok.n; i++) {
		vl_buf_reset(&b);
		vl_chair_singularize(c, tok.v[i], &b);
		vl_strv_push(&sing, vl_buf_str(&b));
	}
	for (size_t i = 0; i < sing.n;) {
		const struct entry *e = NULL;
		if (i + 1 < sing.n) {
			vl_buf_reset(&b);
			vl_buf_addf(&b, "%s %s", sing.v[i], sing.v[i + 1]);
			e = lookup(c->dbl, c->ndbl, b.buf);
		}
		if (e) {
			vl_strv_push(&merged, e->val);
			i += 2;
		} else {
			vl_strv_push(&merged, sing.v[i]);
			i++;
		}
	}
	for (size_t i = 0; i < merged.n; i++) {
		toilet |= !strcmp(merged.v[i], "toilet");
		seat |= !strcmp(merged.v[i], "seat");
	}
	for (size_t i = 0; i < merged.n; i++) {
		const char *cat;
		if (toilet && seat && !strcmp(merged.v[i], "seat"))
			continue;  /* a toilet seat is not a chair */
		cat = vl_chair_category(c, merged.v[i]);
		if (!cat)
			continue;
		if (words)
			vl_strv_push(words, merged.v[i]);
		vl_strv_push(cats, cat);
	}
	vl_strv_release(&tok);
	vl_strv_release(&sing);
	vl_strv_release(&merged);
	vl_buf_release(&b);
}

/* ---- the "chair" metric ---- */

struct chair_sample {
	unsigned mentions, hallucinated;
};

struct chair_state {
	struct vl_chair *c;
	int vocab;                   /* the task's own vocabulary, not COCO's */
	struct chair_sample *s;
	size_t n, alloc;
};

static void *chair_new(const struct vl_kv *opts, struct vl_buf *err)
{
	struct chair_state *st = vl_xcalloc(1, sizeof(*st));
	const char *vocab = opts ? vl_kv_get(opts, "vocabulary") : NULL;

	st->vocab = vocab != NULL;
	st->c = vl_chair_new_vocab(vocab);
	if (!st->c) {
		if (err)
			vl_buf_adds(err, "chair: cannot compile the singulariser rules");
		vl_free(st);
		return NULL;
	}
	return st;
}

static int in_set(const struct vl_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return 1;
	return 0;
}

static int chair_add(void *state, const struct vl_sample *s, const char *pred,
		     double *score, struct vl_buf *err)
{
	struct chair_state *st = state;
	struct vl_strv gt = { 0 }, cats = { 0 };
	struct chair_sample cs = { 0, 0 };

	if (!s->objects.n && !s->captions.n) {
		if (err)
			vl_buf_addf(err, "sample '%s' has neither ground-truth objects nor reference "
				    "captions", s->id);
		return VL_EINVAL;
	}
	for (size_t i = 0; i < s->objects.n; i++) {
		const char *cat = vl_chair_category(st->c, s->objects.v[i]);
		if (!cat && st->vocab) {
			/* the vocabulary's keys are singularised: so is the name */
			struct vl_buf name = VL_BUF_INIT;
			singular_phrase(st->c, s->objects.v[i], &name);
			cat = vl_chair_category(st->c, vl_buf_str(&name));
			vl_buf_release(&name);
		}
		if (!cat) {
			if (err)
				vl_buf_addf(err, "sample '%s': object '%s' is not %s", s->id,
					    s->objects.v[i], st->vocab ? "in the task's \"vocabulary\""
					    : "a COCO category or synonym");
			vl_strv_release(&gt);
			return VL_EINVAL;
		}
		if (!in_set(&gt, cat))
			vl_strv_push(&gt, cat);
	}
	for (size_t i = 0; i < s->captions.n; i++) {
		vl_strv_clear(&cats);
		vl_chair_mentions(st->c, s->captions.v[i], NULL, &cats);
		for (size_t k = 0; k < cats.n; k++)
			if (!in_set(&gt, cats.v[k]))
				vl_strv_push(&gt, cats.v[k]);
	}
	vl_strv_clear(&cats);
	vl_chair_mentions(st->c, pred, NULL, &cats);
	cs.mentions = (unsigned)cats.n;
	for (size_t k = 0; k < cats.n; k++)
		cs.hallucinated += !in_set(&gt, cats.v[k]);
	vl_strv_release(&gt);
	vl_strv_release(&cats);
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 256;
		st->s = vl_xrealloc(st->s, st->alloc * sizeof(*st->s));
	}
	st->s[st->n++] = cs;
	*score = cs.hallucinated > 0;
	return 0;
}

static int chair_finish(void *state, const size_t *idx, size_t n,
			struct vl_metric_value *out, size_t max)
{
	struct chair_state *st = state;
	long caps = 0, mentions = 0, hall = 0;
	size_t k = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++) {
		const struct chair_sample *cs = &st->s[idx ? idx[i] : i];
		caps += cs->hallucinated > 0;
		mentions += cs->mentions;
		hall += cs->hallucinated;
	}
	const struct vl_metric_value v[] = {
		{ "CHAIRs", n ? (double)caps / (double)n : NAN, (long)n, 1 },
		{ "CHAIRi", mentions ? (double)hall / (double)mentions : NAN, (long)n, 1 },
		{ "hallucinated_captions", (double)caps, (long)n, 0 },
		{ "mentions", (double)mentions, (long)n, 0 },
		{ "hallucinated_mentions", (double)hall, (long)n, 0 },
		{ "n", (double)n, (long)n, 0 },
	};
	for (; k < sizeof(v) / sizeof(*v) && k < max; k++)
		out[k] = v[k];
	return (int)k;
}

static void chair_free(void *state)
{
	struct chair_state *st = state;
	if (!st)
		return;
	vl_chair_free(st->c);
	vl_free(st->s);
	vl_free(st);
}

const struct vl_metric vl_metric_chair = {
	.version = VL_METRIC_API_VERSION,
	.name = "chair",
	.description = "CHAIRs and CHAIRi: COCO objects a caption mentions that the image lacks",
	.higher_is_better = 0,
	.primary = "CHAIRs",
	.new_state = chair_new,
	.add = chair_add,
	.finish = chair_finish,
	.free_state = chair_free,
};
