/* heap_plain.h - a plain binary min-heap of (time, seq, id), written only to
 * be compared with sim/queue.c in the microbenchmark: an array, push sifts
 * up, pop moves the last node to the root and sifts down.  No position map,
 * so it cannot cancel or move a node (the engine's queue must).
 *
 * Concurrency contract: one heap, one thread.
 */
#ifndef BENCH_HEAP_PLAIN_H
#define BENCH_HEAP_PLAIN_H

#include <stdint.h>

typedef struct heap_plain_node {
	uint64_t time;
	uint64_t seq;
	uint32_t id;
	uint32_t pad;
} heap_plain_node;

typedef struct heap_plain {
	heap_plain_node *h;
	uint32_t n, cap;
	uint64_t next_seq;
} heap_plain;

/* Returns 0, or -1 when out of memory. */
int heap_plain_init(heap_plain *hp, uint32_t cap);
void heap_plain_free(heap_plain *hp);
/* cap must not be exceeded. */
void heap_plain_push(heap_plain *hp, uint32_t id, uint64_t time);
/* The earliest (time, seq): its id, and its time in *time; UINT32_MAX if empty. */
uint32_t heap_plain_pop(heap_plain *hp, uint64_t *time);

#endif
