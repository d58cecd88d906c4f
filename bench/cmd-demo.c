/*
 * cmd-demo.c - `vleval demo`: the embedded default suite, end to end.
 *
 * Writes the synthetic suite (datasets/synth.h: PNG scenes of coloured
 * shapes and their questions in the official VQAv2, COCO/Karpathy, MDETR
 * RefCOCO, POPE and VLMEvalKit layouts) under OUT/data, runs every built-in
 * synth_* task with `pixels` (a classical image-analysis engine, run as a
 * worker process: backends/pixels/) and the oracle, random and constant
 * baselines, logs every run to OUT/vleval.db and writes the report
 * (reports/report.h: leaderboard, per-task pages, gnuplot charts).
 * No model, no network, no downloaded data.
 *
 * Adding a demo task: give bench/tasks/synth_NAME.json the group "synth"
 * and have datasets/synth.c write its files; the demo runs every task of
 * the group.
 */
#include "bench/cli.h"
#include "bench/runlog.h"
#include "bench/runner.h"
#include "bench/summary.h"
#include "bench/task.h"
#include "datasets/synth.h"
#include "reports/report.h"

#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RUNS 64

/* 1 when PATH has an executable vleval-pixels. */
static int pixels_on_path(void)
{
	const char *path = getenv("PATH");
	struct vl_buf f = VL_BUF_INIT;
	int found = 0;

	while (path && *path && !found) {
		size_t n = strcspn(path, ":");
		vl_buf_reset(&f);
		vl_buf_add(&f, path, n);
		vl_buf_adds(&f, "/vleval-pixels");
		found = n && access(f.buf, X_OK) == 0;
		path += n + (path[n] == ':');
	}
	vl_buf_release(&f);
	return found;
}

/* The pixels worker's command: vleval-pixels beside this binary when it is
 * there (a build tree, an install), else the one PATH finds.  The path is
 * quoted for /bin/sh.  Returns 0, or -1 when there is none. */
static int pixels_command(struct vl_buf *out)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	struct vl_buf path = VL_BUF_INIT;

	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			vl_buf_addf(&path, "%s/vleval-pixels", self);
		}
	}
	if (path.len && access(path.buf, X_OK) == 0) {
		vl_buf_addch(out, '\'');
		for (const char *p = path.buf; *p; p++)
			vl_buf_adds(out, *p == '\'' ? "'\\''" : (char[2]){ *p, 0 });
		vl_buf_addch(out, '\'');
	} else if (pixels_on_path()) {
		vl_buf_adds(out, "vleval-pixels");
	}
	vl_buf_release(&path);
	return out->len ? 0 : -1;
}

int cmd_demo(int argc, char **argv)
{
	const char *out_dir = "demo-report", *pixels = NULL;
	long images = 200, seed = 2026;
	int help = 0, quiet = 0, verbose = 0, rc;
	const struct vl_opt opts[] = {
		{ "out", VL_OPT_STRING, &out_dir, "DIR", "where data, run log and report go (default demo-report)" },
		{ "images", VL_OPT_LONG, &images, "N", "synthetic scenes to draw (default 200)" },
		{ "seed", VL_OPT_LONG, &seed, "S", "seed of the synthetic suite (default 2026)" },
		{ "pixels", VL_OPT_STRING, &pixels, "CMD", "the pixels worker's command (default: vleval-pixels beside vleval)" },
		{ "quiet", VL_OPT_FLAG, &quiet, NULL, "print only where the report is" },
		{ "verbose", VL_OPT_FLAG, &verbose, NULL, "also print every run's summary" },
		{ NULL },
	};
	static const struct { const char *backend, *model, *key, *val; } runs[] = {
		{ "worker", "pixels", NULL, NULL },
		{ "oracle", NULL, NULL, NULL },
		{ "random", NULL, "seed", "1" },
		{ "constant", NULL, "answer", "yes" },
	};
	struct vl_buf err = VL_BUF_INIT, data = VL_BUF_INIT, path = VL_BUF_INIT, rep = VL_BUF_INIT;
	struct vl_buf cmd = VL_BUF_INIT;
	struct vl_task_set set = { 0 };
	struct vl_runlog *rl = NULL;
	struct vl_synth_opts so;
	struct vl_synth_counts counts;
	long long ids[MAX_RUNS];
	size_t nids = 0, ntasks = 0;
	int exit_code = VL_EXIT_OK;
	double t0 = vl_now();

	rc = vl_parse_opts("demo", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval demo [--out DIR] [--images N]",
			      "Writes the synthetic suite (vleval synth) under DIR/data, runs every\n"
			      "built-in synth_* task with pixels (a classical image-analysis engine run\n"
			      "as a worker) and the oracle, random and constant baselines, logs the runs\n"
			      "to DIR/vleval.db and writes the report (HTML with charts, Markdown, JSON).", opts);
		return 0;
	}
	if (images < 1 || images > 100000 || seed < 0) {
		vl_error("demo: --images must be 1..100000 and --seed >= 0");
		return VL_EXIT_USAGE;
	}
	rc = VL_EXIT_USAGE;
	vl_buf_addf(&data, "%s/data", out_dir);
	so.out = data.buf;
	so.seed = (uint64_t)seed;
	so.images = (int)images;
	if (vl_synth_generate(&so, &counts, &err) < 0) {
		vl_error("demo: %s", vl_buf_str(&err));
		goto out;
	}
	if (pixels)
		vl_buf_adds(&cmd, pixels);
	else if (pixels_command(&cmd) < 0)
		vl_warn("demo: vleval-pixels is neither beside vleval nor on PATH (make vleval-pixels "
			"builds it): the baselines run alone");
	vl_buf_addf(&path, "%s/vleval.db", out_dir);
	remove(vl_buf_str(&path));  /* a fresh log: the report shows this demo only */
	if (vl_runlog_open(vl_buf_str(&path), &rl, &err) < 0 ||
	    vl_task_set_load(&set, NULL, &err) < 0) {
		vl_error("demo: %s", vl_buf_str(&err));
		goto out;
	}
	for (size_t i = 0; i < set.n; i++) {
		const struct vl_task *t = set.v[i];
		if (strncmp(t->name, "synth_", 6))
			continue;
		ntasks++;
		for (size_t b = 0; b < sizeof(runs) / sizeof(*runs) && nids < MAX_RUNS; b++) {
			struct vl_kv cfg = { 0 };
			struct vl_run_result res;
			struct vl_run_opts o = {
				.data_dir = vl_buf_str(&data), .backend = runs[b].backend,
				.model = runs[b].model, .backend_cfg = &cfg, .limit = -1,
				.concurrency = 8, .progress = 0, .resamples = 1000, .seed = 0,
				.ci_level = 0.95, .price_input = -1, .price_output = -1,
			};
			if (!strcmp(runs[b].backend, "worker") && !cmd.len)
				continue;
			if (runs[b].key)
				vl_kv_set(&cfg, runs[b].key, runs[b].val);
			if (!strcmp(runs[b].backend, "worker")) {
				/* POPE's yes-questions repeat across its splits: the cache
				 * would answer them and hide pixels' real latency */
				o.no_cache = 1;
				vl_kv_set(&cfg, "command", cmd.buf);
				vl_kv_set(&cfg, "workers", "2");
				vl_kv_set(&cfg, "max_inflight", "4");
			}
			vl_buf_reset(&err);
			if (vl_runner_run(t, &o, rl, &res, &err) < 0) {
				vl_error("demo: task '%s' with '%s': %s", t->name, runs[b].model ? runs[b].model
					 : runs[b].backend, vl_buf_str(&err));
				exit_code = VL_EXIT_FATAL;
			} else {
				ids[nids++] = res.run_id;
				if (verbose)
					vl_summary_print(rl, res.run_id, 0, stdout);
				if (res.exit_code > exit_code)
					exit_code = res.exit_code;
			}
			vl_kv_release(&cfg);
		}
	}
	if (!nids) {
		vl_error("demo: no built-in synth_* task found");
		goto out;
	}
	{
		/* the run log is fresh: every run in it is this demo's */
		struct vl_report_opts ro = {
			.db_name = vl_buf_str(&path), .formats = "md,html,json", .out_dir = out_dir,
			.prices = NULL,
		};
		struct vl_report_result rr = { 0 };
		if (vl_report_write(rl, &ro, &rr, &err) < 0) {
			vl_error("demo: %s", vl_buf_str(&err));
			vl_report_result_release(&rr);
			goto out;
		}
		if (!rr.charts_drawn && rr.charts_note)
			vl_warn("demo: no charts: %s", rr.charts_note);
		vl_report_result_release(&rr);
	}
	if (!quiet) {
		/* the leaderboard part of the Markdown report */
		vl_buf_reset(&path);
		vl_buf_addf(&path, "%s/report.md", out_dir);
		if (vl_read_file(vl_buf_str(&path), &rep, &err) == 0) {
			char *end = strstr(rep.buf, "\n## Charts");
			if (end)
				end[1] = '\0';
			fputs(rep.buf, stdout);
		}
	}
	printf("\ndemo: %d synthetic images (%s/synth), %zu tasks, %zu runs (%s) in %.1f s\n"
	       "demo: run log %s/vleval.db; report: %s/report.html (charts), %s/report.md, %s/report.json\n"
	       "look closer: vleval runs --db %s/vleval.db; vleval show %lld --samples --db %s/vleval.db\n"
	       "a real model on the same tasks: vleval run --task synth --data-dir %s --backend openai "
	       "--base-url URL --model NAME\n",
	       counts.images, data.buf, ntasks, nids,
	       cmd.len ? "pixels and 3 baselines" : "3 baselines; pixels not found", vl_now() - t0,
	       out_dir, out_dir, out_dir,
	       out_dir, out_dir, ids[0], out_dir, data.buf);
	rc = exit_code;
out:
	vl_runlog_close(rl);
	vl_task_set_release(&set);
	vl_buf_release(&err);
	vl_buf_release(&data);
	vl_buf_release(&path);
	vl_buf_release(&rep);
	vl_buf_release(&cmd);
	return rc;
}
