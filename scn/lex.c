/* lex.c - tokens of a line, UTF-8 checks, and the parser's error messages.
 * See lex.h. */
#include "lex.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "parser_internal.h"

int scn_fail_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char m[SCN_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	int r = vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	if (r < 0)
		m[0] = '\0';
	r = snprintf(p->err->msg, sizeof p->err->msg, "%s:%" PRIu32 ":%" PRIu32 ": error: %s",
		     p->path, line, col, m);
	if (r < 0)
		p->err->msg[0] = '\0';
	return -1;
}

int scn_fail_oom(parser *p, uint32_t col)
{
	fail(p, col, "out of memory");
	p->err->oom = 1;
	return -1;
}

const char *show(shown *b, const char *s, size_t n)
{
	size_t k = n;
	int cut = 0;

	if (k > SHOW_MAX) {
		k = SHOW_MAX;
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		cut = 1;
	}
	memcpy(b->s, s, k);
	if (cut)
		memcpy(b->s + k, "...", 3), k += 3;
	b->s[k] = '\0';
	return b->s;
}

size_t scn_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	unsigned lo = 0x80, hi = 0xBF;
	size_t need;

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		need = 1;
	} else if (c < 0xF0) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;      /* overlong */
		if (c == 0xED)
			hi = 0x9F;      /* surrogates */
	} else if (c < 0xF5) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;      /* overlong */
		if (c == 0xF4)
			hi = 0x8F;      /* > U+10FFFF */
	} else {
		return 0;
	}
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return need + 1;
}

/* Check the character at s[i] (outside comments); returns its length in
 * bytes, or 0 with an error set.  Tabs are allowed (they separate tokens, and
 * may appear inside quotes). */
static size_t text_char(parser *p, const char *s, size_t n, size_t i)
{
	unsigned c = (unsigned char)s[i];

	if (c == 0) {
		fail(p, col_of(i), "NUL byte in input (binary file?)");
		return 0;
	}
	if ((c < 0x20 && c != '\t') || c == 0x7f) {
		fail(p, col_of(i), "control character 0x%02x in input", c);
		return 0;
	}
	if (c < 0x80)
		return 1;
	size_t k = scn_utf8_len((const unsigned char *)s + i, n - i);
	if (!k)
		fail(p, col_of(i), "invalid UTF-8 byte 0x%02x in input", c);
	return k;
}

/* The quoted part of a token, from the '"' at s[*i]: moves *i past the
 * closing quote.  The quote may open the token or its value only. */
static int lex_quote(parser *p, const char *s, size_t n, size_t *i, size_t start,
		     size_t eqpos)
{
	if (*i != start && *i != eqpos + 1)
		return fail(p, col_of(*i), "unexpected '\"' (only a whole value may be quoted)");
	size_t q = (*i)++;
	while (*i < n && s[*i] != '"') {
		size_t k = text_char(p, s, n, *i);
		if (!k)
			return -1;
		*i += k;
	}
	if (*i >= n)
		return fail(p, col_of(q), "unterminated quote");
	(*i)++;
	if (*i < n && !is_blank(s[*i]) && s[*i] != '#')
		return fail(p, col_of(*i), "unexpected character after closing quote");
	return 0;
}

/* Fill t from the token s[start..end), whose first '=' is at eqpos
 * (SIZE_MAX: none). */
static void lex_fill(tok *t, const char *s, size_t start, size_t end, size_t eqpos, int quoted)
{
	memset(t, 0, sizeof *t);
	t->col = col_of(start);
	if (quoted && eqpos == SIZE_MAX) {
		/* the whole token is quoted: no key */
		t->s = s + start + 1;
		t->n = end - start - 2;
	} else {
		t->s = s + start;
		t->n = end - start;
	}
	t->v = t->s;
	t->vn = t->n;
	t->vcol = quoted && eqpos == SIZE_MAX ? col_of(start + 1) : t->col;
	if (eqpos != SIZE_MAX) {
		t->has_eq = 1;
		t->key = s + start;
		t->kn = eqpos - start;
		t->v = s + eqpos + 1 + (size_t)quoted;
		t->vn = end - eqpos - 1 - 2 * (size_t)quoted;
		t->vcol = col_of(eqpos + 1 + (size_t)quoted);
	}
	t->quoted = quoted;
}

/* One token from s[*i] (not a blank, not '#'), appended to p->toks. */
static int lex_token(parser *p, const char *s, size_t n, size_t *i)
{
	size_t start = *i, eqpos = SIZE_MAX;
	int quoted = 0;

	if (p->ntok == SCN_TOKENS_MAX)
		return fail(p, col_of(*i), "more than %u tokens on a line", SCN_TOKENS_MAX);
	if (p->ntok == p->captok) {
		size_t nc = p->captok ? p->captok * 2 : 16;
		tok *a = realloc(p->toks, nc * sizeof *a);
		if (!a)
			return scn_fail_oom(p, col_of(*i));
		p->toks = a;
		p->captok = nc;
	}
	while (*i < n && !is_blank(s[*i]) && s[*i] != '#') {
		if (s[*i] == '"') {
			if (lex_quote(p, s, n, i, start, eqpos))
				return -1;
			quoted = 1;
			break;
		}
		if (s[*i] == '=' && eqpos == SIZE_MAX)
			eqpos = *i;
		size_t k = text_char(p, s, n, *i);
		if (!k)
			return -1;
		*i += k;
	}
	lex_fill(&p->toks[p->ntok++], s, start, *i, eqpos, quoted);
	return 0;
}

int lex_line(parser *p, const char *s, size_t n, size_t from)
{
	size_t i = from;

	p->ntok = 0;
	for (;;) {
		while (i < n && is_blank(s[i]))
			i++;
		if (i >= n)
			break;
		if (s[i] == '#') {
			/* a comment may hold any text, but not NUL bytes */
			const char *z = memchr(s + i, '\0', n - i);
			if (z)
				return fail(p, col_of((size_t)(z - s)), "NUL byte in input (binary file?)");
			break;
		}
		if (lex_token(p, s, n, &i))
			return -1;
	}
	p->eol_col = col_of(i);
	return 0;
}
