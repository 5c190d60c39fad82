/* test_fanout.c - PACKET_FANOUT's demux (fanout.c), each mode:
 *  - hash: a flow always goes to one socket; flows spread over the group;
 *  - lb: atomic_inc_return(&f->rr_cur) % num: 1, 2, 0, 1, ...;
 *  - cpu: smp_processor_id() % num;
 *  - rollover: sticks to po->rollover->sock while it has room (ROOM_NORMAL),
 *    moves to the next socket with room, counts a failure when none has;
 *  - runs: fanout by CPU gives each ring one writer (no overrun in the
 *    wrap storm), lb does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fanout.h"
#include "packet_ring.h"
#include "tpacket_v3.h"
#include "v3_world.h"

/* mode may carry more keys ("lb rollover=on") */
static world *group(kept_world *k, const char *mode)
{
	char text[1024];
	snprintf(text, sizeof text,
		 "scenario g\ncpus 4\n"
		 "socket a type=packet version=v2 frames=8 frame_size=2048\n"
		 "socket b type=packet version=v2 frames=8 frame_size=2048\n"
		 "socket c type=packet version=v3 block_size=4KiB blocks=4 frame_size=2048\n"
		 "fanout g mode=%s sockets=a,b,c\n"
		 "flow f0 fanout=g cpu=0\n", mode);
	return kept_build(k, text);
}

static void test_hash(void **state)
{
	(void)state;
	kept_world k;
	world *w = group(&k, "hash");
	assert_non_null(w);
	int seen[3] = { 0 };
	for (uint32_t flow = 0; flow < 64; flow++) {
		uint32_t i = fanout_pick(w, 0, flow, 0);
		assert_true(i < 3);
		/* the same flow, any CPU, any time: the same socket */
		assert_int_equal(fanout_pick(w, 0, flow, 3), i);
		seen[i]++;
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	kept_free(&k);
}

static void test_lb(void **state)
{
	(void)state;
	kept_world k;
	world *w = group(&k, "lb");
	assert_non_null(w);
	static const uint32_t want[] = { 1, 2, 0, 1, 2, 0, 1 };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(fanout_pick(w, 0, 0, 0), want[i]);
	kept_free(&k);
}

static void test_cpu(void **state)
{
	(void)state;
	kept_world k;
	world *w = group(&k, "cpu");
	assert_non_null(w);
	for (uint32_t cpu = 0; cpu < 4; cpu++)
		assert_int_equal(fanout_pick(w, 0, 0, cpu), cpu % 3);
	kept_free(&k);
}

static void test_rollover(void **state)
{
	(void)state;
	kept_world k;
	world *w = group(&k, "rollover");
	assert_non_null(w);
	ring_frame *fa = ring_frames(w, 0);
	/* all have room: arr[0]'s rollover->sock (0) */
	assert_int_equal(fanout_pick(w, 0, 0, 0), 0);
	/* a's frame head + frames/4 is with user space: ROOM_LOW, not NORMAL */
	fa[2].status = TP_STATUS_USER;
	assert_false(fanout_has_room(w, 0));
	assert_int_equal(fanout_pick(w, 0, 0, 0), 1);
	assert_int_equal(w->fo->sock[0].rollover_sock, 1);
	/* sticky: b is tried first even when a has room again */
	fa[2].status = TP_STATUS_KERNEL;
	assert_int_equal(fanout_pick(w, 0, 0, 0), 1);
	/* b and a full: the V3 socket c, by its block kactive + blocks/4 */
	fa[2].status = TP_STATUS_USER;
	ring_frames(w, 1)[2].status = TP_STATUS_USER;
	assert_int_equal(fanout_pick(w, 0, 0, 0), 2);
	for (uint32_t b = 0; b < 4; b++)
		v3_blocks(w, 2)[b].block_status = TP_STATUS_USER;
	assert_false(fanout_has_room(w, 2));
	uint64_t failed = w->fo->sock[0].rollover_failed;
	assert_int_equal(fanout_pick(w, 0, 0, 0), 0);   /* none: idx */
	assert_int_equal(w->fo->sock[0].rollover_failed, failed + 1);
	kept_free(&k);
}

static void test_flag_rollover(void **state)
{
	(void)state;
	kept_world k;
	world *w = group(&k, "lb rollover=on");
	assert_non_null(w);
	ring_frame *fb = ring_frames(w, 1);
	/* lb picks b first; b has room: b */
	assert_int_equal(fanout_pick(w, 0, 0, 0), 1);
	/* lb picks c; then a (rr_cur 3 % 3) */
	assert_int_equal(fanout_pick(w, 0, 0, 0), 2);
	assert_int_equal(fanout_pick(w, 0, 0, 0), 0);
	/* b's quarter-ahead frame busy but its head free (ROOM_LOW): it stays */
	fb[2].status = TP_STATUS_USER;
	assert_int_equal(fanout_pick(w, 0, 0, 0), 1);
	/* b has no room at all (ROOM_NONE): rolled over from b's rollover->sock (0): a */
	fb[0].status = TP_STATUS_USER;
	fanout_pick(w, 0, 0, 0);
	fanout_pick(w, 0, 0, 0);
	assert_int_equal(fanout_pick(w, 0, 0, 0), 0);
	assert_int_equal(w->fo->sock[1].rollover_num, 1);
	kept_free(&k);
}

static const char storm[] =
	"scenario s\ncpus 4\n"
	"socket a type=packet version=v2 frames=8 frame_size=2048\n"
	"socket b type=packet version=v2 frames=8 frame_size=2048\n"
	"fanout grp mode=%s sockets=a,b\n"
	"flow big fanout=grp cpu=0 count=1 size=1514\n"
	"flow small fanout=grp cpu=1 at=1us every=200ns count=100 size=64\n"
	"stall cpu=0 at=tpacket_rcv:F for=16us\n"
	"consumer pa socket=a cpu=2 check=nonzero\n"
	"consumer pb socket=b cpu=3 check=nonzero\n";

static void test_runs(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	snprintf(text, sizeof text, storm, "cpu");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_OVERRUN], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(trace_count(&r, "fanout:cpu"), 101);
	model_run_free(&r);
	snprintf(text, sizeof text, storm, "lb");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_OVERRUN] >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_lb),
		cmocka_unit_test(test_cpu),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_flag_rollover),
		cmocka_unit_test(test_runs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
