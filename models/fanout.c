/* fanout.c - see fanout.h.  Frame: a = nsockets + flow, b = packet size,
 * d = packet id (netrx's); pc 1 once the member's hook is called. */
#include "fanout.h"

#include <stdlib.h>

#include "packet_ring.h"
#include "tpacket_v3.h"

static const enum model_label mode_label[] = {
	[SCN_FANOUT_HASH] = ML_FO_HASH, [SCN_FANOUT_LB] = ML_FO_LB, [SCN_FANOUT_CPU] = ML_FO_CPU,
	[SCN_FANOUT_ROLLOVER] = ML_FO_ROLLOVER,
};

/* __tpacket_has_room(po, pow_off) / __tpacket_v3_has_room(): the frame
 * (V3: block) head + len >> pow_off, wrapped, is TP_STATUS_KERNEL */
static int ring_has_room(world *w, uint32_t sock, int pow_off)
{
	const scn_socket *so = &w->scn->sockets[sock];
	if (so->version == 3)
		return pow_off ? v3_has_room(w, sock)
			       : v3_blocks(w, sock)[w->v3->ring[sock].kactive_blk_num].block_status ==
					 TP_STATUS_KERNEL;
	uint32_t n = so->frames, idx = w->ring[sock].head + (pow_off ? n >> pow_off : 0);
	if (idx >= n)
		idx -= n;
	return ring_frames(w, sock)[idx].status == TP_STATUS_KERNEL;
}

/* ROOM_POW_OFF = 2: a quarter of the ring ahead */
int fanout_has_room(world *w, uint32_t sock) { return ring_has_room(w, sock, 2); }

/* fanout_demux_rollover(f, skb, idx, try_self, num) */
static uint32_t demux_rollover(world *w, const scn_fanout *g, uint32_t idx, int try_self)
{
	fanout_sock *po = &w->fo->sock[g->sockets[idx]];
	uint32_t num = g->nsockets, skip = UINT32_MAX;
	if (try_self) {
		/* room = packet_rcv_has_room(po, skb); if (room == ROOM_NORMAL ||
		 * (room == ROOM_LOW && !fanout_flow_is_huge(po, skb))) return idx;
		 * -- no flow is taken as huge here: any room keeps idx */
		if (ring_has_room(w, g->sockets[idx], 2) || ring_has_room(w, g->sockets[idx], 0))
			return idx;
		skip = idx;
	}
	/* i = j = min_t(int, po->rollover->sock, num - 1); */
	uint32_t i = po->rollover_sock < num - 1 ? po->rollover_sock : num - 1, j = i;
	do {
		/* po_next != po_skip && !po_next->pressure (not modelled) &&
		 * packet_rcv_has_room(po_next, skb) == ROOM_NORMAL */
		if (i != skip && fanout_has_room(w, g->sockets[i])) {
			if (i != j)
				po->rollover_sock = i;
			po->rollover_num++;
			return i;
		}
		if (++i == num)
			i = 0;
	} while (i != j);
	po->rollover_failed++;      /* atomic_long_inc(&po->rollover->num_failed) */
	return idx;
}

static uint32_t demux(world *w, const scn_fanout *g, uint32_t gi, uint32_t flow, uint32_t cpu)
{
	uint32_t num = g->nsockets;
	switch (g->mode) {
	case SCN_FANOUT_HASH: {
		/* reciprocal_scale(skb_get_hash(skb), num) = ((u64)hash * num) >> 32 */
		uint64_t x = w->s.seed ^ ((uint64_t)(flow + 1) * 0xd1b54a32d192ed03ull);
		uint32_t hash = (uint32_t)splitmix64(&x);
		return (uint32_t)(((uint64_t)hash * num) >> 32);
	}
	case SCN_FANOUT_LB:
		/* atomic_inc_return(&f->rr_cur) % num */
		return ++w->fo->rr_cur[gi] % num;
	case SCN_FANOUT_CPU:
		/* smp_processor_id() % num */
		return cpu % num;
	default:
		return demux_rollover(w, g, 0, 0);
	}
}

uint32_t fanout_pick(world *w, uint32_t gi, uint32_t flow, uint32_t cpu)
{
	const scn_fanout *g = &w->scn->fanouts[gi];
	uint32_t idx = demux(w, g, gi, flow, cpu);
	/* if (fanout_has_flag(f, PACKET_FANOUT_FLAG_ROLLOVER))
	 *     idx = fanout_demux_rollover(f, skb, idx, true, num); */
	if (g->flag_rollover)
		idx = demux_rollover(w, g, idx, 1);
	return idx;
}

sim_answer fanout_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	if (f->pc)
		return SIM_RET;         /* the member's tpacket_rcv returned */
	uint32_t flow = f->a - (uint32_t)w->scn->nsockets;
	uint32_t gi = w->scn->flows[flow].fanout - 1;
	const scn_fanout *g = &w->scn->fanouts[gi];
	uint32_t sock = g->sockets[fanout_pick(w, gi, flow, sim_ctx_at(s, c)->cpu)];
	w->fo->sock[sock].chosen++;
	uint64_t ns = sim_did(s, c, wl(w, mode_label[g->mode]), 0, TK_GROUP, (int64_t)gi, TK_SOCK,
			      (int64_t)sock, TK_PKT, (int64_t)f->d);
	/* po = pkt_sk(f->arr[idx]); return po->prot_hook.func(skb, dev, &po->prot_hook, orig_dev) */
	sock_rcv rcv = w->rcv[sock];
	sim_frame *p = sim_call(s, c, rcv.fn);
	p->pc = rcv.pc;
	p->a = sock;
	p->b = f->b;
	p->d = f->d;
	f->pc = 1;
	return SIM_CONT(ns);
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(fanout_sock) == 32, "fanout_sock has no padding");

static int fanout_reserve(world *w, char *err, size_t errlen)
{
	w->fo = calloc(1, sizeof(*w->fo));
	if (!w->fo)
		return world_oom(w, err, errlen);
	w->fo->fn = sim_add_fn(&w->s, "packet_rcv_fanout", fanout_step);
	/* the group's prot_hook: packet_rcv_fanout */
	for (size_t i = 0; i < w->scn->nflows; i++)
		if (w->scn->flows[i].fanout)
			w->rcv[w->scn->nsockets + i] = (sock_rcv){ w->fo->fn, 0 };
	w->fo->off_rr = world_reserve(w, w->scn->nfanouts, sizeof(uint32_t));
	w->fo->off_sock = world_reserve(w, w->scn->nsockets, sizeof(fanout_sock));
	return 0;
}

static void fanout_bind(world *w)
{
	w->fo->rr_cur = arena_at(&w->s.ar, w->fo->off_rr);
	w->fo->sock = arena_at(&w->s.ar, w->fo->off_sock);
}

static void fanout_release(world *w) { free(w->fo); }

const model_ops fanout_ops = { "fanout", fanout_reserve, fanout_bind, NULL, NULL, fanout_release, NULL };
