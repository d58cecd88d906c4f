/*
 * vl.h - vleval's core types, shared by every folder.
 *
 * Only plain C here: no SQLite, curl, cJSON or PCRE2 types, so that datasets/,
 * metrics/ and backends/ can include it without pulling in each other's
 * dependencies (tests/integration/layering.sh checks the floors).
 *
 * Conventions used across the code base:
 *   - functions return 0 on success and a negative VL_E* code on failure;
 *   - an optional `struct vl_buf *err` receives a one-line lowercase message
 *     without a full stop that names the file, line or sample concerned;
 *   - every pointer member says who owns it.
 */
#ifndef VL_H
#define VL_H

#include <stddef.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/buf.h"

#ifndef VL_VERSION
#define VL_VERSION "dev"
#endif

enum vl_error {
	VL_OK = 0,
	VL_EINVAL = -1,   /* bad argument or bad input data */
	VL_ENOMEM = -2,
	VL_EIO = -3,      /* file or network I/O failed */
	VL_ENOTFOUND = -4,
	VL_EPARSE = -5,   /* malformed record; the caller may skip it */
	VL_EFATAL = -6,   /* stop the whole run (e.g. HTTP 401) */
	VL_EAGAIN = -7,   /* try again later */
};

/* A growable vector of owned strings. */
struct vl_strv {
	char **v;      /* owned, each element owned */
	size_t n;
	size_t alloc;
};

void vl_strv_push(struct vl_strv *sv, const char *s);   /* copies s */
void vl_strv_push_owned(struct vl_strv *sv, char *s);  /* takes s */
void vl_strv_release(struct vl_strv *sv);
void vl_strv_clear(struct vl_strv *sv);

/* Task families. */
enum vl_family {
	VL_FAMILY_VQA = 0,
	VL_FAMILY_CAPTION,
	VL_FAMILY_GROUNDING,
	VL_FAMILY_HALLUCINATION,
	VL_FAMILY_MCQ,
	VL_FAMILY_OTHER,
};
const char *vl_family_name(enum vl_family f);
int vl_family_parse(const char *s, enum vl_family *out); /* 0 or VL_EINVAL */

/* Yes/no label of a sample. */
enum vl_label { VL_LABEL_NONE = -1, VL_LABEL_NO = 0, VL_LABEL_YES = 1 };

/*
 * One evaluation sample, as a loader produces it.  All strings are owned by
 * the sample and freed by vl_sample_release.  Fields a dataset does not have
 * stay NULL / empty / -1.
 */
struct vl_sample {
	char *id;                  /* stable id: the dataset's own id as a string */
	size_t index;              /* 0-based position in the dataset's order */

	/* prompt parts */
	char *question;            /* question, expression or instruction */
	char *hint;                /* MCQ hint / context */
	struct vl_strv options;    /* MCQ option texts, A, B, C ... in order */
	struct vl_strv images;     /* image paths, resolved (absolute or cwd-relative) */
	char *image_b64;           /* inline base64 image (VLMEvalKit TSV), or NULL */

	/* ground truth */
	struct vl_strv answers;    /* VQA: every annotator answer in order (10 for
	                              VQAv2); exact match: accepted answers */
	struct vl_strv captions;   /* reference captions */
	struct vl_strv objects;    /* CHAIR: ground-truth object categories */
	int label;                 /* enum vl_label */
	char *label_text;          /* the raw label string ("yes", "no", "Yes") */
	char *answer_letter;       /* MCQ: "B" */
	double box[4];             /* grounding GT box, pixels, x1 y1 x2 y2 */
	int has_box;
	int image_w, image_h;      /* image size in pixels, 0 when unknown */

	/* metadata for breakdowns: parallel key/value vectors */
	struct vl_strv meta_keys;
	struct vl_strv meta_vals;
};

void vl_sample_init(struct vl_sample *s);
void vl_sample_release(struct vl_sample *s);
void vl_sample_set_meta(struct vl_sample *s, const char *key, const char *val);
const char *vl_sample_meta(const struct vl_sample *s, const char *key); /* NULL if absent */

/*
 * A sample's reference as the metrics see it, as one JSON object: the
 * ground truth ("answers", "captions", "objects", "label" "yes"/"no",
 * "label_text", "answer_letter", "options", "box" [x1,y1,x2,y2],
 * "image_size" [w,h]), the image paths ("images": a metric may group by
 * image) and the metadata ("meta": {key: value}, breakdowns and metrics).
 * Absent fields are left out; numbers are written so that they read back to
 * the same double.  The run log stores it per sample, and scoring finishes
 * the metrics from it, so vl_sample_ref_parse(vl_sample_ref_json(s)) must
 * give a sample every metric scores exactly like s.
 */
void vl_sample_ref_json(const struct vl_sample *s, struct vl_buf *out);  /* appends */
/* Fills the reference fields of s (which the caller initialised; id,
 * question and index are left alone) from json[0..n).  0, or VL_EPARSE with
 * err saying what is wrong (the caller names the sample). */
int vl_sample_ref_parse(const char *json, size_t n, struct vl_sample *s, struct vl_buf *err);

/* Generation parameters of a request. Unset numeric values are negative. */
struct vl_gen_params {
	int max_tokens;        /* -1: backend default */
	double temperature;    /* <0: backend default */
	double top_p;          /* <0: backend default */
	long long seed;        /* -1: none */
	struct vl_strv stop;   /* owned stop strings */
};

void vl_gen_params_init(struct vl_gen_params *g);
void vl_gen_params_release(struct vl_gen_params *g);

/* Ordered key/value pairs (task options, --set values, backend config).
 * Later entries with the same key override earlier ones on lookup. */
struct vl_kv {
	struct vl_strv keys;
	struct vl_strv vals;
};

void vl_kv_set(struct vl_kv *kv, const char *key, const char *val);
const char *vl_kv_get(const struct vl_kv *kv, const char *key);    /* NULL if absent */
const char *vl_kv_get_or(const struct vl_kv *kv, const char *key, const char *dflt);
/* Parses an integer / double value; *out untouched and VL_EINVAL (err names
 * the key) when present but malformed; dflt when absent. */
int vl_kv_get_long(const struct vl_kv *kv, const char *key, long dflt, long *out, struct vl_buf *err);
int vl_kv_get_double(const struct vl_kv *kv, const char *key, double dflt, double *out, struct vl_buf *err);
void vl_kv_release(struct vl_kv *kv);

/* A hash map from strings (copied) to pointers (owned by the caller unless
 * a free function is given to vl_strmap_release). */
struct vl_strmap {
	char **keys;
	void **vals;
	size_t cap, n;
};

/* Inserts or replaces; returns 1 when key was new, 0 when replaced. */
int vl_strmap_put(struct vl_strmap *m, const char *key, void *val);
/* Pointer to the value slot of key, or NULL when absent. */
void **vl_strmap_find(const struct vl_strmap *m, const char *key);
void vl_strmap_release(struct vl_strmap *m, void (*free_val)(void *));

/* Deterministic seeded random numbers (splitmix64): same seed, same stream
 * on every machine, which the bootstrap and the random baseline rely on. */
struct vl_rng { uint64_t state; };
void vl_rng_seed(struct vl_rng *r, uint64_t seed);
uint64_t vl_rng_next(struct vl_rng *r);
size_t vl_rng_below(struct vl_rng *r, size_t n);  /* uniform in [0, n) */
double vl_rng_unit(struct vl_rng *r);             /* uniform in [0, 1) */

/* Monotonic clock in seconds, and wall clock (Unix epoch) in seconds. */
double vl_now(void);
double vl_wall_time(void);
/* User + system CPU seconds of RUSAGE_SELF or RUSAGE_CHILDREN; -1 on error. */
double vl_cpu_seconds(int who);

/* 64-bit FNV-1a, for ids and cache keys where collisions only cost a miss. */
uint64_t vl_hash64(const void *data, size_t n, uint64_t seed);
#define VL_HASH_SEED 0xcbf29ce484222325ULL

/* Limits on text vleval accepts (README "Limits"): a model output past
 * VL_MAX_OUTPUT_BYTES is recorded as that sample's error, a reference
 * (caption, answer) past VL_MAX_REFERENCE_BYTES makes its record a bad
 * one.  They bound the caption metrics, whose ROUGE-L is quadratic in the
 * lengths (as in the official scorer), to a few seconds a sample. */
#define VL_MAX_OUTPUT_BYTES (64 * 1024)
#define VL_MAX_REFERENCE_BYTES (8 * 1024)

/* A 64-bit hash for bulk data (image bytes): eight bytes a step, about ten
 * times faster than vl_hash64 on large inputs.  Not cryptographic; used
 * where an accidental collision only costs a cache hit on equal-length data. */
uint64_t vl_hash64_bulk(const void *data, size_t n, uint64_t seed);

/* Joins root and rel into out ("rel" as is when absolute or root empty). */
void vl_path_join(struct vl_buf *out, const char *root, const char *rel);

/* Reads a whole file into *out (NUL-terminated).  Fills err naming path. */
int vl_read_file(const char *path, struct vl_buf *out, struct vl_buf *err);

/* Checks that s is valid UTF-8; on failure *bad_off is the first bad byte. */
int vl_utf8_valid(const char *s, size_t n, size_t *bad_off);

/* A copy of url fit to store or print: the userinfo (user:password@) is
 * dropped and the value of every query parameter whose name says it is a
 * credential (key, token, secret, password, auth, sig...) becomes "***".
 * Text that is not a URL comes back unchanged.  Caller frees with vl_free;
 * NULL only when url is NULL. */
char *vl_url_redact(const char *url);

/* When the string *s (owned, allocated with vl_malloc or malloc) is not
 * valid UTF-8, replaces it with a copy where each bad byte is U+FFFD and
 * returns how many were replaced; 0 (and *s untouched) when it is valid. */
size_t vl_utf8_repair(char **s);

/* v as a long long when it is a whole number that one can hold (|v| below
 * 2^63): 0 and *out set; -1 for a fraction, NaN, an infinity or a number
 * out of range, whose conversion would be undefined ("prompt_tokens":
 * 1e300 from a server; fuzz_openai_response, fuzz_sse and fuzz_replay
 * found such conversions). */
int vl_whole_ll(double v, long long *out);

/* Levenshtein distance of two strings' bytes, for "did you mean"
 * suggestions. */
size_t vl_edit_distance(const char *a, const char *b);
/* The same over a[0..na) and b[0..nb) (code points: ANLS), with a work row
 * the caller keeps between calls (*work grown to nb + 1 entries, *work_cap
 * its size; free with vl_free), so a scorer allocates only while it grows. */
size_t vl_edit_distance_u32(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
			    size_t **work, size_t *work_cap);

#include "core/banned.h"

#endif
