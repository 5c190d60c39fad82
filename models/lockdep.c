/* lockdep.c - see lockdep.h. */
#include "lockdep.h"

#include <stdlib.h>
#include <string.h>

#include "oracle.h"

#define HARDIRQ_REPORTED (1u << 8)      /* the HARDIRQ pair was reported */
#define SOFTIRQ_REPORTED (1u << 9)      /* the SOFTIRQ pair was reported */

enum ld_kind { LD_CYCLE, LD_HARDIRQ_INV, LD_SOFTIRQ_INV };

/* Breadth-first over the good edges from `start`, forward (from -> to) or
 * backward, to the first lock that is `target` or has a usage bit in
 * `bits`; `self`: `start` itself may be it.  ld_parent[] keeps the edge
 * each lock was reached by.  Returns the lock, or SIM_NONE. */
static uint32_t bfs(world *w, uint32_t start, int forward, uint32_t target, uint32_t bits, int self)
{
	const ld_state *st = w->ld;
	uint32_t head = 0, tail = 0;
	memset(w->ld_seen, 0, w->nlocks);
	w->ld_seen[start] = 1;
	w->ld_parent[start] = SIM_NONE;
	w->ld_queue[tail++] = start;
	while (head < tail) {
		uint32_t l = w->ld_queue[head++];
		if ((l != start || self) && (l == target || (w->ld_class[l].usage & bits)))
			return l;
		for (uint32_t e = 0; e < st->nedges; e++) {
			const ld_edge *g = &w->ld_edge[e];
			uint32_t a = forward ? g->from : g->to, b = forward ? g->to : g->from;
			if (g->bad || a != l || w->ld_seen[b])
				continue;
			w->ld_seen[b] = 1;
			w->ld_parent[b] = e;
			w->ld_queue[tail++] = b;
		}
	}
	return SIM_NONE;
}

/* A new distinct inversion?  Remembers it. */
static int first_time(world *w, uint32_t kind, uint32_t a, uint32_t b)
{
	ld_state *st = w->ld;
	ld_report *r = w->ld_report;
	for (uint32_t i = 0; i < st->nreports; i++)
		if (r[i].kind == kind && r[i].a == a && r[i].b == b)
			return 0;
	if (st->nreports < w->ld_report_cap)
		r[st->nreports++] = (ld_report){ kind, a, b, 0 };
	w->g->m[SCN_M_LOCK_ORDER]++;
	return 1;
}

static void tell_edge(world *w, uint32_t e)
{
	const ld_edge *g = &w->ld_edge[e];
	oracle_add_at(w, STORY_LOCK_ORDER, g->w.time, g->w.ctx, g->w.cpu, SIM_NONE, W_LO_EDGE,
		      g->from, 0, g->to);
}

/* The edges bfs() walked from its start to `l`, told in the order they go
 * (forward: start first; backward: `l` first). */
static void tell_path(world *w, uint32_t l, int forward)
{
	uint32_t path[STORY_LINES], n = 0;
	for (uint32_t e; (e = w->ld_parent[l]) != SIM_NONE && n < STORY_LINES;) {
		path[n++] = e;
		l = forward ? w->ld_edge[e].from : w->ld_edge[e].to;
	}
	for (uint32_t i = 0; i < n; i++)
		tell_edge(w, path[forward ? n - 1 - i : i]);
}

static void tell_usage(world *w, uint32_t lock, uint32_t bit)
{
	const ld_witness *u = &w->ld_class[lock].first[bit];
	oracle_add_at(w, STORY_LOCK_ORDER, u->time, u->ctx, u->cpu, SIM_NONE, W_LO_USAGE, lock, 0, bit);
}

/* An irq-safe lock `safe` (IN_X) reaches an irq-unsafe `unsafe` (X_ON). */
static void irq_inversion(world *w, uint32_t ctx, int soft, uint32_t safe, uint32_t unsafe)
{
	if (!first_time(w, soft ? LD_SOFTIRQ_INV : LD_HARDIRQ_INV, safe, unsafe) ||
	    !oracle_first(w, STORY_LOCK_ORDER))
		return;
	tell_usage(w, safe, soft ? LD_IN_SOFTIRQ : LD_IN_HARDIRQ);
	if (bfs(w, safe, 1, unsafe, 0, 0) != SIM_NONE)
		tell_path(w, unsafe, 1);
	tell_usage(w, unsafe, soft ? LD_SOFTIRQ_ON : LD_HARDIRQ_ON);
	oracle_add(w, STORY_LOCK_ORDER, ctx, 0, SIM_NONE, W_LO_IRQ, safe, (uint64_t)soft, unsafe);
}

/* check_usage_forwards() / _backwards(): lock got usage `bit` just now. */
static void check_new_usage(world *w, uint32_t ctx, uint32_t lock, uint32_t bit)
{
	for (int soft = 0; soft < 2; soft++) {
		uint32_t in = soft ? LD_IN_SOFTIRQ : LD_IN_HARDIRQ, on = soft ? LD_SOFTIRQ_ON : LD_HARDIRQ_ON;
		uint32_t l;
		if (bit == in && (l = bfs(w, lock, 1, SIM_NONE, LD_BIT(on), 0)) != SIM_NONE)
			irq_inversion(w, ctx, soft, lock, l);
		else if (bit == on && (l = bfs(w, lock, 0, SIM_NONE, LD_BIT(in), 0)) != SIM_NONE)
			irq_inversion(w, ctx, soft, l, lock);
	}
}

/* The SOFTIRQ pair on one lock: the two usages, in the order they
 * happened, then the violation. */
static void softirq_inconsistent(world *w, uint32_t ctx, uint32_t lock)
{
	const ld_witness *in = &w->ld_class[lock].first[LD_IN_SOFTIRQ];
	const ld_witness *on = &w->ld_class[lock].first[LD_SOFTIRQ_ON];
	if (oracle_first(w, STORY_VIOLATION)) {
		int on_first = on->time <= in->time;
		const ld_witness *a = on_first ? on : in, *b = on_first ? in : on;
		oracle_add_at(w, STORY_VIOLATION, a->time, SIM_NONE, a->cpu, SIM_NONE,
			      on_first ? W_SOFTIRQ_ON_USE : W_SOFTIRQ_USE, lock, 0, 0);
		oracle_add_at(w, STORY_VIOLATION, b->time, SIM_NONE, b->cpu, SIM_NONE,
			      on_first ? W_SOFTIRQ_USE : W_SOFTIRQ_ON_USE, lock, 0, 0);
	}
	oracle_violation(w, ctx, SIM_NONE, W_SOFTIRQ_UNSAFE, lock, 0);
}

static void mark_usage(world *w, uint32_t ctx, uint32_t lock, uint32_t now)
{
	ld_class *k = &w->ld_class[lock];
	const sim_ctx *x = sim_ctx_at(&w->s, ctx);
	uint32_t fresh = now & ~k->usage;
	k->usage |= now;
	for (uint32_t b = 0; b < LD_USAGES; b++)
		if (fresh & LD_BIT(b))
			k->first[b] = (ld_witness){ sim_now(&w->s), ctx, x->cpu };
	/* valid_state(): "inconsistent {SOFTIRQ-ON-W} -> {IN-SOFTIRQ-W} usage" */
	uint32_t soft = LD_BIT(LD_IN_SOFTIRQ) | LD_BIT(LD_SOFTIRQ_ON);
	if ((k->usage & soft) == soft && !(k->usage & SOFTIRQ_REPORTED)) {
		k->usage |= SOFTIRQ_REPORTED;
		softirq_inconsistent(w, ctx, lock);
	}
	/* and "inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage" */
	uint32_t hard = LD_BIT(LD_IN_HARDIRQ) | LD_BIT(LD_HARDIRQ_ON);
	if ((k->usage & hard) == hard && !(k->usage & HARDIRQ_REPORTED)) {
		k->usage |= HARDIRQ_REPORTED;
		oracle_violation(w, ctx, SIM_NONE, W_HARDIRQ_UNSAFE, lock, 0);
	}
	for (uint32_t b = 0; b < LD_USAGES; b++)
		if (fresh & LD_BIT(b))
			check_new_usage(w, ctx, lock, b);
}

/* check_prev_add(): prev is held while next is taken. */
static void check_prev_add(world *w, uint32_t ctx, uint32_t prev, uint32_t next)
{
	ld_state *st = w->ld;
	for (uint32_t e = 0; e < st->nedges; e++)
		if (w->ld_edge[e].from == prev && w->ld_edge[e].to == next)
			return;         /* seen before: checked then */
	if (st->nedges == w->ld_edge_cap)
		return;         /* "BUG: MAX_LOCKDEP_ENTRIES too low!" */
	ld_edge *g = &w->ld_edge[st->nedges++];
	*g = (ld_edge){ prev, next, 1, 0, { sim_now(&w->s), ctx, sim_ctx_at(&w->s, ctx)->cpu } };
	/* check_noncircular(): does next already lead to prev? */
	if (bfs(w, next, 1, prev, 0, 1) != SIM_NONE) {
		if (first_time(w, LD_CYCLE, prev, next) && oracle_first(w, STORY_LOCK_ORDER)) {
			tell_path(w, prev, 1);
			oracle_add(w, STORY_LOCK_ORDER, ctx, 0, SIM_NONE, W_LO_CYCLE, next, 0, prev);
		}
		return;
	}
	/* check_irq_usage(): an irq-safe lock behind prev, an irq-unsafe one
	 * after next */
	for (int soft = 0; soft < 2; soft++) {
		uint32_t in = soft ? LD_IN_SOFTIRQ : LD_IN_HARDIRQ, on = soft ? LD_SOFTIRQ_ON : LD_HARDIRQ_ON;
		uint32_t safe = bfs(w, prev, 0, SIM_NONE, LD_BIT(in), 1), unsafe;
		if (safe != SIM_NONE && (unsafe = bfs(w, next, 1, SIM_NONE, LD_BIT(on), 1)) != SIM_NONE) {
			g->bad = 0;     /* the path from safe to unsafe goes through it */
			irq_inversion(w, ctx, soft, safe, unsafe);
			g->bad = 1;
			return;
		}
	}
	g->bad = 0;
}

void lockdep_acquire_slow(world *w, uint32_t ctx, uint32_t lock, uint32_t now)
{
	ld_held *h = &w->ld_held[ctx];
	if ((w->ld_class[lock].usage & now) != now)
		mark_usage(w, ctx, lock, now);
	/* check_prevs_add(): from the lock held last in this context */
	if (h->depth && h->lock[h->depth - 1] != lock)
		check_prev_add(w, ctx, h->lock[h->depth - 1], lock);
	if (h->depth < LOCKDEP_DEPTH)
		h->lock[h->depth++] = lock;
}

void lockdep_release_slow(world *w, uint32_t ctx, uint32_t lock)
{
	ld_held *h = &w->ld_held[ctx];
	for (uint32_t i = h->depth; i-- > 0;)
		if (h->lock[i] == lock) {
			memmove(&h->lock[i], &h->lock[i + 1], (h->depth - 1 - i) * sizeof(uint32_t));
			h->depth--;
			return;
		}
}

/* ---- life cycle (spinlock.c's) ---- */

_Static_assert(sizeof(ld_edge) == 32 && sizeof(ld_class) == 72 && sizeof(ld_held) == 40,
	       "lockdep state has no padding");

int lockdep_reserve(world *w, char *err, size_t errlen)
{
	uint64_t pairs = (uint64_t)w->nlocks * w->nlocks;
	w->ld_edge_cap = pairs < LOCKDEP_EDGES ? (uint32_t)pairs : LOCKDEP_EDGES;
	w->ld_report_cap = 3 * pairs < LOCKDEP_REPORTS ? (uint32_t)(3 * pairs) : LOCKDEP_REPORTS;
	w->off_ld = world_reserve(w, 1, sizeof(ld_state));
	w->off_ld_edge = world_reserve(w, w->ld_edge_cap, sizeof(ld_edge));
	w->off_ld_report = world_reserve(w, w->ld_report_cap, sizeof(ld_report));
	w->off_ld_class = world_reserve(w, w->nlocks, sizeof(ld_class));
	w->off_ld_held = world_reserve(w, world_nctx(w), sizeof(ld_held));
	/* bfs()'s scratch: not run state (nothing survives a call) */
	w->ld_queue = calloc(w->nlocks + 1, sizeof(uint32_t));
	w->ld_parent = calloc(w->nlocks + 1, sizeof(uint32_t));
	w->ld_seen = calloc(w->nlocks + 1, 1);
	return !w->ld_queue || !w->ld_parent || !w->ld_seen ? world_oom(w, err, errlen) : 0;
}

void lockdep_bind(world *w)
{
	w->ld = arena_at(&w->s.ar, w->off_ld);
	w->ld_edge = arena_at(&w->s.ar, w->off_ld_edge);
	w->ld_report = arena_at(&w->s.ar, w->off_ld_report);
	w->ld_class = arena_at(&w->s.ar, w->off_ld_class);
	w->ld_held = arena_at(&w->s.ar, w->off_ld_held);
}

void lockdep_reset(world *w) { (void)w; /* the engine zeroed it */ }

void lockdep_canon(const world *w, unsigned char *copy)
{
	/* where and when a usage or an edge was first seen: the report's, not
	 * the state's (only whether it was seen is read again) */
	for (uint32_t i = 0; i < w->nlocks; i++) {
		ld_class *c = WORLD_IN_COPY(w, copy, &w->ld_class[i]);
		for (uint32_t u = 0; u < LD_USAGES; u++)
			c->first[u] = (ld_witness){ 0 };
	}
	ld_edge *edge = WORLD_IN_COPY(w, copy, w->ld_edge);
	for (uint32_t e = 0; e < w->ld->nedges && e < w->ld_edge_cap; e++)
		edge[e].w = (ld_witness){ 0 };
}

void lockdep_free(world *w)
{
	free(w->ld_queue);
	free(w->ld_parent);
	free(w->ld_seen);
}
