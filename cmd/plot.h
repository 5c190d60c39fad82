/* plot.h - `sim --plot DIR`: render the TSV data of a run with gnuplot.
 *
 * gnuplot is a run-time dependency, found on PATH; the scripts are in the
 * data directory's plots/ (cmd/datadir.h).  Each script is run as
 *     gnuplot -c plots/X.gp DATADIR OUT.png [FIX]
 * by posix_spawn (no shell), one after the other.
 *
 * Concurrency contract: single-threaded, called from main.
 */
#ifndef CMD_PLOT_H
#define CMD_PLOT_H

#include <stddef.h>
#include <stdint.h>

/* Find gnuplot on PATH: 0 and its path in buf, or -1. */
int plot_find_gnuplot(char *buf, size_t len);

/* Render DIR's data, written by the TSV sink for the variants fixes[0..n):
 * timeline.png (one variant) or timeline-FIX.png (several), spin_hist.png,
 * compare.png.  The timelines show window[0]..window[1] ns (NULL: around
 * each variant's first overrun, plot_window.h), merged below a pixel, from
 * the cut data in DIR/window-FIX/.  Returns 0, or -1 with a message in err. */
int plot_render(const char *gnuplot, const char *dir, const int *fixes, int n,
		const uint64_t *window, const uint64_t (*cut)[2], char *err, size_t errlen);
/* cut: NULL, or the windows (by enum scn_fix) that the sink already cut
 * DIR/window-FIX/ and DIR/spin/ to (trace_tsv_open_plot): nothing is read
 * back from whole files. */

/* Render DIR/sweep.tsv (written by --sweep) into DIR/sweep.png with
 * plots/sweep.gp.  Returns 0, or -1 with a message in err. */
int plot_sweep(const char *gnuplot, const char *dir, char *err, size_t errlen);

#endif
