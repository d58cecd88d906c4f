/*
 * cmd-backends.c - `vleval backends`: the registered backends, their
 * capabilities, and which are baselines.
 */
#include "backends/host.h"
#include "bench/cli.h"

#include <stdio.h>

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

int cmd_backends(int argc, char **argv)
{
	int json = 0, help = 0, rc;
	const struct vl_opt opts[] = {
		{ "json", VL_OPT_FLAG, &json, NULL, "print JSON" },
		{ NULL },
	};
	struct vl_buf out = VL_BUF_INIT;

	rc = vl_parse_opts("backends", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval backends [--json]",
			      "Lists the model backends and reference baselines.", opts);
		return 0;
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
