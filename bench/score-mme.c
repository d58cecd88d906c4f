/*
 * score-mme.c - `vleval score mme --results DIR`: MME's official layout
 * (DIR/<task>.txt, one line per question "image \t question \t GT \t
 * response", two consecutive lines per image) scored as the official
 * eval_tool/calculation.py does (BradyFU/Awesome-Multimodal-Large-Language-
 * Models, branch Evaluation, eval_tool.zip unchanged since 1c1d69e1).  This
 * is NOT VLMEvalKit's MME score (the built-in task "mme" computes that one):
 * the official script reads only the first four code points of a response.
 */
#include "bench/cli.h"
#include "metrics/mme.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

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
	const struct vl_opt opts[] = {
		{ "results", VL_OPT_STRING, &dir, "DIR", "folder with <task>.txt for the 14 tasks "
		  "(the official Your_Results layout)" },
		{ "per-sample", VL_OPT_FLAG, &per_sample, NULL, "include each line's yes/no/other" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	static const struct { const char *name; const char *const *tasks; size_t n; } types[] = {
		{ "Perception", vl_mme_perception, 10 },
		{ "Cognition", vl_mme_cognition, 4 },
	};
	struct vl_buf out = VL_BUF_INIT, err = VL_BUF_INIT, path = VL_BUF_INIT, per = VL_BUF_INIT;

	rc = vl_parse_opts("score mme", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval score mme --results DIR [--json] [--per-sample]",
			      "MME as its official calculation.py scores it: per task acc, acc+ (both\n"
			      "questions of an image right), score = acc*100 + acc+*100, and the\n"
			      "Perception and Cognition totals.  (VLMEvalKit's MME score, which looks\n"
			      "for the word yes/no anywhere, is the built-in task 'mme'.)", opts);
		return 0;
	}
	if (!dir) {
		vl_error("score mme: --results DIR is required");
		return VL_EXIT_USAGE;
	}
	if (json)
		vl_buf_adds(&out, "{\"scorer\":\"MME official eval_tool/calculation.py\"");
	for (size_t ty = 0; ty < 2; ty++) {
		struct vl_buf tasks = VL_BUF_INIT, lines = VL_BUF_INIT;
		double total = 0;   /* "scores = 0", then += each task in list order */

		for (size_t k = 0; k < types[ty].n; k++) {
			const char *name = types[ty].tasks[k];
			struct task_lines t = { 0 };
			struct vl_mme_task r;

			vl_buf_reset(&path);
			vl_buf_addf(&path, "%s/%s.txt", dir, name);
			vl_buf_reset(&err);
			if (read_task(vl_buf_str(&path), &t, &err) < 0) {
				vl_error("score mme: %s", vl_buf_str(&err));
				task_lines_release(&t);
				vl_buf_release(&tasks);
				vl_buf_release(&lines);
				rc = VL_EXIT_USAGE;
				goto out;
			}
			vl_mme_official_task(t.gt, t.pred, t.n, &r);
			total += r.score;
			if (json) {
				vl_buf_addf(&tasks, "%s", tasks.len ? "," : "");
				vl_buf_add_json_str(&tasks, name);
				vl_buf_adds(&tasks, ":{\"score\":");
				vl_buf_add_json_num(&tasks, r.score);
				vl_buf_adds(&tasks, ",\"acc\":");
				vl_buf_add_json_num(&tasks, r.acc);
				vl_buf_adds(&tasks, ",\"acc_plus\":");
				vl_buf_add_json_num(&tasks, r.acc_plus);
				vl_buf_addf(&tasks, ",\"TP\":%ld,\"FN\":%ld,\"TN\":%ld,\"FP\":%ld", r.tp,
					    r.fn, r.tn, r.fp);
				vl_buf_adds(&tasks, ",\"precision\":");
				vl_buf_add_json_num(&tasks, r.precision);
				vl_buf_adds(&tasks, ",\"recall\":");
				vl_buf_add_json_num(&tasks, r.recall);
				vl_buf_addf(&tasks, ",\"other_num\":%ld,\"n_questions\":%ld,"
					    "\"n_images\":%ld}", r.other_num, r.n_questions, r.n_images);
				if (per_sample) {
					vl_buf_addf(&per, "%s", per.len ? "," : "");
					vl_buf_add_json_str(&per, name);
					vl_buf_addch(&per, ':');
					for (size_t i = 0; i < t.n; i++)
						vl_buf_addf(&per, "%c\"%s\"", i ? ',' : '[',
							    label_name(t.pred[i]));
					vl_buf_addch(&per, ']');
				}
			} else {
				/* print("\t", task_name, " score:", score) */
				vl_buf_addf(&lines, "\t %s  score: ", name);
				vl_py_repr(&lines, r.score);
				vl_buf_addch(&lines, '\n');
			}
			task_lines_release(&t);
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
		vl_buf_addch(&out, '}');
		puts(vl_buf_str(&out));
	} else {
		fputs(vl_buf_str(&out), stdout);
	}
	rc = 0;
out:
	vl_buf_release(&out);
	vl_buf_release(&err);
	vl_buf_release(&path);
	vl_buf_release(&per);
	return rc;
}
