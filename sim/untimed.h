/* untimed.h - the engine without its clock: the transitions of a state.
 *
 * `sim FILE --check` explores every interleaving of a run, not the one its
 * costs and times pick.  In a state, every armed timer is an enabled
 * transition (a CPU's next step, a source's next arrival, a task's start or
 * wake-up, an irq line), whatever its time; firing one runs exactly what
 * the event loop would run for it, with run-ahead off, so one transition is
 * one labelled step of one context (plus the zero-cost calls around it).
 * Time still moves (to the fired timer's time, when that is later) but it is
 * not part of the state: sim_canon() clears it, with everything else that is
 * accounting rather than semantics (counters of events and steps, wait
 * statistics, the queue's times and layout), so that two runs that reach
 * the same kernel state by different timings hash alike.  docs/check.md
 * says what this proves and what it does not.
 *
 * Concurrency contract: as sim.h: one sim, one thread.
 */
#ifndef SIM_UNTIMED_H
#define SIM_UNTIMED_H

#include <stddef.h>
#include <stdint.h>

#include "sim.h"

/* Switch a committed sim to untimed stepping (before sim_reset's run):
 * every label costs 1 ns and no label stall watches it. */
void sim_untimed(sim *s);

/* The enabled transitions: the armed timers, in id order, into ids[0..cap).
 * Returns how many there are (0 when the run is over: nothing live, or
 * stopped); more than cap means ids holds only the first cap. */
uint32_t sim_enabled(const sim *s, uint32_t *ids, uint32_t cap);

/* Fire armed timer `id` now, whatever its time: the transition. */
void sim_fire(sim *s, uint32_t id);

/* Partial-order reduction (docs/check.md): the lowest CPU whose armed
 * transition is one local step (sim_set_fn_local) of its top context, with
 * nothing to attend to first (no hardirq pending, no softirq or reschedule
 * asked for); SIM_NONE when there is none.  Such a step commutes with
 * every transition of every other context and changes nothing the oracle
 * sees: firing it at once, before anything else, loses no state the
 * invariants can tell apart. */
uint32_t sim_local_step(const sim *s);

/* Partial-order reduction beyond local steps: a persistent set.  Of the
 * enabled transitions ids[0..n), keep (at the front; returns how many)
 * those of the lowest CPU that is isolated (sim_untimed: no task of its
 * own but its ksoftirqd, every timer said to be some CPU's), whose
 * contexts are all at private steps (sim_set_fn_private) and not
 * spinning, and that is running or idle: its step timer and the timers
 * said to be its (sim_set_timer_cpu).  Nothing any other transition does,
 * now or later, touches what they touch until one of them fires, so firing
 * only them first loses no reachable violation (the invariants' counters
 * only go up) and no end state (but for a run stopped by another CPU's
 * step, sim_stop, which then ends after their steps instead of before).  Their chains are finite (a private
 * step makes progress: the models' promise), so no cycle is made of such
 * sets alone.  Returns n (all kept) when no CPU qualifies. */
uint32_t sim_ample(const sim *s, uint32_t *ids, uint32_t n);

/* A run along a script: fire ids[0..n) in order, then the lowest armed
 * timer until none is (or the event limit).  *done: how many of the
 * script's ids fired (fewer than n: ids[*done] was not armed then).
 * Returns the run's end (enum sim_end). */
int sim_run_script(sim *s, const uint32_t *ids, size_t n, size_t *done);

/* The parts of the arena that are state, in order: the bytes before the
 * queue (sim_canon_bytes) but the RNG streams, the zero-time guards and
 * exploration's state, which are accounting as a whole.  The caller copies
 * and hashes these segments only; the rest of its copy is never read. */
typedef struct sim_seg {
	size_t lo, hi;
} sim_seg;
#define SIM_CANON_SEGS 4
uint32_t sim_canon_segments(const sim *s, sim_seg seg[SIM_CANON_SEGS]);

/* The parts of the arena a snapshot of an untimed run keeps: all of it but
 * exploration's state, which an untimed run never touches (sim_untimed:
 * no perturbation, no jitter).  Returns how many (1 or 2). */
uint32_t sim_snapshot_segments(const sim *s, sim_seg seg[2]);

/* In `copy` (s's arena's segments copied at their offsets), clear the
 * engine's accounting: time, event and step counts, statistics, and the
 * event queue, whose armed set is hashed instead.  Returns the hash of the
 * engine's part of the state (the armed timers); the caller hashes the
 * segments of copy. */
uint64_t sim_canon(const sim *s, unsigned char *copy);

/* Bytes of the arena before the queue: what the caller hashes. */
static inline size_t sim_canon_bytes(const sim *s) { return s->q.off_state; }

#endif
