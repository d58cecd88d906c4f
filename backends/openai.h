/*
 * openai.h - the pure parts of the OpenAI-compatible backend (backends/
 * openai.c), exposed so that tests/unit/test_openai.c can check them row by
 * row without a server: request body building, response and server-sent
 * event parsing, Retry-After parsing, the backoff schedule, key redaction.
 * The backend itself is reached through backends/host.h as "openai".
 */
#ifndef VL_OPENAI_H
#define VL_OPENAI_H

#include "backends/backend.h"
#include "core/vl.h"

/* Body keys that config "extra_body" may override (bit per key). */
enum {
	VL_OAI_K_MODEL = 1u << 0,
	VL_OAI_K_MAX_TOKENS = 1u << 1,
	VL_OAI_K_TEMPERATURE = 1u << 2,
	VL_OAI_K_TOP_P = 1u << 3,
	VL_OAI_K_SEED = 1u << 4,
	VL_OAI_K_STOP = 1u << 5,
	VL_OAI_K_STREAM = 1u << 6,
	VL_OAI_K_STREAM_OPTIONS = 1u << 7,
};

/* What the body depends on besides the request.  All borrowed. */
struct vl_openai_body_opts {
	const char *model;          /* NULL: no "model" key */
	const char *extra_members;  /* from vl_openai_extra_body, or NULL */
	unsigned extra_keys;        /* VL_OAI_K_* bits extra_members sets */
	int stream;                 /* 1: "stream":true (+ stream_options) */
	int stream_usage;           /* 1: ask for usage in the last chunk */
	int image_url_mode;         /* 1: local paths as file:// URLs */
};

/*
 * Parses config "extra_body" (a JSON object) into the members text that
 * vl_openai_build_body appends (",\"k\":v..."; empty for {}) and the bits of
 * the standard keys it overrides.  VL_EINVAL with err when it is not a JSON
 * object or tries to set "messages".
 */
int vl_openai_extra_body(const char *json, struct vl_buf *members, unsigned *keys,
			 struct vl_buf *err);

/*
 * A request body as a plan: the JSON text with each local image left out
 * (a hole), and the images' raw bytes.  The base64 is produced only when
 * vl_openai_body_read() copies the body out, straight into the caller's
 * buffer (libcurl's upload buffer), so the 4/3-sized string is never built.
 */
struct vl_openai_hole {
	size_t at;              /* offset in text where the image's base64 goes */
	size_t raw_off;         /* its bytes: raw[raw_off .. raw_off + raw_len) */
	size_t raw_len;
	size_t enc_len;         /* vl_base64_encoded_len(raw_len) */
};

struct vl_openai_body {
	struct vl_buf text;     /* every byte that is not a local image's base64 */
	struct vl_openai_hole *holes;
	size_t nholes, capholes;
	unsigned char *raw;
	size_t rawlen, rawcap;
	size_t len;             /* the whole body's length */
	/* reader: next byte is at body offset pos, i.e. text[tp] or
	 * character eo of hole h */
	size_t pos, h, tp, eo;
};

void vl_openai_body_init(struct vl_openai_body *b);
void vl_openai_body_reset(struct vl_openai_body *b);     /* empty; keeps memory */
void vl_openai_body_release(struct vl_openai_body *b);
size_t vl_openai_body_memory(const struct vl_openai_body *b);  /* bytes allocated */

/*
 * Makes b the chat-completions JSON body of req: images first (as data: URLs
 * of the file, read here, whose base64 comes later; req's inline base64; or
 * http(s)/file URLs), then the text.  Returns 0 with the reader at offset 0,
 * or VL_EIO / VL_EINVAL with err naming the image or field.
 */
int vl_openai_body_build(const struct vl_openai_body_opts *o, const struct vl_request *req,
			 struct vl_openai_body *b, struct vl_buf *err);

/* Copies the next up to cap bytes of the body to dst and returns how many
 * (0 at the end).  Any sequence of cap values gives the same bytes. */
size_t vl_openai_body_read(struct vl_openai_body *b, char *dst, size_t cap);

/* Moves the reader to body offset off (0: start again, for a retry or a
 * libcurl rewind).  VL_EINVAL when off > len. */
int vl_openai_body_seek(struct vl_openai_body *b, size_t off);

/*
 * Appends the whole body of req to out (vl_openai_body_build, then read to
 * the end): for tests and for writing the body to a file.  Returns 0, or
 * VL_EIO / VL_EINVAL with err naming the image or field.
 */
int vl_openai_build_body(const struct vl_openai_body_opts *o,
			 const struct vl_request *req,
			 struct vl_buf *out,
			 struct vl_buf *err);

/* libcurl upload buffer for a body of body_len bytes: the whole body in one
 * read and one send() when it fits, between 64 KB and 512 KB. */
long vl_openai_upload_buffer_size(size_t body_len);

/* Room for a finish_reason ("stop", "length", "content_filter", ...). */
#define VL_FINISH_REASON_MAX 32

/* 1 when s starts with http:// or https:// */
int vl_openai_is_http_url(const char *s);

/*
 * Parses a non-streamed chat-completions response: text gets
 * choices[0].message.content (a string, or the concatenated "text" of an
 * array of parts; null gives ""), *prompt_tokens / *completion_tokens the
 * usage (-1 when absent), finish_reason choices[0].finish_reason ("" when
 * absent; longer values are cut).  VL_EPARSE with err for bodies that are not JSON or
 * lack choices[0].message (truncated, malformed: worth retrying).
 */
int vl_openai_parse_response(const char *body, size_t len,
			     struct vl_buf *text,          /* OUT: appended */
			     long *prompt_tokens,          /* OUT */
			     long *completion_tokens,      /* OUT */
			     char finish_reason[VL_FINISH_REASON_MAX], /* OUT */
			     struct vl_buf *err);

/* The server's own message from an error body ({"error":{"message":..}},
 * {"error":"..."}, {"message":..} or the first 200 bytes of text), one line,
 * appended to out. */
void vl_openai_error_message(const char *body, size_t len, struct vl_buf *out);

/*
 * Incremental parser of a streamed chat completion (server-sent events).
 * Feed it the body in pieces of any size; it collects the deltas' content.
 */
struct vl_sse {
	struct vl_buf line;     /* owned: the unfinished line */
	struct vl_buf text;     /* owned: content collected so far */
	long prompt_tokens;     /* -1 until a usage chunk arrives */
	long completion_tokens;
	int events;             /* data: events seen */
	int done;               /* "data: [DONE]" seen */
	int failed;             /* a malformed event or an error event */
	struct vl_buf err;      /* owned: why, when failed */
	int first_token;        /* set once a non-empty delta arrived */
	char finish_reason[VL_FINISH_REASON_MAX]; /* the last event's, "" none */
};

void vl_sse_init(struct vl_sse *s);
/* Resets for another attempt, keeping memory. */
void vl_sse_reset(struct vl_sse *s);
void vl_sse_release(struct vl_sse *s);
/* Feeds n bytes.  Returns 1 when this piece carried the first non-empty
 * delta (the caller stamps time to first token), else 0. */
int vl_sse_feed(struct vl_sse *s, const char *data, size_t n);

/* Parses a Retry-After value: delta-seconds ("2", "1.5") or an HTTP date
 * (then relative to now_wall, Unix seconds).  Returns seconds >= 0, or -1
 * when absent or unreadable. */
double vl_openai_retry_after(const char *value, double now_wall);

/* Delay before retry number `attempt` (1 = first retry): base * 2^(attempt-1)
 * capped at cap, with "equal jitter": half fixed, half scaled by u in [0,1),
 * so the delay lies in [d/2, d).  A Retry-After of ra >= 0 seconds (capped at
 * ra_cap) replaces it: ra plus up to 10% jitter, never less than ra. */
double vl_openai_backoff(int attempt, double base, double cap, double ra, double ra_cap,
			 double u);

/* Token bucket of a rate limit (rpm, tpm): holds at most one second's
 * worth, so requests go out smoothly with a small burst.  rate 0: no
 * limit. */
struct vl_openai_bucket {
	double rate;              /* per second; 0: no limit */
	double cap, level, last;
};

/* Sets b to per_minute, full, at time now (seconds, any clock). */
void vl_openai_bucket_init(struct vl_openai_bucket *b, double per_minute, double now);
/* Adds what accrued since the last refill, up to the cap. */
void vl_openai_bucket_refill(struct vl_openai_bucket *b, double now);
/* Seconds until b holds need (capped at the bucket's size); 0 when it does. */
double vl_openai_bucket_wait(const struct vl_openai_bucket *b, double need);

/* Replaces every occurrence of key in text (and any word starting with the
 * key's first 8 characters, which catches partly masked echoes) with
 * "[redacted]".  Keys shorter than 4 characters are left alone. */
void vl_openai_redact(struct vl_buf *text, const char *key);

/* The server check before the first sample (openai_preflight.c). */
struct vl_openai_preflight {
	const char *const *bases;    /* server roots ("http://host:8000/v1"), borrowed */
	const char *const *shown;    /* the same without user:password@, for messages */
	size_t nbases;
	struct curl_slist *headers;  /* Content-Type and Authorization, borrowed */
	const char *model;           /* checked against /models when listed; may be NULL */
	const char *key_env;         /* named in a refused-key message */
	double timeout_s;            /* capped at 10 s */
	int tls_verify;
	long http_version;           /* CURL_HTTP_VERSION_*, 0: libcurl's default */
};

/* Checks each server: reachable, TLS as expected, a chat-completions path,
 * the key accepted, the model served.  Returns 0, or VL_EINVAL with err
 * naming the server and what is wrong.  Needs libcurl loaded. */
int vl_openai_preflight(const struct vl_openai_preflight *pf, struct vl_buf *err);

#endif
