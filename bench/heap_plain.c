/* heap_plain.c - see heap_plain.h.  Deliberately the textbook version. */
#include "heap_plain.h"

#include <stdlib.h>

int heap_plain_init(heap_plain *hp, uint32_t cap)
{
	hp->h = malloc((size_t)(cap ? cap : 1) * sizeof(*hp->h));
	hp->n = 0;
	hp->cap = cap;
	hp->next_seq = 0;
	return hp->h ? 0 : -1;
}

void heap_plain_free(heap_plain *hp)
{
	free(hp->h);
	hp->h = NULL;
	hp->n = hp->cap = 0;
}

static int before(const heap_plain_node *x, const heap_plain_node *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

void heap_plain_push(heap_plain *hp, uint32_t id, uint64_t time)
{
	heap_plain_node n = { time, hp->next_seq++, id, 0 };
	uint32_t i = hp->n++;
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!before(&n, &hp->h[p]))
			break;
		hp->h[i] = hp->h[p];
		i = p;
	}
	hp->h[i] = n;
}

uint32_t heap_plain_pop(heap_plain *hp, uint64_t *time)
{
	if (hp->n == 0)
		return UINT32_MAX;
	heap_plain_node top = hp->h[0];
	heap_plain_node n = hp->h[--hp->n];
	uint32_t len = hp->n, i = 0;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= len)
			break;
		if (c + 1 < len && before(&hp->h[c + 1], &hp->h[c]))
			c++;
		if (!before(&hp->h[c], &n))
			break;
		hp->h[i] = hp->h[c];
		i = c;
	}
	if (len)
		hp->h[i] = n;
	*time = top.time;
	return top.id;
}
