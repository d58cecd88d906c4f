/*
 * runner.c - the evaluation loop (see runner.h): read samples, keep at most
 * `concurrency` requests in flight, record each answer as it arrives, then
 * finish the metrics from the stored rows.  Requests are built in
 * bench/request.c and scored in bench/scoring.c.
 */
#include "bench/runner.h"
#include "backends/host.h"
#include "bench/cli.h"
#include "bench/pace.h"
#include "bench/progress.h"
#include "bench/request.h"
#include "bench/scoring.h"
#include "core/secret.h"
#include "datasets/dataset.h"
#include "metrics/metric.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

volatile int vl_runner_stop;

char *vl_runner_config_json(const struct vl_task *task, const struct vl_run_opts *o)
{
	struct vl_buf b = VL_BUF_INIT;

	vl_buf_adds(&b, "{\"task\":");
	vl_buf_add_json_str(&b, task->name);
	vl_buf_addf(&b, ",\"task_version\":%d,\"backend\":", task->version);
	vl_buf_add_json_str(&b, o->backend);
	vl_buf_adds(&b, ",\"model\":");
	vl_buf_add_json_str(&b, o->model);
	vl_buf_adds(&b, ",\"model_family\":");
	vl_buf_add_json_str(&b, o->model_family);
	vl_buf_adds(&b, ",\"data_dir\":");
	{
		/* absolute, so --resume works from any working directory */
		char abs[4096];
		const char *d = o->data_dir ? o->data_dir : ".";
		vl_buf_add_json_str(&b, realpath(d, abs) ? abs : d);
	}
	vl_buf_adds(&b, ",\"prompt\":");
	vl_buf_add_json_str(&b, vl_task_prompt(task, o->model_family));
	vl_buf_addf(&b, ",\"limit\":%ld,", o->limit);
	if (o->shard_count > 0)
		vl_buf_addf(&b, "\"shard\":\"%ld/%ld\",", o->shard_index, o->shard_count);
	vl_buf_adds(&b, "\"set\":{");
	for (size_t i = 0; o->backend_cfg && i < o->backend_cfg->keys.n; i++) {
		const char *k = o->backend_cfg->keys.v[i];
		if (vl_is_secret_key(k))
			continue;
		if (b.buf[b.len - 1] != '{')
			vl_buf_addch(&b, ',');
		vl_buf_add_json_str(&b, k);
		vl_buf_addch(&b, ':');
		{
			/* a URL's password or key=/token= parameter is a secret too */
			char *v = vl_url_redact(o->backend_cfg->vals.v[i]);
			vl_buf_add_json_str(&b, v);
			vl_free(v);
		}
	}
	vl_buf_addf(&b, "},\"generation\":{\"max_tokens\":%d,\"temperature\":", task->gen.max_tokens);
	vl_buf_add_json_num(&b, task->gen.temperature);
	vl_buf_adds(&b, ",\"top_p\":");
	vl_buf_add_json_num(&b, task->gen.top_p);
	vl_buf_addf(&b, ",\"seed\":%lld}", task->gen.seed);
	vl_buf_adds(&b, ",\"extract\":");
	vl_buf_add_json_str(&b, task->extract);
	vl_buf_adds(&b, ",\"metrics\":[");
	for (size_t i = 0; i < task->metrics.n; i++) {
		if (i)
			vl_buf_addch(&b, ',');
		vl_buf_add_json_str(&b, task->metrics.v[i]);
	}
	vl_buf_addf(&b, "],\"bootstrap\":{\"resamples\":%d,\"seed\":%llu,\"level\":", o->resamples,
		    (unsigned long long)o->seed);
	vl_buf_add_json_num(&b, o->ci_level);
	vl_buf_adds(&b, "}");
	if (o->adaptive)
		vl_buf_addf(&b, ",\"concurrency\":\"auto:%ld\"", o->concurrency);
	if (o->max_cost > 0) {
		vl_buf_adds(&b, ",\"max_cost\":");
		vl_buf_add_json_num(&b, o->max_cost);
	}
	/* kept so that a resume prices the run as the original would */
	if (o->price_input >= 0 || o->price_output >= 0) {
		vl_buf_adds(&b, ",\"price\":{\"input\":");
		vl_buf_add_json_num(&b, o->price_input >= 0 ? o->price_input : NAN);
		vl_buf_adds(&b, ",\"output\":");
		vl_buf_add_json_num(&b, o->price_output >= 0 ? o->price_output : NAN);
		vl_buf_addch(&b, '}');
	}
	vl_buf_addch(&b, '}');
	return vl_buf_detach(&b, NULL);
}

static double peak_rss_mb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return (double)ru.ru_maxrss / 1024.0;
}

/* ---- the loop --------------------------------------------------------- */

struct slot {
	int busy;
	uint64_t id;
	struct vl_sample sample;
	struct vl_built_request br;
};

struct loop {
	const struct vl_task *task;
	const struct vl_run_opts *o;
	struct vl_runlog *rl;
	long long run;
	struct vl_backend *backend;
	const struct vl_backend_methods *bm;
	const struct vl_extractor *ex;
	struct vl_kv opts;             /* metric options for the model family */
	const char *secret;            /* API key value, for scrubbing; borrowed */
	struct vl_request_builder builder;
	struct slot *slots;
	long nslots, inflight;
	uint64_t next_id;
	struct vl_strmap answered;
	struct vl_progress prog;
	struct vl_run_result *res;
	struct vl_run_info prev;       /* the attempt being resumed (zero: none) */
	struct vl_dataset *ds;
	long read_count;
	long shard_count;          /* samples of this shard (read_count without --shard) */
	int eof;
	int fatal;
	/* the first metric alone, for each sample's score as it arrives */
	struct vl_scoring *first;
	struct vl_pace pace;           /* concurrency, breaker, budget */
	int halted;                    /* the pace stopped new requests */
};

/* What an answer from the backend says about the server's state. */
static enum vl_pace_outcome outcome_of(const struct vl_response *r, unsigned caps)
{
	if (!r->error && r->text)
		return r->retries > 0 ? VL_PACE_OVERLOAD : VL_PACE_OK;
	if (r->http_status == 429 || r->http_status == 503 || r->http_status == 408 ||
	    (r->error && strstr(r->error, "timed out")))
		return VL_PACE_OVERLOAD;
	/* only a server can be unreachable: a replay file's missing answer or
	 * a worker's error is the sample's own */
	return r->http_status == 0 && !r->fatal && (caps & VL_CAP_REMOTE) ? VL_PACE_CONNECTION
									   : VL_PACE_OTHER;
}

static void slot_clear(struct slot *s)
{
	vl_sample_release(&s->sample);
	vl_built_request_release(&s->br);
	memset(s, 0, sizeof(*s));
}

/* Writes a completed request's row; cached: the answer came from the cache. */
static void record(struct loop *L, struct slot *s, struct vl_response *r, int cached)
{
	struct vl_buf ex = VL_BUF_INIT, err = VL_BUF_INIT, ref = VL_BUF_INIT;
	struct vl_sample_row row = { 0 };
	double score = NAN;

	row.sample_id = s->sample.id;
	row.idx = (long)s->sample.index;
	row.prompt = s->br.prompt;
	row.question = s->sample.question;
	vl_sample_ref_json(&s->sample, &ref);
	row.reference = vl_buf_str(&ref);
	row.latency_s = r->latency_s;
	row.ttft_s = r->ttft_s;
	row.prompt_tokens = r->prompt_tokens;
	row.completion_tokens = r->completion_tokens;
	row.bytes_sent = r->bytes_sent;
	row.bytes_received = r->bytes_received;
	row.retries = r->retries;
	row.http_status = r->http_status;
	row.gpu_mem_peak_mb = r->gpu_mem_peak_mb;
	row.cached = cached;
	row.finish_reason = r->finish_reason;
	row.score = NAN;
	/* the run log and every JSON made from it hold valid UTF-8 only: a
	 * server's bad bytes become U+FFFD, and the sample says so */
	vl_utf8_repair(&r->error);
	if (r->text && !r->error && strlen(r->text) > VL_MAX_OUTPUT_BYTES) {
		struct vl_buf m = VL_BUF_INIT;
		vl_buf_addf(&m, "output of %zu bytes is over the limit of %d bytes: not scored",
			    strlen(r->text), VL_MAX_OUTPUT_BYTES);
		r->error = vl_buf_detach(&m, NULL);
	}
	if (vl_utf8_repair(&r->text) > 0)
		vl_runlog_put_error(L->rl, L->run, "output", s->sample.id, "the output was not valid "
				    "UTF-8: stored with U+FFFD in place of each bad byte");
	if (r->error || !r->text) {
		vl_secret_scrub(r->error, L->secret);
		row.error = r->error ? r->error : "backend returned no text";
		L->prog.errors++;
		if (r->fatal && !L->fatal) {
			L->fatal = 1;
			vl_runlog_put_error(L->rl, L->run, "fatal", s->sample.id, row.error);
			vl_error("%s: %s", L->bm->name, row.error);
		}
	} else {
		vl_secret_scrub(r->text, L->secret);
		row.output = r->text;
		row.parse_ok = L->ex->extract(r->text, &s->sample, &L->opts, &ex) == 0;
		row.extracted = vl_buf_str(&ex);
		if (L->first &&
		    vl_scoring_add(L->first, &s->sample, row.extracted, &score, NULL, NULL) == 0)
			row.score = score;
		if (cached)
			L->prog.cached++;
	}
	if (vl_runlog_put_sample(L->rl, L->run, &row, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		L->fatal = 1;
	} else if (!row.error && !cached && s->br.cache_key)
		/* only with its sample row: after a write failed (a full disk)
		 * SQLite has rolled the batch back, and a cache row written now
		 * would be committed alone; the resume would then take the
		 * answer from the cache, as free, when it was paid for */
		vl_runlog_cache_put(L->rl, s->br.cache_key, L->bm->name, L->o->model, r->text,
				    r->prompt_tokens, r->completion_tokens, r->finish_reason);
	L->prog.done++;
	vl_buf_release(&ex);
	vl_buf_release(&err);
	vl_buf_release(&ref);
}

static struct slot *slot_by_id(struct loop *L, uint64_t id)
{
	for (long i = 0; i < L->nslots; i++)
		if (L->slots[i].busy && L->slots[i].id == id)
			return &L->slots[i];
	return NULL;
}

static struct slot *free_slot(struct loop *L)
{
	for (long i = 0; i < L->nslots; i++)
		if (!L->slots[i].busy)
			return &L->slots[i];
	return NULL;
}

/* Records a request that never reached the backend (prompt, image or
 * queueing failure) as the sample's error and frees the slot. */
static void fail_slot(struct loop *L, struct slot *s, const char *msg)
{
	struct vl_response r = { .id = s->id, .latency_s = -1, .ttft_s = -1,
				 .prompt_tokens = -1, .completion_tokens = -1,
				 .gpu_mem_peak_mb = -1 };

	r.error = strdup(msg);
	record(L, s, &r, 0);
	vl_response_release(&r);
	slot_clear(s);
}

/* Builds and submits sample (consumed) in a free slot; a sample whose
 * request cannot be built, or that the cache answers, is recorded at once. */
static void submit_sample(struct loop *L, struct vl_sample *sample)
{
	struct slot *s = free_slot(L);
	struct vl_buf err = VL_BUF_INIT;
	struct vl_cache_entry ce = { 0 };

	s->busy = 1;
	s->id = ++L->next_id;
	s->sample = *sample;
	vl_sample_init(sample);
	if (vl_request_build(&L->builder, &s->sample, s->id, &s->br, &err) < 0) {
		fail_slot(L, s, vl_buf_str(&err));
	} else if (s->br.cache_key && vl_runlog_cache_get(L->rl, s->br.cache_key, &ce) == 0) {
		struct vl_response r = { .id = s->id, .text = ce.output, .latency_s = 0,
					 .ttft_s = -1, .prompt_tokens = ce.prompt_tokens,
					 .completion_tokens = ce.completion_tokens,
					 .gpu_mem_peak_mb = -1,
					 .finish_reason = ce.finish_reason };
		record(L, s, &r, 1);
		vl_response_release(&r);
		slot_clear(s);
	} else if (vl_backend_submit(L->backend, &s->br.req, &err) < 0) {
		fail_slot(L, s, vl_buf_str(&err));
	} else {
		L->inflight++;
	}
	vl_buf_release(&err);
}

/* Collects the answers that arrived within timeout_ms and records them. */
static int drain(struct loop *L, int timeout_ms)
{
	struct vl_response resp[64];
	int n = vl_backend_poll(L->backend, timeout_ms, resp, 64);

	if (n < 0) {
		vl_error("backend '%s' failed while waiting for answers", L->bm->name);
		L->fatal = 1;
		return n;
	}
	for (int i = 0; i < n; i++) {
		struct slot *s = slot_by_id(L, resp[i].id);
		if (!s) {
			/* an id we never sent (or answered twice): never let it in */
			vl_runlog_put_error(L->rl, L->run, "backend", NULL,
					    "backend returned an answer for an unknown request");
			vl_response_release(&resp[i]);
			continue;
		}
		vl_pace_answer(&L->pace, vl_now(), outcome_of(&resp[i], L->bm->caps), resp[i].latency_s,
			       resp[i].prompt_tokens, resp[i].completion_tokens);
		record(L, s, &resp[i], 0);
		vl_response_release(&resp[i]);
		slot_clear(s);
		L->inflight--;
	}
	return n;
}

/* Value of an answered sample in loop.answered whose row predates stored
 * references: a resume fills them in when it reads the sample again. */
static char needs_reference;

static int collect_answered(void *ctx, const struct vl_sample_row *r)
{
	vl_strmap_put(ctx, r->sample_id, r->reference ? NULL : &needs_reference);
	return 0;
}

static void fill_reference(struct loop *L, const struct vl_sample *s)
{
	struct vl_buf ref = VL_BUF_INIT;

	vl_sample_ref_json(s, &ref);
	vl_runlog_set_reference(L->rl, L->run, s->id, s->question, vl_buf_str(&ref));
	vl_buf_release(&ref);
}

int vl_runner_score(const struct vl_task *task, struct vl_runlog *rl, long long run,
		    const struct vl_run_opts *o, struct vl_buf *err)
{
	struct vl_scoring_ci ci = { 0 };

	if (o) {
		ci.resamples = o->resamples;
		ci.seed = o->seed;
		ci.level = o->ci_level;
	}
	return vl_scoring_run_log(task, o ? o->model_family : NULL, rl, run, &ci, err);
}

/* A dataset record that could not be read: logged, skipped, fatal only
 * with --strict. */
static void bad_record(struct loop *L, const char *msg)
{
	L->res->n_bad_records++;
	vl_runlog_put_error(L->rl, L->run, "dataset", NULL, msg);
	if (L->o->progress == 1 || L->res->n_bad_records <= 3)
		vl_warn("skipped: %s", msg);
	if (L->o->strict) {
		vl_error("stopping at the first bad record (--strict)");
		L->fatal = 1;
	}
}

/* 1 when s belongs to the run's shard (always without --shard). */
static int in_shard(const struct vl_run_opts *o, const struct vl_sample *s)
{
	return o->shard_count <= 0 || s->index % (size_t)o->shard_count == (size_t)o->shard_index;
}

/* The pace stopped the run (breaker or budget): no new request starts,
 * those in flight are answered, and the run ends interrupted. */
static void halt(struct loop *L)
{
	struct vl_buf m = VL_BUF_INIT;

	if (L->halted)
		return;
	L->halted = 1;
	if (L->pace.tripped)
		vl_buf_addf(&m, "stopped: the last %ld requests all failed to reach the server "
			    "(connection level); check that it is up, then resume",
			    L->pace.breaker_after);
	else
		vl_buf_addf(&m, "stopped: the spent price reached --max-cost %.4g (resume with a "
			    "higher --max-cost to go on)", L->pace.max_cost);
	vl_runlog_put_error(L->rl, L->run, L->pace.tripped ? "breaker" : "budget", NULL,
			    vl_buf_str(&m));
	vl_error("%s", vl_buf_str(&m));
	vl_buf_release(&m);
}

/* Reads samples and submits them until the pace's limit is in flight or
 * the dataset (or --limit) ends. */
static void fill_slots(struct loop *L)
{
	while (!L->eof && !L->fatal && !vl_runner_stop && !L->halted &&
	       L->inflight < vl_pace_limit(&L->pace)) {
		struct vl_buf e = VL_BUF_INIT;
		struct vl_sample s;
		void **slotp;
		int rc;

		if (L->o->limit >= 0 && L->read_count >= L->o->limit) {
			L->eof = 1;
			break;
		}
		vl_sample_init(&s);
		rc = vl_dataset_next(L->ds, &s, &e);
		if (rc == VL_EPARSE) {
			bad_record(L, vl_buf_str(&e));
		} else if (rc <= 0) {
			if (rc < 0) {
				vl_runlog_put_error(L->rl, L->run, "dataset", NULL, vl_buf_str(&e));
				vl_error("%s", vl_buf_str(&e));
				L->fatal = 1;
			}
			L->eof = 1;
		} else if (L->read_count++, !in_shard(L->o, &s)) {
			/* another shard's sample */
		} else if (L->shard_count++, (slotp = vl_strmap_find(&L->answered, s.id))) {
			/* answered in an earlier attempt: its row (and score) stands */
			if (*slotp == &needs_reference)
				fill_reference(L, &s);
			L->prog.done++;
			L->prog.skipped++;
			L->res->n_skipped++;
		} else {
			submit_sample(L, &s);
		}
		vl_sample_release(&s);
		vl_buf_release(&e);
		if (vl_pace_stop(&L->pace, L->inflight))
			halt(L);
	}
}

char *vl_runner_config_hash(const char *s)
{
	struct vl_buf b = VL_BUF_INIT;
	vl_buf_addf(&b, "%016llx",
		    (unsigned long long)vl_hash64(s, strlen(s), VL_HASH_SEED));
	return vl_buf_detach(&b, NULL);
}

/* Creates the run's row, or takes up the run being resumed. */
static int start_run(struct loop *L, struct vl_buf *err)
{
	const struct vl_task *task = L->task;
	const struct vl_run_opts *o = L->o;
	struct vl_run_info ri = { 0 };
	char host[256] = "";
	int rc;

	if (o->resume_id) {
		rc = vl_runlog_get_run(L->rl, o->resume_id, &L->prev, err);
		if (rc < 0)
			return rc;
		L->run = o->resume_id;
		vl_runlog_set_status(L->rl, L->run, "running");
		/* the dataset is read again from the start: its bad records are
		 * logged again, so the earlier entries go */
		vl_runlog_clear_errors(L->rl, L->run, "dataset");
		vl_runlog_each_sample(L->rl, L->run, 1, collect_answered, &L->answered);
		return 0;
	}
	ri.created = vl_wall_time();
	ri.status = "running";
	ri.task = task->name;
	ri.task_version = task->version;
	ri.family = (char *)vl_family_name(task->family);
	ri.backend = (char *)L->bm->name;
	ri.model = (char *)o->model;
	ri.baseline = (L->bm->caps & VL_CAP_BASELINE) != 0;
	ri.config = vl_runner_config_json(task, o);
	ri.config_hash = vl_runner_config_hash(ri.config);
	ri.task_json = cJSON_PrintUnformatted(task->json);
	ri.code_version = VL_VERSION;
	gethostname(host, sizeof(host) - 1);
	ri.host = host;
	rc = vl_runlog_create_run(L->rl, &ri, &L->run, err);
	vl_free(ri.config);
	vl_free(ri.config_hash);
	free(ri.task_json);
	return rc;
}

/* The run's cost figures: this attempt's added to the resumed ones. */
static void run_costs(struct loop *L, struct vl_run_info *ri, double t0, double cpu0,
		      double cpu0_children)
{
	const struct vl_run_info *prev = &L->prev;
	const struct vl_run_opts *o = L->o;
	struct vl_backend_stats bst;

	vl_backend_stats(L->backend, &bst);
	vl_runlog_sample_stats(L->rl, L->run, ri);
	ri->n_samples = L->shard_count;
	/* the dataset is read from the start on resume: this count is the total */
	ri->n_bad_records = L->res->n_bad_records;
	ri->wall_s = (prev->wall_s > 0 ? prev->wall_s : 0) + (vl_now() - t0);
	ri->cpu_s = (prev->cpu_s > 0 ? prev->cpu_s : 0) + (vl_cpu_seconds(RUSAGE_SELF) - cpu0);
	ri->peak_rss_mb = fmax(peak_rss_mb(), prev->peak_rss_mb);
	ri->backend_cpu_s = bst.cpu_s >= 0 ? bst.cpu_s
					   : vl_cpu_seconds(RUSAGE_CHILDREN) - cpu0_children;
	if (ri->backend_cpu_s <= 0)
		ri->backend_cpu_s = -1;
	ri->backend_rss_mb = bst.peak_rss_mb;
	if (bst.gpu_mem_peak_mb > ri->gpu_mem_peak_mb)
		ri->gpu_mem_peak_mb = bst.gpu_mem_peak_mb;
	ri->price = -1;
	if (o->price_input >= 0 && o->price_output >= 0 && ri->prompt_tokens >= 0 &&
	    ri->completion_tokens >= 0)
		ri->price = ((double)ri->prompt_tokens * o->price_input +
			     (double)ri->completion_tokens * o->price_output) / 1e6;
	ri->throughput = ri->wall_s > 0 ? (double)ri->n_done / ri->wall_s : -1;
}

/* Scores a run that answered every sample, and sets its status. */
static void finish_run(struct loop *L, const struct vl_run_info *ri)
{
	struct vl_run_result *res = L->res;
	struct vl_buf se = VL_BUF_INIT;

	if (vl_runner_stop) {
		res->status = "interrupted";
		res->exit_code = VL_EXIT_INTERRUPTED;
	} else if (L->halted) {
		/* resumable: a breaker stop is the server's fault, a budget stop the
		 * user's own limit */
		res->status = "interrupted";
		res->exit_code = L->pace.tripped ? VL_EXIT_FATAL : VL_EXIT_INTERRUPTED;
	} else if (L->fatal) {
		res->status = "failed";
		res->exit_code = VL_EXIT_FATAL;
	} else if (vl_runner_score(L->task, L->rl, L->run, L->o, &se) < 0) {
		vl_runlog_put_error(L->rl, L->run, "metric", NULL, vl_buf_str(&se));
		vl_error("scoring failed: %s", vl_buf_str(&se));
		res->status = "failed";
		res->exit_code = VL_EXIT_FATAL;
	} else {
		res->status = "finished";
		res->exit_code = ri->n_errors > 0 || res->n_bad_records > 0
					 ? VL_EXIT_SAMPLES_FAILED : VL_EXIT_OK;
	}
	vl_buf_release(&se);
}

/* Opens the backend and fills everything the loop needs before a run row
 * exists. */
static int open_loop(struct loop *L, struct vl_buf *err)
{
	const struct vl_task *task = L->task;
	const struct vl_run_opts *o = L->o;
	const char *api_key_env = vl_kv_get_or(o->backend_cfg, "api_key_env", "OPENAI_API_KEY");
	int rc;

	L->ex = vl_extractor_find(task->extract);
	vl_task_options(task, o->model_family, &L->opts);
	L->secret = getenv(api_key_env);
	rc = vl_backend_open(o->backend, o->backend_cfg, &L->backend, err);
	if (rc < 0)
		return rc;
	L->bm = vl_backend_methods(L->backend);
	rc = vl_request_builder_init(&L->builder, task, o->model_family, L->backend, o->model,
				     o->backend_cfg, &L->opts, err);
	L->builder.use_cache = !o->no_cache && (L->bm->caps & VL_CAP_CACHEABLE) &&
			       (task->gen.temperature == 0 || task->gen.seed >= 0);
	return rc;
}

static void close_loop(struct loop *L)
{
	for (long i = 0; i < L->nslots; i++)
		if (L->slots[i].busy)
			slot_clear(&L->slots[i]);
	vl_free(L->slots);
	vl_scoring_free(L->first);
	vl_pace_release(&L->pace);
	vl_dataset_close(L->ds);
	vl_backend_close(L->backend);
	vl_request_builder_release(&L->builder);
	vl_strmap_release(&L->answered, NULL);
	vl_kv_release(&L->opts);
	vl_run_info_release(&L->prev);
}

int vl_runner_run(const struct vl_task *task, const struct vl_run_opts *o,
		  struct vl_runlog *rl, struct vl_run_result *res, struct vl_buf *err)
{
	struct vl_dataset_spec spec = { task->name, o->data_dir ? o->data_dir : ".", task->dataset,
					o->strict };
	struct vl_run_info ri = { 0 };
	struct loop L = { .task = task, .o = o, .rl = rl, .res = res };
	double t0 = vl_now(), cpu0 = vl_cpu_seconds(RUSAGE_SELF);
	double cpu0_children = vl_cpu_seconds(RUSAGE_CHILDREN);
	int rc;

	memset(res, 0, sizeof(*res));
	res->status = "failed";
	res->exit_code = VL_EXIT_FATAL;
	if ((rc = open_loop(&L, err)) < 0 || (rc = start_run(&L, err)) < 0)
		goto out;
	res->run_id = L.run;
	rc = vl_dataset_open(&spec, &L.ds, err);
	if (rc < 0) {
		vl_runlog_put_error(rl, L.run, "dataset", NULL, vl_buf_str(err));
		/* a resume that cannot find the data leaves the run as it was */
		vl_runlog_set_status(rl, L.run, o->resume_id && L.prev.status ? L.prev.status
									: "failed");
		res->exit_code = VL_EXIT_USAGE;
		goto out;
	}
	if (task->metrics.n)
		L.first = vl_scoring_new((const char *const *)task->metrics.v, 1, &L.opts, NULL, NULL);
	L.nslots = o->concurrency > 0 ? o->concurrency : 1;
	vl_pace_init(&L.pace, o->adaptive, L.nslots, o->breaker_after, o->max_cost,
		     o->price_input, o->price_output);
	/* the budget covers the whole run, earlier attempts included */
	L.pace.spent = L.prev.price > 0 ? L.prev.price : 0;
	L.pace.est_answer = o->est_answer_price;
	L.slots = vl_xcalloc((size_t)L.nslots, sizeof(*L.slots));
	/* the total is what is known without reading the dataset a second time:
	 * the limit, or the count of the attempt being resumed */
	vl_progress_start(&L.prog, o->progress, task->name,
			  L.prev.n_samples > 0 ? L.prev.n_samples : o->limit);
	while (!L.fatal && !vl_runner_stop && ((!L.eof && !L.halted) || L.inflight > 0)) {
		fill_slots(&L);
		if (!L.halted && vl_pace_stop(&L.pace, L.inflight))
			halt(&L);
		L.prog.concurrency = o->adaptive ? vl_pace_limit(&L.pace) : 0;
		if (L.inflight > 0)
			drain(&L, 50);
		vl_runlog_tick(rl);
		vl_progress_update(&L.prog, 0);
	}
	{
		/* a batch lost to a full disk fails the run, with what failed */
		struct vl_buf ce = VL_BUF_INIT;
		if (vl_runlog_commit(rl, L.run, &ce) < 0 && !L.fatal) {
			vl_error("%s", vl_buf_str(&ce));
			L.fatal = 1;
		}
		vl_buf_release(&ce);
	}
	vl_progress_end(&L.prog);
	res->n_samples = L.shard_count;
	vl_runlog_get_run(rl, L.run, &ri, err);
	run_costs(&L, &ri, t0, cpu0, cpu0_children);
	res->n_done = ri.n_done;
	res->n_errors = ri.n_errors;
	finish_run(&L, &ri);
	vl_free(ri.status);
	ri.status = vl_xstrdup(res->status);
	ri.finished = strcmp(res->status, "finished") ? 0 : vl_wall_time();
	vl_runlog_update_run(rl, &ri, err);
	rc = 0;
out:
	close_loop(&L);
	vl_run_info_release(&ri);
	return rc;
}
