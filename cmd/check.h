/* check.h - `sim FILE --check`: every interleaving, within the scenario's
 * bounds (docs/check.md).
 *
 * For each fix variant: a breadth-first search of the untimed state graph
 * (sim/untimed.h) from the run's initial state, over the same step
 * functions `./sim` runs (check_search.c).  A state is the canonical
 * semantic part of the run's arena (world_state_hash); the visited set
 * keeps its hash only (visited.h); the states of the level being searched
 * are kept as deltas against the initial state.  The oracle's invariants
 * are checked in every state, `lost` and "some context waits forever" in
 * the states where nothing is left to fire.  For each invariant that
 * breaks, the shortest path (fewest transitions, the local steps taken at
 * once not counted; ties: the least by the parent's place in its level,
 * then the transition's timer id) is kept and replayed to tell its story.
 *
 * Sharded (--shard I/N): every shard searches the graph down to the first
 * depth with at least 8 N states (or the 64th), checking every state it
 * meets; the states at that depth, in the search's order, are dealt
 * round-robin, and shard I searches below its own.  Every state is met by
 * some shard; the merged verdicts (sim merge) are the whole search's.  A
 * state below several shards' parts is searched by each.
 *
 * Concurrency contract: check_main runs on the main thread and the variants
 * one after another; each variant's levels are searched on J threads
 * (-j J), each with its own world, and merged in an order that does not
 * depend on which thread met what: the output is the same for every J.
 */
#ifndef CMD_CHECK_H
#define CMD_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "scn.h"

typedef struct check_opts {
	int json;
	int quiet;                  /* no counterexample stories */
	uint32_t jobs;              /* threads, >= 1 */
	uint64_t depth;             /* --check-depth: 0 unbounded */
	uint32_t bitstate;          /* --check-bitstate BITS; 0: hash compaction */
	uint64_t mem_mib;           /* --check-memory: 0, half of the machine's */
	const char *cex_dir;        /* --check-cex DIR: write each counterexample there, or NULL */
	uint32_t shard, shards;     /* --shard I/N: search part I of N (shards 0: the whole) */
	int por;                    /* partial-order reduction (on unless --check-por off) */
	int audit;                  /* --check-audit: states met twice at one depth, same successors? */
	int dfs;                    /* --check-order dfs */
	int has_opts;               /* the command line gave a --check-* option */
} check_opts;

/* The invariants, in report order; check_inv_name() names them as the
 * scenario's metrics do. */
enum check_inv { CI_OVERRUN, CI_CORRUPT, CI_PARTIAL, CI_LOST, CI_VIOLATIONS, CI_DEADLOCK,
		 CI_LOCK_ORDER, CI_COUNT };
const char *check_inv_name(int inv);
int check_inv_metric(int inv);     /* its enum scn_metric */

/* One variant's search. */
typedef struct check_result {
	int fix;
	int error;                  /* an exit status when the search could not run */
	uint64_t states, transitions, max_depth;
	uint64_t terminals;         /* states where nothing is left to fire */
	uint64_t folded;            /* local steps fired at once (partial-order reduction) */
	uint64_t ample;             /* states expanded by one CPU's private transitions only (sim_ample) */
	int complete;               /* neither the depth bound nor memory cut it */
	int depth_cut, out_of_memory;
	int over_limit;             /* out of memory: past --check-memory */
	uint64_t audit_pairs;       /* --check-audit: states met again at one depth, compared */
	uint64_t audit_differ;      /* of those, with other successors (a model's canon is wrong) */
	double omission;            /* visited_omission() */
	uint64_t bytes;             /* the visited set plus the search stack at its deepest */
	uint32_t front_depth;       /* sharded: the depth where the search was split */
	uint64_t frontier;          /* sharded: the states there, all shards' */
	uint32_t *cex[CI_COUNT];    /* the shortest path met that breaks it (timer ids), or NULL */
	uint32_t cex_len[CI_COUNT];      /* its transitions, the local steps taken at once included */
	uint32_t cex_depth[CI_COUNT];    /* its transitions but those: the depth it was found at */
} check_result;

/* Search one variant; 0, or an exit status (message on stderr).  By
 * --check-order: breadth first (check_search.c), or check_dfs(). */
int check_variant(const scn_file *f, int fix, const check_opts *o, check_result *r);
int check_dfs(const scn_file *f, int fix, const check_opts *o, check_result *r);

/* The searches' common parts (check.c): a clock for progress lines only,
 * --check-memory in bytes, the end of a search. */
double check_wall(void);
/* SIM_CHECK_SELFTEST in the environment: the searches keep 12 bits of each
 * state hash, so that distinct states merge -- for the tests that prove
 * --check-audit and the depth-first/breadth-first comparison can fail. */
int check_selftest(void);
uint64_t check_memory_limit(const check_opts *o);
/* A search's end: when it failed for memory (over: past the limit), says so
 * on stderr; sets complete and the omission probability. */
void check_conclude(check_result *r, int failed, int over, uint64_t limit, double omission);
void check_result_free(check_result *r);

/* A counterexample's scenario, either form: c's `check` lines dropped,
 * one `expect INV>=1` line (e, the caller's allocation, c's from now on) in
 * place of its own, and this fix. */
void check_cex_expect(scn_file *c, int fix, int inv, scn_expect *e);

/* check_timed.c: r's counterexample of inv as a timed scenario in *out --
 * stall lines and one arrival time a packet that make a plain run take the
 * path's steps in its order -- found and checked by running it.  0; or -1
 * with the reason in why (the path cannot be forced so: the caller writes
 * the replay form). */
int check_timed_cex(const scn_file *f, const check_result *r, int inv, scn_file *out, char *why,
		    size_t whylen);

/* Print the results of n variants (check_report.c): text or --json.
 * Returns 0, or 3 when a counterexample could not be replayed. */
int check_report(FILE *out, const scn_file *f, const check_result *r, int n, const check_opts *o);

/* The scenario's `check` lines that the results contradict, each told on
 * `out` (when not NULL) as "FAILED check ...  FILE:LINE"; returns how many. */
int check_expect_failures(const scn_file *f, const check_result *r, int n, FILE *out);

/* Returns the process exit status: 0 every invariant holds in every
 * variant (or, with `check` lines, every verdict is the one they expect),
 * 1 otherwise, 2 bad input, 3 internal error. */
int check_main(const scn_file *f, const check_opts *o, FILE *out);

#endif
