/* task.h - process-context programs from a scenario's `task` lines.
 *
 * A task runs its ops in order (lock_sock, release_sock, lock_sock_fast,
 * unlock_sock_fast, work T, sleep T, recv, and the spin_* ops on `lock`s),
 * `repeat` times, run i starting at `at + i*every` or right after run i-1.
 * Frame: a = scenario task index, b = next op, d = runs done.
 *
 * Concurrency contract: step functions for task contexts; task_wake_fire is
 * the `sleep` timer.
 */
#ifndef MODELS_TASK_H
#define MODELS_TASK_H

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

typedef struct task_state {
	uint64_t run;               /* runs of the program started */
	uint32_t fast;              /* lock_sock_fast took the fast path (bit per socket, low 32) */
	uint32_t exited;            /* the program ended: 1 | TASK_LEFT_* */
} task_state;

/* What an exited task left its CPU with (task_state.exited). */
#define TASK_LEFT_BH_OFF 2u
#define TASK_LEFT_IRQS_OFF 4u


sim_answer task_step(sim *s, uint32_t ctx, sim_frame *f);
/* A spin_lock or spin_unlock op: a = lock, b = enum spin_mode, c = 1 to unlock. */
sim_answer task_spin_op_step(sim *s, uint32_t ctx, sim_frame *f);
void task_wake_fire(sim *s, uint32_t ctx);

extern const model_ops task_ops;

#endif
