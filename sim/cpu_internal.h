/* cpu_internal.h - the engine's CPU mechanics, shared by sim.c and cpu.c only. */
#ifndef SIM_CPU_INTERNAL_H
#define SIM_CPU_INTERNAL_H

#include "sim.h"

/* The CPU's step timer fired: step its top context. */
void cpu_timer_fire(sim *s, uint32_t cpu);
/* A deferred hardirq may be taken now (a stall ended). */
void cpu_irq_retry(sim *s, uint32_t cpu);
/* A task is ready to run on its CPU `latency` ns from now. */
void cpu_task_ready(sim *s, uint32_t ctx, uint64_t latency);
/* Freeze `cpu` from `from` for `for_ns`; `shift` delays the work already
 * scheduled on it (a stall at a time) rather than the step that caused it. */
void cpu_stall(sim *s, uint32_t cpu, uint64_t from, uint64_t for_ns, int shift);

/* The run makes no progress in time: stop it (SIM_END_STUCK), naming what
 * was running. */
void sim_stuck(sim *s, uint32_t ctx, uint32_t timer);

#endif
