/* visited.h - the set of states `--check` has seen, by 64-bit hash only.
 *
 * Two stores, as spin has them:
 *   hash compaction (the default): the 64-bit hash of each state in an
 *     open-addressing table (linear probing, grows at half full): 8 bytes a
 *     slot, 16 to 32 a state.  Two states with one hash are taken for one:
 *     the chance that any state was so omitted is about n^2 / 2^65.
 *   bitstate (`--check-bitstate BITS`, Holzmann's supertrace): a bit array
 *     of 2^BITS bits, VISITED_K bits a state.  Fixed memory; a state whose
 *     K bits are all set already is taken as seen.
 * visited_omission() gives the probability figure each prints.
 *
 * Concurrency contract: one set, one thread; but visited_has, which any
 * number of threads may call while nobody adds.
 */
#ifndef CMD_VISITED_H
#define CMD_VISITED_H

#include <stddef.h>
#include <stdint.h>

#define VISITED_K 3             /* bits a state in bitstate mode */

typedef struct visited {
	uint64_t *slot;         /* hash compaction: 0 is empty */
	uint64_t *bits;         /* bitstate */
	uint64_t mask;          /* slots - 1, or bits - 1 */
	uint64_t n;             /* states added */
	uint32_t bitstate;      /* BITS, or 0 */
} visited;

/* 0, or -1 out of memory.  bits: 0 for hash compaction, else 16..40. */
int visited_init(visited *v, uint32_t bits);
void visited_free(visited *v);
/* Add the state of hash h: 1 when it is new, 0 when seen, -1 out of memory. */
int visited_add(visited *v, uint64_t h);
/* Is the state of hash h in the set?  Only reads it: several threads may
 * ask at once while none adds. */
int visited_has(const visited *v, uint64_t h);
/* The probability that a state was taken for another, so not explored. */
double visited_omission(const visited *v);
/* Bytes the set holds. */
size_t visited_bytes(const visited *v);
/* The most bytes the next visited_add may hold at once: when it will
 * grow the table, the old one and the new, twice its size. */
size_t visited_next_bytes(const visited *v);

#endif
