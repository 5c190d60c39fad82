/* sweep.h - `--sweep KEY=LO..HI[:STEP]` and `--bisect KEY=LO..HI[:STEP]
 * --until 'METRIC OP VALUE'`: plain runs of a scenario over one parameter.
 *
 * Each value is set in a copy of the parsed scenario (scn/set.h), which is
 * written back and parsed again, so every value meets the language's own
 * bounds; then each variant runs exactly as `sim FILE` runs it.  A sweep
 * prints one row a value and variant: the metrics that are not 0 somewhere
 * (or that an expect line names), and whether the expect lines hold; as a
 * table, as --json, and with --tsv DIR / --plot DIR as DIR/sweep.tsv (and
 * DIR/sweep.png from plots/sweep.gp).  A bisection finds, per variant, the
 * smallest value on the grid LO, LO+STEP, ... HI where the condition holds,
 * after probing 17 evenly spaced values to see whether the condition is
 * monotone in the parameter (the caveat is printed when it is not).
 *
 * Output goes out whole at the end: bad input midway prints nothing but its
 * message (exit 2).
 *
 * Concurrency contract: single-threaded, called from main.
 */
#ifndef CMD_SWEEP_H
#define CMD_SWEEP_H

#include <stdio.h>

#include "scn.h"

typedef struct sweep_opts {
	const char *spec;       /* KEY=LO..HI[:STEP] */
	int bisect;             /* --bisect (spec is its range) */
	const char *until;      /* --until 'METRIC OP VALUE' */
	int json;
	const char *tsv_dir;    /* --tsv DIR: DIR/sweep.tsv */
	const char *plot_dir;   /* --plot DIR: DIR/sweep.tsv and DIR/sweep.png */
	const char *gnuplot;    /* with plot_dir */
} sweep_opts;

/* Exit status: sweep 0 every expectation held at every value, 1 one failed;
 * bisect 0 a threshold was found for every variant, 1 not; 2 bad input, 3
 * internal error. */
int sweep_main(const scn_file *f, const sweep_opts *o, FILE *out);

#endif
