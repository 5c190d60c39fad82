/* test_trace.c - unit tests of sim/trace.c and of the engine's determinism.
 *
 * The text sink writes `TIME cpuN CONTEXT LABEL key=value ...` per event;
 * sinks form a list and trace_finish reports a failed write.  A small run is
 * checked line by line against a trace worked out by hand.  Then the mini
 * world of test_helpers.h: the same seed gives a byte-identical text trace
 * (trace_text_init on an open_memstream FILE *) in two separately built
 * sims; another seed with jitter (the "costs" stream) gives another trace;
 * tracing itself changes no state; the trace is in time order; jitter stays
 * within its bounds and draws nothing when it is off.
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

#include "sim.h"
#include "trace.h"
#include "test_helpers.h"

static void test_text_format(void **state)
{
	(void)state;
	memtrace m;
	memtrace_open(&m);
	static const char *const keys[] = { "a", "b", "min", "max" };
	trace_event e = { .time = 123, .cpu = 1, .ctx_kind = SIM_CTX_SOFTIRQ, .ctx = "softirq",
			  .label = "tpacket_rcv:F", .key_name = keys, .nkv = 2 };
	e.kv[0] = (trace_kv){ 0, 1 };
	e.kv[1] = (trace_kv){ 1, -2 };
	trace_emit(&m.text.sink, &e);
	trace_event big = { .time = UINT64_MAX, .cpu = 4294967295u, .ctx_kind = SIM_CTX_TASK,
			    .ctx = "reader", .label = "x", .key_name = keys, .nkv = 2 };
	big.kv[0] = (trace_kv){ 2, INT64_MIN };
	big.kv[1] = (trace_kv){ 3, INT64_MAX };
	trace_emit(&m.text.sink, &big);
	trace_event bare = { .time = 0, .cpu = 0, .ctx = "hardirq", .label = "irq:exit" };
	trace_emit(&m.text.sink, &bare);
	memtrace_close(&m);
	assert_string_equal(m.buf,
		"123 cpu1 softirq tpacket_rcv:F a=1 b=-2\n"
		"18446744073709551615 cpu4294967295 reader x min=-9223372036854775808 "
		"max=9223372036854775807\n"
		"0 cpu0 hardirq irq:exit\n");
	memtrace_free(&m);
}

typedef struct counting_sink {
	trace_sink sink;
	unsigned events, finishes;
	int rc;
} counting_sink;

static void count_event(trace_sink *self, const trace_event *e)
{
	(void)e;
	((counting_sink *)self)->events++;
}

static int count_finish(trace_sink *self)
{
	counting_sink *c = (counting_sink *)self;
	c->finishes++;
	return c->rc;
}

/* Every event goes to every sink of the list; finish reaches all of them
 * and says whether any failed. */
static void test_sink_list(void **state)
{
	(void)state;
	memtrace m;
	memtrace_open(&m);
	counting_sink a = { { count_event, count_finish, NULL }, 0, 0, 0 };
	counting_sink b = { { count_event, NULL, NULL }, 0, 0, 0 };   /* no finish */
	a.sink.next = &m.text.sink;
	m.text.sink.next = &b.sink;
	trace_event e = { .time = 7, .cpu = 0, .ctx = "T", .label = "l" };
	for (int i = 0; i < 3; i++)
		trace_emit(&a.sink, &e);
	assert_int_equal(a.events, 3);
	assert_int_equal(b.events, 3);
	assert_int_equal(trace_finish(&a.sink), 0);
	assert_int_equal(a.finishes, 1);
	a.rc = -1;
	assert_int_equal(trace_finish(&a.sink), -1);
	assert_int_equal(a.finishes, 2);
	m.text.sink.next = NULL;
	memtrace_close(&m);
	assert_string_equal(m.buf, "7 cpu0 T l\n7 cpu0 T l\n7 cpu0 T l\n");
	memtrace_free(&m);
}

/* A text sink whose writes fail: trace_finish says so. */
static void test_finish_reports_write_error(void **state)
{
	(void)state;
	FILE *f = fopen("/dev/null", "r");
	assert_non_null(f);
	trace_text t;
	trace_text_init(&t, f);
	counting_sink after = { { count_event, count_finish, NULL }, 0, 0, 0 };
	t.sink.next = &after.sink;
	trace_event e = { .time = 1, .cpu = 0, .ctx = "T", .label = "l" };
	trace_emit(&t.sink, &e);
	assert_int_equal(trace_finish(&t.sink), -1);
	assert_int_equal(after.finishes, 1);       /* the others still finish */
	fclose(f);
}

/* ---- a small run, its trace worked out by hand ---- */

typedef struct small {
	uint32_t l_work, l_h, l_s, l_wide;
} small;

static small S;
enum { SM_N = SIM_TK_COUNT, SM_NEG, SM_K0 };
static const char *const sm_keys[] = { "n", "neg", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8" };

static sim_answer small_task(sim *s, uint32_t c, sim_frame *f)
{
	if (f->pc++ == 0)
		return SIM_CONT(sim_did(s, c, S.l_work, 0, SM_N, (int64_t)5, SM_NEG, (int64_t)-3));
	return SIM_RET;
}

static sim_answer small_irq(sim *s, uint32_t c, sim_frame *f)
{
	if (f->pc++ == 0) {
		sim_raise_softirq(s, 0, 2);
		/* more pairs than an event holds: the first TRACE_KV_MAX stay */
		sim_note(s, c, S.l_wide, SM_K0 + 0, (int64_t)0, SM_K0 + 1, (int64_t)1, SM_K0 + 2, (int64_t)2,
			 SM_K0 + 3, (int64_t)3, SM_K0 + 4, (int64_t)4, SM_K0 + 5, (int64_t)5, SM_K0 + 6, (int64_t)6,
			 SM_K0 + 7, (int64_t)7, SM_K0 + 8, (int64_t)8);
		return SIM_CONT(sim_did(s, c, S.l_h, 0));
	}
	return SIM_RET;
}

static sim_answer small_sirq(sim *s, uint32_t c, sim_frame *f)
{
	if (f->pc++ == 0)
		return SIM_CONT(sim_did(s, c, S.l_s, 0));
	return SIM_RET;
}

static void small_raise(sim *s, uint32_t line) { sim_raise_irq(s, 0, line); }

static void test_small_run_trace(void **state)
{
	(void)state;
	sim s;
	sim_init(&s, 1, 3);
	S.l_work = sim_add_label(&s, "work", "a 10 ns step", 10, 0);
	S.l_h = sim_add_label(&s, "h", "a 20 ns handler", 20, 0);
	S.l_s = sim_add_label(&s, "s", "a 7 ns softirq", 7, 0);
	S.l_wide = sim_add_label(&s, "wide", "a note with many fields", 0, 0);
	sim_set_trace_keys(&s, sm_keys, (uint32_t)(sizeof sm_keys / sizeof sm_keys[0]));
	uint16_t ft = sim_add_fn(&s, "task", small_task);
	uint32_t line = sim_add_irq_line(&s, 0, sim_add_fn(&s, "irq", small_irq), 0);
	sim_set_softirq(&s, 2, sim_add_fn(&s, "sirq", small_sirq));
	uint32_t task = sim_add_task(&s, "T", 0);
	uint32_t tr = sim_add_timer(&s, small_raise, line, 0);
	assert_int_equal(sim_commit(&s), 0);
	sim_reset(&s);
	memtrace m;
	memtrace_open(&m);
	s.trace = &m.text.sink;
	sim_task_start(&s, task, ft, 0);
	sim_arm(&s, tr, 5);
	assert_int_equal(sim_run(&s), SIM_END_QUIET);
	memtrace_close(&m);
	/* The task's 10 ns step is cut at 5 by the hardirq (20 ns), the
	 * softirq runs at its exit (7 ns), the task's last 5 ns end at 37. */
	assert_string_equal(m.buf,
		"0 cpu0 T sched:switch\n"
		"0 cpu0 T work n=5 neg=-3\n"
		"5 cpu0 hardirq irq:enter line=0\n"
		"5 cpu0 hardirq wide k0=0 k1=1 k2=2 k3=3 k4=4 k5=5 k6=6 k7=7\n"
		"5 cpu0 hardirq h\n"
		"25 cpu0 hardirq irq:exit\n"
		"25 cpu0 softirq softirq:enter nr=2\n"
		"25 cpu0 softirq s\n"
		"32 cpu0 softirq softirq:exit\n"
		"37 cpu0 T sched:exit\n");
	assert_int_equal(s.g->steps, 3);          /* sim_did, not sim_note */
	memtrace_free(&m);
	sim_free(&s);
}

/* ---- determinism with the mini world ---- */

typedef struct fix {
	mworld w[2];
	memtrace m[2];
} fix;

static int setup(void **state)
{
	*state = test_calloc(1, sizeof(fix));
	return 0;
}

static int teardown(void **state)
{
	fix *f = *state;
	for (int i = 0; i < 2; i++) {
		mworld_free(&f->w[i]);
		memtrace_free(&f->m[i]);
	}
	test_free(f);
	return 0;
}

static unsigned count_lines(const char *p)
{
	unsigned n = 0;
	for (; *p; p++)
		n += *p == '\n';
	return n;
}

/* The first field of every line never decreases. */
static void assert_time_ordered(const char *p)
{
	unsigned long long last = 0;
	unsigned line = 1;
	while (*p) {
		char *end;
		unsigned long long t = strtoull(p, &end, 10);
		assert_true(end != p && *end == ' ');
		if (t < last) {
			print_error("line %u: time %llu after %llu\n", line, t, last);
			fail();
		}
		last = t;
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
		line++;
	}
}

static void test_same_seed_identical_trace(void **state)
{
	fix *f = *state;
	for (int i = 0; i < 2; i++) {
		mworld_build(&f->w[i], 0xfeed, 20, 40);
		mworld_run(&f->w[i], &f->m[i]);
	}
	assert_true(count_lines(f->m[0].buf) > 200);
	assert_int_equal(f->m[0].len, f->m[1].len);
	assert_memory_equal(f->m[0].buf, f->m[1].buf, f->m[0].len);
	assert_int_equal(arena_hash(&f->w[0].s.ar), arena_hash(&f->w[1].s.ar));
	assert_time_ordered(f->m[0].buf);
}

static void test_other_seed_other_trace(void **state)
{
	fix *f = *state;
	mworld_build(&f->w[0], 0xfeed, 20, 40);
	mworld_build(&f->w[1], 0xfeee, 20, 40);
	mworld_run(&f->w[0], &f->m[0]);
	mworld_run(&f->w[1], &f->m[1]);
	assert_true(f->m[0].len != f->m[1].len ||
		    memcmp(f->m[0].buf, f->m[1].buf, f->m[0].len) != 0);
	assert_time_ordered(f->m[1].buf);
}

/* Same seed, jitter on and off: the cost draws make the difference. */
static void test_jitter_changes_trace(void **state)
{
	fix *f = *state;
	mworld_build(&f->w[0], 0xfeed, 0, 40);
	mworld_build(&f->w[1], 0xfeed, 20, 40);
	mworld_run(&f->w[0], &f->m[0]);
	mworld_run(&f->w[1], &f->m[1]);
	assert_true(f->m[0].len != f->m[1].len ||
		    memcmp(f->m[0].buf, f->m[1].buf, f->m[0].len) != 0);
	assert_non_null(strstr(f->m[0].buf, " cpu0 worker work round=0\n"));
	assert_non_null(strstr(f->m[1].buf, " cpu0 worker work round=0\n"));
}

/* Tracing observes; it changes no state. */
static void test_tracing_changes_nothing(void **state)
{
	fix *f = *state;
	mworld_build(&f->w[0], 0xabc, 20, 40);
	mworld_build(&f->w[1], 0xabc, 20, 40);
	mworld_run(&f->w[0], &f->m[0]);
	mworld_run(&f->w[1], NULL);
	assert_int_equal(arena_hash(&f->w[0].s.ar), arena_hash(&f->w[1].s.ar));
	assert_int_equal(f->w[0].s.g->events, f->w[1].s.g->events);
}

/* sim_cost: jitter is uniform in [ns*(100-p)/100, ns*(100+p)/100], drawn
 * from the engine's "costs" stream and no other; a zero cost and jitter off
 * draw nothing. */
static void test_jitter_bounds(void **state)
{
	(void)state;
	sim s;
	sim_init(&s, 1, 11);
	uint32_t other = sim_add_rng(&s, "arrivals");
	uint32_t l100 = sim_add_label(&s, "c100", "100 ns", 100, 0);
	uint32_t lzero = sim_add_label(&s, "c0", "free", 0, 0);
	uint32_t lbyte = sim_add_label(&s, "per_byte", "1.5 ns a byte", 0, 1500);
	assert_int_equal(sim_commit(&s), 0);
	sim_reset(&s);
	const uint32_t r0 = s.rng_costs;
	assert_int_not_equal(r0, other);
	rng before = *sim_rng(&s, r0);
	rng other0 = *sim_rng(&s, other);
	/* the stream is the one named "costs": seeded from (seed, "costs") */
	rng named;
	rng_seed(&named, 11, "costs");
	assert_memory_equal(&named, &before, sizeof named);

	/* off: exact, no draw */
	assert_int_equal(sim_cost(&s, l100, 0), 100);
	assert_int_equal(sim_cost(&s, lbyte, 3), 5);      /* 4.5 ns, rounded */
	assert_int_equal(sim_cost(&s, lbyte, 1), 2);      /* 1.5 ns, rounded up */
	assert_memory_equal(&before, sim_rng(&s, r0), sizeof before);

	s.jitter_pct = 20;
	unsigned seen[41] = { 0 };
	for (unsigned i = 0; i < 20000; i++) {
		uint64_t ns = sim_cost(&s, l100, 0);
		assert_in_range(ns, 80, 120);
		seen[ns - 80]++;
	}
	for (unsigned i = 0; i < 41; i++)
		assert_true(seen[i] > 0);
	assert_memory_not_equal(&before, sim_rng(&s, r0), sizeof before);
	assert_memory_equal(&other0, sim_rng(&s, other), sizeof other0);   /* untouched */
	rng after = *sim_rng(&s, r0);
	assert_int_equal(sim_cost(&s, lzero, 0), 0);
	assert_memory_equal(&after, sim_rng(&s, r0), sizeof after);
	sim_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_format),
		cmocka_unit_test(test_sink_list),
		cmocka_unit_test(test_finish_reports_write_error),
		cmocka_unit_test(test_small_run_trace),
		cmocka_unit_test_setup_teardown(test_same_seed_identical_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_seed_other_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jitter_changes_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tracing_changes_nothing, setup, teardown),
		cmocka_unit_test(test_jitter_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
