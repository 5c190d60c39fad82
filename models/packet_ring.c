/* packet_ring.c - the TPACKET_V1/V2 RX ring and tpacket_rcv() as the labelled
 * steps A..K of the seed (docs/scenarios.md, labels), with the two fixes.
 *
 * Frame: a = socket, b = packet size, c = claimed frame, d = packet id,
 * e = the status J will publish.  Runs in the NET_RX softirq.
 */
#include "packet_ring.h"

#include <ck_bitmap.h>
#include <stdlib.h>

#include "locks.h"
#include "ghost.h"
#include "oracle.h"
#include "spinlock.h"

/* Frame c after a drop: no frame is being written. */
#define NO_FRAME UINT32_MAX

enum { PC_A, PC_B, PC_DP, PC_C, PC_D, PC_E, PC_F, PC_G, PC_H, PC_I, PC_J_LOCK, PC_J,
       PC_J_UNLOCK, PC_K, PC_DROP, PC_RET, PC_ROOM, PC_ROOM_HEAD, PC_ROOM_STATUS, PC_ROOM_DROP };

uint16_t ring_first_pc(const scn_file *f) { return f->kernel >= SCN_KERNEL(5, 3) ? PC_ROOM : PC_A; }

static ck_bitmap_t *owner_map(world *w, uint32_t sock)
{
	return arena_at(&w->s.ar, w->bitmap_off[sock]);
}

size_t ring_bitmap_bytes(uint32_t frames) { return ck_bitmap_size(frames); }

void ring_reset(world *w, uint32_t sock)
{
	const scn_socket *so = &w->scn->sockets[sock];
	ring_frame *fr = ring_frames(w, sock);
	for (uint32_t i = 0; i < so->frames; i++)
		fr[i] = (ring_frame){ .status = TP_STATUS_KERNEL };
	/* packet_set_ring(): rx_owner_map = bitmap_alloc(req->tp_frame_nr) */
	ck_bitmap_init(owner_map(w, sock), so->frames, false);
}

uint32_t ring_snaplen(const world *w, uint32_t sock, uint32_t size)
{
	/* tpacket_rcv(): if (macoff + snaplen > frame_size) snaplen = frame_size - macoff */
	uint32_t fs = w->scn->sockets[sock].frame_size;
	uint32_t room = fs > TPACKET_MACOFF ? fs - TPACKET_MACOFF : 0;
	return size < room ? size : room;
}

int ring_poll_readable(world *w, uint32_t sock)
{
	/* packet_poll(): if (!packet_previous_frame(po, &po->rx_ring, TP_STATUS_KERNEL))
	 *     mask |= EPOLLIN;  -- frame head-1 is not TP_STATUS_KERNEL */
	uint32_t n = w->scn->sockets[sock].frames;
	uint32_t head = w->ring[sock].head;
	uint32_t prev = head ? head - 1 : n - 1;
	return ring_frames(w, sock)[prev].status != TP_STATUS_KERNEL;
}

/* Trace only: the ring's frames by state (kernel, being written, user). */
void ring_trace_occupancy_(world *w, uint32_t c, uint32_t sock)
{
	const ring_frame *fr = ring_frames(w, sock);
	int64_t k = 0, wr = 0, u = 0;
	for (uint32_t i = 0; i < w->scn->sockets[sock].frames; i++) {
		if (ghost_writing(w, sock, i))
			wr++;
		else if (fr[i].status & TP_STATUS_USER)
			u++;
		else
			k++;
	}
	sim_note(&w->s, c, wl(w, ML_RING_OCC), TK_SOCK, (int64_t)sock, TK_KERNEL, k, TK_WRITING, wr,
		 TK_USER, u);
}

/* did()'s full path: traced, jittered, watched or explored. */
__attribute__((noinline)) static uint64_t did_full(world *w, uint32_t c, const sim_frame *f,
						    uint32_t label, uint32_t bytes)
{
	int64_t frame = f->c == NO_FRAME ? -1 : (int64_t)f->c;
	return sim_did_full(&w->s, c, label, bytes, TK_SOCK, (int64_t)f->a, TK_FRAME, frame,
			    TK_PKT, (int64_t)f->d, SIM_TK_END);
}

/* A step of writer c; after its claim (C), the stories name it as the step
 * the writer is at.  A context writes one frame at a time, so the label is
 * kept per context, not per claim.  Inline: it is every step's cost. */
static inline uint64_t did(world *w, uint32_t c, const sim_frame *f, enum model_label l, uint32_t bytes)
{
	uint32_t label = wl(w, l);
	if (f->pc > PC_C && f->pc < PC_DROP)
		w->writer_at[c] = label;
	if (sim_did_plain(&w->s, label))
		return sim_did_fast(&w->s, label, bytes);
	return did_full(w, c, f, label, bytes);
}

/* Each step of tpacket_rcv is a function of its own, jumped to from the
 * table in ring_tpacket_rcv_step() by the frame's pc: a step that only
 * updates the ring saves no registers, where one function with a switch
 * over all of them paid the prologue of the steps that call out (the lock,
 * the claim, the wakeup) at every step.  Each takes the step function's
 * arguments, so that the call is a jump. */
#define RING_STEP static __attribute__((noinline)) sim_answer

/* The lock the steps take: sk->sk_receive_queue.lock of socket f->a. */
static inline uint32_t rq_lock(const world *w, const sim_frame *f) { return lock_rq(w->scn, f->a); }

/* __tpacket_has_room(po, pow_off): idx = READ_ONCE(po->rx_ring.head)
 * (+ len >> pow_off, mod len) -- frame index `off` frames past head h. */
static inline uint32_t room_idx(const world *w, uint32_t sock, uint32_t h, uint32_t off)
{
	uint32_t n = w->scn->sockets[sock].frames;
	return h + off >= n ? h + off - n : h + off;
}

/* v5.3+, before the lock: if (__packet_rcv_has_room(po, skb) == ROOM_NONE).
 * __packet_rcv_has_room() calls __tpacket_has_room() twice, each a
 * READ_ONCE of the head then a read of one frame's status, all without the
 * lock: the first at head + frames/4 (ROOM_POW_OFF), then, when that frame
 * is in use, at head itself.  The second is two labelled steps, so that a
 * stall (or --check) can land between its head read and its status read:
 * a writer delayed there while another CPU claims and publishes frame head
 * reads that frame's new status and drops ("full") with frames free. */
RING_STEP step_room(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* if (__tpacket_has_room(po, ROOM_POW_OFF)) ret = ROOM_NORMAL; */
	uint32_t h = w->ring[f->a].head;
	uint32_t q = room_idx(w, f->a, h, w->scn->sockets[f->a].frames >> 2);
	f->c = q;
	uint64_t ns = did(w, c, f, ML_TP_ROOM, 0);
	f->pc = ring_frames(w, f->a)[q].status != TP_STATUS_KERNEL ? PC_ROOM_HEAD : PC_A;
	return SIM_CONT(ns);
}

RING_STEP step_room_head(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* else if (__tpacket_has_room(po, 0)): idx = READ_ONCE(po->rx_ring.head) */
	f->c = w->ring[f->a].head;
	f->pc = PC_ROOM_STATUS;
	return SIM_CONT(did(w, c, f, ML_TP_ROOM_HEAD, 0));
}

RING_STEP step_room_status(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* packet_lookup_frame(po, &po->rx_ring, idx, TP_STATUS_KERNEL): the
	 * status of frame idx, read now (the head may have moved on) */
	uint64_t ns = did(w, c, f, ML_TP_ROOM_STATUS, 0);
	f->pc = ring_frames(w, f->a)[f->c].status != TP_STATUS_KERNEL ? PC_ROOM_DROP : PC_A;
	return SIM_CONT(ns);
}

RING_STEP step_room_drop(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* { atomic_inc(&po->tp_drops); goto drop_n_restore; } */
	uint64_t ns = did(w, c, f, ML_TP_ROOM_DROP, 0);
	w->ring[f->a].tp_drops++;
	w->g->m[SCN_M_DROPS]++;
	w->g->in_hand--;
	f->pc = PC_RET;
	return SIM_CONT(ns);
}

/* spin_lock(&sk->sk_receive_queue.lock) as step `l`, then step `next`. */
static inline sim_answer take_rq_lock(world *w, uint32_t c, sim_frame *f, enum model_label l,
				      uint16_t next)
{
	f->pc = next;
	uint64_t ns = did(w, c, f, l, 0);
	if (!spin_lock_take(w, c, rq_lock(w, f), SPIN_PLAIN))
		return SIM_SPIN;
	return SIM_CONT(ns);
}

RING_STEP step_a(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* A: spin_lock(&sk->sk_receive_queue.lock) -- softirq, plain spin_lock */
	f->c = w->ring[f->a].head;
	return take_rq_lock(w, c, f, ML_TP_A, PC_B);
}

RING_STEP step_b(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* B: h.raw = packet_current_rx_frame(po, skb, TP_STATUS_KERNEL, ...) */
	f->c = w->ring[f->a].head;
	const ring_frame *fr = &ring_frames(w, f->a)[f->c];
	uint64_t ns = did(w, c, f, ML_TP_B, 0);
	if (fr->status != TP_STATUS_KERNEL)
		f->pc = PC_DROP;        /* if (!h.raw) goto drop_n_account: ring full */
	else
		f->pc = w->fix == SCN_FIX_OWNER_MAP ? PC_DP : PC_C;
	return SIM_CONT(ns);
}

RING_STEP step_dp(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* D': if (test_bit(slot_id, rx_owner_map)) goto drop_n_account;
	 *     __set_bit(slot_id, rx_owner_map); */
	uint64_t ns = did(w, c, f, ML_TP_DP, 0);
	if (ck_bitmap_test(owner_map(w, f->a), f->c)) {
		f->pc = PC_DROP;
	} else {
		ck_bitmap_set(owner_map(w, f->a), f->c);
		f->pc = PC_C;
	}
	return SIM_CONT(ns);
}

RING_STEP step_c(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	ring_state *r = &w->ring[f->a];
	/* C: packet_increment_rx_head(po, &po->rx_ring) */
	uint64_t ns = did(w, c, f, ML_TP_C, 0);
	ghost_claim(w, c, f->a, f->c, f->d);
	r->head = r->head + 1 == w->scn->sockets[f->a].frames ? 0 : r->head + 1;
	ring_trace_occupancy(w, c, f->a);
	f->pc = w->fix == SCN_FIX_IN_PROGRESS ? PC_D : PC_E;
	return SIM_CONT(ns);
}

RING_STEP step_d(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* D: __packet_set_status(po, h.raw, TP_STATUS_IN_PROGRESS) (2018 RFC) */
	ring_frames(w, f->a)[f->c].status = TP_STATUS_IN_PROGRESS;
	f->pc = PC_E;
	return SIM_CONT(did(w, c, f, ML_TP_D, 0));
}

RING_STEP step_e(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	ring_state *r = &w->ring[f->a];
	/* E: if (atomic_read(&po->tp_drops)) status |= TP_STATUS_LOSING;
	 * po->stats.stats1.tp_packets++ -- published frames only: the drops
	 * are added when PACKET_STATISTICS is read ("LOSING will be reported
	 * till you read the stats, because it's COR - Clear On Read"). */
	r->tp_packets++;
	f->e = TP_STATUS_USER | (r->tp_drops ? TP_STATUS_LOSING : 0);
	f->pc = PC_F;
	return SIM_CONT(did(w, c, f, ML_TP_E, 0));
}

RING_STEP step_f(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* F: spin_unlock(&sk->sk_receive_queue.lock) -- the race window opens */
	ghost_unlock(w, c, f->a, f->c);
	uint64_t ns = did(w, c, f, ML_TP_F, 0);
	spin_lock_release(w, c, rq_lock(w, f), SPIN_PLAIN);
	f->pc = PC_G;
	return SIM_CONT(ns);
}

RING_STEP step_g(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* G: skb_copy_bits(skb, 0, h.raw + macoff, snaplen) */
	ring_frame *fr = &ring_frames(w, f->a)[f->c];
	fr->snaplen = ring_snaplen(w, f->a, f->b);
	ghost_copy(w, c, f->a, f->c, f->d);
	f->pc = PC_H;
	return SIM_CONT(did(w, c, f, ML_TP_G, fr->snaplen));
}

RING_STEP step_h(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* H: the copy is done; timestamp and header (tp_len, tp_snaplen, tp_sec...) */
	ghost_copy_done(w, f->a, f->c, f->d);
	f->pc = PC_I;
	return SIM_CONT(did(w, c, f, ML_TP_H, 0));
}

RING_STEP step_i(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* I: smp_mb() */
	f->pc = w->fix == SCN_FIX_OWNER_MAP ? PC_J_LOCK : PC_J;
	return SIM_CONT(did(w, c, f, ML_TP_I, 0));
}

RING_STEP step_j_lock(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* owner_map: spin_lock(&sk->sk_receive_queue.lock) before publishing */
	return take_rq_lock(w, c, f, ML_TP_J_LOCK, PC_J);
}

RING_STEP step_j(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* J: __packet_set_status(po, h.raw, status | TP_STATUS_USER) */
	ring_frame *fr = &ring_frames(w, f->a)[f->c];
	uint64_t ns = did(w, c, f, ML_TP_J, 0);
	fr->status = (uint32_t)f->e;
	ghost_publish(w, c, f->a, f->c);
	if (w->fix == SCN_FIX_OWNER_MAP) {
		/* __clear_bit(slot_id, po->rx_ring.rx_owner_map) */
		ck_bitmap_reset(owner_map(w, f->a), f->c);
		f->pc = PC_J_UNLOCK;
	} else {
		f->pc = PC_K;
	}
	w->g->m[SCN_M_DELIVERED]++;
	w->g->in_hand--;
	ring_trace_occupancy(w, c, f->a);
	return SIM_CONT(ns);
}

RING_STEP step_j_unlock(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	uint64_t ns = did(w, c, f, ML_TP_J_UNLOCK, 0);
	spin_lock_release(w, c, rq_lock(w, f), SPIN_PLAIN);
	f->pc = PC_K;
	return SIM_CONT(ns);
}

RING_STEP step_k(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* K: sk->sk_data_ready(sk) -> sock_def_readable(): wake the poller.
	 * drop_n_account calls it too.  (From v5.3, `kernel 5.3`, a full ring
	 * is dropped earlier, at step_room, with no lock and no wakeup.) */
	uint64_t ns = did(w, c, f, ML_TP_K, 0);
	sim_wake_one(s, w->data_wq[f->a], w->s.labels[wl(w, ML_CS_WAKE)].cost_ns);
	f->pc = PC_RET;
	return SIM_CONT(ns);
}

RING_STEP step_drop(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* drop_n_account: spin_unlock(); atomic_inc(&po->tp_drops); head unchanged */
	uint64_t ns = sim_did(s, c, wl(w, ML_TP_DROP), 0, TK_SOCK, (int64_t)f->a, TK_FRAME, (int64_t)f->c,
			      TK_PKT, (int64_t)f->d);
	spin_lock_release(w, c, rq_lock(w, f), SPIN_PLAIN);
	w->ring[f->a].tp_drops++;
	w->g->m[SCN_M_DROPS]++;
	w->g->in_hand--;
	/* ... then sk->sk_data_ready(sk), as after a publish: K */
	f->c = NO_FRAME;
	f->pc = PC_K;
	return SIM_CONT(ns);
}

RING_STEP step_ret(sim *s, uint32_t c, sim_frame *f)
{
	(void)s;
	(void)c;
	(void)f;
	return SIM_RET;
}

static const sim_step_fn ring_steps[] = {
	[PC_A] = step_a, [PC_B] = step_b, [PC_DP] = step_dp, [PC_C] = step_c, [PC_D] = step_d,
	[PC_E] = step_e, [PC_F] = step_f, [PC_G] = step_g, [PC_H] = step_h, [PC_I] = step_i,
	[PC_J_LOCK] = step_j_lock, [PC_J] = step_j, [PC_J_UNLOCK] = step_j_unlock, [PC_K] = step_k,
	[PC_DROP] = step_drop, [PC_RET] = step_ret, [PC_ROOM] = step_room,
	[PC_ROOM_HEAD] = step_room_head, [PC_ROOM_STATUS] = step_room_status,
	[PC_ROOM_DROP] = step_room_drop,
};

sim_answer ring_tpacket_rcv_step(sim *s, uint32_t c, sim_frame *f)
{
	return SIM_STEP_BY_PC(ring_steps, s, c, f);
}

/* --check's partial-order reduction (sim_set_fn_local): the steps that
 * touch only the writer's frame, or data that only the holder of
 * sk_receive_queue.lock reaches, with nothing the oracle sees:
 *  - I, smp_mb(): nothing but the frame's pc;
 *  - D', owner_map: rx_owner_map is tested and set here and cleared at J,
 *    both under the lock (J_lock);
 *  - E: tp_packets++ and the read of tp_drops, under the lock.  Before
 *    v5.3 every other access to them is under it too (drop_n_account's
 *    tp_drops++ is one step with its unlock, PACKET_STATISTICS takes the
 *    lock); from v5.3 room_drop and getsockopt touch the atomic tp_drops
 *    without it, and E is not local;
 *  - G and H, owner_map only: the copy into the frame and its header.  The
 *    writer set the frame's rx_owner_map bit at D' and only its own J
 *    clears it, so no other writer claims the frame meanwhile (D' sends
 *    it to drop_n_account); its status stays TP_STATUS_KERNEL until that J,
 *    so no reader reads it (packet_poll and the readers read the status
 *    word, never the bytes G and H write).  Without the bitmap a wrapped
 *    claim takes the frame under the copy (none) or a nonzero reader reads
 *    it (in_progress): there G and H race, and are not local (the check
 *    suite's POR test fails when they are said to be);
 *  - B, owner_map, when the head frame reads TP_STATUS_KERNEL: B reads
 *    the head and that status under the lock.  The head moves only under
 *    it (C), J writes a status only under it (J_lock), and the reader's
 *    release writes TP_STATUS_KERNEL only into a frame it read, one with
 *    TP_STATUS_USER: a KERNEL status cannot change while B's writer holds
 *    the lock.  (A USER head frame may be handed back meanwhile: then B
 *    races the release and is not local; without the bitmap J writes the
 *    status without the lock.)
 *  - C, owner_map, before v5.3: the head moves under the lock and only
 *    lock holders read it (from v5.3 the room check reads it without); the
 *    claim's ghost bookkeeping is the frame's, which its rx_owner_map bit
 *    (set at D') gives to this writer alone;
 *  - F and J_unlock, owner_map, when nobody waits for the lock: a release
 *    is a left mover (Lipton).  No other context holds the lock, so the
 *    only steps it does not commute with are attempts to take it, and an
 *    attempt before the release (the attempter spins, the release hands
 *    it the lock) reaches the state the attempt after it does (it takes
 *    the lock at once): the same owner, an empty queue, the attempter at
 *    its next step; the hand-off's wait and hold times are accounting.
 *    With a waiter the release picks who gets the lock: a choice, not
 *    local.  The steps between A and F (B, D', C, E) and between J_lock
 *    and J_unlock (J) are then one transition with the acquisition, or
 *    two: the critical section taken at once. */
static int ring_local(const sim *s, uint32_t c, const sim_frame *f)
{
	(void)c;
	const world *w = s->model;
	if (w->fix == SCN_FIX_OWNER_MAP) {
		if (f->pc == PC_G || f->pc == PC_H)
			return 1;
		if (f->pc == PC_C)
			return w->scn->kernel < SCN_KERNEL(5, 3);
		if (f->pc == PC_B)
			return ring_frames((world *)w, f->a)[w->ring[f->a].head].status ==
			       TP_STATUS_KERNEL;
		if (f->pc == PC_F || f->pc == PC_J_UNLOCK)
			return w->spin[rq_lock(w, f)].nwait == 0;
	}
	return f->pc == PC_I || f->pc == PC_DP ||
	       (f->pc == PC_E && w->scn->kernel < SCN_KERNEL(5, 3));
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(ring_frame) == 8, "ring_frame has no padding");

static int packet_ring_reserve(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	w->fn_tpacket_rcv = sim_add_fn(s, "tpacket_rcv", ring_tpacket_rcv_step);
	sim_set_fn_local(s, w->fn_tpacket_rcv, ring_local);
	w->frame_off = calloc(f->nsockets + 1, sizeof(size_t));
	w->bitmap_off = calloc(f->nsockets + 1, sizeof(size_t));
	if (!w->frame_off || !w->bitmap_off)
		return world_oom(w, err, errlen);
	w->off_ring = world_reserve(w, f->nsockets, sizeof(ring_state));
	w->off_writer_at = world_reserve(w, world_nctx(w), sizeof(uint32_t));
	for (size_t i = 0; i < f->nsockets; i++) {
		const scn_socket *so = &f->sockets[i];
		int v12 = so->type == SCN_SOCK_PACKET && so->version < 3;  /* V3: tpacket_v3.c */
		uint32_t frames = v12 ? so->frames : 1;
		w->frame_off[i] = arena_reserve(&s->ar, (size_t)frames * sizeof(ring_frame), 8);
		w->bitmap_off[i] = arena_reserve(&s->ar, ring_bitmap_bytes(frames), 8);
		/* packet_set_ring(): po->prot_hook.func = tpacket_rcv; from v5.3
		 * its first step is the lockless room check */
		if (v12)
			w->rcv[i] = (sock_rcv){ w->fn_tpacket_rcv, ring_first_pc(f) };
		if (world_check_memory(w, so->pos, "this socket's ring", err, errlen))
			return WORLD_EINPUT;
	}
	return 0;
}

static void packet_ring_bind(world *w)
{
	w->ring = arena_at(&w->s.ar, w->off_ring);
	w->writer_at = arena_at(&w->s.ar, w->off_writer_at);
}

static void packet_ring_reset(world *w)
{
	for (uint32_t i = 0; i < world_nctx(w); i++)
		w->writer_at[i] = SIM_NONE;
	for (uint32_t i = 0; i < w->scn->nsockets; i++)
		if (w->scn->sockets[i].type == SCN_SOCK_PACKET && w->scn->sockets[i].version < 3)
			ring_reset(w, i);
}

static void packet_ring_release(world *w)
{
	free(w->frame_off);
	free(w->bitmap_off);
}

/* writer_at: the step each writer reached, for the stories only */
static void packet_ring_canon(const world *w, unsigned char *copy)
{
	memset(WORLD_IN_COPY(w, copy, w->writer_at), 0, world_nctx(w) * sizeof(uint32_t));
}

const model_ops packet_ring_ops = { "packet_ring", packet_ring_reserve, packet_ring_bind,
				    packet_ring_reset, NULL, packet_ring_release, packet_ring_canon };
