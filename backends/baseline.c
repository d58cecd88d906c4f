/*
 * baseline.c - the reference baselines: oracle (answers the ground truth),
 * constant (--set answer=TEXT, default "yes") and random (picks uniformly
 * among the task's choices with --set seed=N, default 0).  Each carries
 * VL_CAP_BASELINE so every output labels it a baseline, not a model.
 */
#include "backends/backend.h"
#include "backends/option.h"
#include "backends/ready.h"
#include "core/vl.h"

#include <stdio.h>
#include <stdlib.h>

struct baseline {
	struct vl_ready ready;
	char *answer;       /* constant */
	uint64_t seed;      /* random */
};

static int oracle_open(void *self, const struct vl_backend_config *cfg, char *err, size_t errlen)
{
	return 0;
}

static int oracle_submit(void *self, const struct vl_request *req, char *err, size_t errlen)
{
	struct baseline *b = self;

	if (!req->truth)
		vl_ready_push(&b->ready, req->id, NULL,
			      "oracle: this sample has no ground truth to answer with");
	else
		vl_ready_push(&b->ready, req->id, req->truth, NULL);
	return 0;
}

static int baseline_poll(void *self, int timeout_ms, struct vl_response *out, int max)
{
	struct baseline *b = self;
	return vl_ready_pop(&b->ready, out, max);
}

static void baseline_close(void *self)
{
	struct baseline *b = self;
	vl_ready_release(&b->ready);
	free(b->answer);
}

static const struct vl_backend_option oracle_options[] = {
	{ .key = NULL },
};

const struct vl_backend_methods vl_backend_oracle = {
	.version = VL_BACKEND_API_VERSION,
	.instance_size = sizeof(struct baseline),
	.name = "oracle",
	.description = "baseline: answers the ground truth (upper bound, checks scoring)",
	.caps = VL_CAP_BASELINE | VL_CAP_TRUTH,
	.open = oracle_open,
	.submit = oracle_submit,
	.poll = baseline_poll,
	.close = baseline_close,
	.options = oracle_options,
};

static const struct vl_backend_option constant_options[] = {
	{ .key = "answer", .type = VL_OPTION_STRING, .dflt = "yes",
	  .meaning = "the answer given to every sample", .flags = VL_OPTION_ANSWERS },
	{ .key = NULL },
};

static int constant_open(void *self, const struct vl_backend_config *cfg, char *err, size_t errlen)
{
	struct baseline *b = self;
	b->answer = strdup(vl_option_str(constant_options, cfg, "answer"));
	return 0;
}

static int constant_submit(void *self, const struct vl_request *req, char *err, size_t errlen)
{
	struct baseline *b = self;
	vl_ready_push(&b->ready, req->id, b->answer, NULL);
	return 0;
}

const struct vl_backend_methods vl_backend_constant = {
	.version = VL_BACKEND_API_VERSION,
	.instance_size = sizeof(struct baseline),
	.name = "constant",
	.description = "baseline: the same answer every time (--set answer=TEXT, default yes)",
	.caps = VL_CAP_BASELINE,
	.open = constant_open,
	.submit = constant_submit,
	.poll = baseline_poll,
	.close = baseline_close,
	.options = constant_options,
};

static const struct vl_backend_option random_options[] = {
	{ .key = "seed", .type = VL_OPTION_INT, .dflt = "0",
	  .meaning = "seed of the pick (with the sample id)", .flags = VL_OPTION_ANSWERS,
	  .max = VL_OPTION_UNBOUNDED },
	{ .key = NULL },
};

static int random_open(void *self, const struct vl_backend_config *cfg, char *err, size_t errlen)
{
	struct baseline *b = self;
	const char *s = vl_backend_config_get(cfg, "seed");
	char *end;

	b->seed = 0;
	if (s) {
		b->seed = strtoull(s, &end, 10);
		if (*end || end == s) {
			snprintf(err, errlen, "option 'seed' wants an integer, got '%s'", s);
			return -1;
		}
	}
	return 0;
}

/* The pick depends only on the seed and the sample id, never on completion
 * order or on which samples a resumed run still had to do, so a resumed
 * random run equals an uninterrupted one. */
static int random_submit(void *self, const struct vl_request *req, char *err, size_t errlen)
{
	struct baseline *b = self;
	static const char *const yesno[] = { "yes", "no", NULL };
	const char *const *choices = req->choices ? req->choices : yesno;
	struct vl_rng rng;
	size_t n = 0;

	while (choices[n])
		n++;
	vl_rng_seed(&rng, vl_hash64(req->sample_id, strlen(req->sample_id), b->seed ^ VL_HASH_SEED));
	vl_ready_push(&b->ready, req->id, n ? choices[vl_rng_below(&rng, n)] : "", NULL);
	return 0;
}

const struct vl_backend_methods vl_backend_random = {
	.version = VL_BACKEND_API_VERSION,
	.instance_size = sizeof(struct baseline),
	.name = "random",
	.description = "baseline: a seeded uniform pick among the task's choices (--set seed=N)",
	.caps = VL_CAP_BASELINE,
	.open = random_open,
	.submit = random_submit,
	.poll = baseline_poll,
	.close = baseline_close,
	.options = random_options,
};
