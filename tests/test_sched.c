/* test_sched.c - unit tests of sim/cpu.c's scheduler and softirq limits:
 * __do_softirq() stops restarting after MAX_SOFTIRQ_RESTART passes or
 * MAX_SOFTIRQ_TIME and wakes ksoftirqd, which runs the rest as a task;
 * ksoftirqd_running() (v4.9..v6.4) keeps irq_exit() from running softirqs
 * while ksoftirqd is runnable; tasks share a CPU by slices, least run time
 * first, and are preempted only where preempt_count is 0 (or, voluntary,
 * only at cond_resched()).  Untimed (--check), nothing of it reads the
 * clock: the runqueue is FIFO and a preempted step is still to come.
 *
 * Each test builds a tiny test-local model of step functions that record
 * (what, sim_now()) and checks exact times.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sim.h"
#include "test_helpers.h"
#include "untimed.h"

#define US 1000ull
#define MS 1000000ull

typedef struct tmodel {
	uint32_t task[2];
	uint32_t runs;          /* softirq handler runs */
	uint32_t max_runs;      /* it re-raises itself until then */
	uint64_t cost;          /* each run's cost */
	uint32_t by_ksoftirqd;  /* runs under ksoftirqd */
	uint32_t at_600us;      /* runs done at 600 us */
} tmodel;

static tmodel M;

static int setup(void **state)
{
	sim *s = test_calloc(1, sizeof *s);
	memset(&M, 0, sizeof M);
	rec_clear();
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	sim_free(*state);
	test_free(*state);
	return 0;
}

/* A softirq (nr 3) that re-raises itself until M.max_runs. */
static sim_answer sirq(sim *s, uint32_t c, sim_frame *f)
{
	uint32_t cpu = s->ctx[c].cpu;
	if (f->pc++)
		return SIM_RET;
	M.runs++;
	if (s->cpus[cpu].task != SIM_NONE && s->cpus[cpu].task == s->ksoftirqd + cpu)
		M.by_ksoftirqd++;
	if (M.runs < M.max_runs)
		sim_raise_softirq(s, cpu, 3);
	return SIM_CONT(M.cost);
}

/* A hardirq that raises softirq 3. */
static sim_answer hirq(sim *s, uint32_t c, sim_frame *f)
{
	if (f->pc++)
		return SIM_RET;
	sim_raise_softirq(s, s->ctx[c].cpu, 3);
	return SIM_CONT(10);
}

static void raise_fire(sim *s, uint32_t line) { sim_raise_irq(s, 0, line); }

static void count_fire(sim *s, uint32_t arg)
{
	(void)s;
	(void)arg;
	M.at_600us = M.runs;
}

/* One CPU with ksoftirqd, the softirq, and a hardirq at `at`. */
static sim *mk_softirq(void **state, uint64_t at)
{
	sim *s = *state;
	sim_init(s, 1, 1);
	sim_set_softirq(s, 3, sim_add_fn(s, "sirq", sirq));
	uint32_t line = sim_add_irq_line(s, 0, sim_add_fn(s, "hirq", hirq), 0);
	uint32_t t = sim_add_timer(s, raise_fire, line, 0);
	sim_add_ksoftirqd(s);
	assert_int_equal(sim_commit(s), 0);
	sim_reset(s);
	sim_arm(s, t, at);
	return s;
}

static void test_softirq_restart_limit(void **state)
{
	M.max_runs = 25;
	M.cost = 10 * US;
	sim *s = mk_softirq(state, 100);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* 10 passes at irq_exit(), then ksoftirqd: 10, and 5 */
	assert_int_equal(M.runs, 25);
	assert_int_equal(M.by_ksoftirqd, 15);
	assert_int_equal(s->ctx[s->ksoftirqd].state, SIM_S_SLEEP);
	assert_int_equal(sim_now(s), 110 + 25 * 10 * US);
}

static void test_softirq_time_limit(void **state)
{
	M.max_runs = 12;
	M.cost = 300 * US;
	sim *s = mk_softirq(state, 100);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* passes end at 110 + 300us * k: the 7th ends past 2 ms */
	assert_int_equal(M.runs, 12);
	assert_int_equal(M.by_ksoftirqd, 5);
}

/* A task busy for 10 ms in one step. */
static sim_answer work10(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: return SIM_CONT(10 * MS);
	default: rec(s, c == M.task[0] ? "A:done" : "B:done"); return SIM_RET;
	}
}

/* A task that holds a "spinlock" (held) for its first 5 ms, then 5 ms more. */
static sim_answer held5(sim *s, uint32_t c, sim_frame *f)
{
	switch (f->pc++) {
	case 0: s->ctx[c].held++; return SIM_CONT(5 * MS);
	case 1: rec(s, "A:unlock"); s->ctx[c].held--; return SIM_CONT(5 * MS);
	default: rec(s, "A:done"); return SIM_RET;
	}
}

static sim *mk_tasks(void **state, sim_step_fn a, int preempt)
{
	sim *s = *state;
	sim_init(s, 1, 1);
	uint16_t fa = sim_add_fn(s, "a", a), fb = sim_add_fn(s, "b", work10);
	M.task[0] = sim_add_task(s, "A", 0);
	M.task[1] = sim_add_task(s, "B", 0);
	s->preempt = (uint32_t)preempt;
	assert_int_equal(sim_commit(s), 0);
	sim_reset(s);
	sim_task_start(s, M.task[0], fa, 0);
	sim_task_start(s, M.task[1], fb, 0);
	return s;
}

static void test_tasks_share_by_slices(void **state)
{
	sim *s = mk_tasks(state, work10, SIM_PREEMPT_FULL);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* A 0-3, B 3-6, A 6-9, B 9-12, A 12-15, B 15-18, A 18-19, B 19-20 */
	REC_EXPECT({ "A:done", 19 * MS }, { "B:done", 20 * MS });
	assert_int_equal(s->ctx[M.task[0]].vruntime, 10 * MS);
}

static void test_voluntary_no_preemption(void **state)
{
	sim *s = mk_tasks(state, work10, SIM_PREEMPT_VOLUNTARY);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	REC_EXPECT({ "A:done", 10 * MS }, { "B:done", 20 * MS });
}

static void test_no_preemption_with_lock_held(void **state)
{
	sim *s = mk_tasks(state, held5, SIM_PREEMPT_FULL);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	/* The tick at 3 ms finds A holding a lock: preempted at 5 ms, right
	 * after it unlocks (not at 3 ms, which would put the unlock at 8 ms);
	 * B 5-11 (least run time at its tick), A 11-14, B 14-17, A 17-19. */
	REC_EXPECT({ "A:unlock", 5 * MS }, { "A:done", 19 * MS }, { "B:done", 20 * MS });
}

/* ksoftirqd_running(): with the v4.9..v6.4 rule, a hardirq while
 * ksoftirqd is runnable leaves the softirqs to it. */
static void deferral(void **state, uint32_t defer, uint32_t want_at_600us)
{
	sim *s = *state;
	M.max_runs = 12;
	M.cost = 10 * US;
	sim_init(s, 1, 1);
	s->defer_to_ksoftirqd = defer;
	sim_set_softirq(s, 3, sim_add_fn(s, "sirq", sirq));
	uint32_t line = sim_add_irq_line(s, 0, sim_add_fn(s, "hirq", hirq), 0);
	uint32_t t1 = sim_add_timer(s, raise_fire, line, 0);
	uint32_t t2 = sim_add_timer(s, raise_fire, line, 0);
	uint32_t tc = sim_add_timer(s, count_fire, 0, 0);
	uint16_t fa = sim_add_fn(s, "a", work10);
	M.task[0] = sim_add_task(s, "A", 0);
	M.task[1] = SIM_NONE;
	sim_add_ksoftirqd(s);
	assert_int_equal(sim_commit(s), 0);
	sim_reset(s);
	sim_task_start(s, M.task[0], fa, 0);
	sim_arm(s, t1, 100);
	sim_arm(s, t2, 500 * US);
	sim_arm(s, tc, 600 * US);
	assert_int_equal(sim_run(s), SIM_END_QUIET);
	assert_int_equal(M.at_600us, want_at_600us);
	assert_int_equal(M.runs, 12);
}

static void test_ksoftirqd_running_defers(void **state) { deferral(state, 1, 10); }
static void test_no_deferral_before_4_9(void **state) { deferral(state, 0, 12); }

/* Untimed (--check): the runqueue is FIFO, whatever the run times (they
 * are clock, which --check's state does not hold). */
static void test_untimed_runqueue_fifo(void **state)
{
	sim *s = *state;
	sim_init(s, 1, 1);
	uint16_t fa = sim_add_fn(s, "a", work10);
	uint32_t t[3];
	for (int i = 0; i < 3; i++)
		t[i] = sim_add_task(s, i == 0 ? "A" : i == 1 ? "B" : "C", 0);
	assert_int_equal(sim_commit(s), 0);
	sim_untimed(s);
	sim_reset(s);
	for (int i = 0; i < 3; i++)
		sim_task_start(s, t[i], fa, 0);
	s->ctx[t[1]].vruntime = 5 * MS;         /* B has run longer than C */
	for (int i = 0; i < 3; i++)
		sim_fire(s, s->tasks[t[i]].timer);
	/* A runs; B was queued first: B, then C (CFS would put C first) */
	assert_int_equal(s->cpus[0].task, t[0]);
	assert_int_equal(s->cpus[0].rq_head, t[1]);
	assert_int_equal(s->ctx[t[1]].next, t[2]);
}

/* A task of two 10 ns steps. */
static sim_answer two_steps(sim *s, uint32_t c, sim_frame *f)
{
	(void)c;
	switch (f->pc++) {
	case 0: rec(s, "A:1"); return SIM_CONT(10);
	case 1: rec(s, "A:2"); return SIM_CONT(10);
	default: return SIM_RET;
	}
}

static sim_answer irq_one(sim *s, uint32_t c, sim_frame *f)
{
	(void)s;
	(void)c;
	return f->pc++ ? SIM_RET : SIM_CONT(1);
}

/* Untimed: a step an interrupt preempted before its timer fired is still
 * to come when the interrupt returns -- a transition of its own -- even if
 * the interrupt's timer was armed for a time past the step's. */
static void test_untimed_preempted_step_still_to_come(void **state)
{
	sim *s = *state;
	sim_init(s, 1, 1);
	uint16_t fa = sim_add_fn(s, "a", two_steps);
	uint32_t a = sim_add_task(s, "A", 0);
	uint32_t line = sim_add_irq_line(s, 0, sim_add_fn(s, "irq", irq_one), 0);
	uint32_t t = sim_add_timer(s, raise_fire, line, 0);
	assert_int_equal(sim_commit(s), 0);
	sim_untimed(s);
	sim_reset(s);
	sim_task_start(s, a, fa, 0);
	sim_arm(s, t, 1000);
	sim_fire(s, s->tasks[a].timer);         /* A starts: its first step */
	sim_fire(s, 0);
	REC_EXPECT({ "A:1", 0 });
	sim_fire(s, t);                         /* at 1000: the irq preempts A */
	sim_fire(s, 0);                         /* the irq's last step, irq exit */
	REC_EXPECT({ "A:1", 0 });               /* A's second step not taken yet */
	assert_true(queue_armed(&s->q, 0));
	sim_fire(s, 0);
	assert_int_equal(rec_the_log()->n, 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_softirq_restart_limit),
		T(test_untimed_runqueue_fifo),
		T(test_untimed_preempted_step_still_to_come),
		T(test_softirq_time_limit),
		T(test_tasks_share_by_slices),
		T(test_voluntary_no_preemption),
		T(test_no_preemption_with_lock_held),
		T(test_ksoftirqd_running_defers),
		T(test_no_deferral_before_4_9),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
