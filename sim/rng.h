/* rng.h - the seeded PRNG: xoshiro256** seeded through splitmix64.
 *
 * One run seed is split into named streams ("costs", "arrivals", "explore",
 * "spinlock", ...): a stream's state is derived from the seed and a hash of its
 * name, so adding draws to one stream never shifts another.  The state is
 * plain data and lives in the run's arena.
 *
 * Concurrency contract: a stream belongs to one run on one thread.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

typedef struct rng {
	uint64_t s[4];
} rng;

/* Inline: the models hash data with it at every step that carries some. */
static inline uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
/* Seed a stream from the run seed and the stream's name. */
void rng_seed(rng *r, uint64_t seed, const char *stream);
uint64_t rng_next(rng *r);
/* Uniform in [0, n) without modulo bias (Lemire); n > 0. */
uint64_t rng_below(rng *r, uint64_t n);

#endif
