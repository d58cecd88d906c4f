/*
 * cli.h - what every subcommand shares: the command signature, a small
 * table-driven option parser, and the messages of the command-line layer
 * (the only layer that prints).
 *
 * Adding a subcommand: write bench/cmd-NAME.c with an option table and
 * `int cmd_NAME(int argc, char **argv)`, declare it below, add a row to the
 * table in bench/main.c and the object to BENCH_OBJS, and document it in
 * README with an example.
 */
#ifndef VL_CLI_H
#define VL_CLI_H

#include "core/vl.h"

/* Exit codes (README "Exit codes"). */
enum {
	VL_EXIT_OK = 0,
	VL_EXIT_SAMPLES_FAILED = 1,  /* finished, but some samples failed; or check failed */
	VL_EXIT_USAGE = 2,           /* usage or configuration error */
	VL_EXIT_INTERRUPTED = 3,     /* stopped by a signal; resumable */
	VL_EXIT_FATAL = 4,           /* stopped by a fatal backend or I/O error; resumable */
};

enum vl_opt_type {
	VL_OPT_FLAG,     /* int *, set to 1 */
	VL_OPT_STRING,   /* const char **, points into argv */
	VL_OPT_LONG,     /* long * */
	VL_OPT_DOUBLE,   /* double * */
	VL_OPT_LIST,     /* struct vl_strv *, repeatable, each value copied */
	VL_OPT_KV,       /* struct vl_kv *, repeatable KEY=VALUE */
};

struct vl_opt {
	const char *name;        /* long name without "--" */
	enum vl_opt_type type;
	void *target;
	const char *arg;         /* value name for help, e.g. "FILE" */
	const char *help;
};

struct vl_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/*
 * Parses argv[1..] (argv[0] is the subcommand) against opts, which ends with
 * a {NULL} row.  Positional arguments are collected into *rest (may be NULL
 * when the command takes none).  "--help" sets *help.  Returns 0, or
 * VL_EXIT_USAGE after printing what was wrong.
 */
int vl_parse_opts(const char *cmd, int argc, char **argv, const struct vl_opt *opts,
		  struct vl_strv *rest, int *help);
/* Usage, summary, the option table and the exit status (stdout). */
void vl_print_help(const char *usage, const char *summary, const struct vl_opt *opts);
/* The exit codes above as a help paragraph (stdout). */
void vl_print_exit_status(void);

/* stderr messages: "vleval: error: ...", "vleval: warning: ...". */
void vl_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The program as the user invoked it (argv[0]: "vleval", "./vleval"), for
 * hints that show a command to type next. */
void vl_set_prog(const char *argv0);
const char *vl_prog(void);

/* The text of the last vl_error ("" when none). */
const char *vl_last_error(void);
/* Prints {"error": <last error>, "exit_code": N} on stdout: what a --json
 * command prints when it fails, so a script never parses an empty answer. */
void vl_print_json_error(int exit_code);
/* "did you mean" over names[0..n) (NULL-terminated when n is 0). */
void vl_suggest(const char *what, const char *given, const char *const *names, size_t n);

/* Defaults shared by the subcommands: the flag if given, else the
 * environment variable (VLEVAL_DB, VLEVAL_TASKS, VLEVAL_DATA), else the
 * built-in default. */
const char *vl_default_db(const char *flag);
const char *vl_default_tasks_dirs(const char *flag);
const char *vl_default_data_dir(const char *flag);

/* Subcommands. */
int cmd_run(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_runs(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_backends(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_check(int argc, char **argv);

/* `vleval score KIND`: one function per kind, in bench/score-KIND.c. */
int score_pope(int argc, char **argv);
int score_vqa(int argc, char **argv);
int score_caption(int argc, char **argv);
int score_grounding(int argc, char **argv);
int score_mme(int argc, char **argv);
int score_ocrbench(int argc, char **argv);
int score_mmmu(int argc, char **argv);

#endif
