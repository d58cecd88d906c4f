/*
 * loader_helpers.h - what the loader tests share: run a loader over a
 * dataset spec and collect every sample and every skipped-record message,
 * write scratch files in a temporary folder, make tiny images.
 */
#ifndef VL_LOADER_HELPERS_H
#define VL_LOADER_HELPERS_H

#include "test_helpers.h"

#include <dirent.h>
#include <unistd.h>

#include <stb_image_write.h>

#include "datasets/dataset.h"

#define TH_MAX_SAMPLES 64

struct th_loaded {
	struct vl_sample s[TH_MAX_SAMPLES];
	size_t n;
	struct vl_strv errors;     /* messages of VL_EPARSE records, in order */
	int open_rc;
	struct vl_buf open_err;
};

/* Opens spec_json (a JSON object: the task's "dataset") under root and
 * reads it to the end. */
static inline void th_load(const char *spec_json, const char *root, struct th_loaded *out)
{
	cJSON *json = cJSON_Parse(spec_json);
	struct vl_dataset_spec spec = { "test", root, json, 0 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_dataset *ds = NULL;
	int rc;

	if (!json) {
		print_error("bad spec %s\n", spec_json);
		fail();
	}
	memset(out, 0, sizeof(*out));
	out->open_rc = vl_dataset_open(&spec, &ds, &out->open_err);
	if (out->open_rc < 0) {
		cJSON_Delete(json);
		return;
	}
	for (;;) {
		assert_true(out->n < TH_MAX_SAMPLES);
		vl_sample_init(&out->s[out->n]);
		vl_buf_reset(&err);
		rc = vl_dataset_next(ds, &out->s[out->n], &err);
		if (rc == 1) {
			out->n++;
		} else if (rc == VL_EPARSE) {
			assert_true(err.len > 0);
			vl_strv_push(&out->errors, vl_buf_str(&err));
		} else {
			if (rc < 0)
				print_error("loader stopped: %d %s\n", rc, vl_buf_str(&err));
			assert_int_equal(rc, 0);
			break;
		}
	}
	assert_int_equal(vl_dataset_bad_records(ds), out->errors.n);
	vl_dataset_close(ds);
	cJSON_Delete(json);
	vl_buf_release(&err);
}

static inline void th_loaded_release(struct th_loaded *l)
{
	for (size_t i = 0; i < l->n; i++)
		vl_sample_release(&l->s[i]);
	vl_strv_release(&l->errors);
	vl_buf_release(&l->open_err);
}

/* Fails the test unless haystack contains needle. */
#define assert_contains(haystack, needle) do { \
	const char *h_ = (haystack), *n_ = (needle); \
	if (!h_ || !strstr(h_, n_)) { \
		print_error("'%s' does not contain '%s'\n", h_ ? h_ : "(null)", n_); \
		fail(); \
	} \
} while (0)

/* Ends with the file name of the path. */
#define assert_path_ends(path, tail) do { \
	const char *p_ = (path), *t_ = (tail); \
	size_t lp_ = strlen(p_), lt_ = strlen(t_); \
	if (lp_ < lt_ || strcmp(p_ + lp_ - lt_, t_)) { \
		print_error("'%s' does not end with '%s'\n", p_, t_); \
		fail(); \
	} \
} while (0)

/* A fresh temporary folder (removed by th_rmtree). */
static inline void th_tmpdir(char *out, size_t n)
{
	snprintf(out, n, "/tmp/vleval-test-XXXXXX");
	assert_non_null(mkdtemp(out));
}

static inline void th_write(const char *dir, const char *name, const void *data, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

#define th_write_str(dir, name, s) th_write(dir, name, s, strlen(s))

/* Removes the files and subfolders of a temporary folder, then the folder. */
static inline void th_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct vl_buf path = VL_BUF_INIT;

	if (!d)
		return;
	while ((e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		vl_buf_reset(&path);
		vl_buf_addf(&path, "%s/%s", dir, e->d_name);
		if (lstat(path.buf, &st) == 0 && S_ISDIR(st.st_mode))
			th_rmtree(path.buf);
		else
			unlink(path.buf);
	}
	closedir(d);
	vl_buf_release(&path);
	rmdir(dir);
}

/* Writes a w x h image with `comp` channels in the given format ("png",
 * "jpg", "bmp") whose pixels follow a simple gradient. */
static inline void th_make_image(const char *dir, const char *name, const char *fmt, int w,
				 int h, int comp)
{
	unsigned char *px = vl_xmalloc((size_t)w * h * comp);
	char path[4096];
	int ok = 0;

	for (int i = 0; i < w * h * comp; i++)
		px[i] = (unsigned char)((i * 37 + i / (w * comp) * 11) & 0xff);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!strcmp(fmt, "png"))
		ok = stbi_write_png(path, w, h, comp, px, w * comp);
	else if (!strcmp(fmt, "jpg"))
		ok = stbi_write_jpg(path, w, h, comp, px, 90);
	else if (!strcmp(fmt, "bmp"))
		ok = stbi_write_bmp(path, w, h, comp, px);
	vl_free(px);
	assert_true(ok);
}

#endif
