/*
 * rng.c - the seeded splitmix64 stream of vl.h: same seed, same numbers on
 * every machine (the bootstrap and the random baseline depend on it).
 */
#include "core/vl.h"

void vl_rng_seed(struct vl_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t vl_rng_next(struct vl_rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

size_t vl_rng_below(struct vl_rng *r, size_t n)
{
	/* rejection sampling: no modulo bias, so resamples are exactly uniform */
	uint64_t limit, x;

	if (n <= 1)
		return 0;
	limit = UINT64_MAX - UINT64_MAX % n;
	do
		x = vl_rng_next(r);
	while (x >= limit);
	return (size_t)(x % n);
}

double vl_rng_unit(struct vl_rng *r)
{
	return (double)(vl_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
