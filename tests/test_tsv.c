/* test_tsv.c - unit tests of cmd/trace_tsv.c and cmd/trace_perfetto.c, the
 * data sinks behind `sim --tsv`, `--plot` and `--perfetto`.
 *
 * Scenarios run through report_run_variant with the sinks attached, as
 * main.c does; the files are read back and checked: the header lines, the
 * agreement of lock_acquisitions.tsv with the run's spin_total_ns, the tiling
 * of cpu_states.tsv, the ring and backlog rows against the metrics, the
 * well-formedness and content of the Perfetto JSON, byte-identical output
 * for the same scenario and seed.  One test feeds hand-made events to the
 * TSV sink and compares cpu_states.tsv with the intervals they mean.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "contract_example.h"
#include "json_check.h"
#include "scn.h"
#include "trace_perfetto.h"
#include "trace_tsv.h"
#include "world.h"

/* ---- scenarios ---- */


static const char sock_scn[] =
	"scenario sock\n"
	"cpus 2\n"
	"socket s type=stream rcvbuf=64KiB sndbuf=16KiB\n"
	"task user socket=s cpu=0 do=\"lock_sock; work 30us; release_sock\" at=2us\n"
	"flow f socket=s cpu=1 every=1us count=40 size=1000\n";

/* The same with a 16 KiB limit: rmem from the inline receives counts. */
static const char sock_rmem_scn[] =
	"scenario sock_rmem\n"
	"cpus 2\n"
	"socket s type=stream rcvbuf=16KiB sndbuf=0\n"
	"task user socket=s cpu=0 do=\"lock_sock; work 30us; release_sock\" at=2us\n"
	"flow f socket=s cpu=1 every=1us count=40 size=1000\n";

/* Contention on every kind of lock: slock between a task and NET_RX, the
 * ring's lock between two NET_RX softirqs (and owner_map's second trip), a
 * plain lock between two tasks. */
static const char contended_scn[] =
	"scenario contended\n"
	"cpus 4\n"
	"fix all\n"
	"socket s    type=stream rcvbuf=256KiB sndbuf=64KiB\n"
	"socket cap  type=packet version=v2 frames=16 frame_size=2048\n"
	"lock   big\n"
	"task   user socket=s cpu=0 do=\"lock_sock; work 200ns; recv; release_sock\" repeat=8 every=3us\n"
	"task   a socket=s cpu=3 do=\"spin_lock big; work 300ns; spin_unlock big\" repeat=5 every=1us\n"
	"task   b socket=s cpu=0 do=\"spin_lock big; work 300ns; spin_unlock big\" repeat=5 every=1us at=100ns\n"
	"flow   rx   socket=s cpu=1 every=1us count=20 size=1000\n"
	"flow   p1   socket=cap cpu=1 every=150ns count=30 size=64\n"
	"flow   p2   socket=cap cpu=2 every=150ns count=30 size=64\n"
	"consumer r  socket=cap cpu=2 check=user_bit\n";

/* ABBA on two CPUs: a deadlock whose cycle spans both. */
static const char abba_scn[] =
	"scenario abba\n"
	"cpus 3\n"
	"lock A\n"
	"lock B\n"
	"task t1 cpu=0 do=\"spin_lock A; work 1us; spin_lock B; spin_unlock B; spin_unlock A\"\n"
	"task t2 cpu=1 do=\"spin_lock B; work 1us; spin_lock A; spin_unlock A; spin_unlock B\"\n";

/* ---- helpers ---- */

static const scn_labels *labels(void)
{
	static const char *names[1024];
	static scn_labels l;
	if (!l.count) {
		size_t n = world_label_table(names, NULL, 1024);
		assert_true(n <= 1024);
		l.names = names;
		l.count = n;
	}
	return &l;
}

static void parse(const char *text, scn_file *f)
{
	scn_error err;
	if (scn_parse("test.scn", text, strlen(text), labels(), f, &err) != 0)
		fail_msg("parse: %s", err.msg);
}

typedef struct outputs {
	int n;
	int fixes[SCN_FIX_COUNT];
	uint64_t m[SCN_FIX_COUNT][SCN_M_COUNT];
} outputs;

/* Run every variant of `text` with the TSV sink into dir (if not NULL) and
 * the Perfetto sink into json (if not NULL), as main.c does. */
static void run_outputs(const char *text, const char *dir, const char *json, outputs *o)
{
	scn_file f;
	char err[512];
	parse(text, &f);
	memset(o, 0, sizeof(*o));
	o->n = report_variants(f.fix, o->fixes);
	trace_tsv *t = NULL;
	trace_perfetto *p = NULL;
	trace_sink *list = NULL, **link = &list;
	if (dir) {
		t = trace_tsv_open(dir, &f, err, sizeof err);
		if (!t)
			fail_msg("trace_tsv_open: %s", err);
		*link = trace_tsv_sink(t);
		link = &(*link)->next;
	}
	if (json) {
		p = trace_perfetto_open(json, &f, o->n, err, sizeof err);
		if (!p)
			fail_msg("trace_perfetto_open: %s", err);
		*link = trace_perfetto_sink(p);
	}
	for (int i = 0; i < o->n; i++) {
		variant_result r;
		memset(&r, 0, sizeof r);
		if (t)
			trace_tsv_begin(t, o->fixes[i]);
		if (p)
			trace_perfetto_begin(p, i, o->fixes[i]);
		if (report_run_variant(&f, o->fixes[i], list, &r, err, sizeof err) != 0)
			fail_msg("run: %s", err);
		if (t)
			trace_tsv_end(t, r.m);
		if (p)
			trace_perfetto_end(p);
		memcpy(o->m[i], r.m, sizeof r.m);
		report_result_free(&r);
	}
	assert_int_equal(trace_finish(list), 0);
	trace_tsv_free(t);
	trace_perfetto_free(p);
	scn_free(&f);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *in = fopen(path, "rb");
	if (!in)
		fail_msg("cannot read %s", path);
	char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t r = fread(buf + n, 1, 4096, in);
		n += r;
		if (r == 0)
			break;
	}
	fclose(in);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

static char *file_in(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return slurp(path, len);
}

/* Split a line (modified in place) at tabs; returns the number of fields. */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

/* The next line of *cur (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **cur)
{
	char *s = *cur;
	if (!s || !*s)
		return NULL;
	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = 0;
		*cur = nl + 1;
	} else {
		*cur = s + strlen(s);
	}
	return s;
}

static int fix_index(const outputs *o, const char *name)
{
	for (int i = 0; i < o->n; i++)
		if (strcmp(scn_fix_name(o->fixes[i]), name) == 0)
			return i;
	fail_msg("unknown fix '%s' in the data", name);
	return -1;
}

typedef struct fixture {
	char dir[64];
} fixture;

static int setup(void **state)
{
	fixture *fx = malloc(sizeof(*fx));
	assert_non_null(fx);
	snprintf(fx->dir, sizeof fx->dir, "/tmp/sim-tsv-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	*state = fx;
	return 0;
}

/* Remove what the tests write: the files, in dir and in its a/ and b/. */
static void rm_files(const char *dir, int sub)
{
	static const char *const names[] = {
		"cpu_states.tsv", "lock_acquisitions.tsv", "ring.tsv", "backlog.tsv", "metrics.tsv",
		"run.tsv", "ring_steps.tsv", "trace.json",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[256];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	if (!sub)
		return;
	for (int k = 0; k < 2; k++) {
		char p[128];
		snprintf(p, sizeof p, "%.100s/%s", dir, k ? "b" : "a");
		rm_files(p, 0);
		rmdir(p);
	}
}

static int teardown(void **state)
{
	fixture *fx = *state;
	rm_files(fx->dir, 1);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* ---- the JSON checker (json_check.h) ---- */

static void test_json_checker(void **state)
{
	(void)state;
	static const char *const good[] = { "{}", "[]", "{\"a\": [1, -2.5e3, \"x\\u00e9\", true, null]}", " 0 " };
	static const char *const bad[] = { "{", "[1,]", "{\"a\" 1}", "01", "\"\x01\"", "[1] x", "{'a':1}", "1." };
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_true(json_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (json_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted bad JSON: %s", bad[i]);
}

/* ---- the tests ---- */

static void check_header(const char *dir, const char *name, const char *want)
{
	char *buf = file_in(dir, name, NULL);
	char *nl = strchr(buf, '\n');
	assert_non_null(nl);
	*nl = 0;
	if (strcmp(buf, want) != 0)
		fail_msg("%s: header\n  got  '%s'\n  want '%s'", name, buf, want);
	free(buf);
}

static void test_headers(void **state)
{
	fixture *fx = *state;
	outputs o;
	run_outputs(contract_example, fx->dir, NULL, &o);
	check_header(fx->dir, "cpu_states.tsv", "fix\tstart\tend\tcpu\tstate\tlock\tlabel\tpkt");
	check_header(fx->dir, "lock_acquisitions.tsv",
		     "fix\tlock\tcpu\tcontext\twait_start\tacquired\treleased");
	check_header(fx->dir, "ring.tsv", "fix\ttime\tsock\tkernel\twriting\tuser\tevent");
	check_header(fx->dir, "backlog.tsv", "fix\ttime\tsock\tpkts\tbytes\tevent\trmem");
	check_header(fx->dir, "run.tsv",
		     "fix\tscenario\tseed\tcpus\tend_ns\tring_sock\tframes\tstream_sock\tbacklog_limit"
		     "\tacquisitions\tcontended\thold_total_ns\tdeadlock_hops");
	check_header(fx->dir, "ring_steps.tsv", "fix\ttime\tcpu\tcontext\tsock\tframe\tpkt\tstep");
	check_header(fx->dir, "deadlocks.tsv", "fix\ttime\tcpu\tcontext\thop\thops\twaits\tchain");
	char want[1024] = "fix";
	for (int m = 0; m < SCN_M_COUNT; m++) {
		strcat(want, "\t");
		strcat(want, scn_metric_name(m));
	}
	check_header(fx->dir, "metrics.tsv", want);

	/* metrics.tsv: one row per variant, the run's metrics. */
	char *buf = file_in(fx->dir, "metrics.tsv", NULL), *cur = buf, *line;
	next_line(&cur);
	int rows = 0;
	while ((line = next_line(&cur))) {
		char *f[SCN_M_COUNT + 2];
		assert_int_equal(fields(line, f, SCN_M_COUNT + 2), SCN_M_COUNT + 1);
		int v = fix_index(&o, f[0]);
		assert_int_equal(v, rows);
		for (int m = 0; m < SCN_M_COUNT; m++)
			assert_int_equal(strtoull(f[m + 1], NULL, 10), o.m[v][m]);
		rows++;
	}
	assert_int_equal(rows, 3);
	free(buf);
}

/* Sum of (acquired - wait_start) per variant == spin_total_ns. */
static void check_spin_agreement(const char *dir, const outputs *o, int want_contention)
{
	uint64_t sum[SCN_FIX_COUNT] = { 0 }, rows[SCN_FIX_COUNT] = { 0 };
	char *buf = file_in(dir, "lock_acquisitions.tsv", NULL), *cur = buf, *line;
	next_line(&cur);
	while ((line = next_line(&cur))) {
		char *f[8];
		assert_int_equal(fields(line, f, 8), 7);
		int v = fix_index(o, f[0]);
		uint64_t ws = strtoull(f[4], NULL, 10), acq = strtoull(f[5], NULL, 10);
		assert_true(acq >= ws);
		if (strcmp(f[6], "-") != 0)
			assert_true(strtoull(f[6], NULL, 10) >= acq);
		sum[v] += acq - ws;
		rows[v]++;
	}
	free(buf);
	uint64_t total = 0;
	for (int v = 0; v < o->n; v++) {
		if (sum[v] != o->m[v][SCN_M_SPIN_TOTAL_NS])
			fail_msg("fix=%s: lock_acquisitions.tsv waits sum to %" PRIu64 " ns, spin_total_ns is %" PRIu64,
				 scn_fix_name(o->fixes[v]), sum[v], o->m[v][SCN_M_SPIN_TOTAL_NS]);
		assert_true(rows[v] > 0);
		total += sum[v];
	}
	if (want_contention)
		assert_true(total > 0);
}

static void test_spin_agreement(void **state)
{
	fixture *fx = *state;
	outputs o;
	run_outputs(contended_scn, fx->dir, NULL, &o);
	for (int v = 0; v < o.n; v++)
		assert_true(o.m[v][SCN_M_SPIN_TOTAL_NS] > 0);
	check_spin_agreement(fx->dir, &o, 1);
	run_outputs(sock_scn, fx->dir, NULL, &o);
	check_spin_agreement(fx->dir, &o, 1);
	run_outputs(contract_example, fx->dir, NULL, &o);
	check_spin_agreement(fx->dir, &o, 0);
}

static const char *const state_names[] = { "task", "softirq", "hardirq", "spinning", "holding",
					   "owned", "backlog", "stalled", "idle" };

/* cpu_states.tsv tiles [0, end_ns) of each CPU of each variant. */
static void check_tiling(const char *dir, const outputs *o, uint32_t ncpus)
{
	uint64_t end[SCN_FIX_COUNT] = { 0 };
	char *buf = file_in(dir, "run.tsv", NULL), *cur = buf, *line;
	next_line(&cur);
	while ((line = next_line(&cur))) {
		char *f[16];
		assert_int_equal(fields(line, f, 16), 13);
		end[fix_index(o, f[0])] = strtoull(f[4], NULL, 10);
		assert_int_equal(strtoul(f[3], NULL, 10), ncpus);
	}
	free(buf);

	uint64_t *next = calloc((size_t)SCN_FIX_COUNT * ncpus, sizeof(*next));
	assert_non_null(next);
	buf = file_in(dir, "cpu_states.tsv", NULL);
	cur = buf;
	next_line(&cur);
	while ((line = next_line(&cur))) {
		char *f[9];
		assert_int_equal(fields(line, f, 9), 8);
		int v = fix_index(o, f[0]);
		uint64_t a = strtoull(f[1], NULL, 10), b = strtoull(f[2], NULL, 10);
		uint32_t cpu = (uint32_t)strtoul(f[3], NULL, 10);
		assert_true(cpu < ncpus);
		if (a != next[v * ncpus + cpu])
			fail_msg("fix=%s cpu%u: interval starts at %" PRIu64 ", the previous ended at %" PRIu64,
				 f[0], cpu, a, next[v * ncpus + cpu]);
		assert_true(b > a);
		next[v * ncpus + cpu] = b;
		int known = 0;
		for (size_t s = 0; s < sizeof state_names / sizeof state_names[0]; s++)
			known |= !strcmp(f[4], state_names[s]);
		if (!known)
			fail_msg("unknown state '%s'", f[4]);
		/* a lock goes with spinning/holding/owned/backlog only */
		int locked = !strcmp(f[4], "spinning") || !strcmp(f[4], "holding") ||
			     !strcmp(f[4], "owned") || !strcmp(f[4], "backlog");
		if (locked)
			assert_string_not_equal(f[5], "-");
	}
	free(buf);
	for (int v = 0; v < o->n; v++)
		for (uint32_t c = 0; c < ncpus; c++)
			if (next[v * ncpus + c] != end[v])
				fail_msg("fix=%s cpu%u: intervals end at %" PRIu64 ", the run at %" PRIu64,
					 scn_fix_name(o->fixes[v]), c, next[v * ncpus + c], end[v]);
	free(next);
}

static int count_rows(const char *dir, const char *name, const char *fix, int col, const char *val)
{
	char *buf = file_in(dir, name, NULL), *cur = buf, *line;
	int n = 0;
	next_line(&cur);
	while ((line = next_line(&cur))) {
		char *f[16];
		int k = fields(line, f, 16);
		if (col < k && !strcmp(f[0], fix) && (!val || !strcmp(f[col], val)))
			n++;
	}
	free(buf);
	return n;
}

static void test_tiling(void **state)
{
	fixture *fx = *state;
	outputs o;
	run_outputs(contract_example, fx->dir, NULL, &o);
	check_tiling(fx->dir, &o, 3);
	/* The race: cpu0 stalled 20 us right after F, frame 0 still claimed. */
	char *buf = file_in(fx->dir, "cpu_states.tsv", NULL);
	assert_non_null(strstr(buf, "\t0\tstalled\t-\ttpacket_rcv:F\t0\n"));
	free(buf);
	assert_true(count_rows(fx->dir, "cpu_states.tsv", "none", 4, "stalled") >= 1);

	run_outputs(sock_scn, fx->dir, NULL, &o);
	check_tiling(fx->dir, &o, 2);
	assert_true(count_rows(fx->dir, "cpu_states.tsv", "none", 4, "owned") >= 1);
	assert_true(count_rows(fx->dir, "cpu_states.tsv", "none", 4, "backlog") >= 1);
	assert_true(count_rows(fx->dir, "cpu_states.tsv", "none", 4, "spinning") >= 1);
	assert_true(count_rows(fx->dir, "cpu_states.tsv", "none", 4, "holding") >= 1);

	run_outputs(contended_scn, fx->dir, NULL, &o);
	check_tiling(fx->dir, &o, 4);
}

/* ring.tsv and backlog.tsv agree with the metrics. */
static void test_ring_backlog_rows(void **state)
{
	fixture *fx = *state;
	outputs o;
	run_outputs(contract_example, fx->dir, NULL, &o);
	for (int v = 0; v < o.n; v++) {
		const char *fix = scn_fix_name(o.fixes[v]);
		assert_int_equal(count_rows(fx->dir, "ring.tsv", fix, 6, "overrun"), o.m[v][SCN_M_OVERRUN]);
		assert_int_equal(count_rows(fx->dir, "ring.tsv", fix, 6, "drop"), o.m[v][SCN_M_DROPS]);
		assert_int_equal(count_rows(fx->dir, "ring_steps.tsv", fix, 7, "overrun"), o.m[v][SCN_M_OVERRUN]);
		/* every occupancy row counts all 8 frames */
		char *buf = file_in(fx->dir, "ring.tsv", NULL), *cur = buf, *line;
		next_line(&cur);
		while ((line = next_line(&cur))) {
			char *f[8];
			assert_int_equal(fields(line, f, 8), 7);
			assert_int_equal(atoi(f[3]) + atoi(f[4]) + atoi(f[5]), 8);
		}
		free(buf);
	}
	assert_true(o.m[0][SCN_M_OVERRUN] >= 1);

	run_outputs(sock_scn, fx->dir, NULL, &o);
	assert_int_equal(count_rows(fx->dir, "backlog.tsv", "none", 5, "drop"), o.m[0][SCN_M_BACKLOG_DROPS]);
	/* the largest pkts value is backlog_max; bytes go to 0 only after the loop */
	char *buf = file_in(fx->dir, "backlog.tsv", NULL), *cur = buf, *line;
	next_line(&cur);
	uint64_t maxp = 0;
	int zero_bytes_after_max = 0;
	while ((line = next_line(&cur))) {
		char *f[8];
		assert_int_equal(fields(line, f, 8), 7);
		uint64_t p = strtoull(f[3], NULL, 10);
		if (p > maxp)
			maxp = p;
		if (maxp && !strcmp(f[4], "0"))
			zero_bytes_after_max = 1;
	}
	free(buf);
	assert_int_equal(maxp, o.m[0][SCN_M_BACKLOG_MAX]);
	assert_true(zero_bytes_after_max);

	/* sk_add_backlog() refuses when backlog.len + sk_rmem_alloc > rcvbuf +
	 * sndbuf: two packets received inline before the owner came hold 3,152
	 * bytes of rmem, and the drops come with the backlog's own bytes still
	 * under the 16 KiB limit. */
	run_outputs(sock_rmem_scn, fx->dir, NULL, &o);
	assert_true(o.m[0][SCN_M_BACKLOG_DROPS] >= 1);
	buf = file_in(fx->dir, "backlog.tsv", NULL);
	cur = buf;
	next_line(&cur);
	int drops = 0, under_alone = 0;
	while ((line = next_line(&cur))) {
		char *f[8];
		assert_int_equal(fields(line, f, 8), 7);
		uint64_t bytes = strtoull(f[4], NULL, 10), rmem = strtoull(f[6], NULL, 10);
		if (strcmp(f[5], "drop"))
			continue;
		drops++;
		assert_true(bytes + rmem > 16384);
		under_alone += bytes <= 16384;
	}
	free(buf);
	assert_int_equal(drops, o.m[0][SCN_M_BACKLOG_DROPS]);
	assert_true(under_alone >= 1);
}

static void test_perfetto(void **state)
{
	fixture *fx = *state;
	char json[128];
	snprintf(json, sizeof json, "%s/trace.json", fx->dir);
	outputs o;

	run_outputs(contract_example, NULL, json, &o);
	size_t n;
	char *buf = slurp(json, &n);
	if (!json_valid(buf, n))
		fail_msg("%s is not valid JSON", json);
	assert_non_null(strstr(buf, "{\"traceEvents\": ["));
	assert_non_null(strstr(buf, "\"displayTimeUnit\": \"ns\""));
	/* several variants: pid = variant * 10000 + cpu, named "fix=F cpuN" */
	assert_non_null(strstr(buf, "\"pid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"fix=none cpu0\"}"));
	assert_non_null(strstr(buf, "\"pid\":10002,\"name\":\"process_name\",\"args\":{\"name\":\"fix=in_progress cpu2\"}"));
	assert_non_null(strstr(buf, "\"pid\":20001,\"tid\":1,\"name\":\"thread_name\",\"args\":{\"name\":\"softirq\"}"));
	/* lock spans, the stall, the ring counter, the overrun */
	assert_non_null(strstr(buf, "\"ph\":\"X\",\"pid\":0,\"tid\":1,\"ts\":0.550,\"dur\":0.030,\"cat\":\"lock\","
				    "\"name\":\"hold sk_receive_queue.lock(cap)\""));
	assert_non_null(strstr(buf, "\"ph\":\"X\",\"pid\":0,\"tid\":3,\"ts\":0.588,\"dur\":20.000,\"cat\":\"stall\""));
	assert_non_null(strstr(buf, "\"ph\":\"C\",\"pid\":9999,\"ts\":0.572,\"name\":\"ring cap\",\"args\":{\"kernel\":7,\"writing\":1,\"user\":0}"));
	assert_non_null(strstr(buf, "\"ph\":\"i\""));
	assert_non_null(strstr(buf, "overrun: frame 0 claimed twice"));
	assert_null(strstr(buf, "e+"));         /* no floating-point formatting */
	free(buf);

	/* one variant: pid = cpu, named "cpuN"; owned and backlog spans, spinning */
	run_outputs(sock_scn, NULL, json, &o);
	buf = slurp(json, &n);
	if (!json_valid(buf, n))
		fail_msg("%s is not valid JSON", json);
	assert_non_null(strstr(buf, "\"pid\":1,\"name\":\"process_name\",\"args\":{\"name\":\"cpu1\"}"));
	assert_non_null(strstr(buf, "\"name\":\"owned s (lock_sock .. release_sock)\""));
	assert_non_null(strstr(buf, "\"name\":\"backlog s (sk_backlog_rcv in process context)\""));
	assert_non_null(strstr(buf, "\"name\":\"spin sk_lock.slock(s)\""));
	assert_non_null(strstr(buf, "\"name\":\"backlog s\",\"args\":{\"pkts\":"));
	free(buf);

	run_outputs(contended_scn, NULL, json, &o);
	buf = slurp(json, &n);
	if (!json_valid(buf, n))
		fail_msg("%s is not valid JSON", json);
	assert_non_null(strstr(buf, "\"name\":\"spin big\""));
	free(buf);
}

/* The deadlock's cycle: a deadlocks.tsv row per context in it (on its CPU,
 * with the chain), run.tsv's deadlock_hops, and a Perfetto instant on each
 * context's thread; none without a deadlock. */
static void test_deadlock(void **state)
{
	fixture *fx = *state;
	char json[128];
	snprintf(json, sizeof json, "%s/trace.json", fx->dir);
	outputs o;
	run_outputs(abba_scn, fx->dir, json, &o);
	assert_int_equal(o.m[0][SCN_M_DEADLOCK], 1);
	const char *chain = "cpu1 t2 spins on A, held by cpu0 t1; cpu0 t1 spins on B, held by cpu1 t2";
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 7, chain), 2);
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 2, "0"), 1);      /* cpu0 */
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 2, "1"), 1);      /* cpu1 */
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 2, "2"), 0);      /* not in it */
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 6, "spins on B"), 1);
	assert_int_equal(count_rows(fx->dir, "run.tsv", "none", 12, "2"), 1);
	size_t n;
	char *buf = slurp(json, &n);
	if (!json_valid(buf, n))
		fail_msg("%s is not valid JSON", json);
	char want[256];
	for (int cpu = 0; cpu < 2; cpu++) {
		snprintf(want, sizeof want, "\"ph\":\"i\",\"s\":\"t\",\"pid\":%d,\"tid\":0,\"ts\":1.012,"
			 "\"cat\":\"oracle\",\"name\":\"deadlock: %s\"", cpu, chain);
		if (!strstr(buf, want))
			fail_msg("no deadlock instant on cpu%d: %s", cpu, want);
	}
	free(buf);

	/* one CPU: NET_RX spins on the slock its own task holds below it */
	run_outputs("scenario bh\ncpus 1\nbug lock_sock_without_bh\n"
		    "socket s type=stream rcvbuf=256KiB sndbuf=64KiB\n"
		    "task user socket=s cpu=0 do=\"lock_sock_fast; work 10us; unlock_sock_fast\"\n"
		    "flow rx socket=s cpu=0 at=2us count=1 size=100\n", fx->dir, NULL, &o);
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 7,
				    "cpu0 softirq spins on sk_lock.slock(s), held by cpu0 user; "
				    "cpu0 user cannot run under cpu0 softirq"), 2);
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 6, "-"), 1);

	/* lock_sock() by the socket's owner: a cycle of one */
	run_outputs("scenario rec\ncpus 1\nsocket s type=stream rcvbuf=64KiB sndbuf=16KiB\n"
		    "task user socket=s cpu=0 do=\"lock_sock; lock_sock; release_sock; release_sock\"\n",
		    fx->dir, NULL, &o);
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 7,
				    "cpu0 user waits in lock_sock() for s, owned by cpu0 user"), 1);

	run_outputs(sock_scn, fx->dir, json, &o);
	assert_int_equal(count_rows(fx->dir, "deadlocks.tsv", "none", 0, NULL), 0);
	assert_int_equal(count_rows(fx->dir, "run.tsv", "none", 12, "0"), 1);
	buf = slurp(json, &n);
	assert_null(strstr(buf, "deadlock"));
	free(buf);
}

/* Perfetto spans on one thread nest: no span starts inside another and ends
 * after it.  Checked on the X events of each (pid, tid). */
static void check_nesting(const char *json)
{
	char *buf = slurp(json, NULL), *cur = buf, *line;
	enum { MAXS = 200000 };
	typedef struct xs { uint32_t pid, tid; uint64_t a, b; } xs;
	xs *v = malloc(MAXS * sizeof(*v));
	assert_non_null(v);
	size_t n = 0;
	while ((line = next_line(&cur))) {
		unsigned pid, tid, tsu, tsf, du, df;
		if (sscanf(line, "{\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":%u.%u,\"dur\":%u.%u", &pid, &tid, &tsu,
			   &tsf, &du, &df) != 6)
			continue;
		assert_true(n < MAXS);
		uint64_t a = (uint64_t)tsu * 1000 + tsf;
		v[n++] = (xs){ pid, tid, a, a + (uint64_t)du * 1000 + df };
	}
	assert_true(n > 50);
	/* O(n^2) over spans of the same thread; n is a few thousand. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			if (v[i].pid != v[j].pid || v[i].tid != v[j].tid)
				continue;
			const xs *x = &v[i], *y = &v[j];
			int cross = (x->a < y->a && y->a < x->b && x->b < y->b) ||
				    (y->a < x->a && x->a < y->b && y->b < x->b);
			if (cross)
				fail_msg("pid %u tid %u: spans [%" PRIu64 ",%" PRIu64 ") and [%" PRIu64 ",%" PRIu64 ") cross",
					 x->pid, x->tid, x->a, x->b, y->a, y->b);
		}
	free(v);
	free(buf);
}

static void test_perfetto_nesting(void **state)
{
	fixture *fx = *state;
	char json[128];
	snprintf(json, sizeof json, "%s/trace.json", fx->dir);
	const char *const scns[] = { contended_scn, sock_scn, contract_example };
	for (size_t s = 0; s < 3; s++) {
		outputs o;
		run_outputs(scns[s], NULL, json, &o);
		check_nesting(json);
	}
}

static int same_file(const char *a, const char *b)
{
	size_t na, nb;
	char *x = slurp(a, &na), *y = slurp(b, &nb);
	int same = na == nb && memcmp(x, y, na) == 0;
	free(x);
	free(y);
	return same;
}

static void test_deterministic(void **state)
{
	fixture *fx = *state;
	static const char *const names[] = { "cpu_states.tsv", "lock_acquisitions.tsv", "ring.tsv",
					     "backlog.tsv", "metrics.tsv", "run.tsv", "ring_steps.tsv",
					     "trace.json" };
	char da[96], db[96];
	snprintf(da, sizeof da, "%s/a", fx->dir);
	snprintf(db, sizeof db, "%s/b", fx->dir);
	const char *const scns[] = { contract_example, contended_scn };
	for (size_t s = 0; s < 2; s++) {
		char ja[128], jb[128];
		snprintf(ja, sizeof ja, "%s/trace.json", da);
		snprintf(jb, sizeof jb, "%s/trace.json", db);
		outputs o;
		run_outputs(scns[s], da, ja, &o);
		run_outputs(scns[s], db, jb, &o);
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
			char pa[160], pb[160];
			snprintf(pa, sizeof pa, "%s/%s", da, names[i]);
			snprintf(pb, sizeof pb, "%s/%s", db, names[i]);
			if (!same_file(pa, pb))
				fail_msg("%s differs between two runs of the same scenario", names[i]);
		}
	}
}

/* Hand-made events: a contended acquisition (the waiter spins until the
 * hand-off lands), a stall inside the hold, a wake-up latency.  Labels and
 * keys by name, looked up in the engine of a world built for the scenario
 * (ev_sim): the event carries what the engine would put in it. */
static const sim *ev_sim;

static uint32_t ev_key(const char *k)
{
	for (uint32_t i = 0; i < ev_sim->nkeys; i++)
		if (strcmp(ev_sim->key_name[i], k) == 0)
			return i;
	fail_msg("no trace key '%s'", k);
	return 0;
}

static void ev(trace_sink *s, uint64_t t, uint32_t kind, const char *ctx, const char *label, ...)
{
	uint32_t l = sim_find_label(ev_sim, label);
	assert_true(l != SIM_NONE);
	trace_event e = { .time = t, .cpu = 0, .ctx_kind = kind, .ctx = ctx, .label = label,
			  .label_id = l, .flags = ev_sim->labels[l].flags,
			  .key_name = (const char *const *)ev_sim->key_name };
	va_list ap;
	va_start(ap, label);
	const char *k;
	while ((k = va_arg(ap, const char *)) != NULL) {
		e.kv[e.nkv].key = ev_key(k);
		e.kv[e.nkv].val = va_arg(ap, int64_t);
		e.nkv++;
	}
	va_end(ap);
	s->event(s, &e);
}

#define K(k, v) (k), (int64_t)(v)

static void test_sink_intervals(void **state)
{
	fixture *fx = *state;
	scn_file f;
	parse("scenario syn\ncpus 1\nsocket cap type=packet version=v2 frames=4 frame_size=2048\n", &f);
	char err[256];
	world w;
	assert_int_equal(world_build(&w, &f, SCN_FIX_NONE, err, sizeof err), 0);
	ev_sim = &w.s;
	trace_tsv *t = trace_tsv_open(fx->dir, &f, err, sizeof err);
	assert_non_null(t);
	trace_sink *s = trace_tsv_sink(t);
	trace_tsv_begin(t, SCN_FIX_NONE);
	ev(s, 0, 2, "hardirq", "irq:enter", K("line", 0), NULL);
	ev(s, 0, 2, "hardirq", "netrx:irq", K("queued", 1), NULL);
	ev(s, 100, 2, "hardirq", "irq:exit", NULL);
	ev(s, 100, 1, "softirq", "softirq:enter", K("nr", 3), NULL);
	ev(s, 100, 1, "softirq", "tpacket_rcv:A", K("sock", 0), K("frame", 0), K("pkt", 7), NULL);
	ev(s, 100, 1, "softirq", "spin:wait", K("lock", 0), K("owner_cpu", 1), NULL);
	ev(s, 150, 1, "softirq", "spin:acquired", K("lock", 0), K("wait", 110), K("handoff", 60), NULL);
	ev(s, 210, 1, "softirq", "tpacket_rcv:B", K("sock", 0), K("frame", 0), K("pkt", 7), NULL);
	ev(s, 220, 1, "softirq", "stall", K("start", 230), K("for", 40), NULL);
	ev(s, 300, 1, "softirq", "tpacket_rcv:F", K("sock", 0), K("frame", 0), K("pkt", 7), NULL);
	ev(s, 300, 1, "softirq", "spin:release", K("lock", 0), K("hold", 90), NULL);
	ev(s, 320, 1, "softirq", "softirq:exit", NULL);
	ev(s, 400, 0, "t", "sched:wake", K("wq", 0), NULL);
	ev(s, 400, 0, "t", "sched:switch", NULL);
	ev(s, 2400, 0, "t", "task:work", K("ns", 600), NULL);
	ev(s, 3000, 0, "t", "sched:exit", NULL);
	uint64_t m[SCN_M_COUNT] = { 0 };
	m[SCN_M_SPIN_TOTAL_NS] = 110;
	trace_tsv_end(t, m);
	assert_int_equal(s->finish(s), 0);
	trace_tsv_free(t);
	world_free(&w);
	scn_free(&f);

	char *got = file_in(fx->dir, "cpu_states.tsv", NULL);
	static const char want[] =
		"fix\tstart\tend\tcpu\tstate\tlock\tlabel\tpkt\n"
		"none\t0\t100\t0\thardirq\t-\tnetrx:irq\t-\n"
		"none\t100\t210\t0\tspinning\tsk_receive_queue.lock(cap)\ttpacket_rcv:A\t7\n"
		"none\t210\t230\t0\tholding\tsk_receive_queue.lock(cap)\ttpacket_rcv:B\t7\n"
		"none\t230\t270\t0\tstalled\tsk_receive_queue.lock(cap)\ttpacket_rcv:B\t7\n"
		"none\t270\t300\t0\tholding\tsk_receive_queue.lock(cap)\ttpacket_rcv:B\t7\n"
		"none\t300\t320\t0\tsoftirq\t-\ttpacket_rcv:F\t7\n"
		"none\t320\t400\t0\tidle\t-\t-\t-\n"
		"none\t400\t2400\t0\tidle\t-\tsched:wake\t-\n"
		"none\t2400\t3000\t0\ttask\t-\ttask:work\t-\n";
	if (strcmp(got, want) != 0)
		fail_msg("cpu_states.tsv:\n%s\nwanted:\n%s", got, want);
	free(got);
	got = file_in(fx->dir, "lock_acquisitions.tsv", NULL);
	assert_string_equal(got, "fix\tlock\tcpu\tcontext\twait_start\tacquired\treleased\n"
				 "none\tsk_receive_queue.lock(cap)\t0\tsoftirq\t100\t210\t300\n");
	free(got);
	got = file_in(fx->dir, "ring_steps.tsv", NULL);
	assert_non_null(strstr(got, "none\t210\t0\tsoftirq\t0\t0\t7\tB\n"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker),
		cmocka_unit_test_setup_teardown(test_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spin_agreement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tiling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_backlog_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perfetto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perfetto_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deadlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sink_intervals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
