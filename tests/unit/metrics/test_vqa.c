/*
 * test_vqa.c - VQA accuracy against the official vqaEval.py numbers in
 * tests/fixtures/reference/vqa (a013f00 and a4f1afd), the normalisation
 * trace, Python's round(), and hand-made edge rows.
 */
#include "test_helpers.h"

#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

/* The fixture's annotations, results and expectations in one place. */
struct fixture {
	cJSON *ann, *res, *exp, *exp2017, *trace;
};

static void fixture_load(struct fixture *f)
{
	f->ann = th_load_json("tests/fixtures/reference/vqa/annotations.json");
	f->res = th_load_json("tests/fixtures/reference/vqa/results.json");
	f->exp = th_load_json("tests/fixtures/reference/vqa/expected.json");
	f->exp2017 = th_load_json("tests/fixtures/reference/vqa/expected_pre2021_a4f1afd.json");
	f->trace = th_load_json("tests/fixtures/reference/vqa/normalization_trace.json");
}

static void fixture_free(struct fixture *f)
{
	cJSON_Delete(f->ann);
	cJSON_Delete(f->res);
	cJSON_Delete(f->exp);
	cJSON_Delete(f->exp2017);
	cJSON_Delete(f->trace);
}

static const char *result_for(const cJSON *res, double qid)
{
	const cJSON *r;
	cJSON_ArrayForEach(r, res)
		if (cJSON_GetObjectItem(r, "question_id")->valuedouble == qid)
			return cJSON_GetObjectItem(r, "answer")->valuestring;
	return NULL;
}

/* Group of a value in a breakdown: collects positions per key in first
 * appearance order. */
struct group {
	char key[64];
	size_t *idx;
	size_t n;
};

static struct group *group_add(struct group *g, size_t *ng, const char *key, size_t pos)
{
	size_t i;
	for (i = 0; i < *ng; i++)
		if (!strcmp(g[i].key, key))
			break;
	if (i == *ng) {
		snprintf(g[i].key, sizeof(g[i].key), "%s", key);
		g[i].idx = NULL;
		g[i].n = 0;
		(*ng)++;
	}
	g[i].idx = realloc(g[i].idx, (g[i].n + 1) * sizeof(size_t));
	g[i].idx[g[i].n++] = pos;
	return g;
}

/* Scores the whole fixture through the metric with the given revision and
 * compares every number of expected. */
static void check_reference(enum vl_vqa_revision rev, const char *revname, const cJSON *exp,
			    const cJSON *trace)
{
	struct fixture f;
	struct vl_kv opts = { { 0 }, { 0 } };
	const struct vl_metric *m = vl_metric_find("vqa_accuracy");
	struct vl_buf err = VL_BUF_INIT;
	struct vl_metric_value v[8];
	struct group at[16], qt[128];
	size_t nat = 0, nqt = 0, pos = 0;
	const cJSON *a;
	void *st;
	(void)rev;

	fixture_load(&f);
	if (!exp)
		exp = rev == VL_VQA_REV_2021 ? f.exp : f.exp2017;
	assert_non_null(m);
	vl_kv_set(&opts, "revision", revname);
	st = m->new_state(&opts, &err);
	assert_non_null(st);
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(f.ann, "annotations")) {
		struct vl_sample s;
		const cJSON *ans;
		double qid = cJSON_GetObjectItem(a, "question_id")->valuedouble, score;
		char id[32];
		const char *pred = result_for(f.res, qid);

		vl_sample_init(&s);
		snprintf(id, sizeof(id), "%.0f", qid);
		s.id = vl_xstrdup(id);
		cJSON_ArrayForEach(ans, cJSON_GetObjectItem(a, "answers"))
			vl_strv_push(&s.answers, cJSON_GetObjectItem(ans, "answer")->valuestring);
		assert_non_null(pred);
		assert_int_equal(m->add(st, &s, pred, &score, &err), 0);
		/* per-question: the unrounded fraction exactly, and the rounded
		 * percent exactly */
		double want = cJSON_GetObjectItem(cJSON_GetObjectItem(exp, "perQuestionUnrounded"), id)->valuedouble;
		double want_pct = cJSON_GetObjectItem(cJSON_GetObjectItem(exp, "perQuestion"), id)->valuedouble;
		if (score != want || vl_py_round(100 * score, 2) != want_pct)
			print_error("question %s: %.17g (want %.17g), pred '%s'\n", id, score, want, pred);
		assert_true(score == want);
		assert_true(vl_py_round(100 * score, 2) == want_pct);
		if (trace) {
			const cJSON *t = cJSON_GetObjectItem(trace, id);
			const cJSON *norm = cJSON_GetObjectItem(t, "normalized_answer");
			const cJSON *gts = cJSON_GetObjectItem(t, "gt_answers_after_eval");
			struct vl_vqa_scratch sc = VL_VQA_SCRATCH_INIT;
			vl_vqa_question_accuracy(&sc, pred, (const char *const *)s.answers.v,
						 s.answers.n, rev);
			assert_int_equal(sc.processed, cJSON_IsTrue(cJSON_GetObjectItem(t, "processed")));
			if (cJSON_IsString(norm)) {
				if (strcmp(vl_vqa_scratch_pred(&sc), norm->valuestring))
					print_error("question %s: '%s' -> '%s', want '%s'\n", id, pred,
						    vl_vqa_scratch_pred(&sc), norm->valuestring);
				assert_string_equal(vl_vqa_scratch_pred(&sc), norm->valuestring);
			}
			for (size_t k = 0; k < s.answers.n; k++)
				assert_string_equal(vl_vqa_scratch_answer(&sc, k),
						    cJSON_GetArrayItem(gts, (int)k)->valuestring);
			vl_vqa_scratch_release(&sc);
		}
		group_add(at, &nat, cJSON_GetObjectItem(a, "answer_type")->valuestring, pos);
		group_add(qt, &nqt, cJSON_GetObjectItem(a, "question_type")->valuestring, pos);
		pos++;
		vl_sample_release(&s);
	}
	assert_int_equal(pos, 2000);
	assert_int_equal(m->finish(st, NULL, 0, v, 8), 2);
	assert_true(v[0].value == cJSON_GetObjectItem(exp, "overall")->valuedouble);
	assert_true(v[1].value == cJSON_GetObjectItem(cJSON_GetObjectItem(exp, "unrounded"),
						      "overall")->valuedouble);
	for (int pass = 0; pass < 2; pass++) {
		struct group *g = pass ? qt : at;
		size_t ng = pass ? nqt : nat;
		const char *key = pass ? "perQuestionType" : "perAnswerType";
		const cJSON *r = cJSON_GetObjectItem(exp, key);
		const cJSON *u = cJSON_GetObjectItem(cJSON_GetObjectItem(exp, "unrounded"), key);
		assert_int_equal(ng, cJSON_GetArraySize(r));
		for (size_t i = 0; i < ng; i++) {
			assert_int_equal(m->finish(st, g[i].idx, g[i].n, v, 8), 2);
			if (v[0].value != cJSON_GetObjectItem(r, g[i].key)->valuedouble)
				print_error("%s '%s': %.17g\n", key, g[i].key, v[1].value);
			assert_true(v[0].value == cJSON_GetObjectItem(r, g[i].key)->valuedouble);
			assert_true(v[1].value == cJSON_GetObjectItem(u, g[i].key)->valuedouble);
			free(g[i].idx);
		}
	}
	m->free_state(st);
	vl_kv_release(&opts);
	vl_buf_release(&err);
	fixture_free(&f);
}

static void test_reference_2021(void **state)
{
	cJSON *trace = th_load_json("tests/fixtures/reference/vqa/normalization_trace.json");
	check_reference(VL_VQA_REV_2021, "2021", NULL, trace);
	cJSON_Delete(trace);
}

static void test_reference_2017(void **state)
{
	check_reference(VL_VQA_REV_2017, "2017", NULL, NULL);
}


/* processPunctuation and processDigitArticle, rows worked out from the
 * official code by hand (and checked with Python 3.11 str semantics). */
static void test_normalisation_rows(void **state)
{
	static const struct { const char *in, *punct, *digit; } rows[] = {
		{ "hello, world", "hello world", "hello world" },      /* ", " -> delete */
		{ "a,b", "a b", "b" },                                 /* no space: replace; "a" dropped */
		{ "1,000", "1000", "1000" },                           /* digit,digit -> delete all */
		{ "t-shirt", "t shirt", "t shirt" },
		{ "t-shirt - x", "tshirt  x", "tshirt x" },            /* " - " deletes every '-' */
		{ "(a)b", " a b", "b" },                               /* "a" is an article */
		{ "yes.", "yes", "yes" },
		{ "3.5", "3.5", "3.5" },                               /* '.' before a digit kept */
		{ "a.5b.", "a.5b", "a.5b" },
		{ "1.a", "1a", "1a" },                                 /* lookbehind typo: deleted */
		{ "can't 2:00", "can't 2:00", "can't 2:00" },          /* ' and : are kept */
		{ "The Two dogs", "The Two dogs", "2 dogs" },
		{ "dont know", "dont know", "don't know" },
		{ "somebody'd", "somebody'd", "somebodyd" },           /* the table's oddity */
		{ "Im here", "Im here", "im here" },                   /* key "Im" never matches */
		{ "an apple a day", "an apple a day", "apple day" },
		{ "none Zero TEN", "none Zero TEN", "0 0 10" },
		{ "  two\tthree\n", "  two\tthree\n", "2 3" },
		{ "\xce\xa3\xce\x91\xce\xa3 \xce\xa3", "\xce\xa3\xce\x91\xce\xa3 \xce\xa3",
		  "\xcf\x83\xce\xb1\xcf\x82 \xcf\x83" },               /* final sigma rule */
		{ "\xc4\xb0stanbul", "\xc4\xb0stanbul", "i\xcc\x87stanbul" }, /* U+0130 -> 2 code points */
		{ "\xd9\xa1,\xd9\xa2-x", "\xd9\xa1\xd9\xa2x", "\xd9\xa1\xd9\xa2x" }, /* Arabic-Indic digits are \d */
		{ "a\xc2\xa0" "b", "a\xc2\xa0" "b", "b" },             /* NBSP splits in Python */
		{ "x\xe3\x80\x80y", "x\xe3\x80\x80y", "x y" },         /* ideographic space */
	};
	struct vl_buf p = VL_BUF_INIT, d = VL_BUF_INIT;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		vl_vqa_process_punctuation(rows[i].in, strlen(rows[i].in), &p);
		vl_vqa_process_digit_article(p.buf, p.len, &d);  /* the scorer's order */
		if (strcmp(p.buf, rows[i].punct) || strcmp(d.buf, rows[i].digit))
			print_error("row %zu: '%s' -> '%s' / '%s'\n", i, rows[i].in, p.buf, d.buf);
		assert_string_equal(p.buf, rows[i].punct);
		assert_string_equal(d.buf, rows[i].digit);
	}
	/* at most 32 periods go (re.UNICODE passed as count) */
	{
		char in[64];
		memset(in, '.', 40);
		in[40] = '\0';
		vl_vqa_process_punctuation(in, 40, &p);
		assert_string_equal(p.buf, "........");
	}
	vl_buf_release(&p);
	vl_buf_release(&d);
}

static void test_question_rows(void **state)
{
	static const char *const ten_yes[] = { "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes" };
	static const char *const mixed[] = { "yes", "yes", "yes", "no", "no", "no", "no", "no", "no", "no" };
	static const char *const nums[] = { "2", "2", "two", "3", "3", "3", "3", "3", "3", "3" };
	static const char *const spaced[] = { "yes ", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes" };
	struct vl_vqa_scratch sc = VL_VQA_SCRATCH_INIT;
	const double third = 1.0 / 3.0, two_thirds = 2.0 / 3.0;
	double want;

	/* all identical: no normalisation at all */
	assert_true(vl_vqa_question_accuracy(&sc, "Yes", ten_yes, 10, VL_VQA_REV_2021) == 0.0);
	assert_int_equal(sc.processed, 0);
	assert_true(vl_vqa_question_accuracy(&sc, " yes\n", ten_yes, 10, VL_VQA_REV_2021) == 1.0);
	/* 2017 normalises the prediction anyway */
	assert_true(vl_vqa_question_accuracy(&sc, "Yes", ten_yes, 10, VL_VQA_REV_2017) == 1.0);
	/* "yes " is stripped in 2021, so all are identical; 2017 keeps it raw */
	assert_true(vl_vqa_question_accuracy(&sc, "Yes", spaced, 10, VL_VQA_REV_2021) == 0.0);
	assert_true(vl_vqa_question_accuracy(&sc, "Yes", spaced, 10, VL_VQA_REV_2017) == 1.0);
	/* 3 yes: each yes sees 2 others (2/3), each no sees 3 (1); summed in order */
	want = ((((((((((0.0 + two_thirds) + two_thirds) + two_thirds) + 1) + 1) + 1) + 1) + 1) + 1) + 1) / 10;
	assert_true(vl_vqa_question_accuracy(&sc, "Yes.", mixed, 10, VL_VQA_REV_2021) == want);
	/* "two" normalises to "2": 3 matches; the 2017 revision leaves the
	 * answers' "two" alone (punctuation only) */
	want = (((((((((0.0 + two_thirds) + two_thirds) + two_thirds) + 1) + 1) + 1) + 1) + 1) + 1 + 1) / 10;
	assert_true(vl_vqa_question_accuracy(&sc, "two", nums, 10, VL_VQA_REV_2021) == want);
	assert_true(vl_vqa_question_accuracy(&sc, "two", nums, 10, VL_VQA_REV_2017) ==
		    (((((((((0.0 + third) + third) + two_thirds) + two_thirds) + two_thirds) + two_thirds) + two_thirds) + two_thirds) + two_thirds + two_thirds) / 10);
	assert_true(isnan(vl_vqa_question_accuracy(&sc, "x", NULL, 0, VL_VQA_REV_2021)));
	vl_vqa_scratch_release(&sc);
}

static void test_python_round_rows(void **state)
{
	static const struct { double x; int nd; double want; } rows[] = {
		{ 53.125, 2, 53.12 },  /* exact binary tie: half to even */
		{ 53.135, 2, 53.13 },  /* below the tie in binary */
		{ 0.125, 2, 0.12 }, { 0.375, 2, 0.38 }, { 2.675, 2, 2.67 },
		{ 50.32499999999995, 2, 50.32 }, { 1.005, 2, 1.0 }, { -0.125, 2, -0.12 },
		{ 0.5, 0, 0.0 }, { 1.5, 0, 2.0 }, { 2.5, 0, 2.0 }, { 100.0, 2, 100.0 },
		{ 66.66666666666667, 2, 66.67 }, { 33.333333333333336, 2, 33.33 },
		{ 1e-300, 2, 0.0 }, { 1e300, 2, 1e300 }, { 4503599627370495.5, 2, 4503599627370495.5 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		double g = vl_py_round(rows[i].x, rows[i].nd);
		if (g != rows[i].want)
			print_error("row %zu: round(%.17g) = %.17g\n", i, rows[i].x, g);
		assert_true(g == rows[i].want);
	}
	assert_true(signbit(vl_py_round(-0.001, 2)));
}

/* The fixture's documented rounding facts. */
static void test_rounding_facts(void **state)
{
	cJSON *e = th_load_json("tests/fixtures/reference/vqa/expected.json");
	const cJSON *t, *u = cJSON_GetObjectItem(e, "unrounded");

	cJSON_ArrayForEach(t, cJSON_GetObjectItem(e, "rounding_ties")) {
		const char *key = strchr(t->string, ':') + 1;
		double x = cJSON_GetObjectItem(cJSON_GetObjectItem(u, "perQuestionType"), key)->valuedouble;
		assert_true(vl_py_round(x, 2) == cJSON_GetObjectItem(t, "python3_round")->valuedouble);
	}
	assert_true(vl_py_round(cJSON_GetObjectItem(u, "overall")->valuedouble, 2) ==
		    cJSON_GetObjectItem(e, "overall")->valuedouble);
	cJSON_Delete(e);
}

static void test_metric_options_and_errors(void **state)
{
	const struct vl_metric *m = vl_metric_find("vqa_accuracy");
	struct vl_kv opts = { { 0 }, { 0 } };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	double score;
	void *st;

	vl_kv_set(&opts, "revision", "2019");
	assert_null(m->new_state(&opts, &err));
	assert_string_equal(vl_buf_str(&err), "vqa_accuracy: unknown \"revision\" '2019' (known: 2021, 2017)");
	st = m->new_state(NULL, &err);
	vl_sample_init(&s);
	s.id = vl_xstrdup("q1");
	vl_buf_reset(&err);
	assert_int_equal(m->add(st, &s, "yes", &score, &err), VL_EINVAL);
	assert_string_equal(vl_buf_str(&err), "sample 'q1' has no ground-truth answers");
	vl_sample_release(&s);
	m->free_state(st);
	vl_kv_release(&opts);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_2021),
		cmocka_unit_test(test_reference_2017),
		cmocka_unit_test(test_normalisation_rows),
		cmocka_unit_test(test_question_rows),
		cmocka_unit_test(test_python_round_rows),
		cmocka_unit_test(test_rounding_facts),
		cmocka_unit_test(test_metric_options_and_errors),
	};
	return cmocka_run_group_tests_name("vqa", tests, NULL, NULL);
}
