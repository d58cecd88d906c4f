/* fuzz_worker_reply.c - the worker protocol (backends/worker_proto.c
 * vl_worker_reply_parse): the input is what a worker process wrote on its
 * stdout, cut into lines as worker.c's read_worker does (at '\n', empty
 * lines dropped, a trailing '\r' removed as on_line does), each line decoded
 * as a reply and the decoded fields checked against the protocol's
 * promises (text or error, never both; an error is one line). */
#include "fuzz.h"
#include "backends/worker.h"

static void check(const struct vl_worker_reply *r)
{
	if (!r->root || (!r->text) == (!r->error))
		abort();
	if (r->error && (strchr(r->error, '\n') || strchr(r->error, '\r')))
		abort();
	if (r->finish_reason && !r->text)
		abort();
	(void)strlen(r->text ? r->text : r->error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	size_t start = 0;
	const char *nl;

	/* the bytes after the last '\n' are a line still being written */
	while ((nl = memchr(s + start, '\n', size - start))) {
		size_t n = (size_t)(nl - (s + start));
		if (n) {
			struct vl_worker_reply r;
			if (s[start + n - 1] == '\r')
				n--;
			if (vl_worker_reply_parse(s + start, n, &r) == 0)
				check(&r);
			else if (r.root)
				abort();
			vl_worker_reply_release(&r);
		}
		start += (size_t)(nl - (s + start)) + 1;
	}
	free(s);
	return 0;
}
