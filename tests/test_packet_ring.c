/* test_packet_ring.c - the TPACKET_V1/V2 ring-wrap race and its two fixes,
 * driven through the models (DESIGN.md 3.2, issue acceptance):
 *  - one writer held between F and J: N-1 claims by another writer give no
 *    overrun; N claims give an overrun and a lost or corrupt packet (V1, V2);
 *  - in_progress: no overrun for a user_bit reader, a partial read for a
 *    nonzero (libpcap) reader;
 *  - owner_map: nothing overrun, corrupt or lost, refusals counted as drops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

/* A ring of `frames`; cpu0's one packet stalls 50us right after F; cpu1 sends
 * `claims` small packets meanwhile.  Optional reader line. */
static void wrap_text(char *buf, size_t len, int version, int frames, int claims, const char *reader)
{
	snprintf(buf, len,
		 "scenario wrap\n"
		 "cpus 3\n"
		 "socket cap type=packet version=v%d frames=%d frame_size=2048\n"
		 "flow big socket=cap cpu=0 count=1 size=1514\n"
		 "flow small socket=cap cpu=1 at=2us every=300ns count=%d size=64\n"
		 "stall cpu=0 at=tpacket_rcv:F for=50us\n"
		 "%s\n",
		 version, frames, claims, reader ? reader : "");
}

static void check_window(int version)
{
	char text[1024];
	model_run r;
	for (int frames = 4; frames <= 16; frames *= 2) {
		/* N-1 claims: the ring wraps to the held frame but nobody takes it. */
		wrap_text(text, sizeof text, version, frames, frames - 1, NULL);
		assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
		assert_int_equal(r.m[SCN_M_OVERRUN], 0);
		assert_int_equal(r.m[SCN_M_LOST], 0);
		assert_int_equal(r.m[SCN_M_CORRUPT], 0);
		assert_int_equal(r.m[SCN_M_DROPS], 0);
		assert_int_equal(r.m[SCN_M_DELIVERED], (uint64_t)frames);
		/* N claims: the N-th takes the frame cpu0 still owns. */
		wrap_text(text, sizeof text, version, frames, frames, NULL);
		assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
		assert_true(r.m[SCN_M_OVERRUN] >= 1);
		assert_true(r.m[SCN_M_LOST] + r.m[SCN_M_CORRUPT] >= 1);
		assert_non_null(strstr(r.story, "two writers in one frame"));
		assert_non_null(strstr(r.story, "tpacket_rcv:F"));
	}
}

static void test_v2_window(void **state) { (void)state; check_window(2); }
static void test_v1_window(void **state) { (void)state; check_window(1); }

static void test_overrun_story_names_the_stall(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	wrap_text(text, sizeof text, 2, 8, 8, NULL);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_OVERRUN], 1);
	assert_int_equal(r.m[SCN_M_LOST], 1);         /* cpu1's packet in frame 0 is overwritten */
	assert_non_null(strstr(r.story, "the CPU stalls for 50.000us"));
	assert_non_null(strstr(r.story, "7 claims by other writers wrap the ring back to frame 0"));
	assert_non_null(strstr(r.story, "is gone"));
}

static void test_in_progress_user_bit_reader_safe(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	wrap_text(text, sizeof text, 2, 8, 20, "consumer rd socket=cap cpu=2 check=user_bit cost=3us");
	assert_int_equal(model_run_text(text, SCN_FIX_IN_PROGRESS, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_OVERRUN], 0);
	assert_int_equal(r.m[SCN_M_CONSUMER_PARTIAL], 0);
	assert_int_equal(r.m[SCN_M_CORRUPT], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_true(r.m[SCN_M_DROPS] >= 1);
	/* the same race without the fix overruns */
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_OVERRUN] >= 1);
}

static void test_in_progress_nonzero_reader_partial(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	wrap_text(text, sizeof text, 2, 8, 20, "consumer pcap socket=cap cpu=2 check=nonzero cost=3us");
	assert_int_equal(model_run_text(text, SCN_FIX_IN_PROGRESS, 0, &r), 0);
	assert_true(r.m[SCN_M_CONSUMER_PARTIAL] >= 1);
	/* Worse: the reader hands the in-progress frame back (TP_STATUS_KERNEL),
	 * so another writer claims it while cpu0 still owns it. */
	assert_true(r.m[SCN_M_OVERRUN] >= 1);
	assert_non_null(strstr(r.story, "TP_STATUS_IN_PROGRESS"));
	/* and for V1 too */
	wrap_text(text, sizeof text, 1, 8, 20, "consumer pcap socket=cap cpu=2 check=nonzero cost=3us");
	assert_int_equal(model_run_text(text, SCN_FIX_IN_PROGRESS, 0, &r), 0);
	assert_true(r.m[SCN_M_CONSUMER_PARTIAL] >= 1);
}

static void test_owner_map_clean_with_either_reader(void **state)
{
	(void)state;
	const char *readers[] = {
		"consumer pcap socket=cap cpu=2 check=nonzero cost=3us",
		"consumer rd socket=cap cpu=2 check=user_bit cost=3us",
		"",
	};
	char text[1024];
	model_run r;
	for (int v = 1; v <= 2; v++)
		for (size_t i = 0; i < 3; i++) {
			wrap_text(text, sizeof text, v, 8, 20, readers[i]);
			assert_int_equal(model_run_text(text, SCN_FIX_OWNER_MAP, 0, &r), 0);
			assert_int_equal(r.m[SCN_M_OVERRUN], 0);
			assert_int_equal(r.m[SCN_M_CORRUPT], 0);
			assert_int_equal(r.m[SCN_M_LOST], 0);
			assert_int_equal(r.m[SCN_M_CONSUMER_PARTIAL], 0);
			assert_true(r.m[SCN_M_DROPS] >= 1);
			/* every packet is accounted for: delivered or dropped */
			assert_int_equal(r.m[SCN_M_DELIVERED] + r.m[SCN_M_DROPS], 21);
		}
}

static void test_ring_full_drop_keeps_head_and_sets_losing(void **state)
{
	(void)state;
	/* No reader, no stall: 6 packets into 4 frames: 4 published, 2 dropped
	 * (tp_drops), head unchanged; nothing lost. */
	const char *text =
		"scenario full\ncpus 1\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow f socket=cap cpu=0 count=6 every=2us size=64\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 4);
	assert_int_equal(r.m[SCN_M_DROPS], 2);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(trace_count(&r, "tpacket_rcv:drop"), 2);
	model_run_free(&r);
	/* A reader that starts late sees TP_STATUS_LOSING on a frame published
	 * after a drop: 4 frames, 5th packet dropped, reader frees, 6th packet
	 * gets LOSING (status 5 = USER|LOSING). */
	const char *text2 =
		"scenario losing\ncpus 2\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow f socket=cap cpu=0 count=5 every=2us size=64\n"
		"flow g socket=cap cpu=0 at=100us count=1 size=64\n"
		"consumer rd socket=cap cpu=1 check=user_bit\n"
		"stall cpu=1 at=0 for=50us\n";
	assert_int_equal(model_run_text(text2, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DROPS], 1);
	assert_int_equal(r.m[SCN_M_CONSUMED], 5);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_true(trace_count(&r, "status=5") >= 1);
	model_run_free(&r);
}

/* drop_n_account ends with sk->sk_data_ready(sk), as a publish does: a drop
 * wakes a reader asleep in poll.  cpu0 holds frame 0 (stalled after F, its
 * owner_map bit set), so every later packet of cpu1 is dropped; the reader,
 * waiting for frame 0, spins in poll, then sleeps at 23.2us; the drop at
 * 23.6us wakes it, long before cpu0 publishes frame 0 at 30.9us. */
static void test_drop_wakes_the_reader(void **state)
{
	(void)state;
	const char *text =
		"scenario dropwake\ncpus 3\n"
		"socket cap type=packet version=v2 frames=2 frame_size=2048\n"
		"flow big socket=cap cpu=0 count=1 size=1514\n"
		"flow small socket=cap cpu=1 at=1us every=2us count=14 size=64\n"
		"stall cpu=0 at=tpacket_rcv:F for=30us\n"
		"consumer rd socket=cap cpu=2 check=user_bit\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_OWNER_MAP, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DROPS], 13);
	/* every drop goes on to K, which names no frame */
	assert_int_equal(trace_count(&r, "tpacket_rcv:drop"), 13);
	assert_int_equal(trace_count(&r, "tpacket_rcv:K sock=0 frame=-1"), 13);
	long long publish0 = trace_time_of(&r, "tpacket_rcv:J sock=0 frame=0 pkt=0", 0);
	long long slept = trace_time_of(&r, "rd sched:sleep", 1);
	assert_true(publish0 > 0 && slept > 0 && slept < publish0);
	/* woken after that sleep by a drop's K, before frame 0 is published */
	int woken = 0;
	for (int i = 0;; i++) {
		long long t = trace_time_of(&r, "rd sched:wake", i);
		if (t < 0)
			break;
		woken += t > slept && t < publish0;
	}
	assert_true(woken >= 1);
	model_run_free(&r);
}

/* The reader's poll(), woken by sk_data_ready, runs packet_poll() again and
 * returns only if frame head-1 is not TP_STATUS_KERNEL (do_poll()).  Here the
 * big packet's K wakes the reader, but by then cpu1 has claimed later frames
 * and head-1 is still being written: poll sleeps again, although the
 * reader's own frame 0 is published. */
static void test_woken_poll_rechecks(void **state)
{
	(void)state;
	const char *text =
		"scenario repoll\ncpus 3\n"
		"socket cap type=packet version=v2 frames=8 frame_size=2048\n"
		"flow big socket=cap cpu=0 count=1 size=1514\n"
		"flow small socket=cap cpu=1 at=1us every=200ns count=16 size=64\n"
		"consumer rd socket=cap cpu=2 check=user_bit\n";
	model_run r;
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	/* the reader's lines after its first wakeup, sched:switch aside */
	const char *p = strstr(r.trace, "rd sched:wake");
	assert_non_null(p);
	const char *seq[] = { "rd consumer:poll_lock", "rd consumer:poll_unlock frame=0\n",
			      "rd sched:sleep" };
	for (size_t i = 0; i < 3; i++) {
		do {
			p = strstr(p + 1, " rd ");
			assert_non_null(p);
		} while (!strncmp(p, " rd sched:switch", 16) || !strncmp(p, " rd spin:", 9));
		assert_int_equal(strncmp(p + 1, seq[i], strlen(seq[i])), 0);
	}
	/* frame 0 was published before that: only poll's rule kept it unread */
	long long published = trace_time_of(&r, "tpacket_rcv:J sock=0 frame=0 pkt=0", 0);
	long long woken = trace_time_of(&r, "rd sched:wake", 0);
	assert_true(published >= 0 && published <= woken);
	/* the reader, asleep meanwhile, lets the ring fill: drops, none lost */
	assert_true(r.m[SCN_M_DROPS] >= 1);
	assert_int_equal(r.m[SCN_M_DELIVERED] + r.m[SCN_M_DROPS], 17);
	assert_int_equal(r.m[SCN_M_CONSUMED], r.m[SCN_M_DELIVERED]);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	model_run_free(&r);
}

/* From v5.3 a full ring is dropped before the lock: __packet_rcv_has_room()
 * sees frame head and head + frames/4 in use (ROOM_NONE), counts tp_drops
 * and returns, with no lock and no sk_data_ready.  Before: A, B, drop, K. */
static void test_room_shortcut_by_kernel(void **state)
{
	(void)state;
	const char *base =
		"scenario full\ncpus 1\n"
		"socket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow f socket=cap cpu=0 count=6 every=2us size=64\n";
	char text[512];
	model_run r;
	snprintf(text, sizeof text, "%skernel 5.3\n", base);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 4);
	assert_int_equal(r.m[SCN_M_DROPS], 2);
	assert_int_equal(trace_count(&r, "tpacket_rcv:room "), 6);
	assert_int_equal(trace_count(&r, "tpacket_rcv:room_drop"), 2);
	assert_int_equal(trace_count(&r, "tpacket_rcv:drop"), 0);
	assert_int_equal(trace_count(&r, "tpacket_rcv:A "), 4);      /* only the claims lock */
	assert_int_equal(trace_count(&r, "tpacket_rcv:K "), 4);      /* only publishes wake */
	model_run_free(&r);
	snprintf(text, sizeof text, "%skernel 5.2\n", base);
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DROPS], 2);
	assert_int_equal(trace_count(&r, "tpacket_rcv:room"), 0);
	assert_int_equal(trace_count(&r, "tpacket_rcv:drop"), 2);
	assert_int_equal(trace_count(&r, "tpacket_rcv:A "), 6);
	assert_int_equal(trace_count(&r, "tpacket_rcv:K "), 6);
	model_run_free(&r);
}

/* __packet_rcv_has_room()'s second __tpacket_has_room() reads the head,
 * then that frame's status: a writer stalled between the two while another
 * CPU claims and publishes that frame drops with a frame free (the early
 * drop seen live).  A stall between the two __tpacket_has_room() calls
 * does not: the second reads the new head. */
static void test_room_early_drop_between_reads(void **state)
{
	(void)state;
	const char *fmt =
		"scenario early\nkernel 6.18\ncpus 2\n"
		"socket cap type=packet version=v2 frames=8 frame_size=2048\n"
		"flow a socket=cap cpu=0 every=1us count=7 size=64\n"
		"flow b socket=cap cpu=1 at=6500ns count=1 size=64\n"
		"stall cpu=0 at=%s for=5us\n";
	char text[512];
	model_run r;
	snprintf(text, sizeof text, fmt, "tpacket_rcv:room_head");
	assert_int_equal(model_run_text(text, SCN_FIX_OWNER_MAP, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DROPS], 1);
	assert_int_equal(r.m[SCN_M_DELIVERED], 7);     /* frame 7 stayed free */
	assert_int_equal(trace_count(&r, "tpacket_rcv:room_drop"), 1);
	model_run_free(&r);
	snprintf(text, sizeof text, fmt, "tpacket_rcv:room");
	assert_int_equal(model_run_text(text, SCN_FIX_OWNER_MAP, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_DROPS], 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 8);
	model_run_free(&r);
}

static void test_poll_readable_rule(void **state)
{
	(void)state;
	/* A reader waiting on frame k while later frames are ready: packet_poll
	 * says readable (frame head-1 is not KERNEL) but its frame is not:
	 * it spins (polls without sleeping). */
	char text[1024];
	model_run r;
	wrap_text(text, sizeof text, 2, 8, 3, "consumer pcap socket=cap cpu=2 check=user_bit");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	/* frame 0 is held by cpu0 (stalled after F) while frames 1..3 are
	 * published: the reader polls many times without sleeping */
	assert_true(trace_count(&r, "consumer:poll") > 10);
	assert_int_equal(r.m[SCN_M_CONSUMED], 4);
	assert_int_equal(r.m[SCN_M_OVERRUN], 0);
	model_run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_window),
		cmocka_unit_test(test_v1_window),
		cmocka_unit_test(test_overrun_story_names_the_stall),
		cmocka_unit_test(test_in_progress_user_bit_reader_safe),
		cmocka_unit_test(test_in_progress_nonzero_reader_partial),
		cmocka_unit_test(test_owner_map_clean_with_either_reader),
		cmocka_unit_test(test_ring_full_drop_keeps_head_and_sets_losing),
		cmocka_unit_test(test_poll_readable_rule),
		cmocka_unit_test(test_drop_wakes_the_reader),
		cmocka_unit_test(test_woken_poll_rechecks),
		cmocka_unit_test(test_room_shortcut_by_kernel),
		cmocka_unit_test(test_room_early_drop_between_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
