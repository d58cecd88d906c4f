/*
 * test_request.c - one request built from one sample: the rendered and
 * trimmed prompt, generation settings, images, the oracle's truth, and a
 * cache key that follows content (image bytes, model), not paths alone.
 */
#include "test_helpers.h"

#include "backends/host.h"
#include "bench/request.h"
#include "bench/task.h"

static const char task_json[] =
	"{\"name\": \"t\", \"family\": \"vqa\", \"version\": 1,"
	" \"dataset\": {\"format\": \"jsonl\", \"path\": \"x.jsonl\"},"
	" \"prompt\": \"  {question}\\nAnswer briefly.\\n\\n\","
	" \"generation\": {\"max_tokens\": 8, \"temperature\": 0, \"stop\": [\"\\n\"]},"
	" \"extract\": \"short\", \"metrics\": [\"exact_match\"]}";

static char img_path[64];

static void write_image(const char *bytes)
{
	FILE *f = fopen(img_path, "wb");
	assert_non_null(f);
	fputs(bytes, f);
	fclose(f);
}

static int setup(void **state)
{
	snprintf(img_path, sizeof(img_path), "/tmp/vleval-request-%d.jpg", (int)getpid());
	write_image("\xff\xd8\xff not really a jpeg, bytes for the hash");
	return 0;
}

static int teardown(void **state)
{
	remove(img_path);
	return 0;
}

static void sample(struct vl_sample *s)
{
	vl_sample_init(s);
	s->id = vl_xstrdup("q1");
	s->question = vl_xstrdup("What colour is it?");
	vl_strv_push(&s->answers, "red");
	vl_strv_push(&s->images, img_path);
}

static struct vl_task *task(void)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_task *t = NULL;

	if (vl_task_parse(task_json, strlen(task_json), "test", &t, &err) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_non_null(t);
	vl_buf_release(&err);
	return t;
}

/* An open backend of that name with config cfg (NULL: none). */
static struct vl_backend *backend_open(const char *name, const struct vl_kv *cfg)
{
	static const struct vl_kv none;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *be = NULL;

	if (vl_backend_open(name, cfg ? cfg : &none, &be, &err) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_non_null(be);
	vl_buf_release(&err);
	return be;
}

static char *key_for(struct vl_task *t, const char *model, const char *backend)
{
	struct vl_backend *be = backend_open(backend, NULL);
	struct vl_request_builder b;
	struct vl_built_request r;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	char *key;

	assert_int_equal(vl_request_builder_init(&b, t, NULL, be, model, NULL, NULL, &err), 0);
	b.use_cache = 1;
	sample(&s);
	assert_int_equal(vl_request_build(&b, &s, 1, &r, &err), 0);
	assert_non_null(r.cache_key);
	key = vl_xstrdup(r.cache_key);
	vl_built_request_release(&r);
	vl_sample_release(&s);
	vl_request_builder_release(&b);
	vl_backend_close(be);
	vl_buf_release(&err);
	return key;
}

static void test_build(void **state)
{
	struct vl_task *t = task();
	struct vl_request_builder b;
	struct vl_built_request r;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_sample s;
	struct vl_backend *oracle = backend_open("oracle", NULL);
	struct vl_backend *random = backend_open("random", NULL);

	assert_int_equal(vl_request_builder_init(&b, t, NULL, oracle, "m", NULL, NULL, &err), 0);
	sample(&s);
	assert_int_equal(vl_request_build(&b, &s, 7, &r, &err), 0);
	assert_int_equal(r.req.id, 7);
	assert_string_equal(r.req.sample_id, "q1");
	assert_string_equal(r.req.prompt, "What colour is it?\nAnswer briefly.");
	assert_int_equal(r.req.max_tokens, 8);
	assert_int_equal(r.req.n_stop, 1);
	assert_int_equal(r.req.n_images, 1);
	assert_string_equal(r.req.images[0].path, img_path);
	assert_non_null(r.req.truth);      /* the oracle is told the answer */
	assert_string_equal(r.req.truth, "red");
	assert_null(r.cache_key);          /* use_cache not set */
	vl_built_request_release(&r);
	vl_request_builder_release(&b);

	/* a random guesser is not told the truth */
	assert_int_equal(vl_request_builder_init(&b, t, NULL, random, "m", NULL, NULL, &err), 0);
	assert_int_equal(vl_request_build(&b, &s, 8, &r, &err), 0);
	assert_null(r.req.truth);
	vl_built_request_release(&r);
	vl_request_builder_release(&b);
	vl_sample_release(&s);
	vl_backend_close(oracle);
	vl_backend_close(random);
	vl_task_free(t);
	vl_buf_release(&err);
}

static void test_cache_key(void **state)
{
	struct vl_task *t = task();
	char *a = key_for(t, "m", "random"), *b = key_for(t, "m", "random");
	char *other_model = key_for(t, "m2", "random"), *changed;

	assert_string_equal(a, b);
	assert_string_not_equal(a, other_model);
	assert_int_equal(strlen(a), 32);
	/* same path, other bytes (and size): another key */
	write_image("\xff\xd8\xff other bytes of another length");
	changed = key_for(t, "m", "random");
	assert_string_not_equal(a, changed);
	vl_free(a);
	vl_free(b);
	vl_free(other_model);
	vl_free(changed);
	vl_task_free(t);
}

static void test_image_failure_keeps_prompt(void **state)
{
	struct vl_task *t = task();
	struct vl_request_builder b;
	struct vl_built_request r;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_kv cfg = { 0 };
	struct vl_sample s;
	struct vl_backend *random = backend_open("random", NULL);

	vl_kv_set(&cfg, "max_image_side", "64");
	assert_int_equal(vl_request_builder_init(&b, t, NULL, random, NULL, &cfg, NULL, &err), 0);
	assert_int_equal(b.max_image_side, 64);
	sample(&s);
	vl_free(s.images.v[0]);
	s.images.v[0] = vl_xstrdup("/nonexistent/image.jpg");
	assert_true(vl_request_build(&b, &s, 1, &r, &err) < 0);
	assert_non_null(strstr(err.buf, "/nonexistent/image.jpg"));
	assert_non_null(r.prompt);
	vl_built_request_release(&r);
	vl_request_builder_release(&b);
	vl_sample_release(&s);

	vl_buf_reset(&err);
	vl_kv_set(&cfg, "max_image_side", "big");
	assert_int_equal(vl_request_builder_init(&b, t, NULL, random, NULL, &cfg, NULL, &err),
			 VL_EINVAL);
	assert_non_null(strstr(err.buf, "max_image_side"));
	vl_request_builder_release(&b);
	vl_backend_close(random);
	vl_kv_release(&cfg);
	vl_task_free(t);
	vl_buf_release(&err);
}

/* A backend that sends images gets only files that are images: an empty
 * file or an unknown type is the sample's error, naming the file, before
 * any request; baselines, which never look at images, are not held up. */
static void test_image_header_checked(void **state)
{
	struct vl_task *t = task();
	struct vl_request_builder b;
	struct vl_built_request r;
	struct vl_buf err = VL_BUF_INIT;
	struct vl_kv cfg = { 0 };
	struct vl_sample s;
	struct vl_backend *be, *random = backend_open("random", NULL);

	vl_kv_set(&cfg, "base_url", "http://127.0.0.1:9/v1");
	vl_kv_set(&cfg, "preflight", "0");
	be = backend_open("openai", &cfg);
	assert_int_equal(vl_request_builder_init(&b, t, NULL, be, "m", NULL, NULL, &err), 0);
	sample(&s);
	assert_int_equal(vl_request_build(&b, &s, 1, &r, &err), 0);
	vl_built_request_release(&r);

	write_image("");
	assert_true(vl_request_build(&b, &s, 2, &r, &err) < 0);
	assert_non_null(strstr(err.buf, "is empty"));
	assert_non_null(strstr(err.buf, img_path));
	assert_non_null(r.prompt);
	vl_built_request_release(&r);

	vl_buf_reset(&err);
	write_image("<html>not found</html>");
	assert_true(vl_request_build(&b, &s, 3, &r, &err) < 0);
	assert_non_null(strstr(err.buf, "not a known image type"));
	assert_non_null(strstr(err.buf, img_path));
	vl_built_request_release(&r);
	vl_request_builder_release(&b);

	/* the random baseline does not read images: built as before */
	vl_buf_reset(&err);
	assert_int_equal(vl_request_builder_init(&b, t, NULL, random, "m", NULL, NULL, &err), 0);
	assert_int_equal(vl_request_build(&b, &s, 4, &r, &err), 0);
	vl_built_request_release(&r);
	vl_request_builder_release(&b);

	vl_sample_release(&s);
	vl_backend_close(be);
	vl_backend_close(random);
	vl_kv_release(&cfg);
	vl_task_free(t);
	vl_buf_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_failure_keeps_prompt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_image_header_checked, setup, teardown),
	};
	return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
