/* test_handler.c - models/handler.c: scenario `softirq` and `irq` programs
 * run in their contexts, so the lock rules see the locks they take:
 *  - a softirq program runs in TIMER_SOFTIRQ after the local timer
 *    interrupt, once each `every`, on its CPU;
 *  - an irq program runs as its own hardirq's handler, after its cost;
 *  - a lock a softirq program takes, taken with BH on by a task, is
 *    lockdep's inconsistent SOFTIRQ usage (a violation), not with _bh;
 *  - a softirq program spinning on a lock its CPU's task holds deadlocks.
 * Each test names, in a comment, the model bug it catches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

#define PRELUDE "scenario h\ncpus 2\nlock L\nsocket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"

/* Bug caught: programs not run, run in the wrong context or CPU, at the
 * wrong times, or the irq's cost not spent before its program. */
static void test_programs_run_in_their_context(void **state)
{
	(void)state;
	const char *text = PRELUDE
		"softirq tm cpu=0 every=100us at=10us do=\"work 2us\"\n"
		"irq cpu=1 every=100us at=20us cost=1us do=\"work 3us\"\n"
		"task keep socket=s cpu=1 do=\"sleep 450us\"\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	/* at 10, 110, 210, 310, 410 us */
	assert_int_equal(trace_count(&r, "cpu0 softirq timer:expire"), 5);
	assert_int_equal(trace_count(&r, "cpu0 softirq handler:work ns=2000"), 5);
	assert_int_equal(trace_count(&r, "cpu0 hardirq timer:irq"), 5);
	assert_int_equal(trace_count(&r, "softirq:enter nr=1"), 5);
	assert_int_equal(trace_count(&r, "cpu1 hardirq irq:program"), 5);
	/* the timer irq costs 300 ns, timer:expire 20 ns */
	assert_int_equal(trace_time_of(&r, "handler:work ns=2000", 0), 10000 + 320);
	/* the irq is busy 1 us before its program */
	assert_int_equal(trace_time_of(&r, "handler:work ns=3000", 0), 21000);
	model_run_free(&r);
}

static void run_usage(const char *task_lock, const char *task_unlock, uint64_t want)
{
	char text[512];
	snprintf(text, sizeof text, PRELUDE
		 "softirq tm cpu=0 every=50us at=5us do=\"spin_lock L; work 1us; spin_unlock L\"\n"
		 "task t socket=s cpu=1 at=20us do=\"%s L; work 1us; %s L\"\n",
		 task_lock, task_unlock);
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], want);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 0);
	model_run_free(&r);
}

/* Bug caught: a softirq program's lock not counted as taken in softirq
 * (no {IN-SOFTIRQ-W}), or spin_lock_bh taken for BH-unsafe. */
static void test_softirq_program_usage(void **state)
{
	(void)state;
	run_usage("spin_lock", "spin_unlock", 1);
	run_usage("spin_lock_bh", "spin_unlock_bh", 0);
}

/* Bug caught: a softirq program that cannot spin (or spins without the
 * wait-for chain through its CPU's task): no deadlock found. */
static void test_softirq_program_deadlocks(void **state)
{
	(void)state;
	const char *text = PRELUDE
		"softirq tm cpu=0 every=50us at=10us do=\"spin_lock L; spin_unlock L\"\n"
		"task t socket=s cpu=0 do=\"spin_lock L; work 100us; spin_unlock L\"\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 1);
	model_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_programs_run_in_their_context),
		cmocka_unit_test(test_softirq_program_usage),
		cmocka_unit_test(test_softirq_program_deadlocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
