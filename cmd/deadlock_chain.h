/* deadlock_chain.h - the oracle:deadlock notes of one deadlock (models/
 * oracle.h, oracle_deadlock_notes), gathered into the wait-for chain a trace
 * sink names its marks with:
 *     "cpu0 softirq spins on sk_lock.slock(s), held by cpu0 user; cpu0 user
 *      cannot run under cpu0 softirq"
 * The notes come in the order of the chain (hop=0 .. hops-1), all at one
 * time; the chain is complete at the last one.
 *
 * Concurrency contract: one per trace sink, single-threaded.
 */
#ifndef CMD_DEADLOCK_CHAIN_H
#define CMD_DEADLOCK_CHAIN_H

#include <stdint.h>

#include "scn.h"
#include "trace.h"

#define DL_HOPS_MAX 16          /* more than a story holds (STORY_LINES) */
#define DL_TEXT_MAX 1024        /* longer chains end in "..." */

typedef struct dl_hop {
	uint32_t cpu, ctx_kind;
	char who[SCN_NAME_MAX + 16];    /* "cpu0 softirq", "cpu1 user" */
	char what[112];                 /* "spins on sk_lock.slock(s)", "" */
	const char *by;                 /* "held by" (a spinlock), "owned by" (lock_sock) */
} dl_hop;

typedef struct dl_chain {
	uint32_t n;
	dl_hop hop[DL_HOPS_MAX];
	char text[DL_TEXT_MAX];
} dl_chain;

/* Take one oracle:deadlock note (hop=0 starts a chain afresh).  Returns 1
 * when it was the last hop: c->hop[0..n) and c->text are then the whole
 * chain; 0 otherwise. */
int dl_chain_note(dl_chain *c, const scn_file *f, const trace_event *e);

#endif
