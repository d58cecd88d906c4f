/*
 * test_mmbench.c - VLMEvalKit's can_infer: README rows of the published
 * fixture, then every row of tests/fixtures/reference/published/mmbench
 * (per_copy_can_infer: what can_infer returned on each prediction as pandas
 * read it, with the options of the dataset row).
 */
#include "test_helpers.h"

#include "datasets/dataset.h"
#include "metrics/mmbench.h"

static void test_rows(void **state)
{
	static const char *const opt4[4] = { "cat", "dog", "calm", "bird" };
	static const struct { const char *answer; int want; } rows[] = {
		{ "B", 'B' }, { "(C)", 'C' }, { "*D*", 'D' }, { "The answer is calm", 'C' },
		{ "answer is d", 'D' }, { "\"B\"", 0 }, { "c", 0 }, { "E", 0 },
		{ "Cannot determine the answer", 'Z' }, { "Z", 'Z' }, { "A or B", 0 },
		{ "dog", 'B' }, { "a dog and a cat", 0 },
		{ "B is correct because the picture clearly shows the sea here", 0 },
		/* text matching still runs after the API failure, but this answer is
		 * longer than twice the option texts (14 code points) */
		{ "Failed to obtain answer via API: dog", 0 },
		{ "I pick A, as shown", 'A' },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		int got = vl_mmbench_can_infer(rows[i].answer, opt4, 4);
		if (got != rows[i].want)
			print_error("row %zu '%s': %c\n", i, rows[i].answer, got ? got : '0');
		assert_int_equal(got, rows[i].want);
	}
}

static void test_fixture(void **state)
{
	cJSON *exp = th_load_json("tests/fixtures/reference/published/mmbench/expected.json");
	const cJSON *per = cJSON_GetObjectItem(exp, "per_copy_can_infer");
	cJSON *spec_json = cJSON_Parse("{\"format\":\"vlmeval_tsv\",\"circular\":true,\"path\":"
		"\"tests/fixtures/reference/published/mmbench/MMBench_DEV_EN.tsv\"}");
	struct vl_dataset_spec spec = { "t", ".", spec_json, 1 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_dataset *ds;
	struct vl_sample s;
	size_t rows = 0;

	assert_int_equal(vl_dataset_open(&spec, &ds, &err), 0);
	vl_sample_init(&s);
	while (vl_dataset_next(ds, &s, &err) == 1) {
		const cJSON *it = cJSON_GetObjectItem(per, s.id);
		const cJSON *x;
		int got, want;
		assert_non_null(it);
		x = cJSON_GetObjectItem(it, "extracted");
		want = cJSON_IsString(x) ? x->valuestring[0] : 0;
		got = vl_mmbench_can_infer(cJSON_GetObjectItem(it, "prediction_as_read")->valuestring,
					   (const char *const *)s.options.v, s.options.n);
		if (got != want)
			print_error("row %s: %c, wanted %c\n", s.id, got ? got : '0', want ? want : '0');
		assert_int_equal(got, want);
		/* CircularEval groups: index % 1000000 */
		assert_int_equal(atoll(vl_sample_meta(&s, "circular_group")), atoll(s.id) % 1000000);
		rows++;
		vl_sample_release(&s);
	}
	assert_int_equal(rows, cJSON_GetObjectItem(exp, "n_rows")->valueint);
	vl_dataset_close(ds);
	cJSON_Delete(spec_json);
	cJSON_Delete(exp);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_fixture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
