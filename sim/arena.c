/* arena.c - see arena.h. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

size_t arena_reserve(arena *a, size_t size, size_t align)
{
	size_t off = (a->size + align - 1) & ~(align - 1);
	a->size = off + size;
	return off;
}

int arena_commit(arena *a)
{
	size_t n = a->size ? a->size : 1;
	/* 64-byte alignment: every reserved alignment divides it. */
	n = (n + 63) & ~(size_t)63;
	/* calloc, not aligned_alloc + memset: a large block comes zeroed from
	 * the kernel, and is not written over a second time. */
	a->block = calloc(1, n + 64);
	if (!a->block)
		return -1;
	a->base = (unsigned char *)(((uintptr_t)a->block + 63) & ~(uintptr_t)63);
	return 0;
}

void arena_free(arena *a)
{
	free(a->block);
	a->block = NULL;
	a->base = NULL;
}

void arena_snapshot(const arena *a, void *buf) { memcpy(buf, a->base, a->size); }
void arena_restore(arena *a, const void *buf) { memcpy(a->base, buf, a->size); }
void arena_zero(arena *a) { memset(a->base, 0, a->size); }

int arena_is_zero(const arena *a)
{
	for (size_t i = 0; i < a->size; i++)
		if (a->base[i])
			return 0;
	return 1;
}

/* A multiply-xorshift hash over 8-byte words (in the spirit of wyhash's
 * mixing); loads are done with memcpy so that any alignment is fine and the
 * result does not depend on the host's alignment rules. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return h;
}

uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;
	h ^= 0x9e3779b97f4a7c15ull * (n + 1);
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, b, 8);
		h = mix(h ^ w) + 0x2545f4914f6cdd1dull;
		b += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)b[i] << (8 * i);
	return mix(h ^ w ^ 0x27d4eb2f165667c5ull);
}

/* xxHash64's round and merge (Yann Collet's constants), written here from
 * the published algorithm. */
#define P1 0x9e3779b185ebca87ull
#define P2 0xc2b2ae3d27d4eb4full
#define P3 0x165667b19e3779f9ull
#define P4 0x85ebca77c2b2ae63ull
static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static inline uint64_t round64(uint64_t acc, uint64_t in) { return rotl(acc + in * P2, 31) * P1; }
static inline uint64_t load64(const unsigned char *b)
{
	uint64_t v;
	memcpy(&v, b, 8);       /* host order: a state's hash is never printed */
	return v;
}

uint64_t hash_wide(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;
	uint64_t v1 = h + P1 + P2, v2 = h + P2, v3 = h, v4 = h - P1;
	size_t len = n;
	for (uint64_t blk = 1; n >= 32; blk++) {
		uint64_t a = load64(b), c = load64(b + 8), d = load64(b + 16), e = load64(b + 24);
		/* a state is mostly zeros: an all-zero block costs a test, and a
		 * block's number goes into its rounds, so where the zeros are
		 * still counts */
		if (a | c | d | e) {
			v1 = round64(v1, a ^ blk);
			v2 = round64(v2, c);
			v3 = round64(v3, d);
			v4 = round64(v4, e);
		}
		b += 32;
		n -= 32;
	}
	uint64_t acc = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
	uint64_t v[4] = { v1, v2, v3, v4 };
	for (int i = 0; i < 4; i++)
		acc = (acc ^ round64(0, v[i])) * P1 + P4;
	acc += len;
	while (n >= 8) {
		acc = rotl(acc ^ round64(0, load64(b)), 27) * P1 + P4;
		b += 8;
		n -= 8;
	}
	while (n--)
		acc = rotl(acc ^ (*b++ * 0x27d4eb2f165667c5ull), 11) * P1;
	acc ^= acc >> 33;
	acc *= P2;
	acc ^= acc >> 29;
	acc *= P3;
	return acc ^ (acc >> 32);
}

uint64_t arena_hash(const arena *a) { return hash_bytes(a->base, a->size, 0); }
