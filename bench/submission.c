/*
 * submission.c - official submission files from the run log (see
 * submission.h).
 */
#include "bench/submission.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct sub_ctx {
	FILE *f;
	long n;
};

static int write_sub_row(void *ctx, const struct vl_sample_row *r)
{
	struct sub_ctx *c = ctx;
	struct vl_buf b = VL_BUF_INIT;
	const char *p = r->sample_id;

	/* official VQA ids are integers: write them as numbers */
	while (*p >= '0' && *p <= '9')
		p++;
	vl_buf_adds(&b, c->n ? ",\n" : "\n");
	vl_buf_adds(&b, "{\"question_id\": ");
	if (!*p && p != r->sample_id && p - r->sample_id < 16)
		vl_buf_adds(&b, r->sample_id);
	else
		vl_buf_add_json_str(&b, r->sample_id);
	vl_buf_adds(&b, ", \"answer\": ");
	vl_buf_add_json_str(&b, r->extracted ? r->extracted : "");
	vl_buf_addch(&b, '}');
	fwrite(b.buf, 1, b.len, c->f);
	vl_buf_release(&b);
	c->n++;
	return 0;
}

int vl_submission_write_vqa(struct vl_runlog *rl, long long run, const char *path,
			    long *written, struct vl_buf *err)
{
	struct sub_ctx c = { fopen(path, "w"), 0 };

	if (!c.f) {
		vl_buf_addf(err, "cannot write submission file '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	fputc('[', c.f);
	vl_runlog_each_sample(rl, run, 1, write_sub_row, &c);
	fputs("\n]\n", c.f);
	if (fclose(c.f) != 0) {
		vl_buf_addf(err, "cannot write submission file '%s': %s", path, strerror(errno));
		return VL_EIO;
	}
	*written = c.n;
	return 0;
}
