/*
 * cmd-backends.c - `vleval backends`: the registered backends, their
 * capabilities, and which are baselines; `vleval backends NAME`: one
 * backend's options from its table (key, meaning, default, whether it
 * changes answers).
 */
#include "backends/host.h"
#include "backends/option.h"
#include "bench/cli.h"

#include <stdio.h>
#include <string.h>

static void caps(unsigned c, struct vl_buf *b)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ VL_CAP_BASELINE, "baseline" }, { VL_CAP_IMAGES, "images" },
		{ VL_CAP_STREAM, "stream" }, { VL_CAP_USAGE, "tokens" },
		{ VL_CAP_TRUTH, "reads-truth" }, { VL_CAP_REMOTE, "remote" },
		{ VL_CAP_CACHEABLE, "cacheable" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (c & names[i].bit)
			vl_buf_addf(b, "%s%s", b->len ? "," : "", names[i].name);
}

/* One table's rows, as text lines or JSON objects (appended to out). */
static void show_options(const struct vl_backend_option *t, int json, struct vl_buf *out)
{
	for (; t && t->key; t++) {
		struct vl_buf type = VL_BUF_INIT;
		int answers = (t->flags & VL_OPTION_ANSWERS) != 0;

		vl_option_describe_type(t, &type);
		if (json) {
			if (out->len && out->buf[out->len - 1] != '[')
				vl_buf_addch(out, ',');
			vl_buf_adds(out, "{\"key\":");
			vl_buf_add_json_str(out, t->key);
			vl_buf_adds(out, ",\"type\":");
			vl_buf_add_json_str(out, vl_buf_str(&type));
			vl_buf_adds(out, ",\"default\":");
			if (t->dflt)
				vl_buf_add_json_str(out, t->dflt);
			else
				vl_buf_adds(out, "null");
			vl_buf_addf(out, ",\"changes_answers\":%s,\"required\":%s,\"meaning\":",
				    answers ? "true" : "false",
				    t->flags & VL_OPTION_REQUIRED ? "true" : "false");
			vl_buf_add_json_str(out, t->meaning ? t->meaning : "");
			vl_buf_addch(out, '}');
		} else {
			printf("  %-18s %-16s %-14s %-7s %s\n", t->key, vl_buf_str(&type),
			       t->dflt ? t->dflt : t->flags & VL_OPTION_REQUIRED ? "(required)" : "-",
			       answers ? "yes" : "no", t->meaning ? t->meaning : "");
		}
		vl_buf_release(&type);
	}
}

/* `vleval backends NAME`: m's own options, then those every backend takes. */
static int show_backend(const struct vl_backend_methods *m, int json)
{
	const struct vl_backend_option *own = vl_backend_options(m);
	struct vl_buf out = VL_BUF_INIT, c = VL_BUF_INIT;

	caps(m->caps, &c);
	if (json) {
		vl_buf_adds(&out, "{\"name\":");
		vl_buf_add_json_str(&out, m->name);
		vl_buf_adds(&out, ",\"capabilities\":");
		vl_buf_add_json_str(&out, vl_buf_str(&c));
		vl_buf_adds(&out, ",\"description\":");
		vl_buf_add_json_str(&out, m->description ? m->description : "");
		vl_buf_adds(&out, ",\"declares_options\":");
		vl_buf_adds(&out, own ? "true" : "false");
		vl_buf_adds(&out, ",\"options\":[");
		show_options(own, 1, &out);
		vl_buf_adds(&out, "],\"host_options\":[");
		show_options(vl_backend_host_options(), 1, &out);
		vl_buf_adds(&out, "]}");
		puts(vl_buf_str(&out));
	} else {
		printf("%s: %s\ncapabilities: %s\n\n", m->name, m->description ? m->description : "",
		       c.len ? vl_buf_str(&c) : "-");
		printf("  %-18s %-16s %-14s %-7s %s\n", "option (--set)", "type", "default",
		       "answers", "meaning");
		if (own)
			show_options(own, 0, &out);
		else
			printf("  (declares no option table: built for backend API 1.0; every "
			       "--set key is passed on and enters the cache key)\n");
		printf("\noptions every backend takes:\n");
		show_options(vl_backend_host_options(), 0, &out);
	}
	vl_buf_release(&out);
	vl_buf_release(&c);
	return 0;
}

/* `vleval backends NAME` (or `plugin --path LIB.so`). */
static int one_backend(const char *name, const char *path, int json)
{
	const struct vl_backend_methods *m = vl_backend_find(name);
	struct vl_buf err = VL_BUF_INIT;
	void *dl = NULL;
	int rc;

	if (!m) {
		const char *names[64];
		size_t n = 0;
		for (const struct vl_backend_methods *const *b = vl_backend_list(); *b && n < 64; b++)
			names[n++] = (*b)->name;
		vl_error("backends: unknown backend '%s'", name);
		vl_suggest("backends", name, names, n);
		return VL_EXIT_USAGE;
	}
	if (path && strcmp(name, "plugin")) {
		vl_error("backends: --path is for the plugin backend");
		return VL_EXIT_USAGE;
	}
	if (path && vl_backend_plugin_methods(path, &m, &dl, &err) < 0) {
		vl_error("%s", vl_buf_str(&err));
		vl_buf_release(&err);
		return VL_EXIT_USAGE;
	}
	rc = show_backend(m, json);
	vl_backend_plugin_release(dl);
	return rc;
}

int cmd_backends(int argc, char **argv)
{
	int json = 0, help = 0, rc;
	const char *path = NULL;
	const struct vl_opt opts[] = {
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ "path", VL_OPT_STRING, &path, "LIB.so", "with NAME plugin: the plugin whose options to show" },
		{ NULL },
	};
	struct vl_buf out = VL_BUF_INIT;
	struct vl_strv rest = { 0 };

	rc = vl_parse_opts("backends", argc, argv, opts, &rest, &help);
	if (rc || help || rest.n) {
		if (help)
			vl_print_help("vleval backends [NAME] [--json]\n"
				      "       vleval backends plugin --path LIB.so",
				      "Lists the model backends and reference baselines; with NAME, that\n"
				      "backend's options (--set KEY=VALUE): meaning, type, default, and\n"
				      "whether the option changes answers (and so the cache key).", opts);
		else if (rest.n > 1)
			vl_error("backends: one NAME at most"), rc = VL_EXIT_USAGE;
		else if (rest.n)
			rc = one_backend(rest.v[0], path, json);
		vl_strv_release(&rest);
		return rc;
	}
	if (json)
		vl_buf_addch(&out, '[');
	for (const struct vl_backend_methods *const *b = vl_backend_list(); *b; b++) {
		struct vl_buf c = VL_BUF_INIT;
		caps((*b)->caps, &c);
		if (json) {
			if (out.len > 1)
				vl_buf_addch(&out, ',');
			vl_buf_adds(&out, "{\"name\":");
			vl_buf_add_json_str(&out, (*b)->name);
			vl_buf_addf(&out, ",\"baseline\":%s,\"capabilities\":",
				    (*b)->caps & VL_CAP_BASELINE ? "true" : "false");
			vl_buf_add_json_str(&out, vl_buf_str(&c));
			vl_buf_adds(&out, ",\"description\":");
			vl_buf_add_json_str(&out, (*b)->description);
			vl_buf_addch(&out, '}');
		} else {
			printf("%-9s %-38s %s\n", (*b)->name, vl_buf_str(&c), (*b)->description);
		}
		vl_buf_release(&c);
	}
	if (json) {
		vl_buf_addch(&out, ']');
		puts(vl_buf_str(&out));
	} else {
		printf("\nplugin API %d.%d: any shared library exporting %s() (see backends/backend.h)\n",
		       VL_BACKEND_API_MAJOR, VL_BACKEND_API_MINOR, VL_BACKEND_ENTRY);
	}
	vl_buf_release(&out);
	return 0;
}
