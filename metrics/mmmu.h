/*
 * mmmu.h - MMMU's official answer parsing and judging
 * (MMMU-Benchmark/MMMU bb0b95a, mmmu/ unchanged since aa9b70d:
 * utils/eval_utils.py, main_parse_and_eval.py, print_results.py,
 * main_eval_only.py), and the "mmmu" metric built on it.
 *
 * When nothing parses from a multiple-choice response the official code
 * answers random.choice(all_choices) from a generator seeded with 42 at
 * import; here that draw happens only when the caller passes a generator
 * (struct vl_pyrandom, seeded as Python), and every draw is reported
 * (vl_mmmu_result.fallback), so a random guess is never silent.
 * Pure functions, no I/O.
 */
#ifndef VL_METRICS_MMMU_H
#define VL_METRICS_MMMU_H

#include "core/vl.h"
#include "metrics/pystr.h"

/* One normalised prediction or answer: a number (rounded to 2 places as
 * Python's round) or a string. */
struct vl_mmmu_value {
	int is_num;
	double num;
	char *str;                /* owned, NULL for numbers */
};

struct vl_mmmu_values {
	struct vl_mmmu_value *v;  /* owned */
	size_t n, alloc;
};

void vl_mmmu_values_release(struct vl_mmmu_values *vs);

/* normalize_str: appends the normalised forms of s to out. */
void vl_mmmu_normalize(const char *s, struct vl_mmmu_values *out);

/* parse_open_response: appends the deduplicated normalised predictions. */
void vl_mmmu_parse_open(const char *response, struct vl_mmmu_values *out);

/* eval_open: 1 when a parsed number equals a numeric gold, or a string
 * gold is a substring of a parsed string. */
int vl_mmmu_eval_open(const char *const *gold, size_t ngold, const struct vl_mmmu_values *pred);

/*
 * parse_multi_choice_response without its random fallback: the chosen
 * label, a borrowed pointer into choices (all_choices) or keys (index2ans
 * keys, texts[i] the option text of keys[i]), or NULL when nothing parses.
 */
const char *vl_mmmu_parse_choice(const char *response,
				 const char *const *choices, size_t nchoices,
				 const char *const *keys, const char *const *texts, size_t nans);

/* One item as the official evaluate() sees it. */
struct vl_mmmu_item {
	int multiple_choice;           /* question_type == "multiple-choice" */
	const char *response;          /* raw response (borrowed) */
	const char *const *choices;    /* all_choices (multiple choice) */
	size_t nchoices;
	const char *const *keys;       /* index2ans keys and texts, in order */
	const char *const *texts;
	size_t nans;
	const char *const *gold;       /* answer: one string, or a list */
	size_t ngold;
	int preparsed;                 /* main_eval_only: response already the letter */
};

struct vl_mmmu_result {
	int correct;
	int parse_failed;              /* multiple choice: nothing parsed */
	int fallback_drawn;            /* a random option was drawn for it */
	const char *letter;            /* multiple choice: the answer judged
	                                  (borrowed from item), NULL when none */
	struct vl_mmmu_values open;    /* open questions: the parsed predictions */
};

/*
 * Judges one item.  rng: the fallback generator (random.choice), or NULL to
 * count an unparsed multiple-choice response as wrong.  Release res->open
 * with vl_mmmu_values_release.
 */
void vl_mmmu_judge(const struct vl_mmmu_item *it, struct vl_pyrandom *rng,
		   struct vl_mmmu_result *res);

/* The 30 subjects in CAT_SHORT2LONG order (the official processing order)
 * and the six domains of DOMAIN_CAT2SUB_CAT with their subjects. */
extern const char *const vl_mmmu_subjects[30];
struct vl_mmmu_domain {
	const char *name;
	const char *subjects[8];       /* NULL-terminated */
};
extern const struct vl_mmmu_domain vl_mmmu_domains[6];

/* The subject of an official id "validation_Art_Theory_3" ("_".join of
 * the middle parts), written to out. */
void vl_mmmu_subject_of(const char *id, struct vl_buf *out);

#endif
