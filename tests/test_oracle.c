/* test_oracle.c - models/oracle.c: what "wrong" means.  Each invariant fires
 * on a broken kernel and stays 0 on the fixed one:
 *  - overrun (fix none, a writer stalled after F while the ring wraps) vs
 *    owner_map;
 *  - corrupt and consumer_partial (in_progress with a nonzero reader) vs
 *    owner_map;
 *  - lost: the end-of-run balance (created = consumed intact + waiting +
 *    drop counters + in flight), 0 for packets still in the NIC queue, in
 *    hand, in the ring or in an owned socket's backlog when the run ends;
 *  - violations from each shipped `bug`, 0 without it; each kind told once;
 *  - deadlock, with a story naming the contexts.
 * Each test names, in a comment, the oracle bug it catches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model_run.h"

/* ---- the one place that reads the oracle's stories ----
 * model_run renders every story as "first TITLE\n" and its lines; this
 * finds the line of story `kind` containing `needle` and copies it into
 * line[]; returns how many of the story's lines contain `needle`. */
static int story_find(const model_run *r, enum story_kind kind, const char *needle, char *line, size_t len)
{
	char head[160];
	snprintf(head, sizeof head, "first %s\n", oracle_story_title(kind));
	const char *p = strstr(r->story, head);
	if (!p)
		return 0;
	p += strlen(head);
	const char *end = strstr(p, "\nfirst ");
	if (!end)
		end = p + strlen(p);
	int n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[600];
		snprintf(buf, sizeof buf, "%.*s", (int)(l < 599 ? l : 599), p);
		if (strstr(buf, needle) && n++ == 0 && line)
			snprintf(line, len, "%s", buf);
		p += l + 1;
	}
	return n;
}

/* The story of `kind` has a line with `needle` said by `who` ("cpu0 user"). */
static void assert_story(const model_run *r, enum story_kind kind, const char *needle, const char *who)
{
	char line[600];
	if (story_find(r, kind, needle, line, sizeof line) < 1)
		fail_msg("story '%s' has no line with '%s':\n%s", oracle_story_title(kind), needle, r->story);
	if (who && !strstr(line, who))
		fail_msg("story line '%s' does not name '%s'", line, who);
}

/* scenarios/wrap.scn without its expectations: cpu0's packet stalls 16us
 * after F while cpu1's 100 packets lap the 8-frame ring; a libpcap reader. */
static const char wrap_text[] =
	"scenario wrap\ncpus 3\n"
	"socket cap type=packet version=v2 frames=8 frame_size=2048\n"
	"flow big socket=cap cpu=0 count=1 size=1514\n"
	"flow small socket=cap cpu=1 at=1us every=200ns count=100 size=64\n"
	"stall cpu=0 at=tpacket_rcv:F for=17us\n"   /* wrap.scn's */
	"consumer pcap socket=cap cpu=2 check=nonzero\n";

/* Bug caught: an overrun not counted or not told (the story names the two
 * writers' CPUs), or counted on the fixed kernel. */
static void test_overrun_fires_without_fix_only(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text(wrap_text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_OVERRUN] >= 1);
	assert_story(&r, STORY_OVERRUN, "claims frame 0 for packet 0", "cpu0 softirq");
	assert_story(&r, STORY_OVERRUN, "the CPU stalls for 17.000us", "cpu0");
	assert_story(&r, STORY_OVERRUN, "two writers in one frame", "cpu1 softirq");
	assert_story(&r, STORY_OVERRUN, "has only reached tpacket_rcv:F", "cpu0 softirq");
	assert_int_equal(model_run_text(wrap_text, SCN_FIX_OWNER_MAP, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_OVERRUN], 0);
	assert_int_equal(story_find(&r, STORY_OVERRUN, "", NULL, 0), 0);
}

/* Bug caught: a partial read or a corrupt frame not counted, the partial
 * story not naming the reader, or either counted on the fixed kernel. */
static void test_corrupt_and_partial_with_in_progress_and_nonzero(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text(wrap_text, SCN_FIX_IN_PROGRESS, 0, &r), 0);
	assert_true(r.m[SCN_M_CONSUMER_PARTIAL] >= 1);
	assert_true(r.m[SCN_M_CORRUPT] >= 1);
	assert_story(&r, STORY_PARTIAL, "sets frame 0 to TP_STATUS_IN_PROGRESS", "cpu0 softirq");
	assert_story(&r, STORY_PARTIAL, "reads tp_status 0x80000000 in frame 0", "cpu2 pcap");
	assert_story(&r, STORY_CORRUPT, "frame 0 holds no packet yet", "cpu2 pcap");
	assert_int_equal(model_run_text(wrap_text, SCN_FIX_OWNER_MAP, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_CONSUMER_PARTIAL], 0);
	assert_int_equal(r.m[SCN_M_CORRUPT], 0);
	assert_int_equal(story_find(&r, STORY_PARTIAL, "", NULL, 0), 0);
	assert_int_equal(story_find(&r, STORY_CORRUPT, "", NULL, 0), 0);
}

/* Bug caught: oracle_finish()'s balance missing an overwritten packet (lost
 * 0 without the fix), or counting the refusals of owner_map as lost. */
static void test_lost_fires_without_fix_only(void **state)
{
	(void)state;
	model_run r;
	assert_int_equal(model_run_text(wrap_text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_LOST], 1);
	assert_story(&r, STORY_LOST, "G copies packet 0 over packet 78", "cpu0");
	assert_story(&r, STORY_LOST, "1 packet(s) neither consumed intact", NULL);
	/* the reader handing back a frame published after it read it */
	assert_int_equal(model_run_text(wrap_text, SCN_FIX_IN_PROGRESS, 0, &r), 0);
	assert_true(r.m[SCN_M_LOST] >= 1);
	assert_story(&r, STORY_LOST, "the reader writes TP_STATUS_KERNEL over frame", "cpu2");
	/* owner_map: every packet delivered and read, or dropped and counted */
	assert_int_equal(model_run_text(wrap_text, SCN_FIX_OWNER_MAP, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_true(r.m[SCN_M_DROPS] >= 1);
	assert_int_equal(r.m[SCN_M_DELIVERED] + r.m[SCN_M_DROPS], 101);
	assert_int_equal(r.m[SCN_M_CONSUMED], r.m[SCN_M_DELIVERED]);
	assert_int_equal(story_find(&r, STORY_LOST, "", NULL, 0), 0);
}

/* Bug caught: a term missing from the balance -- packets still in the NIC
 * queue, in net_rx_action's hand, published and unread in the ring, or in
 * an owned socket's backlog when the run stops would be counted lost. */
static void test_in_flight_at_the_end_is_not_lost(void **state)
{
	(void)state;
	/* stopped at 3us: ~45 packets created at line rate, 10 in the ring
	 * (no reader), one in tpacket_rcv, the rest in the NIC queue */
	const char *cut =
		"scenario cut\ncpus 1\nlimit time=3us\n"
		"socket cap type=packet version=v2 frames=256 frame_size=2048\n"
		"flow f socket=cap cpu=0 count=100 size=64\n";
	model_run r;
	assert_int_equal(model_run_text(cut, SCN_FIX_NONE, 1, &r), 0);
	assert_int_equal(r.end, SIM_END_LIMIT);
	assert_int_equal(r.m[SCN_M_DELIVERED], 10);
	assert_int_equal(r.m[SCN_M_CONSUMED], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	/* the last packet taken off the queue is still in tpacket_rcv */
	assert_int_equal(trace_count(&r, "netrx:rx"), 11);
	model_run_free(&r);
	/* stopped at 100us while the task owns the socket: 49 in its backlog */
	const char *owned =
		"scenario owned\ncpus 2\nlimit time=100us\n"
		"socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		"task user socket=s cpu=0 do=\"lock_sock; work 1ms; release_sock\"\n"
		"flow f socket=s cpu=1 at=2us every=2us count=100 size=1000\n";
	assert_int_equal(model_run_text(owned, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.end, SIM_END_LIMIT);
	assert_int_equal(r.m[SCN_M_BACKLOG_MAX], 49);
	assert_int_equal(r.m[SCN_M_DELIVERED], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
}

/* The traffic of scenarios/bug+*.scn: a task owns s 30us while 40 packets
 * come on the other CPU; `extra` adds a `bug` line. */
static void owned_text(char *buf, size_t len, const char *extra)
{
	snprintf(buf, len,
		 "scenario owned\ncpus 2\n%s\n"
		 "socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		 "task user socket=s cpu=0 do=\"lock_sock; work 30us; release_sock\" at=5us\n"
		 "flow rx socket=s cpu=1 every=2us count=40 size=1000\n", extra);
}

/* Bug caught: inline processing under an owner not a violation, the
 * violation story not naming the softirq and the owner, or one story line
 * per violation instead of one per kind. */
static void test_violation_bh_ignores_owned(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	owned_text(text, sizeof text, "bug bh_ignores_owned");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_true(r.m[SCN_M_VIOLATIONS] >= 2);
	assert_story(&r, STORY_VIOLATION, "owns s from here", "cpu0 user");
	assert_story(&r, STORY_VIOLATION, "processes a packet of s inline (tcp_v4_do_rcv) while user owns the socket",
		     "cpu1 softirq");
	/* many violations of one kind: told once */
	assert_int_equal(story_find(&r, STORY_VIOLATION, "processes a packet of s inline", NULL, 0), 1);
	owned_text(text, sizeof text, "");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(story_find(&r, STORY_VIOLATION, "", NULL, 0), 0);
}

/* Bug caught: the backlog left behind by release_sock() not found by the
 * balance (lost 0), or its story not naming the releasing task.  This bug
 * breaks the lost invariant, not a lock rule: violations stay 0. */
static void test_release_skips_backlog_is_lost(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	owned_text(text, sizeof text, "bug release_skips_backlog");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_LOST], r.m[SCN_M_BACKLOG_MAX]);
	assert_true(r.m[SCN_M_LOST] >= 1);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_story(&r, STORY_LOST, "release_sock() clears sk_lock.owned with", "cpu0 user");
	assert_story(&r, STORY_LOST, "stay in the backlog of s, which nobody owns", NULL);
	owned_text(text, sizeof text, "");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_LOST], 0);
	assert_int_equal(story_find(&r, STORY_LOST, "", NULL, 0), 0);
}

/* scenarios/bug+lock-sock-without-bh.scn: the task holds slock (BH enabled
 * by the bug) when cpu0's NIC interrupts; NET_RX runs on top of it and spins
 * on that slock.  `extra` adds the `bug` line. */
static void same_cpu_text(char *buf, size_t len, const char *extra)
{
	snprintf(buf, len,
		 "scenario samecpu\ncpus 1\n%s\n"
		 "socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		 "task user socket=s cpu=0 do=\"lock_sock_fast; work 10us; unlock_sock_fast\"\n"
		 "flow rx socket=s cpu=0 at=2us count=1 size=100\n", extra);
}

/* Bug caught: a softirq-unsafe lock use not a violation, the same-CPU
 * wait-for chain not found (deadlock 0, or the run spinning on), or the
 * deadlock story not naming the spinning softirq and the task under it. */
static void test_deadlock_lock_sock_without_bh(void **state)
{
	(void)state;
	char text[1024];
	model_run r;
	same_cpu_text(text, sizeof text, "bug lock_sock_without_bh");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 1);
	assert_int_equal(r.end, SIM_END_STOPPED);
	assert_true(r.m[SCN_M_VIOLATIONS] >= 1);
	assert_story(&r, STORY_VIOLATION, "{SOFTIRQ-ON-W}", "cpu0");
	assert_story(&r, STORY_VIOLATION, "inconsistent lock state: sk_lock.slock of s", "cpu0 softirq");
	assert_story(&r, STORY_DEADLOCK, "spins on sk_lock.slock of s, held by user on cpu0", "cpu0 softirq");
	assert_story(&r, STORY_DEADLOCK, "cannot run: softirq sits on top of it on cpu0", "cpu0 user");
	assert_story(&r, STORY_DEADLOCK, "the wait-for chain closes", "cpu0 softirq");
	/* the real lock_sock_fast disables BH: the softirq waits, no deadlock */
	same_cpu_text(text, sizeof text, "");
	assert_int_equal(model_run_text(text, SCN_FIX_NONE, 0, &r), 0);
	assert_int_equal(r.m[SCN_M_DEADLOCK], 0);
	assert_int_equal(r.m[SCN_M_VIOLATIONS], 0);
	assert_int_equal(r.end, SIM_END_QUIET);
	assert_int_equal(story_find(&r, STORY_DEADLOCK, "", NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overrun_fires_without_fix_only),
		cmocka_unit_test(test_corrupt_and_partial_with_in_progress_and_nonzero),
		cmocka_unit_test(test_lost_fires_without_fix_only),
		cmocka_unit_test(test_in_flight_at_the_end_is_not_lost),
		cmocka_unit_test(test_violation_bh_ignores_owned),
		cmocka_unit_test(test_release_skips_backlog_is_lost),
		cmocka_unit_test(test_deadlock_lock_sock_without_bh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
