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
	a->base = aligned_alloc(64, n);
	if (!a->base)
		return -1;
	memset(a->base, 0, n);
	return 0;
}

void arena_free(arena *a)
{
	free(a->base);
	a->base = NULL;
}

void arena_snapshot(const arena *a, void *buf) { memcpy(buf, a->base, a->size); }
void arena_restore(arena *a, const void *buf) { memcpy(a->base, buf, a->size); }
void arena_zero(arena *a) { memset(a->base, 0, a->size); }

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

uint64_t arena_hash(const arena *a) { return hash_bytes(a->base, a->size, 0); }
