/*
 * cmd-validate.c - `vleval validate --task NAME`: checks a task's files
 * before anyone spends GPU hours or API money: every record parses, ids are
 * unique, every referenced image exists and has a readable header, and
 * every sample carries the ground truth its metrics need.
 */
#include "bench/cli.h"
#include "bench/task.h"
#include "datasets/dataset.h"

#include <stdio.h>
#include <string.h>

/* What ground truth a task family needs, as a message when it is missing. */
static const char *missing_truth(const struct vl_task *t, const struct vl_sample *s)
{
	switch (t->family) {
	case VL_FAMILY_VQA:
		return s->answers.n ? NULL : "no answers";
	case VL_FAMILY_CAPTION:
		return s->captions.n ? NULL : "no reference captions";
	case VL_FAMILY_GROUNDING:
		if (!s->has_box)
			return "no ground-truth box";
		return s->image_w > 0 && s->image_h > 0 ? NULL : "no image size";
	case VL_FAMILY_HALLUCINATION:
		return s->label != VL_LABEL_NONE || s->captions.n || s->objects.n
			       ? NULL : "no yes/no label";
	case VL_FAMILY_MCQ:
		if (!s->options.n && s->label == VL_LABEL_NONE)
			return "no options";
		return s->answer_letter || s->label != VL_LABEL_NONE ? NULL : "no answer letter";
	case VL_FAMILY_OTHER:
		break;
	}
	return NULL;
}

int cmd_validate(int argc, char **argv)
{
	const char *task_name = NULL, *data_dir = NULL, *tasks_dir = NULL;
	long limit = -1, show = 10;
	int json = 0, help = 0, no_images = 0, rc;
	const struct vl_opt opts[] = {
		{ "task", VL_OPT_STRING, &task_name, "NAME", "task to check" },
		{ "data-dir", VL_OPT_STRING, &data_dir, "DIR", "data root (default $VLEVAL_DATA or .)" },
		{ "tasks-dir", VL_OPT_STRING, &tasks_dir, "DIR[:DIR]", "more task files" },
		{ "limit", VL_OPT_LONG, &limit, "N", "only the first N samples" },
		{ "show", VL_OPT_LONG, &show, "N", "print the first N problems (default 10)" },
		{ "no-images", VL_OPT_FLAG, &no_images, NULL, "skip the image checks" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	struct vl_task_set set = { 0 };
	struct vl_buf err = VL_BUF_INIT;
	struct vl_dataset *ds = NULL;
	struct vl_dataset_spec spec;
	const struct vl_task *t;
	struct vl_sample s;
	long n = 0, bad = 0, images = 0, bad_images = 0, no_truth = 0, problems = 0;
	double t0 = vl_now(), el;

	vl_sample_init(&s);
	rc = vl_parse_opts("validate", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval validate --task NAME [--data-dir DIR] [--limit N] [--json]",
			      "Checks that every record parses, ids are unique, images exist and are\n"
			      "readable, and ground truth is present. Exit 0 only when all is well.", opts);
		return 0;
	}
	rc = VL_EXIT_USAGE;
	if (!task_name) {
		vl_error("validate: --task is required");
		goto out;
	}
	if (vl_task_set_load(&set, vl_default_tasks_dirs(tasks_dir), &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto out;
	}
	t = vl_task_set_find(&set, task_name);
	if (!t) {
		const char **tn = vl_xcalloc(set.n + 1, sizeof(char *));
		for (size_t k = 0; k < set.n; k++)
			tn[k] = set.v[k]->name;
		vl_error("validate: unknown task '%s'", task_name);
		vl_suggest("tasks", task_name, tn, set.n);
		vl_free(tn);
		goto out;
	}
	/* the loader keeps a pointer to spec: it must live as long as ds */
	spec = (struct vl_dataset_spec){ t->name, vl_default_data_dir(data_dir), t->dataset, 0 };
	if (vl_dataset_open(&spec, &ds, &err) < 0) {
		vl_error("validate: %s", vl_buf_str(&err));
		rc = VL_EXIT_SAMPLES_FAILED;
		goto out;
	}
#define PROBLEM(...) do { \
	problems++; \
	if (problems <= show && !json) { fputs("  ", stdout); printf(__VA_ARGS__); putchar('\n'); } \
} while (0)
	for (;;) {
		const char *why;
		int r;

		if (limit >= 0 && n >= limit)
			break;
		vl_buf_reset(&err);
		r = vl_dataset_next(ds, &s, &err);
		if (r == 0)
			break;
		if (r < 0) {
			bad++;
			PROBLEM("%s", vl_buf_str(&err));
			vl_sample_release(&s);   /* a bad record may have its id */
			if (r != VL_EPARSE)
				break;
			continue;
		}
		n++;
		if (!no_images) {
			for (size_t i = 0; i < s.images.n; i++) {
				int w, h;
				images++;
				vl_buf_reset(&err);
				if (vl_image_size(s.images.v[i], &w, &h, &err) < 0) {
					bad_images++;
					PROBLEM("sample '%s': %s", s.id, vl_buf_str(&err));
				}
			}
		}
		why = missing_truth(t, &s);
		if (why) {
			no_truth++;
			PROBLEM("sample '%s': %s", s.id, why);
		}
		vl_sample_release(&s);
	}
#undef PROBLEM
	el = vl_now() - t0;
	if (json) {
		printf("{\"task\":\"%s\",\"samples\":%ld,\"bad_records\":%ld,\"images\":%ld,"
		       "\"bad_images\":%ld,\"missing_truth\":%ld,\"seconds\":%.3f,\"ok\":%s}\n",
		       t->name, n, bad, images, bad_images, no_truth, el, problems ? "false" : "true");
		json = 0;  /* printed */
	} else {
		if (problems > show)
			printf("  ... and %ld more problems\n", problems - show);
		printf("%s: %ld samples, %ld bad records, %ld images checked (%ld bad), "
		       "%ld without ground truth; %.2f s (%.0f samples/s)\n", t->name, n, bad, images,
		       bad_images, no_truth, el, el > 0 ? (double)n / el : 0.0);
		printf("%s\n", problems ? "PROBLEMS FOUND" : "ok");
	}
	rc = problems ? VL_EXIT_SAMPLES_FAILED : VL_EXIT_OK;
out:
	if (json && rc)
		vl_print_json_error(rc);
	vl_sample_release(&s);
	vl_dataset_close(ds);
	vl_task_set_release(&set);
	vl_buf_release(&err);
	return rc;
}
