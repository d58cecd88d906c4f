/*
 * score-pope.c - `vleval score pope`: POPE answers against POPE question
 * files, through the same loader and metric the runner uses.
 *
 * Answers are JSON lines with "answer" (or "text"); they are paired with the
 * questions by "question_id" when every line carries one, else by line order
 * as the official evaluate.py does (--by-order forces that).
 */
#include "bench/cli.h"
#include "datasets/dataset.h"
#include "metrics/metric.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct answer_line {
	char *id;       /* NULL when the line has no question_id */
	char *text;
	size_t lineno;
};

static void free_answer(void *p)
{
	struct answer_line *a = p;
	if (a) {
		vl_free(a->id);
		vl_free(a->text);
		vl_free(a);
	}
}

/* Reads the answers file; bad lines are errors naming file and line. */
static int read_answers(const char *path, struct answer_line ***out, size_t *n,
			int lenient, struct vl_buf *err)
{
	struct vl_lines lines;
	struct answer_line **v = NULL;
	size_t cap = 0;
	int rc = vl_lines_open(&lines, path, err);

	*n = 0;
	if (rc < 0)
		return rc;
	while ((rc = vl_lines_next(&lines, err)) == 1) {
		struct answer_line *a;
		const cJSON *t, *q;
		struct vl_buf id = VL_BUF_INIT;
		size_t bad;
		cJSON *j;

		if (strspn(lines.line, " \t") == lines.len)
			continue;
		if (!vl_utf8_valid(lines.line, lines.len, &bad)) {
			vl_buf_addf(err, "'%s' line %zu: invalid UTF-8 at byte %zu", path, lines.lineno, bad + 1);
			goto bad;
		}
		j = cJSON_ParseWithLength(lines.line, lines.len);
		t = cJSON_GetObjectItemCaseSensitive(j, "answer");
		if (!t)
			t = cJSON_GetObjectItemCaseSensitive(j, "text");
		if (!cJSON_IsString(t)) {
			vl_buf_addf(err, "'%s' line %zu: %s", path, lines.lineno,
				    j ? "missing or non-string \"answer\"" : "invalid JSON");
			cJSON_Delete(j);
			goto bad;
		}
		a = vl_xcalloc(1, sizeof(*a));
		a->text = vl_xstrdup(t->valuestring);
		a->lineno = lines.lineno;
		q = cJSON_GetObjectItemCaseSensitive(j, "question_id");
		if (q && vl_json_id(q, &id) == 0)
			a->id = vl_buf_detach(&id, NULL);
		vl_buf_release(&id);
		cJSON_Delete(j);
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = vl_xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = a;
		continue;
bad:
		if (!lenient) {
			rc = VL_EPARSE;
			break;
		}
		vl_warn("skipped: %s", vl_buf_str(err));
		vl_buf_reset(err);
	}
	vl_lines_close(&lines);
	*out = v;
	return rc < 0 ? rc : 0;
}

int score_pope(int argc, char **argv)
{
	const char *qpath = NULL, *apath = NULL;
	int json = 0, help = 0, lenient = 0, by_order = 0, per_sample = 0, rc;
	const struct vl_opt opts[] = {
		{ "questions", VL_OPT_STRING, &qpath, "FILE", "POPE question file (JSON lines or array)" },
		{ "answers", VL_OPT_STRING, &apath, "FILE", "answers, JSON lines with \"answer\" or \"text\"" },
		{ "by-order", VL_OPT_FLAG, &by_order, NULL, "pair by line order, as evaluate.py does" },
		{ "per-sample", VL_OPT_FLAG, &per_sample, NULL, "include per-question predictions" },
		{ "lenient", VL_OPT_FLAG, &lenient, NULL, "score what can be scored, list what was skipped" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	const struct vl_metric *m = vl_metric_find("pope");
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT, per = VL_BUF_INIT;
	struct answer_line **answers = NULL;
	struct vl_strmap byid = { 0 };
	struct vl_dataset *ds = NULL;
	struct vl_dataset_spec spec;
	struct vl_sample s;
	cJSON *spec_json = NULL;
	size_t nans = 0, pos = 0, skipped = 0;
	void *st = NULL;
	int nv;

	vl_sample_init(&s);
	rc = vl_parse_opts("score pope", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval score pope --questions Q.jsonl --answers A.jsonl [--json]",
			      "Accuracy, precision, recall, F1 and yes-ratio with POPE's official answer\n"
			      "parsing (text before the first '.', a token No/no/not means no).", opts);
		return 0;
	}
	rc = VL_EXIT_USAGE;
	if (!qpath || !apath) {
		vl_error("score pope: --questions and --answers are required");
		return rc;
	}
	if (read_answers(apath, &answers, &nans, lenient, &err) < 0) {
		vl_error("score pope: %s", vl_buf_str(&err));
		goto out;
	}
	for (size_t i = 0; i < nans && !by_order; i++) {
		if (!answers[i]->id) {
			by_order = 1;   /* no ids: the official pairing */
			break;
		}
		if (!vl_strmap_put(&byid, answers[i]->id, answers[i])) {
			vl_error("score pope: '%s' line %zu: question_id '%s' answered twice", apath,
				 answers[i]->lineno, answers[i]->id);
			goto out;
		}
	}
	spec_json = cJSON_CreateObject();
	cJSON_AddStringToObject(spec_json, "format", "pope");
	cJSON_AddStringToObject(spec_json, "questions", qpath);
	/* the loader keeps a pointer to spec: it must live as long as ds */
	spec = (struct vl_dataset_spec){ "score", "", spec_json, !lenient };
	if (vl_dataset_open(&spec, &ds, &err) < 0) {
		vl_error("score pope: %s", vl_buf_str(&err));
		goto out;
	}
	st = m->new_state(NULL, &err);
	for (;;) {
		const struct answer_line *a = NULL;
		double score;
		int r;

		vl_buf_reset(&err);
		r = vl_dataset_next(ds, &s, &err);
		if (r == 0)
			break;
		if (r < 0) {
			if (!lenient || r != VL_EPARSE) {
				vl_error("score pope: %s", vl_buf_str(&err));
				goto out;
			}
			vl_warn("skipped: %s", vl_buf_str(&err));
			skipped++;
			continue;
		}
		if (by_order) {
			a = s.index < nans ? answers[s.index] : NULL;
		} else {
			void **p = vl_strmap_find(&byid, s.id);
			a = p ? *p : NULL;
		}
		if (!a) {
			if (!lenient) {
				vl_error("score pope: question '%s' of '%s' has no answer in '%s'%s", s.id,
					 qpath, apath, lenient ? "" : " (--lenient skips it)");
				goto out;
			}
			vl_warn("skipped: question '%s' has no answer", s.id);
			skipped++;
			vl_sample_release(&s);
			continue;
		}
		if (m->add(st, &s, a->text, &score, &err) < 0) {
			vl_error("score pope: %s", vl_buf_str(&err));
			goto out;
		}
		if (per_sample) {
			vl_buf_addf(&per, "%s", per.len ? "," : "");
			vl_buf_add_json_str(&per, s.id);
			vl_buf_addf(&per, ":\"%s\"", vl_pope_parse(a->text) == VL_LABEL_NO ? "no" : "yes");
		}
		pos++;
		vl_sample_release(&s);
	}
	if (by_order && pos != nans && !lenient) {
		vl_error("score pope: %zu questions but %zu answers (pairing by line order)", pos, nans);
		goto out;
	}
	nv = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	if (json) {
		vl_buf_addch(&out, '{');
		for (int i = 0; i < nv; i++) {
			vl_buf_addf(&out, "%s\"%s\":", i ? "," : "", vals[i].name);
			vl_buf_add_json_num(&out, vals[i].value);
		}
		vl_buf_addf(&out, ",\"n\":%zu,\"skipped\":%zu", pos, skipped);
		if (per_sample)
			vl_buf_addf(&out, ",\"per_question_pred\":{%s}", vl_buf_str(&per));
		vl_buf_addch(&out, '}');
		puts(vl_buf_str(&out));
	} else {
		for (int i = 0; i < nv; i++)
			printf("%-10s %.16g\n", vals[i].name, vals[i].value);
		printf("%-10s %zu\n", "n", pos);
		if (skipped)
			printf("%-10s %zu\n", "skipped", skipped);
	}
	rc = 0;
out:
	if (st)
		m->free_state(st);
	vl_sample_release(&s);
	vl_dataset_close(ds);
	cJSON_Delete(spec_json);
	for (size_t i = 0; i < nans; i++)
		free_answer(answers[i]);
	vl_free(answers);
	vl_strmap_release(&byid, NULL);
	vl_buf_release(&err);
	vl_buf_release(&out);
	vl_buf_release(&per);
	return rc;
}
