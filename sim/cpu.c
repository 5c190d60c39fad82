/* cpu.c - CPUs: the context stack, hardirq and softirq entry and exit,
 * BH and IRQ disabling, spinning, tasks, wait queues and stalls.
 *
 * The dispatcher (cpu_run) is the only place that calls step functions.  It
 * runs the top context of one CPU until that context has to wait: for time
 * (its CPU's step timer is armed), for a lock (SPIN), or for a wakeup (SLEEP).
 * Between two steps it checks, in this order, what the kernel checks at the
 * same boundaries: a hardirq that may now be taken (irq_enter), softirqs that
 * a local_bh_enable() asked to run.
 */
#include <assert.h>
#include <stdarg.h>

#include "cpu_internal.h"

const char *sim_ctx_kind_name(int kind)
{
	switch (kind) {
	case SIM_CTX_TASK: return "task";
	case SIM_CTX_SOFTIRQ: return "softirq";
	case SIM_CTX_HARDIRQ: return "hardirq";
	}
	return "?";
}

/* The context that runs on `cpu`: its hardirq, else its softirq, else its task. */
static inline uint32_t top_computed(const sim *s, uint32_t cpu)
{
	const sim_cpu *c = &s->cpus[cpu];
	if (c->in_hardirq)
		return sim_hardirq_ctx(s, cpu);
	if (c->in_softirq)
		return sim_softirq_ctx(s, cpu);
	return c->task;
}

/* Kept in sim_cpu.top (read at every event): set it wherever in_hardirq,
 * in_softirq or task changes. */
static inline void set_top(sim *s, uint32_t cpu) { s->cpus[cpu].top = top_computed(s, cpu); }

static inline uint32_t top_of(const sim *s, uint32_t cpu)
{
	assert(s->cpus[cpu].top == top_computed(s, cpu));
	return s->cpus[cpu].top;
}

uint32_t sim_top(const sim *s, uint32_t cpu) { return top_of(s, cpu); }

const char *sim_ctx_name(const sim *s, uint32_t ctx)
{
	if (ctx < s->ntasks)
		return s->tasks[ctx].name;
	return sim_ctx_kind_name(s->ctx[ctx].kind);
}

/* Arm the CPU's step timer for its top context, which is READY. */
static inline void arm_top_at(sim *s, uint32_t cpu, sim_ctx *x, uint64_t due)
{
	x->remaining = 0;
	x->state = SIM_S_RUNNING;
	/* sim_arm() inlined: a CPU's step timer is never a daemon */
	if (!queue_armed(&s->q, cpu))
		s->g->live++;
	queue_arm(&s->q, cpu, due);
}

static void arm_top(sim *s, uint32_t cpu, sim_ctx *x)
{
	uint64_t due = s->g->now + x->remaining;
	if (due < s->cpus[cpu].stall_until)
		due = s->cpus[cpu].stall_until;
	arm_top_at(s, cpu, x, due);
}

/* The top context stops running for now: keep what is left of its step. */
static void preempt_top(sim *s, uint32_t cpu)
{
	uint32_t c = top_of(s, cpu);
	if (c == SIM_NONE)
		return;
	sim_ctx *x = &s->ctx[c];
	if (x->state == SIM_S_RUNNING) {
		/* Not armed: its timer has just fired (a hardirq deferred by a
		 * stall is taken first), so nothing is left of its step. */
		uint64_t due = queue_armed(&s->q, cpu) ? queue_due(&s->q, cpu) : s->g->now;
		x->remaining = due > s->g->now ? due - s->g->now : 0;
		/* A lock hand-off is not work: it goes on while the irq runs,
		 * and the context resumes no earlier than handoff_until. */
		if (x->handoff_until > s->g->now)
			x->remaining = 0;
		x->state = SIM_S_READY;
		sim_cancel(s, cpu);
	}
}

static int can_take_irq(const sim *s, uint32_t cpu)
{
	const sim_cpu *c = &s->cpus[cpu];
	return c->irq_pending && !c->in_hardirq && !c->irqs_off;
}

/* Take the lowest bit of *pending: the line or softirq to run. */
static inline uint32_t take_lowest(uint64_t *pending)
{
	uint32_t n = (uint32_t)__builtin_ctzll(*pending);
	*pending &= *pending - 1;
	return n;
}

/* Start the interrupt context `id` (just put on top) at handler fn(a). */
static inline void enter_ctx(sim *s, uint32_t id, uint16_t fn, uint32_t a)
{
	sim_ctx *x = &s->ctx[id];
	x->depth = 0;
	sim_call(s, id, fn)->a = a;
	x->state = SIM_S_READY;
	x->remaining = 0;
}

/* Put cpu's hardirq (`hard`) or softirq context on top, preempting what
 * ran, for the lowest pending line or softirq: returns its number. */
static inline uint32_t push_interrupt(sim *s, uint32_t cpu, int hard)
{
	sim_cpu *c = &s->cpus[cpu];
	preempt_top(s, cpu);
	uint32_t n = take_lowest(hard ? &c->irq_pending : &c->softirq_pending);
	if (hard)
		c->in_hardirq = 1;
	else
		c->in_softirq = 1;
	set_top(s, cpu);
	return n;
}

/* irq_enter(): push the hardirq context for the lowest pending line. */
static void irq_enter(sim *s, uint32_t cpu)
{
	uint32_t line = push_interrupt(s, cpu, 1);
	uint32_t h = sim_hardirq_ctx(s, cpu);
	const sim_line_desc *d = &s->lines[cpu * SIM_IRQ_LINES + line];
	enter_ctx(s, h, d->fn, d->arg);
	if (s->trace)
		sim_note(s, h, s->label_irq_enter, SIM_TK_LINE, (int64_t)line);
}

/* __do_softirq(): push the softirq context for the lowest pending softirq. */
static void softirq_enter(sim *s, uint32_t cpu)
{
	uint32_t nr = push_interrupt(s, cpu, 0);
	uint32_t sc = sim_softirq_ctx(s, cpu);
	enter_ctx(s, sc, s->softirq_fn[nr], cpu);
	if (s->trace)
		sim_note(s, sc, s->label_softirq_enter, SIM_TK_NR, (int64_t)nr);
}

/* Give the CPU's task level to the next runnable task, if any. */
static void next_task(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	c->task = c->rq_head;
	set_top(s, cpu);
	if (c->task == SIM_NONE)
		return;
	sim_ctx *x = &s->ctx[c->task];
	c->rq_head = x->next;
	if (c->rq_head == SIM_NONE)
		c->rq_tail = SIM_NONE;
	x->next = SIM_NONE;
	x->state = SIM_S_READY;
	if (s->trace)
		sim_note(s, c->task, s->label_switch);
}

/* A context's last frame returned. */
static void ctx_finished(sim *s, uint32_t cpu, uint32_t ctxid)
{
	sim_cpu *c = &s->cpus[cpu];
	sim_ctx *x = &s->ctx[ctxid];
	x->state = SIM_S_OFF;
	switch (x->kind) {
	case SIM_CTX_HARDIRQ:
		c->in_hardirq = 0;
		set_top(s, cpu);
		if (s->trace)
			sim_note(s, ctxid, s->label_irq_exit);
		/* irq_exit(): invoke_softirq() unless in interrupt or BH off. */
		if (c->softirq_pending && !c->in_softirq && c->bh_depth == 0 && !c->irq_pending)
			softirq_enter(s, cpu);
		break;
	case SIM_CTX_SOFTIRQ:
		c->in_softirq = 0;
		set_top(s, cpu);
		if (s->trace)
			sim_note(s, ctxid, s->label_softirq_exit);
		/* __do_softirq() restarts while softirqs are pending. */
		if (c->softirq_pending)
			softirq_enter(s, cpu);
		break;
	default:
		assert(c->task == ctxid);
		if (s->trace)
			sim_note(s, ctxid, s->label_exit);
		c->task = SIM_NONE;
		next_task(s, cpu);      /* sets top */
		break;
	}
}

static void waitq_add(sim *s, uint32_t wq, uint32_t ctxid)
{
	sim_waitq *w = &s->wq[wq];
	s->ctx[ctxid].next = SIM_NONE;
	if (w->tail == SIM_NONE)
		w->head = ctxid;
	else
		s->ctx[w->tail].next = ctxid;
	w->tail = ctxid;
}

/* A call or a step that took no time: the context goes on at once.  Every
 * program that loops passes here (a task's ops are calls, its next run is a
 * SIM_NEXT, `work 0` takes no time), so a context that goes on and on
 * without time advancing is caught here: SIM_STUCK of these on one CPU, the
 * last of them at the time of the SIM_STUCK before, stop the run.  Returns 1
 * then.  Not on the common path: a step that took time never comes here. */
static int zero_time_step(sim *s, uint32_t cpu, uint32_t id)
{
	sim_zero *z = &s->zero[cpu];
	if (__builtin_expect(++z->steps < SIM_STUCK, 1))
		return 0;
	if (s->g->now == z->at) {
		sim_stuck(s, id, SIM_NONE);
		return 1;
	}
	z->at = s->g->now;      /* time moved on since the last look */
	z->steps = 0;
	return 0;
}

/* Between two steps: a hardirq that may now be taken (deferred while the
 * CPU is stalled), softirqs a local_bh_enable() asked to run.  Returns 1
 * when a hardirq was entered (the context that was stepping is preempted). */
__attribute__((always_inline)) static inline int take_pending(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	int entered = 0;
	if (can_take_irq(s, cpu)) {
		if (s->g->now < c->stall_until) {
			sim_arm(s, s->ncpus + cpu, c->stall_until);
		} else {
			irq_enter(s, cpu);
			entered = 1;
		}
	}
	if (c->softirq_now) {
		/* local_bh_enable() brought the depth to 0 with softirqs pending. */
		c->softirq_now = 0;
		if (c->softirq_pending && !c->in_softirq && !c->in_hardirq && c->bh_depth == 0)
			softirq_enter(s, cpu);
	}
	return entered;
}

/* The task `id`, on top of `cpu`, sleeps on wait queue wq: the CPU goes to
 * the next runnable task, or idles. */
static void task_sleep(sim *s, uint32_t cpu, uint32_t id, uint32_t wq)
{
	sim_ctx *x = &s->ctx[id];
	assert(x->kind == SIM_CTX_TASK);
	x->state = SIM_S_SLEEP;
	x->wq = wq;
	waitq_add(s, wq, id);
	s->cpus[cpu].task = SIM_NONE;
	set_top(s, cpu);
	if (s->trace)
		sim_note(s, id, s->label_idle, SIM_TK_WQ, (int64_t)wq);
	next_task(s, cpu);
}

/* The top context x of `cpu`, READY, steps next at `due`.  Arm the CPU's
 * step timer for it and return 0; or, with `ahead` (see cpu_run) and `due`
 * strictly before every queued event and within the time limit, run ahead:
 * do what cpu_timer_fire() would do at `due` -- time moves to it, it counts
 * as an event -- and return 1, for the caller to step x at once. */
__attribute__((always_inline)) static inline int arm_or_run_ahead(sim *s, uint32_t cpu, sim_ctx *x,
								   uint64_t due, int ahead)
{
	if (!ahead || due >= queue_next_time(&s->q) || due > s->limit_ns ||
	    s->g->events >= s->limit_events) {
		arm_top_at(s, cpu, x, due);
		return 0;
	}
	s->g->now = due;
	s->g->events++;
	return 1;
}

/* Step the top context of `cpu` until it waits.  `fired`: its timer fired.
 * Returns 0 when the run was stopped, else the CPU waits: 2 when it armed
 * its step timer (the run is live), 1 otherwise.  Never returns non-zero
 * with the run stopped: it is checked after every step, and between that
 * check and a return no model code runs.
 *
 * `ahead`: cpu_run was called by the event loop for this CPU's own timer
 * and nothing else will happen in that event once it returns.  Then a step
 * due strictly before every queued event is run here at once (run-ahead),
 * instead of arming the timer and taking it straight back out of the queue.
 * This preserves the order exactly: the timer, armed now, would be the
 * earliest event in the queue (strictly: an equal time would go after the
 * queued one, by seq), so the very next event sim_run dispatches would be
 * this one, with the same `now` and the same state; the effect is the same as
 * cpu_timer_fire(), events are counted the same, and the seqs the skipped
 * arms would have taken change no order (only relative order counts).  Not
 * when called from inside another event (a timer handler raising this CPU's
 * irq): that handler may still arm something earlier after we return.
 * Only then can the run be stopped at entry (a model stopped it in that
 * event); with `ahead`, the caller found it running (sim_run, cpu_events). */
__attribute__((always_inline)) static inline int cpu_run(sim *s, uint32_t cpu, int fired, int ahead)
{
	sim_cpu *c = &s->cpus[cpu];
	sim_global *g = s->g;
	if (!ahead && g->stopped)
		return 0;
	for (;;) {
		if (c->irq_pending | c->softirq_now)
			fired &= !take_pending(s, cpu);
		uint32_t id = top_of(s, cpu);
		if (id == SIM_NONE)
			return 1;
		sim_ctx *x = &s->ctx[id];
		if (x->state == SIM_S_RUNNING) {
			if (!fired)
				return 1;
		} else if (x->state == SIM_S_READY) {
			if (x->remaining || g->now < c->stall_until || g->now < x->handoff_until) {
				/* back on top: what is left of its step, the CPU's
				 * stall, a lock hand-off that went on meanwhile */
				uint64_t due = g->now + x->remaining;
				if (due < c->stall_until)
					due = c->stall_until;
				if (due < x->handoff_until)
					due = x->handoff_until;
				if (!arm_or_run_ahead(s, cpu, x, due, ahead))
					return 2;
			}
		} else {
			return 1;       /* spinning: sim_grant() resumes it */
		}
	step:
		fired = 0;
		x->state = SIM_S_READY;
		x->remaining = 0;
		sim_frame *f = &x->f[x->depth - 1];
		sim_answer a = s->fns[f->fn].step(s, id, f);
		switch (a.kind) {
		case SIM_A_CONT:
			/* The common case, decided here rather than by the next pass
			 * of the loop, which would find just this: nothing pending,
			 * the same context on top, READY with time left.  (Its
			 * `remaining` is stored only when it is not armed here.) */
			if (a.ns && !(g->stopped | c->irq_pending | c->softirq_now) &&
			    x->state == SIM_S_READY && top_of(s, cpu) == id) {
				uint64_t due = g->now + a.ns;
				if (due < c->stall_until)
					due = c->stall_until;
				if (!arm_or_run_ahead(s, cpu, x, due, ahead))
					return 2;
				goto step;
			}
			x->remaining = a.ns;
			if (!a.ns && zero_time_step(s, cpu, id))
				return 0;
			break;
		case SIM_A_NEXT:
			if (zero_time_step(s, cpu, id))
				return 0;
			break;
		case SIM_A_RET:
			if (--x->depth == 0)
				ctx_finished(s, cpu, id);
			break;
		case SIM_A_SPIN:
			x->state = SIM_S_SPIN;
			break;
		case SIM_A_SLEEP:
			task_sleep(s, cpu, id, a.wq);
			break;
		}
		if (g->stopped)
			return 0;
	}
}

/* The event loop's part for CPUs: run `cpu`, then, while the next event is
 * another CPU's step timer, dispatch it here exactly as sim_run() would --
 * check live/stopped and the time limit, pop it, count it -- without
 * returning to sim_run() for each (one loop, one stack frame, for the events
 * that are most of a run).  Anything else goes back to sim_run(). */
static void cpu_events(sim *s, uint32_t cpu, int fired)
{
	sim_global *g = s->g;
	queue *q = &s->q;
	int r;
	while ((r = cpu_run(s, cpu, fired, 1)) != 0) {
		/* Not stopped (cpu_run said so), and live when it armed. */
		if (r == 1 && !g->live)
			return;
		uint32_t id = queue_peek(q);
		if (id >= s->ncpus || queue_next_time(q) > s->limit_ns || g->events >= s->limit_events)
			return;
		dispatch_one(s, id);    /* a CPU's: returns 1, it runs here */
		cpu = id;
		fired = 1;
	}
}

void cpu_timer_fire(sim *s, uint32_t cpu) { cpu_events(s, cpu, 1); }

void cpu_irq_retry(sim *s, uint32_t cpu) { cpu_events(s, cpu, 0); }

void sim_raise_irq(sim *s, uint32_t cpu, uint32_t line)
{
	sim_cpu *c = &s->cpus[cpu];
	c->irq_pending |= 1ull << line;
	if (can_take_irq(s, cpu))
		cpu_run(s, cpu, 0, 0);
}

void sim_raise_softirq(sim *s, uint32_t cpu, uint32_t nr)
{
	/* raise_softirq_irqoff(): only marks it pending; it runs at irq exit,
	 * at local_bh_enable(), or when the running softirq restarts. */
	s->cpus[cpu].softirq_pending |= 1ull << nr;
}

void sim_bh_disable(sim *s, uint32_t ctx)
{
	const sim_ctx *x = &s->ctx[ctx];
	if (x->kind == SIM_CTX_TASK)
		s->cpus[x->cpu].bh_depth++;
}

int sim_bh_enable(sim *s, uint32_t ctx)
{
	const sim_ctx *x = &s->ctx[ctx];
	if (x->kind != SIM_CTX_TASK)
		return 0;       /* in softirq/hardirq: in_interrupt(), nothing runs */
	sim_cpu *c = &s->cpus[x->cpu];
	/* preempt_count_sub() under CONFIG_DEBUG_PREEMPT: DEBUG_LOCKS_WARN_ON(val >
	 * preempt_count()) warns and returns without subtracting; so does this. */
	if (c->bh_depth == 0)
		return -1;
	if (--c->bh_depth == 0 && c->softirq_pending)
		c->softirq_now = 1;
	return 0;
}

int sim_bh_enabled(const sim *s, uint32_t ctx)
{
	const sim_ctx *x = &s->ctx[ctx];
	return x->kind == SIM_CTX_TASK && s->cpus[x->cpu].bh_depth == 0;
}

void sim_irq_disable(sim *s, uint32_t ctx) { s->cpus[s->ctx[ctx].cpu].irqs_off++; }

int sim_irq_enable(sim *s, uint32_t ctx)
{
	sim_cpu *c = &s->cpus[s->ctx[ctx].cpu];
	/* raw_local_irq_restore() with IRQs enabled: CONFIG_DEBUG_IRQFLAGS warns
	 * (warn_bogus_irq_restore); the depth stays 0. */
	if (c->irqs_off == 0)
		return -1;
	c->irqs_off--;          /* a pending hardirq is taken at the next step boundary */
	return 0;
}

void sim_spin_begin(sim *s, uint32_t ctx, uint32_t lock)
{
	sim_ctx *x = &s->ctx[ctx];
	x->spin_on = lock;
	x->spin_since = s->g->now;
}

uint64_t sim_grant(sim *s, uint32_t ctx, uint64_t delay)
{
	sim_ctx *x = &s->ctx[ctx];
	assert(x->state == SIM_S_SPIN);
	x->state = SIM_S_READY;
	x->spin_on = SIM_NONE;
	x->handoff_until = s->g->now + delay;
	if (top_of(s, x->cpu) == ctx) {
		x->remaining = delay;
		arm_top(s, x->cpu, x);
	} else {
		x->remaining = 0;       /* preempted: it resumes at handoff_until at the earliest */
	}
	return s->g->now + delay - x->spin_since;
}

uint32_t sim_preempted_by(const sim *s, uint32_t ctx)
{
	const sim_ctx *x = &s->ctx[ctx];
	uint32_t top = top_of(s, x->cpu);
	if (top == ctx)
		return SIM_NONE;
	if (top == SIM_NONE)
		return SIM_NONE;    /* not started or asleep: nothing on the CPU blocks it */
	return top;
}

void cpu_task_ready(sim *s, uint32_t ctxid, uint64_t latency)
{
	sim_ctx *x = &s->ctx[ctxid];
	sim_cpu *c = &s->cpus[x->cpu];
	x->remaining = latency;
	if (c->task == SIM_NONE) {
		c->task = ctxid;
		set_top(s, x->cpu);
		x->state = SIM_S_READY;
		if (s->trace)
			sim_note(s, ctxid, s->label_switch);
		if (top_of(s, x->cpu) == ctxid)
			arm_top(s, x->cpu, x);
		return;
	}
	x->state = SIM_S_RUNNABLE;
	x->next = SIM_NONE;
	if (c->rq_tail == SIM_NONE)
		c->rq_head = ctxid;
	else
		s->ctx[c->rq_tail].next = ctxid;
	c->rq_tail = ctxid;
}

uint32_t sim_wake_one(sim *s, uint32_t wq, uint64_t latency)
{
	sim_waitq *w = &s->wq[wq];
	uint32_t id = w->head;
	if (id == SIM_NONE)
		return SIM_NONE;
	w->head = s->ctx[id].next;
	if (w->head == SIM_NONE)
		w->tail = SIM_NONE;
	s->ctx[id].wq = SIM_NONE;
	if (s->trace)
		sim_note(s, id, s->label_wake, SIM_TK_WQ, (int64_t)wq);
	cpu_task_ready(s, id, latency);
	return id;
}

void cpu_stall(sim *s, uint32_t cpu, uint64_t from, uint64_t for_ns, int shift)
{
	sim_cpu *c = &s->cpus[cpu];
	uint64_t until = from + for_ns;
	if (s->trace) {
		uint32_t top = top_of(s, cpu);
		/* Traced now (the trace stays in time order); `start` says when
		 * the CPU freezes: now, or when the current step's cost ends. */
		trace_event e;
		sim_event_init(s, &e, top == SIM_NONE ? 0 : top, s->label_stall);
		e.cpu = cpu;
		e.ctx_kind = top == SIM_NONE ? SIM_CTX_TASK : s->ctx[top].kind;
		e.ctx = top == SIM_NONE ? "idle" : e.ctx;
		e.nkv = 2;
		e.kv[0] = (trace_kv){ SIM_TK_START, (int64_t)from };
		e.kv[1] = (trace_kv){ SIM_TK_FOR, (int64_t)for_ns };
		trace_emit(s->trace, &e);
	}
	if (s->on_stall)
		s->on_stall(s, cpu, from, for_ns);
	if (shift && queue_armed(&s->q, cpu))
		sim_arm(s, cpu, queue_due(&s->q, cpu) + for_ns);
	if (until > c->stall_until)
		c->stall_until = until;
}
