/* test_scn_write.c - scn_write, which --shrink uses to write its scenario,
 * writes what scn_parse reads back to the same scenario: for every shipped
 * scenario, parse -> write -> parse -> write is a fixpoint, and the objects
 * and numbers survive; scn_clone is a deep copy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>

#include "model_run.h"

static char *write_text(const scn_file *f, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	assert_non_null(m);
	scn_write(m, f);
	fclose(m);
	return buf;
}

static void check_roundtrip(const char *path)
{
	scn_file a, b, c;
	scn_error err;
	if (scn_parse_file(path, model_labels_for_parser(), &a, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		fail();
	}
	size_t la, lb;
	char *ta = write_text(&a, &la);
	if (scn_parse("written.scn", ta, la, model_labels_for_parser(), &b, &err) != 0) {
		fprintf(stderr, "%s\n--- written:\n%s", err.msg, ta);
		fail();
	}
	char *tb = write_text(&b, &lb);
	assert_string_equal(ta, tb);
	/* the objects and what they say */
	assert_string_equal(a.name, b.name);
	assert_int_equal(a.seed, b.seed);
	assert_int_equal(a.cpus, b.cpus);
	assert_int_equal(a.fix, b.fix);
	assert_int_equal(a.bugs, b.bugs);
	assert_int_equal(a.jitter_pct, b.jitter_pct);
	assert_int_equal(a.nsockets, b.nsockets);
	assert_int_equal(a.nflows, b.nflows);
	assert_int_equal(a.ntasks, b.ntasks);
	assert_int_equal(a.nconsumers, b.nconsumers);
	assert_int_equal(a.nstalls, b.nstalls);
	assert_int_equal(a.nirqs, b.nirqs);
	assert_int_equal(a.nexpects, b.nexpects);
	assert_int_equal(a.kernel, b.kernel);
	assert_int_equal(a.has_kernel, b.has_kernel);
	assert_int_equal(a.explore.set, b.explore.set);
	assert_int_equal(a.explore.runs, b.explore.runs);
	assert_int_equal(a.explore.strategy, b.explore.strategy);
	assert_int_equal(a.explore.depth, b.explore.depth);
	assert_int_equal(a.explore.stall_max_ns, b.explore.stall_max_ns);
	assert_int_equal(a.explore.irqs, b.explore.irqs);
	assert_int_equal(a.explore.irq_max_ns, b.explore.irq_max_ns);
	assert_int_equal(a.explore.jitter_pct, b.explore.jitter_pct);
	assert_int_equal(a.explore.order, b.explore.order);
	for (size_t i = 0; i < a.nflows; i++) {
		assert_int_equal(a.flows[i].count, b.flows[i].count);
		assert_int_equal(a.flows[i].every_ns, b.flows[i].every_ns);
		assert_int_equal(a.flows[i].at_ns, b.flows[i].at_ns);
		assert_int_equal(a.flows[i].size, b.flows[i].size);
	}
	for (size_t i = 0; i < a.nstalls; i++) {
		assert_int_equal(a.stalls[i].for_ns, b.stalls[i].for_ns);
		assert_int_equal(a.stalls[i].nth, b.stalls[i].nth);
		assert_string_equal(a.stalls[i].label, b.stalls[i].label);
	}
	for (size_t i = 0; i < a.ntasks; i++) {
		assert_int_equal(a.tasks[i].nops, b.tasks[i].nops);
		for (size_t k = 0; k < a.tasks[i].nops; k++) {     /* field by field: scn_op has padding */
			assert_int_equal(a.tasks[i].ops[k].kind, b.tasks[i].ops[k].kind);
			assert_int_equal(a.tasks[i].ops[k].arg, b.tasks[i].ops[k].arg);
		}
	}
	/* a clone writes the same and owns its arrays */
	assert_int_equal(scn_clone(&a, &c), 0);
	size_t lc;
	char *tc = write_text(&c, &lc);
	assert_string_equal(ta, tc);
	if (c.nflows)
		assert_ptr_not_equal(c.flows, a.flows);
	scn_free(&c);
	free(ta);
	free(tb);
	free(tc);
	scn_free(&a);
	scn_free(&b);
}

static void test_every_shipped_scenario_roundtrips(void **state)
{
	(void)state;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/scenarios", SIM_TEST_SRCDIR);
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".scn") != 0)
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		check_roundtrip(path);
		n++;
	}
	closedir(d);
	assert_true(n >= 13);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shipped_scenario_roundtrips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
