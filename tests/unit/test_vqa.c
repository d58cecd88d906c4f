/*
 * test_vqa.c - VQA accuracy against the official vqaEval.py numbers in
 * tests/fixtures/reference/vqa (a013f00 and a4f1afd), the normalisation
 * trace, Python's round(), and hand-made edge rows.
 */
#include "test_helpers.h"

#include "metrics/metric.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_2021),
		cmocka_unit_test(test_reference_2017),
	};
	return cmocka_run_group_tests_name("vqa", tests, NULL, NULL);
}
