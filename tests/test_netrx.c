/* test_netrx.c - models/netrx.c: flows, the NIC queue, the NIC hardirq and
 * the NET_RX softirq, seen from scenarios (their metrics and text traces):
 *  - a flow's packets reach their socket through the NIC queue and NET_RX,
 *    in arrival order, for stream and packet sockets;
 *  - the NAPI weight (64, or `nic weight=N`) ends a poll with packets left
 *    and raises NET_RX again (netrx:repoll); before v3.19 the run polls
 *    again until the budget (300, `nic budget=N`) is spent (netrx:budget);
 *  - a full NIC queue (`nic queue=N`) drops new arrivals (nic_drops);
 *  - a flow without `every` sends at 10 GbE line rate for its size;
 *  - each CPU's packets are handled by that CPU's own softirq;
 *  - the queue's hardirq is masked while NAPI is scheduled.
 * Each test names, in a comment, the model bug it catches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

/* Every trace line containing `needle` also contains `want`; returns how
 * many lines contain `needle`. */
static int lines_with(const model_run *r, const char *needle, const char *want)
{
	int n = 0;
	for (const char *p = r->trace; p && (p = strstr(p, needle)) != NULL; p++) {
		const char *line = p, *end = strchr(p, '\n');
		while (line > r->trace && line[-1] != '\n')
			line--;
		const char *w = strstr(line, want);
		if (!w || (end && w > end))
			fail_msg("line with '%s' lacks '%s': %.*s", needle, want,
				 (int)(end ? end - line : (long)strlen(line)), line);
		n++;
	}
	return n;
}

/* The packet ids of the netrx:rx lines, in trace order, into ids[]; returns
 * how many. */
static int rx_ids(const model_run *r, uint64_t *ids, int max)
{
	int n = 0;
	for (const char *p = r->trace; p && (p = strstr(p, "netrx:rx pkt=")) != NULL && n < max; p++)
		ids[n++] = strtoull(p + strlen("netrx:rx pkt="), NULL, 10);
	return n;
}

static const char stream_text[] =
	"scenario rx\ncpus 2\n"
	"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
	"flow f socket=s cpu=0 every=100ns count=30 size=64\n";

/* Bug caught: net_rx_action() not calling the protocol (nothing delivered),
 * or napi->poll() taking the queue's tail instead of its head (out of order). */
static void test_packets_reach_the_socket_in_order(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text(stream_text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 30);
	assert_int_equal(r.m[SCN_M_INLINE_RCV], 30);
	assert_int_equal(r.m[SCN_M_NIC_DROPS], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	uint64_t ids[64];
	assert_int_equal(rx_ids(&r, ids, 64), 30);
	for (int i = 0; i < 30; i++)
		assert_int_equal(ids[i], (uint64_t)i);
	/* each packet taken off the queue is handed to tcp_v4_rcv next */
	assert_int_equal(lines_with(&r, "netrx:rx", "cpu0 softirq"), 30);
	assert_int_equal(trace_count(&r, "tcp_rcv:do_rcv"), 30);
	model_run_free(&r);
	/* and to tpacket_rcv for a packet socket */
	const char *ring =
		"scenario rx\ncpus 2\n"
		"socket cap type=packet version=v2 frames=64 frame_size=2048\n"
		"flow f socket=cap cpu=0 every=100ns count=30 size=64\n";
	assert_int_equal(model_run_text(ring, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 30);
	assert_int_equal(trace_count(&r, "tpacket_rcv:J "), 30);
	model_run_free(&r);
}

/* Bug caught: the weight test off by one or not made (no netrx:repoll,
 * one long poll), NET_RX not raised again after it (packets left in the
 * queue, delivered < count), the v3.19 rule applied to older kernels (one
 * poll a run) or the budget/time check missing (no netrx:budget). */
static void test_weight_and_budget_reraise_net_rx(void **state)
{
	(void)state;
	/* 10 packets back to back; each takes ~870ns, they come every 10ns:
	 * weight 4 gives polls of 4, 4, 2 -- since v3.19 one poll a run: two
	 * repolls, three softirq runs */
	const char *text =
		"scenario budget\ncpus 1\nnic weight=4\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"flow f socket=s cpu=0 every=10ns count=10 size=64\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 10);
	assert_int_equal(trace_count(&r, "netrx:repoll"), 2);
	assert_int_equal(trace_count(&r, "netrx:repoll left=6"), 1);
	assert_int_equal(trace_count(&r, "netrx:repoll left=2"), 1);
	assert_int_equal(trace_count(&r, "netrx:budget"), 0);
	assert_int_equal(trace_count(&r, "softirq:enter"), 3);
	assert_int_equal(trace_count(&r, "netrx:complete"), 1);
	/* the poll ends right after the 4th and 8th packet */
	long long b0 = trace_time_of(&r, "netrx:repoll", 0);
	assert_true(b0 > trace_time_of(&r, "netrx:rx pkt=3 ", 0));
	assert_true(b0 < trace_time_of(&r, "netrx:rx pkt=4 ", 0));
	model_run_free(&r);
	/* before v3.19 the run polls again while budget is left: budget 8 is
	 * spent after two polls (time_squeeze), the rest in a second run */
	const char *old =
		"scenario budget\ncpus 1\nnic weight=4 budget=8\nkernel 3.18\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"flow f socket=s cpu=0 every=10ns count=10 size=64\n";
	assert_int_equal(model_run_text(old, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 10);
	assert_int_equal(trace_count(&r, "netrx:repoll left=6"), 1);
	assert_int_equal(trace_count(&r, "netrx:budget left=2"), 1);
	assert_int_equal(trace_count(&r, "softirq:enter"), 2);
	model_run_free(&r);
	/* the default weight is 64: 700 packets at line rate, ten full polls
	 * in the ten passes __do_softirq() may make, the last 60 by ksoftirqd */
	const char *dflt =
		"scenario budget\ncpus 1\n"
		"socket s type=stream rcvbuf=256MiB sndbuf=64KiB\n"
		"flow f socket=s cpu=0 count=700 size=64\n";
	assert_int_equal(model_run_text(dflt, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 700);
	assert_int_equal(r.m[SCN_M_NIC_DROPS], 0);
	assert_int_equal(trace_count(&r, "netrx:repoll"), 10);
	assert_int_equal(trace_count(&r, "netrx:repoll left=636"), 1);
	assert_int_equal(trace_count(&r, "netrx:budget"), 0);
	assert_int_equal(trace_count(&r, "softirq:defer"), 1);
	assert_int_equal(trace_count(&r, "ksoftirqd:run"), 1);
	model_run_free(&r);
}

/* Bug caught: no bound on the NIC queue (nothing dropped), a drop not
 * counted, or the oldest packet dropped instead of the new arrival. */
static void test_nic_queue_overflow_is_nic_drops(void **state)
{
	(void)state;
	/* 20 packets at line rate (68ns apart) into a 4-slot queue: packets 0..3
	 * fill it; the softirq takes packet 0 at 500ns (after the hardirq), so
	 * packet 8 (544ns) finds a slot; the next pop is at ~1.4us, after the
	 * last arrival (1292ns).  Delivered: 0, 1, 2, 3, 8; 15 dropped. */
	const char *text =
		"scenario burst\ncpus 1\nnic queue=4\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"flow f socket=s cpu=0 count=20 size=64\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_NIC_DROPS], 15);
	assert_int_equal(r.m[SCN_M_DELIVERED], 5);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	uint64_t ids[32];
	assert_int_equal(rx_ids(&r, ids, 32), 5);
	const uint64_t want[] = { 0, 1, 2, 3, 8 };
	for (int i = 0; i < 5; i++)
		assert_int_equal(ids[i], want[i]);
	model_run_free(&r);
	/* the default queue (1024) takes the same burst whole */
	const char *roomy =
		"scenario burst\ncpus 1\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"flow f socket=s cpu=0 count=20 size=64\n";
	assert_int_equal(model_run_text(roomy, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_NIC_DROPS], 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 20);
}

/* Bug caught: a flow's later packets armed at a wrong time (every ignored,
 * or the default spacing not the 10 GbE wire time of the frame). */
static void test_flow_without_every_is_line_rate(void **state)
{
	(void)state;
	/* 4000 B: (4000 + 20) * 8 / 10 = 3216ns on the wire.  Each packet is
	 * done (NAPI complete) long before the next arrives, so each raises
	 * the hardirq at its arrival time. */
	const char *text =
		"scenario wire\ncpus 1\n"
		"socket cap type=packet version=v2 frames=64 frame_size=8192\n"
		"flow f socket=cap cpu=0 count=5 size=4000\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(trace_count(&r, "hardirq irq:enter"), 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(trace_time_of(&r, "hardirq irq:enter", i), 3216LL * i);
	model_run_free(&r);
	/* 1514 B: 1227.2ns, rounded up to 1228 -- the same run as every=1228ns */
	const char *rate =
		"scenario wire\ncpus 1\n"
		"socket cap type=packet version=v2 frames=64 frame_size=2048\n"
		"flow f socket=cap cpu=0 count=5 size=1514%s\n";
	char text2[512];
	model_run a, b;
	snprintf(text2, sizeof text2, rate, "");
	assert_int_equal(model_run_text(text2, SCN_FIX_NONE, 1, &a), 0);
	snprintf(text2, sizeof text2, rate, " every=1228ns");
	assert_int_equal(model_run_text(text2, SCN_FIX_NONE, 1, &b), 0);
	assert_int_equal(trace_time_of(&a, "hardirq irq:enter", 4), 4 * 1228LL);
	assert_int_equal(a.trace_len, b.trace_len);
	assert_memory_equal(a.trace, b.trace, a.trace_len);
	model_run_free(&a);
	model_run_free(&b);
}

/* Bug caught: the hardirq or NET_RX raised on a fixed CPU, or the softirq
 * polling another CPU's queue (packets handled on the wrong CPU, or twice). */
static void test_each_cpu_has_its_own_softirq(void **state)
{
	(void)state;
	/* flows told apart by size: 100 B on cpu0, 200 B on cpu1 */
	const char *text =
		"scenario two\ncpus 2\n"
		"socket cap type=packet version=v2 frames=64 frame_size=2048\n"
		"flow a socket=cap cpu=0 every=50ns count=12 size=100\n"
		"flow b socket=cap cpu=1 every=50ns count=12 size=200\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 24);
	assert_int_equal(lines_with(&r, "netrx:rx pkt=", "softirq netrx:rx"), 24);
	assert_int_equal(lines_with(&r, "size=100", "cpu0 softirq"), 12);
	assert_int_equal(lines_with(&r, "size=200", "cpu1 softirq"), 12);
	assert_int_equal(lines_with(&r, "netrx:irq", "hardirq"), 2);
	assert_int_equal(trace_count(&r, "cpu0 hardirq netrx:irq"), 1);
	assert_int_equal(trace_count(&r, "cpu1 hardirq netrx:irq"), 1);
	model_run_free(&r);
}

/* Bug caught: the irq raised for every arrival although NAPI is scheduled
 * (one irq a packet), or napi_complete_done() not unmasking it (the second
 * burst never raises the irq and is never delivered). */
static void test_irq_masked_while_napi_scheduled(void **state)
{
	(void)state;
	/* two bursts of 10, 100us apart: one hardirq each */
	const char *text =
		"scenario napi\ncpus 1\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"flow a socket=s cpu=0 count=10 size=64\n"
		"flow b socket=s cpu=0 at=100us count=10 size=64\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 20);
	assert_int_equal(trace_count(&r, "hardirq irq:enter"), 2);
	assert_int_equal(trace_count(&r, "netrx:irq queued=1"), 2);
	assert_int_equal(trace_count(&r, "netrx:complete"), 2);
	assert_int_equal(trace_time_of(&r, "hardirq irq:enter", 1), 100000);
	/* the first burst's NAPI completes (irq unmasked) before the second */
	assert_true(trace_time_of(&r, "netrx:complete", 0) < 100000);
	model_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_packets_reach_the_socket_in_order),
		cmocka_unit_test(test_weight_and_budget_reraise_net_rx),
		cmocka_unit_test(test_nic_queue_overflow_is_nic_drops),
		cmocka_unit_test(test_flow_without_every_is_line_rate),
		cmocka_unit_test(test_each_cpu_has_its_own_softirq),
		cmocka_unit_test(test_irq_masked_while_napi_scheduled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
