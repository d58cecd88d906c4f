/*
 * cmd-show.c - `vleval show RUN`: one run's config, metrics and cost, and
 * optionally its samples or errors.
 */
#include "bench/cli.h"
#include "bench/runlog.h"
#include "bench/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctx {
	int json, first;
	long shown, limit;
	struct vl_buf *out;
	int wrong;          /* --wrong: only samples scored below max_score */
	double max_score;   /* the best per-sample score of the run */
};

static int find_max(void *p, const struct vl_sample_row *r)
{
	struct ctx *c = p;

	if (!isnan(r->score) && (isnan(c->max_score) || r->score > c->max_score))
		c->max_score = r->score;
	return 0;
}

/* --wrong keeps what scored below the run's best score, what did not
 * parse, and what failed. */
static int is_wrong(const struct ctx *c, const struct vl_sample_row *r)
{
	return r->error || !r->parse_ok || (!isnan(r->score) && r->score < c->max_score);
}

/* One line, control characters made visible, cut at max bytes. */
static void oneline(const char *s, size_t max)
{
	size_t n = 0;

	if (!s) {
		fputs("-", stdout);
		return;
	}
	for (; *s && n < max; s++, n++) {
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else if ((unsigned char)*s < 0x20)
			putchar('?');
		else
			putchar(*s);
	}
	if (*s)
		fputs("...", stdout);
}

static int sample_row(void *p, const struct vl_sample_row *r)
{
	struct ctx *c = p;

	if (c->wrong && !is_wrong(c, r))
		return 0;
	if (c->limit > 0 && c->shown >= c->limit)
		return 1;
	c->shown++;
	if (c->json) {
		struct vl_buf *b = c->out;
		if (!c->first)
			vl_buf_addch(b, ',');
		c->first = 0;
		vl_buf_adds(b, "{\"id\":");
		vl_buf_add_json_str(b, r->sample_id);
		vl_buf_addf(b, ",\"idx\":%ld,\"prompt\":", r->idx);
		vl_buf_add_json_str(b, r->prompt);
		vl_buf_adds(b, ",\"output\":");
		vl_buf_add_json_str(b, r->output);
		vl_buf_adds(b, ",\"extracted\":");
		vl_buf_add_json_str(b, r->extracted);
		vl_buf_adds(b, ",\"question\":");
		vl_buf_add_json_str(b, r->question);
		vl_buf_adds(b, ",\"reference\":");
		vl_buf_adds(b, r->reference && *r->reference ? r->reference : "null");
		vl_buf_addf(b, ",\"parse_ok\":%s,\"score\":", r->parse_ok ? "true" : "false");
		vl_buf_add_json_num(b, r->score);
		vl_buf_adds(b, ",\"latency_s\":");
		vl_buf_add_json_num(b, r->latency_s >= 0 ? r->latency_s : NAN);
		vl_buf_addf(b, ",\"retries\":%d,\"cached\":%s,\"error\":", r->retries,
			    r->cached ? "true" : "false");
		vl_buf_add_json_str(b, r->error);
		vl_buf_addch(b, '}');
		return 0;
	}
	printf("%-14s ", r->sample_id);
	if (r->error) {
		fputs("ERROR ", stdout);
		oneline(r->error, 200);
	} else {
		if (isnan(r->score))
			printf("%6s ", "-");
		else
			printf("%6.3f ", r->score);
		oneline(r->output, 60);
		if (r->extracted && r->output && strcmp(r->extracted, r->output)) {
			fputs("  -> ", stdout);
			oneline(r->extracted, 40);
		}
		if (!r->parse_ok)
			fputs("  [unparsed]", stdout);
	}
	putchar('\n');
	if (r->question) {
		fputs("    question:  ", stdout);
		oneline(r->question, 160);
		putchar('\n');
	}
	if (r->reference && *r->reference) {
		fputs("    reference: ", stdout);
		oneline(r->reference, 160);
		putchar('\n');
	}
	return 0;
}

static int error_row(void *p, const struct vl_error_row *r)
{
	struct ctx *c = p;

	if (c->json) {
		if (!c->first)
			vl_buf_addch(c->out, ',');
		c->first = 0;
		vl_buf_adds(c->out, "{\"kind\":");
		vl_buf_add_json_str(c->out, r->kind);
		vl_buf_adds(c->out, ",\"sample_id\":");
		vl_buf_add_json_str(c->out, r->sample_id);
		vl_buf_adds(c->out, ",\"message\":");
		vl_buf_add_json_str(c->out, r->message);
		vl_buf_addch(c->out, '}');
		return 0;
	}
	printf("%-8s %-14s %s\n", r->kind, r->sample_id ? r->sample_id : "-", r->message);
	return 0;
}

int cmd_show(int argc, char **argv)
{
	const char *db = NULL;
	long limit = 0;
	int json = 0, help = 0, samples = 0, errors = 0, breakdown = 0, config = 0, wrong = 0, rc;
	const struct vl_opt opts[] = {
		{ "db", VL_OPT_STRING, &db, "FILE", "run log (default $VLEVAL_DB or vleval.db)" },
		{ "samples", VL_OPT_FLAG, &samples, NULL, "list every sample: score, output, extracted answer, question, reference" },
		{ "wrong", VL_OPT_FLAG, &wrong, NULL, "with --samples: only samples scored below the run's best, unparsed or failed" },
		{ "errors", VL_OPT_FLAG, &errors, NULL, "list failed samples and logged errors" },
		{ "breakdown", VL_OPT_FLAG, &breakdown, NULL, "metrics per subset (answer type, split, ...)" },
		{ "config", VL_OPT_FLAG, &config, NULL, "print the stored config (JSON, no secrets)" },
		{ "limit", VL_OPT_LONG, &limit, "N", "at most N samples" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT;
	struct vl_strv rest = { 0 };
	struct vl_runlog *rl = NULL;
	struct ctx c = { 0 };
	long long id;
	char *end;

	rc = vl_parse_opts("show", argc, argv, opts, &rest, &help);
	if (rc)
		goto out;
	if (help) {
		vl_print_help("vleval show RUN|last [--samples [--wrong]] [--errors] [--breakdown] [--json]",
			      "Shows one run: status, metrics with confidence intervals, cost; with\n"
			      "--samples every answer, with --errors what failed.", opts);
		goto out;
	}
	rc = VL_EXIT_USAGE;
	if (rest.n != 1) {
		vl_error("show: give one run id (or 'last')");
		goto out;
	}
	if (vl_runlog_open_readonly(vl_default_db(db), &rl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto out;
	}
	id = !strcmp(rest.v[0], "last") ? vl_runlog_last_run(rl) : strtoll(rest.v[0], &end, 10);
	if (id <= 0 && !strcmp(rest.v[0], "last")) {
		vl_error("show: the run log '%s' is empty: it holds no run yet", vl_default_db(db));
		goto out;
	}
	if (id <= 0 || (strcmp(rest.v[0], "last") && *end)) {
		vl_error("show: '%s' is not a run id", rest.v[0]);
		goto out;
	}
	c.json = json;
	c.out = &out;
	c.limit = limit;
	c.first = 1;
	c.wrong = wrong;
	c.max_score = NAN;
	if (wrong) {
		samples = 1;
		vl_runlog_each_sample(rl, id, 0, find_max, &c);
	}
	if (json) {
		if (vl_summary_json(rl, id, &out) < 0) {
			vl_error("show: no run %lld in '%s'", id, vl_default_db(db));
			goto out;
		}
		if (samples || errors) {
			vl_buf_setlen(&out, out.len - 1);
			vl_buf_adds(&out, samples ? ",\"samples\":[" : ",\"failed\":[");
			vl_runlog_each_sample(rl, id, samples ? 0 : 2, sample_row, &c);
			vl_buf_addch(&out, ']');
			if (errors) {
				c.first = 1;
				vl_buf_adds(&out, ",\"errors\":[");
				vl_runlog_each_error(rl, id, error_row, &c);
				vl_buf_addch(&out, ']');
			}
			vl_buf_addch(&out, '}');
		}
		puts(vl_buf_str(&out));
		rc = 0;
		goto out;
	}
	if (vl_summary_print(rl, id, breakdown, stdout) < 0)
		goto out;
	if (config) {
		struct vl_run_info ri;
		if (vl_runlog_get_run(rl, id, &ri, &err) == 0) {
			printf("config: %s\n", ri.config);
			vl_run_info_release(&ri);
		}
	}
	if (samples) {
		printf("\nsamples:\n");
		vl_runlog_each_sample(rl, id, 0, sample_row, &c);
	}
	if (errors) {
		printf("\nfailed samples:\n");
		vl_runlog_each_sample(rl, id, 2, sample_row, &c);
		printf("\nlogged errors:\n");
		vl_runlog_each_error(rl, id, error_row, &c);
	}
	rc = 0;
out:
	vl_runlog_close(rl);
	vl_strv_release(&rest);
	vl_buf_release(&err);
	vl_buf_release(&out);
	return rc;
}
