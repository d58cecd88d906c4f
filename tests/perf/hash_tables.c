/*
 * hash_tables.c - the specialised open-addressing tables next to core's one
 * hash table (core/strmap.c), on the work each does, in one process:
 *   token intern   metrics/caption_set.c's token table (FNV-1a in the split
 *                  loop, hash half in the slot, text in one arena) against
 *                  vl_strmap with a NUL-terminated copy of the token;
 *   int64 id table an integer-keyed table (bench/score-vqa.c's question ids,
 *                  datasets/vqa.c's) against vl_strmap on printed ids;
 *   vqa memo       metrics/vqa.c's normalisation memo ((bytes, digits) ->
 *                  text, offsets into one arena) against vl_strmap on a
 *                  digit-prefixed copy with a strdup'd value.
 * Prints ns per operation and the ratio strmap / specialised.  The tables
 * are copies (they are static in their files): keep them in step.  Run:
 *   make build/tests/perf/hash_tables && for i in 1 2 3 4 5 6 7; do
 *   build/tests/perf/hash_tables; done   (quote medians: the machine is shared)
 */
#include "core/vl.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <stdlib.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static uint64_t rs = 88172645463325252ULL;
static uint64_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }

/* ---- caption_set's token table, copied ---- */
struct slot { uint32_t id1, hash; };
static struct slot *ts; static size_t tcap = 1024, ntok, talloc;
static uint64_t *th; static size_t *toff; static uint32_t *tlen; static struct vl_buf ttext;
static size_t tidx(uint64_t h, size_t cap) { return (size_t)(h ^ (h >> 29) ^ (h >> 47)) & (cap - 1); }
static void trehash(void) { size_t cap = tcap * 2; struct slot *s = calloc(cap, sizeof(*s));
	for (size_t id = 0; id < ntok; id++) { size_t i = tidx(th[id], cap); while (s[i].id1) i = (i + 1) & (cap - 1); s[i].id1 = id + 1; s[i].hash = (uint32_t)th[id]; }
	free(ts); ts = s; tcap = cap; }
static uint32_t intern_a(const char *s, size_t len) {
	uint64_t h = 0xcbf29ce484222325ULL; for (size_t k = 0; k < len; k++) h = (h ^ (unsigned char)s[k]) * 0x100000001b3ULL;
	size_t i = tidx(h, tcap); uint32_t id;
	for (; ts[i].id1; i = (i + 1) & (tcap - 1)) { if (ts[i].hash != (uint32_t)h) continue; id = ts[i].id1 - 1;
		if (tlen[id] == len && !memcmp(ttext.buf + toff[id], s, len)) return id; }
	if (ntok == talloc) { talloc = talloc ? talloc * 2 : 1024; th = realloc(th, talloc * 8); toff = realloc(toff, talloc * sizeof(size_t)); tlen = realloc(tlen, talloc * 4); }
	id = ntok++; th[id] = h; toff[id] = ttext.len; tlen[id] = len; vl_buf_add(&ttext, s, len);
	ts[i].id1 = id + 1; ts[i].hash = (uint32_t)h; if (ntok * 2 > tcap) trehash(); return id; }
static struct vl_strmap sm; static size_t smn;
static uint32_t intern_b(const char *s, size_t len, char *tmp) {
	void **v;
	memcpy(tmp, s, len); tmp[len] = 0; v = vl_strmap_find(&sm, tmp);
	if (v)
		return (uint32_t)(uintptr_t)*v - 1;
	vl_strmap_put(&sm, tmp, (void *)(uintptr_t)(++smn));
	return smn - 1;
}

/* ---- int64 id table (score-vqa's shape) ---- */
struct islot { int64_t q; uint32_t idx; };
static struct islot *is; static size_t nis, ni;
static size_t islot_of(int64_t q) { uint64_t h = (uint64_t)q * 0x9e3779b97f4a7c15ULL; size_t i = (size_t)(h ^ (h >> 31)) & (nis - 1);
	while (is[i].idx && is[i].q != q)
		i = (i + 1) & (nis - 1);
	return i;
}
static void iput(int64_t q) { if ((ni + 1) * 2 > nis) { struct islot *o = is; size_t on = nis; nis = nis ? nis * 2 : 1024; is = calloc(nis, sizeof(*is));
	for (size_t k = 0; k < on; k++)
		if (o[k].idx)
			is[islot_of(o[k].q)] = o[k];
	free(o); }
	size_t s = islot_of(q); if (!is[s].idx) { is[s] = (struct islot){ q, (uint32_t)++ni }; } }

int main(void)
{
	/* tokens: 10k-word vocabulary, Zipf draws, 5 x 330k occurrences (the caption perf's word count) */
	enum { V = 10000, N = 1650000 };
	static char words[V][16]; static int wl[V]; double cum[V], tot = 0;
	for (int i = 0; i < V; i++) { int l = 2 + rnd() % 9; for (int k = 0; k < l; k++) words[i][k] = 'a' + rnd() % 26; wl[i] = l; tot += 1.0 / (i + 1); cum[i] = tot; }
	int *draw = malloc(N * sizeof(int));
	for (int n = 0; n < N; n++) { double u = (rnd() >> 11) * (1.0 / 9007199254740992.0) * tot; int lo = 0, hi = V - 1; while (lo < hi) { int m = (lo + hi) / 2; if (cum[m] < u) lo = m + 1; else hi = m; } draw[n] = lo; }
	char tmp[32]; uint64_t sa = 0, sb = 0; double t0, ta, tb;
	ts = calloc(tcap, sizeof(*ts)); vl_buf_init(&ttext, 1024);
	t0 = now(); for (int n = 0; n < N; n++) sa += intern_a(words[draw[n]], wl[draw[n]]); ta = now() - t0;
	t0 = now(); for (int n = 0; n < N; n++) sb += intern_b(words[draw[n]], wl[draw[n]], tmp); tb = now() - t0;
	printf("token intern, %d occurrences of %zu distinct: caption_set table %.1f ns/op, strmap %.1f ns/op (ratio %.2f)%s\n",
	       N, ntok, ta / N * 1e9, tb / N * 1e9, tb / ta, sa == sb ? "" : " MISMATCH");
	/* ids: 214k distinct question ids, insert then 2.1M lookups */
	enum { Q = 214354, L = 2143540 };
	int64_t *qid = malloc(Q * 8); for (int i = 0; i < Q; i++) qid[i] = (int64_t)(rnd() % 600000) * 1000 + i % 1000;
	struct vl_strmap im = { 0 }; size_t ha = 0, hb = 0;
	t0 = now(); for (int i = 0; i < Q; i++) iput(qid[i]); for (int l = 0; l < L; l++) ha += is[islot_of(qid[l % Q])].idx; ta = now() - t0;
	t0 = now(); for (int i = 0; i < Q; i++) { snprintf(tmp, sizeof(tmp), "%lld", (long long)qid[i]); vl_strmap_put(&im, tmp, (void *)(uintptr_t)(i + 1)); }
	for (int l = 0; l < L; l++) { snprintf(tmp, sizeof(tmp), "%lld", (long long)qid[l % Q]); void **v = vl_strmap_find(&im, tmp); hb += v != NULL; } tb = now() - t0;
	printf("int64 id table, %d ids + %d lookups: integer table %.1f ns/op, strmap (ids printed) %.1f ns/op (ratio %.2f)\n",
	       Q, L, ta / (Q + L) * 1e9, tb / (Q + L) * 1e9, tb / ta);
	(void)ha; (void)hb;
	/* VQA memo: (answer bytes, digits) -> normalised text; 2.1M answers drawn
	 * Zipf from the token vocabulary (hits dominate, as in VQA v2) */
	{
		struct memo { uint64_t hash; uint32_t in_off, in_len, out_off, out_len; } *mm = calloc(1 << 16, sizeof(*mm));
		size_t mcap = 1 << 16; struct vl_buf mt = VL_BUF_INIT; struct vl_strmap ms = { 0 };
		size_t ka = 0, kb = 0;
		t0 = now();
		for (int l = 0; l < L; l++) {
			const char *in = words[draw[l % N]]; size_t n = wl[draw[l % N]]; int digits = l & 1;
			uint64_t h = vl_hash64(in, n, VL_HASH_SEED + (uint64_t)digits) | 1; size_t slot;
			for (slot = h & (mcap - 1); mm[slot].hash; slot = (slot + 1) & (mcap - 1))
				if (mm[slot].hash == h && mm[slot].in_len == n && !memcmp(mt.buf + mm[slot].in_off, in, n)) break;
			if (mm[slot].hash) { ka += mm[slot].out_len; continue; }
			mm[slot] = (struct memo){ h, (uint32_t)mt.len, (uint32_t)n, (uint32_t)mt.len, (uint32_t)n };
			vl_buf_add(&mt, in, n);
		}
		ta = now() - t0;
		t0 = now();
		for (int l = 0; l < L; l++) {
			const char *in = words[draw[l % N]]; size_t n = wl[draw[l % N]];
			tmp[0] = '0' + (l & 1); memcpy(tmp + 1, in, n); tmp[n + 1] = 0;
			void **v = vl_strmap_find(&ms, tmp);
			if (v) { kb += strlen(*v); continue; }
			vl_strmap_put(&ms, tmp, vl_xstrndup(in, n));
		}
		tb = now() - t0;
		printf("vqa memo, %d answers: memo table %.1f ns/op, strmap %.1f ns/op (ratio %.2f)%s\n",
		       L, ta / L * 1e9, tb / L * 1e9, tb / ta, ka == kb ? "" : " MISMATCH");
	}
	return 0;
}
