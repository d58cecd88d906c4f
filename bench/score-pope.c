/*
 * score-pope.c - `vleval score pope`: POPE answers against POPE question
 * files, through the same loader and metric the runner uses.
 *
 * Answers are JSON lines with "answer" (or "text"); they are paired with the
 * questions by "question_id" when every line carries one, else by line order
 * as the official evaluate.py does (--by-order forces that).
 */
#include "bench/cli.h"
#include "bench/score-ci.h"
#include "bench/score-io.h"
#include "bench/scoring.h"
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

/* The state of one `score pope`. */
struct pope_run {
	const char *qpath, *apath;
	int lenient, by_order, per_sample;
	struct answer_line **answers;
	size_t nans, pos, skipped;
	struct vl_strmap byid;
	struct vl_scoring *sc;    /* the one scoring path, metric "pope" */
	struct vl_buf refusal;    /* why the metric refused a sample */
	struct vl_buf per;     /* per-question predictions, JSON members */
};

/* Pairs the answers by question_id when every one has an id (else by
 * order); 0, or -1 after printing the error. */
static int index_answers(struct pope_run *p)
{
	for (size_t i = 0; i < p->nans && !p->by_order; i++) {
		if (!p->answers[i]->id) {
			p->by_order = 1;   /* no ids: the official pairing */
			return 0;
		}
		if (!vl_strmap_put(&p->byid, p->answers[i]->id, p->answers[i])) {
			vl_error("score pope: '%s' line %zu: question_id '%s' answered twice", p->apath,
				 p->answers[i]->lineno, p->answers[i]->id);
			return -1;
		}
	}
	return 0;
}

/* The answer of question s, or NULL. */
static const struct answer_line *answer_of(const struct pope_run *p, const struct vl_sample *s)
{
	void **v;

	if (p->by_order)
		return s->index < p->nans ? p->answers[s->index] : NULL;
	v = vl_strmap_find(&p->byid, s->id);
	return v ? *v : NULL;
}

static void on_refusal(void *ctx, const char *metric, const char *sample_id, size_t nth,
		       const char *msg)
{
	struct pope_run *p = ctx;

	vl_buf_reset(&p->refusal);
	vl_buf_adds(&p->refusal, msg);
}

/* Scores every question of ds that has an answer; 0, or -1 after printing
 * the error. */
static int score_questions(struct pope_run *p, struct vl_dataset *ds, struct vl_buf *err)
{
	struct vl_sample s;
	int rc = -1;

	vl_sample_init(&s);
	for (;;) {
		const struct answer_line *a;
		int r;

		vl_buf_reset(err);
		vl_sample_release(&s);
		r = vl_dataset_next(ds, &s, err);
		if (r == 0)
			break;
		if (r < 0) {
			if (!p->lenient || r != VL_EPARSE) {
				vl_error("score pope: %s", vl_buf_str(err));
				goto out;
			}
			vl_warn("skipped: %s", vl_buf_str(err));
			p->skipped++;
			continue;
		}
		if (!(a = answer_of(p, &s))) {
			if (!p->lenient) {
				vl_error("score pope: question '%s' of '%s' has no answer in '%s' "
					 "(--lenient skips it)", s.id, p->qpath, p->apath);
				goto out;
			}
			vl_warn("skipped: question '%s' has no answer", s.id);
			p->skipped++;
			continue;
		}
		if (vl_scoring_add(p->sc, &s, a->text, NULL, on_refusal, p) != 0) {
			vl_error("score pope: %s", vl_buf_str(&p->refusal));
			goto out;
		}
		if (p->per_sample) {
			vl_buf_addf(&p->per, "%s", p->per.len ? "," : "");
			vl_buf_add_json_str(&p->per, s.id);
			vl_buf_addf(&p->per, ":\"%s\"", vl_pope_parse(a->text) == VL_LABEL_NO ? "no" : "yes");
		}
		p->pos++;
	}
	if (p->by_order && p->pos != p->nans && !p->lenient) {
		vl_error("score pope: %zu questions but %zu answers (pairing by line order)", p->pos,
			 p->nans);
		goto out;
	}
	rc = 0;
out:
	vl_sample_release(&s);
	return rc;
}

static void print_pope(struct pope_run *p, int json, struct vl_score_ci *ci)
{
	struct vl_buf out = VL_BUF_INIT;

	vl_score_ci_finish(p->sc, "pope", NULL, ci);
	if (json) {
		vl_buf_addch(&out, '{');
		for (size_t i = 0; i < ci->names.n; i++) {
			vl_buf_adds(&out, i ? "," : "");
			vl_buf_add_json_str(&out, ci->names.v[i]);
			vl_buf_addch(&out, ':');
			vl_buf_add_json_num(&out, ci->value[i]);
		}
		vl_buf_addf(&out, ",\"n\":%zu,\"skipped\":%zu", p->pos, p->skipped);
		if (p->per_sample)
			vl_buf_addf(&out, ",\"per_question_pred\":{%s}", vl_buf_str(&p->per));
		vl_score_ci_json(ci, &out);
		vl_buf_addch(&out, '}');
		puts(vl_buf_str(&out));
	} else {
		for (size_t i = 0; i < ci->names.n; i++)
			printf("%-10s %.16g\n", ci->names.v[i], ci->value[i]);
		printf("%-10s %zu\n", "n", p->pos);
		if (p->skipped)
			printf("%-10s %zu\n", "skipped", p->skipped);
		vl_score_ci_text(ci, &out);
		fputs(vl_buf_str(&out), stdout);
	}
	vl_buf_release(&out);
}

int score_pope(int argc, char **argv)
{
	static const char *const metric[] = { "pope" };
	struct pope_run p = { 0 };
	struct vl_score_ci ci;
	long resamples = 0, seed = 0;
	double level = 0.95;
	int json = 0, help = 0, rc;
	const struct vl_opt opts[] = {
		{ "questions", VL_OPT_STRING, &p.qpath, "FILE", "POPE question file (JSON lines or array)" },
		{ "answers", VL_OPT_STRING, &p.apath, "FILE", "answers, JSON lines with \"answer\" or \"text\"" },
		{ "by-order", VL_OPT_FLAG, &p.by_order, NULL, "pair by line order, as evaluate.py does" },
		{ "per-sample", VL_OPT_FLAG, &p.per_sample, NULL, "include per-question predictions" },
		{ "lenient", VL_OPT_FLAG, &p.lenient, NULL, "score what can be scored, list what was skipped" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap intervals (default 0: none, "
		  "1000 is usual)" },
		{ "seed", VL_OPT_LONG, &seed, "N", "bootstrap seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &level, "P", "confidence level (default 0.95)" },
		{ NULL },
	};
	struct vl_buf err = VL_BUF_INIT;
	struct vl_score_dataset d = { 0 };

	memset(&ci, 0, sizeof(ci));
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
	if (!p.qpath || !p.apath) {
		vl_error("score pope: --questions and --answers are required");
		return rc;
	}
	if (resamples < 0 || resamples > 1000000 || !(level > 0 && level < 1)) {
		vl_error("score pope: --resamples must be 0..1000000 and --ci-level in (0, 1)");
		return rc;
	}
	ci.ci = (struct vl_scoring_ci){ (int)resamples, (uint64_t)seed, level };
	if (read_answers(p.apath, &p.answers, &p.nans, p.lenient, &err) < 0) {
		vl_error("score pope: %s", vl_buf_str(&err));
		goto out;
	}
	if (index_answers(&p) < 0)
		goto out;
	if (vl_score_dataset_open(&d, "score", "pope", (const char *const[]){ "questions", p.qpath, NULL },
				  !p.lenient, &err) < 0) {
		vl_error("score pope: %s", vl_buf_str(&err));
		goto out;
	}
	p.sc = vl_scoring_new(metric, 1, NULL, NULL, &err);
	if (score_questions(&p, d.ds, &err) < 0)
		goto out;
	print_pope(&p, json, &ci);
	rc = 0;
out:
	vl_scoring_free(p.sc);
	vl_score_ci_release(&ci);
	vl_buf_release(&p.refusal);
	vl_score_dataset_close(&d);
	for (size_t i = 0; i < p.nans; i++)
		free_answer(p.answers[i]);
	vl_free(p.answers);
	vl_strmap_release(&p.byid, NULL);
	vl_buf_release(&err);
	vl_buf_release(&p.per);
	return rc;
}
