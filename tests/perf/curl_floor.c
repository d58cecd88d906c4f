/*
 * curl_floor.c - libcurl alone: posts one prepared body over and over with
 * the openai backend's transport settings (one multi handle driven through
 * libcurl's event API on epoll, keep-alive, the body from a read callback,
 * an upload buffer that takes it whole) and nothing else: no loading, no
 * base64, no response parsing, no SQLite.  tests/perf/openai_e2e.sh runs it
 * next to wrk and vleval so that the gap between them splits into what the
 * library costs and what the harness adds.
 *
 *   curl_floor --url URL --body FILE [--requests N] [--concurrency C]
 *
 * Prints: requests=N errors=E wall_s=W rate=R cpu_us_per_req=C
 */
#include "backends/openai.h"
#include "core/vl.h"

#include <curl/curl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>

struct xfer {
	size_t off;
};

static const char *body;
static size_t body_len;
static int ep;
static double timer_due = -1;

static size_t on_read(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (n > body_len - x->off)
		n = body_len - x->off;
	memcpy(dst, body + x->off, n);
	x->off += n;
	return n;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	return size * nmemb;
}

static int on_socket(CURL *e, curl_socket_t fd, int what, void *ud, void *sockp)
{
	struct epoll_event ev = { .data.fd = fd };
	CURLM *m = ud;

	if (what == CURL_POLL_REMOVE) {
		if (sockp)
			epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		return 0;
	}
	if ((intptr_t)sockp == what + 1)
		return 0;
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
	if (epoll_ctl(ep, sockp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) < 0)
		epoll_ctl(ep, errno == EEXIST ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
	curl_multi_assign(m, fd, (void *)(intptr_t)(what + 1));
	return 0;
}

static int on_timer(CURLM *m, long ms, void *ud)
{
	timer_due = ms < 0 ? -1 : vl_now() + (double)ms / 1000.0;
	return 0;
}

static void setup(CURL *e, const char *url, struct curl_slist *h, struct xfer *x)
{
	x->off = 0;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(e, CURLOPT_READDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, vl_openai_upload_buffer_size(body_len));
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
}

int main(int argc, char **argv)
{
	const char *url = NULL, *path = NULL;
	long n = 20000, conc = 64, started = 0, done = 0, errors = 0;
	struct vl_buf file = VL_BUF_INIT, err = VL_BUF_INIT;
	struct curl_slist *h = NULL;
	struct xfer *xs;
	struct epoll_event evs[64];
	double t0, c0;
	CURLM *m;
	int running;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--url"))
			url = argv[i + 1];
		else if (!strcmp(argv[i], "--body"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--requests"))
			n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--concurrency"))
			conc = atol(argv[i + 1]);
	}
	if (!url || !path || n < 1 || conc < 1) {
		fprintf(stderr, "usage: curl_floor --url URL --body FILE [--requests N] "
				"[--concurrency C]\n");
		return 2;
	}
	if (vl_read_file(path, &file, &err) < 0) {
		fprintf(stderr, "curl_floor: %s\n", vl_buf_str(&err));
		return 2;
	}
	body = file.buf;
	body_len = file.len;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	ep = epoll_create1(EPOLL_CLOEXEC);
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, conc);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, conc + 4);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	xs = vl_xcalloc((size_t)conc, sizeof(*xs));
	t0 = vl_now();
	c0 = vl_cpu_seconds(RUSAGE_SELF);
	for (long i = 0; i < conc && started < n; i++, started++) {
		CURL *e = curl_easy_init();
		setup(e, url, h, &xs[i]);
		curl_multi_add_handle(m, e);
	}
	while (done < n) {
		CURLMsg *cm;
		int left, k;
		double wait = timer_due < 0 ? 1 : timer_due - vl_now();

		if (timer_due >= 0 && wait <= 0) {
			timer_due = -1;
			curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
		} else {
			k = epoll_wait(ep, evs, 64, (int)(wait * 1000 + 1));
			for (int i = 0; i < k; i++) {
				int fl = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
					 (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
					 (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
				curl_multi_socket_action(m, evs[i].data.fd, fl, &running);
			}
		}
		while ((cm = curl_multi_info_read(m, &left))) {
			CURL *e = cm->easy_handle;
			struct xfer *x;
			long st = 0;

			if (cm->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &st);
			if (cm->data.result != CURLE_OK || st != 200)
				errors++;
			done++;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
			curl_multi_remove_handle(m, e);
			if (started < n) {
				setup(e, url, h, x);
				curl_multi_add_handle(m, e);
				started++;
			} else {
				curl_easy_cleanup(e);
			}
		}
	}
	{
		double wall = vl_now() - t0, cpu = vl_cpu_seconds(RUSAGE_SELF) - c0;
		printf("requests=%ld errors=%ld wall_s=%.3f rate=%.0f cpu_us_per_req=%.1f\n", n, errors,
		       wall, (double)n / wall, cpu / (double)n * 1e6);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	vl_free(xs);
	vl_buf_release(&file);
	vl_buf_release(&err);
	return errors ? 1 : 0;
}
