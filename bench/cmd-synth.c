/*
 * cmd-synth.c - `vleval synth`: writes the synthetic suite (datasets/synth.h)
 * under a data root, where the built-in synth_* tasks read it.
 */
#include "bench/cli.h"
#include "datasets/synth.h"

#include <stdio.h>

/* The data root `vleval demo` fills by default, which `synth` also writes
 * by default, so `vleval run --task synth_pope --data-dir demo-report/data`
 * works after either. */
#define SYNTH_DEFAULT_OUT "demo-report/data"

int cmd_synth(int argc, char **argv)
{
	const char *out = SYNTH_DEFAULT_OUT;
	long seed = 2026, images = 200;
	int help = 0, quiet = 0, rc;
	const struct vl_opt opts[] = {
		{ "out", VL_OPT_STRING, &out, "DIR", "data root; files go under DIR/synth/ (default " SYNTH_DEFAULT_OUT ")" },
		{ "seed", VL_OPT_LONG, &seed, "S", "random seed (default 2026); same seed, same bytes" },
		{ "images", VL_OPT_LONG, &images, "N", "scenes to draw (default 200)" },
		{ "quiet", VL_OPT_FLAG, &quiet, NULL, "print nothing on success" },
		{ NULL },
	};
	struct vl_synth_opts o;
	struct vl_synth_counts c;
	struct vl_buf err = VL_BUF_INIT;

	rc = vl_parse_opts("synth", argc, argv, opts, NULL, &help);
	if (rc)
		return rc;
	if (help) {
		vl_print_help("vleval synth [--out DIR] [--seed S] [--images N]",
			      "Draws PNG scenes of coloured shapes and writes, from their exact ground\n"
			      "truth, files in the official layouts (VQAv2, COCO captions, Karpathy\n"
			      "split, MDETR RefCOCO, POPE random/popular/adversarial, COCO instances,\n"
			      "VLMEvalKit TSV) that the built-in synth_* tasks read.", opts);
		return 0;
	}
	if (images < 1 || images > 100000 || seed < 0) {
		vl_error("synth: --images must be 1..100000 and --seed >= 0");
		return VL_EXIT_USAGE;
	}
	o.out = out;
	o.seed = (uint64_t)seed;
	o.images = (int)images;
	if (vl_synth_generate(&o, &c, &err) < 0) {
		vl_error("synth: %s", vl_buf_str(&err));
		vl_buf_release(&err);
		return VL_EXIT_FATAL;
	}
	vl_buf_release(&err);
	if (!quiet)
		printf("synth: %d images, %d VQA questions, %d captions, %d referring expressions, "
		       "%d POPE questions per split, %d multiple-choice questions under %s/synth\n"
		       "next: vleval run --task synth_pope --backend oracle --data-dir %s\n",
		       c.images, c.vqa, c.captions, c.refexp, c.pope, c.mcq, out, out);
	return 0;
}
