/* test_spinlock.c - one validation harness for both hand-off policies (as ck
 * validates every spinlock with one validate.h): mutual exclusion and
 * progress; exact wait/hold accounting; irqsave; lock-order deadlocks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

/* Walk the trace: between a lock's spin:acquired and its spin:release no
 * other context may acquire it.  Returns the number of acquisitions. */
static int check_exclusion(const char *trace, int lock)
{
	char acq[64], rel[64];
	snprintf(acq, sizeof acq, "spin:acquired lock=%d ", lock);
	snprintf(rel, sizeof rel, "spin:release lock=%d ", lock);
	int held = 0, n = 0;
	for (const char *line = trace; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[256];
		snprintf(buf, sizeof buf, "%.*s ", (int)(len < 250 ? len : 250), line);
		if (strstr(buf, acq)) {
			assert_int_equal(held, 0);      /* two owners at once */
			held = 1;
			n++;
		} else if (strstr(buf, rel)) {
			assert_int_equal(held, 1);      /* released without an owner */
			held = 0;
		}
		line = end ? end + 1 : NULL;
	}
	assert_int_equal(held, 0);
	return n;
}

static void harness(const char *order)
{
	char text[2048];
	int pos = snprintf(text, sizeof text,
			   "scenario contend\ncpus 4\nspinlock order=%s handoff=80ns\n"
			   "socket s type=stream rcvbuf=64KiB sndbuf=64KiB\nlock L\n", order);
	for (int i = 0; i < 4; i++)
		pos += snprintf(text + pos, sizeof text - (size_t)pos,
				"task t%d socket=s cpu=%d do=\"spin_lock L; work 1us; spin_unlock L; work 200ns\" repeat=50 at=%dns\n",
				i, i, i * 10);
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	/* progress: the run ends on its own and every task did its 50 rounds */
	assert_int_equal(r.end, SIM_END_QUIET);
	assert_int_equal(check_exclusion(r.trace, 2), 200);     /* lock L is id 2*nsockets */
	for (int i = 0; i < 4; i++) {
		char who[32];
		snprintf(who, sizeof who, "t%d sched:exit", i);
		assert_int_equal(trace_count(&r, who), 1);
	}
	assert_int_equal(r.m[SCN_M_DEADLOCK], 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_true(r.m[SCN_M_SPIN_TOTAL_NS] > 0);
	assert_true(r.m[SCN_M_SPIN_MAX_NS] <= r.m[SCN_M_SPIN_TOTAL_NS]);
	model_run_free(&r);
}

static void test_fifo_exclusion_progress(void **state) { (void)state; harness("fifo"); }
static void test_random_exclusion_progress(void **state) { (void)state; harness("random"); }

static void test_fifo_hands_off_in_arrival_order(void **state)
{
	(void)state;
	const char *text =
		"scenario order\ncpus 4\nlock L\n"
		"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"
		"task a socket=s cpu=0 do=\"spin_lock L; work 10us; spin_unlock L\"\n"
		"task b socket=s cpu=1 do=\"spin_lock L; spin_unlock L\" at=3us\n"
		"task c socket=s cpu=2 do=\"spin_lock L; spin_unlock L\" at=1us\n"
		"task d socket=s cpu=3 do=\"spin_lock L; spin_unlock L\" at=2us\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	long long c = trace_time_of(&r, "c spin:acquired", 0);
	long long d = trace_time_of(&r, "d spin:acquired", 0);
	long long b = trace_time_of(&r, "b spin:acquired", 0);
	assert_true(c < d && d < b);
	model_run_free(&r);
}

static void test_wait_and_hold_are_exact(void **state)
{
	(void)state;
	/* a takes L at 0 (spin:lock costs 12 ns), works 10 us, releases at
	 * 10012; b tries at 1000 and gets it at 10012 + 60 (default hand-off):
	 * it waited 9072 ns. */
	const char *text =
		"scenario exact\ncpus 2\nlock L\n"
		"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"
		"task a socket=s cpu=0 do=\"spin_lock L; work 10us; spin_unlock L\"\n"
		"task b socket=s cpu=1 do=\"spin_lock L; spin_unlock L\" at=1us\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_SPIN_TOTAL_NS], 9072);
	assert_int_equal(r.m[SCN_M_SPIN_MAX_NS], 9072);
	assert_int_equal(trace_count(&r, "spin:release lock=2 hold=10012"), 1);
	model_run_free(&r);
}

static void test_irqsave_holds_off_hardirqs(void **state)
{
	(void)state;
	const char *text =
		"scenario irqsave\ncpus 1\nlock L\n"
		"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"
		"task a socket=s cpu=0 do=\"spin_lock_irqsave L; work 10us; spin_unlock_irqrestore L\"\n"
		"flow f socket=s cpu=0 at=2us count=1 size=64\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	long long unlock = trace_time_of(&r, "spin:release", 0);
	long long irq = trace_time_of(&r, "irq:enter", 0);
	assert_true(unlock >= 10000);
	assert_int_equal(irq, unlock);     /* taken at the step that re-enables IRQs */
	model_run_free(&r);
	/* with plain spin_lock, the hardirq comes in at 2us */
	const char *plain =
		"scenario plain\ncpus 1\nlock L\n"
		"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"
		"task a socket=s cpu=0 do=\"spin_lock L; work 10us; spin_unlock L\"\n"
		"flow f socket=s cpu=0 at=2us count=1 size=64\n";
	assert_int_equal(model_run_text(plain, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(trace_time_of(&r, "irq:enter", 0), 2000);
	model_run_free(&r);
}

static void test_abba_deadlock(void **state)
{
	(void)state;
	const char *text =
		"scenario abba\ncpus 2\nlock A\nlock B\n"
		"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"
		"task x socket=s cpu=0 do=\"spin_lock A; work 1us; spin_lock B; spin_unlock B; spin_unlock A\"\n"
		"task y socket=s cpu=1 do=\"spin_lock B; work 1us; spin_lock A; spin_unlock A; spin_unlock B\"\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 1);
	assert_non_null(strstr(r.story, "spins on B, held by y on cpu1"));
	assert_non_null(strstr(r.story, "spins on A, held by x on cpu0"));
	/* the same two locks in the same order: no deadlock */
	const char *ok =
		"scenario ab\ncpus 2\nlock A\nlock B\n"
		"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"
		"task x socket=s cpu=0 do=\"spin_lock A; work 1us; spin_lock B; spin_unlock B; spin_unlock A\"\n"
		"task y socket=s cpu=1 do=\"spin_lock A; work 1us; spin_lock B; spin_unlock B; spin_unlock A\"\n";
	assert_int_equal(model_run_text(ok, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 0);
	assert_int_equal(r.end, SIM_END_QUIET);
}

static void test_bad_unlock_is_a_violation(void **state)
{
	(void)state;
	const char *text =
		"scenario bad\ncpus 1\nlock L\n"
		"socket s type=stream rcvbuf=64KiB sndbuf=64KiB\n"
		"task x socket=s cpu=0 do=\"spin_unlock L\"\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 1);
	assert_non_null(strstr(r.story, "bad unlock balance"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_exclusion_progress),
		cmocka_unit_test(test_random_exclusion_progress),
		cmocka_unit_test(test_fifo_hands_off_in_arrival_order),
		cmocka_unit_test(test_wait_and_hold_are_exact),
		cmocka_unit_test(test_irqsave_holds_off_hardirqs),
		cmocka_unit_test(test_abba_deadlock),
		cmocka_unit_test(test_bad_unlock_is_a_violation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
