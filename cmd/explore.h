/* explore.h - find, shrink and replay races without a hand-placed stall.
 *
 * `sim FILE --explore N` runs N runs derived from the scenario's seed (run i
 * has seed explore_run_seed(seed, i)), each perturbed only through the RNG
 * (sim/perturb.h), spread over J worker threads.  Runs reset one flat world
 * per worker instead of rebuilding it.  A shared counter (ck_pr) hands out
 * run indices; each worker folds its runs' verdicts into its own tally and
 * the tallies merge (explore_report.h), so the report -- the same failing
 * seeds, the same first and smallest failure -- does not depend on J or on
 * scheduling, and memory does not grow with N.  `--shard I/N` runs one
 * contiguous part of the run indices and writes a report `sim merge` joins.  `--replay SEED` reruns one run exactly, `--shrink`
 * minimises the smallest failing run into a standalone scenario.
 *
 * Concurrency contract: explore_main runs on the main thread and starts the
 * workers; the scenario is read-only while they run.
 */
#ifndef CMD_EXPLORE_H
#define CMD_EXPLORE_H

#include <stdint.h>
#include <stdio.h>

#include "scn.h"
#include "trace.h"

/* Violation kinds, as bits of a run's verdict. */
enum explore_kind { XK_OVERRUN, XK_CORRUPT, XK_PARTIAL, XK_LOST, XK_VIOLATIONS, XK_DEADLOCK,
		    XK_EXPECT,  /* --explore-expect: one of the scenario's expect lines failed */
		    XK_COUNT };

typedef struct explore_opts {
	uint64_t runs;              /* 0: the scenario's explore runs= */
	int strategy;               /* -1: the scenario's */
	int depth;                  /* -1: the scenario's */
	uint32_t jobs;              /* worker threads, >= 1 */
	int shrink;
	const char *shrink_out;     /* NULL: NAME-shrunk.scn in the current directory */
	int replay;
	uint64_t replay_seed;
	int quiet;
	int json;
	trace_sink *trace;          /* replay only */
	int has_seed;               /* --seed overrode the scenario's seed (the replay hint says so) */
	int expect;                 /* --explore-expect: a failed expect line is a violation */
	uint32_t shard, shards;     /* --shard I/N: runs [R*I/N, R*(I+1)/N) only; shards 0: off */
} explore_opts;

uint64_t explore_run_seed(uint64_t base, uint64_t i);
/* Returns the process exit status: 0 no violation, 1 a violation, 2 bad
 * input, 3 internal error. */
int explore_main(const scn_file *f, const explore_opts *o, FILE *out);

#endif
