/* Temporary: subcommands being written in this change. */
#include "bench/cli.h"
#define PENDING(f) int f(int argc, char **argv) { vl_error("%s: not built yet", argv[0]); return VL_EXIT_USAGE; }
PENDING(cmd_run)
PENDING(cmd_runs)
PENDING(cmd_show)
PENDING(cmd_tasks)
PENDING(cmd_backends)
PENDING(cmd_validate)
PENDING(cmd_demo)
PENDING(score_pope)
