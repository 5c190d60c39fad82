/* queue_bench.h - the event-queue microbenchmark: ns per push+pop of
 * sim/queue.c and of a plain binary heap (heap_plain.h), side by side, at
 * several numbers of pending events.
 *
 * Concurrency contract: single-threaded; allocates and frees its own queues.
 */
#ifndef BENCH_QUEUE_BENCH_H
#define BENCH_QUEUE_BENCH_H

#include <stdio.h>

/* Print the table to out.  quick: small sizes, few operations (smoke mode).
 * Returns 0, or -1 if the two queues disagreed (a bug, not a timing). */
int queue_bench(FILE *out, int quick);

#endif
