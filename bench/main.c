/*
 * main.c - vleval's entry point: the subcommand table and dispatch.
 * `vleval help CMD` runs `CMD --help`.
 */
#include "backends/backend.h"
#include "bench/cli.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static const struct vl_cmd commands[] = {
	{ "run", cmd_run, "evaluate a model (backend) on one or more tasks; resumable" },
	{ "score", cmd_score, "score predictions made elsewhere (pope, vqa, caption, grounding)" },
	{ "runs", cmd_runs, "list the runs in the run log" },
	{ "show", cmd_show, "show one run: config, metrics, cost, samples, errors" },
	{ "tasks", cmd_tasks, "list the task definitions and where their files are expected" },
	{ "backends", cmd_backends, "list the model backends and baselines" },
	{ "validate", cmd_validate, "check a task's files and images before spending money" },
	{ "report", cmd_report, "write a leaderboard report (Markdown, HTML, CSV, JSON) with charts" },
	{ "synth", cmd_synth, "write the synthetic suite (PNG scenes, official-format question files)" },
	{ "compare", cmd_compare, "compare two runs: paired intervals, p-values, flipped samples" },
	{ "check", cmd_check, "regression gate for CI: exit 1 when a headline metric dropped" },
	{ "merge", cmd_merge, "join the shard runs of 'run --shard I/N' into one run" },
	{ "demo", cmd_demo, "run the embedded demo suite end to end and write a report" },
};

#define NCMDS (sizeof(commands) / sizeof(*commands))

static void usage(FILE *out)
{
	fprintf(out, "usage: vleval COMMAND [OPTIONS]\n\n"
		     "Evaluate and benchmark vision-language models.\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'vleval help COMMAND' or 'vleval COMMAND --help' for its options.\n");
}

static const struct vl_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int unknown(const char *name)
{
	const char *names[NCMDS];

	for (size_t i = 0; i < NCMDS; i++)
		names[i] = commands[i].name;
	vl_error("unknown command '%s'", name);
	vl_suggest("commands", name, names, NCMDS);
	return VL_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct vl_cmd *cmd;
	int rc;

	vl_set_prog(argv[0]);
	/* a closed pipe (vleval runs | head) must never end a run silently in
	 * the middle of a write: writes fail with EPIPE instead, and the
	 * flush check at the end reports it */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return VL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("vleval %s (backend API %d.%d)\n", VL_VERSION, VL_BACKEND_API_MAJOR,
		       VL_BACKEND_API_MINOR);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		char *hargv[3];
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		cmd = find_cmd(argv[2]);
		if (!cmd)
			return unknown(argv[2]);
		hargv[0] = argv[2];
		hargv[1] = "--help";
		hargv[2] = NULL;
		return cmd->fn(2, hargv);
	}
	cmd = find_cmd(argv[1]);
	if (!cmd)
		return unknown(argv[1]);
	/*
	 * glibc gives freed memory at the top of the heap back to the kernel
	 * (trim threshold 128 KB, adapted upwards only after an mmap'd block is
	 * freed) and serves blocks over 128 KB with mmap.  A run churns through
	 * per-request bodies (a 100 KB image is a 137 KB body) and libcurl's
	 * 64 KB upload buffer, malloc'd and freed for every transfer, so without
	 * this each request pays page faults to get the same memory back.
	 * Keeping up to 64 MB cached costs nothing when idle; in a run of 20,000
	 * samples with a 100 KB image it cut page faults from 57,000-83,000 to
	 * 5,300 and CPU per sample by ~3% (tests/perf/openai_e2e.sh).  Set here,
	 * in the CLI, because a library must not change the allocator for its
	 * host program.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	rc = cmd->fn(argc - 1, argv + 1);
	/* a full disk or closed pipe must not pass for success */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		vl_error("cannot write to standard output");
		return rc ? rc : VL_EXIT_FATAL;
	}
	return rc;
}
