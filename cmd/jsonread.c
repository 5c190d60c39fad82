/* jsonread.c - a small strict JSON reader; see jsonread.h. */
#include "jsonread.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct jcur {
	const char *p, *end, *line_start;
	uint32_t line;
	int depth;
	char *err;
	size_t errlen;
} jcur;

static int jfail(jcur *c, const char *fmt, ...)
{
	if (c->err[0])
		return -1;
	int n = snprintf(c->err, c->errlen, "%u:%u: error: ", c->line, (uint32_t)(c->p - c->line_start) + 1);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_ws(jcur *c)
{
	for (; c->p < c->end; c->p++) {
		if (*c->p == '\n') {
			c->line++;
			c->line_start = c->p + 1;
		} else if (*c->p != ' ' && *c->p != '\t' && *c->p != '\r') {
			break;
		}
	}
}

static int hex4(jcur *c, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++, c->p++) {
		char h = c->p < c->end ? *c->p : 0;
		int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
			h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
		if (d < 0)
			return jfail(c, "bad \\u escape");
		*v = *v * 16 + (uint32_t)d;
	}
	return 0;
}

static size_t put_utf8(char *o, uint32_t u)
{
	if (u < 0x80) {
		o[0] = (char)u;
		return 1;
	} else if (u < 0x800) {
		o[0] = (char)(0xc0 | (u >> 6));
		o[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	} else if (u < 0x10000) {
		o[0] = (char)(0xe0 | (u >> 12));
		o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
		o[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (u >> 18));
	o[1] = (char)(0x80 | ((u >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((u >> 6) & 0x3f));
	o[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/* One escape after the backslash, appended at o; its length, or 0 on error. */
static size_t escape(jcur *c, char *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char e = c->p < c->end ? *c->p++ : 0;
	const char *k = e ? strchr(from, e) : NULL;
	if (k) {
		*o = to[k - from];
		return 1;
	}
	uint32_t u, lo;
	if (e != 'u' || hex4(c, &u) != 0)
		return jfail(c, "bad escape in a string"), 0;
	if (u >= 0xd800 && u < 0xdc00) {
		if (c->end - c->p < 2 || c->p[0] != '\\' || c->p[1] != 'u')
			return jfail(c, "lone surrogate in a string"), 0;
		c->p += 2;
		if (hex4(c, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
			return jfail(c, "lone surrogate in a string"), 0;
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	} else if (u >= 0xdc00 && u < 0xe000) {
		return jfail(c, "lone surrogate in a string"), 0;
	}
	return put_utf8(o, u);
}

/* A string at c->p (its opening quote): malloc'd, unescaped, or NULL. */
static char *string(jcur *c)
{
	const char *q = ++c->p;
	while (q < c->end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	char *s = malloc((size_t)(q - c->p) + 1), *o = s;     /* unescaping never grows */
	if (!s)
		return jfail(c, "out of memory"), NULL;
	while (c->p < c->end && *c->p != '"') {
		if ((unsigned char)*c->p < 0x20) {
			jfail(c, "control character in a string");
		} else if (*c->p == '\\') {
			c->p++;
			size_t n = escape(c, o);
			o += n;
			if (!n)
				break;
			continue;
		}
		*o++ = *c->p++;
	}
	*o = '\0';
	if (c->p >= c->end)
		jfail(c, "unterminated string");
	if (c->err[0]) {
		free(s);
		return NULL;
	}
	c->p++;
	return s;
}

static void number(jcur *c, jnode *n)
{
	const char *s = c->p;
	int neg = c->p < c->end && *c->p == '-', ovf = 0, frac = 0;
	c->p += neg;
	if (c->p >= c->end || *c->p < '0' || *c->p > '9') {
		jfail(c, "malformed number");
		return;
	}
	if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' && c->p[1] <= '9') {
		jfail(c, "leading zero in a number");
		return;
	}
	for (; c->p < c->end && *c->p >= '0' && *c->p <= '9'; c->p++) {
		unsigned d = (unsigned)(*c->p - '0');
		ovf |= n->u64 > (UINT64_MAX - d) / 10;
		n->u64 = n->u64 * 10 + d;
	}
	if (c->p < c->end && *c->p == '.') {
		frac = 1;
		if (++c->p >= c->end || *c->p < '0' || *c->p > '9')
			jfail(c, "malformed number");
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		frac = 1;
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (c->p >= c->end || *c->p < '0' || *c->p > '9')
			jfail(c, "malformed number");
		while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
			c->p++;
	}
	n->is_u64 = !neg && !ovf && !frac && c->p > s;
	char tok[64];
	size_t len = (size_t)(c->p - s);
	if (len < sizeof tok) {
		memcpy(tok, s, len);
		tok[len] = '\0';
		n->num = strtod(tok, NULL);
	}
}

static jnode *value(jcur *c);

/* The elements of an array or the members of an object, up to `close`. */
static void elements(jcur *c, jnode *n, char close)
{
	jnode **tail = &n->child;
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(c);
		if (close == '}') {
			if (c->p >= c->end || *c->p != '"' || !(key = string(c))) {
				jfail(c, "expected a member name");
				return;
			}
			skip_ws(c);
			if (c->p >= c->end || *c->p != ':') {
				free(key);
				jfail(c, "expected ':'");
				return;
			}
			c->p++;
		}
		jnode *e = value(c);
		if (!e) {
			free(key);
			return;
		}
		e->key = key;
		*tail = e;
		tail = &e->next;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
		} else if (c->p < c->end && *c->p == close) {
			c->p++;
			return;
		} else {
			jfail(c, "expected ',' or '%c'", close);
			return;
		}
	}
}

static int literal(jcur *c, jnode *n)
{
	static const char *const lits[] = { "null", "false", "true" };
	for (int i = 0; i < 3; i++) {
		size_t k = strlen(lits[i]);
		if ((size_t)(c->end - c->p) >= k && !memcmp(c->p, lits[i], k)) {
			n->type = J_NULL + i;
			c->p += k;
			return 0;
		}
	}
	return jfail(c, "expected a value");
}

static jnode *value(jcur *c)
{
	skip_ws(c);
	jnode *n = calloc(1, sizeof(*n));
	if (!n)
		return jfail(c, "out of memory"), NULL;
	n->line = c->line;
	n->col = (uint32_t)(c->p - c->line_start) + 1;
	char ch = c->p < c->end ? *c->p : 0;
	if (ch == '{' || ch == '[') {
		if (++c->depth > MAX_DEPTH) {
			jfail(c, "nested more than %d deep", MAX_DEPTH);
		} else {
			c->p++;
			n->type = ch == '{' ? J_OBJECT : J_ARRAY;
			elements(c, n, ch == '{' ? '}' : ']');
		}
		c->depth--;
	} else if (ch == '"') {
		n->type = J_STRING;
		n->str = string(c);
	} else if (ch == '-' || (ch >= '0' && ch <= '9')) {
		n->type = J_NUMBER;
		number(c, n);
	} else {
		literal(c, n);
	}
	if (c->err[0]) {
		json_free(n);
		return NULL;
	}
	return n;
}

jnode *json_parse(const char *buf, size_t len, char *err, size_t errlen)
{
	jcur c = { .p = buf, .end = buf + len, .line_start = buf, .line = 1, .err = err, .errlen = errlen };
	err[0] = '\0';
	jnode *root = value(&c);
	skip_ws(&c);
	if (root && c.p != c.end) {
		jfail(&c, "text after the JSON value");
		json_free(root);
		root = NULL;
	}
	return root;
}

void json_free(jnode *n)
{
	while (n) {
		jnode *next = n->next;
		json_free(n->child);
		free(n->key);
		free(n->str);
		free(n);
		n = next;
	}
}

const jnode *json_get(const jnode *o, const char *key)
{
	if (!o || o->type != J_OBJECT)
		return NULL;
	for (const jnode *m = o->child; m; m = m->next)
		if (!strcmp(m->key, key))
			return m;
	return NULL;
}
