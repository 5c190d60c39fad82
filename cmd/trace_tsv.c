/* trace_tsv.c - see trace_tsv.h.
 *
 * The sink keeps, per CPU, a shadow of the engine's context stack (task,
 * softirq, hardirq) and, per context, what the events said about it: the
 * locks it holds, the lock it spins on, the sockets it owns, whether it is
 * processing a backlog, its last step.  After each event it recomputes the
 * CPU's state; a change closes an interval.  Closed intervals are cut by the
 * CPU's stalls (known before they start: a stall is traced at or before its
 * start) and merged with the previous row when nothing differs, then written.
 *
 * Two things happen later than the event that announces them: a contended
 * spin:acquired is traced at the hand-off time t by the releasing CPU, but
 * the waiter spins until t+handoff; and a stall starts at its `start`.  The
 * first is kept as a pending acquisition applied when the waiter's CPU is
 * next advanced past t+handoff, the second as an interval cut out of the
 * states.  Everything else takes effect at its event's time.
 */
#include "trace_tsv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "costs.h"
#include "deadlock_chain.h"
#include "grow.h"
#include "keys.h"
#include "plot_window.h"
#include "locks.h"
#include "sim.h"
#include "sock_lock.h"

enum state { ST_TASK, ST_SOFTIRQ, ST_HARDIRQ, ST_SPINNING, ST_HOLDING, ST_OWNED, ST_BACKLOG,
	     ST_STALLED, ST_IDLE };
static const char *const state_name[] = { "task", "softirq", "hardirq", "spinning", "holding",
					  "owned", "backlog", "stalled", "idle" };

#define HOLD_MAX 16
#define LOCK_NAME_MAX 96

typedef struct hold {
	int64_t lock;
	uint64_t wait_start, acquired;
} hold;

/* What the events said about one context. */
typedef struct tctx {
	uint32_t kind, cpu;
	char name[SCN_NAME_MAX];
	const char *label;              /* last step (a static string), NULL: none */
	int64_t pkt;                    /* its pkt= key, -1: none */
	hold held[HOLD_MAX];
	uint32_t nheld;
	int64_t spin;                   /* lock it spins on, -1: none */
	int pending;                    /* a hand-off in flight: pend applies at pend.acquired */
	hold pend;
	uint32_t owned;                 /* sockets owned (lock_sock:owned) */
	int64_t owned_sock;
	int backlog;                    /* between release_sock:detach and :relock */
	int64_t backlog_sock;
	int waking;                     /* sched:wake seen, not yet running */
	int64_t sock, frame;            /* last sock= and frame= keys */
} tctx;

typedef struct key {
	uint32_t st;
	int64_t lock;
	const char *label;
	int64_t pkt;
} key;

typedef struct span {
	uint64_t from, to;
} span;

typedef struct tcpu {
	int64_t task;                   /* index into tasks, -1: none */
	int in_softirq, in_hardirq;
	tctx soft, hard;
	key cur;                        /* the open interval */
	uint64_t cur_start;
	key out;                        /* the last closed piece, not yet written */
	uint64_t out_start, out_end;
	int has_out;
	span *stalls;                   /* sorted, disjoint; pruned as time passes */
	size_t nstalls, capstalls;
} tcpu;

enum { F_STATES, F_LOCKS, F_RING, F_BACKLOG, F_METRICS, F_RUN, F_STEPS, F_SOCKETS, F_DEADLOCKS,
       F_COUNT };
static const char *const file_name[F_COUNT] = {
	"cpu_states.tsv", "lock_acquisitions.tsv", "ring.tsv", "backlog.tsv", "metrics.tsv",
	"run.tsv", "ring_steps.tsv", "sockets.tsv", "deadlocks.tsv",
};
static const char *const file_header[F_COUNT] = {
	"fix\tstart\tend\tcpu\tstate\tlock\tlabel\tpkt",
	"fix\tlock\tcpu\tcontext\twait_start\tacquired\treleased",
	"fix\ttime\tsock\tkernel\twriting\tuser\tevent",
	"fix\ttime\tsock\tpkts\tbytes\tevent\trmem",
	NULL,   /* built from the metric names */
	"fix\tscenario\tseed\tcpus\tend_ns\tring_sock\tframes\tstream_sock\tbacklog_limit"
	"\tacquisitions\tcontended\thold_total_ns\tdeadlock_hops",
	"fix\ttime\tcpu\tcontext\tsock\tframe\tpkt\tstep",
	"fix\tsock\tname\tversion\tunits",
	"fix\ttime\tcpu\tcontext\thop\thops\twaits\tchain",
};

struct trace_tsv {
	trace_sink sink;
	const scn_file *f;
	FILE *out[F_COUNT];
	const char *fix;
	int active;
	uint32_t ncpus, nlocks;
	tcpu *cpu;
	tctx *tasks;
	size_t ntasks, captasks;
	uint64_t tmax;                  /* the run's end so far */
	int64_t (*occ)[3];              /* per socket: kernel, writing, user */
	int64_t (*bl)[3];               /* per socket: pkts, bytes, rmem */
	uint64_t acquisitions, contended, hold_total;
	char (*lname)[LOCK_NAME_MAX];
	dl_chain dl;                    /* the deadlock's notes so far */
	uint32_t dl_hops;               /* the variant's deadlock: contexts in its cycle, 0: none */
	/* --plot alone (trace_tsv_open_plot): TSV_SCAN writes nothing and
	 * keeps each variant's end and first overrun; TSV_CUT writes the small
	 * files, and the big ones cut to the window as they are made */
	int mode;
	int fixn;                       /* the variant's enum scn_fix */
	uint64_t end_of[SCN_FIX_COUNT], first_over[SCN_FIX_COUNT], win[SCN_FIX_COUNT][2];
	char *dir;
	plot_cut *cut;
	plot_waits *waits;
	int cut_failed;
	char row[4096];
};

enum { TSV_FULL, TSV_SCAN, TSV_CUT };

/* A row of one of the big files (states, ring, backlog, steps): written,
 * or in plot mode fed to the window's cut (or, scanning, dropped). */
__attribute__((format(printf, 3, 4))) static void big_row(trace_tsv *t, int fi, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (t->mode == TSV_FULL) {
		vfprintf(t->out[fi], fmt, ap);
	} else if (t->mode == TSV_CUT && t->cut) {
		vsnprintf(t->row, sizeof t->row, fmt, ap);
		if (fi == F_STEPS)      /* kept already (plot_cut_step_kept) */
			plot_cut_step(t->cut, t->row);
		else
			plot_cut_row(t->cut, fi == F_STATES ? PC_STATES : fi == F_RING ? PC_RING
							      : PC_BACKLOG, t->row);
	}
	va_end(ap);
}

/* ---- helpers ---- */

static const char *lock_str(const trace_tsv *t, int64_t lock)
{
	if (lock < 0)
		return "-";
	if (lock >= (int64_t)t->nlocks)
		return "?";
	return t->lname[lock];
}

static void ctx_clear(tctx *x, uint32_t kind, uint32_t cpu)
{
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->cpu = cpu;
	x->pkt = -1;
	x->spin = -1;
	x->owned_sock = x->backlog_sock = -1;
	x->sock = x->frame = -1;
}

static tctx *task_of(trace_tsv *t, uint32_t cpu, const char *name, int64_t *idx)
{
	for (size_t i = 0; i < t->ntasks; i++)
		if (t->tasks[i].cpu == cpu && strcmp(t->tasks[i].name, name) == 0) {
			*idx = (int64_t)i;
			return &t->tasks[i];
		}
	tctx *g = grow(t->tasks, sizeof *t->tasks, t->ntasks, &t->captasks, 8);
	if (!g)
		return NULL;
	t->tasks = g;
	tctx *x = &t->tasks[t->ntasks];
	ctx_clear(x, SIM_CTX_TASK, cpu);
	snprintf(x->name, sizeof x->name, "%s", name);
	*idx = (int64_t)t->ntasks++;
	return x;
}

static int key_eq(const key *a, const key *b)
{
	if (a->st != b->st || a->lock != b->lock || a->pkt != b->pkt)
		return 0;
	if (a->label == b->label)
		return 1;
	return a->label && b->label && strcmp(a->label, b->label) == 0;
}

/* ---- cpu_states: intervals ---- */

static void write_out(trace_tsv *t, uint32_t cpu, const tcpu *c)
{
	char pkt[24];
	if (t->mode == TSV_SCAN || (t->mode == TSV_CUT && (!t->cut || c->out_end <= t->win[t->fixn][0] ||
							    c->out_start >= t->win[t->fixn][1])))
		return;         /* plot mode: nothing of it is drawn */
	const char *label = c->out.label ? c->out.label : "-";
	if (t->mode == TSV_CUT) {       /* the row, unformatted, to the window's cut */
		plot_cut_state(t->cut, c->out_start, c->out_end, cpu, state_name[c->out.st],
			       lock_str(t, c->out.lock), label, c->out.pkt);
		return;
	}
	if (c->out.pkt < 0)
		snprintf(pkt, sizeof pkt, "-");
	else
		snprintf(pkt, sizeof pkt, "%" PRId64, c->out.pkt);
	big_row(t, F_STATES, "%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu32 "\t%s\t%s\t%s\t%s\n", t->fix,
		c->out_start, c->out_end, cpu, state_name[c->out.st], lock_str(t, c->out.lock), label, pkt);
}

static void piece(trace_tsv *t, uint32_t cpu, const key *k, uint64_t a, uint64_t b)
{
	tcpu *c = &t->cpu[cpu];
	if (a >= b)
		return;
	if (c->has_out && c->out_end == a && key_eq(&c->out, k)) {
		c->out_end = b;
		return;
	}
	if (c->has_out)
		write_out(t, cpu, c);
	c->out = *k;
	c->out_start = a;
	c->out_end = b;
	c->has_out = 1;
}

/* Close [a, b) in state k: the stalls cut it. */
static void close_interval(trace_tsv *t, uint32_t cpu, const key *k, uint64_t a, uint64_t b)
{
	tcpu *c = &t->cpu[cpu];
	if (a >= b)
		return;
	key sk = *k;
	sk.st = ST_STALLED;
	uint64_t x = a;
	for (size_t i = 0; i < c->nstalls && x < b; i++) {
		const span *s = &c->stalls[i];
		if (s->to <= x)
			continue;
		if (s->from >= b)
			break;
		if (s->from > x)
			piece(t, cpu, k, x, s->from);
		uint64_t from = s->from > x ? s->from : x;
		uint64_t to = s->to < b ? s->to : b;
		piece(t, cpu, &sk, from, to);
		x = to;
	}
	piece(t, cpu, k, x, b);
	/* Later intervals start at b or after. */
	size_t keep = 0;
	for (size_t i = 0; i < c->nstalls; i++)
		if (c->stalls[i].to > b)
			c->stalls[keep++] = c->stalls[i];
	c->nstalls = keep;
}

static void add_stall(trace_tsv *t, uint32_t cpu, uint64_t from, uint64_t to)
{
	tcpu *c = &t->cpu[cpu];
	if (from >= to)
		return;
	span *g = grow(c->stalls, sizeof *c->stalls, c->nstalls, &c->capstalls, 4);
	if (!g)
		return;
	c->stalls = g;
	/* Insert in order, then merge overlapping or touching spans. */
	size_t i = c->nstalls;
	while (i > 0 && c->stalls[i - 1].from > from) {
		c->stalls[i] = c->stalls[i - 1];
		i--;
	}
	c->stalls[i] = (span){ from, to };
	c->nstalls++;
	size_t w = 0;
	for (size_t r = 1; r < c->nstalls; r++) {
		if (c->stalls[r].from <= c->stalls[w].to) {
			if (c->stalls[r].to > c->stalls[w].to)
				c->stalls[w].to = c->stalls[r].to;
		} else {
			c->stalls[++w] = c->stalls[r];
		}
	}
	c->nstalls = w + 1;
}

static key cpu_key(const trace_tsv *t, const tcpu *c)
{
	const tctx *x;
	uint32_t st;
	if (c->in_hardirq) {
		x = &c->hard;
		st = ST_HARDIRQ;
	} else if (c->in_softirq) {
		x = &c->soft;
		st = ST_SOFTIRQ;
	} else if (c->task >= 0) {
		x = &t->tasks[c->task];
		st = ST_TASK;
	} else {
		return (key){ ST_IDLE, -1, NULL, -1 };
	}
	if (st == ST_TASK && x->waking)        /* woken, the wake-up latency runs */
		return (key){ ST_IDLE, -1, "sched:wake", -1 };
	key k = { st, -1, x->label, x->pkt };
	if (x->spin >= 0) {
		k.st = ST_SPINNING;
		k.lock = x->spin;
	} else if (x->nheld) {
		k.st = ST_HOLDING;
		k.lock = x->held[x->nheld - 1].lock;
	} else if (st == ST_TASK && x->backlog) {
		k.st = ST_BACKLOG;
		k.lock = x->backlog_sock >= 0 ? (int64_t)lock_slock(t->f, (uint32_t)x->backlog_sock) : -1;
	} else if (st == ST_TASK && x->owned) {
		k.st = ST_OWNED;
		k.lock = x->owned_sock >= 0 ? (int64_t)lock_slock(t->f, (uint32_t)x->owned_sock) : -1;
	}
	return k;
}

/* The CPU's state may have changed at time `at`. */
static void update(trace_tsv *t, uint32_t cpu, uint64_t at)
{
	tcpu *c = &t->cpu[cpu];
	key k = cpu_key(t, c);
	if (key_eq(&k, &c->cur))
		return;
	if (at < c->cur_start)
		at = c->cur_start;      /* never backwards */
	close_interval(t, cpu, &c->cur, c->cur_start, at);
	c->cur = k;
	c->cur_start = at;
}

/* x now holds h (deeper nesting than HOLD_MAX is not kept). */
static void push_hold(tctx *x, hold h)
{
	x->spin = -1;
	if (x->nheld < HOLD_MAX)
		x->held[x->nheld++] = h;
}

/* Apply the hand-offs on `cpu` that complete by time `upto`, in time order. */
static void advance(trace_tsv *t, uint32_t cpu, uint64_t upto)
{
	tcpu *c = &t->cpu[cpu];
	for (;;) {
		tctx *best = NULL;
		if (c->soft.pending && c->soft.pend.acquired <= upto)
			best = &c->soft;
		if (c->hard.pending && c->hard.pend.acquired <= upto &&
		    (!best || c->hard.pend.acquired < best->pend.acquired))
			best = &c->hard;
		for (size_t i = 0; i < t->ntasks; i++) {
			tctx *x = &t->tasks[i];
			if (x->cpu == cpu && x->pending && x->pend.acquired <= upto &&
			    (!best || x->pend.acquired < best->pend.acquired))
				best = x;
		}
		if (!best)
			return;
		best->pending = 0;
		push_hold(best, best->pend);
		update(t, cpu, best->pend.acquired);
	}
}

/* ---- the other files ---- */

/* Plot mode: nothing of this row would be drawn (after the window, or
 * scanning). */
static int cut_skips(const trace_tsv *t, uint64_t time)
{
	return t->mode == TSV_SCAN || (t->mode == TSV_CUT && time > t->win[t->fixn][1]);
}

static void ring_row(trace_tsv *t, uint64_t time, int64_t sock, const char *ev)
{
	if (sock < 0 || sock >= (int64_t)t->f->nsockets || cut_skips(t, time))
		return;
	if (t->mode == TSV_CUT) {
		if (t->cut)
			plot_cut_counter(t->cut, PC_RING, time, (uint64_t)sock, t->occ[sock], ev);
		return;
	}
	big_row(t, F_RING, "%s\t%" PRIu64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%s\n",
		t->fix, time, sock, t->occ[sock][0], t->occ[sock][1], t->occ[sock][2], ev);
}

static void backlog_row(trace_tsv *t, uint64_t time, int64_t sock, const char *ev)
{
	if (sock < 0 || sock >= (int64_t)t->f->nsockets || cut_skips(t, time))
		return;
	if (t->mode == TSV_CUT) {
		if (t->cut)
			plot_cut_counter(t->cut, PC_BACKLOG, time, (uint64_t)sock, t->bl[sock], ev);
		return;
	}
	big_row(t, F_BACKLOG, "%s\t%" PRIu64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%s\t%" PRId64 "\n",
		t->fix, time, sock, t->bl[sock][0], t->bl[sock][1], ev, t->bl[sock][2]);
}

static void step_row(trace_tsv *t, const trace_event *e, const tctx *x, int64_t frame,
		     const char *step)
{
	char fr[24], pk[24];
	if (!strcmp(step, "overrun") && t->first_over[t->fixn] == UINT64_MAX)
		t->first_over[t->fixn] = e->time;
	if (t->mode == TSV_SCAN || (t->mode == TSV_CUT && (!t->cut || !plot_cut_step_kept(t->cut, e->time, step))))
		return;         /* plot mode: not drawn */
	int64_t pkt = trace_kv_get(e, TK_PKT, -1);
	snprintf(fr, sizeof fr, frame < 0 ? "-" : "%" PRId64, frame);
	snprintf(pk, sizeof pk, pkt < 0 ? "-" : "%" PRId64, pkt);
	big_row(t, F_STEPS, "%s\t%" PRIu64 "\t%" PRIu32 "\t%s\t%" PRId64 "\t%s\t%s\t%s\n", t->fix,
		e->time, e->cpu, e->ctx, x->sock, fr, pk, step);
}

static void lock_row(trace_tsv *t, uint32_t cpu, const tctx *x, const hold *h, const char *released)
{
	if (t->mode != TSV_FULL) {
		/* plot mode: only the histogram's counts (plot_window.h) */
		uint64_t w = h->acquired > h->wait_start ? h->acquired - h->wait_start : 0;
		if (t->mode == TSV_CUT && t->waits && plot_waits_add(t->waits, t->fix, w) != 0)
			t->cut_failed = 1;
		return;
	}
	fprintf(t->out[F_LOCKS], "%s\t%s\t%" PRIu32 "\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s\n", t->fix,
		lock_str(t, h->lock), cpu, x->kind == SIM_CTX_TASK ? x->name : sim_ctx_kind_name((int)x->kind),
		h->wait_start, h->acquired, released);
}

/* ---- events, by what their label does (its flags) ---- */

/* A stall: cut out of the CPU's states as they close. */
static void on_stall(trace_tsv *t, const trace_event *e)
{
	uint64_t from = (uint64_t)trace_kv_get(e, SIM_TK_START, (int64_t)e->time);
	uint64_t to = from + (uint64_t)trace_kv_get(e, SIM_TK_FOR, 0);
	add_stall(t, e->cpu, from, to);
	if (to > t->tmax)
		t->tmax = to;
}

/* The engine's context changes: hardirq and softirq entry and exit, the
 * scheduler's switch, sleep, exit and wake-up. */
static void on_context(tcpu *c, tctx *x, int64_t tidx, uint32_t fl)
{
	if (fl & (SIM_LF_IRQ_ENTER | SIM_LF_SOFTIRQ_ENTER)) {
		*(fl & SIM_LF_IRQ_ENTER ? &c->in_hardirq : &c->in_softirq) = 1;
		x->label = NULL;
		x->pkt = -1;
	} else if (fl & SIM_LF_IRQ_EXIT) {
		c->in_hardirq = 0;
	} else if (fl & SIM_LF_SOFTIRQ_EXIT) {
		c->in_softirq = 0;
	} else if (fl & SIM_LF_SWITCH) {
		c->task = tidx;
	} else if (fl & (SIM_LF_SLEEP | SIM_LF_EXIT)) {
		if (c->task == tidx)
			c->task = -1;
		if (fl & SIM_LF_EXIT) {
			x->label = NULL;
			x->pkt = -1;
		}
	} else if (fl & SIM_LF_WAKE) {
		x->waking = 1;
	}
}

static void on_spin_acquired(trace_tsv *t, tctx *x, const trace_event *e)
{
	int64_t lock = trace_kv_get(e, TK_LOCK, -1);
	uint64_t wait = (uint64_t)trace_kv_get(e, TK_WAIT, 0);
	uint64_t handoff = (uint64_t)trace_kv_get(e, TK_HANDOFF, 0);
	hold h = { lock, e->time + handoff - wait, e->time + handoff };
	t->acquisitions++;
	t->contended += wait > 0;
	if (handoff) {
		/* the waiter spins on until now + handoff */
		x->spin = lock;
		x->pending = 1;
		x->pend = h;
		if (h.acquired > t->tmax)
			t->tmax = h.acquired;
	} else {
		push_hold(x, h);
	}
}

static void on_spin_release(trace_tsv *t, tctx *x, const trace_event *e)
{
	int64_t lock = trace_kv_get(e, TK_LOCK, -1);
	for (uint32_t i = x->nheld; i-- > 0;) {
		if (x->held[i].lock != lock)
			continue;
		char rel[24];
		snprintf(rel, sizeof rel, "%" PRIu64, e->time);
		lock_row(t, e->cpu, x, &x->held[i], rel);
		t->hold_total += e->time - x->held[i].acquired;
		memmove(&x->held[i], &x->held[i + 1], (x->nheld - i - 1) * sizeof(hold));
		x->nheld--;
		return;
	}
}

/* The counters a socket's notes carry: into row[0..2], then a row. */
static void on_counter(trace_tsv *t, const trace_event *e, int ring)
{
	int64_t s = trace_kv_get(e, TK_SOCK, -1);
	if (s < 0 || s >= (int64_t)t->f->nsockets)
		return;
	if (ring) {
		t->occ[s][0] = trace_kv_get(e, TK_KERNEL, 0);
		t->occ[s][1] = trace_kv_get(e, TK_WRITING, 0);
		t->occ[s][2] = trace_kv_get(e, TK_USER, 0);
		/* a V3 ring's queue frozen (prb_freeze_queue) */
		ring_row(t, e->time, s, trace_kv_get(e, TK_FROZEN, 0) ? "frozen" : "occupancy");
	} else {
		t->bl[s][0] = trace_kv_get(e, TK_PKTS, 0);
		t->bl[s][1] = trace_kv_get(e, TK_BYTES, 0);
		t->bl[s][2] = trace_kv_get(e, TK_RMEM, 0);
		backlog_row(t, e->time, s, "len");
	}
}

/* The deadlock, once its chain is whole: a row per context in it. */
static void on_deadlock(trace_tsv *t, const trace_event *e)
{
	if (!dl_chain_note(&t->dl, t->f, e))
		return;
	t->dl_hops = t->dl.n;
	for (uint32_t i = 0; i < t->dl.n; i++) {
		const dl_hop *h = &t->dl.hop[i];
		const char *ctx = strchr(h->who, ' ');  /* "cpu0 softirq" -> "softirq" */
		if (t->out[F_DEADLOCKS])
			fprintf(t->out[F_DEADLOCKS], "%s\t%" PRIu64 "\t%" PRIu32 "\t%s\t%" PRIu32 "\t%" PRIu32 "\t%s\t%s\n",
			t->fix, e->time, h->cpu, ctx ? ctx + 1 : h->who, i, t->dl.n,
			h->what[0] ? h->what : "-", t->dl.text);
	}
}

/* A note (no step): spinlock waits, acquisitions and releases, the ring's
 * and backlog's counters, the oracle's findings. */
static void on_note(trace_tsv *t, tctx *x, const trace_event *e)
{
	switch (ml_note_of(e->flags)) {
	case ML_NOTE_SPIN_WAIT:
		x->spin = trace_kv_get(e, TK_LOCK, -1);
		break;
	case ML_NOTE_SPIN_ACQUIRED:
		on_spin_acquired(t, x, e);
		break;
	case ML_NOTE_SPIN_RELEASE:
		on_spin_release(t, x, e);
		break;
	case ML_NOTE_RING_OCC:
	case ML_NOTE_BACKLOG_LEN:
		on_counter(t, e, ml_note_of(e->flags) == ML_NOTE_RING_OCC);
		break;
	case ML_NOTE_OVERRUN:
		x->sock = trace_kv_get(e, TK_SOCK, x->sock);
		ring_row(t, e->time, x->sock, "overrun");
		step_row(t, e, x, trace_kv_get(e, TK_FRAME, -1), "overrun");
		break;
	case ML_NOTE_DEADLOCK:
		on_deadlock(t, e);
		break;
	case ML_NOTE_VIOLATION:
	case ML_NOTE_NONE:
		break;
	}
}

/* A labelled step: the context does it from now on; the socket lock's
 * steps open and close its owned and backlog sections. */
static void on_step(trace_tsv *t, tctx *x, const trace_event *e)
{
	uint32_t fl = e->flags;
	x->label = e->label;
	x->pkt = trace_kv_get(e, TK_PKT, -1);
	if (trace_kv_has(e, TK_SOCK))
		x->sock = trace_kv_get(e, TK_SOCK, -1);
	if (trace_kv_has(e, TK_FRAME))
		x->frame = trace_kv_get(e, TK_FRAME, -1);
	if (fl & ML_F_OWNED_SET) {
		x->owned++;
		x->owned_sock = x->sock;
	}
	if ((fl & ML_F_OWNED_CLEAR) && x->owned)
		x->owned--;
	if (fl & ML_F_BACKLOG_DETACH) {
		x->backlog = 1;
		x->backlog_sock = x->sock;
	}
	if (fl & ML_F_BACKLOG_DONE)
		x->backlog = 0;
	if (fl & ML_F_RING) {
		const char *step = strchr(e->label, ':');   /* "tpacket_rcv:F" -> "F" */
		step_row(t, e, x, x->frame, step ? step + 1 : e->label);
	}
	if (fl & ML_F_RING_DROP)
		ring_row(t, e->time, x->sock, "drop");
	if ((fl & ML_F_BACKLOG_DROP) && x->sock >= 0 && x->sock < (int64_t)t->f->nsockets)
		backlog_row(t, e->time, x->sock, "drop");
}

/* Plot mode's first pass: only what the window needs -- the run's end
 * (the latest event, or a contended acquisition's hand-off end, as
 * on_spin_acquired has it) and the first overrun (step_row's). */
static void scan_event(trace_tsv *t, const trace_event *e)
{
	if (e->flags & (SIM_LF_STALL | SIM_LF_CONTEXT) || !(e->flags & ML_F_NOTE_MASK))
		return;
	if (ml_note_of(e->flags) == ML_NOTE_SPIN_ACQUIRED) {
		uint64_t handoff = (uint64_t)trace_kv_get(e, TK_HANDOFF, 0);
		if (handoff && e->time + handoff > t->tmax)
			t->tmax = e->time + handoff;
	} else if (ml_note_of(e->flags) == ML_NOTE_OVERRUN && t->first_over[t->fixn] == UINT64_MAX) {
		t->first_over[t->fixn] = e->time;
	}
}

static void on_event(trace_sink *self, const trace_event *e)
{
	trace_tsv *t = (trace_tsv *)self;
	if (!t->active || e->cpu >= t->ncpus)
		return;
	uint32_t cpu = e->cpu;
	tcpu *c = &t->cpu[cpu];
	if (e->time > t->tmax)
		t->tmax = e->time;
	if (t->mode == TSV_SCAN) {
		scan_event(t, e);
		return;
	}
	advance(t, cpu, e->time);
	if (e->flags & SIM_LF_STALL) {
		on_stall(t, e);
		return;
	}
	tctx *x;
	int64_t tidx = -1;
	if (e->ctx_kind == SIM_CTX_HARDIRQ)
		x = &c->hard;
	else if (e->ctx_kind == SIM_CTX_SOFTIRQ)
		x = &c->soft;
	else if (!(x = task_of(t, cpu, e->ctx, &tidx)))
		return;
	if (x->kind == SIM_CTX_TASK && !(e->flags & (SIM_LF_WAKE | SIM_LF_SWITCH)))
		x->waking = 0;          /* it runs */
	if (e->flags & SIM_LF_CONTEXT)
		on_context(c, x, tidx, e->flags);
	else if (e->flags & ML_F_NOTE_MASK)
		on_note(t, x, e);
	else
		on_step(t, x, e);
	update(t, cpu, e->time);
}

/* ---- variants ---- */

static void variant_reset(trace_tsv *t)
{
	for (uint32_t i = 0; i < t->ncpus; i++) {
		tcpu *c = &t->cpu[i];
		span *stalls = c->stalls;
		size_t cap = c->capstalls;
		memset(c, 0, sizeof(*c));
		c->stalls = stalls;
		c->capstalls = cap;
		c->task = -1;
		ctx_clear(&c->soft, SIM_CTX_SOFTIRQ, i);
		ctx_clear(&c->hard, SIM_CTX_HARDIRQ, i);
		c->cur = (key){ ST_IDLE, -1, NULL, -1 };
	}
	t->ntasks = 0;
	t->tmax = 0;
	t->acquisitions = t->contended = t->hold_total = 0;
	t->dl.n = t->dl_hops = 0;
	for (size_t s = 0; s < t->f->nsockets; s++) {
		const scn_socket *so = &t->f->sockets[s];
		t->occ[s][0] = so->type != SCN_SOCK_PACKET ? 0 : so->version == 3 ? so->blocks : so->frames;
		t->occ[s][1] = t->occ[s][2] = 0;
		t->bl[s][0] = t->bl[s][1] = t->bl[s][2] = 0;
	}
}

static void initial_rows(trace_tsv *t, uint64_t time)
{
	for (size_t s = 0; s < t->f->nsockets; s++) {
		if (t->f->sockets[s].type == SCN_SOCK_PACKET)
			ring_row(t, time, (int64_t)s, "occupancy");
		else
			backlog_row(t, time, (int64_t)s, "len");
	}
}

void trace_tsv_begin(trace_tsv *t, int fix)
{
	t->fix = scn_fix_name(fix);
	t->fixn = fix;
	t->first_over[fix] = UINT64_MAX;
	if (t->mode == TSV_CUT) {
		char wdir[4096], err[256];
		const char *const h[PC_KINDS] = { file_header[F_STATES], file_header[F_STEPS],
						  file_header[F_RING], file_header[F_BACKLOG] };
		snprintf(wdir, sizeof wdir, "%s/window-%s", t->dir, t->fix);
		t->cut = plot_cut_open(wdir, t->fix, t->win[fix][0], t->win[fix][1], h, err, sizeof err);
		if (!t->cut)
			t->cut_failed = 1;
	}
	t->active = 1;
	variant_reset(t);
	initial_rows(t, 0);
}

static int64_t first_socket(const scn_file *f, int type)
{
	for (size_t s = 0; s < f->nsockets; s++)
		if (f->sockets[s].type == type)
			return (int64_t)s;
	return -1;
}

void trace_tsv_end(trace_tsv *t, const uint64_t m[SCN_M_COUNT])
{
	if (!t->active)
		return;
	uint64_t end = t->tmax;
	for (uint32_t i = 0; i < t->ncpus; i++) {
		tcpu *c = &t->cpu[i];
		advance(t, i, end);
		close_interval(t, i, &c->cur, c->cur_start, end);
		if (c->has_out)
			write_out(t, i, c);
		c->has_out = 0;
		c->nstalls = 0;
	}
	/* Locks still held when the run ended. */
	for (uint32_t i = 0; i < t->ncpus; i++) {
		for (uint32_t k = 0; k < t->cpu[i].soft.nheld; k++)
			lock_row(t, i, &t->cpu[i].soft, &t->cpu[i].soft.held[k], "-");
		for (uint32_t k = 0; k < t->cpu[i].hard.nheld; k++)
			lock_row(t, i, &t->cpu[i].hard, &t->cpu[i].hard.held[k], "-");
	}
	for (size_t j = 0; j < t->ntasks; j++)
		for (uint32_t k = 0; k < t->tasks[j].nheld; k++)
			lock_row(t, t->tasks[j].cpu, &t->tasks[j], &t->tasks[j].held[k], "-");
	initial_rows(t, end);   /* the last state, at the end: plots draw steps to it */
	t->end_of[t->fixn] = end;
	if (t->cut && plot_cut_close(t->cut, NULL, 0) != 0)
		t->cut_failed = 1;
	t->cut = NULL;
	if (t->mode == TSV_SCAN) {
		t->active = 0;
		return;
	}
	/* each packet ring: its frames, or a V3 ring's blocks (the plots' panels) */
	for (size_t s = 0; s < t->f->nsockets; s++) {
		const scn_socket *so = &t->f->sockets[s];
		if (so->type == SCN_SOCK_PACKET)
			fprintf(t->out[F_SOCKETS], "%s\t%zu\t%s\tv%d\t%u\n", t->fix, s, so->name, so->version,
				so->version == 3 ? so->blocks : so->frames);
	}

	FILE *o = t->out[F_METRICS];
	fputs(t->fix, o);
	for (int k = 0; k < SCN_M_COUNT; k++)
		fprintf(o, "\t%" PRIu64, m[k]);
	fputc('\n', o);

	const scn_file *f = t->f;
	int64_t rs = first_socket(f, SCN_SOCK_PACKET), ss = first_socket(f, SCN_SOCK_STREAM);
	fprintf(t->out[F_RUN], "%s\t%s\t%" PRIu64 "\t%" PRIu32 "\t%" PRIu64 "\t%" PRId64 "\t%" PRIu32
		"\t%" PRId64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu32 "\n",
		t->fix, f->name, f->seed, f->cpus, end, rs, rs >= 0 ? f->sockets[rs].frames : 0, ss,
		ss >= 0 ? sock_backlog_limit(&f->sockets[ss], f->kernel) : 0, t->acquisitions,
		t->contended, t->hold_total, t->dl_hops);
	t->active = 0;
}

/* ---- life cycle ---- */

static int on_finish(trace_sink *self)
{
	trace_tsv *t = (trace_tsv *)self;
	int rc = 0;
	for (int i = 0; i < F_COUNT; i++) {
		if (!t->out[i])
			continue;
		if (ferror(t->out[i]) || fclose(t->out[i]) != 0)
			rc = -1;
		t->out[i] = NULL;
	}
	if (t->waits) {
		/* the histogram's data, beside the run.tsv and metrics.tsv just closed */
		char sdir[4096], err[256];
		snprintf(sdir, sizeof sdir, "%s/spin", t->dir);
		if (plot_waits_finish(t->waits, t->dir, sdir, err, sizeof err) != 0)
			rc = -1;
		t->waits = NULL;
	}
	return rc || t->cut_failed ? -1 : 0;
}

trace_sink *trace_tsv_sink(trace_tsv *t) { return &t->sink; }

void trace_tsv_free(trace_tsv *t)
{
	if (!t)
		return;
	on_finish(&t->sink);
	if (t->cut)
		plot_cut_close(t->cut, NULL, 0);
	free(t->dir);
	for (uint32_t i = 0; t->cpu && i < t->ncpus; i++)
		free(t->cpu[i].stalls);
	free(t->cpu);
	free(t->tasks);
	free(t->occ);
	free(t->bl);
	free(t->lname);
	free(t);
}

static trace_tsv *tsv_open(const char *dir, const scn_file *f, int mode, char *err, size_t errlen);

trace_tsv *trace_tsv_open(const char *dir, const scn_file *f, char *err, size_t errlen)
{
	return tsv_open(dir, f, TSV_FULL, err, errlen);
}

trace_tsv *trace_tsv_open_plot(const char *dir, const scn_file *f, int scan, char *err, size_t errlen)
{
	return tsv_open(dir, f, scan ? TSV_SCAN : TSV_CUT, err, errlen);
}

void trace_tsv_set_window(trace_tsv *t, int fix, uint64_t t0, uint64_t t1)
{
	t->win[fix][0] = t0;
	t->win[fix][1] = t1 > t0 ? t1 : t0 + 1;
}

void trace_tsv_window(const trace_tsv *t, int fix, uint64_t *t0, uint64_t *t1)
{
	plot_default_window(t->end_of[fix], t->first_over[fix], t0, t1);
}

static trace_tsv *tsv_open(const char *dir, const scn_file *f, int mode, char *err, size_t errlen)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory '%s': %s", dir, strerror(errno));
		return NULL;
	}
	trace_tsv *t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->sink.event = on_event;
	t->sink.finish = on_finish;
	t->f = f;
	t->mode = mode;
	t->dir = strdup(dir);
	if (mode == TSV_CUT)
		t->waits = plot_waits_new();
	for (int i = 0; i < SCN_FIX_COUNT; i++)
		t->first_over[i] = UINT64_MAX;
	t->ncpus = f->cpus;
	t->nlocks = lock_count(f);
	t->cpu = calloc(t->ncpus, sizeof(*t->cpu));
	t->occ = calloc(f->nsockets + 1, sizeof(*t->occ));
	t->bl = calloc(f->nsockets + 1, sizeof(*t->bl));
	t->lname = calloc(t->nlocks + 1, sizeof(*t->lname));
	if (!t->cpu || !t->occ || !t->bl || !t->lname || !t->dir || (mode == TSV_CUT && !t->waits)) {
		snprintf(err, errlen, "out of memory");
		trace_tsv_free(t);
		return NULL;
	}
	for (uint32_t i = 0; i < t->nlocks; i++)
		lock_name(f, i, LOCK_NAME_TRACE, t->lname[i], LOCK_NAME_MAX);
	for (int i = 0; i < F_COUNT; i++) {
		char path[4096];
		/* plot mode: the big files are cut as they are made, not written */
		int big = i == F_STATES || i == F_LOCKS || i == F_RING || i == F_BACKLOG || i == F_STEPS;
		if (mode == TSV_SCAN || (mode == TSV_CUT && big))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, file_name[i]);
		t->out[i] = fopen(path, "w");
		if (!t->out[i]) {
			snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
			trace_tsv_free(t);
			return NULL;
		}
		if (file_header[i]) {
			fprintf(t->out[i], "%s\n", file_header[i]);
			continue;
		}
		fputs("fix", t->out[i]);
		for (int m = 0; m < SCN_M_COUNT; m++)
			fprintf(t->out[i], "\t%s", scn_metric_name(m));
		fputc('\n', t->out[i]);
	}
	variant_reset(t);
	return t;
}
