/* handler.h - softirq and hardirq programs from a scenario.
 *
 *   softirq NAME cpu=C every=T do="..."  a timer on CPU C every T: the local
 *       timer interrupt raises TIMER_SOFTIRQ, whose handler
 *       (run_timer_softirq -> call_timer_fn) runs each program that is due;
 *   irq cpu=C every=T [cost=T] do="..."  a hardirq line of its own on CPU
 *       C, raised every T: its handler is busy `cost`, then runs the program.
 * A program is `work T` and spin_* ops, performed in that context, so that
 * the lock rules (spinlock.h) and lockdep's order checks see scenario locks
 * taken from softirq and hardirq code.
 *
 * Programs are numbered: the scenario's softirqs, then its irqs (index
 * nsoftirqs + irq index; only irqs with a program run one).
 * Frames: a program: a = program, b = next op; TIMER_SOFTIRQ: a = cpu,
 * b = the next softirq program to look at; the tick: a = cpu.
 *
 * Concurrency contract: step functions and timers of the engine.
 */
#ifndef MODELS_HANDLER_H
#define MODELS_HANDLER_H

#include "world.h"

#define TIMER_SOFTIRQ 1             /* include/linux/interrupt.h: HI, TIMER, NET_TX, NET_RX */

/* ---- state (in the arena; no padding): per program ---- */

typedef struct handler_state {
	uint64_t due;               /* softirq: expired, not yet run */
} handler_state;

extern const model_ops handler_ops;

#endif
