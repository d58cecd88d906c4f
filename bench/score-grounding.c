/*
 * score-grounding.c - `vleval score grounding`: Acc@0.5 and mean IoU of
 * boxes made elsewhere, through the runner's own code path (the "box"
 * extractor for raw outputs, the "grounding" metric).
 *
 * Input: a JSON array of items {id, image_w, image_h, gt_box, pred_box} or
 * {..., output} where output is the model's raw text, parsed with
 * --box-format.  pred_box wins when both are present; "pred_box": null is a
 * parse failure (IoU 0, counted).  Bad items (missing keys, non-numeric
 * boxes, invalid UTF-8) are errors naming the file and the item; --lenient
 * skips them, scores the rest and lists what it skipped.
 */
#include "bench/cli.h"
#include "bench/families.h"
#include "bench/score-ci.h"
#include "bench/score-io.h"
#include "bench/scoring.h"
#include "metrics/box.h"
#include "metrics/metric.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

struct gitem {
	char *id;        /* owned, printable id */
	double iou;
	int fail;        /* parse failure */
	int hit;
};

/* Printable id of item i: its "id" member, else its position. */
static char *item_id(const cJSON *it, size_t i)
{
	const cJSON *id = cJSON_GetObjectItem(it, "id");
	struct vl_buf b = VL_BUF_INIT;

	if (cJSON_IsString(id))
		vl_buf_adds(&b, id->valuestring);
	else if (cJSON_IsNumber(id))
		vl_buf_add_json_num(&b, id->valuedouble);
	else
		vl_buf_addf(&b, "#%zu", i);
	return vl_buf_detach(&b, NULL);
}

static int get_box(const cJSON *it, const char *key, double b[4], struct vl_buf *why)
{
	const cJSON *a = cJSON_GetObjectItem(it, key);
	int i = 0;
	const cJSON *e;

	if (!a) {
		vl_buf_addf(why, "missing \"%s\"", key);
		return -1;
	}
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 4) {
		vl_buf_addf(why, "\"%s\" must be an array of 4 numbers", key);
		return -1;
	}
	cJSON_ArrayForEach(e, a) {
		if (!cJSON_IsNumber(e)) {
			vl_buf_addf(why, "\"%s\" must be an array of 4 numbers (element %d is not a number)",
				    key, i);
			return -1;
		}
		b[i++] = e->valuedouble;
	}
	return 0;
}

static int get_size(const cJSON *it, const char *key, int *out, struct vl_buf *why)
{
	const cJSON *v = cJSON_GetObjectItem(it, key);

	if (!v) {
		vl_buf_addf(why, "missing \"%s\"", key);
		return -1;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble <= 0 || v->valuedouble > 1e6 ||
	    v->valuedouble != (double)(int)v->valuedouble) {
		vl_buf_addf(why, "\"%s\" must be a positive whole number", key);
		return -1;
	}
	*out = (int)v->valuedouble;
	return 0;
}

static int utf8_ok(const char *s)
{
	size_t bad;
	return !s || vl_utf8_valid(s, strlen(s), &bad);
}

/* Line (1-based) of byte offset off in text. */
static size_t line_of(const char *text, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/* The state of one `score grounding`. */
struct grounding_run {
	const char *items_path, *box_format, *variant;
	int lenient, per_sample;
	const struct vl_extractor *x;
	struct vl_kv mopts;
	struct vl_scoring *sc;    /* the one scoring path, metric "grounding" */
	struct vl_buf refusal;    /* why the metric refused an item */
	struct gitem *items;
	size_t nitems;
	struct vl_strv skipped;
	long errors;
};

static void print_grounding_help(const struct vl_opt *opts)
{
	vl_print_help("vleval score grounding --items FILE [--box-format NAME | --model-family NAME] "
		      "[--iou-variant NAME] [--json] [--per-sample] [--lenient] [--resamples N]",
		      "Acc@0.5 and mean IoU of predicted boxes against ground-truth boxes.",
		      opts);
	printf("\nbox formats:");
	for (const char *const *n = vl_box_format_names(); *n; n++)
		printf(" %s", *n);
	printf("\nmodel families:");
	for (const char *const *n = vl_model_family_names(); *n; n++)
		printf(" %s", *n);
	printf("\niou variants:");
	for (const struct vl_iou_variant *const *v = vl_iou_variant_list(); *v; v++)
		printf(" %s", (*v)->name);
	printf("\n");
}

/* Resolves --model-family and checks the box format and IoU variant; 0, or
 * -1 after printing the error. */
static int check_grounding_options(struct grounding_run *g, const char *family)
{
	if (family) {
		const struct vl_model_family *f = vl_model_family_find(family);
		if (!f) {
			struct vl_buf err = VL_BUF_INIT;
			vl_model_family_unknown(family, &err);
			vl_error("score grounding: %s", vl_buf_str(&err));
			vl_suggest("model families", family, vl_model_family_names(), 0);
			vl_buf_release(&err);
			return -1;
		}
		g->box_format = f->box_format;
	}
	if (!vl_box_format_known(g->box_format)) {
		vl_error("score grounding: unknown box format '%s'", g->box_format);
		vl_suggest("box formats", g->box_format, (const char *const *)vl_box_format_names(), 0);
		return -1;
	}
	if (!vl_iou_variant_find(g->variant)) {
		const char *names[16];
		size_t n = 0;
		for (const struct vl_iou_variant *const *v = vl_iou_variant_list(); *v && n < 16; v++)
			names[n++] = (*v)->name;
		vl_error("score grounding: unknown iou variant '%s'", g->variant);
		vl_suggest("iou variants", g->variant, names, n);
		return -1;
	}
	return 0;
}

/* Reads the items file into a cJSON array; NULL after printing the error. */
static cJSON *read_items(const char *path, int lenient, struct vl_buf *text)
{
	struct vl_buf err = VL_BUF_INIT;
	size_t bad_off;
	cJSON *root;

	if (vl_read_file(path, text, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		vl_buf_release(&err);
		return NULL;
	}
	if (!vl_utf8_valid(text->buf, text->len, &bad_off)) {
		if (!lenient) {
			vl_error("cannot read '%s' line %zu: invalid UTF-8 (byte %zu)", path,
				 line_of(text->buf, bad_off), bad_off);
			return NULL;
		}
		vl_warn("'%s' line %zu: invalid UTF-8 (byte %zu); items holding it are skipped",
			path, line_of(text->buf, bad_off), bad_off);
	}
	root = cJSON_ParseWithLength(text->buf, text->len);
	if (!root || !cJSON_IsArray(root)) {
		const char *ep = cJSON_GetErrorPtr();
		if (!root && ep && ep >= text->buf && ep <= text->buf + text->len)
			vl_error("cannot parse '%s' line %zu: not valid JSON", path,
				 line_of(text->buf, (size_t)(ep - text->buf)));
		else
			vl_error("cannot parse '%s': expected a JSON array of items", path);
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* Fills s (box, image size, id) and pred (the predicted box as text, ""
 * for a parse failure) from item it; 0, or -1 with why filled. */
static int parse_item(const struct grounding_run *g, const cJSON *it, const char *id,
		      struct vl_sample *s, struct vl_buf *pred, struct vl_buf *why)
{
	const cJSON *pb, *output;

	if (!cJSON_IsObject(it)) {
		vl_buf_adds(why, "not a JSON object");
		return -1;
	}
	if (!utf8_ok(id) || !utf8_ok(cJSON_GetStringValue(cJSON_GetObjectItem(it, "output")))) {
		vl_buf_adds(why, "invalid UTF-8");
		return -1;
	}
	if (get_size(it, "image_w", &s->image_w, why) < 0 ||
	    get_size(it, "image_h", &s->image_h, why) < 0 || get_box(it, "gt_box", s->box, why) < 0)
		return -1;
	pb = cJSON_GetObjectItem(it, "pred_box");
	output = cJSON_GetObjectItem(it, "output");
	s->id = vl_xstrdup(id);
	s->has_box = 1;
	if (pb && !cJSON_IsNull(pb)) {
		double p[4];
		if (get_box(it, "pred_box", p, why) < 0)
			return -1;
		vl_box_format(p, pred);
	} else if (!pb) {
		if (!output) {
			vl_buf_adds(why, "missing \"pred_box\" (or \"output\")");
			return -1;
		}
		if (!cJSON_IsString(output)) {
			vl_buf_adds(why, "\"output\" must be a string");
			return -1;
		}
		/* VL_EPARSE leaves "": scored as a parse failure */
		if (g->x->extract(output->valuestring, s, &g->mopts, pred) != 0)
			vl_buf_reset(pred);
	}
	return 0;
}

static void on_refusal(void *ctx, const char *metric, const char *sample_id, size_t nth,
		       const char *msg)
{
	struct grounding_run *g = ctx;

	vl_buf_reset(&g->refusal);
	vl_buf_adds(&g->refusal, msg);
}

/* Notes a bad item: skipped (--lenient) or an error. */
static void bad_item(struct grounding_run *g, size_t i, const char *id, const struct vl_buf *why)
{
	struct vl_buf msg = VL_BUF_INIT;

	vl_buf_addf(&msg, "'%s' item %zu (id %s): %s", g->items_path, i, id, vl_buf_str(why));
	if (g->lenient) {
		vl_warn("skipping %s", vl_buf_str(&msg));
		vl_strv_push(&g->skipped, vl_buf_str(&msg));
	} else {
		vl_error("cannot score %s", vl_buf_str(&msg));
		g->errors++;
	}
	vl_buf_release(&msg);
}

static void score_items(struct grounding_run *g, const cJSON *root)
{
	struct vl_buf why = VL_BUF_INIT, pred = VL_BUF_INIT;
	const cJSON *it;
	size_t i = 0;

	g->items = vl_xcalloc((size_t)cJSON_GetArraySize(root) + 1, sizeof(*g->items));
	cJSON_ArrayForEach(it, root) {
		struct vl_sample s;
		char *id = item_id(it, i);
		double score;

		vl_sample_init(&s);
		vl_buf_reset(&why);
		vl_buf_reset(&pred);
		if (parse_item(g, it, id, &s, &pred, &why) < 0) {
			bad_item(g, i, id, &why);
			vl_free(id);
		} else if (vl_scoring_add(g->sc, &s, vl_buf_str(&pred), &score, on_refusal, g) != 0) {
			vl_error("cannot score '%s' item %zu: %s", g->items_path, i,
				 vl_buf_str(&g->refusal));
			g->errors++;
			vl_free(id);
		} else {
			struct gitem *gi = &g->items[g->nitems++];
			gi->id = id;
			gi->iou = score;
			gi->fail = pred.len == 0;
			gi->hit = vl_iou_hit(vl_iou_variant_find(g->variant), score) && pred.len;
		}
		vl_sample_release(&s);
		i++;
	}
	vl_buf_release(&why);
	vl_buf_release(&pred);
}

static void grounding_json(const struct grounding_run *g, const struct vl_score_ci *ci,
			   struct vl_buf *out)
{
	vl_buf_addch(out, '{');
	for (size_t k = 0; k < ci->names.n; k++) {
		vl_buf_adds(out, k ? ", " : "");
		vl_buf_add_json_str(out, ci->names.v[k]);
		vl_buf_adds(out, ": ");
		vl_buf_add_json_num(out, ci->value[k]);
	}
	vl_buf_adds(out, ", \"iou_variant\": ");
	vl_buf_add_json_str(out, g->variant);
	vl_buf_adds(out, ", \"box_format\": ");
	vl_buf_add_json_str(out, g->box_format);
	if (g->per_sample) {
		vl_buf_adds(out, ", \"per_item\": [");
		for (size_t k = 0; k < g->nitems; k++) {
			vl_buf_adds(out, k ? ", {\"id\": " : "{\"id\": ");
			vl_buf_add_json_str(out, g->items[k].id);
			vl_buf_adds(out, ", \"iou\": ");
			vl_buf_add_json_num(out, g->items[k].iou);
			vl_buf_addf(out, ", \"hit\": %s, \"parse_failure\": %s}",
				    g->items[k].hit ? "true" : "false", g->items[k].fail ? "true" : "false");
		}
		vl_buf_addch(out, ']');
	}
	if (g->lenient) {
		vl_buf_adds(out, ", \"skipped\": ");
		vl_score_json_strings(out, (const char *const *)g->skipped.v, g->skipped.n);
	}
	vl_score_ci_json(ci, out);
	vl_buf_adds(out, "}\n");
}

static void grounding_text(const struct grounding_run *g, const struct vl_score_ci *ci,
			   struct vl_buf *out)
{
	vl_buf_addf(out, "grounding (%s, iou variant %s) over '%s'\n", g->box_format, g->variant,
		    g->items_path);
	for (size_t k = 0; k < ci->names.n; k++) {
		vl_buf_addf(out, "  %-16s ", ci->names.v[k]);
		vl_buf_add_json_num(out, ci->value[k]);
		vl_buf_addch(out, '\n');
	}
	if (g->per_sample)
		for (size_t k = 0; k < g->nitems; k++) {
			vl_buf_addf(out, "  item %s iou ", g->items[k].id);
			vl_buf_add_json_num(out, g->items[k].iou);
			vl_buf_adds(out, g->items[k].fail ? " (parse failure)\n" :
				    g->items[k].hit ? " hit\n" : "\n");
		}
	if (g->skipped.n)
		vl_buf_addf(out, "  skipped %zu item%s (see warnings)\n", g->skipped.n,
			    g->skipped.n == 1 ? "" : "s");
	vl_score_ci_text(ci, out);
}

int score_grounding(int argc, char **argv)
{
	static const char *const metric[] = { "grounding" };
	struct grounding_run g = { .box_format = "pixels", .variant = "standard",
				   .x = vl_extractor_find("box") };
	struct vl_score_ci ci = { 0 };
	long resamples = 0, seed = 0;
	double level = 0.95;
	const char *family = NULL;
	int json = 0, help = 0, rc = VL_EXIT_USAGE;
	const struct vl_opt opts[] = {
		{ "items", VL_OPT_STRING, &g.items_path, "FILE", "JSON array of items (required)" },
		{ "box-format", VL_OPT_STRING, &g.box_format, "NAME",
		  "notation of \"output\" texts (default pixels)" },
		{ "model-family", VL_OPT_STRING, &family, "NAME",
		  "the box notation of this model family (instead of --box-format)" },
		{ "iou-variant", VL_OPT_STRING, &g.variant, "NAME", "IoU convention (default standard)" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print a JSON object" },
		{ "per-sample", VL_OPT_FLAG, &g.per_sample, NULL, "include per_item values" },
		{ "lenient", VL_OPT_FLAG, &g.lenient, NULL, "skip bad items and list them" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap intervals (default 0: none)" },
		{ "seed", VL_OPT_LONG, &seed, "N", "bootstrap seed (default 0)" },
		{ "ci-level", VL_OPT_DOUBLE, &level, "P", "confidence level (default 0.95)" },
		{ NULL },
	};
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT, out = VL_BUF_INIT;
	cJSON *root = NULL;

	if (vl_parse_opts("score grounding", argc, argv, opts, NULL, &help))
		return VL_EXIT_USAGE;
	if (help) {
		print_grounding_help(opts);
		return 0;
	}
	if (!g.items_path) {
		vl_error("score grounding: --items FILE is required");
		return VL_EXIT_USAGE;
	}
	if (resamples < 0 || resamples > 1000000 || !(level > 0 && level < 1)) {
		vl_error("score grounding: --resamples must be 0..1000000 and --ci-level in (0, 1)");
		return VL_EXIT_USAGE;
	}
	ci.ci = (struct vl_scoring_ci){ (int)resamples, (uint64_t)seed, level };
	if (check_grounding_options(&g, family) < 0)
		return VL_EXIT_USAGE;
	if (!(root = read_items(g.items_path, g.lenient, &text)))
		goto out;
	vl_kv_set(&g.mopts, "iou_variant", g.variant);
	vl_kv_set(&g.mopts, "box_format", g.box_format);
	if (!(g.sc = vl_scoring_new(metric, 1, &g.mopts, NULL, &err))) {
		vl_error("score grounding: %s", vl_buf_str(&err));
		goto out;
	}
	score_items(&g, root);
	if (g.errors) {
		vl_error("score grounding: %ld bad item%s in '%s' (--lenient skips them)", g.errors,
			 g.errors == 1 ? "" : "s", g.items_path);
		goto out;
	}
	vl_score_ci_finish(g.sc, "grounding", &g.mopts, &ci);
	if (json)
		grounding_json(&g, &ci, &out);
	else
		grounding_text(&g, &ci, &out);
	fwrite(out.buf, 1, out.len, stdout);
	rc = VL_EXIT_OK;
out:
	vl_scoring_free(g.sc);
	vl_score_ci_release(&ci);
	vl_buf_release(&g.refusal);
	for (size_t k = 0; g.items && k < g.nitems; k++)
		vl_free(g.items[k].id);
	vl_free(g.items);
	cJSON_Delete(root);
	vl_strv_release(&g.skipped);
	vl_kv_release(&g.mopts);
	vl_buf_release(&text);
	vl_buf_release(&err);
	vl_buf_release(&out);
	return rc;
}
