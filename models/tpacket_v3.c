/* tpacket_v3.c - see tpacket_v3.h.  The block layer (prb_*), tpacket_rcv()'s
 * V3 path and prb_retire_rx_blk_timer_expired() as labelled steps, citing
 * net/packet/af_packet.c of v4.19 (blk_fill_in_prog an atomic_t).
 *
 * tpacket_rcv frame: a = socket, b = packet size, c = the frame's ghost
 * slot (NO_SLOT before the fill), d = packet id, e = snaplen.
 * Timer frame (pc from PC_T_LOCK): a = socket, b = the close's stat.
 * TIMER softirq frame: a = cpu, b = the next socket to look at.
 */
#include "tpacket_v3.h"

#include <stdlib.h>

#include "ghost.h"
#include "locks.h"
#include "oracle.h"
#include "packet_ring.h"
#include "spinlock.h"

#define NO_SLOT UINT32_MAX

enum { PC_A, PC_LOOKUP, PC_RETIRE, PC_CLOSE, PC_DISPATCH, PC_FILL, PC_F, PC_G, PC_H, PC_I,
       PC_CLEAR, PC_DROP, PC_K, PC_RET,
       PC_T_LOCK, PC_T_WAIT, PC_T_CHECK, PC_T_CLOSE, PC_T_DISPATCH, PC_T_UNLOCK, PC_T_OUT };

uint32_t v3_calc_retire_blk_tmo(uint32_t block_size)
{
	/* prb_calc_retire_blk_tmo(): speed 10000 >= SPEED_1000: msec = 1,
	 * div = speed / 1000; mbits = (blk_size_in_bytes * 8) / (1024 * 1024);
	 * mbits /= div; tmo = mbits * msec; return tmo + 1 */
	uint32_t mbits = (uint32_t)((uint64_t)block_size * 8 / (1024 * 1024)) / 10;
	return mbits + 1;
}

static inline uint32_t spb(const world *w, uint32_t sock)
{
	return v3_slots_per_block(&w->scn->sockets[sock]);
}
static inline uint32_t nblocks(const world *w, uint32_t sock) { return w->scn->sockets[sock].blocks; }

/* _prb_refresh_rx_retire_blk_timer(): mod_timer(&pkc->retire_blk_timer,
 * jiffies + pkc->tov_in_jiffies) -- queued on this CPU; last_kactive_blk_num
 * = kactive_blk_num. */
static void refresh_timer(world *w, uint32_t sock, uint32_t ctx)
{
	v3_ring *r = &w->v3->ring[sock];
	if (ctx != SIM_NONE)
		r->timer_cpu = sim_ctx_at(&w->s, ctx)->cpu;
	sim_arm(&w->s, w->v3->timer[sock], sim_now(&w->s) + w->v3->tov_ns[sock]);
	r->last_kactive_blk_num = r->kactive_blk_num;
}

void v3_open_block(world *w, uint32_t sock, uint32_t ctx)
{
	v3_ring *r = &w->v3->ring[sock];
	v3_block *b = &v3_blocks(w, sock)[r->kactive_blk_num];
	/* prb_open_block(): BLOCK_SNUM(pbd1) = pkc1->knxt_seq_num++;
	 * BLOCK_NUM_PKTS(pbd1) = 0; BLOCK_LEN(pbd1) = BLK_PLUS_PRIV(...);
	 * pkc1->nxt_offset = pkblk_start + BLK_PLUS_PRIV; pkc1->prev = nxt_offset */
	b->seq_num = r->knxt_seq_num++;
	b->num_pkts = 0;
	b->blk_len = v3_blk_plus_priv(&w->scn->sockets[sock]);
	r->nxt_offset = b->blk_len;
	r->prev = NO_SLOT;
	/* prb_thaw_queue(pkc1); _prb_refresh_rx_retire_blk_timer(pkc1) */
	r->reset_pending_on_curr_blk = 0;
	refresh_timer(w, sock, ctx);
}

/* The oracle: a block handed to user space must hold no frame a writer is
 * still copying (the wait on blk_fill_in_prog guarantees it). */
static void check_close(world *w, uint32_t sock, uint32_t ctx, uint32_t blk, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		uint32_t slot = blk * spb(w, sock) + k;
		ring_ghost *g = ghost_frame(w, sock, slot);
		if (!g->owners)
			continue;
		w->g->m[SCN_M_OVERRUN]++;
		sim_note(&w->s, ctx, wl(w, ML_OR_OVERRUN), TK_SOCK, (int64_t)sock, TK_FRAME,
			 (int64_t)slot, TK_PKT, (int64_t)g->cur.pkt, TK_OWNER_PKT, (int64_t)g->cur.pkt);
		if (oracle_first(w, STORY_OVERRUN)) {
			oracle_add_at(w, STORY_OVERRUN, g->cur.at, g->cur.ctx, g->cur.cpu,
				      wl(w, ML_V3_FILL), W_V3_FILL, blk, g->cur.pkt, k);
			oracle_add(w, STORY_OVERRUN, ctx, 0, w->writer_at[ctx], W_V3_CLOSE_WRITING, blk,
				   g->cur.pkt, g->cur.cpu);
			oracle_add(w, STORY_OVERRUN, g->cur.ctx, 0, w->writer_at[g->cur.ctx], W_WRITER_AT,
				   slot, g->cur.pkt, 0);
		}
	}
}

void v3_close_block(world *w, uint32_t sock, uint32_t ctx, uint32_t stat)
{
	v3_ring *r = &w->v3->ring[sock];
	v3_block *b = &v3_blocks(w, sock)[r->kactive_blk_num];
	/* prb_close_block(): status = TP_STATUS_USER | stat; if (tp_drops)
	 * status |= TP_STATUS_LOSING; last_pkt->tp_next_offset = 0 */
	uint32_t status = TP_STATUS_USER | stat | (r->tp_drops ? TP_STATUS_LOSING : 0);
	if (r->prev != NO_SLOT)
		v3_frames(w, sock)[r->prev].next_offset = 0;
	check_close(w, sock, ctx, r->kactive_blk_num, b->num_pkts);
	/* smp_wmb(); prb_flush_block(): BLOCK_STATUS(pbd1) = status */
	b->block_status = status;
	r->closed++;
	r->closed_tmo += (stat & TP_STATUS_BLK_TMO) != 0;
	/* sk->sk_data_ready(sk) */
	sim_wake_one(&w->s, w->data_wq[sock], w->s.labels[wl(w, ML_CS_WAKE)].cost_ns);
	/* pkc1->kactive_blk_num = GET_NEXT_PRB_BLK_NUM(pkc1) */
	r->kactive_blk_num = r->kactive_blk_num + 1 == nblocks(w, sock) ? 0 : r->kactive_blk_num + 1;
	v3_trace_occupancy(w, ctx, sock);
}

int v3_dispatch_next_block(world *w, uint32_t sock, uint32_t ctx)
{
	v3_ring *r = &w->v3->ring[sock];
	/* prb_dispatch_next_block(): if (TP_STATUS_USER & BLOCK_STATUS(pbd)) {
	 * prb_freeze_queue(pkc, po); return NULL; } */
	if (v3_blocks(w, sock)[r->kactive_blk_num].block_status & TP_STATUS_USER) {
		r->reset_pending_on_curr_blk = 1;
		r->tp_freeze_q_cnt++;
		return 0;
	}
	v3_open_block(w, sock, ctx);
	return 1;
}

int v3_fits(world *w, uint32_t sock, uint32_t len)
{
	/* if (curr + TOTAL_PKT_LEN_INCL_ALIGN(len) < end) */
	return (uint64_t)w->v3->ring[sock].nxt_offset + len < w->scn->sockets[sock].block_size;
}

uint32_t v3_fill_curr_block(world *w, uint32_t sock, uint32_t len)
{
	v3_ring *r = &w->v3->ring[sock];
	v3_block *b = &v3_blocks(w, sock)[r->kactive_blk_num];
	uint32_t slot = r->kactive_blk_num * spb(w, sock) + b->num_pkts;
	/* ppd->tp_next_offset = TOTAL_PKT_LEN_INCL_ALIGN(len); pkc->prev = curr;
	 * pkc->nxt_offset += ..; BLOCK_LEN(pbd) += ..; BLOCK_NUM_PKTS(pbd) += 1;
	 * atomic_inc(&pkc->blk_fill_in_prog) */
	v3_frames(w, sock)[slot].next_offset = len;
	r->prev = slot;
	r->nxt_offset += len;
	b->blk_len += len;
	b->num_pkts++;
	r->blk_fill_in_prog++;
	return slot;
}

void v3_trace_occupancy_(world *w, uint32_t ctx, uint32_t sock)
{
	const v3_block *b = v3_blocks(w, sock);
	const v3_ring *r = &w->v3->ring[sock];
	int64_t k = 0, wr = 0, u = 0;
	for (uint32_t i = 0; i < nblocks(w, sock); i++) {
		if (b[i].block_status & TP_STATUS_USER)
			u++;
		else if (i == r->kactive_blk_num && b[i].num_pkts && !r->reset_pending_on_curr_blk)
			wr++;
		else
			k++;
	}
	sim_note(&w->s, ctx, wl(w, ML_RING_OCC), TK_SOCK, (int64_t)sock, TK_KERNEL, k, TK_WRITING, wr,
		 TK_USER, u, TK_FROZEN, (int64_t)r->reset_pending_on_curr_blk);
}

int v3_poll_readable(world *w, uint32_t sock)
{
	/* packet_poll() -> packet_previous_rx_frame() -> __prb_previous_block():
	 * prb_previous_blk_num(); prb_lookup_block(.., TP_STATUS_KERNEL) */
	uint32_t k = w->v3->ring[sock].kactive_blk_num;
	uint32_t prev = k ? k - 1 : nblocks(w, sock) - 1;
	return v3_blocks(w, sock)[prev].block_status != TP_STATUS_KERNEL;
}

int v3_has_room(world *w, uint32_t sock)
{
	/* __tpacket_v3_has_room(po, ROOM_POW_OFF): idx = kactive_blk_num +
	 * (len >> 2), wrapped; prb_lookup_block(po, rb, idx, TP_STATUS_KERNEL) */
	uint32_t n = nblocks(w, sock), idx = w->v3->ring[sock].kactive_blk_num + (n >> 2);
	if (idx >= n)
		idx -= n;
	return v3_blocks(w, sock)[idx].block_status == TP_STATUS_KERNEL;
}

uint64_t v3_waiting(world *w, uint32_t sock)
{
	uint64_t n = 0;
	const v3_block *b = v3_blocks(w, sock);
	uint32_t cur = w->v3->ring[sock].kactive_blk_num;
	for (uint32_t i = 0; i < nblocks(w, sock); i++) {
		/* handed to user space, or the open block (the timer closes it) */
		int live = (b[i].block_status & TP_STATUS_USER) ||
			   (i == cur && !w->v3->ring[sock].reset_pending_on_curr_blk);
		for (uint32_t k = 0; live && k < b[i].num_pkts; k++)
			n += (uint64_t)ghost_waiting(w, sock, i * spb(w, sock) + k, TP_STATUS_USER);
	}
	return n;
}

/* ---- the steps ---- */

#define V3_STEP static __attribute__((noinline)) sim_answer

static uint64_t did(world *w, uint32_t c, const sim_frame *f, enum model_label l, uint32_t bytes)
{
	uint32_t label = wl(w, l);
	if (f->pc >= PC_F && f->pc <= PC_CLEAR)
		w->writer_at[c] = label;
	int64_t slot = f->c == NO_SLOT ? -1 : (int64_t)f->c;
	return sim_did(&w->s, c, label, bytes, TK_SOCK, (int64_t)f->a, TK_FRAME, slot, TK_PKT,
		       (int64_t)f->d);
}

static sim_answer lock_step(world *w, uint32_t c, sim_frame *f, enum model_label l, uint16_t next)
{
	f->pc = next;
	uint64_t ns = did(w, c, f, l, 0);
	if (!spin_lock_take(w, c, lock_rq(w->scn, f->a), SPIN_PLAIN))
		return SIM_SPIN;
	return SIM_CONT(ns);
}

static void unlock_rq(world *w, uint32_t c, const sim_frame *f)
{
	spin_lock_release(w, c, lock_rq(w->scn, f->a), SPIN_PLAIN);
}

V3_STEP step_a(sim *s, uint32_t c, sim_frame *f)
{
	/* tpacket_rcv(): snaplen = min(skb->len, max_frame_len - macoff);
	 * spin_lock(&sk->sk_receive_queue.lock) */
	world *w = s->model;
	const scn_socket *so = &w->scn->sockets[f->a];
	uint32_t max = so->block_size - v3_blk_plus_priv(so) - TPACKET3_MACOFF;
	f->e = f->b < max ? f->b : max;
	f->c = NO_SLOT;
	return lock_step(w, c, f, ML_TP_A, PC_LOOKUP);
}

V3_STEP step_lookup(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_ring *r = &w->v3->ring[f->a];
	uint64_t ns = did(w, c, f, ML_V3_LOOKUP, 0);
	if (r->reset_pending_on_curr_blk) {
		/* the queue is frozen: prb_curr_blk_in_use(pbd) -> can't record */
		if (v3_blocks(w, f->a)[r->kactive_blk_num].block_status & TP_STATUS_USER) {
			f->pc = PC_DROP;
			return SIM_CONT(ns);
		}
		v3_open_block(w, f->a, c);      /* released by user space: thaw */
	}
	f->pc = v3_fits(w, f->a, v3_frame_len((uint32_t)f->e)) ? PC_FILL : PC_RETIRE;
	return SIM_CONT(ns);
}

/* Wait for blk_fill_in_prog to drain (bug v3_skips_fill_wait: not). */
static int fills_pending(const world *w, uint32_t sock)
{
	return w->v3->ring[sock].blk_fill_in_prog && !(w->bugs & SCN_BUG_V3_SKIPS_FILL_WAIT);
}

V3_STEP step_retire(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_ring *r = &w->v3->ring[f->a];
	uint64_t ns = did(w, c, f, ML_V3_RETIRE, 0);
	/* prb_retire_current_block(): only a TP_STATUS_KERNEL block is closed */
	if (v3_blocks(w, f->a)[r->kactive_blk_num].block_status != TP_STATUS_KERNEL)
		f->pc = PC_DISPATCH;
	else if (!fills_pending(w, f->a))
		f->pc = PC_CLOSE;
	/* else: cpu_relax() and look again */
	return SIM_CONT(ns);
}

/* prb_close_block() from tpacket_rcv (PC_CLOSE) or, with
 * TP_STATUS_BLK_TMO, from the timer (PC_T_CLOSE); then the dispatch. */
V3_STEP step_close(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	int tmo = f->pc == PC_T_CLOSE;
	uint64_t ns = did(w, c, f, tmo ? ML_TMO_CLOSE : ML_V3_CLOSE, 0);
	v3_close_block(w, f->a, c, tmo ? TP_STATUS_BLK_TMO : 0);
	f->pc = tmo ? PC_T_DISPATCH : PC_DISPATCH;
	return SIM_CONT(ns);
}

/* prb_dispatch_next_block(): tpacket_rcv fills the opened block or drops
 * ("Queue was just frozen and now this packet will get dropped"); the timer
 * goes to out, or to refresh_timer when the queue froze. */
V3_STEP step_dispatch(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	int tmo = f->pc == PC_T_DISPATCH;
	uint64_t ns = did(w, c, f, tmo ? ML_TMO_DISPATCH : ML_V3_DISPATCH, 0);
	int opened = v3_dispatch_next_block(w, f->a, c);
	f->pc = tmo ? (opened ? PC_T_OUT : PC_T_UNLOCK) : (opened ? PC_FILL : PC_DROP);
	return SIM_CONT(ns);
}

V3_STEP step_fill(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	f->c = v3_fill_curr_block(w, f->a, v3_frame_len((uint32_t)f->e));
	uint64_t ns = did(w, c, f, ML_V3_FILL, 0);
	ghost_claim(w, c, f->a, f->c, f->d);
	w->writer_at[c] = wl(w, ML_V3_FILL);
	/* back in tpacket_rcv(): po->stats.stats1.tp_packets++ */
	w->v3->ring[f->a].tp_packets++;
	v3_trace_occupancy(w, c, f->a);
	f->pc = PC_F;
	return SIM_CONT(ns);
}

V3_STEP step_f(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* spin_unlock(&sk->sk_receive_queue.lock): the copy is done outside it */
	ghost_unlock(w, c, f->a, f->c);
	uint64_t ns = did(w, c, f, ML_TP_F, 0);
	unlock_rq(w, c, f);
	f->pc = PC_G;
	return SIM_CONT(ns);
}

V3_STEP step_g(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* skb_copy_bits(skb, 0, h.raw + macoff, snaplen) */
	v3_frames(w, f->a)[f->c].snaplen = (uint32_t)f->e;
	ghost_copy(w, c, f->a, f->c, f->d);
	f->pc = PC_H;
	return SIM_CONT(did(w, c, f, ML_TP_G, (uint32_t)f->e));
}

V3_STEP step_h(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* case TPACKET_V3: h.h3->tp_status |= status; tp_len, tp_snaplen,
	 * tp_mac, tp_net, tp_sec, tp_nsec */
	ghost_copy_done(w, f->a, f->c, f->d);
	f->pc = PC_I;
	return SIM_CONT(did(w, c, f, ML_TP_H, 0));
}

V3_STEP step_i(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* smp_mb() */
	f->pc = PC_CLEAR;
	return SIM_CONT(did(w, c, f, ML_TP_I, 0));
}

V3_STEP step_clear(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* else prb_clear_blk_fill_status(&po->rx_ring): atomic_dec(&pkc->blk_fill_in_prog) */
	uint64_t ns = did(w, c, f, ML_V3_CLEAR, 0);
	w->v3->ring[f->a].blk_fill_in_prog--;
	ghost_publish(w, c, f->a, f->c);
	w->g->m[SCN_M_DELIVERED]++;
	w->g->in_hand--;
	v3_trace_occupancy(w, c, f->a);
	f->pc = PC_RET;
	return SIM_CONT(ns);
}

V3_STEP step_drop(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* drop_n_account: po->stats.stats1.tp_drops++; spin_unlock(); */
	uint64_t ns = did(w, c, f, ML_TP_DROP, 0);
	w->v3->ring[f->a].tp_drops++;
	unlock_rq(w, c, f);
	w->g->m[SCN_M_DROPS]++;
	w->g->in_hand--;
	f->pc = PC_K;
	return SIM_CONT(ns);
}

V3_STEP step_k(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* drop_n_account: sk->sk_data_ready(sk) */
	uint64_t ns = did(w, c, f, ML_TP_K, 0);
	sim_wake_one(s, w->data_wq[f->a], w->s.labels[wl(w, ML_CS_WAKE)].cost_ns);
	f->pc = PC_RET;
	return SIM_CONT(ns);
}

V3_STEP step_ret(sim *s, uint32_t c, sim_frame *f)
{
	(void)s;
	(void)c;
	(void)f;
	return SIM_RET;
}

/* ---- prb_retire_rx_blk_timer_expired() ---- */

V3_STEP step_t_lock(sim *s, uint32_t c, sim_frame *f)
{
	f->c = NO_SLOT;
	f->d = PKT_NONE;
	return lock_step(s->model, c, f, ML_TMO_LOCK, PC_T_WAIT);
}

V3_STEP step_t_wait(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	const v3_ring *r = &w->v3->ring[f->a];
	uint64_t ns = did(w, c, f, ML_TMO_WAIT, 0);
	/* if (BLOCK_NUM_PKTS(pbd)) while (atomic_read(&pkc->blk_fill_in_prog)) cpu_relax(); */
	if (!v3_blocks(w, f->a)[r->kactive_blk_num].num_pkts || !fills_pending(w, f->a))
		f->pc = PC_T_CHECK;
	return SIM_CONT(ns);
}

V3_STEP step_t_check(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_ring *r = &w->v3->ring[f->a];
	const v3_block *b = &v3_blocks(w, f->a)[r->kactive_blk_num];
	uint64_t ns = did(w, c, f, ML_TMO_CHECK, 0);
	f->pc = PC_T_UNLOCK;            /* refresh_timer */
	if (r->last_kactive_blk_num != r->kactive_blk_num)
		return SIM_CONT(ns);    /* user space / writers moved on: refresh */
	if (!r->reset_pending_on_curr_blk) {
		/* an empty block: just refresh; else prb_retire_current_block(TMO),
		 * which closes only a TP_STATUS_KERNEL block */
		if (b->num_pkts && b->block_status == TP_STATUS_KERNEL)
			f->pc = PC_T_CLOSE;
		else if (b->num_pkts)
			f->pc = PC_T_DISPATCH;
	} else if (!(b->block_status & TP_STATUS_USER)) {
		/* frozen, user space caught up: prb_open_block() thaws (and
		 * refreshes the timer); goto out */
		v3_open_block(w, f->a, c);
		f->pc = PC_T_OUT;
	}
	return SIM_CONT(ns);
}

/* refresh_timer (PC_T_UNLOCK) or out (PC_T_OUT): last_kactive_blk_num =
 * kactive_blk_num; spin_unlock() */
V3_STEP step_t_unlock(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_ring *r = &w->v3->ring[f->a];
	if (f->pc == PC_T_UNLOCK)
		refresh_timer(w, f->a, c);
	r->last_kactive_blk_num = r->kactive_blk_num;
	uint64_t ns = did(w, c, f, ML_TMO_UNLOCK, 0);
	unlock_rq(w, c, f);
	f->pc = PC_RET;
	return SIM_CONT(ns);
}

static const sim_step_fn v3_steps[] = {
	[PC_A] = step_a, [PC_LOOKUP] = step_lookup, [PC_RETIRE] = step_retire,
	[PC_CLOSE] = step_close, [PC_DISPATCH] = step_dispatch, [PC_FILL] = step_fill,
	[PC_F] = step_f, [PC_G] = step_g, [PC_H] = step_h, [PC_I] = step_i,
	[PC_CLEAR] = step_clear, [PC_DROP] = step_drop, [PC_K] = step_k, [PC_RET] = step_ret,
	[PC_T_LOCK] = step_t_lock, [PC_T_WAIT] = step_t_wait, [PC_T_CHECK] = step_t_check,
	[PC_T_CLOSE] = step_close, [PC_T_DISPATCH] = step_dispatch,
	[PC_T_UNLOCK] = step_t_unlock, [PC_T_OUT] = step_t_unlock,
};

static sim_answer v3_step(sim *s, uint32_t c, sim_frame *f)
{
	return SIM_STEP_BY_PC(v3_steps, s, c, f);
}

/* The retire timer expired: the local timer interrupt of the CPU it was
 * queued on raises TIMER_SOFTIRQ, which runs its timer_list. */
void v3_timer_fire(sim *s, uint32_t sock)
{
	world *w = s->model;
	uint32_t cpu = w->v3->ring[sock].timer_cpu;
	w->v3->ring[sock].timer_due = 1;
	sim_raise_irq(s, cpu, w->v3->tick_line[cpu]);
}

/* The local timer interrupt's handler: raise_softirq(TIMER_SOFTIRQ); the
 * softirq runs at irq_exit(). */
static sim_answer tick_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	if (f->pc++)
		return SIM_RET;
	sim_raise_softirq(s, sim_ctx_at(s, c)->cpu, TIMER_SOFTIRQ);
	return SIM_CONT(sim_did(s, c, wl(w, ML_TMO_TICK), 0));
}

/* run_timer_softirq(): each due retire timer of this CPU, in socket order. */
static sim_answer timers_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	uint32_t cpu = sim_ctx_at(s, c)->cpu;
	for (uint32_t i = f->b; i < w->scn->nsockets; i++) {
		v3_ring *r = &w->v3->ring[i];
		if (!v3_socket(&w->scn->sockets[i]) || !r->timer_due || r->timer_cpu != cpu)
			continue;
		r->timer_due = 0;
		f->b = i + 1;
		uint64_t ns = sim_did(s, c, wl(w, ML_TMO_RUN), 0, TK_SOCK, (int64_t)i);
		sim_frame *t = sim_call(s, c, w->v3->fn_rcv);
		t->pc = PC_T_LOCK;
		t->a = i;
		return SIM_CONT(ns);
	}
	return SIM_RET;
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(v3_ring) == 8 * 4 + 6 * 8, "v3_ring has no padding");
_Static_assert(sizeof(v3_block) == 24, "v3_block has no padding");

static int v3_reserve(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	v3_desc *d = w->v3 = calloc(1, sizeof(*d));
	if (!d || !(d->blk_off = calloc(f->nsockets + 1, sizeof(size_t))) ||
	    !(d->frm_off = calloc(f->nsockets + 1, sizeof(size_t))) ||
	    !(d->timer = calloc(f->nsockets + 1, sizeof(uint32_t))) ||
	    !(d->tov_ns = calloc(f->nsockets + 1, sizeof(uint32_t))))
		return world_oom(w, err, errlen);
	int any = 0;
	for (uint32_t i = 0; i < f->nsockets; i++)
		any |= v3_socket(&f->sockets[i]);
	d->off_ring = world_reserve(w, f->nsockets, sizeof(v3_ring));
	if (!any)
		return 0;       /* no V3 ring: no hook, no timer, no irq line */
	d->fn_rcv = sim_add_fn(s, "tpacket_rcv_v3", v3_step);
	d->fn_timers = sim_add_fn(s, "run_timer_softirq", timers_step);
	sim_set_softirq(s, TIMER_SOFTIRQ, d->fn_timers);
	uint16_t fn_tick = sim_add_fn(s, "local_timer_irq", tick_step);
	if (!(d->tick_line = calloc(f->cpus, sizeof(uint32_t))))
		return world_oom(w, err, errlen);
	for (uint32_t c = 0; c < f->cpus; c++)
		d->tick_line[c] = sim_add_irq_line(s, c, fn_tick, c);
	for (uint32_t i = 0; i < f->nsockets; i++) {
		const scn_socket *so = &f->sockets[i];
		if (!v3_socket(so))
			continue;
		d->blk_off[i] = world_reserve(w, so->blocks, sizeof(v3_block));
		d->frm_off[i] = world_reserve(w, ring_slots(so), sizeof(v3_frame));
		/* init_prb_bdqc(): retire_blk_tov = tp_retire_blk_tov, or
		 * prb_calc_retire_blk_tmo(); prb_setup_retire_blk_timer() --
		 * a daemon: it does not keep a run going */
		uint32_t ms = so->retire_ms ? so->retire_ms : v3_calc_retire_blk_tmo(so->block_size);
		d->tov_ns[i] = ms * 1000000u;
		d->timer[i] = sim_add_timer(s, v3_timer_fire, i, 1);
		/* packet_set_ring(): po->prot_hook.func = tpacket_rcv */
		w->rcv[i] = (sock_rcv){ d->fn_rcv, PC_A };
		if (world_check_memory(w, so->pos, "this socket's ring", err, errlen))
			return WORLD_EINPUT;
	}
	return 0;
}

static void v3_bind(world *w) { w->v3->ring = arena_at(&w->s.ar, w->v3->off_ring); }

/* packet_set_ring() -> init_prb_bdqc(): blocks TP_STATUS_KERNEL, block 0
 * opened (which arms the timer), on the CPU of the socket's first reader. */
static void v3_reset(world *w)
{
	const scn_file *f = w->scn;
	for (uint32_t i = 0; i < f->nsockets; i++) {
		if (!v3_socket(&f->sockets[i]))
			continue;
		for (uint32_t c = 0; c < f->nconsumers; c++)
			if (f->consumers[c].socket == i) {
				w->v3->ring[i].timer_cpu = f->consumers[c].cpu;
				break;
			}
		v3_open_block(w, i, SIM_NONE);
	}
}

static void v3_release(world *w)
{
	if (!w->v3)
		return;
	free(w->v3->blk_off);
	free(w->v3->frm_off);
	free(w->v3->timer);
	free(w->v3->tov_ns);
	free(w->v3->tick_line);
	free(w->v3);
}

const model_ops tpacket_v3_ops = { "tpacket_v3", v3_reserve, v3_bind, v3_reset, NULL, v3_release, NULL };
