/*
 * score-caption.c - `vleval score caption`: BLEU-1..4, ROUGE-L and CIDEr-D
 * of candidate captions against references, through the "caption" metric
 * (metrics/caption.c) that the runner uses, so the numbers are the same.
 *
 * Inputs, in pycocoevalcap's shapes: refs = {image id: [caption, ...]} or a
 * COCO annotation file {"annotations": [{"image_id", "caption"}, ...]};
 * preds = {image id: caption} (a one-element list is accepted too) or a
 * COCO results list [{"image_id", "caption"}, ...].  Image order is the
 * order of first appearance in the refs file.  Without --pretokenized the
 * C PTB tokenizer runs first, as COCOEvalCap does.
 *
 * Bad input (ids in one file only, non-string or empty captions, invalid
 * UTF-8, duplicate ids) is reported naming the file and image id; with
 * --lenient those images are skipped, listed on stderr and under "skipped"
 * in the JSON, and the rest is scored.
 */
#include "bench/cli.h"
#include "metrics/caption.h"
#include "metrics/metric.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct cap_img {
	char *id;              /* owned */
	const char **refs;     /* owned array; the strings are borrowed from the
	                          refs document */
	size_t nref, ref_alloc;
	const char *pred;      /* borrowed from the preds document, NULL if absent */
	char *bad;             /* owned reason when the image is skipped, else NULL */
};

struct cap_input {
	struct cap_img *img;
	size_t n, alloc;
	/* id -> index + 1, open addressing */
	uint32_t *slot;
	size_t cap;
	struct vl_strv errors;   /* problems not tied to a refs image */
};

static size_t id_find(const struct cap_input *in, const char *id, size_t *pos)
{
	size_t i = (size_t)vl_hash64(id, strlen(id), VL_HASH_SEED) & (in->cap - 1);

	for (; in->slot[i]; i = (i + 1) & (in->cap - 1))
		if (!strcmp(in->img[in->slot[i] - 1].id, id))
			break;
	if (pos)
		*pos = i;
	return in->slot[i];   /* index + 1, or 0 */
}

static struct cap_img *img_get(struct cap_input *in, const char *id, int create)
{
	size_t pos, k = id_find(in, id, &pos);

	if (k)
		return &in->img[k - 1];
	if (!create)
		return NULL;
	if (in->n == in->alloc) {
		in->alloc = in->alloc ? in->alloc * 2 : 1024;
		in->img = vl_xrealloc(in->img, in->alloc * sizeof(*in->img));
	}
	memset(&in->img[in->n], 0, sizeof(in->img[in->n]));
	in->img[in->n].id = vl_xstrdup(id);
	in->slot[pos] = (uint32_t)++in->n;
	if (in->n * 2 > in->cap) {
		size_t cap = in->cap * 2;
		uint32_t *slot = vl_xcalloc(cap, sizeof(*slot));
		for (size_t i = 0; i < in->n; i++) {
			size_t p = (size_t)vl_hash64(in->img[i].id, strlen(in->img[i].id), VL_HASH_SEED) & (cap - 1);
			while (slot[p])
				p = (p + 1) & (cap - 1);
			slot[p] = (uint32_t)i + 1;
		}
		vl_free(in->slot);
		in->slot = slot;
		in->cap = cap;
	}
	return &in->img[in->n - 1];
}

static void mark_bad(struct cap_img *im, const char *fmt, const char *file, const char *detail)
{
	struct vl_buf b = VL_BUF_INIT;

	if (im->bad)
		return;   /* the first problem is enough */
	vl_buf_addf(&b, fmt, file, im->id, detail ? detail : "");
	im->bad = vl_buf_detach(&b, NULL);
}

/* The image id of a COCO record as a string: numbers as integers when
 * they are whole (COCO ids are ints), strings as they are. */
static int id_of(const cJSON *v, char *out, size_t outlen)
{
	if (cJSON_IsString(v)) {
		snprintf(out, outlen, "%s", v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(out, outlen, "%.0f", v->valuedouble);
		else
			snprintf(out, outlen, "%.17g", v->valuedouble);
		return 0;
	}
	return -1;
}

static int utf8_ok(const char *s)
{
	return vl_utf8_valid(s, strlen(s), NULL);
}

static cJSON *load(const char *path)
{
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT;
	cJSON *j;
	const char *e;

	if (vl_read_file(path, &text, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		vl_buf_release(&err);
		return NULL;
	}
	j = cJSON_ParseWithLength(text.buf, text.len);
	if (!j) {
		size_t line = 1;
		e = cJSON_GetErrorPtr();
		if (e && e >= text.buf && e <= text.buf + text.len)
			for (const char *p = text.buf; p < e; p++)
				line += *p == '\n';
		vl_error("cannot parse '%s' line %zu: invalid JSON", path, line);
	}
	vl_buf_release(&text);
	vl_buf_release(&err);
	return j;
}

static void add_ref(struct cap_img *im, const cJSON *c, size_t k, const char *file)
{
	char detail[64];
	int is_str = cJSON_IsString(c);

	if (is_str && utf8_ok(c->valuestring)) {
		if (im->nref == im->ref_alloc) {
			im->ref_alloc = im->ref_alloc ? im->ref_alloc * 2 : 8;
			im->refs = vl_xrealloc(im->refs, im->ref_alloc * sizeof(*im->refs));
		}
		im->refs[im->nref++] = c->valuestring;
		return;
	}
	snprintf(detail, sizeof(detail), "%zu", k + 1);
	if (!is_str)
		mark_bad(im, "'%s' image '%s': reference %s is not a string", file, detail);
	else
		mark_bad(im, "'%s' image '%s': reference %s is not valid UTF-8", file, detail);
}

static int read_refs(struct cap_input *in, const cJSON *doc, const char *file)
{
	const cJSON *ann = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "annotations") : NULL;
	const cJSON *it;
	size_t k = 0;
	char id[64];

	if (cJSON_IsArray(ann)) {
		cJSON_ArrayForEach(it, ann) {
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "caption");
			struct cap_img *im;
			if (id_of(cJSON_GetObjectItemCaseSensitive(it, "image_id"), id, sizeof(id)) < 0) {
				struct vl_buf b = VL_BUF_INIT;
				vl_buf_addf(&b, "'%s' annotation %zu: missing or bad \"image_id\"", file, k + 1);
				vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
				k++;
				continue;
			}
			im = img_get(in, id, 1);
			add_ref(im, c, im->nref, file);
			k++;
		}
		return 0;
	}
	if (!cJSON_IsObject(doc)) {
		vl_error("'%s': expected an object of image id -> list of reference captions, "
			 "or a COCO annotation file with \"annotations\"", file);
		return -1;
	}
	cJSON_ArrayForEach(it, doc) {
		struct cap_img *im;
		const cJSON *c;
		size_t r = 0;

		if (img_get(in, it->string, 0)) {
			struct vl_buf b = VL_BUF_INIT;
			vl_buf_addf(&b, "'%s' image '%s': duplicate image id", file, it->string);
			vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
			continue;
		}
		im = img_get(in, it->string, 1);
		if (!cJSON_IsArray(it)) {
			mark_bad(im, "'%s' image '%s': references must be a list of strings%s", file, NULL);
			continue;
		}
		cJSON_ArrayForEach(c, it)
			add_ref(im, c, r++, file);
	}
	return 0;
}

static void set_pred(struct cap_input *in, const char *id, const cJSON *c, const char *file,
		     const char *refs_file)
{
	struct cap_img *im = img_get(in, id, 0);
	struct vl_buf b = VL_BUF_INIT;

	if (!im) {
		vl_buf_addf(&b, "'%s' image '%s': not in '%s' (no references)", file, id, refs_file);
		vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
		return;
	}
	if (im->pred) {
		mark_bad(im, "'%s' image '%s': more than one prediction%s", file, NULL);
		return;
	}
	if (cJSON_IsArray(c) && cJSON_GetArraySize(c) == 1)
		c = c->child;
	if (!cJSON_IsString(c))
		mark_bad(im, "'%s' image '%s': prediction is not a string%s", file, NULL);
	else if (!utf8_ok(c->valuestring))
		mark_bad(im, "'%s' image '%s': prediction is not valid UTF-8%s", file, NULL);
	else
		im->pred = c->valuestring;
	if (!im->pred)
		im->pred = "";   /* seen, even if bad */
}

static int read_preds(struct cap_input *in, const cJSON *doc, const char *file, const char *refs_file)
{
	const cJSON *it;
	size_t k = 0;
	char id[64];

	if (cJSON_IsArray(doc)) {
		cJSON_ArrayForEach(it, doc) {
			if (id_of(cJSON_GetObjectItemCaseSensitive(it, "image_id"), id, sizeof(id)) < 0) {
				struct vl_buf b = VL_BUF_INIT;
				vl_buf_addf(&b, "'%s' result %zu: missing or bad \"image_id\"", file, k + 1);
				vl_strv_push_owned(&in->errors, vl_buf_detach(&b, NULL));
			} else {
				set_pred(in, id, cJSON_GetObjectItemCaseSensitive(it, "caption"), file, refs_file);
			}
			k++;
		}
		return 0;
	}
	if (!cJSON_IsObject(doc)) {
		vl_error("'%s': expected an object of image id -> caption, or a COCO results list", file);
		return -1;
	}
	cJSON_ArrayForEach(it, doc)
		set_pred(in, it->string, it, file, refs_file);
	return 0;
}

static void input_release(struct cap_input *in)
{
	for (size_t i = 0; i < in->n; i++) {
		vl_free(in->img[i].id);
		vl_free(in->img[i].refs);
		vl_free(in->img[i].bad);
	}
	vl_free(in->img);
	vl_free(in->slot);
	vl_strv_release(&in->errors);
}

static const char *const value_names[6] = { "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr" };

int score_caption(int argc, char **argv)
{
	const char *refs_path = NULL, *preds_path = NULL;
	int pretok = 0, per_sample = 0, json = 0, lenient = 0, ci = 0, help = 0;
	long resamples = 1000, seed = 0;
	const struct vl_opt opts[] = {
		{ "refs", VL_OPT_STRING, &refs_path, "FILE", "references: {id: [captions]} or COCO annotations" },
		{ "preds", VL_OPT_STRING, &preds_path, "FILE", "candidates: {id: caption} or COCO results list" },
		{ "pretokenized", VL_OPT_FLAG, &pretok, NULL, "strings are already PTB-tokenized (skip the tokenizer)" },
		{ "per-sample", VL_OPT_FLAG, &per_sample, NULL, "add per_image: the six values of every image" },
		{ "json", VL_OPT_FLAG, &json, NULL, "print a JSON object instead of a table" },
		{ "lenient", VL_OPT_FLAG, &lenient, NULL, "skip bad images (listed) instead of failing" },
		{ "ci", VL_OPT_FLAG, &ci, NULL, "95% percentile-bootstrap confidence intervals" },
		{ "resamples", VL_OPT_LONG, &resamples, "N", "bootstrap resamples (default 1000)" },
		{ "seed", VL_OPT_LONG, &seed, "S", "bootstrap seed (default 0)" },
		{ NULL, 0, NULL, NULL, NULL },
	};
	const struct vl_metric *m = vl_metric_find("caption");
	struct cap_input in = { 0 };
	struct vl_metric_value vals[VL_METRIC_MAX_VALUES];
	double lo[VL_METRIC_MAX_VALUES], hi[VL_METRIC_MAX_VALUES];
	struct vl_kv mopts = { { 0 }, { 0 } };
	struct vl_buf err = VL_BUF_INIT, out = VL_BUF_INIT;
	cJSON *refs_doc = NULL, *preds_doc = NULL;
	size_t *order = NULL, nscored = 0, nskipped = 0;
	int rc = VL_EXIT_USAGE, nvals = 0;
	void *st = NULL;

	if (vl_parse_opts("score caption", argc, argv, opts, NULL, &help))
		return VL_EXIT_USAGE;
	if (help) {
		vl_print_help("vleval score caption --refs FILE --preds FILE [--pretokenized] "
			      "[--per-sample] [--json] [--lenient] [--ci [--resamples N] [--seed S]]",
			      "BLEU-1..4, ROUGE-L and CIDEr-D as pycocoevalcap computes them "
			      "(METEOR and SPICE are not implemented).", opts);
		return 0;
	}
	if (!refs_path || !preds_path) {
		vl_error("score caption: --refs and --preds are required");
		return VL_EXIT_USAGE;
	}
	if (resamples < 1 || resamples > 1000000) {
		vl_error("score caption: --resamples must be between 1 and 1000000");
		return VL_EXIT_USAGE;
	}
	in.cap = 1024;
	in.slot = vl_xcalloc(in.cap, sizeof(*in.slot));
	if (!(refs_doc = load(refs_path)) || !(preds_doc = load(preds_path)))
		goto out;
	if (read_refs(&in, refs_doc, refs_path) < 0 ||
	    read_preds(&in, preds_doc, preds_path, refs_path) < 0)
		goto out;
	for (size_t i = 0; i < in.n; i++) {
		struct cap_img *im = &in.img[i];
		if (!im->pred)
			mark_bad(im, "'%s' image '%s': no prediction%s", preds_path, NULL);
		else if (im->nref == 0)
			mark_bad(im, "'%s' image '%s': no reference captions%s", refs_path, NULL);
		nskipped += im->bad != NULL;
	}
	if ((nskipped || in.errors.n) && !lenient) {
		size_t shown = 0;
		for (size_t i = 0; i < in.errors.n && shown < 20; i++, shown++)
			vl_error("%s", in.errors.v[i]);
		for (size_t i = 0; i < in.n && shown < 20; i++)
			if (in.img[i].bad) {
				vl_error("%s", in.img[i].bad);
				shown++;
			}
		if (nskipped + in.errors.n > shown)
			vl_error("... and %zu more problems", nskipped + in.errors.n - shown);
		vl_error("score caption: nothing scored (use --lenient to skip bad images)");
		goto out;
	}
	for (size_t i = 0; i < in.errors.n; i++)
		vl_warn("skipped: %s", in.errors.v[i]);
	for (size_t i = 0; i < in.n; i++)
		if (in.img[i].bad)
			vl_warn("skipped: %s", in.img[i].bad);

	vl_kv_set(&mopts, "tokenize", pretok ? "none" : "ptb");
	st = m->new_state(&mopts, &err);
	if (!st) {
		vl_error("%s", vl_buf_str(&err));
		goto out;
	}
	order = vl_xmalloc((in.n + 1) * sizeof(*order));
	for (size_t i = 0; i < in.n; i++) {
		struct cap_img *im = &in.img[i];
		struct vl_sample s;
		double score;

		if (im->bad)
			continue;
		vl_sample_init(&s);
		s.id = im->id;
		/* borrowed for the call: the sample does not own them here */
		s.captions.v = (char **)im->refs;
		s.captions.n = s.captions.alloc = im->nref;
		if (m->add(st, &s, im->pred, &score, &err) < 0) {
			vl_error("'%s' image '%s': %s", refs_path, im->id, vl_buf_str(&err));
			goto out;
		}
		order[nscored++] = i;
	}
	if (nscored == 0) {
		vl_error("score caption: no image left to score");
		goto out;
	}
	nvals = m->finish(st, NULL, 0, vals, VL_METRIC_MAX_VALUES);
	if (nvals != 6) {
		vl_error("score caption: scoring failed");
		goto out;
	}
	if (ci && vl_bootstrap(m, st, nscored, (int)resamples, (uint64_t)seed, 0.95,
			       vals, (size_t)nvals, lo, hi) < 0) {
		vl_error("score caption: bootstrap failed");
		goto out;
	}

	if (json) {
		vl_buf_addch(&out, '{');
		for (int k = 0; k < nvals; k++) {
			vl_buf_addf(&out, "%s\"%s\": ", k ? ", " : "", vals[k].name);
			vl_buf_add_json_num(&out, vals[k].value);
		}
		vl_buf_addf(&out, ", \"n\": %zu", nscored);
		if (ci) {
			vl_buf_adds(&out, ", \"ci\": {");
			for (int k = 0; k < nvals; k++) {
				vl_buf_addf(&out, "%s\"%s\": [", k ? ", " : "", vals[k].name);
				vl_buf_add_json_num(&out, lo[k]);
				vl_buf_adds(&out, ", ");
				vl_buf_add_json_num(&out, hi[k]);
				vl_buf_addch(&out, ']');
			}
			vl_buf_addf(&out, "}, \"ci_level\": 0.95, \"resamples\": %ld, \"seed\": %ld",
				    resamples, seed);
		}
		if (per_sample) {
			vl_buf_adds(&out, ", \"per_image\": {");
			for (size_t i = 0; i < nscored; i++) {
				struct vl_caption_scores s;
				vl_caption_metric_per_image(st, i, &s);
				vl_buf_adds(&out, i ? ", " : "");
				vl_buf_add_json_str(&out, in.img[order[i]].id);
				vl_buf_adds(&out, ": {\"CIDEr\": ");
				vl_buf_add_json_num(&out, s.cider);
				vl_buf_adds(&out, ", \"ROUGE_L\": ");
				vl_buf_add_json_num(&out, s.rouge_l);
				for (int k = 0; k < 4; k++) {
					vl_buf_addf(&out, ", \"Bleu_%d\": ", k + 1);
					vl_buf_add_json_num(&out, s.bleu[k]);
				}
				vl_buf_addch(&out, '}');
			}
			vl_buf_addch(&out, '}');
		}
		if (lenient && (nskipped || in.errors.n)) {
			int first = 1;
			vl_buf_adds(&out, ", \"skipped\": [");
			for (size_t i = 0; i < in.errors.n; i++, first = 0) {
				vl_buf_adds(&out, first ? "" : ", ");
				vl_buf_add_json_str(&out, in.errors.v[i]);
			}
			for (size_t i = 0; i < in.n; i++) {
				if (!in.img[i].bad)
					continue;
				vl_buf_adds(&out, first ? "" : ", ");
				vl_buf_add_json_str(&out, in.img[i].bad);
				first = 0;
			}
			vl_buf_addch(&out, ']');
		}
		vl_buf_adds(&out, "}\n");
	} else {
		vl_buf_addf(&out, "%-8s  %10s%s\n", "metric", "value", ci ? "   95% CI" : "");
		for (int k = 0; k < nvals; k++) {
			vl_buf_addf(&out, "%-8s  %10.6f", value_names[k], vals[k].value);
			if (ci)
				vl_buf_addf(&out, "   [%.6f, %.6f]", lo[k], hi[k]);
			vl_buf_addch(&out, '\n');
		}
		vl_buf_addf(&out, "images: %zu scored", nscored);
		if (nskipped || in.errors.n)
			vl_buf_addf(&out, ", %zu skipped", nskipped + in.errors.n);
		vl_buf_adds(&out, pretok ? " (pretokenized)\n" : " (PTB-tokenized)\n");
		if (per_sample) {
			vl_buf_addf(&out, "\n%-16s %9s %9s %9s %9s %9s %9s\n", "image", "CIDEr", "ROUGE_L",
				    "Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4");
			for (size_t i = 0; i < nscored; i++) {
				struct vl_caption_scores s;
				vl_caption_metric_per_image(st, i, &s);
				vl_buf_addf(&out, "%-16s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n",
					    in.img[order[i]].id, s.cider, s.rouge_l, s.bleu[0],
					    s.bleu[1], s.bleu[2], s.bleu[3]);
			}
		}
	}
	fwrite(out.buf, 1, out.len, stdout);
	rc = VL_EXIT_OK;
out:
	if (st)
		m->free_state(st);
	vl_free(order);
	vl_kv_release(&mopts);
	vl_buf_release(&err);
	vl_buf_release(&out);
	cJSON_Delete(refs_doc);
	cJSON_Delete(preds_doc);
	input_release(&in);
	return rc;
}
