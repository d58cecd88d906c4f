/* fuzz_openai_response.c - a chat-completions response body, its error
 * message and a Retry-After value (backends/openai.c). */
#include "fuzz.h"
#include "backends/openai.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vl_buf text = VL_BUF_INIT, err = VL_BUF_INIT, msg = VL_BUF_INIT;
	long pt, ct;
	char finish[VL_FINISH_REASON_MAX];
	char *s = fuzz_str(data, size);

	vl_openai_parse_response((const char *)data, size, &text, &pt, &ct, finish, &err);
	vl_openai_error_message((const char *)data, size, &msg);
	vl_openai_retry_after(s, 1.7e9);
	free(s);
	vl_buf_release(&text);
	vl_buf_release(&err);
	vl_buf_release(&msg);
	return 0;
}
