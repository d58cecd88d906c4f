/*
 * curl_dl.h - libcurl, loaded the first time a backend needs it.
 *
 * Linking libcurl into vleval made every command pay for mapping and
 * relocating libcurl and its ~35 dependencies (TLS, HTTP/2, IDN, LDAP,
 * Kerberos...): about 9 ms of a 10 ms `vleval --version`, and a tenth of
 * `vleval score caption`.  Only the openai backend speaks HTTP, so libcurl is
 * opened with dlopen() when that backend starts, and the curl_* names used
 * in backends/openai.c resolve to the function pointers below.
 *
 * Include this instead of <curl/curl.h>.  vl_curl_load() is idempotent and
 * not thread-safe (the backends run on one thread).
 */
#ifndef VL_CURL_DL_H
#define VL_CURL_DL_H

#include <stddef.h>
#include <time.h>

/* plain prototypes, so the names below can be redirected */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct vl_curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	void (*easy_cleanup)(CURL *h);
	const char *(*easy_strerror)(CURLcode code);
	time_t (*getdate)(const char *s, const time_t *unused);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t s, int ev_bitmask,
					 int *running);
	CURLMcode (*multi_assign)(CURLM *m, curl_socket_t s, void *sockp);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_cleanup)(CURLM *m);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
};

extern struct vl_curl_api vl_curl;

/* Opens libcurl (once).  Returns 0, or -1 with a message in err naming the
 * library that could not be loaded or the missing symbol. */
int vl_curl_load(char *err, size_t errlen);

#undef curl_global_init
#undef curl_easy_init
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_easy_cleanup
#undef curl_easy_strerror
#undef curl_getdate
#undef curl_multi_init
#undef curl_multi_setopt
#undef curl_multi_add_handle
#undef curl_multi_remove_handle
#undef curl_multi_socket_action
#undef curl_multi_assign
#undef curl_multi_info_read
#undef curl_multi_cleanup
#undef curl_slist_append
#undef curl_slist_free_all
#define curl_global_init (*vl_curl.global_init)
#define curl_easy_init (*vl_curl.easy_init)
#define curl_easy_setopt (*vl_curl.easy_setopt)
#define curl_easy_getinfo (*vl_curl.easy_getinfo)
#define curl_easy_cleanup (*vl_curl.easy_cleanup)
#define curl_easy_strerror (*vl_curl.easy_strerror)
#define curl_getdate (*vl_curl.getdate)
#define curl_multi_init (*vl_curl.multi_init)
#define curl_multi_setopt (*vl_curl.multi_setopt)
#define curl_multi_add_handle (*vl_curl.multi_add_handle)
#define curl_multi_remove_handle (*vl_curl.multi_remove_handle)
#define curl_multi_socket_action (*vl_curl.multi_socket_action)
#define curl_multi_assign (*vl_curl.multi_assign)
#define curl_multi_info_read (*vl_curl.multi_info_read)
#define curl_multi_cleanup (*vl_curl.multi_cleanup)
#define curl_slist_append (*vl_curl.slist_append)
#define curl_slist_free_all (*vl_curl.slist_free_all)

#endif
