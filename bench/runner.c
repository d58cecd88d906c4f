/*
 * runner.c - the evaluation loop (see runner.h).
 */
#include "bench/runner.h"
#include "backends/host.h"
#include "bench/cli.h"
#include "bench/progress.h"
#include "bench/scoring.h"
#include "core/base64.h"
#include "datasets/dataset.h"
#include "core/image.h"
#include "metrics/metric.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

volatile int vl_runner_stop;

int vl_is_secret_key(const char *key)
{
	static const char *const words[] = { "api_key", "apikey", "token", "password",
					     "secret", "authorization", "bearer", NULL };
	char low[128];
	size_t n = 0;

	if (!strcmp(key, "api_key_env"))
		return 0;
	for (; key[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)tolower((unsigned char)key[n]);
	low[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

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
	vl_buf_addf(&b, ",\"limit\":%ld,\"set\":{", o->limit);
	for (size_t i = 0; o->backend_cfg && i < o->backend_cfg->keys.n; i++) {
		const char *k = o->backend_cfg->keys.v[i];
		if (vl_is_secret_key(k))
			continue;
		if (b.buf[b.len - 1] != '{')
			vl_buf_addch(&b, ',');
		vl_buf_add_json_str(&b, k);
		vl_buf_addch(&b, ':');
		vl_buf_add_json_str(&b, o->backend_cfg->vals.v[i]);
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

/* Removes every occurrence of the API key from text, in place: the key must
 * never reach the database even if a server echoes it in an error. */
static void scrub_secret(char *text, const char *secret)
{
	size_t n;
	char *p;

	if (!text || !secret || (n = strlen(secret)) < 4)
		return;
	while ((p = strstr(text, secret))) {
		memset(p, '*', 3);
		memmove(p + 3, p + n, strlen(p + n) + 1);
	}
}

static double peak_rss_mb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return (double)ru.ru_maxrss / 1024.0;
}

/* ---- phase 1: answers ---------------------------------------------- */

struct slot {
	int busy;
	uint64_t id;
	struct vl_sample sample;
	char *prompt;
	char *cache_key;
	char *truth;
	struct vl_strv prepared;   /* base64 of downscaled images, one per image */
};

struct loop {
	const struct vl_task *task;
	const struct vl_run_opts *o;
	struct vl_runlog *rl;
	long long run;
	struct vl_backend *backend;
	const struct vl_backend_methods *bm;
	const struct vl_extractor *ex;
	const char *prompt_tmpl;
	struct vl_kv opts;             /* metric options for the model family */
	const char *secret;            /* API key value, for scrubbing; borrowed */
	const char *base_url;
	long max_image_side;           /* > 0: downscale images before sending */
	struct slot *slots;
	long nslots, inflight;
	uint64_t next_id;
	struct vl_strmap answered;
	struct vl_strmap image_hashes; /* image file identity -> content hash (uint64_t *) */
	struct vl_progress prog;
	struct vl_run_result *res;
	const char **choices;          /* for the random baseline */
	int fatal;
	int use_cache;
	/* the first metric alone, for each sample's score as it arrives */
	struct vl_scoring *first;
};

static void slot_clear(struct slot *s)
{
	vl_sample_release(&s->sample);
	vl_free(s->prompt);
	vl_free(s->cache_key);
	vl_free(s->truth);
	vl_strv_release(&s->prepared);
	memset(s, 0, sizeof(*s));
}

/*
 * Content hash of an image file, for cache keys: content, not path, so a
 * re-encoded image misses the cache.  Benchmarks ask several questions per
 * image, so hashes are remembered per (path, inode, size, mtime) and a file
 * is read and hashed once per run, not once per request (reading and
 * hashing a 100 KB image for every request doubled the CPU per sample).
 */
static int image_hash(struct loop *L, const char *path, uint64_t *out)
{
	struct vl_buf key = VL_BUF_INIT, file = VL_BUF_INIT;
	struct stat st;
	void **memo;
	int rc = 0;

	if (stat(path, &st) != 0)
		return VL_EIO;
	vl_buf_addf(&key, "%s|%llu|%lld|%lld.%09ld", path, (unsigned long long)st.st_ino,
		    (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	memo = vl_strmap_find(&L->image_hashes, vl_buf_str(&key));
	if (memo) {
		*out = *(uint64_t *)*memo;
	} else if (vl_read_file(path, &file, NULL) < 0) {
		rc = VL_EIO;
	} else {
		uint64_t *h = vl_xmalloc(sizeof(*h));
		*h = vl_hash64_bulk(file.buf, file.len, VL_HASH_SEED);
		vl_strmap_put(&L->image_hashes, vl_buf_str(&key), h);
		*out = *h;
	}
	vl_buf_release(&key);
	vl_buf_release(&file);
	return rc;
}

/* Hex digest of everything that determines a deterministic answer. */
static char *cache_key(struct loop *L, const struct vl_request *req, const struct vl_sample *s)
{
	struct vl_buf k = VL_BUF_INIT, file = VL_BUF_INIT;
	uint64_t h1, h2;
	char *out;

	vl_buf_addf(&k, "%s\n%s\n%s\n", L->bm->name, L->o->model ? L->o->model : "",
		    L->base_url ? L->base_url : "");
	vl_buf_addf(&k, "%s\n%s\n", req->system ? req->system : "", req->prompt);
	for (size_t i = 0; i < req->n_images; i++) {
		uint64_t ih;
		if (req->images[i].b64) {
			ih = vl_hash64_bulk(req->images[i].b64, strlen(req->images[i].b64), VL_HASH_SEED);
		} else if (image_hash(L, req->images[i].path, &ih) < 0) {
			vl_buf_release(&k);
			vl_buf_release(&file);
			return NULL;
		}
		vl_buf_addf(&k, "img:%016llx\n", (unsigned long long)ih);
	}
	vl_buf_addf(&k, "%d %.17g %.17g %lld\n", req->max_tokens, req->temperature, req->top_p,
		    req->seed);
	for (size_t i = 0; i < req->n_stop; i++)
		vl_buf_addf(&k, "stop:%s\n", req->stop[i]);
	for (size_t i = 0; L->o->backend_cfg && i < L->o->backend_cfg->keys.n; i++) {
		const char *key = L->o->backend_cfg->keys.v[i];
		/* knobs that change answers, not those that change speed: the
		 * backend's option table says which */
		if (vl_backend_changes_answers(L->backend, key))
			vl_buf_addf(&k, "%s=%s\n", key, L->o->backend_cfg->vals.v[i]);
	}
	h1 = vl_hash64(k.buf, k.len, VL_HASH_SEED);
	h2 = vl_hash64(k.buf, k.len, 0x84222325cbf29ce4ULL);
	vl_buf_reset(&file);
	vl_buf_addf(&file, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
	out = vl_buf_detach(&file, NULL);
	vl_buf_release(&k);
	return out;
}

/* Writes a completed request's row; cached: the answer came from the cache. */
static void record(struct loop *L, struct slot *s, struct vl_response *r, int cached)
{
	struct vl_buf ex = VL_BUF_INIT, err = VL_BUF_INIT, ref = VL_BUF_INIT;
	struct vl_sample_row row = { 0 };
	double score = NAN;

	row.sample_id = s->sample.id;
	row.idx = (long)s->sample.index;
	row.prompt = s->prompt;
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
	row.score = NAN;
	if (r->error || !r->text) {
		scrub_secret(r->error, L->secret);
		row.error = r->error ? r->error : "backend returned no text";
		L->prog.errors++;
		if (r->fatal && !L->fatal) {
			L->fatal = 1;
			vl_runlog_put_error(L->rl, L->run, "fatal", s->sample.id, row.error);
			vl_error("%s: %s", L->bm->name, row.error);
		}
	} else {
		scrub_secret(r->text, L->secret);
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
	}
	if (!row.error && !cached && s->cache_key)
		vl_runlog_cache_put(L->rl, s->cache_key, L->bm->name, L->o->model, r->text,
				    r->prompt_tokens, r->completion_tokens);
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

static void trim(struct vl_buf *b)
{
	size_t start = 0, end = b->len;

	while (start < end && isspace((unsigned char)b->buf[start]))
		start++;
	while (end > start && isspace((unsigned char)b->buf[end - 1]))
		end--;
	if (start)
		memmove(b->buf, b->buf + start, end - start);
	vl_buf_setlen(b, end - start);
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

/* --max-image-side: replaces each image by the base64 of its downscaled
 * bytes (the original bytes when it already fits).  The strings live in the
 * slot until the request completes. */
static int prepare_images(struct loop *L, struct slot *s, struct vl_image *imgs, size_t n,
			  struct vl_buf *err)
{
	struct vl_buf bytes = VL_BUF_INIT, enc = VL_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const char *mime = NULL;
		vl_buf_reset(&bytes);
		vl_buf_reset(&enc);
		if (vl_image_prepare(imgs[i].path, imgs[i].b64, (int)L->max_image_side, &bytes, &mime,
				     err) < 0) {
			rc = VL_EINVAL;
			break;
		}
		vl_base64_encode_buf(&enc, bytes.buf, bytes.len);
		vl_strv_push(&s->prepared, vl_buf_str(&enc));
	}
	/* pointers taken only once every string is in place: the vector may move */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		imgs[i].b64 = s->prepared.v[i];
		imgs[i].mime = NULL;   /* the backend sniffs the re-encoded bytes */
		imgs[i].path = NULL;
	}
	vl_buf_release(&bytes);
	vl_buf_release(&enc);
	return rc;
}

/* Renders and submits sample (consumed) in a free slot.  Returns 0, or
 * negative when the loop must stop. */
static int submit_sample(struct loop *L, struct vl_sample *sample)
{
	struct slot *s = free_slot(L);
	struct vl_buf prompt = VL_BUF_INIT, err = VL_BUF_INIT, truth = VL_BUF_INIT;
	struct vl_image *imgs = NULL;
	struct vl_request req = { 0 };
	struct vl_cache_entry ce = { 0 };
	int rc = 0;

	s->busy = 1;
	s->id = ++L->next_id;
	s->sample = *sample;
	vl_sample_init(sample);
	if (vl_task_render(L->prompt_tmpl, &s->sample, &prompt, &err) < 0) {
		fail_slot(L, s, vl_buf_str(&err));
		goto out;
	}
	trim(&prompt);
	s->prompt = vl_buf_detach(&prompt, NULL);
	if (s->sample.images.n || s->sample.image_b64) {
		imgs = vl_xcalloc(s->sample.images.n + 1, sizeof(*imgs));
		for (size_t i = 0; i < s->sample.images.n; i++)
			imgs[req.n_images++].path = s->sample.images.v[i];
		if (s->sample.image_b64)
			imgs[req.n_images++].b64 = s->sample.image_b64;
		if (L->max_image_side > 0 && prepare_images(L, s, imgs, req.n_images, &err) < 0) {
			fail_slot(L, s, vl_buf_str(&err));
			goto out;
		}
	}
	req.id = s->id;
	req.sample_id = s->sample.id;
	req.system = L->task->system;
	req.prompt = s->prompt;
	req.images = imgs;
	req.max_tokens = L->task->gen.max_tokens;
	req.temperature = L->task->gen.temperature;
	req.top_p = L->task->gen.top_p;
	req.seed = L->task->gen.seed;
	req.stop = (const char *const *)L->task->gen.stop.v;
	req.n_stop = L->task->gen.stop.n;
	req.choices = L->choices;
	if (L->bm->caps & VL_CAP_TRUTH) {
		if (L->ex->render_truth &&
		    L->ex->render_truth(&s->sample, &L->opts, &truth) == 0)
			s->truth = vl_buf_detach(&truth, NULL);
		req.truth = s->truth;
	}
	if (L->use_cache) {
		s->cache_key = cache_key(L, &req, &s->sample);
		if (s->cache_key && vl_runlog_cache_get(L->rl, s->cache_key, &ce) == 0) {
			struct vl_response r = { .id = s->id, .text = ce.output, .latency_s = 0,
						 .ttft_s = -1, .prompt_tokens = ce.prompt_tokens,
						 .completion_tokens = ce.completion_tokens,
						 .gpu_mem_peak_mb = -1 };
			record(L, s, &r, 1);
			vl_response_release(&r);
			slot_clear(s);
			goto out;
		}
	}
	if (vl_backend_submit(L->backend, &req, &err) < 0) {
		fail_slot(L, s, vl_buf_str(&err));
		goto out;
	}
	L->inflight++;
out:
	vl_free(imgs);
	vl_buf_release(&prompt);
	vl_buf_release(&err);
	vl_buf_release(&truth);
	return rc;
}

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

/* ---- the run ---------------------------------------------------------- */

static char *hash_hex(const char *s)
{
	struct vl_buf b = VL_BUF_INIT;
	vl_buf_addf(&b, "%016llx",
		    (unsigned long long)vl_hash64(s, strlen(s), VL_HASH_SEED));
	return vl_buf_detach(&b, NULL);
}

/* The answers a random guesser picks from: the task's "choices", else
 * yes/no for yes/no tasks, else NULL (per-sample option letters are not
 * known up front; the backend then guesses yes/no). */
static const char **make_choices(const struct vl_task *t)
{
	static const char *yesno[] = { "yes", "no", NULL };
	static const char *letters[] = { "A", "B", "C", "D", NULL };

	if (t->choices.n)
		return (const char **)t->choices.v;
	if (!strcmp(t->extract, "yesno"))
		return yesno;
	if (!strcmp(t->extract, "letter"))
		return letters;
	return NULL;
}

int vl_runner_run(const struct vl_task *task, const struct vl_run_opts *o,
		  struct vl_runlog *rl, struct vl_run_result *res, struct vl_buf *err)
{
	struct vl_dataset_spec spec = { task->name, o->data_dir ? o->data_dir : ".", task->dataset,
					o->strict };
	struct vl_run_info ri = { 0 }, prev = { 0 };
	struct loop L = { 0 };
	struct vl_dataset *ds = NULL;
	double t0 = vl_now(), cpu0 = vl_cpu_seconds(RUSAGE_SELF);
	double cpu0_children = vl_cpu_seconds(RUSAGE_CHILDREN);
	struct vl_backend_stats bst;
	const char *api_key_env;
	char host[256] = "";
	long read_count = 0;
	int eof = 0, rc = 0;

	memset(res, 0, sizeof(*res));
	res->status = "failed";
	res->exit_code = VL_EXIT_FATAL;
	L.task = task;
	L.o = o;
	L.rl = rl;
	L.res = res;
	L.ex = vl_extractor_find(task->extract);
	L.prompt_tmpl = vl_task_prompt(task, o->model_family);
	vl_task_options(task, o->model_family, &L.opts);
	L.choices = make_choices(task);
	api_key_env = vl_kv_get_or(o->backend_cfg, "api_key_env", "OPENAI_API_KEY");
	L.secret = getenv(api_key_env);
	L.base_url = vl_kv_get(o->backend_cfg, "base_url");
	{
		struct vl_buf e = VL_BUF_INIT;
		if (vl_kv_get_long(o->backend_cfg, "max_image_side", 0, &L.max_image_side, &e) < 0) {
			vl_buf_adds(err, vl_buf_str(&e));
			vl_buf_release(&e);
			return VL_EINVAL;
		}
		vl_buf_release(&e);
	}

	rc = vl_backend_open(o->backend, o->backend_cfg, &L.backend, err);
	if (rc < 0)
		return rc;
	L.bm = vl_backend_methods(L.backend);
	L.use_cache = !o->no_cache && (L.bm->caps & VL_CAP_CACHEABLE) &&
		      (task->gen.temperature == 0 || task->gen.seed >= 0);

	if (o->resume_id) {
		rc = vl_runlog_get_run(rl, o->resume_id, &prev, err);
		if (rc < 0)
			goto out_backend;
		L.run = o->resume_id;
		vl_runlog_set_status(rl, L.run, "running");
		/* the dataset is read again from the start: its bad records are
		 * logged again, so the earlier entries go */
		vl_runlog_clear_errors(rl, L.run, "dataset");
		vl_runlog_each_sample(rl, L.run, 1, collect_answered, &L.answered);
	} else {
		ri.created = vl_wall_time();
		ri.status = "running";
		ri.task = task->name;
		ri.task_version = task->version;
		ri.family = (char *)vl_family_name(task->family);
		ri.backend = (char *)L.bm->name;
		ri.model = (char *)o->model;
		ri.baseline = (L.bm->caps & VL_CAP_BASELINE) != 0;
		ri.config = vl_runner_config_json(task, o);
		ri.config_hash = hash_hex(ri.config);
		ri.task_json = cJSON_PrintUnformatted(task->json);
		ri.code_version = VL_VERSION;
		gethostname(host, sizeof(host) - 1);
		ri.host = host;
		rc = vl_runlog_create_run(rl, &ri, &L.run, err);
		vl_free(ri.config);
		vl_free(ri.config_hash);
		free(ri.task_json);
		memset(&ri, 0, sizeof(ri));
		if (rc < 0)
			goto out_backend;
	}
	res->run_id = L.run;

	rc = vl_dataset_open(&spec, &ds, err);
	if (rc < 0) {
		vl_runlog_put_error(rl, L.run, "dataset", NULL, vl_buf_str(err));
		/* a resume that cannot find the data leaves the run as it was */
		vl_runlog_set_status(rl, L.run, o->resume_id && prev.status ? prev.status : "failed");
		res->exit_code = VL_EXIT_USAGE;
		goto out_backend;
	}
	if (L.task->metrics.n)
		L.first = vl_scoring_new((const char *const *)task->metrics.v, 1, &L.opts, NULL, NULL);
	L.nslots = o->concurrency > 0 ? o->concurrency : 1;
	L.slots = vl_xcalloc((size_t)L.nslots, sizeof(*L.slots));
	/* the total is what is known without reading the dataset a second time:
	 * the limit, or the count of the attempt being resumed */
	vl_progress_start(&L.prog, o->progress, task->name,
			  prev.n_samples > 0 ? prev.n_samples : o->limit);

	while (!L.fatal && !vl_runner_stop && (!eof || L.inflight > 0)) {
		while (!eof && !L.fatal && !vl_runner_stop && L.inflight < L.nslots) {
			struct vl_buf e = VL_BUF_INIT;
			struct vl_sample s;
			void **slotp;

			if (o->limit >= 0 && read_count >= o->limit) {
				eof = 1;
				break;
			}
			vl_sample_init(&s);
			rc = vl_dataset_next(ds, &s, &e);
			if (rc == VL_EPARSE) {
				res->n_bad_records++;
				vl_runlog_put_error(rl, L.run, "dataset", NULL, vl_buf_str(&e));
				if (o->progress == 1 || res->n_bad_records <= 3)
					vl_warn("skipped: %s", vl_buf_str(&e));
				vl_sample_release(&s);
				vl_buf_release(&e);
				if (o->strict) {
					vl_error("stopping at the first bad record (--strict)");
					L.fatal = 1;
				}
				continue;
			}
			if (rc <= 0) {
				if (rc < 0) {
					vl_runlog_put_error(rl, L.run, "dataset", NULL, vl_buf_str(&e));
					vl_error("%s", vl_buf_str(&e));
					L.fatal = 1;
				}
				vl_sample_release(&s);
				vl_buf_release(&e);
				eof = 1;
				break;
			}
			vl_buf_release(&e);
			read_count++;
			if ((slotp = vl_strmap_find(&L.answered, s.id))) {
				/* answered in an earlier attempt: its row (and score) stands */
				if (*slotp == &needs_reference)
					fill_reference(&L, &s);
				L.prog.done++;
				L.prog.skipped++;
				res->n_skipped++;
				vl_sample_release(&s);
				continue;
			}
			submit_sample(&L, &s);
			vl_sample_release(&s);
		}
		if (L.inflight > 0)
			drain(&L, 50);
		vl_runlog_tick(rl);
		vl_progress_update(&L.prog, 0);
	}
	vl_runlog_flush(rl);
	vl_progress_end(&L.prog);
	res->n_samples = read_count;

	vl_backend_stats(L.backend, &bst);
	vl_runlog_get_run(rl, L.run, &ri, err);
	vl_runlog_sample_stats(rl, L.run, &ri);
	ri.n_samples = read_count;
	/* the dataset is read from the start on resume: this count is the total */
	ri.n_bad_records = res->n_bad_records;
	ri.wall_s = (prev.wall_s > 0 ? prev.wall_s : 0) + (vl_now() - t0);
	ri.cpu_s = (prev.cpu_s > 0 ? prev.cpu_s : 0) + (vl_cpu_seconds(RUSAGE_SELF) - cpu0);
	ri.peak_rss_mb = fmax(peak_rss_mb(), prev.peak_rss_mb);
	ri.backend_cpu_s = bst.cpu_s >= 0 ? bst.cpu_s
					  : vl_cpu_seconds(RUSAGE_CHILDREN) - cpu0_children;
	if (ri.backend_cpu_s <= 0)
		ri.backend_cpu_s = -1;
	ri.backend_rss_mb = bst.peak_rss_mb;
	if (bst.gpu_mem_peak_mb > ri.gpu_mem_peak_mb)
		ri.gpu_mem_peak_mb = bst.gpu_mem_peak_mb;
	ri.price = -1;
	if (o->price_input >= 0 && o->price_output >= 0 && ri.prompt_tokens >= 0 &&
	    ri.completion_tokens >= 0)
		ri.price = ((double)ri.prompt_tokens * o->price_input +
			    (double)ri.completion_tokens * o->price_output) / 1e6;
	ri.throughput = ri.wall_s > 0 ? (double)ri.n_done / ri.wall_s : -1;
	res->n_done = ri.n_done;
	res->n_errors = ri.n_errors;

	if (vl_runner_stop) {
		res->status = "interrupted";
		res->exit_code = VL_EXIT_INTERRUPTED;
	} else if (L.fatal) {
		res->status = "failed";
		res->exit_code = VL_EXIT_FATAL;
	} else {
		struct vl_buf se = VL_BUF_INIT;
		if (vl_runner_score(task, rl, L.run, o, &se) < 0) {
			vl_runlog_put_error(rl, L.run, "metric", NULL, vl_buf_str(&se));
			vl_error("scoring failed: %s", vl_buf_str(&se));
			res->status = "failed";
			res->exit_code = VL_EXIT_FATAL;
		} else {
			res->status = "finished";
			res->exit_code = ri.n_errors > 0 || res->n_bad_records > 0
						 ? VL_EXIT_SAMPLES_FAILED : VL_EXIT_OK;
		}
		vl_buf_release(&se);
	}
	vl_free(ri.status);
	ri.status = vl_xstrdup(res->status);
	ri.finished = strcmp(res->status, "finished") ? 0 : vl_wall_time();
	vl_runlog_update_run(rl, &ri, err);
	rc = 0;

	for (long i = 0; i < L.nslots; i++)
		if (L.slots[i].busy)
			slot_clear(&L.slots[i]);
	vl_free(L.slots);
	vl_scoring_free(L.first);
	vl_dataset_close(ds);
out_backend:
	vl_backend_close(L.backend);
	vl_strmap_release(&L.answered, NULL);
	vl_strmap_release(&L.image_hashes, vl_free);
	vl_kv_release(&L.opts);
	vl_run_info_release(&ri);
	vl_run_info_release(&prev);
	return rc;
}

/* ---- submission files ------------------------------------------------ */

struct sub_ctx {
	FILE *f;
	long n;
};

static int write_sub_row(void *ctx, const struct vl_sample_row *r)
{
	struct sub_ctx *c = ctx;
	struct vl_buf b = VL_BUF_INIT;
	const char *p = r->sample_id;

	/* official VQA ids are integers: write them as numbers */
	while (*p >= '0' && *p <= '9')
		p++;
	vl_buf_adds(&b, c->n ? ",\n" : "\n");
	vl_buf_adds(&b, "{\"question_id\": ");
	if (!*p && p != r->sample_id && p - r->sample_id < 16)
		vl_buf_adds(&b, r->sample_id);
	else
		vl_buf_add_json_str(&b, r->sample_id);
	vl_buf_adds(&b, ", \"answer\": ");
	vl_buf_add_json_str(&b, r->extracted ? r->extracted : "");
	vl_buf_addch(&b, '}');
	fwrite(b.buf, 1, b.len, c->f);
	vl_buf_release(&b);
	c->n++;
	return 0;
}

int vl_runner_write_submission(struct vl_runlog *rl, long long run, const char *path,
			       long *written, struct vl_buf *err)
{
	struct sub_ctx c = { fopen(path, "w"), 0 };

	if (!c.f) {
		vl_buf_addf(err, "cannot write submission file '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	fputc('[', c.f);
	vl_runlog_each_sample(rl, run, 1, write_sub_row, &c);
	fputs("\n]\n", c.f);
	if (fclose(c.f) != 0) {
		vl_buf_addf(err, "cannot write submission file '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	*written = c.n;
	return 0;
}
