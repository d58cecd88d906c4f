/*
 * task.c - parsing and validating task definitions, the task registry, and
 * prompt rendering (see task.h).
 */
#include "bench/task.h"
#include "bench/families.h"
#include "datasets/dataset.h"
#include "datasets/loader_util.h"
#include "metrics/metric.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fnmatch.h>
#include <sys/stat.h>

static const char *const known_keys[] = {
	"name", "family", "version", "description", "dataset", "prompt", "prompts",
	"system", "generation", "extract", "metrics", "metric_options", "breakdown",
	"choices", "metric_options_by_family", "groups", NULL,
};

static int is_known_key(const char *k)
{
	for (size_t i = 0; known_keys[i]; i++)
		if (!strcmp(known_keys[i], k))
			return 1;
	return 0;
}

/* Checks a template's placeholders so a typo fails at load, not mid-run. */
static int check_template(const char *tmpl, const char *origin, const char *key,
			  struct vl_buf *err)
{
	struct vl_sample s;
	struct vl_buf out = VL_BUF_INIT, e = VL_BUF_INIT;
	int rc;

	vl_sample_init(&s);
	rc = vl_task_render(tmpl, &s, &out, &e);
	if (rc < 0)
		vl_buf_addf(err, "task file '%s': \"%s\": %s", origin, key, vl_buf_str(&e));
	vl_buf_release(&out);
	vl_buf_release(&e);
	return rc;
}

static int parse_generation(struct vl_task *t, const cJSON *g, const char *origin,
			    struct vl_buf *err)
{
	const cJSON *e;

	if (!g)
		return 0;
	if (!cJSON_IsObject(g)) {
		vl_buf_addf(err, "task file '%s': \"generation\" must be an object", origin);
		return VL_EINVAL;
	}
	cJSON_ArrayForEach(e, g) {
		const char *k = e->string;
		if (!strcmp(k, "stop")) {
			if (vl_json_push_strings(e, &t->gen.stop) < 0)
				goto bad;
			continue;
		}
		if (!cJSON_IsNumber(e))
			goto bad;
		if (!strcmp(k, "max_tokens") && e->valuedouble >= 1)
			t->gen.max_tokens = e->valueint;
		else if (!strcmp(k, "temperature") && e->valuedouble >= 0)
			t->gen.temperature = e->valuedouble;
		else if (!strcmp(k, "top_p") && e->valuedouble > 0 && e->valuedouble <= 1)
			t->gen.top_p = e->valuedouble;
		else if (!strcmp(k, "seed") && e->valuedouble >= 0 &&
			 vl_whole_ll(e->valuedouble, &t->gen.seed) == 0)
			;   /* a whole number a long long holds */
		else
			goto bad;
		continue;
bad:
		vl_buf_addf(err, "task file '%s': generation key \"%s\" is unknown or out of range "
			    "(max_tokens >= 1, temperature >= 0, 0 < top_p <= 1, seed >= 0, stop)",
			    origin, k);
		return VL_EINVAL;
	}
	return 0;
}

/* Adds the options of object o to kv; family non-empty stores them as
 * "key@family". */
static int parse_options(const cJSON *o, const char *family, struct vl_kv *kv,
			 const char *origin, struct vl_buf *err)
{
	const cJSON *e;
	struct vl_buf key = VL_BUF_INIT;

	if (!o)
		return 0;
	if (!cJSON_IsObject(o)) {
		vl_buf_addf(err, "task file '%s': metric options%s%s must be an object", origin,
			    *family ? " of family " : "", family);
		return VL_EINVAL;
	}
	cJSON_ArrayForEach(e, o) {
		char num[64];
		const char *val;

		if (cJSON_IsString(e)) {
			val = e->valuestring;
		} else if (cJSON_IsNumber(e)) {
			snprintf(num, sizeof(num), "%.17g", e->valuedouble);
			val = num;
		} else if (cJSON_IsBool(e)) {
			val = cJSON_IsTrue(e) ? "1" : "0";
		} else {
			vl_buf_addf(err, "task file '%s': metric option \"%s\" must be a string, number "
				    "or boolean", origin, e->string);
			vl_buf_release(&key);
			return VL_EINVAL;
		}
		vl_buf_reset(&key);
		vl_buf_addf(&key, "%s%s%s", e->string, *family ? "@" : "", family);
		vl_kv_set(kv, vl_buf_str(&key), val);
	}
	vl_buf_release(&key);
	return 0;
}

/* the family's grounding conventions, for a grounding task; NULL else */
static const struct vl_model_family *grounding_family(const struct vl_task *t, const char *fam)
{
	return fam && t->family == VL_FAMILY_GROUNDING ? vl_model_family_find(fam) : NULL;
}

void vl_task_options(const struct vl_task *t, const char *family, struct vl_kv *out)
{
	const struct vl_kv *kv = &t->metric_options;

	const struct vl_model_family *f = grounding_family(t, family);

	for (size_t i = 0; i < kv->keys.n; i++)
		if (!strchr(kv->keys.v[i], '@'))
			vl_kv_set(out, kv->keys.v[i], kv->vals.v[i]);
	if (!family)
		return;
	if (f)   /* the family's box notation; the task's own override below wins */
		vl_kv_set(out, "box_format", f->box_format);
	for (size_t i = 0; i < kv->keys.n; i++) {
		const char *at = strchr(kv->keys.v[i], '@');
		if (at && !strcmp(at + 1, family)) {
			char *k = vl_xstrndup(kv->keys.v[i], (size_t)(at - kv->keys.v[i]));
			vl_kv_set(out, k, kv->vals.v[i]);
			vl_free(k);
		}
	}
}

int vl_task_parse(const char *text, size_t len, const char *origin,
		  struct vl_task **out, struct vl_buf *err)
{
	struct vl_task *t;
	const cJSON *v, *e;
	const char *end = NULL;
	cJSON *json;

	*out = NULL;
	json = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!json) {
		size_t line = 1;
		const char *rest = end ? end : text;
		for (const char *p = text; p < rest; p++)
			line += *p == '\n';
		/* text need not be NUL-terminated: stay within len */
		while (rest < text + len && (*rest == ' ' || *rest == '\t' || *rest == '\r' ||
					     *rest == '\n'))
			rest++;
		vl_buf_addf(err, "cannot parse task file '%s' line %zu: %s", origin, line,
			    (size_t)(rest - text) >= len ? "unexpected end of file (truncated JSON?)"
							: "invalid JSON");
		return VL_EPARSE;
	}
	t = vl_xcalloc(1, sizeof(*t));
	t->json = json;
	t->origin = vl_xstrdup(origin);
	vl_gen_params_init(&t->gen);
	t->gen.temperature = 0;
	if (!cJSON_IsObject(json)) {
		vl_buf_addf(err, "task file '%s': top level must be a JSON object", origin);
		goto fail;
	}
	cJSON_ArrayForEach(e, json) {
		if (!is_known_key(e->string)) {
			vl_buf_addf(err, "task file '%s': unknown key \"%s\"", origin, e->string);
			goto fail;
		}
	}
#define REQUIRE_STRING(key, dst) do { \
	v = cJSON_GetObjectItemCaseSensitive(json, key); \
	if (!cJSON_IsString(v) || !*v->valuestring) { \
		vl_buf_addf(err, "task file '%s': \"%s\" must be a non-empty string", origin, key); \
		goto fail; \
	} \
	dst = v->valuestring; \
} while (0)
	{
		const char *name, *family;
		REQUIRE_STRING("name", name);
		t->name = vl_xstrdup(name);
		REQUIRE_STRING("family", family);
		if (vl_family_parse(family, &t->family) < 0) {
			vl_buf_addf(err, "task file '%s': unknown family '%s' (vqa, caption, grounding, "
				    "hallucination, mcq, other)", origin, family);
			goto fail;
		}
		REQUIRE_STRING("prompt", t->prompt);
		REQUIRE_STRING("extract", t->extract);
	}
#undef REQUIRE_STRING
	for (const char *p = t->name; *p; p++) {
		if (!(isalnum((unsigned char)*p) || strchr("_-.+", *p))) {
			vl_buf_addf(err, "task file '%s': name '%s' may use only letters, digits "
				    "and _ - . +", origin, t->name);
			goto fail;
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(json, "version");
	t->version = cJSON_IsNumber(v) ? v->valueint : 1;
	v = cJSON_GetObjectItemCaseSensitive(json, "description");
	t->description = vl_xstrdup(cJSON_IsString(v) ? v->valuestring : "");
	v = cJSON_GetObjectItemCaseSensitive(json, "system");
	if (v && !cJSON_IsString(v)) {
		vl_buf_addf(err, "task file '%s': \"system\" must be a string", origin);
		goto fail;
	}
	t->system = v ? v->valuestring : NULL;
	t->dataset = cJSON_GetObjectItemCaseSensitive(json, "dataset");
	if (!cJSON_IsObject(t->dataset) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(t->dataset, "format"))) {
		vl_buf_addf(err, "task file '%s': \"dataset\" must be an object with a \"format\"", origin);
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(t->dataset, "format");
	if (!vl_loader_find(v->valuestring)) {
		vl_buf_addf(err, "task file '%s': unknown dataset format '%s'", origin, v->valuestring);
		goto fail;
	}
	if (check_template(t->prompt, origin, "prompt", err) < 0)
		goto fail;
	t->prompts = cJSON_GetObjectItemCaseSensitive(json, "prompts");
	if (t->prompts) {
		if (!cJSON_IsObject(t->prompts)) {
			vl_buf_addf(err, "task file '%s': \"prompts\" must map model families to templates", origin);
			goto fail;
		}
		cJSON_ArrayForEach(e, t->prompts) {
			if (!cJSON_IsString(e)) {
				vl_buf_addf(err, "task file '%s': prompts.\"%s\" must be a string", origin, e->string);
				goto fail;
			}
			if (check_template(e->valuestring, origin, e->string, err) < 0)
				goto fail;
		}
	}
	if (!vl_extractor_find(t->extract)) {
		vl_buf_addf(err, "task file '%s': unknown extractor '%s' (known:", origin, t->extract);
		for (const struct vl_extractor *const *x = vl_extractor_list(); *x; x++)
			vl_buf_addf(err, " %s", (*x)->name);
		vl_buf_addch(err, ')');
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(json, "metrics");
	if (vl_json_push_strings(v, &t->metrics) < 0 || t->metrics.n == 0) {
		vl_buf_addf(err, "task file '%s': \"metrics\" must be a non-empty list of metric names", origin);
		goto fail;
	}
	for (size_t i = 0; i < t->metrics.n; i++) {
		if (!vl_metric_find(t->metrics.v[i])) {
			vl_buf_addf(err, "task file '%s': unknown metric '%s' (known:", origin, t->metrics.v[i]);
			for (const struct vl_metric *const *m = vl_metric_list(); *m; m++)
				vl_buf_addf(err, " %s", (*m)->name);
			vl_buf_addch(err, ')');
			goto fail;
		}
	}
	if (parse_options(cJSON_GetObjectItemCaseSensitive(json, "metric_options"), "",
			  &t->metric_options, origin, err) < 0)
		goto fail;
	v = cJSON_GetObjectItemCaseSensitive(json, "metric_options_by_family");
	if (v) {
		if (!cJSON_IsObject(v)) {
			vl_buf_addf(err, "task file '%s': \"metric_options_by_family\" must map model "
				    "families to option objects", origin);
			goto fail;
		}
		/* stored as "key@family" and applied by vl_task_options */
		cJSON_ArrayForEach(e, v)
			if (parse_options(e, e->string, &t->metric_options, origin, err) < 0)
				goto fail;
	}
	/* options are checked now, by the metrics themselves, so that a typo
	 * fails at load and not after an hour of generation */
	for (size_t i = 0; i < t->metrics.n; i++) {
		const struct vl_metric *m = vl_metric_find(t->metrics.v[i]);
		struct vl_kv eff = { 0 };
		struct vl_buf merr = VL_BUF_INIT;
		void *st;
		vl_task_options(t, NULL, &eff);
		st = m->new_state(&eff, &merr);
		vl_kv_release(&eff);
		if (!st) {
			vl_buf_addf(err, "task file '%s': metric '%s': %s", origin, m->name,
				    merr.len ? vl_buf_str(&merr) : "rejects its options");
			vl_buf_release(&merr);
			goto fail;
		}
		m->free_state(st);
		vl_buf_release(&merr);
	}
	v = cJSON_GetObjectItemCaseSensitive(json, "breakdown");
	if (v && vl_json_push_strings(v, &t->breakdown) < 0) {
		vl_buf_addf(err, "task file '%s': \"breakdown\" must be a list of metadata keys", origin);
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(json, "groups");
	if (v && vl_json_push_strings(v, &t->groups) < 0) {
		vl_buf_addf(err, "task file '%s': \"groups\" must be a list of group names", origin);
		goto fail;
	}
	v = cJSON_GetObjectItemCaseSensitive(json, "choices");
	if (v && vl_json_push_strings(v, &t->choices) < 0) {
		vl_buf_addf(err, "task file '%s': \"choices\" must be a list of strings", origin);
		goto fail;
	}
	if (parse_generation(t, cJSON_GetObjectItemCaseSensitive(json, "generation"), origin, err) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	vl_task_free(t);
	return VL_EINVAL;
}

void vl_task_free(struct vl_task *t)
{
	if (!t)
		return;
	cJSON_Delete(t->json);
	vl_free(t->name);
	vl_free(t->description);
	vl_free(t->origin);
	vl_gen_params_release(&t->gen);
	vl_strv_release(&t->metrics);
	vl_kv_release(&t->metric_options);
	vl_strv_release(&t->breakdown);
	vl_strv_release(&t->choices);
	vl_strv_release(&t->groups);
	vl_free(t);
}

static void set_put(struct vl_task_set *set, struct vl_task *t)
{
	for (size_t i = 0; i < set->n; i++) {
		if (!strcmp(set->v[i]->name, t->name)) {
			vl_task_free(set->v[i]);
			set->v[i] = t;
			return;
		}
	}
	set->v = vl_xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	set->v[set->n++] = t;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int load_dir(struct vl_task_set *set, const char *dir, struct vl_buf *err)
{
	struct vl_strv files = { 0 };
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		vl_buf_addf(err, "cannot open tasks folder '%s': %s", dir, strerror(errno));
		return VL_ENOTFOUND;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n > 5 && !strcmp(de->d_name + n - 5, ".json"))
			vl_strv_push(&files, de->d_name);
	}
	closedir(d);
	if (files.n)
		qsort(files.v, files.n, sizeof(char *), cmp_name);
	for (size_t i = 0; i < files.n; i++) {
		struct vl_buf path = VL_BUF_INIT, text = VL_BUF_INIT, e = VL_BUF_INIT;
		struct vl_task *t;
		vl_path_join(&path, dir, files.v[i]);
		if (vl_read_file(vl_buf_str(&path), &text, &e) == 0 &&
		    vl_task_parse(text.buf, text.len, vl_buf_str(&path), &t, &e) == 0)
			set_put(set, t);
		else
			vl_strv_push(&set->problems, vl_buf_str(&e));
		vl_buf_release(&path);
		vl_buf_release(&text);
		vl_buf_release(&e);
	}
	vl_strv_release(&files);
	return 0;
}

int vl_task_set_load(struct vl_task_set *set, const char *dirs, struct vl_buf *err)
{
	memset(set, 0, sizeof(*set));
	for (size_t i = 0; i < vl_embedded_tasks_count; i++) {
		const struct vl_embedded_file *f = &vl_embedded_tasks[i];
		struct vl_buf e = VL_BUF_INIT;
		struct vl_task *t;
		if (vl_task_parse(f->data, f->len, f->name, &t, &e) == 0) {
			vl_free(t->origin);
			t->origin = vl_xstrdup("built-in");
			set_put(set, t);
		} else {
			vl_strv_push(&set->problems, vl_buf_str(&e));
		}
		vl_buf_release(&e);
	}
	if (dirs && *dirs) {
		char *copy = vl_xstrdup(dirs), *p = copy;
		while (p) {
			char *colon = strchr(p, ':');
			if (colon)
				*colon = '\0';
			if (*p && load_dir(set, p, err) < 0) {
				vl_free(copy);
				return VL_ENOTFOUND;
			}
			p = colon ? colon + 1 : NULL;
		}
		vl_free(copy);
	}
	return 0;
}

const struct vl_task *vl_task_set_find(const struct vl_task_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i]->name, name))
			return set->v[i];
	for (size_t i = 0; i < set->n; i++)
		if (!strcasecmp(set->v[i]->name, name))
			return set->v[i];
	return NULL;
}

static void push_unique(struct vl_strv *out, const char *name)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i], name))
			return;
	vl_strv_push(out, name);
}

static int in_group(const struct vl_task *t, const char *group)
{
	for (size_t i = 0; i < t->groups.n; i++)
		if (!strcasecmp(t->groups.v[i], group))
			return 1;
	return 0;
}

/* 1 when name starts with prefix followed by '_' (case-insensitive). */
static int has_family_prefix(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	return !strncasecmp(name, prefix, n) && name[n] == '_';
}

long vl_task_set_select(const struct vl_task_set *set, const char *pattern, struct vl_strv *out)
{
	const struct vl_task *t = vl_task_set_find(set, pattern);
	size_t before = out->n;

	if (t) {
		push_unique(out, t->name);
		return 1;
	}
	for (size_t i = 0; i < set->n; i++)
		if (in_group(set->v[i], pattern))
			push_unique(out, set->v[i]->name);
	if (out->n == before && strpbrk(pattern, "*?["))
		for (size_t i = 0; i < set->n; i++)
			if (!fnmatch(pattern, set->v[i]->name, FNM_CASEFOLD))
				push_unique(out, set->v[i]->name);
	if (out->n == before && !strpbrk(pattern, "*?["))
		for (size_t i = 0; i < set->n; i++)
			if (has_family_prefix(set->v[i]->name, pattern))
				push_unique(out, set->v[i]->name);
	return (long)(out->n - before);
}

void vl_task_set_release(struct vl_task_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		vl_task_free(set->v[i]);
	vl_free(set->v);
	vl_strv_release(&set->problems);
	memset(set, 0, sizeof(*set));
}

/* Dataset keys whose string values are options, not files or folders. */
static int is_path_key(const char *k)
{
	static const char *const non_paths[] = {
		"format", "split", "image_pattern", "domain", "subset", "language", "mode", NULL,
	};
	for (size_t i = 0; non_paths[i]; i++)
		if (!strcmp(k, non_paths[i]))
			return 0;
	return 1;
}

static size_t missing_walk(const cJSON *node, const char *root, int images,
			   struct vl_strv *missing)
{
	size_t n = 0;
	const cJSON *e;

	cJSON_ArrayForEach(e, node) {
		if (cJSON_IsObject(e) || cJSON_IsArray(e)) {
			n += missing_walk(e, root, images, missing);
		} else if (cJSON_IsString(e) && (!e->string || is_path_key(e->string)) &&
			   (images || !e->string || strcmp(e->string, "images"))) {
			struct vl_buf p = VL_BUF_INIT;
			struct stat st;
			vl_path_join(&p, root, e->valuestring);
			n++;
			if (stat(vl_buf_str(&p), &st) != 0)
				vl_strv_push(missing, vl_buf_str(&p));
			vl_buf_release(&p);
		}
	}
	return n;
}

size_t vl_task_missing_files(const struct vl_task *t, const char *root, int images,
			     struct vl_strv *missing)
{
	return missing_walk(t->dataset, root, images, missing);
}

static const char *own_prompt(const struct vl_task *t, const char *fam)
{
	const cJSON *v;

	if (!t->prompts || !fam)
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(t->prompts, fam);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int vl_task_check_family(const struct vl_task *t, const char *model_family, struct vl_buf *err)
{
	if (!model_family || t->family != VL_FAMILY_GROUNDING || grounding_family(t, model_family) ||
	    own_prompt(t, model_family))
		return 0;
	vl_buf_addf(err, "task '%s': ", t->name);
	vl_model_family_unknown(model_family, err);
	return VL_EINVAL;
}

const char *vl_task_prompt(const struct vl_task *t, const char *model_family)
{
	const struct vl_model_family *f = grounding_family(t, model_family);
	const cJSON *v;
	const char *own = own_prompt(t, model_family);

	if (own)
		return own;
	if (f)
		return f->prompt;
	if (t->prompts) {
		v = cJSON_GetObjectItemCaseSensitive(t->prompts, "default");
		if (cJSON_IsString(v))
			return v->valuestring;
	}
	return t->prompt;
}

int vl_task_render(const char *tmpl, const struct vl_sample *s, struct vl_buf *out,
		   struct vl_buf *err)
{
	const char *p = tmpl;

	while (*p) {
		const char *close;
		size_t n;

		if (p[0] == '{' && p[1] == '{') {
			vl_buf_addch(out, '{');
			p += 2;
			continue;
		}
		if (p[0] == '}' && p[1] == '}') {
			vl_buf_addch(out, '}');
			p += 2;
			continue;
		}
		if (*p != '{') {
			vl_buf_addch(out, *p++);
			continue;
		}
		close = strchr(p, '}');
		if (!close) {
			vl_buf_addf(err, "unclosed '{' in prompt template at '%.20s'", p);
			return VL_EINVAL;
		}
		n = (size_t)(close - p - 1);
#define IS(name) (n == strlen(name) && !strncmp(p + 1, name, n))
		if (IS("question")) {
			vl_buf_adds(out, s->question ? s->question : "");
		} else if (IS("hint")) {
			vl_buf_adds(out, s->hint ? s->hint : "");
		} else if (IS("options")) {
			for (size_t i = 0; i < s->options.n && i < 26; i++)
				vl_buf_addf(out, "%s%c. %s", i ? "\n" : "", 'A' + (int)i, s->options.v[i]);
		} else if (IS("choices")) {
			for (size_t i = 0; i < s->options.n && i < 26; i++)
				vl_buf_addf(out, "%s%c", i ? ", " : "", 'A' + (int)i);
		} else if (IS("image_w")) {
			vl_buf_addf(out, "%d", s->image_w);
		} else if (IS("image_h")) {
			vl_buf_addf(out, "%d", s->image_h);
		} else {
			vl_buf_addf(err, "unknown placeholder '{%.*s}' in prompt template (known: "
				    "{question} {hint} {options} {choices} {image_w} {image_h})",
				    (int)n, p + 1);
			return VL_EINVAL;
		}
#undef IS
		p = close + 1;
	}
	return 0;
}
