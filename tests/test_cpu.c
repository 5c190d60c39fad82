/* test_cpu.c - unit tests of sim/cpu.c (with sim/sim.c): the context rules.
 *
 * Each test builds a tiny test-local model out of step functions that record
 * (what, sim_now()) and checks the exact times: a hardirq preempts a task in
 * the middle of a step and the task resumes with what was left; a softirq
 * never nests and restarts while pending; a softirq raised while BH is off
 * runs exactly at the local_bh_enable() that brings the depth to 0; a
 * hardirq waits for local_irq_enable(); a spinner takes hardirqs and resumes
 * when the hand-off granted by sim_grant() is done and it is back on top; pending softirqs run at hardirq exit; stalls
 * (after the nth performance of a label, or at a time) freeze the CPU for
 * exactly their length and defer hardirqs to their end; wait queues wake one
 * exclusive waiter in FIFO order and a sleeper frees its CPU; frames call
 * and return; the run ends quiet, at the limit, or stopped.
 *
 * The engine's own events (irq:enter, softirq:exit, ...) are checked through
 * a trace sink that keeps them (test_helpers.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sim.h"
#include "test_helpers.h"

/* ---- the test-local model: ids the step functions need ---- */

typedef struct tmodel {
	uint32_t task[4];
	uint32_t line[4];
	uint32_t wq;
	uint32_t label;
	uint32_t grant_delay;
	int granted;            /* (e): the spinner has been granted the lock */
	uint32_t raise2;        /* (e): a second timer raising the same line */
	uint32_t count;
	uint32_t cpu;
	uint64_t did[8];
	uint32_t ndid;
	uint64_t spun;
	uint32_t woke[4];
	uint32_t nwoke;
	uint32_t stalls;
	uint64_t stall_from, stall_for;
} tmodel;

static tmodel M;

typedef struct fix {
	sim s;
	evlog ev;
} fix;

static int setup(void **state)
{
	fix *f = test_calloc(1, sizeof *f);
	memset(&M, 0, sizeof M);
	rec_clear();
	evlog_init(&f->ev);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fix *f = *state;
	sim_free(&f->s);        /* safe on a zeroed or built sim */
	test_free(f);
	return 0;
}

static sim *mk(void **state, uint32_t ncpus)
{
	fix *f = *state;
	sim_init(&f->s, ncpus, 1);
	f->s.model = &M;
	return &f->s;
}

static void go(sim *s)
{
	assert_int_equal(sim_commit(s), 0);
	sim_reset(s);
}

static sim_answer bad_pc(sim_frame *f)
{
	print_error("unexpected pc %u in fn %u\n", (unsigned)f->pc, (unsigned)f->fn);
	fail();
	return SIM_RET;
}

/* ---- timers: raise a line, wake, grant ---- */

#define RAISE_ARG(cpu, line) ((cpu) << 8 | (line))

static void raise_fire(sim *s, uint32_t arg)
{
	rec(s, "raise");
	sim_raise_irq(s, arg >> 8, arg & 0xff);
}

/* ---- hardirq handlers ---- */

/* A hardirq busy for 20 ns, recording entry and exit. */
static sim_answer irq20(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "irq:in"); return SIM_CONT(20);
	case 1: rec(s, "irq:out"); return SIM_RET;
	}
	return bad_pc(f);
}

/* A hardirq that raises softirq 3 (f->a carries the cpu) and is busy 10 ns. */
static sim_answer irq_raise3(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0:
		assert_int_equal(s->ctx[c].kind, SIM_CTX_HARDIRQ);
		rec(s, "irq");
		sim_raise_softirq(s, s->ctx[c].cpu, 3);
		return SIM_CONT(10);
	case 1: return SIM_RET;
	}
	return bad_pc(f);
}

/* ---- (a) a hardirq preempts a task in the middle of a step ---- */

static sim_answer a_task(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "task:0"); return SIM_CONT(100);
	case 1: rec(s, "task:1"); return SIM_RET;
	}
	return bad_pc(f);
}

static sim_answer a_irq(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0:
		rec(s, "irq:in");
		/* The task is underneath, holding what is left of its step. */
		assert_int_equal(sim_top(s, 0), c);
		assert_int_equal(c, sim_hardirq_ctx(s, 0));
		assert_int_equal(sim_preempted_by(s, M.task[0]), c);
		assert_int_equal(s->ctx[M.task[0]].state, SIM_S_READY);
		assert_int_equal(s->ctx[M.task[0]].remaining, 70);
		assert_int_equal(f->a, 77);       /* the line's argument */
		return SIM_CONT(20);
	case 1: rec(s, "irq:out"); return SIM_RET;
	}
	return bad_pc(f);
}

static void test_hardirq_preempts_step(void **state)
{
	sim *s = mk(state, 1);
	fix *fx = *state;
	uint16_t ft = sim_add_fn(s, "task", a_task);
	uint16_t fi = sim_add_fn(s, "irq", a_irq);
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t line = sim_add_irq_line(s, 0, fi, 77);
	uint32_t tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	go(s);
	s->trace = &fx->ev.sink;
	sim_task_start(s, M.task[0], ft, 0);
	sim_arm(s, tr, 30);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "task:0", 0 }, { "raise", 30 }, { "irq:in", 30 }, { "irq:out", 50 },
		   { "task:1", 120 });
	EVLOG_EXPECT(&fx->ev, { "sched:switch", 0 }, { "irq:enter", 30 }, { "irq:exit", 50 },
		     { "sched:exit", 120 });
	assert_int_equal(fx->ev.ev[1].kv[0].val, line);
	assert_int_equal(sim_now(s), 120);
	assert_int_equal(s->ctx[M.task[0]].state, SIM_S_OFF);
}

/* ---- (b) a softirq never nests ---- */

static sim_answer b_softirq(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0:
		assert_int_equal(c, sim_softirq_ctx(s, 0));
		assert_int_equal(f->a, 0);        /* the cpu */
		assert_int_equal(s->ctx[c].depth, 1);
		rec(s, "sirq:enter");
		if (++M.count == 1)
			sim_raise_softirq(s, 0, 3);   /* again, while running */
		return SIM_CONT(50);
	case 1: rec(s, "sirq:exit"); return SIM_RET;
	}
	return bad_pc(f);
}

static void test_softirq_never_nests(void **state)
{
	sim *s = mk(state, 1);
	fix *fx = *state;
	uint16_t fi = sim_add_fn(s, "irq", irq_raise3);
	uint16_t fs = sim_add_fn(s, "softirq", b_softirq);
	sim_set_softirq(s, 3, fs);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	uint32_t t1 = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	uint32_t t2 = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	go(s);
	s->trace = &fx->ev.sink;
	sim_arm(s, t1, 100);
	sim_arm(s, t2, 130);      /* a hardirq in the middle of the softirq */
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* Raised twice while running (by itself, by the second hardirq): it
	 * runs once more, after it finished, not inside itself nor at the
	 * second hardirq's exit. */
	REC_EXPECT({ "raise", 100 }, { "irq", 100 }, { "sirq:enter", 110 },
		   { "raise", 130 }, { "irq", 130 },
		   { "sirq:exit", 170 }, { "sirq:enter", 170 }, { "sirq:exit", 220 });
	EVLOG_EXPECT(&fx->ev, { "irq:enter", 100 }, { "irq:exit", 110 }, { "softirq:enter", 110 },
		     { "irq:enter", 130 }, { "irq:exit", 140 }, { "softirq:exit", 170 },
		     { "softirq:enter", 170 }, { "softirq:exit", 220 });
	assert_int_equal(M.count, 2);
	assert_int_equal(s->cpus[0].softirq_pending, 0);
	assert_int_equal(s->cpus[0].in_softirq, 0);
}

/* ---- (c) softirq raised while BH is off runs at the bh_enable to depth 0 ---- */

static sim_answer c_task(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0:
		rec(s, "task:0");
		sim_bh_disable(s, c);
		sim_bh_disable(s, c);
		assert_false(sim_bh_enabled(s, c));
		return SIM_CONT(100);
	case 1:
		rec(s, "bh_enable:1");
		sim_bh_enable(s, c);            /* depth 1: nothing runs */
		return SIM_CONT(10);
	case 2:
		rec(s, "bh_enable:0");
		sim_bh_enable(s, c);            /* depth 0: the softirq runs now */
		assert_true(sim_bh_enabled(s, c));
		return SIM_CONT(50);
	case 3: rec(s, "task:end"); return SIM_RET;
	}
	return bad_pc(f);
}

static sim_answer sirq20(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "sirq"); return SIM_CONT(20);
	case 1: return SIM_RET;
	}
	return bad_pc(f);
}

static void test_softirq_at_bh_enable(void **state)
{
	sim *s = mk(state, 1);
	fix *fx = *state;
	uint16_t ft = sim_add_fn(s, "task", c_task);
	uint16_t fi = sim_add_fn(s, "irq", irq_raise3);
	sim_set_softirq(s, 3, sim_add_fn(s, "softirq", sirq20));
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	uint32_t tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	go(s);
	s->trace = &fx->ev.sink;
	sim_task_start(s, M.task[0], ft, 0);
	sim_arm(s, tr, 30);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* Not at irq exit (40), not at the inner bh_enable (110), not later:
	 * at 120, the step that brought the depth to 0; the task's remaining
	 * 50 ns come after the softirq's 20. */
	REC_EXPECT({ "task:0", 0 }, { "raise", 30 }, { "irq", 30 }, { "bh_enable:1", 110 },
		   { "bh_enable:0", 120 }, { "sirq", 120 }, { "task:end", 190 });
	int i = evlog_find(&fx->ev, "softirq:enter", 0);
	assert_true(i >= 0);
	assert_int_equal(fx->ev.ev[i].time, 120);
	assert_int_equal(fx->ev.ev[i].kv[0].val, 3);   /* nr=3 */
	assert_int_equal(s->cpus[0].bh_depth, 0);
}

/* ---- (d) a hardirq with IRQs off waits for sim_irq_enable ---- */

static sim_answer d_task(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0: rec(s, "task:0"); sim_irq_disable(s, c); return SIM_CONT(100);
	case 1: rec(s, "irq_enable"); sim_irq_enable(s, c); return SIM_CONT(50);
	case 2: rec(s, "task:end"); return SIM_RET;
	}
	return bad_pc(f);
}

static void check_pending_fire(sim *s, uint32_t arg)
{
	(void)arg;
	/* Raised at 30 with IRQs off: pending, not taken. */
	assert_int_not_equal(s->cpus[0].irq_pending, 0);
	assert_int_equal(s->cpus[0].in_hardirq, 0);
	assert_int_equal(sim_top(s, 0), M.task[0]);
	rec(s, "check");
}

static void test_irq_disabled_waits(void **state)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", d_task);
	uint16_t fi = sim_add_fn(s, "irq", irq20);
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	uint32_t tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	uint32_t tc = sim_add_timer(s, check_pending_fire, 0, 0);
	go(s);
	sim_task_start(s, M.task[0], ft, 0);
	sim_arm(s, tr, 30);
	sim_arm(s, tc, 31);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "task:0", 0 }, { "raise", 30 }, { "check", 31 }, { "irq_enable", 100 },
		   { "irq:in", 100 }, { "irq:out", 120 }, { "task:end", 170 });
	assert_int_equal(s->cpus[0].irq_pending, 0);
	assert_int_equal(s->cpus[0].irqs_off, 0);
}

/* ---- (e) a spinner takes hardirqs; sim_grant resumes it `delay` later ---- */

static sim_answer e_task(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0: rec(s, "spin"); sim_spin_begin(s, c, 7); return SIM_SPIN;
	case 1: rec(s, "got"); return SIM_RET;
	}
	return bad_pc(f);
}

static sim_answer e_irq(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0:
		rec(s, "irq:in");
		assert_int_equal(s->ctx[M.task[0]].state, M.granted ? SIM_S_READY : SIM_S_SPIN);
		return SIM_CONT(30);
	case 1: rec(s, "irq:out"); return SIM_RET;
	}
	return bad_pc(f);
}

static void grant_fire(sim *s, uint32_t arg)
{
	(void)arg;
	const sim_ctx *x = &s->ctx[M.task[0]];
	rec(s, "grant");
	assert_int_equal(x->state, SIM_S_SPIN);
	assert_int_equal(x->spin_on, 7);
	assert_int_equal(x->spin_since, 0);
	M.spun = sim_grant(s, M.task[0], M.grant_delay);
	M.granted = 1;
	assert_int_equal(x->spin_on, SIM_NONE);
}

static sim *e_build(void **state, uint32_t *tr, uint32_t *tg)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", e_task);
	uint16_t fi = sim_add_fn(s, "irq", e_irq);
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	*tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	*tg = sim_add_timer(s, grant_fire, 0, 0);
	M.raise2 = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);   /* a second raise */
	go(s);
	sim_task_start(s, M.task[0], ft, 0);
	return s;
}

static void test_spinner_takes_irq(void **state)
{
	uint32_t tr, tg;
	sim *s = e_build(state, &tr, &tg);
	M.grant_delay = 25;
	sim_arm(s, tr, 50);
	sim_arm(s, tg, 200);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* After the hardirq the task spins again (no step runs between 80 and
	 * the grant); it resumes 25 ns after the grant. */
	REC_EXPECT({ "spin", 0 }, { "raise", 50 }, { "irq:in", 50 }, { "irq:out", 80 },
		   { "grant", 200 }, { "got", 225 });
	assert_int_equal(M.spun, 225);
}

/* Granted while a hardirq is on top: the hand-off goes on while the hardirq
 * runs (qspinlock sets the waiter's MCS `locked` whatever its CPU is doing),
 * so the spinner goes on at the later of its end and grant + delay. */
static void test_grant_while_preempted(void **state)
{
	uint32_t tr, tg;
	sim *s = e_build(state, &tr, &tg);
	M.grant_delay = 5;      /* done at 65, inside the hardirq (50..80) */
	sim_arm(s, tr, 50);
	sim_arm(s, tg, 60);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "spin", 0 }, { "raise", 50 }, { "irq:in", 50 }, { "grant", 60 },
		   { "irq:out", 80 }, { "got", 80 });
	assert_int_equal(M.spun, 65);     /* now + delay - spin_since, at the grant */
}

static void test_grant_while_preempted_long_handoff(void **state)
{
	uint32_t tr, tg;
	sim *s = e_build(state, &tr, &tg);
	M.grant_delay = 40;     /* done at 100: 20 ns after the hardirq ends */
	sim_arm(s, tr, 50);
	sim_arm(s, tg, 60);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "spin", 0 }, { "raise", 50 }, { "irq:in", 50 }, { "grant", 60 },
		   { "irq:out", 80 }, { "got", 100 });
}

/* Granted under a first hardirq (50..80), with a second one pending at its
 * exit (80..110): the hand-off (60..100) ends under the second, and the
 * spinner goes on when that one ends, at 110. */
static void test_grant_under_two_hardirqs(void **state)
{
	uint32_t tr, tg;
	sim *s = e_build(state, &tr, &tg);
	uint32_t tr2 = M.raise2;
	M.grant_delay = 40;
	sim_arm(s, tr, 50);
	sim_arm(s, tg, 60);
	sim_arm(s, tr2, 70);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "spin", 0 }, { "raise", 50 }, { "irq:in", 50 }, { "grant", 60 }, { "raise", 70 },
		   { "irq:out", 80 }, { "irq:in", 80 }, { "irq:out", 110 }, { "got", 110 });
}

/* A hardirq in the middle of the hand-off (granted at 40, done at 65): the
 * hand-off is not work that waits for the CPU, it ends at 65 under the
 * hardirq, and the spinner goes on when the hardirq ends at 80. */
static void test_irq_during_handoff(void **state)
{
	uint32_t tr, tg;
	sim *s = e_build(state, &tr, &tg);
	M.grant_delay = 25;
	sim_arm(s, tg, 40);
	sim_arm(s, tr, 50);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "spin", 0 }, { "grant", 40 }, { "raise", 50 }, { "irq:in", 50 },
		   { "irq:out", 80 }, { "got", 80 });
}

/* IRQs off while spinning (spin_lock_irqsave): the hardirq waits for the
 * task to enable them after it got the lock. */
static sim_answer e_task_irqsave(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0: rec(s, "spin"); sim_irq_disable(s, c); sim_spin_begin(s, c, 7); return SIM_SPIN;
	case 1: rec(s, "got"); return SIM_CONT(10);
	case 2: rec(s, "irq_restore"); sim_irq_enable(s, c); return SIM_CONT(1);
	case 3: rec(s, "end"); return SIM_RET;
	}
	return bad_pc(f);
}

static void test_spinner_irqsave(void **state)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", e_task_irqsave);
	uint16_t fi = sim_add_fn(s, "irq", irq20);
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	uint32_t tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	uint32_t tg = sim_add_timer(s, grant_fire, 0, 0);
	go(s);
	sim_task_start(s, M.task[0], ft, 0);
	M.grant_delay = 3;
	sim_arm(s, tr, 50);
	sim_arm(s, tg, 200);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "spin", 0 }, { "raise", 50 }, { "grant", 200 }, { "got", 203 },
		   { "irq_restore", 213 }, { "irq:in", 213 }, { "irq:out", 233 }, { "end", 234 });
}

/* ---- (f) pending softirqs run at hardirq exit ---- */

static sim_answer f_irq(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0:
		rec(s, "irq");
		sim_raise_softirq(s, s->ctx[c].cpu, 5);
		sim_raise_softirq(s, s->ctx[c].cpu, 2);
		return SIM_CONT(5);
	case 1: return SIM_RET;
	}
	return bad_pc(f);
}

static sim_answer f_sirq2(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0:
		rec(s, "sirq2");
		assert_int_equal(f->a, 1);
		assert_int_equal(c, sim_softirq_ctx(s, 1));
		return SIM_CONT(20);
	case 1: return SIM_RET;
	}
	return bad_pc(f);
}

static sim_answer f_sirq5(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "sirq5"); assert_int_equal(f->a, 1); return SIM_CONT(7);
	case 1: rec(s, "sirq5:end"); return SIM_RET;
	}
	return bad_pc(f);
}

static void test_softirq_at_irq_exit_idle(void **state)
{
	sim *s = mk(state, 2);
	fix *fx = *state;
	uint16_t fi = sim_add_fn(s, "irq", f_irq);
	sim_set_softirq(s, 2, sim_add_fn(s, "sirq2", f_sirq2));
	sim_set_softirq(s, 5, sim_add_fn(s, "sirq5", f_sirq5));
	uint32_t line = sim_add_irq_line(s, 1, fi, 0);
	uint32_t tr = sim_add_timer(s, raise_fire, RAISE_ARG(1, line), 0);
	go(s);
	s->trace = &fx->ev.sink;
	sim_arm(s, tr, 10);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* CPU 1 idle: the softirqs run at irq exit, lowest number first, one
	 * after the other in the same softirq context. */
	REC_EXPECT({ "raise", 10 }, { "irq", 10 }, { "sirq2", 15 }, { "sirq5", 35 },
		   { "sirq5:end", 42 });
	EVLOG_EXPECT(&fx->ev, { "irq:enter", 10 }, { "irq:exit", 15 }, { "softirq:enter", 15 },
		     { "softirq:exit", 35 }, { "softirq:enter", 35 }, { "softirq:exit", 42 });
	for (unsigned i = 0; i < fx->ev.n; i++)
		assert_int_equal(fx->ev.ev[i].cpu, 1);
	assert_int_equal(s->cpus[0].softirq_pending, 0);
}

/* A task with BH enabled: the softirq runs at irq exit, on top of it. */
static void test_softirq_at_irq_exit_over_task(void **state)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", a_task);
	uint16_t fi = sim_add_fn(s, "irq", irq_raise3);
	sim_set_softirq(s, 3, sim_add_fn(s, "softirq", sirq20));
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	uint32_t tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	go(s);
	sim_task_start(s, M.task[0], ft, 0);
	sim_arm(s, tr, 30);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "task:0", 0 }, { "raise", 30 }, { "irq", 30 }, { "sirq", 40 },
		   { "task:1", 130 });
}

/* Hardirqs do not nest: lines raised during a hardirq are taken at its exit,
 * lowest line first, and the softirq waits until no hardirq is pending. */
static sim_answer n_irq(sim *s, uint32_t c, sim_frame *f)
{
	static const char *const in[] = { "irq0", "irq1", "irq2" };
	switch (f->pc++) {
	case 0:
		rec(s, in[f->a]);
		assert_int_equal(sim_top(s, 0), c);
		if (f->a == 0)
			sim_raise_softirq(s, 0, 3);
		return SIM_CONT(20);
	case 1: return SIM_RET;
	}
	return bad_pc(f);
}

static void test_hardirqs_queue(void **state)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", a_task);
	uint16_t fi = sim_add_fn(s, "irq", n_irq);
	sim_set_softirq(s, 3, sim_add_fn(s, "softirq", sirq20));
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t l0 = sim_add_irq_line(s, 0, fi, 0);
	uint32_t l1 = sim_add_irq_line(s, 0, fi, 1);
	uint32_t l2 = sim_add_irq_line(s, 0, fi, 2);
	uint32_t t0 = sim_add_timer(s, raise_fire, RAISE_ARG(0, l0), 0);
	uint32_t t2 = sim_add_timer(s, raise_fire, RAISE_ARG(0, l2), 0);
	uint32_t t1 = sim_add_timer(s, raise_fire, RAISE_ARG(0, l1), 0);
	go(s);
	sim_task_start(s, M.task[0], ft, 0);
	sim_arm(s, t0, 30);
	sim_arm(s, t2, 40);       /* line 2 raised before line 1 */
	sim_arm(s, t1, 40);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* 30..50 line 0, 50..70 line 1, 70..90 line 2, 90..110 the softirq,
	 * then the task's remaining 70 ns. */
	REC_EXPECT({ "task:0", 0 }, { "raise", 30 }, { "irq0", 30 }, { "raise", 40 },
		   { "raise", 40 }, { "irq1", 50 }, { "irq2", 70 }, { "sirq", 90 },
		   { "task:1", 180 });
}

/* ---- (g) stalls ---- */

static sim_answer g_task(sim *s, uint32_t c, sim_frame *f)
{
	static const char *const at[] = { "w0", "w1", "w2" };
	if (f->pc < 3) {
		uint64_t ns = sim_did(s, c, M.label, 0);
		rec(s, at[f->pc]);
		M.did[M.ndid++] = ns;
		f->pc++;
		return SIM_CONT(ns);
	}
	rec(s, "end");
	return SIM_RET;
}

static sim_answer g_other(sim *s, uint32_t c, sim_frame *f)
{
	/* The same label on another CPU: does not count for CPU 0's stall. */
	if (f->pc++ < 4)
		return SIM_CONT(sim_did(s, c, M.label, 0));
	return SIM_RET;
}

static void on_stall(sim *s, uint32_t cpu, uint64_t from, uint64_t for_ns)
{
	rec(s, "on_stall");
	assert_int_equal(cpu, 0);
	M.stalls++;
	M.stall_from = from;
	M.stall_for = for_ns;
}

static sim *g_build(void **state, uint32_t *tr)
{
	sim *s = mk(state, 2);
	fix *fx = *state;
	uint16_t ft = sim_add_fn(s, "task", g_task);
	uint16_t fo = sim_add_fn(s, "other", g_other);
	uint16_t fi = sim_add_fn(s, "irq", irq20);
	M.label = sim_add_label(s, "work", "a 10 ns step", 10, 0);
	sim_add_stall(s, 0, M.label, 0, 2, 1000);
	M.task[0] = sim_add_task(s, "T", 0);
	M.task[1] = sim_add_task(s, "O", 1);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	*tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	go(s);
	s->on_stall = on_stall;
	s->trace = &fx->ev.sink;
	sim_task_start(s, M.task[1], fo, 0);
	sim_task_start(s, M.task[0], ft, 0);
	return s;
}

static void check_stall_event(const evlog *l)
{
	int i = evlog_find(l, "stall", 0);
	assert_true(i >= 0);
	assert_int_equal(l->ev[i].time, 10);     /* traced when decided */
	assert_int_equal(l->ev[i].cpu, 0);
	assert_int_equal(l->ev[i].nkv, 2);
	assert_int_equal(l->ev[i].kv[0].key, SIM_TK_START);
	assert_int_equal(l->ev[i].kv[0].val, 20);
	assert_int_equal(l->ev[i].kv[1].key, SIM_TK_FOR);
	assert_int_equal(l->ev[i].kv[1].val, 1000);
	assert_int_equal(evlog_find(l, "stall", (unsigned)i + 1), -1);
}

static void test_stall_at_label(void **state)
{
	uint32_t tr;
	sim *s = g_build(state, &tr);
	fix *fx = *state;
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* The 2nd "work" on CPU 0 (at 10, costing 10) is followed by exactly
	 * 1000 ns of nothing: the 3rd starts at 1020. */
	REC_EXPECT({ "w0", 0 }, { "on_stall", 10 }, { "w1", 10 }, { "w2", 1020 }, { "end", 1030 });
	assert_int_equal(M.ndid, 3);
	assert_int_equal(M.did[0], 10);
	assert_int_equal(M.did[1], 1010);
	assert_int_equal(M.did[2], 10);
	assert_int_equal(M.stalls, 1);
	assert_int_equal(M.stall_from, 20);
	assert_int_equal(M.stall_for, 1000);
	assert_int_equal(s->stall_count[0], 3);
	check_stall_event(&fx->ev);
}

/* A hardirq raised during the stall is taken when the stall ends (1020),
 * before the step that was due then; that step follows the hardirq. */
static void test_stall_defers_irq(void **state)
{
	uint32_t tr;
	sim *s = g_build(state, &tr);
	fix *fx = *state;
	sim_arm(s, tr, 500);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "w0", 0 }, { "on_stall", 10 }, { "w1", 10 }, { "raise", 500 },
		   { "irq:in", 1020 }, { "irq:out", 1040 }, { "w2", 1040 }, { "end", 1050 });
	check_stall_event(&fx->ev);
	assert_int_equal(evlog_find(&fx->ev, "irq:enter", 0) >= 0, 1);
	assert_int_equal(fx->ev.ev[evlog_find(&fx->ev, "irq:enter", 0)].time, 1020);
}

static sim_answer t_task(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "task:0"); return SIM_CONT(100);
	case 1: rec(s, "task:1"); return SIM_CONT(10);
	case 2: rec(s, "task:end"); return SIM_RET;
	}
	return bad_pc(f);
}

/* A stall at a time: from 50 for 300.  The task's step (50 ns left at 50)
 * ends at 400; a hardirq raised at 60 is taken at 350, so it ends at 410. */
static void test_stall_at_time(void **state)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", t_task);
	uint16_t fi = sim_add_fn(s, "irq", irq20);
	sim_add_stall(s, 0, SIM_NONE, 50, 0, 300);
	M.task[0] = sim_add_task(s, "T", 0);
	uint32_t line = sim_add_irq_line(s, 0, fi, 0);
	uint32_t tr = sim_add_timer(s, raise_fire, RAISE_ARG(0, line), 0);
	go(s);
	s->on_stall = on_stall;

	/* Without the hardirq. */
	sim_task_start(s, M.task[0], ft, 0);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "task:0", 0 }, { "on_stall", 50 }, { "task:1", 400 }, { "task:end", 410 });
	assert_int_equal(M.stall_from, 50);
	assert_int_equal(M.stall_for, 300);

	/* Again from reset, with the hardirq at 60. */
	rec_clear();
	sim_reset(s);
	sim_task_start(s, M.task[0], ft, 0);
	sim_arm(s, tr, 60);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "task:0", 0 }, { "on_stall", 50 }, { "raise", 60 }, { "irq:in", 350 },
		   { "irq:out", 370 }, { "task:1", 420 }, { "task:end", 430 });
}

/* ---- wait queues ---- */

static sim_answer w_task(sim *s, uint32_t c, sim_frame *f)
{
	static const char *const sleep[] = { "A:sleep", "B:sleep", "C:sleep" };
	static const char *const woke[] = { "A:woke", "B:woke", "C:woke" };
	switch (f->pc++) {
	case 0: rec(s, sleep[f->a]); return SIM_SLEEP(M.wq);
	case 1:
		rec(s, woke[f->a]);
		assert_int_equal(s->ctx[c].wq, SIM_NONE);
		return SIM_RET;
	}
	return bad_pc(f);
}

static void wake_fire(sim *s, uint32_t arg)
{
	uint32_t i = M.nwoke;
	M.woke[M.nwoke++] = sim_wake_one(s, M.wq, arg);
	if (i < 3) {
		/* exactly one woken: the others still sleep, in order */
		for (uint32_t k = i + 1; k < 3; k++)
			assert_int_equal(s->ctx[M.task[k]].state, SIM_S_SLEEP);
		assert_int_not_equal(s->ctx[M.task[i]].state, SIM_S_SLEEP);
		assert_int_equal(sim_waitq_empty(s, M.wq), i == 2);
	}
}

static void test_waitq_fifo_exclusive(void **state)
{
	sim *s = mk(state, 1);
	uint16_t fw = sim_add_fn(s, "waiter", w_task);
	M.wq = sim_add_waitq(s);
	(void)sim_add_waitq(s);   /* another queue, unused */
	static const char *const names[] = { "A", "B", "C" };
	for (int i = 0; i < 3; i++)
		M.task[i] = sim_add_task(s, names[i], 0);
	uint32_t tw = sim_add_timer(s, wake_fire, 5, 0);
	go(s);
	for (uint32_t i = 0; i < 3; i++)
		sim_task_start(s, M.task[i], fw, 0)->a = i;
	assert_int_equal(sim_run(s), SIM_END_QUIET);     /* all asleep: nothing armed */
	REC_EXPECT({ "A:sleep", 0 }, { "B:sleep", 0 }, { "C:sleep", 0 });
	assert_int_equal(s->wq[M.wq].head, M.task[0]);
	assert_int_equal(s->wq[M.wq].tail, M.task[2]);
	assert_int_equal(s->cpus[0].task, SIM_NONE);     /* the CPU is free */

	static const uint64_t at[] = { 100, 200, 300, 400 };
	for (unsigned k = 0; k < 4; k++) {
		sim_arm(s, tw, at[k]);
		assert_int_equal(sim_run(s), SIM_END_QUIET);
	}
	REC_EXPECT({ "A:sleep", 0 }, { "B:sleep", 0 }, { "C:sleep", 0 },
		   { "A:woke", 105 }, { "B:woke", 205 }, { "C:woke", 305 });
	assert_int_equal(M.woke[0], M.task[0]);
	assert_int_equal(M.woke[1], M.task[1]);
	assert_int_equal(M.woke[2], M.task[2]);
	assert_int_equal(M.woke[3], SIM_NONE);           /* empty queue */
	assert_true(sim_waitq_empty(s, M.wq));
}

static sim_answer s_sleeper(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "A:run"); return SIM_CONT(10);
	case 1: rec(s, "A:sleep"); return SIM_SLEEP(M.wq);
	case 2: rec(s, "A:woke"); return SIM_RET;
	}
	return bad_pc(f);
}

static sim_answer s_other(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "D:run"); return SIM_CONT(100);
	case 1: rec(s, "D:end"); return SIM_RET;
	}
	return bad_pc(f);
}

static void wake_runnable_fire(sim *s, uint32_t arg)
{
	(void)arg;
	rec(s, "wake");
	assert_int_equal(sim_wake_one(s, M.wq, 0), M.task[0]);
	/* The CPU is busy with D: A waits on the runqueue, D is not preempted. */
	assert_int_equal(s->ctx[M.task[0]].state, SIM_S_RUNNABLE);
	assert_int_equal(s->cpus[0].task, M.task[1]);
}

static void test_sleeper_frees_cpu(void **state)
{
	sim *s = mk(state, 1);
	fix *fx = *state;
	uint16_t fa = sim_add_fn(s, "sleeper", s_sleeper);
	uint16_t fd = sim_add_fn(s, "other", s_other);
	M.wq = sim_add_waitq(s);
	M.task[0] = sim_add_task(s, "A", 0);
	M.task[1] = sim_add_task(s, "D", 0);
	uint32_t tw = sim_add_timer(s, wake_runnable_fire, 0, 0);
	go(s);
	s->trace = &fx->ev.sink;
	sim_task_start(s, M.task[0], fa, 0);
	sim_task_start(s, M.task[1], fd, 0);
	sim_arm(s, tw, 50);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "A:run", 0 }, { "A:sleep", 10 }, { "D:run", 10 }, { "wake", 50 },
		   { "D:end", 110 }, { "A:woke", 110 });
	EVLOG_EXPECT(&fx->ev, { "sched:switch", 0 }, { "sched:sleep", 10 }, { "sched:switch", 10 },
		     { "sched:wake", 50 }, { "sched:exit", 110 }, { "sched:switch", 110 },
		     { "sched:exit", 110 });
	assert_string_equal(fx->ev.ev[2].ctx, "D");
	assert_string_equal(fx->ev.ev[5].ctx, "A");
}

/* ---- frames: call and return ---- */

static uint16_t fn_sub;

static sim_answer call_caller(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0: {
		rec(s, "caller:0");
		sim_frame *g = sim_call(s, c, fn_sub);
		g->a = 7;
		g->d = UINT64_C(1) << 40;
		return SIM_NEXT;
	}
	case 1:
		rec(s, "caller:1");
		assert_int_equal(s->ctx[c].depth, 1);
		assert_int_equal(f->b, 8);       /* the callee's result */
		return SIM_RET;
	}
	return bad_pc(f);
}

static sim_answer call_sub(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0:
		rec(s, "sub:0");
		assert_int_equal(s->ctx[c].depth, 2);
		assert_int_equal(f->a, 7);
		assert_int_equal(f->d, UINT64_C(1) << 40);
		return SIM_CONT(10);
	case 1:
		rec(s, "sub:1");
		s->ctx[c].f[0].b = f->a + 1;      /* write back to the caller */
		return SIM_RET;
	}
	return bad_pc(f);
}

static void test_call_return(void **state)
{
	sim *s = mk(state, 1);
	uint16_t fc = sim_add_fn(s, "caller", call_caller);
	fn_sub = sim_add_fn(s, "sub", call_sub);
	M.task[0] = sim_add_task(s, "T", 0);
	go(s);
	sim_task_start(s, M.task[0], fc, 3);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "caller:0", 3 }, { "sub:0", 3 }, { "sub:1", 13 }, { "caller:1", 13 });
	assert_int_equal(s->ctx[M.task[0]].depth, 0);
}

/* ---- how a run ends ---- */

static sim_answer long_task(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "task:0"); return SIM_CONT(1000);
	case 1: rec(s, "task:1"); return SIM_RET;
	}
	return bad_pc(f);
}

static void test_run_ends(void **state)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", long_task);
	M.task[0] = sim_add_task(s, "T", 0);
	/* Busy 10 ns every 100 from 50; a daemon: it does not keep the run on. */
	sim_add_periodic_irq(s, 0, 50, 100, 10);
	go(s);
	sim_task_start(s, M.task[0], ft, 0);

	s->limit_ns = 500;
	assert_int_equal(sim_run(s), SIM_END_LIMIT);
	assert_int_equal(sim_now(s), 500);
	REC_EXPECT({ "task:0", 0 });

	/* Stopping at the limit changes nothing: the run goes on from there.
	 * 1000 ns of work plus 11 ticks of 10 (at 50, 150, ..., 1050). */
	s->limit_ns = UINT64_MAX;
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "task:0", 0 }, { "task:1", 1110 });
	assert_int_equal(sim_now(s), 1110);
	assert_true(queue_armed(&s->q, s->periodics[0].timer));   /* still ticking */
	assert_int_equal(s->g->live, 0);
}

static sim_answer stop_task(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: return SIM_CONT(40);
	case 1: rec(s, "stop"); sim_stop(s); return SIM_CONT(10);
	case 2: rec(s, "after"); return SIM_RET;
	}
	return bad_pc(f);
}

static void test_run_stopped(void **state)
{
	sim *s = mk(state, 1);
	uint16_t ft = sim_add_fn(s, "task", stop_task);
	M.task[0] = sim_add_task(s, "T", 0);
	go(s);
	sim_task_start(s, M.task[0], ft, 0);
	assert_int_equal(sim_run(s), SIM_END_STOPPED);
	assert_int_equal(sim_now(s), 40);
	REC_EXPECT({ "stop", 40 });
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_hardirq_preempts_step),
		T(test_softirq_never_nests),
		T(test_softirq_at_bh_enable),
		T(test_irq_disabled_waits),
		T(test_spinner_takes_irq),
		T(test_grant_while_preempted),
		T(test_grant_while_preempted_long_handoff),
		T(test_irq_during_handoff),
		T(test_grant_under_two_hardirqs),
		T(test_spinner_irqsave),
		T(test_softirq_at_irq_exit_idle),
		T(test_softirq_at_irq_exit_over_task),
		T(test_hardirqs_queue),
		T(test_stall_at_label),
		T(test_stall_defers_irq),
		T(test_stall_at_time),
		T(test_waitq_fifo_exclusive),
		T(test_sleeper_frees_cpu),
		T(test_call_return),
		T(test_run_ends),
		T(test_run_stopped),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
