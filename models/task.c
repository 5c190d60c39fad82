/* task.c - see task.h. */
#include "task.h"

#include "locks.h"
#include "oracle.h"
#include "sock_lock.h"
#include "spinlock.h"

void task_wake_fire(sim *s, uint32_t ctx)
{
	world *w = s->model;
	sim_wake_one(s, w->task_wq[ctx], 0);   /* hrtimer expiry: the sleeper runs now */
}

static sim_answer sleep_until(world *w, uint32_t c, uint64_t at, uint32_t label)
{
	spin_might_sleep(w, c, label);
	sim_arm(&w->s, w->task_timer[c], at);
	return SIM_SLEEP(w->task_wq[c]);
}

static sim_answer call(world *w, uint32_t c, uint16_t fn, uint32_t a, uint32_t b, uint32_t cc)
{
	sim_frame *p = sim_call(&w->s, c, fn);
	p->a = a;
	p->b = b;
	p->c = cc;
	return SIM_NEXT;
}

/* The task's program ends: it returns to user space (or exits).  The kernel's
 * debugging checks what it left behind, and so does this:
 *  - a spinlock or the socket lock still held: lockdep_sys_exit() prints
 *    "BUG: lock held when returning to user space!" (lockdep tracks
 *    sk_lock.dep_map from lock_sock() to release_sock() like a lock);
 *  - IRQs off: "syscall %lu left IRQs disabled" (kernel/entry/common.c,
 *    syscall_exit_to_user_mode_prepare, CONFIG_PROVE_LOCKING);
 *  - BH off: a softirq count left in preempt_count; "note: %s[%d] exited
 *    with preempt_count %d" (kernel/exit.c), and the next schedule() says
 *    "BUG: scheduling while atomic" (schedule_debug).
 * The state stays as the task left it (the lock stays held, the CPU keeps
 * BH/IRQs off): what the rest of the run suffers from it is the point.
 * oracle_finish() counts the packets it strands as lost. */
static void task_exit_checks(world *w, uint32_t c, uint32_t task)
{
	const sim_cpu *cpu = &w->s.cpus[sim_ctx_at(&w->s, c)->cpu];
	uint32_t label = wl(w, ML_TASK_EXIT);
	w->task[task].exited = 1;
	for (uint32_t l = 0; l < w->nlocks; l++)
		if (w->spin[l].owner == c)
			oracle_violation(w, c, label, W_EXIT_LOCK, l, 0);
	for (uint32_t so = 0; so < w->scn->nsockets; so++)
		if (w->sock[so].owned == c + 1)
			oracle_violation(w, c, label, W_EXIT_OWNED, so, 0);
	if (cpu->irqs_off) {
		w->task[task].exited |= TASK_LEFT_IRQS_OFF;
		oracle_violation(w, c, label, W_EXIT_IRQS_OFF, 0, cpu->irqs_off);
	}
	if (cpu->bh_depth) {
		w->task[task].exited |= TASK_LEFT_BH_OFF;
		oracle_violation(w, c, label, W_EXIT_BH_OFF, 0, cpu->bh_depth);
	}
}

sim_answer task_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	const scn_task *t = &w->scn->tasks[f->a];
	if (f->b < t->nops) {
		/* the op index is 32 bits: a program may have more ops than pc counts */
		const scn_op *op = &t->ops[f->b++];
		uint32_t sock = t->socket;
		uint32_t lock = lock_user(w->scn, (uint32_t)op->arg);
		switch (op->kind) {
		case SCN_OP_LOCK_SOCK: return call(w, c, w->fn_lock_sock, sock, 0, 0);
		case SCN_OP_RELEASE_SOCK: return call(w, c, w->fn_release_sock, sock, 0, 0);
		case SCN_OP_LOCK_SOCK_FAST: return call(w, c, w->fn_lock_sock_fast, sock, 0, 0);
		case SCN_OP_UNLOCK_SOCK_FAST: return call(w, c, w->fn_unlock_sock_fast, sock, 0, 0);
		case SCN_OP_RECV: return call(w, c, w->fn_recv, sock, 0, 0);
		case SCN_OP_WORK:
			return SIM_CONT(sim_did(s, c, wl(w, ML_TASK_WORK), 0, SIM_TK_NS, (int64_t)op->arg) + op->arg);
		case SCN_OP_SLEEP:
			sim_did(s, c, wl(w, ML_TASK_SLEEP), 0, SIM_TK_NS, (int64_t)op->arg);
			return sleep_until(w, c, sim_now(s) + op->arg, wl(w, ML_TASK_SLEEP));
		case SCN_OP_SPIN_LOCK: return call(w, c, w->fn_spin_op, lock, SPIN_PLAIN, 0);
		case SCN_OP_SPIN_LOCK_BH: return call(w, c, w->fn_spin_op, lock, SPIN_BH, 0);
		case SCN_OP_SPIN_LOCK_IRQSAVE: return call(w, c, w->fn_spin_op, lock, SPIN_IRQ, 0);
		case SCN_OP_SPIN_UNLOCK: return call(w, c, w->fn_spin_op, lock, SPIN_PLAIN, 1);
		case SCN_OP_SPIN_UNLOCK_BH: return call(w, c, w->fn_spin_op, lock, SPIN_BH, 1);
		case SCN_OP_SPIN_UNLOCK_IRQRESTORE: return call(w, c, w->fn_spin_op, lock, SPIN_IRQ, 1);
		}
		return SIM_NEXT;
	}
	/* The program ran once more. */
	if (++f->d >= t->repeat) {
		task_exit_checks(w, c, f->a);
		return SIM_RET;
	}
	f->b = 0;
	uint64_t next = sim_time_at(t->at_ns, f->d, t->every_ns);
	/* untimed (--check): a paced program always sleeps till its timer,
	 * a transition of its own, whatever the clock says (the state does
	 * not hold the clock); back to back (no `every`) it never sleeps */
	if (next > sim_now(s) || (s->untimed && t->every_ns))
		return sleep_until(w, c, next, wl(w, ML_TASK_SLEEP));
	return SIM_NEXT;
}

sim_answer task_spin_op_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	uint64_t ns;
	if (f->pc)
		return SIM_RET;
	f->pc = 1;
	if (f->c) {
		ns = sim_did(s, c, wl(w, ML_SL_UNLOCK), 0, TK_LOCK, (int64_t)f->a);
		if (w->spin[f->a].owner != c) {
			/* lockdep: "bad unlock balance detected!"; the unlock's
			 * local_bh_enable()/local_irq_restore() still happens */
			oracle_violation(w, c, wl(w, ML_SL_UNLOCK), W_BAD_UNLOCK, f->a, 0);
			spin_unlock_flavour(w, c, f->a, (int)f->b);
		} else
			spin_lock_release(w, c, f->a, (int)f->b);
		return SIM_CONT(ns);
	}
	ns = sim_did(s, c, wl(w, ML_SL_LOCK), 0, TK_LOCK, (int64_t)f->a);
	if (!spin_lock_take(w, c, f->a, (int)f->b))
		return SIM_SPIN;
	return SIM_CONT(ns);
}

/* --check's partial-order reduction (sim_set_fn_local): a `work` op only
 * moves the program on (its time is what --check leaves out). */
static int task_local(const sim *s, uint32_t c, const sim_frame *f)
{
	(void)c;
	const world *w = s->model;
	const scn_task *t = &w->scn->tasks[f->a];
	return f->b < t->nops && t->ops[f->b].kind == SCN_OP_WORK;
}

/* ---- the model's life cycle (world.h) ---- */

static int task_reserve(world *w, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	w->fn_task = sim_add_fn(&w->s, "task", task_step);
	sim_set_fn_local(&w->s, w->fn_task, task_local);
	w->fn_spin_op = sim_add_fn(&w->s, "spin_op", task_spin_op_step);
	w->off_task = world_reserve(w, w->s.ntasks, sizeof(task_state));
	return 0;
}

static void task_bind(world *w) { w->task = arena_at(&w->s.ar, w->off_task); }

/* The scenario's tasks start their programs. */
static void task_reset(world *w)
{
	const scn_file *f = w->scn;
	for (uint32_t i = 0; i < f->ntasks; i++)
		sim_task_start(&w->s, i, w->fn_task, f->tasks[i].at_ns)->a = i;
}

const model_ops task_ops = { "task", task_reserve, task_bind, task_reset, NULL, NULL, NULL };
