/* test_scn.c - unit tests of scn/, the scenario-file parser.
 *
 * Every input is copied into a heap buffer of exactly its length, without a
 * terminating NUL, so that a sanitizer build catches any read past the end.
 * Error tests assert the whole "FILE:LINE:COL: error: " prefix and a
 * distinctive part of the message.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "contract_example.h"
#include "scn.h"

static const char *const label_names[] = {
	"tpacket_rcv:F", "tpacket_rcv:D'", "tpacket_rcv:G", "lock_sock:A",
};
static const scn_labels labels = { label_names, 4 };

static int parse_n(const char *src, size_t n, scn_file *f, scn_error *e)
{
	char *buf = test_malloc(n ? n : 1);
	memcpy(buf, src, n);
	int rc = scn_parse("t.scn", buf, n, &labels, f, e);
	test_free(buf);
	return rc;
}

static int parse(const char *src, scn_file *f, scn_error *e)
{
	return parse_n(src, strlen(src), f, e);
}

/* Parse `src`, which must succeed. */
static void parse_ok(const char *src, scn_file *f)
{
	scn_error e;
	memset(&e, 0, sizeof e);
	int rc = parse(src, f, &e);
	if (rc != 0)
		print_error("unexpected error: %s\ninput:\n%s\n", e.msg, src);
	assert_int_equal(rc, 0);
}

/* Parse `src` (n bytes), which must fail with a message starting with
 * `prefix` and containing `part`; the output must be left empty. */
static void err_n(const char *src, size_t n, const char *prefix, const char *part)
{
	scn_file f;
	scn_error e;
	memset(&f, 0xa5, sizeof f);
	memset(&e, 0, sizeof e);
	int rc = parse_n(src, n, &f, &e);
	if (rc == 0)
		print_error("expected an error %s...%s; parse succeeded\n", prefix, part);
	assert_int_equal(rc, -1);
	if (strncmp(e.msg, prefix, strlen(prefix)) != 0 || !strstr(e.msg, part))
		print_error("input:\n%.*s\n", (int)n, src);
	char head[128];
	snprintf(head, sizeof head, "%.*s", (int)strlen(prefix), e.msg);
	assert_string_equal(head, prefix);
	if (!strstr(e.msg, part))
		fail_msg("message '%s' lacks '%s'", e.msg, part);
	assert_null(strchr(e.msg, '\n'));
	assert_null(f.sockets);
	assert_null(f.tasks);
	assert_null(f.expects);
	assert_int_equal(f.nsockets, 0);
	assert_int_equal(f.nexpects, 0);
}

static void err(const char *src, const char *prefix, const char *part)
{
	err_n(src, strlen(src), prefix, part);
}

#define HDR "scenario t\n"
#define PKT "socket s type=packet version=v2 frames=8 frame_size=2048\n"

/* ---- whole files ---------------------------------------------------------- */


static void test_example(void **state)
{
	(void)state;
	scn_file f;
	parse_ok(contract_example, &f);
	assert_string_equal(f.name, "wrap");
	assert_string_equal(f.path, "t.scn");
	assert_int_equal(f.cpus, 3);
	assert_int_equal(f.fix, SCN_FIX_ALL);
	assert_int_equal(f.seed, 1);

	assert_int_equal(f.nsockets, 1);
	assert_string_equal(f.sockets[0].name, "cap");
	assert_int_equal(f.sockets[0].type, SCN_SOCK_PACKET);
	assert_int_equal(f.sockets[0].version, 2);
	assert_int_equal(f.sockets[0].frames, 8);
	assert_int_equal(f.sockets[0].frame_size, 2048);
	assert_int_equal(f.sockets[0].pos.line, 6);
	assert_int_equal(f.sockets[0].pos.col, 1);

	assert_int_equal(f.nflows, 2);
	assert_string_equal(f.flows[0].name, "big");
	assert_int_equal(f.flows[0].socket, 0);
	assert_int_equal(f.flows[0].cpu, 0);
	assert_int_equal(f.flows[0].count, 1);
	assert_int_equal(f.flows[0].size, 1514);
	assert_int_equal(f.flows[0].at_ns, 0);
	assert_int_equal(f.flows[0].has_every, 0);
	assert_int_equal(f.flows[0].every_ns, 1228); /* ceil(1534 * 8 / 10) */
	assert_string_equal(f.flows[1].name, "small");
	assert_int_equal(f.flows[1].cpu, 1);
	assert_int_equal(f.flows[1].at_ns, 1000);
	assert_int_equal(f.flows[1].every_ns, 200);
	assert_int_equal(f.flows[1].has_every, 1);
	assert_int_equal(f.flows[1].count, 12);
	assert_int_equal(f.flows[1].size, 64);

	assert_int_equal(f.nstalls, 1);
	assert_int_equal(f.stalls[0].cpu, 0);
	assert_int_equal(f.stalls[0].at_is_label, 1);
	assert_string_equal(f.stalls[0].label, "tpacket_rcv:F");
	assert_int_equal(f.stalls[0].nth, 1);
	assert_int_equal(f.stalls[0].for_ns, 20000);

	assert_int_equal(f.nconsumers, 1);
	assert_string_equal(f.consumers[0].name, "pcap");
	assert_int_equal(f.consumers[0].socket, 0);
	assert_int_equal(f.consumers[0].cpu, 2);
	assert_int_equal(f.consumers[0].check, SCN_CHECK_NONZERO);
	assert_int_equal(f.consumers[0].has_cost, 0);

	assert_int_equal(f.nexpects, 6);
	assert_int_equal(f.expects[0].fix, SCN_FIX_NONE);
	assert_int_equal(f.expects[0].metric, SCN_M_OVERRUN);
	assert_int_equal(f.expects[0].op, SCN_GE);
	assert_int_equal(f.expects[0].value, 1);
	assert_string_equal(f.expects[0].text, "overrun>=1");
	assert_int_equal(f.expects[1].fix, SCN_FIX_IN_PROGRESS);
	assert_int_equal(f.expects[1].metric, SCN_M_CONSUMER_PARTIAL);
	assert_string_equal(f.expects[1].text, "consumer_partial>=1");
	const char *texts[] = { "overrun==0", "corrupt==0", "lost==0", "drops>=1" };
	const uint32_t cols[] = { 26, 37, 48, 56 };
	for (int i = 0; i < 4; i++) {
		assert_int_equal(f.expects[2 + i].fix, SCN_FIX_OWNER_MAP);
		assert_string_equal(f.expects[2 + i].text, texts[i]);
		assert_int_equal(f.expects[2 + i].pos.line, 13);
		assert_int_equal(f.expects[2 + i].pos.col, cols[i]);
	}
	assert_int_equal(f.expects[5].metric, SCN_M_DROPS);
	assert_int_equal(f.ntasks + f.nirqs + f.ncosts + f.nlocks, 0);
	scn_free(&f);
	assert_null(f.sockets);
	assert_int_equal(f.nsockets, 0);
}

static void test_defaults(void **state)
{
	(void)state;
	scn_file f;
	parse_ok("scenario x\n"
		 "socket s type=packet version=v1 frames=4 frame_size=64\n"
		 "flow f socket=s cpu=0\n"
		 "stall cpu=0 at=5us for=1ms\n", &f);
	assert_string_equal(f.name, "x");
	assert_int_equal(f.seed, 1);
	assert_int_equal(f.cpus, 1);
	assert_int_equal(f.fix, SCN_FIX_NONE);
	assert_int_equal(f.bugs, 0);
	assert_int_equal(f.jitter_pct, 0);
	assert_int_equal(f.spin_order, SCN_ORDER_FIFO);
	assert_int_equal(f.has_handoff, 0);
	assert_true(f.handoff_ns == UINT64_MAX);
	assert_true(f.limit_ns == 10000000000ull);
	assert_true(f.limit_memory == 1ull << 30);
	assert_true(f.limit_events == 1000000000ull);
	assert_true(f.limit_output == 1ull << 30);
	assert_int_equal(f.nic_queue, 1024);
	assert_int_equal(f.budget, 300);
	assert_int_equal(f.sockets[0].version, 1);
	assert_int_equal(f.flows[0].at_ns, 0);
	assert_int_equal(f.flows[0].count, 1);
	assert_int_equal(f.flows[0].size, 64);
	assert_int_equal(f.flows[0].has_every, 0);
	assert_int_equal(f.flows[0].every_ns, 68); /* 67.2 ns rounded up */
	assert_int_equal(f.stalls[0].at_is_label, 0);
	assert_int_equal(f.stalls[0].at_ns, 5000);
	assert_int_equal(f.stalls[0].nth, 1);
	assert_int_equal(f.stalls[0].for_ns, 1000000);
	scn_free(&f);
}

static void test_globals_and_extensions(void **state)
{
	(void)state;
	scn_file f;
	parse_ok("scenario g\n"
		 "seed 18446744073709551615\n"
		 "jitter 15%\n"
		 "spinlock order=random handoff=70ns\n"
		 "limit time=2s memory=2GiB events=5000 output=10MiB\n"
		 "nic queue=64 budget=16\n"
		 "bug bh_ignores_owned\n"
		 "bug release_skips_backlog\n"
		 "lock L\n"
		 "lock M\n"
		 "cost tpacket_rcv:G 50ns per_byte=100ps\n"
		 "cost tpacket_rcv:D' 0 per_byte=2ns\n"
		 "irq cpu=0 every=1ms cost=3us\n"
		 "socket st type=stream rcvbuf=64KiB sndbuf=1MiB\n"
		 "socket p type=packet version=v1 frames=16 frame_size=4KiB\n"
		 "consumer c2 socket=p cpu=0 check=user_bit cost=500ns\n", &f);
	assert_true(f.seed == UINT64_MAX);
	assert_int_equal(f.jitter_pct, 15);
	assert_int_equal(f.spin_order, SCN_ORDER_RANDOM);
	assert_int_equal(f.has_handoff, 1);
	assert_int_equal(f.handoff_ns, 70);
	assert_true(f.limit_ns == 2000000000ull);
	assert_true(f.limit_memory == 2ull << 30);
	assert_true(f.limit_events == 5000);
	assert_true(f.limit_output == 10ull << 20);
	assert_int_equal(f.limit_pos.line, 5);
	assert_int_equal(f.nic_queue, 64);
	assert_int_equal(f.budget, 16);
	assert_int_equal(f.bugs, SCN_BUG_BH_IGNORES_OWNED | SCN_BUG_RELEASE_SKIPS_BACKLOG);
	assert_int_equal(f.nlocks, 2);
	assert_string_equal(f.locks[1].name, "M");
	assert_int_equal(f.locks[1].pos.line, 10);
	assert_int_equal(f.ncosts, 2);
	assert_string_equal(f.costs[0].label, "tpacket_rcv:G");
	assert_int_equal(f.costs[0].ns, 50);
	assert_int_equal(f.costs[0].per_byte_ps, 100);
	assert_string_equal(f.costs[1].label, "tpacket_rcv:D'");
	assert_int_equal(f.costs[1].ns, 0);
	assert_int_equal(f.costs[1].per_byte_ps, 2000);
	assert_int_equal(f.nirqs, 1);
	assert_int_equal(f.irqs[0].every_ns, 1000000);
	assert_int_equal(f.irqs[0].cost_ns, 3000);
	assert_int_equal(f.irqs[0].at_ns, 0);
	assert_int_equal(f.sockets[0].type, SCN_SOCK_STREAM);
	assert_int_equal(f.sockets[0].rcvbuf, 65536);
	assert_int_equal(f.sockets[0].sndbuf, 1048576);
	assert_int_equal(f.sockets[1].frame_size, 4096);
	assert_int_equal(f.consumers[0].socket, 1);
	assert_int_equal(f.consumers[0].check, SCN_CHECK_USER_BIT);
	assert_int_equal(f.consumers[0].has_cost, 1);
	assert_int_equal(f.consumers[0].cost_ns, 500);
	scn_free(&f);
}

/* ---- lexical rules -------------------------------------------------------- */

static void test_crlf(void **state)
{
	(void)state;
	scn_file f;
	parse_ok("scenario c\r\ncpus 2\r\n" PKT
		 "flow f socket=s cpu=1 count=3\r\n"
		 "expect overrun==0\r\n", &f);
	assert_int_equal(f.cpus, 2);
	assert_int_equal(f.flows[0].count, 3);
	assert_string_equal(f.flows[0].name, "f");
	assert_string_equal(f.expects[0].text, "overrun==0");
	scn_free(&f);
	/* and errors in a CRLF file still get the right line */
	err("scenario c\r\ncpus 2\r\nflow f socket=s cpu=1\r\n", "t.scn:3:15: error: ",
	    "unknown socket 's'");
}

static void test_comments_and_blanks(void **state)
{
	(void)state;
	scn_file f;
	parse_ok("\n# leading comment\n   \t\n"
		 "scenario c # after the name\n"
		 "\n"
		 "cpus 4#no space before the comment\n"
		 "lock L\n"
		 "socket s type=stream rcvbuf=1000 sndbuf=0\n"
		 "task t socket=s cpu=3 do=\"spin_lock L;work 1us\"   # comment after a quote\n", &f);
	assert_string_equal(f.name, "c");
	assert_int_equal(f.cpus, 4);
	assert_int_equal(f.tasks[0].pos.line, 9);
	assert_int_equal(f.tasks[0].nops, 2);
	assert_int_equal(f.tasks[0].ops[1].arg, 1000);
	scn_free(&f);
	/* a '#' inside quotes is text: here it makes "# not" an extra word */
	err(HDR "lock L\nsocket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"work 1us #x\"\n",
	    "t.scn:4:36: error: ", "unexpected '#x'");
}

static void test_not_nul_terminated(void **state)
{
	(void)state;
	/* "cpus 12" cut after "cpus 1": the parser must stop at the length */
	static const char src[] = "scenario n\ncpus 12";
	scn_file f;
	assert_int_equal(parse_n(src, sizeof src - 2, &f, NULL), 0);
	assert_int_equal(f.cpus, 1);
	scn_free(&f);
	assert_int_equal(parse_n(src, sizeof src - 1, &f, NULL), 0);
	assert_int_equal(f.cpus, 12);
	scn_free(&f);
}

static void test_task_ops(void **state)
{
	(void)state;
	scn_file f;
	parse_ok(HDR "cpus 2\nlock L\nlock M\n"
		 "socket s type=stream rcvbuf=87380 sndbuf=16384\n"
		 "task app socket=s cpu=1 do=\"lock_sock; work 20us;  sleep 1ms ; recv; release_sock;\" "
		 "at=5us repeat=3 every=100us\n"
		 "task b socket=s cpu=0 do=lock_sock_fast;unlock_sock_fast\n"
		 "task c socket=s cpu=0 do=\"spin_lock_bh M;spin_unlock_bh M;spin_lock_irqsave L;"
		 "spin_unlock_irqrestore L;spin_lock L;spin_unlock L\"\n", &f);
	assert_int_equal(f.ntasks, 3);
	const scn_task *t = &f.tasks[0];
	assert_string_equal(t->name, "app");
	assert_int_equal(t->cpu, 1);
	assert_int_equal(t->socket, 0);
	assert_int_equal(t->nops, 5);
	assert_int_equal(t->ops[0].kind, SCN_OP_LOCK_SOCK);
	assert_int_equal(t->ops[1].kind, SCN_OP_WORK);
	assert_int_equal(t->ops[1].arg, 20000);
	assert_int_equal(t->ops[2].kind, SCN_OP_SLEEP);
	assert_int_equal(t->ops[2].arg, 1000000);
	assert_int_equal(t->ops[3].kind, SCN_OP_RECV);
	assert_int_equal(t->ops[4].kind, SCN_OP_RELEASE_SOCK);
	assert_int_equal(t->at_ns, 5000);
	assert_int_equal(t->repeat, 3);
	assert_int_equal(t->every_ns, 100000);
	t = &f.tasks[1];
	assert_int_equal(t->nops, 2);
	assert_int_equal(t->ops[0].kind, SCN_OP_LOCK_SOCK_FAST);
	assert_int_equal(t->ops[1].kind, SCN_OP_UNLOCK_SOCK_FAST);
	assert_int_equal(t->repeat, 1);
	assert_int_equal(t->every_ns, 0);
	t = &f.tasks[2];
	assert_int_equal(t->nops, 6);
	assert_int_equal(t->ops[0].kind, SCN_OP_SPIN_LOCK_BH);
	assert_int_equal(t->ops[0].arg, 1);
	assert_int_equal(t->ops[2].kind, SCN_OP_SPIN_LOCK_IRQSAVE);
	assert_int_equal(t->ops[2].arg, 0);
	assert_int_equal(t->ops[3].kind, SCN_OP_SPIN_UNLOCK_IRQRESTORE);
	assert_int_equal(t->ops[5].kind, SCN_OP_SPIN_UNLOCK);
	scn_free(&f);
}

static void test_expect_forms(void **state)
{
	(void)state;
	scn_file f;
	parse_ok(HDR
		 "expect overrun>=1\n"
		 "expect overrun >= 1 lost==0  drops < 5\n"
		 "expect fix=owner_map spin_max_ns<=100 deadlock !=1 delivered> 3 consumed >7 # done\n",
		 &f);
	assert_int_equal(f.nexpects, 8);
	const char *texts[] = { "overrun>=1", "overrun>=1", "lost==0", "drops<5",
				"spin_max_ns<=100", "deadlock!=1", "delivered>3", "consumed>7" };
	const int ops[] = { SCN_GE, SCN_GE, SCN_EQ, SCN_LT, SCN_LE, SCN_NE, SCN_GT, SCN_GT };
	for (int i = 0; i < 8; i++) {
		assert_string_equal(f.expects[i].text, texts[i]);
		assert_int_equal(f.expects[i].op, ops[i]);
	}
	assert_int_equal(f.expects[0].fix, -1);
	assert_int_equal(f.expects[1].fix, -1);
	assert_int_equal(f.expects[1].pos.line, 3);
	assert_int_equal(f.expects[1].pos.col, 8);
	assert_int_equal(f.expects[2].pos.col, 21);
	assert_int_equal(f.expects[3].pos.col, 30);
	assert_int_equal(f.expects[3].value, 5);
	assert_int_equal(f.expects[4].fix, SCN_FIX_OWNER_MAP);
	assert_int_equal(f.expects[4].metric, SCN_M_SPIN_MAX_NS);
	assert_int_equal(f.expects[7].fix, SCN_FIX_OWNER_MAP);
	assert_int_equal(f.expects[8 - 1].value, 7);
	scn_free(&f);
	parse_ok(HDR "expect fix=all violations==0\n", &f);
	assert_int_equal(f.expects[0].fix, -1); /* `all`: every variant run */
	assert_int_equal(f.expects[0].metric, SCN_M_VIOLATIONS);
	scn_free(&f);
	err(HDR "expect overrun >=\n", "t.scn:2:18: error: ", "missing value");
	err(HDR "expect\n", "t.scn:2:1: error: ", "at least one clause");
}

static void test_units(void **state)
{
	(void)state;
	scn_file f;
	parse_ok(HDR "cpus 1\n"
		 "socket s type=packet version=v2 frames=1048576 frame_size=16MiB\n"
		 "socket r type=stream rcvbuf=1GiB sndbuf=0\n"
		 "flow a socket=s cpu=0 at=0 every=0ns size=256KiB count=0\n"
		 "flow b socket=s cpu=0 at=3s every=2000ps count=10000000000 size=1\n"
		 "stall cpu=0 at=tpacket_rcv:F nth=2 for=1000000s\n"
		 "stall cpu=0 at=7ms for=0\n"
		 "cost tpacket_rcv:F 3000ps per_byte=1us\n", &f);
	assert_int_equal(f.sockets[0].frames, 1048576);
	assert_int_equal(f.sockets[0].frame_size, 16u << 20);
	assert_true(f.sockets[1].rcvbuf == 1ull << 30);
	assert_int_equal(f.flows[0].size, 256 * 1024);
	assert_int_equal(f.flows[0].count, 0);
	assert_int_equal(f.flows[0].every_ns, 0);
	assert_int_equal(f.flows[0].has_every, 1);
	assert_true(f.flows[1].at_ns == 3000000000ull);
	assert_int_equal(f.flows[1].every_ns, 2);
	assert_true(f.flows[1].count == 10000000000ull);
	assert_int_equal(f.stalls[0].nth, 2);
	assert_true(f.stalls[0].for_ns == SCN_TIME_MAX_NS);      /* the largest time */
	assert_int_equal(f.stalls[1].at_ns, 7000000);
	assert_int_equal(f.costs[0].ns, 3);
	assert_int_equal(f.costs[0].has_per_byte, 1);
	assert_int_equal(f.costs[0].per_byte_ps, 1000000);
	scn_free(&f);
}

static void test_cpus_late(void **state)
{
	(void)state;
	scn_file f;
	/* `cpus` may come after the objects that use the CPUs */
	parse_ok(HDR PKT "flow f socket=s cpu=7\nirq cpu=5 every=1ms cost=1us at=2ms\ncpus 8\n", &f);
	assert_int_equal(f.cpus, 8);
	assert_int_equal(f.flows[0].cpu, 7);
	assert_int_equal(f.irqs[0].cpu, 5);
	assert_int_equal(f.irqs[0].every_ns, 1000000);
	assert_int_equal(f.irqs[0].cost_ns, 1000);
	assert_int_equal(f.irqs[0].at_ns, 2000000);
	scn_free(&f);
}

static void test_names_per_kind(void **state)
{
	(void)state;
	scn_file f;
	/* one name may be used once per kind */
	parse_ok(HDR "socket x type=stream rcvbuf=1 sndbuf=1\n"
		 "flow x socket=x cpu=0\n"
		 "task x socket=x cpu=0 do=recv\n"
		 "lock x\n"
		 "socket a-b_9 type=stream rcvbuf=1 sndbuf=1\n"
		 "flow _y socket=a-b_9 cpu=0\n", &f);
	assert_int_equal(f.nsockets, 2);
	assert_int_equal(f.flows[1].socket, 1);
	scn_free(&f);
}

static void test_many_sockets(void **state)
{
	(void)state;
	/* enough names to make the hash index grow several times */
	size_t cap = 3000 * 64, len = 0;
	char *src = malloc(cap);
	assert_non_null(src);
	len += (size_t)snprintf(src + len, cap - len, "scenario many\n");
	for (int i = 0; i < 1000; i++)
		len += (size_t)snprintf(src + len, cap - len,
					"socket s%d type=stream rcvbuf=1 sndbuf=1\n", i);
	for (int i = 999; i >= 0; i--)
		len += (size_t)snprintf(src + len, cap - len, "flow f%d socket=s%d cpu=0\n", i, i);
	scn_file f;
	assert_int_equal(parse_n(src, len, &f, NULL), 0);
	assert_int_equal(f.nsockets, 1000);
	assert_int_equal(f.nflows, 1000);
	assert_int_equal(f.flows[0].socket, 999);
	assert_int_equal(f.flows[999].socket, 0);
	scn_free(&f);
	len += (size_t)snprintf(src + len, cap - len, "socket s500 type=stream rcvbuf=1 sndbuf=1\n");
	err_n(src, len, "t.scn:2002:8: error: ", "duplicate socket name 's500' (first at line 502)");
	free(src);
}

static void test_parse_file(void **state)
{
	(void)state;
	char path[] = "/tmp/test_scn_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, contract_example, sizeof contract_example - 1), (ssize_t)(sizeof contract_example - 1));
	close(fd);
	scn_file f;
	scn_error e;
	assert_int_equal(scn_parse_file(path, &labels, &f, &e), 0);
	assert_string_equal(f.name, "wrap");
	assert_string_equal(f.path, path);
	assert_int_equal(f.nexpects, 6);
	scn_free(&f);
	unlink(path);
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(scn_fix_name(SCN_FIX_NONE), "none");
	assert_string_equal(scn_fix_name(SCN_FIX_IN_PROGRESS), "in_progress");
	assert_string_equal(scn_fix_name(SCN_FIX_OWNER_MAP), "owner_map");
	assert_string_equal(scn_fix_name(SCN_FIX_ALL), "all");
	assert_int_equal(scn_fix_parse("owner_map"), SCN_FIX_OWNER_MAP);
	assert_int_equal(scn_fix_parse("all"), SCN_FIX_ALL);
	assert_int_equal(scn_fix_parse("some"), -1);
	assert_int_equal(scn_fix_parse(NULL), -1);
	assert_string_equal(scn_op_name(SCN_OP_LOCK_SOCK), "lock_sock");
	assert_string_equal(scn_op_name(SCN_OP_WORK), "work");
	assert_string_equal(scn_op_name(SCN_OP_SPIN_UNLOCK_IRQRESTORE), "spin_unlock_irqrestore");
	assert_string_equal(scn_op_name(SCN_OP_COUNT), "?");
	assert_string_equal(scn_metric_name(SCN_M_OVERRUN), "overrun");
	assert_string_equal(scn_metric_name(SCN_M_DEADLOCK), "deadlock");
	assert_int_equal(scn_metric_parse("backlog_max"), SCN_M_BACKLOG_MAX);
	assert_int_equal(scn_metric_parse("spin_total_ns"), SCN_M_SPIN_TOTAL_NS);
	assert_int_equal(scn_metric_parse("overruns"), -1);
	for (int m = 0; m < SCN_M_COUNT; m++)
		assert_int_equal(scn_metric_parse(scn_metric_name(m)), m);
	assert_string_equal(scn_cmp_name(SCN_EQ), "==");
	assert_string_equal(scn_cmp_name(SCN_NE), "!=");
	assert_string_equal(scn_cmp_name(SCN_LT), "<");
	assert_string_equal(scn_cmp_name(SCN_GE), ">=");
	assert_string_equal(scn_cmp_name(-1), "?");
}

/* ---- errors, one class per test ------------------------------------------- */

/* Issue 14 point 4: two readers on one ring are refused at the second (each
 * would read every frame: the oracle would call it kernel corruption). */
static void test_err_two_consumers_one_ring(void **state)
{
	(void)state;
	err(HDR PKT "consumer a socket=s cpu=0 check=user_bit\n"
		    "consumer b socket=s cpu=1 check=nonzero\n",
	    "t.scn:4:19: error: ", "socket 's' already has a consumer, 'a' (line 3)");
	/* one reader per socket is fine */
	scn_file f;
	parse_ok(HDR "cpus 2\n" PKT "socket t type=packet version=v2 frames=8 frame_size=2048\n"
			 "consumer a socket=s cpu=0 check=user_bit\n"
			 "consumer b socket=t cpu=1 check=nonzero\n", &f);
	assert_int_equal(f.nconsumers, 2);
	scn_free(&f);
}

static void test_err_unknown_directive(void **state)
{
	(void)state;
	err(HDR "frobnicate x\n", "t.scn:2:1: error: ", "unknown directive 'frobnicate'");
	err(HDR "\n  sockets s\n", "t.scn:3:3: error: ", "unknown directive 'sockets'");
	err(HDR "seed=3\n", "t.scn:2:1: error: ", "unknown directive 'seed=3'");
}

static void test_err_unknown_key(void **state)
{
	(void)state;
	err(HDR "socket s type=packet version=v2 frames=8 frame_size=2048 colour=red\n",
	    "t.scn:2:58: error: ", "unknown key 'colour' for socket");
	err(HDR PKT "flow f socket=s cpu=0 rate=5\n", "t.scn:3:23: error: ",
	    "unknown key 'rate' for flow (expected socket, cpu, at, every, count, size, fanout, source)");
	err(HDR PKT "flow f socket=s cpu=0 source=eth\n", "t.scn:3:30: error: ",
	    "unknown flow source 'eth' (expected nic or lo)");
	err(HDR "stall cpu=0 at=5us for=1us nht=2\n", "t.scn:2:28: error: ", "unknown key 'nht'");
	err(HDR PKT "flow f socket=s cpu=0 cpu=1\n", "t.scn:3:23: error: ", "duplicate key 'cpu'");
	err(HDR PKT "flow f socket=s cpu=0 count\n", "t.scn:3:23: error: ",
	    "expected key=value, got 'count'");
	err(HDR PKT "flow f socket=s cpu=\n", "t.scn:3:21: error: ", "missing value for key 'cpu'");
}

static void test_err_missing_key(void **state)
{
	(void)state;
	err(HDR PKT "flow f cpu=0\n", "t.scn:3:1: error: ", "missing required key 'socket' for flow");
	err(HDR "socket s type=packet version=v2 frame_size=2048\n", "t.scn:2:1: error: ",
	    "missing required key 'frames' for socket");
	err(HDR "socket s version=v2\n", "t.scn:2:1: error: ", "missing required key 'type'");
	err(HDR "socket s type=stream rcvbuf=1\n", "t.scn:2:1: error: ",
	    "missing required key 'sndbuf'");
	err(HDR "  stall cpu=0 at=1us\n", "t.scn:2:3: error: ", "missing required key 'for' for stall");
	err(HDR PKT "consumer c socket=s cpu=0\n", "t.scn:3:1: error: ",
	    "missing required key 'check'");
	err(HDR "irq cpu=0 every=1ms\n", "t.scn:2:1: error: ", "missing required key 'cost' for irq");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\ntask t socket=s cpu=0\n",
	    "t.scn:3:1: error: ", "missing required key 'do'");
	err(HDR "seed\n", "t.scn:2:1: error: ", "missing a number after 'seed'");
	err(HDR "socket\n", "t.scn:2:1: error: ", "missing a socket name");
	err(HDR "socket type=packet\n", "t.scn:2:8: error: ", "expected a socket name, got 'type=packet'");
	err(HDR "spinlock\n", "t.scn:2:1: error: ", "spinlock needs order= or handoff=");
}

/* softirq and irq programs (handler.c), sched, nic weight=. */
static void test_handler_programs_and_sched(void **state)
{
	(void)state;
	scn_file f;
	parse_ok("scenario g\ncpus 2\nlock L\n"
		 "sched slice=2ms preempt=voluntary\n"
		 "nic weight=16\n"
		 "softirq tm cpu=1 every=1ms at=5us do=\"spin_lock L; work 2us; spin_unlock L\"\n"
		 "irq cpu=0 every=1ms do=\"spin_lock_irqsave L; spin_unlock_irqrestore L\"\n", &f);
	assert_int_equal(f.sched_slice_ns, 2000000);
	assert_int_equal(f.preempt, SCN_PREEMPT_VOLUNTARY);
	assert_int_equal(f.napi_weight, 16);
	assert_int_equal(f.nsoftirqs, 1);
	assert_string_equal(f.softirqs[0].name, "tm");
	assert_int_equal(f.softirqs[0].cpu, 1);
	assert_int_equal(f.softirqs[0].at_ns, 5000);
	assert_int_equal(f.softirqs[0].nops, 3);
	assert_int_equal(f.softirqs[0].ops[1].kind, SCN_OP_WORK);
	assert_int_equal(f.nirqs, 1);
	assert_int_equal(f.irqs[0].cost_ns, 0);
	assert_int_equal(f.irqs[0].nops, 2);
	assert_int_equal(f.irqs[0].ops[0].kind, SCN_OP_SPIN_LOCK_IRQSAVE);
	scn_free(&f);
	err(HDR "lock L\nsoftirq x cpu=0 every=1us do=\"spin_lock L; sleep 1us\"\n",
	    "t.scn:3:44: error: ", "op 'sleep' is not allowed in softirq code");
	err(HDR "irq cpu=0 every=1us do=\"recv\"\n", "t.scn:2:25: error: ",
	    "op 'recv' is not allowed in irq code");
	err(HDR "softirq x cpu=0 do=\"work 1us\"\n", "t.scn:2:1: error: ",
	    "missing required key 'every' for softirq");
	err(HDR "softirq x cpu=0 every=0 do=\"work 1us\"\n", "t.scn:2:23: error: ",
	    "softirq every= must be > 0");
	err(HDR "sched slice=0\n", "t.scn:2:13: error: ", "sched slice= must be > 0");
	err(HDR "sched preempt=rt\n", "t.scn:2:15: error: ", "unknown preempt 'rt'");
	/* 63 irqs on one CPU: more hardirq lines than it has */
	char many[4096] = HDR;
	for (int i = 0; i < 63; i++)
		strcat(many, "irq cpu=0 every=1us cost=1ns\n");
	err(many, "t.scn:64:9: error: ", "too many irqs on cpu 0 (at most 62)");
}

static void test_err_malformed_number(void **state)
{
	(void)state;
	err(HDR "seed 12a\n", "t.scn:2:6: error: ", "malformed number '12a'");
	err(HDR "seed -1\n", "t.scn:2:6: error: ", "malformed number '-1'");
	err(HDR "cpus +2\n", "t.scn:2:6: error: ", "malformed number '+2'");
	err(HDR PKT "flow f socket=s cpu=0x1\n", "t.scn:3:21: error: ", "malformed number '0x1'");
	err(HDR "socket s type=packet version=v2 frames=eight frame_size=2048\n",
	    "t.scn:2:40: error: ", "malformed number 'eight'");
	/* decimals whole in ns are read (at=1.5us is 1500ns); others are not */
	err(HDR PKT "flow f socket=s cpu=0 at=1.5ns\n", "t.scn:3:26: error: ",
	    "time '1.5ns' for at is not a whole number of nanoseconds");
	err(HDR PKT "flow f socket=s cpu=0 at=1.us\n", "t.scn:3:26: error: ", "malformed time '1.us'");
	err(HDR PKT "flow f socket=s cpu=0 at=us\n", "t.scn:3:26: error: ", "malformed time 'us'");
	err(HDR PKT "flow f socket=s cpu=0 size=x1\n", "t.scn:3:28: error: ", "malformed size 'x1'");
	err(HDR "expect overrun>=1x\n", "t.scn:2:17: error: ", "malformed number '1x'");
	err(HDR "expect overrun == -1\n", "t.scn:2:19: error: ", "malformed number '-1'");
}

static void test_err_out_of_range(void **state)
{
	(void)state;
	err(HDR "cpus 0\n", "t.scn:2:6: error: ", "cpus 0 out of range 1..1024");
	err(HDR "cpus 1025\n", "t.scn:2:6: error: ", "cpus 1025 out of range 1..1024");
	err(HDR "jitter 101\n", "t.scn:2:8: error: ", "jitter 101 out of range 0..100");
	err(HDR "jitter 101%\n", "t.scn:2:8: error: ", "jitter 101 out of range 0..100");
	err(HDR "socket s type=packet version=v2 frames=0 frame_size=2048\n",
	    "t.scn:2:40: error: ", "frames 0 out of range");
	err(HDR "socket s type=packet version=v2 frames=8 frame_size=32MiB\n",
	    "t.scn:2:53: error: ", "frame_size 33554432 out of range 64..16777216");
	err(HDR PKT "flow f socket=s cpu=0 size=0\n", "t.scn:3:28: error: ", "size 0 out of range");
	err(HDR PKT "flow f socket=s cpu=0 count=10000000001\n", "t.scn:3:29: error: ",
	    "count 10000000001 out of range");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\ntask t socket=s cpu=0 do=recv repeat=0\n",
	    "t.scn:3:38: error: ", "repeat 0 out of range 1..");
	err(HDR "stall cpu=0 at=tpacket_rcv:F nth=0 for=1us\n", "t.scn:2:34: error: ", "nth 0 out of range");
	err(HDR "irq cpu=0 every=0 cost=1us\n", "t.scn:2:17: error: ", "every= must be > 0");
	err(HDR "socket s type=stream rcvbuf=0 sndbuf=1\n", "t.scn:2:29: error: ",
	    "rcvbuf 0 out of range");
	err(HDR "nic queue=0\n", "t.scn:2:11: error: ", "queue 0 out of range");
	err(HDR "limit time=0\n", "t.scn:2:12: error: ", "limit time= must be > 0");
}

static void test_err_overflow(void **state)
{
	(void)state;
	err(HDR PKT "flow f socket=s cpu=0 at=99999999999999999999ns\n", "t.scn:3:26: error: ",
	    "at '99999999999999999999ns' overflows 64 bits");
	err(HDR PKT "flow f socket=s cpu=0 at=18446744073709551615s\n", "t.scn:3:26: error: ",
	    "overflows 64 bits");
	err(HDR PKT "flow f socket=s cpu=0 every=18446744073709552us\n", "t.scn:3:29: error: ",
	    "overflows 64 bits");
	err(HDR "seed 18446744073709551616\n", "t.scn:2:6: error: ", "seed '18446744073709551616' overflows 64 bits");
	err(HDR "socket s type=stream rcvbuf=17179869184GiB sndbuf=1\n", "t.scn:2:29: error: ",
	    "rcvbuf '17179869184GiB' overflows 64 bits");
	err(HDR PKT "flow f socket=s cpu=0 count=99999999999999999999\n", "t.scn:3:29: error: ",
	    "count '99999999999999999999' overflows 64 bits");
	err(HDR "cost tpacket_rcv:F 1ns per_byte=18446744073709552ns\n", "t.scn:2:33: error: ",
	    "per_byte '18446744073709552ns' overflows 64 bits");
	err(HDR "expect lost<=18446744073709551616\n", "t.scn:2:14: error: ", "overflows 64 bits");
}

/* A time metric's expected value may take a unit; the text shows ns. */
static void test_expect_time_units(void **state)
{
	(void)state;
	scn_file f;
	parse_ok(HDR "expect spin_max_ns<20us spin_total_ns>=1500 spin_max_ns <= 2ms\n", &f);
	assert_int_equal(f.nexpects, 3);
	assert_true(f.expects[0].value == 20000);
	assert_string_equal(f.expects[0].text, "spin_max_ns<20000");
	assert_true(f.expects[1].value == 1500);
	assert_true(f.expects[2].value == 2000000);
	scn_free(&f);
	err(HDR "expect overrun>=1us\n", "t.scn:2:17: error: ", "");
	err(HDR "expect spin_max_ns<5parsecs\n", "t.scn:2:20: error: ", "unknown time unit");
	/* decimal times, whole in the unit below */
	parse_ok(HDR "expect spin_max_ns<1.5us\ncost tpacket_rcv:G 2.5us per_byte=1.5ns\n", &f);
	assert_true(f.expects[0].value == 1500);
	assert_true(f.costs[0].ns == 2500);
	assert_true(f.costs[0].per_byte_ps == 1500);
	scn_free(&f);
	err(HDR "cost tpacket_rcv:G 1ns per_byte=1.5ps\n", "t.scn:2:33: error: ",
	    "time '1.5ps' for per_byte is not a whole number of picoseconds");
	/* an unknown metric lists the metrics */
	err(HDR "expect overrunn>=1\n", "t.scn:2:8: error: ",
	    "unknown metric 'overrunn' (expected overrun, corrupt, consumer_partial, lost, drops, "
	    "delivered, consumed, nic_drops, backlog_max, backlog_drops, backlog_processed, "
	    "inline_rcv, spin_max_ns, spin_total_ns, violations, deadlock, lock_order or "
	    "rcvq_drops)");
}

/* Times that fit 64 bits but are past what a run's sums can hold. */
static void test_err_time_range(void **state)
{
	(void)state;
	err(HDR "stall cpu=0 at=tpacket_rcv:F for=18446744073709551615ns\n", "t.scn:2:34: error: ",
	    "for '18446744073709551615ns' out of range (at most 1000000s)");
	err(HDR PKT "flow f socket=s cpu=0 every=1000001s\n", "t.scn:3:29: error: ",
	    "every '1000001s' out of range");
	err(HDR "limit time=1000000000000001ns\n", "t.scn:2:12: error: ", "out of range");
	err(HDR "cost tpacket_rcv:G 1ns per_byte=1001us\n", "t.scn:2:33: error: ",
	    "per_byte '1001us' out of range (at most 1ms a byte)");
	err(HDR "socket r type=stream rcvbuf=2GiB sndbuf=0\n", "t.scn:2:29: error: ",
	    "rcvbuf 2147483648 out of range 1..2147483647");
	err(HDR "stall cpu=0 at=1us nth=2 for=1us\n", "t.scn:2:20: error: ", "needs at=LABEL");
}

static void test_err_unknown_unit(void **state)
{
	(void)state;
	err(HDR PKT "flow f socket=s cpu=0 every=5fortnights\n", "t.scn:3:29: error: ",
	    "unknown time unit 'fortnights' in '5fortnights'");
	err(HDR "socket s type=packet version=v2 frames=8 frame_size=64KB\n", "t.scn:2:53: error: ",
	    "unknown size unit 'KB' in '64KB'");
	err(HDR "socket s type=stream rcvbuf=1kib sndbuf=1\n", "t.scn:2:29: error: ",
	    "unknown size unit 'kib'");
	err(HDR "stall cpu=0 at=1us for=5US\n", "t.scn:2:24: error: ", "unknown time unit 'US'");
}

static void test_err_time_without_unit(void **state)
{
	(void)state;
	err(HDR PKT "flow f socket=s cpu=0 every=200\n", "t.scn:3:29: error: ",
	    "time '200' for every needs a unit");
	err(HDR "stall cpu=0 at=5 for=1us\n", "t.scn:2:16: error: ", "needs a unit");
	/* ps is fine where ps are stored, elsewhere it must be whole ns */
	err(HDR PKT "flow f socket=s cpu=0 every=1500ps\n", "t.scn:3:29: error: ",
	    "time '1500ps' for every has sub-nanosecond precision");
	scn_file f;
	parse_ok(HDR "cost tpacket_rcv:F 0 per_byte=1500ps\nirq cpu=0 every=1ns cost=0\n", &f);
	assert_int_equal(f.costs[0].ns, 0);
	assert_int_equal(f.costs[0].per_byte_ps, 1500);
	assert_int_equal(f.irqs[0].cost_ns, 0);
	scn_free(&f);
}

static void test_err_unterminated_quote(void **state)
{
	(void)state;
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"lock_sock; release_sock\n",
	    "t.scn:3:26: error: ", "unterminated quote");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"lock_sock\"x\n",
	    "t.scn:3:37: error: ", "after closing quote");
	err(HDR "scenario\"x\n", "t.scn:2:9: error: ", "unexpected '\"'");
	/* the quote runs to the end of the line, not of the file */
	err(HDR "lock \"L\nlock M\"\n", "t.scn:2:6: error: ", "unterminated quote");
}

static void test_err_unknown_op(void **state)
{
	(void)state;
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"lock_sock; frobnicate; release_sock\"\n",
	    "t.scn:3:38: error: ", "unknown task op 'frobnicate'");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"work\"\n",
	    "t.scn:3:27: error: ", "op 'work' needs a time");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"recv 5us\"\n",
	    "t.scn:3:32: error: ", "op 'recv' takes no argument");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"sleep 5\"\n",
	    "t.scn:3:33: error: ", "needs a unit");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"\"\n",
	    "t.scn:3:27: error: ", "empty op list");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\" ; ;\"\n",
	    "t.scn:3:27: error: ", "empty op list");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"spin_lock\"\n",
	    "t.scn:3:27: error: ", "op 'spin_lock' needs a lock name");
}

static void test_err_unknown_label(void **state)
{
	(void)state;
	err(HDR "stall cpu=0 at=tpacket_rcv:Z for=1us\n", "t.scn:2:16: error: ",
	    "unknown label 'tpacket_rcv:Z'");
	err(HDR "cost tpacket_rcv:X 5ns\n", "t.scn:2:6: error: ", "unknown label 'tpacket_rcv:X'");
	err(HDR "cost 5us\n", "t.scn:2:6: error: ", "missing label before the time: cost LABEL T");
	err(HDR "cost tpacket_rcv:F\n", "t.scn:2:1: error: ", "missing time");
	err(HDR "cost tpacket_rcv:F 5ns\ncost tpacket_rcv:F 6ns\n", "t.scn:3:6: error: ",
	    "duplicate cost for 'tpacket_rcv:F' (first at line 2)");
	scn_file f;
	parse_ok(HDR "stall cpu=0 at=tpacket_rcv:D' nth=3 for=2us\ncost lock_sock:A 9ns\n", &f);
	assert_string_equal(f.stalls[0].label, "tpacket_rcv:D'");
	assert_int_equal(f.stalls[0].nth, 3);
	assert_string_equal(f.costs[0].label, "lock_sock:A");
	assert_int_equal(f.costs[0].ns, 9);
	assert_int_equal(f.costs[0].has_per_byte, 0);
	scn_free(&f);
	/* without a label list no label is known */
	scn_error e;
	const char *src = HDR "cost tpacket_rcv:F 5ns\n";
	assert_int_equal(scn_parse("n.scn", src, strlen(src), NULL, &f, &e), -1);
	assert_string_equal(e.msg, "n.scn:2:6: error: unknown label 'tpacket_rcv:F' "
			    "(sim --labels lists them)");
}

static void test_err_dangling_reference(void **state)
{
	(void)state;
	err(HDR "flow f socket=nosuch cpu=0\n", "t.scn:2:15: error: ", "unknown socket 'nosuch'");
	/* declaration must come before use */
	err(HDR "flow f socket=s cpu=0\n" PKT, "t.scn:2:15: error: ", "unknown socket 's'");
	err(HDR "lock L\nsocket s type=stream rcvbuf=1 sndbuf=1\n"
	    "task t socket=s cpu=0 do=\"spin_lock L; spin_unlock M\"\n",
	    "t.scn:4:52: error: ", "unknown lock 'M'");
	err(HDR "consumer c socket=s cpu=0 check=nonzero\n", "t.scn:2:19: error: ",
	    "unknown socket 's'");
}

static void test_err_duplicate_names(void **state)
{
	(void)state;
	err(HDR PKT "socket s type=stream rcvbuf=1 sndbuf=1\n", "t.scn:3:8: error: ",
	    "duplicate socket name 's' (first at line 2)");
	err(HDR PKT "flow f socket=s cpu=0\nflow f socket=s cpu=0\n", "t.scn:4:6: error: ",
	    "duplicate flow name 'f'");
	err(HDR "lock L\nlock L\n", "t.scn:3:6: error: ", "duplicate lock name 'L'");
	err(HDR PKT "consumer c socket=s cpu=0 check=nonzero\nconsumer c socket=s cpu=0 check=user_bit\n",
	    "t.scn:4:10: error: ", "duplicate consumer name 'c'");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\ntask t socket=s cpu=0 do=recv\n"
	    "task t socket=s cpu=0 do=recv\n", "t.scn:4:6: error: ", "duplicate task name 't'");
}

static void test_err_bad_names(void **state)
{
	(void)state;
	err(HDR "lock 9lives\n", "t.scn:2:6: error: ", "invalid lock name '9lives'");
	err(HDR "lock a.b\n", "t.scn:2:6: error: ", "invalid lock name 'a.b'");
	err("scenario " "a123456789012345678901234567890123456789012345678901234567890123\n",
	    "t.scn:1:10: error: ", "scenario name too long (64 bytes, at most 63)");
	scn_file f;
	parse_ok("scenario a12345678901234567890123456789012345678901234567890123456789012\n", &f);
	assert_int_equal(strlen(f.name), 63);
	scn_free(&f);
	err(HDR "stall cpu=0 at=a1234567890123456789012345678901234567890123456789012345678901234 for=1us\n",
	    "t.scn:2:16: error: ", "label too long");
}

static void test_err_cpu_out_of_range(void **state)
{
	(void)state;
	/* checked after the whole file; the first offending reference is reported */
	err(HDR "cpus 2\n" PKT "flow a socket=s cpu=1\nflow b socket=s cpu=2\nflow c socket=s cpu=9\n",
	    "t.scn:5:21: error: ", "cpu 2 does not exist: cpus is 2");
	err(HDR PKT "flow a socket=s cpu=3\nstall cpu=1 at=1us for=1us\ncpus 2\n",
	    "t.scn:3:21: error: ", "cpu 3 does not exist: cpus is 2");
	err(HDR "stall cpu=1 at=1us for=1us\n", "t.scn:2:11: error: ", "cpu 1 does not exist: cpus is 1");
	err(HDR "irq cpu=4294967296 every=1us cost=1ns\n", "t.scn:2:9: error: ",
	    "cpu 4294967296 does not exist");
	err(HDR PKT "consumer c socket=s cpu=1 check=user_bit\n", "t.scn:3:25: error: ",
	    "cpu 1 does not exist");
	err(HDR "cpus 4\nsocket s type=stream rcvbuf=1 sndbuf=1\ntask t socket=s cpu=4 do=recv\n",
	    "t.scn:4:21: error: ", "cpu 4 does not exist");
	/* any other error in the file wins, even later */
	err(HDR "stall cpu=1 at=1us for=1us\nbogus\n", "t.scn:3:1: error: ", "unknown directive");
}

static void test_err_scenario_order(void **state)
{
	(void)state;
	err("# comment\n\ncpus 2\nscenario x\n", "t.scn:3:1: error: ",
	    "'scenario NAME' must be the first directive");
	err("scenario x\nscenario y\n", "t.scn:2:1: error: ", "duplicate directive 'scenario'");
	err("scenario\n", "t.scn:1:1: error: ", "missing a scenario name");
	err("scenario x y\n", "t.scn:1:12: error: ", "unexpected 'y'");
}

static void test_err_duplicate_directive(void **state)
{
	(void)state;
	err(HDR "seed 1\nseed 2\n", "t.scn:3:1: error: ", "duplicate directive 'seed' (first at line 2)");
	err(HDR "cpus 1\ncpus 1\n", "t.scn:3:1: error: ", "duplicate directive 'cpus'");
	err(HDR "fix all\n fix none\n", "t.scn:3:2: error: ", "duplicate directive 'fix'");
	err(HDR "jitter 1\njitter 2\n", "t.scn:3:1: error: ", "duplicate directive 'jitter'");
	err(HDR "spinlock order=fifo\nspinlock handoff=1ns\n", "t.scn:3:1: error: ",
	    "duplicate directive 'spinlock'");
	err(HDR "limit time=1s\nlimit time=2s\n", "t.scn:3:1: error: ", "duplicate directive 'limit'");
	err(HDR "nic queue=1\nnic budget=2\n", "t.scn:3:1: error: ", "duplicate directive 'nic'");
}

static void test_err_binary_junk(void **state)
{
	(void)state;
	static const char nul[] = "scenario t\ncpus 1\0\n";
	err_n(nul, sizeof nul - 1, "t.scn:2:7: error: ", "NUL byte");
	static const char nul_comment[] = "scenario t # \0\n";
	err_n(nul_comment, sizeof nul_comment - 1, "t.scn:1:14: error: ", "NUL byte");
	err(HDR "cpus\x01 1\n", "t.scn:2:5: error: ", "control character 0x01");
	err(HDR "cpus 1\rx\n", "t.scn:2:7: error: ", "control character 0x0d");
	err(HDR "lock L\x7f\n", "t.scn:2:7: error: ", "control character 0x7f");
	err(HDR "lock \xff\xfe\n", "t.scn:2:6: error: ", "invalid UTF-8 byte 0xff");
	err(HDR "lock ab\xc3\n", "t.scn:2:8: error: ", "invalid UTF-8 byte 0xc3");
	err(HDR "lock ab\xc0\xaf\n", "t.scn:2:8: error: ", "invalid UTF-8 byte 0xc0");      /* overlong */
	err(HDR "lock ab\xed\xa0\x80\n", "t.scn:2:8: error: ", "invalid UTF-8 byte 0xed");  /* surrogate */
	err("\x89PNG\r\n\x1a\n", "t.scn:1:1: error: ", "invalid UTF-8 byte 0x89");
	/* valid UTF-8 is only a bad name; anything but NUL goes in a comment */
	err(HDR "lock caf\xc3\xa9\n", "t.scn:2:6: error: ", "invalid lock name 'caf\xc3\xa9'");
	scn_file f;
	parse_ok(HDR "# \xff\xfe\x01 junk in a comment is fine: caf\xc3\xa9\nseed 3 # \x80\n", &f);
	assert_int_equal(f.seed, 3);
	scn_free(&f);
	/* a UTF-8 byte-order mark is skipped */
	parse_ok("\xef\xbb\xbfscenario bom\n", &f);
	assert_string_equal(f.name, "bom");
	scn_free(&f);
}

static void test_err_empty(void **state)
{
	(void)state;
	err_n("", 0, "t.scn:1:1: error: ", "empty scenario: expected 'scenario NAME'");
	err("\n\n", "t.scn:1:1: error: ", "empty scenario: expected 'scenario NAME'");
	err("# only a comment\n   \n", "t.scn:1:1: error: ", "empty scenario: expected 'scenario NAME'");
	scn_file f;
	scn_error e;
	assert_int_equal(scn_parse(NULL, NULL, 0, &labels, &f, &e), -1);
	assert_string_equal(e.msg, "<input>:1:1: error: empty scenario: expected 'scenario NAME'");
}

static void test_err_parse_file_missing(void **state)
{
	(void)state;
	scn_file f;
	scn_error e;
	memset(&f, 0x5a, sizeof f);
	assert_int_equal(scn_parse_file("/nonexistent/dir/x.scn", &labels, &f, &e), -1);
	assert_string_equal(e.msg, "/nonexistent/dir/x.scn:1:1: error: cannot open "
			    "/nonexistent/dir/x.scn: No such file or directory");
	assert_null(f.sockets);
	assert_int_equal(f.nexpects, 0);
	scn_free(&f);
}

static void test_err_socket_kinds(void **state)
{
	(void)state;
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1\nconsumer c socket=s cpu=0 check=nonzero\n",
	    "t.scn:3:19: error: ", "consumer needs a packet socket: 's' is a stream socket");
	err(HDR "socket s type=stream rcvbuf=1 sndbuf=1 frames=8\n", "t.scn:2:40: error: ",
	    "key 'frames' is only valid for a packet socket");
	err(HDR "socket s frame_size=64 type=stream rcvbuf=1 sndbuf=1\n", "t.scn:2:10: error: ",
	    "key 'frame_size' is only valid for a packet socket");
	err(HDR "socket s type=packet version=v2 frames=8 frame_size=2048 rcvbuf=1\n",
	    "t.scn:2:58: error: ", "key 'rcvbuf' is only valid for a stream socket");
	err(HDR "socket s type=datagram\n", "t.scn:2:15: error: ", "unknown socket type 'datagram'");
	err(HDR "socket s type=packet version=v3 frames=8 frame_size=2048\n", "t.scn:2:33: error: ",
	    "key 'frames' is not used by a TPACKET_V3 socket");
	err(HDR "socket s type=packet version=v3 block_size=4096 frame_size=2048\n", "t.scn:2:1: error: ",
	    "missing required key 'blocks'");
	err(HDR "socket s type=packet version=v3 block_size=5000 blocks=2 frame_size=2048\n",
	    "t.scn:2:44: error: ", "block_size 5000 is not a multiple of the page size");
	err(HDR "socket s type=packet version=v3 block_size=4096 blocks=2 frame_size=2048 retire=1500us\n",
	    "t.scn:2:81: error: ", "retire must be a whole number of ms");
	err(HDR "socket s type=packet version=v3 block_size=4096 blocks=2 frame_size=2048 priv=4000\n",
	    "t.scn:2:79: error: ", "priv 4000 leaves no room");
	err(HDR "socket s type=packet version=v3 block_size=64MiB blocks=5 frame_size=16MiB\n",
	    "t.scn:2:57: error: ", "TPACKET_V3 rings up to 256 MiB");
	err(HDR "socket s type=packet version=v2 frames=8 frame_size=2048 blocks=2\n", "t.scn:2:58: error: ",
	    "key 'blocks' is only valid for a TPACKET_V3 socket");
	err(HDR PKT "fanout g mode=lb sockets=s,t\n", "t.scn:3:28: error: ", "unknown socket 't'");
	err(HDR PKT "fanout g mode=spray sockets=s\n", "t.scn:3:15: error: ", "unknown fanout mode 'spray'");
	err(HDR PKT "fanout g mode=lb sockets=s\nfanout h mode=lb sockets=s\n", "t.scn:4:26: error: ",
	    "socket 's' is in fanout group 'g' already");
	err(HDR PKT "fanout g mode=lb sockets=s,\n", "t.scn:3:28: error: ", "fanout: empty socket name");
	err(HDR PKT "flow f fanout=g cpu=0\n", "t.scn:3:15: error: ", "unknown fanout group 'g'");
	err(HDR PKT "fanout g mode=lb sockets=s\nflow f fanout=g socket=s cpu=0\n", "t.scn:4:8: error: ",
	    "flow takes socket=NAME or fanout=GROUP, not both");
	err(HDR "socket s type=packet version=2 frames=8 frame_size=2048\n", "t.scn:2:30: error: ",
	    "unknown version '2'");
	err(HDR "socket s type=packet version=v2 frames=8 frame_size=2050\n", "t.scn:2:53: error: ",
	    "frame_size 2050 is not a multiple of 16");
	err(HDR PKT "consumer c socket=s cpu=0 check=maybe\n", "t.scn:3:33: error: ",
	    "unknown check 'maybe'");
}

static void test_err_expect(void **state)
{
	(void)state;
	err(HDR "expect overruns>=1\n", "t.scn:2:8: error: ", "unknown metric 'overruns'");
	err(HDR "expect overrun>=1 latency<5\n", "t.scn:2:19: error: ", "unknown metric 'latency'");
	err(HDR "expect overrun=>1\n", "t.scn:2:15: error: ", "bad comparison operator '=>'");
	err(HDR "expect overrun = 1\n", "t.scn:2:16: error: ", "bad comparison operator '='");
	err(HDR "expect overrun<>1\n", "t.scn:2:15: error: ", "bad comparison operator '<>'");
	err(HDR "expect overrun~1\n", "t.scn:2:15: error: ", "bad comparison operator '~'");
	err(HDR "expect overrun 1\n", "t.scn:2:16: error: ", "bad comparison operator '1'");
	err(HDR "expect fix=some overrun>=1\n", "t.scn:2:12: error: ",
	    "unknown fix 'some' (expected none, in_progress, owner_map or all)");
	err(HDR "expect overrun>=1 fix=none\n", "t.scn:2:19: error: ", "fix= must come before");
	err(HDR "expect >=1\n", "t.scn:2:8: error: ", "expected METRIC OP VALUE");
	err(HDR "expect fix=none fix=owner_map drops==0\n", "t.scn:2:17: error: ",
	    "expect takes one fix= (one expect line per variant)");
}

static void test_kernel_version(void **state)
{
	(void)state;
	scn_file f;
	parse_ok(HDR "socket s type=stream rcvbuf=1KiB sndbuf=1KiB\n", &f);
	assert_int_equal(f.kernel, SCN_KERNEL(4, 8));      /* DESIGN.md's semantics */
	assert_int_equal(f.has_kernel, 0);
	scn_free(&f);
	parse_ok(HDR "kernel 5.4\n", &f);
	assert_int_equal(f.kernel, 5004);
	assert_int_equal(f.has_kernel, 1);
	scn_free(&f);
	parse_ok(HDR "kernel v6.10\n", &f);
	assert_int_equal(f.kernel, SCN_KERNEL(6, 10));
	scn_free(&f);
	err(HDR "kernel 5\n", "t.scn:2:8: error: ", "kernel: expected a version MAJOR.MINOR such as 5.4, got '5'");
	err(HDR "kernel five\n", "t.scn:2:8: error: ", "expected a version MAJOR.MINOR");
	err(HDR "kernel 5.4.1\n", "t.scn:2:8: error: ", "expected a version MAJOR.MINOR");
	err(HDR "kernel 2.6\n", "t.scn:2:8: error: ", "kernel: version 2.6 out of range (3.0 .. 9.999)");
	err(HDR "kernel\n", "t.scn:2:1: error: ", "kernel");
	err(HDR "kernel 5.4\nkernel 6.1\n", "t.scn:3:1: error: ", "duplicate directive 'kernel' (first at line 2)");
}

static void test_err_fix_and_bug(void **state)
{
	(void)state;
	err(HDR "fix everything\n", "t.scn:2:5: error: ", "unknown fix 'everything'");
	err(HDR "bug bh_ignores_owner\n", "t.scn:2:5: error: ", "unknown bug 'bh_ignores_owner'");
	err(HDR "spinlock order=lifo\n", "t.scn:2:16: error: ", "unknown order 'lifo'");
	scn_file f;
	parse_ok(HDR "fix in_progress\nbug lock_sock_without_bh\nbug bh_ignores_owned\n"
		 "bug lock_sock_without_bh\nspinlock handoff=40ns\n", &f);
	assert_int_equal(f.fix, SCN_FIX_IN_PROGRESS);
	assert_int_equal(f.bugs, SCN_BUG_LOCK_SOCK_WITHOUT_BH | SCN_BUG_BH_IGNORES_OWNED);
	assert_int_equal(f.has_handoff, 1);
	assert_int_equal(f.handoff_ns, 40);
	assert_int_equal(f.spin_order, SCN_ORDER_FIFO);
	scn_free(&f);
}

static void test_long_line(void **state)
{
	(void)state;
	/* a line far longer than any buffer: many clauses on one expect */
	size_t n = 20000, len = 0;
	char *src = malloc(n * 12 + 64);
	assert_non_null(src);
	len += (size_t)sprintf(src, "scenario long\nexpect");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(src + len, " lost==%zu", i);
	src[len++] = '\n';
	scn_file f;
	assert_int_equal(parse_n(src, len, &f, NULL), 0);
	assert_int_equal(f.nexpects, n);
	assert_int_equal(f.expects[n - 1].value, n - 1);
	assert_string_equal(f.expects[12345].text, "lost==12345");
	scn_free(&f);
	free(src);
}

/* The input bounds (scn.h): checked before anything grows with them. */
static void test_input_bounds(void **state)
{
	(void)state;
	scn_file f;
	scn_error e;
	/* more tokens on a line than SCN_TOKENS_MAX: one-byte tokens */
	size_t n = 2 * (SCN_TOKENS_MAX + 1), len = 0;
	char *src = malloc(n + 64);
	assert_non_null(src);
	len += (size_t)sprintf(src, "scenario t\nexpect");
	for (size_t i = 0; i <= SCN_TOKENS_MAX; i++)
		src[len++] = ' ', src[len++] = 'x';
	assert_int_equal(parse_n(src, len, &f, &e), -1);
	assert_non_null(strstr(e.msg, "t.scn:2:"));
	assert_non_null(strstr(e.msg, ": error: more than 65536 tokens on a line"));
	free(src);
	/* a line longer than SCN_LINE_MAX: refused before it is cut into tokens */
	src = malloc(SCN_LINE_MAX + 64);
	assert_non_null(src);
	len = (size_t)sprintf(src, "scenario t\n# ");
	memset(src + len, 'x', SCN_LINE_MAX);
	len += SCN_LINE_MAX;
	assert_int_equal(parse_n(src, len, &f, &e), -1);
	assert_string_equal(e.msg, "t.scn:2:1048577: error: line of 1048578 bytes: a line is at most "
				   "1048576 bytes");
	free(src);
	/* more input than SCN_INPUT_MAX: refused whole, nothing read into it */
	assert_int_equal(scn_parse("t.scn", "", (size_t)SCN_INPUT_MAX + 1, NULL, &f, &e), -1);
	assert_non_null(strstr(e.msg, "t.scn:1:1: error: input of 67108865 bytes or more"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_input_bounds),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_globals_and_extensions),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_comments_and_blanks),
		cmocka_unit_test(test_not_nul_terminated),
		cmocka_unit_test(test_task_ops),
		cmocka_unit_test(test_expect_forms),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_cpus_late),
		cmocka_unit_test(test_names_per_kind),
		cmocka_unit_test(test_many_sockets),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_err_unknown_directive),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_missing_key),
		cmocka_unit_test(test_handler_programs_and_sched),
		cmocka_unit_test(test_err_malformed_number),
		cmocka_unit_test(test_err_out_of_range),
		cmocka_unit_test(test_err_overflow),
		cmocka_unit_test(test_err_time_range),
		cmocka_unit_test(test_expect_time_units),
		cmocka_unit_test(test_err_unknown_unit),
		cmocka_unit_test(test_err_two_consumers_one_ring),
		cmocka_unit_test(test_err_time_without_unit),
		cmocka_unit_test(test_err_unterminated_quote),
		cmocka_unit_test(test_err_unknown_op),
		cmocka_unit_test(test_err_unknown_label),
		cmocka_unit_test(test_err_dangling_reference),
		cmocka_unit_test(test_err_duplicate_names),
		cmocka_unit_test(test_err_bad_names),
		cmocka_unit_test(test_err_cpu_out_of_range),
		cmocka_unit_test(test_err_scenario_order),
		cmocka_unit_test(test_err_duplicate_directive),
		cmocka_unit_test(test_err_binary_junk),
		cmocka_unit_test(test_err_empty),
		cmocka_unit_test(test_err_parse_file_missing),
		cmocka_unit_test(test_err_socket_kinds),
		cmocka_unit_test(test_err_expect),
		cmocka_unit_test(test_err_fix_and_bug),
		cmocka_unit_test(test_kernel_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
