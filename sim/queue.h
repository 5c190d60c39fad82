/* queue.h - the event queue: timers in a binary heap, total order (time, seq).
 *
 * Every event source owns a fixed timer id (a CPU's next step, a flow's next
 * packet, ...), so the queue never allocates: the heap and the id->position
 * map are sized once, when the run is built, and live in the run's arena.
 * Arming an armed timer moves it.  `seq` is a counter taken at arming time:
 * two events at the same time fire in the order they were armed, never in an
 * order that depends on memory layout (libuv's start_id rule).  An event armed
 * for the current time while events run fires after those already queued for
 * that time (its seq is larger).  The heap's shape never decides an order:
 * (time, seq) pairs are unique, so any valid heap pops the same sequence.
 *
 * The dispatcher's path: queue_take removes the earliest timer but leaves its
 * slot at the root as a hole; the first queue_arm that follows (usually the
 * fired timer re-arming itself) fills the hole and sifts down once, instead
 * of a pop (sift-down) plus a push (sift-up).  queue_settle closes a hole
 * nobody filled.  Between take and settle only queue_arm, queue_cancel,
 * queue_armed, queue_due, queue_len and queue_next_time may be called.
 *
 * Cost: arm, pop, move and cancel are O(log n) with n the armed timers.
 * Measured (sim --bench, the queue table): a 4-ary heap pops faster when
 * thousands of events are pending, but a run's heap holds a few timers per
 * CPU and a step's continuation lands near the root, where the binary heap
 * compares less (6% fewer instructions on the 8- and 64-CPU ring runs).
 * Concurrency contract: one run, one thread.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define QUEUE_NONE UINT32_MAX

typedef struct queue_node {
	uint64_t time;
	uint64_t seq;
	uint32_t id;
	uint32_t pad;
} queue_node;

/* The queue's state, in the arena. */
typedef struct queue_state {
	uint64_t next_seq;
	uint32_t n;             /* heap slots in use, the hole included */
	uint32_t hole;          /* 1: heap[0] is a hole left by queue_take */
} queue_state;

/* The queue: offsets resolved to pointers into the arena. */
typedef struct queue {
	uint32_t cap;           /* number of timer ids */
	size_t off_state, off_heap, off_pos;
	queue_state *st;
	queue_node *heap;       /* [cap] */
	uint32_t *pos;          /* [cap]: heap index + 1, 0 when not armed */
} queue;

void queue_layout(queue *q, arena *a, uint32_t ntimers);
void queue_bind(queue *q, const arena *a);   /* after arena_commit */

void queue_arm(queue *q, uint32_t id, uint64_t time);
void queue_cancel(queue *q, uint32_t id);
static inline int queue_armed(const queue *q, uint32_t id) { return q->pos[id] != 0; }
static inline uint64_t queue_due(const queue *q, uint32_t id) { return q->heap[q->pos[id] - 1].time; }
static inline uint32_t queue_len(const queue *q) { return q->st->n - q->st->hole; }
/* The earliest timer, or QUEUE_NONE; does not remove it.  Not after take. */
static inline uint32_t queue_peek(const queue *q) { return q->st->n ? q->heap[0].id : QUEUE_NONE; }
/* Its time; only when the queue is not empty.  Not after take. */
static inline uint64_t queue_peek_time(const queue *q) { return q->heap[0].time; }
/* Remove and return the earliest timer id (QUEUE_NONE if empty); *time gets its time. */
uint32_t queue_pop(queue *q, uint64_t *time);

/* The dispatcher's pop: like queue_pop, but the root's slot stays as a hole
 * for the next queue_arm.  Not while a hole is open. */
static inline uint32_t queue_take(queue *q, uint64_t *time)
{
	if (!q->st->n)
		return QUEUE_NONE;
	uint32_t id = q->heap[0].id;
	*time = q->heap[0].time;
	q->pos[id] = 0;
	q->st->hole = 1;
	return id;
}
void queue_settle_hole(queue *q);
/* Close the hole queue_take left, if no queue_arm filled it. */
static inline void queue_settle(queue *q)
{
	if (q->st->hole)
		queue_settle_hole(q);
}
/* The earliest armed time, UINT64_MAX if none; also while a hole is open
 * (then the earliest is among the root's children). */
static inline uint64_t queue_next_time(const queue *q)
{
	const queue_state *st = q->st;
	if (!st->hole)
		return st->n ? q->heap[0].time : UINT64_MAX;
	uint64_t t = UINT64_MAX;
	uint32_t end = st->n < 3 ? st->n : 3;
	for (uint32_t c = 1; c < end; c++)
		if (q->heap[c].time < t)
			t = q->heap[c].time;
	return t;
}

#endif
