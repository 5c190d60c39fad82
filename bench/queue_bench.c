/* queue_bench.c - see queue_bench.h.
 *
 * The hold model: n events pending; each operation pops the earliest and
 * pushes the same id again a random 0..4095 ns later (so equal times occur
 * and the (time, seq) tie rule is exercised).  The increments are drawn once
 * into a table, so both queues see the same operations and no RNG is timed.
 * Two rows per size:
 *   plain heap     heap_plain_pop + heap_plain_push (bench/heap_plain.c)
 *   queue          queue_pop + queue_arm: what sim_run and the tests do
 * With increments up to 4095 ns, 3/4 of the re-arms land beyond the wheel's
 * 1024 ns, in the queue's overflow heap: this table weighs that heap far
 * more than the engine's runs do (see sim/queue.h).
 * Every row pops the same (id, time) sequence; the checksums must agree.
 */
#include "queue_bench.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "arena.h"
#include "heap_plain.h"
#include "queue.h"
#include "rng.h"

#define INC_N 65536u            /* a power of two */
#define TRIALS 5

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mix(uint64_t h, uint32_t id, uint64_t t)
{
	return (h ^ (t * 0x9e3779b97f4a7c15ull) ^ id) * 0xd6e8feb86659fd93ull;
}

typedef struct qb {
	uint32_t n;
	uint64_t ops;
	const uint32_t *inc;
	const uint64_t *start;
} qb;

static uint64_t run_plain(const qb *b, uint64_t *ns)
{
	heap_plain hp;
	if (heap_plain_init(&hp, b->n) != 0)
		abort();
	for (uint32_t i = 0; i < b->n; i++)
		heap_plain_push(&hp, i, b->start[i]);
	uint64_t h = 0, t0 = now_ns();
	for (uint64_t k = 0; k < b->ops; k++) {
		uint64_t t = 0;
		uint32_t id = heap_plain_pop(&hp, &t);
		h = mix(h, id, t);
		heap_plain_push(&hp, id, t + b->inc[k & (INC_N - 1)]);
	}
	*ns = now_ns() - t0;
	heap_plain_free(&hp);
	return h;
}

static uint64_t run_queue(const qb *b, uint64_t *ns)
{
	arena ar = { 0 };
	queue q;
	queue_layout(&q, &ar, b->n);
	if (arena_commit(&ar) != 0)
		abort();
	queue_bind(&q, &ar);
	for (uint32_t i = 0; i < b->n; i++)
		queue_arm(&q, i, b->start[i]);
	uint64_t h = 0, t0 = now_ns();
	for (uint64_t k = 0; k < b->ops; k++) {
		uint64_t t = 0;
		uint32_t id = queue_pop(&q, &t);
		h = mix(h, id, t);
		queue_arm(&q, id, t + b->inc[k & (INC_N - 1)]);
	}
	*ns = now_ns() - t0;
	arena_free(&ar);
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int queue_bench(FILE *out, int quick)
{
	static const uint32_t sizes[] = { 10, 1000, 100000 };
	static const uint64_t full_ops[] = { 8000000, 4000000, 2000000 };
	uint32_t *inc = malloc(INC_N * sizeof(*inc));
	uint64_t *start = malloc(100000 * sizeof(*start));
	if (!inc || !start)
		abort();
	rng r;
	rng_seed(&r, 1, "queue_bench");
	for (uint32_t i = 0; i < INC_N; i++)
		inc[i] = (uint32_t)rng_below(&r, 4096);
	int rc = 0;
	fprintf(out, "event queue: ns per push+pop (hold model, median of %d trials)\n", quick ? 1 : TRIALS);
	fprintf(out, "  %9s %12s %12s %12s %8s\n", "pending", "ops", "plain heap", "queue", "ratio");
	for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
		qb b = { sizes[si], quick ? 20000 : full_ops[si], inc, start };
		for (uint32_t i = 0; i < b.n; i++)
			start[i] = rng_below(&r, (uint64_t)b.n * 64);
		int trials = quick ? 1 : TRIALS;
		uint64_t tp[TRIALS], tq[TRIALS];
		for (int t = 0; t < trials; t++) {
			uint64_t hp = run_plain(&b, &tp[t]);
			uint64_t hq = run_queue(&b, &tq[t]);
			if (hp != hq) {
				fprintf(out, "  queue and plain heap disagree at %u pending\n", b.n);
				rc = -1;
			}
		}
		qsort(tp, (size_t)trials, sizeof tp[0], cmp_u64);
		qsort(tq, (size_t)trials, sizeof tq[0], cmp_u64);
		double p = (double)tp[trials / 2] / (double)b.ops;
		double q = (double)tq[trials / 2] / (double)b.ops;
		fprintf(out, "  %9u %12llu %12.1f %12.1f %7.2fx\n", b.n, (unsigned long long)b.ops, p, q,
			q / p);
	}
	fprintf(out, "  ratio: queue / plain heap (target <= 1.5x)\n");
	free(inc);
	free(start);
	return rc;
}
