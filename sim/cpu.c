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

/* top_of() through a sim_cpu pointer the caller holds: in cpu_run, where
 * s->cpus would be loaded again after every step (a step is an opaque call). */
static inline uint32_t top_at(const sim *s, const sim_cpu *c, uint32_t cpu)
{
	assert(c->top == top_computed(s, cpu));
	(void)s;
	(void)cpu;
	return c->top;
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
		/* Untimed (--check): a step whose timer has not fired is still
		 * to come, whatever the clock says -- the irq's timer may have
		 * been armed for any time.  Left to the clock, the context would
		 * resume with its step taken at once or as a transition of its
		 * own depending on time, which the state does not hold (two
		 * states one in the visited set would differ in successors). */
		if (s->untimed)
			x->remaining = queue_armed(&s->q, cpu);
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
 * ran, for the lowest pending line or the lowest softirq of the pass:
 * returns its number. */
static inline uint32_t push_interrupt(sim *s, uint32_t cpu, int hard)
{
	sim_cpu *c = &s->cpus[cpu];
	preempt_top(s, cpu);
	if (!hard && !c->softirq_pass) {
		/* __do_softirq(): pending = local_softirq_pending();
		 * set_softirq_pending(0): this pass runs those */
		c->softirq_pass = (uint32_t)c->softirq_pending;
		c->softirq_pending = 0;
	}
	uint64_t pass = c->softirq_pass;
	uint32_t n = take_lowest(hard ? &c->irq_pending : &pass);
	if (!hard)
		c->softirq_pass = (uint32_t)pass;
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

/* __do_softirq(): push the softirq context for the next softirq of the
 * pass (a new pass takes all those pending). */
static void softirq_enter(sim *s, uint32_t cpu)
{
	uint32_t nr = push_interrupt(s, cpu, 0);
	uint32_t sc = sim_softirq_ctx(s, cpu);
	enter_ctx(s, sc, s->softirq_fn[nr], cpu);
	if (s->trace)
		sim_note(s, sc, s->label_softirq_enter, SIM_TK_NR, (int64_t)nr);
}

/* A fresh __do_softirq() (from irq_exit(), local_bh_enable() or
 * ksoftirqd): unsigned long end = jiffies + MAX_SOFTIRQ_TIME; int
 * max_restart = MAX_SOFTIRQ_RESTART; then its first pass. */
static void softirq_begin(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	c->softirq_end = s->g->now + SIM_MAX_SOFTIRQ_TIME_NS;
	c->softirq_restart = SIM_MAX_SOFTIRQ_RESTART;
	softirq_enter(s, cpu);
}

/* Is cpu's ksoftirqd runnable, and do irq_exit() and local_bh_enable()
 * leave pending softirqs to it?  v4.9..v6.4: invoke_softirq() and
 * do_softirq(): if (ksoftirqd_running(pending)) return; -- true while the
 * thread is TASK_RUNNING (woken, not yet asleep again).  HI and TASKLET
 * (SOFTIRQ_NOW_MASK, v4.15+) are not modelled softirqs. */
static inline int ksoftirqd_defers(const sim *s, uint32_t cpu)
{
	if (!s->defer_to_ksoftirqd || s->ksoftirqd == SIM_NONE)
		return 0;
	uint32_t st = s->ctx[s->ksoftirqd + cpu].state;
	return st != SIM_S_SLEEP && st != SIM_S_OFF;
}

/* May a softirq start here, at irq_exit() or local_bh_enable()? */
static inline int softirq_may_start(const sim *s, uint32_t cpu)
{
	const sim_cpu *c = &s->cpus[cpu];
	return c->softirq_pending && !c->in_softirq && !c->in_hardirq && c->bh_depth == 0 &&
	       !ksoftirqd_defers(s, cpu);
}

/* wakeup_softirqd(): the rest is ksoftirqd's (a no-op while it runs). */
static void wakeup_softirqd(sim *s, uint32_t cpu)
{
	if (s->trace)
		sim_note(s, sim_softirq_ctx(s, cpu), s->label_defer, SIM_TK_NR,
			 (int64_t)s->cpus[cpu].softirq_pending);
	if (s->ksoftirqd == SIM_NONE)
		return;
	if (s->ctx[s->ksoftirqd + cpu].state == SIM_S_SLEEP)
		sim_wake_one(s, s->ksoftirqd_wq + cpu, 0);
}

/* __do_softirq(), after a pass with softirqs pending again:
 *	if (time_before(jiffies, end) && !need_resched() && --max_restart)
 *		goto restart;
 *	wakeup_softirqd(); */
static void softirq_restart(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	/* untimed (--check): MAX_SOFTIRQ_TIME never runs out; docs/check.md */
	if ((s->untimed || s->g->now < c->softirq_end) && !c->need_resched &&
	    --c->softirq_restart > 0)
		softirq_enter(s, cpu);
	else
		wakeup_softirqd(s, cpu);
}

/* ---- the scheduler: CFS's order (least run time first), its tick ---- */

/* The current task's run time so far (its vruntime as CFS updates it). */
static inline uint64_t cur_vruntime(const sim *s, uint32_t cpu)
{
	const sim_cpu *c = &s->cpus[cpu];
	return s->ctx[c->task].vruntime + (s->g->now - c->run_since);
}

/* update_min_vruntime(): the least of the current task's and the
 * leftmost's, never going back. */
static void update_min_vruntime(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	uint64_t m = UINT64_MAX;
	if (c->task != SIM_NONE)
		m = cur_vruntime(s, cpu);
	if (c->rq_head != SIM_NONE && s->ctx[c->rq_head].vruntime < m)
		m = s->ctx[c->rq_head].vruntime;
	if (m != UINT64_MAX && m > c->min_vruntime)
		c->min_vruntime = m;
}

/* enqueue_entity(): into the runqueue in vruntime order (ties: FIFO).
 * Untimed (--check): FIFO.  Run times are clock, which the state does not
 * hold; and the tick, which may then come at any time, sends the task
 * picked to the back, so every waiting task can be the one to run next. */
static void rq_insert(sim *s, uint32_t cpu, uint32_t id)
{
	sim_cpu *c = &s->cpus[cpu];
	sim_ctx *x = &s->ctx[id];
	uint32_t prev = SIM_NONE, at = c->rq_head;
	while (at != SIM_NONE && (s->untimed || s->ctx[at].vruntime <= x->vruntime)) {
		prev = at;
		at = s->ctx[at].next;
	}
	x->state = SIM_S_RUNNABLE;
	x->next = at;
	if (prev == SIM_NONE)
		c->rq_head = id;
	else
		s->ctx[prev].next = id;
	if (at == SIM_NONE)
		c->rq_tail = id;
}

/* The current task's slice ends at the next tick after it has run
 * `slice_ns` since it was picked (check_preempt_tick()); armed while others
 * wait. */
static void arm_tick(sim *s, uint32_t cpu)
{
	const sim_cpu *c = &s->cpus[cpu];
	uint64_t at = c->run_since + s->slice_ns;
	if (at < s->g->now)
		at = s->g->now;
	sim_arm(s, s->tick_timer + cpu, at);
}

/* put_prev_entity(): the current task leaves the CPU; its run time grows. */
static void account_leave(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	s->ctx[c->task].vruntime = cur_vruntime(s, cpu);
	c->need_resched = 0;
}

/* Give the CPU's task level to the next runnable task, if any: the one with
 * the least run time (pick_next_entity()). */
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
	c->run_since = s->g->now;
	update_min_vruntime(s, cpu);
	if (c->rq_head != SIM_NONE)
		arm_tick(s, cpu);
	if (s->trace)
		sim_note(s, c->task, s->label_switch);
}

/* Could the current task be preempted now: preempt_count() == 0 (no
 * spinlock held, BH enabled, not in interrupt) and IRQs on? */
static inline int preemptible(const sim *s, uint32_t cpu)
{
	const sim_cpu *c = &s->cpus[cpu];
	return c->task != SIM_NONE && c->top == c->task && !s->ctx[c->task].held &&
	       !c->bh_depth && !c->irqs_off;
}

/* __schedule(SM_PREEMPT): the current task goes back on the runqueue
 * (keeping what is left of its step) and the leftmost gets the CPU. */
static void task_preempt(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	uint32_t id = c->task;
	preempt_top(s, cpu);
	account_leave(s, cpu);
	if (s->trace)
		sim_note(s, id, s->label_preempt);
	c->task = SIM_NONE;
	rq_insert(s, cpu, id);
	next_task(s, cpu);
}

/* The tick: the current task's slice is over and others wait: set
 * TIF_NEED_RESCHED; preempt it now if it may be (CONFIG_PREEMPT), else at
 * its next preemption point. */
static int tick_fire(sim *s, uint32_t cpu)
{
	sim_cpu *c = &s->cpus[cpu];
	if (c->task == SIM_NONE || c->rq_head == SIM_NONE)
		return 0;
	/* untimed (--check): the tick may come at any time */
	if (!s->untimed && s->g->now < c->run_since + s->slice_ns) {
		arm_tick(s, cpu);
		return 0;
	}
	c->need_resched = 1;
	if (s->preempt != SIM_PREEMPT_FULL || !preemptible(s, cpu) ||
	    s->ctx[c->task].state == SIM_S_SPIN)
		return 0;
	task_preempt(s, cpu);
	return 1;
}

int sim_cond_resched(sim *s, uint32_t ctx)
{
	uint32_t cpu = s->ctx[ctx].cpu;
	sim_cpu *c = &s->cpus[cpu];
	if (!c->need_resched || c->task != ctx || !preemptible(s, cpu))
		return 0;
	task_preempt(s, cpu);
	return 1;
}

/* A preemption point between two steps of the current task (CONFIG_PREEMPT:
 * preempt_enable() to 0, the return from an interrupt). */
static int resched_at_boundary(sim *s, uint32_t cpu, uint32_t id)
{
	if (s->preempt != SIM_PREEMPT_FULL || id != s->cpus[cpu].task || !preemptible(s, cpu))
		return 0;
	task_preempt(s, cpu);
	return 1;
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
		if (!c->irq_pending && softirq_may_start(s, cpu))
			softirq_begin(s, cpu);
		break;
	case SIM_CTX_SOFTIRQ:
		c->in_softirq = 0;
		set_top(s, cpu);
		if (s->trace)
			sim_note(s, ctxid, s->label_softirq_exit);
		/* __do_softirq(): the rest of the pass, then restart while
		 * softirqs are pending, within its limits */
		if (c->softirq_pass)
			softirq_enter(s, cpu);
		else if (c->softirq_pending)
			softirq_restart(s, cpu);
		break;
	default:
		assert(c->task == ctxid);
		if (s->trace)
			sim_note(s, ctxid, s->label_exit);
		account_leave(s, cpu);
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
		if (softirq_may_start(s, cpu))
			softirq_begin(s, cpu);
	}
	return entered;
}

/* Between two steps, when a hardirq is pending or a softirq or a
 * reschedule was asked for: take_pending(), then a preemption point for the
 * READY context on top.  Returns 1 when the task was preempted (the caller
 * looks again); clears *fired when a hardirq was entered. */
__attribute__((always_inline)) static inline int attend(sim *s, uint32_t cpu, int *fired)
{
	sim_cpu *c = &s->cpus[cpu];
	*fired &= !take_pending(s, cpu);
	if (!c->need_resched)
		return 0;
	uint32_t id = top_of(s, cpu);
	return id != SIM_NONE && s->ctx[id].state == SIM_S_READY &&
	       resched_at_boundary(s, cpu, id);
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
	account_leave(s, cpu);
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
		/* Rare: a hardirq or softirq to take, a reschedule due. */
		if (__builtin_expect((c->irq_pending | c->attn) != 0, 0) &&
		    attend(s, cpu, &fired))
			continue;
		uint32_t id = top_at(s, c, cpu);
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
			if (a.ns && !(g->stopped | c->irq_pending | c->attn) &&
			    x->state == SIM_S_READY && top_at(s, c, cpu) == id) {
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

/* untimed.h: one transition, no run-ahead, no other CPU's timer (a copy of
 * cpu_run of its own, so that cpu_events' stays as it was) */
__attribute__((noinline)) void cpu_step_once(sim *s, uint32_t cpu, int fired)
{
	cpu_run(s, cpu, fired, 0);
}

void cpu_tick_fire(sim *s, uint32_t cpu)
{
	if (tick_fire(s, cpu))
		cpu_run(s, cpu, 0, 0);
}

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

void cpu_task_ready(sim *s, uint32_t ctxid, uint64_t latency)
{
	sim_ctx *x = &s->ctx[ctxid];
	sim_cpu *c = &s->cpus[x->cpu];
	x->remaining = latency;
	/* place_entity(): a sleeper gets at most one slice of credit
	 * (sched_latency / 2, GENTLE_FAIR_SLEEPERS) below min_vruntime */
	update_min_vruntime(s, x->cpu);
	if (c->min_vruntime > s->slice_ns && x->vruntime < c->min_vruntime - s->slice_ns)
		x->vruntime = c->min_vruntime - s->slice_ns;
	if (c->task == SIM_NONE) {
		c->task = ctxid;
		c->run_since = s->g->now;
		set_top(s, x->cpu);
		x->state = SIM_S_READY;
		if (s->trace)
			sim_note(s, ctxid, s->label_switch);
		if (top_of(s, x->cpu) == ctxid)
			arm_top(s, x->cpu, x);
		return;
	}
	rq_insert(s, x->cpu, ctxid);
	if (!queue_armed(&s->q, s->tick_timer + x->cpu))
		arm_tick(s, x->cpu);
}

/* ---- ksoftirqd ---- */

/* smpboot_thread_fn() for ksoftirqd/N: while ksoftirqd_should_run()
 * (softirqs pending), run_ksoftirqd(): __do_softirq() on this CPU, then
 * cond_resched(); else schedule() until wakeup_softirqd(). */
sim_answer cpu_ksoftirqd_step(sim *s, uint32_t c, sim_frame *f)
{
	uint32_t cpu = s->ctx[c].cpu;
	if (f->pc == 1) {
		f->pc = 0;
		if (sim_cond_resched(s, c))
			return SIM_NEXT;
	}
	if (!s->cpus[cpu].softirq_pending)
		return SIM_SLEEP(s->ksoftirqd_wq + cpu);
	f->pc = 1;
	if (s->trace)
		sim_note(s, c, s->label_ksoftirqd);
	softirq_begin(s, cpu);
	return SIM_NEXT;
}

void cpu_reset_ksoftirqd(sim *s)
{
	if (s->ksoftirqd == SIM_NONE)
		return;
	for (uint32_t cpu = 0; cpu < s->ncpus; cpu++) {
		uint32_t id = s->ksoftirqd + cpu;
		sim_ctx *x = &s->ctx[id];
		x->depth = 0;
		sim_call(s, id, s->fn_ksoftirqd);
		x->state = SIM_S_SLEEP;
		x->wq = s->ksoftirqd_wq + cpu;
		waitq_add(s, x->wq, id);
	}
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
