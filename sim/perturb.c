/* perturb.c - exploration's perturbations of a run (perturb.h): stalls
 * after labelled steps, extra hardirqs, cost jitter.  Every draw comes from
 * the run's "explore" stream (jitter: "costs"), so a seed and a
 * configuration give the same run.  Called by sim.c only, through
 * cpu_internal.h; the configuration and the records are public (sim.h). */
#include <assert.h>
#include <stdlib.h>

#include "cpu_internal.h"

static sim_answer xirq_step(sim *s, uint32_t c, sim_frame *f);
static void xirq_fire(sim *s, uint32_t i);

void sim_enable_perturb(sim *s)
{
	assert(!s->built && !s->perturb_ready);
	s->perturb_ready = 1;
	s->label_perturb = sim_add_label(s, "explore:irq", "an extra hardirq drawn by exploration", 0, 0);
	s->fn_xirq = sim_add_fn(s, "explore_irq", xirq_step);
	s->xirq_line = calloc(s->ncpus, sizeof(*s->xirq_line));
	if (!s->xirq_line)
		sim_out_of_memory();
	for (uint32_t c = 0; c < s->ncpus; c++) {
		s->xirq_line[c] = sim_add_irq_line(s, c, s->fn_xirq, c);
		if (s->xirq_line[c] == SIM_NONE)
			abort();        /* sim_add_periodic_irq keeps this line free */
	}
	/* daemon: an extra interrupt never keeps a finished run alive */
	for (uint32_t i = 0; i < PERTURB_MAX_IRQS; i++)
		s->xirq_timer[i] = sim_add_timer(s, xirq_fire, i, 1);
}

void perturb_layout(sim *s)
{
	if (!s->perturb_ready)
		return;
	s->off_pstate = arena_reserve(&s->ar, sizeof(perturb_state), 8);
	s->off_lcount = arena_reserve(&s->ar, (size_t)s->ncpus * s->nlabels * sizeof(uint32_t), 4);
	s->off_xirq = arena_reserve(&s->ar, (size_t)s->ncpus * sizeof(uint64_t), 8);
}

void perturb_bind(sim *s)
{
	if (!s->perturb_ready)
		return;
	s->pst = arena_at(&s->ar, s->off_pstate);
	s->label_count = arena_at(&s->ar, s->off_lcount);
	s->xirq_ns = arena_at(&s->ar, s->off_xirq);
}

/* Draw this run's change points and extra interrupts (explore stream). */
void perturb_reset(sim *s)
{
	const perturb_config *p = &s->perturb;
	perturb_state *ps = s->pst;
	rng *r = &s->rng[s->rng_explore];
	assert(s->perturb_ready);
	uint32_t depth = p->depth < PERTURB_MAX_DEPTH ? p->depth : PERTURB_MAX_DEPTH;
	uint64_t steps = p->expected_steps ? p->expected_steps : 1;
	if (p->strategy == PERTURB_PCT) {
		for (uint32_t i = 0; i < depth; i++) {
			/* insertion sort: depth is small */
			uint64_t v = rng_below(r, steps), j = i;
			while (j > 0 && ps->change[j - 1] > v) {
				ps->change[j] = ps->change[j - 1];
				j--;
			}
			ps->change[j] = v;
		}
		for (uint32_t i = depth; i < PERTURB_MAX_DEPTH; i++)
			ps->change[i] = UINT64_MAX;
	}
	uint32_t nirq = p->irqs < PERTURB_MAX_IRQS ? p->irqs : PERTURB_MAX_IRQS;
	for (uint32_t i = 0; i < nirq; i++) {
		ps->irq_cpu[i] = (uint32_t)rng_below(r, s->ncpus);
		ps->irq_at[i] = rng_below(r, p->horizon ? p->horizon : 1);
		ps->irq_len[i] = 1 + rng_below(r, p->irq_max ? p->irq_max : 1);
		sim_arm(s, s->xirq_timer[i], ps->irq_at[i]);
	}
}

static void record(sim *s, uint32_t kind, uint32_t cpu, uint32_t label, uint64_t nth, uint64_t at,
		   uint64_t len)
{
	perturb_state *ps = s->pst;
	assert(ps->nrec < PERTURB_RECORDS);     /* perturb_step leaves room: see perturb.h */
	ps->rec[ps->nrec++] = (perturb_record){ kind, cpu, label, 0, nth, at, len };
}

static void xirq_fire(sim *s, uint32_t i)
{
	perturb_state *ps = s->pst;
	uint32_t cpu = ps->irq_cpu[i];
	s->xirq_ns[cpu] += ps->irq_len[i];
	record(s, 1, cpu, SIM_NONE, 0, s->g->now, ps->irq_len[i]);
	sim_raise_irq(s, cpu, s->xirq_line[cpu]);
}

static sim_answer xirq_step(sim *s, uint32_t c, sim_frame *f)
{
	if (f->pc++)
		return SIM_RET;
	uint64_t ns = s->xirq_ns[f->a];
	s->xirq_ns[f->a] = 0;
	return SIM_CONT(sim_did(s, c, s->label_perturb, 0, SIM_TK_NS, (int64_t)ns) + ns);
}

/* A stall drawn for the step just performed, or 0. */
uint64_t perturb_step(sim *s, uint32_t ctx, uint32_t label, uint64_t ns)
{
	const perturb_config *p = &s->perturb;
	perturb_state *ps = s->pst;
	uint32_t cpu = s->ctx[ctx].cpu;
	uint64_t nth = ++s->label_count[(size_t)cpu * s->nlabels + label];
	uint64_t step = s->g->steps - 1;
	int hit;
	if (p->strategy == PERTURB_PCT) {
		hit = 0;
		while (ps->next_change < PERTURB_MAX_DEPTH && ps->change[ps->next_change] <= step) {
			hit |= ps->change[ps->next_change] == step;
			ps->next_change++;
		}
	} else {
		uint64_t steps = p->expected_steps ? p->expected_steps : 1;
		hit = rng_below(&s->rng[s->rng_explore], steps) < p->depth;
	}
	if (!hit || label == s->label_perturb ||
	    ps->nrec >= PERTURB_RECORDS - PERTURB_MAX_IRQS)
		return 0;       /* (the last: no stall that could not be recorded) */
	uint64_t len = 1 + rng_below(&s->rng[s->rng_explore], p->stall_max ? p->stall_max : 1);
	uint64_t at = s->g->now + ns;
	record(s, 0, cpu, label, nth, at, len);
	cpu_stall(s, cpu, at, len, 0);
	return len;
}

uint64_t perturb_jitter(sim *s, uint64_t ns)
{
	/* Uniform in [ns*(100-p)/100, ns*(100+p)/100], integer only. */
	uint64_t p = s->jitter_pct;
	uint64_t r = rng_below(&s->rng[s->rng_costs], 2 * p + 1);
	return ns * (100 - p + r) / 100;
}
