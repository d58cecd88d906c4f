/*
 * test_scoring.c - the one scoring path: every metric scores a sample read
 * back from its stored reference exactly like the sample itself (values,
 * intervals, breakdowns, end-of-corpus per-sample scores, to the last bit);
 * refusals reach the caller; the run log's rows are scored without the
 * dataset.
 */
#include "test_helpers.h"

#include "bench/runlog.h"
#include "bench/scoring.h"

#define NSAMPLES 48

static const char *const all_metrics[] = {
	"caption", "exact_match", "pope", "grounding", "mcq_accuracy", "mcq_circular",
	"chair", "vqa_accuracy", "anls", "mme",
};
#define NMETRICS (sizeof(all_metrics) / sizeof(*all_metrics))

static void make_sample(struct vl_sample *s, int i)
{
	static const char *const words[] = { "dog", "cat", "bench", "two", "red", "yes" };
	char buf[64];

	vl_sample_init(s);
	snprintf(buf, sizeof(buf), "%d", 1000 + i);
	s->id = vl_xstrdup(buf);
	s->index = (size_t)i;
	s->question = vl_xstrdup("what is it?");
	for (int k = 0; k < 10; k++)
		vl_strv_push(&s->answers, words[(i + k / 3) % 6]);
	for (int k = 0; k < 5; k++) {
		snprintf(buf, sizeof(buf), "a %s on a %s number %d", words[(i + k) % 6],
			 words[(i * 7 + k) % 6], k);
		vl_strv_push(&s->captions, buf);
	}
	vl_strv_push(&s->objects, i % 2 ? "dog" : "cat");
	s->label = i % 3 ? VL_LABEL_YES : VL_LABEL_NO;
	s->label_text = vl_xstrdup(s->label == VL_LABEL_YES ? "yes" : "no");
	s->answer_letter = vl_xstrdup(i % 4 == 1 ? "B" : "A");
	vl_strv_push(&s->options, "a dog");
	vl_strv_push(&s->options, "a cat");
	s->box[0] = 10.25 + i;
	s->box[1] = 20.0 / 3.0;
	s->box[2] = 110.1 + i;
	s->box[3] = 220.7;
	s->has_box = 1;
	s->image_w = 640;
	s->image_h = 480;
	vl_sample_set_meta(s, "answer_type", i % 3 ? "other" : "number");
	snprintf(buf, sizeof(buf), "g%d", i / 4);
	vl_sample_set_meta(s, "circular_group", buf);
	vl_sample_set_meta(s, "category", i % 2 ? "color" : "count");
	snprintf(buf, sizeof(buf), "img%d.jpg", i / 2);
	vl_strv_push(&s->images, buf);  /* MME pairs the two questions of an image */
	vl_free(s->label_text);
	s->label_text = vl_xstrdup(s->label == VL_LABEL_YES ? "Yes" : "No");
}

static const char *prediction(int i)
{
	static const char *const preds[] = {
		"yes", "B", "[10, 20, 110, 220]", "a dog on a bench number 1", "No, there is not.",
		"two", "A", "a cat on a red bench",
	};
	return preds[i % 8];
}

struct values {
	struct vl_buf text;   /* one line a value, doubles as hex bits */
	int subsets;
};

static void collect(void *ctx, const struct vl_scoring_value *v)
{
	struct values *c = ctx;

	vl_buf_addf(&c->text, "%s/%s/%s=%a %a %a %ld\n", v->metric, v->name, v->subset, v->value,
		    v->lo, v->hi, v->n);
	c->subsets += *v->subset != '\0';
}

static void collect_score(void *ctx, const char *id, double score)
{
	vl_buf_addf(ctx, "%s %a\n", id, score);
}

static void score_all(int round_trip, struct values *out, struct vl_buf *sample_scores)
{
	struct vl_strv breakdown = { 0 };
	struct vl_buf err = VL_BUF_INIT, ref = VL_BUF_INIT;
	struct vl_scoring_ci ci = { 50, 7, 0.95 };
	struct vl_scoring *sc;

	vl_strv_push(&breakdown, "answer_type");
	sc = vl_scoring_new(all_metrics, NMETRICS, NULL, &breakdown, &err);
	assert_non_null(sc);
	for (int i = 0; i < NSAMPLES; i++) {
		struct vl_sample s;
		make_sample(&s, i);
		if (round_trip) {
			struct vl_sample back;
			vl_buf_reset(&ref);
			vl_sample_ref_json(&s, &ref);
			vl_sample_init(&back);
			assert_int_equal(vl_sample_ref_parse(ref.buf, ref.len, &back, &err), 0);
			back.id = vl_xstrdup(s.id);
			back.index = s.index;
			vl_sample_release(&s);
			s = back;
		}
		assert_int_equal(vl_scoring_add(sc, &s, prediction(i), NULL, NULL, NULL), 0);
		vl_sample_release(&s);
	}
	vl_scoring_finish(sc, &ci, collect, out);
	vl_scoring_each_sample_score(sc, collect_score, sample_scores);
	vl_scoring_free(sc);
	vl_strv_release(&breakdown);
	vl_buf_release(&err);
	vl_buf_release(&ref);
}

static void test_reference_scores_like_sample(void **state)
{
	struct values direct = { VL_BUF_INIT, 0 }, stored = { VL_BUF_INIT, 0 };
	struct vl_buf ds = VL_BUF_INIT, ss = VL_BUF_INIT;

	score_all(0, &direct, &ds);
	score_all(1, &stored, &ss);
	assert_true(direct.text.len > 0);
	assert_string_equal(vl_buf_str(&direct.text), vl_buf_str(&stored.text));
	/* every metric reported, breakdown subsets too */
	for (size_t i = 0; i < NMETRICS; i++) {
		char key[64];
		snprintf(key, sizeof(key), "%s/", all_metrics[i]);
		assert_non_null(strstr(direct.text.buf, key));
	}
	assert_true(direct.subsets > 0);
	assert_non_null(strstr(direct.text.buf, "answer_type=number"));
	/* CIDEr's per-sample scores, known once the corpus is */
	assert_true(ds.len > 0);
	assert_string_equal(vl_buf_str(&ds), vl_buf_str(&ss));
	vl_buf_release(&direct.text);
	vl_buf_release(&stored.text);
	vl_buf_release(&ds);
	vl_buf_release(&ss);
}

struct refusals {
	int n;
	char last[64];
};

static void on_refuse(void *ctx, const char *metric, const char *sample_id, size_t nth,
		      const char *msg)
{
	struct refusals *r = ctx;
	r->n++;
	snprintf(r->last, sizeof(r->last), "%s %s %zu", metric, sample_id, nth);
}

static void test_refusal_reported(void **state)
{
	static const char *const metrics[] = { "pope", "vqa_accuracy" };
	struct vl_buf err = VL_BUF_INIT;
	struct refusals r = { 0 };
	struct vl_scoring *sc = vl_scoring_new(metrics, 2, NULL, NULL, &err);
	struct vl_sample s;
	double first;

	assert_non_null(sc);
	make_sample(&s, 0);
	vl_free(s.label_text);
	s.label_text = vl_xstrdup("no");   /* POPE's label as its files write it */
	assert_int_equal(vl_scoring_add(sc, &s, "yes", &first, on_refuse, &r), 0);
	assert_true(first == 0.0);   /* label no, answered yes */
	vl_strv_release(&s.answers);  /* VQA needs answers, POPE does not */
	assert_int_equal(vl_scoring_add(sc, &s, "yes", &first, on_refuse, &r), 1);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.last, "vqa_accuracy 1000 1");
	assert_int_equal(vl_scoring_refused(sc, 1, NULL), 1);
	assert_int_equal(vl_scoring_refused(sc, 0, NULL), 0);
	vl_sample_release(&s);
	vl_scoring_free(sc);

	static const char *const unknown[] = { "no_such_metric" };
	assert_null(vl_scoring_new(unknown, 1, NULL, NULL, &err));
	assert_non_null(strstr(err.buf, "no_such_metric"));
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_scores_like_sample),
		cmocka_unit_test(test_refusal_reported),
	};
	return cmocka_run_group_tests_name("scoring", tests, NULL, NULL);
}
