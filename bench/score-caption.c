/*
 * score-caption.c - `vleval score caption`.  (Being written; see issue 3.)
 */
#include "bench/cli.h"

int score_caption(int argc, char **argv)
{
	vl_error("score caption: not built yet");
	return VL_EXIT_USAGE;
}
