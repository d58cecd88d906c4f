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

/* The graceful stop did not finish within a second (a long scoring pass
 * checks no flag): leave now.  What was committed stays; the run resumes. */
static void on_alarm(int sig)
{
	static const char msg[] = "\nvleval: interrupted; the run can be resumed (vleval run "
				  "--resume RUN)\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to say */
	}
	_exit(VL_EXIT_INTERRUPTED);
}

static void on_signal(int sig)
{
	vl_runner_stop = 1;
	/* a second Ctrl-C kills at once */
	signal(sig, SIG_DFL);
	signal(SIGALRM, on_alarm);
	alarm(1);
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
	long long ll;

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
	*limit = cJSON_IsNumber(v) && vl_whole_ll(v->valuedouble, &ll) == 0 ? (long)ll : -1;
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

/* Everything `vleval run` was given, and what it resolved. */
struct run_cmd {
	struct vl_strv tasks_arg;
	const char *backend, *model, *family, *db, *data_dir, *tasks_dir, *resume;
	/* backend options with a flag of their own: handed to the backend as
	 * --set KEY=VALUE (the flag's name with '_' for '-'), whose option table
	 * checks and parses them */
	const char *bflags[9];
	const char *submission, *prices, *shard, *conc_arg;
	long shard_index, shard_count;
	/* -1: not given (defaults, or the stored run's values on --resume) */
	double ci_level, price_in, price_out, max_cost;
	long limit, concurrency, resamples, breaker, image_tokens, seed;
	int adaptive, no_preflight, json, quiet, strict, no_cache, cache, stream, help;
	struct vl_kv sets;

	struct vl_task_set set;
	struct vl_runlog *rl;
	struct vl_buf err, jsonout;
	struct vl_strv names;          /* the tasks to run, in order */
	struct vl_task *resumed_task;  /* the stored task of --resume, owned */
	char *r_backend, *r_model, *r_family, *r_data;
	cJSON *r_conf;
	long long resume_id;
};

/* The option table, pointing into c. */
static void fill_opts(struct run_cmd *c, struct vl_opt *opts, size_t n)
{
	const struct vl_opt table[] = {
		{ "task", VL_OPT_LIST, &c->tasks_arg, "NAME[,NAME...]", "tasks, groups or globs to run, repeatable (see vleval tasks)" },
		{ "backend", VL_OPT_STRING, &c->backend, "NAME", "model backend or baseline (see vleval backends)" },
		{ "model", VL_OPT_STRING, &c->model, "NAME", "model name sent to the backend and logged" },
		{ "model-family", VL_OPT_STRING, &c->family, "NAME", "model family: the prompt variant; on grounding tasks also the box\n"
		  "notation (qwen-vl, qwen2-vl, qwen2.5-vl, qwen3-vl, internvl, paligemma,\n"
		  "cogvlm, kosmos-2, shikra, minigpt-v2, ferret)" },
		{ "db", VL_OPT_STRING, &c->db, "FILE", "run log (default $VLEVAL_DB or vleval.db)" },
		{ "data-dir", VL_OPT_STRING, &c->data_dir, "DIR", "data root (default $VLEVAL_DATA or .)" },
		{ "tasks-dir", VL_OPT_STRING, &c->tasks_dir, "DIR[:DIR]", "more task files (default $VLEVAL_TASKS)" },
		{ "limit", VL_OPT_LONG, &c->limit, "N", "only the first N samples" },
		{ "concurrency", VL_OPT_STRING, &c->conc_arg, "N|auto[:MAX]", "requests in flight (default 8); auto finds the server's pace (ceiling MAX, default 256)" },
		{ "no-preflight", VL_OPT_FLAG, &c->no_preflight, NULL, "openai: skip the server check before the first sample" },
		{ "breaker", VL_OPT_LONG, &c->breaker, "N", "stop (resumable) after N consecutive connection failures (default 20, 0 never)" },
		{ "image-tokens", VL_OPT_LONG, &c->image_tokens, "N", "prompt tokens an image costs, for the --max-cost estimate (default 576: a 336 px LLaVA-1.5 image)" },
		{ "max-cost", VL_OPT_DOUBLE, &c->max_cost, "PRICE", "stop (resumable) when the run's price reaches PRICE (needs --price-input/--price-output)" },
		{ "set", VL_OPT_KV, &c->sets, "KEY=VALUE", "backend option, repeatable (e.g. delay_ms=5)" },
		{ "resume", VL_OPT_STRING, &c->resume, "RUN|last", "finish an interrupted run" },
		{ "strict", VL_OPT_FLAG, &c->strict, NULL, "stop at the first malformed dataset record" },
		{ "no-cache", VL_OPT_FLAG, &c->no_cache, NULL, "do not reuse cached deterministic answers" },
		{ "cache", VL_OPT_FLAG, &c->cache, NULL, "reuse cached deterministic answers (default)" },
		{ "base-url", VL_OPT_STRING, &c->bflags[0], "URL[,URL]", "openai: server base URL(s)" },
		{ "api-key-env", VL_OPT_STRING, &c->bflags[1], "VAR", "openai: env variable holding the key" },
		{ "timeout", VL_OPT_STRING, &c->bflags[2], "S", "per-request timeout in seconds" },
		{ "retries", VL_OPT_STRING, &c->bflags[3], "N", "retries of a failed request" },
		{ "rpm", VL_OPT_STRING, &c->bflags[4], "N", "openai: requests per minute limit" },
		{ "tpm", VL_OPT_STRING, &c->bflags[5], "N", "openai: tokens per minute limit" },
		{ "stream", VL_OPT_FLAG, &c->stream, NULL, "openai: stream answers (measures time to first token)" },
		{ "image-mode", VL_OPT_STRING, &c->bflags[6], "base64|url", "openai: how images are sent" },
		{ "workers", VL_OPT_STRING, &c->bflags[7], "N", "worker: processes to start" },
		{ "max-image-side", VL_OPT_STRING, &c->bflags[8], "PX", "downscale images before sending" },
		{ "resamples", VL_OPT_LONG, &c->resamples, "N", "bootstrap resamples for intervals (default 1000, 0 off)" },
		{ "seed", VL_OPT_LONG, &c->seed, "N", "bootstrap seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &c->ci_level, "P", "confidence level (default 0.95)" },
		{ "price-input", VL_OPT_DOUBLE, &c->price_in, "P", "price per million prompt tokens" },
		{ "price-output", VL_OPT_DOUBLE, &c->price_out, "P", "price per million completion tokens" },
		{ "prices", VL_OPT_STRING, &c->prices, "FILE", "prices per model, used without --price-* (default $VLEVAL_PRICES or ./prices.json)" },
		{ "shard", VL_OPT_STRING, &c->shard, "I/N", "only the samples whose dataset index is I mod N (join the shards with vleval merge)" },
		{ "submission", VL_OPT_STRING, &c->submission, "FILE", "write the answers as a submission file [{question_id, answer}]" },
		{ "json", VL_OPT_FLAG, &c->json, NULL, "print the result as JSON" },
		{ "quiet", VL_OPT_FLAG, &c->quiet, NULL, "no progress display" },
		{ NULL },
	};
	size_t k = sizeof(table) / sizeof(*table);

	if (k > n)
		abort();   /* cmd_run's array is too small: a programming error */
	memcpy(opts, table, k * sizeof(*opts));
}

/* Checks of the flags alone, before the run log is opened. */
static int check_flags(struct run_cmd *c)
{
	if (c->breaker < 0) {
		vl_error("run: --breaker wants a count >= 0 (0 switches it off)");
		return VL_EINVAL;
	}
	if (c->resamples < -1 || (c->ci_level != -1 && (c->ci_level <= 0 || c->ci_level >= 1))) {
		vl_error("run: --resamples must be >= 0 and --ci-level in (0, 1)");
		return VL_EINVAL;
	}
	for (size_t i = 0; i < c->sets.keys.n; i++) {
		if (vl_is_secret_key(c->sets.keys.v[i])) {
			vl_error("run: --set %s: secrets are not accepted on the command line (they would "
				 "reach logs and shell history); put the key in an environment variable "
				 "and name it with --api-key-env VAR", c->sets.keys.v[i]);
			return VL_EINVAL;
		}
	}
	if (c->shard && vl_parse_shard(c->shard, &c->shard_index, &c->shard_count) < 0) {
		vl_error("run: --shard wants I/N with 0 <= I < N (e.g. --shard 3/8), not '%s'",
			 c->shard);
		return VL_EINVAL;
	}
	return 0;
}

/* A shard resumes as the same shard. */
static int keep_shard(struct run_cmd *c)
{
	const char *sh = cJSON_GetStringValue(cJSON_GetObjectItem(c->r_conf, "shard"));
	long si = 0, sn = 0;

	if (sh)
		vl_parse_shard(sh, &si, &sn);
	if (c->shard && (!sh || si != c->shard_index || sn != c->shard_count)) {
		vl_error("run: run %lld ran as shard %s; a resume keeps it (drop --shard)",
			 c->resume_id, sh ? sh : "none (unsharded)");
		return VL_EINVAL;
	}
	c->shard_index = si;
	c->shard_count = sn;
	return 0;
}

/* --resume: the stored run's task, backend and settings (see keep_settings). */
static int setup_resume(struct run_cmd *c)
{
	struct vl_kv stored = { 0 };
	const char *rb;
	char *end;

	c->resume_id = !strcmp(c->resume, "last") ? vl_runlog_last_run(c->rl)
						  : strtoll(c->resume, &end, 10);
	if (c->resume_id <= 0 || (strcmp(c->resume, "last") && *end)) {
		vl_error("run: --resume wants a run id or 'last'%s",
			 !strcmp(c->resume, "last") ? " (the run log is empty)" : "");
		return VL_EINVAL;
	}
	if (load_resume(c->rl, c->resume_id, &c->resumed_task, &rb, &c->r_model, &c->r_family,
			&c->r_data, &c->limit, &stored, &c->r_conf))
		return VL_EINVAL;
	c->r_backend = (char *)rb;
	if (keep_shard(c) < 0 ||
	    keep_settings(c->r_conf, c->resume_id, rb, &stored, &c->sets, c->model, c->family,
			  &c->conc_arg, &c->resamples, &c->seed, &c->ci_level, &c->price_in,
			  &c->price_out, &c->max_cost) < 0) {
		vl_kv_release(&stored);
		return VL_EINVAL;
	}
	/* the same command line with --resume appended: --task and --backend
	 * may be given again when they name the stored run */
	if (c->backend && strcmp(c->backend, c->r_backend)) {
		vl_error("run: run %lld used backend '%s', not '%s'; drop --backend to resume it",
			 c->resume_id, c->r_backend, c->backend);
		vl_kv_release(&stored);
		return VL_EINVAL;
	}
	vl_kv_release(&c->sets);
	c->sets = stored;
	c->backend = c->r_backend;
	c->model = c->model ? c->model : c->r_model;
	c->family = c->family ? c->family : c->r_family;
	/* the data root of the run, unless given again now */
	if (!c->data_dir && c->r_data)
		c->data_dir = c->r_data;
	return 0;
}

/* The dedicated backend flags (--base-url, --timeout, --max-image-side ...)
 * as backend config like --set, before a resume compares them with the
 * stored run. */
static void flags_to_sets(struct run_cmd *c, const struct vl_opt *opts)
{
	for (const struct vl_opt *p = opts; p->name; p++) {
		for (size_t i = 0; i < sizeof(c->bflags) / sizeof(*c->bflags); i++) {
			char key[32];
			size_t k = 0;
			if (p->target != (void *)&c->bflags[i] || !c->bflags[i])
				continue;
			for (; p->name[k] && k < sizeof(key) - 1; k++)
				key[k] = p->name[k] == '-' ? '_' : p->name[k];
			key[k] = '\0';
			vl_kv_set(&c->sets, key, c->bflags[i]);
		}
	}
	if (c->stream)
		vl_kv_set(&c->sets, "stream", "1");
	if (c->no_preflight)
		vl_kv_set(&c->sets, "preflight", "0");
}

/* Defaults, the backend's existence, the model and concurrency as backend
 * config. */
static int backend_config(struct run_cmd *c)
{
	char conc[32];

	if (c->conc_arg &&
	    vl_pace_parse_concurrency(c->conc_arg, &c->adaptive, &c->concurrency, &c->err) < 0) {
		vl_error("run: %s", vl_buf_str(&c->err));
		return VL_EINVAL;
	}
	if (c->max_cost > 0 && (c->price_in < 0 || c->price_out < 0)) {
		vl_error("run: --max-cost needs the prices: give --price-input and --price-output "
			 "(per million tokens)");
		return VL_EINVAL;
	}
	if (c->resamples == -1)
		c->resamples = 1000;
	if (c->seed == -1)
		c->seed = 0;
	if (c->ci_level == -1)
		c->ci_level = 0.95;
	if (!vl_backend_find(c->backend)) {
		const struct vl_backend_methods *const *b = vl_backend_list();
		const char *bn[64];
		size_t n = 0;
		for (; *b && n < 64; b++)
			bn[n++] = (*b)->name;
		vl_error("run: unknown backend '%s'", c->backend);
		vl_suggest("backends", c->backend, bn, n);
		return VL_EINVAL;
	}
	if (c->model)
		vl_kv_set(&c->sets, "model", c->model);
	snprintf(conc, sizeof(conc), "%ld", c->concurrency);
	vl_kv_set(&c->sets, "concurrency", conc);
	return 0;
}

static const struct vl_task *task_at(const struct run_cmd *c, size_t i)
{
	return c->resumed_task ? c->resumed_task : vl_task_set_find(&c->set, c->names.v[i]);
}

/* The tasks to run, and every check that can fail before a run row exists:
 * family, submission path, data files, prices. */
static int select_tasks(struct run_cmd *c)
{
	if (vl_task_set_load(&c->set, vl_default_tasks_dirs(c->tasks_dir), &c->err) < 0) {
		vl_error("%s", vl_buf_str(&c->err));
		return VL_EINVAL;
	}
	if (expand_tasks(&c->set, &c->tasks_arg, &c->names) < 0)
		return VL_EINVAL;
	if (c->resumed_task) {
		if (c->names.n && (c->names.n > 1 || strcmp(c->names.v[0], c->resumed_task->name))) {
			vl_error("run: run %lld is task '%s'; --task names %s'%s'; drop --task to "
				 "resume it", c->resume_id, c->resumed_task->name,
				 c->names.n > 1 ? "several, first " : "", c->names.v[0]);
			return VL_EINVAL;
		}
		vl_strv_clear(&c->names);
		vl_strv_push(&c->names, c->resumed_task->name);
	}
	for (size_t i = 0; i < c->names.n; i++) {
		/* a misspelt family would silently run the default prompt and box format */
		const struct vl_task *t = task_at(c, i);
		if (t && vl_task_check_family(t, c->family, &c->err) < 0) {
			vl_error("run: %s", vl_buf_str(&c->err));
			return VL_EINVAL;
		}
	}
	if (c->submission && check_submission(c->submission) < 0)
		return VL_EINVAL;
	if (check_data(&c->set, c->resumed_task, &c->names, vl_default_data_dir(c->data_dir),
		       c->data_dir, (vl_backend_find(c->backend)->caps & VL_CAP_IMAGES) != 0) < 0)
		return VL_EINVAL;
	if (!c->resume_id && c->price_in < 0 && c->price_out < 0 && c->model &&
	    vl_prices_default(c->prices)) {
		/* the model's list prices, when the prices file has it */
		int prc = vl_prices_lookup(vl_prices_default(c->prices), c->model, &c->price_in,
					   &c->price_out, &c->err);
		if (prc < 0 && prc != VL_ENOTFOUND) {
			vl_error("run: %s", vl_buf_str(&c->err));
			return VL_EINVAL;
		}
		vl_buf_reset(&c->err);
	}
	return 0;
}

/* What to type next after a run that did not end cleanly. */
static void print_hints(const struct run_cmd *c, const struct vl_run_result *res)
{
	const char *dbf = c->db ? " --db " : "", *dbv = c->db ? c->db : "";

	if (strcmp(res->status, "finished"))
		fprintf(stderr, "vleval: run %lld %s; resume with: %s run --resume %lld%s%s\n",
			res->run_id, res->status, vl_prog(), res->run_id, dbf, dbv);
	else if (res->n_errors)
		fprintf(stderr, "vleval: run %lld: %ld samples failed (%s show %lld --errors%s%s); "
			"'%s run --resume %lld%s%s' retries them\n", res->run_id, res->n_errors,
			vl_prog(), res->run_id, dbf, dbv, vl_prog(), res->run_id, dbf, dbv);
}

/* Writes the submission file of a finished run (one per task when several
 * run).  Returns an exit code. */
static int write_submission(struct run_cmd *c, const struct vl_task *t, long long run)
{
	struct vl_buf path = VL_BUF_INIT;
	long n = 0;
	int rc = VL_EXIT_OK;

	if (c->names.n > 1)
		vl_buf_addf(&path, "%s.%s.json", c->submission, t->name);
	else
		vl_buf_adds(&path, c->submission);
	vl_buf_reset(&c->err);
	if (vl_submission_write_vqa(c->rl, run, vl_buf_str(&path), &n, &c->err) < 0) {
		vl_error("%s", vl_buf_str(&c->err));
		rc = VL_EXIT_FATAL;
	} else {
		fprintf(stderr, "vleval: wrote %ld answers to '%s'\n", n, vl_buf_str(&path));
	}
	vl_buf_release(&path);
	return rc;
}

/* Runs task t; prints its summary (or adds it to the JSON array).
 * Returns the exit code of this task. */
static int run_one(struct run_cmd *c, const struct vl_task *t)
{
	struct vl_run_opts o = {
		.data_dir = vl_default_data_dir(c->data_dir),
		.backend = c->backend,
		.model = c->model,
		.model_family = c->family,
		.backend_cfg = &c->sets,
		.limit = c->limit,
		.concurrency = c->concurrency,
		.adaptive = c->adaptive,
		.breaker_after = c->breaker,
		.max_cost = c->max_cost,
		.strict = c->strict,
		.no_cache = c->no_cache,
		.progress = c->quiet ? 0 : isatty(2) ? 2 : 1,
		.resume_id = c->resume_id,
		.resamples = (int)c->resamples,
		.seed = (uint64_t)c->seed,
		.ci_level = c->ci_level,
		.price_input = c->price_in,
		.price_output = c->price_out,
		.shard_index = c->shard_index,
		.shard_count = c->shard_count,
	};
	struct vl_run_result res;
	int code;

	if (c->max_cost > 0)
		o.est_answer_price = estimate_price(t, &o, c->image_tokens);
	vl_buf_reset(&c->err);
	if (c->json && c->jsonout.len > 1)
		vl_buf_addch(&c->jsonout, ',');
	if (vl_runner_run(t, &o, c->rl, &res, &c->err) < 0) {
		vl_error("task '%s': %s", t->name, vl_buf_str(&c->err));
		if (c->json) {
			vl_buf_adds(&c->jsonout, "{\"task\":");
			vl_buf_add_json_str(&c->jsonout, t->name);
			vl_buf_adds(&c->jsonout, ",\"error\":");
			vl_buf_add_json_str(&c->jsonout, vl_buf_str(&c->err));
			vl_buf_adds(&c->jsonout, ",\"run_id\":");
			vl_buf_add_json_num(&c->jsonout, res.run_id ? (double)res.run_id : NAN);
			vl_buf_addch(&c->jsonout, '}');
		}
		if (res.run_id)
			fprintf(stderr, "the run is logged as run %lld (status failed)\n", res.run_id);
		return VL_EXIT_USAGE;
	}
	code = res.exit_code;
	if (c->submission && !strcmp(res.status, "finished") &&
	    write_submission(c, t, res.run_id) != VL_EXIT_OK)
		code = VL_EXIT_FATAL;
	if (c->json)
		vl_summary_json(c->rl, res.run_id, &c->jsonout);
	else
		vl_summary_print(c->rl, res.run_id, 0, stdout);
	print_hints(c, &res);
	return code;
}

static void run_cmd_release(struct run_cmd *c)
{
	vl_runlog_close(c->rl);
	vl_task_set_release(&c->set);
	vl_task_free(c->resumed_task);
	vl_free(c->r_backend);
	vl_free(c->r_model);
	vl_free(c->r_family);
	vl_free(c->r_data);
	cJSON_Delete(c->r_conf);
	vl_kv_release(&c->sets);
	vl_strv_release(&c->names);
	vl_strv_release(&c->tasks_arg);
	vl_buf_release(&c->err);
	vl_buf_release(&c->jsonout);
}

int cmd_run(int argc, char **argv)
{
	struct run_cmd c = {
		.ci_level = -1, .price_in = -1, .price_out = -1, .max_cost = -1,
		.limit = -1, .concurrency = 8, .resamples = -1, .seed = -1,
		.breaker = VL_PACE_BREAKER_DEFAULT, .image_tokens = 576,
		.err = VL_BUF_INIT, .jsonout = VL_BUF_INIT,
	};
	struct vl_opt opts[48];
	int rc, exit_code = VL_EXIT_OK;

	fill_opts(&c, opts, sizeof(opts) / sizeof(*opts));
	rc = vl_parse_opts("run", argc, argv, opts, NULL, &c.help);
	if (rc)
		goto out;
	if (c.help) {
		vl_print_help("vleval run --task NAME[,NAME...] --backend NAME [OPTIONS]\n"
			      "       vleval run --resume RUN|last [OPTIONS]",
			      "Evaluates a backend on tasks; every sample is logged to the run log as it\n"
			      "completes, and an interrupted run resumes where it stopped.",
			      opts);
		goto out;
	}
	rc = VL_EXIT_USAGE;
	if (check_flags(&c) < 0)
		goto out;
	flags_to_sets(&c, opts);
	if (vl_runlog_open(vl_default_db(c.db), &c.rl, &c.err) < 0 ||
	    vl_runlog_check_writable(c.rl, vl_default_db(c.db), &c.err) < 0) {
		vl_error("%s", vl_buf_str(&c.err));
		goto out;
	}
	if (c.resume ? setup_resume(&c) < 0 : (!c.tasks_arg.n || !c.backend)) {
		if (!c.resume)
			vl_error("run: --task and --backend are required (or --resume RUN)");
		goto out;
	}
	if (backend_config(&c) < 0 || select_tasks(&c) < 0)
		goto out;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (c.json)
		vl_buf_addch(&c.jsonout, '[');
	for (size_t i = 0; i < c.names.n && !vl_runner_stop; i++) {
		int code = run_one(&c, task_at(&c, i));
		if (code > exit_code)
			exit_code = code;
	}
	if (c.json) {
		vl_buf_addch(&c.jsonout, ']');
		puts(vl_buf_str(&c.jsonout));
		c.json = 0;  /* printed */
	}
	rc = exit_code;
out:
	if (c.json && rc)
		vl_print_json_error(rc);
	run_cmd_release(&c);
	return rc;
}
