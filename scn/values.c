/* values.c - reading and bounding values; see values.h. */
#include "values.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

static int all_alpha(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(s[i]))
			return 0;
	return 1;
}

int val_u64(parser *p, const char *what, const char *s, size_t n, uint32_t col, uint64_t *out)
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

/* *out, already read, is in lo..hi. */
static int in_range(parser *p, const char *what, uint32_t col, uint64_t lo, uint64_t hi,
		    const uint64_t *out)
{
	if (*out < lo || *out > hi)
		return fail(p, col, "%s %" PRIu64 " out of range %" PRIu64 "..%" PRIu64,
			    what, *out, lo, hi);
	return 0;
}

int val_range(parser *p, const char *what, const char *s, size_t n, uint32_t col,
	      uint64_t lo, uint64_t hi, uint64_t *out)
{
	return val_u64(p, what, s, n, col, out) || in_range(p, what, col, lo, hi, out) ? -1 : 0;
}

/* A unit and what it multiplies by. */
typedef struct unit {
	const char *u;
	uint64_t mult;
} unit;

/* Digits (k of them) and a unit of `units`: *v is their product.  Returns 0;
 * -1 with an error set when the digits or the product overflow; 1 when there
 * are no digits or the rest is not a unit of the table (an empty rest too),
 * leaving the message to the caller. */
static int with_unit(parser *p, const char *what, const char *s, size_t n, uint32_t col,
		     const unit *units, size_t nunits, uint64_t *v, size_t *k)
{
	shown b;
	int ovf;

	*k = digits(s, n, v, &ovf);
	if (*k == 0)
		return 1;
	if (ovf)
		return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
	for (size_t i = 0; i < nunits; i++) {
		if (!eq(s + *k, n - *k, units[i].u))
			continue;
		if (*v > UINT64_MAX / units[i].mult)
			return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
		*v *= units[i].mult;
		return 0;
	}
	return 1;
}

/* How a time or a size is written, for messages. */
typedef struct unit_kind {
	const char *kind;       /* "time" */
	const char *units;      /* "ns, us, ms, s or ps" */
	const char *example;    /* "e.g. 5us" */
} unit_kind;

static const unit_kind time_kind = { "time", "ns, us, ms, s or ps", "e.g. 5us" };
static const unit_kind size_kind = { "size", "KiB, MiB or GiB", "bytes, or e.g. 64KiB" };

/* A time or size s[0..n) with k leading digits whose end with_unit did not
 * take: why it is wrong. */
static int bad_unit(parser *p, const char *what, const char *s, size_t n, size_t k,
		    uint32_t col, const unit_kind *uk)
{
	shown b, bu;

	if (k > 0 && all_alpha(s + k, n - k))
		return fail(p, col, "unknown %s unit '%s' in '%s' (expected %s)", uk->kind,
			    show(&bu, s + k, n - k), show(&b, s, n), uk->units);
	return fail(p, col, "malformed %s '%s' for %s (expected %s)", uk->kind,
		    show(&b, s, n), what, uk->example);
}

/* A decimal time, DIGITS.DIGITS UNIT (1.5us), into *out in the unit of
 * `units` (ns, or ps): 1 when s has no '.', leaving it to the integer
 * reader; 0 when it is a whole number of that unit; -1 with an error. */
static int decimal_time(parser *p, const char *what, const char *s, size_t n, uint32_t col,
			const unit *units, size_t nunits, int want_ps, uint64_t *out)
{
	const char *dot = memchr(s, '.', n);
	shown b;
	if (!dot)
		return 1;
	size_t ki = (size_t)(dot - s), kf = ki + 1, e;
	uint64_t ip, fp = 0, scale = 1, m;
	int ovf;
	if (digits(s, ki, &ip, &ovf) != ki || ki == 0 || ovf)
		return fail(p, col, "malformed time '%s' for %s (expected e.g. 5us or 1.5us)",
			    show(&b, s, n), what);
	for (e = kf; e < n && is_digit(s[e]); e++) {
		if (scale > UINT64_MAX / 10 / 1000000000000ull)
			return fail(p, col, "time '%s' for %s has too many decimals", show(&b, s, n), what);
		fp = fp * 10 + (uint64_t)(s[e] - '0');
		scale *= 10;
	}
	size_t u = 0;
	while (u < nunits && !eq(s + e, n - e, units[u].u))
		u++;
	if (e == kf || u == nunits)
		return fail(p, col, "malformed time '%s' for %s (expected e.g. 5us or 1.5us)",
			    show(&b, s, n), what);
	if (fp * units[u].mult % scale != 0)
		return fail(p, col, "time '%s' for %s is not a whole number of %s", show(&b, s, n),
			    what, want_ps ? "picoseconds" : "nanoseconds (the engine's time step)");
	if (__builtin_mul_overflow(ip, units[u].mult, &m) ||
	    __builtin_add_overflow(m, fp * units[u].mult / scale, out))
		return fail(p, col, "%s '%s' overflows 64 bits", what, show(&b, s, n));
	return 0;
}

static int val_time_unbounded(parser *p, const char *what, const char *s, size_t n,
			      uint32_t col, int want_ps, uint64_t *out)
{
	static const unit ns[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", NS_PER_S }, { "ps", 1 },
	};
	static const unit ps[] = {
		{ "ns", 1000 }, { "us", 1000000 }, { "ms", 1000000000 }, { "s", NS_PER_S * 1000 },
		{ "ps", 1 },
	};
	shown b;
	size_t k;
	/* ps read as ns stays ps in the decimal reader: 1.5ps is never whole */
	static const unit ns_dec[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", NS_PER_S },
	};
	int d = decimal_time(p, what, s, n, col, want_ps ? ps : ns_dec, want_ps ? 5 : 4, want_ps, out);
	if (d <= 0)
		return d;
	int r = with_unit(p, what, s, n, col, want_ps ? ps : ns, 5, out, &k);

	if (r < 0)
		return -1;
	if (r == 0 && !want_ps && eq(s + k, n - k, "ps")) {
		/* ps read as ns, but a ps value stored in ns must be whole ns */
		if (*out % 1000 != 0)
			return fail(p, col, "time '%s' for %s has sub-nanosecond precision",
				    show(&b, s, n), what);
		*out /= 1000;
	}
	if (r == 0)
		return 0;
	if (k > 0 && k == n) {
		if (*out != 0)
			return fail(p, col, "time '%s' for %s needs a unit (ns, us, ms, s)",
				    show(&b, s, n), what);
		return 0;
	}
	return bad_unit(p, what, s, n, k, col, &time_kind);
}

int val_time(parser *p, const char *what, const char *s, size_t n, uint32_t col, int want_ps,
	     uint64_t *out)
{
	shown b;

	/* bounded so that the engine's sums of a few of them never wrap */
	if (val_time_unbounded(p, what, s, n, col, want_ps, out))
		return -1;
	if (want_ps && *out > SCN_PER_BYTE_MAX_PS)
		return fail(p, col, "%s '%s' out of range (at most 1ms a byte)", what, show(&b, s, n));
	if (!want_ps && *out > SCN_TIME_MAX_NS)
		return fail(p, col, "%s '%s' out of range (at most 1000000s)", what, show(&b, s, n));
	return 0;
}

/* A size: bytes, or digits with KiB, MiB or GiB. */
static int val_size(parser *p, const char *what, const char *s, size_t n, uint32_t col,
		    uint64_t *out)
{
	static const unit units[] = { { "KiB", 1ull << 10 }, { "MiB", 1ull << 20 },
				      { "GiB", 1ull << 30 } };
	size_t k;
	int r = with_unit(p, what, s, n, col, units, 3, out, &k);

	if (r <= 0)
		return r;
	if (k > 0 && k == n)
		return 0;       /* bytes */
	return bad_unit(p, what, s, n, k, col, &size_kind);
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

int val_label(parser *p, const char *s, size_t n, uint32_t col, char out[SCN_NAME_MAX])
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

int tok_u64(parser *p, const tok *t, const char *what, uint64_t *out)
{
	return t ? val_u64(p, what, t->v, t->vn, t->vcol, out) : 0;
}

int tok_range(parser *p, const tok *t, const char *what, uint64_t lo, uint64_t hi,
	      uint64_t *out)
{
	return t ? val_range(p, what, t->v, t->vn, t->vcol, lo, hi, out) : 0;
}

int tok_range32(parser *p, const tok *t, const char *what, uint32_t lo, uint32_t hi,
		uint32_t *out)
{
	uint64_t v;

	if (!t)
		return 0;
	if (val_range(p, what, t->v, t->vn, t->vcol, lo, hi, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int tok_pct(parser *p, const tok *t, const char *what, uint32_t *out)
{
	uint64_t v;

	if (!t)
		return 0;
	size_t n = t->vn;
	if (n > 0 && t->v[n - 1] == '%')
		n--;
	if (val_range(p, what, t->v, n, t->vcol, 0, 100, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int tok_time(parser *p, const tok *t, const char *what, uint64_t *out)
{
	return t ? val_time(p, what, t->v, t->vn, t->vcol, 0, out) : 0;
}

int tok_time_ps(parser *p, const tok *t, const char *what, uint64_t *out)
{
	return t ? val_time(p, what, t->v, t->vn, t->vcol, 1, out) : 0;
}

int tok_size(parser *p, const tok *t, const char *what, uint64_t lo, uint64_t hi,
	     uint64_t *out)
{
	if (!t)
		return 0;
	if (val_size(p, what, t->v, t->vn, t->vcol, out))
		return -1;
	return in_range(p, what, t->vcol, lo, hi, out);
}

int tok_enum(parser *p, const tok *t, const scn_names *names, const char *what, int *out)
{
	char list[256];
	shown b;

	if (!t)
		return 0;
	int i = scn_names_find(names, t->v, t->vn);
	if (i < 0)
		return fail(p, t->vcol, "unknown %s '%s' (expected %s)", what,
			    show(&b, t->v, t->vn), scn_names_list(names, list, sizeof list));
	*out = i;
	return 0;
}

int tok_name(parser *p, const tok *t, const char *what, char out[SCN_NAME_MAX])
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

int tok_cpu(parser *p, const tok *t, uint32_t *out)
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
			return scn_fail_oom(p, t->vcol);
		p->cpurefs = a;
		p->capcpurefs = nc;
	}
	p->cpurefs[p->ncpurefs++] = (cpuref){ v, { p->line, t->vcol } };
	p->cpu_max = v;
	return 0;
}
