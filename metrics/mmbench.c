/*
 * mmbench.c - can_infer of VLMEvalKit (see mmbench.h) and the
 * "vlmeval_mcq" extractor built on it.
 *
 * can_infer_option: a refusal phrase gives Z; the answer with each of
 * .()[],:;!*#{} replaced by a space is split on white space; exactly one
 * choice letter among the tokens is returned when its first position is
 * past len - 5; no letter but a token Z gives Z; then the regex
 * (?i)(?:correct\s+)?answer\s+is\s+\**([ABCD])\** on the raw answer (no
 * word boundary: "The answer is calm" gives C) gives its upper-cased letter
 * if it is a choice.  Otherwise can_infer_text: the lowercased answer, if
 * at most twice as long as all option texts together, contains exactly one
 * lowercased option text.  VERBOSE unset, as in the reference run.
 */
#include "metrics/mmbench.h"
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string.h>

static size_t code_points(const char *s)
{
	size_t k = 0;

	for (; *s; s++)
		k += ((unsigned char)*s & 0xc0) != 0x80;
	return k;
}

static int answer_is_regex(const char *answer)
{
	int errcode, letter = 0;
	PCRE2_SIZE erroff;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)"(?:correct\\s+)?answer\\s+is\\s+\\**([ABCD])\\**",
				       PCRE2_ZERO_TERMINATED, PCRE2_CASELESS | PCRE2_UTF | PCRE2_UCP,
				       &errcode, &erroff, NULL);
	pcre2_match_data *md;

	if (!re)
		return 0;
	md = pcre2_match_data_create_from_pattern(re, NULL);
	if (pcre2_match(re, (PCRE2_SPTR)answer, strlen(answer), 0, 0, md, NULL) >= 2) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		letter = answer[ov[2]] & ~0x20;   /* upper-case of a..d / A..D */
	}
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return letter;
}

static int can_infer_option(const char *answer, size_t n)
{
	static const char *const refusals[] = {
		"Sorry, I can't help with images of people yet.",
		"I can't process this file.",
		"I'm sorry, but without the image provided",
		"Cannot determine the answer",
	};
	struct vl_buf mod = VL_BUF_INIT;
	size_t len = strlen(answer), i = 0, cl, ntok = 0, count = 0;
	long first[26];
	int letter = 0, z = 0, found = 0;

	if (strstr(answer, "Failed to obtain answer via API"))
		return 0;
	for (size_t k = 0; k < sizeof(refusals) / sizeof(*refusals); k++)
		if (strstr(answer, refusals[k]))
			return 'Z';
	for (const char *p = answer; *p; p++)
		vl_buf_addch(&mod, strchr(".()[],:;!*#{}", *p) ? ' ' : *p);
	for (int k = 0; k < 26; k++)
		first[k] = -1;
	/* tokens of str.split(): runs of non-white-space (Unicode) */
	while (i < mod.len) {
		size_t start;
		while (i < mod.len && vl_py_isspace(vl_utf8_at(mod.buf, mod.len, i, &cl)))
			i += cl;
		if (i >= mod.len)
			break;
		start = i;
		while (i < mod.len && !vl_py_isspace(vl_utf8_at(mod.buf, mod.len, i, &cl)))
			i += cl;
		if (i - start == 1 && mod.buf[start] >= 'A' && mod.buf[start] <= 'Z') {
			int c = mod.buf[start] - 'A';
			if (first[c] < 0)
				first[c] = (long)ntok;
		}
		ntok++;
	}
	for (size_t k = 0; k < n && k < 26; k++)
		count += first[k] >= 0;
	z = first['Z' - 'A'] >= 0;
	if (count == 1) {
		for (size_t k = 0; k < n && k < 26 && !found; k++)
			if (first[k] >= 0 && first[k] > (long)ntok - 5) {
				letter = 'A' + (int)k;
				found = 1;
			}
	} else if (count == 0 && z) {
		found = 1;
		letter = 'Z';
	}
	vl_buf_release(&mod);
	if (found)
		return letter;
	letter = answer_is_regex(answer);
	(void)len;
	return letter && (size_t)(letter - 'A') < n ? letter : 0;
}

static int can_infer_text(const char *answer, const char *const *options, size_t n)
{
	struct vl_buf a = VL_BUF_INIT, o = VL_BUF_INIT;
	size_t total = 0, cands = 0;
	int letter = 0;

	vl_py_lower(answer, strlen(answer), &a);
	for (size_t k = 0; k < n; k++)
		total += code_points(options[k]);
	if (code_points(vl_buf_str(&a)) > 2 * total)
		goto out;
	for (size_t k = 0; k < n && k < 26; k++) {
		vl_buf_reset(&o);
		vl_py_lower(options[k], strlen(options[k]), &o);
		if (strstr(vl_buf_str(&a), vl_buf_str(&o))) {
			cands++;
			letter = 'A' + (int)k;
		}
	}
	if (cands != 1)
		letter = 0;
out:
	vl_buf_release(&a);
	vl_buf_release(&o);
	return letter;
}

int vl_mmbench_can_infer(const char *answer, const char *const *options, size_t n)
{
	int c = can_infer_option(answer, n);

	return c ? c : can_infer_text(answer, options, n);
}

static int extract_vlmeval_mcq(const char *raw, const struct vl_sample *s,
			       const struct vl_kv *opts, struct vl_buf *out)
{
	int c = vl_mmbench_can_infer(raw, (const char *const *)s->options.v, s->options.n);

	if (!c)
		return VL_EPARSE;
	vl_buf_addch(out, c);
	return 0;
}

static int truth_letter(const struct vl_sample *s, const struct vl_kv *opts, struct vl_buf *out)
{
	if (!s->answer_letter)
		return VL_ENOTFOUND;
	vl_buf_adds(out, s->answer_letter);
	return 0;
}

const struct vl_extractor vl_extract_vlmeval_mcq = {
	.version = VL_METRIC_API_VERSION,
	.name = "vlmeval_mcq",
	.description = "option letter by VLMEvalKit's can_infer (MMBench exact matching), Z for "
		       "a refusal",
	.extract = extract_vlmeval_mcq,
	.render_truth = truth_letter,
};
