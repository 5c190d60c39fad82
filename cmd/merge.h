/* merge.h - `sim merge REPORT.json...`: the shards of one search, one report.
 *
 * Each REPORT is the --json report of `sim FILE --explore N --shard I/N
 * --json` (a report without "shard" counts as shard 0 of 1).  The merge
 * prints what `sim FILE --explore N --json` prints on one machine, byte for
 * byte: the tallies merge as the workers' do (explore_report.h).  Reports of
 * different scenarios, seeds, run counts, bounds, shard counts or program
 * versions are refused, as are missing shards (exit 2, FILE:LINE:COL:
 * error: MESSAGE); a shard given twice with the same content counts once
 * (a note on stderr), with different content is an error.
 *
 * The top-level key says what is merged: "explore", or "check" (the
 * reports of `sim FILE --check --shard I/N --json`, merge_check.c: the
 * whole search's verdicts, see check.h).
 *
 * Concurrency contract: single-threaded, called from main.
 */
#ifndef CMD_MERGE_H
#define CMD_MERGE_H

#include <stdio.h>

/* argv[0..argc) are the report files.  Returns the exit status: 0 no
 * violation, 1 a violation, 2 bad input, 3 internal error. */
int merge_main(int argc, char **argv, FILE *out);

/* `--check` shards: an invariant holds when it holds in every shard's part
 * and every part was searched completely; otherwise the shortest
 * counterexample (ties: the lowest shard) is the merged one.  Counts are
 * the shards' sums (a state below several parts counts in each); a shard
 * given twice counts once, or is refused when its results differ.  Exit 0
 * every invariant holds, 1 one is reachable or a part was cut, 2 bad input. */
int merge_check(int argc, char **argv, FILE *out);

/* Read and parse a report file: its root, or NULL with *rc an exit status
 * (the error told on stderr). */
struct jnode;
struct jnode *merge_read_json(const char *path, int *rc);

#endif
