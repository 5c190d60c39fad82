/* trace_perfetto.c - see trace_perfetto.h. */
#include "trace_perfetto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "json.h"
#include "costs.h"
#include "deadlock_chain.h"
#include "keys.h"
#include "locks.h"
#include "sim.h"
#include "trace_tsv.h"

#define SPAN_NAME_MAX 160
#define ARGS_MAX 640
#define TID_STALL 3
#define TID_STEPS 10
#define PID_STRIDE 10000
#define PID_SOCKETS 9999

/* Span kinds, deepest first: spans that start at the same time stack in
 * this order (an owned section outlasts the slock hold that starts it). */
enum { SP_OWNED, SP_BACKLOG, SP_HOLD, SP_SPIN };

typedef struct pspan {
	const void *owner;      /* the context */
	uint32_t kind;
	int64_t id;             /* lock or socket */
	uint64_t start;
	char name[SPAN_NAME_MAX];
	char args[ARGS_MAX];    /* a JSON object */
} pspan;

typedef struct pstack {
	pspan *v;
	size_t n, cap;
} pstack;

typedef struct pctx {
	uint32_t kind, cpu;
	char name[SCN_NAME_MAX];
	int step_open;
	uint64_t step_start;
	const char *step_label;
	char step_args[ARGS_MAX];
	int64_t sock;           /* last sock= key */
} pctx;

typedef struct pcpu {
	pctx soft, hard;
	pstack thr[3];          /* tid 0..2 */
	uint64_t stall_end;
} pcpu;

struct trace_perfetto {
	trace_sink sink;
	const scn_file *f;
	FILE *out;
	int nvariants, index, active, first;
	const char *fix;
	uint32_t ncpus;
	pcpu *cpu;
	pctx *tasks;
	size_t ntasks, captasks;
	uint64_t tmax;
	dl_chain dl;            /* the deadlock's notes so far */
};

/* ---- output ---- */

static void json_str(FILE *o, const char *s) { json_string(o, s); }
static void buf_str(char *buf, size_t len, const char *s) { json_string_buf(buf, len, s); }

static void buf_cat(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%s", s);
}

/* ns as microseconds with three decimals, from integers only. */
static void us(FILE *o, uint64_t ns)
{
	fprintf(o, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

static void sep(trace_perfetto *p)
{
	fputs(p->first ? "\n" : ",\n", p->out);
	p->first = 0;
}

static uint32_t pid_of(const trace_perfetto *p, uint32_t cpu)
{
	return p->nvariants > 1 ? (uint32_t)p->index * PID_STRIDE + cpu : cpu;
}

static uint32_t pid_sockets(const trace_perfetto *p)
{
	return (uint32_t)p->index * PID_STRIDE + PID_SOCKETS;
}

static void emit_x(trace_perfetto *p, uint32_t cpu, uint32_t tid, const char *cat, const char *name,
		   uint64_t start, uint64_t end, const char *args)
{
	if (end <= start)
		return;
	sep(p);
	fprintf(p->out, "{\"ph\":\"X\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32 ",\"ts\":", pid_of(p, cpu), tid);
	us(p->out, start);
	fputs(",\"dur\":", p->out);
	us(p->out, end - start);
	fprintf(p->out, ",\"cat\":\"%s\",\"name\":", cat);
	json_str(p->out, name);
	if (args && *args)
		fprintf(p->out, ",\"args\":%s", args);
	fputc('}', p->out);
}

static void emit_meta(trace_perfetto *p, uint32_t pid, int tid, const char *what, const char *key,
		      const char *sval, int64_t ival)
{
	sep(p);
	fprintf(p->out, "{\"ph\":\"M\",\"pid\":%" PRIu32, pid);
	if (tid >= 0)
		fprintf(p->out, ",\"tid\":%d", tid);
	fprintf(p->out, ",\"name\":\"%s\",\"args\":{\"%s\":", what, key);
	if (sval)
		json_str(p->out, sval);
	else
		fprintf(p->out, "%" PRId64, ival);
	fputs("}}", p->out);
}

/* ---- contexts ---- */

static void ctx_init(pctx *x, uint32_t kind, uint32_t cpu, const char *name)
{
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->cpu = cpu;
	x->sock = -1;
	snprintf(x->name, sizeof x->name, "%s", name);
}

static pctx *ctx_of(trace_perfetto *p, const trace_event *e)
{
	pcpu *c = &p->cpu[e->cpu];
	if (e->ctx_kind == SIM_CTX_HARDIRQ)
		return &c->hard;
	if (e->ctx_kind == SIM_CTX_SOFTIRQ)
		return &c->soft;
	for (size_t i = 0; i < p->ntasks; i++)
		if (p->tasks[i].cpu == e->cpu && strcmp(p->tasks[i].name, e->ctx) == 0)
			return &p->tasks[i];
	pctx *g = grow(p->tasks, sizeof *p->tasks, p->ntasks, &p->captasks, 8);
	if (!g)
		return NULL;
	p->tasks = g;
	pctx *x = &p->tasks[p->ntasks++];
	ctx_init(x, SIM_CTX_TASK, e->cpu, e->ctx);
	return x;
}

static void step_close(trace_perfetto *p, pctx *x, uint64_t at)
{
	if (!x->step_open)
		return;
	emit_x(p, x->cpu, TID_STEPS + x->kind, "step", x->step_label, x->step_start, at, x->step_args);
	x->step_open = 0;
}

static void step_open(pctx *x, const trace_event *e)
{
	x->step_open = 1;
	x->step_start = e->time;
	x->step_label = e->label;
	x->step_args[0] = 0;
	buf_cat(x->step_args, ARGS_MAX, "{\"ctx\":");
	buf_str(x->step_args, ARGS_MAX, e->ctx);
	for (uint32_t i = 0; i < e->nkv; i++) {
		char kv[64];
		buf_cat(x->step_args, ARGS_MAX, ",");
		buf_str(x->step_args, ARGS_MAX, e->key_name[e->kv[i].key]);
		snprintf(kv, sizeof kv, ":%" PRId64, e->kv[i].val);
		buf_cat(x->step_args, ARGS_MAX, kv);
	}
	buf_cat(x->step_args, ARGS_MAX, "}");
}

/* ---- nested spans per thread ---- */

static void span_push(pstack *s, const pspan *sp)
{
	pspan *g = grow(s->v, sizeof *s->v, s->n, &s->cap, 8);
	if (!g)
		return;
	s->v = g;
	/* Among spans that start now, the longer-lived kinds go deeper. */
	size_t i = s->n;
	while (i > 0 && s->v[i - 1].start == sp->start && s->v[i - 1].kind > sp->kind) {
		s->v[i] = s->v[i - 1];
		i--;
	}
	s->v[i] = *sp;
	s->n++;
}

static void span_open(trace_perfetto *p, const pctx *x, uint32_t kind, int64_t id, uint64_t at,
		      const char *name, const char *args)
{
	pspan sp = { .owner = x, .kind = kind, .id = id, .start = at };
	snprintf(sp.name, sizeof sp.name, "%s", name);
	snprintf(sp.args, sizeof sp.args, "%s", args);
	span_push(&p->cpu[x->cpu].thr[x->kind], &sp);
}

/* End x's span (kind, id) at `at`; spans above it are cut and go on. */
static void span_close(trace_perfetto *p, const pctx *x, uint32_t kind, int64_t id, uint64_t at)
{
	pstack *s = &p->cpu[x->cpu].thr[x->kind];
	size_t i = s->n;
	while (i > 0) {
		const pspan *sp = &s->v[i - 1];
		if (sp->owner == x && sp->kind == kind && sp->id == id)
			break;
		i--;
	}
	if (i == 0)
		return;
	i--;
	for (size_t k = s->n; k-- > i;)
		emit_x(p, x->cpu, x->kind, "lock", s->v[k].name, s->v[k].start, at, s->v[k].args);
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(pspan));
	s->n--;
	for (size_t k = i; k < s->n; k++)
		if (s->v[k].start < at)
			s->v[k].start = at;
}

/* ---- events ---- */

static void lock_args(trace_perfetto *p, char *buf, size_t len, int64_t lock, const pctx *x,
		      const char *k2, int64_t v2)
{
	char name[96], num[48];
	lock_name(p->f, lock, LOCK_NAME_TRACE, name, sizeof name);
	buf[0] = 0;
	buf_cat(buf, len, "{\"lock\":");
	buf_str(buf, len, name);
	buf_cat(buf, len, ",\"ctx\":");
	buf_str(buf, len, x->name);
	if (k2) {
		snprintf(num, sizeof num, ",\"%s\":%" PRId64, k2, v2);
		buf_cat(buf, len, num);
	}
	buf_cat(buf, len, "}");
}

/* An oracle instant on CPU cpu's thread tid, its args opened with ctx:
 * the caller adds its own and closes them with "}}". */
static void instant_open(trace_perfetto *p, uint32_t cpu, uint32_t ctx_kind, uint64_t time,
			 const char *name, const char *ctx)
{
	sep(p);
	fprintf(p->out, "{\"ph\":\"i\",\"s\":\"t\",\"pid\":%" PRIu32 ",\"tid\":%" PRIu32 ",\"ts\":",
		pid_of(p, cpu), ctx_kind <= 2 ? ctx_kind : 0);
	us(p->out, time);
	fputs(",\"cat\":\"oracle\",\"name\":", p->out);
	json_str(p->out, name);
	fputs(",\"args\":{\"ctx\":", p->out);
	json_str(p->out, ctx);
}

static void instant(trace_perfetto *p, const trace_event *e, const char *name)
{
	instant_open(p, e->cpu, e->ctx_kind, e->time, name, e->ctx);
	for (uint32_t i = 0; i < e->nkv; i++) {
		fputc(',', p->out);
		json_str(p->out, e->key_name[e->kv[i].key]);
		fprintf(p->out, ":%" PRId64, e->kv[i].val);
	}
	fputs("}}", p->out);
}

/* The deadlock, once its chain is whole: an instant on the thread of each
 * context in the cycle (so on each CPU of it), named with the chain. */
static void deadlock(trace_perfetto *p, const trace_event *e)
{
	if (!dl_chain_note(&p->dl, p->f, e))
		return;
	char name[DL_TEXT_MAX + 16];
	snprintf(name, sizeof name, "deadlock: %s", p->dl.text);
	for (uint32_t i = 0; i < p->dl.n; i++) {
		const dl_hop *h = &p->dl.hop[i];
		instant_open(p, h->cpu, h->ctx_kind, e->time, name, h->who);
		fprintf(p->out, ",\"hop\":%" PRIu32 ",\"hops\":%" PRIu32 ",\"waits\":", i, p->dl.n);
		json_str(p->out, h->what[0] ? h->what : "cannot run: preempted");
		fputs("}}", p->out);
	}
}

static void counter(trace_perfetto *p, uint64_t time, const char *what, int64_t sock,
		    const char *k1, int64_t v1, const char *k2, int64_t v2, const char *k3, int64_t v3)
{
	if (sock < 0 || sock >= (int64_t)p->f->nsockets)
		return;
	char name[128];
	snprintf(name, sizeof name, "%s %s", what, p->f->sockets[sock].name);
	sep(p);
	fprintf(p->out, "{\"ph\":\"C\",\"pid\":%" PRIu32 ",\"ts\":", pid_sockets(p));
	us(p->out, time);
	fputs(",\"name\":", p->out);
	json_str(p->out, name);
	fprintf(p->out, ",\"args\":{\"%s\":%" PRId64 ",\"%s\":%" PRId64, k1, v1, k2, v2);
	if (k3)
		fprintf(p->out, ",\"%s\":%" PRId64, k3, v3);
	fputs("}}", p->out);
}

static void on_stall(trace_perfetto *p, pcpu *c, const trace_event *e)
{
	uint64_t from = (uint64_t)trace_kv_get(e, SIM_TK_START, (int64_t)e->time);
	uint64_t to = from + (uint64_t)trace_kv_get(e, SIM_TK_FOR, 0);
	if (from < c->stall_end)
		from = c->stall_end;
	if (to > p->tmax)
		p->tmax = to;
	if (to > from) {
		char args[96];
		snprintf(args, sizeof args, "{\"for_ns\":%" PRId64 "}", trace_kv_get(e, SIM_TK_FOR, 0));
		emit_x(p, e->cpu, TID_STALL, "stall", "stalled", from, to, args);
		c->stall_end = to;
	}
}

/* A spinlock's span name and args: "spin LOCK" / "hold LOCK". */
static void lock_span(trace_perfetto *p, const pctx *x, uint32_t kind, int64_t lock, uint64_t at,
		      const char *k2, int64_t v2)
{
	char name[SPAN_NAME_MAX], args[ARGS_MAX], lname[96];
	lock_name(p->f, lock, LOCK_NAME_TRACE, lname, sizeof lname);
	snprintf(name, sizeof name, "%s %s", kind == SP_SPIN ? "spin" : "hold", lname);
	lock_args(p, args, sizeof args, lock, x, k2, v2);
	span_open(p, x, kind, lock, at, name, args);
}

/* A note (no step): spinlock spans, counters, the oracle's instants. */
static void on_note(trace_perfetto *p, pctx *x, const trace_event *e)
{
	uint64_t now = e->time;
	char name[SPAN_NAME_MAX];
	int64_t lock = trace_kv_get(e, TK_LOCK, -1), sock = trace_kv_get(e, TK_SOCK, -1);
	switch (ml_note_of(e->flags)) {
	case ML_NOTE_SPIN_WAIT:
		lock_span(p, x, SP_SPIN, lock, now, "owner_cpu", trace_kv_get(e, TK_OWNER_CPU, -1));
		break;
	case ML_NOTE_SPIN_ACQUIRED: {
		uint64_t at = now + (uint64_t)trace_kv_get(e, TK_HANDOFF, 0);
		if (at > p->tmax)
			p->tmax = at;
		span_close(p, x, SP_SPIN, lock, at);    /* it spins until the hand-off lands */
		lock_span(p, x, SP_HOLD, lock, at, "wait_ns", trace_kv_get(e, TK_WAIT, 0));
		break;
	}
	case ML_NOTE_SPIN_RELEASE:
		span_close(p, x, SP_HOLD, lock, now);
		break;
	case ML_NOTE_RING_OCC:
		counter(p, now, "ring", sock, "kernel", trace_kv_get(e, TK_KERNEL, 0), "writing",
			trace_kv_get(e, TK_WRITING, 0), "user", trace_kv_get(e, TK_USER, 0));
		break;
	case ML_NOTE_BACKLOG_LEN:
		counter(p, now, "backlog", sock, "pkts", trace_kv_get(e, TK_PKTS, 0), "bytes",
			trace_kv_get(e, TK_BYTES, 0), NULL, 0);
		break;
	case ML_NOTE_OVERRUN:
		snprintf(name, sizeof name, "overrun: frame %" PRId64 " claimed twice",
			 trace_kv_get(e, TK_FRAME, -1));
		instant(p, e, name);
		break;
	case ML_NOTE_VIOLATION:
		instant(p, e, "lock rule violation");
		break;
	case ML_NOTE_DEADLOCK:
		deadlock(p, e);
		break;
	case ML_NOTE_NONE:
		break;
	}
}

/* A labelled step: a slice on the context's steps track; the socket
 * lock's owned and backlog sections as spans; drops as instants. */
static void on_step(trace_perfetto *p, pctx *x, const trace_event *e)
{
	uint32_t fl = e->flags;
	char name[SPAN_NAME_MAX], args[ARGS_MAX];
	step_close(p, x, e->time);
	step_open(x, e);
	int64_t sock = trace_kv_get(e, TK_SOCK, x->sock);
	x->sock = sock;
	const char *sname = sock >= 0 && sock < (int64_t)p->f->nsockets ? p->f->sockets[sock].name : "?";
	snprintf(args, sizeof args, "{\"sock\":");
	buf_str(args, sizeof args, sname);
	buf_cat(args, sizeof args, ",\"ctx\":");
	buf_str(args, sizeof args, x->name);
	buf_cat(args, sizeof args, "}");
	if (fl & ML_F_OWNED_SET) {
		snprintf(name, sizeof name, "owned %s (lock_sock .. release_sock)", sname);
		span_open(p, x, SP_OWNED, sock, e->time, name, args);
	} else if (fl & ML_F_OWNED_CLEAR) {
		span_close(p, x, SP_OWNED, sock, e->time);
	} else if (fl & ML_F_BACKLOG_DETACH) {
		snprintf(name, sizeof name, "backlog %s (sk_backlog_rcv in process context)", sname);
		span_open(p, x, SP_BACKLOG, sock, e->time, name, args);
	} else if (fl & ML_F_BACKLOG_DONE) {
		span_close(p, x, SP_BACKLOG, sock, e->time);
	} else if ((fl & ML_F_RING_DROP) && (fl & ML_F_RELEASE)) {
		/* drop_n_account, under the lock (not the v5.3 room check's drop) */
		snprintf(name, sizeof name, "%s (tp_drops++)", e->label);
		instant(p, e, name);
	} else if (fl & ML_F_BACKLOG_DROP) {
		snprintf(name, sizeof name, "%s (TCPBacklogDrop)", e->label);
		instant(p, e, name);
	}
}

static void on_event(trace_sink *self, const trace_event *e)
{
	trace_perfetto *p = (trace_perfetto *)self;
	if (!p->active || e->cpu >= p->ncpus)
		return;
	if (e->time > p->tmax)
		p->tmax = e->time;
	if (e->flags & SIM_LF_STALL) {
		on_stall(p, &p->cpu[e->cpu], e);
		return;
	}
	pctx *x = ctx_of(p, e);
	if (!x)
		return;
	/* Entries, switches and wake-ups change no slice; exits, sleeps and
	 * the end of a program close the context's step. */
	if (e->flags & (SIM_LF_IRQ_EXIT | SIM_LF_SOFTIRQ_EXIT | SIM_LF_SLEEP | SIM_LF_EXIT))
		step_close(p, x, e->time);
	else if (e->flags & SIM_LF_CONTEXT)
		return;
	else if (e->flags & ML_F_NOTE_MASK)
		on_note(p, x, e);
	else
		on_step(p, x, e);
}

/* ---- variants ---- */

static void close_all(trace_perfetto *p, uint64_t end)
{
	for (uint32_t i = 0; i < p->ncpus; i++) {
		pcpu *c = &p->cpu[i];
		step_close(p, &c->soft, end);
		step_close(p, &c->hard, end);
		for (int t = 0; t < 3; t++) {
			pstack *s = &c->thr[t];
			while (s->n) {
				s->n--;
				emit_x(p, i, (uint32_t)t, "lock", s->v[s->n].name, s->v[s->n].start, end,
				       s->v[s->n].args);
			}
		}
	}
	for (size_t k = 0; k < p->ntasks; k++)
		step_close(p, &p->tasks[k], end);
}

void trace_perfetto_begin(trace_perfetto *p, int index, int fix)
{
	static const char *const tname[] = { "task", "softirq", "hardirq", "stalled" };
	static const char *const sname[] = { "task steps", "softirq steps", "hardirq steps" };
	static const int order[] = { 0, 2, 4, 6, 1, 3, 5 };     /* tids 0,1,2,3 then 10,11,12 */
	p->index = index;
	p->fix = scn_fix_name(fix);
	p->active = 1;
	p->tmax = 0;
	p->ntasks = 0;
	for (uint32_t i = 0; i < p->ncpus; i++) {
		pcpu *c = &p->cpu[i];
		ctx_init(&c->soft, SIM_CTX_SOFTIRQ, i, "softirq");
		ctx_init(&c->hard, SIM_CTX_HARDIRQ, i, "hardirq");
		for (int t = 0; t < 3; t++)
			c->thr[t].n = 0;
		c->stall_end = 0;
		char pname[96];
		if (p->nvariants > 1)
			snprintf(pname, sizeof pname, "fix=%s cpu%" PRIu32, p->fix, i);
		else
			snprintf(pname, sizeof pname, "cpu%" PRIu32, i);
		uint32_t pid = pid_of(p, i);
		emit_meta(p, pid, -1, "process_name", "name", pname, 0);
		emit_meta(p, pid, -1, "process_sort_index", "sort_index", NULL, (int64_t)pid);
		for (int t = 0; t < 4; t++) {
			emit_meta(p, pid, t, "thread_name", "name", tname[t], 0);
			emit_meta(p, pid, t, "thread_sort_index", "sort_index", NULL, order[t]);
		}
		for (int t = 0; t < 3; t++) {
			emit_meta(p, pid, TID_STEPS + t, "thread_name", "name", sname[t], 0);
			emit_meta(p, pid, TID_STEPS + t, "thread_sort_index", "sort_index", NULL, order[4 + t]);
		}
	}
	char sn[96];
	if (p->nvariants > 1)
		snprintf(sn, sizeof sn, "fix=%s sockets", p->fix);
	else
		snprintf(sn, sizeof sn, "sockets");
	emit_meta(p, pid_sockets(p), -1, "process_name", "name", sn, 0);
	emit_meta(p, pid_sockets(p), -1, "process_sort_index", "sort_index", NULL, pid_sockets(p));
	/* the sockets' state at 0 */
	for (size_t s = 0; s < p->f->nsockets; s++) {
		const scn_socket *so = &p->f->sockets[s];
		if (so->type == SCN_SOCK_PACKET)
			counter(p, 0, "ring", (int64_t)s, "kernel", so->version == 3 ? so->blocks : so->frames,
				"writing", 0, "user", 0);
		else
			counter(p, 0, "backlog", (int64_t)s, "pkts", 0, "bytes", 0, NULL, 0);
	}
}

void trace_perfetto_end(trace_perfetto *p)
{
	if (!p->active)
		return;
	close_all(p, p->tmax);
	p->active = 0;
}

static int on_finish(trace_sink *self)
{
	trace_perfetto *p = (trace_perfetto *)self;
	if (!p->out)
		return 0;
	fputs("\n],\n\"displayTimeUnit\": \"ns\"}\n", p->out);
	int rc = ferror(p->out) ? -1 : 0;
	if (fclose(p->out) != 0)
		rc = -1;
	p->out = NULL;
	return rc;
}

trace_sink *trace_perfetto_sink(trace_perfetto *p) { return &p->sink; }

void trace_perfetto_free(trace_perfetto *p)
{
	if (!p)
		return;
	if (p->out)
		fclose(p->out);
	for (uint32_t i = 0; p->cpu && i < p->ncpus; i++)
		for (int t = 0; t < 3; t++)
			free(p->cpu[i].thr[t].v);
	free(p->cpu);
	free(p->tasks);
	free(p);
}

trace_perfetto *trace_perfetto_open(const char *path, const scn_file *f, int nvariants,
				    char *err, size_t errlen)
{
	trace_perfetto *p = calloc(1, sizeof(*p));
	if (!p || !(p->cpu = calloc(f->cpus, sizeof(*p->cpu)))) {
		snprintf(err, errlen, "out of memory");
		free(p);
		return NULL;
	}
	p->out = fopen(path, "w");
	if (!p->out) {
		snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
		trace_perfetto_free(p);
		return NULL;
	}
	p->sink.event = on_event;
	p->sink.finish = on_finish;
	p->f = f;
	p->ncpus = f->cpus;
	p->nvariants = nvariants;
	p->first = 1;
	fputs("{\"traceEvents\": [", p->out);
	return p;
}
