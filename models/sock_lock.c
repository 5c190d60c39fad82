/* sock_lock.c - lock_sock / release_sock / lock_sock_fast / bh_lock_sock and
 * the TCP-like receive path; see sock_lock.h. */
#include "sock_lock.h"

#include <stdlib.h>

#include "oracle.h"
#include "spinlock.h"
#include "task.h"

uint64_t sock_backlog_limit(const scn_socket *so, uint32_t kernel)
{
	uint64_t limit;
	if (kernel < SCN_KERNEL(4, 9))
		/* tcp_v4_rcv(): sk_add_backlog(sk, skb, sk->sk_rcvbuf + sk->sk_sndbuf) */
		return so->rcvbuf + so->sndbuf;
	if (kernel < SCN_KERNEL(6, 1))
		/* tcp_add_backlog() (c9c3321257e1): rcvbuf + sndbuf, then limit += 64*1024 */
		limit = so->rcvbuf + so->sndbuf;
	else if (kernel < SCN_KERNEL(6, 10))
		/* ec791d8149ff: limit = rcvbuf + (sndbuf >> 1) */
		limit = so->rcvbuf + (so->sndbuf >> 1);
	else
		/* ec00ed472bdb: limit = (u64)rcvbuf << 1; limit += sndbuf >> 1 */
		limit = (so->rcvbuf << 1) + (so->sndbuf >> 1);
	limit += 64 * 1024;
	return limit < UINT32_MAX ? limit : UINT32_MAX;   /* min_t(u64, limit, UINT_MAX) */
}

uint32_t sock_backlog_cap(const scn_socket *so, uint32_t kernel)
{
	/* The backlog never holds more than limit / smallest truesize + 1
	 * packets: sk_add_backlog checks the limit before each add. */
	if (so->type != SCN_SOCK_STREAM)
		return 1;
	uint64_t cap = sock_backlog_limit(so, kernel) / pkt_truesize(1) + 2;
	return cap > 1u << 24 ? 1u << 24 : (uint32_t)cap;
}

void sock_reset(world *w, uint32_t sock) { w->sock[sock] = (sock_state){ 0 }; }

/* Process context takes slock with BH disabled, unless the broken variant
 * lock_sock_without_bh is run. */
static int slock_mode(const world *w)
{
	return (w->bugs & SCN_BUG_LOCK_SOCK_WITHOUT_BH) ? SPIN_PLAIN : SPIN_BH;
}

static uint64_t did(world *w, uint32_t c, sim_frame *f, enum model_label l)
{
	return sim_did(&w->s, c, wl(w, l), 0, TK_SOCK, (int64_t)f->a);
}

/* Trace only: the backlog after a change, with what sk_add_backlog() weighs
 * against its limit (backlog.len + sk_rmem_alloc; sock_backlog_limit). */
static void trace_backlog(world *w, uint32_t c, uint32_t sock)
{
	const sock_state *k = &w->sock[sock];
	if (sim_tracing(&w->s))
		sim_note(&w->s, c, wl(w, ML_BACKLOG_LEN), TK_SOCK, (int64_t)sock, TK_PKTS,
			 (int64_t)k->bl_count, TK_BYTES, (int64_t)k->bl_len, TK_RMEM, (int64_t)k->rmem);
}

/* A packet reaches the protocol (tcp_v4_do_rcv): inline or from the
 * backlog.  tcp_data_queue() -> tcp_try_rmem_schedule(): when
 * sk_rmem_alloc > sk_rcvbuf already and tcp_prune_queue() cannot make room
 * (the model does not collapse), the segment is dropped: TCPRcvQDrop
 * (the counter since v4.19; the drop in every version), rcvq_drops. */
static void do_rcv(world *w, uint32_t c, uint32_t sock, uint32_t truesize, uint64_t pkt, uint32_t segs)
{
	sock_state *k = &w->sock[sock];
	w->g->stream_rx += segs;
	if (k->rmem > w->scn->sockets[sock].rcvbuf) {
		w->g->m[SCN_M_RCVQ_DROPS] += segs;
		sim_note(&w->s, c, wl(w, ML_TCP_RCVQ_DROP), TK_SOCK, (int64_t)sock, TK_PKT, (int64_t)pkt,
			 TK_RMEM, (int64_t)k->rmem);
		return;
	}
	k->rmem += truesize;
	k->rq_pkts += segs;
	w->g->m[SCN_M_DELIVERED] += segs;
}

enum { LS_LOCK, LS_CHECK, LS_UNLOCK, LS_RET };

sim_answer sock_lock_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	sock_state *k = &w->sock[f->a];
	uint64_t ns;
	switch (f->pc) {
	case LS_LOCK:
		/* lock_sock_nested(): might_sleep(); spin_lock_bh(&sk->sk_lock.slock) */
		if (!f->c)
			spin_might_sleep(w, c, wl(w, ML_LS_LOCK));
		f->pc = LS_CHECK;
		ns = did(w, c, f, ML_LS_LOCK);
		if (!spin_lock_take(w, c, lock_slock(w->scn, f->a), slock_mode(w)))
			return SIM_SPIN;
		return SIM_CONT(ns);
	case LS_CHECK:
		if (k->owned == c + 1) {
			/* lockdep: "possible recursive locking detected"; the task
			 * would sleep on sk_lock.wq forever, waiting for itself */
			oracle_violation(w, c, wl(w, ML_LS_WAIT), W_RECURSIVE, f->a, 0);
			if (oracle_first(w, STORY_DEADLOCK)) {
				oracle_add(w, STORY_DEADLOCK, c, 0, wl(w, ML_LS_WAIT), W_RECURSIVE, f->a, 0, 0);
				oracle_deadlock_notes(w);
			}
			w->g->m[SCN_M_DEADLOCK] = 1;
			sim_stop(s);
			return SIM_SPIN;        /* never resumed: the run stops here */
		}
		if (k->owned) {
			/* __lock_sock(): prepare_to_wait_exclusive(&sk->sk_lock.wq);
			 * spin_unlock_bh(); schedule(); then spin_lock_bh() again */
			ns = did(w, c, f, ML_LS_WAIT);
			spin_lock_release(w, c, lock_slock(w->scn, f->a), slock_mode(w));
			spin_might_sleep(w, c, wl(w, ML_LS_WAIT));
			f->pc = LS_LOCK;
			f->c = 1;       /* woken: no might_sleep() on the way back */
			return SIM_SLEEP(w->sock_wq[f->a]);
		}
		/* sk->sk_lock.owned = 1 */
		k->owned = c + 1;
		k->owned_since = sim_now(s);
		f->pc = LS_UNLOCK;
		return SIM_CONT(did(w, c, f, ML_LS_OWNED));
	case LS_UNLOCK:
		/* spin_unlock_bh(&sk->sk_lock.slock) */
		ns = did(w, c, f, ML_LS_UNLOCK);
		spin_lock_release(w, c, lock_slock(w->scn, f->a), slock_mode(w));
		f->pc = LS_RET;
		return SIM_CONT(ns);
	}
	return SIM_RET;
}

enum { RS_LOCK, RS_CHECK, RS_RCV, RS_RELOCK, RS_LEN, RS_OWNED, RS_UNLOCK, RS_RET };

/* __release_sock(): sk_backlog_rcv(sk, skb) on the next detached skb, in
 * order, in process context with BH on; returns the step's cost. */
static uint64_t backlog_rcv_one(sim *s, uint32_t c, uint32_t sock)
{
	world *w = s->model;
	sock_state *k = &w->sock[sock];
	bl_slot *q = &bl_slots(w, sock)[k->bl_head];
	uint32_t cap = w->bl_cap[sock];
	uint64_t ns = sim_did(s, c, wl(w, ML_RS_RCV), q->size, TK_SOCK, (int64_t)sock, TK_PKT,
			      (int64_t)q->pkt);
	do_rcv(w, c, sock, q->truesize, q->pkt, q->segs);
	w->g->m[SCN_M_BACKLOG_PROCESSED] += q->segs;
	k->bl_pkts -= q->segs;
	k->bl_head = k->bl_head + 1 == cap ? 0 : k->bl_head + 1;
	k->bl_count--;
	k->detached--;
	trace_backlog(w, c, sock);
	return ns;
}

/* release_sock(sk): f->a the socket.  With f->d set it is
 * __sk_flush_backlog(sk) (tcp_recvmsg's, v5.17+): the same slock and
 * __release_sock() steps, but the owner keeps the socket (no
 * sock_release_ownership(), no wake-up). */
sim_answer sock_release_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	sock_state *k = &w->sock[f->a];
	uint64_t ns;
	switch (f->pc) {
	case RS_LOCK:
	case RS_RELOCK:
		/* release_sock(): spin_lock_bh(&sk->sk_lock.slock), and
		 * __release_sock()'s re-lock after each batch */
		ns = did(w, c, f, f->pc == RS_LOCK ? ML_RS_LOCK : ML_RS_RELOCK);
		f->pc = RS_CHECK;
		if (!spin_lock_take(w, c, lock_slock(w->scn, f->a), slock_mode(w)))
			return SIM_SPIN;
		return SIM_CONT(ns);
	case RS_CHECK:
		if (k->bl_count > k->detached && !(w->bugs & SCN_BUG_RELEASE_SKIPS_BACKLOG)) {
			/* __release_sock(): detach the whole list; spin_unlock_bh() */
			k->detached = k->bl_count;
			f->c = 1;       /* drained at least once: len is reset after the loop */
			ns = did(w, c, f, ML_RS_DETACH);
			spin_lock_release(w, c, lock_slock(w->scn, f->a), slock_mode(w));
			f->pc = RS_RCV;
			return SIM_CONT(ns);
		}
		if (k->bl_count > k->detached && w->g->skip_ctx == SIM_NONE) {
			/* the broken variant leaves the backlog: remember when */
			w->g->skip_ctx = c;
			w->g->skip_at = sim_now(s);
			w->g->skip_pkts = k->bl_pkts;
		}
		/* __sk_flush_backlog() (f->d) keeps the ownership */
		f->pc = f->c ? RS_LEN : f->d ? RS_UNLOCK : RS_OWNED;
		return SIM_NEXT;
	case RS_RCV:
		/* __release_sock(): cond_resched() after each sk_backlog_rcv()
		 * (a preemption point even without CONFIG_PREEMPT); when the task
		 * is back this step runs again */
		if (f->e) {
			f->e = 0;
			if (sim_cond_resched(s, c))
				return SIM_NEXT;
		}
		if (k->detached) {
			f->e = 1;
			return SIM_CONT(backlog_rcv_one(s, c, f->a));
		}
		f->pc = RS_RELOCK;
		return SIM_NEXT;
	case RS_LEN:
		/* sk->sk_backlog.len = 0 -- only after the loop */
		k->bl_len = 0;
		f->pc = f->d ? RS_UNLOCK : RS_OWNED;
		ns = did(w, c, f, ML_RS_LEN);
		trace_backlog(w, c, f->a);
		return SIM_CONT(ns);
	case RS_OWNED:
		/* sock_release_ownership(); if (waitqueue_active(&sk->sk_lock.wq)) wake_up()
		 * -- by a task that does not own the socket, lockdep's mutex_release()
		 * reports "bad unlock balance" (DEBUG_NET_WARN_ON_ONCE since v6.1);
		 * owned is cleared all the same. */
		if (k->owned != c + 1)
			oracle_violation(w, c, wl(w, ML_RS_OWNED), W_BAD_RELEASE, f->a, k->owned);
		k->owned = 0;
		ns = did(w, c, f, ML_RS_OWNED);
		sim_wake_one(s, w->sock_wq[f->a], COST_WAKE_NS);
		f->pc = RS_UNLOCK;
		return SIM_CONT(ns);
	case RS_UNLOCK:
		/* spin_unlock_bh(&sk->sk_lock.slock) */
		ns = did(w, c, f, ML_RS_UNLOCK);
		spin_lock_release(w, c, lock_slock(w->scn, f->a), slock_mode(w));
		f->pc = RS_RET;
		return SIM_CONT(ns);
	}
	return SIM_RET;
}

enum { LF_LOCK, LF_CHECK, LF_RET };

sim_answer sock_lock_fast_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	uint64_t ns;
	switch (f->pc) {
	case LF_LOCK:
		/* lock_sock_fast(): might_sleep(); spin_lock_bh(&sk->sk_lock.slock) */
		spin_might_sleep(w, c, wl(w, ML_LF_LOCK));
		f->pc = LF_CHECK;
		ns = did(w, c, f, ML_LF_LOCK);
		if (!spin_lock_take(w, c, lock_slock(w->scn, f->a), slock_mode(w)))
			return SIM_SPIN;
		return SIM_CONT(ns);
	case LF_CHECK:
		if (!w->sock[f->a].owned) {
			/* fast: return false with slock held and BH disabled */
			w->task[c].fast |= 1u << (f->a & 31);
			f->pc = LF_RET;
			return SIM_CONT(did(w, c, f, ML_LF_FAST));
		}
		/* slow: __lock_sock(); owned = 1; spin_unlock_bh() -- lock_sock's tail */
		w->task[c].fast &= ~(1u << (f->a & 31));
		ns = did(w, c, f, ML_LF_SLOW);
		f->fn = w->fn_lock_sock;
		f->pc = LS_CHECK;
		f->c = 1;
		return SIM_CONT(ns);
	}
	return SIM_RET;
}

sim_answer sock_unlock_fast_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	uint64_t ns;
	if (f->pc)
		return SIM_RET;
	uint32_t bit = 1u << (f->a & 31);
	if (w->task[c].fast & bit) {
		/* unlock_sock_fast(sk, false): spin_unlock_bh(&sk->sk_lock.slock) */
		w->task[c].fast &= ~bit;
		ns = did(w, c, f, ML_UF_FAST);
		spin_lock_release(w, c, lock_slock(w->scn, f->a), slock_mode(w));
		f->pc = 1;
		return SIM_CONT(ns);
	}
	/* unlock_sock_fast(sk, true): release_sock(sk) */
	ns = did(w, c, f, ML_UF_SLOW);
	f->fn = w->fn_release_sock;
	f->pc = RS_LOCK;
	f->c = 0;
	return SIM_CONT(ns);
}

enum { TCP_LOCK, TCP_OWNED, TCP_INLINE, TCP_BACKLOG, TCP_UNLOCK, TCP_RET };

/* v5.0+ (4f693b55c3d2) tcp_add_backlog(): an in-order segment (every flow's
 * is) merges into the backlog's tail skb by skb_try_coalesce() -- before
 * the limit is checked -- while the tail has frags left (MAX_SKB_FRAGS 17):
 * sk->sk_backlog.len += delta (the payload; its skb head is freed),
 * TCPBacklogCoalesce.  A tail that __release_sock() has detached is gone
 * (sk_backlog.tail = NULL).  Returns 1 when merged. */
static int coalesce(world *w, uint32_t c, const sim_frame *f)
{
	sock_state *k = &w->sock[f->a];
	uint32_t cap = w->bl_cap[f->a];
	bl_slot *t = &bl_slots(w, f->a)[(k->bl_head + k->bl_count - 1) % cap];
	if (t->segs > MAX_SKB_FRAGS)
		return 0;
	t->segs++;
	t->size += f->b;
	t->truesize += f->b;
	k->bl_len += f->b;
	k->bl_pkts++;
	trace_backlog(w, c, f->a);
	return 1;
}

sim_answer sock_tcp_rcv_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	sock_state *k = &w->sock[f->a];
	const scn_socket *so = &w->scn->sockets[f->a];
	uint32_t ts = pkt_truesize(f->b);
	uint64_t ns;
	switch (f->pc) {
	case TCP_LOCK:
		/* bh_lock_sock_nested(sk): spin_lock(&sk->sk_lock.slock) */
		f->pc = TCP_OWNED;
		ns = sim_did(s, c, wl(w, ML_TCP_LOCK), 0, TK_SOCK, (int64_t)f->a, TK_PKT, (int64_t)f->d);
		if (!spin_lock_take(w, c, lock_slock(w->scn, f->a), SPIN_PLAIN))
			return SIM_SPIN;
		return SIM_CONT(ns);
	case TCP_OWNED:
		/* if (!sock_owned_by_user(sk)) ... else tcp_add_backlog() */
		ns = sim_did(s, c, wl(w, ML_TCP_OWNED), 0, TK_SOCK, (int64_t)f->a, TK_OWNED,
			     (int64_t)(k->owned != 0));
		f->pc = !k->owned || (w->bugs & SCN_BUG_BH_IGNORES_OWNED) ? TCP_INLINE : TCP_BACKLOG;
		return SIM_CONT(ns);
	case TCP_INLINE:
		/* ret = tcp_v4_do_rcv(sk, skb) */
		if (k->owned) {
			if (oracle_first(w, STORY_VIOLATION))
				oracle_add_at(w, STORY_VIOLATION, k->owned_since, k->owned - 1, 0,
					      wl(w, ML_LS_OWNED), W_OWNS, f->a, 0, 0);
			oracle_violation(w, c, wl(w, ML_TCP_DO_RCV), W_INLINE_OWNED, f->a, k->owned - 1);
		}
		do_rcv(w, c, f->a, ts, f->d, 1);
		trace_backlog(w, c, f->a);      /* sk_rmem_alloc grew */
		w->g->m[SCN_M_INLINE_RCV]++;
		w->g->in_hand--;
		f->pc = TCP_UNLOCK;
		return SIM_CONT(sim_did(s, c, wl(w, ML_TCP_DO_RCV), f->b, TK_SOCK, (int64_t)f->a,
					TK_PKT, (int64_t)f->d));
	case TCP_BACKLOG: {
		/* sk_add_backlog(sk, skb, limit): rcvbuf + sndbuf before v4.9,
		 * tcp_add_backlog()'s limit after (sock_backlog_limit) */
		uint64_t limit = sock_backlog_limit(so, w->scn->kernel);
		uint32_t cap = w->bl_cap[f->a];
		w->g->in_hand--;
		f->pc = TCP_UNLOCK;
		if (w->scn->kernel >= SCN_KERNEL(5, 0) && k->bl_count > k->detached)
			if (coalesce(w, c, f))
				return SIM_CONT(sim_did(s, c, wl(w, ML_TCP_BL_COALESCE), 0, TK_SOCK,
							(int64_t)f->a, TK_PKT, (int64_t)f->d,
							TK_LEN, (int64_t)k->bl_len));
		if (k->bl_len + k->rmem > limit || k->bl_count == cap) {
			/* sk_rcvqueues_full(): -ENOBUFS, the packet is dropped and counted */
			w->g->m[SCN_M_BACKLOG_DROPS]++;
			return SIM_CONT(sim_did(s, c, wl(w, ML_TCP_BL_DROP), 0, TK_SOCK, (int64_t)f->a,
						TK_PKT, (int64_t)f->d, TK_LEN, (int64_t)k->bl_len));
		}
		uint32_t tail = (k->bl_head + k->bl_count) % cap;
		bl_slots(w, f->a)[tail] = (bl_slot){ f->d, ts, f->b, 1, 0 };
		k->bl_count++;
		k->bl_pkts++;
		k->bl_len += ts;
		if (k->bl_count > w->g->m[SCN_M_BACKLOG_MAX])
			w->g->m[SCN_M_BACKLOG_MAX] = k->bl_count;
		trace_backlog(w, c, f->a);
		return SIM_CONT(sim_did(s, c, wl(w, ML_TCP_BACKLOG), 0, TK_SOCK, (int64_t)f->a,
					TK_PKT, (int64_t)f->d, TK_BACKLOG, (int64_t)k->bl_count));
	}
	case TCP_UNLOCK:
		/* bh_unlock_sock(sk) */
		ns = sim_did(s, c, wl(w, ML_TCP_UNLOCK), 0, TK_SOCK, (int64_t)f->a);
		spin_lock_release(w, c, lock_slock(w->scn, f->a), SPIN_PLAIN);
		f->pc = TCP_RET;
		return SIM_CONT(ns);
	}
	return SIM_RET;
}

enum { RV_START, RV_TAKE, RV_FLUSH, RV_RELOCK, RV_RELEASE, RV_RET };

/* recv: f->a the socket, f->c "we locked it, we release it", f->d bytes
 * copied so far (tcp_recvmsg's `copied`; target is 1, SO_RCVLOWAT's
 * default).  It does not wait for data: with nothing copied it returns. */
sim_answer sock_recv_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	sock_state *k = &w->sock[f->a];
	switch (f->pc) {
	case RV_START:
		f->pc = RV_TAKE;
		if (k->owned != c + 1) {
			f->c = 1;       /* we lock, so we release */
			sim_call(s, c, w->fn_lock_sock)->a = f->a;
		}
		return SIM_NEXT;
	case RV_TAKE: {
		/* tcp_recvmsg(): copy out what the receive queue holds */
		uint64_t n = k->rq_pkts;
		uint64_t bytes = k->rmem;
		uint32_t b = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
		w->g->m[SCN_M_CONSUMED] += n;
		k->rq_pkts = 0;
		k->rmem = 0;
		f->d += bytes;
		trace_backlog(w, c, f->a);      /* sk_rmem_alloc back to 0 */
		/* if (copied >= target && !READ_ONCE(sk->sk_backlog.tail)) break; */
		f->pc = f->d && k->bl_count ? RV_FLUSH : RV_RELEASE;
		return SIM_CONT(sim_did(s, c, wl(w, ML_RECV_DEQ), b, TK_SOCK, (int64_t)f->a,
					TK_PKTS, (int64_t)n));
	}
	case RV_FLUSH: {
		/* if (copied >= target) { Do not sleep, just process backlog. } */
		uint64_t ns = sim_did(s, c, wl(w, ML_RECV_FLUSH), 0, TK_SOCK, (int64_t)f->a, TK_BACKLOG,
				      (int64_t)k->bl_count);
		sim_frame *r = sim_call(s, c, w->fn_release_sock);
		r->a = f->a;
		if (w->scn->kernel >= SCN_KERNEL(5, 17)) {
			r->d = 1;       /* __sk_flush_backlog(): the owner keeps the socket */
			f->pc = RV_TAKE;
		} else {
			f->pc = RV_RELOCK;      /* release_sock(sk); lock_sock(sk); */
		}
		return SIM_CONT(ns);
	}
	case RV_RELOCK:
		f->pc = RV_TAKE;
		sim_call(s, c, w->fn_lock_sock)->a = f->a;
		return SIM_NEXT;
	case RV_RELEASE:
		f->pc = RV_RET;
		if (f->c)
			sim_call(s, c, w->fn_release_sock)->a = f->a;
		return SIM_NEXT;
	}
	return SIM_RET;
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(sock_state) == 56, "sock_state has no padding");

static int sock_lock_reserve(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	w->fn_tcp_rcv = sim_add_fn(s, "tcp_rcv", sock_tcp_rcv_step);
	w->fn_lock_sock = sim_add_fn(s, "lock_sock", sock_lock_step);
	w->fn_release_sock = sim_add_fn(s, "release_sock", sock_release_step);
	w->fn_lock_sock_fast = sim_add_fn(s, "lock_sock_fast", sock_lock_fast_step);
	w->fn_unlock_sock_fast = sim_add_fn(s, "unlock_sock_fast", sock_unlock_fast_step);
	w->fn_recv = sim_add_fn(s, "recv", sock_recv_step);
	/* [nsockets + nflows]: a fanout flow's packets go to rcv[nsockets + flow] (fanout.c) */
	w->rcv = calloc(f->nsockets + f->nflows + 1, sizeof(*w->rcv));
	w->sock_wq = calloc(f->nsockets + 1, sizeof(uint32_t));
	w->data_wq = calloc(f->nsockets + 1, sizeof(uint32_t));
	w->bl_cap = calloc(f->nsockets + 1, sizeof(uint32_t));
	w->bl_off = calloc(f->nsockets + 1, sizeof(size_t));
	if (!w->rcv || !w->sock_wq || !w->data_wq || !w->bl_cap || !w->bl_off)
		return world_oom(w, err, errlen);
	w->off_sock = world_reserve(w, f->nsockets, sizeof(sock_state));
	for (size_t i = 0; i < f->nsockets; i++) {
		w->sock_wq[i] = sim_add_waitq(s);
		w->data_wq[i] = sim_add_waitq(s);
		w->bl_cap[i] = sock_backlog_cap(&f->sockets[i], f->kernel);
		w->bl_off[i] = arena_reserve(&s->ar, (size_t)w->bl_cap[i] * sizeof(bl_slot), 8);
		/* a stream socket's protocol: tcp_v4_rcv (packet sockets: packet_ring.c) */
		if (f->sockets[i].type == SCN_SOCK_STREAM)
			w->rcv[i] = (sock_rcv){ w->fn_tcp_rcv, 0 };
		if (world_check_memory(w, f->sockets[i].pos, "this socket's backlog", err, errlen))
			return WORLD_EINPUT;
	}
	return 0;
}

static void sock_lock_bind(world *w) { w->sock = arena_at(&w->s.ar, w->off_sock); }

static void sock_lock_reset(world *w)
{
	for (uint32_t i = 0; i < w->scn->nsockets; i++)
		sock_reset(w, i);
}

static void sock_lock_release(world *w)
{
	free(w->rcv);
	free(w->sock_wq);
	free(w->data_wq);
	free(w->bl_cap);
	free(w->bl_off);
}

static void sock_lock_canon(const world *w, unsigned char *copy)
{
	for (size_t i = 0; i < w->scn->nsockets; i++)
		((sock_state *)WORLD_IN_COPY(w, copy, &w->sock[i]))->owned_since = 0;
}

const model_ops sock_lock_ops = { "sock_lock", sock_lock_reserve, sock_lock_bind, sock_lock_reset,
				  NULL, sock_lock_release, sock_lock_canon };
