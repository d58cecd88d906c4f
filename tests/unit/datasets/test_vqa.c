/*
 * test_vqa_loader.c - the "vqa" loader (datasets/vqa.c; the metric of the
 * same base name is tested in test_vqa.c) on hand-made files in the
 * official layout under tests/fixtures/vqa: the join in annotation order,
 * answers and metadata, escapes, test-dev (no annotations), image
 * patterns, and bad records, each reported with file, record and key while
 * the rest still loads.
 */
#include "test_helpers.h"

#include "datasets/dataset.h"
#include "datasets/vqa.h"

#include <unistd.h>

#define FIX "tests/fixtures/vqa/"

/* Opens a dataset from a JSON text; returns the open code. */
static int open_ds(const char *json, struct vl_dataset **ds, struct vl_buf *err, cJSON **spec_json)
{
	struct vl_dataset_spec spec = { "t", "", NULL, 0 };

	*spec_json = cJSON_Parse(json);
	assert_non_null(*spec_json);
	spec.json = *spec_json;
	return vl_dataset_open(&spec, ds, err);
}

static void test_join_in_annotation_order(void **state)
{
	struct vl_dataset *ds;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	cJSON *spec;

	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\","
				 "\"annotations\":\"" FIX "annotations.json\",\"images\":\"" FIX "img\"}",
				 &ds, &err, &spec), 0);
	vl_sample_init(&s);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_string_equal(s.id, "7000");
	assert_string_equal(s.question, "How many dogs?");
	assert_int_equal(s.answers.n, 3);
	assert_string_equal(s.answers.v[1], "two");
	assert_int_equal(s.images.n, 1);
	assert_string_equal(s.images.v[0], FIX "img/COCO_val2014_000000000007.jpg");
	assert_string_equal(vl_sample_meta(&s, "answer_type"), "number");
	assert_string_equal(vl_sample_meta(&s, "question_type"), "how many");
	assert_string_equal(vl_sample_meta(&s, "multiple_choice_answer"), "2");
	assert_string_equal(vl_sample_meta(&s, "image_id"), "7");
	vl_sample_release(&s);

	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_string_equal(s.id, "42000");
	assert_string_equal(s.answers.v[1], "Red ");   /* raw: the metric normalises */
	assert_int_equal(s.index, 1);
	vl_sample_release(&s);

	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_string_equal(s.id, "42001");
	assert_string_equal(s.question, "Is it \"raining\"?\nNo \xc3\xa9\xe2\x82\xac \xf0\x9f\x98\x80");
	assert_null(vl_sample_meta(&s, "multiple_choice_answer"));
	vl_sample_release(&s);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 0);
	assert_int_equal(vl_dataset_bad_records(ds), 0);
	vl_dataset_close(ds);
	cJSON_Delete(spec);
	vl_buf_release(&err);
}

static void test_testdev_without_annotations(void **state)
{
	static const char *const ids[] = { "42000", "42001", "7000" };
	struct vl_dataset *ds;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	cJSON *spec;

	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\","
				 "\"image_pattern\":\"test2015/COCO_test2015_%012d.jpg\"}",
				 &ds, &err, &spec), 0);
	vl_sample_init(&s);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
		assert_string_equal(s.id, ids[i]);
		assert_int_equal(s.answers.n, 0);
		vl_sample_release(&s);
	}
	assert_int_equal(vl_dataset_next(ds, &s, &err), 0);
	vl_dataset_close(ds);
	cJSON_Delete(spec);

	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\","
				 "\"image_pattern\":\"%d-%%.png\"}", &ds, &err, &spec), 0);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_string_equal(s.images.v[0], "42-%.png");
	vl_sample_release(&s);
	vl_dataset_close(ds);
	cJSON_Delete(spec);

	/* width without a zero: space-padded, as printf does */
	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\","
				 "\"image_pattern\":\"x%5d_%1lld.jpg\"}", &ds, &err, &spec), VL_EINVAL);
	cJSON_Delete(spec);
	vl_buf_reset(&err);
	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\","
				 "\"image_pattern\":\"x%5d.jpg\"}", &ds, &err, &spec), 0);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_string_equal(s.images.v[0], "x   42.jpg");
	vl_sample_release(&s);
	vl_dataset_close(ds);
	cJSON_Delete(spec);

	/* a huge width is clamped to 64 while it is read: no signed overflow
	 * (make asan's UBSan aborts on one) */
	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\","
				 "\"image_pattern\":\"x%99999999999999999999999d.jpg\"}", &ds, &err, &spec), 0);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_int_equal(strlen(s.images.v[0]), 1 + 64 + 4);
	assert_string_equal(s.images.v[0] + 1 + 62, "42.jpg");
	vl_sample_release(&s);
	vl_dataset_close(ds);
	cJSON_Delete(spec);
	vl_buf_release(&err);
}

/* Fuzzing found it: an id like 1e103 was converted to int64 before its
 * range was checked (undefined; make asan's UBSan aborts on it) */
static void test_huge_float_id(void **state)
{
	char path[] = "/tmp/vleval-vqa-XXXXXX";
	int fd = mkstemp(path);
	static const char doc[] = "{\"questions\": [{\"image_id\": 1e103, \"question\": \"q\", "
				  "\"question_id\": 1}, {\"image_id\": 5, \"question\": \"r\", "
				  "\"question_id\": 2.0}]}";
	struct vl_buf spec_text = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_dataset *ds;
	struct vl_sample s;
	cJSON *spec;
	int rc, good = 0;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, sizeof(doc) - 1), (long)(sizeof(doc) - 1));
	close(fd);
	vl_buf_addf(&spec_text, "{\"format\":\"vqa\",\"questions\":\"%s\"}", path);
	assert_int_equal(open_ds(spec_text.buf, &ds, &err, &spec), 0);
	vl_sample_init(&s);
	while ((rc = vl_dataset_next(ds, &s, &err)) != 0) {
		if (rc == 1) {
			good++;
			assert_string_equal(s.id, "2");
		}
		vl_sample_release(&s);
		vl_buf_reset(&err);
		if (rc < 0 && rc != VL_EPARSE)
			break;
	}
	assert_int_equal(good, 1);
	vl_dataset_close(ds);
	cJSON_Delete(spec);
	unlink(path);
	vl_buf_release(&spec_text);
	vl_buf_release(&err);
}

/* Each bad record is one VL_EPARSE naming file, record and key; the good
 * ones still load. */
static void test_bad_records(void **state)
{
	static const struct { int rc; const char *text; } want[] = {
		{ 1, "7000" },
		{ VL_EPARSE, "'" FIX "annotations_bad.json' annotation 2 (line 3, question_id 42000): missing or invalid \"answers[].answer (not a string)\"" },
		{ VL_EPARSE, "'" FIX "annotations_bad.json' annotation 3 (line 4, question_id 42001): missing or invalid \"answer_type\"" },
		{ VL_EPARSE, "'" FIX "annotations_bad.json' annotation 4 (line 5): not a JSON object" },
		{ VL_EPARSE, "'" FIX "annotations_bad.json' annotation 5 (line 6): question_id 99 is not in the questions file '" FIX "questions.json'" },
		{ 1, "42001" },
		{ 0, NULL },
	};
	struct vl_dataset *ds;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	cJSON *spec;

	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\","
				 "\"annotations\":\"" FIX "annotations_bad.json\"}", &ds, &err, &spec), 0);
	vl_sample_init(&s);
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
		vl_buf_reset(&err);
		int rc = vl_dataset_next(ds, &s, &err);
		assert_int_equal(rc, want[i].rc);
		if (rc == 1)
			assert_string_equal(s.id, want[i].text);
		else if (rc < 0)
			assert_string_equal(vl_buf_str(&err), want[i].text);
		vl_sample_release(&s);
	}
	assert_int_equal(vl_dataset_bad_records(ds), 4);
	vl_dataset_close(ds);
	cJSON_Delete(spec);

	assert_int_equal(open_ds("{\"format\":\"vqa\",\"questions\":\"" FIX "questions_bad.json\"}",
				 &ds, &err, &spec), 0);
	vl_buf_reset(&err);
	assert_int_equal(vl_dataset_next(ds, &s, &err), VL_EPARSE);
	assert_string_equal(vl_buf_str(&err), "'" FIX "questions_bad.json' question 2 (line 2): missing or invalid \"question\"");
	vl_buf_reset(&err);
	assert_int_equal(vl_dataset_next(ds, &s, &err), VL_EPARSE);
	assert_string_equal(vl_buf_str(&err), "'" FIX "questions_bad.json' question 3 (line 3): duplicate question_id 1");
	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_string_equal(s.question, "ok");
	vl_sample_release(&s);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	assert_string_equal(s.question, "fine");
	vl_sample_release(&s);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 0);
	vl_dataset_close(ds);
	cJSON_Delete(spec);
	vl_buf_release(&err);
}

static void test_open_errors(void **state)
{
	static const struct { const char *spec; int rc; const char *text; } rows[] = {
		{ "{\"format\":\"vqa\",\"questions\":\"" FIX "questions_truncated.json\"}", VL_EINVAL,
		  "cannot parse '" FIX "questions_truncated.json' line 1 column 100: unexpected end of file (truncated JSON?)" },
		{ "{\"format\":\"vqa\",\"questions\":\"" FIX "nope.json\"}", VL_ENOTFOUND,
		  "cannot open '" FIX "nope.json': No such file or directory (the official VQA v2 files are "
		  "v2_OpenEnded_mscoco_{train,val,test-dev,test}2014_questions.json from visualqa.org; "
		  "OK-VQA: OpenEnded_mscoco_val2014_questions.json from okvqa.allenai.org)" },
		{ "{\"format\":\"vqa\",\"questions\":\"" FIX "annotations.json\"}", VL_EINVAL,
		  "'" FIX "annotations.json' has no \"questions\" key" },
		{ "{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\",\"annotations\":\"" FIX "questions.json\"}",
		  VL_EINVAL, "'" FIX "questions.json' has no \"annotations\" key" },
		{ "{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\",\"image_pattern\":\"%s.jpg\"}",
		  VL_EINVAL, "task 't': dataset \"image_pattern\" '%s.jpg' must hold exactly one integer "
		  "conversion such as %012d (and %% for a percent sign)" },
		{ "{\"format\":\"vqa\",\"questions\":\"" FIX "questions.json\",\"image_pattern\":\"%d_%d.jpg\"}",
		  VL_EINVAL, NULL },
		{ "{\"format\":\"vqa\"}", VL_ENOTFOUND, "task 't': dataset needs a \"questions\" path" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct vl_dataset *ds = NULL;
		struct vl_buf err = VL_BUF_INIT;
		cJSON *spec;
		assert_int_equal(open_ds(rows[i].spec, &ds, &err, &spec), rows[i].rc);
		assert_null(ds);
		if (rows[i].text)
			assert_string_equal(vl_buf_str(&err), rows[i].text);
		cJSON_Delete(spec);
		vl_buf_release(&err);
	}
}

/* Annotations are handed over in batches of 256 records (from a thread,
 * or on the calling thread): 1,300 records are more than the 4 batches in
 * flight (so the producer waits for the reader) and cross batch
 * boundaries, with a bad record on each side of one and a question id not
 * in the questions file; everything comes out in file order, and closing
 * early stops the parsing cleanly, even while the producer waits. */
static void test_many_records_across_batches(void **state)
{
	char dir[] = "/tmp/vleval-vqa-XXXXXX", qp[64], ap[64], json[256];
	struct vl_dataset *ds;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	size_t ok = 0, bad = 0;
	cJSON *spec;
	FILE *f;
	int rc;

	assert_non_null(mkdtemp(dir));
	snprintf(qp, sizeof(qp), "%s/q.json", dir);
	snprintf(ap, sizeof(ap), "%s/a.json", dir);
	f = fopen(qp, "w");
	fputs("{\"questions\": [", f);
	for (int i = 0; i < 1300; i++)
		fprintf(f, "%s{\"image_id\": %d, \"question\": \"q%d\", \"question_id\": %d}", i ? ", " : "", i == 3 ? -3 : i, i, 1000 + i);
	fputs("]}", f);
	fclose(f);
	f = fopen(ap, "w");
	fputs("{\"annotations\": [", f);
	for (int i = 0; i < 1300; i++)
		fprintf(f, "%s{\"question_type\": \"what\", %s\"answers\": [{\"answer\": \"a%d\", "
			"\"answer_confidence\": \"yes\", \"answer_id\": 1}, {\"answer\": \"b\", "
			"\"answer_id\": 2}], \"question_id\": %d}", i ? ", " : "",
			i == 255 || i == 256 ? "" : "\"answer_type\": \"other\", ", i,
			i == 600 ? 5 : 1000 + i);
	fputs("]}", f);
	fclose(f);
	snprintf(json, sizeof(json), "{\"format\":\"vqa\",\"questions\":\"%s\",\"annotations\":\"%s\","
		 "\"image_pattern\":\"%%05d.jpg\"}", qp, ap);

	assert_int_equal(open_ds(json, &ds, &err, &spec), 0);
	vl_sample_init(&s);
	while ((rc = vl_dataset_next(ds, &s, &err)) != 0) {
		char want[32];
		if (rc == VL_EPARSE) {
			size_t rec = 256 + bad;
			if (bad == 2)
				rec = 601;
			snprintf(want, sizeof(want), "annotation %zu ", rec);
			if (!strstr(vl_buf_str(&err), want))
				print_error("bad %zu: %s\n", bad, vl_buf_str(&err));
			assert_non_null(strstr(vl_buf_str(&err), want));
			bad++;
			vl_buf_reset(&err);
			continue;
		}
		assert_int_equal(rc, 1);
		size_t i = ok + bad;
		snprintf(want, sizeof(want), "%zu", 1000 + i);
		assert_string_equal(s.id, want);
		snprintf(want, sizeof(want), "a%zu", i);
		assert_int_equal(s.answers.n, 2);
		assert_string_equal(s.answers.v[0], want);
		assert_string_equal(s.answers.v[1], "b");
		assert_string_equal(vl_sample_meta(&s, "answer_type"), "other");
		{
			/* ids and image names as printf writes them */
			char img[32], name[32];
			snprintf(img, sizeof(img), "%d", i == 3 ? -3 : (int)i);
			snprintf(name, sizeof(name), "%05d.jpg", i == 3 ? -3 : (int)i);
			assert_string_equal(vl_sample_meta(&s, "image_id"), img);
			assert_string_equal(s.images.v[0], name);
		}
		vl_sample_release(&s);
		ok++;
	}
	assert_int_equal(ok, 1297);
	assert_int_equal(bad, 3);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 0);
	vl_dataset_close(ds);
	cJSON_Delete(spec);

	/* closed after one record: the producer stops mid-file */
	assert_int_equal(open_ds(json, &ds, &err, &spec), 0);
	assert_int_equal(vl_dataset_next(ds, &s, &err), 1);
	vl_sample_release(&s);
	vl_dataset_close(ds);
	cJSON_Delete(spec);

	unlink(qp);
	unlink(ap);
	rmdir(dir);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_in_annotation_order),
		cmocka_unit_test(test_testdev_without_annotations),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_huge_float_id),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_many_records_across_batches),
	};
	int failed = cmocka_run_group_tests_name("vqa_loader (background parsing)", tests, NULL, NULL);

	/* again with the annotations parsed on the calling thread */
	vl_vqa_set_background(0);
	return failed + cmocka_run_group_tests_name("vqa_loader (same thread)", tests, NULL, NULL);
}
