/* rng.c - xoshiro256** (Blackman & Vigna), seeded with splitmix64. */
#include "rng.h"

#include <assert.h>

__extension__ typedef unsigned __int128 u128;

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

void rng_seed(rng *r, uint64_t seed, const char *stream)
{
	uint64_t x = seed ^ fnv1a(stream);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
	/* xoshiro must not start from the all-zero state; splitmix64 of any
	 * input sequence never gives four zeros, but say so explicitly. */
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t rng_below(rng *r, uint64_t n)
{
	/* Lemire's nearly-divisionless method, with 128-bit products. */
	u128 m = (u128)rng_next(r) * n;
	uint64_t l = (uint64_t)m;
	if (l < n) {
		/* An unseeded (all-zero) stream returns 0 forever: this loop would
		 * never end.  Streams are seeded by sim_reset(); a caller bug. */
		assert(r->s[0] | r->s[1] | r->s[2] | r->s[3]);
		uint64_t t = -n % n;
		while (l < t) {
			m = (u128)rng_next(r) * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}
