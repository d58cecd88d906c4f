/*
 * cmd-demo.c - `vleval demo`: the embedded default suite, end to end.
 *
 * Writes a small synthetic benchmark (images of one coloured shape each, with
 * questions whose answers are known exactly) under OUT/data, runs every
 * built-in demo_* task against the reference baselines, and writes a
 * leaderboard report.  It needs no model, no network and no downloaded data,
 * so it shows the whole pipeline on a fresh machine in a second.
 *
 * Adding a demo task: write bench/tasks/demo_NAME.json reading
 * demo/NAME.jsonl, and add its generator to write_datasets() below.
 */
#include "bench/cli.h"
#include "bench/runlog.h"
#include "bench/runner.h"
#include "bench/summary.h"
#include "bench/task.h"
#include "reports/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <stb_image_write.h>

#define DEMO_IMAGES 120
#define SIDE 64

static const struct { const char *name; unsigned char rgb[3]; } colours[] = {
	{ "red", { 220, 30, 30 } },     { "green", { 30, 170, 60 } },
	{ "blue", { 30, 60, 220 } },    { "yellow", { 235, 210, 30 } },
	{ "purple", { 140, 50, 170 } }, { "orange", { 245, 140, 20 } },
};
#define NCOLOURS (sizeof(colours) / sizeof(*colours))
static const char *const shapes[] = { "square", "circle" };

struct scene {
	int colour, shape;
	int x1, y1, x2, y2;     /* the shape's box in pixels */
};

static int mkdirs(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_image(const char *path, const struct scene *s)
{
	unsigned char px[SIDE * SIDE * 3];
	double cx = (s->x1 + s->x2) / 2.0, cy = (s->y1 + s->y2) / 2.0;
	double r = (s->x2 - s->x1) / 2.0;

	memset(px, 255, sizeof(px));
	for (int y = s->y1; y < s->y2; y++) {
		for (int x = s->x1; x < s->x2; x++) {
			double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
			if (s->shape == 1 && dx * dx + dy * dy > r * r)
				continue;
			memcpy(px + (y * SIDE + x) * 3, colours[s->colour].rgb, 3);
		}
	}
	return stbi_write_png(path, SIDE, SIDE, 3, px, SIDE * 3) ? 0 : -1;
}

static FILE *open_out(const char *dir, const char *name, struct vl_buf *path)
{
	vl_buf_reset(path);
	vl_buf_addf(path, "%s/%s", dir, name);
	return fopen(vl_buf_str(path), "w");
}

/* Writes the images and one JSONL file per demo task; deterministic. */
static int write_datasets(const char *root, struct vl_buf *err)
{
	struct vl_buf dir = VL_BUF_INIT, path = VL_BUF_INIT, line = VL_BUF_INIT;
	struct scene sc[DEMO_IMAGES];
	struct vl_rng rng;
	FILE *pope = NULL, *vqa = NULL, *ground = NULL, *mcq = NULL, *cap = NULL;
	int rc = -1;

	vl_buf_addf(&dir, "%s/demo/images", root);
	if (mkdirs(vl_buf_str(&dir)) < 0) {
		vl_buf_addf(err, "cannot create '%s': %s", vl_buf_str(&dir), strerror(errno));
		goto out;
	}
	vl_rng_seed(&rng, 2026);
	for (int i = 0; i < DEMO_IMAGES; i++) {
		int side = 16 + (int)vl_rng_below(&rng, 24);
		sc[i].colour = (int)vl_rng_below(&rng, NCOLOURS);
		sc[i].shape = (int)vl_rng_below(&rng, 2);
		sc[i].x1 = (int)vl_rng_below(&rng, SIDE - side);
		sc[i].y1 = (int)vl_rng_below(&rng, SIDE - side);
		sc[i].x2 = sc[i].x1 + side;
		sc[i].y2 = sc[i].y1 + side;
		vl_buf_reset(&path);
		vl_buf_addf(&path, "%s/img_%04d.png", vl_buf_str(&dir), i);
		if (write_image(vl_buf_str(&path), &sc[i]) < 0) {
			vl_buf_addf(err, "cannot write '%s'", vl_buf_str(&path));
			goto out;
		}
	}
	vl_buf_reset(&dir);
	vl_buf_addf(&dir, "%s/demo", root);
	pope = open_out(vl_buf_str(&dir), "pope.jsonl", &path);
	vqa = pope ? open_out(vl_buf_str(&dir), "vqa.jsonl", &path) : NULL;
	ground = vqa ? open_out(vl_buf_str(&dir), "grounding.jsonl", &path) : NULL;
	mcq = ground ? open_out(vl_buf_str(&dir), "mcq.jsonl", &path) : NULL;
	cap = mcq ? open_out(vl_buf_str(&dir), "caption.jsonl", &path) : NULL;
	if (!cap) {
		vl_buf_addf(err, "cannot write '%s': %s", vl_buf_str(&path), strerror(errno));
		goto out;
	}
	for (int i = 0; i < DEMO_IMAGES; i++) {
		const struct scene *s = &sc[i];
		/* POPE-style: the object shown (yes) and one that is not (no) */
		int other = (s->colour + 1 + (int)vl_rng_below(&rng, NCOLOURS - 1)) % NCOLOURS;
		fprintf(pope, "{\"id\": \"p%d-yes\", \"image\": \"img_%04d.png\", \"question\": "
			"\"Is there a %s %s in the image?\", \"label\": \"yes\", \"meta\": "
			"{\"shape\": \"%s\"}}\n", i, i, colours[s->colour].name, shapes[s->shape],
			shapes[s->shape]);
		fprintf(pope, "{\"id\": \"p%d-no\", \"image\": \"img_%04d.png\", \"question\": "
			"\"Is there a %s %s in the image?\", \"label\": \"no\", \"meta\": "
			"{\"shape\": \"%s\"}}\n", i, i, colours[other].name, shapes[s->shape],
			shapes[s->shape]);
		fprintf(vqa, "{\"id\": \"v%d\", \"image\": \"img_%04d.png\", \"question\": "
			"\"What colour is the %s?\", \"answers\": [\"%s\"], \"meta\": "
			"{\"shape\": \"%s\"}}\n", i, i, shapes[s->shape], colours[s->colour].name,
			shapes[s->shape]);
		fprintf(ground, "{\"id\": \"g%d\", \"image\": \"img_%04d.png\", \"question\": "
			"\"the %s %s\", \"box\": [%d, %d, %d, %d], \"width\": %d, \"height\": %d, "
			"\"meta\": {\"shape\": \"%s\"}}\n", i, i, colours[s->colour].name,
			shapes[s->shape], s->x1, s->y1, s->x2, s->y2, SIDE, SIDE, shapes[s->shape]);
		{
			const char *size = s->x2 - s->x1 < 24 ? "small" : "large";
			const char *c = colours[s->colour].name, *sh = shapes[s->shape];
			fprintf(cap, "{\"id\": \"c%d\", \"image\": \"img_%04d.png\", \"captions\": "
				"[\"a %s %s on a white background\", \"a %s %s %s\", \"a white image "
				"with a %s %s\", \"one %s %s\", \"a %s %s shape on white\"], "
				"\"meta\": {\"shape\": \"%s\"}}\n", i, i, c, sh, size, c, sh, c, sh, c, sh,
				c, sh, sh);
		}
		/* four colour options, the right one at a seeded position */
		{
			int opt[4], right = (int)vl_rng_below(&rng, 4), used = 1 << s->colour;
			for (int k = 0; k < 4; k++) {
				if (k == right) {
					opt[k] = s->colour;
					continue;
				}
				do
					opt[k] = (int)vl_rng_below(&rng, NCOLOURS);
				while (used & (1 << opt[k]));
				used |= 1 << opt[k];
			}
			fprintf(mcq, "{\"id\": \"m%d\", \"image\": \"img_%04d.png\", \"question\": "
				"\"What colour is the %s?\", \"options\": [\"%s\", \"%s\", \"%s\", \"%s\"], "
				"\"answer\": \"%c\", \"meta\": {\"shape\": \"%s\"}}\n", i, i,
				shapes[s->shape], colours[opt[0]].name, colours[opt[1]].name,
				colours[opt[2]].name, colours[opt[3]].name, 'A' + right, shapes[s->shape]);
		}
	}
	rc = 0;
out:
	if (pope)
		fclose(pope);
	if (vqa)
		fclose(vqa);
	if (ground)
		fclose(ground);
	if (mcq)
		fclose(mcq);
	if (cap)
		fclose(cap);
	vl_buf_release(&dir);
	vl_buf_release(&path);
	vl_buf_release(&line);
	return rc;
}

int cmd_demo(int argc, char **argv)
{
	const char *out_dir = "demo-report";
	int help = 0, quiet = 0, verbose = 0, rc;
	const struct vl_opt opts[] = {
		{ "out", VL_OPT_STRING, &out_dir, "DIR", "where data, run log and report go (default demo-report)" },
		{ "quiet", VL_OPT_FLAG, &quiet, NULL, "print only the report's path" },
		{ "verbose", VL_OPT_FLAG, &verbose, NULL, "also print every run's summary" },
		{ NULL },
	};
	static const struct { const char *backend; const char *set_key, *set_val; } runs[] = {
		{ "oracle", NULL, NULL },
		{ "random", "seed", "1" },
		{ "constant", "answer", "yes" },
	};
	struct vl_buf err = VL_BUF_INIT, data = VL_BUF_INIT, path = VL_BUF_INIT, rep = VL_BUF_INIT;
	struct vl_task_set set = { 0 };
	struct vl_runlog *rl = NULL;
	long long ids[64];
	size_t nids = 0;
	int exit_code = VL_EXIT_OK;

	rc = vl_parse_opts("demo", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval demo [--out DIR]",
			      "Generates a small synthetic benchmark, runs every built-in demo task\n"
			      "against the reference baselines and writes a leaderboard report.", opts);
		return 0;
	}
	rc = VL_EXIT_USAGE;
	vl_buf_addf(&data, "%s/data", out_dir);
	if (mkdirs(vl_buf_str(&data)) < 0) {
		vl_error("demo: cannot create '%s': %s", vl_buf_str(&data), strerror(errno));
		goto out;
	}
	if (write_datasets(vl_buf_str(&data), &err) < 0) {
		vl_error("demo: %s", vl_buf_str(&err));
		goto out;
	}
	vl_buf_addf(&path, "%s/vleval.db", out_dir);
	remove(vl_buf_str(&path));  /* a fresh log: the report shows this demo only */
	if (vl_runlog_open(vl_buf_str(&path), &rl, &err) < 0 ||
	    vl_task_set_load(&set, NULL, &err) < 0) {
		vl_error("demo: %s", vl_buf_str(&err));
		goto out;
	}
	for (size_t i = 0; i < set.n; i++) {
		const struct vl_task *t = set.v[i];
		if (strncmp(t->name, "demo_", 5))
			continue;
		for (size_t b = 0; b < sizeof(runs) / sizeof(*runs) && nids < 64; b++) {
			struct vl_kv cfg = { 0 };
			struct vl_run_result res;
			struct vl_run_opts o = {
				.data_dir = vl_buf_str(&data), .backend = runs[b].backend,
				.backend_cfg = &cfg, .limit = -1, .concurrency = 8, .progress = 0,
				.resamples = 1000, .seed = 0, .ci_level = 0.95,
				.price_input = -1, .price_output = -1,
			};
			if (runs[b].set_key)
				vl_kv_set(&cfg, runs[b].set_key, runs[b].set_val);
			vl_kv_set(&cfg, "delay_ms", "1");
			vl_buf_reset(&err);
			if (vl_runner_run(t, &o, rl, &res, &err) < 0) {
				vl_error("demo: task '%s' with '%s': %s", t->name, runs[b].backend,
					 vl_buf_str(&err));
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
		vl_error("demo: no built-in demo_* task found");
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
	printf("\ndemo: %zu runs logged in %s/vleval.db; report: %s/report.md, %s/report.html and %s/report.json\n"
	       "look closer: vleval runs --db %s/vleval.db; vleval show %lld --samples --db %s/vleval.db\n",
	       nids, out_dir, out_dir, out_dir, out_dir, out_dir, ids[0], out_dir);
	rc = exit_code;
out:
	vl_runlog_close(rl);
	vl_task_set_release(&set);
	vl_buf_release(&err);
	vl_buf_release(&data);
	vl_buf_release(&path);
	vl_buf_release(&rep);
	return rc;
}
