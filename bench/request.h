/*
 * request.h - one backend request built from one sample: the prompt
 * rendered from the task's template, the images (re-encoded and downscaled
 * when max_image_side is set), the ground truth for the oracle baseline,
 * the answers a random guesser picks from, and the response cache key.
 *
 * The runner is three parts: the loop (bench/runner.c), request building
 * (here) and scoring (bench/scoring.c).  Internal to bench/.
 */
#ifndef VL_REQUEST_H
#define VL_REQUEST_H

#include "backends/host.h"
#include "bench/task.h"
#include "core/vl.h"
#include "metrics/metric.h"

/* Per run: what every request of the run shares. */
struct vl_request_builder {
	const struct vl_task *task;           /* borrowed */
	const char *prompt_tmpl;              /* borrowed from task */
	const struct vl_kv *metric_opts;      /* borrowed: the extractor's options */
	const struct vl_extractor *ex;        /* the task's extractor */
	const struct vl_backend *backend;     /* borrowed: says which options change answers */
	const struct vl_backend_methods *bm;  /* borrowed, backend's */
	const char *model;                    /* borrowed, may be NULL */
	const struct vl_kv *backend_cfg;      /* borrowed, may be NULL */
	long max_image_side;                  /* > 0: downscale images first */
	const char **choices;                 /* static, may be NULL */
	int use_cache;                        /* 1: build cache keys */
	struct vl_strmap image_hashes;        /* owned: image identity -> XXH128_hash_t * */
	struct vl_buf key_base;               /* owned: the run's part of every cache key */
};

/* Fills b for task on the open backend (every pointer borrowed for b's
 * life).  model_family picks the prompt.  VL_EINVAL with err when the
 * backend config's max_image_side is not a number. */
int vl_request_builder_init(struct vl_request_builder *b, const struct vl_task *task,
			    const char *model_family, const struct vl_backend *backend,
			    const char *model, const struct vl_kv *backend_cfg,
			    const struct vl_kv *metric_opts, struct vl_buf *err);
void vl_request_builder_release(struct vl_request_builder *b);

/* One built request.  req points into the members and into the sample it
 * was built from (which must outlive it). */
struct vl_built_request {
	struct vl_request req;
	char *prompt;                 /* owned: rendered, trimmed */
	char *truth;                  /* owned, oracle baseline only */
	char *cache_key;              /* owned hex digest; NULL: not cached */
	struct vl_image *imgs;        /* owned array, n = req.n_images */
	struct vl_strv prepared;      /* base64 of the downscaled images */
};

/* Builds the request for sample s (borrowed) with handle id.  0, or
 * negative with err when the prompt cannot be rendered or an image cannot
 * be prepared (out then holds what was built, the prompt at most).  Release
 * out with vl_built_request_release in every case. */
int vl_request_build(struct vl_request_builder *b, const struct vl_sample *s, uint64_t id,
		     struct vl_built_request *out, struct vl_buf *err);
void vl_built_request_release(struct vl_built_request *r);

#endif
