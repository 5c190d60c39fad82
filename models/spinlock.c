/* spinlock.c - spinlocks with waiters, hand-off policy, hold/wait statistics,
 * lockdep-style usage rules and wait-for-cycle deadlock detection. */
#include "spinlock.h"

#include <stdio.h>
#include <string.h>

#include "locks.h"
#include "lockdep.h"
#include "oracle.h"

/* Follow the wait-for chain from the owner of `lock`; a chain that comes back
 * to ctx is a deadlock.  A context waits for the owner of the lock it spins
 * on, or for the context on top of its CPU when it is preempted. */
static int deadlock(world *w, uint32_t ctx, uint32_t lock)
{
	sim *s = &w->s;
	uint32_t nctx = s->ntasks + 2 * s->ncpus;
	uint32_t z = w->spin[lock].owner;
	for (uint32_t hops = 0; z != SIM_NONE && hops <= nctx; hops++) {
		if (z == ctx)
			return 1;
		const sim_ctx *zx = sim_ctx_at(s, z);
		if (zx->state == SIM_S_SPIN && zx->spin_on != SIM_NONE)
			z = w->spin[zx->spin_on].owner;
		else
			z = sim_preempted_by(s, z);
	}
	return 0;
}

static void report_deadlock(world *w, uint32_t ctx, uint32_t lock)
{
	sim *s = &w->s;
	w->g->m[SCN_M_DEADLOCK] = 1;
	if (oracle_first(w, STORY_DEADLOCK)) {
		uint32_t nctx = s->ntasks + 2 * s->ncpus;
		uint32_t cur = ctx, l = lock;
		for (uint32_t hops = 0; hops <= nctx && w->story[STORY_DEADLOCK].n < STORY_LINES - 1; hops++) {
			uint32_t owner = w->spin[l].owner;
			oracle_add(w, STORY_DEADLOCK, cur, 0, SIM_NONE, W_DL_WAIT, l, 0, owner);
			if (owner == ctx)
				break;
			const sim_ctx *ox = sim_ctx_at(s, owner);
			if (ox->state == SIM_S_SPIN && ox->spin_on != SIM_NONE) {
				cur = owner;
				l = ox->spin_on;
				continue;
			}
			uint32_t top = sim_preempted_by(s, owner);
			oracle_add(w, STORY_DEADLOCK, owner, 0, SIM_NONE, W_DL_PREEMPTED, 0, 0, top);
			if (top == ctx)
				break;
			const sim_ctx *tx = sim_ctx_at(s, top);
			if (tx->state != SIM_S_SPIN || tx->spin_on == SIM_NONE)
				break;
			cur = top;
			l = tx->spin_on;
		}
		oracle_add(w, STORY_DEADLOCK, ctx, 0, SIM_NONE, W_DL_CYCLE, lock, 0, 0);
		oracle_deadlock_notes(w);
	}
	sim_stop(s);
}

int spin_lock_take(world *w, uint32_t ctx, uint32_t lock, int mode)
{
	sim *s = &w->s;
	spin_state *l = &w->spin[lock];
	if (mode == SPIN_BH)
		sim_bh_disable(s, ctx);         /* spin_lock_bh: local_bh_disable() first */
	else if (mode == SPIN_IRQ)
		sim_irq_disable(s, ctx);        /* spin_lock_irqsave: local_irq_save() first */
	lockdep_acquire(w, ctx, lock);      /* and the usage rules (lockdep.c) */
	sim_ctx *x = sim_ctx_at(s, ctx);
	x->held++;
	if (l->owner == SIM_NONE) {
		l->owner = ctx;
		l->acquired_at = sim_now(s);
		l->acquisitions++;
		if (sim_tracing(s))
			sim_note(s, ctx, wl(w, ML_SL_ACQUIRED), TK_LOCK, (int64_t)lock, TK_WAIT, (int64_t)0);
		return 1;
	}
	/* Contended: join the waiters (the MCS queue for fifo) and spin. */
	l->contended++;
	sim_spin_begin(s, ctx, lock);
	w->spin_next[ctx] = SIM_NONE;
	if (l->tail == SIM_NONE)
		l->head = ctx;
	else
		w->spin_next[l->tail] = ctx;
	l->tail = ctx;
	l->nwait++;
	if (sim_tracing(s))
		sim_note(s, ctx, wl(w, ML_SL_WAIT), TK_LOCK, (int64_t)lock, TK_OWNER_CPU,
			 (int64_t)sim_ctx_at(s, l->owner)->cpu);
	if (deadlock(w, ctx, lock))
		report_deadlock(w, ctx, lock);
	return 0;
}

/* Unlink and return the next owner among the waiters, by policy. */
static uint32_t pick_waiter(world *w, spin_state *l)
{
	uint32_t n = l->nwait;
	uint32_t k = w->spin_random && n > 1 ? (uint32_t)rng_below(sim_rng(&w->s, w->rng_spin), n) : 0;
	uint32_t prev = SIM_NONE, c = l->head;
	while (k--) {
		prev = c;
		c = w->spin_next[c];
	}
	uint32_t nx = w->spin_next[c];
	if (prev == SIM_NONE)
		l->head = nx;
	else
		w->spin_next[prev] = nx;
	if (l->tail == c)
		l->tail = prev;
	l->nwait--;
	w->spin_next[c] = SIM_NONE;
	return c;
}

void spin_lock_release(world *w, uint32_t ctx, uint32_t lock, int mode)
{
	sim *s = &w->s;
	spin_state *l = &w->spin[lock];
	uint64_t now = sim_now(s);
	uint64_t hold = now - l->acquired_at;
	l->hold_total += hold;
	if (hold > l->hold_max)
		l->hold_max = hold;
	if (sim_tracing(s))
		sim_note(s, ctx, wl(w, ML_SL_RELEASE), TK_LOCK, (int64_t)lock, TK_HOLD, (int64_t)hold);
	sim_ctx *x = sim_ctx_at(s, ctx);
	if (x->held)
		x->held--;
	lockdep_release(w, ctx, lock);
	l->owner = SIM_NONE;
	if (l->nwait) {
		uint32_t next = pick_waiter(w, l);
		l->owner = next;
		l->acquisitions++;
		uint64_t wait = sim_grant(s, next, w->handoff_ns);
		l->acquired_at = now + w->handoff_ns;
		l->wait_total += wait;
		if (wait > l->wait_max)
			l->wait_max = wait;
		w->g->m[SCN_M_SPIN_TOTAL_NS] += wait;
		if (wait > w->g->m[SCN_M_SPIN_MAX_NS])
			w->g->m[SCN_M_SPIN_MAX_NS] = wait;
		/* Traced at the hand-off; the waiter runs `handoff` ns later. */
		if (sim_tracing(s))
			sim_note(s, next, wl(w, ML_SL_ACQUIRED), TK_LOCK, (int64_t)lock, TK_WAIT,
				 (int64_t)wait, TK_HANDOFF, (int64_t)w->handoff_ns);
	}
	if (mode != SPIN_PLAIN)
		spin_unlock_flavour(w, ctx, lock, mode);
}

void spin_unlock_flavour(world *w, uint32_t ctx, uint32_t lock, int mode)
{
	sim *s = &w->s;
	const sim_ctx *x = sim_ctx_at(s, ctx);
	uint32_t label = wl(w, ML_SL_UNLOCK);
	if (mode == SPIN_BH) {
		/* spin_unlock_bh: local_bh_enable() after.  __local_bh_enable_ip()
		 * first does lockdep_assert_irqs_enabled(): BH enabled with IRQs
		 * off (a spin_lock_irqsave undone by spin_unlock_bh) warns. */
		if (x->kind == SIM_CTX_TASK && s->cpus[x->cpu].irqs_off)
			oracle_violation(w, ctx, label, W_BH_IRQS_OFF, lock, 0);
		if (sim_bh_enable(s, ctx))
			oracle_violation(w, ctx, label, W_BH_UNBALANCED, lock, 0);
	} else if (mode == SPIN_IRQ && sim_irq_enable(s, ctx)) {
		/* spin_unlock_irqrestore of flags no local_irq_save() took */
		oracle_violation(w, ctx, label, W_IRQ_UNBALANCED, lock, 0);
	}
}

void spin_might_sleep(world *w, uint32_t ctx, uint32_t label)
{
	const sim_ctx *x = sim_ctx_at(&w->s, ctx);
	/* might_sleep(): "BUG: sleeping function called from invalid context" */
	if (x->kind != SIM_CTX_TASK)
		oracle_violation(w, ctx, label, W_SLEEP_IRQ, 0, 0);
	else if (x->held)
		oracle_violation(w, ctx, label, W_SLEEP_ATOMIC, 0, x->held);
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(spin_state) == 80, "spin_state has no padding");

static int spinlock_reserve(world *w, char *err, size_t errlen)
{
	w->nlocks = lock_count(w->scn);
	w->rng_spin = sim_add_rng(&w->s, "spinlock");
	w->off_spin = world_reserve(w, w->nlocks, sizeof(spin_state));
	w->off_spin_next = world_reserve(w, world_nctx(w), sizeof(uint32_t));
	return lockdep_reserve(w, err, errlen);
}

static void spinlock_bind(world *w)
{
	w->spin = arena_at(&w->s.ar, w->off_spin);
	w->spin_next = arena_at(&w->s.ar, w->off_spin_next);
	lockdep_bind(w);
}

static void spinlock_reset(world *w)
{
	for (uint32_t i = 0; i < w->nlocks; i++) {
		spin_state *l = &w->spin[i];
		l->owner = l->head = l->tail = SIM_NONE;
	}
	for (uint32_t i = 0; i < world_nctx(w); i++)
		w->spin_next[i] = SIM_NONE;
	lockdep_reset(w);
}

/* The statistics from acquired_at on are accounting; lockdep's times too. */
static void spinlock_canon(const world *w, unsigned char *copy)
{
	for (uint32_t i = 0; i < w->nlocks; i++) {
		spin_state *c = WORLD_IN_COPY(w, copy, &w->spin[i]);
		memset(&c->acquired_at, 0, sizeof *c - offsetof(spin_state, acquired_at));
	}
	lockdep_canon(w, copy);
}

const model_ops spinlock_ops = { "spinlock", spinlock_reserve, spinlock_bind, spinlock_reset, NULL,
				 lockdep_free, spinlock_canon };
