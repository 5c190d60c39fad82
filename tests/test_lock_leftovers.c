/* test_lock_leftovers.c - issue 14 points 2 and 3: lock/unlock flavours that do
 * not match, and state a task leaves behind when its program ends.
 *
 * Every pair of the three lock and three unlock flavours runs on one CPU with
 * a flow of 5 packets after it.  A mismatch is a lock-rule violation told as
 * the kernel warns, never an abort (the debug build asserted in
 * sim_bh_enable/sim_irq_enable) nor a wrapped depth (the release build then
 * kept BH off forever and the flow vanished); what an exited task leaves off
 * strands the CPU's NIC queue, and `lost` counts those packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

static const char *const lock_ops[3] = { "spin_lock", "spin_lock_bh", "spin_lock_irqsave" };
static const char *const unlock_ops[3] = { "spin_unlock", "spin_unlock_bh", "spin_unlock_irqrestore" };

/* [lock][unlock]: violations, packets lost, and a phrase of the story. */
static const struct {
	int violations, lost;
	const char *says;
} want[3][3] = {
	{ { 0, 0, NULL },
	  { 1, 0, "with BH not disabled" },
	  { 1, 0, "raw_local_irq_restore() called with IRQs enabled" } },
	{ { 1, 5, "returns with BH disabled" },
	  { 0, 0, NULL },
	  { 2, 5, "returns with BH disabled" } },
	{ { 1, 5, "returns with IRQs disabled" },
	  { 3, 5, "lockdep_assert_irqs_enabled" },
	  { 0, 0, NULL } },
};

static void run_pair(int lk, int ul, model_run *r)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "scenario pair\ncpus 1\nlock L\n"
		 "socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		 "task t socket=s cpu=0 do=\"%s L; work 1us; %s L\"\n"
		 "flow rx socket=s cpu=0 at=5us count=5 size=100\n",
		 lock_ops[lk], unlock_ops[ul]);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, r), 0);
}

static void test_every_flavour_pair(void **state)
{
	(void)state;
	for (int lk = 0; lk < 3; lk++)
		for (int ul = 0; ul < 3; ul++) {
			model_run r;
			run_pair(lk, ul, &r);
			print_message("# %s + %s: violations %d lost %d\n", lock_ops[lk], unlock_ops[ul],
				      (int)r.m[SCN_M_VIOLATIONS], (int)r.m[SCN_M_LOST]);
			assert_int_equal(r.end, SIM_END_QUIET);
			assert_int_equal(r.m[SCN_M_VIOLATIONS], want[lk][ul].violations);
			assert_int_equal(r.m[SCN_M_LOST], want[lk][ul].lost);
			/* every packet is told: delivered, or lost */
			assert_int_equal(r.m[SCN_M_DELIVERED] + r.m[SCN_M_LOST], 5);
			if (want[lk][ul].says)
				assert_non_null(strstr(r.story, want[lk][ul].says));
			model_run_free(&r);
		}
}

/* An unlock too many after a matched pair: the depth stays 0 (a wrapped
 * depth would keep BH off for good and the flow would vanish). */
static void test_unbalanced_bh_enable_keeps_depth_zero(void **state)
{
	(void)state;
	model_run r;
	const char *text =
		"scenario twice\ncpus 1\nlock L\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task t socket=s cpu=0 do=\"spin_lock_bh L; spin_unlock_bh L; spin_unlock_bh L\"\n"
		"flow rx socket=s cpu=0 at=5us count=5 size=100\n";
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 5);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_non_null(strstr(r.story, "bad unlock balance"));
	assert_non_null(strstr(r.story, "with BH not disabled"));
	model_run_free(&r);
}

/* A task returns holding a spinlock: another spins on it forever. */
static void test_exit_holding_a_spinlock(void **state)
{
	(void)state;
	model_run r;
	const char *text =
		"scenario held\ncpus 2\nlock L\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task a socket=s cpu=0 do=\"spin_lock L\"\n"
		"task b socket=s cpu=1 at=1us do=\"spin_lock L; spin_unlock L\"\n";
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 1);
	assert_non_null(strstr(r.story, "BUG: lock held when returning to user space!"));
	model_run_free(&r);
}

/* A task returns owning the socket: its backlog is never processed. */
static void test_exit_owning_the_socket(void **state)
{
	(void)state;
	model_run r;
	const char *text =
		"scenario owned\ncpus 1\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task t socket=s cpu=0 do=\"lock_sock\"\n"
		"flow rx socket=s cpu=0 at=5us count=5 size=100\n";
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 1);
	assert_int_equal(r.m[SCN_M_LOST], 5);
	assert_non_null(strstr(r.story, "sk_lock-AF_INET of s stays owned"));
	assert_non_null(strstr(r.story, "owned by a task that has exited"));
	model_run_free(&r);
}

/* A task that still owns the socket when the run's time is up has not
 * exited: its backlog is not lost (release_sock() will come). */
static void test_owner_still_running_is_not_lost(void **state)
{
	(void)state;
	model_run r;
	const char *text =
		"scenario running\ncpus 1\nlimit time=20us\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task t socket=s cpu=0 do=\"lock_sock; work 100us; release_sock\"\n"
		"flow rx socket=s cpu=0 at=5us count=5 size=100\n";
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	model_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_flavour_pair),
		cmocka_unit_test(test_unbalanced_bh_enable_keeps_depth_zero),
		cmocka_unit_test(test_exit_holding_a_spinlock),
		cmocka_unit_test(test_exit_owning_the_socket),
		cmocka_unit_test(test_owner_still_running_is_not_lost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
