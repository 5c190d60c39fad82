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

/* Switch a committed sim to untimed stepping (before sim_reset's run). */
void sim_untimed(sim *s);

/* The enabled transitions: the armed timers, in id order, into ids[0..cap).
 * Returns how many there are (0 when the run is over: nothing live, or
 * stopped); more than cap means ids holds only the first cap. */
uint32_t sim_enabled(const sim *s, uint32_t *ids, uint32_t cap);

/* Fire armed timer `id` now, whatever its time: the transition. */
void sim_fire(sim *s, uint32_t id);

/* A run along a script: fire ids[0..n) in order, then the lowest armed
 * timer until none is (or the event limit).  *done: how many of the
 * script's ids fired (fewer than n: ids[*done] was not armed then).
 * Returns the run's end (enum sim_end). */
int sim_run_script(sim *s, const uint32_t *ids, size_t n, size_t *done);

/* In `copy` (a snapshot of s's arena, arena.size bytes), clear the engine's
 * accounting: time, event and step counts, statistics, the RNG streams, the
 * exploration's state, and the event queue, whose armed set is hashed
 * instead.  Returns the hash of the engine's part of the state (the armed
 * timers); the caller hashes the bytes of copy before s->q.off_state. */
uint64_t sim_canon(const sim *s, unsigned char *copy);

/* Bytes of the arena before the queue: what the caller hashes. */
static inline size_t sim_canon_bytes(const sim *s) { return s->q.off_state; }

#endif
