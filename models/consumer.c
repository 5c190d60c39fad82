/* consumer.c - the ring reader.  Frame: a = consumer index, b = socket. */
#include "consumer.h"

#include "oracle.h"
#include "packet_ring.h"
#include "spinlock.h"

enum { PC_CHECK, PC_READ, PC_RELEASE, PC_POLL, PC_WOKEN };

static int ready(const world *w, uint32_t cons, uint32_t status)
{
	if (w->scn->consumers[cons].check == SCN_CHECK_USER_BIT)
		return (status & TP_STATUS_USER) != 0;     /* packet_mmap.txt: at least TP_STATUS_USER */
	return status != TP_STATUS_KERNEL;                 /* libpcap: non-zero means the user can read */
}

/* The reader looks at what it read: exactly one packet, or not. */
static void verify(world *w, uint32_t c, consumer_state *cs, ring_frame *fr)
{
	uint32_t cpu = sim_ctx_at(&w->s, c)->cpu;
	uint32_t label = wl(w, ML_CS_READ);
	w->g->m[SCN_M_CONSUMED]++;
	int what = -1;
	if (fr->mixed || fr->copying || cs->gen_at_read != fr->gen)
		what = W_CORRUPT_MIX;
	else if (fr->data_pkt == PKT_NONE || fr->hdr_pkt != fr->data_pkt)
		what = fr->data_pkt == PKT_NONE ? W_CORRUPT_STALE : W_CORRUPT_HDR;
	else if (fr->sum != pkt_sum(w, fr->data_pkt))
		what = W_CORRUPT_MIX;
	else if (fr->data_consumed)
		what = W_CORRUPT_DUP;
	if (what < 0) {
		w->g->consumed_intact++;
		fr->data_consumed = 1;
		return;
	}
	w->g->m[SCN_M_CORRUPT]++;
	if (oracle_first(w, STORY_CORRUPT)) {
		if (fr->cur.pkt != PKT_NONE)
			oracle_add_at(w, STORY_CORRUPT, fr->cur.at, fr->cur.ctx, fr->cur.cpu,
				      wl(w, ML_TP_C), W_CLAIM, cs->idx, fr->cur.pkt, 0);
		oracle_add(w, STORY_CORRUPT, c, cpu, label, (uint32_t)what, cs->idx, fr->hdr_pkt,
			   fr->data_pkt);
	}
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
	world *w = s->model;
	/* do_poll(): woken, poll() runs packet_poll() again and returns
	 * only when it says readable; else it sleeps again. */
	if (!ring_poll_readable(w, f->b)) {
		sim_did(s, c, wl(w, ML_CS_POLL), 0, TK_FRAME, (int64_t)w->cons[f->a].idx);
		return SIM_SLEEP(w->data_wq[f->b]);
	}
	/* back in user space, it looks at its frame */
	return step_check(s, c, f);
}

CONSUMER_STEP step_read(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	const ring_frame *fr = &ring_frames(w, f->b)[cs->idx];
	/* Read the frame; a writer that has not reached J is a partial read. */
	cs->futile = 0;
	if (fr->owners) {
		w->g->m[SCN_M_CONSUMER_PARTIAL]++;
		if (oracle_first(w, STORY_PARTIAL)) {
			const claim_rec *o = &fr->cur;
			oracle_add_at(w, STORY_PARTIAL, o->at, o->ctx, o->cpu, wl(w, ML_TP_C),
				      W_CLAIM, cs->idx, o->pkt, 0);
			if (w->fix == SCN_FIX_IN_PROGRESS)
				oracle_add_at(w, STORY_PARTIAL, o->at, o->ctx, o->cpu, wl(w, ML_TP_D),
					      W_IN_PROGRESS, cs->idx, o->pkt, 0);
			oracle_add(w, STORY_PARTIAL, c, 0, wl(w, ML_CS_CHECK), W_PARTIAL, cs->idx,
				   o->pkt, fr->status);
			oracle_add(w, STORY_PARTIAL, o->ctx, 0, w->writer_at[o->ctx], W_WRITER_AT, cs->idx,
				   o->pkt, 0);
		}
	}
	cs->gen_at_read = fr->gen;
	f->pc = PC_RELEASE;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_READ), fr->snaplen, TK_FRAME, (int64_t)cs->idx,
			      TK_PKT, (int64_t)fr->hdr_pkt);
	if (w->scn->consumers[f->a].has_cost)
		ns = w->scn->consumers[f->a].cost_ns;   /* the scenario's per-frame cost */
	return SIM_CONT(ns);
}

CONSUMER_STEP step_release(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	ring_frame *fr = &ring_frames(w, f->b)[cs->idx];
	/* The bytes are checked when the read ends; then tp_status = TP_STATUS_KERNEL. */
	verify(w, c, cs, fr);
	if ((fr->status & TP_STATUS_USER) && fr->owners == 0 && fr->data_pkt != PKT_NONE &&
	    !fr->data_consumed && oracle_first(w, STORY_LOST) && w->g->first_lost_pkt == PKT_NONE) {
		/* Handing back a frame that was published after it was read. */
		w->g->first_lost_pkt = fr->data_pkt;
		w->g->first_lost_by = PKT_NONE;
		w->g->first_lost_at = sim_now(s);
		w->g->first_lost_cpu = sim_ctx_at(s, c)->cpu;
		w->g->first_lost_frame = cs->idx;
	}
	fr->status = TP_STATUS_KERNEL;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_RELEASE), 0, TK_FRAME, (int64_t)cs->idx);
	ring_trace_occupancy(w, c, f->b);
	cs->idx = cs->idx + 1 == w->scn->sockets[f->b].frames ? 0 : cs->idx + 1;
	f->pc = PC_CHECK;
	return SIM_CONT(ns);
}

CONSUMER_STEP step_poll(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	consumer_state *cs = &w->cons[f->a];
	/* poll(): packet_poll() */
	uint64_t ns = sim_did(s, c, wl(w, ML_CS_POLL), 0, TK_FRAME, (int64_t)cs->idx);
	if (ring_poll_readable(w, f->b) && cs->futile < CONSUMER_FUTILE_POLLS) {
		/* Readable, but our frame is not ready: poll returns at once and
		 * the reader looks again -- it spins. */
		cs->futile++;
		cs->spins++;
		f->pc = PC_CHECK;
		return SIM_CONT(ns);
	}
	cs->futile = 0;
	spin_might_sleep(w, c, wl(w, ML_CS_POLL));
	f->pc = PC_WOKEN;
	return SIM_SLEEP(w->data_wq[f->b]);
}

static const sim_step_fn consumer_steps[] = {
	[PC_CHECK] = step_check, [PC_READ] = step_read, [PC_RELEASE] = step_release,
	[PC_POLL] = step_poll, [PC_WOKEN] = step_woken,
};

sim_answer consumer_step(sim *s, uint32_t c, sim_frame *f)
{
	if (f->pc < sizeof consumer_steps / sizeof consumer_steps[0])
		return consumer_steps[f->pc](s, c, f);
	return SIM_RET;
}

/* ---- the model's life cycle (world.h) ---- */

static int consumer_reserve(world *w, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	w->fn_consumer = sim_add_fn(&w->s, "consumer", consumer_step);
	w->off_cons = world_reserve(w, w->scn->nconsumers, sizeof(consumer_state));
	return 0;
}

static void consumer_bind(world *w) { w->cons = arena_at(&w->s.ar, w->off_cons); }

/* The readers start at 0, after the scenario's tasks (their ctx ids). */
static void consumer_reset(world *w)
{
	const scn_file *f = w->scn;
	for (uint32_t i = 0; i < f->nconsumers; i++) {
		sim_frame *fr = sim_task_start(&w->s, w->nsctasks + i, w->fn_consumer, 0);
		fr->a = i;
		fr->b = f->consumers[i].socket;
	}
}

const model_ops consumer_ops = { "consumer", consumer_reserve, consumer_bind, consumer_reset, NULL,
				 NULL };
