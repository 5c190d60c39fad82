/* lockdep.h - lockdep's dependency graph over the run's spinlocks
 * (kernel/locking/lockdep.c).
 *
 * Every lock id (locks.h) is its own lock class: each socket's slock and
 * receive-queue lock, each scenario `lock`.  lockdep_acquire(), called at
 * spin_lock time before any spinning (lock_acquire()), does what
 * __lock_acquire() does:
 *  - mark_irqflags(): the usage bits {IN-HARDIRQ-W} (taken in hardirq),
 *    {IN-SOFTIRQ-W} (in softirq), {HARDIRQ-ON-W} (IRQs on), {SOFTIRQ-ON-W}
 *    (process context, BH and IRQs on).  A lock that gets both a HARDIRQ
 *    pair is a lock-rule violation (the SOFTIRQ pair is spinlock.c's);
 *    a new usage bit is checked against the graph (check_usage_forwards /
 *    _backwards: "possible irq lock inversion dependency");
 *  - check_prevs_add() -> check_prev_add(): the lock held last in the same
 *    context -> this lock is a dependency edge.  A new edge that closes a
 *    cycle (check_noncircular(): "possible circular locking dependency",
 *    ABBA or longer) or joins an irq-safe lock to an irq-unsafe one
 *    (check_irq_usage(): "SOFTIRQ-safe -> SOFTIRQ-unsafe lock order") is
 *    an inversion, found the first time the second order is seen, whether
 *    or not the run then deadlocks.
 * Each distinct inversion counts once in the metric `lock_order`; the first
 * is told as a story with both orders (when and where each edge was first
 * seen).  Unlike the kernel, lockdep stays on after a report (the kernel
 * turns itself off at the first splat).  At most LOCKDEP_EDGES edges are
 * kept (MAX_LOCKDEP_ENTRIES); beyond that new edges are not checked.
 *
 * Concurrency contract: called from step functions (spinlock.c).
 */
#ifndef MODELS_LOCKDEP_H
#define MODELS_LOCKDEP_H

#include "world.h"

#define LOCKDEP_DEPTH 8         /* held locks a context keeps (MAX_LOCK_DEPTH is 48) */
#define LOCKDEP_EDGES 256       /* dependency edges kept */
#define LOCKDEP_REPORTS 64      /* distinct inversions remembered */

/* ---- state (in the arena; no padding) ---- */

typedef struct ld_witness {     /* where and when something was first seen */
	uint64_t time;
	uint32_t ctx, cpu;
} ld_witness;

typedef struct ld_edge {        /* `from` was held when `to` was taken */
	uint32_t from, to;
	uint32_t bad;           /* it made an inversion: kept, but not a dependency */
	uint32_t pad;
	ld_witness w;
} ld_edge;

enum ld_usage { LD_IN_HARDIRQ, LD_IN_SOFTIRQ, LD_HARDIRQ_ON, LD_SOFTIRQ_ON, LD_USAGES };

typedef struct ld_class {       /* per lock id */
	uint32_t usage;         /* bits 1u << enum ld_usage */
	uint32_t pad;
	ld_witness first[LD_USAGES];
} ld_class;

typedef struct ld_held {        /* per context: the locks it holds, in order */
	uint32_t depth;
	uint32_t lock[LOCKDEP_DEPTH];
	uint32_t pad;
} ld_held;

typedef struct ld_report {      /* a distinct inversion: kind, a, b */
	uint32_t kind, a, b, pad;
} ld_report;

/* The edges and the reports are arrays of their own (world.h: ld_edge,
 * ld_report), sized for the scenario's locks: an edge is a distinct
 * (from, to) and a report a distinct (kind, a, b), so with n locks there
 * are at most n * n and 3 n * n of them, below the caps above in every
 * small scenario -- whose arena `--check` copies and hashes at every step. */
typedef struct ld_state {
	uint32_t nedges, nreports;
} ld_state;

#define LD_BIT(b) (1u << (b))

/* mark_irqflags(): the usage an acquisition by ctx shows now. */
static inline uint32_t lockdep_usage_now(const world *w, uint32_t ctx)
{
	const sim_ctx *x = &w->s.ctx[ctx];
	const sim_cpu *c = &w->s.cpus[x->cpu];
	if (x->kind == SIM_CTX_HARDIRQ)
		return LD_BIT(LD_IN_HARDIRQ);   /* hardirqs_off: no *-ON-W here */
	uint32_t u = x->kind == SIM_CTX_SOFTIRQ ? LD_BIT(LD_IN_SOFTIRQ) : 0;
	if (!c->irqs_off) {
		u |= LD_BIT(LD_HARDIRQ_ON);
		if (x->kind == SIM_CTX_TASK && c->bh_depth == 0)
			u |= LD_BIT(LD_SOFTIRQ_ON);
	}
	return u;
}

void lockdep_acquire_slow(world *w, uint32_t ctx, uint32_t lock, uint32_t now);
void lockdep_release_slow(world *w, uint32_t ctx, uint32_t lock);

/* lock_acquire() / lock_release() of `lock` by ctx.  Inline: every spin_lock
 * passes here; the common case (usage known, nothing else held; released
 * last taken first) is a push or a pop. */
static inline void lockdep_acquire(world *w, uint32_t ctx, uint32_t lock)
{
	ld_held *h = &w->ld_held[ctx];
	uint32_t now = lockdep_usage_now(w, ctx);
	if (__builtin_expect((w->ld_class[lock].usage & now) != now || h->depth, 0))
		lockdep_acquire_slow(w, ctx, lock, now);
	else
		h->lock[h->depth++] = lock;
}
static inline void lockdep_release(world *w, uint32_t ctx, uint32_t lock)
{
	ld_held *h = &w->ld_held[ctx];
	if (__builtin_expect(h->depth && h->lock[h->depth - 1] == lock, 1))
		h->depth--;
	else
		lockdep_release_slow(w, ctx, lock);
}

/* Reserve (0, or -1 with a message), bind, reset, free: called by
 * spinlock.c's. */
int lockdep_reserve(world *w, char *err, size_t errlen);
void lockdep_bind(world *w);
void lockdep_reset(world *w);
void lockdep_free(world *w);
void lockdep_canon(const world *w, unsigned char *copy);   /* spinlock_canon's part */

#endif
