/* grow.h - room for one more element at the end of a growing array.
 *
 *     T *g = grow(v, sizeof *v, n, &cap, FIRST);
 *     if (!g) return error;      (v is still valid, nothing changed)
 *     v = g;                     (now v[n] may be written)
 *
 * The capacity doubles from FIRST; O(1) amortised.  Single-threaded, like
 * its callers (the trace sinks and the command line). */
#ifndef CMD_GROW_H
#define CMD_GROW_H

#include <stdint.h>
#include <stdlib.h>

static inline void *grow(void *v, size_t elem, size_t n, size_t *cap, size_t first)
{
	if (n < *cap)
		return v;
	size_t c = *cap ? 2 * *cap : first;
	if (c < *cap || c > SIZE_MAX / elem)
		return NULL;
	void *g = realloc(v, c * elem);
	if (g)
		*cap = c;
	return g;
}

#endif
