/* queue.c - timing wheel plus indexed overflow heap; queue.h says what it
 * promises.
 *
 * Structure.  `cur` is the time of the last timer popped (0 after a reset;
 * it never goes back).  A timer armed for a time in [cur, cur + W) goes to
 * the wheel: W one-nanosecond slots, slot = time mod W, each a FIFO list of
 * timers linked through the timers themselves (next/prev; the head's prev is
 * the tail, so a slot costs one 32-bit head).  cur never passes an armed
 * time, so a timer in the wheel stays within [cur, cur + W): a slot holds one
 * time, and since arming appends, list order is arming order.  A bitmap (a
 * bit a slot, a summary bit a 64-slot word) finds the first non-empty slot
 * from cur's, circularly, with two ctz.  Any other time goes to an overflow
 * binary min-heap on (time, seq), indexed so that its timers can move and be
 * cancelled: times >= cur + W, and -- tolerated, though the engine never
 * arms one -- times < cur, which pop in order like the rest and leave cur
 * where it is.  Nothing migrates from the heap as cur advances.
 * Heap: children of node i are 2i+1 and 2i+2, its parent (i-1)/2.
 *
 * The tie rule across the two: when the heap's root and the wheel's first
 * have the same time T, the root goes first.  The root was armed when
 * cur <= T - W (else it would be in the wheel; a past time cannot tie, the
 * wheel's are >= cur), the wheel's timer when cur > T - W, and cur only
 * grows: the root was armed earlier, its seq is smaller.  So only the heap
 * keeps seqs (for its own ties), and the wheel and the heap compare times
 * alone.  (time, seq) pairs are unique, so the structure's shape never
 * decides an order.  The earliest timer is kept in `first` (with its time),
 * updated by every arm, pop and cancel, so queue_peek and queue_next_time
 * are loads.
 *
 * Cost.  The common calls -- arm an idle timer into the wheel (a list append,
 * two bitmap words, a compare with the first), pop from the wheel (a head
 * unlink) -- are inline in queue.h and leaf code; everything else is out of
 * line here, so they save no registers.  A pop that empties a 64-slot word
 * scans the summary.  Moves and cancels in the wheel are O(1); a timer in the
 * heap costs O(log h), h the timers beyond the window. */
#include "queue.h"

#include <assert.h>

_Static_assert(sizeof(queue_timer) == 24, "queue_timer has no padding");
_Static_assert(sizeof(queue_node) == 24, "queue_node has no padding");
_Static_assert(sizeof(queue_state) == 48 + 8 * QUEUE_WORDS + 4 * QUEUE_WHEEL,
	       "queue_state has no padding");
_Static_assert(QUEUE_WORDS >= 1 && QUEUE_WORDS <= 64, "the summary is one 64-bit word");

#define NOINLINE __attribute__((noinline))

void queue_layout(queue *q, arena *a, uint32_t ntimers)
{
	q->cap = ntimers;
	q->off_state = arena_reserve(a, sizeof(queue_state), 64);
	q->off_tm = arena_reserve(a, ((size_t)ntimers + 1) * sizeof(queue_timer), 64);
	q->off_heap = arena_reserve(a, (size_t)ntimers * sizeof(queue_node), 64);
}

void queue_bind(queue *q, const arena *a)
{
	q->st = arena_at(a, q->off_state);
	q->tm = arena_at(a, q->off_tm);
	q->heap = arena_at(a, q->off_heap);
}

/* ---- the wheel ---- */

static inline void unmark(queue_state *st, uint32_t s)
{
	uint32_t w = s >> 6;
	st->bits[w] &= ~(1ull << (s & 63));
	if (!st->bits[w])
		st->summary &= ~(1ull << w);
}

/* Unlink ref r from its slot's list. */
static void wheel_del(queue *q, uint32_t r)
{
	queue_state *st = q->st;
	queue_timer *x = &q->tm[r];
	uint32_t s = (uint32_t)x->time & QUEUE_SLOT_MASK;
	uint32_t n = x->next, p = x->prev;
	if (st->slot[s] == r) {
		/* The head: its prev is the tail, which the new head inherits. */
		st->slot[s] = n;
		if (n)
			q->tm[n].prev = p;
		else
			unmark(st, s);
		return;
	}
	q->tm[p].next = n;
	if (n)
		q->tm[n].prev = p;
	else
		q->tm[st->slot[s]].prev = p;    /* r was the tail */
}

/* The first non-empty slot at or after cur's, circularly -- that is, in
 * time order, the wheel holding [cur, cur + W) -- as its head's ref, 0 when
 * the wheel is empty. */
static inline uint32_t wheel_first(const queue_state *st)
{
	uint32_t s = (uint32_t)st->cur & QUEUE_SLOT_MASK;
	uint32_t w = s >> 6;
	uint64_t m = st->bits[w] & (~0ull << (s & 63));
	if (m)
		return st->slot[w << 6 | (uint32_t)__builtin_ctzll(m)];
	/* The words after w; else wrap to the lowest, which may be w itself,
	 * whose bits at or after s are known clear. */
	uint64_t sum = st->summary & (~1ull << w);
	if (!sum)
		sum = st->summary;
	if (!sum)
		return 0;
	w = (uint32_t)__builtin_ctzll(sum);
	return st->slot[w << 6 | (uint32_t)__builtin_ctzll(st->bits[w])];
}

/* ---- the overflow heap ---- */

/* x before y in (time, seq).  Tested as two compares, not as one 128-bit
 * key: equal times are rare in the heap, and the code stays in registers. */
static inline int before(uint64_t xt, uint64_t xs, const queue_node *y)
{
	return xt < y->time || (xt == y->time && xs < y->seq);
}

/* Put node n at index i. */
static inline void heap_put(queue *q, uint32_t i, const queue_node *n)
{
	q->heap[i] = *n;
	q->tm[n->ref].loc = QUEUE_LOC_HEAP + i;
}

/* Move node n up from hole i.  A node armed into the heap is far ahead, so
 * this is usually one compare. */
static inline void sift_up(queue *q, uint32_t i, queue_node n)
{
	while (i > 0) {
		uint32_t p = (i - 1) >> 1;
		if (!before(n.time, n.seq, &q->heap[p]))
			break;
		heap_put(q, i, &q->heap[p]);
		i = p;
	}
	heap_put(q, i, &n);
}

/* Move node n down from hole i, among the first st->nheap. */
static inline void sift_down(queue *q, uint32_t i, queue_node n)
{
	const queue_node *h = q->heap;
	uint32_t len = q->st->nheap;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= len)
			break;
		if (c + 1 < len && before(h[c + 1].time, h[c + 1].seq, &h[c]))
			c++;
		if (!before(h[c].time, h[c].seq, &n))
			break;
		heap_put(q, i, &h[c]);
		i = c;
	}
	heap_put(q, i, &n);
}

/* Insert idle ref r; its seq orders it among the heap's equal times. */
static inline void heap_add(queue *q, uint32_t r, uint64_t time)
{
	queue_state *st = q->st;
	q->tm[r].time = time;
	sift_up(q, st->nheap++, (queue_node){ time, st->next_seq++, r, 0 });
}

/* Remove the root: the last node goes in and down. */
NOINLINE static void heap_pop_root(queue *q)
{
	uint32_t len = --q->st->nheap;
	if (len)
		sift_down(q, 0, q->heap[len]);
}

/* Take the node at index i out of the heap. */
static void heap_del(queue *q, uint32_t i)
{
	uint32_t last = --q->st->nheap;
	if (i == last)
		return;
	queue_node n = q->heap[last];
	if (i > 0 && before(n.time, n.seq, &q->heap[(i - 1) >> 1]))
		sift_up(q, i, n);
	else
		sift_down(q, i, n);
}

/* ---- both ---- */

/* The earliest armed timer's ref (0: none): the wheel's first or the heap's
 * root.  On equal times the root goes first, without looking at seqs: the
 * root was armed when cur <= time - W, the wheel's timer when
 * cur > time - W, and cur never goes back, so the root was armed earlier
 * (see queue.h). */
static inline uint32_t find_first(const queue *q)
{
	const queue_state *st = q->st;
	uint32_t w = wheel_first(st);
	if (!st->nheap)
		return w;
	const queue_node *root = &q->heap[0];
	if (w && q->tm[w].time < root->time)
		return w;
	return root->ref;
}

/* Record ref r (0: none) as the earliest, with its time for peek/next_time. */
static inline void set_first(queue *q, uint32_t r)
{
	q->st->first = r;
	q->st->first_inv = r ? ~q->tm[r].time : 0;
}

/* After the first timer left by another way than a pop from the wheel. */
NOINLINE static void refind_first(queue *q) { set_first(q, find_first(q)); }

/* Take armed ref r out of whichever structure holds it. */
static void unlink_timer(queue *q, uint32_t r)
{
	queue_state *st = q->st;
	queue_timer *x = &q->tm[r];
	if (x->loc == QUEUE_LOC_WHEEL)
		wheel_del(q, r);
	else
		heap_del(q, x->loc - QUEUE_LOC_HEAP);
	x->loc = 0;
	st->n--;
	if (st->first == r)
		refind_first(q);
}

/* Arm idle ref r, in the wheel or the heap. */
static inline void arm_idle(queue *q, uint32_t r, uint64_t time)
{
	queue_state *st = q->st;
	if (time - st->cur < QUEUE_WHEEL)
		queue_wheel_add_(q, r, time);
	else
		heap_add(q, r, time);
	st->n++;
	queue_maybe_first_(st, r, time);
}

/* queue_arm's rarer cases, out of line: a move ... */
NOINLINE static void arm_move(queue *q, uint32_t r, uint64_t time)
{
	unlink_timer(q, r);
	arm_idle(q, r, time);
}

/* ... and an idle timer beyond the window -- or (tolerated) in the past,
 * which wraps to a huge difference from cur. */
NOINLINE static void arm_heap(queue *q, uint32_t r, uint64_t time)
{
	queue_state *st = q->st;
	heap_add(q, r, time);
	st->n++;
	queue_maybe_first_(st, r, time);
}

/* queue_arm when r is armed (a move) or its time is outside the window. */
void queue_arm_slow(queue *q, uint32_t r, uint64_t time)
{
	assert(r - 1 < q->cap);
	if (q->tm[r].loc)
		arm_move(q, r, time);
	else
		arm_heap(q, r, time);
}

void queue_cancel(queue *q, uint32_t id)
{
	assert(id < q->cap);
	if (q->tm[id + 1].loc)
		unlink_timer(q, id + 1);
}

/* queue_pop when the earliest is the heap's root, or there is none. */
uint32_t queue_pop_slow(queue *q, uint64_t *time)
{
	queue_state *st = q->st;
	uint32_t r = st->first;
	if (!r)
		return QUEUE_NONE;
	uint64_t t = q->tm[r].time;
	q->tm[r].loc = 0;
	st->n--;
	/* A past time must not move the wheel's origin back: the wheel's
	 * timers stay within [cur, cur + W). */
	if (t > st->cur)
		st->cur = t;
	*time = t;
	heap_pop_root(q);
	set_first(q, find_first(q));
	return r - 1;
}

/* The end of a pop from the wheel when nothing is left in the popped slot's
 * word w after it: the first is in a later word, or wraps around, or is the
 * heap's root.  Returns id. */
uint32_t queue_pop_next_word(queue *q, uint32_t w, uint32_t id)
{
	const queue_state *st = q->st;
	uint64_t sum = st->summary & (~1ull << w);
	if (!sum)
		sum = st->summary;      /* wrap: w's own bits are all before cur */
	uint32_t f = 0;
	if (sum) {
		uint32_t v = (uint32_t)__builtin_ctzll(sum);
		f = st->slot[v << 6 | (uint32_t)__builtin_ctzll(st->bits[v])];
	}
	if (st->nheap && (!f || q->heap[0].time <= q->tm[f].time))
		f = q->heap[0].ref;
	set_first(q, f);
	return id;
}
