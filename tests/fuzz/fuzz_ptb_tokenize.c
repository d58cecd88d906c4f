/* fuzz_ptb_tokenize.c - the PTB tokenizer of the caption metrics
 * (metrics/ptb_tokenize.c), every flag combination. */
#include "fuzz.h"
#include "metrics/ptb_tokenize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct vl_buf out = VL_BUF_INIT;

	for (int flags = 0; flags < 4; flags++) {
		vl_buf_reset(&out);
		vl_ptb_tokenize(s, flags, &out);
	}
	vl_buf_release(&out);
	free(s);
	return 0;
}
