/*
 * curl_dl.c - opens libcurl on first use (see curl_dl.h).
 */
#include "backends/curl_dl.h"

#include <dlfcn.h>
#include <stdio.h>

struct vl_curl_api vl_curl;

static int loaded;

int vl_curl_load(char *err, size_t errlen)
{
	/* the SONAME first: the unversioned name exists only with the -dev package */
	static const char *const names[] = { "libcurl.so.4", "libcurl.so", NULL };
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
#define SYM(field, name) { name, offsetof(struct vl_curl_api, field) }
		SYM(global_init, "curl_global_init"),
		SYM(easy_init, "curl_easy_init"),
		SYM(easy_setopt, "curl_easy_setopt"),
		SYM(easy_getinfo, "curl_easy_getinfo"),
		SYM(easy_cleanup, "curl_easy_cleanup"),
		SYM(easy_strerror, "curl_easy_strerror"),
		SYM(getdate, "curl_getdate"),
		SYM(multi_init, "curl_multi_init"),
		SYM(multi_setopt, "curl_multi_setopt"),
		SYM(multi_add_handle, "curl_multi_add_handle"),
		SYM(multi_remove_handle, "curl_multi_remove_handle"),
		SYM(multi_socket_action, "curl_multi_socket_action"),
		SYM(multi_assign, "curl_multi_assign"),
		SYM(multi_info_read, "curl_multi_info_read"),
		SYM(multi_cleanup, "curl_multi_cleanup"),
		SYM(slist_append, "curl_slist_append"),
		SYM(slist_free_all, "curl_slist_free_all"),
#undef SYM
	};
	void *lib = NULL;

	if (loaded)
		return 0;
	for (size_t i = 0; names[i] && !lib; i++)
		lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		snprintf(err, errlen, "cannot load libcurl (libcurl.so.4, Debian package libcurl4): %s",
			 dlerror());
		return -1;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(*syms); i++) {
		void *f = dlsym(lib, syms[i].name);
		if (!f) {
			snprintf(err, errlen, "libcurl lacks %s (libcurl 7.62 or newer is needed)",
				 syms[i].name);
			return -1;
		}
		/* object pointer to function pointer: POSIX guarantees this works */
		*(void **)((char *)&vl_curl + syms[i].offset) = f;
	}
	/* never dlclose: libcurl keeps global state until exit */
	loaded = 1;
	return 0;
}
