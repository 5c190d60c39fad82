/* lex.h - the scenario lexer: one line into tokens, and the character
 * classes, columns and quoting of tokens in messages that the parser shares.
 *
 * A line is cut at blanks (space, tab) into tokens; '#' starts a comment; a
 * whole token, or the whole value of a key=value token, may be quoted
 * ("...", which may hold blanks).  Outside comments the text must be UTF-8
 * without control characters; a comment may hold anything but NUL.
 *
 * Concurrency contract: lex_line writes only its parser; the rest is pure.
 */
#ifndef SCN_LEX_H
#define SCN_LEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A token of one line.  `s` is the whole token (quotes removed when the whole
 * token is quoted); a key=value token also has `key` (before the first '=')
 * and `v` (after it, quotes removed).  For other tokens `v` == `s`. */
typedef struct tok {
	const char *s;
	size_t n;
	uint32_t col;
	int has_eq;
	const char *key;
	size_t kn;
	const char *v;
	size_t vn;
	uint32_t vcol;
	int quoted;             /* the value was written in quotes */
} tok;

struct parser;

/* Cut one line s[0..n) into p->toks (p->ntok of them), starting at byte
 * `from`; sets p->eol_col.  Returns 0, or -1 with an error set. */
int lex_line(struct parser *p, const char *s, size_t n, size_t from);

static inline int is_digit(int c) { return c >= '0' && c <= '9'; }
static inline int is_alpha(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static inline int is_name_start(int c) { return is_alpha(c) || c == '_'; }
static inline int is_name_char(int c) { return is_name_start(c) || is_digit(c) || c == '-'; }
static inline int is_blank(int c) { return c == ' ' || c == '\t'; }

/* The 1-based column of byte i, saturated. */
static inline uint32_t col_of(size_t i)
{
	return i >= UINT32_MAX ? UINT32_MAX : (uint32_t)(i + 1);
}

/* Column `col` moved right by k bytes, saturated. */
static inline uint32_t col_add(uint32_t col, size_t k)
{
	return k >= (size_t)(UINT32_MAX - col) ? UINT32_MAX : col + (uint32_t)k;
}

/* s[0..n) equals the string lit. */
static inline int eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

#define SHOW_MAX 40             /* bytes of a token quoted in a message */

/* A token as quoted in a message: at most SHOW_MAX bytes, cut on a UTF-8
 * character boundary, with "..." when cut. */
typedef struct shown {
	char s[SHOW_MAX + 4];
} shown;

const char *show(shown *b, const char *s, size_t n);

#endif
