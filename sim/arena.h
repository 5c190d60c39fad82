/* arena.h - the flat run state: one block, laid out once, linked by indices.
 *
 * A run's whole mutable state lives in one arena.  Modules reserve their
 * arrays while a run is being built (arena_reserve returns an offset), then
 * arena_commit allocates the block once, zeroed.  Afterwards the block holds
 * no pointers, so a snapshot is a memcpy, restore is a memcpy back, and the
 * hash of the bytes is the hash of the state.  Structs placed here must have
 * no padding (each is checked with a static assertion where it is declared),
 * so that equal states are equal bytes.
 *
 * Concurrency contract: an arena belongs to one run on one thread.
 */
#ifndef SIM_ARENA_H
#define SIM_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct arena {
	size_t size;            /* bytes reserved so far / block size */
	unsigned char *base;    /* NULL until arena_commit; 64-byte aligned */
	void *block;            /* what was allocated (base is inside it) */
} arena;

/* Reserve `size` bytes aligned to `align` (a power of two <= 64); returns the
 * offset.  Only before arena_commit. */
size_t arena_reserve(arena *a, size_t size, size_t align);
/* Allocate the block, zeroed.  Returns 0, or -1 when out of memory. */
int arena_commit(arena *a);
void arena_free(arena *a);

static inline void *arena_at(const arena *a, size_t off) { return a->base + off; }

/* A copy of the state: caller-owned buffer of arena.size bytes. */
void arena_snapshot(const arena *a, void *buf);
void arena_restore(arena *a, const void *buf);
void arena_zero(arena *a);
/* Are all its bytes zero?  (For assertions.) */
int arena_is_zero(const arena *a);
/* 64-bit hash of the state's bytes (same bytes, same hash, on every build). */
uint64_t arena_hash(const arena *a);
uint64_t hash_bytes(const void *p, size_t n, uint64_t h);
/* The same promise, for long buffers (a whole state under --check): four
 * independent lanes of 32 bytes a round, so that the multiplies overlap;
 * several times faster than hash_bytes on kilobytes, different values. */
uint64_t hash_wide(const void *p, size_t n, uint64_t h);

#endif
