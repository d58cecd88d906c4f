/*
 * test_chair.c - CHAIR built by hand from the published algorithm (no
 * official numbers exist for it): the synonym table's facts, pattern.en's
 * singularisation quirks, tokenisation, two-word phrases and the toilet/seat
 * rule, and CHAIRs/CHAIRi on hand-made samples.
 */
#include "test_helpers.h"

#include "metrics/chair.h"
#include "metrics/metric.h"

static void test_synonym_table(void **state)
{
	static const struct { const char *word, *cat; } rows[] = {
		{ "person", "person" }, { "people", "person" }, { "solider", "person" },
		{ "villager", "person" }, { "bike", "bicycle" }, { "taxi", "car" },
		{ "motorbike", "motorcycle" }, { "motor cycle", "motorcycle" },
		{ " motor bike", "motorcycle" }, /* the double-space quirk: a leading space */
		{ "motor bike", NULL }, { "cheesecake", NULL }, { " cheesecake", "cake" },
		{ "iPhone", "cell phone" }, { "iphone", NULL }, { "knive", "knife" },
		{ "skis", "skis" }, { "ski", "skis" }, { "bison", "cow" }, { "chesterfield", "couch" },
		{ "table", "dining table" }, { "seat", "chair" }, { "wine glass", "wine glass" },
		{ "toothbrush", "toothbrush" }, { "hair drier", "hair drier" }, { "bus", "bus" },
		{ "glass", NULL }, { "", NULL },
	};
	struct vl_chair *c = vl_chair_new();

	assert_non_null(c);
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		const char *got = vl_chair_category(c, rows[i].word);
		if (rows[i].cat ? !got || strcmp(got, rows[i].cat) : got != NULL)
			fail_msg("'%s': got '%s'", rows[i].word, got ? got : "(none)");
	}
	vl_chair_free(c);
}

static void test_singularize(void **state)
{
	static const struct { const char *in, *out; } rows[] = {
		{ "people", "person" }, { "men", "man" }, { "women", "woman" },
		{ "policemen", "policeman" }, { "children", "child" }, { "mice", "mouse" },
		{ "geese", "goose" }, { "oxen", "ox" }, { "teeth", "tooth" }, { "feet", "foot" },
		{ "knives", "knife" }, { "wives", "wife" }, { "calves", "calf" }, { "wolves", "wolf" },
		{ "shelves", "shelve" } /* irregular "helves" */, { "leaves", "leaf" }, { "skis", "ski" }, { "buses", "bus" },
		{ "bus", "bu" }, { "glass", "glas" }, { "glasses", "glass" }, { "dogs", "dog" },
		{ "puppies", "puppy" }, { "ponies", "pony" }, { "doggies", "doggies" }, /* pattern returns w for -ie words */
		{ "collies", "collies" }, { "benches", "bench" }, { "sandwiches", "sandwich" },
		{ "boxes", "box" }, { "dishes", "dish" }, { "tomatoes", "tomato" },
		{ "canoes", "cano" }, { "buffaloes", "buffalo" }, { "scissors", "scissors" },
		{ "sheep", "sheep" }, { "cheese", "cheese" }, { "luggage", "luggage" },
		{ "taxis", "taxi" }, { "giraffes", "giraffe" }, { "movies", "movie" },
		{ "shoes", "shoe" }, { "is", "is" }, { "a", "a" }, { "dog", "dog" },
		{ "mothers-in-law", "mother-in-law" }, { "hot-dogs", "hot-dog" },
		{ "dogs'", "dog's" }, { "analyses", "analysis" },
	};
	struct vl_chair *c = vl_chair_new();
	struct vl_buf b = VL_BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		vl_buf_reset(&b);
		vl_chair_singularize(c, rows[i].in, &b);
		if (strcmp(vl_buf_str(&b), rows[i].out))
			fail_msg("'%s' -> '%s', want '%s'", rows[i].in, vl_buf_str(&b), rows[i].out);
	}
	vl_buf_release(&b);
	vl_chair_free(c);
}

static void check_tokens(const char *text, const char *want)
{
	struct vl_strv t = { 0 };
	struct vl_buf b = VL_BUF_INIT;

	vl_chair_tokenize(text, &t);
	for (size_t i = 0; i < t.n; i++) {
		if (i)
			vl_buf_addch(&b, '|');
		vl_buf_adds(&b, t.v[i]);
	}
	if (strcmp(vl_buf_str(&b), want))
		fail_msg("'%s' -> '%s', want '%s'", text, vl_buf_str(&b), want);
	vl_strv_release(&t);
	vl_buf_release(&b);
}

static void test_tokenize(void **state)
{
	check_tokens("A man's dog, sitting.", "a|man|'s|dog|,|sitting|.");
	check_tokens("Don't", "do|n't");
	check_tokens("a hot-dog (with mustard)!", "a|hot-dog|(|with|mustard|)|!");
	check_tokens("1,000 dogs;cats", "1,000|dogs|;|cats");
	check_tokens("dog,cat \"quoted\"", "dog|,|cat|\"|quoted|\"");
	check_tokens("  \t\n", "");
	check_tokens("THE DOGS' BALL.", "the|dogs|'|ball|.");
}

static void check_mentions(const struct vl_chair *c, const char *caption, const char *want)
{
	struct vl_strv cats = { 0 };
	struct vl_buf b = VL_BUF_INIT;

	vl_chair_mentions(c, caption, NULL, &cats);
	for (size_t i = 0; i < cats.n; i++) {
		if (i)
			vl_buf_addch(&b, '|');
		vl_buf_adds(&b, cats.v[i]);
	}
	if (strcmp(vl_buf_str(&b), want))
		fail_msg("'%s' -> '%s', want '%s'", caption, vl_buf_str(&b), want);
	vl_strv_release(&cats);
	vl_buf_release(&b);
}

static void test_mentions(void **state)
{
	struct vl_chair *c = vl_chair_new();
	struct vl_strv words = { 0 }, cats = { 0 };

	check_mentions(c, "A man riding a motor bike.", "person");  /* " motor bike" quirk */
	check_mentions(c, "Two people and two motorcycles", "person|motorcycle");
	check_mentions(c, "A toilet with the seat up next to a chair", "toilet|chair");
	check_mentions(c, "The toilet seat is open", "toilet");
	check_mentions(c, "A seat by the window", "chair");
	check_mentions(c, "A baby elephant next to an adult giraffe", "elephant|giraffe");
	check_mentions(c, "A baby sitting with a dog", "person|dog");
	check_mentions(c, "A passenger train", "train");
	check_mentions(c, "a passenger on a train", "person|train");
	check_mentions(c, "A man wearing a bow tie", "person|tie");
	check_mentions(c, "Two wine glasses on a table", "wine glass|dining table");
	check_mentions(c, "a wine glass", "wine glass");
	check_mentions(c, "A red bus", "");                        /* "bus" -> "bu" */
	check_mentions(c, "Two buses", "bus");
	check_mentions(c, "Hot dogs and a teddy bear", "hot dog|teddy bear");
	check_mentions(c, "A cake next to a cheesecake", "cake");  /* " cheesecake" quirk */
	check_mentions(c, "An iPhone and a phone", "cell phone");
	check_mentions(c, "knives, forks and spoons", "knife|fork|spoon");
	check_mentions(c, "three mice and a keyboard", "mouse|keyboard");
	check_mentions(c, "two canoes", "");                       /* "canoes" -> "cano" */
	check_mentions(c, "a dog, a dog and a puppy", "dog|dog|dog");
	check_mentions(c, "", "");
	/* the words themselves, as chair.py reports them */
	vl_chair_mentions(c, "The women and the hot dogs", &words, &cats);
	assert_int_equal(words.n, 2);
	assert_string_equal(words.v[0], "woman");
	assert_string_equal(words.v[1], "hot dog");
	vl_strv_release(&words);
	vl_strv_release(&cats);
	vl_chair_free(c);
}

static double value(const struct vl_metric_value *v, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].value;
	fail_msg("no value '%s'", name);
	return NAN;
}

static void add(const struct vl_metric *m, void *st, const char *objs[], const char *caps[],
		const char *pred, double want)
{
	struct vl_sample s;
	struct vl_buf err = VL_BUF_INIT;
	double score;

	vl_sample_init(&s);
	s.id = vl_xstrdup("s");
	for (size_t i = 0; objs && objs[i]; i++)
		vl_strv_push(&s.objects, objs[i]);
	for (size_t i = 0; caps && caps[i]; i++)
		vl_strv_push(&s.captions, caps[i]);
	assert_int_equal(m->add(st, &s, pred, &score, &err), 0);
	assert_true(score == want);
	vl_sample_release(&s);
	vl_buf_release(&err);
}

static void test_metric(void **state)
{
	const struct vl_metric *m = vl_metric_find("chair");
	const char *o1[] = { "person", "dog", NULL }, *c1[] = { "A man walking a dog.", NULL };
	const char *o2[] = { "kitten", NULL }, *c2[] = { "A kitten on a couch", NULL };
	const char *o3[] = { "toilet", NULL };
	const char *o4[] = { "skis", NULL };
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	size_t sub[] = { 1, 1 };
	double score;
	void *st;
	int n;

	assert_non_null(m);
	assert_int_equal(m->higher_is_better, 0);
	st = m->new_state(NULL, &err);
	/* frisbee is not in the image: 1 of 3 mentions */
	add(m, st, o1, c1, "A man and a dog with a frisbee.", 1);
	/* GT objects may be synonyms; the couch comes from the reference caption */
	add(m, st, o2, c2, "A cat sleeping on a sofa", 0);
	/* toilet seat -> toilet; two sinks hallucinated, repeats count */
	add(m, st, o3, NULL, "A toilet seat and a sink, and another sink", 1);
	/* no object mentioned */
	add(m, st, o4, NULL, "A picture.", 0);
	n = m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "CHAIRs") == 2.0 / 4.0);
	assert_true(value(v, n, "CHAIRi") == 3.0 / 8.0);
	assert_true(value(v, n, "mentions") == 8);
	assert_true(value(v, n, "hallucinated_mentions") == 3);
	assert_true(value(v, n, "hallucinated_captions") == 2);
	n = m->finish(st, sub, 2, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "CHAIRs") == 0.0);
	assert_true(value(v, n, "CHAIRi") == 0.0);
	/* errors name the sample */
	vl_sample_init(&s);
	s.id = vl_xstrdup("img42");
	assert_int_equal(m->add(st, &s, "a dog", &score, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err),
			    "sample 'img42' has neither ground-truth objects nor reference captions");
	vl_strv_push(&s.objects, "spaceship");
	vl_buf_reset(&err);
	assert_int_equal(m->add(st, &s, "a dog", &score, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err),
			    "sample 'img42': object 'spaceship' is not a COCO category or synonym");
	vl_sample_release(&s);
	m->free_state(st);
	vl_buf_release(&err);
}

/* A vocabulary of the task's own (the synthetic shapes): two-word entries
 * merge from two tokens, plurals singularise, COCO's words no longer count. */
static void test_vocabulary(void **state)
{
	const struct vl_metric *m = vl_metric_find("chair");
	const char *o1[] = { "red circle", "blue square", NULL };
	const char *c1[] = { "A red circle and a blue square.", NULL };
	const char *o2[] = { "orange star", "green cross", NULL };
	struct vl_metric_value v[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_kv opts = { 0 };
	struct vl_sample s;
	double score;
	void *st;
	int n;

	vl_kv_set(&opts, "vocabulary", "red circle, red disc; blue square; orange star; green cross");
	st = m->new_state(&opts, &err);
	assert_non_null(st);
	/* a small red circle, two blue squares (plural: one category); the
	 * green cross is not there; "dog" is not in this vocabulary */
	add(m, st, o1, c1, "A small red circle, two blue squares, a green cross and a dog.", 1);
	/* a synonym; "orange" alone is no longer the fruit; "cross" singularises
	 * to "cros" in the caption and in the ground truth alike */
	add(m, st, o2, NULL, "An orange star beside a red disc, an orange and green crosses.", 1);
	n = m->finish(st, NULL, 0, v, VL_METRIC_MAX_VALUES);
	assert_true(value(v, n, "mentions") == 6);
	assert_true(value(v, n, "hallucinated_mentions") == 2);
	assert_true(value(v, n, "CHAIRs") == 1.0);
	assert_true(value(v, n, "CHAIRi") == 2.0 / 6.0);
	vl_sample_init(&s);
	s.id = vl_xstrdup("7");
	vl_strv_push(&s.objects, "dog");
	assert_int_equal(m->add(st, &s, "a dog", &score, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err), "sample '7': object 'dog' is not in the task's \"vocabulary\"");
	vl_sample_release(&s);
	m->free_state(st);
	vl_kv_release(&opts);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synonym_table),
		cmocka_unit_test(test_singularize),
		cmocka_unit_test(test_tokenize),
		cmocka_unit_test(test_mentions),
		cmocka_unit_test(test_metric),
		cmocka_unit_test(test_vocabulary),
	};
	return cmocka_run_group_tests_name("chair", tests, NULL, NULL);
}
