/* queue.h - the event queue: timers in (time, seq) order.
 *
 * What it promises.  Every event source owns a fixed timer id (a CPU's next
 * step, a timer of a model, ...), so the queue never allocates: it is sized
 * once, when the run is built, and lives in the run's arena, where all-zero
 * bytes are an empty queue (arena_zero resets it).  Arming an armed timer
 * moves it.  queue_pop returns what a list sorted by (time, seq) would,
 * `seq` being the arming order: two timers at one time fire in the order
 * they were armed, never in an order that depends on memory layout
 * (libuv's start_id rule), and a timer armed for the current time while
 * events run fires after those already queued for that time.
 *
 * How.  A timing wheel of W one-nanosecond slots from the last popped time,
 * each a FIFO list, with a two-level bitmap to find the first; any other
 * time goes to an overflow binary min-heap on (time, seq).  Arming an idle
 * timer into the wheel and popping from it are O(1) and inline (below); a
 * move, a cancel and the heap are in queue.c (O(log h), h the timers beyond
 * the window), which also explains why the two parts never disagree on
 * order.  W and what it costs: docs/performance.md.
 *
 * Who calls what: the engine arms and cancels through sim_arm/sim_cancel
 * (which keep its count of live timers) and pops in its event loop; others
 * only read (queue_armed, queue_due).  One run, one thread.
 */
#ifndef SIM_QUEUE_H
#define SIM_QUEUE_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

#define QUEUE_NONE UINT32_MAX

#ifndef QUEUE_WHEEL_BITS               /* 6..12; -D to measure another W */
#define QUEUE_WHEEL_BITS 10
#endif
#define QUEUE_WHEEL (1u << QUEUE_WHEEL_BITS)    /* W: slots of 1 ns */
#define QUEUE_WORDS (QUEUE_WHEEL / 64)          /* bitmap words */

/* Inside the queue a timer is named by ref = id + 1, so that 0 is "none"
 * and zeroed memory is empty; tm[0] is a dummy that is never linked. */

/* One timer. */
typedef struct queue_timer {
	uint64_t time;
	uint32_t loc;           /* 0 idle, 1 in the wheel, 2 + i at heap[i] */
	uint32_t next;          /* wheel: the next in its slot, 0 at the tail */
	uint32_t prev;          /* wheel: the previous; the head's is the tail */
	uint32_t pad;
} queue_timer;

/* A node of the overflow heap: the key travels with the ref. */
typedef struct queue_node {
	uint64_t time;
	uint64_t seq;
	uint32_t ref;
	uint32_t pad;
} queue_node;

/* The queue's state, in the arena. */
typedef struct queue_state {
	uint64_t cur;           /* the wheel's origin: the last popped time */
	uint64_t first_inv;     /* ~(the earliest armed time); 0 when empty */
	uint64_t next_seq;      /* taken by arms into the heap */
	uint32_t first;         /* ref of the earliest armed timer, 0: empty */
	uint32_t n;             /* armed timers */
	uint32_t nheap;         /* of which in the heap */
	uint32_t pad;
	uint64_t summary;       /* bit w: bits[w] != 0 */
	uint64_t bits[QUEUE_WORDS];     /* bit s: slot s is not empty */
	uint32_t slot[QUEUE_WHEEL];     /* ref of slot s's head, 0: empty */
} queue_state;

/* The queue: offsets resolved to pointers into the arena. */
typedef struct queue {
	uint32_t cap;           /* number of timer ids */
	size_t off_state, off_tm, off_heap;
	queue_state *st;
	queue_timer *tm;        /* [cap + 1], by ref */
	queue_node *heap;       /* [cap] */
} queue;

void queue_layout(queue *q, arena *a, uint32_t ntimers);
void queue_bind(queue *q, const arena *a);   /* after arena_commit */

static inline void queue_arm(queue *q, uint32_t id, uint64_t time);
void queue_cancel(queue *q, uint32_t id);
static inline int queue_armed(const queue *q, uint32_t id) { return q->tm[id + 1].loc != 0; }
/* Its time; only when armed. */
static inline uint64_t queue_due(const queue *q, uint32_t id) { return q->tm[id + 1].time; }
static inline uint32_t queue_len(const queue *q) { return q->st->n; }
/* The earliest timer, or QUEUE_NONE (ref 0 - 1); does not remove it. */
static inline uint32_t queue_peek(const queue *q) { return q->st->first - 1; }
/* Remove and return the earliest timer id (QUEUE_NONE if empty); *time gets its time. */
static inline uint32_t queue_pop(queue *q, uint64_t *time);
/* The earliest armed time (queue_peek's), UINT64_MAX if none. */
static inline uint64_t queue_next_time(const queue *q) { return ~q->st->first_inv; }

/* ---- the common calls, inline (an event is a pop and most often an arm):
 * arming an idle timer into the wheel, popping from the wheel when the next
 * timer is in the same 64-slot word.  The rest is in queue.c. ---- */

#define QUEUE_SLOT_MASK (QUEUE_WHEEL - 1)
#define QUEUE_LOC_WHEEL 1u
#define QUEUE_LOC_HEAP 2u       /* loc = QUEUE_LOC_HEAP + heap index */

/* Out of line: arming a timer that is armed (a move) or beyond the window;
 * popping the heap's root, or a pop that empties its word. */
void queue_arm_slow(queue *q, uint32_t r, uint64_t time);
uint32_t queue_pop_slow(queue *q, uint64_t *time);
uint32_t queue_pop_next_word(queue *q, uint32_t w, uint32_t id);

static inline void queue_mark_(queue_state *st, uint32_t s)
{
	st->bits[s >> 6] |= 1ull << (s & 63);
	st->summary |= 1ull << (s >> 6);
}

/* Append idle ref r to its slot's list: after every timer armed before it. */
static inline void queue_wheel_add_(queue *q, uint32_t r, uint64_t time)
{
	queue_state *st = q->st;
	queue_timer *x = &q->tm[r];
	uint32_t s = (uint32_t)time & QUEUE_SLOT_MASK;
	uint32_t h = st->slot[s];
	x->time = time;
	x->loc = QUEUE_LOC_WHEEL;
	x->next = 0;
	if (!h) {
		st->slot[s] = r;
		x->prev = r;
		queue_mark_(st, s);
		return;
	}
	uint32_t tail = q->tm[h].prev;
	q->tm[tail].next = r;
	x->prev = tail;
	q->tm[h].prev = r;
}

/* r, just armed at `time`, is the newest: it is earlier than the first
 * only by time.  (An empty queue's first_inv is 0: ~0 is no earlier than
 * anything, so the common case -- not earlier -- costs one compare.) */
static inline void queue_maybe_first_(queue_state *st, uint32_t r, uint64_t time)
{
	if (time <= ~st->first_inv && (time < ~st->first_inv || !st->first)) {
		st->first = r;
		st->first_inv = ~time;
	}
}

static inline void queue_arm(queue *q, uint32_t id, uint64_t time)
{
	assert(id < q->cap);
	queue_state *st = q->st;
	uint32_t r = id + 1;
	if (q->tm[r].loc || time - st->cur >= QUEUE_WHEEL) {
		queue_arm_slow(q, r, time);
		return;
	}
	queue_wheel_add_(q, r, time);
	st->n++;
	queue_maybe_first_(st, r, time);
}

static inline uint32_t queue_pop(queue *q, uint64_t *time)
{
	queue_state *st = q->st;
	queue_timer *tm = q->tm;
	uint32_t r = st->first;
	queue_timer *x = &tm[r];
	if (x->loc != QUEUE_LOC_WHEEL)  /* also when empty: tm[0] is idle */
		return queue_pop_slow(q, time);
	/* The head of its slot; its time, within [cur, cur + W), becomes cur. */
	uint64_t t = x->time;
	uint32_t s = (uint32_t)t & QUEUE_SLOT_MASK;
	uint32_t n = x->next;
	x->loc = 0;
	st->n--;
	st->cur = t;
	*time = t;
	st->slot[s] = n;
	if (n) {
		/* The new head inherits the tail.  Same time, the next seq: it
		 * is the first.  (A heap timer at this time would have come
		 * before r: see find_first in queue.c.) */
		tm[n].prev = x->prev;
		st->first = n;
		return r - 1;
	}
	/* The slot empties: clear its bit; the next timer is most often
	 * further in the same word. */
	uint32_t w = s >> 6;
	uint64_t bit = 1ull << (s & 63);
	uint64_t word = st->bits[w] & ~bit;
	st->bits[w] = word;
	uint64_t later = word & -bit;
	if (!later) {
		if (!word)
			st->summary &= ~(1ull << w);
		return queue_pop_next_word(q, w, r - 1);
	}
	uint32_t f = st->slot[(s & ~63u) | (uint32_t)__builtin_ctzll(later)];
	uint64_t ft = tm[f].time;
	if (st->nheap && q->heap[0].time <= ft) {
		/* The heap's root is earlier, or as early and armed before. */
		f = q->heap[0].ref;
		ft = q->heap[0].time;
	}
	st->first = f;
	st->first_inv = ~ft;
	return r - 1;
}

#endif
