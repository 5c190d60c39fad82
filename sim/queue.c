/* queue.c - indexed binary min-heap on (time, seq) with a root hole; see
 * queue.h.  Children of node i: 2i+1 and 2i+2; its parent: (i-1)/2. */
#include "queue.h"

#include <assert.h>

_Static_assert(sizeof(queue_node) == 24, "queue_node has no padding");
_Static_assert(sizeof(queue_state) == 16, "queue_state has no padding");

__extension__ typedef unsigned __int128 qkey;

/* (time, seq) as one 128-bit number: one compare, no branch on time ties. */
static inline qkey key(const queue_node *x) { return (qkey)x->time << 64 | x->seq; }

void queue_layout(queue *q, arena *a, uint32_t ntimers)
{
	q->cap = ntimers;
	q->off_state = arena_reserve(a, sizeof(queue_state), 8);
	q->off_heap = arena_reserve(a, (size_t)ntimers * sizeof(queue_node), 64);
	q->off_pos = arena_reserve(a, (size_t)ntimers * sizeof(uint32_t), 4);
}

void queue_bind(queue *q, const arena *a)
{
	q->st = arena_at(a, q->off_state);
	q->heap = arena_at(a, q->off_heap);
	q->pos = arena_at(a, q->off_pos);
}

/* Move the node (time, seq, id) up from hole i.  The node travels in
 * registers, not as a struct on the stack. */
static void sift_up(queue *q, uint32_t i, uint64_t time, uint64_t seq, uint32_t id)
{
	queue_node *h = q->heap;
	uint32_t *pos = q->pos;
	qkey k = (qkey)time << 64 | seq;
	while (i > 0) {
		uint32_t p = (i - 1) >> 1;
		if (k >= key(&h[p]))
			break;
		h[i] = h[p];
		pos[h[i].id] = i + 1;
		i = p;
	}
	h[i] = (queue_node){ time, seq, id, 0 };
	pos[id] = i + 1;
}

/* Move the node (time, seq, id) down from hole i, among the first st->n
 * slots. */
static inline void sift_down(queue *q, uint32_t i, uint64_t time, uint64_t seq, uint32_t id)
{
	queue_node *h = q->heap;
	uint32_t *pos = q->pos;
	uint32_t len = q->st->n;
	qkey k = (qkey)time << 64 | seq;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= len)
			break;
		qkey mk = key(&h[c]);
		if (c + 1 < len) {
			qkey k1 = key(&h[c + 1]);
			if (k1 < mk) {
				mk = k1;
				c++;
			}
		}
		if (mk >= k)
			break;
		h[i] = h[c];
		pos[h[i].id] = i + 1;
		i = c;
	}
	h[i] = (queue_node){ time, seq, id, 0 };
	pos[id] = i + 1;
}

/* Take node at index i out of the heap (no hole open). */
static void remove_at(queue *q, uint32_t i)
{
	uint32_t last = --q->st->n;
	if (i == last)
		return;
	queue_node n = q->heap[last];
	if (i > 0 && key(&n) < key(&q->heap[(i - 1) >> 1]))
		sift_up(q, i, n.time, n.seq, n.id);
	else
		sift_down(q, i, n.time, n.seq, n.id);
}

void queue_settle_hole(queue *q)
{
	queue_state *st = q->st;
	st->hole = 0;
	uint32_t last = --st->n;
	if (last)
		sift_down(q, 0, q->heap[last].time, q->heap[last].seq, q->heap[last].id);
}

void queue_arm(queue *q, uint32_t id, uint64_t time)
{
	assert(id < q->cap);
	queue_state *st = q->st;
	uint64_t seq = st->next_seq++;
	uint32_t p = q->pos[id];
	if (p) {
		/* Re-arming: the node keeps its slot and moves up or down. */
		if (st->hole) {
			queue_settle_hole(q);
			p = q->pos[id];
		}
		uint32_t i = p - 1;
		if (((qkey)time << 64 | seq) < key(&q->heap[i]))
			sift_up(q, i, time, seq, id);
		else
			sift_down(q, i, time, seq, id);
		return;
	}
	if (st->hole) {
		/* The root's hole: one sift-down replaces a pop and a push. */
		st->hole = 0;
		sift_down(q, 0, time, seq, id);
		return;
	}
	sift_up(q, st->n++, time, seq, id);
}

void queue_cancel(queue *q, uint32_t id)
{
	if (!q->pos[id])
		return;
	queue_settle(q);
	uint32_t p = q->pos[id];
	q->pos[id] = 0;
	remove_at(q, p - 1);
}

uint32_t queue_pop(queue *q, uint64_t *time)
{
	queue_settle(q);
	if (!q->st->n)
		return QUEUE_NONE;
	queue_node top = q->heap[0];
	q->pos[top.id] = 0;
	uint32_t last = --q->st->n;
	if (last)
		sift_down(q, 0, q->heap[last].time, q->heap[last].seq, q->heap[last].id);
	*time = top.time;
	return top.id;
}
