/* test_loopback.c - models/loopback.c: `flow ... source=lo`, packets sent by
 * a process-context sender through the loopback path on its own CPU, seen
 * from scenarios (metrics and text traces):
 *  - the sender's CPU is busy for the send (lo:xmit, lo:enqueue with BH
 *    off), and NET_RX runs at its local_bh_enable(), on that CPU, where
 *    process_backlog() delivers to the socket in softirq context;
 *  - a task on the sender's CPU waits for the sender, one on another does not;
 *  - NIC and backlog packets on one CPU are both polled by its NET_RX;
 *  - a backlog past netdev_max_backlog drops (nic_drops) when NET_RX is
 *    left to ksoftirqd (v4.9..v6.4) and the sender keeps sending.
 * Each test names, in a comment, the model bug it catches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

static const char one_text[] =
	"scenario lo\nkernel 6.18\ncpus 2\n"
	"socket cap type=packet version=v2 frames=8 frame_size=2048\n"
	"flow a socket=cap cpu=1 count=1 size=64 source=lo\n";

/* Bugs caught: the packet taken to a NIC queue (netrx:irq) or another CPU;
 * NET_RX run while the sender has BH off (before lo:bh_enable); the send
 * taking no time on the sender's CPU. */
static void test_net_rx_runs_at_bh_enable_on_the_sender_cpu(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text(one_text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 1);
	assert_int_equal(trace_count(&r, "netrx:"), 0);
	assert_int_equal(trace_count(&r, "cpu0 "), 0);
	long long xmit = trace_time_of(&r, "cpu1 a lo:xmit", 0);
	long long enq = trace_time_of(&r, "cpu1 a lo:enqueue", 0);
	long long bh = trace_time_of(&r, "cpu1 a lo:bh_enable", 0);
	long long enter = trace_time_of(&r, "cpu1 softirq softirq:enter nr=3", 0);
	long long poll = trace_time_of(&r, "cpu1 softirq lo:backlog_poll pkt=0", 0);
	long long rcv = trace_time_of(&r, "cpu1 softirq tpacket_rcv:K", 0);
	assert_true(xmit >= 0 && enq >= 0 && bh >= 0 && poll >= 0 && rcv >= 0);
	assert_true(enq - xmit >= 600);         /* lo:xmit's default cost, on the sender */
	assert_true(bh > enq);
	assert_true(enter == bh && poll == bh); /* do_softirq() from local_bh_enable() */
	assert_true(rcv > poll);
	assert_int_equal(trace_count(&r, "lo:backlog_done"), 1);
	model_run_free(&r);
}

/* A task (a reader) on cpu `cpu`, the sender on cpu0: when the task ends. */
static long long task_end(const char *cpu)
{
	char text[512];
	snprintf(text, sizeof text,
		 "scenario share\nkernel 6.18\ncpus 2\n"
		 "socket cap type=packet version=v2 frames=64 frame_size=2048\n"
		 "flow a socket=cap cpu=0 count=20 every=1ns size=64 source=lo\n"
		 "task t cpu=%s do=\"work 2us\" at=100ns\n", cpu);
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 20);
	long long end = trace_time_of(&r, " t sched:exit", 0);
	model_run_free(&r);
	return end;
}

/* Bug caught: the sender or its NET_RX not taking its CPU from other tasks
 * (sending from a timer, as NIC flows do, would leave the task at 2100 ns). */
static void test_task_on_the_sender_cpu_is_delayed(void **state)
{
	(void)state;
	long long other = task_end("1"), same = task_end("0");
	assert_int_equal(other, 2100);
	assert_true(same > other + 10000);      /* 20 sends of ~0.9 us each first */
}

/* How many of the sender a's packets are polled between its lo:bh_enable
 * and its next lo:xmit (in the NET_RX run its local_bh_enable() starts),
 * and how many NET_RX runs poll both NAPI instances. */
static int polled_at_bh_enable(const model_run *r, int *both)
{
	int n = 0, after_bh = 0, nic = 0, lo = 0;
	*both = 0;
	for (const char *p = r->trace; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char line[256];
		snprintf(line, sizeof line, "%.*s", (int)(len < 255 ? len : 255), p);
		if (strstr(line, " a lo:bh_enable"))
			after_bh = 1;
		else if (strstr(line, " a lo:xmit"))
			after_bh = 0;
		else if (strstr(line, "lo:backlog_poll pkt="))
			n += after_bh, lo = 1;
		else if (strstr(line, "netrx:rx pkt="))
			nic = 1;
		else if (strstr(line, "softirq:exit"))
			*both += nic && lo, nic = lo = 0;
	}
	return n;
}

/* Bug caught: NET_RX polling only the NIC's NAPI when both are scheduled
 * (the backlog's packets wait for a later run), or only the backlog's; a lo
 * packet put on the NIC queue. */
static void test_nic_and_backlog_share_net_rx(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text("scenario both\nkernel 6.18\ncpus 1\n"
					"socket cap type=packet version=v2 frames=256 frame_size=2048\n"
					"flow n socket=cap cpu=0 count=100 every=1us\n"
					"flow a socket=cap cpu=0 count=100 every=150ns source=lo\n",
					SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 200);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(trace_count(&r, "netrx:rx pkt="), 100);
	assert_int_equal(trace_count(&r, "lo:backlog_poll pkt="), 100);
	assert_int_equal(trace_count(&r, "lo:enqueue"), 100);
	int both;
	assert_int_equal(polled_at_bh_enable(&r, &both), 100);
	assert_true(both > 0);
	model_run_free(&r);
}

/* A NIC flood makes NET_RX defer to ksoftirqd; a lo sender on that CPU
 * starts at 10 us.  Returns the run; *maxq the longest backlog seen. */
static void flood(const char *kernel, model_run *r, long *maxq)
{
	char text[512];
	snprintf(text, sizeof text,
		 "scenario ovf\nkernel %s\ncpus 1\n"
		 "socket cap type=packet version=v2 frames=4096 frame_size=2048\n"
		 "flow n socket=cap cpu=0 count=2000 every=50ns size=64\n"
		 "flow a socket=cap cpu=0 count=3000 every=1ns size=64 source=lo at=10us\n", kernel);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, r), 0);
	*maxq = 0;
	for (const char *p = r->trace; (p = strstr(p, "lo:enqueue pkt=")) != NULL; p++) {
		const char *q = strstr(p, "queued=");
		long v = q ? atol(q + strlen("queued=")) : 0;
		*maxq = v > *maxq ? v : *maxq;
	}
}

/* Bug caught: no bound on the backlog (netdev_max_backlog), its drops not
 * counted, or NET_RX run at local_bh_enable() while ksoftirqd is runnable
 * on kernels that defer to it (v4.9..v6.4). */
static void test_backlog_overflow_is_nic_drops(void **state)
{
	(void)state;
	model_run r;
	long maxq;
	flood("5.10", &r, &maxq);
	int ldrops = trace_count(&r, "lo:backlog_drop");
	assert_true(ldrops > 0);
	assert_int_equal(maxq, 1001);           /* queued while qlen <= 1000 */
	assert_true(r.m[SCN_M_NIC_DROPS] >= (uint64_t)ldrops);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	model_run_free(&r);
	flood("6.18", &r, &maxq);               /* do_softirq() at every local_bh_enable() */
	assert_int_equal(trace_count(&r, "lo:backlog_drop"), 0);
	assert_true(maxq < 1001);
	model_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_rx_runs_at_bh_enable_on_the_sender_cpu),
		cmocka_unit_test(test_task_on_the_sender_cpu_is_delayed),
		cmocka_unit_test(test_nic_and_backlog_share_net_rx),
		cmocka_unit_test(test_backlog_overflow_is_nic_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
