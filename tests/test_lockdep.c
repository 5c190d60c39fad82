/* test_lockdep.c - models/lockdep.c: lockdep's dependency graph.
 *  - ABBA in a run that does not deadlock is one lock_order inversion,
 *    found when the second order is first seen; the same order twice is
 *    none; repeats count once;
 *  - a longer cycle (A -> B -> C -> A) is found too;
 *  - a SOFTIRQ-safe lock leading to a SOFTIRQ-unsafe one is an inversion,
 *    whether the edge or the usage comes last;
 *  - {HARDIRQ-ON-W} and {IN-HARDIRQ-W} on one lock is a violation.
 * Each test names, in a comment, the model bug it catches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

#define PRELUDE "scenario ld\ncpus 2\nlock A\nlock B\nlock C\n" \
	"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n" \
	"task keep socket=s cpu=1 do=\"sleep 300us\"\n" /* keeps the run going */
#define T1(ops) "task t1 socket=s cpu=0 do=\"" ops "\"\n"
#define T2(ops) "task t2 socket=s cpu=1 at=20us do=\"" ops "\"\n"
#define NEST(x, y) "spin_lock " #x "; work 1us; spin_lock " #y "; spin_unlock " #y "; spin_unlock " #x

static void run(const char *text, uint64_t lock_order, uint64_t violations)
{
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 0);
	assert_int_equal(r.m[SCN_M_LOCK_ORDER], lock_order);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], violations);
	model_run_free(&r);
}

/* Bug caught: no edge kept (nothing found), an edge checked against itself
 * (same order reported), repeats counted again, or the check made only when
 * the run deadlocks. */
static void test_abba_without_deadlock(void **state)
{
	(void)state;
	run(PRELUDE T1(NEST(A, B)) T2(NEST(B, A)), 1, 0);
	run(PRELUDE T1(NEST(A, B)) T2(NEST(A, B)), 0, 0);
	run(PRELUDE "task t1 socket=s cpu=0 repeat=3 every=100us do=\"" NEST(A, B) "\"\n"
		    "task t2 socket=s cpu=1 at=20us repeat=3 every=100us do=\"" NEST(B, A) "\"\n", 1, 0);
}

/* Bug caught: only direct edges searched (a longer cycle missed). */
static void test_longer_cycle(void **state)
{
	(void)state;
	run(PRELUDE T1(NEST(A, B) "; " NEST(B, C)) T2(NEST(C, A)), 1, 0);
}

/* Bug caught: usage bits not joined to the graph (no irq inversion), or
 * checked only at the edge or only at the usage. */
static void test_softirq_safe_to_unsafe(void **state)
{
	(void)state;
	/* the softirq's usage comes last (at 50us) */
	run(PRELUDE "softirq tm cpu=0 every=100us at=50us do=\"spin_lock A; spin_unlock A\"\n"
		    T1("spin_lock_bh A; spin_lock B; spin_unlock B; spin_unlock_bh A")
		    T2("spin_lock B; spin_unlock B"), 1, 0);
	/* the edge comes last (at 20us) */
	run(PRELUDE "softirq tm cpu=0 every=100us at=5us do=\"spin_lock A; spin_unlock A\"\n"
		    T1("spin_lock B; spin_unlock B")
		    T2("spin_lock_bh A; spin_lock B; spin_unlock B; spin_unlock_bh A"), 1, 0);
	/* B taken only with BH off: no SOFTIRQ-unsafe lock */
	run(PRELUDE "softirq tm cpu=0 every=100us at=50us do=\"spin_lock A; spin_unlock A\"\n"
		    T1("spin_lock_bh A; spin_lock B; spin_unlock B; spin_unlock_bh A")
		    T2("spin_lock_bh B; spin_unlock_bh B"), 0, 0);
}

/* Bug caught: no HARDIRQ usage kept: a lock taken in a hardirq and with
 * IRQs on goes unreported. */
static void test_hardirq_inconsistent(void **state)
{
	(void)state;
	run(PRELUDE "irq cpu=1 every=100us at=50us do=\"spin_lock A; spin_unlock A\"\n"
		    T1("spin_lock A; work 1us; spin_unlock A"), 0, 1);
	run(PRELUDE "irq cpu=1 every=100us at=50us do=\"spin_lock A; spin_unlock A\"\n"
		    T1("spin_lock_irqsave A; work 1us; spin_unlock_irqrestore A"), 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abba_without_deadlock),
		cmocka_unit_test(test_longer_cycle),
		cmocka_unit_test(test_softirq_safe_to_unsafe),
		cmocka_unit_test(test_hardirq_inconsistent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
