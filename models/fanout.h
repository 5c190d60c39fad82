/* fanout.h - PACKET_FANOUT: a group of packet sockets sharing one protocol
 * hook, packet_rcv_fanout() of net/packet/af_packet.c (v4.19), which picks
 * one member per packet and calls its tpacket_rcv.  Modes: hash
 * (fanout_demux_hash: the flow's hash, a function of the run seed and the
 * flow, as skb_get_hash() is of the 4-tuple and the boot's hashrnd), lb
 * (fanout_demux_lb: atomic_inc_return(&f->rr_cur) % num), cpu
 * (fanout_demux_cpu: smp_processor_id() % num), rollover
 * (fanout_demux_rollover: from po->rollover->sock of arr[0], the first
 * member whose packet_rcv_has_room() is ROOM_NORMAL).  A flow sends to a
 * group with `flow ... fanout=GROUP`; its packets go to socket number
 * nsockets + flow, whose hook (world.rcv) is fanout_step, frame a =
 * nsockets + flow.
 *
 * Concurrency contract: fanout_step is a step function for the NET_RX
 * softirq; fanout_pick is a pure function of the state (tests call it).
 */
#ifndef MODELS_FANOUT_H
#define MODELS_FANOUT_H

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

typedef struct fanout_sock {
	uint32_t rollover_sock;     /* po->rollover->sock */
	uint32_t pad;
	uint64_t chosen;            /* packets the demux gave this socket */
	uint64_t rollover_num;      /* po->rollover->num */
	uint64_t rollover_failed;   /* po->rollover->num_failed */
} fanout_sock;

typedef struct fanout_desc {
	size_t off_rr, off_sock;
	uint32_t *rr_cur;           /* [nfanouts]: f->rr_cur */
	fanout_sock *sock;          /* [nsockets] */
	uint16_t fn;
} fanout_desc;

/* packet_rcv_fanout(): the index in group g's sockets for a packet of flow
 * `flow` received on `cpu` (updates rr_cur and the rollover state). */
uint32_t fanout_pick(world *w, uint32_t g, uint32_t flow, uint32_t cpu);
/* packet_rcv_has_room() == ROOM_NORMAL: the frame (V3: block) a quarter of
 * the ring ahead of the head is TP_STATUS_KERNEL. */
int fanout_has_room(world *w, uint32_t sock);
sim_answer fanout_step(sim *s, uint32_t ctx, sim_frame *f);

extern const model_ops fanout_ops;

#endif
