/* set.c - a scenario parameter by key; see set.h. */
#include "set.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parser_internal.h"
#include "values.h"

/* A field of an item kind (or of scn_file itself: kind K_COUNT). */
typedef struct field {
	const char *dir, *name;
	int kind, unit, is32;
	size_t off, flag_off;
} field;

#define F64(d, k, type, n, m, u) { d, n, k, u, 0, offsetof(type, m), 0 }
#define F32(d, k, type, n, m, u) { d, n, k, u, 1, offsetof(type, m), 0 }
#define FTOP(d, n, m, u, w) { d, n, K_COUNT, u, w, offsetof(scn_file, m), 0 }

static const field fields[] = {
	F64("stall", K_STALL, scn_stall, "for", for_ns, SCN_UNIT_TIME),
	F64("stall", K_STALL, scn_stall, "at", at_ns, SCN_UNIT_TIME),
	F64("stall", K_STALL, scn_stall, "nth", nth, SCN_UNIT_COUNT),
	F32("stall", K_STALL, scn_stall, "cpu", cpu, SCN_UNIT_COUNT),
	{ "flow", "every", K_FLOW, SCN_UNIT_TIME, 0, offsetof(scn_flow, every_ns), offsetof(scn_flow, has_every) },
	F64("flow", K_FLOW, scn_flow, "count", count, SCN_UNIT_COUNT),
	F32("flow", K_FLOW, scn_flow, "size", size, SCN_UNIT_SIZE),
	F64("flow", K_FLOW, scn_flow, "at", at_ns, SCN_UNIT_TIME),
	F32("flow", K_FLOW, scn_flow, "cpu", cpu, SCN_UNIT_COUNT),
	F32("socket", K_SOCKET, scn_socket, "frames", frames, SCN_UNIT_COUNT),
	F32("socket", K_SOCKET, scn_socket, "frame_size", frame_size, SCN_UNIT_SIZE),
	F64("socket", K_SOCKET, scn_socket, "rcvbuf", rcvbuf, SCN_UNIT_SIZE),
	F64("socket", K_SOCKET, scn_socket, "sndbuf", sndbuf, SCN_UNIT_SIZE),
	F64("irq", K_IRQ, scn_irq, "every", every_ns, SCN_UNIT_TIME),
	F64("irq", K_IRQ, scn_irq, "cost", cost_ns, SCN_UNIT_TIME),
	F64("irq", K_IRQ, scn_irq, "at", at_ns, SCN_UNIT_TIME),
	F32("irq", K_IRQ, scn_irq, "cpu", cpu, SCN_UNIT_COUNT),
	F64("task", K_TASK, scn_task, "repeat", repeat, SCN_UNIT_COUNT),
	F64("task", K_TASK, scn_task, "every", every_ns, SCN_UNIT_TIME),
	F64("task", K_TASK, scn_task, "at", at_ns, SCN_UNIT_TIME),
	F32("task", K_TASK, scn_task, "cpu", cpu, SCN_UNIT_COUNT),
	{ "consumer", "cost", K_CONSUMER, SCN_UNIT_TIME, 0, offsetof(scn_consumer, cost_ns),
	  offsetof(scn_consumer, has_cost) },
	F32("consumer", K_CONSUMER, scn_consumer, "cpu", cpu, SCN_UNIT_COUNT),
	FTOP("nic", "queue", nic_queue, SCN_UNIT_COUNT, 1),
	FTOP("nic", "budget", budget, SCN_UNIT_COUNT, 1),
	FTOP("limit", "time", limit_ns, SCN_UNIT_TIME, 0),
	FTOP("cpus", NULL, cpus, SCN_UNIT_COUNT, 1),
	FTOP("seed", NULL, seed, SCN_UNIT_COUNT, 0),
	FTOP("jitter", NULL, jitter_pct, SCN_UNIT_COUNT, 1),
};
#define NFIELDS (sizeof fields / sizeof fields[0])

/* The list of kind k in f: its base, count and element size (scn_file
 * member offsets, as dir_spec has them). */
typedef struct list {
	size_t arr_off, n_off, elem, name_off;
	int named;                                  /* its items have a NAME at name_off */
} list;

static const list lists[K_COUNT] = {
	[K_SOCKET] = { offsetof(scn_file, sockets), offsetof(scn_file, nsockets), sizeof(scn_socket),
		       offsetof(scn_socket, name), 1 },
	[K_FLOW] = { offsetof(scn_file, flows), offsetof(scn_file, nflows), sizeof(scn_flow), offsetof(scn_flow, name), 1 },
	[K_TASK] = { offsetof(scn_file, tasks), offsetof(scn_file, ntasks), sizeof(scn_task), offsetof(scn_task, name), 1 },
	[K_CONSUMER] = { offsetof(scn_file, consumers), offsetof(scn_file, nconsumers), sizeof(scn_consumer),
			 offsetof(scn_consumer, name), 1 },
	[K_STALL] = { offsetof(scn_file, stalls), offsetof(scn_file, nstalls), sizeof(scn_stall), 0, 0 },
	[K_IRQ] = { offsetof(scn_file, irqs), offsetof(scn_file, nirqs), sizeof(scn_irq), 0, 0 },
	[K_COST] = { offsetof(scn_file, costs), offsetof(scn_file, ncosts), sizeof(scn_cost), 0, 0 },
};

static unsigned char *list_base(const scn_file *f, int k)
{
	return *(unsigned char *const *)(const void *)((const unsigned char *)f + lists[k].arr_off);
}

static size_t list_n(const scn_file *f, int k)
{
	return *(const size_t *)(const void *)((const unsigned char *)f + lists[k].n_off);
}

static int perr(parser *p, const char *key, const char *fmt, const char *a)
{
	(void)key;
	return scn_fail_at(p, 1, 1, fmt, a);
}

/* The item SELECT (a name, a 1-based position, or NULL: the first) of kind k. */
static int select_item(parser *p, const scn_file *f, int k, const char *dir, const char *sel, size_t *out)
{
	size_t n = list_n(f, k);
	const unsigned char *base = list_base(f, k);
	if (!sel) {
		if (!n)
			return perr(p, sel, "the scenario has no %s line", dir);
		*out = 0;
		return 0;
	}
	for (size_t i = 0; lists[k].named && i < n; i++)
		if (!strcmp((const char *)base + i * lists[k].elem + lists[k].name_off, sel)) {
			*out = i;
			return 0;
		}
	char *end;
	unsigned long long pos = strtoull(sel, &end, 10);
	if (*sel >= '0' && *sel <= '9' && !*end && pos >= 1 && pos <= n) {
		*out = (size_t)pos - 1;
		return 0;
	}
	return perr(p, sel, "no such item '%s' (a name, or a position from 1)", sel);
}

/* cost.LABEL: the scenario's cost line for LABEL, added if missing. */
static int find_cost(parser *p, scn_file *f, const char *label, scn_param *out)
{
	char l[SCN_NAME_MAX];
	if (val_label(p, label, strlen(label), 1, l) != 0)
		return -1;
	size_t i = 0;
	while (i < f->ncosts && strcmp(f->costs[i].label, l))
		i++;
	if (i == f->ncosts) {
		scn_cost *c = realloc(f->costs, (f->ncosts + 1) * sizeof(*c));
		if (!c)
			return perr(p, label, "%s", "out of memory");
		f->costs = c;
		f->costs[f->ncosts++] = (scn_cost){ .ns = 0 };
		memcpy(f->costs[i].label, l, sizeof l);
	}
	*out = (scn_param){ .unit = SCN_UNIT_TIME, .kind = K_COST, .index = i, .off = offsetof(scn_cost, ns) };
	return 0;
}

int scn_param_find(scn_file *f, const char *key, const scn_labels *labels, scn_param *out, scn_error *err)
{
	parser p = { .path = "--sweep", .labels = labels, .f = f, .err = err, .line = 1 };
	char buf[128], *parts[3] = { 0 };
	int np = 0;
	if (strlen(key) >= sizeof buf)
		return perr(&p, key, "key '%.60s...' too long", key);
	strcpy(buf, key);
	if (!strncmp(buf, "cost.", 5) && buf[5])
		return find_cost(&p, f, buf + 5, out) ? -1 : (snprintf(out->key, sizeof out->key, "%s", key), 0);
	for (char *s = buf; np < 3; np++) {
		parts[np] = s;
		if (!(s = strchr(s, '.')))
			break;
		*s++ = '\0';
	}
	const char *fname = np == 0 ? NULL : parts[np >= 2 ? 2 : 1], *sel = np >= 2 ? parts[1] : NULL;
	for (size_t i = 0; i < NFIELDS; i++) {
		const field *d = &fields[i];
		if (strcmp(d->dir, parts[0]) || (d->name ? !fname || strcmp(d->name, fname) : fname != NULL))
			continue;
		*out = (scn_param){ .unit = d->unit, .is32 = d->is32, .kind = (size_t)d->kind, .off = d->off,
				    .flag_off = d->flag_off };
		if (d->kind != K_COUNT && select_item(&p, f, d->kind, d->dir, sel, &out->index) != 0)
			return -1;
		if (d->kind == K_COUNT && sel)
			break;
		snprintf(out->key, sizeof out->key, "%s", key);
		return 0;
	}
	return perr(&p, key, "unknown key '%s' (DIRECTIVE[.NAME].KEY: stall.for, flow.NAME.every, "
		    "socket.NAME.frames, cost.LABEL, nic.queue, cpus, ...)", key);
}

int scn_param_value(const scn_param *p, const char *s, size_t n, uint64_t *out, scn_error *err)
{
	parser ps = { .path = "--sweep", .err = err, .line = 1 };
	tok t = { .s = s, .n = n, .col = 1, .v = s, .vn = n, .vcol = 1 };
	if (p->unit == SCN_UNIT_TIME)
		return val_time(&ps, p->key, s, n, 1, 0, out);
	if (p->unit == SCN_UNIT_SIZE)
		return tok_size(&ps, &t, p->key, 0, UINT64_MAX, out);
	return val_u64(&ps, p->key, s, n, 1, out);
}

static unsigned char *field_at(const scn_file *f, const scn_param *p, size_t off)
{
	if (p->kind == K_COUNT)
		return (unsigned char *)f + off;
	return list_base(f, (int)p->kind) + p->index * lists[p->kind].elem + off;
}

uint64_t scn_param_get(const scn_file *f, const scn_param *p)
{
	const unsigned char *a = field_at(f, p, p->off);
	uint32_t v32;
	uint64_t v64;
	if (p->is32) {
		memcpy(&v32, a, sizeof v32);
		return v32;
	}
	memcpy(&v64, a, sizeof v64);
	return v64;
}

int scn_param_set(scn_file *f, const scn_param *p, uint64_t v)
{
	unsigned char *a = field_at(f, p, p->off);
	if (p->is32) {
		if (v > UINT32_MAX)
			return -1;
		uint32_t v32 = (uint32_t)v;
		memcpy(a, &v32, sizeof v32);
	} else {
		memcpy(a, &v, sizeof v);
	}
	if (p->flag_off) {
		int one = 1;
		memcpy(field_at(f, p, p->flag_off), &one, sizeof one);
	}
	return 0;
}

const char *scn_unit_name(int unit)
{
	return unit == SCN_UNIT_TIME ? "ns" : unit == SCN_UNIT_SIZE ? "bytes" : "";
}
