/* task.c - see task.h. */
#include "task.h"

#include "locks.h"
#include "oracle.h"
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
	if (++f->d >= t->repeat)
		return SIM_RET;
	f->b = 0;
	uint64_t next = sim_time_at(t->at_ns, f->d, t->every_ns);
	if (next > sim_now(s))
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
		if (w->spin[f->a].owner != c)
			/* lockdep: "bad unlock balance detected!" */
			oracle_violation(w, c, wl(w, ML_SL_UNLOCK), W_BAD_UNLOCK, f->a, 0);
		else
			spin_lock_release(w, c, f->a, (int)f->b);
		return SIM_CONT(ns);
	}
	ns = sim_did(s, c, wl(w, ML_SL_LOCK), 0, TK_LOCK, (int64_t)f->a);
	if (!spin_lock_take(w, c, f->a, (int)f->b))
		return SIM_SPIN;
	return SIM_CONT(ns);
}

/* ---- the model's life cycle (world.h) ---- */

static int task_reserve(world *w, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	w->fn_task = sim_add_fn(&w->s, "task", task_step);
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

const model_ops task_ops = { "task", task_reserve, task_bind, task_reset, NULL, NULL };
