/* spinlock.h - spin_lock / spin_lock_bh / spin_lock_irqsave and unlocks.
 *
 * A waiter spins: its context answers SIM_SPIN and its CPU does nothing else,
 * but still takes hardirqs unless it used irqsave.  On release the next owner
 * is picked by policy, `fifo` (ticket / qspinlock MCS queue) or `random`
 * (test-and-set, from the "spinlock" RNG stream), and resumes after the
 * hand-off latency.  Every acquisition records its wait and hold time (traced
 * as spin:acquired wait=, spin:release hold=).
 *
 * Lock rules (lockdep's, in lockdep.c, called from spin_lock_take): a lock
 * taken in softirq must be taken with BH disabled in process context, one
 * taken in hardirq with IRQs disabled; the lock-order graph.  Sleeping while
 * holding a spinlock is checked by callers with spin_might_sleep().  A wait-for cycle (a softirq
 * spinning on a lock its own CPU's task holds, or two locks taken in opposite
 * orders on two CPUs) is a deadlock: reported with the chain, run stopped.
 *
 * Concurrency contract: called from step functions, at step boundaries.
 */
#ifndef MODELS_SPINLOCK_H
#define MODELS_SPINLOCK_H

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

typedef struct spin_state {
	uint32_t owner;             /* ctx, or SIM_NONE */
	uint32_t head, tail;        /* FIFO of spinning ctxs, linked through world.spin_next */
	uint32_t nwait;
	uint32_t pad[2];
	uint64_t acquired_at;
	uint64_t acquisitions, contended;
	uint64_t wait_total, wait_max, hold_total, hold_max;
} spin_state;


enum spin_mode { SPIN_PLAIN = 0, SPIN_BH = 1, SPIN_IRQ = 2 };

/* Lock ids: locks.h. */

/* Take `lock` for ctx in `mode` (disabling BH or IRQs first, as the kernel
 * does).  Returns 1 if it is taken now, 0 if ctx must answer SIM_SPIN; the
 * engine resumes it when the lock is handed over. */
int spin_lock_take(world *w, uint32_t ctx, uint32_t lock, int mode);
/* Release `lock` held by ctx and re-enable BH/IRQs per `mode`.  A
 * local_bh_enable() to depth 0 with softirqs pending runs them right after
 * the releasing step (engine rule). */
void spin_lock_release(world *w, uint32_t ctx, uint32_t lock, int mode);
/* The BH/IRQ half of an unlock of `mode`: local_bh_enable() or
 * local_irq_restore().  One that finds BH or IRQs already enabled (a
 * flavour that does not match the lock's: spin_lock + spin_unlock_bh) or BH
 * enabled with IRQs off is a violation told as the kernel warns, and leaves
 * the depth at 0: never an abort, never a wrapped counter. */
void spin_unlock_flavour(world *w, uint32_t ctx, uint32_t lock, int mode);
/* Called before ctx sleeps: sleeping in softirq/hardirq or with a spinlock
 * held is a violation.  `label` is the step that sleeps. */
void spin_might_sleep(world *w, uint32_t ctx, uint32_t label);

extern const model_ops spinlock_ops;

#endif
