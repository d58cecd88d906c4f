/*
 * mme.c - MME scored as its official calculation.py does (the functions
 * behind `vleval score mme`), VLMEvalKit's yes/no extraction (the
 * "vlmeval_yorn" extractor) and VLMEvalKit's MME score (the "mme" metric,
 * which the built-in task uses).  The two MME scores differ: the official
 * script reads the first four code points of a response, VLMEvalKit looks
 * for the words yes/no anywhere; both report acc + acc+ per task in percent.
 * The metric computes either: option "mme_rule" = "vlmevalkit" (default:
 * values perception, reasoning and each task) or "official" (the label of
 * calculation.py, images = the sample's image_path, which `vleval score
 * mme` sets to each pair of lines; values Perception, Cognition, each task).
 */
#include "metrics/mme.h"
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#include <math.h>
#include <string.h>

const char *const vl_mme_perception[10] = {
	"existence", "count", "position", "color", "posters",
	"celebrity", "scene", "landmark", "artwork", "OCR",
};
const char *const vl_mme_cognition[4] = {
	"commonsense_reasoning", "numerical_calculation", "text_translation", "code_reasoning",
};

int vl_mme_official_label(const char *response)
{
	struct vl_buf lo = VL_BUF_INIT;
	size_t i = 0, len, cps = 0;
	int label;

	vl_py_lower(response, strlen(response), &lo);
	if (!strcmp(vl_buf_str(&lo), "yes") || !strcmp(vl_buf_str(&lo), "no")) {
		label = vl_buf_str(&lo)[0] == 'y' ? VL_MME_YES : VL_MME_NO;
		vl_buf_release(&lo);
		return label;
	}
	/* pred_ans[:4]: four code points, whatever they are */
	while (i < lo.len && cps < 4) {
		vl_utf8_at(lo.buf, lo.len, i, &len);
		i += len;
		cps++;
	}
	vl_buf_setlen(&lo, i);
	label = strstr(vl_buf_str(&lo), "yes") ? VL_MME_YES
		: strstr(vl_buf_str(&lo), "no") ? VL_MME_NO : VL_MME_OTHER;
	vl_buf_release(&lo);
	return label;
}

int vl_mme_official_task(const int *gt, const int *pred, size_t n, struct vl_mme_task *t)
{
	memset(t, 0, sizeof(*t));
	if (n == 0 || n % 2)
		return VL_EINVAL;
	t->n_questions = (long)n;
	t->n_images = (long)(n / 2);
	for (size_t i = 0; i < n; i += 2) {
		int right = 0;
		for (size_t k = i; k < i + 2; k++) {
			right += gt[k] == pred[k];
			if (pred[k] == VL_MME_OTHER) {
				t->other_num++;
				continue;
			}
			if (gt[k] == VL_MME_YES)
				*(pred[k] == VL_MME_YES ? &t->tp : &t->fn) += 1;
			else
				*(pred[k] == VL_MME_YES ? &t->fp : &t->tn) += 1;
		}
		t->correct += right;
		t->images_both += right == 2;
	}
	/* sklearn: accuracy_score = mean of matches; precision/recall with a
	 * zero denominator are 0.0 (with a warning) */
	t->acc = (double)t->correct / (double)n;
	t->acc_plus = (double)t->images_both / (double)t->n_images;
	t->precision = t->tp + t->fp ? (double)t->tp / (double)(t->tp + t->fp) : 0.0;
	t->recall = t->tp + t->fn ? (double)t->tp / (double)(t->tp + t->fn) : 0.0;
	t->score = 0.0;
	t->score += t->acc * 100;
	t->score += t->acc_plus * 100;
	return 0;
}

const char *vl_yorn_extract(const char *prediction)
{
	struct vl_buf lo = VL_BUF_INIT, pu = VL_BUF_INIT, words = VL_BUF_INIT;
	int yes = 0, no = 0;
	const char *w;

	vl_py_lower(prediction, strlen(prediction), &lo);
	vl_vqa_process_punctuation(lo.buf ? lo.buf : "", lo.len, &pu);
	vl_py_lower_fold(pu.buf ? pu.buf : "", pu.len, &words);
	w = vl_buf_str(&words);
	while (*w) {
		size_t k = strcspn(w, " ");
		yes |= k == 3 && !strncmp(w, "yes", 3);
		no |= k == 2 && !strncmp(w, "no", 2);
		w += k + (w[k] == ' ');
	}
	vl_buf_release(&lo);
	vl_buf_release(&pu);
	vl_buf_release(&words);
	return yes && !no ? "Yes" : no && !yes ? "No" : "Unknown";
}

/* ---- the "vlmeval_yorn" extractor -------------------------------------- */

static int extract_yorn(const char *raw, const struct vl_sample *s,
			const struct vl_kv *opts, struct vl_buf *out)
{
	const char *v = vl_yorn_extract(raw);

	vl_buf_adds(out, v);
	return strcmp(v, "Unknown") ? 0 : VL_EPARSE;
}

static int truth_yorn(const struct vl_sample *s, const struct vl_kv *opts, struct vl_buf *out)
{
	if (!s->label_text)
		return VL_ENOTFOUND;
	vl_buf_adds(out, s->label_text);
	return 0;
}

const struct vl_extractor vl_extract_vlmeval_yorn = {
	.version = VL_METRIC_API_VERSION,
	.name = "vlmeval_yorn",
	.description = "Yes/No/Unknown as VLMEvalKit's YOrN_Extraction (MME, HallusionBench)",
	.extract = extract_yorn,
	.render_truth = truth_yorn,
};

/* ---- the "mme" metric: VLMEvalKit's MME_rating --------------------------- */

struct mme_state {
	int official;           /* metric option mme_rule=official */
	unsigned char *hit;     /* per sample */
	size_t *cat, *img;      /* per sample: category and image numbers */
	size_t n, alloc;
	struct vl_strmap cats, imgs;  /* name -> number + 1 */
	struct vl_strv cat_names;
	size_t nimg;
};

static void *mme_new(const struct vl_kv *opts, struct vl_buf *err)
{
	const char *rule = vl_kv_get_or(opts, "mme_rule", "vlmevalkit");
	struct mme_state *st;

	if (strcmp(rule, "vlmevalkit") && strcmp(rule, "official")) {
		if (err)
			vl_buf_addf(err, "metric option mme_rule: '%s' is not 'vlmevalkit' or "
				    "'official'", rule);
		return NULL;
	}
	st = vl_xcalloc(1, sizeof(*st));
	st->official = !strcmp(rule, "official");
	return st;
}

/* calculation.py: GT and label compared after lower() */
static int official_hit(const char *gt, const char *pred)
{
	struct vl_buf lo = VL_BUF_INIT;
	int g, hit;

	vl_py_lower(gt, strlen(gt), &lo);
	g = !strcmp(vl_buf_str(&lo), "yes") ? VL_MME_YES
	    : !strcmp(vl_buf_str(&lo), "no") ? VL_MME_NO : VL_MME_OTHER - 1;
	hit = vl_mme_official_label(pred) == g;
	vl_buf_release(&lo);
	return hit;
}

static size_t number_of(struct vl_strmap *m, const char *key, size_t *count)
{
	void **p = vl_strmap_find(m, key);

	if (p)
		return (size_t)(uintptr_t)*p - 1;
	vl_strmap_put(m, key, (void *)(uintptr_t)(*count + 1));
	return (*count)++;
}

static int mme_add(void *state, const struct vl_sample *s, const char *pred,
		   double *score, struct vl_buf *err)
{
	struct mme_state *st = state;
	const char *cat = vl_sample_meta(s, "category");
	const char *img = vl_sample_meta(s, "image_path");
	struct vl_buf key = VL_BUF_INIT;
	size_t ncat = st->cat_names.n;
	int hit;

	if (!img && s->images.n)
		img = s->images.v[0];
	if (!s->label_text || !cat || !img) {
		if (err)
			vl_buf_addf(err, "sample '%s' lacks %s", s->id,
				    !s->label_text ? "a Yes/No answer" : !cat ? "a category"
				    : "an image_path");
		return VL_EINVAL;
	}
	hit = st->official ? official_hit(s->label_text, pred)
			   : !strcmp(s->label_text, vl_yorn_extract(pred));
	if (st->n == st->alloc) {
		st->alloc = st->alloc ? st->alloc * 2 : 1024;
		st->hit = vl_xrealloc(st->hit, st->alloc);
		st->cat = vl_xrealloc(st->cat, st->alloc * sizeof(size_t));
		st->img = vl_xrealloc(st->img, st->alloc * sizeof(size_t));
	}
	st->cat[st->n] = number_of(&st->cats, cat, &ncat);
	if (ncat > st->cat_names.n)
		vl_strv_push(&st->cat_names, cat);
	vl_buf_addf(&key, "%s\t%s", cat, img);
	st->img[st->n] = number_of(&st->imgs, vl_buf_str(&key), &st->nimg);
	vl_buf_release(&key);
	st->hit[st->n++] = (unsigned char)hit;
	*score = hit;
	return 0;
}

static int mme_finish(void *state, const size_t *idx, size_t n,
		      struct vl_metric_value *out, size_t max)
{
	struct mme_state *st = state;
	size_t nc = st->cat_names.n, k = 0;
	/* per category: rows, right rows, images, images with both right */
	long *c = vl_xcalloc(4 * nc + 1, sizeof(long));
	/* per image: rows seen, product of the first two */
	unsigned char *seen = vl_xcalloc(st->nimg + 1, 1), *prod = vl_xcalloc(st->nimg + 1, 1);
	double *score = vl_xcalloc(nc + 1, sizeof(double));
	double perception = 0, reasoning = 0;
	int have_p = 0, have_r = 0;

	if (!idx)
		n = st->n;
	for (size_t i = 0; i < n; i++) {
		size_t j = idx ? idx[i] : i, g = st->img[j], cat = st->cat[j];
		c[4 * cat] += 1;
		c[4 * cat + 1] += st->hit[j];
		/* val[0] * val[1]: the first two answers of the image */
		if (seen[g] == 0) {
			prod[g] = st->hit[j];
			c[4 * cat + 2] += 1;
		} else if (seen[g] == 1) {
			prod[g] &= st->hit[j];
		}
		if (seen[g] < 2)
			seen[g]++;
	}
	for (size_t i = 0; i < n; i++) {
		size_t j = idx ? idx[i] : i, g = st->img[j];
		if (seen[g] == 2 && prod[g])
			c[4 * st->cat[j] + 3] += 1;
		seen[g] = 3;   /* count each image once */
	}
	for (size_t i = 0; i < nc; i++)
		if (c[4 * i])
			score[i] = (double)c[4 * i + 1] / (double)c[4 * i] * 100 +
				   (double)c[4 * i + 3] / (double)c[4 * i + 2] * 100;
	/* the totals, from integer 0: MME_rating sums in its own (alphabetical)
	 * order, calculation.py in eval_type_dict order */
	{
		static const char *const p[] = { "OCR", "artwork", "celebrity", "color", "count",
						 "existence", "landmark", "position", "posters",
						 "scene" };
		static const char *const r[] = { "code_reasoning", "commonsense_reasoning",
						 "numerical_calculation", "text_translation" };
		const char *const *po = st->official ? vl_mme_perception : p;
		const char *const *ro = st->official ? vl_mme_cognition : r;
		for (size_t q = 0; q < 10; q++)
			for (size_t i = 0; i < nc; i++)
				if (c[4 * i] && !strcmp(st->cat_names.v[i], po[q])) {
					perception += score[i];
					have_p = 1;
				}
		for (size_t q = 0; q < 4; q++)
			for (size_t i = 0; i < nc; i++)
				if (c[4 * i] && !strcmp(st->cat_names.v[i], ro[q])) {
					reasoning += score[i];
					have_r = 1;
				}
	}
	if (k < max && have_p)
		out[k++] = (struct vl_metric_value){ st->official ? "Perception" : "perception",
						     perception, (long)n, 1 };
	if (k < max && have_r)
		out[k++] = (struct vl_metric_value){ st->official ? "Cognition" : "reasoning",
						     reasoning, (long)n, 1 };
	for (size_t i = 0; i < nc && k < max; i++)
		if (c[4 * i])
			out[k++] = (struct vl_metric_value){ st->cat_names.v[i], score[i], c[4 * i],
							     0 };
	vl_free(c);
	vl_free(seen);
	vl_free(prod);
	vl_free(score);
	return (int)k;
}

static void mme_free(void *state)
{
	struct mme_state *st = state;

	if (!st)
		return;
	vl_free(st->hit);
	vl_free(st->cat);
	vl_free(st->img);
	vl_strmap_release(&st->cats, NULL);
	vl_strmap_release(&st->imgs, NULL);
	vl_strv_release(&st->cat_names);
	vl_free(st);
}

const struct vl_metric vl_metric_mme = {
	.version = VL_METRIC_API_VERSION,
	.name = "mme",
	.description = "MME score as VLMEvalKit's MME_rating: acc + acc+ per task (percent), "
		       "perception and reasoning totals",
	.higher_is_better = 1,
	.primary = "perception",
	.new_state = mme_new,
	.add = mme_add,
	.finish = mme_finish,
	.free_state = mme_free,
};
