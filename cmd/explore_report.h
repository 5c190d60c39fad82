/* explore_report.h - what one variant's exploration found, and its JSON.
 *
 * The tally is a pure function of the set of (run, verdict, events) it was
 * given, whatever their order: counts add up, and the first failing run,
 * the first run of each kind and the smallest failing run (fewest events,
 * then lowest run index) are minima of a total order.  So workers keep one
 * tally each and merge them, and `sim merge` merges shards' reports the same
 * way: the report is the same for any -j and any sharding, and memory does
 * not grow with the number of runs.
 *
 * xvariant_json prints exactly what `sim FILE --explore N --json` prints for
 * one variant (left open for "shrunk"); explore.c and merge.c both use it,
 * so a merged report is the single-machine report by construction.
 *
 * Concurrency contract: pure functions of their arguments; any thread.
 */
#ifndef CMD_EXPLORE_REPORT_H
#define CMD_EXPLORE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "explore.h"

#define XNONE UINT64_MAX        /* no such run */

typedef struct xtally {
	uint64_t count[XK_COUNT];       /* runs showing each violation kind */
	uint64_t first_of[XK_COUNT];    /* the first such run, or XNONE */
	uint64_t failing;               /* runs with any violation */
	uint64_t first, small;          /* the first failing run, the smallest one; XNONE */
	uint32_t first_kinds, small_kinds;
	uint64_t small_events;
} xtally;

void xtally_init(xtally *t);
/* Count run `run`, which showed `kinds` (enum explore_kind bits) in `events`. */
void xtally_add(xtally *t, uint64_t run, uint32_t kinds, uint64_t events);
/* Fold `from` (disjoint runs) into `into`. */
void xtally_merge(xtally *into, const xtally *from);

/* One variant's search: its bounds, its calibration run and its tally. */
typedef struct xvariant {
	int fix;
	uint64_t runs;
	int pct;                        /* strategy: 1 pct, 0 random */
	uint32_t depth, irqs, jitter;
	uint64_t stall_max, irq_max;
	int spin_random;
	uint64_t steps, horizon;        /* the unperturbed run */
	uint64_t base;                  /* the scenario's seed: run i's seed derives from it */
	xtally t;
	char replay[1024];              /* the command that replays the smallest failing run */
} xvariant;

/* The JSON object of one variant, without its closing brace. */
void xvariant_json(FILE *out, const xvariant *v);

/* s, quoted for a POSIX shell when it needs it, into buf; returns buf. */
const char *shell_quote(const char *s, char *buf, size_t len);

#endif
