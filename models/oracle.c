/* oracle.c - stories, violations, and the end-of-run balance that finds lost
 * packets. */
#include "oracle.h"
#include "tpacket_v3.h"

#include <inttypes.h>
#include <string.h>

#include "ghost.h"
#include "locks.h"
#include "packet_ring.h"
#include "sock_lock.h"
#include "spinlock.h"
#include "task.h"
#include "netrx.h"

void oracle_add_at(world *w, enum story_kind kind, uint64_t time, uint32_t ctx, uint32_t cpu,
		   uint32_t label, uint32_t what, uint32_t frame, uint64_t pkt, uint64_t arg)
{
	story *st = &w->story[kind];
	if (st->n == STORY_LINES)
		return;
	story_line *l = &st->line[st->n++];
	*l = (story_line){ .time = time, .cpu = cpu, .ctx_kind = SIM_CTX_TASK, .ctx = ctx,
			   .label = label, .what = what, .frame = frame, .pkt = pkt, .arg = arg };
	if (ctx != SIM_NONE) {
		const sim_ctx *x = sim_ctx_at(&w->s, ctx);
		l->cpu = x->cpu;
		l->ctx_kind = x->kind;
	}
}

void oracle_add(world *w, enum story_kind kind, uint32_t ctx, uint32_t cpu, uint32_t label,
		uint32_t what, uint32_t frame, uint64_t pkt, uint64_t arg)
{
	oracle_add_at(w, kind, sim_now(&w->s), ctx, cpu, label, what, frame, pkt, arg);
}

void oracle_violation(world *w, uint32_t ctx, uint32_t label, uint32_t what, uint32_t frame,
		      uint64_t arg)
{
	w->g->m[SCN_M_VIOLATIONS]++;
	sim_note(&w->s, ctx, wl(w, ML_OR_VIOLATION), TK_WHAT, (int64_t)what);
	/* The story tells each kind of violation once, the first time. */
	const story *st = &w->story[STORY_VIOLATION];
	for (uint32_t i = 0; i < st->n; i++)
		if (st->line[i].what == what)
			return;
	oracle_add(w, STORY_VIOLATION, ctx, 0, label, what, frame, 0, arg);
}

static int dl_hop(const story_line *l)
{
	return l->what == W_DL_WAIT || l->what == W_DL_PREEMPTED || l->what == W_RECURSIVE;
}

void oracle_deadlock_notes(world *w)
{
	const story *st = &w->story[STORY_DEADLOCK];
	int64_t hops = 0, hop = 0;
	for (uint32_t i = 0; i < st->n; i++)
		hops += dl_hop(&st->line[i]);
	for (uint32_t i = 0; i < st->n; i++) {
		const story_line *l = &st->line[i];
		if (!dl_hop(l))
			continue;
		uint32_t label = wl(w, ML_OR_DEADLOCK);
		if (l->what == W_DL_WAIT)
			sim_note(&w->s, l->ctx, label, TK_HOP, hop, TK_HOPS, hops, TK_LOCK, (int64_t)l->frame);
		else if (l->what == W_RECURSIVE)
			sim_note(&w->s, l->ctx, label, TK_HOP, hop, TK_HOPS, hops, TK_SOCK, (int64_t)l->frame);
		else
			sim_note(&w->s, l->ctx, label, TK_HOP, hop, TK_HOPS, hops);
		hop++;
	}
}

void oracle_on_stall(sim *s, uint32_t cpu, uint64_t from, uint64_t for_ns)
{
	world *w = s->model;
	w->stall[cpu] = (stall_note){ from, for_ns };
}

/* Packets no future can deliver because an exited task left state behind
 * (task_exit_checks): a NIC queue on a CPU that keeps BH or IRQs off (NET_RX
 * never runs there again), the backlog of a socket its exited owner holds
 * (release_sock() never comes).  The first of each is told in the lost story. */
static uint64_t stranded_nic(world *w)
{
	uint64_t n = 0;
	for (uint32_t cpu = 0; cpu < w->s.ncpus; cpu++) {
		const sim_cpu *c = &w->s.cpus[cpu];
		uint32_t left = 0;
		for (uint32_t t = 0; t < w->nsctasks; t++)
			if (sim_ctx_at(&w->s, t)->cpu == cpu)
				left |= w->task[t].exited;
		int irq = (left & TASK_LEFT_IRQS_OFF) && c->irqs_off;
		int bh = (left & TASK_LEFT_BH_OFF) && c->bh_depth;
		/* the CPU's softnet backlog (source=lo flows) needs NET_RX too */
		uint32_t k = w->nic[cpu].count + (bh ? w->nic[w->s.ncpus + cpu].count : 0);
		if (!k || (!irq && !bh))
			continue;
		n += k;
		oracle_add(w, STORY_LOST, SIM_NONE, cpu, SIM_NONE, W_STRANDED_NIC, cpu, (uint64_t)irq, k);
	}
	return n;
}

static int owner_exited(const world *w, uint32_t sock)
{
	uint32_t owner = w->sock[sock].owned - 1;
	return owner < w->nsctasks && w->task[owner].exited;
}

void oracle_finish(world *w)
{
	const scn_file *f = w->scn;
	world_global *g = w->g;
	uint64_t waiting = 0, owned_backlog = 0, orphan = 0;
	int told = !oracle_first(w, STORY_LOST);
	uint64_t stranded = stranded_nic(w);
	uint32_t orphan_sock = 0;
	for (uint32_t s = 0; s < f->nsockets; s++) {
		if (v3_socket(&f->sockets[s])) {
			waiting += v3_waiting(w, s);
		} else if (f->sockets[s].type == SCN_SOCK_PACKET) {
			const ring_frame *fr = ring_frames(w, s);
			for (uint32_t i = 0; i < f->sockets[s].frames; i++)
				/* a published packet, intact and not yet read */
				waiting += (uint64_t)ghost_waiting(w, s, i, fr[i].status);
		} else if (w->sock[s].owned && owner_exited(w, s)) {
			/* not accounted: lost */
			if (w->sock[s].bl_count && oracle_first(w, STORY_LOST))
				oracle_add(w, STORY_LOST, SIM_NONE, 0, SIM_NONE, W_BACKLOG_EXITED, s, 0,
					   w->sock[s].bl_count);
		} else if (w->sock[s].owned) {
			/* release_sock() will process it */
			owned_backlog += w->sock[s].bl_pkts;
		} else if (w->sock[s].bl_count) {
			orphan += w->sock[s].bl_pkts;
			orphan_sock = s;
		}
	}
	uint64_t accounted = g->consumed_intact + waiting + g->m[SCN_M_DROPS] +
			     g->m[SCN_M_NIC_DROPS] + g->m[SCN_M_BACKLOG_DROPS] + g->stream_rx +
			     owned_backlog + (g->in_nic - stranded) + g->in_hand;
	uint64_t lost = g->created > accounted ? g->created - accounted : 0;
	g->m[SCN_M_LOST] = lost;
	if (lost && !told) {
		if (g->first_lost_pkt != PKT_NONE)
			oracle_add_at(w, STORY_LOST, g->first_lost_at, SIM_NONE, g->first_lost_cpu,
				      g->first_lost_by == PKT_NONE ? wl(w, ML_CS_RELEASE) : wl(w, ML_TP_G),
				      g->first_lost_by == PKT_NONE ? W_HANDBACK : W_OVERWRITE,
				      g->first_lost_frame, g->first_lost_by, g->first_lost_pkt);
		if (g->skip_ctx != SIM_NONE)
			oracle_add_at(w, STORY_LOST, g->skip_at, g->skip_ctx, 0, wl(w, ML_RS_OWNED),
				      W_SKIPPED_BACKLOG, orphan_sock, 0, g->skip_pkts);
		if (orphan)
			oracle_add(w, STORY_LOST, SIM_NONE, 0, SIM_NONE, W_BACKLOG_ORPHAN, orphan_sock, 0,
				   orphan);
		oracle_add(w, STORY_LOST, SIM_NONE, 0, SIM_NONE, W_LOST_TOTAL, 0, 0, lost);
	}
}

const char *oracle_story_title(enum story_kind kind)
{
	static const char *const t[STORY_KINDS] = {
		"overrun: two writers in one ring frame",
		"corrupt: the reader got bytes that are not exactly one packet",
		"consumer_partial: the reader consumed a frame its writer had not finished",
		"lost: a packet vanished without being counted",
		"violation: a lock rule broke",
		"deadlock",
		"lock_order: lockdep found a lock-order inversion",
	};
	return t[kind];
}

static void fmt_time(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 "us", ns / 1000, ns % 1000);
}

static const char *ctx_name(const world *w, uint32_t ctx, uint32_t kind)
{
	if (ctx == SIM_NONE)
		return "";
	if (ctx < w->s.ntasks)
		return w->s.tasks[ctx].name;
	return sim_ctx_kind_name((int)kind);
}

/* lockdep's order lines: an edge, the edge that closes a cycle, the
 * irq-safe -> irq-unsafe verdict. */
static void lo_text(const world *w, const story_line *l, char *b, size_t n)
{
	char x[64], y[64];
	lock_name(w->scn, l->frame, LOCK_NAME_STORY, x, sizeof x);
	lock_name(w->scn, (int64_t)l->arg, LOCK_NAME_STORY, y, sizeof y);
	if (l->what == W_LO_EDGE)
		snprintf(b, n, "takes %s while holding %s (first seen here)", y, x);
	else if (l->what == W_LO_CYCLE)
		snprintf(b, n, "takes %s while holding %s: possible circular locking dependency with the "
			 "order(s) above; CPUs taking them at once would deadlock", x, y);
	else
		snprintf(b, n, "%s-safe -> %s-unsafe lock order: %s, taken in %s, leads to %s, taken with "
			 "%s on; that %s on the CPU holding %s would spin forever", l->pkt ? "SOFTIRQ" : "HARDIRQ",
			 l->pkt ? "SOFTIRQ" : "HARDIRQ", x, l->pkt ? "softirq" : "hardirq", y,
			 l->pkt ? "BH" : "IRQs", l->pkt ? "a softirq" : "a hardirq", y);
}

/* A story line in the kernel's words.  One case a kind of line, each a
 * message and its arguments: longer than 80 lines because the messages are
 * many, not because the logic is (splitting it would only scatter them). */
static void text(const world *w, const story_line *l, char *b, size_t n)
{
	char lock[128], t[32];
	const sim *s = &w->s;
	switch (l->what) {
	case W_CLAIM:
		snprintf(b, n, "claims frame %u for packet %" PRIu64 " (B, C: head moves on)", l->frame, l->pkt);
		break;
	case W_UNLOCK:
		snprintf(b, n, "spin_unlock(&sk->sk_receive_queue.lock): frame %u still reads %s", l->frame,
			 w->fix == SCN_FIX_IN_PROGRESS ? "TP_STATUS_IN_PROGRESS" : "TP_STATUS_KERNEL");
		break;
	case W_IN_PROGRESS:
		snprintf(b, n, "sets frame %u to TP_STATUS_IN_PROGRESS inside the lock", l->frame);
		break;
	case W_STALL:
		fmt_time(t, sizeof t, l->arg);
		snprintf(b, n, "the CPU stalls for %s (hardirq storm, NMI, preempted vCPU)", t);
		break;
	case W_WRAP:
		snprintf(b, n, "%" PRIu64 " claims by other writers wrap the ring back to frame %u", l->arg, l->frame);
		break;
	case W_OVERRUN:
		snprintf(b, n, "frame %u reads TP_STATUS_KERNEL%s and is claimed again for packet %" PRIu64
			 " while cpu%" PRIu64 "'s writer owns it: two writers in one frame", l->frame,
			 w->fix == SCN_FIX_IN_PROGRESS ? " (the reader handed it back)" : "", l->pkt, l->arg);
		break;
	case W_PUBLISH:
		snprintf(b, n, "publishes frame %u (packet %" PRIu64 ")", l->frame, l->pkt);
		break;
	case W_PARTIAL:
		snprintf(b, n, "reads tp_status 0x%" PRIx64 " in frame %u, takes it as ready and consumes it while a writer has not reached J",
			 l->arg, l->frame);
		break;
	case W_V3_FILL:
		snprintf(b, n, "prb_fill_curr_block(): reserves frame %" PRIu64 " of block %u for packet %" PRIu64
			 " (blk_fill_in_prog++), then copies outside the lock", l->arg, l->frame, l->pkt);
		break;
	case W_V3_CLOSE_WRITING:
		snprintf(b, n, "closes block %u (TP_STATUS_USER) without waiting for blk_fill_in_prog: cpu%" PRIu64
			 " still copies packet %" PRIu64 " into it", l->frame, l->arg, l->pkt);
		break;
	case W_WRITER_AT:
		snprintf(b, n, "frame %u's writer (packet %" PRIu64 ") has only reached %s", l->frame, l->pkt,
			 l->label == SIM_NONE ? "?" : s->labels[l->label].name);
		break;
	case W_CORRUPT_MIX:
		snprintf(b, n, "frame %u holds a mix of two packets' bytes (copies overlapped)", l->frame);
		break;
	case W_CORRUPT_HDR:
		snprintf(b, n, "frame %u: the header describes packet %" PRIu64 ", the bytes are packet %" PRIu64,
			 l->frame, l->pkt, l->arg);
		break;
	case W_CORRUPT_DUP:
		snprintf(b, n, "frame %u delivers packet %" PRIu64 " a second time", l->frame, l->arg);
		break;
	case W_CORRUPT_STALE:
		snprintf(b, n, "frame %u holds no packet yet: the reader sees stale or empty bytes", l->frame);
		break;
	case W_OVERWRITE:
		snprintf(b, n, "G copies packet %" PRIu64 " over packet %" PRIu64 " in frame %u, which nobody read: packet %" PRIu64 " is gone",
			 l->pkt, l->arg, l->frame, l->arg);
		break;
	case W_HANDBACK:
		snprintf(b, n, "the reader writes TP_STATUS_KERNEL over frame %u after packet %" PRIu64 " was published into it: gone",
			 l->frame, l->arg);
		break;
	case W_LOST_TOTAL:
		snprintf(b, n, "%" PRIu64 " packet(s) neither consumed intact, nor waiting intact, nor counted in a drop counter", l->arg);
		break;
	case W_BACKLOG_ORPHAN:
		snprintf(b, n, "%" PRIu64 " packet(s) stay in the backlog of %s, which nobody owns: nothing will process them",
			 l->arg, w->scn->sockets[l->frame].name);
		break;
	case W_INLINE_OWNED:
		snprintf(b, n, "processes a packet of %s inline (tcp_v4_do_rcv) while %s owns the socket",
			 w->scn->sockets[l->frame].name, ctx_name(w, (uint32_t)l->arg, SIM_CTX_TASK));
		break;
	case W_SOFTIRQ_USE:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "takes %s in softirq context {IN-SOFTIRQ-W}", lock);
		break;
	case W_SOFTIRQ_ON_USE:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "takes %s in process context with BH enabled {SOFTIRQ-ON-W}", lock);
		break;
	case W_SOFTIRQ_UNSAFE:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "inconsistent lock state: %s is taken in softirq and with BH enabled; a softirq on the same CPU would spin forever", lock);
		break;
	case W_SLEEP_ATOMIC:
		snprintf(b, n, "BUG: sleeping function called from invalid context (%" PRIu64 " spinlock(s) held)", l->arg);
		break;
	case W_SLEEP_IRQ:
		snprintf(b, n, "BUG: sleeping function called from invalid context (in interrupt)");
		break;
	case W_DL_WAIT:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "spins on %s, held by %s on cpu%u", lock,
			 ctx_name(w, (uint32_t)l->arg, sim_ctx_at((sim *)s, (uint32_t)l->arg)->kind),
			 sim_ctx_at((sim *)s, (uint32_t)l->arg)->cpu);
		break;
	case W_DL_PREEMPTED:
		snprintf(b, n, "cannot run: %s sits on top of it on cpu%u",
			 ctx_name(w, (uint32_t)l->arg, sim_ctx_at((sim *)s, (uint32_t)l->arg)->kind), l->cpu);
		break;
	case W_DL_CYCLE:
		snprintf(b, n, "the wait-for chain closes: deadlock, the run stops here");
		break;
	case W_OWNS:
		snprintf(b, n, "owns %s from here (sk_lock.owned = 1)", w->scn->sockets[l->frame].name);
		break;
	case W_SKIPPED_BACKLOG:
		snprintf(b, n, "release_sock() clears sk_lock.owned with %" PRIu64 " packet(s) in the backlog of %s, "
			 "not processed (bug release_skips_backlog)", l->arg, w->scn->sockets[l->frame].name);
		break;
	case W_RECURSIVE:
		snprintf(b, n, "possible recursive locking: lock_sock(%s) by the task that owns it; it sleeps "
			 "on sk_lock.wq waiting for itself", w->scn->sockets[l->frame].name);
		break;
	case W_BAD_RELEASE:
		if (l->arg)
			snprintf(b, n, "bad unlock balance: release_sock(%s) by a task that does not own it (%s does); "
				 "sk_lock.owned is cleared under the owner", w->scn->sockets[l->frame].name,
				 ctx_name(w, (uint32_t)l->arg - 1, SIM_CTX_TASK));
		else
			snprintf(b, n, "bad unlock balance: release_sock(%s), which nobody owns",
				 w->scn->sockets[l->frame].name);
		break;
	case W_HARDIRQ_UNSAFE:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage: %s is taken in hardirq "
			 "and with IRQs enabled; a hardirq on the same CPU would spin forever", lock);
		break;
	case W_LO_EDGE:
	case W_LO_CYCLE:
	case W_LO_IRQ:
		lo_text(w, l, b, n);
		break;
	case W_LO_USAGE: {
		static const char *const u[] = { "in hardirq context {IN-HARDIRQ-W}",
			"in softirq context {IN-SOFTIRQ-W}", "with IRQs enabled {HARDIRQ-ON-W}",
			"in process context with BH enabled {SOFTIRQ-ON-W}" };
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "takes %s %s", lock, l->arg < 4 ? u[l->arg] : "?");
		break;
	}
	case W_BAD_UNLOCK:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "bad unlock balance: releases %s, which it does not hold", lock);
		break;
	case W_BH_UNBALANCED:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "spin_unlock_bh(%s) with BH not disabled: local_bh_enable() underflows the "
			 "softirq count (WARNING in preempt_count_sub: DEBUG_LOCKS_WARN_ON(val > preempt_count())); "
			 "the lock was not taken with spin_lock_bh", lock);
		break;
	case W_IRQ_UNBALANCED:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "spin_unlock_irqrestore(%s) with IRQs enabled: raw_local_irq_restore() called "
			 "with IRQs enabled (WARNING, warn_bogus_irq_restore); no spin_lock_irqsave saved them", lock);
		break;
	case W_BH_IRQS_OFF:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "spin_unlock_bh(%s) with IRQs disabled: WARNING in __local_bh_enable_ip "
			 "(lockdep_assert_irqs_enabled); IRQs stay off", lock);
		break;
	case W_EXIT_LOCK:
		lock_name(w->scn, l->frame, LOCK_NAME_STORY, lock, sizeof lock);
		snprintf(b, n, "BUG: lock held when returning to user space! %s is never released: whoever "
			 "takes it next spins forever", lock);
		break;
	case W_EXIT_OWNED:
		snprintf(b, n, "BUG: lock held when returning to user space! sk_lock-%s of %s stays owned: "
			 "its backlog is never processed, lock_sock() sleeps forever",
			 w->scn->sockets[l->frame].type == SCN_SOCK_PACKET ? "AF_PACKET" : "AF_INET",
			 w->scn->sockets[l->frame].name);
		break;
	case W_EXIT_IRQS_OFF:
		snprintf(b, n, "returns with IRQs disabled (WARNING: syscall left IRQs disabled): cpu%u takes "
			 "no hardirq from here, its NIC queue never drains", l->cpu);
		break;
	case W_EXIT_BH_OFF:
		snprintf(b, n, "returns with BH disabled (softirq count %" PRIu64 " left in preempt_count: "
			 "exited with preempt_count, BUG: scheduling while atomic): cpu%u runs no softirq from here",
			 l->arg, l->cpu);
		break;
	case W_STRANDED_NIC:
		snprintf(b, n, "%" PRIu64 " packet(s) stay in cpu%u's NIC queue, which can never drain (an exited "
			 "task left %s off there)", l->arg, l->frame, l->pkt ? "IRQs" : "BH");
		break;
	case W_BACKLOG_EXITED:
		snprintf(b, n, "%" PRIu64 " packet(s) stay in the backlog of %s, owned by a task that has exited: "
			 "nothing will process them", l->arg, w->scn->sockets[l->frame].name);
		break;
	default:
		snprintf(b, n, "?");
	}
}

void oracle_story_print(const world *w, enum story_kind kind, FILE *out, const char *indent)
{
	const story *st = &w->story[kind];
	for (uint32_t i = 0; i < st->n; i++) {
		const story_line *l = &st->line[i];
		char t[32], who[96], b[512];
		fmt_time(t, sizeof t, l->time);
		snprintf(who, sizeof who, "cpu%u %s", l->cpu, ctx_name(w, l->ctx, l->ctx_kind));
		text(w, l, b, sizeof b);
		fprintf(out, "%s%12s  %-14s %-24s %s\n", indent, t, who,
			l->label == SIM_NONE ? "" : w->s.labels[l->label].name, b);
	}
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(story_line) == 48, "story_line has no padding");

static int oracle_reserve(world *w, char *err, size_t errlen)
{
	w->off_story = world_reserve(w, STORY_KINDS, sizeof(story));
	w->off_stall = world_reserve(w, w->s.ncpus, sizeof(stall_note));
	return ghost_reserve(w, err, errlen);
}

static void oracle_bind(world *w)
{
	w->story = arena_at(&w->s.ar, w->off_story);
	w->stall = arena_at(&w->s.ar, w->off_stall);
	ghost_bind(w);
}

/* The stories, the stall notes and when things happened are the report's;
 * the metrics and the ghosts' contents are state. */
static void oracle_canon(const world *w, unsigned char *copy)
{
	memset(WORLD_IN_COPY(w, copy, w->story), 0, STORY_KINDS * sizeof(story));
	memset(WORLD_IN_COPY(w, copy, w->stall), 0, w->s.ncpus * sizeof(stall_note));
	world_global *g = WORLD_IN_COPY(w, copy, w->g);
	g->first_lost_pkt = g->first_lost_by = g->first_lost_at = 0;
	g->first_lost_cpu = g->first_lost_frame = 0;
	g->skip_at = 0;
	g->m[SCN_M_SPIN_MAX_NS] = g->m[SCN_M_SPIN_TOTAL_NS] = 0;     /* times */
	ghost_canon(w, copy);
}

const model_ops oracle_ops = { "oracle", oracle_reserve, oracle_bind, ghost_reset, oracle_finish,
			       ghost_release, oracle_canon };
