/*
 * test_task.c - task files: parsing, validation messages naming file and
 * key, prompt rendering, the embedded built-ins.
 */
#include "test_helpers.h"

#include "bench/task.h"

static int parse(const char *json, struct vl_task **t, struct vl_buf *err)
{
	vl_buf_reset(err);
	return vl_task_parse(json, strlen(json), "t.json", t, err);
}

#define BASE "\"name\": \"t\", \"family\": \"vqa\", \"dataset\": {\"format\": \"jsonl\", \"path\": \"x\"}, " \
	"\"extract\": \"short\", \"metrics\": [\"exact_match\"]"

static void test_valid(void **state)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_task *t;

	assert_int_equal(parse("{" BASE ", \"prompt\": \"{question}\", \"version\": 3,"
			       " \"generation\": {\"max_tokens\": 12, \"temperature\": 0.5, \"stop\": [\"\\n\"]},"
			       " \"prompts\": {\"qwen-vl\": \"Q: {question}\"}, \"breakdown\": [\"answer_type\"],"
			       " \"metric_options\": {\"threshold\": 0.5, \"mode\": \"x\"}}", &t, &err), 0);
	assert_string_equal(t->name, "t");
	assert_int_equal(t->version, 3);
	assert_int_equal(t->family, VL_FAMILY_VQA);
	assert_int_equal(t->gen.max_tokens, 12);
	assert_true(t->gen.temperature == 0.5);
	assert_int_equal(t->gen.stop.n, 1);
	assert_string_equal(vl_task_prompt(t, "qwen-vl"), "Q: {question}");
	assert_string_equal(vl_task_prompt(t, "llava"), "{question}");
	assert_string_equal(vl_task_prompt(t, NULL), "{question}");
	assert_string_equal(vl_kv_get(&t->metric_options, "threshold"), "0.5");
	assert_string_equal(t->breakdown.v[0], "answer_type");
	vl_task_free(t);
	vl_buf_release(&err);
}

static void test_errors_name_file_and_key(void **state)
{
	static const struct { const char *json, *msg; } rows[] = {
		{ "{" BASE ", \"prompt\": \"{questoin}\"}", "t.json': \"prompt\": unknown placeholder '{questoin}'" },
		{ "{" BASE ", \"prompt\": \"x\", \"bogus\": 1}", "unknown key \"bogus\"" },
		{ "{" BASE "}", "\"prompt\" must be a non-empty string" },
		{ "{\"name\": \"t\", \"family\": \"vqa\", \"prompt\": \"q\", \"dataset\": {\"format\": \"nope\"}, "
		  "\"extract\": \"short\", \"metrics\": [\"exact_match\"]}", "unknown dataset format 'nope'" },
		{ "{\"name\": \"t\", \"family\": \"vqa\", \"prompt\": \"q\", \"dataset\": {\"format\": \"jsonl\"}, "
		  "\"extract\": \"shrot\", \"metrics\": [\"exact_match\"]}", "unknown extractor 'shrot'" },
		{ "{\"name\": \"t\", \"family\": \"vqa\", \"prompt\": \"q\", \"dataset\": {\"format\": \"jsonl\"}, "
		  "\"extract\": \"short\", \"metrics\": [\"acuracy\"]}", "unknown metric 'acuracy'" },
		{ "{" BASE ", \"prompt\": \"q\", \"generation\": {\"temperature\": -1}}", "generation key \"temperature\"" },
		/* a seed no long long holds (its conversion was undefined) */
		{ "{" BASE ", \"prompt\": \"q\", \"generation\": {\"seed\": 1e300}}", "generation key \"seed\"" },
		{ "{" BASE ", \"prompt\": \"q\", \"generation\": {\"seed\": 0.5}}", "generation key \"seed\"" },
		{ "{\"name\": \"t t\", \"family\": \"vqa\", \"prompt\": \"q\", \"dataset\": {\"format\": \"jsonl\"}, "
		  "\"extract\": \"short\", \"metrics\": [\"exact_match\"]}", "name 't t' may use only" },
		{ "{\"name\": \"t\", \"family\": \"video\"}", "unknown family 'video'" },
		{ "[1, 2]", "top level must be a JSON object" },
		{ "{\n\"name\": \"t\",\n", "cannot parse task file 't.json' line 2: unexpected end of file" },
		{ "{\n\"name\": \"t\" x}", "line 2: invalid JSON" },
	};
	struct vl_buf err = VL_BUF_INIT;
	struct vl_task *t;

	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		assert_true(parse(rows[i].json, &t, &err) < 0);
		assert_null(t);
		if (!strstr(vl_buf_str(&err), rows[i].msg))
			print_error("row %zu: got '%s'\n", i, vl_buf_str(&err));
		assert_non_null(strstr(vl_buf_str(&err), rows[i].msg));
		assert_non_null(strstr(vl_buf_str(&err), "t.json"));
	}
	vl_buf_release(&err);
}

/* Fuzzing found it: text is len bytes, not a C string; a parse error
 * ending in blanks must not read past them (make asan checks) */
static void test_parse_reads_len_bytes_only(void **state)
{
	static const char doc[] = "{\"name\": \"x\",  \n\t ";
	size_t n = sizeof(doc) - 1;
	char *text = vl_xmalloc(n);   /* no NUL after it */
	struct vl_task *t = NULL;
	struct vl_buf err = VL_BUF_INIT;

	memcpy(text, doc, n);
	assert_int_equal(vl_task_parse(text, n, "cut.json", &t, &err), VL_EPARSE);
	assert_non_null(strstr(vl_buf_str(&err), "unexpected end of file"));
	vl_free(text);
	vl_buf_release(&err);
}

static void test_family_options(void **state)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_kv kv = { 0 };
	struct vl_task *t;

	assert_int_equal(parse("{\"name\": \"g\", \"family\": \"grounding\", \"prompt\": \"{question}\","
			       " \"dataset\": {\"format\": \"jsonl\"}, \"extract\": \"box\","
			       " \"metrics\": [\"grounding\"], \"metric_options\": {\"box_format\": \"pixels\"},"
			       " \"metric_options_by_family\": {\"qwen-vl\": {\"box_format\": \"qwen\"}}}",
			       &t, &err), 0);
	vl_task_options(t, NULL, &kv);
	assert_string_equal(vl_kv_get(&kv, "box_format"), "pixels");
	vl_kv_release(&kv);
	vl_task_options(t, "qwen-vl", &kv);
	assert_string_equal(vl_kv_get(&kv, "box_format"), "qwen");
	vl_kv_release(&kv);
	vl_task_options(t, "llava", &kv);
	assert_string_equal(vl_kv_get(&kv, "box_format"), "pixels");
	vl_kv_release(&kv);
	vl_task_free(t);
	/* the metric checks its options when the task loads */
	assert_true(parse("{\"name\": \"g\", \"family\": \"grounding\", \"prompt\": \"{question}\","
			  " \"dataset\": {\"format\": \"jsonl\"}, \"extract\": \"box\","
			  " \"metrics\": [\"grounding\"], \"metric_options\": {\"iou_variant\": \"loose\"}}",
			  &t, &err) < 0);
	assert_non_null(strstr(err.buf, "metric 'grounding'"));
	vl_buf_release(&err);
}

static void test_render(void **state)
{
	struct vl_buf out = VL_BUF_INIT, err = VL_BUF_INIT;
	struct vl_sample s;

	vl_sample_init(&s);
	s.question = vl_xstrdup("Which?");
	s.hint = vl_xstrdup("Look closely.");
	vl_strv_push(&s.options, "cat");
	vl_strv_push(&s.options, "dog");
	s.image_w = 640;
	assert_int_equal(vl_task_render("{hint}\n{question}\n{options}\nPick {choices}. {{w}}={image_w}",
					&s, &out, &err), 0);
	assert_string_equal(out.buf, "Look closely.\nWhich?\nA. cat\nB. dog\nPick A, B. {w}=640");
	vl_buf_reset(&out);
	assert_int_equal(vl_task_render("open {question", &s, &out, &err), VL_EINVAL);
	assert_non_null(strstr(err.buf, "unclosed '{'"));
	vl_sample_release(&s);
	vl_buf_release(&out);
	vl_buf_release(&err);
}

static void test_builtins_and_override(void **state)
{
	struct vl_task_set set;
	struct vl_buf err = VL_BUF_INIT;
	char dir[] = "/tmp/vleval-tasks-XXXXXX";
	char path[256];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pope.json", dir);
	f = fopen(path, "w");
	fprintf(f, "{\"name\": \"pope_coco_random\", \"family\": \"hallucination\", \"version\": 9,"
		   " \"dataset\": {\"format\": \"pope\", \"questions\": \"q.json\"}, \"prompt\": \"{question}\","
		   " \"extract\": \"yesno\", \"metrics\": [\"pope\"]}");
	fclose(f);
	assert_int_equal(vl_task_set_load(&set, NULL, &err), 0);
	assert_int_equal(set.problems.n, 0);
	const struct vl_task *t = vl_task_set_find(&set, "pope_coco_random");
	assert_non_null(t);
	assert_string_equal(t->origin, "built-in");
	assert_non_null(vl_task_set_find(&set, "pope_coco_adversarial"));
	vl_task_set_release(&set);
	/* a user task of the same name overrides the built-in one */
	assert_int_equal(vl_task_set_load(&set, dir, &err), 0);
	t = vl_task_set_find(&set, "pope_coco_random");
	assert_int_equal(t->version, 9);
	assert_string_equal(t->origin, path);
	vl_task_set_release(&set);
	assert_int_equal(vl_task_set_load(&set, "/nonexistent-dir", &err), VL_ENOTFOUND);
	assert_non_null(strstr(err.buf, "/nonexistent-dir"));
	vl_task_set_release(&set);
	remove(path);
	rmdir(dir);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors_name_file_and_key),
		cmocka_unit_test(test_parse_reads_len_bytes_only),
		cmocka_unit_test(test_family_options),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_builtins_and_override),
	};
	return cmocka_run_group_tests_name("task", tests, NULL, NULL);
}
