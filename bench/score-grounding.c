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

int score_grounding(int argc, char **argv)
{
	const char *items_path = NULL, *box_format = "pixels", *variant = "standard", *family = NULL;
	int json = 0, per_sample = 0, lenient = 0, help = 0, rc = VL_EXIT_OK;
	const struct vl_opt opts[] = {
		{ "items", VL_OPT_STRING, &items_path, "FILE", "JSON array of items (required)" },
		{ "box-format", VL_OPT_STRING, &box_format, "NAME",
		  "notation of \"output\" texts (default pixels)" },
		{ "model-family", VL_OPT_STRING, &family, "NAME",
		  "the box notation of this model family (instead of --box-format)" },
		{ "iou-variant", VL_OPT_STRING, &variant, "NAME", "IoU convention (default standard)" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print a JSON object" },
		{ "per-sample", VL_OPT_FLAG, &per_sample, NULL, "include per_item values" },
		{ "lenient", VL_OPT_FLAG, &lenient, NULL, "skip bad items and list them" },
		{ NULL },
	};
	const struct vl_metric *m = vl_metric_find("grounding");
	const struct vl_extractor *x = vl_extractor_find("box");
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT, why = VL_BUF_INIT, pred = VL_BUF_INIT;
	struct vl_buf out = VL_BUF_INIT;
	struct vl_kv mopts = { 0 };
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	struct gitem *items = NULL;
	struct vl_strv skipped = { 0 };
	cJSON *root = NULL;
	const cJSON *it;
	void *st = NULL;
	size_t nitems = 0, i = 0, bad_off;
	long errors = 0;
	int nv;

	if (vl_parse_opts("score grounding", argc, argv, opts, NULL, &help))
		return VL_EXIT_USAGE;
	if (help) {
		vl_print_help("vleval score grounding --items FILE [--box-format NAME | --model-family NAME] "
			      "[--iou-variant NAME] [--json] [--per-sample] [--lenient]",
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
		return 0;
	}
	if (!items_path) {
		vl_error("score grounding: --items FILE is required");
		return VL_EXIT_USAGE;
	}
	if (family) {
		const struct vl_model_family *f = vl_model_family_find(family);
		if (!f) {
			vl_model_family_unknown(family, &err);
			vl_error("score grounding: %s", vl_buf_str(&err));
			vl_suggest("model families", family, vl_model_family_names(), 0);
			vl_buf_release(&err);
			return VL_EXIT_USAGE;
		}
		box_format = f->box_format;
	}
	if (!vl_box_format_known(box_format)) {
		vl_error("score grounding: unknown box format '%s'", box_format);
		vl_suggest("box formats", box_format, (const char *const *)vl_box_format_names(), 0);
		return VL_EXIT_USAGE;
	}
	if (!vl_iou_variant_find(variant)) {
		const char *names[16];
		size_t n = 0;
		for (const struct vl_iou_variant *const *v = vl_iou_variant_list(); *v && n < 16; v++)
			names[n++] = (*v)->name;
		vl_error("score grounding: unknown iou variant '%s'", variant);
		vl_suggest("iou variants", variant, names, n);
		return VL_EXIT_USAGE;
	}
	if (vl_read_file(items_path, &text, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		rc = VL_EXIT_USAGE;
		goto out;
	}
	if (!vl_utf8_valid(text.buf, text.len, &bad_off)) {
		if (!lenient) {
			vl_error("cannot read '%s' line %zu: invalid UTF-8 (byte %zu)", items_path,
				 line_of(text.buf, bad_off), bad_off);
			rc = VL_EXIT_USAGE;
			goto out;
		}
		vl_warn("'%s' line %zu: invalid UTF-8 (byte %zu); items holding it are skipped",
			items_path, line_of(text.buf, bad_off), bad_off);
	}
	root = cJSON_ParseWithLength(text.buf, text.len);
	if (!root || !cJSON_IsArray(root)) {
		const char *ep = cJSON_GetErrorPtr();
		if (!root && ep && ep >= text.buf && ep <= text.buf + text.len)
			vl_error("cannot parse '%s' line %zu: not valid JSON", items_path,
				 line_of(text.buf, (size_t)(ep - text.buf)));
		else
			vl_error("cannot parse '%s': expected a JSON array of items", items_path);
		rc = VL_EXIT_USAGE;
		goto out;
	}
	vl_kv_set(&mopts, "iou_variant", variant);
	vl_kv_set(&mopts, "box_format", box_format);
	st = m->new_state(&mopts, &err);
	if (!st) {
		vl_error("score grounding: %s", vl_buf_str(&err));
		rc = VL_EXIT_USAGE;
		goto out;
	}
	items = vl_xcalloc((size_t)cJSON_GetArraySize(root) + 1, sizeof(*items));
	cJSON_ArrayForEach(it, root) {
		struct vl_sample s;
		const cJSON *pb, *output;
		char *id = item_id(it, i);
		double score;
		int ok = 1;

		vl_sample_init(&s);
		vl_buf_reset(&why);
		vl_buf_reset(&pred);
		if (!cJSON_IsObject(it)) {
			vl_buf_adds(&why, "not a JSON object");
			ok = 0;
		}
		if (ok && (!utf8_ok(id) || !utf8_ok(cJSON_GetStringValue(cJSON_GetObjectItem(it, "output"))))) {
			vl_buf_adds(&why, "invalid UTF-8");
			ok = 0;
		}
		ok = ok && get_size(it, "image_w", &s.image_w, &why) == 0 &&
		     get_size(it, "image_h", &s.image_h, &why) == 0 &&
		     get_box(it, "gt_box", s.box, &why) == 0;
		pb = ok ? cJSON_GetObjectItem(it, "pred_box") : NULL;
		output = ok ? cJSON_GetObjectItem(it, "output") : NULL;
		if (ok && pb && !cJSON_IsNull(pb)) {
			double p[4];
			ok = get_box(it, "pred_box", p, &why) == 0;
			if (ok)
				vl_box_format(p, &pred);
		} else if (ok && !pb) {
			if (!output) {
				vl_buf_adds(&why, "missing \"pred_box\" (or \"output\")");
				ok = 0;
			} else if (!cJSON_IsString(output)) {
				vl_buf_adds(&why, "\"output\" must be a string");
				ok = 0;
			} else {
				s.id = vl_xstrdup(id);
				/* VL_EPARSE leaves "": scored as a parse failure */
				vl_buf_reset(&pred);
				if (x->extract(output->valuestring, &s, &mopts, &pred) != 0)
					vl_buf_reset(&pred);
			}
		}
		if (!ok) {
			struct vl_buf msg = VL_BUF_INIT;
			vl_buf_addf(&msg, "'%s' item %zu (id %s): %s", items_path, i, id,
				    vl_buf_str(&why));
			if (lenient) {
				vl_warn("skipping %s", vl_buf_str(&msg));
				vl_strv_push(&skipped, vl_buf_str(&msg));
			} else {
				vl_error("cannot score %s", vl_buf_str(&msg));
				errors++;
			}
			vl_buf_release(&msg);
			vl_free(id);
			vl_sample_release(&s);
			i++;
			continue;
		}
		if (!s.id)
			s.id = vl_xstrdup(id);
		s.has_box = 1;
		vl_buf_reset(&err);
		if (m->add(st, &s, vl_buf_str(&pred), &score, &err) != 0) {
			vl_error("cannot score '%s' item %zu: %s", items_path, i, vl_buf_str(&err));
			errors++;
			vl_free(id);
		} else {
			items[nitems].id = id;
			items[nitems].iou = score;
			items[nitems].fail = pred.len == 0;
			items[nitems].hit = vl_iou_hit(vl_iou_variant_find(variant), score) && pred.len;
			nitems++;
		}
		vl_sample_release(&s);
		i++;
	}
	if (errors) {
		vl_error("score grounding: %ld bad item%s in '%s' (--lenient skips them)", errors,
			 errors == 1 ? "" : "s", items_path);
		rc = VL_EXIT_USAGE;
		goto out;
	}
	nv = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	if (json) {
		vl_buf_addch(&out, '{');
		for (int k = 0; k < nv; k++) {
			if (k)
				vl_buf_adds(&out, ", ");
			vl_buf_add_json_str(&out, vals[k].name);
			vl_buf_adds(&out, ": ");
			vl_buf_add_json_num(&out, vals[k].value);
		}
		vl_buf_adds(&out, ", \"iou_variant\": ");
		vl_buf_add_json_str(&out, variant);
		vl_buf_adds(&out, ", \"box_format\": ");
		vl_buf_add_json_str(&out, box_format);
		if (per_sample) {
			vl_buf_adds(&out, ", \"per_item\": [");
			for (size_t k = 0; k < nitems; k++) {
				vl_buf_adds(&out, k ? ", {\"id\": " : "{\"id\": ");
				vl_buf_add_json_str(&out, items[k].id);
				vl_buf_adds(&out, ", \"iou\": ");
				vl_buf_add_json_num(&out, items[k].iou);
				vl_buf_addf(&out, ", \"hit\": %s, \"parse_failure\": %s}",
					    items[k].hit ? "true" : "false",
					    items[k].fail ? "true" : "false");
			}
			vl_buf_addch(&out, ']');
		}
		if (lenient) {
			vl_buf_adds(&out, ", \"skipped\": [");
			for (size_t k = 0; k < skipped.n; k++) {
				if (k)
					vl_buf_adds(&out, ", ");
				vl_buf_add_json_str(&out, skipped.v[k]);
			}
			vl_buf_addch(&out, ']');
		}
		vl_buf_adds(&out, "}\n");
	} else {
		vl_buf_addf(&out, "grounding (%s, iou variant %s) over '%s'\n", box_format, variant,
			    items_path);
		for (int k = 0; k < nv; k++) {
			vl_buf_addf(&out, "  %-16s ", vals[k].name);
			vl_buf_add_json_num(&out, vals[k].value);
			vl_buf_addch(&out, '\n');
		}
		if (per_sample)
			for (size_t k = 0; k < nitems; k++) {
				vl_buf_addf(&out, "  item %s iou ", items[k].id);
				vl_buf_add_json_num(&out, items[k].iou);
				vl_buf_adds(&out, items[k].fail ? " (parse failure)\n" :
					    items[k].hit ? " hit\n" : "\n");
			}
		if (skipped.n)
			vl_buf_addf(&out, "  skipped %zu item%s (see warnings)\n", skipped.n,
				    skipped.n == 1 ? "" : "s");
	}
	fwrite(out.buf, 1, out.len, stdout);
out:
	if (st)
		m->free_state(st);
	for (size_t k = 0; items && k < nitems; k++)
		vl_free(items[k].id);
	vl_free(items);
	cJSON_Delete(root);
	vl_strv_release(&skipped);
	vl_kv_release(&mopts);
	vl_buf_release(&text);
	vl_buf_release(&err);
	vl_buf_release(&why);
	vl_buf_release(&pred);
	vl_buf_release(&out);
	return rc;
}
