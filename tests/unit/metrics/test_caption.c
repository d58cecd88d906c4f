/*
 * test_caption.c - the "caption" metric (BLEU-1..4, ROUGE-L, CIDEr-D)
 * against the numbers pycocoevalcap computes on
 * tests/fixtures/reference/captions, plus hand-made data rows and the
 * bootstrap's determinism.
 */
#include "test_helpers.h"

#include "metrics/caption.h"
#include "metrics/metric.h"

static const char *const names[6] = { "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr" };

static double pick(const struct vl_caption_scores *s, int k)
{
	return k < 4 ? s->bleu[k] : k == 4 ? s->rouge_l : s->cider;
}

/* Adds every image of the fixture through the metric, in refs.json order. */
static void *load_fixture(const struct vl_metric *m, cJSON **ids_out)
{
	cJSON *refs = th_load_json("tests/fixtures/reference/captions/refs.json");
	cJSON *cands = th_load_json("tests/fixtures/reference/captions/cands.json");
	struct vl_kv opts = { { 0 }, { 0 } };
	struct vl_buf err = VL_BUF_INIT;
	const cJSON *img;
	void *st;

	vl_kv_set(&opts, "tokenize", "none");
	st = m->new_state(&opts, &err);
	assert_non_null(st);
	cJSON_ArrayForEach(img, refs) {
		struct vl_sample s;
		const cJSON *r;
		double score;

		vl_sample_init(&s);
		s.id = vl_xstrdup(img->string);
		cJSON_ArrayForEach(r, img)
			vl_strv_push(&s.captions, r->valuestring);
		assert_int_equal(m->add(st, &s, cJSON_GetObjectItem(cands, img->string)->valuestring,
					&score, &err), 0);
		assert_true(isnan(score));
		vl_sample_release(&s);
	}
	*ids_out = refs;
	cJSON_Delete(cands);
	vl_kv_release(&opts);
	vl_buf_release(&err);
	return st;
}

static void test_reference(void **state)
{
	const struct vl_metric *m = vl_metric_find("caption");
	cJSON *expected = th_load_json("tests/fixtures/reference/captions/expected.json");
	cJSON *per = cJSON_GetObjectItem(expected, "per_image");
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	cJSON *refs, *img;
	size_t i = 0;
	int n, exact = 0, total = 0;
	void *st;

	assert_non_null(m);
	st = load_fixture(m, &refs);
	n = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	assert_int_equal(n, 6);
	for (int k = 0; k < 6; k++) {
		assert_string_equal(vals[k].name, names[k]);
		assert_int_equal(vals[k].n, 300);
		assert_close(vals[k].value, cJSON_GetObjectItem(expected, names[k])->valuedouble, 1e-12);
		exact += vals[k].value == cJSON_GetObjectItem(expected, names[k])->valuedouble;
		total++;
	}
	cJSON_ArrayForEach(img, refs) {
		struct vl_caption_scores s;
		const cJSON *e = cJSON_GetObjectItem(per, img->string);
		assert_non_null(e);
		assert_int_equal(vl_caption_metric_per_image(st, i, &s), 0);
		for (int k = 0; k < 6; k++) {
			double want = cJSON_GetObjectItem(e, names[k])->valuedouble;
			if (!(fabs(pick(&s, k) - want) <= 1e-12 * fabs(want) || pick(&s, k) == want))
				print_error("image %s %s\n", img->string, names[k]);
			assert_close(pick(&s, k), want, 1e-12);
			exact += pick(&s, k) == want;
			total++;
		}
		assert_true(m->sample_score(st, i) == s.cider);
		i++;
	}
	print_message("caption reference: %d of %d values bit-identical\n", exact, total);
	assert_int_equal(vl_caption_metric_per_image(st, i, &(struct vl_caption_scores){ 0 }), VL_EINVAL);
	m->free_state(st);
	cJSON_Delete(refs);
	cJSON_Delete(expected);
}

/* Scores one small corpus given as rows of candidate + references. */
struct row { const char *cand; const char *refs[4]; };

static struct vl_caption_set *build(const struct row *rows, size_t n)
{
	struct vl_caption_set *cs = vl_caption_set_new();
	for (size_t i = 0; i < n; i++) {
		size_t nr = 0;
		while (nr < 4 && rows[i].refs[nr])
			nr++;
		assert_int_equal(vl_caption_set_add(cs, rows[i].cand, rows[i].refs, nr), 0);
	}
	return cs;
}

static void test_edge_rows(void **state)
{
	const double t = 1e-15, s = 1e-9;
	struct vl_caption_scores c, per[4];
	struct vl_caption_set *cs;

	/* closest reference length, ties to the shorter (3, not 5): no brevity
	 * penalty; clipping against the highest count in one reference */
	{
		const struct row r[] = {
			{ "a b c d", { "a b c", "a b c d e", NULL } },
			{ "the the the the", { "the cat", NULL } },
		};
		cs = build(r, 2);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		assert_true(per[0].bleu[0] == (4 + t) / (4 + s));
		assert_true(per[1].bleu[0] == (1 + t) / (4 + s));
		/* corpus: 5 of 8 unigrams, reflen 3 + 2 < testlen 8 */
		assert_true(c.bleu[0] == (5 + t) / (8 + s));
		vl_caption_set_free(cs);
	}
	/* ROUGE-L: max precision and max recall from different references;
	 * empty candidate scores 0 everywhere (BLEU via the brevity penalty);
	 * double spaces make empty ROUGE tokens that match each other */
	{
		const struct row r[] = {
			{ "a b c d", { "a c", "b d e f g h", NULL } },
			{ "", { "a dog", NULL } },
			{ "a  b", { "a  b", NULL } },
		};
		cs = build(r, 3);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		assert_true(per[0].rouge_l == ((1 + 1.2 * 1.2) * 0.5 * 1.0) / (1.0 + 1.2 * 1.2 * 0.5));
		assert_true(per[1].rouge_l == 0.0);
		assert_true(per[1].cider == 0.0);
		for (int k = 0; k < 4; k++)
			assert_true(per[1].bleu[k] == 0.0);
		assert_true(per[2].rouge_l == 1.0);
		vl_caption_set_free(cs);
	}
	/* CIDEr-D: a one-image corpus has log(1) = 0 and scores 0, as
	 * pycocoevalcap does; two copies of one image share every n-gram
	 * (df = N) and also score 0; a resample repeating an image counts it
	 * as two documents */
	{
		const struct row one[] = { { "a dog runs", { "a dog runs", "a cat sits", NULL } } };
		const struct row two[] = {
			{ "a dog runs", { "a dog runs", "a cat sits", NULL } },
			{ "a red bus", { "a red bus on a road", NULL } },
		};
		const size_t rep[2] = { 0, 0 }, both[2] = { 0, 1 };
		struct vl_caption_scores c2;

		cs = build(one, 1);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		assert_true(c.cider == 0.0 && per[0].cider == 0.0);
		vl_caption_set_free(cs);

		cs = build(two, 2);
		assert_int_equal(vl_caption_set_score(cs, rep, 2, &c, per), 0);
		assert_true(per[0].cider == 0.0 && per[1].cider == 0.0);
		assert_int_equal(vl_caption_set_score(cs, both, 2, &c2, per), 0);
		assert_true(per[0].cider > 0.0 && per[1].cider > 0.0);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, NULL), 0);
		assert_true(c.cider == c2.cider);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, NULL), 0);
		assert_true(c.cider == c2.cider);   /* scoring leaves the set unchanged */
		assert_int_equal(vl_caption_set_score(cs, both, 0, &c, NULL), VL_EINVAL);
		vl_caption_set_free(cs);
	}
	/* Python str.split() white space (tab, U+00A0, U+3000) for BLEU/CIDEr;
	 * equal lengths still get a brevity penalty, since
	 * (4 + 1e-15) / (4 + 1e-9) < 1 */
	{
		const struct row r[] = { { "a\tb\xc2\xa0" "c\xe3\x80\x80" "d", { "a b c d", NULL } } };
		cs = build(r, 1);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		assert_true(per[0].bleu[3] == pow(((4 + t) / (4 + s)) * ((3 + t) / (3 + s)) *
						((2 + t) / (2 + s)) * ((1 + t) / (1 + s)), 0.25) *
			    exp(1 - 1 / ((4 + t) / (4 + s))));
		assert_true(per[0].bleu[0] < 1.0);
		vl_caption_set_free(cs);
	}
	/* fuzz_answer_match: no sentence has a word (what PTB tokenization
	 * leaves of invalid UTF-8), so the set holds no token at all; its
	 * token array was NULL and offsetting it undefined (UBSan) */
	{
		const struct row r[] = { { "", { "", NULL } } };
		cs = build(r, 1);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		/* ROUGE-L splits "" into one empty token on each side: 1, as
		 * pycocoevalcap's "".split(" ") gives */
		assert_true(per[0].cider == 0.0 && per[0].rouge_l == 1.0 && per[0].bleu[0] == 0.0);
		vl_caption_set_free(cs);
	}
}

/* Sentences without words (every n-gram table empty), adding after
 * scoring (the n-grams are rebuilt), and ROUGE-L's two LCS algorithms
 * (candidates of up to 64 tokens, and longer). */
static void test_build_edges(void **state)
{
	const double f_half = ((1 + 1.2 * 1.2) * 0.5 * 1.0) / (1.0 + 1.2 * 1.2 * 0.5);
	struct vl_caption_scores c, c2, per[3], per2[3];
	struct vl_caption_set *cs;

	/* " " is one empty ROUGE token more than "": LCS 1, P 1/2, R 1 */
	{
		const struct row r[] = { { " ", { "", NULL } }, { "", { " ", "", NULL } } };
		const size_t idx[2] = { 1, 1 };
		cs = build(r, 2);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		assert_true(per[0].rouge_l == f_half);
		assert_true(per[1].rouge_l == 1.0);
		for (int i = 0; i < 2; i++) {
			assert_true(per[i].cider == 0.0);
			for (int k = 0; k < 4; k++)
				assert_true(per[i].bleu[k] == 0.0);
		}
		assert_int_equal(vl_caption_set_score(cs, idx, 2, &c, per), 0);
		assert_true(per[0].cider == 0.0 && per[0].rouge_l == 1.0);
		vl_caption_set_free(cs);
	}
	/* adding after a scoring gives what adding everything first gives */
	{
		const struct row r[] = {
			{ "a dog runs on grass", { "a dog runs", "a dog on the grass", NULL } },
			{ "a red bus", { "a red bus on a road", "the bus is red", NULL } },
			{ "two cats sleep", { "two cats sleeping", "cats on a bed", NULL } },
		};
		cs = build(r, 3);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		vl_caption_set_free(cs);
		cs = build(r, 2);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c2, per2), 0);
		assert_int_equal(vl_caption_set_add(cs, r[2].cand, r[2].refs, 2), 0);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c2, per2), 0);
		assert_true(memcmp(&c, &c2, sizeof(c)) == 0);
		assert_true(memcmp(per, per2, 3 * sizeof(*per)) == 0);
		assert_true(per[0].cider > 0.0);
		vl_caption_set_free(cs);
	}
	/* candidates of 64 and 70 distinct words against every other one of
	 * them: LCS = half the candidate, P 1/2, R 1, both algorithms */
	for (int len = 64; len <= 70; len += 6) {
		struct vl_buf cand = VL_BUF_INIT, ref = VL_BUF_INIT;
		const char *refs[1];

		for (int i = 0; i < len; i++) {
			vl_buf_addf(&cand, "%sw%d", i ? " " : "", i);
			if (i % 2 == 0)
				vl_buf_addf(&ref, "%sw%d", i ? " " : "", i);
		}
		refs[0] = vl_buf_str(&ref);
		cs = vl_caption_set_new();
		assert_int_equal(vl_caption_set_add(cs, vl_buf_str(&cand), refs, 1), 0);
		assert_int_equal(vl_caption_set_score(cs, NULL, 0, &c, per), 0);
		assert_true(per[0].rouge_l == f_half);
		vl_caption_set_free(cs);
		vl_buf_release(&cand);
		vl_buf_release(&ref);
	}
}

static void test_bad_options_and_samples(void **state)
{
	const struct vl_metric *m = vl_metric_find("caption");
	struct vl_kv opts = { { 0 }, { 0 } };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	double score;
	void *st;

	vl_kv_set(&opts, "tokenize", "nltk");
	assert_null(m->new_state(&opts, &err));
	assert_non_null(strstr(vl_buf_str(&err), "nltk"));
	vl_buf_reset(&err);
	st = m->new_state(NULL, &err);
	vl_sample_init(&s);
	s.id = vl_xstrdup("img-7");
	assert_int_equal(m->add(st, &s, "a dog", &score, &err), VL_EINVAL);
	assert_non_null(strstr(vl_buf_str(&err), "img-7"));
	/* the default tokenizer lowercases and drops punctuation */
	vl_strv_push(&s.captions, "A dog, running.");
	assert_int_equal(m->add(st, &s, "a DOG running!", &score, &err), 0);
	{
		struct vl_caption_scores sc;
		assert_int_equal(vl_caption_metric_per_image(st, 0, &sc), 0);
		assert_true(sc.rouge_l == 1.0);
	}
	vl_sample_release(&s);
	m->free_state(st);
	vl_kv_release(&opts);
	vl_buf_release(&err);
}

/* Same seed, same interval; another seed, another one; the interval holds
 * the point estimate. */
static void test_bootstrap_determinism(void **state)
{
	const struct vl_metric *m = vl_metric_find("caption");
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	double lo1[6], hi1[6], lo2[6], hi2[6], lo3[6], hi3[6];
	cJSON *refs;
	void *st = load_fixture(m, &refs);
	int n = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);

	assert_int_equal(vl_bootstrap(m, st, 300, 200, 42, 0.95, vals, (size_t)n, lo1, hi1), 0);
	assert_int_equal(vl_bootstrap(m, st, 300, 200, 42, 0.95, vals, (size_t)n, lo2, hi2), 0);
	assert_int_equal(vl_bootstrap(m, st, 300, 200, 7, 0.95, vals, (size_t)n, lo3, hi3), 0);
	for (int k = 0; k < n; k++) {
		assert_true(lo1[k] == lo2[k] && hi1[k] == hi2[k]);
		assert_true(lo1[k] < vals[k].value && vals[k].value < hi1[k]);
	}
	assert_true(lo1[5] != lo3[5] || hi1[5] != hi3[5]);
	m->free_state(st);
	cJSON_Delete(refs);
}

/* A caller's vl_parallel_fn that runs the parts last first: the parts
 * must not depend on their order (nor on running at once). */
static int reversed_calls;
static void run_reversed(size_t nparts, void (*part)(void *ctx, size_t t), void *ctx)
{
	reversed_calls++;
	for (size_t t = nparts; t-- > 0;)
		part(ctx, t);
}

/* The same scores, to the bit, whether the build's parts run in order
 * (no parallel lent: the default) or in another order. */
static void test_parallel_parts_order(void **state)
{
	const struct vl_metric *m = vl_metric_find("caption");
	struct vl_metric_value a[VL_METRIC_MAX_VALUES], b[VL_METRIC_MAX_VALUES];
	cJSON *refs1, *refs2;
	void *st1 = load_fixture(m, &refs1);
	void *st2 = load_fixture(m, &refs2);
	int n1, n2;

	assert_non_null(m->set_parallel);
	m->set_parallel(st2, run_reversed);
	reversed_calls = 0;
	n1 = m->finish(st1, NULL, 0, a, VL_METRIC_MAX_VALUES);
	n2 = m->finish(st2, NULL, 0, b, VL_METRIC_MAX_VALUES);
	assert_int_equal(n1, 6);
	assert_int_equal(n2, 6);
	assert_true(reversed_calls > 0);
	for (int k = 0; k < n1; k++)
		assert_true(a[k].value == b[k].value);
	for (size_t i = 0; i < (size_t)cJSON_GetArraySize(refs1); i++) {
		struct vl_caption_scores p1, p2;
		assert_int_equal(vl_caption_metric_per_image(st1, i, &p1), 0);
		assert_int_equal(vl_caption_metric_per_image(st2, i, &p2), 0);
		assert_memory_equal(&p1, &p2, sizeof(p1));
	}
	m->free_state(st1);
	m->free_state(st2);
	cJSON_Delete(refs1);
	cJSON_Delete(refs2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_edge_rows),
		cmocka_unit_test(test_build_edges),
		cmocka_unit_test(test_bad_options_and_samples),
		cmocka_unit_test(test_bootstrap_determinism),
		cmocka_unit_test(test_parallel_parts_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
