/*
 * cmd-compare.c - `vleval compare RUN_A RUN_B`: two runs of one task,
 * value by value with paired intervals and p-values, and the samples that
 * flipped (reports/compare.h).
 */
#include "bench/cli.h"
#include "bench/runlog.h"
#include "bench/runpair.h"

#include <stdio.h>

int cmd_compare(int argc, char **argv)
{
	const char *db = NULL, *db_a = NULL, *metric = NULL;
	long resamples = 1000, seed = 0, flips = 10;
	double level = 0.95;
	int json = 0, intersect = 0, help = 0, rc;
	const struct vl_opt opts[] = {
		{ "metric", VL_OPT_STRING, &metric, "M", "only this metric or value (pope, pope/f1, f1)" },
		{ "intersect", VL_OPT_FLAG, &intersect, NULL, "compare the shared samples of runs over different sample sets" },
		{ "db", VL_OPT_STRING, &db, "FILE", "run log (default $VLEVAL_DB or vleval.db)" },
		{ "db-a", VL_OPT_STRING, &db_a, "FILE", "run log of RUN_A when it is kept apart (default: --db)" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap / permutation resamples (default 1000)" },
		{ "seed", VL_OPT_LONG, &seed, "N", "resampling seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &level, "P", "interval level (default 0.95)" },
		{ "flips", VL_OPT_LONG, &flips, "N", "flipped samples shown each way (default 10)" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	struct vl_strv rest = { 0 };
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT;
	struct vl_compare_result res = { 0 };
	struct vl_runlog *rl = NULL, *rla = NULL;
	long long a, b;

	rc = vl_parse_opts("compare", argc, argv, opts, &rest, &help);
	if (rc)
		goto done;
	if (help) {
		vl_print_help("vleval compare RUN_A RUN_B [--metric M] [--json] [--intersect]",
			      "Compares run B with run A on the samples both answered: each headline\n"
			      "value, the difference with its paired-bootstrap interval, a p-value\n"
			      "(McNemar's exact test for 0/1 per-sample scores, a paired permutation\n"
			      "test for other means, the paired bootstrap for corpus metrics), and the\n"
			      "samples that flipped.", opts);
		goto done;
	}
	rc = VL_EXIT_USAGE;
	if (rest.n != 2) {
		vl_error("compare: give two run ids (vleval compare RUN_A RUN_B)");
		goto done;
	}
	if (resamples < 0 || level <= 0 || level >= 1 || flips < 0) {
		vl_error("compare: --resamples and --flips must be >= 0, --ci-level in (0, 1)");
		goto done;
	}
	if (vl_runlog_open(vl_default_db(db), &rl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto done;
	}
	if (db_a && vl_runlog_open(db_a, &rla, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto done;
	}
	a = vl_runpair_id(rla ? rla : rl, rest.v[0]);
	b = vl_runpair_id(rl, rest.v[1]);
	if (!a || !b) {
		vl_error("compare: '%s' is not a run id", !a ? rest.v[0] : rest.v[1]);
		goto done;
	}
	{
		struct vl_compare_opts o = {
			.only = metric,
			.intersect = intersect,
			.resamples = (int)resamples,
			.seed = (uint64_t)seed,
			.level = level,
			.max_flips = (size_t)flips,
		};
		if (vl_runpair_compare(rla ? rla : rl, a, rl, b, &o, &res, &err) < 0) {
			vl_error("compare: %s", vl_buf_str(&err));
			goto done;
		}
	}
	if (json)
		vl_compare_json(&res, &out);
	else
		vl_compare_text(&res, &out);
	fputs(vl_buf_str(&out), stdout);
	if (json)
		putchar('\n');
	rc = VL_EXIT_OK;
done:
	vl_compare_result_release(&res);
	vl_runlog_close(rl);
	vl_runlog_close(rla);
	vl_strv_release(&rest);
	vl_buf_release(&err);
	vl_buf_release(&out);
	return rc;
}
