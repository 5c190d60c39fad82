/* queue.h - the event queue: timers in a binary heap, total order (time, seq).
 *
 * Every event source owns a fixed timer id (a CPU's next step, a flow's next
 * packet, ...), so the queue never allocates: the heap and the id->position
 * map are sized once, when the run is built, and live in the run's arena.
 * Arming an armed timer moves it.  `seq` is a counter taken at arming time:
 * two events at the same time fire in the order they were armed, never in an
 * order that depends on memory layout (libuv's start_id rule).  An event armed
 * for the current time while events run fires after those already queued for
 * that time (its seq is larger).
 *
 * Cost: push, pop, move and cancel are O(log n) with n the armed timers.
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
	uint32_t n;
	uint32_t pad;
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
static inline uint32_t queue_len(const queue *q) { return q->st->n; }
/* The earliest timer, or QUEUE_NONE; does not remove it. */
static inline uint32_t queue_peek(const queue *q) { return q->st->n ? q->heap[0].id : QUEUE_NONE; }
static inline uint64_t queue_peek_time(const queue *q) { return q->heap[0].time; }
/* Remove and return the earliest timer id (QUEUE_NONE if empty); *time gets its time. */
uint32_t queue_pop(queue *q, uint64_t *time);

#endif
