/* handler.c - see handler.h. */
#include "handler.h"

#include <stdio.h>
#include <stdlib.h>

#include "locks.h"
#include "spinlock.h"

static uint32_t nprogs(const scn_file *f) { return (uint32_t)(f->nsoftirqs + f->nirqs); }

static const scn_op *prog_ops(const scn_file *f, uint32_t prog, size_t *nops)
{
	if (prog < f->nsoftirqs) {
		*nops = f->softirqs[prog].nops;
		return f->softirqs[prog].ops;
	}
	*nops = f->irqs[prog - f->nsoftirqs].nops;
	return f->irqs[prog - f->nsoftirqs].ops;
}

/* How each spin_* op takes or releases its lock (task_spin_op_step's b, c). */
static const struct { uint8_t mode, unlock; } spin_of[SCN_OP_COUNT] = {
	[SCN_OP_SPIN_LOCK] = { SPIN_PLAIN, 0 }, [SCN_OP_SPIN_UNLOCK] = { SPIN_PLAIN, 1 },
	[SCN_OP_SPIN_LOCK_BH] = { SPIN_BH, 0 }, [SCN_OP_SPIN_UNLOCK_BH] = { SPIN_BH, 1 },
	[SCN_OP_SPIN_LOCK_IRQSAVE] = { SPIN_IRQ, 0 },
	[SCN_OP_SPIN_UNLOCK_IRQRESTORE] = { SPIN_IRQ, 1 },
};

/* A program: its ops in order, in the context that runs it. */
static sim_answer prog_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	size_t nops;
	const scn_op *ops = prog_ops(w->scn, f->a, &nops);
	if (f->b >= nops)
		return SIM_RET;
	const scn_op *op = &ops[f->b++];
	if (op->kind == SCN_OP_WORK)
		return SIM_CONT(sim_did(s, c, wl(w, ML_HD_WORK), 0, SIM_TK_NS, (int64_t)op->arg) +
				op->arg);
	/* a spin_* op (the parser allows nothing else here) */
	sim_frame *p = sim_call(s, c, w->fn_spin_op);
	p->a = lock_user(w->scn, (uint32_t)op->arg);
	p->b = spin_of[op->kind].mode;
	p->c = spin_of[op->kind].unlock;
	return SIM_NEXT;
}

/* --check's partial-order reduction (sim_set_fn_local): as a task's. */
static int prog_local(const sim *s, uint32_t c, const sim_frame *f)
{
	(void)c;
	const world *w = s->model;
	size_t nops;
	const scn_op *ops = prog_ops(w->scn, f->a, &nops);
	return f->b < nops && ops[f->b].kind == SCN_OP_WORK;
}

/* run_timer_softirq() -> __run_timers() -> expire_timers(): each due
 * program of this CPU, in scenario order. */
static sim_answer timer_softirq_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	const scn_file *sf = w->scn;
	for (uint32_t i = f->b; i < sf->nsoftirqs; i++) {
		if (sf->softirqs[i].cpu != f->a || !w->hd[i].due)
			continue;
		w->hd[i].due--;
		f->b = i;       /* it may be due again: look at it once more */
		uint64_t ns = sim_did(s, c, wl(w, ML_HD_EXPIRE), 0);
		sim_call(s, c, w->fn_hd_prog)->a = i;
		return SIM_CONT(ns);    /* call_timer_fn(): the program, after this step */
	}
	return SIM_RET;
}

/* The local timer interrupt: run_local_timers() -> raise_softirq(TIMER_SOFTIRQ). */
static sim_answer tick_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	if (f->pc++)
		return SIM_RET;
	sim_raise_softirq(s, f->a, TIMER_SOFTIRQ);
	return SIM_CONT(sim_did(s, c, wl(w, ML_HD_TICK), 0));
}

/* A scenario irq's handler: busy `cost`, then its program. */
static sim_answer irq_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	if (f->pc++)
		return SIM_RET;
	const scn_irq *q = &w->scn->irqs[f->a - w->scn->nsoftirqs];
	uint64_t ns = sim_did(s, c, wl(w, ML_HD_IRQ), 0) + q->cost_ns;
	sim_call(s, c, w->fn_hd_prog)->a = f->a;
	return SIM_CONT(ns);
}

/* A program's timer: due again `every` from now. */
static void prog_fire(sim *s, uint32_t prog)
{
	world *w = s->model;
	const scn_file *f = w->scn;
	int soft = prog < f->nsoftirqs;
	uint64_t every = soft ? f->softirqs[prog].every_ns : f->irqs[prog - f->nsoftirqs].every_ns;
	uint32_t cpu = soft ? f->softirqs[prog].cpu : f->irqs[prog - f->nsoftirqs].cpu;
	sim_arm(s, w->hd_timer[prog], sim_time_at(sim_now(s), 1, every));
	if (soft)
		w->hd[prog].due++;
	sim_raise_irq(s, cpu, w->hd_line[prog]);
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(handler_state) == 8, "handler_state has no padding");

static int line_on(world *w, uint32_t cpu, uint16_t fn, uint32_t arg, scn_pos pos, uint32_t *line,
		   char *err, size_t errlen)
{
	if (w->s.nlines[cpu] >= SIM_IRQ_LINES) {
		snprintf(err, errlen, "%s:%u:%u: error: too many hardirq lines on cpu %u (at most %u)",
			 w->scn->path, pos.line, pos.col, cpu, SIM_IRQ_LINES);
		return -1;
	}
	*line = sim_add_irq_line(&w->s, cpu, fn, arg);
	return 0;
}

static int handler_reserve(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	uint32_t n = nprogs(f);
	w->fn_hd_prog = sim_add_fn(s, "handler", prog_step);
	sim_set_fn_local(s, w->fn_hd_prog, prog_local);
	uint16_t fn_timer = sim_add_fn(s, "run_timer_softirq", timer_softirq_step);
	uint16_t fn_tick = sim_add_fn(s, "local_timer_interrupt", tick_step);
	uint16_t fn_irq = sim_add_fn(s, "irq_program", irq_step);
	w->hd_timer = calloc(n + 1, sizeof(uint32_t));
	w->hd_line = calloc(n + 1, sizeof(uint32_t));
	uint32_t *tick = calloc(f->cpus, sizeof(uint32_t));
	if (!w->hd_timer || !w->hd_line || !tick) {
		free(tick);
		return world_oom(w, err, errlen);
	}
	int rc = 0;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		int soft = i < f->nsoftirqs;
		const scn_irq *q = soft ? NULL : &f->irqs[i - f->nsoftirqs];
		if (q && !q->nops)
			continue;       /* a busy-only irq: the engine's periodic irq */
		w->hd_timer[i] = sim_add_timer(s, prog_fire, i, 1);
		if (!soft) {
			rc = line_on(w, q->cpu, fn_irq, i, q->pos, &w->hd_line[i], err, errlen);
			continue;
		}
		/* one local timer interrupt line per CPU that has softirq programs */
		const scn_softirq *p = &f->softirqs[i];
		if (!tick[p->cpu])
			rc = line_on(w, p->cpu, fn_tick, p->cpu, p->pos, &tick[p->cpu], err, errlen),
			tick[p->cpu]++;         /* stored + 1 */
		w->hd_line[i] = tick[p->cpu] - 1;
	}
	free(tick);
	if (f->nsoftirqs)
		sim_set_softirq(s, TIMER_SOFTIRQ, fn_timer);
	w->off_hd = world_reserve(w, n, sizeof(handler_state));
	return rc;
}

static void handler_bind(world *w) { w->hd = arena_at(&w->s.ar, w->off_hd); }

static void handler_reset(world *w)
{
	const scn_file *f = w->scn;
	for (uint32_t i = 0; i < f->nsoftirqs; i++)
		sim_arm(&w->s, w->hd_timer[i], f->softirqs[i].at_ns);
	for (uint32_t i = 0; i < f->nirqs; i++)
		if (f->irqs[i].nops)
			sim_arm(&w->s, w->hd_timer[f->nsoftirqs + i], f->irqs[i].at_ns);
}

static void handler_release(world *w)
{
	free(w->hd_timer);
	free(w->hd_line);
}

const model_ops handler_ops = { "handler", handler_reserve, handler_bind, handler_reset, NULL,
				handler_release, NULL };
