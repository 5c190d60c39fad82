/* visited.c - the set of states seen, by hash; see visited.h. */
#include "visited.h"

#include <math.h>
#include <stdlib.h>

#define FIRST_SLOTS (1u << 16)

int visited_init(visited *v, uint32_t bits)
{
	*v = (visited){ .bitstate = bits };
	if (bits) {
		uint64_t nbits = 1ull << bits;
		v->bits = calloc(nbits / 64, sizeof(uint64_t));
		v->mask = nbits - 1;
		return v->bits ? 0 : -1;
	}
	v->slot = calloc(FIRST_SLOTS, sizeof(uint64_t));
	v->mask = FIRST_SLOTS - 1;
	return v->slot ? 0 : -1;
}

void visited_free(visited *v)
{
	free(v->slot);
	free(v->bits);
	*v = (visited){ 0 };
}

/* Spread the hash over the table (the low bits of a state hash are good,
 * but a table index should not be the bits the key itself is compared by). */
static inline uint64_t spread(uint64_t h)
{
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static int grow(visited *v)
{
	uint64_t n = (v->mask + 1) * 2;
	uint64_t *s = calloc(n, sizeof(uint64_t));
	if (!s)
		return -1;
	for (uint64_t i = 0; i <= v->mask; i++) {
		uint64_t h = v->slot[i];
		if (!h)
			continue;
		uint64_t j = spread(h) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = h;
	}
	free(v->slot);
	v->slot = s;
	v->mask = n - 1;
	return 0;
}

/* The K bits of hash h: positions h1 + i * h2 (double hashing). */
static void bitstate_bits(const visited *v, uint64_t h, uint64_t b[VISITED_K])
{
	uint64_t h1 = spread(h), h2 = spread(h ^ 0x9e3779b97f4a7c15ull) | 1;
	for (uint32_t i = 0; i < VISITED_K; i++)
		b[i] = (h1 + i * h2) & v->mask;
}

static int bitstate_add(visited *v, uint64_t h)
{
	uint64_t b[VISITED_K];
	int fresh = 0;
	bitstate_bits(v, h, b);
	for (uint32_t i = 0; i < VISITED_K; i++) {
		uint64_t bit = 1ull << (b[i] & 63);
		if (!(v->bits[b[i] >> 6] & bit)) {
			v->bits[b[i] >> 6] |= bit;
			fresh = 1;
		}
	}
	v->n += (uint64_t)fresh;
	return fresh;
}

int visited_add(visited *v, uint64_t h)
{
	if (v->bitstate)
		return bitstate_add(v, h);
	if (!h)
		h = 1;          /* 0 marks an empty slot */
	uint64_t j = spread(h) & v->mask;
	while (v->slot[j]) {
		if (v->slot[j] == h)
			return 0;
		j = (j + 1) & v->mask;
	}
	v->slot[j] = h;
	if (++v->n * 2 > v->mask + 1 && grow(v) != 0)
		return -1;
	return 1;
}

int visited_has(const visited *v, uint64_t h)
{
	if (v->bitstate) {
		uint64_t b[VISITED_K];
		bitstate_bits(v, h, b);
		for (uint32_t i = 0; i < VISITED_K; i++)
			if (!(v->bits[b[i] >> 6] & (1ull << (b[i] & 63))))
				return 0;
		return 1;
	}
	if (!h)
		h = 1;
	for (uint64_t j = spread(h) & v->mask; v->slot[j]; j = (j + 1) & v->mask)
		if (v->slot[j] == h)
			return 1;
	return 0;
}

double visited_omission(const visited *v)
{
	double n = (double)v->n;
	if (v->bitstate) {
		/* the chance that a new state's K bits were all set already, at
		 * the end of the search (the worst moment): (1 - e^(-Kn/m))^K */
		double m = (double)(v->mask + 1);
		return pow(1.0 - exp(-(double)VISITED_K * n / m), VISITED_K);
	}
	/* any two of n states with one 64-bit hash: 1 - e^(-n(n-1)/2^65) */
	return -expm1(-n * (n - 1.0) / 36893488147419103232.0);
}

size_t visited_bytes(const visited *v)
{
	return (size_t)(v->mask + 1) * (v->bitstate ? 1u : 64u) / 8u;
}

size_t visited_next_bytes(const visited *v)
{
	int grows = !v->bitstate && (v->n + 1) * 2 > v->mask + 1;
	return visited_bytes(v) * (grows ? 3u : 1u);
}
