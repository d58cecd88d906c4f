/*
 * chart.c - the report's charts, drawn by gnuplot run as an external
 * program (one process for every chart and terminal): scores per model and
 * task with interval bars, score against cost, and the latency
 * distribution.  PNG (pngcairo) files go beside the Markdown; SVG is read
 * back to be inlined into the HTML.
 *
 * gnuplot is optional: when it is missing or fails, the report is written
 * without charts and says why (rep->charts_note).  Text that reaches a
 * chart (model and task names) is reduced to a safe character set, since a
 * chart is embedded as markup; the tables show the names in full.
 *
 * Adding a chart: write a function with chart_scores' shape that appends a
 * plot to the script and returns 1 when it drew something, and add it to
 * the charts table.
 */
#include "reports/report_data.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_MODELS 16   /* more bars than this are unreadable */

/* A label as gnuplot will print it: safe characters only, quoted. */
static void gp_label(struct vl_buf *b, const char *s, size_t max)
{
	size_t n = 0;

	vl_buf_addch(b, '"');
	for (; s && *s && n < max; s++, n++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr(" _-.+/:()=,", c))
			vl_buf_addch(b, c);
		else if (c >= 0x80)
			vl_buf_addch(b, '?');
		else
			vl_buf_addch(b, '_');
	}
	if (s && *s)
		vl_buf_adds(b, "...");
	vl_buf_addch(b, '"');
}

static void gp_num(struct vl_buf *b, double v)
{
	if (isnan(v) || isinf(v))
		vl_buf_adds(b, " NaN");
	else
		vl_buf_addf(b, " %.9g", v);
}

/* The models a chart shows: ranked rows, in leaderboard order. */
static size_t chart_models(const struct vl_report *rep, size_t *idx)
{
	size_t n = 0;

	for (size_t m = 0; m < rep->nmodels && n < MAX_MODELS; m++)
		if (rep->models[m].ranked)
			idx[n++] = m;
	return n;
}

/* 1 when every ranked value of task t lies in [0, 1]. */
static int unit_scale(const struct vl_report *rep, size_t t)
{
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		if (r->task == t && r->ranked && !isnan(r->value) && (r->value < 0 || r->value > 1))
			return 0;
	}
	return 1;
}

/* Scores of the tasks on a 0-1 scale (unit 1) or of the others (unit 0). */
static int chart_scores_scale(const struct vl_report *rep, struct vl_buf *data,
			      struct vl_buf *plot, int unit)
{
	size_t idx[MAX_MODELS], nm = chart_models(rep, idx);
	const char *block = unit ? "$scores" : "$scores_other";
	int any = 0;

	if (!nm || !rep->ntasks)
		return 0;
	vl_buf_addf(data, "%s << EOD\n", block);
	for (size_t t = 0; t < rep->ntasks; t++) {
		if (unit_scale(rep, t) != unit)
			continue;
		gp_label(data, rep->tasks[t].name, 40);
		for (size_t k = 0; k < nm; k++) {
			long ri = rep->models[idx[k]].task_run[t];
			const struct rp_run *r = ri >= 0 ? &rep->runs[ri] : NULL;
			double v = r ? r->value : NAN;
			gp_num(data, v);
			gp_num(data, r && !isnan(r->lo) ? r->lo : v);
			gp_num(data, r && !isnan(r->hi) ? r->hi : v);
			any |= !isnan(v);
		}
		vl_buf_addch(data, '\n');
	}
	vl_buf_adds(data, "EOD\n");
	if (!any)
		return 0;
	vl_buf_addf(plot, "set title \"Headline score per task%s (bars: confidence interval)\"\n"
			  "set style data histogram\n"
			  "set style histogram errorbars gap 2 lw 1\n"
			  "set style fill solid 0.75 border -1\n"
			  "set ylabel \"score\"\nset yrange [0:%s]\nset grid ytics\n"
			  "set key outside right top vertical\n"
			  "set xtics rotate by -20 nomirror\nset bars front\n",
		    unit ? "" : ", tasks on other scales", unit ? "1.05" : "*");
	vl_buf_adds(plot, "plot ");
	for (size_t k = 0; k < nm; k++) {
		vl_buf_addf(plot, "%s%s using %zu:%zu:%zu%s title ", k ? ", " : "", block, 2 + 3 * k,
			    3 + 3 * k, 4 + 3 * k, k ? "" : ":xtic(1)");
		gp_label(plot, rep->models[idx[k]].label, 40);
	}
	vl_buf_adds(plot, "\nset style data points\nset xtics norotate\nunset title\n"
			  "set yrange [*:*]\nset style fill empty\n");
	return 1;
}

static int chart_scores(const struct vl_report *rep, struct vl_buf *data, struct vl_buf *plot)
{
	return chart_scores_scale(rep, data, plot, 1);
}

static int chart_scores_other(const struct vl_report *rep, struct vl_buf *data,
			      struct vl_buf *plot)
{
	return chart_scores_scale(rep, data, plot, 0);
}

static int chart_cost(const struct vl_report *rep, struct vl_buf *data, struct vl_buf *plot)
{
	size_t idx[MAX_MODELS], nm = chart_models(rep, idx), npts = 0;
	int by_price = 0;

	/* price when every model (not baseline) with a score has one, else latency */
	for (size_t k = 0; k < nm; k++) {
		const struct rp_model *M = &rep->models[idx[k]];
		if (isnan(M->average) || M->baseline)
			continue;
		if (M->price < 0) {
			by_price = 0;
			break;
		}
		by_price = 1;
	}
	vl_buf_adds(data, "$cost << EOD\n");
	for (size_t k = 0; k < nm; k++) {
		const struct rp_model *M = &rep->models[idx[k]];
		double x = by_price ? M->price : M->lat_p50;
		if (isnan(M->average) || x < 0)
			continue;
		gp_label(data, M->label, 30);
		gp_num(data, x);
		gp_num(data, M->average);
		vl_buf_addch(data, '\n');
		npts++;
	}
	vl_buf_adds(data, "EOD\n");
	if (!npts)
		return 0;
	vl_buf_addf(plot, "set title \"Average score against %s\"\n"
			  "set xlabel \"%s\"\nset ylabel \"average score\"\nset grid\n"
			  "set key inside\nset key off\nset offsets graph 0.05, graph 0.25, graph 0.08, graph 0.08\n"
			  "set xrange [0:*]\nset format x \"%%g\"\n"
			  "plot $cost using 2:3 with points pt 7 ps 1.5 lc rgb \"#1f77b4\", "
			  "$cost using 2:3:1 with labels left offset 1,0.6 font \",9\"\n"
			  "unset offsets\nunset xlabel\nunset ylabel\nunset title\nset key\n"
			  "set xrange [*:*]\nset format x\n",
		    by_price ? "estimated price" : "latency (median)",
		    by_price ? "estimated price of the runs" : "latency p50 (s), answers not from the cache");
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int chart_latency(const struct vl_report *rep, struct vl_buf *data, struct vl_buf *plot)
{
	size_t idx[MAX_MODELS], nm = chart_models(rep, idx), drawn = 0;
	double lo = INFINITY, hi = 0;
	struct vl_buf cmd = VL_BUF_INIT;

	for (size_t k = 0; k < nm; k++) {
		const struct rp_model *M = &rep->models[idx[k]];
		double *lat = NULL;
		size_t n = 0;

		for (size_t t = 0; t < rep->ntasks; t++) {
			const struct rp_run *r;
			if (M->task_run[t] < 0)
				continue;
			r = &rep->runs[M->task_run[t]];
			if (!r->nlat)
				continue;
			lat = vl_xrealloc(lat, (n + r->nlat) * sizeof(*lat));
			memcpy(lat + n, r->lat, r->nlat * sizeof(*lat));
			n += r->nlat;
		}
		if (n)
			qsort(lat, n, sizeof(*lat), cmp_double);
		if (!n || lat[n - 1] <= 0) {  /* nothing measured (in-process baselines) */
			vl_free(lat);
			continue;
		}
		vl_buf_addf(data, "$lat%zu << EOD\n", drawn);
		/* the empirical distribution at 200 evenly spaced ranks */
		for (int q = 0; q <= 200; q++) {
			double p = q / 200.0, v = vl_percentile(lat, n, p);
			vl_buf_addf(data, "%.9g %.6f\n", v, p);
		}
		vl_buf_adds(data, "EOD\n");
		for (size_t i = 0; i < n; i++)
			if (lat[i] > 0) {
				if (lat[i] < lo)
					lo = lat[i];
				break;
			}
		if (lat[n - 1] > hi)
			hi = lat[n - 1];
		vl_buf_addf(&cmd, "%s$lat%zu using 1:2 with steps lw 2 title ", drawn ? ", " : "", drawn);
		gp_label(&cmd, M->label, 40);
		drawn++;
		vl_free(lat);
	}
	if (drawn) {
		vl_buf_adds(plot, "set title \"Latency distribution (answers not from the cache)\"\n"
				  "set xlabel \"latency (s)\"\nset ylabel \"fraction of answers\"\n"
				  "set yrange [0:1.02]\nset grid\nset key inside right bottom\n");
		if (lo < INFINITY && hi / lo > 50)
			vl_buf_adds(plot, "set logscale x\n");
		else
			vl_buf_addf(plot, "set xrange [0:%.9g]\n", hi > 0 ? hi * 1.08 : 1.0);
		vl_buf_adds(plot, "set format x \"%g\"\n");
		vl_buf_adds(plot, "plot ");
		vl_buf_add(plot, cmd.buf, cmd.len);
		vl_buf_adds(plot, "\nunset logscale x\nunset xlabel\nunset ylabel\nunset title\n"
				  "set yrange [*:*]\nset xrange [*:*]\nset format x\n");
	}
	vl_buf_release(&cmd);
	return drawn > 0;
}

static const struct {
	const char *name, *title;
	int (*fn)(const struct vl_report *, struct vl_buf *, struct vl_buf *);
} charts[] = {
	{ "scores", "Headline score per task with confidence intervals", chart_scores },
	{ "scores-other", "Headline score of the tasks on other scales (e.g. CIDEr)",
	  chart_scores_other },
	{ "cost", "Average score against cost", chart_cost },
	{ "latency", "Latency distribution", chart_latency },
};

#define NCHARTS (sizeof(charts) / sizeof(*charts))

/* The gnuplot program to run, or NULL with *why set. */
static char *find_gnuplot(const struct vl_report_opts *o, const char **why)
{
	const char *prog = o->gnuplot ? o->gnuplot : getenv("VLEVAL_GNUPLOT");
	const char *path = getenv("PATH");
	char *copy, *p, *dir;

	if (!prog)
		prog = "gnuplot";
	if (!prog[0] || !strcmp(prog, "none")) {
		*why = "charts are turned off (VLEVAL_GNUPLOT=none)";
		return NULL;
	}
	if (strchr(prog, '/')) {
		if (access(prog, X_OK) == 0)
			return vl_xstrdup(prog);
		*why = "gnuplot was not found (install gnuplot-nox, or set VLEVAL_GNUPLOT)";
		return NULL;
	}
	copy = vl_xstrdup(path ? path : "/usr/bin:/bin");
	p = copy;
	while ((dir = strsep(&p, ":"))) {
		struct vl_buf full = VL_BUF_INIT;
		vl_path_join(&full, dir[0] ? dir : ".", prog);
		if (access(vl_buf_str(&full), X_OK) == 0) {
			vl_free(copy);
			return vl_buf_detach(&full, NULL);
		}
		vl_buf_release(&full);
	}
	vl_free(copy);
	*why = "gnuplot was not found on PATH (install gnuplot-nox, or set VLEVAL_GNUPLOT)";
	return NULL;
}

/* Runs prog on script; stderr to log.  Returns the exit status, -1 when it
 * could not start or was killed. */
static int run_gnuplot(const char *prog, const char *script, const char *log)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)prog, (char *)script, NULL };
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The <svg>...</svg> part of a file gnuplot wrote. */
static int read_svg(const char *path, struct vl_buf *out)
{
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT;
	const char *start;
	int rc = -1;

	if (vl_read_file(path, &text, &err) == 0 && (start = strstr(vl_buf_str(&text), "<svg"))) {
		vl_buf_adds(out, start);
		rc = 0;
	}
	vl_buf_release(&text);
	vl_buf_release(&err);
	return rc;
}

static void note(struct vl_report *rep, const char *fmt, const char *arg)
{
	struct vl_buf b = VL_BUF_INIT;

	vl_free(rep->charts_note);
	vl_buf_addf(&b, fmt, arg);
	rep->charts_note = vl_buf_detach(&b, NULL);
}

void vl_chart_render(struct vl_report *rep, const struct vl_report_opts *o, const char *dir,
		     int png, int svg)
{
	struct vl_buf data = VL_BUF_INIT, script = VL_BUF_INIT, path = VL_BUF_INIT;
	struct vl_buf plots[NCHARTS];
	int drawn[NCHARTS] = { 0 }, any = 0;
	const char *why = NULL, *tmp = getenv("TMPDIR");
	char *prog, tdir[4096];
	FILE *f;

	if (o->no_charts) {
		note(rep, "%s", "charts were turned off (--no-charts)");
		return;
	}
	prog = find_gnuplot(o, &why);
	if (!prog) {
		note(rep, "%s", why);
		return;
	}
	for (size_t c = 0; c < NCHARTS; c++) {
		vl_buf_init(&plots[c], 256);
		drawn[c] = charts[c].fn(rep, &data, &plots[c]);
		any |= drawn[c];
	}
	if (!any) {
		note(rep, "%s", "nothing to draw (no ranked run has a score)");
		goto out;
	}
	snprintf(tdir, sizeof(tdir), "%s/vleval-charts.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(tdir)) {
		note(rep, "cannot create a temporary folder: %s", strerror(errno));
		goto out;
	}
	vl_buf_adds(&script, "set encoding utf8\n");
	vl_buf_add(&script, data.buf, data.len);
	for (size_t c = 0; c < NCHARTS; c++) {
		if (!drawn[c])
			continue;
		for (int kind = 0; kind < 2; kind++) {
			if ((kind == 0 && !png) || (kind == 1 && !svg))
				continue;
			vl_buf_reset(&path);
			if (kind == 0) {
				vl_buf_adds(&script, "set terminal pngcairo size 960,520 noenhanced "
						     "font \"DejaVu Sans,10\" background rgb \"white\"\n");
				vl_buf_addf(&path, "%s/chart-%s.png", dir, charts[c].name);
			} else {
				vl_buf_adds(&script, "set terminal svg size 960,520 noenhanced "
						     "font \"DejaVu Sans,11\" background rgb \"white\"\n");
				vl_buf_addf(&path, "%s/chart-%s.svg", tdir, charts[c].name);
			}
			/* the path holds only our folder names: quote it for gnuplot */
			vl_buf_adds(&script, "set output '");
			for (const char *p = vl_buf_str(&path); *p; p++) {
				if (*p == '\'')
					vl_buf_addch(&script, '\'');
				vl_buf_addch(&script, *p);
			}
			vl_buf_adds(&script, "'\n");
			vl_buf_add(&script, plots[c].buf, plots[c].len);
			vl_buf_adds(&script, "unset output\n");
		}
	}
	vl_buf_reset(&path);
	vl_buf_addf(&path, "%s/charts.gp", tdir);
	f = fopen(vl_buf_str(&path), "w");
	if (!f || fwrite(script.buf, 1, script.len, f) != script.len) {
		if (f)
			fclose(f);
		note(rep, "cannot write the gnuplot script: %s", strerror(errno));
		goto cleanup;
	}
	fclose(f);
	{
		struct vl_buf log = VL_BUF_INIT, logtext = VL_BUF_INIT, e = VL_BUF_INIT;
		int st;
		vl_buf_addf(&log, "%s/gnuplot.log", tdir);
		st = run_gnuplot(prog, vl_buf_str(&path), vl_buf_str(&log));
		if (st != 0) {
			vl_read_file(vl_buf_str(&log), &logtext, &e);
			/* first line of what gnuplot said, as the reason */
			{
				char *nl = strchr(logtext.buf ? logtext.buf : "", '\n');
				if (nl)
					*nl = '\0';
			}
			note(rep, "gnuplot failed: %s",
			     logtext.len ? vl_buf_str(&logtext) : st < 0 ? "it could not be started"
									 : "no message");
		}
		vl_buf_release(&log);
		vl_buf_release(&logtext);
		vl_buf_release(&e);
		if (st != 0)
			goto cleanup;
	}
	rep->charts_drawn = 1;
	for (size_t c = 0; c < NCHARTS; c++) {
		if (!drawn[c])
			continue;
		vl_strv_push(&rep->chart_titles, charts[c].title);
		if (png) {
			vl_buf_reset(&path);
			vl_buf_addf(&path, "chart-%s.png", charts[c].name);
			vl_strv_push(&rep->chart_png, vl_buf_str(&path));
		}
		if (svg) {
			struct vl_buf s = VL_BUF_INIT;
			vl_buf_reset(&path);
			vl_buf_addf(&path, "%s/chart-%s.svg", tdir, charts[c].name);
			read_svg(vl_buf_str(&path), &s);
			vl_strv_push(&rep->chart_svg, vl_buf_str(&s));
			vl_buf_release(&s);
			unlink(vl_buf_str(&path));
		}
	}
cleanup:
	{
		static const char *const files[] = { "charts.gp", "gnuplot.log" };
		for (size_t i = 0; i < 2; i++) {
			vl_buf_reset(&path);
			vl_buf_addf(&path, "%s/%s", tdir, files[i]);
			unlink(vl_buf_str(&path));
		}
		for (size_t c = 0; c < NCHARTS; c++) {
			vl_buf_reset(&path);
			vl_buf_addf(&path, "%s/chart-%s.svg", tdir, charts[c].name);
			unlink(vl_buf_str(&path));
		}
		rmdir(tdir);
	}
out:
	for (size_t c = 0; c < NCHARTS; c++)
		vl_buf_release(&plots[c]);
	vl_buf_release(&data);
	vl_buf_release(&script);
	vl_buf_release(&path);
	vl_free(prog);
}
