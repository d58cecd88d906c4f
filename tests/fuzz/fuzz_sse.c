/* fuzz_sse.c - the server-sent events stream of a streamed chat completion
 * (backends/openai.c vl_sse_feed), fed in pieces whose sizes come from the
 * input's first byte, the way a network delivers them. */
#include "fuzz.h"
#include "backends/openai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_sse s;
	size_t step, off = 1;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	vl_sse_init(&s);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		vl_sse_feed(&s, (const char *)data + off, n);
		off += n;
	}
	vl_sse_reset(&s);
	vl_sse_feed(&s, (const char *)data + 1, size - 1);
	vl_sse_release(&s);
	return 0;
}
