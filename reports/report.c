/*
 * report.c - `vleval report`: selects runs, loads what the report shows
 * (report_data.h), ranks, and writes each format's file (see report.h).
 */
#include "reports/report_data.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- the run selector -------------------------------------------------- */

struct selector {
	struct { long long lo, hi; } *ids;
	size_t nids;
	struct vl_strv tasks, models, backends;
	double since, until;           /* 0: unset */
};

static void selector_release(struct selector *s)
{
	vl_free(s->ids);
	vl_strv_release(&s->tasks);
	vl_strv_release(&s->models);
	vl_strv_release(&s->backends);
}

/* Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (UTC) into Unix seconds. */
static int parse_date(const char *s, double *out)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M", &tm);

	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%Y-%m-%d", &tm);
		if (!end || *end)
			return VL_EINVAL;
	}
	*out = (double)timegm(&tm);
	return 0;
}

static int parse_selector(struct vl_runlog *rl, const char *text, struct selector *s,
			  struct vl_buf *err)
{
	char *copy = vl_xstrdup(text ? text : ""), *p = copy, *term;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	while ((term = strsep(&p, ","))) {
		char *eq = strchr(term, '='), *end;
		long long lo, hi;

		while (*term == ' ')
			term++;
		if (!*term)
			continue;
		if (eq) {
			*eq++ = '\0';
			if (!strcmp(term, "task"))
				vl_strv_push(&s->tasks, eq);
			else if (!strcmp(term, "model"))
				vl_strv_push(&s->models, eq);
			else if (!strcmp(term, "backend"))
				vl_strv_push(&s->backends, eq);
			else if (!strcmp(term, "since") || !strcmp(term, "until")) {
				double t;
				if (parse_date(eq, &t) < 0) {
					vl_buf_addf(err, "bad date '%s' in --runs: use YYYY-MM-DD or "
						    "YYYY-MM-DDTHH:MM (UTC)", eq);
					rc = VL_EINVAL;
					break;
				}
				if (term[0] == 's')
					s->since = t;
				else  /* a bare date means the whole day */
					s->until = t + (strchr(eq, 'T') ? 60 : 86400);
			} else {
				vl_buf_addf(err, "unknown run selector '%s=': use task=, model=, "
					    "backend=, since= or until=", term);
				rc = VL_EINVAL;
				break;
			}
			continue;
		}
		if (!strcmp(term, "last")) {
			lo = hi = vl_runlog_last_run(rl);
		} else {
			lo = strtoll(term, &end, 10);
			hi = lo;
			if (*end == '-' && end > term)
				hi = strtoll(end + 1, &end, 10);
			if (end == term || *end || lo <= 0 || hi < lo) {
				vl_buf_addf(err, "unknown run selector '%s': use run ids (3, 3-7, last), "
					    "task=GLOB, model=GLOB, backend=GLOB, since=DATE, until=DATE",
					    term);
				rc = VL_EINVAL;
				break;
			}
		}
		s->ids = vl_xrealloc(s->ids, (s->nids + 1) * sizeof(*s->ids));
		s->ids[s->nids].lo = lo;
		s->ids[s->nids].hi = hi;
		s->nids++;
	}
	vl_free(copy);
	return rc;
}

static int any_glob(const struct vl_strv *globs, const char *s)
{
	if (!globs->n)
		return 1;
	for (size_t i = 0; i < globs->n; i++)
		if (fnmatch(globs->v[i], s ? s : "", 0) == 0)
			return 1;
	return 0;
}

static const char *run_label(const struct vl_run_info *ri)
{
	return ri->model && ri->model[0] ? ri->model : ri->backend;
}

static int selected(const struct selector *s, const struct vl_run_info *ri)
{
	if (s->nids) {
		size_t i;
		for (i = 0; i < s->nids; i++)
			if (ri->id >= s->ids[i].lo && ri->id <= s->ids[i].hi)
				break;
		if (i == s->nids)
			return 0;
	}
	if (s->since && ri->created < s->since)
		return 0;
	if (s->until && ri->created >= s->until)
		return 0;
	return any_glob(&s->tasks, ri->task) && any_glob(&s->models, run_label(ri)) &&
	       any_glob(&s->backends, ri->backend);
}

/* ---- loading ------------------------------------------------------------ */

struct collect {
	const struct selector *sel;
	struct vl_report *rep;
	struct vl_strmap seen;        /* "label\ttask" of runs already taken */
	long long *ids;
	size_t n, cap;
};

/* Runs arrive newest first: the first of each model and task is its latest. */
static int collect_run(void *ctx, const struct vl_run_info *ri)
{
	struct collect *c = ctx;
	struct vl_buf key = VL_BUF_INIT;

	if (!selected(c->sel, ri))
		return 0;
	if (strcmp(ri->status, "finished")) {
		if (c->sel->nids) {
			vl_buf_addf(&key, "run %lld (%s)", ri->id, ri->status);
			vl_strv_push(&c->rep->skipped, vl_buf_str(&key));
			vl_buf_release(&key);
		}
		return 0;
	}
	vl_buf_addf(&key, "%s\t%s", run_label(ri), ri->task);
	if (vl_strmap_find(&c->seen, vl_buf_str(&key))) {
		vl_buf_release(&key);
		return 0;
	}
	vl_strmap_put(&c->seen, vl_buf_str(&key), NULL);
	vl_buf_release(&key);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->ids = vl_xrealloc(c->ids, c->cap * sizeof(*c->ids));
	}
	c->ids[c->n++] = ri->id;
	return 0;
}

static char *json_field_text(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *printed, *out;

	if (!v || cJSON_IsNull(v))
		return vl_xstrdup("");
	if (cJSON_IsString(v))
		return vl_xstrdup(v->valuestring);
	printed = cJSON_PrintUnformatted(v);
	out = vl_xstrdup(printed ? printed : "");
	free(printed);
	return out;
}

/* What must match to rank runs together, from the stored config and task. */
static void load_compat(struct rp_run *r, const char **first_metric, char **metric_buf)
{
	cJSON *cfg = cJSON_Parse(r->ri.config ? r->ri.config : "");
	cJSON *task = cJSON_Parse(r->ri.task_json ? r->ri.task_json : "");
	struct vl_buf opts = VL_BUF_INIT;
	char *s;
	const cJSON *m;

	r->prompt = json_field_text(cfg, "prompt");
	if (!r->prompt[0]) {
		vl_free(r->prompt);
		r->prompt = json_field_text(task, "prompt");
	}
	s = json_field_text(task, "system");
	if (s[0]) {
		char *p = r->prompt;
		struct vl_buf b = VL_BUF_INIT;
		vl_buf_addf(&b, "[system] %s\n%s", s, p);
		r->prompt = vl_buf_detach(&b, NULL);
		vl_free(p);
	}
	vl_free(s);
	r->extract = json_field_text(cfg, "extract");
	if (!r->extract[0]) {
		vl_free(r->extract);
		r->extract = json_field_text(task, "extract");
	}
	/* metric identity: the metric list and the options that change values */
	s = json_field_text(task, "metrics");
	vl_buf_addf(&opts, "metrics %s", s[0] ? s : "?");
	vl_free(s);
	s = json_field_text(task, "metric_options");
	if (s[0])
		vl_buf_addf(&opts, ", options %s", s);
	vl_free(s);
	{
		const cJSON *fam = cJSON_GetObjectItemCaseSensitive(cfg, "model_family");
		const cJSON *by = cJSON_GetObjectItemCaseSensitive(task, "metric_options_by_family");
		if (cJSON_IsString(fam) && by) {
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(by, fam->valuestring);
			if (f) {
				char *p = cJSON_PrintUnformatted(f);
				vl_buf_addf(&opts, ", %s options %s", fam->valuestring, p ? p : "");
				free(p);
			}
		}
	}
	r->metric_opts = vl_buf_detach(&opts, NULL);
	*first_metric = NULL;
	m = cJSON_GetObjectItemCaseSensitive(task, "metrics");
	if (!m)
		m = cJSON_GetObjectItemCaseSensitive(cfg, "metrics");
	if (cJSON_IsArray(m) && cJSON_IsString(cJSON_GetArrayItem(m, 0))) {
		*metric_buf = vl_xstrdup(cJSON_GetArrayItem(m, 0)->valuestring);
		*first_metric = *metric_buf;
	}
	cJSON_Delete(cfg);
	cJSON_Delete(task);
}

static int add_metric(void *ctx, const struct vl_metric_row *m)
{
	struct rp_run *r = ctx;
	struct rp_metric *x;

	r->metrics = vl_xrealloc(r->metrics, (r->nmetrics + 1) * sizeof(*r->metrics));
	x = &r->metrics[r->nmetrics++];
	x->metric = vl_xstrdup(m->metric);
	x->name = vl_xstrdup(m->name);
	x->subset = vl_xstrdup(m->subset ? m->subset : "");
	x->value = m->value;
	x->lo = m->ci_lo;
	x->hi = m->ci_hi;
	x->n = m->n;
	return 0;
}

static void pick_headline(struct rp_run *r, const char *first_metric)
{
	r->value = r->lo = r->hi = NAN;
	r->metric = first_metric ? vl_metric_find(first_metric) : NULL;
	r->value_name = r->metric ? r->metric->primary : NULL;
	for (size_t i = 0; i < r->nmetrics; i++) {
		const struct rp_metric *m = &r->metrics[i];
		if (m->subset[0])
			continue;
		if (r->metric ? strcmp(m->metric, r->metric->name) || strcmp(m->name, r->value_name)
			      : !!r->value_name)
			continue;
		if (!r->metric)
			r->value_name = m->name;
		r->value = m->value;
		r->lo = m->lo;
		r->hi = m->hi;
		r->n = m->n;
		break;
	}
}

static void load_price(struct rp_run *r, const char *prices)
{
	double in, out;

	r->price = -1;
	r->price_source = NULL;
	if (r->ri.price >= 0) {
		r->price = r->ri.price;
		r->price_source = "run";
		return;
	}
	if (!prices || r->ri.prompt_tokens < 0 || r->ri.completion_tokens < 0 || r->ri.baseline)
		return;
	if (vl_prices_lookup(prices, run_label(&r->ri), &in, &out, NULL) == 0) {
		r->price = ((double)r->ri.prompt_tokens * in + (double)r->ri.completion_tokens * out) / 1e6;
		r->price_source = "prices.json";
	}
}

static int add_error_kind(void *ctx, const char *kind, long n)
{
	struct vl_buf *b = ctx;

	vl_buf_addf(b, "%s%s %ld", b->len ? ", " : "", kind, n);
	return 0;
}

static int load_run(struct vl_runlog *rl, long long id, const struct vl_report_opts *o,
		    struct rp_run *r, struct vl_buf *err)
{
	const char *first_metric;
	char *metric_buf = NULL;
	memset(r, 0, sizeof(*r));
	if (vl_runlog_get_run(rl, id, &r->ri, err) < 0)
		return VL_EIO;
	r->label = vl_xstrdup(run_label(&r->ri));
	load_compat(r, &first_metric, &metric_buf);
	vl_runlog_each_metric(rl, id, add_metric, r);
	pick_headline(r, first_metric);
	vl_free(metric_buf);
	vl_runlog_run_counts(rl, id, &r->counts);
	r->lat = r->counts.latency;
	r->nlat = r->counts.n_latency;
	r->lat_p50 = vl_percentile(r->lat, r->nlat, 0.50);
	r->lat_p95 = vl_percentile(r->lat, r->nlat, 0.95);
	r->lat_p99 = vl_percentile(r->lat, r->nlat, 0.99);
	r->ttft_p50 = vl_percentile(r->counts.ttft, r->counts.n_ttft, 0.50);
	r->ttft_p95 = vl_percentile(r->counts.ttft, r->counts.n_ttft, 0.95);
	r->ttft_p99 = vl_percentile(r->counts.ttft, r->counts.n_ttft, 0.99);
	{
		struct vl_buf e = VL_BUF_INIT;
		vl_runlog_each_error_count(rl, id, add_error_kind, &e);
		r->errors = vl_buf_detach(&e, NULL);
	}
	r->out_tok_s = r->ri.completion_tokens >= 0 && r->ri.wall_s > 0
			       ? (double)r->ri.completion_tokens / r->ri.wall_s : -1;
	load_price(r, o->prices);
	return 0;
}

/* ---- grouping and ranking ---------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t find_or_add(char ***names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return i;
	*names = vl_xrealloc(*names, (*n + 1) * sizeof(**names));
	(*names)[*n] = vl_xstrdup(name);
	return (*n)++;
}

/* 0 when a and b may be ranked together; else the reason, in reason. */
static int compat_diff(const struct rp_run *a, const struct rp_run *ref, struct vl_buf *reason)
{
	if (a->ri.task_version != ref->ri.task_version)
		vl_buf_addf(reason, "task version %d; the ranked runs have %d", a->ri.task_version,
			    ref->ri.task_version);
	else if (strcmp(a->prompt, ref->prompt))
		vl_buf_adds(reason, "another prompt than the ranked runs");
	else if (strcmp(a->extract, ref->extract))
		vl_buf_addf(reason, "extraction '%s'; the ranked runs use '%s'", a->extract,
			    ref->extract);
	else if (strcmp(a->metric_opts, ref->metric_opts))
		vl_buf_addf(reason, "metric version differs (%s; the ranked runs: %s)",
			    a->metric_opts, ref->metric_opts);
	else if (!a->value_name || isnan(a->value))
		vl_buf_adds(reason, "no headline metric value");
	return reason->len ? 1 : 0;
}

static void group_tasks(struct vl_report *rep)
{
	char **names = NULL;
	size_t ntask = 0;

	for (size_t i = 0; i < rep->nruns; i++)
		find_or_add(&names, &ntask, rep->runs[i].ri.task);
	if (ntask)
		qsort(names, ntask, sizeof(*names), cmp_str);
	rep->tasks = vl_xcalloc(ntask ? ntask : 1, sizeof(*rep->tasks));
	rep->ntasks = ntask;
	for (size_t t = 0; t < ntask; t++) {
		struct rp_task *T = &rep->tasks[t];
		size_t best_n = 0;

		T->name = names[t];
		/* the reference group: the most runs alike, ties to the newest run */
		for (size_t i = 0; i < rep->nruns; i++) {
			struct rp_run *r = &rep->runs[i];
			size_t alike = 0;
			if (strcmp(r->ri.task, T->name))
				continue;
			r->task = t;
			if (!r->value_name || isnan(r->value))
				continue;
			for (size_t j = 0; j < rep->nruns; j++) {
				struct vl_buf why = VL_BUF_INIT;
				if (!strcmp(rep->runs[j].ri.task, T->name) &&
				    !compat_diff(&rep->runs[j], r, &why))
					alike++;
				vl_buf_release(&why);
			}
			if (alike > best_n || (alike == best_n && alike &&
					       r->ri.id > rep->runs[T->ref].ri.id)) {
				best_n = alike;
				T->ref = i;
			}
		}
		if (!best_n) {   /* no run has a value: the newest defines the task */
			for (size_t i = 0; i < rep->nruns; i++)
				if (rep->runs[i].task == t && !strcmp(rep->runs[i].ri.task, T->name) &&
				    (!best_n++ || rep->runs[i].ri.id > rep->runs[T->ref].ri.id))
					T->ref = i;
		}
		T->metric = rep->runs[T->ref].metric;
		T->value_name = rep->runs[T->ref].value_name;
		T->higher_is_better = T->metric ? T->metric->higher_is_better : 1;
		for (size_t i = 0; i < rep->nruns; i++) {
			struct rp_run *r = &rep->runs[i];
			struct vl_buf why = VL_BUF_INIT;
			if (r->task != t || strcmp(r->ri.task, T->name))
				continue;
			if (compat_diff(r, &rep->runs[T->ref], &why))
				r->reason = vl_buf_detach(&why, NULL);
			else
				r->ranked = 1;
			vl_buf_release(&why);
		}
	}
	vl_free(names);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_models(const void *a, const void *b)
{
	const struct rp_model *x = a, *y = b;

	if (x->ranked != y->ranked)
		return x->ranked ? -1 : 1;
	if (isnan(x->average) != isnan(y->average))
		return isnan(x->average) ? 1 : -1;
	if (!isnan(x->average) && x->average != y->average)
		return x->average > y->average ? -1 : 1;
	return strcmp(x->label, y->label);
}

static void build_models(struct vl_report *rep)
{
	char **labels = NULL;
	size_t nm = 0;

	for (size_t i = 0; i < rep->nruns; i++)
		find_or_add(&labels, &nm, rep->runs[i].label);
	rep->models = vl_xcalloc(nm ? nm : 1, sizeof(*rep->models));
	rep->nmodels = nm;
	for (size_t m = 0; m < nm; m++) {
		struct rp_model *M = &rep->models[m];
		M->label = labels[m];
		M->task_run = vl_xmalloc((rep->ntasks ? rep->ntasks : 1) * sizeof(*M->task_run));
		for (size_t t = 0; t < rep->ntasks; t++)
			M->task_run[t] = -1;
	}
	vl_free(labels);
	for (size_t i = 0; i < rep->nruns; i++) {
		struct rp_run *r = &rep->runs[i];
		for (size_t m = 0; m < nm; m++) {
			struct rp_model *M = &rep->models[m];
			if (strcmp(M->label, r->label))
				continue;
			if (r->ri.baseline)
				M->baseline = 1;
			if (r->counts.cached > 0)
				M->cached = 1;
			if (r->ranked) {
				M->task_run[r->task] = (long)i;
				M->ranked = 1;
			}
			break;
		}
	}
	/* the average: tasks every ranked row has, higher is better, 0..1 */
	for (size_t t = 0; t < rep->ntasks; t++) {
		struct rp_task *T = &rep->tasks[t];
		T->in_average = 1;
		if (!T->higher_is_better) {
			T->in_average = 0;
			T->avg_note = "lower is better";
			continue;
		}
		for (size_t m = 0; m < nm && T->in_average; m++) {
			const struct rp_model *M = &rep->models[m];
			const struct rp_run *r;
			if (!M->ranked)
				continue;
			if (M->task_run[t] < 0) {
				T->in_average = 0;
				T->avg_note = "not every row has it";
				break;
			}
			r = &rep->runs[M->task_run[t]];
			if (r->value < 0 || r->value > 1) {
				T->in_average = 0;
				T->avg_note = "not on a 0-1 scale";
			}
		}
	}
	for (size_t m = 0; m < nm; m++) {
		struct rp_model *M = &rep->models[m];
		double sum = 0, *lat = NULL;
		size_t k = 0, nlat = 0;
		int price_known = 1, any = 0;

		M->tokens = -1;
		M->price = -1;
		M->rss_mb = M->engine_rss_mb = M->gpu_mb = M->lat_p50 = -1;
		for (size_t t = 0; t < rep->ntasks; t++) {
			const struct rp_run *r;
			if (M->task_run[t] < 0)
				continue;
			r = &rep->runs[M->task_run[t]];
			if (rep->tasks[t].in_average) {
				sum += r->value;
				k++;
			}
			any = 1;
			if (r->ri.prompt_tokens >= 0 || r->ri.completion_tokens >= 0)
				M->tokens = (M->tokens < 0 ? 0 : M->tokens) +
					    (r->ri.prompt_tokens > 0 ? r->ri.prompt_tokens : 0) +
					    (r->ri.completion_tokens > 0 ? r->ri.completion_tokens : 0);
			if (r->price >= 0)
				M->price = (M->price < 0 ? 0 : M->price) + r->price;
			else
				price_known = 0;
			M->rss_mb = fmax(M->rss_mb, r->ri.peak_rss_mb);
			M->engine_rss_mb = fmax(M->engine_rss_mb, r->ri.backend_rss_mb);
			M->gpu_mb = fmax(M->gpu_mb, r->ri.gpu_mem_peak_mb);
			if (r->nlat) {
				lat = vl_xrealloc(lat, (nlat + r->nlat) * sizeof(*lat));
				memcpy(lat + nlat, r->lat, r->nlat * sizeof(*lat));
				nlat += r->nlat;
			}
		}
		if (!any || !price_known)
			M->price = -1;
		M->average = k ? sum / (double)k : NAN;
		if (nlat) {
			/* the median over every answer of the model's runs */
			qsort(lat, nlat, sizeof(*lat), cmp_double);
			M->lat_p50 = vl_percentile(lat, nlat, 0.5);
		}
		vl_free(lat);
	}
	if (nm)
		qsort(rep->models, nm, sizeof(*rep->models), cmp_models);
	for (size_t m = 0, rank = 0; m < nm; m++) {
		struct rp_model *M = &rep->models[m];
		M->rank = M->ranked && !M->baseline ? (long)++rank : 0;
		for (size_t i = 0; i < rep->nruns; i++)
			if (!strcmp(rep->runs[i].label, M->label))
				rep->runs[i].model = m;
	}
}

int vl_report_load(struct vl_runlog *rl, const struct vl_report_opts *o, struct vl_report *rep,
		   struct vl_buf *err)
{
	struct selector sel;
	struct collect c = { 0 };
	int rc;

	memset(rep, 0, sizeof(*rep));
	rep->db_name = o->db_name;
	rep->selector = o->runs && o->runs[0] ? o->runs : NULL;
	rep->generated = vl_wall_time();
	rep->worst = o->worst > 0 ? o->worst : 10;
	rep->thumbs = 1;
	if (parse_selector(rl, o->runs, &sel, err) < 0) {
		selector_release(&sel);
		return VL_EINVAL;
	}
	c.sel = &sel;
	c.rep = rep;
	vl_runlog_each_run(rl, 0, collect_run, &c);
	vl_strmap_release(&c.seen, NULL);
	selector_release(&sel);
	rep->runs = vl_xcalloc(c.n ? c.n : 1, sizeof(*rep->runs));
	rc = 0;
	/* oldest first, so that tables list runs in the order they were made */
	for (size_t i = 0; i < c.n; i++) {
		rc = load_run(rl, c.ids[c.n - 1 - i], o, &rep->runs[rep->nruns], err);
		if (rc < 0)
			break;
		rep->nruns++;
	}
	vl_free(c.ids);
	if (rc < 0)
		return rc;
	group_tasks(rep);
	build_models(rep);
	return 0;
}

void vl_report_release(struct vl_report *rep)
{
	for (size_t i = 0; i < rep->nruns; i++) {
		struct rp_run *r = &rep->runs[i];
		vl_run_info_release(&r->ri);
		vl_free(r->label);
		vl_free(r->prompt);
		vl_free(r->extract);
		vl_free(r->metric_opts);
		vl_free(r->reason);
		vl_run_counts_release(&r->counts);
		vl_free(r->errors);
		for (size_t k = 0; k < r->nmetrics; k++) {
			vl_free(r->metrics[k].metric);
			vl_free(r->metrics[k].name);
			vl_free(r->metrics[k].subset);
		}
		vl_free(r->metrics);
	}
	vl_free(rep->runs);
	for (size_t t = 0; t < rep->ntasks; t++)
		vl_free(rep->tasks[t].name);
	vl_free(rep->tasks);
	for (size_t m = 0; m < rep->nmodels; m++) {
		vl_free(rep->models[m].label);
		vl_free(rep->models[m].task_run);
	}
	vl_free(rep->models);
	vl_strv_release(&rep->skipped);
	vl_free(rep->charts_note);
	vl_strv_release(&rep->chart_titles);
	vl_strv_release(&rep->chart_png);
	vl_strv_release(&rep->chart_svg);
	memset(rep, 0, sizeof(*rep));
}

/* ---- shared formatting ------------------------------------------------- */

const char *rp_fmt_time(double t, char *dst, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(dst, n, "-");
		return dst;
	}
	gmtime_r(&tt, &tm);
	strftime(dst, n, "%Y-%m-%d %H:%M UTC", &tm);
	return dst;
}

const char *rp_fmt_num(double v, int digits, char *dst, size_t n)
{
	if (isnan(v) || v < -1e300)
		snprintf(dst, n, "-");
	else
		snprintf(dst, n, "%.*f", digits, v);
	return dst;
}

/* ---- writing ------------------------------------------------------------ */

typedef int (*writer_fn)(const struct vl_report *, struct vl_runlog *, struct vl_buf *);

static const struct {
	const char *name, *file;
	writer_fn fn;
	int png, svg;
} formats[] = {
	{ "md", "report.md", vl_report_md, 1, 0 },
	{ "html", "report.html", vl_report_html, 0, 1 },
	{ "csv", "report.csv", vl_report_csv, 0, 0 },
	{ "json", "report.json", vl_report_json_doc, 0, 0 },
};

#define NFORMATS (sizeof(formats) / sizeof(*formats))

static int find_format(const char *name)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (!strcmp(formats[i].name, name) ||
		    (!strcmp(name, "markdown") && !strcmp(formats[i].name, "md")))
			return (int)i;
	return -1;
}

static int parse_formats(const char *text, int want[NFORMATS], struct vl_buf *err)
{
	char *copy = vl_xstrdup(text && text[0] ? text : "md"), *p = copy, *f;
	int rc = 0;

	memset(want, 0, NFORMATS * sizeof(*want));
	while ((f = strsep(&p, ","))) {
		int i;
		if (!*f)
			continue;
		i = find_format(f);
		if (i < 0) {
			vl_buf_addf(err, "unknown report format '%s': use md, html, csv or json", f);
			rc = VL_EINVAL;
			break;
		}
		want[i] = 1;
	}
	vl_free(copy);
	return rc;
}

static int mkdirs(const char *path)
{
	char *p = vl_xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST)
		rc = -1;
	vl_free(p);
	return rc;
}

static int write_file(const char *path, const struct vl_buf *b, struct vl_buf *err)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f) {
		vl_buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	ok = fwrite(b->buf ? b->buf : "", 1, b->len, f) == b->len;
	if (fclose(f) != 0 || !ok) {
		vl_buf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	return 0;
}

static const char *out_dir(const struct vl_report_opts *o)
{
	return o->out_dir && o->out_dir[0] ? o->out_dir : "report";
}

int vl_report_write(struct vl_runlog *rl, const struct vl_report_opts *o,
		    struct vl_report_result *res, struct vl_buf *err)
{
	struct vl_report rep;
	int want[NFORMATS], png = 0, svg = 0, rc;
	const char *dir = out_dir(o);

	memset(res, 0, sizeof(*res));
	if (parse_formats(o->formats, want, err) < 0)
		return VL_EINVAL;
	if (mkdirs(dir) < 0) {
		vl_buf_addf(err, "cannot create '%s': %s", dir, strerror(errno));
		return VL_EIO;
	}
	rc = vl_report_load(rl, o, &rep, err);
	if (rc < 0) {
		vl_report_release(&rep);
		return rc;
	}
	for (size_t i = 0; i < NFORMATS; i++) {
		png |= want[i] && formats[i].png;
		svg |= want[i] && formats[i].svg;
	}
	if (png || svg)
		vl_chart_render(&rep, o, dir, png, svg);
	for (size_t i = 0; i < NFORMATS && rc == 0; i++) {
		struct vl_buf out = VL_BUF_INIT, path = VL_BUF_INIT;
		if (!want[i])
			continue;
		rc = formats[i].fn(&rep, rl, &out);
		vl_path_join(&path, dir, formats[i].file);
		if (rc == 0)
			rc = write_file(vl_buf_str(&path), &out, err);
		if (rc == 0)
			vl_strv_push(&res->files, vl_buf_str(&path));
		vl_buf_release(&out);
		vl_buf_release(&path);
	}
	for (size_t i = 0; i < rep.chart_png.n; i++) {
		struct vl_buf path = VL_BUF_INIT;
		vl_path_join(&path, dir, rep.chart_png.v[i]);
		vl_strv_push(&res->files, vl_buf_str(&path));
		vl_buf_release(&path);
	}
	res->n_runs = (long)rep.nruns;
	res->n_models = (long)rep.nmodels;
	for (size_t i = 0; i < rep.nruns; i++)
		res->n_unranked += !rep.runs[i].ranked;
	res->charts_drawn = rep.charts_drawn;
	res->charts_note = rep.charts_note ? vl_xstrdup(rep.charts_note) : NULL;
	vl_report_release(&rep);
	return rc;
}

int vl_report_render(struct vl_runlog *rl, const struct vl_report_opts *o, const char *format,
		     struct vl_buf *out, struct vl_buf *err)
{
	struct vl_report rep;
	int i = find_format(format), rc;

	if (i < 0) {
		vl_buf_addf(err, "unknown report format '%s': use md, html, csv or json", format);
		return VL_EINVAL;
	}
	rc = vl_report_load(rl, o, &rep, err);
	if (rc == 0 && !o->no_charts && (formats[i].png || formats[i].svg)) {
		if (formats[i].png && mkdirs(out_dir(o)) < 0)
			rep.charts_note = vl_xstrdup("the output folder cannot be created");
		else
			vl_chart_render(&rep, o, out_dir(o), formats[i].png, formats[i].svg);
	}
	if (rc == 0)
		rc = formats[i].fn(&rep, rl, out);
	vl_report_release(&rep);
	return rc;
}

void vl_report_result_release(struct vl_report_result *res)
{
	vl_strv_release(&res->files);
	vl_free(res->charts_note);
	memset(res, 0, sizeof(*res));
}

/* ---- sample browser helpers -------------------------------------------- */

void rp_cut(const char *s, size_t max, struct vl_buf *out)
{
	size_t n;

	if (!s)
		return;
	n = strlen(s);
	if (n <= max) {
		vl_buf_add(out, s, n);
		return;
	}
	/* cut on a UTF-8 character boundary */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	vl_buf_add(out, s, max);
	vl_buf_adds(out, "\xE2\x80\xA6");
}

/* The reference of a row as JSON, parsed; NULL when the row has none. */
static cJSON *row_reference(const struct vl_sample_row *r)
{
	return r->reference && r->reference[0] ? cJSON_Parse(r->reference) : NULL;
}

int rp_sample_image(const struct vl_sample_row *r, struct vl_buf *out)
{
	cJSON *ref = row_reference(r);
	const cJSON *im = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ref, "images"), 0);
	int rc = VL_ENOTFOUND;

	if (cJSON_IsString(im) && im->valuestring[0]) {
		vl_buf_adds(out, im->valuestring);
		rc = 0;
	}
	cJSON_Delete(ref);
	return rc;
}

int rp_sample_reference(const struct vl_sample_row *r, struct vl_buf *out)
{
	/* what a reader checks an answer against; image paths and metadata are
	 * shown elsewhere */
	static const char *const keys[] = {
		"label", "answer_letter", "answers", "captions", "box", "objects", NULL,
	};
	cJSON *ref = row_reference(r);
	size_t start = out->len;

	if (!ref)
		return VL_ENOTFOUND;
	for (size_t k = 0; keys[k]; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(ref, keys[k]), *e;
		if (!v)
			continue;
		if (out->len > start)
			vl_buf_adds(out, "; ");
		vl_buf_addf(out, "%s: ", keys[k]);
		if (cJSON_IsString(v)) {
			vl_buf_adds(out, v->valuestring);
		} else if (cJSON_IsArray(v)) {
			int i = 0;
			cJSON_ArrayForEach(e, v) {
				if (i++)
					vl_buf_adds(out, cJSON_IsString(e) ? " | " : ", ");
				if (cJSON_IsString(e))
					vl_buf_adds(out, e->valuestring);
				else if (cJSON_IsNumber(e))
					vl_buf_addf(out, "%g", e->valuedouble);
			}
		}
	}
	cJSON_Delete(ref);
	return 0;
}

const char *rp_sample_question(const struct vl_sample_row *r)
{
	return r->question ? r->question : r->prompt;
}

const char *rp_cost_price(const struct rp_run *r, char *dst, size_t n)
{
	if (r->price < 0)
		snprintf(dst, n, "-");
	else
		snprintf(dst, n, "%.4f%s", r->price,
			 r->price_source && strcmp(r->price_source, "run") ? " (prices.json)" : "");
	return dst;
}

void rp_task_subsets(const struct vl_report *rep, size_t t, struct vl_strv *out)
{
	const char *name = rep->tasks[t].value_name;

	for (size_t i = 0; name && i < rep->nruns; i++) {
		const struct rp_run *r = &rep->runs[i];
		if (r->task != t)
			continue;
		for (size_t j = 0; j < r->nmetrics; j++) {
			const struct rp_metric *m = &r->metrics[j];
			size_t s;
			if (!m->subset[0] || strcmp(m->name, name))
				continue;
			for (s = 0; s < out->n && strcmp(out->v[s], m->subset); s++)
				;
			if (s == out->n)
				vl_strv_push(out, m->subset);
		}
	}
}

const struct rp_metric *rp_run_value(const struct rp_run *r, const char *name, const char *subset)
{
	for (size_t j = 0; name && j < r->nmetrics; j++)
		if (!strcmp(r->metrics[j].subset, subset) && !strcmp(r->metrics[j].name, name))
			return &r->metrics[j];
	return NULL;
}
