/* scn.c - scenario files: lexer, parser and validation.  See scn.h and
 * ../shared/SCENARIOS.md.
 *
 * The input is split into lines ('\n', with an optional '\r' before it); each
 * line is cut into tokens (lex_line), and the first token names the directive
 * that consumes the rest (the dir_* functions).  The first error stops the
 * parse.  Everything is checked as it is read, in file order, except the CPU
 * numbers: `cpus` may come after the objects that use a CPU, so those checks
 * run once the whole file has been read (check_cpus).
 *
 * The input is any bytes, not NUL-terminated: every read is bounded by a
 * length, every number is overflow-checked, every array grows through grow()
 * and is capped at SCN_MAX_ITEMS entries.  Name look-ups go through a small
 * open-addressing hash index, so a file with many objects stays linear.
 */
#define _POSIX_C_SOURCE 200809L
#include "scn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCN_MAX_ITEMS 1000000u  /* of any one kind, and ops per task */
#define SHOW_MAX 40             /* bytes of a token quoted in a message */
#define MAX_KEYS 8              /* keys of the widest directive */

#define NS_PER_S 1000000000ull

/* ---- names of enum values ------------------------------------------------ */

static const char *const fix_names[] = { "none", "in_progress", "owner_map", "all" };

const char *scn_fix_name(int fix)
{
	if (fix < 0 || fix > SCN_FIX_ALL)
		return "?";
	return fix_names[fix];
}

int scn_fix_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i <= SCN_FIX_ALL; i++)
		if (strcmp(s, fix_names[i]) == 0)
			return i;
	return -1;
}

static const char *const op_names[SCN_OP_COUNT] = {
	"lock_sock", "release_sock", "lock_sock_fast", "unlock_sock_fast",
	"work", "sleep", "recv",
	"spin_lock", "spin_unlock", "spin_lock_bh", "spin_unlock_bh",
	"spin_lock_irqsave", "spin_unlock_irqrestore",
};

const char *scn_op_name(int kind)
{
	if (kind < 0 || kind >= SCN_OP_COUNT)
		return "?";
	return op_names[kind];
}

static const char *const metric_names[SCN_M_COUNT] = {
	"overrun", "corrupt", "consumer_partial", "lost", "drops", "delivered",
	"consumed", "nic_drops", "backlog_max", "backlog_drops",
	"backlog_processed", "inline_rcv", "spin_max_ns", "spin_total_ns",
	"violations", "deadlock",
};

const char *scn_metric_name(int m)
{
	if (m < 0 || m >= SCN_M_COUNT)
		return "?";
	return metric_names[m];
}

int scn_metric_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < SCN_M_COUNT; i++)
		if (strcmp(s, metric_names[i]) == 0)
			return i;
	return -1;
}

static const char *const cmp_names[] = { "==", "!=", "<", "<=", ">", ">=" };

const char *scn_cmp_name(int op)
{
	if (op < SCN_EQ || op > SCN_GE)
		return "?";
	return cmp_names[op];
}

static const char *const bug_names[] = {
	"bh_ignores_owned", "lock_sock_without_bh", "release_skips_backlog",
};

/* Index of the name equal to s[0..n) in a table, or -1. */
static int table_find(const char *const *names, int count, const char *s, size_t n)
{
	for (int i = 0; i < count; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return i;
	return -1;
}

/* ---- parser state --------------------------------------------------------- */

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

/* A CPU number seen so far, checked against `cpus` at the end. */
typedef struct cpuref {
	uint64_t cpu;
	scn_pos pos;
} cpuref;

/* Hash index of the names of one kind of object; slots hold index + 1. */
typedef struct name_index {
	uint32_t *slot;
	size_t cap;             /* power of two, or 0 */
	size_t n;
} name_index;

enum { K_SOCKET, K_FLOW, K_TASK, K_CONSUMER, K_STALL, K_IRQ, K_COST, K_LOCK,
       K_EXPECT, K_COUNT };
enum { S_SCENARIO, S_SEED, S_CPUS, S_FIX, S_JITTER, S_SPINLOCK, S_LIMIT, S_NIC,
       S_EXPLORE, S_KERNEL, S_COUNT, S_NONE = -1 };

typedef struct parser {
	const char *path;
	const scn_labels *labels;
	scn_file *f;
	scn_error *err;
	uint32_t line;
	uint32_t eol_col;       /* column just past the line's last token */
	tok *toks;
	size_t ntok, captok;
	size_t cap[K_COUNT];    /* allocated entries of each scn_file array */
	name_index idx[K_COUNT]; /* used for the named kinds only */
	/* CPU numbers that are larger than every one before them: the first
	 * reference to a CPU >= cpus is always one of these. */
	cpuref *cpurefs;
	size_t ncpurefs, capcpurefs;
	uint64_t cpu_max;
	scn_pos single[S_COUNT]; /* where each singleton was given; line 0: not yet */
} parser;

/* ---- errors --------------------------------------------------------------- */

static int fail_at(parser *p, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char m[SCN_ERR_MAX];
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

#define fail(p, col, ...) fail_at((p), (p)->line, (col), __VA_ARGS__)

/* A token as quoted in a message: at most SHOW_MAX bytes, cut on a UTF-8
 * character boundary, with "..." when cut. */
typedef struct shown {
	char s[SHOW_MAX + 4];
} shown;

static const char *show(shown *b, const char *s, size_t n)
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

/* ---- storage -------------------------------------------------------------- */

/* Make room for entry `n` of an array with `*cap` entries; returns the
 * (possibly moved) array, or NULL with an error set. */
static void *grow(parser *p, void *arr, size_t n, size_t *cap, size_t elem,
		  const char *what, uint32_t col)
{
	if (n < *cap)
		return arr;
	if (n >= SCN_MAX_ITEMS) {
		fail(p, col, "too many %s (at most %u)", what, SCN_MAX_ITEMS);
		return NULL;
	}
	size_t nc = *cap ? *cap * 2 : 8;
	if (nc > SCN_MAX_ITEMS)
		nc = SCN_MAX_ITEMS;
	void *a = realloc(arr, nc * elem);
	if (!a) {
		fail(p, col, "out of memory");
		return NULL;
	}
	*cap = nc;
	return a;
}

static uint64_t name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* The items of a kind are an array of structs whose `name` member is at
 * `off`; `base` is the array (it moves as it grows, so it is passed in). */
static const char *item_name(const void *base, size_t stride, size_t off, size_t i)
{
	return (const char *)base + i * stride + off;
}

/* Index of the item named s[0..n), or SIZE_MAX. */
static size_t ni_find(const name_index *ni, const void *base, size_t stride, size_t off,
		      const char *s, size_t n)
{
	if (!ni->cap || n >= SCN_NAME_MAX)
		return SIZE_MAX;
	size_t mask = ni->cap - 1;
	for (size_t h = (size_t)name_hash(s, n) & mask;; h = (h + 1) & mask) {
		uint32_t v = ni->slot[h];
		if (!v)
			return SIZE_MAX;
		const char *nm = item_name(base, stride, off, v - 1);
		if (strlen(nm) == n && memcmp(nm, s, n) == 0)
			return v - 1;
	}
}

static void ni_place(name_index *ni, const char *nm, size_t i)
{
	size_t mask = ni->cap - 1;
	size_t h = (size_t)name_hash(nm, strlen(nm)) & mask;

	while (ni->slot[h])
		h = (h + 1) & mask;
	ni->slot[h] = (uint32_t)(i + 1);
}

/* Add item ni->n (the next one) to the index; items 0..ni->n-1 are in it. */
static int ni_add(parser *p, name_index *ni, const void *base, size_t stride, size_t off,
		  uint32_t col)
{
	if ((ni->n + 1) * 2 > ni->cap) {
		size_t nc = ni->cap ? ni->cap * 2 : 16;
		uint32_t *s = calloc(nc, sizeof *s);
		if (!s)
			return fail(p, col, "out of memory");
		free(ni->slot);
		ni->slot = s;
		ni->cap = nc;
		for (size_t i = 0; i < ni->n; i++)
			ni_place(ni, item_name(base, stride, off, i), i);
	}
	ni_place(ni, item_name(base, stride, off, ni->n), ni->n);
	ni->n++;
	return 0;
}

/* ---- characters and values ------------------------------------------------ */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static int is_name_start(int c) { return is_alpha(c) || c == '_'; }
static int is_name_char(int c) { return is_name_start(c) || is_digit(c) || c == '-'; }
static int is_blank(int c) { return c == ' ' || c == '\t'; }

static uint32_t col_of(size_t i)
{
	return i >= UINT32_MAX ? UINT32_MAX : (uint32_t)(i + 1);
}

static uint32_t col_add(uint32_t col, size_t k)
{
	return k >= (size_t)(UINT32_MAX - col) ? UINT32_MAX : col + (uint32_t)k;
}

static int eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* Leading decimal digits of s[0..n): their count; the value in *v, and *ovf
 * set when it does not fit in 64 bits. */
static size_t digits(const char *s, size_t n, uint64_t *v, int *ovf)
{
	size_t k = 0;

	*v = 0;
	*ovf = 0;
	for (; k < n && is_digit(s[k]); k++) {
		unsigned d = (unsigned)(s[k] - '0');
		if (*v > (UINT64_MAX - d) / 10)
			*ovf = 1;
		else
			*v = *v * 10 + d;
	}
	return k;
}

static int val_u64(parser *p, const char *what, const char *s, size_t n, uint32_t col,
		   uint64_t *out)
{
	shown b;
	int ovf;
	size_t k = digits(s, n, out, &ovf);

	if (k == 0 || k != n)
		return fail(p, col, "malformed number '%s' for %s (expected a decimal integer)",
			    show(&b, s, n), what);
	if (ovf)
		return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
	return 0;
}

static int val_range(parser *p, const char *what, const char *s, size_t n, uint32_t col,
		     uint64_t lo, uint64_t hi, uint64_t *out)
{
	if (val_u64(p, what, s, n, col, out))
		return -1;
	if (*out < lo || *out > hi)
		return fail(p, col, "%s %" PRIu64 " out of range %" PRIu64 "..%" PRIu64,
			    what, *out, lo, hi);
	return 0;
}

static int all_alpha(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(s[i]))
			return 0;
	return 1;
}

static int val_time_unbounded(parser *p, const char *what, const char *s, size_t n, uint32_t col,
			      int want_ps, uint64_t *out);

/* A time: digits and a unit (ns, us, ms, s, ps), or a bare 0.  The result is
 * in ns, or in ps when want_ps; a ps value stored in ns must be whole ns.
 * Times are at most SCN_TIME_MAX_NS and per-byte costs SCN_PER_BYTE_MAX_PS,
 * so that the engine's sums of a few of them never wrap. */
static int val_time(parser *p, const char *what, const char *s, size_t n, uint32_t col,
		    int want_ps, uint64_t *out)
{
	shown b;
	if (val_time_unbounded(p, what, s, n, col, want_ps, out))
		return -1;
	if (want_ps && *out > SCN_PER_BYTE_MAX_PS)
		return fail(p, col, "%s '%s' out of range (at most 1ms a byte)", what, show(&b, s, n));
	if (!want_ps && *out > SCN_TIME_MAX_NS)
		return fail(p, col, "%s '%s' out of range (at most 1000000s)", what, show(&b, s, n));
	return 0;
}

static int val_time_unbounded(parser *p, const char *what, const char *s, size_t n, uint32_t col,
			      int want_ps, uint64_t *out)
{
	static const struct { const char *u; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", NS_PER_S },
	};
	shown b;
	uint64_t v;
	int ovf;
	size_t k = digits(s, n, &v, &ovf);
	const char *u = s + k;
	size_t un = n - k;

	if (k == 0)
		return fail(p, col, "malformed time '%s' for %s (expected e.g. 5us)",
			    show(&b, s, n), what);
	if (ovf)
		return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
	if (un == 0) {
		if (v != 0)
			return fail(p, col, "time '%s' for %s needs a unit (ns, us, ms, s)",
				    show(&b, s, n), what);
		*out = 0;
		return 0;
	}
	if (eq(u, un, "ps")) {
		if (want_ps) {
			*out = v;
			return 0;
		}
		if (v % 1000 != 0)
			return fail(p, col, "time '%s' for %s has sub-nanosecond precision",
				    show(&b, s, n), what);
		*out = v / 1000;
		return 0;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (!eq(u, un, units[i].u))
			continue;
		uint64_t mult = units[i].ns * (want_ps ? 1000 : 1);
		if (v > UINT64_MAX / mult)
			return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
		*out = v * mult;
		return 0;
	}
	if (all_alpha(u, un)) {
		shown bu;
		return fail(p, col, "unknown time unit '%s' in '%s' (expected ns, us, ms, s or ps)",
			    show(&bu, u, un), show(&b, s, n));
	}
	return fail(p, col, "malformed time '%s' for %s (expected e.g. 5us)", show(&b, s, n), what);
}

/* A size: bytes, or digits with KiB, MiB or GiB. */
static int val_size(parser *p, const char *what, const char *s, size_t n, uint32_t col,
		    uint64_t *out)
{
	static const struct { const char *u; unsigned shift; } units[] = {
		{ "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 },
	};
	shown b;
	uint64_t v;
	int ovf;
	size_t k = digits(s, n, &v, &ovf);
	const char *u = s + k;
	size_t un = n - k;

	if (k == 0)
		return fail(p, col, "malformed size '%s' for %s (expected bytes, or e.g. 64KiB)",
			    show(&b, s, n), what);
	if (ovf)
		return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
	if (un == 0) {
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (!eq(u, un, units[i].u))
			continue;
		if (v > (UINT64_MAX >> units[i].shift))
			return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
		*out = v << units[i].shift;
		return 0;
	}
	if (all_alpha(u, un)) {
		shown bu;
		return fail(p, col, "unknown size unit '%s' in '%s' (expected KiB, MiB or GiB)",
			    show(&bu, u, un), show(&b, s, n));
	}
	return fail(p, col, "malformed size '%s' for %s (expected bytes, or e.g. 64KiB)",
		    show(&b, s, n), what);
}

static int val_size_range(parser *p, const char *what, const tok *t, uint64_t lo,
			  uint64_t hi, uint64_t *out)
{
	if (val_size(p, what, t->v, t->vn, t->vcol, out))
		return -1;
	if (*out < lo || *out > hi)
		return fail(p, t->vcol, "%s %" PRIu64 " out of range %" PRIu64 "..%" PRIu64,
			    what, *out, lo, hi);
	return 0;
}

/* A name written as the token `t`, copied to out. */
static int val_name(parser *p, const tok *t, const char *what, char out[SCN_NAME_MAX])
{
	shown b;

	if (t->has_eq)
		return fail(p, t->col, "expected a %s name, got '%s'", what, show(&b, t->s, t->n));
	/* Extension: a scenario's own name may also use '+', as its file name
	 * does (wrap+big-frames). */
	int plus = strcmp(what, "scenario") == 0;
	for (size_t i = 0; i < t->n; i++)
		if (i == 0 ? !is_name_start(t->s[i]) : !(is_name_char(t->s[i]) || (plus && t->s[i] == '+')))
			return fail(p, t->vcol, "invalid %s name '%s' (names match "
				    "[A-Za-z_][A-Za-z0-9_-]*%s)", what, show(&b, t->s, t->n),
				    plus ? ", and '+' in a scenario's name" : "");
	if (t->n == 0)
		return fail(p, t->vcol, "empty %s name", what);
	if (t->n > SCN_NAME_MAX - 1)
		return fail(p, t->vcol, "%s name too long (%zu bytes, at most %d)", what, t->n,
			    SCN_NAME_MAX - 1);
	memcpy(out, t->s, t->n);
	out[t->n] = '\0';
	return 0;
}

static int label_known(const parser *p, const char *s, size_t n)
{
	/* O(labels) per look-up; fine: there are a few dozen labels, and `cost`
	 * lines are unique per label. */
	if (!p->labels || !p->labels->names)
		return 0;
	for (size_t i = 0; i < p->labels->count; i++) {
		const char *l = p->labels->names[i];
		if (l && strlen(l) == n && memcmp(l, s, n) == 0)
			return 1;
	}
	return 0;
}

/* A label (stall at=, cost) given as s[0..n), copied to out. */
static int val_label(parser *p, const char *s, size_t n, uint32_t col, char out[SCN_NAME_MAX])
{
	shown b;

	if (n == 0)
		return fail(p, col, "empty label");
	if (n > SCN_NAME_MAX - 1)
		return fail(p, col, "label too long (%zu bytes, at most %d)", n, SCN_NAME_MAX - 1);
	if (!label_known(p, s, n))
		return fail(p, col, "unknown label '%s' (sim --labels lists them)", show(&b, s, n));
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Record a CPU number for the check against `cpus` at the end. */
static int val_cpu(parser *p, const tok *t, uint32_t *out)
{
	uint64_t v;

	if (val_u64(p, "cpu", t->v, t->vn, t->vcol, &v))
		return -1;
	*out = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	if (p->ncpurefs > 0 && v <= p->cpu_max)
		return 0;
	if (p->ncpurefs == p->capcpurefs) {
		/* strictly increasing values: at most 2^64 in theory, in practice
		 * bounded by the number of objects, which is capped */
		size_t nc = p->capcpurefs ? p->capcpurefs * 2 : 8;
		cpuref *a = realloc(p->cpurefs, nc * sizeof *a);
		if (!a)
			return fail(p, t->vcol, "out of memory");
		p->cpurefs = a;
		p->capcpurefs = nc;
	}
	p->cpurefs[p->ncpurefs++] = (cpuref){ v, { p->line, t->vcol } };
	p->cpu_max = v;
	return 0;
}

/* ---- lexer ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
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
	size_t k = utf8_len((const unsigned char *)s + i, n - i);
	if (!k)
		fail(p, col_of(i), "invalid UTF-8 byte 0x%02x in input", c);
	return k;
}

/* Cut one line s[0..n) into p->toks, starting at byte `from`. */
static int lex_line(parser *p, const char *s, size_t n, size_t from)
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
		if (p->ntok == p->captok) {
			size_t nc = p->captok ? p->captok * 2 : 16;
			tok *a = realloc(p->toks, nc * sizeof *a);
			if (!a)
				return fail(p, col_of(i), "out of memory");
			p->toks = a;
			p->captok = nc;
		}
		tok *t = &p->toks[p->ntok];
		size_t start = i, eqpos = SIZE_MAX;
		int quoted = 0;
		memset(t, 0, sizeof *t);
		while (i < n && !is_blank(s[i]) && s[i] != '#') {
			if (s[i] == '"') {
				if (i != start && i != eqpos + 1)
					return fail(p, col_of(i), "unexpected '\"' (only a whole value "
						    "may be quoted)");
				size_t q = i++;
				while (i < n && s[i] != '"') {
					size_t k = text_char(p, s, n, i);
					if (!k)
						return -1;
					i += k;
				}
				if (i >= n)
					return fail(p, col_of(q), "unterminated quote");
				i++;
				if (i < n && !is_blank(s[i]) && s[i] != '#')
					return fail(p, col_of(i), "unexpected character after closing quote");
				quoted = 1;
				break;
			}
			if (s[i] == '=' && eqpos == SIZE_MAX)
				eqpos = i;
			size_t k = text_char(p, s, n, i);
			if (!k)
				return -1;
			i += k;
		}
		t->col = col_of(start);
		if (quoted && eqpos == SIZE_MAX) {
			/* the whole token is quoted: no key */
			t->s = s + start + 1;
			t->n = i - start - 2;
		} else {
			t->s = s + start;
			t->n = i - start;
		}
		t->v = t->s;
		t->vn = t->n;
		t->vcol = quoted && eqpos == SIZE_MAX ? col_of(start + 1) : t->col;
		if (eqpos != SIZE_MAX) {
			t->has_eq = 1;
			t->key = s + start;
			t->kn = eqpos - start;
			t->v = s + eqpos + 1 + (size_t)quoted;
			t->vn = i - eqpos - 1 - 2 * (size_t)quoted;
			t->vcol = col_of(eqpos + 1 + (size_t)quoted);
		}
		t->quoted = quoted;
		p->ntok++;
	}
	p->eol_col = col_of(i);
	return 0;
}

/* ---- directive helpers ---------------------------------------------------- */

/* Match tokens [first, ntok) against the directive's keys: at[k] is the token
 * giving key k, or NULL. */
static int collect(parser *p, const char *dir, size_t first, const char *const *keys,
		   size_t nkeys, const tok **at)
{
	shown b;

	for (size_t k = 0; k < nkeys; k++)
		at[k] = NULL;
	for (size_t i = first; i < p->ntok; i++) {
		const tok *t = &p->toks[i];
		if (!t->has_eq || t->kn == 0)
			return fail(p, t->col, "expected key=value, got '%s' (quote a value "
				    "that has spaces)", show(&b, t->s, t->n));
		int k = table_find(keys, (int)nkeys, t->key, t->kn);
		if (k < 0) {
			char list[256];
			size_t len = 0;
			list[0] = '\0';
			for (size_t j = 0; j < nkeys && len < sizeof list; j++) {
				int r = snprintf(list + len, sizeof list - len, "%s%s",
						 j ? ", " : "", keys[j]);
				if (r < 0)
					break;
				len += (size_t)r;
			}
			return fail(p, t->col, "unknown key '%s' for %s (expected %s)",
				    show(&b, t->key, t->kn), dir, list);
		}
		if (at[k])
			return fail(p, t->col, "duplicate key '%s'", keys[k]);
		if (t->vn == 0 && !t->quoted)
			return fail(p, t->vcol, "missing value for key '%s'", keys[k]);
		at[k] = t;
	}
	return 0;
}

static int need_key(parser *p, const char *dir, const tok **at, size_t k, const char *key)
{
	if (!at[k])
		return fail(p, p->toks[0].col, "missing required key '%s' for %s", key, dir);
	return 0;
}

/* Exactly `npos` positional tokens after the directive, then keys from
 * `first_key` on (or nothing more when !keys). */
static int positional(parser *p, const char *dir, size_t npos, const char *what, int keys)
{
	if (p->ntok < 1 + npos)
		return fail(p, p->toks[0].col, "missing %s after '%s'", what, dir);
	if (!keys && p->ntok > 1 + npos) {
		shown b;
		const tok *t = &p->toks[1 + npos];
		return fail(p, t->col, "unexpected '%s' after %s", show(&b, t->s, t->n), dir);
	}
	return 0;
}

/* A reference to a socket by name: its index. */
static int ref_socket(parser *p, const tok *t, uint32_t *out)
{
	shown b;
	size_t i = ni_find(&p->idx[K_SOCKET], p->f->sockets, sizeof(scn_socket),
			   offsetof(scn_socket, name), t->v, t->vn);

	if (i == SIZE_MAX)
		return fail(p, t->vcol, "unknown socket '%s' (declare it with `socket` first)",
			    show(&b, t->v, t->vn));
	*out = (uint32_t)i;
	return 0;
}

/* Declare a name of kind k, whose struct is the next entry of `base`; its
 * `name` member is at `off` and its `pos` member at `pos_off`. */
static int add_name(parser *p, int k, const char *what, void *base, size_t stride,
		    size_t off, size_t pos_off, const tok *t, char *name)
{
	if (val_name(p, t, what, name))
		return -1;
	size_t i = ni_find(&p->idx[k], base, stride, off, t->s, t->n);
	if (i != SIZE_MAX) {
		scn_pos first;
		memcpy(&first, (const char *)base + i * stride + pos_off, sizeof first);
		return fail(p, t->vcol, "duplicate %s name '%s' (first at line %" PRIu32 ")",
			    what, name, first.line);
	}
	return ni_add(p, &p->idx[k], base, stride, off, t->vcol);
}

/* ---- directives ----------------------------------------------------------- */

static int dir_scenario(parser *p)
{
	if (positional(p, "scenario", 1, "a scenario name", 0))
		return -1;
	return val_name(p, &p->toks[1], "scenario", p->f->name);
}

static int dir_seed(parser *p)
{
	const tok *t;

	if (positional(p, "seed", 1, "a number", 0))
		return -1;
	t = &p->toks[1];
	return val_u64(p, "seed", t->s, t->n, t->vcol, &p->f->seed);
}

static int dir_cpus(parser *p)
{
	const tok *t;
	uint64_t v;

	if (positional(p, "cpus", 1, "a number", 0))
		return -1;
	t = &p->toks[1];
	if (val_range(p, "cpus", t->s, t->n, t->vcol, 1, 1024, &v))
		return -1;
	p->f->cpus = (uint32_t)v;
	return 0;
}

static int fix_value(parser *p, const char *s, size_t n, uint32_t col, int *out)
{
	shown b;
	int fx = table_find(fix_names, SCN_FIX_ALL + 1, s, n);

	if (fx < 0)
		return fail(p, col, "unknown fix '%s' (expected none, in_progress, owner_map or all)",
			    show(&b, s, n));
	*out = fx;
	return 0;
}

static int dir_fix(parser *p)
{
	const tok *t;

	if (positional(p, "fix", 1, "a fix name", 0))
		return -1;
	t = &p->toks[1];
	return fix_value(p, t->s, t->n, t->vcol, &p->f->fix);
}

static int dir_jitter(parser *p)
{
	const tok *t;
	uint64_t v;

	if (positional(p, "jitter", 1, "a percentage", 0))
		return -1;
	t = &p->toks[1];
	size_t n = t->n;
	if (n > 0 && t->s[n - 1] == '%')
		n--;
	if (val_range(p, "jitter", t->s, n, t->vcol, 0, 100, &v))
		return -1;
	p->f->jitter_pct = (uint32_t)v;
	return 0;
}

/* kernel MAJOR.MINOR (or vMAJOR.MINOR): which kernel's version-dependent
 * behaviour the models follow (docs/kernel.md). */
static int dir_kernel(parser *p)
{
	const tok *t;
	shown b;

	if (positional(p, "kernel", 1, "a version such as 5.4", 0))
		return -1;
	t = &p->toks[1];
	const char *v = t->s;
	size_t n = t->n, k = 0;
	if (n && v[0] == 'v') {
		v++;
		n--;
	}
	uint32_t major = 0, minor = 0;
	size_t dm = 0, dn = 0;
	while (k < n && is_digit(v[k]) && dm < 2)
		major = major * 10 + (uint32_t)(v[k++] - '0'), dm++;
	if (k < n && v[k] == '.')
		k++;
	else
		dm = 0;
	while (k < n && is_digit(v[k]) && dn < 3)
		minor = minor * 10 + (uint32_t)(v[k++] - '0'), dn++;
	if (!dm || !dn || k != n)
		return fail(p, t->vcol, "kernel: expected a version MAJOR.MINOR such as 5.4, got '%s'",
			    show(&b, t->s, t->n));
	if (major < 3 || major > 9 || minor > 999)
		return fail(p, t->vcol, "kernel: version %u.%u out of range (3.0 .. 9.999)", major, minor);
	p->f->kernel = SCN_KERNEL(major, minor);
	p->f->has_kernel = 1;
	return 0;
}

static int dir_bug(parser *p)
{
	const tok *t;
	shown b;

	if (positional(p, "bug", 1, "a bug name", 0))
		return -1;
	t = &p->toks[1];
	int i = table_find(bug_names, 3, t->s, t->n);
	if (i < 0)
		return fail(p, t->vcol, "unknown bug '%s' (expected bh_ignores_owned, "
			    "lock_sock_without_bh or release_skips_backlog)", show(&b, t->s, t->n));
	p->f->bugs |= 1u << i;
	return 0;
}

static int dir_lock(parser *p)
{
	scn_file *f = p->f;

	if (positional(p, "lock", 1, "a lock name", 0))
		return -1;
	void *a = grow(p, f->locks, f->nlocks, &p->cap[K_LOCK], sizeof *f->locks, "locks",
		       p->toks[0].col);
	if (!a)
		return -1;
	f->locks = a;
	scn_lock *l = &f->locks[f->nlocks];
	memset(l, 0, sizeof *l);
	l->pos = (scn_pos){ p->line, p->toks[0].col };
	if (add_name(p, K_LOCK, "lock", f->locks, sizeof *l, offsetof(scn_lock, name),
		     offsetof(scn_lock, pos),
		     &p->toks[1], l->name))
		return -1;
	f->nlocks++;
	return 0;
}

enum { SK_TYPE, SK_VERSION, SK_FRAMES, SK_FRAME_SIZE, SK_RCVBUF, SK_SNDBUF, SK_N };
static const char *const socket_keys[SK_N] = {
	"type", "version", "frames", "frame_size", "rcvbuf", "sndbuf",
};

static int dir_socket(parser *p)
{
	scn_file *f = p->f;
	const tok *at[MAX_KEYS];
	shown b;
	uint64_t v;

	if (positional(p, "socket", 1, "a socket name", 1))
		return -1;
	void *a = grow(p, f->sockets, f->nsockets, &p->cap[K_SOCKET], sizeof *f->sockets,
		       "sockets", p->toks[0].col);
	if (!a)
		return -1;
	f->sockets = a;
	scn_socket *so = &f->sockets[f->nsockets];
	memset(so, 0, sizeof *so);
	so->pos = (scn_pos){ p->line, p->toks[0].col };
	if (add_name(p, K_SOCKET, "socket", f->sockets, sizeof *so,
		     offsetof(scn_socket, name),
		     offsetof(scn_socket, pos), &p->toks[1], so->name) ||
	    collect(p, "socket", 2, socket_keys, SK_N, at) ||
	    need_key(p, "socket", at, SK_TYPE, "type"))
		return -1;
	const tok *t = at[SK_TYPE];
	if (eq(t->v, t->vn, "packet"))
		so->type = SCN_SOCK_PACKET;
	else if (eq(t->v, t->vn, "stream"))
		so->type = SCN_SOCK_STREAM;
	else
		return fail(p, t->vcol, "unknown socket type '%s' (expected packet or stream)",
			    show(&b, t->v, t->vn));
	/* keys of the other type, in line order */
	for (size_t i = 2; i < p->ntok; i++) {
		t = &p->toks[i];
		int k = table_find(socket_keys, SK_N, t->key, t->kn);
		int packet_key = k == SK_VERSION || k == SK_FRAMES || k == SK_FRAME_SIZE;
		int stream_key = k == SK_RCVBUF || k == SK_SNDBUF;
		if (so->type == SCN_SOCK_STREAM && packet_key)
			return fail(p, t->col, "key '%s' is only valid for a packet socket "
				    "(this is a stream socket)", socket_keys[k]);
		if (so->type == SCN_SOCK_PACKET && stream_key)
			return fail(p, t->col, "key '%s' is only valid for a stream socket "
				    "(this is a packet socket)", socket_keys[k]);
	}
	if (so->type == SCN_SOCK_PACKET) {
		if (need_key(p, "socket", at, SK_VERSION, "version") ||
		    need_key(p, "socket", at, SK_FRAMES, "frames") ||
		    need_key(p, "socket", at, SK_FRAME_SIZE, "frame_size"))
			return -1;
		t = at[SK_VERSION];
		if (eq(t->v, t->vn, "v1"))
			so->version = 1;
		else if (eq(t->v, t->vn, "v2"))
			so->version = 2;
		else if (eq(t->v, t->vn, "v3"))
			return fail(p, t->vcol, "TPACKET_V3 is not modelled: it has no such race "
				    "(it publishes a block only when all its copies are done)");
		else
			return fail(p, t->vcol, "unknown version '%s' (expected v1 or v2)",
				    show(&b, t->v, t->vn));
		t = at[SK_FRAMES];
		if (val_range(p, "frames", t->v, t->vn, t->vcol, 1, 1048576, &v))
			return -1;
		so->frames = (uint32_t)v;
		t = at[SK_FRAME_SIZE];
		if (val_size_range(p, "frame_size", t, 64, 16u << 20, &v))
			return -1;
		if (v % 16 != 0)
			return fail(p, t->vcol, "frame_size %" PRIu64 " is not a multiple of 16 "
				    "(TPACKET_ALIGNMENT)", v);
		so->frame_size = (uint32_t)v;
	} else {
		if (need_key(p, "socket", at, SK_RCVBUF, "rcvbuf") ||
		    need_key(p, "socket", at, SK_SNDBUF, "sndbuf") ||
		    /* sk_rcvbuf and sk_sndbuf are ints */
		    val_size_range(p, "rcvbuf", at[SK_RCVBUF], 1, INT32_MAX, &so->rcvbuf) ||
		    val_size_range(p, "sndbuf", at[SK_SNDBUF], 0, INT32_MAX, &so->sndbuf))
			return -1;
	}
	f->nsockets++;
	return 0;
}

enum { FL_SOCKET, FL_CPU, FL_AT, FL_EVERY, FL_COUNT, FL_SIZE, FL_N };
static const char *const flow_keys[FL_N] = { "socket", "cpu", "at", "every", "count", "size" };

static int dir_flow(parser *p)
{
	scn_file *f = p->f;
	const tok *at[MAX_KEYS];
	uint64_t v;

	if (positional(p, "flow", 1, "a flow name", 1))
		return -1;
	void *a = grow(p, f->flows, f->nflows, &p->cap[K_FLOW], sizeof *f->flows, "flows",
		       p->toks[0].col);
	if (!a)
		return -1;
	f->flows = a;
	scn_flow *fl = &f->flows[f->nflows];
	memset(fl, 0, sizeof *fl);
	fl->pos = (scn_pos){ p->line, p->toks[0].col };
	fl->count = 1;
	fl->size = 64;
	if (add_name(p, K_FLOW, "flow", f->flows, sizeof *fl, offsetof(scn_flow, name),
		     offsetof(scn_flow, pos),
		     &p->toks[1], fl->name) ||
	    collect(p, "flow", 2, flow_keys, FL_N, at) ||
	    need_key(p, "flow", at, FL_SOCKET, "socket") ||
	    need_key(p, "flow", at, FL_CPU, "cpu") ||
	    ref_socket(p, at[FL_SOCKET], &fl->socket) ||
	    val_cpu(p, at[FL_CPU], &fl->cpu))
		return -1;
	if (at[FL_AT] && val_time(p, "at", at[FL_AT]->v, at[FL_AT]->vn, at[FL_AT]->vcol, 0,
				  &fl->at_ns))
		return -1;
	if (at[FL_COUNT] && val_range(p, "count", at[FL_COUNT]->v, at[FL_COUNT]->vn,
				      at[FL_COUNT]->vcol, 0, 10000000000ull, &fl->count))
		return -1;
	if (at[FL_SIZE]) {
		if (val_size_range(p, "size", at[FL_SIZE], 1, 256u << 10, &v))
			return -1;
		fl->size = (uint32_t)v;
	}
	if (at[FL_EVERY]) {
		if (val_time(p, "every", at[FL_EVERY]->v, at[FL_EVERY]->vn, at[FL_EVERY]->vcol,
			     0, &fl->every_ns))
			return -1;
		fl->has_every = 1;
	} else {
		/* Back-to-back at 10 Gb/s: the frame plus 20 bytes of wire overhead
		 * per packet (preamble + SFD 8, inter-frame gap 12; `size` counts
		 * the FCS), 8 bits a byte, 10 bits a ns, rounded up:
		 * ceil((size + 20) * 8 / 10) -- 64 B gives 68 ns (67.2). */
		fl->every_ns = ((uint64_t)fl->size + 20) * 8 / 10 +
			       (((uint64_t)fl->size + 20) * 8 % 10 != 0);
	}
	f->nflows++;
	return 0;
}

/* Parse the op list `do=` of a task: ops separated by ';', each an op name
 * and at most one argument. */
static int task_ops(parser *p, scn_task *tk, const tok *t)
{
	const char *s = t->v;
	size_t n = t->vn, i = 0, cap = 0;
	shown b;

	while (i <= n) {
		/* one op: s[i .. next ';' or n) */
		size_t end = i;
		while (end < n && s[end] != ';')
			end++;
		size_t w0 = i;
		while (w0 < end && is_blank(s[w0]))
			w0++;
		size_t w1 = w0;
		while (w1 < end && !is_blank(s[w1]))
			w1++;
		size_t a0 = w1;
		while (a0 < end && is_blank(s[a0]))
			a0++;
		size_t a1 = a0;
		while (a1 < end && !is_blank(s[a1]))
			a1++;
		size_t x0 = a1;
		while (x0 < end && is_blank(s[x0]))
			x0++;
		uint32_t opcol = col_add(t->vcol, w0), argcol = col_add(t->vcol, a0);
		i = end + 1;
		if (w0 == end)
			continue;       /* empty op: "a;;b", or a trailing ';' */
		if (x0 < end)
			return fail(p, col_add(t->vcol, x0), "unexpected '%s' after an op "
				    "(ops are separated by ';')", show(&b, s + x0, end - x0));
		int kind = table_find(op_names, SCN_OP_COUNT, s + w0, w1 - w0);
		if (kind < 0)
			return fail(p, opcol, "unknown task op '%s' (expected lock_sock, "
				    "release_sock, lock_sock_fast, unlock_sock_fast, work T, "
				    "sleep T, recv, or a spin_* op on a lock)",
				    show(&b, s + w0, w1 - w0));
		scn_op op = { kind, 0 };
		int has_arg = a0 < end;
		if (kind == SCN_OP_WORK || kind == SCN_OP_SLEEP) {
			if (!has_arg)
				return fail(p, opcol, "op '%s' needs a time, e.g. '%s 5us'",
					    op_names[kind], op_names[kind]);
			if (val_time(p, op_names[kind], s + a0, a1 - a0, argcol, 0, &op.arg))
				return -1;
		} else if (kind >= SCN_OP_SPIN_LOCK) {
			if (!has_arg)
				return fail(p, opcol, "op '%s' needs a lock name", op_names[kind]);
			size_t l = ni_find(&p->idx[K_LOCK], p->f->locks, sizeof(scn_lock),
					   offsetof(scn_lock, name), s + a0, a1 - a0);
			if (l == SIZE_MAX)
				return fail(p, argcol, "unknown lock '%s' (declare it with `lock` "
					    "first)", show(&b, s + a0, a1 - a0));
			op.arg = l;
		} else if (has_arg) {
			return fail(p, argcol, "op '%s' takes no argument", op_names[kind]);
		}
		void *a = grow(p, tk->ops, tk->nops, &cap, sizeof *tk->ops, "ops in one task",
			       opcol);
		if (!a)
			return -1;
		tk->ops = a;
		tk->ops[tk->nops++] = op;
	}
	if (tk->nops == 0)
		return fail(p, t->vcol, "empty op list in do=");
	return 0;
}

enum { TK_SOCKET, TK_CPU, TK_DO, TK_AT, TK_REPEAT, TK_EVERY, TK_N };
static const char *const task_keys[TK_N] = { "socket", "cpu", "do", "at", "repeat", "every" };

static int dir_task(parser *p)
{
	scn_file *f = p->f;
	const tok *at[MAX_KEYS];

	if (positional(p, "task", 1, "a task name", 1))
		return -1;
	void *a = grow(p, f->tasks, f->ntasks, &p->cap[K_TASK], sizeof *f->tasks, "tasks",
		       p->toks[0].col);
	if (!a)
		return -1;
	f->tasks = a;
	scn_task *tk = &f->tasks[f->ntasks];
	memset(tk, 0, sizeof *tk);
	tk->pos = (scn_pos){ p->line, p->toks[0].col };
	tk->repeat = 1;
	if (add_name(p, K_TASK, "task", f->tasks, sizeof *tk, offsetof(scn_task, name),
		     offsetof(scn_task, pos),
		     &p->toks[1], tk->name))
		return -1;
	/* counted now so that scn_free releases its ops whatever happens next */
	f->ntasks++;
	if (collect(p, "task", 2, task_keys, TK_N, at) ||
	    need_key(p, "task", at, TK_SOCKET, "socket") ||
	    need_key(p, "task", at, TK_CPU, "cpu") ||
	    need_key(p, "task", at, TK_DO, "do") ||
	    ref_socket(p, at[TK_SOCKET], &tk->socket) ||
	    val_cpu(p, at[TK_CPU], &tk->cpu) ||
	    task_ops(p, tk, at[TK_DO]))
		return -1;
	if (at[TK_AT] && val_time(p, "at", at[TK_AT]->v, at[TK_AT]->vn, at[TK_AT]->vcol, 0,
				  &tk->at_ns))
		return -1;
	if (at[TK_REPEAT] && val_range(p, "repeat", at[TK_REPEAT]->v, at[TK_REPEAT]->vn,
				       at[TK_REPEAT]->vcol, 1, UINT64_MAX, &tk->repeat))
		return -1;
	if (at[TK_EVERY] && val_time(p, "every", at[TK_EVERY]->v, at[TK_EVERY]->vn,
				     at[TK_EVERY]->vcol, 0, &tk->every_ns))
		return -1;
	return 0;
}

enum { CO_SOCKET, CO_CPU, CO_CHECK, CO_COST, CO_N };
static const char *const consumer_keys[CO_N] = { "socket", "cpu", "check", "cost" };

static int dir_consumer(parser *p)
{
	scn_file *f = p->f;
	const tok *at[MAX_KEYS];
	shown b;

	if (positional(p, "consumer", 1, "a consumer name", 1))
		return -1;
	void *a = grow(p, f->consumers, f->nconsumers, &p->cap[K_CONSUMER],
		       sizeof *f->consumers, "consumers", p->toks[0].col);
	if (!a)
		return -1;
	f->consumers = a;
	scn_consumer *c = &f->consumers[f->nconsumers];
	memset(c, 0, sizeof *c);
	c->pos = (scn_pos){ p->line, p->toks[0].col };
	if (add_name(p, K_CONSUMER, "consumer", f->consumers, sizeof *c,
		     offsetof(scn_consumer, name),
		     offsetof(scn_consumer, pos), &p->toks[1], c->name) ||
	    collect(p, "consumer", 2, consumer_keys, CO_N, at) ||
	    need_key(p, "consumer", at, CO_SOCKET, "socket") ||
	    need_key(p, "consumer", at, CO_CPU, "cpu") ||
	    need_key(p, "consumer", at, CO_CHECK, "check") ||
	    ref_socket(p, at[CO_SOCKET], &c->socket))
		return -1;
	if (f->sockets[c->socket].type != SCN_SOCK_PACKET)
		return fail(p, at[CO_SOCKET]->vcol, "consumer needs a packet socket: '%s' is a "
			    "stream socket", f->sockets[c->socket].name);
	if (val_cpu(p, at[CO_CPU], &c->cpu))
		return -1;
	const tok *t = at[CO_CHECK];
	if (eq(t->v, t->vn, "user_bit"))
		c->check = SCN_CHECK_USER_BIT;
	else if (eq(t->v, t->vn, "nonzero"))
		c->check = SCN_CHECK_NONZERO;
	else
		return fail(p, t->vcol, "unknown check '%s' (expected user_bit or nonzero)",
			    show(&b, t->v, t->vn));
	if (at[CO_COST]) {
		if (val_time(p, "cost", at[CO_COST]->v, at[CO_COST]->vn, at[CO_COST]->vcol, 0,
			     &c->cost_ns))
			return -1;
		c->has_cost = 1;
	}
	f->nconsumers++;
	return 0;
}

enum { ST_CPU, ST_AT, ST_NTH, ST_FOR, ST_N };
static const char *const stall_keys[ST_N] = { "cpu", "at", "nth", "for" };

static int dir_stall(parser *p)
{
	scn_file *f = p->f;
	const tok *at[MAX_KEYS];

	void *a = grow(p, f->stalls, f->nstalls, &p->cap[K_STALL], sizeof *f->stalls,
		       "stalls", p->toks[0].col);
	if (!a)
		return -1;
	f->stalls = a;
	scn_stall *st = &f->stalls[f->nstalls];
	memset(st, 0, sizeof *st);
	st->pos = (scn_pos){ p->line, p->toks[0].col };
	st->nth = 1;
	if (collect(p, "stall", 1, stall_keys, ST_N, at) ||
	    need_key(p, "stall", at, ST_CPU, "cpu") ||
	    need_key(p, "stall", at, ST_AT, "at") ||
	    need_key(p, "stall", at, ST_FOR, "for") ||
	    val_cpu(p, at[ST_CPU], &st->cpu))
		return -1;
	const tok *t = at[ST_AT];
	if (t->vn > 0 && is_digit(t->v[0])) {
		if (val_time(p, "at", t->v, t->vn, t->vcol, 0, &st->at_ns))
			return -1;
	} else {
		if (val_label(p, t->v, t->vn, t->vcol, st->label))
			return -1;
		st->at_is_label = 1;
	}
	if (at[ST_NTH] && !st->at_is_label)
		return fail(p, at[ST_NTH]->col, "nth= counts performances of a label: "
			    "it needs at=LABEL, not a time");
	if (at[ST_NTH] && val_range(p, "nth", at[ST_NTH]->v, at[ST_NTH]->vn, at[ST_NTH]->vcol,
				    1, UINT64_MAX, &st->nth))
		return -1;
	if (val_time(p, "for", at[ST_FOR]->v, at[ST_FOR]->vn, at[ST_FOR]->vcol, 0, &st->for_ns))
		return -1;
	f->nstalls++;
	return 0;
}

enum { IQ_CPU, IQ_EVERY, IQ_COST, IQ_AT, IQ_N };
static const char *const irq_keys[IQ_N] = { "cpu", "every", "cost", "at" };

static int dir_irq(parser *p)
{
	scn_file *f = p->f;
	const tok *at[MAX_KEYS];

	void *a = grow(p, f->irqs, f->nirqs, &p->cap[K_IRQ], sizeof *f->irqs, "irqs",
		       p->toks[0].col);
	if (!a)
		return -1;
	f->irqs = a;
	scn_irq *q = &f->irqs[f->nirqs];
	memset(q, 0, sizeof *q);
	q->pos = (scn_pos){ p->line, p->toks[0].col };
	if (collect(p, "irq", 1, irq_keys, IQ_N, at) ||
	    need_key(p, "irq", at, IQ_CPU, "cpu") ||
	    need_key(p, "irq", at, IQ_EVERY, "every") ||
	    need_key(p, "irq", at, IQ_COST, "cost") ||
	    val_cpu(p, at[IQ_CPU], &q->cpu) ||
	    val_time(p, "every", at[IQ_EVERY]->v, at[IQ_EVERY]->vn, at[IQ_EVERY]->vcol, 0,
		     &q->every_ns))
		return -1;
	if (q->every_ns == 0)
		return fail(p, at[IQ_EVERY]->vcol, "irq every= must be > 0");
	if (val_time(p, "cost", at[IQ_COST]->v, at[IQ_COST]->vn, at[IQ_COST]->vcol, 0,
		     &q->cost_ns))
		return -1;
	if (at[IQ_AT] && val_time(p, "at", at[IQ_AT]->v, at[IQ_AT]->vn, at[IQ_AT]->vcol, 0,
				  &q->at_ns))
		return -1;
	f->nirqs++;
	return 0;
}

static const char *const cost_keys[] = { "per_byte" };

static int dir_cost(parser *p)
{
	scn_file *f = p->f;
	const tok *at[MAX_KEYS];
	shown b;

	if (p->ntok < 2 || p->toks[1].has_eq)
		return fail(p, p->toks[0].col, "missing label after 'cost'");
	if (p->toks[1].n && is_digit(p->toks[1].s[0]))
		return fail(p, p->toks[1].col, "missing label before the time: cost LABEL T");
	if (p->ntok < 3 || p->toks[2].has_eq)
		return fail(p, p->toks[0].col, "missing time after 'cost LABEL'");
	void *a = grow(p, f->costs, f->ncosts, &p->cap[K_COST], sizeof *f->costs, "costs",
		       p->toks[0].col);
	if (!a)
		return -1;
	f->costs = a;
	scn_cost *c = &f->costs[f->ncosts];
	memset(c, 0, sizeof *c);
	c->pos = (scn_pos){ p->line, p->toks[0].col };
	const tok *l = &p->toks[1], *t = &p->toks[2];
	if (val_label(p, l->s, l->n, l->vcol, c->label))
		return -1;
	/* O(costs): fine, each label has at most one cost line */
	for (size_t i = 0; i < f->ncosts; i++)
		if (strcmp(f->costs[i].label, c->label) == 0)
			return fail(p, l->vcol, "duplicate cost for '%s' (first at line %" PRIu32 ")",
				    show(&b, l->s, l->n), f->costs[i].pos.line);
	if (val_time(p, "cost", t->s, t->n, t->vcol, 0, &c->ns) ||
	    collect(p, "cost", 3, cost_keys, 1, at))
		return -1;
	if (at[0]) {
		if (val_time(p, "per_byte", at[0]->v, at[0]->vn, at[0]->vcol, 1, &c->per_byte_ps))
			return -1;
		c->has_per_byte = 1;
	}
	f->ncosts++;
	return 0;
}

static const char *const spinlock_keys[] = { "order", "handoff" };

static int dir_spinlock(parser *p)
{
	const tok *at[MAX_KEYS];
	shown b;

	if (collect(p, "spinlock", 1, spinlock_keys, 2, at))
		return -1;
	if (!at[0] && !at[1])
		return fail(p, p->toks[0].col, "spinlock needs order= or handoff=");
	if (at[0]) {
		const tok *t = at[0];
		if (eq(t->v, t->vn, "fifo"))
			p->f->spin_order = SCN_ORDER_FIFO;
		else if (eq(t->v, t->vn, "random"))
			p->f->spin_order = SCN_ORDER_RANDOM;
		else
			return fail(p, t->vcol, "unknown order '%s' (expected fifo or random)",
				    show(&b, t->v, t->vn));
	}
	if (at[1]) {
		if (val_time(p, "handoff", at[1]->v, at[1]->vn, at[1]->vcol, 0,
			     &p->f->handoff_ns))
			return -1;
		p->f->has_handoff = 1;
	}
	return 0;
}

static const char *const limit_keys[] = { "time" };

static int dir_limit(parser *p)
{
	const tok *at[MAX_KEYS];

	if (collect(p, "limit", 1, limit_keys, 1, at) ||
	    need_key(p, "limit", at, 0, "time") ||
	    val_time(p, "time", at[0]->v, at[0]->vn, at[0]->vcol, 0, &p->f->limit_ns))
		return -1;
	if (p->f->limit_ns == 0)
		return fail(p, at[0]->vcol, "limit time= must be > 0");
	return 0;
}

static const char *const nic_keys[] = { "queue", "budget" };

static int dir_nic(parser *p)
{
	const tok *at[MAX_KEYS];
	uint64_t v;

	if (collect(p, "nic", 1, nic_keys, 2, at))
		return -1;
	if (at[0]) {
		if (val_range(p, "queue", at[0]->v, at[0]->vn, at[0]->vcol, 1, 1048576, &v))
			return -1;
		p->f->nic_queue = (uint32_t)v;
	}
	if (at[1]) {
		if (val_range(p, "budget", at[1]->v, at[1]->vn, at[1]->vcol, 1, 1048576, &v))
			return -1;
		p->f->budget = (uint32_t)v;
	}
	return 0;
}

static const char *const explore_keys[] = { "runs", "strategy", "depth", "stall_max", "irqs",
					    "irq_max", "jitter", "order" };

static int dir_explore(parser *p)
{
	const tok *at[MAX_KEYS];
	scn_explore *e = &p->f->explore;
	uint64_t v;
	shown b;

	if (collect(p, "explore", 1, explore_keys, 8, at))
		return -1;
	e->set = 1;
	e->pos = (scn_pos){ p->line, p->toks[0].col };
	if (at[0] && val_range(p, "runs", at[0]->v, at[0]->vn, at[0]->vcol, 1, 1000000000, &e->runs))
		return -1;
	if (at[1]) {
		if (eq(at[1]->v, at[1]->vn, "random"))
			e->strategy = SCN_STRATEGY_RANDOM;
		else if (eq(at[1]->v, at[1]->vn, "pct"))
			e->strategy = SCN_STRATEGY_PCT;
		else
			return fail(p, at[1]->vcol, "unknown strategy '%s' (expected random or pct)",
				    show(&b, at[1]->v, at[1]->vn));
	}
	if (at[2]) {
		if (val_range(p, "depth", at[2]->v, at[2]->vn, at[2]->vcol, 1, 64, &v))
			return -1;
		e->depth = (uint32_t)v;
	}
	if (at[3] && val_time(p, "stall_max", at[3]->v, at[3]->vn, at[3]->vcol, 0, &e->stall_max_ns))
		return -1;
	if (at[4]) {
		if (val_range(p, "irqs", at[4]->v, at[4]->vn, at[4]->vcol, 0, 16, &v))
			return -1;
		e->irqs = (uint32_t)v;
	}
	if (at[5] && val_time(p, "irq_max", at[5]->v, at[5]->vn, at[5]->vcol, 0, &e->irq_max_ns))
		return -1;
	if (at[6]) {
		size_t n = at[6]->vn;
		if (n > 0 && at[6]->v[n - 1] == '%')
			n--;
		if (val_range(p, "jitter", at[6]->v, n, at[6]->vcol, 0, 100, &v))
			return -1;
		e->jitter_pct = (uint32_t)v;
	}
	if (at[7]) {
		if (eq(at[7]->v, at[7]->vn, "fifo"))
			e->order = SCN_ORDER_FIFO;
		else if (eq(at[7]->v, at[7]->vn, "random"))
			e->order = SCN_ORDER_RANDOM;
		else
			return fail(p, at[7]->vcol, "unknown order '%s' (expected fifo or random)",
				    show(&b, at[7]->v, at[7]->vn));
	}
	return 0;
}

static int is_cmp_char(int c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

/* `expect [fix=F] METRIC OP VALUE ...`; a clause may be one token
 * (overrun>=1) or spread over several (overrun >= 1, overrun >=1, ...). */
static int dir_expect(parser *p)
{
	scn_file *f = p->f;
	size_t ti = 1;
	int fix = -1;
	shown b;

	if (ti < p->ntok && p->toks[ti].has_eq && eq(p->toks[ti].key, p->toks[ti].kn, "fix")) {
		const tok *t = &p->toks[ti++];
		if (fix_value(p, t->v, t->vn, t->vcol, &fix))
			return -1;
		if (fix == SCN_FIX_ALL)
			fix = -1;       /* every variant run: same as no fix= */
	}
	if (ti >= p->ntok)
		return fail(p, p->toks[0].col, "expect needs at least one clause METRIC OP VALUE");
	while (ti < p->ntok) {
		const tok *t = &p->toks[ti];
		const char *s = t->s;
		size_t n = t->n, k = 0;

		if (t->has_eq && eq(t->key, t->kn, "fix"))
			return fail(p, t->col, ti == 2 && p->toks[1].has_eq && eq(p->toks[1].key, p->toks[1].kn, "fix")
					       ? "expect takes one fix= (one expect line per variant)"
					       : "fix= must come before the clauses of expect");
		/* METRIC */
		while (k < n && (is_alpha(s[k]) || is_digit(s[k]) || s[k] == '_'))
			k++;
		if (k == 0)
			return fail(p, t->col, "expected METRIC OP VALUE, got '%s'", show(&b, s, n));
		int m = table_find(metric_names, SCN_M_COUNT, s, k);
		if (m < 0)
			return fail(p, t->col, "unknown metric '%s'", show(&b, s, k));
		scn_pos mpos = { p->line, t->col };
		/* OP */
		if (k == n) {
			if (++ti >= p->ntok)
				return fail(p, p->eol_col, "missing comparison operator after '%s'",
					    metric_names[m]);
			t = &p->toks[ti];
			s = t->s;
			n = t->n;
			k = 0;
		}
		size_t o = k;
		while (k < n && is_cmp_char(s[k]))
			k++;
		if (k == o) {
			while (k < n && !is_alpha(s[k]) && !is_digit(s[k]))
				k++;
			if (k == o)
				k = o + 1;
		}
		int op = table_find(cmp_names, 6, s + o, k - o);
		if (op < 0)
			return fail(p, col_add(t->col, o), "bad comparison operator '%s' (expected "
				    "==, !=, <, <=, > or >=)", show(&b, s + o, k - o));
		/* VALUE */
		if (k == n) {
			if (++ti >= p->ntok)
				return fail(p, p->eol_col, "missing value after '%s %s'",
					    metric_names[m], cmp_names[op]);
			t = &p->toks[ti];
			s = t->s;
			n = t->n;
			k = 0;
		}
		uint64_t v;
		size_t d = k;
		while (d < n && is_digit(s[d]))
			d++;
		size_t ml = strlen(metric_names[m]);
		int is_time = ml > 3 && strcmp(metric_names[m] + ml - 3, "_ns") == 0;
		if (is_time && d > k && d < n) {
			/* a time metric's value may take a unit: spin_max_ns<20us */
			if (val_time(p, metric_names[m], s + k, n - k, col_add(t->col, k), 0, &v))
				return -1;
		} else if (val_u64(p, "expect", s + k, n - k, col_add(t->col, k), &v)) {
			return -1;
		}
		ti++;

		void *a = grow(p, f->expects, f->nexpects, &p->cap[K_EXPECT], sizeof *f->expects,
			       "expects", mpos.col);
		if (!a)
			return -1;
		f->expects = a;
		scn_expect *e = &f->expects[f->nexpects++];
		memset(e, 0, sizeof *e);
		e->pos = mpos;
		e->fix = fix;
		e->metric = m;
		e->op = op;
		e->value = v;
		int r = snprintf(e->text, sizeof e->text, "%s%s%" PRIu64, metric_names[m],
				 cmp_names[op], v);
		(void)r;        /* at most 19 + 2 + 20 bytes: never cut */
	}
	return 0;
}

static const struct directive {
	const char *name;
	int (*fn)(parser *);
	int single;             /* S_* when it may be given once, else S_NONE */
} directives[] = {
	{ "scenario", dir_scenario, S_SCENARIO },
	{ "seed", dir_seed, S_SEED },
	{ "cpus", dir_cpus, S_CPUS },
	{ "fix", dir_fix, S_FIX },
	{ "socket", dir_socket, S_NONE },
	{ "flow", dir_flow, S_NONE },
	{ "task", dir_task, S_NONE },
	{ "consumer", dir_consumer, S_NONE },
	{ "stall", dir_stall, S_NONE },
	{ "irq", dir_irq, S_NONE },
	{ "cost", dir_cost, S_NONE },
	{ "jitter", dir_jitter, S_JITTER },
	{ "spinlock", dir_spinlock, S_SPINLOCK },
	{ "bug", dir_bug, S_NONE },
	{ "expect", dir_expect, S_NONE },
	{ "lock", dir_lock, S_NONE },
	{ "limit", dir_limit, S_LIMIT },
	{ "nic", dir_nic, S_NIC },
	{ "explore", dir_explore, S_EXPLORE },
	{ "kernel", dir_kernel, S_KERNEL },
};

static int directive(parser *p)
{
	const tok *t = &p->toks[0];
	const struct directive *d = NULL;
	shown b;

	for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++)
		if (eq(t->s, t->n, directives[i].name))
			d = &directives[i];
	if (!d || t->has_eq)
		return fail(p, t->col, "unknown directive '%s'", show(&b, t->s, t->n));
	if (d->single != S_SCENARIO && !p->single[S_SCENARIO].line)
		return fail(p, t->col, "'scenario NAME' must be the first directive, "
			    "before '%s'", d->name);
	if (d->single != S_NONE) {
		scn_pos *first = &p->single[d->single];
		if (first->line)
			return fail(p, t->col, "duplicate directive '%s' (first at line %" PRIu32 ")",
				    d->name, first->line);
		*first = (scn_pos){ p->line, t->col };
	}
	return d->fn(p);
}

/* The first reference to a CPU that does not exist, once `cpus` is known. */
static int check_cpus(parser *p)
{
	for (size_t i = 0; i < p->ncpurefs; i++) {
		const cpuref *r = &p->cpurefs[i];
		if (r->cpu >= p->f->cpus)
			return fail_at(p, r->pos.line, r->pos.col, "cpu %" PRIu64 " does not exist: "
				       "cpus is %" PRIu32 " (CPUs 0..%" PRIu32 ")", r->cpu,
				       p->f->cpus, p->f->cpus - 1);
	}
	return 0;
}

static int parse(parser *p, const char *buf, size_t len)
{
	size_t off = 0, from = 0;

	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		from = 3;       /* a UTF-8 byte-order mark */
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - off;

		if (n > 0 && buf[off + n - 1] == '\r')
			n--;    /* CRLF */
		if (p->line == UINT32_MAX)
			return fail(p, 1, "too many lines");
		p->line++;
		if (lex_line(p, buf + off, n, from) || (p->ntok && directive(p)))
			return -1;
		off = end + 1;
		from = 0;
	}
	if (!p->single[S_SCENARIO].line)
		return fail_at(p, 1, 1, "empty scenario: expected 'scenario NAME'");
	return check_cpus(p);
}

int scn_parse(const char *path, const char *buf, size_t len, const scn_labels *labels,
	      scn_file *out, scn_error *err)
{
	scn_error dummy;
	scn_file f;
	parser p;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	if (!path)
		path = "<input>";
	memset(&f, 0, sizeof f);
	memset(&p, 0, sizeof p);
	int r = snprintf(f.path, sizeof f.path, "%s", path);
	(void)r;        /* a longer path is cut in f.path; messages use it whole */
	f.seed = 1;
	f.cpus = 1;
	f.fix = SCN_FIX_NONE;
	f.spin_order = SCN_ORDER_FIFO;
	f.handoff_ns = UINT64_MAX;      /* the model's default */
	f.limit_ns = 10 * NS_PER_S;
	f.explore = (scn_explore){ .runs = 10000, .strategy = SCN_STRATEGY_RANDOM, .depth = 3,
				   .stall_max_ns = 20000, .irqs = 2, .irq_max_ns = 2000,
				   .jitter_pct = 10, .order = SCN_ORDER_RANDOM };
	f.nic_queue = 1024;
	f.budget = 300;
	f.kernel = SCN_KERNEL(4, 8);
	p.path = path;
	p.labels = labels;
	p.f = &f;
	p.err = err;

	int rc;
	if (!out)
		rc = fail_at(&p, 1, 1, "no output given");
	else if (!buf && len)
		rc = fail_at(&p, 1, 1, "no input given");
	else
		rc = parse(&p, buf ? buf : "", len);

	free(p.toks);
	free(p.cpurefs);
	for (int k = 0; k < K_COUNT; k++)
		free(p.idx[k].slot);
	if (rc) {
		scn_free(&f);
		if (out)
			memset(out, 0, sizeof *out);
		return -1;
	}
	*out = f;
	return 0;
}

int scn_parse_file(const char *path, const scn_labels *labels, scn_file *out,
		   scn_error *err)
{
	scn_error dummy;
	char why[128];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int e = 0;

	if (!err)
		err = &dummy;
	if (out)
		memset(out, 0, sizeof *out);
	if (!path)
		path = "<null>";
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		e = errno;
	} else {
		for (;;) {
			if (len == cap) {
				size_t nc = cap ? cap * 2 : 65536;
				char *nb = nc > cap ? realloc(buf, nc) : NULL;
				if (!nb) {
					e = ENOMEM;
					break;
				}
				buf = nb;
				cap = nc;
			}
			size_t got = fread(buf + len, 1, cap - len, fp);
			len += got;
			if (got == 0) {
				if (ferror(fp))
					e = errno ? errno : EIO;
				break;
			}
		}
		fclose(fp);
	}
	if (e) {
		free(buf);
		why[0] = '\0';
		/* the POSIX strerror_r (_POSIX_C_SOURCE, no _GNU_SOURCE): fills `why` */
		if (strerror_r(e, why, sizeof why) != 0 || why[0] == '\0') {
			int r = snprintf(why, sizeof why, "error %d", e);
			(void)r;
		}
		int r = snprintf(err->msg, sizeof err->msg, "%s:1:1: error: cannot open %s: %s",
				 path, path, why);
		(void)r;
		return -1;
	}
	int rc = scn_parse(path, buf, len, labels, out, err);
	free(buf);
	return rc;
}

void scn_free(scn_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ntasks; i++)
		free(f->tasks[i].ops);
	free(f->sockets);
	free(f->flows);
	free(f->tasks);
	free(f->consumers);
	free(f->stalls);
	free(f->irqs);
	free(f->costs);
	free(f->locks);
	free(f->expects);
	memset(f, 0, sizeof *f);
}
