/*
 * score-mme.c - `vleval score mme --results DIR`: MME's official layout
 * (DIR/<task>.txt, one line per question "image \t question \t GT \t
 * response", two consecutive lines per image) scored as the official
 * eval_tool/calculation.py does (BradyFU/Awesome-Multimodal-Large-Language-
 * Models, branch Evaluation, eval_tool.zip unchanged since 1c1d69e1).  This
 * is NOT VLMEvalKit's MME score (the built-in task "mme" computes that one):
 * the official script reads only the first four code points of a response.
 *
 * The lines are read here; the scores come from the one scoring path: the
 * "mme" metric with mme_rule=official, each pair of lines one image, which
 * also gives bootstrap intervals (--resamples).  The confusion counts,
 * precision and recall, which do not enter the score, are computed beside
 * it as calculation.py does.
 */
#include "bench/cli.h"
#include "bench/score-ci.h"
#include "bench/scoring.h"
#include "metrics/mme.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct task_lines {
	int *gt, *pred;
	char **resp;          /* the responses as read, for --per-sample */
	size_t n, alloc;
};

static void task_lines_release(struct task_lines *t)
{
	for (size_t i = 0; i < t->n; i++)
		vl_free(t->resp[i]);
	vl_free(t->resp);
	vl_free(t->gt);
	vl_free(t->pred);
	memset(t, 0, sizeof(*t));
}

/* Reads one task file as Python's readlines() with universal newlines. */
static int read_task(const char *path, struct task_lines *t, struct vl_buf *err)
{
	struct vl_buf text = VL_BUF_INIT, line = VL_BUF_INIT, lo = VL_BUF_INIT;
	size_t pos = 0, lineno = 0, bad;
	int rc = vl_read_file(path, &text, err);

	if (rc < 0)
		return rc;
	if (!vl_utf8_valid(text.buf ? text.buf : "", text.len, &bad)) {
		vl_buf_addf(err, "'%s': invalid UTF-8 at byte %zu", path, bad + 1);
		rc = VL_EPARSE;
		goto out;
	}
	while (pos < text.len) {
		size_t end = pos, f[4], nf = 0;
		char *fields;
		int g;

		while (end < text.len && text.buf[end] != '\n' && text.buf[end] != '\r')
			end++;
		lineno++;
		vl_buf_reset(&line);
		vl_buf_add(&line, text.buf + pos, end - pos);
		if (end < text.len) {
			vl_buf_addch(&line, '\n');   /* \r, \r\n and \n all read as \n */
			end += text.buf[end] == '\r' && end + 1 < text.len && text.buf[end + 1] == '\n';
			end++;
		}
		pos = end;
		fields = line.buf;
		f[nf++] = 0;
		for (size_t i = 0; i < line.len; i++)
			if (fields[i] == '\t') {
				if (nf == 4) {
					nf = 5;
					break;
				}
				fields[i] = '\0';
				f[nf++] = i + 1;
			}
		if (nf != 4) {
			vl_buf_addf(err, "'%s' line %zu: %s tab-separated fields, calculation.py "
				    "needs exactly 4 (image, question, GT, response)", path, lineno,
				    nf > 4 ? "more than 4" : nf == 1 ? "1" : nf == 2 ? "2" : "3");
			rc = VL_EPARSE;
			goto out;
		}
		vl_buf_reset(&lo);
		vl_py_lower(fields + f[2], strlen(fields + f[2]), &lo);
		g = !strcmp(vl_buf_str(&lo), "yes") ? VL_MME_YES
		    : !strcmp(vl_buf_str(&lo), "no") ? VL_MME_NO : VL_MME_OTHER;
		if (g == VL_MME_OTHER) {
			vl_buf_addf(err, "'%s' line %zu: GT '%s' is neither yes nor no", path,
				    lineno, fields + f[2]);
			rc = VL_EPARSE;
			goto out;
		}
		if (t->n == t->alloc) {
			t->alloc = t->alloc ? t->alloc * 2 : 64;
			t->gt = vl_xrealloc(t->gt, t->alloc * sizeof(int));
			t->pred = vl_xrealloc(t->pred, t->alloc * sizeof(int));
			t->resp = vl_xrealloc(t->resp, t->alloc * sizeof(char *));
		}
		t->gt[t->n] = g;
		t->pred[t->n] = vl_mme_official_label(fields + f[3]);
		t->resp[t->n++] = vl_xstrdup(fields + f[3]);
	}
	if (t->n % 2) {
		vl_buf_addf(err, "'%s': %zu lines, but each image needs two consecutive lines "
			    "(calculation.py pairs lines, whatever the image names)", path, t->n);
		rc = VL_EPARSE;
	} else if (!t->n) {
		vl_buf_addf(err, "'%s': no lines", path);
		rc = VL_EPARSE;
	}
out:
	vl_buf_release(&text);
	vl_buf_release(&line);
	vl_buf_release(&lo);
	return rc;
}

static const char *label_name(int l)
{
	return l == VL_MME_YES ? "yes" : l == VL_MME_NO ? "no" : "other";
}

int score_mme(int argc, char **argv)
{
	const char *dir = NULL;
	int json = 0, help = 0, per_sample = 0, rc;
	long resamples = 0, seed = 0;
	double level = 0.95;
	const struct vl_opt opts[] = {
		{ "results", VL_OPT_STRING, &dir, "DIR", "folder with <task>.txt for the 14 tasks "
		  "(the official Your_Results layout)" },
		{ "per-sample", VL_OPT_FLAG, &per_sample, NULL, "include each line's yes/no/other" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap intervals of the totals "
		  "(default 0: none, as calculation.py)" },
		{ "seed", VL_OPT_LONG, &seed, "N", "bootstrap seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &level, "P", "confidence level (default 0.95)" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	static const struct { const char *name; const char *const *tasks; size_t n; } types[] = {
		{ "Perception", vl_mme_perception, 10 },
		{ "Cognition", vl_mme_cognition, 4 },
	};
	struct vl_buf out = VL_BUF_INIT, err = VL_BUF_INIT, path = VL_BUF_INIT, per = VL_BUF_INIT;
	static const char *const metric[] = { "mme" };
	struct tasks_read { struct task_lines t[14]; struct vl_mme_task r[14]; } *all = NULL;
	struct vl_score_ci ci;
	struct vl_scoring *sc = NULL;
	struct vl_kv mopts = { 0 };

	memset(&ci, 0, sizeof(ci));
	rc = vl_parse_opts("score mme", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval score mme --results DIR [--json] [--per-sample] [--resamples N]",
			      "MME as its official calculation.py scores it: per task acc, acc+ (both\n"
			      "questions of an image right), score = acc*100 + acc+*100, and the\n"
			      "Perception and Cognition totals.  (VLMEvalKit's MME score, which looks\n"
			      "for the word yes/no anywhere, is the built-in task 'mme'.)", opts);
		return 0;
	}
	if (!dir) {
		vl_error("score mme: --results DIR is required");
		rc = VL_EXIT_USAGE;
		goto out;
	}
	if (resamples < 0 || resamples > 1000000 || !(level > 0 && level < 1)) {
		vl_error("score mme: --resamples must be 0..1000000 and --ci-level in (0, 1)");
		rc = VL_EXIT_USAGE;
		goto out;
	}
	all = vl_xcalloc(1, sizeof(*all));
	vl_kv_set(&mopts, "mme_rule", "official");
	sc = vl_scoring_new(metric, 1, &mopts, NULL, &err);
	/* read every task, each line a sample of the one scoring path */
	for (size_t ty = 0, k = 0; ty < 2; ty++)
		for (size_t j = 0; j < types[ty].n; j++, k++) {
			const char *name = types[ty].tasks[j];
			struct task_lines *t = &all->t[k];

			vl_buf_reset(&path);
			vl_buf_addf(&path, "%s/%s.txt", dir, name);
			vl_buf_reset(&err);
			if (read_task(vl_buf_str(&path), t, &err) < 0) {
				vl_error("score mme: %s", vl_buf_str(&err));
				rc = VL_EXIT_USAGE;
				goto out;
			}
			vl_mme_official_task(t->gt, t->pred, t->n, &all->r[k]);
			for (size_t i = 0; i < t->n; i++) {
				struct vl_sample s;
				struct vl_buf b = VL_BUF_INIT;
				vl_sample_init(&s);
				vl_buf_addf(&b, "%s/%zu", name, i + 1);
				s.id = vl_buf_detach(&b, NULL);
				s.label_text = vl_xstrdup(t->gt[i] == VL_MME_YES ? "yes" : "no");
				vl_sample_set_meta(&s, "category", name);
				vl_buf_addf(&b, "%s#%zu", name, i / 2);   /* lines 2k, 2k+1: image k */
				vl_sample_set_meta(&s, "image_path", vl_buf_str(&b));
				vl_buf_release(&b);
				vl_scoring_add(sc, &s, t->resp[i], NULL, NULL, NULL);
				vl_sample_release(&s);
			}
		}
	ci.ci.resamples = (int)resamples;
	ci.ci.seed = (uint64_t)seed;
	ci.ci.level = level;
	vl_scoring_finish(sc, &ci.ci, vl_score_ci_collect, &ci);
	if (json)
		vl_buf_adds(&out, "{\"scorer\":\"MME official eval_tool/calculation.py\"");
	for (size_t ty = 0, k = 0; ty < 2; ty++) {
		struct vl_buf tasks = VL_BUF_INIT, lines = VL_BUF_INIT;
		/* the totals as the scoring path summed them ("scores = 0", then
		 * += each task in eval_type_dict order) */
		long at = vl_score_ci_find(&ci, ty ? "Cognition" : "Perception");
		double total = at >= 0 ? ci.value[at] : NAN;

		for (size_t j = 0; j < types[ty].n; j++, k++) {
			const char *name = types[ty].tasks[j];
			const struct task_lines *t = &all->t[k];
			const struct vl_mme_task *r = &all->r[k];
			long tk = vl_score_ci_find(&ci, name);
			double score = tk >= 0 ? ci.value[tk] : NAN;

			if (json) {
				vl_buf_addf(&tasks, "%s", tasks.len ? "," : "");
				vl_buf_add_json_str(&tasks, name);
				vl_buf_adds(&tasks, ":{\"score\":");
				vl_buf_add_json_num(&tasks, score);
				vl_buf_adds(&tasks, ",\"acc\":");
				vl_buf_add_json_num(&tasks, r->acc);
				vl_buf_adds(&tasks, ",\"acc_plus\":");
				vl_buf_add_json_num(&tasks, r->acc_plus);
				vl_buf_addf(&tasks, ",\"TP\":%ld,\"FN\":%ld,\"TN\":%ld,\"FP\":%ld", r->tp,
					    r->fn, r->tn, r->fp);
				vl_buf_adds(&tasks, ",\"precision\":");
				vl_buf_add_json_num(&tasks, r->precision);
				vl_buf_adds(&tasks, ",\"recall\":");
				vl_buf_add_json_num(&tasks, r->recall);
				vl_buf_addf(&tasks, ",\"other_num\":%ld,\"n_questions\":%ld,"
					    "\"n_images\":%ld}", r->other_num, r->n_questions, r->n_images);
				if (per_sample) {
					vl_buf_addf(&per, "%s", per.len ? "," : "");
					vl_buf_add_json_str(&per, name);
					vl_buf_addch(&per, ':');
					for (size_t i = 0; i < t->n; i++)
						vl_buf_addf(&per, "%c\"%s\"", i ? ',' : '[',
							    label_name(t->pred[i]));
					vl_buf_addch(&per, ']');
				}
			} else {
				/* print("\t", task_name, " score:", score) */
				vl_buf_addf(&lines, "\t %s  score: ", name);
				vl_py_repr(&lines, score);
				vl_buf_addch(&lines, '\n');
			}
		}
		if (json) {
			vl_buf_addf(&out, ",\"%s\":{\"total_score\":", types[ty].name);
			vl_buf_add_json_num(&out, total);
			vl_buf_addf(&out, ",\"tasks\":{%s}}", vl_buf_str(&tasks));
		} else {
			vl_buf_addf(&out, "=========== %s ===========\ntotal score: ", types[ty].name);
			vl_py_repr(&out, total);
			vl_buf_addf(&out, " \n\n%s\n\n", vl_buf_str(&lines));
		}
		vl_buf_release(&tasks);
		vl_buf_release(&lines);
	}
	if (json) {
		if (per_sample)
			vl_buf_addf(&out, ",\"per_line_parsed\":{%s}", vl_buf_str(&per));
		vl_score_ci_json(&ci, &out);
		vl_buf_addch(&out, '}');
		puts(vl_buf_str(&out));
	} else {
		vl_score_ci_text(&ci, &out);
		fputs(vl_buf_str(&out), stdout);
	}
	rc = 0;
out:
	for (size_t k = 0; all && k < 14; k++)
		task_lines_release(&all->t[k]);
	vl_free(all);
	vl_scoring_free(sc);
	vl_kv_release(&mopts);
	vl_score_ci_release(&ci);
	vl_buf_release(&out);
	vl_buf_release(&err);
	vl_buf_release(&path);
	vl_buf_release(&per);
	return rc;
}
