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
 * The top-level "explore" key says what is merged; a report of another
 * search (a future "check") is refused by name until its merge is added
 * beside merge_explore.
 *
 * Concurrency contract: single-threaded, called from main.
 */
#ifndef CMD_MERGE_H
#define CMD_MERGE_H

#include <stdio.h>

/* argv[0..argc) are the report files.  Returns the exit status: 0 no
 * violation, 1 a violation, 2 bad input, 3 internal error. */
int merge_main(int argc, char **argv, FILE *out);

#endif
