/*
 * echo_worker.c - a worker for the "worker" backend in C, fast enough that
 * a benchmark measures the harness rather than the worker: for each request
 * line on stdin it answers {"id": ..., "text": "yes"} when the line contains
 * "dog", else "no".  It relies on the backend writing "id" first (as
 * backends/worker.c does) and batches its answers per read(), so pipelined
 * requests cost one write.  Usage: echo_worker < requests.jsonl
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(1, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int main(void)
{
	size_t cap = 1 << 20, len = 0, ocap = 1 << 16;
	char *in = malloc(cap), *out = malloc(ocap);

	if (!in || !out)
		return 1;
	for (;;) {
		size_t start = 0, olen = 0;
		ssize_t k;
		char *nl;

		if (len == cap) {
			cap *= 2;
			in = realloc(in, cap);
			if (!in)
				return 1;
		}
		k = read(0, in + len, cap - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return 0;
		len += (size_t)k;
		while ((nl = memchr(in + start, '\n', len - start))) {
			const char *line = in + start, *id = NULL, *end = NULL;
			size_t n = (size_t)(nl - line), idn;
			if (n > 7 && !memcmp(line, "{\"id\":\"", 7)) {
				id = line + 7;
				end = memchr(id, '"', n - 7);
			}
			if (id && end) {
				idn = (size_t)(end - id);
				if (olen + idn + 64 > ocap) {
					ocap = 2 * (olen + idn + 64);
					out = realloc(out, ocap);
					if (!out)
						return 1;
				}
				olen += (size_t)snprintf(out + olen, ocap - olen,
							 "{\"id\":\"%.*s\",\"text\":\"%s\"}\n", (int)idn, id,
							 memmem(line, n, "dog", 3) ? "yes" : "no");
			}
			start += n + 1;
		}
		memmove(in, in + start, len - start);
		len -= start;
		if (olen && write_all(out, olen) < 0)
			return 1;
	}
}
