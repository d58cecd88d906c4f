/*
 * test_score-io.c - what the `vleval score` kinds share: problems are
 * counted past the kept ones, the JSON pieces are exactly the bytes the
 * kinds print, and the reference loader's spec outlives its opening call.
 */
#include "test_helpers.h"

#include "bench/score-io.h"

static void test_problems_kept_and_counted(void **state)
{
	struct vl_score_problems pb = { { 0 }, 0 };

	(void)state;
	for (int i = 0; i < VL_SCORE_PROBLEMS_KEPT + 5; i++)
		vl_score_problem(&pb, "'f' line %d: bad", i + 1);
	assert_int_equal(pb.count, VL_SCORE_PROBLEMS_KEPT + 5);
	assert_int_equal(pb.msgs.n, VL_SCORE_PROBLEMS_KEPT);
	assert_string_equal(pb.msgs.v[0], "'f' line 1: bad");
	assert_string_equal(pb.msgs.v[VL_SCORE_PROBLEMS_KEPT - 1], "'f' line 1000: bad");
	vl_score_problem_owned(&pb, vl_xstrdup("dropped"));
	assert_int_equal(pb.count, VL_SCORE_PROBLEMS_KEPT + 6);
	vl_score_problems_release(&pb);
	assert_int_equal(pb.count, 0);
	assert_int_equal(pb.msgs.n, 0);
}

static void test_json_pieces(void **state)
{
	const struct vl_metric_value v[2] = { { .name = "acc", .value = 0.5 },
					      { .name = "f1", .value = 1 } };
	const char *const s[] = { "a \"q\"", "b" };
	struct vl_buf b = VL_BUF_INIT;

	(void)state;
	vl_score_json_values(&b, v, 2, 1);
	assert_string_equal(vl_buf_str(&b), "\"acc\": 0.5, \"f1\": 1");
	vl_buf_reset(&b);
	vl_score_json_values(&b, v, 2, 0);
	assert_string_equal(vl_buf_str(&b), "\"acc\":0.5,\"f1\":1");
	vl_buf_reset(&b);
	vl_score_json_strings(&b, s, 2);
	assert_string_equal(vl_buf_str(&b), "[\"a \\\"q\\\"\", \"b\"]");
	vl_buf_reset(&b);
	vl_score_json_strings(&b, s, 0);
	assert_string_equal(vl_buf_str(&b), "[]");
	vl_buf_release(&b);
}

static void test_dataset_open(void **state)
{
	char dir[] = "/tmp/vl-score-io-XXXXXX", path[64];
	struct vl_score_dataset d;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/q.jsonl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"question_id\": 1, \"image\": \"a.jpg\", \"text\": \"Is there a dog?\", "
	      "\"label\": \"yes\"}\n", f);
	fclose(f);
	assert_int_equal(vl_score_dataset_open(&d, "score", "pope",
					       (const char *const[]){ "questions", path, NULL }, 1,
					       &err), 0);
	/* the spec is d's: read after the opening call returned */
	vl_sample_init(&s);
	assert_int_equal(vl_dataset_next(d.ds, &s, &err), 1);
	assert_string_equal(s.id, "1");
	vl_sample_release(&s);
	vl_score_dataset_close(&d);
	assert_null(d.ds);
	assert_int_not_equal(vl_score_dataset_open(&d, "score", "no-such-format",
						   (const char *const[]){ NULL }, 1, &err), 0);
	assert_true(err.len > 0);
	vl_score_dataset_close(&d);
	unlink(path);
	rmdir(dir);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_problems_kept_and_counted),
		cmocka_unit_test(test_json_pieces),
		cmocka_unit_test(test_dataset_open),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
