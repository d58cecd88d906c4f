/*
 * extract.c - the simple answer extractors: "none" (raw output), "short"
 * (trimmed first line) and "yesno" (POPE's official evaluate.py parsing).
 * Option letters and boxes have their own files.
 */
#include "metrics/metric.h"

#include <ctype.h>
#include <string.h>

static int extract_none(const char *raw, const struct vl_sample *s,
			const struct vl_kv *opts, struct vl_buf *out)
{
	vl_buf_adds(out, raw);
	return 0;
}

static int truth_first_answer(const struct vl_sample *s, const struct vl_kv *opts,
			      struct vl_buf *out)
{
	if (s->answers.n) {
		/* the most frequent annotator answer (first on ties): the answer a
		 * perfect model gives, and the one VQA accuracy rewards most */
		size_t best = 0, best_count = 0;
		for (size_t i = 0; i < s->answers.n; i++) {
			size_t c = 0;
			for (size_t j = 0; j < s->answers.n; j++)
				c += !strcmp(s->answers.v[i], s->answers.v[j]);
			if (c > best_count) {
				best = i;
				best_count = c;
			}
		}
		vl_buf_adds(out, s->answers.v[best]);
		return 0;
	}
	if (s->captions.n) {
		vl_buf_adds(out, s->captions.v[0]);
		return 0;
	}
	if (s->answer_letter) {
		vl_buf_adds(out, s->answer_letter);
		return 0;
	}
	if (s->label_text) {
		vl_buf_adds(out, s->label_text);
		return 0;
	}
	return VL_ENOTFOUND;
}

const struct vl_extractor vl_extract_none = {
	.version = VL_METRIC_API_VERSION,
	.name = "none",
	.description = "the raw output, unchanged",
	.extract = extract_none,
	.render_truth = truth_first_answer,
};

/* First non-empty line, surrounding white space removed: chatty models often
 * add an explanation on later lines, which short-answer metrics must not see. */
static int extract_short(const char *raw, const struct vl_sample *s,
			 const struct vl_kv *opts, struct vl_buf *out)
{
	const char *p = raw, *end;

	while (*p && isspace((unsigned char)*p))
		p++;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	vl_buf_add(out, p, (size_t)(end - p));
	return out->len ? 0 : VL_EPARSE;
}

const struct vl_extractor vl_extract_short = {
	.version = VL_METRIC_API_VERSION,
	.name = "short",
	.description = "first non-empty line, trimmed",
	.extract = extract_short,
	.render_truth = truth_first_answer,
};

/*
 * POPE's evaluate.py: keep the text before the first '.', delete commas,
 * split on single spaces; "no" if any token is exactly "No", "no" or "not",
 * otherwise "yes".  So "NO" and "Nope" count as yes and "not sure" as no:
 * that is what the published numbers use, and we reproduce it.
 */
int vl_pope_parse(const char *raw)
{
	const char *p = raw, *end = strchr(raw, '.');

	if (!end)
		end = raw + strlen(raw);
	while (p <= end) {
		/* a token runs to the next single space; commas are deleted */
		const char *tok = p;
		char word[8];
		size_t wn = 0;
		int too_long = 0;

		while (p < end && *p != ' ') {
			if (*p != ',') {
				if (wn < sizeof(word) - 1)
					word[wn++] = *p;
				else
					too_long = 1;
			}
			p++;
		}
		word[wn] = '\0';
		(void)tok;
		if (!too_long && (!strcmp(word, "No") || !strcmp(word, "no") ||
				  !strcmp(word, "not")))
			return VL_LABEL_NO;
		p++; /* skip the space (or step past end) */
	}
	return VL_LABEL_YES;
}

static int extract_yesno(const char *raw, const struct vl_sample *s,
			 const struct vl_kv *opts, struct vl_buf *out)
{
	vl_buf_adds(out, vl_pope_parse(raw) == VL_LABEL_NO ? "no" : "yes");
	return 0;
}

static int truth_yesno(const struct vl_sample *s, const struct vl_kv *opts,
		       struct vl_buf *out)
{
	if (s->label == VL_LABEL_NONE)
		return VL_ENOTFOUND;
	vl_buf_adds(out, s->label == VL_LABEL_NO ? "No" : "Yes");
	return 0;
}

const struct vl_extractor vl_extract_yesno = {
	.version = VL_METRIC_API_VERSION,
	.name = "yesno",
	.description = "yes/no by POPE's official rule (a token No/no/not means no)",
	.extract = extract_yesno,
	.render_truth = truth_yesno,
};
