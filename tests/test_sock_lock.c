/* test_sock_lock.c - the socket lock's two faces (seed 000, DESIGN.md 3.1):
 * packets arriving while a task owns the socket go to the backlog and are
 * processed by release_sock, in arrival order, in process context; none is
 * processed inline while owned; backlog refusals are counted; nothing is
 * lost.  Each broken variant is caught, and the correct kernel is clean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"
#include "sock_lock.h"

static const char owned_text[] =
	"scenario owned\ncpus 2\n"
	"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
	"task user socket=s cpu=0 do=\"lock_sock; work 30us; release_sock\" at=2us\n"
	"flow f socket=s cpu=1 every=2us count=40 size=1000\n";

/* Between `from` and `to` (trace line prefixes), is there a line with `what`? */
static int between(const char *trace, const char *from, const char *to, const char *what)
{
	const char *a = strstr(trace, from);
	const char *b = a ? strstr(a, to) : NULL;
	if (!a || !b)
		return -1;
	for (const char *p = strstr(a, what); p && p < b; p = strstr(p + 1, what))
		return 1;
	return 0;
}

static void test_owned_packets_go_to_backlog(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text(owned_text, SCN_FIX_NONE, 1, &r), 0);
	assert_true(r.m[SCN_M_BACKLOG_PROCESSED] >= 15);
	assert_true(r.m[SCN_M_INLINE_RCV] >= 5);
	assert_int_equal(r.m[SCN_M_BACKLOG_PROCESSED] + r.m[SCN_M_INLINE_RCV], 40);
	assert_int_equal(r.m[SCN_M_DELIVERED], 40);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(r.m[SCN_M_BACKLOG_DROPS], 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_true(r.m[SCN_M_BACKLOG_MAX] >= 15);
	/* none inline while owned */
	assert_int_equal(between(r.trace, "lock_sock:owned", "release_sock:owned", "tcp_rcv:do_rcv"), 0);
	/* processed by the owner, in process context, in arrival order */
	uint64_t last = 0;
	int n = 0;
	for (const char *p = strstr(r.trace, "release_sock:backlog_rcv"); p;
	     p = strstr(p + 1, "release_sock:backlog_rcv")) {
		const char *line = p;
		while (line > r.trace && line[-1] != '\n')
			line--;
		assert_non_null(strstr(line, " cpu0 user release_sock:backlog_rcv"));
		const char *pk = strstr(p, "pkt=");
		assert_non_null(pk);
		uint64_t id = strtoull(pk + 4, NULL, 10);
		if (n++)
			assert_true(id > last);
		last = id;
	}
	assert_int_equal(n, (int)r.m[SCN_M_BACKLOG_PROCESSED]);
	model_run_free(&r);
}

static void test_backlog_limit_refuses_and_counts(void **state)
{
	(void)state;
	/* limit = rcvbuf + sndbuf = 8 KiB; each 1000 B packet is 1576 B truesize:
	 * the backlog takes 6 (the check is before the add), refuses the rest. */
	const char *text =
		"scenario flood\ncpus 2\n"
		"socket s type=stream rcvbuf=4KiB sndbuf=4KiB\n"
		"task user socket=s cpu=0 do=\"lock_sock; work 50us; release_sock\"\n"
		"flow f socket=s cpu=1 at=1us every=1us count=30 size=1000\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_BACKLOG_MAX], 6);
	assert_true(r.m[SCN_M_BACKLOG_DROPS] >= 20);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	/* nobody reads: what the backlog delivers beyond rcvbuf is TCPRcvQDrop */
	assert_int_equal(r.m[SCN_M_DELIVERED] + r.m[SCN_M_BACKLOG_DROPS] + r.m[SCN_M_RCVQ_DROPS], 30);
}

static void test_bug_bh_ignores_owned(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	snprintf(text, sizeof text, "%sbug bh_ignores_owned\n", owned_text);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_VIOLATIONS] >= 1);
	assert_non_null(strstr(r.story, "inline (tcp_v4_do_rcv) while user owns the socket"));
	assert_int_equal(r.m[SCN_M_BACKLOG_PROCESSED], 0);
	/* the correct kernel, same traffic: clean */
	assert_int_equal(model_run_text(owned_text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
}

static void test_bug_release_skips_backlog(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	snprintf(text, sizeof text, "%sbug release_skips_backlog\n", owned_text);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_LOST] >= 15);
	assert_int_equal(r.m[SCN_M_BACKLOG_PROCESSED], 0);
	assert_non_null(strstr(r.story, "which nobody owns"));
	assert_int_equal(model_run_text(owned_text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
}

/* release_sock by a task that does not own the socket: lockdep's "bad unlock
 * balance".  a owns s from 1us to ~31us; b releases it at 5us, so owned is
 * cleared under a and BH processes packets inline inside a's critical
 * section.  Caught at b's release, and again at a's. */
static void test_release_by_non_owner_is_a_violation(void **state)
{
	(void)state;
	const char *text =
		"scenario unbal\ncpus 3\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task a socket=s cpu=0 do=\"lock_sock; work 30us; release_sock\" at=1us\n"
		"task b socket=s cpu=1 do=\"release_sock\" at=5us\n"
		"flow f socket=s cpu=2 at=2us every=1us count=20 size=100\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_non_null(strstr(r.story, "bad unlock balance: release_sock(s) by a task that does not own it (a does)"));
	/* b drains a's backlog and clears owned: later packets go inline
	 * inside a's critical section (the oracle cannot tell them: owned is
	 * 0), and a's own release then finds nobody owns s */
	assert_true(r.m[SCN_M_INLINE_RCV] >= 1);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 2);
	/* without b: clean */
	const char *clean =
		"scenario bal\ncpus 3\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task a socket=s cpu=0 do=\"lock_sock; work 30us; release_sock\" at=1us\n"
		"flow f socket=s cpu=2 at=2us every=1us count=20 size=100\n";
	assert_int_equal(model_run_text(clean, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
}

/* sk_add_backlog()'s limit by kernel: rcvbuf + sndbuf to v4.8; tcp_add_backlog()
 * adds 64 KiB from v4.9, halves sndbuf from v6.1, doubles rcvbuf from v6.10. */
static void test_backlog_limit_by_kernel(void **state)
{
	(void)state;
	scn_socket so = { .type = SCN_SOCK_STREAM, .rcvbuf = 16384, .sndbuf = 8192 };
	assert_int_equal(sock_backlog_limit(&so, SCN_KERNEL(4, 8)), 24576);
	assert_int_equal(sock_backlog_limit(&so, SCN_KERNEL(4, 9)), 24576 + 65536);
	assert_int_equal(sock_backlog_limit(&so, SCN_KERNEL(6, 0)), 24576 + 65536);
	assert_int_equal(sock_backlog_limit(&so, SCN_KERNEL(6, 1)), 16384 + 4096 + 65536);
	assert_int_equal(sock_backlog_limit(&so, SCN_KERNEL(6, 10)), 32768 + 4096 + 65536);
	scn_socket big = { .type = SCN_SOCK_STREAM, .rcvbuf = INT32_MAX, .sndbuf = INT32_MAX };
	assert_int_equal(sock_backlog_limit(&big, SCN_KERNEL(6, 10)), UINT32_MAX);
	/* a run: the owner holds the socket for 30us while 40 packets come */
	const char *base =
		"scenario flood\ncpus 2\n"
		"socket s type=stream rcvbuf=16KiB sndbuf=0\n"
		"task user socket=s cpu=0 do=\"lock_sock; work 30us; release_sock\" at=1us\n"
		"flow f socket=s cpu=1 at=2us every=500ns count=40 size=1000\n";
	char text[512];
	model_run old, new;
	assert_int_equal(model_run_text(base, SCN_FIX_NONE, 0, &old), 0);
	snprintf(text, sizeof text, "%skernel 4.9\n", base);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &new), 0);
	assert_true(old.m[SCN_M_BACKLOG_DROPS] >= 1);
	assert_int_equal(new.m[SCN_M_BACKLOG_DROPS], 0);          /* 80 KiB: all 40 fit */
	assert_true(new.m[SCN_M_BACKLOG_MAX] > old.m[SCN_M_BACKLOG_MAX]);
	/* all 40 reach tcp_v4_do_rcv; beyond rcvbuf (nobody reads) they are
	 * TCPRcvQDrop */
	assert_int_equal(new.m[SCN_M_DELIVERED] + new.m[SCN_M_RCVQ_DROPS], 40);
	assert_true(new.m[SCN_M_RCVQ_DROPS] >= 1);
}

/* A task holding slock on cpu0 while cpu0's NIC delivers to the same socket. */
static const char same_cpu_text[] =
	"scenario samecpu\ncpus 1\n"
	"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
	"task user socket=s cpu=0 do=\"lock_sock_fast; work 10us; unlock_sock_fast\"\n"
	"flow f socket=s cpu=0 at=2us count=1 size=100\n";

static void test_softirq_runs_right_after_spin_unlock_bh(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text(same_cpu_text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_int_equal(r.m[SCN_M_INLINE_RCV], 1);
	long long irq = trace_time_of(&r, "irq:enter", 0);
	long long unlock = trace_time_of(&r, "unlock_sock_fast:fast", 0);
	long long soft = trace_time_of(&r, "softirq:enter", 0);
	assert_int_equal(irq, 2000);          /* the hardirq preempts at once (IRQs are on) */
	assert_true(unlock > 10000);          /* after the 10us of work */
	assert_int_equal(soft, unlock);       /* not at irq exit: exactly at local_bh_enable */
	assert_true(trace_time_of(&r, "tcp_rcv:bh_lock_sock", 0) >= unlock);
	model_run_free(&r);
}

static void test_bug_lock_sock_without_bh_deadlocks(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	snprintf(text, sizeof text, "%sbug lock_sock_without_bh\n", same_cpu_text);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 1);
	assert_true(r.m[SCN_M_VIOLATIONS] >= 1);
	assert_non_null(strstr(r.story, "{SOFTIRQ-ON-W}"));
	assert_non_null(strstr(r.story, "spins on sk_lock.slock of s, held by user on cpu0"));
	assert_non_null(strstr(r.story, "wait-for chain closes"));
	assert_int_equal(r.end, SIM_END_STOPPED);
}

static void test_lock_sock_fast_paths(void **state)
{
	(void)state;
	const char *text =
		"scenario fast\ncpus 2\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task owner socket=s cpu=0 do=\"lock_sock; work 20us; release_sock\"\n"
		"task quick socket=s cpu=1 do=\"lock_sock_fast; work 1us; unlock_sock_fast\" at=5us\n"
		"task early socket=s cpu=1 do=\"lock_sock_fast; work 1us; unlock_sock_fast\" at=40us\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	/* quick finds the socket owned: slow path, sleeps, owns it after release */
	assert_int_equal(trace_count(&r, "quick lock_sock_fast:slow"), 1);
	assert_int_equal(trace_count(&r, "quick unlock_sock_fast:slow"), 1);
	assert_int_equal(trace_count(&r, "quick sched:sleep"), 1);
	assert_true(trace_time_of(&r, "quick lock_sock:owned", 0) > trace_time_of(&r, "owner release_sock:owned", 0));
	/* early finds it free: fast path, never owned */
	assert_int_equal(trace_count(&r, "early lock_sock_fast:fast"), 1);
	assert_int_equal(trace_count(&r, "early unlock_sock_fast:fast"), 1);
	assert_int_equal(trace_count(&r, "early lock_sock:owned"), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	model_run_free(&r);
}

static void test_lock_sock_waiters_fifo(void **state)
{
	(void)state;
	const char *text =
		"scenario fifo\ncpus 4\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task t0 socket=s cpu=0 do=\"lock_sock; work 20us; release_sock\"\n"
		"task t1 socket=s cpu=1 do=\"lock_sock; work 1us; release_sock\" at=3us\n"
		"task t2 socket=s cpu=2 do=\"lock_sock; work 1us; release_sock\" at=2us\n"
		"task t3 socket=s cpu=3 do=\"lock_sock; work 1us; release_sock\" at=4us\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	long long o2 = trace_time_of(&r, "t2 lock_sock:owned", 0);
	long long o1 = trace_time_of(&r, "t1 lock_sock:owned", 0);
	long long o3 = trace_time_of(&r, "t3 lock_sock:owned", 0);
	assert_true(o2 > 20000 && o2 < o1 && o1 < o3);     /* the order they slept in */
	model_run_free(&r);
}

static void test_sleep_under_lock_sock_fast_is_a_violation(void **state)
{
	(void)state;
	const char *text =
		"scenario atomic\ncpus 1\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task user socket=s cpu=0 do=\"lock_sock_fast; sleep 1us; unlock_sock_fast\"\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 1);
	assert_non_null(strstr(r.story, "sleeping function called from invalid context"));
	const char *ok =
		"scenario atomic\ncpus 1\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task user socket=s cpu=0 do=\"lock_sock; sleep 1us; release_sock\"\n";
	assert_int_equal(model_run_text(ok, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
}

static void test_recursive_lock_sock_is_a_deadlock(void **state)
{
	(void)state;
	const char *text =
		"scenario recursive\ncpus 1\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task user socket=s cpu=0 do=\"lock_sock; work 1us; lock_sock; release_sock\"\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 1);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 1);
	assert_non_null(strstr(r.story, "possible recursive locking"));
	assert_int_equal(r.end, SIM_END_STOPPED);
}

static void test_recv_takes_the_receive_queue(void **state)
{
	(void)state;
	const char *text =
		"scenario recv\ncpus 2\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"flow f socket=s cpu=1 every=1us count=10 size=500\n"
		"task reader socket=s cpu=0 do=\"recv\" at=50us\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_INLINE_RCV], 10);
	assert_int_equal(r.m[SCN_M_CONSUMED], 10);
	assert_int_equal(r.m[SCN_M_LOST], 0);
}

/* Bug caught: the receive queue growing without bound (no TCPRcvQDrop),
 * the test made after adding (one packet too few), a dropped packet
 * counted as delivered, or recv not making room again. */
static void test_rcvq_drop_when_rmem_over_rcvbuf(void **state)
{
	(void)state;
	/* truesize 500 + 576 = 1076: 0, 1076, 2152 and 3228 <= 4096 are
	 * queued, the 5th finds 4304 > 4096 and every later one too */
	const char *text =
		"scenario rq\ncpus 1\n"
		"socket s type=stream rcvbuf=4096 sndbuf=64KiB\n"
		"flow f socket=s cpu=0 every=5us count=10 size=500\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 4);
	assert_int_equal(r.m[SCN_M_RCVQ_DROPS], 6);
	assert_int_equal(r.m[SCN_M_INLINE_RCV], 10);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(trace_count(&r, "tcp_rcv:rcvq_drop sock=0 pkt=4 rmem=4304"), 1);
	model_run_free(&r);
	/* a reader that empties the queue between packets: nothing dropped */
	const char *reader =
		"scenario rq\ncpus 2\n"
		"socket s type=stream rcvbuf=4096 sndbuf=64KiB\n"
		"flow f socket=s cpu=0 every=5us count=10 size=500\n"
		"task rd socket=s cpu=1 at=2us repeat=10 every=5us do=\"recv\"\n";
	assert_int_equal(model_run_text(reader, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_RCVQ_DROPS], 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 10);
	model_run_free(&r);
}

/* Bug caught: recv returning what the receive queue held while the backlog
 * it owns keeps packets: tcp_recvmsg_locked() processes the backlog and
 * copies again ("Do not sleep, just process backlog") -- by
 * __sk_flush_backlog() since v5.17, keeping the socket, by release_sock();
 * lock_sock() before. */
static void test_recv_flushes_the_backlog(void **state)
{
	(void)state;
	char text[512];
	const char *kernels[] = { "6.1", "5.10" };
	for (int i = 0; i < 2; i++) {
		snprintf(text, sizeof text,
			 "scenario rf\ncpus 2\nkernel %s\n"
			 "socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
			 "task user socket=s cpu=0 at=2us do=\"lock_sock; work 10us; recv; work 1us; "
			 "release_sock\"\n"
			 "flow early socket=s cpu=1 count=1 size=1000\n"
			 "flow rx socket=s cpu=1 at=4us every=500ns count=4 size=1000\n", kernels[i]);
		model_run r;
		assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
		/* the early packet inline, the four (coalesced) by the flush: all read */
		assert_int_equal(r.m[SCN_M_CONSUMED], 5);
		assert_int_equal(r.m[SCN_M_BACKLOG_PROCESSED], 4);
		assert_int_equal(trace_count(&r, "recv:flush_backlog sock=0 backlog=1"), 1);
		assert_int_equal(trace_count(&r, "recv:dequeue sock=0 pkts=4"), 1);
		/* v5.17+ keeps the socket: one release_sock:owned (the task's own) */
		assert_int_equal(trace_count(&r, "release_sock:owned"), i == 0 ? 1 : 2);
		assert_int_equal(trace_count(&r, "lock_sock:owned"), i == 0 ? 1 : 2);
		model_run_free(&r);
	}
}

/* Bug caught: no cond_resched() in __release_sock's loop: without
 * CONFIG_PREEMPT a long backlog keeps a waiting task off the CPU until
 * release_sock returns. */
static void test_release_sock_cond_resched(void **state)
{
	(void)state;
	/* `own` owns the socket for 20us while 40 segments queue (~32 us of
	 * backlog_rcv); `other` waits on cpu0 from 1us; slice 10us */
	const char *base =
		"scenario cr\ncpus 2\nsched slice=10us preempt=voluntary\n"
		"socket s type=stream rcvbuf=16MiB sndbuf=0\n"
		"task own socket=s cpu=0 do=\"lock_sock; work 20us; release_sock\"\n"
		"task other socket=s cpu=0 at=1us do=\"work 5us\"\n"
		"flow f socket=s cpu=1 at=2us every=400ns count=40 size=100\n";
	model_run r;
	assert_int_equal(model_run_text(base, SCN_FIX_NONE, 1, &r), 0);
	/* preempted once, inside the loop: after a backlog_rcv, before the
	 * owner lets the socket go */
	assert_int_equal(trace_count(&r, "own sched:preempt"), 1);
	long long pre = trace_time_of(&r, "own sched:preempt", 0);
	assert_true(pre > trace_time_of(&r, "own release_sock:backlog_rcv", 0));
	assert_true(pre < trace_time_of(&r, "own release_sock:owned", 0));
	assert_true(trace_time_of(&r, "other sched:exit", 0) <
		    trace_time_of(&r, "own release_sock:owned", 0));
	assert_int_equal(r.m[SCN_M_BACKLOG_PROCESSED], 40);
	model_run_free(&r);
}

/* Bug caught: no v5.0 coalescing (one backlog skb a segment), coalescing
 * on older kernels, a merged skb counted as one packet (delivered or
 * backlog_processed short, lost > 0), or merging past MAX_SKB_FRAGS. */
static void test_backlog_coalescing_from_5_0(void **state)
{
	(void)state;
	const char *base =
		"scenario co\ncpus 2\n"
		"socket s type=stream rcvbuf=16MiB sndbuf=0\n"
		"task user socket=s cpu=0 do=\"lock_sock; work 60us; release_sock\" at=1us\n"
		"flow f socket=s cpu=1 at=2us every=1us count=40 size=100\n";
	char text[512];
	model_run r;
	snprintf(text, sizeof text, "%skernel 4.19\n", base);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_BACKLOG_MAX], 40);
	assert_int_equal(r.m[SCN_M_BACKLOG_PROCESSED], 40);
	model_run_free(&r);
	snprintf(text, sizeof text, "%skernel 5.0\n", base);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	/* 40 segments in skbs of at most 18 (a head and 17 frags): 18, 18, 4 */
	assert_int_equal(r.m[SCN_M_BACKLOG_MAX], 3);
	assert_int_equal(trace_count(&r, "tcp_rcv:backlog_coalesce"), 37);
	assert_int_equal(r.m[SCN_M_BACKLOG_PROCESSED], 40);
	assert_int_equal(r.m[SCN_M_DELIVERED], 40);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(trace_count(&r, "release_sock:backlog_rcv"), 3);
	model_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owned_packets_go_to_backlog),
		cmocka_unit_test(test_backlog_limit_refuses_and_counts),
		cmocka_unit_test(test_bug_bh_ignores_owned),
		cmocka_unit_test(test_bug_release_skips_backlog),
		cmocka_unit_test(test_softirq_runs_right_after_spin_unlock_bh),
		cmocka_unit_test(test_bug_lock_sock_without_bh_deadlocks),
		cmocka_unit_test(test_lock_sock_fast_paths),
		cmocka_unit_test(test_lock_sock_waiters_fifo),
		cmocka_unit_test(test_sleep_under_lock_sock_fast_is_a_violation),
		cmocka_unit_test(test_recursive_lock_sock_is_a_deadlock),
		cmocka_unit_test(test_recv_takes_the_receive_queue),
		cmocka_unit_test(test_release_by_non_owner_is_a_violation),
		cmocka_unit_test(test_backlog_limit_by_kernel),
		cmocka_unit_test(test_rcvq_drop_when_rmem_over_rcvbuf),
		cmocka_unit_test(test_release_sock_cond_resched),
		cmocka_unit_test(test_backlog_coalescing_from_5_0),
		cmocka_unit_test(test_recv_flushes_the_backlog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
