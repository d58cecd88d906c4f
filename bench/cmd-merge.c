/*
 * cmd-merge.c - `vleval merge OUT.db IN.db...`: joins the shard runs of
 * `vleval run --shard I/N` into one run per task (see bench/merge.h).
 */
#include "bench/cli.h"
#include "bench/merge.h"
#include "bench/runlog.h"
#include "bench/summary.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 when a and b name the same existing file. */
static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int cmd_merge(int argc, char **argv)
{
	int json = 0, quiet = 0, help = 0, rc;
	const struct vl_opt opts[] = {
		{ "json", VL_OPT_FLAG, &json, NULL, "print the merged runs' summaries as JSON" },
		{ "quiet", VL_OPT_FLAG, &quiet, NULL, "print only the merged run ids" },
		{ NULL },
	};
	struct vl_strv rest = { 0 };
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT;
	struct vl_merge_result res = { 0 };
	struct vl_runlog *rl = NULL;
	int created = 0;

	rc = vl_parse_opts("merge", argc, argv, opts, &rest, &help);
	if (rc)
		goto done;
	if (help) {
		vl_print_help("vleval merge OUT.db IN.db [IN.db...]",
			      "Joins the shard runs of 'vleval run --shard I/N' found in the IN run\n"
			      "logs into one run per task in OUT, scored exactly as a run made without\n"
			      "--shard.  Refuses shards of different configs, missing or repeated shards\n"
			      "and shards that have not finished.", opts);
		goto done;
	}
	rc = VL_EXIT_USAGE;
	if (rest.n < 2) {
		vl_error("merge: give the output run log and at least one input (vleval merge OUT.db "
			 "IN.db...)");
		goto done;
	}
	for (size_t i = 1; i < rest.n; i++) {
		struct stat st;
		if (stat(rest.v[i], &st) != 0) {
			vl_error("merge: cannot read '%s': no such file", rest.v[i]);
			goto done;
		}
		if (same_file(rest.v[0], rest.v[i])) {
			vl_error("merge: the output '%s' is also an input; write the merged run to a "
				 "new file", rest.v[0]);
			goto done;
		}
	}
	{
		struct stat st;
		created = stat(rest.v[0], &st) != 0;
	}
	if (vl_runlog_open(rest.v[0], &rl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto done;
	}
	if (vl_merge(rl, (const char *const *)rest.v + 1, rest.n - 1, &res, &err) < 0) {
		vl_error("merge: %s", vl_buf_str(&err));
		if (created) {
			/* a refused merge leaves no half-made output behind */
			const char *suffix[] = { "", "-wal", "-shm" };
			vl_runlog_close(rl);
			rl = NULL;
			for (size_t i = 0; i < 3; i++) {
				struct vl_buf p = VL_BUF_INIT;
				vl_buf_addf(&p, "%s%s", rest.v[0], suffix[i]);
				unlink(vl_buf_str(&p));
				vl_buf_release(&p);
			}
		}
		goto done;
	}
	for (size_t i = 0; i < res.ignored.n; i++)
		vl_warn("merge: skipped %s", res.ignored.v[i]);
	if (json)
		vl_buf_addch(&out, '[');
	for (size_t i = 0; i < res.n; i++) {
		if (json) {
			if (i)
				vl_buf_addch(&out, ',');
			vl_summary_json(rl, res.v[i].run_id, &out);
		} else if (quiet) {
			printf("%lld\n", res.v[i].run_id);
		} else {
			fprintf(stderr, "vleval: merged %ld shards of task '%s' into run %lld of '%s' "
				"(%ld samples, %ld failed)\n", res.v[i].shards, res.v[i].task,
				res.v[i].run_id, rest.v[0], res.v[i].n_samples, res.v[i].n_errors);
			vl_summary_print(rl, res.v[i].run_id, 0, stdout);
		}
	}
	if (json) {
		vl_buf_addch(&out, ']');
		puts(vl_buf_str(&out));
	}
	rc = VL_EXIT_OK;
done:
	vl_runlog_close(rl);
	vl_merge_result_release(&res);
	vl_strv_release(&rest);
	vl_buf_release(&err);
	vl_buf_release(&out);
	return rc;
}
