/*
 * cmd-run.c - `vleval run`: evaluate a backend on one or more tasks, or
 * resume an earlier run.
 */
#include "backends/host.h"
#include "bench/cli.h"
#include "bench/pace.h"
#include "bench/runlog.h"
#include "bench/merge.h"
#include "bench/runner.h"
#include "bench/submission.h"
#include "core/secret.h"
#include "bench/summary.h"
#include "bench/task.h"
#include "datasets/dataset.h"
#include "reports/report.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void on_signal(int sig)
{
	vl_runner_stop = 1;
	/* a second Ctrl-C kills at once */
	signal(sig, SIG_DFL);
}

const char *vl_default_db(const char *flag)
{
	const char *env = getenv("VLEVAL_DB");
	return flag ? flag : env && *env ? env : "vleval.db";
}

const char *vl_default_tasks_dirs(const char *flag)
{
	const char *env = getenv("VLEVAL_TASKS");
	return flag ? flag : env;
}

const char *vl_default_data_dir(const char *flag)
{
	const char *env = getenv("VLEVAL_DATA");
	return flag ? flag : env && *env ? env : ".";
}

/* Restores the options of run id from its stored config. */
static int load_resume(struct vl_runlog *rl, long long id, struct vl_task **task,
		       const char **backend, char **model, char **family, char **data_dir,
		       long *limit, struct vl_kv *cfg, cJSON **config_out)
{
	struct vl_buf err = VL_BUF_INIT;
	struct vl_run_info ri;
	cJSON *conf, *v;

	if (vl_runlog_get_run(rl, id, &ri, &err) < 0) {
		vl_error("cannot resume: %s", vl_buf_str(&err));
		vl_buf_release(&err);
		return VL_EXIT_USAGE;
	}
	if (!strcmp(ri.status, "finished"))
		fprintf(stderr, "vleval: run %lld already finished; re-checking that every sample "
			"is answered and re-scoring\n", id);
	conf = cJSON_Parse(ri.config);
	if (!conf || vl_task_parse(ri.task_json, strlen(ri.task_json), "stored task", task, &err) < 0) {
		vl_error("cannot resume run %lld: its stored config is unreadable: %s", id,
			 vl_buf_str(&err));
		cJSON_Delete(conf);
		vl_run_info_release(&ri);
		vl_buf_release(&err);
		return VL_EXIT_USAGE;
	}
	*backend = vl_xstrdup(ri.backend);
	v = cJSON_GetObjectItem(conf, "model");
	*model = cJSON_IsString(v) ? vl_xstrdup(v->valuestring) : NULL;
	v = cJSON_GetObjectItem(conf, "model_family");
	*family = cJSON_IsString(v) ? vl_xstrdup(v->valuestring) : NULL;
	v = cJSON_GetObjectItem(conf, "data_dir");
	*data_dir = cJSON_IsString(v) ? vl_xstrdup(v->valuestring) : NULL;
	v = cJSON_GetObjectItem(conf, "limit");
	*limit = cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
	cJSON_ArrayForEach(v, cJSON_GetObjectItem(conf, "set"))
		if (cJSON_IsString(v))
			vl_kv_set(cfg, v->string, v->valuestring);
	*config_out = conf;
	vl_run_info_release(&ri);
	vl_buf_release(&err);
	return 0;
}

static int differs(const char *what, long long id, const char *stored, const char *given)
{
	if (!given || (stored && !strcmp(stored, given)))
		return 0;
	vl_error("run: run %lld ran with %s %s; a resume keeps it (drop the option, or start a "
		 "new run to use %s)", id, what, stored ? stored : "unset", given);
	return 1;
}

static int differs_num(const char *what, long long id, const cJSON *stored, double given)
{
	char s[64], g[64];

	if (given == -1)
		return 0;
	snprintf(s, sizeof(s), "%.17g", cJSON_IsNumber(stored) ? stored->valuedouble : -1.0);
	snprintf(g, sizeof(g), "%.17g", given);
	return differs(what, id, cJSON_IsNumber(stored) ? s : NULL, g);
}

/*
 * A resume continues with every setting of the stored run: settings that
 * change answers or scores may not change (an error names the one given),
 * settings that do not (concurrency, timeouts, progress) take the value
 * given now, else the stored one.  cfg holds the stored --set values and
 * receives the new ones.
 */
static int keep_settings(const cJSON *conf, long long id, const char *backend, struct vl_kv *cfg,
			 const struct vl_kv *given, const char *model, const char *family,
			 const char **conc_arg, long *resamples, long *seed, double *ci_level,
			 double *price_in, double *price_out, double *max_cost)
{
	const cJSON *boot = cJSON_GetObjectItem(conf, "bootstrap");
	const cJSON *price = cJSON_GetObjectItem(conf, "price");
	int bad = 0;

	bad |= differs("--model", id, vl_kv_get(cfg, "model"), model);
	bad |= differs("--model-family", id,
		       cJSON_GetStringValue(cJSON_GetObjectItem(conf, "model_family")), family);
	for (size_t i = 0; i < given->keys.n; i++) {
		char what[128];
		const char *k = given->keys.v[i];
		/* keys whose value changes the backend's answers (its option
		 * table says which) may not change; timeouts, retries, rate
		 * limits may be given anew */
		if (!vl_backend_key_changes_answers(backend, k))
			continue;
		snprintf(what, sizeof(what), "--set %s=", k);
		bad |= differs(what, id, vl_kv_get(cfg, k), given->vals.v[i]);
	}
	bad |= differs_num("--resamples", id, cJSON_GetObjectItem(boot, "resamples"), (double)*resamples);
	bad |= differs_num("--seed", id, cJSON_GetObjectItem(boot, "seed"), (double)*seed);
	bad |= differs_num("--ci-level", id, cJSON_GetObjectItem(boot, "level"), *ci_level);
	bad |= differs_num("--price-input", id, cJSON_GetObjectItem(price, "input"), *price_in);
	bad |= differs_num("--price-output", id, cJSON_GetObjectItem(price, "output"), *price_out);
	if (*max_cost <= 0 && cJSON_IsNumber(cJSON_GetObjectItem(conf, "max_cost")))
		*max_cost = cJSON_GetObjectItem(conf, "max_cost")->valuedouble;
	if (bad)
		return VL_EINVAL;
#define STORED(obj, key, dst, type) do { \
		const cJSON *v_ = cJSON_GetObjectItem(obj, key); \
		if (cJSON_IsNumber(v_)) \
			*(dst) = (type)v_->valuedouble; \
	} while (0)
	STORED(boot, "resamples", resamples, long);
	STORED(boot, "seed", seed, long);
	STORED(boot, "level", ci_level, double);
	STORED(price, "input", price_in, double);
	STORED(price, "output", price_out, double);
#undef STORED
	if (!*conc_arg) {
		const cJSON *mode = cJSON_GetObjectItem(conf, "concurrency");
		*conc_arg = cJSON_IsString(mode) ? mode->valuestring : vl_kv_get(cfg, "concurrency");
	}
	for (size_t i = 0; i < given->keys.n; i++)
		vl_kv_set(cfg, given->keys.v[i], given->vals.v[i]);
	return 0;
}

/*
 * Before a run with --max-cost: the price of one answer estimated from the
 * task (about 100 text tokens of prompt, image_tokens per image, max_tokens
 * of output, which a short answer rarely uses: an upper estimate), and the
 * whole task's estimate printed against the cap.  Counting the samples
 * reads the dataset once more; only a budgeted run pays for that.
 */
static double estimate_price(const struct vl_task *t, const struct vl_run_opts *o,
			     long image_tokens)
{
	struct vl_dataset_spec spec = { t->name, o->data_dir, t->dataset, 0 };
	long n = vl_dataset_count(&spec, o->limit);
	long out_tokens = t->gen.max_tokens > 0 ? t->gen.max_tokens : 256;
	double per = ((double)(100 + image_tokens) * o->price_input +
		      (double)out_tokens * o->price_output) / 1e6;

	if (n > 0)
		fprintf(stderr, "vleval: %s: estimated price %.4g (%ld samples x (~%ld prompt + at "
			"most %ld output tokens)); cap %.4g%s\n", t->name, per * (double)n, n,
			100 + image_tokens, out_tokens, o->max_cost,
			per * (double)n > o->max_cost ? ": the run will stop at the cap (resumable)"
						      : "");
	return per;
}

/* The task names that the --task values select (each value a comma list
 * of names, groups or globs; see vl_task_set_select), in order, without
 * repeats.  An item that selects nothing is an error with a suggestion. */
static int expand_tasks(const struct vl_task_set *set, const struct vl_strv *args,
			struct vl_strv *names)
{
	for (size_t a = 0; a < args->n; a++) {
		char *copy = vl_xstrdup(args->v[a]), *p = copy;
		while (p) {
			char *comma = strchr(p, ',');
			if (comma)
				*comma = '\0';
			if (*p && vl_task_set_select(set, p, names) == 0) {
				const char **tn = vl_xcalloc(set->n + 1, sizeof(char *));
				for (size_t k = 0; k < set->n; k++)
					tn[k] = set->v[k]->name;
				vl_error("run: unknown task '%s' (no task, group or glob match)", p);
				for (size_t k = 0; k < set->problems.n; k++)
					vl_warn("%s", set->problems.v[k]);
				vl_suggest("tasks", p, tn, set->n);
				vl_free(tn);
				vl_free(copy);
				return VL_EINVAL;
			}
			p = comma ? comma + 1 : NULL;
		}
		vl_free(copy);
	}
	return 0;
}

/* The submission file must be writable before the first request: finding
 * out after every sample has run wastes the run's money. */
static int check_submission(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (slash) {
		size_t n = (size_t)(slash - path);
		if (n >= sizeof(dir))
			n = sizeof(dir) - 1;
		memcpy(dir, path, n ? n : 1);
		dir[n ? n : 1] = '\0';
	} else {
		dir[0] = '.';
		dir[1] = '\0';
	}
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		vl_error("run: --submission '%s' is a folder; give a file name", path);
		return VL_EINVAL;
	}
	if (access(dir, W_OK) != 0 || (stat(path, &st) == 0 && access(path, W_OK) != 0)) {
		vl_error("run: --submission '%s' cannot be written: %s", path,
			 access(dir, F_OK) != 0 ? "its folder does not exist" : strerror(errno));
		return VL_EINVAL;
	}
	return 0;
}

/* Refuses, before any run row exists, tasks whose data files are missing:
 * a run that cannot load its first sample is not a run. */
static int check_data(const struct vl_task_set *set, const struct vl_task *resumed,
		      const struct vl_strv *names, const char *root, const char *flag,
		      int images)
{
	int bad = 0;

	for (size_t i = 0; i < names->n; i++) {
		const struct vl_task *t = resumed ? resumed : vl_task_set_find(set, names->v[i]);
		struct vl_strv miss = { 0 };
		vl_task_missing_files(t, root, images, &miss);
		if (miss.n) {
			struct vl_buf list = VL_BUF_INIT;
			for (size_t k = 0; k < miss.n; k++)
				vl_buf_addf(&list, "%s'%s'", k ? ", " : "", miss.v[k]);
			vl_error("run: task '%s': missing under the data root '%s': %s", t->name, root,
				 vl_buf_str(&list));
			vl_buf_release(&list);
			if (t->description && t->description[0])
				fprintf(stderr, "  %s\n", t->description);
			bad = 1;
		}
		vl_strv_release(&miss);
	}
	if (bad && !flag) {
		const char *env = getenv("VLEVAL_DATA");
		fprintf(stderr, "hint: the data root is %s; give it with --data-dir DIR or "
			"VLEVAL_DATA=DIR (after 'make demo' the demo's data is in demo-report/data)\n",
			env && *env ? "$VLEVAL_DATA" : "the current folder (VLEVAL_DATA is not set)");
	}
	return bad ? VL_EINVAL : 0;
}

int cmd_run(int argc, char **argv)
{
	struct vl_strv tasks_arg = { 0 };
	const char *backend = NULL, *model = NULL, *family = NULL;
	const char *db = NULL, *data_dir = NULL, *tasks_dir = NULL, *resume = NULL;
	/* backend options with a flag of their own: handed to the backend as
	 * --set KEY=VALUE (the flag's name with '_' for '-'), whose option table
	 * checks and parses them */
	const char *bflags[9] = { NULL };
	const char *submission = NULL, *prices = NULL, *shard = NULL;
	long shard_index = 0, shard_count = 0;
	/* -1: not given (defaults, or the stored run's values on --resume) */
	double ci_level = -1;
	double price_in = -1, price_out = -1;
	long limit = -1, concurrency = 8, resamples = -1, breaker = VL_PACE_BREAKER_DEFAULT;
	long image_tokens = 576;
	double max_cost = -1;
	const char *conc_arg = NULL;
	int adaptive = 0;
	long seed = -1;
	int no_preflight = 0;
	int json = 0, quiet = 0, strict = 0, no_cache = 0, cache = 0, stream = 0, help = 0;
	struct vl_kv sets = { 0 };
	const struct vl_opt opts[] = {
		{ "task", VL_OPT_LIST, &tasks_arg, "NAME[,NAME...]", "tasks, groups or globs to run, repeatable (see vleval tasks)" },
		{ "backend", VL_OPT_STRING, &backend, "NAME", "model backend or baseline (see vleval backends)" },
		{ "model", VL_OPT_STRING, &model, "NAME", "model name sent to the backend and logged" },
		{ "model-family", VL_OPT_STRING, &family, "NAME", "model family: the prompt variant; on grounding tasks also the box\n"
		  "notation (qwen-vl, qwen2-vl, qwen2.5-vl, qwen3-vl, internvl, paligemma,\n"
		  "cogvlm, kosmos-2, shikra, minigpt-v2, ferret)" },
		{ "db", VL_OPT_STRING, &db, "FILE", "run log (default $VLEVAL_DB or vleval.db)" },
		{ "data-dir", VL_OPT_STRING, &data_dir, "DIR", "data root (default $VLEVAL_DATA or .)" },
		{ "tasks-dir", VL_OPT_STRING, &tasks_dir, "DIR[:DIR]", "more task files (default $VLEVAL_TASKS)" },
		{ "limit", VL_OPT_LONG, &limit, "N", "only the first N samples" },
		{ "concurrency", VL_OPT_STRING, &conc_arg, "N|auto[:MAX]", "requests in flight (default 8); auto finds the server's pace (ceiling MAX, default 256)" },
		{ "no-preflight", VL_OPT_FLAG, &no_preflight, NULL, "openai: skip the server check before the first sample" },
		{ "breaker", VL_OPT_LONG, &breaker, "N", "stop (resumable) after N consecutive connection failures (default 20, 0 never)" },
		{ "image-tokens", VL_OPT_LONG, &image_tokens, "N", "prompt tokens an image costs, for the --max-cost estimate (default 576: a 336 px LLaVA-1.5 image)" },
		{ "max-cost", VL_OPT_DOUBLE, &max_cost, "PRICE", "stop (resumable) when the run's price reaches PRICE (needs --price-input/--price-output)" },
		{ "set", VL_OPT_KV, &sets, "KEY=VALUE", "backend option, repeatable (e.g. delay_ms=5)" },
		{ "resume", VL_OPT_STRING, &resume, "RUN|last", "finish an interrupted run" },
		{ "strict", VL_OPT_FLAG, &strict, NULL, "stop at the first malformed dataset record" },
		{ "no-cache", VL_OPT_FLAG, &no_cache, NULL, "do not reuse cached deterministic answers" },
		{ "cache", VL_OPT_FLAG, &cache, NULL, "reuse cached deterministic answers (default)" },
		{ "base-url", VL_OPT_STRING, &bflags[0], "URL[,URL]", "openai: server base URL(s)" },
		{ "api-key-env", VL_OPT_STRING, &bflags[1], "VAR", "openai: env variable holding the key" },
		{ "timeout", VL_OPT_STRING, &bflags[2], "S", "per-request timeout in seconds" },
		{ "retries", VL_OPT_STRING, &bflags[3], "N", "retries of a failed request" },
		{ "rpm", VL_OPT_STRING, &bflags[4], "N", "openai: requests per minute limit" },
		{ "tpm", VL_OPT_STRING, &bflags[5], "N", "openai: tokens per minute limit" },
		{ "stream", VL_OPT_FLAG, &stream, NULL, "openai: stream answers (measures time to first token)" },
		{ "image-mode", VL_OPT_STRING, &bflags[6], "base64|url", "openai: how images are sent" },
		{ "workers", VL_OPT_STRING, &bflags[7], "N", "worker: processes to start" },
		{ "max-image-side", VL_OPT_STRING, &bflags[8], "PX", "downscale images before sending" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap resamples for intervals (default 1000, 0 off)" },
		{ "seed", VL_OPT_LONG, &seed, "N", "bootstrap seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &ci_level, "P", "confidence level (default 0.95)" },
		{ "price-input", VL_OPT_DOUBLE, &price_in, "P", "price per million prompt tokens" },
		{ "price-output", VL_OPT_DOUBLE, &price_out, "P", "price per million completion tokens" },
		{ "prices", VL_OPT_STRING, &prices, "FILE", "prices per model, used without --price-* (default $VLEVAL_PRICES or ./prices.json)" },
		{ "shard", VL_OPT_STRING, &shard, "I/N", "only the samples whose dataset index is I mod N (join the shards with vleval merge)" },
		{ "submission", VL_OPT_STRING, &submission, "FILE", "write the answers as a submission file [{question_id, answer}]" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print the result as JSON" },
		{ "quiet", VL_OPT_FLAG, &quiet, NULL, "no progress display" },
		{ NULL },
	};
	struct vl_task_set set = { 0 };
	struct vl_runlog *rl = NULL;
	struct vl_buf err = VL_BUF_INIT, jsonout = VL_BUF_INIT;
	struct vl_strv names = { 0 };
	struct vl_task *resumed_task = NULL;
	char *r_backend = NULL, *r_model = NULL, *r_family = NULL, *r_data = NULL;
	cJSON *r_conf = NULL;
	long long resume_id = 0;
	int rc, exit_code = VL_EXIT_OK;

	rc = vl_parse_opts("run", argc, argv, opts, NULL, &help);
	if (rc)
		goto out;
	if (help) {
		vl_print_help("vleval run --task NAME[,NAME...] --backend NAME [OPTIONS]\n"
			      "       vleval run --resume RUN|last [OPTIONS]",
			      "Evaluates a backend on tasks; every sample is logged to the run log as it\n"
			      "completes, and an interrupted run resumes where it stopped.",
			      opts);
		goto out;
	}
	rc = VL_EXIT_USAGE;
	if (breaker < 0) {
		vl_error("run: --breaker wants a count >= 0 (0 switches it off)");
		goto out;
	}
	if (resamples < -1 || (ci_level != -1 && (ci_level <= 0 || ci_level >= 1))) {
		vl_error("run: --resamples must be >= 0 and --ci-level in (0, 1)");
		goto out;
	}
	for (size_t i = 0; i < sets.keys.n; i++) {
		if (vl_is_secret_key(sets.keys.v[i])) {
			vl_error("run: --set %s: secrets are not accepted on the command line (they would "
				 "reach logs and shell history); put the key in an environment variable "
				 "and name it with --api-key-env VAR", sets.keys.v[i]);
			goto out;
		}
	}
	if (shard && vl_parse_shard(shard, &shard_index, &shard_count) < 0) {
		vl_error("run: --shard wants I/N with 0 <= I < N (e.g. --shard 3/8), not '%s'", shard);
		goto out;
	}
	if (vl_runlog_open(vl_default_db(db), &rl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto out;
	}
	if (resume) {
		char *end;
		resume_id = !strcmp(resume, "last") ? vl_runlog_last_run(rl) : strtoll(resume, &end, 10);
		if (resume_id <= 0 || (strcmp(resume, "last") && *end)) {
			vl_error("run: --resume wants a run id or 'last'%s",
				 !strcmp(resume, "last") ? " (the run log is empty)" : "");
			goto out;
		}
		{
			struct vl_kv stored = { 0 };
			const char *rb;
			rc = load_resume(rl, resume_id, &resumed_task, &rb, &r_model, &r_family,
					 &r_data, &limit, &stored, &r_conf);
			if (rc)
				goto out;
			r_backend = (char *)rb;
			{
				/* a shard resumes as the same shard */
				const char *sh = cJSON_GetStringValue(cJSON_GetObjectItem(r_conf, "shard"));
				long si = 0, sn = 0;
				if (sh)
					vl_parse_shard(sh, &si, &sn);
				if (shard && (!sh || si != shard_index || sn != shard_count)) {
					vl_error("run: run %lld ran as shard %s; a resume keeps it (drop "
						 "--shard)", resume_id, sh ? sh : "none (unsharded)");
					vl_kv_release(&stored);
					rc = VL_EXIT_USAGE;
					goto out;
				}
				shard_index = si;
				shard_count = sn;
			}
			if (keep_settings(r_conf, resume_id, rb, &stored, &sets, model, family,
					  &conc_arg, &resamples, &seed, &ci_level, &price_in,
					  &price_out, &max_cost) < 0) {
				vl_kv_release(&stored);
				rc = VL_EXIT_USAGE;
				goto out;
			}
			/* the same command line with --resume appended: --task and
			 * --backend may be given again when they name the stored run */
			if (backend && strcmp(backend, r_backend)) {
				vl_error("run: run %lld used backend '%s', not '%s'; drop --backend to "
					 "resume it", resume_id, r_backend, backend);
				vl_kv_release(&stored);
				rc = VL_EXIT_USAGE;
				goto out;
			}
			vl_kv_release(&sets);
			sets = stored;
			backend = r_backend;
			model = model ? model : r_model;
			family = family ? family : r_family;
			/* the data root of the run, unless given again now */
			if (!data_dir && r_data)
				data_dir = r_data;
			rc = VL_EXIT_USAGE;
		}
	} else {
		if (!tasks_arg.n || !backend) {
			vl_error("run: --task and --backend are required (or --resume RUN)");
			goto out;
		}
	}
	if (conc_arg && vl_pace_parse_concurrency(conc_arg, &adaptive, &concurrency, &err) < 0) {
		vl_error("run: %s", vl_buf_str(&err));
		goto out;
	}
	if (max_cost > 0 && (price_in < 0 || price_out < 0)) {
		vl_error("run: --max-cost needs the prices: give --price-input and --price-output "
			 "(per million tokens)");
		goto out;
	}
	if (resamples == -1)
		resamples = 1000;
	if (seed == -1)
		seed = 0;
	if (ci_level == -1)
		ci_level = 0.95;
	if (!vl_backend_find(backend)) {
		const struct vl_backend_methods *const *b = vl_backend_list();
		const char *bn[64];
		size_t n = 0;
		for (; *b && n < 64; b++)
			bn[n++] = (*b)->name;
		vl_error("run: unknown backend '%s'", backend);
		vl_suggest("backends", backend, bn, n);
		goto out;
	}
	/* dedicated flags are backend config like --set */
	if (model)
		vl_kv_set(&sets, "model", model);
	for (const struct vl_opt *p = opts; p->name; p++) {
		for (size_t i = 0; i < sizeof(bflags) / sizeof(*bflags); i++) {
			char key[32];
			size_t k = 0;
			if (p->target != (void *)&bflags[i] || !bflags[i])
				continue;
			for (; p->name[k] && k < sizeof(key) - 1; k++)
				key[k] = p->name[k] == '-' ? '_' : p->name[k];
			key[k] = '\0';
			vl_kv_set(&sets, key, bflags[i]);
		}
	}
	if (stream)
		vl_kv_set(&sets, "stream", "1");
	if (no_preflight)
		vl_kv_set(&sets, "preflight", "0");
	{
		char conc[32];
		snprintf(conc, sizeof(conc), "%ld", concurrency);
		vl_kv_set(&sets, "concurrency", conc);
	}
	if (vl_task_set_load(&set, vl_default_tasks_dirs(tasks_dir), &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		goto out;
	}
	if (expand_tasks(&set, &tasks_arg, &names) < 0)
		goto out;
	if (resumed_task) {
		if (names.n && (names.n > 1 || strcmp(names.v[0], resumed_task->name))) {
			vl_error("run: run %lld is task '%s'; --task names %s'%s'; drop --task to "
				 "resume it", resume_id, resumed_task->name, names.n > 1 ? "several, first " : "",
				 names.v[0]);
			goto out;
		}
		vl_strv_clear(&names);
		vl_strv_push(&names, resumed_task->name);
	}
	for (size_t i = 0; i < names.n; i++) {
		/* a misspelt family would silently run the default prompt and box format */
		const struct vl_task *t = resumed_task ? resumed_task : vl_task_set_find(&set, names.v[i]);
		if (t && vl_task_check_family(t, family, &err) < 0) {
			vl_error("run: %s", vl_buf_str(&err));
			goto out;
		}
	}
	if (submission && check_submission(submission) < 0)
		goto out;
	if (check_data(&set, resumed_task, &names, vl_default_data_dir(data_dir), data_dir,
		       (vl_backend_find(backend)->caps & VL_CAP_IMAGES) != 0) < 0)
		goto out;
	if (!resume_id && price_in < 0 && price_out < 0 && model && vl_prices_default(prices)) {
		/* the model's list prices, when the prices file has it */
		int prc = vl_prices_lookup(vl_prices_default(prices), model, &price_in, &price_out, &err);
		if (prc < 0 && prc != VL_ENOTFOUND) {
			vl_error("run: %s", vl_buf_str(&err));
			goto out;
		}
		vl_buf_reset(&err);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (json)
		vl_buf_addch(&jsonout, '[');
	for (size_t i = 0; i < names.n && !vl_runner_stop; i++) {
		const struct vl_task *t = resumed_task ? resumed_task : vl_task_set_find(&set, names.v[i]);
		struct vl_run_opts o = {
			.data_dir = vl_default_data_dir(data_dir),
			.backend = backend,
			.model = model,
			.model_family = family,
			.backend_cfg = &sets,
			.limit = limit,
			.concurrency = concurrency,
			.adaptive = adaptive,
			.breaker_after = breaker,
			.max_cost = max_cost,
			.strict = strict,
			.no_cache = no_cache,
			.progress = quiet ? 0 : isatty(2) ? 2 : 1,
			.resume_id = resume_id,
			.resamples = (int)resamples,
			.seed = (uint64_t)seed,
			.ci_level = ci_level,
			.price_input = price_in,
			.price_output = price_out,
			.shard_index = shard_index,
			.shard_count = shard_count,
		};
		struct vl_run_result res;

		if (max_cost > 0)
			o.est_answer_price = estimate_price(t, &o, image_tokens);
		vl_buf_reset(&err);
		if (vl_runner_run(t, &o, rl, &res, &err) < 0) {
			vl_error("task '%s': %s", t->name, vl_buf_str(&err));
			if (json) {
				if (jsonout.len > 1)
					vl_buf_addch(&jsonout, ',');
				vl_buf_adds(&jsonout, "{\"task\":");
				vl_buf_add_json_str(&jsonout, t->name);
				vl_buf_adds(&jsonout, ",\"error\":");
				vl_buf_add_json_str(&jsonout, vl_buf_str(&err));
				vl_buf_adds(&jsonout, ",\"run_id\":");
				vl_buf_add_json_num(&jsonout, res.run_id ? (double)res.run_id : NAN);
				vl_buf_addch(&jsonout, '}');
			}
			if (res.run_id)
				fprintf(stderr, "the run is logged as run %lld (status failed)\n", res.run_id);
			exit_code = exit_code > VL_EXIT_USAGE ? exit_code : VL_EXIT_USAGE;
			continue;
		}
		if (submission && !strcmp(res.status, "finished")) {
			struct vl_buf path = VL_BUF_INIT;
			long n = 0;
			/* one file per task when several run */
			if (names.n > 1)
				vl_buf_addf(&path, "%s.%s.json", submission, t->name);
			else
				vl_buf_adds(&path, submission);
			vl_buf_reset(&err);
			if (vl_submission_write_vqa(rl, res.run_id, vl_buf_str(&path), &n, &err) < 0) {
				vl_error("%s", vl_buf_str(&err));
				exit_code = VL_EXIT_FATAL;
			} else {
				fprintf(stderr, "vleval: wrote %ld answers to '%s'\n", n, vl_buf_str(&path));
			}
			vl_buf_release(&path);
		}
		if (json) {
			if (jsonout.len > 1)
				vl_buf_addch(&jsonout, ',');
			vl_summary_json(rl, res.run_id, &jsonout);
		} else {
			vl_summary_print(rl, res.run_id, 0, stdout);
		}
		if (strcmp(res.status, "finished"))
			fprintf(stderr, "vleval: run %lld %s; resume with: %s run --resume %lld%s%s\n",
				res.run_id, res.status, vl_prog(), res.run_id, db ? " --db " : "",
				db ? db : "");
		else if (res.n_errors)
			fprintf(stderr, "vleval: run %lld: %ld samples failed (%s show %lld --errors%s%s); "
				"'%s run --resume %lld%s%s' retries them\n", res.run_id, res.n_errors,
				vl_prog(), res.run_id, db ? " --db " : "", db ? db : "", vl_prog(),
				res.run_id, db ? " --db " : "", db ? db : "");
		if (res.exit_code > exit_code)
			exit_code = res.exit_code;
	}
	if (json) {
		vl_buf_addch(&jsonout, ']');
		puts(vl_buf_str(&jsonout));
		json = 0;  /* printed */
	}
	rc = exit_code;
out:
	if (json && rc)
		vl_print_json_error(rc);
	vl_runlog_close(rl);
	vl_task_set_release(&set);
	vl_task_free(resumed_task);
	vl_free(r_backend);
	vl_free(r_model);
	vl_free(r_family);
	vl_free(r_data);
	cJSON_Delete(r_conf);
	vl_kv_release(&sets);
	vl_strv_release(&names);
	vl_strv_release(&tasks_arg);
	vl_buf_release(&err);
	vl_buf_release(&jsonout);
	return rc;
}
