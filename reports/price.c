/*
 * price.c - prices per million tokens from a prices.json file (see
 * report.h), for runs that logged no price of their own.  The file maps a
 * model name to its prices:
 *
 *   { "gpt-4o-2024-08-06": { "input": 2.50, "output": 10.00 },
 *     "Qwen/Qwen2.5-VL-7B-Instruct": { "input": 0.20, "output": 0.20 } }
 *
 * A price is always an estimate: tokens as the server counted them times a
 * list price.
 */
#include "reports/report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *vl_prices_default(const char *flag)
{
	const char *env;

	if (flag && flag[0])
		return flag;
	env = getenv("VLEVAL_PRICES");
	if (env && env[0])
		return env;
	return access("prices.json", R_OK) == 0 ? "prices.json" : NULL;
}

static int price_of(const cJSON *entry, const char *key, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(entry, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0)
		return VL_EINVAL;
	*out = v->valuedouble;
	return 0;
}

int vl_prices_lookup(const char *path, const char *model, double *in, double *out,
		     struct vl_buf *err)
{
	struct vl_buf text = VL_BUF_INIT, e = VL_BUF_INIT;
	const cJSON *entry;
	cJSON *root;
	int rc;

	if (vl_read_file(path, &text, &e) < 0) {
		if (err)
			vl_buf_addf(err, "cannot read prices file: %s", vl_buf_str(&e));
		vl_buf_release(&e);
		vl_buf_release(&text);
		return VL_EIO;
	}
	vl_buf_release(&e);
	root = cJSON_Parse(vl_buf_str(&text));
	vl_buf_release(&text);
	if (!cJSON_IsObject(root)) {
		if (err)
			vl_buf_addf(err, "prices file '%s' is not a JSON object of "
				    "\"model\": {\"input\": P, \"output\": P}", path);
		cJSON_Delete(root);
		return VL_EINVAL;
	}
	rc = VL_ENOTFOUND;
	if (!model) {  /* check every entry */
		cJSON_ArrayForEach(entry, root) {
			double a, b;
			if (price_of(entry, "input", &a) < 0 || price_of(entry, "output", &b) < 0) {
				if (err)
					vl_buf_addf(err, "prices file '%s': '%s' needs numbers \"input\" "
						    "and \"output\" (per million tokens)", path, entry->string);
				rc = VL_EINVAL;
				break;
			}
		}
		cJSON_Delete(root);
		return rc;
	}
	entry = cJSON_GetObjectItemCaseSensitive(root, model);
	if (entry) {
		if (price_of(entry, "input", in) < 0 || price_of(entry, "output", out) < 0) {
			if (err)
				vl_buf_addf(err, "prices file '%s': '%s' needs numbers \"input\" and "
					    "\"output\" (per million tokens)", path, model);
			rc = VL_EINVAL;
		} else {
			rc = 0;
		}
	}
	cJSON_Delete(root);
	return rc;
}
