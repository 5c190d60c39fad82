/* test_helpers.h - test-local helpers shared by the engine's unit tests.
 *
 * A log of (what, time) records that step functions write, compared against
 * an expected list (both lists are printed on a mismatch); a trace sink that
 * keeps the events in memory; a text trace into a heap buffer.  Everything is
 * static inline so that a test file pays only for what it uses.
 *
 * Include after <cmocka.h>.
 */
#ifndef SIM_TEST_HELPERS_H
#define SIM_TEST_HELPERS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#include "sim.h"

/* ---- the record log ---- */

#define REC_MAX 512

typedef struct rec_entry {
	const char *what;       /* a static string */
	uint64_t t;
} rec_entry;

typedef struct rec_log {
	rec_entry e[REC_MAX];
	unsigned n;
} rec_log;

static inline rec_log *rec_the_log(void)
{
	static rec_log log;
	return &log;
}

static inline void rec_clear(void) { rec_the_log()->n = 0; }

static inline void rec_at(const char *what, uint64_t t)
{
	rec_log *l = rec_the_log();
	assert_true(l->n < REC_MAX);
	l->e[l->n].what = what;
	l->e[l->n].t = t;
	l->n++;
}

/* Record `what` at the current virtual time. */
static inline void rec(const sim *s, const char *what) { rec_at(what, sim_now(s)); }

static inline void rec_print(const char *title, const rec_entry *e, unsigned n)
{
	print_error("%s (%u):\n", title, n);
	for (unsigned i = 0; i < n; i++)
		print_error("  %-16s %" PRIu64 "\n", e[i].what, e[i].t);
}

/* The log must be exactly `exp` (names and times, in order). */
static inline void rec_expect(const rec_entry *exp, unsigned n)
{
	const rec_log *l = rec_the_log();
	int ok = l->n == n;
	for (unsigned i = 0; ok && i < n; i++)
		ok = strcmp(l->e[i].what, exp[i].what) == 0 && l->e[i].t == exp[i].t;
	if (!ok) {
		rec_print("expected", exp, n);
		rec_print("got", l->e, l->n);
	}
	assert_true(ok);
}

#define REC_EXPECT(...)                                                         \
	do {                                                                    \
		static const rec_entry exp_[] = { __VA_ARGS__ };                \
		rec_expect(exp_, (unsigned)(sizeof exp_ / sizeof exp_[0]));     \
	} while (0)

/* ---- a sink that keeps the events ---- */

#define EVLOG_MAX 1024

typedef struct evlog {
	trace_sink sink;
	unsigned n;
	trace_event ev[EVLOG_MAX];
} evlog;

static inline void evlog_event(trace_sink *self, const trace_event *e)
{
	evlog *l = (evlog *)self;
	assert_true(l->n < EVLOG_MAX);
	l->ev[l->n++] = *e;     /* the strings are static: labels, names */
}

static inline void evlog_init(evlog *l)
{
	memset(l, 0, sizeof *l);
	l->sink.event = evlog_event;
}

/* Index of the k-th (0-based) event with `label` at or after `from`, or -1. */
static inline int evlog_find(const evlog *l, const char *label, unsigned from)
{
	for (unsigned i = from; i < l->n; i++)
		if (strcmp(l->ev[i].label, label) == 0)
			return (int)i;
	return -1;
}

/* The events' (label, time) must be exactly `exp`, in order. */
static inline void evlog_expect(const evlog *l, const rec_entry *exp, unsigned n)
{
	int ok = l->n == n;
	for (unsigned i = 0; ok && i < n; i++)
		ok = strcmp(l->ev[i].label, exp[i].what) == 0 && l->ev[i].time == exp[i].t;
	if (!ok) {
		rec_print("expected events", exp, n);
		print_error("got events (%u):\n", l->n);
		for (unsigned i = 0; i < l->n; i++)
			print_error("  %-16s %" PRIu64 " %s\n", l->ev[i].label, l->ev[i].time,
				    l->ev[i].ctx);
	}
	assert_true(ok);
}

#define EVLOG_EXPECT(l, ...)                                                    \
	do {                                                                    \
		static const rec_entry exp_[] = { __VA_ARGS__ };                \
		evlog_expect((l), exp_, (unsigned)(sizeof exp_ / sizeof exp_[0])); \
	} while (0)

/* ---- a text trace into memory ---- */

typedef struct memtrace {
	trace_text text;
	FILE *f;
	char *buf;
	size_t len;
} memtrace;

static inline void memtrace_open(memtrace *m)
{
	memset(m, 0, sizeof *m);
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
	trace_text_init(&m->text, m->f);
}

/* Close the stream; m->buf (malloc'd, NUL-terminated) holds the trace. */
static inline void memtrace_close(memtrace *m)
{
	assert_int_equal(trace_finish(&m->text.sink), 0);
	assert_int_equal(fclose(m->f), 0);
	m->f = NULL;
}

static inline void memtrace_free(memtrace *m)
{
	free(m->buf);
	m->buf = NULL;
}

/* ---- a mini world: a test-local model with its state in the arena ----
 *
 * CPU 0 takes NIC hardirqs (arrival times drawn from the "arrivals" stream)
 * whose NET_RX softirq hands packets over and wakes the consumer; a worker
 * task on CPU 0 takes a spinlock with BH disabled; the consumer task on CPU
 * 1 takes the same spinlock for each packet and sleeps when there is none.
 * CPU 1 has a periodic hardirq and a stall after its 3rd "consume"; CPU 0 a
 * stall at a time.  jitter_pct perturbs every cost (the engine's own "costs"
 * stream, s->rng_costs); arrival times come from the world's "arrivals".
 * Everything that changes during a run is in mw_state, in the arena.
 */

typedef struct mw_state {
	uint64_t arrived;       /* packets the NIC delivered */
	uint64_t produced;      /* packets NET_RX handed to the consumer */
	uint64_t consumed;
	uint64_t sum;           /* a checksum of what the consumer saw */
	uint32_t owner;         /* the spinlock: owner ctx or SIM_NONE */
	uint32_t waiter;        /* its one spinner, or SIM_NONE */
	uint32_t rounds;        /* worker rounds done */
	uint32_t pad;
} mw_state;
_Static_assert(sizeof(mw_state) == 48, "mw_state has no padding");

typedef struct mworld {
	sim s;
	size_t off;
	uint32_t npackets, nrounds;
	uint32_t r_arrivals;
	uint32_t l_irq, l_rx, l_lock, l_unlock, l_consume, l_bh, l_work, l_think;
	uint32_t line, wq, nic, consumer, worker;
	uint16_t f_lock, f_consumer, f_worker;
} mworld;

enum { MW_NET_RX = 1 };
/* The mini world's trace keys, after the engine's. */
enum { MW_K_N = SIM_TK_COUNT, MW_K_FROM, MW_K_TO, MW_K_SPUN, MW_K_HANDOFF_SPUN, MW_K_ROUND };
static const char *const mw_keys[] = { "n", "from", "to", "spun", "handoff_spun", "round" };

static inline mworld *mw_of(sim *s) { return s->model; }
static inline mw_state *mw_st(sim *s) { return arena_at(&s->ar, mw_of(s)->off); }

static inline void mw_nic_fire(sim *s, uint32_t arg)
{
	(void)arg;
	mworld *w = mw_of(s);
	mw_state *st = mw_st(s);
	st->arrived++;
	sim_raise_irq(s, 0, w->line);
	if (st->arrived < w->npackets)
		sim_arm(s, w->nic, sim_now(s) + 50 + rng_below(sim_rng(s, w->r_arrivals), 400));
}

static inline sim_answer mw_irq(sim *s, uint32_t c, sim_frame *f)
{
	mworld *w = mw_of(s);
	if (f->pc++ == 0) {
		uint64_t ns = sim_did(s, c, w->l_irq, 0, MW_K_N, (int64_t)mw_st(s)->arrived);
		sim_raise_softirq(s, 0, MW_NET_RX);
		return SIM_CONT(ns);
	}
	return SIM_RET;
}

static inline sim_answer mw_net_rx(sim *s, uint32_t c, sim_frame *f)
{
	mworld *w = mw_of(s);
	mw_state *st = mw_st(s);
	if (f->pc++ == 0) {
		uint64_t ns = sim_did(s, c, w->l_rx, 0, MW_K_FROM, (int64_t)st->produced,
				      MW_K_TO, (int64_t)st->arrived);
		st->produced = st->arrived;
		if (!sim_waitq_empty(s, w->wq))
			sim_wake_one(s, w->wq, 40);
		return SIM_CONT(ns);
	}
	return SIM_RET;
}

/* spin_lock(): a callable frame. */
static inline sim_answer mw_lock(sim *s, uint32_t c, sim_frame *f)
{
	mworld *w = mw_of(s);
	mw_state *st = mw_st(s);
	if (f->pc++ == 0) {
		if (st->owner == SIM_NONE) {
			st->owner = c;
			return SIM_CONT(sim_did(s, c, w->l_lock, 0, MW_K_SPUN, (int64_t)0));
		}
		st->waiter = c;
		sim_spin_begin(s, c, 0);
		return SIM_SPIN;
	}
	return SIM_RET;         /* holding it (granted, or taken at once) */
}

/* spin_unlock(): hand the lock to the spinner, if any. */
static inline uint64_t mw_unlock(sim *s, uint32_t c)
{
	mworld *w = mw_of(s);
	mw_state *st = mw_st(s);
	st->owner = SIM_NONE;
	int64_t spun = -1;
	if (st->waiter != SIM_NONE) {
		st->owner = st->waiter;
		st->waiter = SIM_NONE;
		spun = (int64_t)sim_grant(s, st->owner, 15);
	}
	return sim_did(s, c, w->l_unlock, 0, MW_K_HANDOFF_SPUN, spun);
}

static inline sim_answer mw_consumer(sim *s, uint32_t c, sim_frame *f)
{
	mworld *w = mw_of(s);
	mw_state *st = mw_st(s);
	switch (f->pc) {
	case 0:
		if (st->consumed == w->npackets)
			return SIM_RET;
		if (st->consumed == st->produced)
			return SIM_SLEEP(w->wq);        /* checks again when woken */
		f->pc = 1;
		sim_call(s, c, w->f_lock);
		return SIM_NEXT;
	case 1: {
		uint64_t ns = sim_did(s, c, w->l_consume, 64, MW_K_N, (int64_t)st->consumed);
		st->consumed++;
		st->sum = st->sum * 31 + st->consumed * sim_now(s);
		f->pc = 2;
		return SIM_CONT(ns);
	}
	default:
		f->pc = 0;
		return SIM_CONT(mw_unlock(s, c));
	}
}

static inline sim_answer mw_worker(sim *s, uint32_t c, sim_frame *f)
{
	mworld *w = mw_of(s);
	mw_state *st = mw_st(s);
	switch (f->pc++) {
	case 0:
		if (st->rounds == w->nrounds)
			return SIM_RET;
		sim_bh_disable(s, c);
		return SIM_CONT(sim_did(s, c, w->l_bh, 0));
	case 1:
		sim_call(s, c, w->f_lock);
		return SIM_NEXT;
	case 2:
		return SIM_CONT(sim_did(s, c, w->l_work, 0, MW_K_ROUND, (int64_t)st->rounds));
	case 3:
		return SIM_CONT(mw_unlock(s, c));
	default:
		sim_bh_enable(s, c);            /* pending NET_RX runs here */
		st->rounds++;
		f->pc = 0;
		return SIM_CONT(sim_did(s, c, w->l_think, 0));
	}
}

static inline void mworld_build(mworld *w, uint64_t seed, uint32_t jitter_pct, uint32_t npackets)
{
	memset(w, 0, sizeof *w);
	sim *s = &w->s;
	sim_init(s, 2, seed);
	s->model = w;
	s->jitter_pct = jitter_pct;
	w->npackets = npackets;
	w->nrounds = npackets / 2;
	w->r_arrivals = sim_add_rng(s, "arrivals");
	sim_set_trace_keys(s, mw_keys, (uint32_t)(sizeof mw_keys / sizeof mw_keys[0]));
	w->l_irq = sim_add_label(s, "nic:irq", "the NIC's hardirq handler", 60, 0);
	w->l_rx = sim_add_label(s, "net_rx", "net_rx_action(): hand the packets over", 120, 0);
	w->l_lock = sim_add_label(s, "lock", "spin_lock()", 20, 0);
	w->l_unlock = sim_add_label(s, "unlock", "spin_unlock()", 10, 0);
	w->l_consume = sim_add_label(s, "consume", "read one packet", 150, 500);
	w->l_bh = sim_add_label(s, "bh_off", "local_bh_disable()", 5, 0);
	w->l_work = sim_add_label(s, "work", "the worker's critical section", 400, 0);
	w->l_think = sim_add_label(s, "think", "the worker between rounds", 300, 0);
	w->f_lock = sim_add_fn(s, "spin_lock", mw_lock);
	w->f_consumer = sim_add_fn(s, "consumer", mw_consumer);
	w->f_worker = sim_add_fn(s, "worker", mw_worker);
	w->line = sim_add_irq_line(s, 0, sim_add_fn(s, "nic_irq", mw_irq), 0);
	sim_set_softirq(s, MW_NET_RX, sim_add_fn(s, "net_rx", mw_net_rx));
	w->wq = sim_add_waitq(s);
	w->nic = sim_add_timer(s, mw_nic_fire, 0, 0);
	w->worker = sim_add_task(s, "worker", 0);
	w->consumer = sim_add_task(s, "consumer", 1);
	sim_add_periodic_irq(s, 1, 100, 1000, 50);
	sim_add_stall(s, 1, w->l_consume, 0, 3, 2000);
	sim_add_stall(s, 0, SIM_NONE, 5000, 0, 700);
	w->off = arena_reserve(&s->ar, sizeof(mw_state), 8);
	assert_int_equal(sim_commit(s), 0);
}

/* After sim_reset: the model's state and timers. */
static inline void mworld_start(mworld *w)
{
	sim *s = &w->s;
	mw_state *st = mw_st(s);
	memset(st, 0, sizeof *st);
	st->owner = st->waiter = SIM_NONE;
	sim_task_start(s, w->worker, w->f_worker, 0);
	sim_task_start(s, w->consumer, w->f_consumer, 0);
	sim_arm(s, w->nic, 30);
}

/* A whole run from reset; the text trace goes to m (when not NULL). */
static inline void mworld_run(mworld *w, memtrace *m)
{
	sim *s = &w->s;
	sim_reset(s);
	mworld_start(w);
	if (m) {
		memtrace_open(m);
		s->trace = &m->text.sink;
	}
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	if (m) {
		memtrace_close(m);
		s->trace = NULL;
	}
	mw_state *st = mw_st(s);
	assert_int_equal(st->consumed, w->npackets);
	assert_int_equal(st->rounds, w->nrounds);
}

static inline void mworld_free(mworld *w) { sim_free(&w->s); }

#endif
