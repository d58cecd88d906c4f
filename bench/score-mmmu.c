/*
 * score-mmmu.c - `vleval score mmmu`: MMMU outputs scored as the official
 * code does (MMMU-Benchmark/MMMU bb0b95a; mmmu/ unchanged since aa9b70d).
 *
 *   --outputs DIR   DIR/<Subject>/output.json (id, question_type, answer,
 *                   all_choices, index2ans, response), parsed and judged as
 *                   main_parse_and_eval.py, summed up as print_results.py;
 *                   with --answers, the ground truth comes from answer_dict.
 *   --total FILE --answers answer_dict.json
 *                   main_eval_only.py: FILE maps id -> the parsed letter
 *                   (multiple choice) or the raw response (open).
 *
 * Subjects are processed in the official CAT_SHORT2LONG order, which is
 * also the order of the fallback draws: a multiple-choice response from
 * which nothing parses gets random.choice(all_choices) from Python's
 * generator seeded with 42, as the official code does (--fallback wrong
 * counts it wrong instead).  Every draw is listed and the parse-failure
 * rate is printed beside the score.
 *
 * With --outputs, every item also goes through the one scoring path (the
 * "mmmu" metric, whose fallback draws the same options in the same order),
 * which gives bootstrap intervals (--resamples).
 */
#include "bench/cli.h"
#include "bench/score-ci.h"
#include "bench/scoring.h"
#include "metrics/mmmu.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct cat_result {
	long n, right;
	int present;
};

static cJSON *load_json(const char *path, struct vl_buf *err)
{
	struct vl_buf text = VL_BUF_INIT;
	cJSON *j = NULL;

	if (vl_read_file(path, &text, err) == 0) {
		j = cJSON_ParseWithLength(text.buf, text.len);
		if (!j)
			vl_buf_addf(err, "'%s': invalid JSON", path);
	}
	vl_buf_release(&text);
	return j;
}

/* Gold answers of a JSON string or list into v (borrowed strings). */
static int gold_of(const cJSON *a, const char **v, size_t max, size_t *n)
{
	const cJSON *e;

	*n = 0;
	if (cJSON_IsString(a)) {
		v[(*n)++] = a->valuestring;
		return 0;
	}
	if (!cJSON_IsArray(a))
		return VL_EINVAL;
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsString(e) || *n == max)
			return VL_EINVAL;
		v[(*n)++] = e->valuestring;
	}
	return 0;
}

static void add_value(struct vl_buf *b, const struct vl_mmmu_value *v)
{
	if (v->is_num)
		vl_buf_add_json_num(b, v->num);
	else
		vl_buf_add_json_str(b, v->str);
}

/* The item as a sample of the "mmmu" metric: options A.. (index2ans in
 * all_choices order), the gold letter or the gold answers. */
static void add_to_scoring(struct vl_scoring *sc, const struct vl_mmmu_item *it, const char *id)
{
	struct vl_sample s;

	vl_sample_init(&s);
	s.id = vl_xstrdup(id);
	if (it->multiple_choice) {
		for (size_t i = 0; i < it->nchoices; i++) {
			const char *text = "";
			for (size_t k = 0; k < it->nans; k++)
				if (!strcmp(it->keys[k], it->choices[i]))
					text = it->texts[k];
			vl_strv_push(&s.options, text);
		}
		if (it->ngold)
			s.answer_letter = vl_xstrdup(it->gold[0]);
	} else {
		for (size_t i = 0; i < it->ngold; i++)
			vl_strv_push(&s.answers, it->gold[i]);
	}
	vl_scoring_add(sc, &s, it->response, NULL, NULL, NULL);
	vl_sample_release(&s);
}

/* tabulate(..., tablefmt='orgtbl') of print_results.py */
static void print_table(const char *const *names, const long *nums, const double *accs, size_t n)
{
	struct vl_buf *acc = vl_xcalloc(n, sizeof(*acc));
	/* tabulate pads every header by two (MIN_PADDING) */
	size_t wn = strlen("Subject") + 2, wd = strlen("Data Num") + 2, wa = strlen("Acc") + 2;
	size_t frac = 0;

	for (size_t i = 0; i < n; i++) {
		char tmp[32];
		const char *dot;
		vl_py_repr(&acc[i], accs[i]);
		dot = strchr(vl_buf_str(&acc[i]), '.');
		if (dot && strlen(dot + 1) > frac)
			frac = strlen(dot + 1);
		if (strlen(names[i]) > wn)
			wn = strlen(names[i]);
		snprintf(tmp, sizeof(tmp), "%ld", nums[i]);
		if (strlen(tmp) > wd)
			wd = strlen(tmp);
	}
	/* floats are aligned on the decimal point */
	for (size_t i = 0; i < n; i++) {
		const char *dot = strchr(vl_buf_str(&acc[i]), '.');
		size_t have = dot ? strlen(dot + 1) : 0;
		for (size_t k = have; k < frac; k++)
			vl_buf_addch(&acc[i], ' ');
		if (acc[i].len > wa)
			wa = acc[i].len;
	}
	printf("| %-*s | %*s | %*s |\n", (int)wn, "Subject", (int)wd, "Data Num", (int)wa, "Acc");
	printf("|");
	for (size_t k = 0; k < wn + 2; k++)
		putchar('-');
	printf("+");
	for (size_t k = 0; k < wd + 2; k++)
		putchar('-');
	printf("+");
	for (size_t k = 0; k < wa + 2; k++)
		putchar('-');
	printf("|\n");
	for (size_t i = 0; i < n; i++) {
		printf("| %-*s | %*ld | %*s |\n", (int)wn, names[i], (int)wd, nums[i], (int)wa,
		       vl_buf_str(&acc[i]));
		vl_buf_release(&acc[i]);
	}
	vl_free(acc);
}

int score_mmmu(int argc, char **argv)
{
	const char *outputs = NULL, *answers_path = NULL, *total_path = NULL;
	const char *fallback = "random";
	long seed = 42, resamples = 0, ci_seed = 0;
	double level = 0.95;
	int json = 0, help = 0, per_sample = 0, rc;
	const struct vl_opt opts[] = {
		{ "outputs", VL_OPT_STRING, &outputs, "DIR", "<Subject>/output.json files "
		  "(main_parse_and_eval.py input)" },
		{ "answers", VL_OPT_STRING, &answers_path, "FILE", "answer_dict.json (ground truth)" },
		{ "total", VL_OPT_STRING, &total_path, "FILE", "total_output.json: id -> parsed "
		  "letter or response (main_eval_only.py input)" },
		{ "fallback", VL_OPT_STRING, &fallback, "random|wrong", "unparsed multiple choice: "
		  "the official seeded random.choice (default) or wrong" },
		{ "fallback-seed", VL_OPT_LONG, &seed, "N", "seed of the random fallback "
		  "(official: 42)" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap intervals of the accuracy "
		  "(--outputs; default 0: none)" },
		{ "seed", VL_OPT_LONG, &ci_seed, "N", "bootstrap seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &level, "P", "confidence level (default 0.95)" },
		{ "per-sample", VL_OPT_FLAG, &per_sample, NULL, "include each item's parsed "
		  "prediction and judgement" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	struct cat_result cats[30];
	struct vl_buf err = VL_BUF_INIT, path = VL_BUF_INIT, out = VL_BUF_INIT, per = VL_BUF_INIT;
	struct vl_buf draws = VL_BUF_INIT, subj = VL_BUF_INIT;
	struct vl_pyrandom rng;
	static const char *const metric[] = { "mmmu" };
	struct vl_scoring *sc = NULL;
	struct vl_score_ci ci;
	struct vl_kv mopts = { 0 };
	char seedtxt[32];
	cJSON *answers = NULL, *total = NULL;
	long n_all = 0, fails = 0, drawn = 0, n_mc = 0;

	memset(cats, 0, sizeof(cats));
	memset(&ci, 0, sizeof(ci));
	rc = vl_parse_opts("score mmmu", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval score mmmu --outputs DIR [--answers answer_dict.json] [--json]\n"
			      "       vleval score mmmu --total total_output.json --answers "
			      "answer_dict.json",
			      "MMMU as its official scripts score it: the official parsing of multiple-\n"
			      "choice and open answers, accuracy per subject and per discipline.  An\n"
			      "unparsed multiple-choice answer gets the official seeded random option;\n"
			      "each such draw is listed, and the parse-failure rate is printed.", opts);
		return 0;
	}
	rc = VL_EXIT_USAGE;
	if (!!outputs == !!total_path || (total_path && !answers_path)) {
		vl_error("score mmmu: give --outputs DIR, or --total FILE with --answers FILE");
		return rc;
	}
	if (strcmp(fallback, "random") && strcmp(fallback, "wrong")) {
		vl_error("score mmmu: --fallback must be 'random' or 'wrong', not '%s'", fallback);
		return rc;
	}
	if (seed < 0 || seed > 0xffffffffL) {
		vl_error("score mmmu: --fallback-seed must be in 0..4294967295");
		return rc;
	}
	if (resamples < 0 || resamples > 1000000 || !(level > 0 && level < 1) ||
	    (resamples && !outputs)) {
		vl_error("score mmmu: --resamples (0..1000000) needs --outputs; --ci-level in (0, 1)");
		return rc;
	}
	vl_pyrandom_seed(&rng, (uint32_t)seed);
	snprintf(seedtxt, sizeof(seedtxt), "%ld", seed);
	vl_kv_set(&mopts, "mmmu_fallback", fallback);
	vl_kv_set(&mopts, "mmmu_seed", seedtxt);
	if (outputs)
		sc = vl_scoring_new(metric, 1, &mopts, NULL, &err);
	if (answers_path && !(answers = load_json(answers_path, &err))) {
		vl_error("score mmmu: %s", vl_buf_str(&err));
		goto out;
	}
	if (total_path && !(total = load_json(total_path, &err))) {
		vl_error("score mmmu: %s", vl_buf_str(&err));
		goto out;
	}
	/* its members' names are the ids (a list has none) */
	if (total && !cJSON_IsObject(total)) {
		vl_error("score mmmu: '%s': expected an object of id -> response "
			 "(total_output.json)", total_path);
		goto out;
	}
	for (size_t c = 0; c < 30; c++) {
		const char *subject = vl_mmmu_subjects[c];
		cJSON *items = NULL;
		const cJSON *it, **sel = NULL;
		size_t nsel = 0;
		long pos = 0;

		if (outputs) {
			vl_buf_reset(&path);
			vl_buf_addf(&path, "%s/%s/output.json", outputs, subject);
			if (access(vl_buf_str(&path), F_OK) != 0)
				continue;   /* a subject not evaluated */
			vl_buf_reset(&err);
			items = load_json(vl_buf_str(&path), &err);
			if (!cJSON_IsArray(items)) {
				vl_error("score mmmu: %s", err.len ? vl_buf_str(&err) : "not a list");
				cJSON_Delete(items);
				goto out;
			}
			sel = vl_xcalloc((size_t)cJSON_GetArraySize(items) + 1, sizeof(*sel));
			cJSON_ArrayForEach(it, items)
				sel[nsel++] = it;
		} else {
			/* main_eval_only: group total_output by "_".join(id.split("_")[1:-1]) */
			sel = vl_xcalloc((size_t)cJSON_GetArraySize(total) + 1, sizeof(*sel));
			cJSON_ArrayForEach(it, total) {
				vl_mmmu_subject_of(it->string, &subj);
				if (!strcmp(vl_buf_str(&subj), subject))
					sel[nsel++] = it;
			}
			if (!nsel) {
				vl_free(sel);
				continue;
			}
		}
		cats[c].present = 1;
		for (size_t q = 0; q < nsel; q++) {
			const char *id, *qtype, *resp;
			const char *gold[64], *keys[26], *texts[26], *choices[26];
			const cJSON *ans = NULL, *e;
			struct vl_mmmu_item item = { 0 };
			struct vl_mmmu_result res;
			size_t nc = 0, na = 0;

			it = sel[q];
			pos++;
			if (outputs) {
				const cJSON *j = cJSON_GetObjectItemCaseSensitive(it, "id");
				const cJSON *q = cJSON_GetObjectItemCaseSensitive(it, "question_type");
				const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "response");
				const cJSON *i2a = cJSON_GetObjectItemCaseSensitive(it, "index2ans");
				if (!cJSON_IsString(j) || !cJSON_IsString(q) || !cJSON_IsString(r)) {
					vl_error("score mmmu: '%s' item %ld: needs string \"id\", "
						 "\"question_type\" and \"response\"", vl_buf_str(&path),
						 pos);
					cJSON_Delete(items);
					vl_free(sel);
					goto out;
				}
				/* option letter -> text: a list has no letters */
				if (i2a && !cJSON_IsNull(i2a) && !cJSON_IsObject(i2a)) {
					vl_error("score mmmu: '%s' item %ld: \"index2ans\" must be an "
						 "object of option letter -> text", vl_buf_str(&path), pos);
					cJSON_Delete(items);
					vl_free(sel);
					goto out;
				}
				id = j->valuestring;
				qtype = q->valuestring;
				resp = r->valuestring;
				ans = cJSON_GetObjectItemCaseSensitive(it, "answer");
				cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(it, "all_choices"))
					if (cJSON_IsString(e) && nc < 26)
						choices[nc++] = e->valuestring;
				cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(it, "index2ans"))
					if (cJSON_IsString(e) && na < 26) {
						keys[na] = e->string;
						texts[na++] = e->valuestring;
					}
			} else {
				id = it->string;
				qtype = NULL;
				resp = cJSON_IsString(it) ? it->valuestring : NULL;
				item.preparsed = 1;
			}
			if (answers) {
				const cJSON *a = cJSON_GetObjectItemCaseSensitive(answers, id);
				const cJSON *q = cJSON_GetObjectItemCaseSensitive(a, "question_type");
				if (!cJSON_IsString(q)) {
					vl_error("score mmmu: '%s' has no entry with \"question_type\" for "
						 "'%s'", answers_path, id);
					cJSON_Delete(items);
					vl_free(sel);
					goto out;
				}
				qtype = q->valuestring;
				ans = cJSON_GetObjectItemCaseSensitive(a, "ground_truth");
			}
			if (!resp || gold_of(ans, gold, 64, &item.ngold) < 0) {
				vl_error("score mmmu: item '%s': %s", id, !resp ? "the prediction is not a "
					 "string" : "the answer is not a string or a list of strings");
				cJSON_Delete(items);
				vl_free(sel);
				goto out;
			}
			item.multiple_choice = !strcmp(qtype, "multiple-choice");
			item.preparsed = item.preparsed && item.multiple_choice;
			item.response = resp;
			item.gold = gold;
			item.choices = choices;
			item.nchoices = nc;
			item.keys = keys;
			item.texts = texts;
			item.nans = na;
			vl_mmmu_judge(&item, strcmp(fallback, "random") ? NULL : &rng, &res);
			if (sc)
				add_to_scoring(sc, &item, id);
			n_all++;
			n_mc += item.multiple_choice;
			cats[c].n++;
			cats[c].right += res.correct;
			fails += res.parse_failed;
			if (res.fallback_drawn) {
				drawn++;
				vl_buf_addf(&draws, "%s{\"id\":", draws.len ? "," : "");
				vl_buf_add_json_str(&draws, id);
				vl_buf_addf(&draws, ",\"n_choices\":%zu,\"drawn\":", nc);
				vl_buf_add_json_str(&draws, res.letter);
				vl_buf_addch(&draws, '}');
			}
			if (per_sample) {
				vl_buf_addf(&per, "%s", per.len ? "," : "");
				vl_buf_add_json_str(&per, id);
				vl_buf_adds(&per, ":{\"parsed_pred\":");
				if (item.multiple_choice) {
					if (res.letter)
						vl_buf_add_json_str(&per, res.letter);
					else
						vl_buf_adds(&per, "null");
				} else {
					for (size_t k = 0; k < res.open.n; k++) {
						vl_buf_addch(&per, k ? ',' : '[');
						add_value(&per, &res.open.v[k]);
					}
					vl_buf_adds(&per, res.open.n ? "]" : "[]");
				}
				vl_buf_addf(&per, ",\"judge\":\"%s\"%s}", res.correct ? "Correct" : "Wrong",
					    res.fallback_drawn ? ",\"random_fallback\":true" : "");
			}
			vl_mmmu_values_release(&res.open);
		}
		cJSON_Delete(items);
		vl_free(sel);
	}
	if (sc) {
		ci.ci.resamples = (int)resamples;
		ci.ci.seed = (uint64_t)ci_seed;
		ci.ci.level = level;
		vl_scoring_finish(sc, &ci.ci, vl_score_ci_collect, &ci);
	}
	if (!n_all) {
		vl_error("score mmmu: no items found in '%s'", outputs ? outputs : total_path);
		goto out;
	}
	{
		/* calculate_ins_level_acc: sum(acc * n) / sum(n), in the given order */
		const char *names[37];
		long nums[37];
		double accs[37], unr[7];
		size_t rows = 0;
		double sum = 0;
		long ins = 0;

		for (size_t d = 0; d < 6; d++) {
			double a = 0;
			long m = 0;
			size_t head = rows++;
			for (const char *const *s = vl_mmmu_domains[d].subjects; *s; s++)
				for (size_t c = 0; c < 30; c++)
					if (cats[c].present && !strcmp(vl_mmmu_subjects[c], *s)) {
						double acc = (double)cats[c].right / (double)cats[c].n;
						a += acc * (double)cats[c].n;
						m += cats[c].n;
						names[rows] = *s;
						nums[rows] = cats[c].n;
						accs[rows++] = vl_py_round(acc, 3);
					}
			unr[d] = m ? a / (double)m : 0;
			names[head] = vl_mmmu_domains[d].name;
			nums[head] = m;
			accs[head] = vl_py_round(unr[d], 3);
		}
		for (size_t c = 0; c < 30; c++)
			if (cats[c].present) {
				sum += (double)cats[c].right / (double)cats[c].n * (double)cats[c].n;
				ins += cats[c].n;
			}
		unr[6] = sum / (double)ins;
		names[rows] = "Overall";
		nums[rows] = ins;
		accs[rows++] = vl_py_round(unr[6], 3);
		if (json) {
			size_t d = 0;
			vl_buf_addf(&out, "{\"scorer\":\"MMMU official %s\",\"per_category\":{",
				    outputs ? "main_parse_and_eval.py + print_results.py"
					    : "main_eval_only.py");
			for (size_t c = 0, k = 0; c < 30; c++)
				if (cats[c].present) {
					vl_buf_addf(&out, "%s\"%s\":{\"acc\":", k++ ? "," : "",
						    vl_mmmu_subjects[c]);
					vl_buf_add_json_num(&out, (double)cats[c].right /
								  (double)cats[c].n);
					vl_buf_addf(&out, ",\"num_example\":%ld}", cats[c].n);
				}
			vl_buf_adds(&out, "},\"printable_results\":{");
			for (size_t r = 0; r < rows; r++) {
				int domain = r + 1 < rows && d < 6 &&
					     names[r] == vl_mmmu_domains[d].name;
				vl_buf_addf(&out, "%s\"%s%s\":{\"num\":%ld,\"acc\":", r ? "," : "",
					    domain ? "Overall-" : "", names[r], nums[r]);
				vl_buf_add_json_num(&out, accs[r]);
				vl_buf_addch(&out, '}');
				d += domain;
			}
			vl_buf_adds(&out, "},\"unrounded\":{");
			for (d = 0; d < 6; d++) {
				vl_buf_addf(&out, "\"Overall-%s\":", vl_mmmu_domains[d].name);
				vl_buf_add_json_num(&out, unr[d]);
				vl_buf_addch(&out, ',');
			}
			vl_buf_adds(&out, "\"Overall\":");
			vl_buf_add_json_num(&out, unr[6]);
			vl_buf_addf(&out, "},\"n\":%ld,\"n_multiple_choice\":%ld,\"parse_failures\":%ld,"
				    "\"parse_failure_rate\":", n_all, n_mc, fails);
			vl_buf_add_json_num(&out, (double)fails / (double)n_all);
			vl_buf_addf(&out, ",\"fallback\":\"%s\"", fallback);
			if (!strcmp(fallback, "random"))
				vl_buf_addf(&out, ",\"seed\":%ld", seed);
			vl_buf_addf(&out, ",\"random_fallback_draws\":[%s]", vl_buf_str(&draws));
			if (per_sample)
				vl_buf_addf(&out, ",\"per_item\":{%s}", vl_buf_str(&per));
			vl_score_ci_json(&ci, &out);
			vl_buf_addch(&out, '}');
			puts(vl_buf_str(&out));
		} else {
			const char *label[37];
			struct vl_buf lb[6];
			size_t d = 0;
			for (size_t r = 0; r < rows; r++) {
				label[r] = names[r];
				if (d < 6 && names[r] == vl_mmmu_domains[d].name && r + 1 < rows) {
					vl_buf_init(&lb[d], 0);
					vl_buf_addf(&lb[d], "Overall-%s", names[r]);
					label[r] = vl_buf_str(&lb[d++]);
				}
			}
			print_table(label, nums, accs, rows);
			vl_buf_reset(&out);
			vl_score_ci_text(&ci, &out);
			fputs(vl_buf_str(&out), stdout);
			for (size_t k = 0; k < d; k++)
				vl_buf_release(&lb[k]);
		}
	}
	/* never silent about guesses */
	fprintf(json ? stderr : stdout, "parse failures: %ld of %ld multiple-choice answers "
		"(%.2f%% of all %ld items)%s", fails, n_mc, 100.0 * (double)fails / (double)n_all,
		n_all, fails ? "" : "\n");
	if (fails && drawn)
		fprintf(json ? stderr : stdout, "; each answered by random.choice seeded %ld, as "
			"the official code does (--fallback wrong counts them wrong)\n", seed);
	else if (fails)
		fprintf(json ? stderr : stdout, "; counted wrong (--fallback wrong)\n");
	rc = 0;
out:
	vl_scoring_free(sc);
	vl_score_ci_release(&ci);
	vl_kv_release(&mopts);
	cJSON_Delete(answers);
	cJSON_Delete(total);
	vl_buf_release(&err);
	vl_buf_release(&path);
	vl_buf_release(&out);
	vl_buf_release(&per);
	vl_buf_release(&draws);
	vl_buf_release(&subj);
	return rc;
}
