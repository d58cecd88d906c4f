/*
 * task.h - task definitions: JSON files (the files in bench/tasks are built in, plus
 * --tasks-dir / VLEVAL_TASKS) parsed into struct vl_task, and prompt
 * rendering.
 *
 * Keys of a task file (README "Task definitions" documents them for users):
 *   name, family, version, description,
 *   dataset {format, paths relative to the data root, ...loader keys},
 *   prompt (template with {question} {hint} {options} {choices}),
 *   prompts {family-name: template, "default": template} (optional),
 *   system (optional system prompt),
 *   generation {max_tokens, temperature, top_p, seed, stop},
 *   extract (extractor name), metrics [names], metric_options {k: v},
 *   metric_options_by_family {family-name: {k: v}} (override per model family),
 *   breakdown [metadata keys], choices [answers a random baseline picks from],
 *   groups [names that select this task with others, e.g. "pope"]
 */
#ifndef VL_TASK_H
#define VL_TASK_H

#include <cjson/cJSON.h>

#include "core/vl.h"

struct vl_task {
	char *name;
	char *description;
	char *origin;              /* "built-in" or the file it came from */
	int version;
	enum vl_family family;
	cJSON *json;               /* the whole definition, owned */
	const cJSON *dataset;      /* borrowed from json */
	const char *prompt;        /* default template, borrowed from json */
	const cJSON *prompts;      /* per model family, borrowed, may be NULL */
	const char *system;        /* borrowed, may be NULL */
	struct vl_gen_params gen;
	const char *extract;       /* borrowed */
	struct vl_strv metrics;
	struct vl_kv metric_options;   /* "key", and "key@family" overrides */
	struct vl_strv breakdown;
	struct vl_strv choices;
	struct vl_strv groups;     /* group names a --task pattern may use */
};

/* Parses a task definition from JSON text; origin names it in messages.
 * Validates every key (unknown extractor, metric, placeholder, wrong type)
 * and fills err naming the origin and key. */
int vl_task_parse(const char *text, size_t len, const char *origin,
		  struct vl_task **out, struct vl_buf *err);
void vl_task_free(struct vl_task *t);

/* The task registry: built-in tasks plus those in dirs (':'-separated; a
 * user task overrides a built-in one of the same name). */
struct vl_task_set {
	struct vl_task **v;
	size_t n;
	struct vl_strv problems;   /* files that failed to parse, with reasons */
};

int vl_task_set_load(struct vl_task_set *set, const char *dirs, struct vl_buf *err);
/* The task called name: exact, else case-insensitive; NULL when none. */
const struct vl_task *vl_task_set_find(const struct vl_task_set *set, const char *name);
/* Appends to out (without repeats) the names of the tasks pattern selects:
 * a task's name (any case); else every task listing it in "groups"; else,
 * when it holds * ? or [, the names it matches as a glob (any case); else
 * every task whose name starts with pattern + "_" ("mmbench" selects
 * mmbench_dev_en).  Returns how many names it selected, 0 for none. */
long vl_task_set_select(const struct vl_task_set *set, const char *pattern, struct vl_strv *out);
void vl_task_set_release(struct vl_task_set *set);

/* The metric and extractor options for a model family (NULL: defaults):
 * metric_options with the family's overrides applied, appended to out.  On
 * a grounding task a family of bench/families.h brings its box_format (the
 * task's own "metric_options_by_family" entry still wins). */
void vl_task_options(const struct vl_task *t, const char *model_family, struct vl_kv *out);

/* Checks every file and folder the task's dataset names (nested lists
 * included) under the data root; appends the missing paths, joined to
 * root, to missing.  The image folder ("images") is checked only when
 * images is 1 (a backend that reads no image does not need it).  Returns
 * how many paths it checked. */
size_t vl_task_missing_files(const struct vl_task *t, const char *root, int images,
			     struct vl_strv *missing);

/* Picks the prompt template for a model family (NULL: default): the task's
 * own "prompts" entry, else on a grounding task the family's prompt from
 * bench/families.h, else the default. */
const char *vl_task_prompt(const struct vl_task *t, const char *model_family);

/* 0 when model_family (may be NULL) can run task t.  On a grounding task
 * the family must be in bench/families.h or in the task's own "prompts":
 * else VL_EINVAL and err says "task 'T': unknown model family 'x' (known:
 * ...)".  Other tasks take any family (a prompt variant or the default). */
int vl_task_check_family(const struct vl_task *t, const char *model_family, struct vl_buf *err);

/* Renders template for sample s into out.  Placeholders: {question},
 * {hint}, {options} (one "A. text" line per option), {choices}
 * ("A, B, C"), {image_w}, {image_h}; "{{" and "}}" are literal braces. */
int vl_task_render(const char *tmpl, const struct vl_sample *s, struct vl_buf *out,
		   struct vl_buf *err);

/* Built-in task files embedded at build time (generated). */
struct vl_embedded_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct vl_embedded_file vl_embedded_tasks[];
extern const size_t vl_embedded_tasks_count;

#endif
