/* consumer.c - the ring reader.  Frame: a = consumer index, b = socket. */
#include "consumer.h"

#include "ghost.h"
#include "locks.h"
#include "oracle.h"
#include "packet_ring.h"
#include "spinlock.h"

enum { PC_CHECK, PC_READ, PC_RELEASE, PC_POLL, PC_WOKEN, PC_STATS_LOCK, PC_STATS_CLEAR, PC_STATS_DROPS,
       PC_POLL_LOCK, PC_POLL_UNLOCK, PC_POLL_DONE };

static int ready(const world *w, uint32_t cons, uint32_t status)
{
	if (w->scn->consumers[cons].check == SCN_CHECK_USER_BIT)
		return (status & TP_STATUS_USER) != 0;     /* packet_mmap.txt: at least TP_STATUS_USER */
	return status != TP_STATUS_KERNEL;                 /* libpcap: non-zero means the user can read */
}

/* Each step is a function of its own, jumped to from the table in
 * consumer_step() by the frame's pc, as tpacket_rcv's are (packet_ring.c):
 * a step pays only for the registers it needs. */
#define CONSUMER_STEP static __attribute__((noinline)) sim_answer

CONSUMER_STEP step_check(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	const consumer_state *cs = &w->cons[f->a];
	const ring_frame *fr = &ring_frames(w, f->b)[cs->idx];
	/* while (frame[idx].tp_status says ready) ... */
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_CHECK), 0, TK_FRAME, (int64_t)cs->idx,
			      TK_STATUS, (int64_t)fr->status);
	f->pc = ready(w, f->a, fr->status) ? PC_READ : PC_POLL;
	return SIM_CONT(ns);
}

CONSUMER_STEP step_woken(sim *s, uint32_t c, sim_frame *f)
{
	(void)s;
	(void)c;
	/* do_poll(): woken, poll() runs packet_poll() again and returns
	 * only when it says readable; else it sleeps again. */
	f->c = 1;
	f->pc = PC_POLL_LOCK;
	return SIM_NEXT;
}

/* packet_poll(): spin_lock_bh(&sk->sk_receive_queue.lock) -- the reader
 * contends with the writers' A (and owner_map's J_lock). */
CONSUMER_STEP step_poll_lock(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	uint32_t lock = lock_rq(w->scn, f->b);
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_POLL_LOCK), 0, TK_LOCK, (int64_t)lock);
	f->pc = PC_POLL_UNLOCK;
	if (!spin_lock_take(w, c, lock, SPIN_BH))
		return SIM_SPIN;
	return SIM_CONT(ns);
}

/* packet_poll(): readable unless packet_previous_rx_frame() is
 * TP_STATUS_KERNEL; spin_unlock_bh(). */
CONSUMER_STEP step_poll_unlock(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	f->d = (uint64_t)ring_poll_readable(w, f->b);
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_POLL_UNLOCK), 0, TK_FRAME, (int64_t)w->cons[f->a].idx);
	spin_lock_release(w, c, lock_rq(w->scn, f->b), SPIN_BH);
	f->pc = PC_POLL_DONE;
	return SIM_CONT(ns);
}

CONSUMER_STEP step_read(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	const ring_frame *fr = &ring_frames(w, f->b)[cs->idx];
	/* Read the frame (the oracle sees what was read: a writer that has not
	 * reached J makes it a partial read). */
	cs->futile = 0;
	if (fr->status & TP_STATUS_LOSING)
		cs->losing++;
	uint64_t hdr_pkt = ghost_read(w, c, f->a, f->b, cs->idx, fr->status);
	f->pc = PC_RELEASE;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_READ), fr->snaplen, TK_FRAME, (int64_t)cs->idx,
			      TK_PKT, (int64_t)hdr_pkt);
	if (w->scn->consumers[f->a].has_cost)
		ns = w->scn->consumers[f->a].cost_ns;   /* the scenario's per-frame cost */
	return SIM_CONT(ns);
}

CONSUMER_STEP step_release(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	ring_frame *fr = &ring_frames(w, f->b)[cs->idx];
	/* The bytes are checked when the read ends (the oracle: intact, or
	 * corrupt; a frame published after it was read is lost by the hand-back);
	 * then tp_status = TP_STATUS_KERNEL. */
	ghost_consume(w, c, f->a, f->b, cs->idx, fr->status);
	fr->status = TP_STATUS_KERNEL;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_RELEASE), 0, TK_FRAME, (int64_t)cs->idx);
	ring_trace_occupancy(w, c, f->b);
	cs->idx = cs->idx + 1 == w->scn->sockets[f->b].frames ? 0 : cs->idx + 1;
	uint64_t every = w->scn->consumers[f->a].stats_every;
	f->pc = every && ++cs->since_stats >= every ? PC_STATS_LOCK : PC_CHECK;
	return SIM_CONT(ns);
}

/* getsockopt(SOL_PACKET, PACKET_STATISTICS) -> packet_getsockopt() */
CONSUMER_STEP step_stats_lock(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* spin_lock_bh(&sk->sk_receive_queue.lock) */
	f->pc = PC_STATS_CLEAR;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_STATS_LOCK), 0);
	if (!spin_lock_take(w, c, lock_rq(w->scn, f->b), SPIN_BH))
		return SIM_SPIN;
	return SIM_CONT(ns);
}

CONSUMER_STEP step_stats_clear(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	ring_state *r = &w->ring[f->b];
	/* memcpy(&st, &po->stats, sizeof(st)); memset(&po->stats, 0, sizeof(po->stats));
	 * spin_unlock_bh(&sk->sk_receive_queue.lock).  Before v5.3 tp_drops
	 * is in po->stats too (cleared here, under the lock); from v5.3 it
	 * is the atomic po->tp_drops, taken next. */
	cs->stats_reads++;
	cs->stats_packets += r->tp_packets;
	r->tp_packets = 0;
	int atomic_drops = w->scn->kernel >= SCN_KERNEL(5, 3);
	if (!atomic_drops) {
		cs->stats_packets += r->tp_drops;   /* st.stats1.tp_packets += st.stats1.tp_drops */
		cs->stats_drops += r->tp_drops;
		r->tp_drops = 0;
	}
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_STATS_CLEAR), 0, TK_SOCK, (int64_t)f->b);
	spin_lock_release(w, c, lock_rq(w->scn, f->b), SPIN_BH);
	cs->since_stats = 0;
	f->pc = atomic_drops ? PC_STATS_DROPS : PC_CHECK;
	return SIM_CONT(ns);
}

CONSUMER_STEP step_stats_drops(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	ring_state *r = &w->ring[f->b];
	/* v5.3+: drops = atomic_xchg(&po->tp_drops, 0); st.stats1.tp_drops = drops;
	 * st.stats1.tp_packets += drops -- TP_STATUS_LOSING stops with it */
	cs->stats_packets += r->tp_drops;
	cs->stats_drops += r->tp_drops;
	r->tp_drops = 0;
	f->pc = PC_CHECK;
	return SIM_CONT(sim_did(s, c, wl(w, ML_CS_STATS_DROPS), 0, TK_SOCK, (int64_t)f->b));
}

CONSUMER_STEP step_poll(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* poll(): the syscall, then packet_poll() */
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_POLL), 0, TK_FRAME, (int64_t)w->cons[f->a].idx);
	f->c = 0;
	f->pc = PC_POLL_LOCK;
	return SIM_CONT(ns);
}

/* What packet_poll() said: back to user space, or sleep in do_poll(). */
CONSUMER_STEP step_poll_done(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	if (f->c) {
		/* woken: readable returns to user space, else sleep again */
		if (f->d)
			return step_check(s, c, f);
		f->pc = PC_WOKEN;
		return SIM_SLEEP(w->data_wq[f->b]);
	}
	if (f->d && cs->futile < w->futile_polls) {
		/* Readable, but our frame is not ready: poll returns at once and
		 * the reader looks again -- it spins. */
		cs->futile++;
		cs->spins++;
		f->pc = PC_CHECK;
		return SIM_NEXT;
	}
	cs->futile = 0;
	spin_might_sleep(w, c, wl(w, ML_CS_POLL));
	f->pc = PC_WOKEN;
	return SIM_SLEEP(w->data_wq[f->b]);
}

static const sim_step_fn consumer_steps[] = {
	[PC_CHECK] = step_check, [PC_READ] = step_read, [PC_RELEASE] = step_release,
	[PC_POLL] = step_poll, [PC_WOKEN] = step_woken, [PC_STATS_LOCK] = step_stats_lock,
	[PC_STATS_CLEAR] = step_stats_clear, [PC_STATS_DROPS] = step_stats_drops,
	[PC_POLL_LOCK] = step_poll_lock, [PC_POLL_UNLOCK] = step_poll_unlock, [PC_POLL_DONE] = step_poll_done,
};

sim_answer consumer_step(sim *s, uint32_t c, sim_frame *f)
{
	return SIM_STEP_BY_PC(consumer_steps, s, c, f);
}

/* --check's partial-order reduction (sim_set_fn_local): consumer:poll,
 * the syscall's way in, touches only the reader's frame.  With owner_map,
 * consumer:read of a frame whose status has TP_STATUS_USER: its writer
 * published it at J and has let it go, no writer claims it until the
 * reader's release hands it back (B wants TP_STATUS_KERNEL), and nothing
 * but the reader writes its status meanwhile -- the bytes read are the
 * reader's alone.  (Without the bitmap a writer that claimed the frame a
 * lap earlier may still be copying into it: the read races.) */
static int consumer_local(const sim *s, uint32_t c, const sim_frame *f)
{
	(void)c;
	world *w = s->model;
	if (f->pc == PC_READ && w->fix == SCN_FIX_OWNER_MAP) {
		const consumer_state *cs = &w->cons[f->a];
		return (ring_frames(w, f->b)[cs->idx].status & TP_STATUS_USER) != 0;
	}
	return f->pc == PC_POLL;
}

/* ---- the model's life cycle (world.h) ---- */

static int consumer_reserve(world *w, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	w->fn_consumer = sim_add_fn(&w->s, "consumer", consumer_step);
	sim_set_fn_local(&w->s, w->fn_consumer, consumer_local);
	w->off_cons = world_reserve(w, w->scn->nconsumers, sizeof(consumer_state));
	return 0;
}

static void consumer_bind(world *w) { w->cons = arena_at(&w->s.ar, w->off_cons); }

/* The readers start at 0, after the scenario's tasks (their ctx ids). */
static void consumer_reset(world *w)
{
	const scn_file *f = w->scn;
	for (uint32_t i = 0; i < f->nconsumers; i++) {
		if (f->sockets[f->consumers[i].socket].version == 3)
			continue;       /* consumer_v3.c reads V3 rings */
		sim_frame *fr = sim_task_start(&w->s, w->nsctasks + i, w->fn_consumer, 0);
		fr->a = i;
		fr->b = f->consumers[i].socket;
	}
}

/* spins: futile polls in all, a statistic (`futile` is read again).  And
 * what a V1/V2 reader's frame holds that no later step reads: poll()'s
 * "woken" flag (c) outside the poll (set by step_poll or step_woken, read
 * by step_poll_done), its "readable" (d) but at step_poll_done, and the
 * frame's write count taken at the read (ghost's read_gen) but between
 * the read and the release that compares it. */
static void consumer_canon(const world *w, unsigned char *copy)
{
	for (size_t i = 0; i < w->scn->nconsumers; i++) {
		((consumer_state *)WORLD_IN_COPY(w, copy, &w->cons[i]))->spins = 0;
		if (w->scn->sockets[w->scn->consumers[i].socket].version == 3)
			continue;       /* consumer_v3.c's */
		const sim_ctx *x = &w->s.ctx[w->nsctasks + i];
		if (x->depth != 1 || x->f[0].fn != w->fn_consumer)
			continue;
		sim_frame *f = &((sim_ctx *)WORLD_IN_COPY(w, copy, x))->f[0];
		uint16_t pc = x->f[0].pc;
		if (pc != PC_POLL_LOCK && pc != PC_POLL_UNLOCK && pc != PC_POLL_DONE)
			f->c = 0;
		if (pc != PC_POLL_DONE)
			f->d = 0;
		if (pc != PC_RELEASE)
			*(uint64_t *)WORLD_IN_COPY(w, copy, &w->read_gen[i]) = 0;
	}
}

const model_ops consumer_ops = { "consumer", consumer_reserve, consumer_bind, consumer_reset, NULL,
				 NULL, consumer_canon };
