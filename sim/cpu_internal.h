/* cpu_internal.h - the engine's internals, shared by sim.c, cpu.c and
 * perturb.c only: the CPU mechanics, the event loop's dispatch rule, and the
 * perturbation hooks.  Models and cmd/ call sim.h, never these. */
#ifndef SIM_CPU_INTERNAL_H
#define SIM_CPU_INTERNAL_H

#include "sim.h"

/* The CPU's step timer fired: step its top context. */
void cpu_timer_fire(sim *s, uint32_t cpu);
/* A deferred hardirq may be taken now (a stall ended). */
void cpu_irq_retry(sim *s, uint32_t cpu);
/* One step of cpu's top context, no run-ahead: an untimed transition (untimed.c). */
void cpu_step_once(sim *s, uint32_t cpu, int fired);
/* A task is ready to run on its CPU `latency` ns from now. */
void cpu_task_ready(sim *s, uint32_t ctx, uint64_t latency);
/* The scheduler tick of `cpu` (timer s->tick_timer + cpu). */
void cpu_tick_fire(sim *s, uint32_t cpu);
/* ksoftirqd's program, and its state at time 0 (asleep). */
sim_answer cpu_ksoftirqd_step(sim *s, uint32_t ctx, sim_frame *f);
void cpu_reset_ksoftirqd(sim *s);
/* Freeze `cpu` from `from` for `for_ns`; `shift` delays the work already
 * scheduled on it (a stall at a time) rather than the step that caused it. */
void cpu_stall(sim *s, uint32_t cpu, uint64_t from, uint64_t for_ns, int shift);

/* The run makes no progress in time: stop it (SIM_END_STUCK), naming what
 * was running. */
void sim_stuck(sim *s, uint32_t ctx, uint32_t timer);

/* The event loop's one rule for an event, for sim_run() (any event) and
 * cpu_events() (a CPU's step timer, run in its own loop).  `id` is the
 * earliest timer (queue_peek), which the caller found due within the time
 * limit: it leaves the queue, stops keeping the run live unless it is a
 * daemon, its time becomes `now` and it is counted.  A CPU's step timer
 * (never a daemon) is left for the caller to run, which it says by returning
 * 1; any other event runs here.  Always inlined: in cpu_events, where `id`
 * is known to be a CPU's, it is a pop and three stores. */
__attribute__((always_inline)) static inline int dispatch_one(sim *s, uint32_t id)
{
	sim_global *g = s->g;
	uint32_t ncpus = s->ncpus;      /* read before the pop's stores */
	uint64_t t;
	uint32_t popped = queue_pop(&s->q, &t);
	assert(popped == id);
	(void)popped;
	if (id < ncpus || !s->timers[id].daemon)
		g->live--;
	g->now = t;
	g->events++;
	if (id < ncpus)
		return 1;
	if (id < 2 * ncpus)
		cpu_irq_retry(s, id - ncpus);
	else
		s->timers[id].fire(s, s->timers[id].arg);
	return 0;
}

/* ---- exploration's perturbations (perturb.c) ---- */
/* Reserve and bind the per-run state (sim_commit), when enabled. */
void perturb_layout(sim *s);
void perturb_bind(sim *s);
/* Draw this run's change points and extra hardirqs (sim_reset). */
void perturb_reset(sim *s);
/* A stall drawn for the labelled step just performed on ctx, which takes
 * `ns`: its length (the CPU is stalled from the step's end), or 0. */
uint64_t perturb_step(sim *s, uint32_t ctx, uint32_t label, uint64_t ns);
/* `ns` jittered by s->jitter_pct percent ("costs" stream). */
uint64_t perturb_jitter(sim *s, uint64_t ns);

#endif
