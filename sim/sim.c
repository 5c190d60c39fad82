/* sim.c - building a run, reset, the event loop, labelled steps. */
#include "sim.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_internal.h"

_Static_assert(sizeof(sim_frame) == 32, "sim_frame has no padding");
_Static_assert(sizeof(sim_ctx) == 256, "sim_ctx: a power of two, no hidden padding");
_Static_assert(sizeof(sim_cpu) == 96, "sim_cpu has no padding");
_Static_assert(sizeof(sim_global) == 48, "sim_global has no padding");

_Noreturn void sim_out_of_memory(void)
{
	fputs("sim: out of memory\n", stderr);
	exit(SIM_EXIT_OOM);
}

static void *grow(void *p, uint32_t n, size_t elem)
{
	/* Descriptor arrays grow by doubling; only while building. */
	if (n & (n - 1))
		return p;
	void *q = realloc(p, (n ? 2 * (size_t)n : 1) * elem);
	if (!q)
		sim_out_of_memory();
	return q;
}

#define PUSH(arr, n) ((arr) = grow((arr), (n), sizeof(*(arr))), &(arr)[(n)++])

static sim_answer irq_work_step(sim *s, uint32_t c, sim_frame *f);

static const char *const engine_keys[SIM_TK_COUNT] = { "line", "nr", "wq", "ns", "start", "for" };

static void engine_label_flags(sim *s)
{
	sim_set_label_flags(s, s->label_stall, SIM_LF_STALL);
	sim_set_label_flags(s, s->label_irq_enter, SIM_LF_IRQ_ENTER);
	sim_set_label_flags(s, s->label_irq_exit, SIM_LF_IRQ_EXIT);
	sim_set_label_flags(s, s->label_softirq_enter, SIM_LF_SOFTIRQ_ENTER);
	sim_set_label_flags(s, s->label_softirq_exit, SIM_LF_SOFTIRQ_EXIT);
	sim_set_label_flags(s, s->label_switch, SIM_LF_SWITCH);
	sim_set_label_flags(s, s->label_idle, SIM_LF_SLEEP);
	sim_set_label_flags(s, s->label_wake, SIM_LF_WAKE);
	sim_set_label_flags(s, s->label_exit, SIM_LF_EXIT);
	sim_set_label_flags(s, s->label_preempt, SIM_LF_SLEEP);
}

void sim_init(sim *s, uint32_t ncpus, uint64_t seed)
{
	memset(s, 0, sizeof(*s));
	s->ncpus = ncpus;
	s->seed = seed;
	s->limit_ns = UINT64_MAX;
	s->limit_events = UINT64_MAX;
	s->lines = calloc((size_t)ncpus * SIM_IRQ_LINES, sizeof(*s->lines));
	s->nlines = calloc(ncpus, sizeof(*s->nlines));
	if (!s->lines || !s->nlines)
		sim_out_of_memory();
	/* Timers 0..ncpus-1: each CPU's next step; ncpus..2*ncpus-1: its
	 * deferred-interrupt retry (after a stall). */
	for (uint32_t i = 0; i < 2 * ncpus; i++)
		sim_set_timer_cpu(s, sim_add_timer(s, NULL, i, 0), i % ncpus);
	/* Then each CPU's scheduler tick (a daemon: it keeps no run going). */
	s->tick_timer = s->ntimers;
	for (uint32_t i = 0; i < ncpus; i++)
		sim_set_timer_cpu(s, sim_add_timer(s, cpu_tick_fire, i, 1), i);
	s->ksoftirqd = SIM_NONE;
	s->slice_ns = SIM_SCHED_SLICE_NS;
	s->label_stall = sim_add_label(s, "stall", "the CPU does nothing else: hardirq storm, NMI, preempted vCPU", 0, 0);
	s->label_irq_enter = sim_add_label(s, "irq:enter", "irq_enter(): a hardirq preempts this CPU", 0, 0);
	s->label_irq_exit = sim_add_label(s, "irq:exit", "irq_exit(): runs pending softirqs if not in interrupt and BH enabled", 0, 0);
	s->label_softirq_enter = sim_add_label(s, "softirq:enter", "__do_softirq(): handler of a pending softirq starts", 0, 0);
	s->label_softirq_exit = sim_add_label(s, "softirq:exit", "__do_softirq(): handler returns", 0, 0);
	s->label_switch = sim_add_label(s, "sched:switch", "__schedule(): a task gets the CPU", 0, 0);
	s->label_idle = sim_add_label(s, "sched:sleep", "schedule(): the task sleeps, the CPU runs the next task or idles", 0, 0);
	s->label_wake = sim_add_label(s, "sched:wake", "try_to_wake_up(): a sleeping task is made runnable", 0, 0);
	s->label_exit = sim_add_label(s, "sched:exit", "the task's program has ended (do_exit)", 0, 0);
	s->label_irq_work = sim_add_label(s, "irq:handler", "a periodic hardirq's handler (scenario `irq`)", 0, 0);
	s->label_defer = sim_add_label(s, "softirq:defer", "__do_softirq(): still pending after MAX_SOFTIRQ_RESTART (10) passes, MAX_SOFTIRQ_TIME (2 ms) or with need_resched(): wakeup_softirqd()", 0, 0);
	s->label_preempt = sim_add_label(s, "sched:preempt", "scheduler_tick() -> check_preempt_tick(): the slice is over, a task of less vruntime waits: preempt_schedule() / cond_resched() puts the task back on the runqueue", 0, 0);
	s->label_ksoftirqd = sim_add_label(s, "ksoftirqd:run", "run_ksoftirqd(): __do_softirq() in the ksoftirqd/N thread, then cond_resched()", 0, 0);
	engine_label_flags(s);
	sim_set_trace_keys(s, NULL, 0);
	s->fn_irq_busy = sim_add_fn(s, "irq_handler", irq_work_step);
	s->rng_costs = sim_add_rng(s, "costs");         /* jitter */
	s->rng_explore = sim_add_rng(s, "explore");     /* perturbations */
}

void sim_free(sim *s)
{
	arena_free(&s->ar);
	free(s->fns);
	free(s->fn_local);
	free(s->fn_private);
	free(s->timer_cpu);
	free(s->isolated);
	free(s->timers);
	free(s->labels);
	free(s->fast_cost);
	free(s->key_name);
	free(s->tasks);
	free(s->lines);
	free(s->nlines);
	free(s->stalls);
	free(s->periodics);
	free(s->xirq_line);
	free(s->rng_names);
	free(s->ksoftirqd_names);
	memset(s, 0, sizeof(*s));
}

uint16_t sim_add_fn(sim *s, const char *name, sim_step_fn step)
{
	assert(!s->built && s->nfns < UINT16_MAX);
	sim_fn_desc *d = PUSH(s->fns, s->nfns);
	d->name = name;
	d->step = step;
	return (uint16_t)(s->nfns - 1);
}

void sim_set_fn_private(sim *s, uint16_t fn)
{
	assert(!s->built && fn < s->nfns);
	if (fn >= s->nfn_private) {
		uint8_t *p = realloc(s->fn_private, fn + 1u);
		if (!p)
			sim_out_of_memory();
		memset(p + s->nfn_private, 0, fn + 1u - s->nfn_private);
		s->fn_private = p;
		s->nfn_private = fn + 1u;
	}
	s->fn_private[fn] = 1;
}

void sim_set_timer_cpu(sim *s, uint32_t timer, uint32_t cpu)
{
	assert(!s->built && timer < s->ntimers && cpu < s->ncpus);
	if (timer >= s->ntimer_cpu) {
		uint32_t *t = realloc(s->timer_cpu, (timer + 1u) * sizeof *t);
		if (!t)
			sim_out_of_memory();
		memset(t + s->ntimer_cpu, 0, (timer + 1u - s->ntimer_cpu) * sizeof *t);
		s->timer_cpu = t;
		s->ntimer_cpu = timer + 1u;
	}
	s->timer_cpu[timer] = cpu + 1;
}

void sim_set_fn_local(sim *s, uint16_t fn, sim_local_fn local)
{
	assert(!s->built && fn < s->nfns);
	if (fn >= s->nfn_local) {
		sim_local_fn *l = realloc(s->fn_local, (fn + 1u) * sizeof *l);
		if (!l)
			sim_out_of_memory();
		for (uint32_t i = s->nfn_local; i <= fn; i++)
			l[i] = NULL;
		s->fn_local = l;
		s->nfn_local = fn + 1u;
	}
	s->fn_local[fn] = local;
}

uint32_t sim_add_timer(sim *s, sim_timer_fn fire, uint32_t arg, int daemon)
{
	assert(!s->built);
	sim_timer_desc *d = PUSH(s->timers, s->ntimers);
	d->fire = fire;
	d->arg = arg;
	d->daemon = daemon != 0;
	return s->ntimers - 1;
}

uint32_t sim_add_label(sim *s, const char *name, const char *kernel, uint64_t cost_ns,
		       uint64_t per_byte_ps)
{
	assert(!s->built);
	sim_label_desc *d = PUSH(s->labels, s->nlabels);
	d->name = name;
	d->kernel = kernel;
	d->cost_ns = cost_ns;
	d->per_byte_ps = per_byte_ps;
	d->stall_watch = 0;
	d->flags = 0;
	return s->nlabels - 1;
}

void sim_set_label_flags(sim *s, uint32_t label, uint32_t flags)
{
	assert(label < s->nlabels);
	s->labels[label].flags = flags;
}

void sim_set_label_cost(sim *s, uint32_t label, uint64_t cost_ns, uint64_t per_byte_ps)
{
	assert(!s->built && label < s->nlabels);
	s->labels[label].cost_ns = cost_ns;
	s->labels[label].per_byte_ps = per_byte_ps;
}

void sim_set_trace_keys(sim *s, const char *const *names, uint32_t n)
{
	free(s->key_name);
	s->nkeys = SIM_TK_COUNT + n;
	s->key_name = malloc(s->nkeys * sizeof(*s->key_name));
	if (!s->key_name)
		abort();
	for (uint32_t i = 0; i < s->nkeys; i++)
		s->key_name[i] = i < SIM_TK_COUNT ? engine_keys[i] : names[i - SIM_TK_COUNT];
}

uint32_t sim_find_label(const sim *s, const char *name)
{
	for (uint32_t i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return i;
	return SIM_NONE;
}

static void task_start_fire(sim *s, uint32_t ctx);

uint32_t sim_add_task(sim *s, const char *name, uint32_t cpu)
{
	assert(!s->built && cpu < s->ncpus);
	sim_task_desc *d = PUSH(s->tasks, s->ntasks);
	d->name = name;
	d->cpu = cpu;
	uint32_t id = s->ntasks - 1;
	d->timer = sim_add_timer(s, task_start_fire, id, 0);
	sim_set_timer_cpu(s, d->timer, cpu);
	return id;
}

void sim_add_ksoftirqd(sim *s)
{
	assert(!s->built && s->ksoftirqd == SIM_NONE);
	s->ksoftirqd_names = malloc((size_t)s->ncpus * 16);
	if (!s->ksoftirqd_names)
		abort();
	s->fn_ksoftirqd = sim_add_fn(s, "ksoftirqd", cpu_ksoftirqd_step);
	/* its CPU's own: runs that CPU's softirqs, sleeps on its own queue */
	sim_set_fn_private(s, s->fn_ksoftirqd);
	for (uint32_t i = 0; i < s->ncpus; i++) {
		char *name = s->ksoftirqd_names + 16 * (size_t)i;
		snprintf(name, 16, "ksoftirqd/%u", (unsigned)(i % 100000));
		uint32_t id = sim_add_task(s, name, i);
		if (i == 0)
			s->ksoftirqd = id;
	}
	/* their wait queues: added by sim_commit, after the models' */
}

uint32_t sim_add_waitq(sim *s)
{
	assert(!s->built);
	return s->nwaitqs++;
}

uint32_t sim_add_rng(sim *s, const char *stream)
{
	assert(!s->built);
	const char **d = PUSH(s->rng_names, s->nrngs);
	*d = stream;
	return s->nrngs - 1;
}

uint32_t sim_add_irq_line(sim *s, uint32_t cpu, uint16_t fn, uint32_t arg)
{
	assert(!s->built && cpu < s->ncpus);
	if (s->nlines[cpu] >= SIM_IRQ_LINES)
		return SIM_NONE;        /* irq_pending is a 64-bit mask: the table is full */
	uint32_t line = s->nlines[cpu]++;
	s->lines[cpu * SIM_IRQ_LINES + line] = (sim_line_desc){ fn, arg };
	return line;
}

void sim_set_softirq(sim *s, uint32_t nr, uint16_t fn)
{
	assert(nr < SIM_SOFTIRQS);
	s->softirq_fn[nr] = fn;
}

static void stall_fire(sim *s, uint32_t i);

void sim_add_stall(sim *s, uint32_t cpu, uint32_t label, uint64_t at_ns, uint64_t nth,
		   uint64_t for_ns)
{
	assert(!s->built && cpu < s->ncpus);
	sim_stall_desc *d = PUSH(s->stalls, s->nstalls);
	*d = (sim_stall_desc){ cpu, label, at_ns, nth ? nth : 1, for_ns };
	if (label != SIM_NONE)
		s->labels[label].stall_watch = 1;
	else
		sim_set_timer_cpu(s, sim_add_timer(s, stall_fire, s->nstalls - 1, 0), cpu);
}

static void periodic_fire(sim *s, uint32_t i);

int sim_add_periodic_irq(sim *s, uint32_t cpu, uint64_t at, uint64_t every, uint64_t cost)
{
	assert(!s->built && cpu < s->ncpus && every > 0);
	/* Keep the line sim_enable_perturb adds to every CPU. */
	if (s->nlines[cpu] + (s->perturb_ready ? 0u : 1u) >= SIM_IRQ_LINES)
		return -1;
	uint32_t i = s->nperiodics;
	sim_periodic_desc *d = PUSH(s->periodics, s->nperiodics);
	d->cpu = cpu;
	d->line = sim_add_irq_line(s, cpu, s->fn_irq_busy, i);
	d->timer = sim_add_timer(s, periodic_fire, i, 1);
	sim_set_timer_cpu(s, d->timer, cpu);
	d->at = at;
	d->every = every;
	d->cost = cost;
	return 0;
}

int sim_commit(sim *s)
{
	assert(!s->built);
	perturb_layout(s);
	if (s->ksoftirqd != SIM_NONE) {
		s->ksoftirqd_wq = s->nwaitqs;
		s->nwaitqs += s->ncpus;
	}
	s->off_g = arena_reserve(&s->ar, sizeof(sim_global), 8);
	s->off_cpus = arena_reserve(&s->ar, s->ncpus * sizeof(sim_cpu), 8);
	s->off_ctx = arena_reserve(&s->ar, (s->ntasks + 2 * (size_t)s->ncpus) * sizeof(sim_ctx), 8);
	s->off_wq = arena_reserve(&s->ar, (s->nwaitqs + 1) * sizeof(sim_waitq), 4);
	s->off_rng = arena_reserve(&s->ar, (s->nrngs + 1) * sizeof(rng), 8);
	s->off_stall = arena_reserve(&s->ar, (s->nstalls + 1) * sizeof(uint64_t), 8);
	s->off_zero = arena_reserve(&s->ar, s->ncpus * sizeof(sim_zero), 8);
	queue_layout(&s->q, &s->ar, s->ntimers);
	/* The models reserved their state before calling sim_commit. */
	if (s->mem_limit && s->ar.size > s->mem_limit)
		return SIM_EMEMLIMIT;
	s->fast_cost = calloc(s->nlabels + 1, sizeof *s->fast_cost);
	if (!s->fast_cost || arena_commit(&s->ar) != 0)
		return -1;
	s->g = arena_at(&s->ar, s->off_g);
	s->cpus = arena_at(&s->ar, s->off_cpus);
	s->ctx = arena_at(&s->ar, s->off_ctx);
	s->wq = arena_at(&s->ar, s->off_wq);
	s->rng = arena_at(&s->ar, s->off_rng);
	s->stall_count = arena_at(&s->ar, s->off_stall);
	s->zero = arena_at(&s->ar, s->off_zero);
	queue_bind(&s->q, &s->ar);
	perturb_bind(s);
	s->built = 1;
	s->fresh = 1;
	return 0;
}

/* sim_did()'s per-label look (sim.h: fast_cost), from the labels as they
 * are now and the run's options. */
static void set_fast_cost(sim *s)
{
	int slow = s->trace != NULL || s->jitter_pct != 0 || s->perturb.enabled;
	for (uint32_t i = 0; i < s->nlabels; i++) {
		const sim_label_desc *l = &s->labels[i];
		/* a cost as large as a mark takes the path that computes it */
		s->fast_cost[i] = slow || l->stall_watch                          ? SIM_COST_SLOW
				  : l->per_byte_ps || l->cost_ns >= SIM_COST_BYTES ? SIM_COST_BYTES
										  : l->cost_ns;
	}
}

void sim_reset(sim *s)
{
	assert(s->built);
	/* Between sim_commit and the first reset nothing writes the arena (the
	 * models only bind to it): it is still as calloc gave it. */
	if (s->fresh)
		assert(arena_is_zero(&s->ar));
	else
		arena_zero(&s->ar);
	s->fresh = 0;
	for (uint32_t i = 0; i < s->ncpus; i++) {
		sim_cpu *c = &s->cpus[i];
		c->task = c->rq_head = c->rq_tail = c->top = SIM_NONE;
	}
	uint32_t nctx = s->ntasks + 2 * s->ncpus;
	for (uint32_t i = 0; i < nctx; i++) {
		sim_ctx *x = &s->ctx[i];
		if (i < s->ntasks) {
			x->kind = SIM_CTX_TASK;
			x->cpu = s->tasks[i].cpu;
		} else {
			uint32_t k = i - s->ntasks;
			x->kind = (k & 1) ? SIM_CTX_HARDIRQ : SIM_CTX_SOFTIRQ;
			x->cpu = k / 2;
		}
		x->spin_on = x->next = x->wq = SIM_NONE;
	}
	for (uint32_t i = 0; i < s->nwaitqs; i++)
		s->wq[i].head = s->wq[i].tail = SIM_NONE;
	for (uint32_t i = 0; i < s->nrngs; i++)
		rng_seed(&s->rng[i], s->seed, s->rng_names[i]);
	for (uint32_t t = 0; t < s->ntimers; t++)
		if (s->timers[t].fire == stall_fire && !s->untimed)
			sim_arm(s, t, s->stalls[s->timers[t].arg].at_ns);
	for (uint32_t i = 0; i < s->nperiodics; i++)
		sim_arm(s, s->periodics[i].timer, s->periodics[i].at);
	cpu_reset_ksoftirqd(s);
	if (s->perturb.enabled)
		perturb_reset(s);
	set_fast_cost(s);
}

void sim_arm(sim *s, uint32_t timer, uint64_t at)
{
	if (!queue_armed(&s->q, timer) && !s->timers[timer].daemon)
		s->g->live++;
	queue_arm(&s->q, timer, at);
}

void sim_cancel(sim *s, uint32_t timer)
{
	if (queue_armed(&s->q, timer)) {
		if (!s->timers[timer].daemon)
			s->g->live--;
		queue_cancel(&s->q, timer);
	}
}

void sim_stop(sim *s) { s->g->stopped = 1; }

void sim_stuck(sim *s, uint32_t ctx, uint32_t timer)
{
	sim_global *g = s->g;
	g->stuck = 1;
	g->stuck_ctx = ctx;
	g->stuck_timer = timer;
	g->stopped = 1;
}

int sim_run(sim *s)
{
	sim_global *g = s->g;
	uint32_t same = 0;      /* events in a row at one time */
	set_fast_cost(s);
	g->stuck_ctx = g->stuck_timer = SIM_NONE;
	while (g->live && !g->stopped) {
		uint64_t t = queue_next_time(&s->q);
		if (t > s->limit_ns) {
			g->now = s->limit_ns;
			return SIM_END_LIMIT;
		}
		if (g->events >= s->limit_events)
			return SIM_END_EVENTS;
		uint32_t id = queue_peek(&s->q);
		same = t == g->now ? same + 1 : 0;
		if (same >= SIM_STUCK) {
			sim_stuck(s, SIM_NONE, id);
			break;
		}
		if (dispatch_one(s, id))
			cpu_timer_fire(s, id);
	}
	return g->stuck ? SIM_END_STUCK : g->stopped ? SIM_END_STOPPED : SIM_END_QUIET;
}

/* ---- timers owned by the engine ---- */

static void task_start_fire(sim *s, uint32_t ctx) { cpu_task_ready(s, ctx, 0); }

sim_frame *sim_task_start(sim *s, uint32_t ctx, uint16_t fn, uint64_t at)
{
	sim_ctx *x = &s->ctx[ctx];
	assert(x->kind == SIM_CTX_TASK && x->depth == 0);
	x->state = SIM_S_OFF;
	sim_arm(s, s->tasks[ctx].timer, at);
	return sim_call(s, ctx, fn);
}

static void stall_fire(sim *s, uint32_t i)
{
	const sim_stall_desc *d = &s->stalls[i];
	cpu_stall(s, d->cpu, s->g->now, d->for_ns, 1);
}

static void periodic_fire(sim *s, uint32_t i)
{
	const sim_periodic_desc *d = &s->periodics[i];
	/* Re-arm first: the next tick does not depend on this one's handling. */
	sim_arm(s, d->timer, s->g->now + d->every);
	sim_raise_irq(s, d->cpu, d->line);
}

static sim_answer irq_work_step(sim *s, uint32_t c, sim_frame *f)
{
	if (f->pc++ == 0)
		return SIM_CONT(sim_did(s, c, s->label_irq_work, 0) +
				s->periodics[f->a].cost);
	return SIM_RET;
}

/* ---- labelled steps ---- */

/* Inlined into sim_did, the hottest caller. */
static inline uint64_t cost_of(sim *s, const sim_label_desc *l, uint32_t bytes)
{
	uint64_t ns = l->cost_ns;
	if (l->per_byte_ps)
		ns += (l->per_byte_ps * bytes + 500) / 1000;
	if (s->jitter_pct && ns)
		ns = perturb_jitter(s, ns);
	return ns;
}

uint64_t sim_cost(sim *s, uint32_t label, uint32_t bytes)
{
	return cost_of(s, &s->labels[label], bytes);
}

void sim_event_init(const sim *s, trace_event *e, uint32_t ctx, uint32_t label)
{
	const sim_ctx *x = &s->ctx[ctx];
	e->time = s->g->now;
	e->cpu = x->cpu;
	e->ctx_kind = x->kind;
	e->ctx = sim_ctx_name(s, ctx);
	e->label = s->labels[label].name;
	e->label_id = label;
	e->flags = s->labels[label].flags;
	e->key_name = (const char *const *)s->key_name;
	e->nkv = 0;
}

static void emit(sim *s, uint32_t ctx, uint32_t label, va_list ap)
{
	trace_event e;
	sim_event_init(s, &e, ctx, label);
	int k;
	while ((k = va_arg(ap, int)) != SIM_TK_END && e.nkv < TRACE_KV_MAX) {
		assert((uint32_t)k < s->nkeys);
		e.kv[e.nkv].key = (uint32_t)k;
		e.kv[e.nkv].val = va_arg(ap, int64_t);
		e.nkv++;
	}
	trace_emit(s->trace, &e);
}

void sim_note_kv(sim *s, uint32_t ctx, uint32_t label, ...)
{
	if (!s->trace)
		return;
	va_list ap;
	va_start(ap, label);
	emit(s, ctx, label, ap);
	va_end(ap);
}

uint64_t sim_did_full(sim *s, uint32_t ctx, uint32_t label, uint32_t bytes, ...)
{
	s->g->steps++;
	if (s->trace) {
		va_list ap;
		va_start(ap, bytes);
		emit(s, ctx, label, ap);
		va_end(ap);
	}
	const sim_label_desc *l = &s->labels[label];
	uint64_t ns = cost_of(s, l, bytes);
	if (l->stall_watch) {
		uint32_t cpu = s->ctx[ctx].cpu;
		for (uint32_t i = 0; i < s->nstalls; i++) {
			const sim_stall_desc *d = &s->stalls[i];
			if (d->label != label || d->cpu != cpu)
				continue;
			if (++s->stall_count[i] == d->nth) {
				/* The stall starts when the step ends; the
				 * step's continuation carries it. */
				cpu_stall(s, cpu, s->g->now + ns, d->for_ns, 0);
				ns += d->for_ns;
			}
		}
	}
	if (s->perturb.enabled)
		ns += perturb_step(s, ctx, label, ns);
	return ns;
}
