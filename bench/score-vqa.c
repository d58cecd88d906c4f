/*
 * score-vqa.c - `vleval score vqa`.  (Being written; see issue 3.)
 */
#include "bench/cli.h"

int score_vqa(int argc, char **argv)
{
	vl_error("score vqa: not built yet");
	return VL_EXIT_USAGE;
}
