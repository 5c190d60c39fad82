/* ghost.c - see ghost.h.  The oracle's per-frame and per-reader records. */
#include "ghost.h"

#include <stdlib.h>

#include "consumer.h"
#include "oracle.h"
#include "packet_ring.h"
#include "tpacket_v3.h"

_Static_assert(sizeof(claim_rec) == 40, "claim_rec has no padding");
_Static_assert(sizeof(ring_ghost) == 48 + 2 * 40, "ring_ghost has no padding");

int ghost_waiting(world *w, uint32_t sock, uint32_t frame, uint32_t status)
{
	const ring_ghost *g = ghost_frame(w, sock, frame);
	return (status & TP_STATUS_USER) && g->data_pkt != PKT_NONE && !g->mixed && !g->copying &&
	       !g->owners && g->hdr_pkt == g->data_pkt && !g->data_consumed &&
	       g->sum == pkt_sum(w, g->data_pkt);
}

/* The story of an overrun: the earlier claim, its unlock, a stall that kept
 * its writer from publishing, the wrap, the second claim, where the first
 * writer is. */
static void overrun_story(world *w, uint32_t c, uint32_t frame, uint64_t pkt, const claim_rec *o)
{
	sim *s = &w->s;
	oracle_add_at(w, STORY_OVERRUN, o->at, o->ctx, o->cpu, wl(w, ML_TP_C), W_CLAIM, frame, o->pkt, 0);
	if (o->unlock_at != UINT64_MAX)
		oracle_add_at(w, STORY_OVERRUN, o->unlock_at, o->ctx, o->cpu, wl(w, ML_TP_F), W_UNLOCK,
			      frame, o->pkt, 0);
	const stall_note *sn = &w->stall[o->cpu];
	if (sn->for_ns && sn->from + sn->for_ns > o->at && sn->from <= sim_now(s))
		oracle_add_at(w, STORY_OVERRUN, sn->from, SIM_NONE, o->cpu, SIM_NONE, W_STALL, 0, 0,
			      sn->for_ns);
	oracle_add(w, STORY_OVERRUN, SIM_NONE, sim_ctx_at(s, c)->cpu, SIM_NONE, W_WRAP, frame, 0,
		   w->g->claims - 1 - o->seq);
	oracle_add(w, STORY_OVERRUN, c, 0, wl(w, ML_TP_C), W_OVERRUN, frame, pkt, o->cpu);
	oracle_add(w, STORY_OVERRUN, o->ctx, 0, w->writer_at[o->ctx], W_WRITER_AT, frame, o->pkt, 0);
}

/* C on a frame another writer still owns: the overrun (ghost_claim). */
void ghost_overrun_(world *w, uint32_t c, uint32_t sock, uint32_t frame, uint64_t pkt)
{
	ring_ghost *g = ghost_frame(w, sock, frame);
	w->g->m[SCN_M_OVERRUN]++;
	sim_note(&w->s, c, wl(w, ML_OR_OVERRUN), TK_SOCK, (int64_t)sock, TK_FRAME, (int64_t)frame,
		 TK_PKT, (int64_t)pkt, TK_OWNER_PKT, (int64_t)g->cur.pkt);
	if (oracle_first(w, STORY_OVERRUN))
		overrun_story(w, c, frame, pkt, &g->cur);
	g->prev = g->cur;
}

/* G overwrites the unread bytes of packet `lost`: remember it for the `lost`
 * story (the count comes from the end-of-run balance). */
void ghost_lost_(world *w, uint32_t c, uint32_t frame, uint64_t lost, uint64_t by)
{
	w->g->first_lost_pkt = lost;
	w->g->first_lost_by = by;
	w->g->first_lost_at = sim_now(&w->s);
	w->g->first_lost_cpu = sim_ctx_at(&w->s, c)->cpu;
	w->g->first_lost_frame = frame;
}

uint64_t ghost_read(world *w, uint32_t c, uint32_t cons, uint32_t sock, uint32_t frame,
		    uint32_t status)
{
	const ring_ghost *g = ghost_frame(w, sock, frame);
	/* A writer that has not reached J: a partial read. */
	if (g->owners) {
		w->g->m[SCN_M_CONSUMER_PARTIAL]++;
		if (oracle_first(w, STORY_PARTIAL)) {
			const claim_rec *o = &g->cur;
			oracle_add_at(w, STORY_PARTIAL, o->at, o->ctx, o->cpu, wl(w, ML_TP_C), W_CLAIM,
				      frame, o->pkt, 0);
			if (w->fix == SCN_FIX_IN_PROGRESS)
				oracle_add_at(w, STORY_PARTIAL, o->at, o->ctx, o->cpu, wl(w, ML_TP_D),
					      W_IN_PROGRESS, frame, o->pkt, 0);
			oracle_add(w, STORY_PARTIAL, c, 0, wl(w, ML_CS_CHECK), W_PARTIAL, frame, o->pkt,
				   status);
			oracle_add(w, STORY_PARTIAL, o->ctx, 0, w->writer_at[o->ctx], W_WRITER_AT, frame,
				   o->pkt, 0);
		}
	}
	w->read_gen[cons] = g->gen;
	return g->hdr_pkt;
}

/* The reader looks at what it read: exactly one packet, or not. */
static void verify(world *w, uint32_t c, uint32_t cons, ring_ghost *g, uint32_t frame)
{
	uint32_t cpu = sim_ctx_at(&w->s, c)->cpu;
	uint32_t label = wl(w, ML_CS_READ);
	w->g->m[SCN_M_CONSUMED]++;
	int what = -1;
	if (g->mixed || g->copying || w->read_gen[cons] != g->gen)
		what = W_CORRUPT_MIX;
	else if (g->data_pkt == PKT_NONE || g->hdr_pkt != g->data_pkt)
		what = g->data_pkt == PKT_NONE ? W_CORRUPT_STALE : W_CORRUPT_HDR;
	else if (g->sum != pkt_sum(w, g->data_pkt))
		what = W_CORRUPT_MIX;
	else if (g->data_consumed)
		what = W_CORRUPT_DUP;
	if (what < 0) {
		w->g->consumed_intact++;
		g->data_consumed = 1;
		return;
	}
	w->g->m[SCN_M_CORRUPT]++;
	if (oracle_first(w, STORY_CORRUPT)) {
		if (g->cur.pkt != PKT_NONE)
			oracle_add_at(w, STORY_CORRUPT, g->cur.at, g->cur.ctx, g->cur.cpu, wl(w, ML_TP_C),
				      W_CLAIM, frame, g->cur.pkt, 0);
		oracle_add(w, STORY_CORRUPT, c, cpu, label, (uint32_t)what, frame, g->hdr_pkt,
			   g->data_pkt);
	}
}

void ghost_consume(world *w, uint32_t c, uint32_t cons, uint32_t sock, uint32_t frame,
		   uint32_t status)
{
	ring_ghost *g = ghost_frame(w, sock, frame);
	verify(w, c, cons, g, frame);
	if ((status & TP_STATUS_USER) && g->owners == 0 && g->data_pkt != PKT_NONE &&
	    !g->data_consumed && oracle_first(w, STORY_LOST) && w->g->first_lost_pkt == PKT_NONE) {
		/* Handing back a frame that was published after it was read. */
		w->g->first_lost_pkt = g->data_pkt;
		w->g->first_lost_by = PKT_NONE;
		w->g->first_lost_at = sim_now(&w->s);
		w->g->first_lost_cpu = sim_ctx_at(&w->s, c)->cpu;
		w->g->first_lost_frame = frame;
	}
}

/* ---- life cycle (oracle.c's) ---- */

int ghost_reserve(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	w->ghost_off = calloc(f->nsockets + 1, sizeof(size_t));
	if (!w->ghost_off)
		return world_oom(w, err, errlen);
	for (size_t i = 0; i < f->nsockets; i++) {
		w->ghost_off[i] = arena_reserve(&w->s.ar, (size_t)ring_slots(&f->sockets[i]) *
							   sizeof(ring_ghost), 8);
		if (world_check_memory(w, f->sockets[i].pos, "this socket's ring (with the oracle's "
				       "record of each frame)", err, errlen))
			return WORLD_EINPUT;
	}
	w->off_read_gen = world_reserve(w, f->nconsumers, sizeof(uint64_t));
	return 0;
}

void ghost_bind(world *w) { w->read_gen = arena_at(&w->s.ar, w->off_read_gen); }

void ghost_reset(world *w)
{
	const scn_file *f = w->scn;
	const claim_rec none = { .pkt = PKT_NONE, .cpu = SIM_NONE, .ctx = SIM_NONE, .unlock_at = UINT64_MAX };
	for (uint32_t s = 0; s < f->nsockets; s++)
		for (uint32_t i = 0; f->sockets[s].type == SCN_SOCK_PACKET && i < ring_slots(&f->sockets[s]); i++)
			*ghost_frame(w, s, i) = (ring_ghost){ .data_pkt = PKT_NONE, .hdr_pkt = PKT_NONE,
							      .cur = none, .prev = none };
}

void ghost_release(world *w) { free(w->ghost_off); }

void ghost_canon(const world *w, unsigned char *copy)
{
	const scn_file *f = w->scn;
	for (uint32_t s = 0; s < f->nsockets; s++) {
		if (f->sockets[s].type != SCN_SOCK_PACKET)
			continue;
		ring_ghost *g = (ring_ghost *)(copy + w->ghost_off[s]);
		for (uint32_t i = 0; i < ring_slots(&f->sockets[s]); i++) {
			g[i].cur.at = g[i].prev.at = 0;
			g[i].cur.unlock_at = g[i].prev.unlock_at = 0;
		}
	}
}
