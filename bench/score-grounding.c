/*
 * score-grounding.c - `vleval score grounding`.  (Being written; see issue 3.)
 */
#include "bench/cli.h"

int score_grounding(int argc, char **argv)
{
	vl_error("score grounding: not built yet");
	return VL_EXIT_USAGE;
}
