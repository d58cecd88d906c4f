/*
 * test_backend.c - the host wrapper (registry, delay_ms, plugin errors) and
 * the built-in baselines and replay backend.
 */
#include "test_helpers.h"

#include "backends/host.h"

static struct vl_backend *open_backend(const char *name, struct vl_kv *cfg)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;

	if (vl_backend_open(name, cfg, &b, &err) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_non_null(b);
	vl_buf_release(&err);
	return b;
}

/* Submits one request and waits (bounded) for its response. */
static struct vl_response ask(struct vl_backend *b, uint64_t id, const char *sample_id,
			      const char *truth, const char *const *choices)
{
	struct vl_request req = { .id = id, .sample_id = sample_id, .prompt = "q",
				  .max_tokens = -1, .temperature = 0, .top_p = -1, .seed = -1,
				  .truth = truth, .choices = choices };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_response r;
	int n = 0;

	assert_int_equal(vl_backend_submit(b, &req, &err), 0);
	for (int i = 0; i < 200 && n == 0; i++)
		n = vl_backend_poll(b, 10, &r, 1);
	assert_int_equal(n, 1);
	assert_true(r.id == id);
	vl_buf_release(&err);
	return r;
}

static void test_baselines(void **state)
{
	struct vl_kv cfg = { 0 };
	struct vl_backend *b;
	struct vl_response r;
	static const char *const abc[] = { "A", "B", "C", NULL };
	char first[8];

	b = open_backend("oracle", &cfg);
	assert_true(vl_backend_methods(b)->caps & VL_CAP_BASELINE);
	r = ask(b, 1, "s1", "Yes", NULL);
	assert_string_equal(r.text, "Yes");
	vl_response_release(&r);
	r = ask(b, 2, "s2", NULL, NULL);
	assert_null(r.text);
	assert_non_null(strstr(r.error, "no ground truth"));
	vl_response_release(&r);
	vl_backend_close(b);

	vl_kv_set(&cfg, "answer", "maybe");
	b = open_backend("constant", &cfg);
	r = ask(b, 1, "s1", "Yes", NULL);
	assert_string_equal(r.text, "maybe");
	vl_response_release(&r);
	vl_backend_close(b);
	vl_kv_release(&cfg);

	/* random: a function of seed and sample id only */
	vl_kv_set(&cfg, "seed", "3");
	b = open_backend("random", &cfg);
	r = ask(b, 1, "sample-9", NULL, abc);
	snprintf(first, sizeof(first), "%s", r.text);
	vl_response_release(&r);
	for (int i = 0; i < 5; i++) {
		r = ask(b, 10 + i, "sample-9", NULL, abc);
		assert_string_equal(r.text, first);
		vl_response_release(&r);
	}
	int counts[3] = { 0 };
	for (int i = 0; i < 300; i++) {
		char id[16];
		snprintf(id, sizeof(id), "s%d", i);
		r = ask(b, 100 + i, id, NULL, abc);
		counts[r.text[0] - 'A']++;
		vl_response_release(&r);
	}
	for (int i = 0; i < 3; i++)
		assert_true(counts[i] > 70 && counts[i] < 130);
	vl_backend_close(b);
	vl_kv_release(&cfg);
	vl_kv_set(&cfg, "seed", "x");
	{
		struct vl_buf err = VL_BUF_INIT;
		assert_true(vl_backend_open("random", &cfg, &b, &err) < 0);
		assert_non_null(strstr(err.buf, "'seed' wants an integer"));
		vl_buf_release(&err);
	}
	vl_kv_release(&cfg);
}

static void test_delay(void **state)
{
	struct vl_kv cfg = { 0 };
	struct vl_backend *b;
	struct vl_response r;
	double t0;

	vl_kv_set(&cfg, "delay_ms", "40");
	b = open_backend("constant", &cfg);
	t0 = vl_now();
	r = ask(b, 1, "s", NULL, NULL);
	assert_true(vl_now() - t0 >= 0.039);
	assert_true(r.latency_s >= 0.039);
	vl_response_release(&r);
	vl_backend_close(b);
	vl_kv_release(&cfg);
	vl_kv_set(&cfg, "delay_ms", "-3");
	{
		struct vl_buf err = VL_BUF_INIT;
		assert_true(vl_backend_open("constant", &cfg, &b, &err) < 0);
		vl_buf_release(&err);
	}
	vl_kv_release(&cfg);
}

static void test_replay(void **state)
{
	char path[] = "/tmp/vleval-preds-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct vl_kv cfg = { 0 };
	struct vl_backend *b;
	struct vl_response r;

	fprintf(f, "{\"id\": \"a\", \"output\": \"first\"}\n\n{\"question_id\": 7, \"answer\": \"seven\"}\n"
		   "{oops\n{\"id\": \"a\", \"output\": \"second\"}\n{\"id\": \"b\"}\n");
	fclose(f);
	vl_kv_set(&cfg, "predictions", path);
	b = open_backend("replay", &cfg);
	r = ask(b, 1, "a", NULL, NULL);
	assert_string_equal(r.text, "second");   /* a later line wins */
	vl_response_release(&r);
	r = ask(b, 2, "7", NULL, NULL);
	assert_string_equal(r.text, "seven");
	vl_response_release(&r);
	r = ask(b, 3, "b", NULL, NULL);
	assert_null(r.text);
	assert_non_null(strstr(r.error, "no prediction for sample 'b'"));
	assert_non_null(strstr(r.error, "line 4: invalid JSON"));
	vl_response_release(&r);
	vl_backend_close(b);
	/* an id no long long holds is not an id (its conversion was undefined:
	 * fuzz_replay); a whole one that fits is its digits */
	f = fopen(path, "w");
	fprintf(f, "{\"id\": 6.6e109, \"output\": \"huge\"}\n{\"id\": -9e18, \"output\": \"neg\"}\n");
	fclose(f);
	b = open_backend("replay", &cfg);
	r = ask(b, 1, "-9000000000000000000", NULL, NULL);
	assert_string_equal(r.text, "neg");
	vl_response_release(&r);
	r = ask(b, 2, "66000000000000000000000000000000000000000000000000000000000000000000000000000000"
		      "00000000000000000000000000000", NULL, NULL);
	assert_null(r.text);
	assert_non_null(strstr(r.error, "first at line 1: missing or invalid \"id\""));
	vl_response_release(&r);
	vl_backend_close(b);
	vl_kv_release(&cfg);
	remove(path);
	{
		struct vl_buf err = VL_BUF_INIT;
		assert_true(vl_backend_open("replay", &cfg, &b, &err) < 0);
		assert_non_null(strstr(err.buf, "predictions=FILE"));
		vl_buf_reset(&err);
		vl_kv_set(&cfg, "predictions", "/nonexistent.jsonl");
		assert_true(vl_backend_open("replay", &cfg, &b, &err) < 0);
		assert_non_null(strstr(err.buf, "/nonexistent.jsonl"));
		vl_buf_reset(&err);
		assert_true(vl_backend_open("nope", &cfg, &b, &err) < 0);
		assert_non_null(strstr(err.buf, "unknown backend 'nope'"));
		vl_buf_release(&err);
		vl_kv_release(&cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baselines),
		cmocka_unit_test(test_delay),
		cmocka_unit_test(test_replay),
	};
	return cmocka_run_group_tests_name("backend", tests, NULL, NULL);
}
