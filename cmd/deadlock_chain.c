/* deadlock_chain.c - see deadlock_chain.h. */
#include "deadlock_chain.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "locks.h"

static void cat(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);
	if (n + 1 < len)
		snprintf(buf + n, len - n, "%s", s);
}

/* hop i waits for hop i+1; the last for the first. */
static void chain_text(dl_chain *c)
{
	c->text[0] = '\0';
	for (uint32_t i = 0; i < c->n; i++) {
		const dl_hop *h = &c->hop[i], *next = &c->hop[(i + 1) % c->n];
		char part[sizeof h->who * 2 + sizeof h->what + 32];
		if (h->what[0])
			snprintf(part, sizeof part, "%s%s %s, %s %s", i ? "; " : "", h->who, h->what, h->by,
				 next->who);
		else
			snprintf(part, sizeof part, "%s%s cannot run under %s", i ? "; " : "", h->who,
				 next->who);
		cat(c->text, sizeof c->text, part);
	}
	if (strlen(c->text) + 1 >= sizeof c->text)
		memcpy(c->text + sizeof c->text - 4, "...", 4);
}

int dl_chain_note(dl_chain *c, const scn_file *f, const trace_event *e)
{
	int64_t hop = trace_kv_get(e, TK_HOP, 0), hops = trace_kv_get(e, TK_HOPS, 1);
	if (hop == 0)
		c->n = 0;
	if (c->n < DL_HOPS_MAX) {
		dl_hop *h = &c->hop[c->n++];
		h->cpu = e->cpu;
		h->ctx_kind = e->ctx_kind;
		snprintf(h->who, sizeof h->who, "cpu%" PRIu32 " %s", e->cpu, e->ctx);
		h->what[0] = '\0';
		h->by = "held by";
		char name[96];
		if (trace_kv_has(e, TK_LOCK)) {
			lock_name(f, trace_kv_get(e, TK_LOCK, -1), LOCK_NAME_TRACE, name, sizeof name);
			snprintf(h->what, sizeof h->what, "spins on %s", name);
		} else if (trace_kv_has(e, TK_SOCK)) {
			int64_t s = trace_kv_get(e, TK_SOCK, -1);
			snprintf(h->what, sizeof h->what, "waits in lock_sock() for %s",
				 s >= 0 && s < (int64_t)f->nsockets ? f->sockets[s].name : "?");
			h->by = "owned by";
		}
	}
	if (hop + 1 < hops)
		return 0;
	chain_text(c);
	return 1;
}
