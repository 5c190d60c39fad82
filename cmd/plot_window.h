/* plot_window.h - the timeline's data, cut to a time window and merged below
 * a pixel, so that drawing it costs the same for any length of run.
 *
 * From DIR's TSV files (cmd/trace_tsv.h) for one variant, writes OUTDIR's
 * cpu_states.tsv, ring_steps.tsv, ring.tsv, backlog.tsv (same columns) and
 * copies run.tsv and metrics.tsv:
 *  - cpu_states: the intervals inside [t0, t1], clipped; on each CPU a run
 *    of intervals shorter than a pixel ((t1 - t0) / PLOT_PX) becomes one bar
 *    of the state that lasted longest in it;
 *  - ring_steps: the claims (C) and publishes (J) inside the window, at most
 *    PLOT_MARKS of them, and every overrun;
 *  - ring, backlog: per socket, the last counter row of each pixel (and the
 *    row in force at t0), every overrun, one drop a pixel.
 * The default window (t0 == t1 == 0 asked) is around the first overrun of
 * the variant -- PLOT_BEFORE_NS before it to PLOT_AFTER_NS after -- or the
 * whole run when there is none or the run is shorter.
 *
 * Concurrency contract: single-threaded, called from plot_render.
 */
#ifndef CMD_PLOT_WINDOW_H
#define CMD_PLOT_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#define PLOT_PX 1400u
#define PLOT_MARKS 4000u
#define PLOT_BEFORE_NS 60000u
#define PLOT_AFTER_NS 20000u

/* *t0, *t1: the window asked (both 0: the default), then the one used.
 * Returns 0, or -1 with a message. */
int plot_window_write(const char *dir, const char *fix, const char *outdir, uint64_t *t0,
		      uint64_t *t1, char *err, size_t errlen);

/* `--plot-window T0..T1`: two times with a unit (ns, us, ms, s), T1 > T0.
 * Returns 0, or -1. */
int plot_window_parse(const char *s, uint64_t w[2]);

/* For spin_hist.gp: OUTDIR/lock_acquisitions.tsv holding `fix wait count`,
 * one row per variant and distinct spin wait (acquired - wait_start, ns),
 * sorted, and copies of run.tsv and metrics.tsv.  Returns 0, or -1 with a
 * message. */
int plot_waits_write(const char *dir, const char *outdir, char *err, size_t errlen);

#endif
