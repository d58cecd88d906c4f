/*
 * cmd-tasks.c - `vleval tasks`: the task definitions, their family,
 * metrics, size when the data is present, and where the files are expected.
 */
#include "bench/cli.h"
#include "bench/runner.h"
#include "bench/task.h"
#include "datasets/dataset.h"
#include "metrics/metric.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int selected(const struct vl_strv *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (!strcmp(names->v[i], name))
			return 1;
	return 0;
}

int cmd_tasks(int argc, char **argv)
{
	const char *tasks_dir = NULL, *data_dir = NULL;
	int json = 0, help = 0, verbose = 0, rc;
	const struct vl_opt opts[] = {
		{ "tasks-dir", VL_OPT_STRING, &tasks_dir, "DIR[:DIR]", "more task files (default $VLEVAL_TASKS)" },
		{ "data-dir", VL_OPT_STRING, &data_dir, "DIR", "data root (default $VLEVAL_DATA or .)" },
		{ "verbose", VL_OPT_FLAG, &verbose, NULL, "also print each task's expected files" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	struct vl_task_set set;
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT;
	struct vl_strv rest = { 0 }, wanted = { 0 };
	const char *root;

	rc = vl_parse_opts("tasks", argc, argv, opts, &rest, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval tasks [NAME|GROUP|GLOB...] [--data-dir DIR] [--tasks-dir DIR] [--verbose] [--json]",
			      "Lists the tasks: family, metrics, sample count when the data is present,\n"
			      "and the files each expects under the data root.", opts);
		vl_strv_release(&rest);
		return 0;
	}
	root = vl_default_data_dir(data_dir);
	if (vl_task_set_load(&set, vl_default_tasks_dirs(tasks_dir), &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		vl_buf_release(&err);
		vl_strv_release(&rest);
		return VL_EXIT_USAGE;
	}
	for (size_t i = 0; i < set.problems.n; i++)
		vl_warn("%s", set.problems.v[i]);
	for (size_t k = 0; k < rest.n; k++) {
		if (vl_task_set_select(&set, rest.v[k], &wanted) == 0) {
			const char **tn = vl_xcalloc(set.n + 1, sizeof(char *));
			for (size_t i = 0; i < set.n; i++)
				tn[i] = set.v[i]->name;
			vl_error("tasks: no task, group or glob matches '%s'", rest.v[k]);
			vl_suggest("tasks", rest.v[k], tn, set.n);
			vl_free(tn);
			rc = VL_EXIT_USAGE;
			goto done;
		}
	}
	if (json)
		vl_buf_addch(&out, '[');
	else
		printf("%-28s %-13s %-26s %9s  %s\n", "task", "family", "metrics", "samples", "data");
	for (size_t i = 0; i < set.n; i++) {
		const struct vl_task *t = set.v[i];
		struct vl_buf metrics = VL_BUF_INIT, missing = VL_BUF_INIT;
		struct vl_strv miss = { 0 };
		long n = -1;
		int all_present;

		if (rest.n && !selected(&wanted, t->name))
			continue;
		for (size_t k = 0; k < t->metrics.n; k++)
			vl_buf_addf(&metrics, "%s%s", k ? "," : "", t->metrics.v[k]);
		vl_task_missing_files(t, root, 1, &miss);
		all_present = miss.n == 0;
		for (size_t k = 0; k < miss.n; k++)
			vl_buf_addf(&missing, "%s%s", k ? ", " : "", miss.v[k]);
		vl_strv_release(&miss);
		if (all_present) {
			struct vl_dataset_spec spec = { t->name, root, t->dataset, 0 };
			n = vl_dataset_count(&spec, -1);
		}
		if (json) {
			if (out.len > 1)
				vl_buf_addch(&out, ',');
			vl_buf_adds(&out, "{\"name\":");
			vl_buf_add_json_str(&out, t->name);
			vl_buf_adds(&out, ",\"family\":");
			vl_buf_add_json_str(&out, vl_family_name(t->family));
			vl_buf_adds(&out, ",\"description\":");
			vl_buf_add_json_str(&out, t->description);
			vl_buf_adds(&out, ",\"origin\":");
			vl_buf_add_json_str(&out, t->origin);
			vl_buf_adds(&out, ",\"metrics\":");
			vl_buf_add_json_str(&out, vl_buf_str(&metrics));
			vl_buf_adds(&out, ",\"samples\":");
			vl_buf_add_json_num(&out, n >= 0 ? (double)n : NAN);
			vl_buf_adds(&out, ",\"missing\":");
			vl_buf_add_json_str(&out, missing.len ? vl_buf_str(&missing) : NULL);
			vl_buf_adds(&out, ",\"dataset\":");
			{
				char *d = cJSON_PrintUnformatted(t->dataset);
				vl_buf_adds(&out, d);
				cJSON_free(d);
			}
			vl_buf_addch(&out, '}');
		} else {
			char cnt[32];
			snprintf(cnt, sizeof(cnt), n >= 0 ? "%ld" : "-", n);
			printf("%-28s %-13s %-26s %9s  %s\n", t->name, vl_family_name(t->family),
			       vl_buf_str(&metrics), cnt, all_present ? "present" : "missing");
			if (verbose || (rest.n && !all_present)) {
				if (t->description[0])
					printf("    %s\n", t->description);
				if (!all_present)
					printf("    expected: %s\n", vl_buf_str(&missing));
			}
		}
		vl_buf_release(&metrics);
		vl_buf_release(&missing);
	}
	if (json) {
		vl_buf_addch(&out, ']');
		puts(vl_buf_str(&out));
	} else {
		printf("\n%zu tasks; data root '%s' (--data-dir or VLEVAL_DATA); "
		       "'vleval tasks NAME --verbose' for details\n", set.n, root);
	}
	rc = 0;
done:
	vl_task_set_release(&set);
	vl_strv_release(&rest);
	vl_strv_release(&wanted);
	vl_buf_release(&out);
	vl_buf_release(&err);
	return rc;
}
