/* untimed.c - the engine without its clock; see untimed.h. */
#include "untimed.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_internal.h"
#include "rng.h"

/* The CPU timer t was said to be (sim_set_timer_cpu), or SIM_NONE. */
static uint32_t timer_cpu(const sim *s, uint32_t t)
{
	return t < s->ntimer_cpu && s->timer_cpu[t] ? s->timer_cpu[t] - 1 : SIM_NONE;
}

static int is_xirq_timer(const sim *s, uint32_t t)
{
	for (uint32_t i = 0; i < PERTURB_MAX_IRQS; i++)
		if (s->xirq_timer[i] == t)
			return 1;
	return 0;
}

/* sim_ample's CPUs: every timer is said to be some CPU's, and no task
 * runs on the CPU but its own ksoftirqd (a task is woken, and a lock it
 * holds granted, by other CPUs' steps). */
static void find_isolated(sim *s)
{
	free(s->isolated);
	s->isolated = calloc(s->ncpus, 1);
	if (!s->isolated)
		sim_out_of_memory();
	for (uint32_t t = 0; t < s->ntimers; t++) {
		if (timer_cpu(s, t) != SIM_NONE)
			continue;
		if (s->perturb_ready && is_xirq_timer(s, t))
			continue;       /* exploration's extra hardirqs: never armed untimed */
		return;         /* a timer that may touch anything */
	}
	for (uint32_t c = 0; c < s->ncpus; c++)
		s->isolated[c] = 1;
	for (uint32_t i = 0; i < s->ntasks; i++)
		if (s->ksoftirqd == SIM_NONE || i < s->ksoftirqd || i >= s->ksoftirqd + s->ncpus)
			s->isolated[s->tasks[i].cpu] = 0;
}

void sim_untimed(sim *s)
{
	s->untimed = 1;
	s->jitter_pct = 0;              /* one timing is as good as any */
	s->perturb.enabled = 0;
	find_isolated(s);
	/* Costs and stalls pick one timing; --check covers all of them.  A
	 * label of cost 1 makes every labelled step a transition of its own. */
	for (uint32_t l = 0; l < s->nlabels; l++) {
		s->labels[l].cost_ns = 1;
		s->labels[l].per_byte_ps = 0;
		s->labels[l].stall_watch = 0;
	}
}

uint32_t sim_enabled(const sim *s, uint32_t *ids, uint32_t cap)
{
	if (!s->g->live || s->g->stopped)
		return 0;       /* sim_run() would return here */
	uint32_t n = 0;
	for (uint32_t id = 0; id < s->ntimers; id++)
		if (queue_armed(&s->q, id)) {
			if (n < cap)
				ids[n] = id;
			n++;
		}
	return n;
}

void sim_fire(sim *s, uint32_t id)
{
	sim_global *g = s->g;
	assert(s->untimed && queue_armed(&s->q, id));
	uint64_t t = queue_due(&s->q, id);
	/* what dispatch_one() does for the earliest timer, for this one */
	sim_cancel(s, id);
	if (t > g->now)
		g->now = t;
	g->events++;
	if (id < s->ncpus)
		cpu_step_once(s, id, 1);                /* cpu_timer_fire's step */
	else if (id < 2 * s->ncpus)
		cpu_step_once(s, id - s->ncpus, 0);     /* cpu_irq_retry's */
	else
		s->timers[id].fire(s, s->timers[id].arg);
}

uint32_t sim_local_step(const sim *s)
{
	const sim_global *g = s->g;
	if (!g->live || g->stopped)
		return SIM_NONE;
	for (uint32_t cpu = 0; cpu < s->ncpus; cpu++) {
		const sim_cpu *c = &s->cpus[cpu];
		if (!queue_armed(&s->q, cpu) || (c->irq_pending | c->attn) || c->top == SIM_NONE)
			continue;
		const sim_ctx *x = &s->ctx[c->top];
		/* armed by arm_top_at(): the step runs when the timer fires */
		if (x->state != SIM_S_RUNNING || x->depth == 0)
			continue;
		const sim_frame *f = &x->f[x->depth - 1];
		sim_local_fn local = f->fn < s->nfn_local ? s->fn_local[f->fn] : NULL;
		if (local && local(s, c->top, f))
			return cpu;
	}
	return SIM_NONE;
}

/* Every context of `cpu` that has a frame is at a private step and not
 * spinning: whatever one transition of the CPU runs (its top's step, and
 * after a return the step of the context below, or a softirq entered at
 * irq exit) is private to it. */
static int cpu_private_now(const sim *s, uint32_t cpu)
{
	uint32_t ids[3] = { sim_softirq_ctx(s, cpu), sim_hardirq_ctx(s, cpu),
			    s->ksoftirqd == SIM_NONE ? SIM_NONE : s->ksoftirqd + cpu };
	for (int i = 0; i < 3; i++) {
		if (ids[i] == SIM_NONE)
			continue;
		const sim_ctx *x = &s->ctx[ids[i]];
		if (x->depth == 0)
			continue;
		uint16_t fn = x->f[x->depth - 1].fn;
		if (x->state == SIM_S_SPIN || fn >= s->nfn_private || !s->fn_private[fn])
			return 0;
	}
	return 1;
}

uint32_t sim_ample(const sim *s, uint32_t *ids, uint32_t n)
{
	if (!s->isolated)
		return n;
	for (uint32_t cpu = 0; cpu < s->ncpus; cpu++) {
		if (!s->isolated[cpu] || !cpu_private_now(s, cpu))
			continue;
		uint32_t top = s->cpus[cpu].top;
		if (queue_armed(&s->q, cpu) ? top == SIM_NONE || s->ctx[top].state != SIM_S_RUNNING
					    : top != SIM_NONE)
			continue;       /* waiting for another CPU, or asleep */
		uint32_t k = 0;
		for (uint32_t i = 0; i < n; i++)
			k += timer_cpu(s, ids[i]) == cpu;
		if (k == 0 || k == n)
			continue;       /* nothing to fire here, or nothing left out */
		k = 0;
		for (uint32_t i = 0; i < n; i++)
			if (timer_cpu(s, ids[i]) == cpu)
				ids[k++] = ids[i];
		return k;
	}
	return n;
}

int sim_run_script(sim *s, const uint32_t *ids, size_t n, size_t *done)
{
	sim_global *g = s->g;
	size_t k = 0;
	while (k < n && g->live && !g->stopped && ids[k] < s->ntimers && queue_armed(&s->q, ids[k])) {
		if (g->events >= s->limit_events) {
			*done = k;
			return SIM_END_EVENTS;
		}
		sim_fire(s, ids[k++]);
	}
	*done = k;
	for (;;) {
		uint32_t id;
		if (sim_enabled(s, &id, 1) == 0)
			break;
		if (g->events >= s->limit_events)
			return SIM_END_EVENTS;
		sim_fire(s, id);
	}
	return g->stopped ? SIM_END_STOPPED : SIM_END_QUIET;
}

/* The copy's version of a pointer into s's arena. */
#define IN_COPY(s, copy, p) ((void *)((copy) + ((const unsigned char *)(p) - (s)->ar.base)))

/* A deadline as the state sees it: still ahead of now, or not. */
static inline uint64_t ahead(uint64_t t, uint64_t now) { return t > now; }

/* Add [lo, hi) to the skips, kept in order. */
static uint32_t add_skip(sim_seg *k, uint32_t n, size_t lo, size_t hi)
{
	uint32_t i = n;
	for (; i > 0 && k[i - 1].lo > lo; i--)
		k[i] = k[i - 1];
	k[i] = (sim_seg){ lo, hi };
	return n + 1;
}

uint32_t sim_canon_segments(const sim *s, sim_seg seg[SIM_CANON_SEGS])
{
	sim_seg skip[3];
	uint32_t nskip = 0, n = 0;
	nskip = add_skip(skip, nskip, s->off_rng, s->off_rng + (s->nrngs + 1) * sizeof(rng));
	nskip = add_skip(skip, nskip, s->off_zero, s->off_zero + s->ncpus * sizeof(sim_zero));
	if (s->perturb_ready)
		nskip = add_skip(skip, nskip, s->off_pstate,
				 s->off_xirq + (size_t)s->ncpus * sizeof(uint64_t));
	size_t at = 0, end = sim_canon_bytes(s);
	for (uint32_t i = 0; i < nskip; i++) {
		if (skip[i].lo > at)
			seg[n++] = (sim_seg){ at, skip[i].lo < end ? skip[i].lo : end };
		if (skip[i].hi > at)
			at = skip[i].hi;
	}
	if (at < end)
		seg[n++] = (sim_seg){ at, end };
	return n;
}

uint32_t sim_snapshot_segments(const sim *s, sim_seg seg[2])
{
	if (!s->perturb_ready) {
		seg[0] = (sim_seg){ 0, s->ar.size };
		return 1;
	}
	seg[0] = (sim_seg){ 0, s->off_pstate };
	seg[1] = (sim_seg){ s->off_xirq + (size_t)s->ncpus * sizeof(uint64_t), s->ar.size };
	return 2;
}

uint64_t sim_canon(const sim *s, unsigned char *copy)
{
	const sim_global *g = s->g;
	uint64_t now = g->now;
	sim_global *cg = IN_COPY(s, copy, g);
	cg->now = cg->events = cg->steps = 0;
	cg->stuck = 0;
	cg->stuck_ctx = cg->stuck_timer = 0;
	for (uint32_t i = 0; i < s->ncpus; i++) {
		const sim_cpu *c = &s->cpus[i];
		sim_cpu *cc = IN_COPY(s, copy, c);
		cc->stall_until = ahead(c->stall_until, now);
		cc->softirq_end = 0;    /* never runs out untimed (cpu.c) */
		cc->run_since = cc->min_vruntime = 0;
		/* __do_softirq()'s restarts left: set when one begins, read
		 * only while it runs (its restart decision is taken in the
		 * step its last handler ends) */
		if (!c->in_softirq)
			cc->softirq_restart = 0;
	}
	uint32_t nctx = s->ntasks + 2 * s->ncpus;
	for (uint32_t i = 0; i < nctx; i++) {
		const sim_ctx *x = &s->ctx[i];
		sim_ctx *cx = IN_COPY(s, copy, x);
		cx->remaining = x->remaining != 0;      /* a step under way, or not */
		cx->handoff_until = ahead(x->handoff_until, now);
		cx->spin_since = cx->vruntime = 0;
		/* the frames above the top are left-overs of returned calls */
		memset(&cx->f[x->depth], 0, (SIM_FRAMES - x->depth) * sizeof(sim_frame));
	}
	/* the RNG streams, the zero-time guards and exploration's state are
	 * outside every segment (sim_canon_segments): never copied */
	/* the queue: which timers are armed, not when */
	uint64_t h = 0x51afd7ed558ccd1dull;
	for (uint32_t id = 0; id < s->ntimers; id++)
		if (queue_armed(&s->q, id))
			h = hash_bytes(&id, sizeof id, h);
	return h;
}
