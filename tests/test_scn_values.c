/* test_scn_values.c - unit tests of scn/values.c and scn/names.c: the value
 * readers the directives call (tok_time, tok_range, tok_size, tok_pct,
 * tok_enum) and the name tables, on tokens built by hand. */
#include <string.h>

#include "parser_internal.h"
#include "values.h"
#undef fail     /* the parser's; cmocka has its own */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

typedef struct fixture {
	parser p;
	scn_error err;
	scn_file f;
} fixture;

static void setup_parser(fixture *x)
{
	memset(x, 0, sizeof *x);
	x->p.path = "v.scn";
	x->p.err = &x->err;
	x->p.f = &x->f;
	x->p.line = 3;
}

/* A key=value token "key=VALUE" whose value starts at column 10. */
static tok value(const char *v)
{
	tok t;
	memset(&t, 0, sizeof t);
	t.s = t.v = v;
	t.n = t.vn = strlen(v);
	t.col = 6;
	t.vcol = 10;
	t.has_eq = 1;
	t.key = "key";
	t.kn = 3;
	return t;
}

static void test_absent_key_is_left_alone(void **state)
{
	(void)state;
	fixture x;
	uint64_t v = 7;
	uint32_t w = 9;
	int e = 5;

	setup_parser(&x);
	assert_int_equal(tok_time(&x.p, NULL, "at", &v), 0);
	assert_int_equal(tok_range(&x.p, NULL, "count", 0, 1, &v), 0);
	assert_int_equal(tok_size(&x.p, NULL, "size", 0, 1, &v), 0);
	assert_int_equal(tok_range32(&x.p, NULL, "depth", 1, 64, &w), 0);
	assert_int_equal(tok_pct(&x.p, NULL, "jitter", &w), 0);
	assert_int_equal(tok_enum(&x.p, NULL, &scn_order_names, "order", &e), 0);
	assert_int_equal(v, 7);
	assert_int_equal(w, 9);
	assert_int_equal(e, 5);
	assert_string_equal(x.err.msg, "");
}

static void test_times(void **state)
{
	(void)state;
	fixture x;
	uint64_t v;
	tok t;

	setup_parser(&x);
	t = value("5us");
	assert_int_equal(tok_time(&x.p, &t, "at", &v), 0);
	assert_int_equal(v, 5000);
	t = value("3000ps");
	assert_int_equal(tok_time(&x.p, &t, "at", &v), 0);
	assert_int_equal(v, 3);
	t = value("2ns");
	assert_int_equal(tok_time_ps(&x.p, &t, "per_byte", &v), 0);
	assert_int_equal(v, 2000);
	t = value("1500ps");
	assert_int_equal(tok_time(&x.p, &t, "at", &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: time '1500ps' for at has sub-nanosecond precision");
	t = value("5");
	assert_int_equal(tok_time(&x.p, &t, "every", &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: time '5' for every needs a unit (ns, us, ms, s)");
	t = value("5h");
	assert_int_equal(tok_time(&x.p, &t, "every", &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: unknown time unit 'h' in '5h' "
			    "(expected ns, us, ms, s or ps)");
	t = value("us");
	assert_int_equal(tok_time(&x.p, &t, "for", &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: malformed time 'us' for for (expected e.g. 5us)");
	t = value("1000001s");
	assert_int_equal(tok_time(&x.p, &t, "at", &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: at '1000001s' out of range (at most 1000000s)");
}

static void test_numbers_and_sizes(void **state)
{
	(void)state;
	fixture x;
	uint64_t v;
	uint32_t w;
	tok t;

	setup_parser(&x);
	t = value("64KiB");
	assert_int_equal(tok_size(&x.p, &t, "size", 1, 1u << 20, &v), 0);
	assert_int_equal(v, 65536);
	t = value("2GiB");
	assert_int_equal(tok_size(&x.p, &t, "size", 1, 1u << 20, &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: size 2147483648 out of range 1..1048576");
	t = value("4kB");
	assert_int_equal(tok_size(&x.p, &t, "size", 1, 100, &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: unknown size unit 'kB' in '4kB' "
			    "(expected KiB, MiB or GiB)");
	t = value("65");
	assert_int_equal(tok_range32(&x.p, &t, "depth", 1, 64, &w), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: depth 65 out of range 1..64");
	t = value("30%");
	assert_int_equal(tok_pct(&x.p, &t, "jitter", &w), 0);
	assert_int_equal(w, 30);
	t = value("18446744073709551616");
	assert_int_equal(tok_range(&x.p, &t, "count", 0, 10, &v), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: count '18446744073709551616' overflows 64 bits");
}

static void test_enums(void **state)
{
	(void)state;
	fixture x;
	int e = -1;
	tok t;

	setup_parser(&x);
	t = value("random");
	assert_int_equal(tok_enum(&x.p, &t, &scn_order_names, "order", &e), 0);
	assert_int_equal(e, SCN_ORDER_RANDOM);
	t = value("lifo");
	assert_int_equal(tok_enum(&x.p, &t, &scn_order_names, "order", &e), -1);
	assert_string_equal(x.err.msg, "v.scn:3:10: error: unknown order 'lifo' (expected fifo or random)");
}

static void test_name_tables(void **state)
{
	(void)state;
	char buf[128];

	assert_string_equal(scn_names_list(&scn_fix_names, buf, sizeof buf),
			    "none, in_progress, owner_map or all");
	assert_string_equal(scn_names_list(&scn_cmp_names, buf, sizeof buf), "==, !=, <, <=, > or >=");
	assert_string_equal(scn_names_list(&scn_fix_names, buf, 8), "none, i");
	assert_int_equal(scn_names_find(&scn_bug_names, "release_skips_backlog", 21), 2);
	assert_int_equal(scn_names_find(&scn_version_names, "v3", 2), 2);
	assert_int_equal(scn_names_find(&scn_fanout_mode_names, "rollover", 8), SCN_FANOUT_ROLLOVER);
	assert_string_equal(scn_names_get(&scn_strategy_names, SCN_STRATEGY_PCT), "pct");
	assert_string_equal(scn_names_get(&scn_check_names, 2), "?");
	assert_int_equal(scn_op_arg(SCN_OP_SLEEP), SCN_ARG_TIME);
	assert_int_equal(scn_op_arg(SCN_OP_SPIN_UNLOCK_IRQRESTORE), SCN_ARG_LOCK);
	assert_int_equal(scn_op_arg(SCN_OP_RECV), SCN_ARG_NONE);
	for (int m = 0; m < SCN_M_COUNT; m++)
		assert_int_equal(scn_metric_parse(scn_metric_names.names[m]), m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_key_is_left_alone),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_numbers_and_sizes),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_name_tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
