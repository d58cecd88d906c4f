/*
 * util.c - small helpers of vl.h with no better home: clocks, hashing, file
 * reading, UTF-8 validation, edit distance.
 */
#include "core/vl.h"
#include "core/jsonparse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

double vl_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double vl_wall_time(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double vl_cpu_seconds(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) != 0)
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

uint64_t vl_hash64(const void *data, size_t n, uint64_t h)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

uint64_t vl_hash64_bulk(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);   /* unaligned-safe; compiles to one load */
		h ^= w * 0x87c37b91114253d5ULL;
		h = (h << 31 | h >> 33) * 0x4cf5ad432745937fULL;
	}
	if (i < n) {
		uint64_t w = 0;
		memcpy(&w, p + i, n - i);
		h ^= w * 0x87c37b91114253d5ULL;
		h = (h << 31 | h >> 33) * 0x4cf5ad432745937fULL;
	}
	return mix64(h);
}

int vl_read_file(const char *path, struct vl_buf *out, struct vl_buf *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	size_t n;

	if (!f) {
		if (err)
			vl_buf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		return errno == ENOENT ? VL_ENOTFOUND : VL_EIO;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		if (err)
			vl_buf_addf(err, "cannot read '%s': is a directory", path);
		return VL_EIO;
	}
	if (fstat(fileno(f), &st) == 0 && st.st_size > 0)
		vl_buf_grow(out, (size_t)st.st_size);
	for (;;) {
		vl_buf_grow(out, 65536);
		n = fread(out->buf + out->len, 1, out->alloc - out->len - 1, f);
		out->len += n;
		out->buf[out->len] = '\0';
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		if (err)
			vl_buf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		fclose(f);
		return VL_EIO;
	}
	fclose(f);
	return 0;
}

size_t vl_edit_distance_u32(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
			   size_t **work, size_t *work_cap)
{
	size_t *row;

	if (*work_cap < nb + 1) {
		*work_cap = nb + 1;
		*work = vl_xrealloc(*work, *work_cap * sizeof(size_t));
	}
	row = *work;
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

size_t vl_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), cap = 0, d;
	uint32_t *ua = vl_xmalloc((la + lb + 1) * sizeof(uint32_t));
	size_t *work = NULL;

	for (size_t i = 0; i < la; i++)
		ua[i] = (unsigned char)a[i];
	for (size_t j = 0; j < lb; j++)
		ua[la + j] = (unsigned char)b[j];
	d = vl_edit_distance_u32(ua, la, ua + la, lb, &work, &cap);
	vl_free(ua);
	vl_free(work);
	return d;
}

void vl_path_join(struct vl_buf *out, const char *root, const char *rel)
{
	if (rel[0] == '/' || !root || !*root) {
		vl_buf_adds(out, rel);
		return;
	}
	vl_buf_adds(out, root);
	if (out->len && out->buf[out->len - 1] != '/')
		vl_buf_addch(out, '/');
	vl_buf_adds(out, rel);
}

/* Whether a query parameter's name says its value is a credential. */
static int secret_param(const char *name, size_t n)
{
	static const char *const words[] = { "key", "token", "secret", "password", "passwd",
					     "auth", "signature", "sig", NULL };
	char low[64];

	if (n >= sizeof(low))
		n = sizeof(low) - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	low[n] = '\0';
	for (size_t i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return 1;
	return 0;
}

char *vl_url_redact(const char *url)
{
	struct vl_buf b = VL_BUF_INIT;
	const char *s, *auth_end, *at = NULL, *q;

	if (!url)
		return NULL;
	s = strstr(url, "://");
	if (!s) {
		s = url;
	} else {
		s += 3;
		auth_end = s + strcspn(s, "/?#");
		for (const char *p = s; p < auth_end; p++)
			if (*p == '@')
				at = p;
		vl_buf_add(&b, url, (size_t)(s - url));
		if (at)
			s = at + 1;
	}
	q = strchr(s, '?');
	if (!q) {
		vl_buf_adds(&b, s);
		return vl_buf_detach(&b, NULL);
	}
	vl_buf_add(&b, s, (size_t)(q + 1 - s));
	for (s = q + 1; *s && *s != '#';) {
		size_t len = strcspn(s, "&#"), name = strcspn(s, "=&#");

		if (name < len && secret_param(s, name)) {
			vl_buf_add(&b, s, name + 1);
			vl_buf_adds(&b, "***");
		} else {
			vl_buf_add(&b, s, len);
		}
		s += len;
		if (*s == '&')
			vl_buf_addch(&b, *s++);
	}
	vl_buf_adds(&b, s);
	return vl_buf_detach(&b, NULL);
}

size_t vl_utf8_repair(char **s)
{
	struct vl_buf b = VL_BUF_INIT;
	size_t n, bad;

	if (!*s)
		return 0;
	n = strlen(*s);
	if (vl_utf8_valid(*s, n, NULL))
		return 0;
	bad = vl_buf_add_utf8(&b, *s, n);
	vl_free(*s);
	*s = vl_buf_detach(&b, NULL);
	return bad;
}

size_t vl_json_nul_to_symbol(char *json, size_t n)
{
	size_t count = 0;

	for (size_t i = 0; i + 6 <= n; i++) {
		size_t bs;

		if (json[i] != '\\')
			continue;
		/* an escape starts at an odd backslash: "\\u0000" is text */
		for (bs = 1; i + bs < n && json[i + bs] == '\\'; bs++)
			;
		i += bs - 1;
		if (!(bs & 1) || i + 6 > n || json[i + 1] != 'u' || memcmp(json + i + 2, "000", 3) ||
		    json[i + 5] != '0')
			continue;
		memcpy(json + i + 2, "2400", 4);
		count++;
		i += 5;
	}
	return count;
}

cJSON *vl_cjson_parse(const char *json, size_t n)
{
	char *copy;
	cJSON *root;

	if (!memmem(json, n, "\\u0000", 6))
		return cJSON_ParseWithLength(json, n);
	copy = vl_xstrndup(json, n);
	vl_json_nul_to_symbol(copy, n);
	root = cJSON_ParseWithLength(copy, n);
	vl_free(copy);
	return root;
}

int vl_whole_ll(double v, long long *out)
{
	/* -2^63 is representable; 2^63 is not: the range is [-2^63, 2^63) */
	long long n;

	if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
		return -1;
	n = (long long)v;
	if ((double)n != v)
		return -1;   /* a fraction */
	*out = n;
	return 0;
}
