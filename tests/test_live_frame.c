/* test_live_frame.c - cmd/live_frame.c, the checker of `sim --live`: a
 * packet built by live_build checks ok whole and truncated; frames built
 * broken on purpose each get their verdict -- two packets in one frame, a
 * stale frame, wrong lengths, a bad checksum, a bad byte, truncation to
 * less than the header, no header of ours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "live_frame.h"

#define ET 0x88b5

static uint8_t a[2048], b[2048];

static void test_whole_and_truncated_ok(void **state)
{
	(void)state;
	live_pkt p;
	live_build(a, 1514, ET, 3, 77);
	assert_int_equal(live_check(a, 1514, 1514, 1982, &p), LV_OK);
	assert_int_equal(p.flow, 3);
	assert_int_equal(p.seq, 77);
	assert_int_equal(p.len, 1514);
	/* truncated: a 1024-byte frame holds 1024 - 66 = 958 bytes */
	assert_int_equal(live_check(a, 1514, 958, 958, &p), LV_OK);
	live_build(a, LIVE_HDR, ET, 0, 0);
	assert_int_equal(live_check(a, LIVE_HDR, LIVE_HDR, 1982, &p), LV_OK);
}

static void test_two_packets_in_one_frame(void **state)
{
	(void)state;
	live_pkt p;
	/* packet 5's start, then packet 6's bytes from offset 512 (a late copy
	 * of another writer landing in the same frame) */
	live_build(a, 1514, ET, 0, 5);
	live_build(b, 1514, ET, 0, 6);
	memcpy(a + 512 + 38, b + 512 + 38, 1514 - 512 - 38);
	assert_int_equal(live_check(a, 1514, 1514, 1982, &p), LV_MIXED);
	/* and across flows */
	live_build(a, 200, ET, 0, 5);
	live_build(b, 200, ET, 1, 5);
	memcpy(a + 102, b + 102, 98);
	assert_int_equal(live_check(a, 200, 200, 1982, &p), LV_MIXED);
}

static void test_wrong_lengths(void **state)
{
	(void)state;
	live_pkt p;
	live_build(a, 300, ET, 0, 1);
	assert_int_equal(live_check(a, 301, 300, 1982, &p), LV_LEN);    /* tp_len */
	assert_int_equal(live_check(a, 300, 299, 1982, &p), LV_LEN);    /* tp_snaplen short */
	assert_int_equal(live_check(a, 300, 200, 200, &p), LV_OK);      /* truncated as it must be */
	assert_int_equal(live_check(a, 300, 250, 200, &p), LV_LEN);     /* more than the frame holds */
}

static void test_bad_checksum_and_bad_byte(void **state)
{
	(void)state;
	live_pkt p;
	live_build(a, 500, ET, 2, 9);
	a[34] ^= 1;                         /* the sum field itself */
	assert_int_equal(live_check(a, 500, 500, 1982, &p), LV_SUM);
	live_build(a, 500, ET, 2, 9);
	a[499] ^= 0x40;                     /* a payload byte */
	assert_int_equal(live_check(a, 500, 500, 1982, &p), LV_BYTES);
	/* a bad byte beyond what a truncated frame holds is not seen */
	assert_int_equal(live_check(a, 500, 400, 400, &p), LV_OK);
}

static void test_truncated_below_header_and_foreign(void **state)
{
	(void)state;
	live_pkt p;
	live_build(a, 500, ET, 0, 1);
	assert_int_equal(live_check(a, 500, LIVE_HDR - 1, LIVE_HDR - 1, &p), LV_SHORT);
	memset(a + 14, 0, 4);
	assert_int_equal(live_check(a, 500, 500, 1982, &p), LV_MAGIC);
}

static void test_stale_frame(void **state)
{
	(void)state;
	uint64_t next[2] = { 0, 0 }, holes = 0;
	live_pkt p = { .flow = 0, .seq = 0, .len = 64 };
	assert_int_equal(live_check_seq(next, 2, &p, &holes), LV_OK);
	p.seq = 3;                          /* 1 and 2 dropped: holes */
	assert_int_equal(live_check_seq(next, 2, &p, &holes), LV_OK);
	assert_int_equal(holes, 2);
	p.seq = 3;                          /* the same packet again: a stale frame */
	assert_int_equal(live_check_seq(next, 2, &p, &holes), LV_STALE);
	p.seq = 1;
	assert_int_equal(live_check_seq(next, 2, &p, &holes), LV_STALE);
	p.flow = 2;                         /* no such flow */
	assert_int_equal(live_check_seq(next, 2, &p, &holes), LV_STALE);
	assert_string_equal(live_verdict_name(LV_MIXED), "two-packets");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_and_truncated_ok),
		cmocka_unit_test(test_two_packets_in_one_frame),
		cmocka_unit_test(test_wrong_lengths),
		cmocka_unit_test(test_bad_checksum_and_bad_byte),
		cmocka_unit_test(test_truncated_below_header_and_foreign),
		cmocka_unit_test(test_stale_frame),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
