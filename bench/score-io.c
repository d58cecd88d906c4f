/*
 * score-io.c - input problems, the --lenient policy, reference loaders and
 * JSON pieces shared by the `vleval score` kinds (see score-io.h).
 */
#include "bench/score-io.h"
#include "bench/cli.h"

#include <stdarg.h>
#include <string.h>

void vl_score_problem_owned(struct vl_score_problems *pb, char *msg)
{
	pb->count++;
	if (pb->msgs.n >= VL_SCORE_PROBLEMS_KEPT) {
		vl_free(msg);
		return;
	}
	vl_strv_push_owned(&pb->msgs, msg);
}

void vl_score_problem(struct vl_score_problems *pb, const char *fmt, ...)
{
	struct vl_buf b = VL_BUF_INIT;
	va_list ap;

	if (pb->msgs.n >= VL_SCORE_PROBLEMS_KEPT) {
		pb->count++;
		return;
	}
	va_start(ap, fmt);
	vl_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	vl_score_problem_owned(pb, vl_buf_detach(&b, NULL));
}

void vl_score_problems_release(struct vl_score_problems *pb)
{
	vl_strv_release(&pb->msgs);
	pb->count = 0;
}

size_t vl_score_problems_print(const struct vl_score_problems *pb, int lenient, size_t shown)
{
	if (!shown || shown > pb->msgs.n)
		shown = pb->msgs.n;
	for (size_t i = 0; i < shown; i++) {
		if (lenient)
			vl_warn("skipped: %s", pb->msgs.v[i]);
		else
			vl_error("%s", pb->msgs.v[i]);
	}
	return shown;
}

void vl_score_json_strings(struct vl_buf *out, const char *const *v, size_t n)
{
	vl_buf_addch(out, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			vl_buf_adds(out, ", ");
		vl_buf_add_json_str(out, v[i]);
	}
	vl_buf_addch(out, ']');
}

void vl_score_json_values(struct vl_buf *out, const struct vl_metric_value *v, int n, int spaced)
{
	for (int i = 0; i < n; i++) {
		if (i)
			vl_buf_adds(out, spaced ? ", " : ",");
		vl_buf_add_json_str(out, v[i].name);
		vl_buf_adds(out, spaced ? ": " : ":");
		vl_buf_add_json_num(out, v[i].value);
	}
}

int vl_score_dataset_open(struct vl_score_dataset *d, const char *who, const char *format,
			  const char *const *kv, int strict, struct vl_buf *err)
{
	memset(d, 0, sizeof(*d));
	d->json = cJSON_CreateObject();
	cJSON_AddStringToObject(d->json, "format", format);
	for (; kv[0]; kv += 2)
		cJSON_AddStringToObject(d->json, kv[0], kv[1]);
	d->spec = (struct vl_dataset_spec){ who, "", d->json, strict };
	return vl_dataset_open(&d->spec, &d->ds, err);
}

void vl_score_dataset_close(struct vl_score_dataset *d)
{
	vl_dataset_close(d->ds);
	cJSON_Delete(d->json);
	memset(d, 0, sizeof(*d));
}
