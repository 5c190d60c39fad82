/* explore_report.c - the tally of an exploration and its JSON; see
 * explore_report.h. */
#include "explore_report.h"

#include <inttypes.h>
#include <string.h>

#include "explore_internal.h"
#include "json.h"

void xtally_init(xtally *t)
{
	memset(t, 0, sizeof(*t));
	t->first = t->small = XNONE;
	for (int k = 0; k < XK_COUNT; k++)
		t->first_of[k] = XNONE;
}

/* Is (events a, run i) smaller than (events b, run j)? */
static int smaller(uint64_t a, uint64_t i, uint64_t b, uint64_t j)
{
	return a < b || (a == b && i < j);
}

void xtally_add(xtally *t, uint64_t run, uint32_t kinds, uint64_t events)
{
	if (!kinds)
		return;
	xtally one;
	xtally_init(&one);
	one.failing = 1;
	one.first = one.small = run;
	one.first_kinds = one.small_kinds = kinds;
	one.small_events = events;
	for (int k = 0; k < XK_COUNT; k++)
		if (kinds & (1u << k)) {
			one.count[k] = 1;
			one.first_of[k] = run;
		}
	xtally_merge(t, &one);
}

void xtally_merge(xtally *into, const xtally *from)
{
	if (!from->failing)
		return;
	into->failing += from->failing;
	for (int k = 0; k < XK_COUNT; k++) {
		into->count[k] += from->count[k];
		if (from->first_of[k] < into->first_of[k])
			into->first_of[k] = from->first_of[k];
	}
	if (from->first < into->first) {
		into->first = from->first;
		into->first_kinds = from->first_kinds;
	}
	if (into->small == XNONE || smaller(from->small_events, from->small, into->small_events, into->small)) {
		into->small = from->small;
		into->small_kinds = from->small_kinds;
		into->small_events = from->small_events;
	}
}

void xvariant_json(FILE *out, const xvariant *v)
{
	const xtally *t = &v->t;
	fprintf(out, "{\"fix\": \"%s\", \"runs\": %" PRIu64 ", \"strategy\": \"%s\", \"depth\": %u, "
		"\"stall_max_ns\": %" PRIu64 ", \"irqs\": %u, \"irq_max_ns\": %" PRIu64 ", \"jitter_pct\": %u, "
		"\"order\": \"%s\", \"unperturbed\": {\"steps\": %" PRIu64 ", \"ns\": %" PRIu64 "}, "
		"\"violating\": %" PRIu64 ", \"invariants\": {",
		scn_fix_name(v->fix), v->runs, v->pct ? "pct" : "random", v->depth, v->stall_max, v->irqs,
		v->irq_max, v->jitter, v->spin_random ? "random" : "fifo", v->steps, v->horizon, t->failing);
	int n = 0;
	for (int k = 0; k < XK_COUNT; k++)
		if (t->count[k])
			fprintf(out, "%s\"%s\": {\"runs\": %" PRIu64 ", \"first_run\": %" PRIu64
				", \"first_seed\": %" PRIu64 "}", n++ ? ", " : "", explore_kind_name(k), t->count[k],
				t->first_of[k], explore_run_seed(v->base, t->first_of[k]));
	fputc('}', out);
	if (!t->failing)
		return;
	fprintf(out, ", \"first\": {\"run\": %" PRIu64 ", \"seed\": %" PRIu64 "}, \"smallest\": "
		"{\"run\": %" PRIu64 ", \"seed\": %" PRIu64 ", \"events\": %" PRIu64 "}, \"replay\": ",
		t->first, explore_run_seed(v->base, t->first), t->small, explore_run_seed(v->base, t->small),
		t->small_events);
	json_string(out, v->replay);
}

const char *shell_quote(const char *s, char *buf, size_t len)
{
	static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./+-=:,@%";
	if (*s && strspn(s, safe) == strlen(s)) {
		snprintf(buf, len, "%s", s);
		return buf;
	}
	size_t o = 0;
	if (len < 3) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	buf[o++] = '\'';
	for (; *s && o + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + o, "'\\''", 4);     /* close, an escaped quote, reopen */
			o += 4;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}
