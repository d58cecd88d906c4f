/*
 * backend.c - the backend registry, plugin loading, and the host wrapper that
 * adds delay_ms to every backend (see host.h).
 */
#include "backends/host.h"
#include "backends/option.h"

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern const struct vl_backend_methods vl_backend_oracle;
extern const struct vl_backend_methods vl_backend_constant;
extern const struct vl_backend_methods vl_backend_random;
extern const struct vl_backend_methods vl_backend_replay;
extern const struct vl_backend_methods vl_backend_worker;
extern const struct vl_backend_methods vl_backend_openai;

/* The options every backend takes: the host or the runner acts on them. */
static const struct vl_backend_option host_options[] = {
	{ .key = "model", .type = VL_OPTION_STRING,
	  .meaning = "model name (--model): sent by backends that name one, and logged",
	  .flags = VL_OPTION_ANSWERS },
	{ .key = "max_image_side", .type = VL_OPTION_INT, .dflt = "0",
	  .meaning = "longest image side in pixels; larger images are downscaled before "
	  "sending (--max-image-side; 0 = off)",
	  .flags = VL_OPTION_ANSWERS, .max = 1e6 },
	{ .key = "concurrency", .type = VL_OPTION_INT,
	  .meaning = "requests in flight (--concurrency, default 8)", .min = 1, .max = 4096 },
	{ .key = "delay_ms", .type = VL_OPTION_NUMBER, .dflt = "0",
	  .meaning = "added latency per response, for tests and demos",
	  .max = VL_OPTION_UNBOUNDED },
	{ .key = NULL },
};

static const struct vl_backend_option plugin_options[] = {
	{ .key = "path", .type = VL_OPTION_STRING,
	  .meaning = "the shared library to load; its own options are in its table (vleval "
	  "backends plugin --path LIB.so)",
	  .flags = VL_OPTION_ANSWERS | VL_OPTION_REQUIRED },
	{ .key = NULL },
};

/* "plugin" is listed so that `vleval backends` shows it; opening it loads a
 * shared library instead of using these methods. */
static const struct vl_backend_methods plugin_placeholder = {
	.version = VL_BACKEND_API_VERSION,
	.name = "plugin",
	.description = "a shared library (--set path=lib.so) exporting " VL_BACKEND_ENTRY,
	.options = plugin_options,
};

static const struct vl_backend_methods *const backends[] = {
	&vl_backend_openai,
	&vl_backend_replay,
	&vl_backend_oracle,
	&vl_backend_constant,
	&vl_backend_random,
	&vl_backend_worker,
	&plugin_placeholder,
	NULL,
};

const struct vl_backend_methods *vl_backend_find(const char *name)
{
	for (size_t i = 0; backends[i]; i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

const struct vl_backend_methods *const *vl_backend_list(void)
{
	return backends;
}

const struct vl_backend_option *vl_backend_host_options(void)
{
	return host_options;
}

/* `options` was appended in 1.1: a plugin built for 1.0 has no such member,
 * and its struct may end right before where it would be. */
const struct vl_backend_option *vl_backend_options(const struct vl_backend_methods *m)
{
	if (m->version / 1000 != VL_BACKEND_API_MAJOR || m->version % 1000 < 1)
		return NULL;
	return m->options;
}

/* Appends the keys of table to names. */
static void add_names(const struct vl_backend_option *t, struct vl_strv *names)
{
	for (; t && t->key; t++)
		vl_strv_push(names, t->key);
}

/* The closest of names to given ("did you mean"), or NULL when none is close. */
static const char *closest(const char *given, const struct vl_strv *names)
{
	size_t best = (size_t)-1;
	const char *out = NULL;

	for (size_t i = 0; i < names->n; i++) {
		size_t d = vl_edit_distance(given, names->v[i]);
		if (d < best) {
			best = d;
			out = names->v[i];
		}
	}
	return best <= 3 && best < strlen(given) ? out : NULL;
}

static void unknown_key(const char *backend, const char *key, const struct vl_strv *names,
			struct vl_buf *err)
{
	const char *near = closest(key, names);

	vl_buf_addf(err, "backend '%s' has no option '%s'", backend, key);
	if (near)
		vl_buf_addf(err, " (did you mean '%s'?)", near);
	vl_buf_adds(err, "; its options:");
	for (size_t i = 0; i < names->n; i++)
		vl_buf_addf(err, "%s %s", i ? "," : "", names->v[i]);
	vl_buf_addf(err, " (vleval backends %s)", backend);
}

/* The row of key among m's options, the plugin loader's (plugin) and the
 * host's, or NULL. */
static const struct vl_backend_option *find_option(const struct vl_backend_methods *m,
						   int plugin, const char *key)
{
	const struct vl_backend_option *o = vl_option_find(vl_backend_options(m), key);

	if (!o && plugin)
		o = vl_option_find(plugin_options, key);
	return o ? o : vl_option_find(host_options, key);
}

/* Checks cfg against m's table: unknown keys and values of the wrong type are
 * errors.  A backend without a table takes any key. */
static int check_config(const struct vl_backend_methods *m, int plugin, const struct vl_kv *cfg,
			struct vl_buf *err)
{
	struct vl_strv names = { 0 };
	int rc = 0;

	add_names(vl_backend_options(m), &names);
	if (plugin && m != &plugin_placeholder)
		add_names(plugin_options, &names);
	add_names(host_options, &names);
	for (size_t i = 0; i < cfg->keys.n && !rc; i++) {
		const struct vl_backend_option *o = find_option(m, plugin, cfg->keys.v[i]);
		if (!o && vl_backend_options(m)) {
			unknown_key(m->name, cfg->keys.v[i], &names, err);
			rc = VL_EINVAL;
		} else if (o && vl_option_check(o, cfg->vals.v[i], err) < 0) {
			rc = VL_EINVAL;
		}
	}
	vl_strv_release(&names);
	return rc;
}

int vl_backend_key_changes_answers(const char *name, const char *key)
{
	const struct vl_backend_methods *m = vl_backend_find(name);
	const struct vl_backend_option *o = m ? find_option(m, m == &plugin_placeholder, key) : NULL;

	return o ? (o->flags & VL_OPTION_ANSWERS) != 0 : 1;
}

int vl_backend_check_config(const char *name, const struct vl_kv *cfg, struct vl_buf *err)
{
	const struct vl_backend_methods *m = vl_backend_find(name);

	if (!m) {
		vl_buf_addf(err, "unknown backend '%s'", name);
		return VL_ENOTFOUND;
	}
	return check_config(m, m == &plugin_placeholder, cfg, err);
}

/* A response held back until its due time (delay_ms). */
struct held {
	struct vl_response r;
	double due;
};

struct vl_backend {
	const struct vl_backend_methods *m;
	void *self;
	void *dl;                /* dlopen handle of a plugin, or NULL */
	double delay_s;
	struct held *held;
	size_t nheld, cap;
	struct {                 /* submit times by request id, for the delay */
		uint64_t id;
		double t;
	} *sent;
	size_t nsent, capsent;
	/* config arrays handed to open(), kept alive for the backend's life */
	const char **keys, **vals;
};

/* Loads a plugin and checks its API version before reading any other
 * member of its methods struct (only `version` is common to all majors).
 * Every member this host reads exists since 1.0; a member appended in 1.N
 * must be read only when m->version % 1000 >= N. */
static int load_plugin(struct vl_backend *b, const char *path, struct vl_buf *err)
{
	vl_backend_entry_fn entry;
	const struct vl_backend_methods *m;
	struct vl_buf local = VL_BUF_INIT;
	const char *open_path = path;

	if (!path || !*path) {
		vl_buf_adds(err, "backend 'plugin' needs --set path=LIBRARY.so");
		return VL_EINVAL;
	}
	/* dlopen searches the library path for a name without a slash; a user
	 * naming a file in the current directory means that file */
	if (!strchr(path, '/') && access(path, F_OK) == 0) {
		vl_buf_addf(&local, "./%s", path);
		open_path = local.buf;
	}
	b->dl = dlopen(open_path, RTLD_NOW | RTLD_LOCAL);
	vl_buf_release(&local);
	if (!b->dl) {
		vl_buf_addf(err, "cannot load plugin '%s': %s", path, dlerror());
		return VL_EINVAL;
	}
	*(void **)&entry = dlsym(b->dl, VL_BACKEND_ENTRY);
	if (!entry) {
		vl_buf_addf(err, "plugin '%s' does not export %s(): not a vleval backend plugin",
			    path, VL_BACKEND_ENTRY);
		return VL_EINVAL;
	}
	m = entry(VL_BACKEND_API_VERSION);
	if (!m) {
		vl_buf_addf(err, "plugin '%s' refused host backend API %d.%d: rebuild it against "
			    "this vleval's backends/backend.h", path,
			    VL_BACKEND_API_MAJOR, VL_BACKEND_API_MINOR);
		return VL_EINVAL;
	}
	if (m->version <= 0) {
		vl_buf_addf(err, "plugin '%s' reports no valid backend API version (%d)",
			    path, m->version);
		return VL_EINVAL;
	}
	if (m->version / 1000 != VL_BACKEND_API_MAJOR) {
		vl_buf_addf(err, "plugin '%s' was built for backend API %d.%d; this vleval "
			    "speaks %d.x (%d.%d): rebuild the plugin against this backend.h", path,
			    m->version / 1000, m->version % 1000, VL_BACKEND_API_MAJOR,
			    VL_BACKEND_API_MAJOR, VL_BACKEND_API_MINOR);
		return VL_EINVAL;
	}
	if (!m->name || !m->open || !m->submit || !m->poll || !m->close) {
		vl_buf_addf(err, "plugin '%s' leaves a required member empty (name, open, "
			    "submit, poll and close are required)", path);
		return VL_EINVAL;
	}
	b->m = m;
	return 0;
}

int vl_backend_plugin_methods(const char *path, const struct vl_backend_methods **m,
			      void **handle, struct vl_buf *err)
{
	struct vl_backend b = { 0 };
	int rc = load_plugin(&b, path, err);

	*m = rc < 0 ? NULL : b.m;
	*handle = b.dl;
	if (rc < 0 && b.dl)
		dlclose(b.dl);
	if (rc < 0)
		*handle = NULL;
	return rc;
}

void vl_backend_plugin_release(void *handle)
{
	if (handle)
		dlclose(handle);
}

int vl_backend_open(const char *name, const struct vl_kv *cfg, struct vl_backend **out,
		    struct vl_buf *err)
{
	struct vl_backend *b = vl_xcalloc(1, sizeof(*b));
	struct vl_backend_config c;
	char msg[512] = "";
	double delay_ms;
	int rc;

	*out = NULL;
	if (vl_kv_get_double(cfg, "delay_ms", 0, &delay_ms, err) < 0 || delay_ms < 0) {
		if (!err->len)
			vl_buf_adds(err, "option 'delay_ms' must not be negative");
		vl_free(b);
		return VL_EINVAL;
	}
	b->delay_s = delay_ms / 1000.0;
	if (!strcmp(name, "plugin")) {
		rc = load_plugin(b, vl_kv_get(cfg, "path"), err);
		if (rc < 0)
			goto fail;
	} else {
		b->m = vl_backend_find(name);
		if (!b->m) {
			vl_buf_addf(err, "unknown backend '%s'", name);
			rc = VL_ENOTFOUND;
			goto fail;
		}
	}
	rc = check_config(b->m, b->dl != NULL, cfg, err);
	if (rc < 0)
		goto fail;
	b->self = vl_xcalloc(1, b->m->instance_size ? b->m->instance_size : 1);
	b->keys = vl_xcalloc(cfg->keys.n + 1, sizeof(char *));
	b->vals = vl_xcalloc(cfg->keys.n + 1, sizeof(char *));
	for (size_t i = 0; i < cfg->keys.n; i++) {
		b->keys[i] = cfg->keys.v[i];
		b->vals[i] = cfg->vals.v[i];
	}
	c.n = cfg->keys.n;
	c.keys = b->keys;
	c.values = b->vals;
	rc = b->m->open(b->self, &c, msg, sizeof(msg));
	if (rc < 0) {
		vl_buf_addf(err, "backend '%s': %s", b->m->name, msg[0] ? msg : "cannot open");
		rc = VL_EINVAL;
		goto fail;
	}
	*out = b;
	return 0;
fail:
	if (b->dl)
		dlclose(b->dl);
	vl_free(b->self);
	vl_free(b->keys);
	vl_free(b->vals);
	vl_free(b);
	return rc;
}

const struct vl_backend_methods *vl_backend_methods(const struct vl_backend *b)
{
	return b->m;
}

int vl_backend_changes_answers(const struct vl_backend *b, const char *key)
{
	const struct vl_backend_option *o = find_option(b->m, b->dl != NULL, key);

	if (o)
		return (o->flags & VL_OPTION_ANSWERS) != 0;
	/* a backend without a table: any key but the host's may matter */
	return !vl_backend_options(b->m);
}

int vl_backend_submit(struct vl_backend *b, const struct vl_request *req, struct vl_buf *err)
{
	char msg[512] = "";
	int rc = b->m->submit(b->self, req, msg, sizeof(msg));

	if (rc < 0) {
		vl_buf_adds(err, msg[0] ? msg : "request could not be queued");
		return rc;
	}
	if (b->delay_s > 0) {
		if (b->nsent == b->capsent) {
			b->capsent = b->capsent ? b->capsent * 2 : 64;
			b->sent = vl_xrealloc(b->sent, b->capsent * sizeof(*b->sent));
		}
		b->sent[b->nsent].id = req->id;
		b->sent[b->nsent].t = vl_now();
		b->nsent++;
	}
	return 0;
}

static double take_sent_time(struct vl_backend *b, uint64_t id)
{
	for (size_t i = 0; i < b->nsent; i++) {
		if (b->sent[i].id == id) {
			double t = b->sent[i].t;
			b->sent[i] = b->sent[--b->nsent];
			return t;
		}
	}
	return vl_now();
}

/* The backend's own poll.  A plugin built for 1.0 or 1.1 knows a shorter
 * struct vl_response (finish_reason came in 1.2): writing an array it would
 * use its own stride, so it gets one zeroed full-size struct per call. */
static int raw_poll(struct vl_backend *b, int timeout_ms, struct vl_response *out, int max)
{
	int k = 0, n;

	if (b->m->version % 1000 >= 2)
		return b->m->poll(b->self, timeout_ms, out, max);
	while (k < max) {
		memset(&out[k], 0, sizeof(out[k]));
		n = b->m->poll(b->self, k ? 0 : timeout_ms, &out[k], 1);
		if (n < 0)
			return k ? k : n;   /* the error comes back at the next call */
		if (n == 0)
			break;
		k++;
	}
	return k;
}

int vl_backend_poll(struct vl_backend *b, int timeout_ms, struct vl_response *out, int max)
{
	struct vl_response got[64];
	double now, next_due = INFINITY;
	int n, k = 0;

	if (b->delay_s <= 0)
		return raw_poll(b, timeout_ms, out, max);

	/* wait no longer than the earliest held response needs */
	for (size_t i = 0; i < b->nheld; i++)
		if (b->held[i].due < next_due)
			next_due = b->held[i].due;
	if (b->nheld) {
		double wait_ms = (next_due - vl_now()) * 1000.0;
		if (wait_ms < timeout_ms)
			timeout_ms = wait_ms > 0 ? (int)ceil(wait_ms) : 0;
	}
	n = raw_poll(b, timeout_ms, got, (int)(sizeof(got) / sizeof(*got)));
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		double t0 = take_sent_time(b, got[i].id);
		if (b->nheld == b->cap) {
			b->cap = b->cap ? b->cap * 2 : 64;
			b->held = vl_xrealloc(b->held, b->cap * sizeof(*b->held));
		}
		if (got[i].latency_s >= 0)
			got[i].latency_s += b->delay_s;
		b->held[b->nheld].r = got[i];
		b->held[b->nheld].due = t0 + b->delay_s;
		b->nheld++;
	}
	now = vl_now();
	if (n == 0 && b->nheld) {
		/* nothing new: sleep until the first held answer is due (never
		 * past the caller's timeout) instead of spinning */
		next_due = INFINITY;
		for (size_t i = 0; i < b->nheld; i++)
			if (b->held[i].due < next_due)
				next_due = b->held[i].due;
		double wait_s = fmin(next_due - now, timeout_ms / 1000.0);
		if (wait_s > 0) {
			struct timespec ts = { (time_t)wait_s, (long)((wait_s - floor(wait_s)) * 1e9) };
			nanosleep(&ts, NULL);
		}
		now = vl_now();
	}
	for (size_t i = 0; i < b->nheld && k < max;) {
		if (b->held[i].due <= now) {
			out[k++] = b->held[i].r;
			b->held[i] = b->held[--b->nheld];
		} else {
			i++;
		}
	}
	return k;
}

void vl_backend_stats(struct vl_backend *b, struct vl_backend_stats *out)
{
	out->cpu_s = -1;
	out->peak_rss_mb = -1;
	out->gpu_mem_peak_mb = -1;
	out->requests_sent = -1;
	if (b->m->stats)
		b->m->stats(b->self, out);
}

void vl_backend_close(struct vl_backend *b)
{
	if (!b)
		return;
	b->m->close(b->self);
	for (size_t i = 0; i < b->nheld; i++)
		vl_response_release(&b->held[i].r);
	vl_free(b->held);
	vl_free(b->sent);
	vl_free(b->self);
	vl_free(b->keys);
	vl_free(b->vals);
	if (b->dl)
		dlclose(b->dl);
	vl_free(b);
}

void vl_response_release(struct vl_response *r)
{
	free(r->text);
	free(r->error);
	free(r->finish_reason);
	r->text = r->error = r->finish_reason = NULL;
}
