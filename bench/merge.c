/*
 * merge.c - joins shard runs into one run (see merge.h).
 */
#include "bench/merge.h"
#include "bench/runner.h"
#include "bench/task.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vl_parse_shard(const char *s, long *index, long *count)
{
	char *end;
	long i, n;

	if (!s || *s < '0' || *s > '9')
		return VL_EINVAL;
	i = strtol(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return VL_EINVAL;
	n = strtol(end + 1, &end, 10);
	if (*end || n < 1 || i < 0 || i >= n || n > 1000000)
		return VL_EINVAL;
	*index = i;
	*count = n;
	return 0;
}

void vl_merge_result_release(struct vl_merge_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		vl_free(r->v[i].task);
	vl_free(r->v);
	vl_strv_release(&r->ignored);
	memset(r, 0, sizeof(*r));
}

/* One shard run found in an input. */
struct shard {
	struct vl_run_info ri;   /* owned */
	const char *file;        /* borrowed from in[] */
	size_t input;            /* which runlog */
	long index, count;
	char *key;               /* config without the shard, owned */
};

/* The config with its "shard":"I/N", entry removed, as the runner would
 * have written it without --shard. */
static char *unsharded_config(const char *config, long i, long n)
{
	char pat[64];
	const char *p;
	struct vl_buf b = VL_BUF_INIT;

	snprintf(pat, sizeof(pat), "\"shard\":\"%ld/%ld\",", i, n);
	p = strstr(config, pat);
	if (!p)
		return NULL;
	vl_buf_add(&b, config, (size_t)(p - config));
	vl_buf_adds(&b, p + strlen(pat));
	return vl_buf_detach(&b, NULL);
}

/* Names the first top-level key whose value differs between two configs. */
static void explain_difference(const char *x, const char *y, struct vl_buf *err)
{
	cJSON *a = cJSON_Parse(x), *b = cJSON_Parse(y), *v;

	cJSON_ArrayForEach(v, a) {
		cJSON *w = cJSON_GetObjectItemCaseSensitive(b, v->string);
		if (!w || !cJSON_Compare(v, w, 1)) {
			char *sa = cJSON_PrintUnformatted(v), *sb = w ? cJSON_PrintUnformatted(w) : NULL;
			vl_buf_addf(err, " in \"%s\" (%s vs %s)", v->string, sa, sb ? sb : "absent");
			free(sa);
			free(sb);
			break;
		}
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
}

struct collect {
	long long *ids;
	size_t n, cap;
};

static int collect_id(void *ctx, const struct vl_run_info *ri)
{
	struct collect *c = ctx;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->ids = vl_xrealloc(c->ids, c->cap * sizeof(*c->ids));
	}
	c->ids[c->n++] = ri->id;
	return 0;
}

struct copy_ctx {
	struct vl_runlog *out;
	long long run;
	struct vl_strmap seen;     /* sample id -> the shard's file */
	const struct shard *sh;
	const char *dup_id;        /* set on the first repeated sample */
	const char *dup_file;
	int rc;
	struct vl_buf *err;
};

static int copy_sample(void *p, const struct vl_sample_row *r)
{
	struct copy_ctx *c = p;
	void **prev = vl_strmap_find(&c->seen, r->sample_id);

	if (prev) {
		vl_buf_addf(c->err, "sample '%s' is in shard %ld/%ld ('%s') and in '%s': shards "
			    "must hold disjoint samples", r->sample_id, c->sh->index, c->sh->count,
			    c->sh->file, (const char *)*prev);
		c->rc = VL_EINVAL;
		return 1;
	}
	vl_strmap_put(&c->seen, r->sample_id, (void *)c->sh->file);
	if (vl_runlog_put_sample(c->out, c->run, r, c->err) < 0) {
		c->rc = VL_EIO;
		return 1;
	}
	return 0;
}

static int copy_error(void *p, const struct vl_error_row *r)
{
	struct copy_ctx *c = p;

	/* every shard reads the whole dataset: its bad records come from shard
	 * 0 alone; metric complaints are made again by the scoring */
	if (!strcmp(r->kind, "metric") || (!strcmp(r->kind, "dataset") && c->sh->index != 0))
		return 0;
	vl_runlog_put_error(c->out, c->run, r->kind, r->sample_id, r->message);
	return 0;
}

static int cmp_shards(const void *a, const void *b)
{
	const struct shard *x = a, *y = b;
	int t = strcmp(x->ri.task, y->ri.task);
	if (t)
		return t;
	return (x->index > y->index) - (x->index < y->index);
}

/* Checks that sh[0..n) (one task, sorted by index) are shards 0..N-1 of
 * one config. */
static int check_group(const struct shard *sh, size_t n, struct vl_buf *err)
{
	long count = sh[0].count;

	for (size_t i = 0; i < n; i++) {
		if (sh[i].count != count) {
			vl_buf_addf(err, "task '%s': shard %ld/%ld ('%s' run %lld) and shard %ld/%ld "
				    "('%s' run %lld) split the samples differently", sh[0].ri.task,
				    sh[0].index, sh[0].count, sh[0].file, sh[0].ri.id, sh[i].index,
				    sh[i].count, sh[i].file, sh[i].ri.id);
			return VL_EINVAL;
		}
		if (strcmp(sh[i].key, sh[0].key) ||
		    strcmp(sh[i].ri.task_json ? sh[i].ri.task_json : "",
			   sh[0].ri.task_json ? sh[0].ri.task_json : "")) {
			vl_buf_addf(err, "task '%s': shards of different configs: shard %ld/%ld "
				    "('%s' run %lld) and shard %ld/%ld ('%s' run %lld) differ",
				    sh[0].ri.task, sh[0].index, count, sh[0].file, sh[0].ri.id,
				    sh[i].index, count, sh[i].file, sh[i].ri.id);
			if (strcmp(sh[i].key, sh[0].key))
				explain_difference(sh[0].key, sh[i].key, err);
			else
				vl_buf_adds(err, " in the task definition");
			return VL_EINVAL;
		}
		if (i > 0 && sh[i].index == sh[i - 1].index) {
			vl_buf_addf(err, "task '%s': shard %ld/%ld appears twice ('%s' run %lld and "
				    "'%s' run %lld)", sh[0].ri.task, sh[i].index, count,
				    sh[i - 1].file, sh[i - 1].ri.id, sh[i].file, sh[i].ri.id);
			return VL_EINVAL;
		}
		if (strcmp(sh[i].ri.status, "finished")) {
			vl_buf_addf(err, "task '%s': shard %ld/%ld ('%s' run %lld) is %s, not finished; "
				    "complete it first with: vleval run --resume %lld --db %s",
				    sh[0].ri.task, sh[i].index, count, sh[i].file, sh[i].ri.id,
				    sh[i].ri.status, sh[i].ri.id, sh[i].file);
			return VL_EINVAL;
		}
	}
	if ((long)n != count) {
		struct vl_buf missing = VL_BUF_INIT;
		size_t k = 0;
		for (long want = 0; want < count; want++) {
			if (k < n && sh[k].index == want) {
				k++;
				continue;
			}
			vl_buf_addf(&missing, "%s%ld/%ld", missing.len ? ", " : "", want, count);
		}
		vl_buf_addf(err, "task '%s': %zu of %ld shards given; missing: %s", sh[0].ri.task, n,
			    count, vl_buf_str(&missing));
		vl_buf_release(&missing);
		return VL_EINVAL;
	}
	return 0;
}

/* Scores the merged run from its rows, as the runner scores a finished
 * run, with the bootstrap settings and model family of the config. */
static int score_merged(struct vl_runlog *out, long long run, const struct shard *sh,
			struct vl_buf *err)
{
	struct vl_task *task = NULL;
	cJSON *conf = cJSON_Parse(sh->key), *v, *bs;
	struct vl_run_opts o = { 0 };
	int rc;

	rc = vl_task_parse(sh->ri.task_json, strlen(sh->ri.task_json), "stored task", &task, err);
	if (rc < 0 || !conf) {
		if (!conf)
			vl_buf_addf(err, "'%s' run %lld: unreadable config", sh->file, sh->ri.id);
		cJSON_Delete(conf);
		vl_task_free(task);
		return rc < 0 ? rc : VL_EINVAL;
	}
	o.model_family = cJSON_GetStringValue(cJSON_GetObjectItem(conf, "model_family"));
	bs = cJSON_GetObjectItem(conf, "bootstrap");
	v = cJSON_GetObjectItem(bs, "resamples");
	/* a shard's stored config: numbers converted only when they fit */
	o.resamples = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= INT_MAX
		? (int)v->valuedouble : 1000;
	v = cJSON_GetObjectItem(bs, "seed");
	o.seed = cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 18446744073709551616.0
		? (uint64_t)v->valuedouble : 0;
	v = cJSON_GetObjectItem(bs, "level");
	o.ci_level = cJSON_IsNumber(v) ? v->valuedouble : 0.95;
	rc = vl_runner_score(task, out, run, &o, err);
	cJSON_Delete(conf);
	vl_task_free(task);
	return rc;
}

/* Writes the merged run of sh[0..n) (checked) into out. */
static int merge_group(struct vl_runlog *out, struct vl_runlog **ins, const struct shard *sh,
		       size_t n, struct vl_merged *m, struct vl_buf *err)
{
	struct vl_run_info ri = sh[0].ri, fin = { 0 };
	struct copy_ctx c = { .out = out, .err = err };
	double price = 0;
	int rc;

	ri.status = "running";
	ri.config = sh[0].key;
	ri.config_hash = vl_runner_config_hash(sh[0].key);
	for (size_t i = 0; i < n; i++)
		if (sh[i].ri.created < ri.created)
			ri.created = sh[i].ri.created;
	rc = vl_runlog_create_run(out, &ri, &c.run, err);
	vl_free(ri.config_hash);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && !c.rc; i++) {
		c.sh = &sh[i];
		vl_runlog_each_sample(ins[sh[i].input], sh[i].ri.id, 0, copy_sample, &c);
		vl_runlog_each_error(ins[sh[i].input], sh[i].ri.id, copy_error, &c);
	}
	vl_strmap_release(&c.seen, NULL);
	if (c.rc) {
		vl_runlog_set_status(out, c.run, "failed");
		return c.rc;
	}
	vl_runlog_flush(out);
	rc = score_merged(out, c.run, &sh[0], err);
	if (rc < 0) {
		vl_runlog_set_status(out, c.run, "failed");
		return rc;
	}
	if (vl_runlog_get_run(out, c.run, &fin, err) < 0)
		return VL_EIO;
	vl_runlog_sample_stats(out, c.run, &fin);
	fin.n_samples = fin.n_bad_records = 0;
	fin.wall_s = fin.cpu_s = fin.peak_rss_mb = fin.backend_cpu_s = fin.backend_rss_mb = -1;
	for (size_t i = 0; i < n; i++) {
		const struct vl_run_info *s = &sh[i].ri;
		fin.n_samples += s->n_samples;
		if (i == 0)
			fin.n_bad_records = s->n_bad_records;
		fin.wall_s = fmax(fin.wall_s, s->wall_s);
		fin.cpu_s = s->cpu_s >= 0 ? fmax(fin.cpu_s, 0) + s->cpu_s : fin.cpu_s;
		fin.backend_cpu_s = s->backend_cpu_s >= 0 ? fmax(fin.backend_cpu_s, 0) + s->backend_cpu_s
							  : fin.backend_cpu_s;
		fin.peak_rss_mb = fmax(fin.peak_rss_mb, s->peak_rss_mb);
		fin.backend_rss_mb = fmax(fin.backend_rss_mb, s->backend_rss_mb);
		fin.gpu_mem_peak_mb = fmax(fin.gpu_mem_peak_mb, s->gpu_mem_peak_mb);
		fin.finished = fmax(fin.finished, s->finished);
		price = price >= 0 && s->price >= 0 ? price + s->price : -1;
	}
	fin.price = price;
	fin.throughput = fin.wall_s > 0 ? (double)fin.n_done / fin.wall_s : -1;
	vl_free(fin.status);
	fin.status = vl_xstrdup("finished");
	rc = vl_runlog_update_run(out, &fin, err);
	m->run_id = c.run;
	m->task = vl_xstrdup(fin.task);
	m->shards = sh[0].count;
	m->n_samples = fin.n_samples;
	m->n_errors = fin.n_errors;
	vl_run_info_release(&fin);
	return rc;
}

/* Reads the shard runs of input i into *sh; notes the others in res. */
static int read_input(struct vl_runlog *rl, size_t i, const char *file, struct shard **sh,
		      size_t *nsh, struct vl_merge_result *res, struct vl_buf *err)
{
	struct collect ids = { 0 };
	int rc = 0;

	vl_runlog_each_run(rl, 0, collect_id, &ids);
	for (size_t k = 0; k < ids.n && !rc; k++) {
		struct shard s = { .file = file, .input = i };
		cJSON *conf, *v;

		if (vl_runlog_get_run(rl, ids.ids[k], &s.ri, err) < 0) {
			rc = VL_EIO;
			break;
		}
		conf = cJSON_Parse(s.ri.config);
		v = cJSON_GetObjectItem(conf, "shard");
		if (!cJSON_IsString(v) || vl_parse_shard(v->valuestring, &s.index, &s.count) < 0 ||
		    !(s.key = unsharded_config(s.ri.config, s.index, s.count))) {
			struct vl_buf note = VL_BUF_INIT;
			vl_buf_addf(&note, "run %lld in '%s' (task %s) is not a shard", s.ri.id, file,
				    s.ri.task);
			vl_strv_push(&res->ignored, vl_buf_str(&note));
			vl_buf_release(&note);
			vl_run_info_release(&s.ri);
		} else {
			*sh = vl_xrealloc(*sh, (*nsh + 1) * sizeof(**sh));
			(*sh)[(*nsh)++] = s;
		}
		cJSON_Delete(conf);
	}
	vl_free(ids.ids);
	return rc;
}

int vl_merge(struct vl_runlog *out, const char *const *in, size_t nin,
	     struct vl_merge_result *res, struct vl_buf *err)
{
	struct vl_runlog **ins = vl_xcalloc(nin ? nin : 1, sizeof(*ins));
	struct shard *sh = NULL;
	size_t nsh = 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < nin && !rc; i++) {
		rc = vl_runlog_open(in[i], &ins[i], err);
		if (rc == 0)
			rc = read_input(ins[i], i, in[i], &sh, &nsh, res, err);
	}
	if (!rc && !nsh) {
		vl_buf_adds(err, "no shard runs in the inputs (runs made with vleval run --shard I/N)");
		rc = VL_EINVAL;
	}
	if (!rc)
		qsort(sh, nsh, sizeof(*sh), cmp_shards);
	/* check every task before writing anything */
	for (size_t a = 0, b; !rc && a < nsh; a = b) {
		for (b = a; b < nsh && !strcmp(sh[b].ri.task, sh[a].ri.task); b++)
			;
		rc = check_group(sh + a, b - a, err);
	}
	for (size_t a = 0, b; !rc && a < nsh; a = b) {
		for (b = a; b < nsh && !strcmp(sh[b].ri.task, sh[a].ri.task); b++)
			;
		res->v = vl_xrealloc(res->v, (res->n + 1) * sizeof(*res->v));
		memset(&res->v[res->n], 0, sizeof(*res->v));
		rc = merge_group(out, ins, sh + a, b - a, &res->v[res->n], err);
		if (rc == 0)
			res->n++;
	}
	for (size_t i = 0; i < nsh; i++) {
		vl_run_info_release(&sh[i].ri);
		vl_free(sh[i].key);
	}
	vl_free(sh);
	for (size_t i = 0; i < nin; i++)
		vl_runlog_close(ins[i]);
	vl_free(ins);
	return rc;
}
