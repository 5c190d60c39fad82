/* test_tpacket_v3.c - the TPACKET_V3 block layer (tpacket_v3.c) and its
 * reader, function by function and through runs:
 *  - open: BLOCK_SNUM, BLOCK_NUM_PKTS, BLOCK_LEN, nxt_offset, the retire
 *    timer armed;
 *  - fill: frames by TOTAL_PKT_LEN_INCL_ALIGN until curr + len < end fails,
 *    blk_fill_in_prog counted;
 *  - close: TP_STATUS_USER (| TP_STATUS_BLK_TMO), the last tp_next_offset 0,
 *    the next block;
 *  - retire with fills in progress: the closer (tpacket_rcv or the timer)
 *    waits for blk_fill_in_prog; without the wait (bug v3_skips_fill_wait)
 *    the oracle finds the block handed over with a frame being written;
 *  - freeze/unfreeze: a block user space holds freezes the queue (drops,
 *    tp_freeze_q_cnt); its release thaws it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tpacket_v3.h"
#include "packet_ring.h"
#include "v3_world.h"

#define RING "scenario t\ncpus 2\n" \
	"socket cap type=packet version=v3 block_size=4KiB blocks=4 frame_size=2048 retire=2ms\n"

/* 64-byte packets: TOTAL_PKT_LEN_INCL_ALIGN(82 + 64) = 152 */
#define LEN64 152u

static void test_open(void **state)
{
	(void)state;
	kept_world k;
	world *w = kept_build(&k, RING);
	assert_non_null(w);
	const v3_block *b = v3_blocks(w, 0);
	const v3_ring *r = &w->v3->ring[0];
	/* init_prb_bdqc() opened block 0 */
	assert_int_equal(r->kactive_blk_num, 0);
	assert_int_equal(b[0].seq_num, 0);
	assert_int_equal(r->knxt_seq_num, 1);
	assert_int_equal(b[0].num_pkts, 0);
	assert_int_equal(b[0].blk_len, V3_BLK_HDR_LEN);
	assert_int_equal(r->nxt_offset, V3_BLK_HDR_LEN);
	assert_int_equal(b[0].block_status, TP_STATUS_KERNEL);
	assert_int_equal(w->v3->tov_ns[0], 2000000u);
	assert_true(queue_armed(&w->s.q, w->v3->timer[0]));
	assert_int_equal(v3_frame_len(64), LEN64);
	assert_int_equal(v3_calc_retire_blk_tmo(4096), 1);
	assert_int_equal(v3_calc_retire_blk_tmo(4u << 20), 4);   /* 32 Mbit / 10 + 1 */
	kept_free(&k);
}

static void test_fill_and_close(void **state)
{
	(void)state;
	kept_world k;
	world *w = kept_build(&k, RING);
	assert_non_null(w);
	uint32_t n = 0;
	while (v3_fits(w, 0, LEN64)) {
		assert_int_equal(v3_fill_curr_block(w, 0, LEN64), n);
		n++;
	}
	/* 48 + 26 * 152 = 4000; 4000 + 152 is not < 4096 */
	assert_int_equal(n, 26);
	const v3_block *b = v3_blocks(w, 0);
	v3_ring *r = &w->v3->ring[0];
	assert_int_equal(b[0].num_pkts, 26);
	assert_int_equal(b[0].blk_len, 4000);
	assert_int_equal(r->blk_fill_in_prog, 26);
	assert_int_equal(v3_frames(w, 0)[25].next_offset, LEN64);
	r->blk_fill_in_prog = 0;
	v3_close_block(w, 0, 0, 0);
	assert_int_equal(b[0].block_status, TP_STATUS_USER);
	assert_int_equal(v3_frames(w, 0)[25].next_offset, 0);  /* last_pkt->tp_next_offset = 0 */
	assert_int_equal(r->kactive_blk_num, 1);
	assert_int_equal(v3_dispatch_next_block(w, 0, 0), 1);
	assert_int_equal(b[1].seq_num, 1);
	/* closed by the timer: TP_STATUS_BLK_TMO; with drops, TP_STATUS_LOSING */
	v3_fill_curr_block(w, 0, LEN64);
	r->tp_drops = 1;
	v3_close_block(w, 0, 0, TP_STATUS_BLK_TMO);
	assert_int_equal(b[1].block_status, TP_STATUS_USER | TP_STATUS_BLK_TMO | TP_STATUS_LOSING);
	assert_int_equal(r->closed, 2);
	assert_int_equal(r->closed_tmo, 1);
	kept_free(&k);
}

static void test_freeze_unfreeze_functions(void **state)
{
	(void)state;
	kept_world k;
	world *w = kept_build(&k, RING);
	assert_non_null(w);
	v3_ring *r = &w->v3->ring[0];
	v3_block *b = v3_blocks(w, 0);
	for (int i = 0; i < 4; i++) {
		v3_fill_curr_block(w, 0, LEN64);
		v3_close_block(w, 0, 0, 0);
		if (i < 3)
			assert_int_equal(v3_dispatch_next_block(w, 0, 0), 1);
	}
	/* every block is with user space: the next one (0) is in use */
	assert_int_equal(r->kactive_blk_num, 0);
	assert_false(v3_has_room(w, 0));
	assert_int_equal(v3_dispatch_next_block(w, 0, 0), 0);
	assert_int_equal(r->reset_pending_on_curr_blk, 1);
	assert_int_equal(r->tp_freeze_q_cnt, 1);
	assert_true(v3_poll_readable(w, 0));
	/* user space hands block 0 back: opening it thaws the queue */
	b[0].block_status = TP_STATUS_KERNEL;
	v3_open_block(w, 0, 0);
	assert_int_equal(r->reset_pending_on_curr_blk, 0);
	assert_int_equal(b[0].seq_num, 4);
	assert_int_equal(b[0].num_pkts, 0);
	kept_free(&k);
}

/* The storm of v3+immune.scn (cpu0 held 16us after F, cpu1 closing). */
static const char storm[] =
	"scenario storm\ncpus 3\n%s"
	"socket cap type=packet version=v3 block_size=4KiB blocks=4 frame_size=2048\n"
	"flow big socket=cap cpu=0 count=1 size=1514\n"
	"flow small socket=cap cpu=1 at=1us every=200ns count=100 size=64\n"
	"stall cpu=0 at=tpacket_rcv:F for=16us\n"
	"consumer pcap socket=cap cpu=2 check=user_bit\n";

static void test_retire_waits_for_fills(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	snprintf(text, sizeof text, storm, "");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_OVERRUN], 0);
	assert_int_equal(r.m[SCN_M_CORRUPT], 0);
	assert_int_equal(r.m[SCN_M_CONSUMER_PARTIAL], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(r.m[SCN_M_DELIVERED], 101);
	/* cpu1 spun in prb_retire_current_block for about the stall's length */
	long long first = trace_time_of(&r, "tpacket_rcv:v3_retire", 0);
	long long close = trace_time_of(&r, "tpacket_rcv:v3_close", 0);
	assert_true(first > 0 && close - first > 10000);
	assert_true(trace_count(&r, "tpacket_rcv:v3_retire") > 100);
	model_run_free(&r);
}

static void test_bug_closes_under_a_writer(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	snprintf(text, sizeof text, storm, "bug v3_skips_fill_wait\n");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_OVERRUN] >= 1);
	assert_true(r.m[SCN_M_CONSUMER_PARTIAL] >= 1);
	assert_true(r.m[SCN_M_LOST] >= 1);
	assert_non_null(strstr(r.story, "without waiting for blk_fill_in_prog"));
	assert_non_null(strstr(r.story, "tpacket_rcv:F"));
}

/* The retire timer meets a copy in flight: it waits, then closes with
 * TP_STATUS_BLK_TMO; without the wait it closes the block under the writer. */
static const char slow[] =
	"scenario slow\ncpus 2\n%s"
	"socket cap type=packet version=v3 block_size=4KiB blocks=4 frame_size=2048 retire=1ms\n"
	"flow slow socket=cap cpu=0 at=999us every=250us count=12 size=64\n"
	"stall cpu=0 at=tpacket_rcv:F for=20us\n"
	"consumer pcap socket=cap cpu=1 check=user_bit\n";

static void test_timer_waits_for_fills(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	snprintf(text, sizeof text, slow, "");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.m[SCN_M_OVERRUN], 0);
	assert_int_equal(r.m[SCN_M_CONSUMED], 9);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(trace_count(&r, "retire_blk_timer:close"), 3);
	long long wait = trace_time_of(&r, "retire_blk_timer:wait", 0);
	long long close = trace_time_of(&r, "retire_blk_timer:close", 0);
	assert_true(wait >= 1000000 && close - wait > 15000);
	model_run_free(&r);
	snprintf(text, sizeof text, slow, "bug v3_skips_fill_wait\n");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_OVERRUN] >= 1);
}

static void test_freeze_and_thaw_in_a_run(void **state)
{
	(void)state;
	kept_world k;
	/* 2 blocks, a slow reader: the queue freezes, packets are dropped and
	 * counted; once the reader hands a block back the queue thaws */
	world *w = kept_build(&k, "scenario fz\ncpus 2\n"
			      "socket cap type=packet version=v3 block_size=4KiB blocks=2 frame_size=2048\n"
			      "flow f socket=cap cpu=0 every=1us count=200 size=64\n"
			      "consumer pcap socket=cap cpu=1 check=user_bit cost=2us\n");
	assert_non_null(w);
	world_run(w);
	assert_true(kept_stat(w, 0, "tp_freeze_q_cnt") >= 1);
	assert_true(w->g->m[SCN_M_DROPS] >= 1);
	assert_int_equal(kept_stat(w, 0, "tp_drops"), w->g->m[SCN_M_DROPS]);
	assert_true(w->g->m[SCN_M_DELIVERED] > 2 * 26);     /* thawed: more than 2 blocks */
	assert_int_equal(w->g->m[SCN_M_LOST], 0);
	assert_int_equal(w->g->m[SCN_M_CORRUPT], 0);
	assert_int_equal(w->g->m[SCN_M_DELIVERED] + w->g->m[SCN_M_DROPS], 200);
	kept_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_fill_and_close),
		cmocka_unit_test(test_freeze_unfreeze_functions),
		cmocka_unit_test(test_retire_waits_for_fills),
		cmocka_unit_test(test_bug_closes_under_a_writer),
		cmocka_unit_test(test_timer_waits_for_fills),
		cmocka_unit_test(test_freeze_and_thaw_in_a_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
