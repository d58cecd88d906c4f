/*
 * score-ocrbench.c - `vleval score ocrbench --results FILE`: the JSON that
 * OCRBench's official example.py saves after inference (the questions of
 * OCRBench.json, each with "predict"), scored as example.py's __main__
 * does (Yuliang-Liu/MultimodalOCR 794c36d; unchanged since f5cbec66), through
 * the same "ocrbench" metric the built-in task uses, through the one
 * scoring path (bench/scoring.h; --resamples adds bootstrap intervals).
 *
 * As in example.py, an item without "predict" (or with predict 0) is not
 * scored, the formula rule applies to dataset_name HME100k, and the type
 * scores and final score out of 1000 are printed only for exactly 1000
 * items; any other count prints the accuracy per dataset_name instead.
 */
#include "bench/cli.h"
#include "bench/score-ci.h"
#include "bench/scoring.h"
#include "metrics/metric.h"
#include "metrics/ocrbench.h"
#include "metrics/pystr.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

struct per_ds {
	struct vl_strv names;
	long *n, *right;
};

static size_t ds_slot(struct per_ds *d, const char *name)
{
	for (size_t i = 0; i < d->names.n; i++)
		if (!strcmp(d->names.v[i], name))
			return i;
	vl_strv_push(&d->names, name);
	d->n = vl_xrealloc(d->n, d->names.n * sizeof(long));
	d->right = vl_xrealloc(d->right, d->names.n * sizeof(long));
	d->n[d->names.n - 1] = d->right[d->names.n - 1] = 0;
	return d->names.n - 1;
}

int score_ocrbench(int argc, char **argv)
{
	const char *path = NULL;
	int json = 0, help = 0, rc;
	long resamples = 0, seed = 0;
	double level = 0.95;
	const struct vl_opt opts[] = {
		{ "results", VL_OPT_STRING, &path, "FILE", "the JSON example.py saves (items with "
		  "\"predict\")" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap intervals (default 0: none, "
		  "as example.py)" },
		{ "seed", VL_OPT_LONG, &seed, "N", "bootstrap seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &level, "P", "confidence level (default 0.95)" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	static const char *const metric[] = { "ocrbench" };
	struct vl_scoring *sc = NULL;
	struct vl_score_ci ci;
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT, out = VL_BUF_INIT, per = VL_BUF_INIT;
	struct per_ds ds;
	const cJSON *it;
	cJSON *root = NULL;
	long items = 0, skipped = 0, scored = 0;

	memset(&ds, 0, sizeof(ds));
	memset(&ci, 0, sizeof(ci));
	rc = vl_parse_opts("score ocrbench", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval score ocrbench --results FILE [--json]",
			      "OCRBench as its official example.py scores it: an item is right when an\n"
			      "answer is a substring of the prediction after normalisation; scores per\n"
			      "type and the final score out of 1000.", opts);
		return 0;
	}
	rc = VL_EXIT_USAGE;
	if (!path) {
		vl_error("score ocrbench: --results FILE is required");
		return rc;
	}
	if (resamples < 0 || resamples > 1000000 || !(level > 0 && level < 1)) {
		vl_error("score ocrbench: --resamples must be 0..1000000 and --ci-level in (0, 1)");
		return rc;
	}
	if (vl_read_file(path, &text, &err) < 0) {
		vl_error("score ocrbench: %s", vl_buf_str(&err));
		goto out;
	}
	root = cJSON_ParseWithLength(text.buf, text.len);
	if (!cJSON_IsArray(root)) {
		vl_error("score ocrbench: '%s' is not a JSON array of items", path);
		goto out;
	}
	sc = vl_scoring_new(metric, 1, NULL, NULL, &err);
	cJSON_ArrayForEach(it, root) {
		const cJSON *dn = cJSON_GetObjectItemCaseSensitive(it, "dataset_name");
		const cJSON *ty = cJSON_GetObjectItemCaseSensitive(it, "type");
		const cJSON *an = cJSON_GetObjectItemCaseSensitive(it, "answers");
		const cJSON *pr = cJSON_GetObjectItemCaseSensitive(it, "predict");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id"), *a;
		struct vl_sample s;
		double score;
		size_t slot;

		items++;
		if (!cJSON_IsString(dn) || !cJSON_IsString(ty) ||
		    !(cJSON_IsString(an) || cJSON_IsArray(an))) {
			vl_error("score ocrbench: '%s' item %ld: needs string \"dataset_name\", "
				 "\"type\" and \"answers\" (string or list)", path, items);
			goto out;
		}
		slot = ds_slot(&ds, dn->valuestring);
		ds.n[slot]++;
		/* data[i].get('predict', 0) == 0: not scored */
		if (!pr || (cJSON_IsNumber(pr) && pr->valuedouble == 0) || cJSON_IsFalse(pr)) {
			skipped++;
			continue;
		}
		if (!cJSON_IsString(pr)) {
			vl_error("score ocrbench: '%s' item %ld: \"predict\" is not a string", path,
				 items);
			goto out;
		}
		vl_sample_init(&s);
		if (cJSON_IsNumber(id))
			vl_buf_addf(&err, "%.0f", id->valuedouble);
		else
			vl_buf_adds(&err, cJSON_IsString(id) ? id->valuestring : "");
		s.id = vl_buf_detach(&err, NULL);
		if (cJSON_IsString(an)) {
			vl_strv_push(&s.answers, an->valuestring);
		} else {
			cJSON_ArrayForEach(a, an) {
				if (!cJSON_IsString(a)) {
					vl_error("score ocrbench: '%s' item %ld: an answer is not a "
						 "string", path, items);
					vl_sample_release(&s);
					goto out;
				}
				vl_strv_push(&s.answers, a->valuestring);
			}
		}
		vl_sample_set_meta(&s, "category", ty->valuestring);
		vl_sample_set_meta(&s, "dataset_name", dn->valuestring);
		if (s.answers.n == 0 ||
		    vl_scoring_add(sc, &s, pr->valuestring, &score, NULL, NULL) != 0)
			score = 0;   /* the script scores 0 for an empty answer list */
		ds.right[slot] += score > 0;
		scored++;
		vl_buf_addf(&per, "%s", per.len ? "," : "");
		vl_buf_add_json_str(&per, s.id);
		vl_buf_addf(&per, ":%d", score > 0);
		vl_sample_release(&s);
	}
	ci.ci.resamples = (int)resamples;
	ci.ci.seed = (uint64_t)seed;
	ci.ci.level = level;
	vl_scoring_finish(sc, &ci.ci, vl_score_ci_collect, &ci);
	if (json) {
		vl_buf_adds(&out, "{\"scorer\":\"OCRBench official example.py\"");
		if (items == 1000)
			for (size_t i = 0; i < ci.names.n; i++) {
				if (!strcmp(ci.names.v[i], "Final Score Norm") ||
				    !strcmp(ci.names.v[i], "other_types"))
					continue;
				vl_buf_addch(&out, ',');
				vl_buf_add_json_str(&out, ci.names.v[i]);
				vl_buf_addch(&out, ':');
				vl_buf_add_json_num(&out, ci.value[i]);
			}
		vl_buf_adds(&out, ",\"per_dataset\":{");
		for (size_t i = 0; i < ds.names.n; i++) {
			vl_buf_addf(&out, "%s", i ? "," : "");
			vl_buf_add_json_str(&out, ds.names.v[i]);
			vl_buf_addch(&out, ':');
			vl_buf_add_json_num(&out, (double)ds.right[i] / (double)ds.n[i]);
		}
		vl_buf_addf(&out, "},\"n_items\":%ld,\"scored\":%ld,\"skipped_no_predict\":%ld,"
			    "\"per_item_result\":{%s}", items, scored, skipped, vl_buf_str(&per));
		vl_score_ci_json(&ci, &out);
		vl_buf_addch(&out, '}');
		puts(vl_buf_str(&out));
	} else if (items == 1000) {
		const char *line = "----------------------------------------------------------------";
		double v[16] = { 0 };
		long fin = vl_score_ci_find(&ci, "Final Score");
		for (int t = 0; t < 10; t++) {
			long at = vl_score_ci_find(&ci, vl_ocrbench_types[t]);
			v[t] = at >= 0 ? ci.value[at] : 0;
		}
		printf("###########################OCRBench##############################\n");
		printf("Text Recognition(Total 300):%.0f\n", v[0] + v[1] + v[2] + v[3] + v[4] + v[5]);
		printf("------------------Details of Recognition Score-------------------\n");
		for (int t = 0; t < 6; t++)
			printf("%s(Total %d): %.0f\n", vl_ocrbench_types[t], vl_ocrbench_type_total[t],
			       v[t]);
		for (int t = 6; t < 10; t++)
			printf("%s\n%s(Total %d): %.0f\n", line, vl_ocrbench_types[t],
			       vl_ocrbench_type_total[t], v[t]);
		printf("----------------------Final Score-------------------------------\n");
		printf("Final Score(Total 1000): %.0f\n", fin >= 0 ? ci.value[fin] : 0);
		vl_buf_reset(&out);
		vl_score_ci_text(&ci, &out);
		fputs(vl_buf_str(&out), stdout);
	} else {
		/* example.py prints AllDataset_score[key] / float(num_all[key]) */
		for (size_t i = 0; i < ds.names.n; i++) {
			vl_buf_reset(&out);
			vl_py_repr(&out, (double)ds.right[i] / (double)ds.n[i]);
			printf("%s: %s\n", ds.names.v[i], vl_buf_str(&out));
		}
	}
	if (skipped)
		vl_warn("score ocrbench: %ld of %ld items have no \"predict\" and were not scored "
			"(as example.py does)", skipped, items);
	rc = 0;
out:
	vl_scoring_free(sc);
	vl_score_ci_release(&ci);
	cJSON_Delete(root);
	vl_strv_release(&ds.names);
	vl_free(ds.n);
	vl_free(ds.right);
	vl_buf_release(&text);
	vl_buf_release(&err);
	vl_buf_release(&out);
	vl_buf_release(&per);
	return rc;
}
