/*
 * openai_int.h - what the files of backend "openai" share: the backend's
 * state and a request's job.  Internal to backends/openai*.c.
 *
 *   openai.c        the backend's methods: options, open, submit, poll, close
 *   openai_http.c   the transport: the I/O thread driving libcurl on epoll
 *   openai_body.c   request bodies; openai_proto.c responses and streams;
 *   openai_retry.c  backoff, Retry-After, rate limits; openai_secret.c the key
 */
#ifndef VL_OPENAI_INT_H
#define VL_OPENAI_INT_H

#include "backends/openai.h"

#include <curl/curl.h>
#include <pthread.h>

/* The most of one response that is read.  An answer holds at most
 * VL_MAX_OUTPUT_BYTES (64 KB) of text, which JSON escapes make at most 6
 * times longer; 8 MB leaves room for the rest (usage, logprobs, the SSE
 * framing of a streamed answer) and bounds the memory of a window of
 * transfers at 8 MB each.  A server sending more gets its transfer stopped
 * there, and a stream its transfer stopped once its text passes
 * VL_MAX_OUTPUT_BYTES: that sample's error, not retried (the fault
 * matrix's 50 MB answers cost 0.26 s CPU and 40 MB of memory each when they
 * were read whole, up to 64 MB, only to be refused by the runner). */
#define VL_OPENAI_MAX_BODY ((size_t)8 << 20)

struct job {
	struct job *next_free;
	uint64_t id;
	double t_submit;
	double t_first;           /* first token (stream), 0 until then */
	double not_before;        /* backoff: no attempt before this time */
	struct vl_openai_body body;  /* built once, read out on every attempt */
	struct vl_buf resp;       /* raw body of the current attempt */
	struct vl_buf lasterr;    /* why the last attempt failed */
	struct vl_sse sse;
	CURL *easy;               /* while in flight */
	size_t live;              /* index in openai.live while in flight */
	int url;                  /* index of the replica in use */
	int attempts;
	int resends;              /* requests libcurl sent again by itself */
	int too_big;              /* stopped: 1 body over VL_OPENAI_MAX_BODY,
				   * 2 streamed text over VL_MAX_OUTPUT_BYTES */
	long status;              /* HTTP status of the current attempt */
	double retry_after;       /* seconds, -1 none */
	long long bytes_sent, bytes_received;
	double cost;              /* tokens estimated for the tpm bucket */
	char finish[VL_FINISH_REASON_MAX]; /* the answer's finish_reason, "" none */
};

/*
 * Two threads share this struct.  The caller's thread (the runner) calls
 * submit() and poll(); the I/O thread owns libcurl (the multi handle, the
 * easy handles, epoll), the queues of waiting and live jobs, the rate
 * buckets and the backoff.  They meet only under mu: the inbox (submitted
 * jobs the I/O thread has not taken yet), the done list, the free jobs.
 * The configuration above "I/O thread only" is set by open() before the
 * thread starts and only read afterwards.
 */
struct openai {
	struct curl_slist *headers;   /* holds the Authorization header */
	char **urls;                  /* {base}/chat/completions, owned */
	char **shown;                 /* the same without user:password@ */
	int *inflight;                /* per url */
	int nurls, rr;
	char *key;                    /* API key, owned, wiped at close */
	char *key_env;
	char *model;
	struct vl_buf extra;          /* extra_body members */
	unsigned extra_keys;
	int stream, stream_usage, image_url_mode, retries, tls_verify;
	int preflight;                /* check the servers before the first sample */
	long http_version;
	double timeout_s, backoff_s, backoff_max_s, retry_after_max_s;
	double concurrency;           /* 0: not set */
	size_t max_response;

	/* I/O thread only */
	CURLM *multi;
	int ep;                       /* epoll set: libcurl's sockets and wake_fd */
	double timer_due;             /* libcurl's timeout (vl_now() time); -1 none */
	struct vl_openai_bucket rpm, tpm;
	struct vl_rng rng;
	CURL **easy_pool;
	size_t neasy, capeasy;
	struct job **wait;            /* taken from the inbox: not started or backing off */
	size_t nwait, capwait;
	struct job **live;            /* transfers in the multi handle */
	size_t running, caplive;
	int completed;                /* a response was added since the last signal */

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;            /* the runner waits here for responses */
	struct job **inbox;           /* submitted, not yet taken by the I/O thread */
	size_t ninbox, capinbox;
	struct vl_response *done;     /* completed, not yet polled */
	size_t ndone, capdone;
	struct job *free_jobs;
	long outstanding;             /* submitted and not yet returned by poll() */
	long requests_sent;           /* HTTP requests including retries */
	int io_sleeping;              /* the I/O thread waits in epoll_wait */
	int wake_pending;             /* wake_fd written and not yet read */
	int runner_waiting;
	int stop;                     /* close() asks the I/O thread to end */
	int io_failed;                /* the I/O thread hit a libcurl or epoll error */

	int wake_fd;                  /* eventfd: submit() and close() wake the I/O thread */
	pthread_t io;
	int io_started, sync_made;
};

/* openai_http.c: the transport. */

/* Creates libcurl's multi handle, the epoll set and the request headers of
 * o (its options read already) and starts the I/O thread.  -1 with err;
 * vl_openai_http_stop() cleans up after a failure too. */
int vl_openai_http_start(struct openai *o, char *err, size_t errlen);
/* Stops the I/O thread and frees libcurl's state and every job (in flight
 * or not): o's configuration is left to the caller. */
void vl_openai_http_stop(struct openai *o);
/* A free job (reset by the caller) or a new one; vl_openai_job_put gives it
 * back unused.  Caller's thread. */
struct job *vl_openai_job_get(struct openai *o);
void vl_openai_job_put(struct openai *o, struct job *j);
/* Hands j (its body built) to the I/O thread. */
void vl_openai_enqueue(struct openai *o, struct job *j);
/* Waits at most timeout_ms for responses and moves up to max to out: the
 * count, or -1 when the I/O thread failed. */
int vl_openai_take_done(struct openai *o, int timeout_ms, struct vl_response *out, int max);

/* openai_preflight.c: the server check of each base URL (o's headers
 * built).  Returns 0, or -1 with err naming the server and the fault. */
int vl_openai_check_servers(struct openai *o, char *err, size_t errlen);

#endif
