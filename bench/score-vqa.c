/*
 * score-vqa.c - `vleval score vqa`: scores a results file in the official
 * VQA format [{"question_id", "answer"}] against the official questions and
 * annotations files, through the same loader ("vqa") and metric
 * ("vqa_accuracy") the runner uses.
 *
 * Which questions are scored: like the official vqa.py loadRes, which
 * asserts that the results cover exactly the annotation set, every
 * annotation must have one result and every result an annotation; anything
 * else is an error naming file and item.  --lenient scores the annotations
 * that have a result, skips the rest and lists what it skipped.  Duplicate
 * results for a question are an error (the official code silently keeps
 * the last one; --lenient does the same and lists it).
 *
 * Output keys (--json) follow the official evaluator: overall,
 * perAnswerType, perQuestionType (rounded as vqaEval.py does), unrounded
 * (the same three at full precision) and, with --per-sample, perQuestion
 * (rounded percent) and perQuestionUnrounded (the fraction).
 */
#include "bench/cli.h"
#include "bench/score-io.h"
#include "datasets/dataset.h"
#include "core/jsonr.h"
#include "datasets/vqa.h"
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED 20

/* One result: question id -> answer, with where it came from. */
struct result {
	int64_t qid;
	size_t answer_off;  /* into results.text */
	size_t record;      /* 1-based position in the results array */
	size_t used;        /* annotation number that used it, 0: none yet */
};

struct results {
	struct result *v;
	size_t n, cap;
	struct vl_buf text;
	struct res_slot { int64_t qid; uint32_t idx; } *slots; /* hash: qid -> index + 1 */
	size_t nslots;
	size_t cursor;     /* the result expected next: results in annotation
	                      order need no hash probe (a cache miss each) */
};

static size_t res_slot(const struct results *rs, int64_t qid)
{
	uint64_t h = (uint64_t)qid;
	size_t i;

	h = (h ^ (h >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	h = (h ^ (h >> 27)) * UINT64_C(0x94d049bb133111eb);
	i = (size_t)(h ^ (h >> 31)) & (rs->nslots - 1);

	while (rs->slots[i].idx && rs->slots[i].qid != qid)
		i = (i + 1) & (rs->nslots - 1);
	return i;
}

static void res_rehash(struct results *rs)
{
	vl_free(rs->slots);
	rs->nslots = rs->nslots ? rs->nslots * 2 : 1024;
	rs->slots = vl_xcalloc(rs->nslots, sizeof(*rs->slots));
	for (size_t k = 0; k < rs->n; k++)
		rs->slots[res_slot(rs, rs->v[k].qid)] = (struct res_slot){ rs->v[k].qid, (uint32_t)(k + 1) };
}

static void results_release(struct results *rs)
{
	vl_free(rs->v);
	vl_buf_release(&rs->text);
	vl_free(rs->slots);
}

/* Reads the results file.  Record-level problems go to pb; returns 0, or
 * VL_EINVAL when the file is not readable JSON of the right shape. */
static int load_results(const char *path, struct results *rs, struct vl_score_problems *pb,
			struct vl_buf *err)
{
	struct vl_jsonr r;
	size_t rec = 0;
	int rc, t;

	rc = vl_jsonr_open(&r, path, err);
	if (rc < 0)
		return rc;
	t = vl_jsonr_next(&r, err);
	if (t != VL_J_ARR) {
		if (t != VL_J_ERROR)
			vl_buf_addf(err, "'%s': the top level is a JSON %s, expected an array of "
				    "{\"question_id\", \"answer\"} (the official results format)",
				    path, vl_jsonr_tok_name(t));
		vl_jsonr_close(&r);
		return VL_EINVAL;
	}
	while ((t = vl_jsonr_next(&r, err)) != VL_J_ARR_END) {
		int64_t qid = 0;
		int has_qid = 0, has_ans = 0;
		const char *bad = NULL;
		size_t line = r.tok_line, off = rs->text.len;

		if (t == VL_J_ERROR)
			goto broken;
		rec++;
		if (t != VL_J_OBJ) {
			if (vl_jsonr_skip(&r, t, err) < 0)
				goto broken;
			vl_score_problem(pb, "'%s' result %zu (line %zu): not a JSON object", path, rec, line);
			continue;
		}
		while ((t = vl_jsonr_next(&r, err)) == VL_J_KEY) {
			int k = !strcmp(r.str.buf, "question_id") ? 1 : !strcmp(r.str.buf, "answer") ? 2 : 0;
			t = vl_jsonr_next(&r, err);
			if (t == VL_J_ERROR)
				goto broken;
			if (k == 1) {
				has_qid = t == VL_J_NUM && r.is_int;
				qid = r.inum;
				if (!has_qid)
					bad = "question_id (not an integer)";
			} else if (k == 2 && t == VL_J_STR) {
				vl_buf_setlen(&rs->text, off);
				vl_buf_add(&rs->text, r.str.buf, r.str.len + 1);
				has_ans = 1;
			} else if (k == 2) {
				bad = "answer (not a string)";
			}
			if (vl_jsonr_skip(&r, t, err) < 0)
				goto broken;
		}
		if (t != VL_J_OBJ_END)
			goto broken;
		if (!bad && !has_qid)
			bad = "question_id";
		if (!bad && !has_ans)
			bad = "answer";
		if (bad) {
			vl_buf_setlen(&rs->text, off);
			if (has_qid)
				vl_score_problem(pb, "'%s' result %zu (line %zu, question_id %" PRId64
					"): missing or invalid \"%s\"", path, rec, line, qid, bad);
			else
				vl_score_problem(pb, "'%s' result %zu (line %zu): missing or invalid \"%s\"",
					path, rec, line, bad);
			continue;
		}
		if ((rs->n + 1) * 2 > rs->nslots)
			res_rehash(rs);
		size_t slot = res_slot(rs, qid);
		if (rs->slots[slot].idx) {
			struct result *prev = &rs->v[rs->slots[slot].idx - 1];
			vl_score_problem(pb, "'%s' result %zu (line %zu): duplicate question_id %" PRId64
				" (also result %zu; the last one is kept)", path, rec, line, qid,
				prev->record);
			prev->answer_off = off;
			prev->record = rec;
			continue;
		}
		if (rs->n == rs->cap) {
			rs->cap = rs->cap ? rs->cap * 2 : 4096;
			rs->v = vl_xrealloc(rs->v, rs->cap * sizeof(*rs->v));
		}
		rs->v[rs->n] = (struct result){ qid, off, rec, 0 };
		rs->slots[slot] = (struct res_slot){ qid, (uint32_t)++rs->n };
	}
	t = vl_jsonr_next(&r, err);
	if (t != VL_J_END)
		goto broken;
	vl_jsonr_close(&r);
	return 0;
broken:
	vl_jsonr_close(&r);
	return VL_EINVAL;
}

/* Positions of the scored samples per breakdown value, in first-appearance
 * order (the order of the official dicts). */
struct groups {
	uint32_t table[256];   /* hash of the key -> group + 1 (0: look further) */
	struct vl_strv keys;
	size_t **idx;
	size_t *n, *cap;
	size_t ng, gcap;
};

static void group_add(struct groups *g, const char *key, size_t pos)
{
	size_t i, len = strlen(key);
	uint32_t h = (uint32_t)vl_hash64(key, len, VL_HASH_SEED) & 255;

	i = g->table[h] ? g->table[h] - 1 : g->ng;
	if (i == g->ng || strcmp(g->keys.v[i], key))
		for (i = 0; i < g->ng; i++)
			if (!strcmp(g->keys.v[i], key))
				break;
	g->table[h] = (uint32_t)i + 1;
	if (i == g->ng) {
		if (g->ng == g->gcap) {
			g->gcap = g->gcap ? g->gcap * 2 : 16;
			g->idx = vl_xrealloc(g->idx, g->gcap * sizeof(*g->idx));
			g->n = vl_xrealloc(g->n, g->gcap * sizeof(*g->n));
			g->cap = vl_xrealloc(g->cap, g->gcap * sizeof(*g->cap));
		}
		vl_strv_push(&g->keys, key);
		g->idx[i] = NULL;
		g->n[i] = g->cap[i] = 0;
		g->ng++;
	}
	if (g->n[i] == g->cap[i]) {
		g->cap[i] = g->cap[i] ? g->cap[i] * 2 : 64;
		g->idx[i] = vl_xrealloc(g->idx[i], g->cap[i] * sizeof(size_t));
	}
	g->idx[i][g->n[i]++] = pos;
}

static void groups_release(struct groups *g)
{
	for (size_t i = 0; i < g->ng; i++)
		vl_free(g->idx[i]);
	vl_free(g->idx);
	vl_free(g->n);
	vl_free(g->cap);
	vl_strv_release(&g->keys);
}

struct scored {
	const struct vl_metric *m;
	void *st;
	struct groups by_atype, by_qtype;
	struct vl_strv ids;      /* per scored sample, with --per-sample */
	double *acc;             /* per scored sample, with --per-sample */
	size_t n, cap;
};

/* overall value (rounded, unrounded) of a subset through the metric. */
static void subset_value(const struct scored *sc, const size_t *idx, size_t n, double *rounded,
			 double *unrounded)
{
	struct vl_metric_value v[4];
	int k = sc->m->finish(sc->st, idx, n, v, 4);

	*rounded = k > 0 ? v[0].value : NAN;
	*unrounded = k > 1 ? v[1].value : NAN;
}

static void json_groups(struct vl_buf *o, const struct scored *sc, const struct groups *g,
			int rounded)
{
	vl_buf_addch(o, '{');
	for (size_t i = 0; i < g->ng; i++) {
		double r, u;
		subset_value(sc, g->idx[i], g->n[i], &r, &u);
		if (i)
			vl_buf_adds(o, ", ");
		vl_buf_add_json_str(o, g->keys.v[i]);
		vl_buf_adds(o, ": ");
		vl_buf_add_json_num(o, rounded ? r : u);
	}
	vl_buf_addch(o, '}');
}

static void print_json(const struct scored *sc, const char *revision, int per_sample,
		       const struct vl_score_problems *pb, int lenient)
{
	struct vl_buf o = VL_BUF_INIT;
	double r, u;

	subset_value(sc, NULL, 0, &r, &u);
	vl_buf_adds(&o, "{\"overall\": ");
	vl_buf_add_json_num(&o, r);
	vl_buf_adds(&o, ", \"perAnswerType\": ");
	json_groups(&o, sc, &sc->by_atype, 1);
	vl_buf_adds(&o, ", \"perQuestionType\": ");
	json_groups(&o, sc, &sc->by_qtype, 1);
	vl_buf_adds(&o, ", \"unrounded\": {\"overall\": ");
	vl_buf_add_json_num(&o, u);
	vl_buf_adds(&o, ", \"perAnswerType\": ");
	json_groups(&o, sc, &sc->by_atype, 0);
	vl_buf_adds(&o, ", \"perQuestionType\": ");
	json_groups(&o, sc, &sc->by_qtype, 0);
	vl_buf_addf(&o, "}, \"n\": %zu, \"revision\": ", sc->n);
	vl_buf_add_json_str(&o, revision);
	if (per_sample) {
		for (int pass = 0; pass < 2; pass++) {
			vl_buf_adds(&o, pass ? ", \"perQuestionUnrounded\": {" : ", \"perQuestion\": {");
			for (size_t i = 0; i < sc->n; i++) {
				if (i)
					vl_buf_adds(&o, ", ");
				vl_buf_add_json_str(&o, sc->ids.v[i]);
				vl_buf_adds(&o, ": ");
				/* setEvalQA: round(100*acc, 2) */
				vl_buf_add_json_num(&o, pass ? sc->acc[i] : vl_py_round(100 * sc->acc[i], 2));
			}
			vl_buf_addch(&o, '}');
		}
	}
	if (lenient) {
		vl_buf_addf(&o, ", \"skipped_count\": %zu, \"skipped\": ", pb->count);
		vl_score_json_strings(&o, (const char *const *)pb->msgs.v, pb->msgs.n);
	}
	vl_buf_adds(&o, "}\n");
	fwrite(o.buf, 1, o.len, stdout);
	vl_buf_release(&o);
}

static void print_table(const struct scored *sc, const char *revision)
{
	double r, u;

	subset_value(sc, NULL, 0, &r, &u);
	printf("VQA accuracy (official vqaEval.py, %s revision), %zu questions\n\n", revision, sc->n);
	printf("%-32s %8.2f\n", "overall", r);
	for (int pass = 0; pass < 2; pass++) {
		const struct groups *g = pass ? &sc->by_qtype : &sc->by_atype;
		printf("\n%-32s %8s %8s\n", pass ? "per question type" : "per answer type", "acc", "n");
		for (size_t i = 0; i < g->ng; i++) {
			subset_value(sc, g->idx[i], g->n[i], &r, &u);
			printf("  %-30s %8.2f %8zu\n", g->keys.v[i], r, g->n[i]);
		}
	}
}

static void report_problems(const struct vl_score_problems *pb, int lenient)
{
	size_t shown = vl_score_problems_print(pb, lenient, MAX_LISTED);

	if (pb->count > shown)
		fprintf(stderr, "vleval: ... and %zu more\n", pb->count - shown);
	if (!lenient)
		fprintf(stderr, "vleval: %zu problem(s) in the inputs; fix them, or pass --lenient "
			"to score only the questions that have both an annotation and a result\n",
			pb->count);
}

/* The result of annotation rec: its index in rs, or -1 (noted in pb). */
static long find_result(struct results *rs, const struct vl_vqa_record *rec, const char *qid_text,
			size_t ann, const char *rpath, const char *apath, struct vl_score_problems *pb)
{
	size_t k;

	if (rs->cursor < rs->n && rs->v[rs->cursor].qid == rec->qid) {
		k = rs->cursor;
	} else {
		size_t slot = rs->nslots ? res_slot(rs, rec->qid) : 0;
		if (!rs->nslots || !rs->slots[slot].idx) {
			vl_score_problem(pb, "'%s' has no result for question_id %s (annotation in '%s')",
					 rpath, qid_text, apath);
			return -1;
		}
		k = rs->slots[slot].idx - 1;
	}
	rs->cursor = k + 1;
	if (rs->v[k].used) {
		vl_score_problem(pb, "'%s' annotation %zu: duplicate question_id %s (first in annotation %zu)",
				 apath, ann, qid_text, rs->v[k].used);
		return -1;
	}
	rs->v[k].used = ann;
	return (long)k;
}

/* Scores one annotation against its result text; 0, or -1 (noted in pb). */
static int score_one(struct scored *sc, const struct vl_vqa_record *rec, const char *qid_text,
		     const char *answer, int per_sample, const char *apath,
		     struct vl_score_problems *pb, struct vl_buf *err)
{
	struct vl_sample s;
	double score;
	int rc;

	/* The fast path of the loader: ground truth as borrowed views, no
	 * struct vl_sample per question.  The metric still sees a sample:
	 * a view whose answers borrow the record's (never released). */
	vl_sample_init(&s);
	s.id = (char *)qid_text;
	s.answers.v = (char **)rec->answers;
	s.answers.n = rec->nanswers;
	rc = sc->m->add(sc->st, &s, answer, &score, err);
	if (rc < 0) {
		vl_score_problem(pb, "'%s': %s", apath, vl_buf_str(err));
		return -1;
	}
	group_add(&sc->by_atype, rec->answer_type, sc->n);
	group_add(&sc->by_qtype, rec->question_type, sc->n);
	if (per_sample) {
		if (sc->n == sc->cap) {
			sc->cap = sc->cap ? sc->cap * 2 : 4096;
			sc->acc = vl_xrealloc(sc->acc, sc->cap * sizeof(double));
		}
		sc->acc[sc->n] = score;
		vl_strv_push(&sc->ids, qid_text);
	}
	sc->n++;
	return 0;
}

/* Scores every annotation of ds with its result; 0, or -1 after printing
 * an error that stops the reading. */
static int score_annotations(struct scored *sc, struct vl_dataset *ds, struct results *rs,
			     const char *rpath, const char *apath, int per_sample,
			     struct vl_score_problems *pb)
{
	struct vl_buf err = VL_BUF_INIT;
	int rc = 0;

	for (size_t ann = 1;; ann++) {
		struct vl_vqa_record rec;
		char qid_text[32];
		long k;

		vl_buf_reset(&err);
		rc = vl_vqa_next_record(ds, &rec, &err);
		if (rc == 0)
			break;
		if (rc == VL_EPARSE) {
			vl_score_problem(pb, "%s", vl_buf_str(&err));
			continue;
		}
		if (rc < 0) {
			vl_error("%s", vl_buf_str(&err));
			break;
		}
		snprintf(qid_text, sizeof(qid_text), "%" PRId64, rec.qid);
		k = find_result(rs, &rec, qid_text, ann, rpath, apath, pb);
		if (k >= 0)
			score_one(sc, &rec, qid_text, rs->text.buf + rs->v[k].answer_off, per_sample,
				  apath, pb, &err);
	}
	for (size_t i = 0; rc == 0 && i < rs->n; i++)
		if (!rs->v[i].used)
			vl_score_problem(pb, "'%s' result %zu: question_id %" PRId64 " has no usable "
					 "annotation in '%s'", rpath, rs->v[i].record, rs->v[i].qid, apath);
	vl_buf_release(&err);
	return rc < 0 ? -1 : 0;
}

int score_vqa(int argc, char **argv)
{
	const char *qpath = NULL, *apath = NULL, *rpath = NULL, *revision = "2021";
	int json = 0, per_sample = 0, lenient = 0, help = 0, rc, exit_code = VL_EXIT_USAGE;
	const struct vl_opt opts[] = {
		{ "questions", VL_OPT_STRING, &qpath, "FILE", "official questions JSON (required)" },
		{ "annotations", VL_OPT_STRING, &apath, "FILE", "official annotations JSON (required)" },
		{ "results", VL_OPT_STRING, &rpath, "FILE", "results [{\"question_id\", \"answer\"}] (required)" },
		{ "revision", VL_OPT_STRING, &revision, "REV", "vqaEval.py revision: 2021 (default) or 2017" },
		{ "per-sample", VL_OPT_FLAG, &per_sample, NULL, "also per-question accuracies" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print a JSON object instead of a table" },
		{ "lenient", VL_OPT_FLAG, &lenient, NULL, "score what can be scored, list what was skipped" },
		{ NULL },
	};
	struct vl_buf err = VL_BUF_INIT;
	struct results rs = { 0 };
	struct vl_score_problems pb = { { 0 }, 0 };
	struct scored sc = { 0 };
	struct vl_kv mopts = { { 0 }, { 0 } };
	struct vl_score_dataset d = { 0 };
	enum vl_vqa_revision rev;

	rc = vl_parse_opts("score vqa", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval score vqa --questions Q.json --annotations A.json --results R.json "
			      "[--per-sample] [--revision 2017] [--lenient] [--json]",
			      "VQA accuracy exactly as the official GT-Vision-Lab/VQA vqaEval.py computes it.",
			      opts);
		return 0;
	}
	if (!qpath || !apath || !rpath) {
		vl_error("score vqa: --questions, --annotations and --results are required");
		return VL_EXIT_USAGE;
	}
	if (vl_vqa_revision_parse(revision, &rev) < 0) {
		vl_error("score vqa: unknown --revision '%s' (known: 2021, 2017)", revision);
		return VL_EXIT_USAGE;
	}

	/* The dataset opens first: its annotations are parsed on a thread
	 * (datasets/vqa.c) while the results load here.  Errors are still
	 * reported as if the results had been read first. */
	{
		const char *const kv[] = { "questions", qpath, "annotations", apath, NULL };
		struct vl_buf derr = VL_BUF_INIT;
		int drc = vl_score_dataset_open(&d, "score vqa", "vqa", kv, 0, &derr);

		rc = load_results(rpath, &rs, &pb, &err);
		if (rc < 0 || drc < 0)
			vl_error("%s", vl_buf_str(rc < 0 ? &err : &derr));
		vl_buf_release(&derr);
		if (rc < 0 || drc < 0)
			goto out;
	}
	sc.m = vl_metric_find("vqa_accuracy");
	vl_kv_set(&mopts, "revision", revision);
	sc.st = sc.m->new_state(&mopts, &err);
	if (score_annotations(&sc, d.ds, &rs, rpath, apath, per_sample, &pb) < 0)
		goto out;
	if (pb.count) {
		report_problems(&pb, lenient);
		if (!lenient)
			goto out;
	}
	if (!sc.n) {
		vl_error("score vqa: no question could be scored");
		goto out;
	}
	if (json)
		print_json(&sc, revision, per_sample, &pb, lenient);
	else
		print_table(&sc, revision);
	exit_code = VL_EXIT_OK;
out:
	if (sc.m && sc.st)
		sc.m->free_state(sc.st);
	groups_release(&sc.by_atype);
	groups_release(&sc.by_qtype);
	vl_strv_release(&sc.ids);
	vl_free(sc.acc);
	vl_score_dataset_close(&d);
	results_release(&rs);
	vl_score_problems_release(&pb);
	vl_kv_release(&mopts);
	vl_buf_release(&err);
	return exit_code;
}
