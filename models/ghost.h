/* ghost.h - the oracle's bookkeeping about ring frames and readers: ghost
 * state, which no kernel struct holds.
 *
 * The checker stands outside the code it judges: the ring (packet_ring.c)
 * and the reader (consumer.c) tell the oracle what their steps do -- a
 * claim (C), the end of the claim's lock hold (F), a copy's start (G) and
 * end (H), a publication (J), a read and a hand-back -- and the oracle keeps,
 * per frame, whose bytes and header the frame holds, who still owns it,
 * whether copies overlapped, and the claims the stories tell of.  It finds
 * overruns, partial and corrupt reads and lost packets here.
 *
 * Concurrency contract: called from the ring's and the reader's steps, at
 * step boundaries; ghost_reserve/bind/reset from oracle.c's life cycle.
 */
#ifndef MODELS_GHOST_H
#define MODELS_GHOST_H

#include "world.h"

typedef struct claim_rec {
	uint64_t at, pkt, seq, unlock_at;
	uint32_t cpu, ctx;          /* the writer; the step it reached: world.writer_at[ctx] */
} claim_rec;

typedef struct ring_ghost {
	uint32_t owners;            /* writers between their C and J on this frame */
	uint32_t copying;           /* writers inside G */
	uint32_t mixed;             /* the bytes are a mix of overlapping copies */
	uint32_t data_consumed;     /* these bytes were consumed already */
	uint64_t data_pkt;          /* whose bytes the frame holds, PKT_NONE if none */
	uint64_t hdr_pkt;           /* whom the header (H) describes */
	uint64_t sum;               /* checksum of the bytes in the frame */
	uint64_t gen;               /* bumped by every write (G, H) */
	/* for stories: the writer that claimed it last, and the one before it
	 * while that one still owns the frame (an overrun) */
	claim_rec cur, prev;
} ring_ghost;

static inline ring_ghost *ghost_frame(world *w, uint32_t sock, uint32_t frame)
{
	return (ring_ghost *)arena_at(&w->s.ar, w->ghost_off[sock]) + frame;
}
/* Is a writer between its claim and its publication on this frame? */
static inline int ghost_writing(world *w, uint32_t sock, uint32_t frame)
{
	return ghost_frame(w, sock, frame)->owners != 0;
}
/* A published packet, intact and not read yet (the end-of-run balance). */
int ghost_waiting(world *w, uint32_t sock, uint32_t frame, uint32_t status);

/* The ring's steps: writer ctx c, packet pkt, on frame `frame` of `sock`.
 * Inline: every packet's C, F, G, H and J pass here; the rare cases (an
 * overrun, the first lost packet) are out of line. */
void ghost_overrun_(world *w, uint32_t c, uint32_t sock, uint32_t frame, uint64_t pkt);
void ghost_lost_(world *w, uint32_t c, uint32_t frame, uint64_t lost, uint64_t by);

/* C: a claim.  A frame whose previous claimer has not reached J is owned by
 * another writer: that is the overrun. */
static inline void ghost_claim(world *w, uint32_t c, uint32_t sock, uint32_t frame, uint64_t pkt)
{
	ring_ghost *g = ghost_frame(w, sock, frame);
	w->g->claims++;
	if (g->owners)
		ghost_overrun_(w, c, sock, frame, pkt);
	g->owners++;
	g->cur = (claim_rec){ .at = sim_now(&w->s), .pkt = pkt, .seq = w->g->claims,
			      .unlock_at = UINT64_MAX, .cpu = sim_ctx_at(&w->s, c)->cpu, .ctx = c };
	w->writer_at[c] = wl(w, ML_TP_C);
}

/* F: the claim's lock hold ends (for the overrun story). */
static inline void ghost_unlock(world *w, uint32_t c, uint32_t sock, uint32_t frame)
{
	ring_ghost *g = ghost_frame(w, sock, frame);
	claim_rec *rc = g->cur.ctx == c ? &g->cur : g->prev.ctx == c ? &g->prev : NULL;
	if (rc)
		rc->unlock_at = sim_now(&w->s);
}

/* G: the copy.  Two copies into one frame that overlap in time leave a mix. */
static inline void ghost_copy(world *w, uint32_t c, uint32_t sock, uint32_t frame, uint64_t pkt)
{
	ring_ghost *g = ghost_frame(w, sock, frame);
	if (g->data_pkt != PKT_NONE && !g->data_consumed && g->data_pkt != pkt && !g->mixed &&
	    g->hdr_pkt == g->data_pkt && w->g->first_lost_pkt == PKT_NONE)
		ghost_lost_(w, c, frame, g->data_pkt, pkt);     /* unread bytes overwritten */
	g->copying++;
	g->mixed = g->copying > 1;
	g->data_pkt = pkt;
	g->data_consumed = 0;
	g->sum = g->mixed ? ~pkt_sum(w, pkt) : pkt_sum(w, pkt);
	g->gen++;
}

/* H: the copy is done and the header written. */
static inline void ghost_copy_done(world *w, uint32_t sock, uint32_t frame, uint64_t pkt)
{
	ring_ghost *g = ghost_frame(w, sock, frame);
	g->copying--;
	g->hdr_pkt = pkt;
	g->gen++;
}

/* J: the frame is published; its writer no longer owns it. */
static inline void ghost_publish(world *w, uint32_t c, uint32_t sock, uint32_t frame)
{
	ring_ghost *g = ghost_frame(w, sock, frame);
	if (g->owners)
		g->owners--;
	/* The frame's story now belongs to a writer that still owns it. */
	if (g->owners && g->cur.ctx == c)
		g->cur = g->prev;
}

/* The reader's steps: reader `cons` (ctx c) reads frame `frame` (returns
 * the packet its header names, for the trace), then hands it back with
 * tp_status `status` still set (the bytes are checked then). */
uint64_t ghost_read(world *w, uint32_t c, uint32_t cons, uint32_t sock, uint32_t frame,
		    uint32_t status);
void ghost_consume(world *w, uint32_t c, uint32_t cons, uint32_t sock, uint32_t frame,
		   uint32_t status);

int ghost_reserve(world *w, char *err, size_t errlen);
void ghost_bind(world *w);
void ghost_reset(world *w);
void ghost_release(world *w);
void ghost_canon(const world *w, unsigned char *copy);     /* oracle_canon's part */

#endif
