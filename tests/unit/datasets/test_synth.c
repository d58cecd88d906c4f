/*
 * test_synth.c - the synthetic suite: same seed, same bytes; another seed,
 * other pictures; every file it writes loads through the real loaders with
 * no bad record, and the ground truth the loaders read is the scene's.
 */
#include "loader_helpers.h"

#include "datasets/synth.h"

static const char *const files[] = {
	"images/synth_000001.png", "images/synth_000006.png",
	"vqa/v2_OpenEnded_synth_questions.json", "vqa/v2_synth_annotations.json",
	"coco/captions_synth.json", "coco/instances_synth.json", "coco/dataset_coco.json",
	"refcoco/final_refcoco_synth.json", "pope/synth_pope_random.json",
	"pope/synth_pope_popular.json", "pope/synth_pope_adversarial.json",
	"vlmeval/SYNTH_MCQ.tsv", "manifest.json", NULL,
};

static void generate(const char *dir, uint64_t seed, int images)
{
	struct vl_synth_opts o = { dir, seed, images };
	struct vl_synth_counts c;
	struct vl_buf err = VL_BUF_INIT;

	if (vl_synth_generate(&o, &c, &err) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_int_equal(c.images, images);
	vl_buf_release(&err);
}

static void read_rel(const char *dir, const char *rel, struct vl_buf *out)
{
	char path[4096];
	struct vl_buf err = VL_BUF_INIT;

	snprintf(path, sizeof(path), "%s/synth/%s", dir, rel);
	vl_buf_reset(out);
	if (vl_read_file(path, out, &err) < 0)
		print_error("%s\n", vl_buf_str(&err));
	assert_true(out->len > 0);
	vl_buf_release(&err);
}

static void test_same_seed_same_bytes(void **state)
{
	char a[64], b[64], c[64];
	struct vl_buf x = VL_BUF_INIT, y = VL_BUF_INIT;

	th_tmpdir(a, sizeof(a));
	th_tmpdir(b, sizeof(b));
	th_tmpdir(c, sizeof(c));
	generate(a, 5, 6);
	generate(b, 5, 6);
	generate(c, 6, 6);
	for (int i = 0; files[i]; i++) {
		read_rel(a, files[i], &x);
		read_rel(b, files[i], &y);
		assert_int_equal(x.len, y.len);
		assert_memory_equal(x.buf, y.buf, x.len);
	}
	read_rel(a, files[0], &x);
	read_rel(c, files[0], &y);
	assert_true(x.len != y.len || memcmp(x.buf, y.buf, x.len));
	th_rmtree(a);
	th_rmtree(b);
	th_rmtree(c);
	vl_buf_release(&x);
	vl_buf_release(&y);
}

static void load_ok(const char *spec, const char *root, struct th_loaded *l)
{
	th_load(spec, root, l);
	if (l->open_rc < 0)
		print_error("%s: %s\n", spec, vl_buf_str(&l->open_err));
	assert_int_equal(l->open_rc, 0);
	for (size_t i = 0; i < l->errors.n; i++)
		print_error("%s: %s\n", spec, l->errors.v[i]);
	assert_int_equal(l->errors.n, 0);
	assert_true(l->n > 0);
}

static void test_every_file_loads(void **state)
{
	char dir[64];
	struct th_loaded l;

	th_tmpdir(dir, sizeof(dir));
	generate(dir, 11, 7);

	load_ok("{\"format\": \"vqa\", \"questions\": \"synth/vqa/v2_OpenEnded_synth_questions.json\", "
		"\"annotations\": \"synth/vqa/v2_synth_annotations.json\", \"images\": \"synth/images\", "
		"\"image_pattern\": \"synth_%06d.png\"}", dir, &l);
	for (size_t i = 0; i < l.n; i++) {
		const char *at = vl_sample_meta(&l.s[i], "answer_type");
		assert_int_equal(l.s[i].answers.n, 10);
		assert_non_null(at);
		assert_true(!strcmp(at, "yes/no") || !strcmp(at, "number") || !strcmp(at, "other"));
		assert_path_ends(l.s[i].images.v[0], ".png");
	}
	th_loaded_release(&l);

	load_ok("{\"format\": \"coco_karpathy\", \"annotations\": \"synth/coco/dataset_coco.json\", "
		"\"images\": \"synth\", \"split\": \"test\"}", dir, &l);
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(l.s[i].captions.n, 5);
	th_loaded_release(&l);

	load_ok("{\"format\": \"coco_captions\", \"annotations\": \"synth/coco/captions_synth.json\", "
		"\"images\": \"synth/images\"}", dir, &l);
	assert_int_equal(l.n, 7);
	th_loaded_release(&l);

	load_ok("{\"format\": \"chair\", \"annotations\": \"synth/coco/captions_synth.json\", "
		"\"instances\": \"synth/coco/instances_synth.json\", \"images\": \"synth/images\"}", dir, &l);
	assert_int_equal(l.n, 7);
	for (size_t i = 0; i < l.n; i++)
		assert_true(l.s[i].objects.n >= 1);
	th_loaded_release(&l);

	load_ok("{\"format\": \"refcoco\", \"annotations\": \"synth/refcoco/final_refcoco_synth.json\", "
		"\"images\": \"synth/images\"}", dir, &l);
	for (size_t i = 0; i < l.n; i++) {
		assert_true(l.s[i].has_box);
		assert_int_equal(l.s[i].image_w, VL_SYNTH_W);
		assert_true(l.s[i].box[0] >= 0 && l.s[i].box[2] <= VL_SYNTH_W);
		assert_true(l.s[i].box[1] >= 0 && l.s[i].box[3] <= VL_SYNTH_H);
		assert_true(l.s[i].box[0] < l.s[i].box[2] && l.s[i].box[1] < l.s[i].box[3]);
		assert_true(!strncmp(l.s[i].question, "the ", 4));
	}
	th_loaded_release(&l);

	static const char *const splits[] = { "random", "popular", "adversarial" };
	for (int f = 0; f < 3; f++) {
		char spec[256];
		snprintf(spec, sizeof(spec), "{\"format\": \"pope\", \"questions\": "
			 "\"synth/pope/synth_pope_%s.json\", \"images\": \"synth/images\"}", splits[f]);
		load_ok(spec, dir, &l);
		assert_int_equal(l.n % 6, 0);
		for (size_t i = 0; i < l.n; i++)
			assert_int_equal(l.s[i].label, i % 2 ? VL_LABEL_NO : VL_LABEL_YES);
		th_loaded_release(&l);
	}

	load_ok("{\"format\": \"vlmeval_tsv\", \"path\": \"synth/vlmeval/SYNTH_MCQ.tsv\"}", dir, &l);
	for (size_t i = 0; i < l.n; i++) {
		assert_true(l.s[i].options.n >= 3);
		assert_non_null(l.s[i].answer_letter);
		assert_true(l.s[i].answer_letter[0] - 'A' < (int)l.s[i].options.n);
		assert_non_null(l.s[i].image_b64);
		assert_int_equal(l.s[i].image_w, VL_SYNTH_W);
	}
	th_loaded_release(&l);
	th_rmtree(dir);
}

static void test_scenes(void **state)
{
	struct vl_rng r;
	int overlap = 0, border = 0, total = 0;

	vl_rng_seed(&r, 99);
	for (int i = 0; i < 100; i++) {
		struct vl_synth_scene sc;
		vl_synth_scene_make(&r, i + 1, &sc);
		assert_true(sc.n >= 2 && sc.n <= VL_SYNTH_MAX_OBJECTS);
		for (int k = 0; k < sc.n; k++) {
			const struct vl_synth_object *o = &sc.obj[k];
			total++;
			/* every object keeps most of itself in view */
			assert_true(o->visible * 100 >= o->area * 55);
			overlap += o->visible < o->area;
			border += o->box[0] == 0 || o->box[1] == 0 || o->box[2] == sc.w || o->box[3] == sc.h;
		}
	}
	/* the hard cases are there, and not everywhere */
	assert_true(overlap > total / 30 && overlap < total / 3);
	assert_true(border > total / 30 && border < total / 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_every_file_loads),
		cmocka_unit_test(test_scenes),
	};
	return cmocka_run_group_tests_name("datasets/synth", tests, NULL, NULL);
}
