/* test_explore.c - exploration finds the ring-wrap overrun without a
 * hand-placed stall, the report does not depend on the number of workers,
 * a replay is the same run, and --shrink writes a small standalone scenario
 * that reproduces the overrun under a plain run.  The 100,000-run checks of
 * the fixes are in the `slow` suite (explore_fixes_clean). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explore.h"
#include "json_check.h"
#include "model_run.h"

static scn_file load(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/scenarios/%s", SIM_TEST_SRCDIR, name);
	scn_file f;
	scn_error err;
	if (scn_parse_file(path, model_labels_for_parser(), &f, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		fail();
	}
	return f;
}

/* Run explore_main; returns its exit status, output in *buf. */
static int explore(const scn_file *f, const explore_opts *o, char **buf)
{
	size_t len;
	FILE *m = open_memstream(buf, &len);
	int rc = explore_main(f, o, m);
	fclose(m);
	return rc;
}

/* The report without its timing line. */
static void strip_timing(char *s)
{
	char *t;
	while ((t = strstr(s, "  timing: ")) != NULL) {
		char *nl = strchr(t, '\n');
		memmove(t, nl ? nl + 1 : t + strlen(t), strlen(nl ? nl + 1 : t + strlen(t)) + 1);
	}
}

static void test_finds_overrun_same_report_for_any_j(void **state)
{
	(void)state;
	scn_file f = load("wrap+explore.scn");
	f.fix = SCN_FIX_NONE;
	explore_opts o = { .runs = 2000, .strategy = -1, .depth = -1, .jobs = 1 };
	char *a = NULL, *b = NULL;
	assert_int_equal(explore(&f, &o, &a), 1);
	o.jobs = 2;
	assert_int_equal(explore(&f, &o, &b), 1);
	assert_non_null(strstr(a, "overrun"));
	assert_non_null(strstr(a, "first failing run:"));
	assert_non_null(strstr(a, "smallest failing run:"));
	strip_timing(a);
	strip_timing(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
	scn_free(&f);
}

/* The number after `"key": ` in s (from `from` on), or -1. */
static long long json_num(const char *s, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\": ", key);
	const char *p = strstr(s, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* --json: one well-formed object whose counts are the text report's, the
 * same for any -j (no timing in it); a clean variant says violating 0. */
static void test_json_report(void **state)
{
	(void)state;
	scn_file f = load("wrap+explore.scn");
	f.fix = SCN_FIX_NONE;
	explore_opts o = { .runs = 2000, .strategy = -1, .depth = -1, .jobs = 1 };
	char *text = NULL, *a = NULL, *b = NULL;
	assert_int_equal(explore(&f, &o, &text), 1);
	o.json = 1;
	assert_int_equal(explore(&f, &o, &a), 1);
	o.jobs = 2;
	assert_int_equal(explore(&f, &o, &b), 1);
	assert_string_equal(a, b);
	assert_true(json_valid(a, strlen(a)));
	/* the text report's line "  N of 2000 runs violated an invariant" */
	const char *v = strstr(text, " runs violated");
	assert_non_null(v);
	while (v > text && v[-1] != '\n')
		v--;
	long long failing = strtoll(v, NULL, 10);
	assert_true(failing > 0);
	assert_int_equal(json_num(a, "violating"), failing);
	assert_int_equal(json_num(a, "runs"), 2000);
	const char *ov = strstr(text, "    overrun ");
	assert_non_null(ov);
	assert_int_equal(json_num(strstr(a, "\"overrun\""), "runs"), strtoll(ov + 12, NULL, 10));
	assert_non_null(strstr(a, "\"replay\": \"sim "));
	assert_null(strstr(a, "timing"));
	free(text);
	free(a);
	free(b);

	f.fix = SCN_FIX_OWNER_MAP;
	o.runs = 300;
	char *c = NULL;
	assert_int_equal(explore(&f, &o, &c), 0);
	assert_true(json_valid(c, strlen(c)));
	assert_int_equal(json_num(c, "violating"), 0);
	assert_null(strstr(c, "\"smallest\""));
	free(c);
	scn_free(&f);
}

static void test_pct_finds_overrun(void **state)
{
	(void)state;
	scn_file f = load("wrap+explore.scn");
	f.fix = SCN_FIX_NONE;
	explore_opts o = { .runs = 2000, .strategy = SCN_STRATEGY_PCT, .depth = 3, .jobs = 2 };
	char *a = NULL;
	assert_int_equal(explore(&f, &o, &a), 1);
	assert_non_null(strstr(a, "strategy=pct depth=3"));
	assert_non_null(strstr(a, "overrun"));
	free(a);
	scn_free(&f);
}

static void test_fixes_clean_in_a_short_search(void **state)
{
	(void)state;
	scn_file f = load("wrap+explore.scn");
	explore_opts o = { .runs = 3000, .strategy = -1, .depth = -1, .jobs = 2 };
	const int fixes[] = { SCN_FIX_OWNER_MAP, SCN_FIX_IN_PROGRESS };
	for (int i = 0; i < 2; i++) {
		f.fix = fixes[i];
		char *a = NULL;
		int rc = explore(&f, &o, &a);
		if (rc != 0)
			fprintf(stderr, "%s", a);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(a, "no violation in 3000 runs"));
		free(a);
	}
	scn_free(&f);
}

static uint64_t seed_after(const char *report, const char *key)
{
	const char *p = strstr(report, key);
	assert_non_null(p);
	p = strstr(p, "seed ");
	assert_non_null(p);
	return strtoull(p + 5, NULL, 10);
}

static void test_replay_is_the_same_run(void **state)
{
	(void)state;
	scn_file f = load("wrap+explore.scn");
	f.fix = SCN_FIX_NONE;
	explore_opts o = { .runs = 2000, .strategy = -1, .depth = -1, .jobs = 2 };
	char *a = NULL;
	assert_int_equal(explore(&f, &o, &a), 1);
	uint64_t seed = seed_after(a, "smallest failing run:");
	free(a);
	/* replay twice with a trace: same bytes, and the overrun is there */
	char *t[2];
	for (int i = 0; i < 2; i++) {
		size_t len;
		FILE *m = open_memstream(&t[i], &len);
		trace_text tt;
		trace_text_init(&tt, m);
		explore_opts r = { .strategy = -1, .depth = -1, .jobs = 1, .replay = 1, .replay_seed = seed,
				   .trace = &tt.sink };
		char *out = NULL;
		assert_int_equal(explore(&f, &r, &out), 1);
		assert_non_null(strstr(out, "first overrun"));
		assert_non_null(strstr(out, "perturbation: stall"));
		free(out);
		fclose(m);
	}
	assert_string_equal(t[0], t[1]);
	assert_non_null(strstr(t[0], "oracle:overrun"));
	free(t[0]);
	free(t[1]);
	scn_free(&f);
}

static void test_shrink_writes_a_small_reproducer(void **state)
{
	(void)state;
	scn_file f = load("wrap+explore.scn");
	f.fix = SCN_FIX_NONE;
	char path[] = "/tmp/sim-shrunk-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	explore_opts o = { .runs = 2000, .strategy = -1, .depth = -1, .jobs = 2, .shrink = 1,
			   .shrink_out = path };
	char *a = NULL;
	assert_int_equal(explore(&f, &o, &a), 1);
	assert_non_null(strstr(a, "reproduces it"));
	free(a);
	/* the file stands alone: plain run, one stall, at most frames + 2 packets */
	scn_file g;
	scn_error err;
	assert_int_equal(scn_parse_file(path, model_labels_for_parser(), &g, &err), 0);
	assert_int_equal(g.nstalls, 1);
	assert_int_equal(g.explore.set, 0);
	uint64_t pk = 0;
	for (size_t i = 0; i < g.nflows; i++)
		pk += g.flows[i].count;
	assert_true(pk <= 8 + 2);
	assert_int_equal(g.nexpects, 1);
	assert_int_equal(g.expects[0].metric, SCN_M_OVERRUN);
	world *w = malloc(sizeof(*w));
	char msg[256];
	assert_int_equal(world_build(w, &g, g.fix, msg, sizeof msg), 0);
	world_run(w);
	assert_true(w->g->m[SCN_M_OVERRUN] >= 1);
	world_free(w);
	free(w);
	scn_free(&g);
	unlink(path);
	scn_free(&f);
}

/* Counts the engine's "stall" events of 1 ns: the perturbation stalls. */
typedef struct stall_count {
	trace_sink sink;
	uint32_t n;
} stall_count;

static void count_stall(trace_sink *self, const trace_event *e)
{
	stall_count *c = (stall_count *)self;
	if (strcmp(e->label, "stall") == 0)
		for (uint32_t i = 0; i < e->nkv; i++)
			if (e->kv[i].key == SIM_TK_FOR && e->kv[i].val == 1)
				c->n++;
}

/* A run that draws a stall after every step applies no more than it can
 * record (the records are what --shrink writes back and --replay prints):
 * every applied stall has its record, and the extra hardirqs fit too. */
static void test_every_perturbation_is_recorded(void **state)
{
	(void)state;
	scn_file f = load("wrap.scn");
	world *w = malloc(sizeof(*w));
	char msg[SCN_ERR_MAX];
	assert_int_equal(world_build(w, &f, SCN_FIX_NONE, msg, sizeof msg), 0);
	w->s.perturb = (perturb_config){ .enabled = 1, .strategy = PERTURB_RANDOM, .depth = 1,
					 .irqs = PERTURB_MAX_IRQS, .stall_max = 1, .irq_max = 1,
					 .expected_steps = 1, .horizon = 1000 };
	stall_count c = { .sink = { .event = count_stall } };
	world_reset(w);
	w->s.trace = &c.sink;
	world_run(w);
	const perturb_state *ps = w->s.pst;
	uint32_t stalls = 0, irqs = 0;
	for (uint32_t i = 0; i < ps->nrec; i++)
		*(ps->rec[i].kind == 0 ? &stalls : &irqs) += 1;
	assert_true(c.n > 64);                  /* many more than the old table held */
	assert_int_equal(stalls, c.n);          /* each applied stall recorded */
	assert_true(ps->nrec <= PERTURB_RECORDS);
	assert_int_equal(irqs, PERTURB_MAX_IRQS);
	world_free(w);
	free(w);
	scn_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_finds_overrun_same_report_for_any_j),
		cmocka_unit_test(test_json_report),
		cmocka_unit_test(test_pct_finds_overrun),
		cmocka_unit_test(test_fixes_clean_in_a_short_search),
		cmocka_unit_test(test_replay_is_the_same_run),
		cmocka_unit_test(test_shrink_writes_a_small_reproducer),
		cmocka_unit_test(test_every_perturbation_is_recorded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
