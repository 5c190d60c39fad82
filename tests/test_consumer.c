/* test_consumer.c - models/consumer.c: the user-space ring reader, seen from
 * scenarios (metrics and text traces):
 *  - it reads published frames in ring order and hands each one back;
 *  - `check=user_bit` and `check=nonzero` differ under the in_progress fix:
 *    nonzero takes TP_STATUS_IN_PROGRESS for "ready" (a partial read);
 *  - it sleeps in poll() and sk_data_ready wakes it; with nothing to read
 *    the run ends quietly;
 *  - a slow reader (`cost=`) lets the ring fill: drops;
 *  - `cost=` is the read's cost;
 *  - `stats_every=` reads PACKET_STATISTICS: tp_packets counts the drops
 *    too, the read clears both counters, and TP_STATUS_LOSING stops with it.
 * Each test names, in a comment, the model bug it catches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "consumer.h"
#include "model_run.h"
#include "packet_ring.h"

/* The reader `rd`'s reads and hand-backs, in trace order: frame numbers of
 * its consumer:read (kind 'r') and consumer:release ('R') lines, into
 * kinds[] / frames[]; returns how many. */
static int reader_steps(const model_run *r, char *kinds, int *frames, int max)
{
	int n = 0;
	for (const char *p = r->trace; p && (p = strstr(p, " rd consumer:")) != NULL && n < max; p++) {
		const char *what = p + strlen(" rd consumer:");
		char k = !strncmp(what, "read ", 5) ? 'r' : !strncmp(what, "release ", 8) ? 'R' : 0;
		if (!k)
			continue;
		const char *fr = strstr(what, "frame=");
		assert_non_null(fr);
		kinds[n] = k;
		frames[n++] = atoi(fr + 6);
	}
	return n;
}

/* Nanoseconds from the reader's nth consumer:read to the consumer:release after it. */
static long long read_cost(const model_run *r, int nth)
{
	long long read = trace_time_of(r, "rd consumer:read ", nth);
	long long release = trace_time_of(r, "rd consumer:release ", nth);
	assert_true(read >= 0 && release >= read);
	return release - read;
}

/* Bug caught: the reader's index not advancing or not wrapping at the ring's
 * end (frames read out of order, or the same frame twice), or the hand-back
 * not writing TP_STATUS_KERNEL (the ring fills: drops, consumed < 10). */
static void test_reads_in_ring_order_and_hands_back(void **state)
{
	(void)state;
	/* 10 packets through 4 frames, one every 2us; the reader keeps up */
	const char *text =
		"scenario order\ncpus 2\nlimit time=1ms\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow f socket=cap cpu=0 every=2us count=10 size=64\n"
		"consumer rd socket=cap cpu=1 check=user_bit\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 10);
	assert_int_equal(r.m[SCN_M_CONSUMED], 10);
	assert_int_equal(r.m[SCN_M_DROPS], 0);
	assert_int_equal(r.m[SCN_M_CORRUPT], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	char kinds[64];
	int frames[64];
	assert_int_equal(reader_steps(&r, kinds, frames, 64), 20);
	for (int i = 0; i < 10; i++) {
		/* packet i is in frame i % 4: read, then handed back, before the next */
		assert_int_equal(kinds[2 * i], 'r');
		assert_int_equal(kinds[2 * i + 1], 'R');
		assert_int_equal(frames[2 * i], i % 4);
		assert_int_equal(frames[2 * i + 1], i % 4);
		char want[64];
		snprintf(want, sizeof want, "rd consumer:read frame=%d pkt=%d\n", i % 4, i);
		assert_int_equal(trace_count(&r, want), 1);
	}
	model_run_free(&r);
}

/* cpu0's packet claims frame 0 and stalls after F (the in_progress fix has
 * marked it TP_STATUS_IN_PROGRESS); cpu1's packet takes frame 1 and its
 * sk_data_ready wakes the reader, which looks at frame 0. */
static void in_progress_text(char *buf, size_t len, const char *check)
{
	snprintf(buf, len,
		 "scenario partial\ncpus 3\nlimit time=1ms\n"
		 "socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		 "flow big socket=cap cpu=0 count=1 size=1514\n"
		 "flow small socket=cap cpu=1 at=1us count=1 size=64\n"
		 "stall cpu=0 at=tpacket_rcv:F for=10us\n"
		 "consumer rd socket=cap cpu=2 check=%s\n", check);
}

/* Bug caught: ready() testing the wrong thing for a check -- user_bit reading
 * an unpublished frame (partial), or nonzero reading the frame as not ready. */
static void test_user_bit_and_nonzero_differ_under_in_progress(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	in_progress_text(text, sizeof text, "nonzero");
	assert_int_equal(model_run_text(text, SCN_FIX_IN_PROGRESS, 1, &r), 0);
	assert_true(r.m[SCN_M_CONSUMER_PARTIAL] >= 1);
	assert_true(r.m[SCN_M_CORRUPT] >= 1);
	/* it read frame 0 before cpu0 published it */
	assert_true(trace_time_of(&r, "rd consumer:read frame=0", 0) <
		    trace_time_of(&r, "tpacket_rcv:J sock=0 frame=0", 0));
	model_run_free(&r);

	in_progress_text(text, sizeof text, "user_bit");
	assert_int_equal(model_run_text(text, SCN_FIX_IN_PROGRESS, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_CONSUMER_PARTIAL], 0);
	assert_int_equal(r.m[SCN_M_CORRUPT], 0);
	assert_int_equal(r.m[SCN_M_CONSUMED], 2);
	/* it waited for frame 0's publish, then read 0 and 1 in order */
	assert_true(trace_time_of(&r, "rd consumer:read frame=0", 0) >
		    trace_time_of(&r, "tpacket_rcv:J sock=0 frame=0", 0));
	assert_true(trace_time_of(&r, "rd consumer:read frame=1", 0) >
		    trace_time_of(&r, "rd consumer:read frame=0", 0));
	model_run_free(&r);

	/* without the fix the status stays TP_STATUS_KERNEL: both readers wait */
	in_progress_text(text, sizeof text, "nonzero");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_CONSUMER_PARTIAL], 0);
	assert_int_equal(r.m[SCN_M_CONSUMED], 2);
}

/* Every scenario here has `limit time=1ms`: a reader that never sleeps ends
 * its run at the limit (SIM_END_LIMIT) instead of hanging the test. */

/* Bug caught: poll() never sleeping (the run does not end quietly), or the
 * reader not sleeping on the socket's wait queue that sk_data_ready wakes
 * (never woken: consumed 0). */
static void test_sleeps_in_poll_until_data_ready(void **state)
{
	(void)state;
	/* nothing to read: one look, one poll, asleep; the run ends on its own */
	const char *idle =
		"scenario idle\ncpus 2\nlimit time=1ms\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"consumer rd socket=cap cpu=1 check=user_bit\n";
	model_run r;
	assert_int_equal(model_run_text(idle, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.end, SIM_END_QUIET);
	assert_int_equal(trace_count(&r, "rd consumer:poll frame="), 1);
	assert_int_equal(trace_count(&r, "rd sched:sleep"), 1);
	assert_int_equal(r.m[SCN_M_CONSUMED], 0);
	model_run_free(&r);

	/* one packet at 50us: the reader sleeps until its K wakes it */
	const char *one =
		"scenario one\ncpus 2\nlimit time=1ms\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow f socket=cap cpu=0 at=50us count=1 size=64\n"
		"consumer rd socket=cap cpu=1 check=user_bit\n";
	assert_int_equal(model_run_text(one, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.end, SIM_END_QUIET);
	assert_int_equal(r.m[SCN_M_CONSUMED], 1);
	long long k = trace_time_of(&r, "tpacket_rcv:K sock=0 frame=0", 0);
	assert_true(k > 50000);
	assert_int_equal(trace_time_of(&r, "rd sched:wake", 0), k);
	/* it did not poll between its first sleep and that wakeup */
	assert_true(trace_time_of(&r, "rd consumer:poll frame=", 1) > k);
	assert_int_equal(trace_count(&r, "rd sched:sleep"), 2);
	model_run_free(&r);
}

/* Bug caught: the scenario's `cost` ignored (no drops: the reader keeps up),
 * or frames handed back before the read ends. */
static void test_slow_reader_fills_the_ring(void **state)
{
	(void)state;
	const char *fmt =
		"scenario slow\ncpus 2\nlimit time=1ms\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow f socket=cap cpu=0 every=1us count=20 size=64\n"
		"consumer rd socket=cap cpu=1 check=user_bit%s\n";
	char text[512];
	model_run r;
	snprintf(text, sizeof text, fmt, " cost=20us");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_DROPS] >= 10);
	assert_int_equal(r.m[SCN_M_DELIVERED] + r.m[SCN_M_DROPS], 20);
	assert_int_equal(r.m[SCN_M_CONSUMED], r.m[SCN_M_DELIVERED]);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(r.m[SCN_M_CORRUPT], 0);
	/* the same reader at its default cost keeps up */
	snprintf(text, sizeof text, fmt, "");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DROPS], 0);
	assert_int_equal(r.m[SCN_M_CONSUMED], 20);
}

/* Bug caught: `cost` added to the label's cost instead of replacing it, or
 * ignored (the read takes the label's default cost). */
static void test_cost_is_the_read_cost(void **state)
{
	(void)state;
	const char *fmt =
		"scenario cost\ncpus 2\nlimit time=1ms\n"
		"socket cap type=packet version=v2 frames=8 frame_size=2048\n"
		"flow f socket=cap cpu=0 every=10us count=3 size=64\n"
		"consumer rd socket=cap cpu=1 check=user_bit%s\n";
	char text[512];
	model_run r;
	snprintf(text, sizeof text, fmt, " cost=3us");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(read_cost(&r, i), 3000);
	model_run_free(&r);
	snprintf(text, sizeof text, fmt, "");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	long long dflt = read_cost(&r, 0);
	assert_true(dflt > 0 && dflt < 3000);
	model_run_free(&r);
}

/* Run `text` under owner_map; the first reader's state and ring 0's. */
static void run_reader(const char *text, consumer_state *cs, ring_state *rs)
{
	scn_file f;
	scn_error err;
	char msg[512];
	assert_int_equal(scn_parse("t.scn", text, strlen(text), model_labels_for_parser(), &f, &err), 0);
	world *w = world_new(&f, SCN_FIX_OWNER_MAP, msg, sizeof msg);
	assert_non_null(w);
	world_run(w);
	*cs = w->cons[0];
	*rs = w->ring[0];
	world_delete(w);
	scn_free(&f);
}

/* 6 packets into 4 frames before the reader wakes (2 dropped), then 4 more
 * once it has read the ring.  With stats_every=4 it reads the statistics
 * after the first 4 frames: tp_packets 6 (drops counted), tp_drops 2, both
 * cleared, so the later 4 frames carry no TP_STATUS_LOSING and the second
 * read gives 4 and 0.  Without, tp_drops stays 2 and all 4 are LOSING.
 * Catches: tp_packets without the drops, no clear on read, LOSING not
 * following tp_drops. */
static void test_stats_read_clears_and_losing_follows(void **state)
{
	(void)state;
	const char *fmt =
		"scenario st\nkernel %s\ncpus 2\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow a socket=cap cpu=0 count=6 every=100ns size=64\n"
		"flow b socket=cap cpu=0 at=50us count=4 every=100ns size=64\n"
		"consumer rd socket=cap cpu=1 check=user_bit%s\n";
	static const char *const kernels[] = { "6.18", "5.2" };
	char text[512];
	consumer_state cs;
	ring_state rs;
	for (int k = 0; k < 2; k++) {
		snprintf(text, sizeof text, fmt, kernels[k], " stats_every=4");
		run_reader(text, &cs, &rs);
		assert_int_equal(cs.stats_reads, 2);
		assert_int_equal(cs.stats_packets, 10);
		assert_int_equal(cs.stats_drops, 2);
		assert_int_equal(cs.losing, 0);
		assert_int_equal(rs.tp_drops, 0);
		assert_int_equal(rs.tp_packets, 0);
		snprintf(text, sizeof text, fmt, kernels[k], "");
		run_reader(text, &cs, &rs);
		assert_int_equal(cs.stats_reads, 0);
		assert_int_equal(cs.losing, 4);
		assert_int_equal(rs.tp_drops, 2);
		assert_int_equal(rs.tp_packets, 8);    /* published only: E counts them */
	}
}

/* Bug caught: packet_poll() reading the ring without
 * sk_receive_queue.lock (no poll_lock step, no contention with the
 * writers), or taking it without BH disabled (lockdep: SOFTIRQ-unsafe). */
static void test_poll_takes_the_receive_queue_lock(void **state)
{
	(void)state;
	/* a reader polling an empty ring on cpu0 while cpu1's writer comes */
	const char *text =
		"scenario poll\ncpus 2\n"
		"socket cap type=packet version=v2 frames=8 frame_size=2048\n"
		"flow f socket=cap cpu=1 at=10us every=1us count=4 size=64\n"
		"consumer rd socket=cap cpu=0 check=user_bit\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_CONSUMED], 4);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_int_equal(r.m[SCN_M_LOCK_ORDER], 0);
	int polls = trace_count(&r, "rd consumer:poll_lock lock=0");
	assert_true(polls >= 1);
	assert_int_equal(trace_count(&r, "rd consumer:poll_unlock"), polls);
	/* lock 0 is sk_receive_queue.lock: taken by the reader */
	assert_true(trace_count(&r, "rd spin:acquired lock=0 ") >= polls);
	/* the first poll checks the ring under the lock before it sleeps */
	assert_true(trace_time_of(&r, "rd consumer:poll_unlock", 0) <
		    trace_time_of(&r, "rd sched:sleep", 0));
	model_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_in_ring_order_and_hands_back),
		cmocka_unit_test(test_user_bit_and_nonzero_differ_under_in_progress),
		cmocka_unit_test(test_sleeps_in_poll_until_data_ready),
		cmocka_unit_test(test_slow_reader_fills_the_ring),
		cmocka_unit_test(test_cost_is_the_read_cost),
		cmocka_unit_test(test_stats_read_clears_and_losing_follows),
		cmocka_unit_test(test_poll_takes_the_receive_queue_lock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
