/* fuzz_extract.c - every answer extractor and normaliser on a model output
 * (metrics/extract.c, mcq.c, vqa.c, pystr.c, pope): yes/no, option letter,
 * box, short answer, VQA's punctuation and digit/article processing, Python
 * lower/strip/float/list literals. */
#include "fuzz.h"
#include "metrics/box.h"
#include "metrics/mcq.h"
#include "metrics/metric.h"
#include "metrics/pystr.h"
#include "metrics/vqa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vl_extractor *const *ex = vl_extractor_list();
	char *s = fuzz_str(data, size);
	struct vl_buf out = VL_BUF_INIT;
	struct vl_sample smp;
	struct vl_kv opts = { 0 };
	struct vl_strv list = { 0 };
	size_t st, ln;
	double d;

	vl_sample_init(&smp);
	smp.id = vl_xstrdup("fuzz");
	vl_strv_push(&smp.options, "a red square");
	vl_strv_push(&smp.options, "a blue circle");
	vl_strv_push(&smp.options, "none of these");
	vl_kv_set(&opts, "box_format", "qwen2vl");
	for (size_t i = 0; ex[i]; i++) {
		vl_buf_reset(&out);
		ex[i]->extract(s, &smp, &opts, &out);
	}
	vl_mcq_letter(s, &smp.options);
	vl_pope_parse(s);
	vl_buf_reset(&out);
	vl_vqa_process_punctuation((const char *)data, size, &out);
	vl_buf_reset(&out);
	vl_vqa_process_digit_article((const char *)data, size, &out);
	vl_buf_reset(&out);
	vl_py_lower((const char *)data, size, &out);
	vl_py_strip((const char *)data, size, &st, &ln);
	vl_py_float((const char *)data, size, &d);
	vl_py_str_list(s, &list);
	vl_strv_release(&list);
	vl_kv_release(&opts);
	vl_sample_release(&smp);
	vl_buf_release(&out);
	free(s);
	return 0;
}
