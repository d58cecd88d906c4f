/*
 * runpair.c - two run ids to a comparison (see runpair.h).
 */
#include "bench/runpair.h"
#include "bench/task.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

long long vl_runpair_id(struct vl_runlog *rl, const char *s)
{
	char *end;
	long long id;

	if (!s)
		return 0;
	if (!strcmp(s, "last"))
		return vl_runlog_last_run(rl);
	id = strtoll(s, &end, 10);
	return *s && !*end && id > 0 ? id : 0;
}

/* The task of run id and the metric options for its model family. */
static int run_task(struct vl_runlog *rl, long long id, struct vl_task **task, struct vl_kv *opts,
		    struct vl_buf *err)
{
	struct vl_run_info ri;
	cJSON *conf;
	int rc;

	if ((rc = vl_runlog_get_run(rl, id, &ri, err)) < 0)
		return rc;
	rc = vl_task_parse(ri.task_json ? ri.task_json : "", ri.task_json ? strlen(ri.task_json) : 0,
			   "stored task", task, err);
	if (rc == 0) {
		conf = cJSON_Parse(ri.config);
		vl_task_options(*task, cJSON_GetStringValue(cJSON_GetObjectItem(conf, "model_family")),
				opts);
		cJSON_Delete(conf);
	} else {
		vl_buf_addf(err, " (run %lld)", id);
	}
	vl_run_info_release(&ri);
	return rc;
}

static int same_kv(const struct vl_kv *x, const struct vl_kv *y)
{
	if (x->keys.n != y->keys.n)
		return 0;
	for (size_t i = 0; i < x->keys.n; i++) {
		const char *v = vl_kv_get(y, x->keys.v[i]);
		if (!v || strcmp(v, x->vals.v[i]))
			return 0;
	}
	return 1;
}

int vl_runpair_compare(struct vl_runlog *rla, long long a, struct vl_runlog *rlb, long long b,
		       struct vl_compare_opts *o,
		       struct vl_compare_result *res, struct vl_buf *err)
{
	struct vl_task *ta = NULL, *tb = NULL;
	struct vl_kv oa = { 0 }, ob = { 0 };
	int rc;

	memset(res, 0, sizeof(*res));
	rc = run_task(rla, a, &ta, &oa, err);
	if (rc == 0)
		rc = run_task(rlb, b, &tb, &ob, err);
	if (rc == 0 && !same_kv(&oa, &ob)) {
		vl_buf_addf(err, "runs %lld and %lld score with different metric options (their model "
			    "families differ); compare runs scored the same way", a, b);
		rc = VL_EINVAL;
	}
	if (rc == 0) {
		o->metrics = (const char *const *)ta->metrics.v;
		o->nmetrics = ta->metrics.n;
		o->metric_opts = &oa;
		rc = vl_compare_runs(rla, a, rlb, b, o, res, err);
		o->metrics = NULL;
		o->nmetrics = 0;
		o->metric_opts = NULL;
	}
	vl_task_free(ta);
	vl_task_free(tb);
	vl_kv_release(&oa);
	vl_kv_release(&ob);
	return rc;
}
