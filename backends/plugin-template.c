/*
 * plugin-template.c - a complete backend plugin: copy this file to plug your
 * own engine into vleval in-process (no server, no subprocess).
 *
 * It answers without a model so that it runs anywhere: "answer" (--set
 * answer=TEXT) when given, else "yes" when the prompt contains "word"
 * (--set word=W, default "dog") and "no" otherwise.  The places to call a
 * real model are marked YOUR MODEL.
 *
 * Build (from the vleval tree, or with -I pointing at it):
 *
 *     cc -std=c11 -O2 -fPIC -shared -I. -o libmybackend.so my-backend.c
 *
 * (`make` builds this file into build/libvl_plugin_template.so.)  Use:
 *
 *     vleval run --task pope_coco_random --backend plugin \
 *         --set path=./libmybackend.so --set word=dog
 *
 * Rules of the interface (backends/backend.h is the contract):
 *   - include nothing from vleval but backends/backend.h;
 *   - export exactly one symbol, vl_backend_entry(); return NULL when the
 *     host's major API version is not the one you were built for;
 *   - the host allocates instance_size zeroed bytes and passes them as
 *     `self` to every method; keep all your state there (no globals), so
 *     two instances can coexist;
 *   - everything in a request is borrowed until submit() returns: copy what
 *     you keep;
 *   - response text and error are malloc'd here and freed by the host with
 *     free(); an error is one line, and fatal = 1 stops the whole run (use it
 *     for "model file missing", never for one bad sample);
 *   - the host calls every method from one thread.  submit() must return
 *     quickly; do the work in poll(), which may block up to timeout_ms.
 *     That is also where an engine batches: poll() below takes everything
 *     queued since the last call as one batch.
 */
#define _POSIX_C_SOURCE 200809L  /* clock_gettime under -std=c11 */

#include "backends/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A request kept until poll() answers it. */
struct pending {
	uint64_t id;
	char *prompt;           /* owned copy of the user text */
	size_t n_images;
	double t_submit;
};

struct template_backend {
	/* YOUR MODEL: the engine handle, tokenizer, device... go here. */
	char *answer;           /* fixed answer, or NULL */
	char *word;             /* answer "yes" when the prompt has it */
	struct pending *q;      /* FIFO of submitted requests */
	size_t head, n, cap;
	long answered;
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void template_close(void *self);

static int template_open(void *self, const struct vl_backend_config *cfg,
			 char *err, size_t errlen)
{
	struct template_backend *t = self;
	const char *answer = vl_backend_config_get(cfg, "answer");
	const char *word = vl_backend_config_get(cfg, "word");

	if (word && !*word) {
		snprintf(err, errlen, "option 'word' must not be empty");
		return -1;
	}
	t->word = dup_str(word ? word : "dog");
	t->answer = answer ? dup_str(answer) : NULL;
	if (!t->word || (answer && !t->answer)) {
		snprintf(err, errlen, "out of memory");
		template_close(self);
		return -1;
	}
	/* YOUR MODEL: load it here (path from vl_backend_config_get(cfg,
	 * "model")).  On failure fill err, free what you allocated, return -1:
	 * the host reports "backend 'NAME': <err>" and stops. */
	return 0;
}

static int template_submit(void *self, const struct vl_request *req, char *err, size_t errlen)
{
	struct template_backend *t = self;
	struct pending *p;

	if (t->head + t->n == t->cap) {
		if (t->head) {
			memmove(t->q, t->q + t->head, t->n * sizeof(*t->q));
			t->head = 0;
		}
		if (t->n == t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 16;
			struct pending *q = realloc(t->q, cap * sizeof(*q));
			if (!q) {
				snprintf(err, errlen, "out of memory queueing sample '%s'",
					 req->sample_id);
				return -1;
			}
			t->q = q;
			t->cap = cap;
		}
	}
	p = &t->q[t->head + t->n];
	p->id = req->id;
	p->prompt = dup_str(req->prompt ? req->prompt : "");
	if (!p->prompt) {
		snprintf(err, errlen, "out of memory queueing sample '%s'", req->sample_id);
		return -1;
	}
	/* YOUR MODEL: keep what it needs too -- req->images[i].path (or .b64),
	 * req->system, req->max_tokens, req->temperature, req->stop... are
	 * borrowed and gone after this returns. */
	p->n_images = req->n_images;
	p->t_submit = now_s();
	t->n++;
	return 0;
}

static int template_poll(void *self, int timeout_ms, struct vl_response *out, int max)
{
	struct template_backend *t = self;
	int k = 0;

	(void)timeout_ms;  /* everything queued is answered at once */
	/* YOUR MODEL: run the queued prompts (up to max) as one batch here and
	 * fill one response per request.  Nothing queued: return 0 at once. */
	while (t->n && k < max) {
		struct pending *p = &t->q[t->head];
		struct vl_response *r = &out[k];
		const char *text = t->answer ? t->answer
					     : (strstr(p->prompt, t->word) ? "yes" : "no");

		memset(r, 0, sizeof(*r));
		r->id = p->id;
		r->text = dup_str(text);
		if (!r->text)
			break;             /* out of memory: it stays queued */
		r->prompt_tokens = -1;      /* fill these if your engine counts */
		r->completion_tokens = -1;
		r->latency_s = now_s() - p->t_submit;
		r->ttft_s = -1;
		r->gpu_mem_peak_mb = -1;    /* e.g. torch.cuda.max_memory_allocated */
		free(p->prompt);
		t->head++;
		t->n--;
		t->answered++;
		k++;
	}
	if (!t->n)
		t->head = 0;
	return k;
}

static void template_stats(void *self, struct vl_backend_stats *out)
{
	/* In-process: the host measures its own CPU and RSS.  Report the
	 * accelerator's peak here if you have one. */
	(void)self;
	out->gpu_mem_peak_mb = -1;
}

static void template_close(void *self)
{
	struct template_backend *t = self;

	/* YOUR MODEL: unload it.  Requests still queued are abandoned. */
	for (size_t i = 0; i < t->n; i++)
		free(t->q[t->head + i].prompt);
	free(t->q);
	free(t->answer);
	free(t->word);
	memset(t, 0, sizeof(*t));
}

/* The keys open() reads: the host refuses any other key (with a "did you
 * mean"), shows these with `vleval backends plugin --path LIB.so`, and
 * puts the VL_OPTION_ANSWERS ones in the response cache key.  Add a row for
 * each option of your model (a checkpoint path, a precision, ...). */
static const struct vl_backend_option template_options[] = {
	{ .key = "answer", .type = VL_OPTION_STRING,
	  .meaning = "a fixed answer for every sample", .flags = VL_OPTION_ANSWERS },
	{ .key = "word", .type = VL_OPTION_STRING, .dflt = "dog",
	  .meaning = "answer yes when the prompt contains this word",
	  .flags = VL_OPTION_ANSWERS },
	{ .key = NULL },
};

static const struct vl_backend_methods template_methods = {
	.version = VL_BACKEND_API_VERSION,
	.instance_size = sizeof(struct template_backend),
	.name = "plugin-template",
	.description = "template plugin: answers yes when the prompt has --set word=W",
	.caps = 0,          /* VL_CAP_IMAGES once your model sees the images */
	.open = template_open,
	.submit = template_submit,
	.poll = template_poll,
	.close = template_close,
	.stats = template_stats,
	.options = template_options,   /* since 1.1 */
};

__attribute__((visibility("default")))
const struct vl_backend_methods *vl_backend_entry(int host_api_version)
{
	/* Same major: the host knows every member this struct has.  A newer
	 * minor host is fine too: members are only ever appended. */
	if (host_api_version / 1000 != VL_BACKEND_API_MAJOR)
		return NULL;
	return &template_methods;
}
