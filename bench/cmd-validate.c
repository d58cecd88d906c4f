/* placeholder replaced below */
#include "bench/cli.h"
int cmd_validate(int argc, char **argv) { return VL_EXIT_USAGE; }
