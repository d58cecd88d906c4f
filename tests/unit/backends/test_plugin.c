/*
 * test_plugin.c - in-process plugins through the host's loader: the
 * template plugin (backends/plugin-template.c, built by the Makefile) loads
 * and answers; plugins built for another major version, refusing the host,
 * or without the entry symbol are refused with a message that says which.
 * The test plugins are the C files in tests/fixtures/plugins, built by `make test` into
 * $VLEVAL_BUILD/tests/plugins/.
 */
#include "test_helpers.h"

#include "backends/host.h"

#include <dlfcn.h>
#include <unistd.h>

static const char *build_dir(void)
{
	const char *b = getenv("VLEVAL_BUILD");
	return b ? b : "build";
}

static char *so_path(const char *rel)
{
	struct vl_buf b = VL_BUF_INIT;
	vl_buf_addf(&b, "%s/%s", build_dir(), rel);
	return vl_buf_detach(&b, NULL);
}

/* Opens backend "plugin" with path and NULL-terminated key, value pairs;
 * returns the open() code, *out and err filled. */
static int open_plugin(const char *path, struct vl_backend **out, struct vl_buf *err, ...)
{
	struct vl_kv kv = { 0 };
	va_list ap;
	int rc;

	if (path)
		vl_kv_set(&kv, "path", path);
	va_start(ap, err);
	for (const char *k = va_arg(ap, const char *); k; k = va_arg(ap, const char *))
		vl_kv_set(&kv, k, va_arg(ap, const char *));
	va_end(ap);
	rc = vl_backend_open("plugin", &kv, out, err);
	vl_kv_release(&kv);
	return rc;
}

static void contains(const char *s, const char *want)
{
	if (!s || !strstr(s, want)) {
		print_error("'%s' does not contain '%s'\n", s ? s : "(null)", want);
		fail();
	}
}

static void submit(struct vl_backend *b, uint64_t id, const char *prompt)
{
	struct vl_request req;
	struct vl_buf err = VL_BUF_INIT;

	memset(&req, 0, sizeof(req));
	req.id = id;
	req.sample_id = "s";
	req.prompt = prompt;
	req.max_tokens = -1;
	req.temperature = req.top_p = -1;
	req.seed = -1;
	assert_int_equal(vl_backend_submit(b, &req, &err), 0);
	vl_buf_release(&err);
}

static void test_template_answers(void **state)
{
	static const struct { const char *prompt, *want; } rows[] = {
		{ "Is there a dog in the image?", "yes" },
		{ "Is there a cat in the image?", "no" },
		{ "", "no" },
		{ "hotdog", "yes" },
	};
	char *path = so_path("libvl_plugin_template.so");
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;
	struct vl_response r[8];
	int n = (int)(sizeof(rows) / sizeof(*rows)), got;

	if (open_plugin(path, &b, &err, NULL) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_non_null(b);
	assert_string_equal(vl_backend_methods(b)->name, "plugin-template");
	for (int i = 0; i < n; i++)
		submit(b, 10 + (uint64_t)i, rows[i].prompt);
	got = vl_backend_poll(b, 0, r, 8);
	assert_int_equal(got, n);
	for (int i = 0; i < got; i++) {
		assert_int_equal(r[i].id, 10 + (uint64_t)i);
		assert_null(r[i].error);
		assert_string_equal(r[i].text, rows[i].want);
		vl_response_release(&r[i]);
	}
	assert_int_equal(vl_backend_poll(b, 0, r, 8), 0);
	vl_backend_close(b);

	/* its options: a fixed answer, another word, a bad value */
	assert_int_equal(open_plugin(path, &b, &err, "answer", "B", NULL), 0);
	submit(b, 1, "dog");
	assert_int_equal(vl_backend_poll(b, 0, r, 8), 1);
	assert_string_equal(r[0].text, "B");
	vl_response_release(&r[0]);
	vl_backend_close(b);
	assert_int_equal(open_plugin(path, &b, &err, "word", "cat", NULL), 0);
	submit(b, 1, "a cat");
	submit(b, 2, "a dog");
	assert_int_equal(vl_backend_poll(b, 0, r, 1), 1);
	assert_int_equal(vl_backend_poll(b, 0, r + 1, 1), 1);
	assert_string_equal(r[0].text, "yes");
	assert_string_equal(r[1].text, "no");
	vl_response_release(&r[0]);
	vl_response_release(&r[1]);
	/* closed with a request still queued: freed, not leaked */
	submit(b, 3, "left behind");
	vl_backend_close(b);
	vl_buf_reset(&err);
	assert_int_equal(open_plugin(path, &b, &err, "word", "", NULL), VL_EINVAL);
	assert_string_equal(err.buf, "backend 'plugin-template': option 'word' must not be empty");
	vl_buf_release(&err);
	vl_free(path);
}

/* The template's own entry point refuses a host of another major version
 * and accepts a newer minor. */
static void test_template_entry(void **state)
{
	char *path = so_path("libvl_plugin_template.so");
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	vl_backend_entry_fn entry;

	assert_non_null(dl);
	*(void **)&entry = dlsym(dl, VL_BACKEND_ENTRY);
	assert_non_null(entry);
	assert_null(entry(2000));
	assert_null(entry(0));
	assert_non_null(entry(1000));
	assert_non_null(entry(1007));
	assert_int_equal(entry(1000)->version, VL_BACKEND_API_VERSION);
	dlclose(dl);
	vl_free(path);
}

static void test_refusals(void **state)
{
	static const struct { const char *so, *want; } rows[] = {
		{ "tests/plugins/bad_version.so",
		  "was built for backend API 2.3; this vleval speaks 1.x (1.2): rebuild the plugin" },
		{ "tests/plugins/refuses.so", "refused host backend API 1.2" },
		{ "tests/plugins/no_entry.so", "does not export vl_backend_entry()" },
		{ "tests/plugins/absent.so", "cannot load plugin" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		char *path = so_path(rows[i].so);
		struct vl_buf err = VL_BUF_INIT;
		struct vl_backend *b = NULL;
		assert_int_equal(open_plugin(path, &b, &err, NULL), VL_EINVAL);
		assert_null(b);
		contains(err.buf, rows[i].want);
		contains(err.buf, path);
		vl_buf_release(&err);
		vl_free(path);
	}
	{
		struct vl_buf err = VL_BUF_INIT;
		struct vl_backend *b = NULL;
		assert_int_equal(open_plugin(NULL, &b, &err, NULL), VL_EINVAL);
		assert_string_equal(err.buf, "backend 'plugin' needs --set path=LIBRARY.so");
		vl_buf_release(&err);
	}
}

/* A bare file name means the file in the current directory, as a user
 * typing --set path=libmine.so expects (dlopen alone would search the
 * system library path). */
static void test_bare_name(void **state)
{
	char cwd[4096];
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(build_dir()), 0);
	assert_int_equal(open_plugin("libvl_plugin_template.so", &b, &err, NULL), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(b);
	vl_backend_close(b);
	vl_buf_release(&err);
}

/* A plugin built for 1.0 (its methods struct ends before `options`) loads
 * and answers; having no table it takes any key, and every key but the
 * host's speed knobs enters the cache key. */
static void test_v1_0_plugin(void **state)
{
	char *path = so_path("tests/plugins/v1_0.so");
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;
	struct vl_response r[3];

	if (open_plugin(path, &b, &err, "answer", "old", "anything", "1", NULL) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_non_null(b);
	assert_string_equal(vl_backend_methods(b)->name, "v1.0-plugin");
	assert_null(vl_backend_options(vl_backend_methods(b)));
	submit(b, 7, "q");
	assert_int_equal(vl_backend_poll(b, 0, r, 2), 1);
	assert_int_equal(r[0].id, 7);
	assert_string_equal(r[0].text, "old");
	vl_response_release(&r[0]);
	/* its responses are shorter than the host's (no finish_reason, 1.2):
	 * several at once still arrive whole, each in its own slot */
	memset(r, 0x5a, sizeof(r));
	submit(b, 8, "q");
	submit(b, 9, "q");
	submit(b, 10, "q");
	assert_int_equal(vl_backend_poll(b, 0, r, 2), 2);
	assert_int_equal(vl_backend_poll(b, 0, r + 2, 1), 1);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(r[i].id, 8 + i);
		assert_string_equal(r[i].text, "old");
		assert_null(r[i].error);
		assert_null(r[i].finish_reason);
		assert_true(r[i].latency_s == -1);
		vl_response_release(&r[i]);
	}
	assert_int_equal(vl_backend_changes_answers(b, "anything"), 1);
	assert_int_equal(vl_backend_changes_answers(b, "answer"), 1);
	assert_int_equal(vl_backend_changes_answers(b, "path"), 1);
	assert_int_equal(vl_backend_changes_answers(b, "model"), 1);
	assert_int_equal(vl_backend_changes_answers(b, "concurrency"), 0);
	assert_int_equal(vl_backend_changes_answers(b, "delay_ms"), 0);
	vl_backend_close(b);
	/* the host's own options are still checked */
	assert_int_equal(open_plugin(path, &b, &err, "delay_ms", "soon", NULL), VL_EINVAL);
	contains(err.buf, "option 'delay_ms' wants a number");
	vl_buf_release(&err);
	vl_free(path);
}

/* The template (1.1) declares its options: a typo is refused with a
 * suggestion and the list of keys; its options change answers, the
 * host's speed knobs do not. */
static void test_template_options(void **state)
{
	char *path = so_path("libvl_plugin_template.so");
	struct vl_buf err = VL_BUF_INIT;
	struct vl_backend *b = NULL;

	assert_int_equal(open_plugin(path, &b, &err, "wrod", "cat", NULL), VL_EINVAL);
	assert_null(b);
	assert_string_equal(err.buf, "backend 'plugin-template' has no option 'wrod' (did you mean "
			    "'word'?); its options: answer, word, path, model, max_image_side, "
			    "concurrency, delay_ms (vleval backends plugin-template)");
	vl_buf_reset(&err);
	assert_int_equal(open_plugin(path, &b, &err, "word", "cat", NULL), 0);
	assert_non_null(vl_backend_options(vl_backend_methods(b)));
	assert_int_equal(vl_backend_changes_answers(b, "word"), 1);
	assert_int_equal(vl_backend_changes_answers(b, "path"), 1);
	assert_int_equal(vl_backend_changes_answers(b, "delay_ms"), 0);
	vl_backend_close(b);
	vl_buf_release(&err);
	vl_free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_answers),
		cmocka_unit_test(test_v1_0_plugin),
		cmocka_unit_test(test_template_options),
		cmocka_unit_test(test_template_entry),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bare_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
