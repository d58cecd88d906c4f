/*
 * openai_preflight.c - one cheap look at each server before the first
 * sample, so that a refused connection, a TLS handshake with a plain-HTTP
 * server, a wrong path, a refused key or an unknown model is reported in a
 * second instead of after minutes of retries (a 9,000-sample POPE run
 * against a dead llama-server spent ~100 minutes failing).
 *
 * The look: GET {base}/models (answered by vLLM, SGLang, llama.cpp,
 * Ollama and hosted APIs; free).  A list of models is checked for the
 * --model given.  A server without /models (404) gets a one-token chat
 * completion instead, which tells a wrong path (404) from a working one.
 * Server errors (5xx) are not judged here: the run's retries handle them.
 * `--no-preflight` (preflight=0) skips all of it.
 */
#include "backends/openai.h"
#include "backends/openai_int.h"

#include <cjson/cJSON.h>
#include <string.h>

#include <curl/curl.h>

struct reply {
	struct vl_buf body;
	int tcp_up;      /* the TCP connection was made */
	int tls_up;      /* and the TLS handshake finished (https) */
};

/* Seconds the connect phase (TCP and TLS handshake) may take. */
#define CONNECT_LIMIT 3.0

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct reply *r = ctx;

	if (r->body.len < 65536)   /* enough for any model list we read */
		vl_buf_add(&r->body, p, size * n);
	return size * n;
}

/* One request; fills *status (0 when no HTTP answer) and the body.  Returns
 * the libcurl code. */
static CURLcode ask(const char *url, const struct vl_openai_preflight *pf, const char *post,
		    long *status, struct reply *r)
{
	CURL *h = curl_easy_init();
	CURLcode rc;
	double limit = pf->timeout_s > 0 && pf->timeout_s < 10 ? pf->timeout_s : 10;

	*status = 0;
	if (!h)
		return CURLE_OUT_OF_MEMORY;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, pf->headers);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(limit * 1000));
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(1000 * (limit < CONNECT_LIMIT ? limit : CONNECT_LIMIT)));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	if (!pf->tls_verify) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (pf->http_version)
		curl_easy_setopt(h, CURLOPT_HTTP_VERSION, pf->http_version);
	if (post) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(post));
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	{
		double tcp = 0, tls = 0;
		curl_easy_getinfo(h, CURLINFO_CONNECT_TIME, &tcp);
		curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME, &tls);
		r->tcp_up = tcp > 0;
		r->tls_up = tls > 0;
	}
	curl_easy_cleanup(h);
	return rc;
}

/* The message of a transport failure, naming the phase. */
static void transport_error(const char *base, CURLcode rc, const struct reply *r,
			    double timeout, struct vl_buf *err)
{
	int https = !strncmp(base, "https:", 6);

	vl_buf_addf(err, "server check: cannot reach '%s': ", base);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		vl_buf_adds(err, "connection refused (is the server running on that port?)");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		vl_buf_adds(err, "unknown host name");
		break;
	case CURLE_OPERATION_TIMEDOUT:
		if (https && !r->tls_up)
			vl_buf_addf(err, "no connection or TLS handshake within %g s; a server "
				    "that speaks plain HTTP never answers a TLS handshake: is it a "
				    "plain-HTTP server (http://)?", CONNECT_LIMIT);
		else if (!r->tcp_up)
			vl_buf_addf(err, "no connection within %g s", CONNECT_LIMIT);
		else
			vl_buf_addf(err, "connected, but no answer within %g s",
				    timeout > 0 && timeout < 10 ? timeout : 10);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		vl_buf_addf(err, "the TLS handshake failed (%s)%s", curl_easy_strerror(rc),
			    https ? "; is it a plain-HTTP server (http://)?" : "");
		break;
	default:
		vl_buf_adds(err, curl_easy_strerror(rc));
		break;
	}
	vl_buf_adds(err, " (--no-preflight skips this check)");
}

/* Looks for model among the ids of an OpenAI model list; 1 when the body
 * is no list (or an empty one), so nothing can be said. */
static int model_listed(const struct vl_buf *body, const char *model, struct vl_buf *names)
{
	cJSON *j = cJSON_ParseWithLength(body->buf ? body->buf : "", body->len);
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data"), *m;
	int found = 0, any = 0;

	if (!cJSON_IsArray(data))
		data = NULL;
	cJSON_ArrayForEach(m, data) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "id"));
		if (!id)
			continue;
		any++;
		if (!strcmp(id, model))
			found = 1;
		if (any <= 12)
			vl_buf_addf(names, "%s'%s'", any > 1 ? ", " : "", id);
	}
	cJSON_Delete(j);
	return found || !any;
}

static int check_one(const char *root, const char *base, const struct vl_openai_preflight *pf,
		     struct vl_buf *err)
{
	struct vl_buf url = VL_BUF_INIT, names = VL_BUF_INIT, post = VL_BUF_INIT;
	struct reply r = { VL_BUF_INIT, 0, 0 };
	long status;
	CURLcode rc;
	int ret = VL_EINVAL;

	vl_buf_addf(&url, "%s/models", root);
	rc = ask(vl_buf_str(&url), pf, NULL, &status, &r);
	if (rc != CURLE_OK) {
		transport_error(base, rc, &r, pf->timeout_s, err);
		goto out;
	}
	if (status == 401 || status == 403) {
		vl_buf_addf(err, "server check: '%s' refused the API key (HTTP %ld): check $%s",
			    base, status, pf->key_env ? pf->key_env : "OPENAI_API_KEY");
		goto out;
	}
	if (status == 200) {
		if (pf->model && !model_listed(&r.body, pf->model, &names)) {
			vl_buf_addf(err, "server check: '%s' does not serve model '%s'; it offers %s",
				    base, pf->model, vl_buf_str(&names));
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (status >= 500) {
		ret = 0;   /* up but unwell: the run's retries decide */
		goto out;
	}
	/* no /models here: one token of chat tells a wrong path from a right one */
	vl_buf_reset(&url);
	vl_buf_reset(&r.body);
	vl_buf_addf(&url, "%s/chat/completions", root);
	vl_buf_adds(&post, "{\"model\":");
	vl_buf_add_json_str(&post, pf->model ? pf->model : "default");
	vl_buf_adds(&post, ",\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}],"
		    "\"max_tokens\":1}");
	rc = ask(vl_buf_str(&url), pf, vl_buf_str(&post), &status, &r);
	if (rc != CURLE_OK) {
		transport_error(base, rc, &r, pf->timeout_s, err);
	} else if (status == 404) {
		vl_buf_addf(err, "server check: '%s' has no chat completions (HTTP 404 for "
			    "%s/chat/completions); the base URL usually ends in /v1", base, base);
	} else if (status == 401 || status == 403) {
		vl_buf_addf(err, "server check: '%s' refused the API key (HTTP %ld)", base, status);
	} else {
		ret = 0;   /* 2xx, or a 4xx about the tiny request itself */
	}
out:
	vl_buf_release(&url);
	vl_buf_release(&names);
	vl_buf_release(&post);
	vl_buf_release(&r.body);
	return ret;
}

int vl_openai_preflight(const struct vl_openai_preflight *pf, struct vl_buf *err)
{
	for (size_t i = 0; i < pf->nbases; i++)
		if (check_one(pf->bases[i], pf->shown[i], pf, err) < 0)
			return VL_EINVAL;
	return 0;
}

int vl_openai_check_servers(struct openai *o, char *err, size_t errlen)
{
	char **bases = vl_xcalloc((size_t)o->nurls, sizeof(char *));
	char **shown = vl_xcalloc((size_t)o->nurls, sizeof(char *));
	struct vl_openai_preflight pf = {
		.bases = (const char *const *)bases, .shown = (const char *const *)shown,
		.nbases = (size_t)o->nurls, .headers = o->headers, .model = o->model,
		.key_env = o->key_env, .timeout_s = o->timeout_s, .tls_verify = o->tls_verify,
		.http_version = o->http_version,
	};
	struct vl_buf e = VL_BUF_INIT;
	int rc;

	/* the URLs end in /chat/completions (17 bytes): the check wants the root */
	for (int i = 0; i < o->nurls; i++) {
		bases[i] = vl_xstrndup(o->urls[i], strlen(o->urls[i]) - 17);
		shown[i] = vl_xstrndup(o->shown[i], strlen(o->shown[i]) - 17);
	}
	rc = vl_openai_preflight(&pf, &e);
	if (rc < 0)
		snprintf(err, errlen, "%s", vl_buf_str(&e));
	for (int i = 0; i < o->nurls; i++) {
		vl_free(bases[i]);
		vl_free(shown[i]);
	}
	vl_free(bases);
	vl_free(shown);
	vl_buf_release(&e);
	return rc < 0 ? -1 : 0;
}
