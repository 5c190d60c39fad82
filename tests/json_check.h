/* json_check.h - the tests' one JSON checker: strict well-formedness (RFC
 * 8259 grammar, no extensions), nesting up to 64 containers deep.
 * Header-only; test_cli, test_explore and test_tsv call json_valid() on
 * --json reports and Perfetto traces (test_tsv also checks the checker). */
#ifndef TESTS_JSON_CHECK_H
#define TESTS_JSON_CHECK_H

#include <stddef.h>
#include <string.h>

typedef struct json_cur {
	const char *p, *end;
	int depth;
} json_cur;

static inline void json_ws(json_cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline int json_value(json_cur *c);

static inline int json_lit(json_cur *c, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static inline int json_string(json_cur *c)
{
	if (c->p >= c->end || *c->p != '"')
		return 0;
	c->p++;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p;
		if (ch < 0x20)
			return 0;
		if (ch == '\\') {
			c->p++;
			if (c->p >= c->end)
				return 0;
			if (*c->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (c->p + i >= c->end || !strchr("0123456789abcdefABCDEF", c->p[i]))
						return 0;
				c->p += 4;
			} else if (!strchr("\"\\/bfnrt", *c->p)) {
				return 0;
			}
		}
		c->p++;
	}
	if (c->p >= c->end)
		return 0;
	c->p++;
	return 1;
}

static inline int json_digits(json_cur *c)
{
	const char *s = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

static inline int json_number(json_cur *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!json_digits(c))
		return 0;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!json_digits(c))
			return 0;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!json_digits(c))
			return 0;
	}
	return 1;
}

static inline int json_container(json_cur *c, char open, char close, int object)
{
	if (c->p >= c->end || *c->p != open || ++c->depth > 64)
		return 0;
	c->p++;
	json_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return 1;
	}
	for (;;) {
		json_ws(c);
		if (object) {
			if (!json_string(c))
				return 0;
			json_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return 0;
			c->p++;
		}
		if (!json_value(c))
			return 0;
		json_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			c->p++;
			c->depth--;
			return 1;
		}
		return 0;
	}
}

static inline int json_value(json_cur *c)
{
	json_ws(c);
	if (c->p >= c->end)
		return 0;
	switch (*c->p) {
	case '{': return json_container(c, '{', '}', 1);
	case '[': return json_container(c, '[', ']', 0);
	case '"': return json_string(c);
	case 't': return json_lit(c, "true");
	case 'f': return json_lit(c, "false");
	case 'n': return json_lit(c, "null");
	default: return json_number(c);
	}
}

/* 1 if buf[0..len) is exactly one JSON value (surrounding whitespace allowed). */
static inline int json_valid(const char *buf, size_t len)
{
	json_cur c = { buf, buf + len, 0 };
	if (!json_value(&c))
		return 0;
	json_ws(&c);
	return c.p == c.end;
}

#endif
