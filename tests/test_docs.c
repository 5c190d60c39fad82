/* test_docs.c - the scenario reference is maintained with the parser: every
 * directive, key and value name the parser knows (scn_vocabulary, read from
 * the parser's own tables) appears in docs/scenarios.md and in the manual
 * page sim-scenario(5): a directive as `NAME, a key as KEY=, a value name
 * as a whole word.  SIM_TEST_SRCDIR is the source tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"

static char *slurp(const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", SIM_TEST_SRCDIR, rel);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The man page with its escapes taken out: \- is -, \fB.. fonts go. */
static char *plain_man(char *s)
{
	char *o = s;
	for (const char *i = s; *i;) {
		if (i[0] == '\\' && i[1] == '-') {
			*o++ = '-';
			i += 2;
		} else if (i[0] == '\\' && i[1] == 'f' && i[2]) {
			i += 3;
		} else if (i[0] == '\\' && i[1] == '&') {
			i += 2;
		} else {
			*o++ = *i++;
		}
	}
	*o = '\0';
	return s;
}

static int word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

/* `w` in text as a whole word (after `before` when given: "`" or ""), or
 * followed by "=" when key. */
static int has(const char *text, const char *before, const char *w, int key)
{
	size_t n = strlen(w), b = strlen(before);
	for (const char *p = strstr(text, w); p; p = strstr(p + 1, w)) {
		if (p - text < (ptrdiff_t)b || strncmp(p - b, before, b) != 0)
			continue;
		if (!b && p > text && word_char(p[-1]))
			continue;
		if (key ? p[n] == '=' : !word_char(p[n]))
			return 1;
	}
	return 0;
}

typedef struct docs {
	const char *md, *man;
	int missing;
} docs;

static void check(const char *kind, const char *dir, const char *name, void *ctx)
{
	docs *d = ctx;
	int dirn = !strcmp(kind, "directive"), key = !strcmp(kind, "key");
	const char *pages[2] = { d->md, d->man };
	const char *page_name[2] = { "docs/scenarios.md", "man/sim-scenario.5" };
	for (int i = 0; i < 2; i++) {
		int ok = dirn ? has(pages[i], i ? "" : "`", name, 0) : has(pages[i], "", name, key);
		if (!ok) {
			print_error("%s lacks %s '%s%s' (of %s)\n", page_name[i], kind, name, key ? "=" : "",
				    dir);
			d->missing++;
		}
	}
}

static void test_every_word_documented(void **state)
{
	(void)state;
	docs d = { slurp("docs/scenarios.md"), plain_man(slurp("man/sim-scenario.5")), 0 };
	scn_vocabulary(check, &d);
	assert_int_equal(d.missing, 0);
	free((char *)d.md);
	free((char *)d.man);
}

/* The check can fail: a word no page has is reported. */
static void test_check_finds_a_missing_word(void **state)
{
	(void)state;
	docs d = { "`socket type=packet", "socket type=", 0 };
	check("key", "socket", "frames", &d);
	check("directive", "socket", "socket", &d);
	check("value", "task", "lock_sock", &d);
	assert_int_equal(d.missing, 4);    /* frames= twice, lock_sock twice */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_word_documented),
		cmocka_unit_test(test_check_finds_a_missing_word),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
