/* queue.c - indexed binary min-heap on (time, seq); see queue.h. */
#include "queue.h"

#include <assert.h>

_Static_assert(sizeof(queue_node) == 24, "queue_node has no padding");
_Static_assert(sizeof(queue_state) == 16, "queue_state has no padding");

void queue_layout(queue *q, arena *a, uint32_t ntimers)
{
	q->cap = ntimers;
	q->off_state = arena_reserve(a, sizeof(queue_state), 8);
	q->off_heap = arena_reserve(a, (size_t)ntimers * sizeof(queue_node), 8);
	q->off_pos = arena_reserve(a, (size_t)ntimers * sizeof(uint32_t), 4);
}

void queue_bind(queue *q, const arena *a)
{
	q->st = arena_at(a, q->off_state);
	q->heap = arena_at(a, q->off_heap);
	q->pos = arena_at(a, q->off_pos);
}

static inline int before(const queue_node *x, const queue_node *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

/* Move node `n` up from hole i; returns its final index. */
static void sift_up(queue *q, uint32_t i, queue_node n)
{
	queue_node *h = q->heap;
	while (i > 0) {
		uint32_t p = (i - 1) >> 1;
		if (!before(&n, &h[p]))
			break;
		h[i] = h[p];
		q->pos[h[i].id] = i + 1;
		i = p;
	}
	h[i] = n;
	q->pos[n.id] = i + 1;
}

static void sift_down(queue *q, uint32_t i, queue_node n)
{
	queue_node *h = q->heap;
	uint32_t len = q->st->n;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= len)
			break;
		if (c + 1 < len && before(&h[c + 1], &h[c]))
			c++;
		if (!before(&h[c], &n))
			break;
		h[i] = h[c];
		q->pos[h[i].id] = i + 1;
		i = c;
	}
	h[i] = n;
	q->pos[n.id] = i + 1;
}

/* Take node at index i out of the heap. */
static void remove_at(queue *q, uint32_t i)
{
	uint32_t last = --q->st->n;
	if (i == last)
		return;
	queue_node n = q->heap[last];
	if (i > 0 && before(&n, &q->heap[(i - 1) >> 1]))
		sift_up(q, i, n);
	else
		sift_down(q, i, n);
}

void queue_arm(queue *q, uint32_t id, uint64_t time)
{
	assert(id < q->cap);
	queue_node n = { time, q->st->next_seq++, id, 0 };
	uint32_t p = q->pos[id];
	if (p) {
		/* Re-arming: the node keeps its slot and moves up or down. */
		uint32_t i = p - 1;
		if (before(&n, &q->heap[i]))
			sift_up(q, i, n);
		else
			sift_down(q, i, n);
		return;
	}
	sift_up(q, q->st->n++, n);
}

void queue_cancel(queue *q, uint32_t id)
{
	uint32_t p = q->pos[id];
	if (!p)
		return;
	q->pos[id] = 0;
	remove_at(q, p - 1);
}

uint32_t queue_pop(queue *q, uint64_t *time)
{
	if (!q->st->n)
		return QUEUE_NONE;
	queue_node top = q->heap[0];
	q->pos[top.id] = 0;
	uint32_t last = --q->st->n;
	if (last)
		sift_down(q, 0, q->heap[last]);
	*time = top.time;
	return top.id;
}
