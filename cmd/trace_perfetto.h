/* trace_perfetto.h - the Perfetto / Chrome trace-event JSON sink.
 *
 * Writes {"traceEvents": [...], "displayTimeUnit": "ns"}, which the Perfetto
 * UI (ui.perfetto.dev) and chrome://tracing open.  Layout:
 *   - one process per CPU: pid = cpu, named "cpuN"; when the file holds
 *     several variants, pid = variant_index * 10000 + cpu, named
 *     "fix=none cpu0"; plus one process per variant for the sockets'
 *     counters (pid = variant_index * 10000 + 9999, "sockets");
 *   - threads (tid) per CPU: 0 task, 1 softirq, 2 hardirq carry "X" spans
 *     for spinning on and holding a spinlock, the task's owned section
 *     (lock_sock .. release_sock) and its backlog processing; 3 "stalled"
 *     carries the stalls; 10, 11, 12 carry every labelled step of the task,
 *     softirq and hardirq contexts as a slice with the step's keys as args;
 *   - "i" instants for overruns, drops and lock-rule violations;
 *   - "C" counters: "ring SOCK" (kernel, writing, user frames) and
 *     "backlog SOCK" (pkts, bytes).
 * Spans on one thread always nest: a span that ends under another is cut,
 * and the part after continues as a new span of the same name.
 * Timestamps are microseconds printed from integer ns ("12.345"), so the
 * file is byte-identical for the same scenario and seed.
 *
 * Concurrency contract: one sink, one thread; variants run one after the
 * other between trace_perfetto_begin and trace_perfetto_end.
 */
#ifndef CMD_TRACE_PERFETTO_H
#define CMD_TRACE_PERFETTO_H

#include <stddef.h>

#include "scn.h"
#include "trace.h"

typedef struct trace_perfetto trace_perfetto;

/* Open `path` for `nvariants` variants.  NULL with a message in err. */
trace_perfetto *trace_perfetto_open(const char *path, const scn_file *f, int nvariants,
				    char *err, size_t errlen);
trace_sink *trace_perfetto_sink(trace_perfetto *p);
/* Variant number `index` (0-based) runs fix variant `fix` / has ended. */
void trace_perfetto_begin(trace_perfetto *p, int index, int fix);
void trace_perfetto_end(trace_perfetto *p);
void trace_perfetto_free(trace_perfetto *p);

#endif
