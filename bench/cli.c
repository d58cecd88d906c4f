/*
 * cli.c - option parsing and messages for the command-line layer.
 */
#include "bench/cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last error message, for --json output: the one piece of state of
 * the CLI layer (a command prints one error object when it fails). */
static char last_error[1024];

void vl_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vleval: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *prog = "vleval";

void vl_set_prog(const char *argv0)
{
	if (argv0 && *argv0)
		prog = argv0;
}

const char *vl_prog(void)
{
	return prog;
}

const char *vl_last_error(void)
{
	return last_error;
}

void vl_print_json_error(int exit_code)
{
	struct vl_buf b = VL_BUF_INIT;

	vl_buf_adds(&b, "{\"error\":");
	vl_buf_add_json_str(&b, last_error[0] ? last_error : "failed");
	vl_buf_addf(&b, ",\"exit_code\":%d}", exit_code);
	puts(vl_buf_str(&b));
	vl_buf_release(&b);
}

void vl_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vleval: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void vl_suggest(const char *what, const char *given, const char *const *names, size_t n)
{
	size_t best = (size_t)-1, best_i = 0;

	if (!n)
		while (names[n])
			n++;
	for (size_t i = 0; i < n; i++) {
		size_t d = vl_edit_distance(given, names[i]);
		if (d < best) {
			best = d;
			best_i = i;
		}
	}
	if (n && best <= 3 && best < strlen(given))
		fprintf(stderr, "did you mean '%s'?\n", names[best_i]);
	fprintf(stderr, "known %s:", what);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", names[i]);
	fputc('\n', stderr);
}

static const struct vl_opt *find_opt(const struct vl_opt *opts, const char *name, size_t len)
{
	for (; opts->name; opts++)
		if (strlen(opts->name) == len && !strncmp(opts->name, name, len))
			return opts;
	return NULL;
}

static int set_value(const char *cmd, const struct vl_opt *o, const char *val)
{
	char *end;

	switch (o->type) {
	case VL_OPT_STRING:
		*(const char **)o->target = val;
		return 0;
	case VL_OPT_LONG:
		errno = 0;
		*(long *)o->target = strtol(val, &end, 10);
		if (errno || end == val || *end) {
			vl_error("%s: --%s wants an integer, got '%s'", cmd, o->name, val);
			return VL_EXIT_USAGE;
		}
		return 0;
	case VL_OPT_DOUBLE:
		errno = 0;
		*(double *)o->target = strtod(val, &end);
		if (errno || end == val || *end || !isfinite(*(double *)o->target)) {
			vl_error("%s: --%s wants a number, got '%s'", cmd, o->name, val);
			return VL_EXIT_USAGE;
		}
		return 0;
	case VL_OPT_LIST:
		vl_strv_push((struct vl_strv *)o->target, val);
		return 0;
	case VL_OPT_KV: {
		const char *eq = strchr(val, '=');
		char *key;
		if (!eq || eq == val) {
			vl_error("%s: --%s wants KEY=VALUE, got '%s'", cmd, o->name, val);
			return VL_EXIT_USAGE;
		}
		key = vl_xstrndup(val, (size_t)(eq - val));
		vl_kv_set((struct vl_kv *)o->target, key, eq + 1);
		vl_free(key);
		return 0;
	}
	case VL_OPT_FLAG:
		break;
	}
	return 0;
}

/* Single-valued options given twice with different values are an error:
 * which one was meant cannot be guessed (repeatable options are LIST/KV). */
static int check_repeat(const char *cmd, const struct vl_opt *o, const char **seen,
			const char *val)
{
	if (o->type == VL_OPT_LIST || o->type == VL_OPT_KV || o->type == VL_OPT_FLAG)
		return 0;
	if (*seen && strcmp(*seen, val)) {
		vl_error("%s: --%s given twice ('%s' and '%s'); give it once", cmd, o->name,
			 *seen, val);
		return VL_EXIT_USAGE;
	}
	*seen = val;
	return 0;
}

int vl_parse_opts(const char *cmd, int argc, char **argv, const struct vl_opt *opts,
		  struct vl_strv *rest, int *help)
{
	const char *seen[128] = { 0 };  /* value given to opts[i], for check_repeat */
	int only_positional = 0;

	*help = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct vl_opt *o;
		const char *name, *eq, *val;
		size_t len;

		if (only_positional || a[0] != '-' || !a[1]) {
			if (!rest) {
				vl_error("%s: unexpected argument '%s'", cmd, a);
				return VL_EXIT_USAGE;
			}
			vl_strv_push(rest, a);
			continue;
		}
		if (!strcmp(a, "--")) {
			only_positional = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			*help = 1;
			continue;
		}
		if (a[1] != '-') {
			vl_error("%s: unknown option '%s' (options are spelled --name)", cmd, a);
			return VL_EXIT_USAGE;
		}
		name = a + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		o = find_opt(opts, name, len);
		if (!o) {
			const char *names[128];
			size_t n = 0;
			char *given = vl_xstrndup(name, len);
			for (const struct vl_opt *p = opts; p->name && n < 128; p++)
				names[n++] = p->name;
			vl_error("%s: unknown option '--%s'", cmd, given);
			vl_suggest("options", given, names, n);
			vl_free(given);
			return VL_EXIT_USAGE;
		}
		if (o->type == VL_OPT_FLAG) {
			if (eq) {
				vl_error("%s: --%s takes no value", cmd, o->name);
				return VL_EXIT_USAGE;
			}
			*(int *)o->target = 1;
			continue;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			vl_error("%s: --%s needs a value (%s)", cmd, o->name, o->arg ? o->arg : "VALUE");
			return VL_EXIT_USAGE;
		}
		if ((o - opts < 128 && check_repeat(cmd, o, &seen[o - opts], val)) ||
		    set_value(cmd, o, val))
			return VL_EXIT_USAGE;
	}
	return 0;
}

void vl_print_help(const char *usage, const char *summary, const struct vl_opt *opts)
{
	printf("usage: %s\n\n%s\n", usage, summary);
	if (opts && opts->name)
		printf("\noptions:\n");
	for (; opts && opts->name; opts++) {
		char left[64];
		snprintf(left, sizeof(left), "--%s%s%s", opts->name, opts->arg ? " " : "",
			 opts->arg ? opts->arg : "");
		printf("  %-28s %s\n", left, opts->help);
	}
	vl_print_exit_status();
}

void vl_print_exit_status(void)
{
	printf("\nexit status: 0 success; 1 finished with failed samples, bad records or (check)\n"
	       "a regression; 2 usage or configuration error; 3 interrupted (resumable);\n"
	       "4 stopped by a fatal backend or I/O error (resumable)\n");
}
