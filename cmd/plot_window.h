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

/* The cut, fed row by row: what plot_window_write does with DIR's files,
 * for a sink that has the rows as it makes them (trace_tsv.h's plot
 * mode).  headers: the four files' header lines.  plot_cut_row takes a TSV
 * line of file `kind` (any variant: others are skipped; changed in place). */
enum { PC_STATES, PC_STEPS, PC_RING, PC_BACKLOG, PC_KINDS };
typedef struct plot_cut plot_cut;
plot_cut *plot_cut_open(const char *outdir, const char *fix, uint64_t t0, uint64_t t1,
			const char *const headers[PC_KINDS], char *err, size_t errlen);
void plot_cut_row(plot_cut *c, int kind, char *line);
/* A ring.tsv (kind PC_RING: v kernel, writing, user) or backlog.tsv
 * (PC_BACKLOG: v pkts, bytes, rmem) row of this variant. */
void plot_cut_counter(plot_cut *c, int kind, uint64_t time, uint64_t sock, const int64_t v[3],
		      const char *ev);
/* A ring_steps row at t of step `step`: is it drawn (0/1; call once a
 * row, it counts the marks); then plot_cut_step writes the row (a line
 * with its newline). */
int plot_cut_step_kept(plot_cut *c, uint64_t t, const char *step);
void plot_cut_step(plot_cut *c, const char *line);
/* A cpu_states row of this variant, as plot_cut_row would read it. */
void plot_cut_state(plot_cut *c, uint64_t start, uint64_t end, uint32_t cpu, const char *state,
		    const char *lock, const char *label, int64_t pkt);
/* Flush and close; 0, or -1 with a message (err may be NULL). */
int plot_cut_close(plot_cut *c, char *err, size_t errlen);

/* Copy DIR's run.tsv, metrics.tsv, sockets.tsv and deadlocks.tsv into
 * OUTDIR (a window's directory).  0, or -1 with a message. */
int plot_window_copies(const char *dir, const char *outdir, char *err, size_t errlen);

/* The default window of a run that ended at `end` with its first overrun
 * at `first` (UINT64_MAX: none). */
void plot_default_window(uint64_t end, uint64_t first, uint64_t *t0, uint64_t *t1);

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
/* The same, fed wait by wait: new, add (0, or -1 out of memory), finish
 * (writes OUTDIR's file, copies DIR's run.tsv and metrics.tsv, frees). */
typedef struct plot_waits plot_waits;
plot_waits *plot_waits_new(void);
int plot_waits_add(plot_waits *w, const char *fix, uint64_t wait);
int plot_waits_finish(plot_waits *w, const char *dir, const char *outdir, char *err, size_t errlen);

#endif
