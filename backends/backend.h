/*
 * backend.h - the model backend interface.  This is the one header a plugin
 * needs: it depends on nothing but the C standard library.
 *
 * The pattern is SQLite's sqlite3_vfs: a versioned struct of function
 * pointers.  `version` comes first; members are only ever appended, each
 * commented with the version that added it; the host reads a member only
 * when the struct's version says it is there.  The host allocates
 * instance_size zeroed bytes and passes them as `self` to every method.
 *
 * The interface is asynchronous so that one thread drives hundreds of
 * requests in flight: submit() queues a request and returns at once, poll()
 * returns the requests that completed.  A backend that computes its answer
 * synchronously may do so in submit() and hand it out at the next poll().
 *
 * A plugin (.so) exports one function named by VL_BACKEND_ENTRY:
 *
 *     const struct vl_backend_methods *vl_backend_entry(int host_api_version);
 *
 * It may return NULL if it cannot serve that host.  The host refuses a
 * plugin whose major version differs from its own.  See
 * backends/plugin-template.c for a complete plugin to copy.
 */
#ifndef VL_BACKEND_H
#define VL_BACKEND_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VL_BACKEND_API_MAJOR 1
#define VL_BACKEND_API_MINOR 2
#define VL_BACKEND_API_VERSION (VL_BACKEND_API_MAJOR * 1000 + VL_BACKEND_API_MINOR)
#define VL_BACKEND_ENTRY "vl_backend_entry"

/* Capability bits. */
#define VL_CAP_BASELINE   0x01u  /* a reference baseline, not a model */
#define VL_CAP_IMAGES     0x02u  /* sends the images to a model */
#define VL_CAP_STREAM     0x04u  /* can measure time to first token */
#define VL_CAP_USAGE      0x08u  /* reports token counts */
#define VL_CAP_TRUTH      0x10u  /* reads vl_request.truth (the oracle) */
#define VL_CAP_REMOTE     0x20u  /* talks to a server: retries, rate limits */
#define VL_CAP_CACHEABLE  0x40u  /* deterministic requests may be cached */

/*
 * v1.1: an option a backend reads from its config, one row of the table
 * `options` points to.  The host uses the table to refuse unknown keys
 * ("did you mean"), to check each value against its type before open(), to
 * show `vleval backends NAME`, and to build the response cache key from the
 * options that change answers (VL_OPTION_ANSWERS) and no others.
 */
enum vl_option_type {
	VL_OPTION_STRING,            /* any text */
	VL_OPTION_INT,               /* an integer in [min, max] */
	VL_OPTION_NUMBER,            /* a finite number in [min, max] */
	VL_OPTION_BOOL,              /* 0 or 1 */
	VL_OPTION_CHOICE,            /* one of the '|'-separated words in choices */
	VL_OPTION_JSON,              /* a JSON text (checked by the backend) */
};

#define VL_OPTION_ANSWERS   0x01u  /* changes answers: part of the cache key */
#define VL_OPTION_REQUIRED  0x02u  /* open() fails without it */
#define VL_OPTION_UNBOUNDED 1e300  /* max of a range open above */

struct vl_backend_option {
	const char *key;             /* NULL ends the table */
	enum vl_option_type type;
	const char *dflt;            /* the default as text (parsed like a value),
	                                or NULL: none */
	const char *meaning;         /* one line, for `vleval backends NAME` */
	unsigned flags;              /* VL_OPTION_* */
	double min, max;             /* INT, NUMBER: accepted range; both 0:
	                                any value */
	const char *choices;         /* CHOICE: "base64|url" */
};

/* Configuration: --set key=value pairs plus the dedicated flags (model,
 * base_url, timeout, ...).  Never contains secrets: API keys are read from
 * the environment variable named by "api_key_env". */
struct vl_backend_config {
	size_t n;
	const char *const *keys;
	const char *const *values;
};

static inline const char *vl_backend_config_get(const struct vl_backend_config *c,
						const char *key)
{
	for (size_t i = c->n; i-- > 0;)
		if (strcmp(c->keys[i], key) == 0)
			return c->values[i];
	return NULL;
}

/* An image of a request: a file path, or inline base64 data. */
struct vl_image {
	const char *path;   /* file to send, or NULL */
	const char *b64;    /* base64 of the file's bytes, or NULL */
	const char *mime;   /* "image/jpeg"..., or NULL to sniff */
};

/* A request.  Everything is borrowed for the duration of submit(): a
 * backend that answers later copies what it needs. */
struct vl_request {
	uint64_t id;                 /* host's handle, echoed in the response */
	const char *sample_id;
	const char *system;          /* system prompt, or NULL */
	const char *prompt;          /* rendered user text */
	const struct vl_image *images;
	size_t n_images;
	int max_tokens;              /* -1: backend default */
	double temperature;          /* < 0: backend default */
	double top_p;                /* < 0: backend default */
	long long seed;              /* -1: none */
	const char *const *stop;
	size_t n_stop;
	/* Baselines only.  truth: the ground truth rendered as a model output
	 * (VL_CAP_TRUTH backends only; NULL for every other backend).
	 * choices: the answers a random guesser picks from (yes/no, option
	 * letters), NULL-terminated, or NULL. */
	const char *truth;
	const char *const *choices;
};

/* A completed request, filled by poll().  text and error are allocated with
 * malloc by the backend and freed with free by the host. */
struct vl_response {
	uint64_t id;                 /* vl_request.id */
	char *text;                  /* the model's answer; NULL on error */
	char *error;                 /* NULL on success: one line, no secrets */
	int fatal;                   /* 1: every further request would fail too
	                                (401, 403, 404, bad config): stop the run */
	int http_status;             /* 0 when not HTTP */
	long prompt_tokens;          /* -1 unknown */
	long completion_tokens;      /* -1 unknown */
	double latency_s;            /* submit to last byte; -1 unknown */
	double ttft_s;               /* submit to first token; -1 unknown */
	long long bytes_sent;
	long long bytes_received;
	int retries;
	double gpu_mem_peak_mb;      /* reported by the engine; -1 unknown */
	/* v1.2: why the answer ended, as the server said it ("stop",
	 * "length": cut by max_tokens or a full context, ...), malloc'd and
	 * freed by the host; NULL unknown.  A plugin built for 1.0 or 1.1
	 * writes shorter structs: the host then polls it one response at a
	 * time into a zeroed struct of this size, so this member stays NULL
	 * and the array stride never differs between host and plugin. */
	char *finish_reason;
};

/* Resource use of the backend's own processes (workers), for cost reports. */
struct vl_backend_stats {
	double cpu_s;                /* CPU seconds of child processes; -1 unknown */
	double peak_rss_mb;          /* largest child RSS; -1 unknown */
	double gpu_mem_peak_mb;      /* -1 unknown */
	long requests_sent;          /* HTTP requests including retries */
};

struct vl_backend_methods {
	int version;                 /* VL_BACKEND_API_VERSION it was built for */
	size_t instance_size;        /* bytes the host allocates for self */
	const char *name;
	const char *description;
	unsigned caps;               /* VL_CAP_* */

	/* Opens the backend.  Returns 0, or a negative value with a message in
	 * err (errlen bytes, NUL-terminated, no secrets); a failed open frees
	 * whatever it allocated, since close is called only after a good one. */
	int (*open)(void *self, const struct vl_backend_config *cfg,
		    char *err, size_t errlen);
	/* Queues a request.  Returns 0, or negative with err filled when the
	 * request cannot even be queued (the host records it as the sample's
	 * error). */
	int (*submit)(void *self, const struct vl_request *req, char *err, size_t errlen);
	/* Waits at most timeout_ms for completions and writes up to max of them
	 * to out.  Returns the number written (0 on timeout), negative on a
	 * fatal internal error. */
	int (*poll)(void *self, int timeout_ms, struct vl_response *out, int max);
	/* Frees everything; in-flight requests are abandoned. */
	void (*close)(void *self);
	/* v1.0: optional (may be NULL). */
	void (*stats)(void *self, struct vl_backend_stats *out);
	/* v1.1: optional.  The config keys the backend reads, ended by a row
	 * whose key is NULL.  With a table, a key that is neither in it nor one
	 * of the host's own (delay_ms, concurrency, model, max_image_side) is an
	 * error, and only VL_OPTION_ANSWERS keys enter the cache key.  Without
	 * one (NULL, or a plugin built for 1.0) every key is accepted and every
	 * key but the host's speed knobs enters the cache key. */
	const struct vl_backend_option *options;
};

typedef const struct vl_backend_methods *(*vl_backend_entry_fn)(int host_api_version);

#endif
