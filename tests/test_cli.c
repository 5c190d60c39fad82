/* test_cli.c - the `sim` command as users run it: exit statuses 0/1/2, every
 * hostile-input class answered with one FILE:LINE:COL: error: line and exit 2
 * (no run started), scenario paths relative to the source tree, --json equal
 * to the table, and byte-identical --trace / --json for the same scenario.
 *
 * argv[1] is the sim binary; SIM_TEST_SRCDIR the source tree. */
#define _XOPEN_SOURCE 700  /* realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "contract_example.h"
#include "json_check.h"

extern char **environ;
static const char *sim_bin;
static char tmpdir[256];

typedef struct out {
	int rc;
	char *out, *err;
	size_t out_len, err_len;
} out;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int ch;
	while ((ch = fgetc(f)) != EOF) {
		if (n + 1 >= cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		buf[n++] = (char)ch;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[n] = 0;
	*len = n;
	return buf;
}

/* Run sim with args (NULL-terminated), in directory `cwd` (or NULL). */
static void run(out *o, const char *cwd, ...)
{
	char *argv[32];
	int n = 0;
	argv[n++] = (char *)sim_bin;
	va_list ap;
	va_start(ap, cwd);
	const char *a;
	while ((a = va_arg(ap, const char *)) != NULL && n < 31)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	char op[300], ep[300];
	snprintf(op, sizeof op, "%s/stdout", tmpdir);
	snprintf(ep, sizeof ep, "%s/stderr", tmpdir);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fo = open(op, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(ep, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(99);
		if (cwd && chdir(cwd) != 0)
			_exit(98);
		execv(sim_bin, argv);
		_exit(97);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));     /* never a crash */
	o->rc = WEXITSTATUS(st);
	o->out = slurp(op, &o->out_len);
	o->err = slurp(ep, &o->err_len);
}

static void out_free(out *o)
{
	free(o->out);
	free(o->err);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void scenario_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/scenarios/%s", SIM_TEST_SRCDIR, name);
}

/* Each hostile-input class: exit 2, exactly one line on stderr starting with
 * "PATH:LINE:COL: error:", nothing on stdout. */
static const struct bad {
	const char *name, *text, *where, *what;
	size_t len;             /* 0: strlen(text) */
} bad[] = {
	{ "unknown-directive", "scenario x\nfrobnicate 3\n", ":2:1: error:", "frobnicate", 0 },
	{ "unknown-key", "scenario x\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB colour=red\n", ":2:", "colour", 0 },
	{ "missing-key", "scenario x\nsocket s type=packet version=v2 frame_size=2048\n", ":2:", "frames", 0 },
	{ "malformed-number", "scenario x\ncpus 3x\n", ":2:6: error:", "", 0 },
	{ "out-of-range", "scenario x\ncpus 1025\n", ":2:6: error:", "", 0 },
	{ "overflow-64", "scenario x\nseed 99999999999999999999\n", ":2:6: error:", "", 0 },
	{ "time-overflow", "scenario x\nlimit time=18446744073709551615s\n", ":2:", "", 0 },
	{ "unknown-unit", "scenario x\nsocket s type=stream rcvbuf=64KB sndbuf=1KiB\n", ":2:", "", 0 },
	{ "unterminated-quote", "scenario x\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\ntask t socket=s cpu=0 do=\"lock_sock\n", ":3:", "", 0 },
	{ "unknown-op", "scenario x\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\ntask t socket=s cpu=0 do=\"lock_sock; dance\"\n", ":3:", "dance", 0 },
	{ "unknown-label", "scenario x\nstall cpu=0 at=tpacket_rcv:Z for=1us\n", ":2:", "tpacket_rcv:Z", 0 },
	{ "dangling-socket", "scenario x\nflow f socket=nope cpu=0\n", ":2:", "nope", 0 },
	{ "duplicate-name", "scenario x\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\n", ":3:", "", 0 },
	{ "stall-bad-cpu", "scenario x\ncpus 2\nstall cpu=2 at=1us for=1us\n", ":3:", "cpu", 0 },
	{ "binary-junk", "scenario x\n\x01\x02\xff\xfe\x00junk\n", ":2:", "", 16 },
	{ "empty-file", "", ":1:1: error:", "", 0 },
	{ "bad-expect-metric", "scenario x\nexpect frobs>=1\n", ":2:", "frobs", 0 },
	{ "time-out-of-range", "scenario x\nstall cpu=0 at=tpacket_rcv:F for=18446744073709551615ns\n", ":2:34: error:", "out of range", 0 },
	{ "nth-with-time", "scenario x\nstall cpu=0 at=1us nth=2 for=1us\n", ":2:20: error:", "at=LABEL", 0 },
	/* runs that would never let time advance: stopped, reported at the
	 * task or flow, never a hang */
	{ "zero-time-task", "scenario x\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\n"
	  "task w socket=s cpu=0 do=\"work 0\" repeat=18446744073709551615\n", ":3:1: error:", "time stops", 0 },
	{ "zero-time-sleep", "scenario x\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\n"
	  "task w socket=s cpu=0 do=\"sleep 0\" repeat=18446744073709551615\n", ":3:1: error:", "task 'w'", 0 },
	{ "zero-time-flow", "scenario x\nsocket s type=packet version=v2 frames=8 frame_size=2048\n"
	  "flow f socket=s cpu=0 every=0 count=10000000000\n", ":3:1: error:", "flow 'f'", 0 },
	{ "zero-time-locks", "scenario x\ncpus 2\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\nspinlock handoff=0\n"
	  "cost lock_sock:spin_lock_bh 0\ncost lock_sock:owned 0\ncost lock_sock:spin_unlock_bh 0\n"
	  "cost release_sock:spin_lock_bh 0\ncost release_sock:owned 0\ncost release_sock:spin_unlock_bh 0\n"
	  "cost release_sock:len_reset 0\n"
	  "task a socket=s cpu=0 do=\"lock_sock; release_sock\" repeat=18446744073709551615\n"
	  "task b socket=s cpu=1 do=\"lock_sock; release_sock\" repeat=18446744073709551615\n",
	  ":1", "time stops", 0 },
};

static void test_hostile_inputs_exit_2(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s.scn", tmpdir, bad[i].name);
		write_file(path, bad[i].text, bad[i].len ? bad[i].len : strlen(bad[i].text));
		out o;
		run(&o, NULL, path, (const char *)NULL);
		if (o.rc != 2 || strncmp(o.err, path, strlen(path)) != 0 || !strstr(o.err, bad[i].where) ||
		    !strstr(o.err, bad[i].what))
			fprintf(stderr, "case %s: rc=%d stderr=%s\n", bad[i].name, o.rc, o.err);
		assert_int_equal(o.rc, 2);
		assert_int_equal(strncmp(o.err, path, strlen(path)), 0);
		assert_non_null(strstr(o.err, bad[i].where));
		assert_non_null(strstr(o.err, bad[i].what));
		assert_non_null(strstr(o.err, ": error: "));
		/* one line, no partial run on stdout */
		assert_int_equal(strchr(o.err, '\n') - o.err + 1, (long)o.err_len);
		assert_int_equal(o.out_len, 0);
		out_free(&o);
	}
}

/* A task program of 70,000 ops runs them all, once (its op index is not
 * a 16-bit counter that wraps and restarts the program forever). */
static void test_long_program_runs(void **state)
{
	(void)state;
	const char *head = "scenario long\nsocket s type=stream rcvbuf=1KiB sndbuf=1KiB\n"
			   "task w socket=s cpu=0 do=\"";
	size_t n = 70000, len = strlen(head) + n * 10 + 64;
	char *text = malloc(len), *p = text;
	assert_non_null(text);
	p += sprintf(p, "%s", head);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "work 1ns; ");
	p += sprintf(p, "\"\nlimit time=1s\n");
	char path[512];
	snprintf(path, sizeof path, "%s/long.scn", tmpdir);
	write_file(path, text, (size_t)(p - text));
	free(text);
	out o;
	run(&o, NULL, "--json", path, (const char *)NULL);
	assert_int_equal(o.rc, 0);
	/* 70,000 ns of work, once: the run ends quiet, not at the limit */
	assert_non_null(strstr(o.out, "\"end\": \"quiet\""));
	out_free(&o);
}

static void test_missing_file_exit_2(void **state)
{
	(void)state;
	out o;
	run(&o, NULL, "/nonexistent/dir/x.scn", (const char *)NULL);
	assert_int_equal(o.rc, 2);
	assert_non_null(strstr(o.err, "/nonexistent/dir/x.scn:1:1: error: cannot open"));
	out_free(&o);
}

static void test_usage_errors_exit_2(void **state)
{
	(void)state;
	char wrap[512];
	scenario_path(wrap, sizeof wrap, "wrap.scn");
	const char *cases[][3] = {
		{ "--frobnicate", wrap, NULL },
		{ "--seed", "12ab", wrap },
		{ "--seed", "99999999999999999999", wrap },
		{ "--fix", "sometimes", wrap },
		{ wrap, "--seed", NULL },
		{ "--seed=", wrap, NULL },
		{ "--seed=12ab", wrap, NULL },
		{ "--json=1", wrap, NULL },
		{ "--fix=sometimes", wrap, NULL },
		{ "--frobnicate=1", wrap, NULL },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		out o;
		run(&o, NULL, cases[i][0], cases[i][1], cases[i][2], (const char *)NULL);
		assert_int_equal(o.rc, 2);
		assert_non_null(strstr(o.err, "sim: "));
		assert_int_equal(strchr(o.err, '\n') - o.err + 1, (long)o.err_len);   /* one line */
		assert_int_equal(o.out_len, 0);
		out_free(&o);
	}
	out o;
	run(&o, NULL, (const char *)NULL);      /* no file */
	assert_int_equal(o.rc, 2);
	out_free(&o);
}

static void test_help_version_labels(void **state)
{
	(void)state;
	out o;
	run(&o, NULL, "--version", (const char *)NULL);
	assert_int_equal(o.rc, 0);
	assert_int_equal(strncmp(o.out, "sim ", 4), 0);
	out_free(&o);
	run(&o, NULL, "--help", (const char *)NULL);
	assert_int_equal(o.rc, 0);
	assert_non_null(strstr(o.out, "--fix"));
	out_free(&o);
	run(&o, NULL, "--labels", (const char *)NULL);
	assert_int_equal(o.rc, 0);
	const char *want[] = { "tpacket_rcv:A ", "tpacket_rcv:D' ", "tpacket_rcv:F ", "tpacket_rcv:J ",
			       "tpacket_rcv:K ", "lock_sock:spin_lock_bh", "release_sock:backlog_rcv",
			       "tcp_rcv:add_backlog", "spin_unlock(&sk->sk_receive_queue.lock)" };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_non_null(strstr(o.out, want[i]));
	out_free(&o);
}

static void test_wrap_from_build_dir_and_json(void **state)
{
	(void)state;
	/* relative to the source tree, from an unrelated directory */
	out o;
	run(&o, tmpdir, "scenarios/wrap.scn", (const char *)NULL);
	assert_int_equal(o.rc, 0);
	assert_non_null(strstr(o.out, "first overrun"));
	assert_non_null(strstr(o.out, "tpacket_rcv:F"));
	/* the table row for none: overrun is its first column */
	const char *row = strstr(o.out, "\nnone ");
	assert_non_null(row);
	unsigned long overrun_none = strtoul(row + 6, NULL, 10);
	assert_true(overrun_none >= 1);
	const char *om = strstr(o.out, "\nowner_map ");
	assert_non_null(om);
	assert_int_equal(strtoul(om + 11, NULL, 10), 0);
	out_free(&o);

	run(&o, tmpdir, "--json", "scenarios/wrap.scn", (const char *)NULL);
	assert_int_equal(o.rc, 0);
	assert_true(json_valid(o.out, o.out_len));
	assert_non_null(strstr(o.out, "{\"scenario\": \"wrap\", \"seed\": 1, \"variants\": [{\"fix\": \"none\", \"metrics\": {\"overrun\": "));
	char want[64];
	snprintf(want, sizeof want, "\"overrun\": %lu,", overrun_none);
	assert_non_null(strstr(o.out, want));
	assert_non_null(strstr(o.out, "{\"fix\": \"owner_map\", \"metrics\": {\"overrun\": 0,"));
	assert_non_null(strstr(o.out, "\"expect\": [{\"text\": \"overrun>=1\", \"ok\": true, \"value\": "));
	out_free(&o);
}

/* SCENARIOS.md's example, verbatim: every expectation holds (exit 0). */
static void test_contract_example(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof path, "%s/example.scn", tmpdir);
	const char *text = contract_example;
	write_file(path, text, strlen(text));
	out o;
	run(&o, NULL, "--json", path, (const char *)NULL);
	assert_int_equal(o.rc, 0);
	assert_true(json_valid(o.out, o.out_len));
	assert_null(strstr(o.out, "\"ok\": false"));
	/* six clauses, each ok */
	int n = 0;
	for (const char *p = o.out; (p = strstr(p, "\"ok\": true")) != NULL; p++)
		n++;
	assert_int_equal(n, 6);
	out_free(&o);
}

static void test_failed_expectation_exit_1(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof path, "%s/fail.scn", tmpdir);
	const char *text =
		"scenario fail\ncpus 1\nsocket cap type=packet version=v2 frames=4 frame_size=2048\n"
		"flow f socket=cap cpu=0 count=2\nexpect delivered==3\nexpect delivered==2\n";
	write_file(path, text, strlen(text));
	out o;
	run(&o, NULL, path, (const char *)NULL);
	assert_int_equal(o.rc, 1);
	assert_non_null(strstr(o.out, "FAILED  expect fix=none         delivered==3"));
	assert_non_null(strstr(o.out, "(delivered = 2)"));
	assert_non_null(strstr(o.out, "ok      expect fix=none         delivered==2"));
	out_free(&o);
	run(&o, NULL, "--json", path, (const char *)NULL);
	assert_int_equal(o.rc, 1);
	assert_true(json_valid(o.out, o.out_len));
	assert_non_null(strstr(o.out, "{\"text\": \"delivered==3\", \"ok\": false, \"value\": 2}"));
	out_free(&o);
	/* --fix and --seed override the file */
	run(&o, NULL, "--json", "--fix", "owner_map", "--seed", "7", path, (const char *)NULL);
	assert_non_null(strstr(o.out, "\"seed\": 7, \"variants\": [{\"fix\": \"owner_map\""));
	/* ... and the same with --name=value */
	out eq;
	run(&eq, NULL, "--json", "--fix=owner_map", "--seed=7", path, (const char *)NULL);
	assert_int_equal(eq.rc, o.rc);
	assert_int_equal(eq.out_len, o.out_len);
	assert_memory_equal(eq.out, o.out, o.out_len);
	out_free(&eq);
	out_free(&o);
}

static void test_same_scenario_same_bytes(void **state)
{
	(void)state;
	const char *names[] = { "wrap.scn", "sock+owned-backlog.scn", "wrap+big-frames.scn" };
	for (size_t i = 0; i < 3; i++) {
		char scn[512], t1[512], t2[512];
		scenario_path(scn, sizeof scn, names[i]);
		snprintf(t1, sizeof t1, "%s/t1.txt", tmpdir);
		snprintf(t2, sizeof t2, "%s/t2.txt", tmpdir);
		out a, b;
		run(&a, NULL, "--json", "--trace", t1, scn, (const char *)NULL);
		run(&b, NULL, "--json", "--trace", t2, scn, (const char *)NULL);
		assert_int_equal(a.rc, 0);
		assert_int_equal(a.out_len, b.out_len);
		assert_memory_equal(a.out, b.out, a.out_len);
		size_t l1, l2;
		char *x = slurp(t1, &l1), *y = slurp(t2, &l2);
		assert_true(l1 > 1000);
		assert_int_equal(l1, l2);
		assert_memory_equal(x, y, l1);
		free(x);
		free(y);
		out_free(&a);
		out_free(&b);
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_cli SIM_BINARY\n");
		return 2;
	}
	static char abs_bin[4096];
	if (!realpath(argv[1], abs_bin))
		return 2;
	sim_bin = abs_bin;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/sim-test-cli-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 2;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_inputs_exit_2),
		cmocka_unit_test(test_long_program_runs),
		cmocka_unit_test(test_missing_file_exit_2),
		cmocka_unit_test(test_usage_errors_exit_2),
		cmocka_unit_test(test_help_version_labels),
		cmocka_unit_test(test_wrap_from_build_dir_and_json),
		cmocka_unit_test(test_contract_example),
		cmocka_unit_test(test_failed_expectation_exit_1),
		cmocka_unit_test(test_same_scenario_same_bytes),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
