/*
 * families.c - the model families table (see families.h).  Each row names
 * the box notation the family's own grounding evaluation reads and the
 * prompt it asks with; the coordinate conventions themselves (grids,
 * orders, patch indices) live in metrics/boxparse.c.
 */
#include "bench/families.h"

#include <strings.h>

static const struct vl_model_family families[] = {
	{ "qwen-vl", "qwen", "<ref>{question}</ref>",
	  "Qwen-VL eval_mm/evaluate_grounding.py: <box>(x1,y1),(x2,y2)</box> on 0..999, divided by 999" },
	{ "qwen2-vl", "qwen2",
	  "Output the bounding box of <|object_ref_start|>{question}<|object_ref_end|>.",
	  "Qwen2-VL: <|box_start|>(x1,y1),(x2,y2)<|box_end|> on a 0..1000 grid" },
	{ "qwen2.5-vl", "qwen25",
	  "Locate {question} in the image and output its bbox coordinates in JSON format.",
	  "Qwen2.5-VL: JSON \"bbox_2d\" in absolute pixels of the image the model saw" },
	{ "qwen3-vl", "qwen3",
	  "Locate {question} in the image and output its bbox coordinates in JSON format.",
	  "Qwen3-VL: JSON \"bbox_2d\" relative, on a 0..1000 grid" },
	{ "internvl", "internvl",
	  "Please provide the bounding box coordinate of the region this sentence describes: "
	  "<ref>{question}</ref>",
	  "InternVL eval/refcoco/evaluate_grounding.py: <box>[[x1, y1, x2, y2]]</box>, divided by 1000" },
	{ "paligemma", "paligemma", "detect {question}",
	  "PaliGemma: four <locNNNN> tokens, y1 x1 y2 x2, on 1024 bins" },
	{ "cogvlm", "cogvlm",
	  "Where is {question}? Answer in [[x0,y0,x1,y1]] format.",
	  "CogVLM: [[x0,y0,x1,y1]] with three digits, 0..999 of 1000" },
	{ "kosmos-2", "kosmos2", "<grounding><phrase>{question}</phrase>",
	  "Kosmos-2: <patch_index_NNNN><patch_index_MMMM> on a 32 x 32 grid of patches" },
	{ "shikra", "norm1",
	  "Can you point out {question} in the image and provide the coordinates of its location?",
	  "Shikra: [x1,y1,x2,y2] as fractions of width and height" },
	{ "minigpt-v2", "minigptv2", "[refer] give me the location of {question}",
	  "MiniGPT-v2: {<x1><y1><x2><y2>} on 0..100" },
	{ "ferret", "ferret", "What are the coordinates of {question} in the image?",
	  "Ferret eval_refexp.py: [x1, y1, x2, y2] on 0..999 of 1000, pixels truncated" },
};

#define NFAMILIES (sizeof(families) / sizeof(*families))

static const char *const names[NFAMILIES + 1] = {
	"qwen-vl", "qwen2-vl", "qwen2.5-vl", "qwen3-vl", "internvl", "paligemma", "cogvlm",
	"kosmos-2", "shikra", "minigpt-v2", "ferret", NULL,
};

const struct vl_model_family *vl_model_family_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < NFAMILIES; i++)
		if (!strcasecmp(families[i].name, name))
			return &families[i];
	return NULL;
}

const char *const *vl_model_family_names(void)
{
	return names;
}

void vl_model_family_unknown(const char *name, struct vl_buf *err)
{
	vl_buf_addf(err, "unknown model family '%s' (known:", name ? name : "");
	for (size_t i = 0; i < NFAMILIES; i++)
		vl_buf_addf(err, "%s %s", i ? "," : "", families[i].name);
	vl_buf_addch(err, ')');
}
