/*
 * test_mcq.c - option-letter extraction rows (answer text, options,
 * expected letter or failure), the "letter" extractor, "mcq_accuracy" and
 * CircularEval ("mcq_circular") on hand-made samples.
 */
#include "test_helpers.h"

#include "metrics/mcq.h"
#include "metrics/metric.h"

#define AMB VL_MCQ_AMBIGUOUS
#define NONE VL_MCQ_NONE

static void test_letter_rows(void **state)
{
	/* options: A cat, B black cat, C dog, D Vitamin C */
	static const struct { const char *text; int want; } rows[] = {
		/* rule 1: the whole answer */
		{ "B", 'B' }, { " b \n", 'B' }, { "(B)", 'B' }, { "[C]", 'C' }, { "B.", 'B' },
		{ "B)", 'B' }, { "C:", 'C' }, { "**D**", 'D' }, { "'A'", 'A' },
		{ "E", NONE },               /* beyond the four options */
		/* rule 2: leading label */
		{ "B. black cat", 'B' }, { "(C) dog", 'C' }, { "C) dog", 'C' }, { "A: cat", 'A' },
		/* rule 3: explicit phrases */
		{ "The answer is B", 'B' }, { "The answer is (c).", 'C' }, { "Answer: D", 'D' },
		{ "answer:C", 'C' }, { "I would pick option B because it is black.", 'B' },
		{ "The correct choice is **A**.", 'A' }, { "The answer is option C", 'C' },
		{ "Answer: A ... no wait, answer: C", AMB },
		{ "The answer is B. A dog would be wrong.", 'B' },
		/* rule 4: the option text itself */
		{ "Vitamin C", 'D' }, { "black cat.", 'B' }, { "Dog", 'C' },
		/* rule 5: standalone capital letters */
		{ "I think B is right", 'B' }, { "It must be C, since the cat is black.", 'C' },
		{ "A or B", AMB }, { "B and C", AMB }, { "Either A or D", AMB },
		{ "A dog is not a cat; B.", 'B' },
		/* rule 6: one option's text inside the answer */
		{ "it is a dog", 'C' }, { "there is a black cat here", 'B' },
		{ "a cat and a dog", AMB },
		/* nothing */
		{ "", NONE }, { "I don't know", NONE }, { "none of these", NONE },
		{ "AB", NONE },
	};
	struct vl_strv opts = { 0 };

	vl_strv_push(&opts, "cat");
	vl_strv_push(&opts, "black cat");
	vl_strv_push(&opts, "dog");
	vl_strv_push(&opts, "Vitamin C");
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		int got = vl_mcq_letter(rows[i].text, &opts);
		if (got != rows[i].want)
			fail_msg("row %zu '%s': got %d want %d", i, rows[i].text, got, rows[i].want);
	}
	vl_strv_release(&opts);
}

/* Without options every capital letter is valid and texts are not matched. */
static void test_no_options(void **state)
{
	assert_int_equal(vl_mcq_letter("F", NULL), 'F');
	assert_int_equal(vl_mcq_letter("The answer is G.", NULL), 'G');
	assert_int_equal(vl_mcq_letter("a dog", NULL), NONE);
	assert_int_equal(vl_mcq_letter("I am sure", NULL), NONE);
}

static void add_sample(const struct vl_metric *m, void *st, const char *id, const char *letter,
		       const char *group, const char *pred, double want_score)
{
	struct vl_sample s;
	struct vl_buf err = VL_BUF_INIT;
	double score;

	vl_sample_init(&s);
	s.id = vl_xstrdup(id);
	s.answer_letter = vl_xstrdup(letter);
	vl_strv_push(&s.options, "red");
	vl_strv_push(&s.options, "green");
	vl_strv_push(&s.options, "blue");
	if (group)
		vl_sample_set_meta(&s, "circular_group", group);
	assert_int_equal(m->add(st, &s, pred, &score, &err), 0);
	assert_true(score == want_score);
	vl_sample_release(&s);
	vl_buf_release(&err);
}

static double value(const struct vl_metric_value *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	fail_msg("no value '%s'", name);
	return NAN;
}

static void test_accuracy(void **state)
{
	const struct vl_metric *m = vl_metric_find("mcq_accuracy");
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	double score;
	void *st;
	int n;

	assert_non_null(m);
	st = m->new_state(NULL, &err);
	add_sample(m, st, "1", "A", NULL, "A", 1);
	add_sample(m, st, "2", "B", NULL, "The answer is (B).", 1);   /* raw output */
	add_sample(m, st, "3", "C", NULL, "blue", 1);                 /* option text */
	add_sample(m, st, "4", "C", NULL, "A", 0);
	add_sample(m, st, "5", "A", NULL, "", 0);                     /* parse failure */
	add_sample(m, st, "6", "A", NULL, "A or B", 0);               /* ambiguous */
	n = m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "acc") == 0.5);
	assert_true(value(v, n, "parse_failures") == 2);
	assert_true(value(v, n, "n") == 6);
	/* a sample without an answer letter is an error naming it */
	vl_sample_init(&s);
	s.id = vl_xstrdup("q9");
	assert_int_equal(m->add(st, &s, "A", &score, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err), "sample 'q9' has no answer letter");
	vl_sample_release(&s);
	m->free_state(st);
	vl_buf_release(&err);
}

static void test_circular(void **state)
{
	const struct vl_metric *m = vl_metric_find("mcq_circular");
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	size_t sub[] = { 0, 1, 5 }, rep[] = { 0, 0, 3 };
	double score;
	void *st;
	int n;

	assert_non_null(m);
	st = m->new_state(NULL, &err);
	/* q1: three rotations, all right */
	add_sample(m, st, "q1-0", "A", "q1", "A", 1);
	add_sample(m, st, "q1-1", "C", "q1", "C", 1);
	add_sample(m, st, "q1-2", "B", "q1", "(B)", 1);
	/* q2: one rotation wrong */
	add_sample(m, st, "q2-0", "B", "q2", "B", 1);
	add_sample(m, st, "q2-1", "A", "q2", "B", 0);
	add_sample(m, st, "q2-2", "C", "q2", "C", 1);
	/* q3: a parse failure in one rotation */
	add_sample(m, st, "q3-0", "A", "q3", "A", 1);
	add_sample(m, st, "q3-1", "B", "q3", "maybe", 0);
	n = m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "circular_acc") == 1.0 / 3.0);
	assert_true(value(v, n, "acc") == 6.0 / 8.0);
	assert_true(value(v, n, "groups") == 3);
	assert_true(value(v, n, "parse_failures") == 1);
	/* subsets: groups are formed from the chosen positions only */
	n = m->finish(st, sub, 3, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "circular_acc") == 1.0);
	assert_true(value(v, n, "groups") == 2);
	n = m->finish(st, rep, 3, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "circular_acc") == 1.0);
	/* the loader must set circular_group */
	vl_sample_init(&s);
	s.id = vl_xstrdup("q4-0");
	s.answer_letter = vl_xstrdup("A");
	assert_int_equal(m->add(st, &s, "A", &score, &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "sample 'q4-0' has no \"circular_group\""));
	vl_sample_release(&s);
	m->free_state(st);
	vl_buf_release(&err);
}

/* Many groups: the group table grows past its first size. */
static void test_circular_many_groups(void **state)
{
	const struct vl_metric *m = vl_metric_find("mcq_circular");
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	void *st = m->new_state(NULL, &err);
	char id[32], group[32];
	int n;

	for (int g = 0; g < 3000; g++) {
		snprintf(group, sizeof(group), "g%d", g);
		for (int r = 0; r < 2; r++) {
			snprintf(id, sizeof(id), "g%d-%d", g, r);
			/* every third group misses its second rotation */
			add_sample(m, st, id, "A", group, g % 3 == 0 && r == 1 ? "B" : "A",
				   g % 3 == 0 && r == 1 ? 0 : 1);
		}
	}
	n = m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "groups") == 3000);
	assert_true(value(v, n, "circular_acc") == 2000.0 / 3000.0);
	m->free_state(st);
	vl_buf_release(&err);
}

static void test_extractor(void **state)
{
	const struct vl_extractor *x = vl_extractor_find("letter");
	struct vl_buf out = VL_BUF_INIT;
	struct vl_sample s;

	assert_non_null(x);
	vl_sample_init(&s);
	vl_strv_push(&s.options, "yes");
	vl_strv_push(&s.options, "no");
	assert_int_equal(x->extract("Answer: B", &s, NULL, &out), 0);
	assert_string_equal(vl_buf_str(&out), "B");
	vl_buf_reset(&out);
	assert_int_equal(x->extract("A or B", &s, NULL, &out), VL_EPARSE);
	assert_string_equal(vl_buf_str(&out), "");
	assert_int_equal(x->render_truth(&s, NULL, &out), VL_ENOTFOUND);
	s.answer_letter = vl_xstrdup("B");
	assert_int_equal(x->render_truth(&s, NULL, &out), 0);
	assert_string_equal(vl_buf_str(&out), "B");
	/* what render_truth writes extracts back to the truth */
	vl_buf_reset(&out);
	assert_int_equal(x->extract("B", &s, NULL, &out), 0);
	assert_string_equal(vl_buf_str(&out), s.answer_letter);
	vl_sample_release(&s);
	vl_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letter_rows),
		cmocka_unit_test(test_no_options),
		cmocka_unit_test(test_accuracy),
		cmocka_unit_test(test_circular),
		cmocka_unit_test(test_circular_many_groups),
		cmocka_unit_test(test_extractor),
	};
	return cmocka_run_group_tests_name("mcq", tests, NULL, NULL);
}
