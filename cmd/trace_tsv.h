/* trace_tsv.h - the TSV trace sink: tab-separated data files for gnuplot.
 *
 * The sink reads the event vocabulary of the engine and the models (trace.h,
 * models/costs.h) and turns it into data files in one directory, each with a
 * header line naming its columns.  The first column is always `fix`, the
 * variant, because one run may hold several.  Times are ns.
 *
 *   cpu_states.tsv        fix start end cpu state lock label pkt
 *       What each CPU does, as intervals that tile [0, end of run) per CPU
 *       without gaps or overlaps.  state is one of task softirq hardirq
 *       spinning holding owned backlog stalled idle: the state of the top of
 *       the CPU's context stack (hardirq over softirq over task), refined:
 *       spinning on `lock`, else holding `lock` (the innermost held), else
 *       (a task) processing its socket's backlog, else owning a socket
 *       (lock = that socket's sk_lock.slock); `stalled` overrides all for
 *       the time the CPU is frozen (lock/label/pkt then say where it froze).
 *       label is the top context's last step, pkt its packet (or -); idle
 *       with label sched:wake is a woken task's wake-up latency.
 *   lock_acquisitions.tsv fix lock cpu context wait_start acquired released
 *       One row per spinlock acquisition; uncontended: wait_start ==
 *       acquired.  released is - if the run ended with the lock held.  The
 *       sum of (acquired - wait_start) is the run's spin_total_ns.
 *   ring.tsv              fix time sock kernel writing user event
 *       event occupancy (frames by state after a change; also a row at 0
 *       and at the end), overrun, drop (the occupancy at that time).
 *   backlog.tsv           fix time sock pkts bytes event
 *       event len (after a change; also at 0 and at the end; bytes is
 *       sk_backlog.len, reset only by release_sock after its loop) or drop.
 *   metrics.tsv           fix METRIC...   (scn_metric_name order)
 *   run.tsv               fix scenario seed cpus end_ns ring_sock frames
 *                         stream_sock backlog_limit acquisitions contended
 *                         hold_total_ns deadlock_hops
 *       One row per variant: what the plots need to title and scale
 *       themselves (ring_sock/stream_sock: the first socket of each type,
 *       or -1), the lock totals (the price of a second lock round trip), and
 *       the contexts in the deadlock's cycle (0: none; deadlocks.tsv).
 *   ring_steps.tsv        fix time cpu context sock frame pkt step
 *       Every tpacket_rcv step (A..K, D', J_lock, J_unlock, drop) and every
 *       overrun (step `overrun`): who claimed which frame when.
 *   deadlocks.tsv         fix time cpu context hop hops waits chain
 *       The deadlock's wait-for cycle (oracle:deadlock notes), one row per
 *       context in it: hop 0..hops-1, each waiting for the next and the
 *       last for the first; waits says on what ("spins on LOCK", "waits in
 *       lock_sock() for SOCK", "-": it cannot run under the next); chain
 *       the whole cycle in words (deadlock_chain.h).  Empty without one.
 *
 * Concurrency contract: one sink, one thread; variants run one after the
 * other between trace_tsv_begin and trace_tsv_end.
 */
#ifndef CMD_TRACE_TSV_H
#define CMD_TRACE_TSV_H

#include <stddef.h>
#include <stdint.h>

#include "scn.h"
#include "trace.h"

typedef struct trace_tsv trace_tsv;

/* Create `dir` if needed, open the files and write their headers.  Returns
 * NULL with a message in err.  `f` must outlive the sink. */
trace_tsv *trace_tsv_open(const char *dir, const scn_file *f, char *err, size_t errlen);
/* `--plot DIR` alone: a sink that writes what the plots draw, cut to each
 * variant's window as the rows are made (plot_window.h), instead of every
 * row: DIR's metrics.tsv, run.tsv, sockets.tsv, deadlocks.tsv, DIR/spin/
 * and DIR/window-FIX/.  Two passes: with scan, it writes nothing and keeps
 * each variant's end and first overrun (trace_tsv_window: the default
 * window); without, each variant's window is set (trace_tsv_set_window)
 * before its run. */
trace_tsv *trace_tsv_open_plot(const char *dir, const scn_file *f, int scan, char *err, size_t errlen);
void trace_tsv_window(const trace_tsv *t, int fix, uint64_t *t0, uint64_t *t1);
void trace_tsv_set_window(trace_tsv *t, int fix, uint64_t t0, uint64_t t1);
/* The sink to put in a run's list (its finish closes the files). */
trace_sink *trace_tsv_sink(trace_tsv *t);
/* A variant's run starts / has ended with these metrics. */
void trace_tsv_begin(trace_tsv *t, int fix);
void trace_tsv_end(trace_tsv *t, const uint64_t m[SCN_M_COUNT]);
/* Release the memory (after trace_finish, or instead of it on error). */
void trace_tsv_free(trace_tsv *t);

#endif
