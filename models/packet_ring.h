/* packet_ring.h - PACKET_RX_RING (TPACKET_V1/V2) and tpacket_rcv().
 *
 * Frames carry uapi tp_status words.  tpacket_rcv runs in the NET_RX softirq
 * as the labelled steps A..K (docs/scenarios.md) in one of three variants:
 * `none`, `in_progress` (status = TP_STATUS_IN_PROGRESS at D, the 2018 RFC),
 * `owner_map` (upstream 61fad6816fc1: a private bit per frame, set at D'
 * under the lock, cleared under a second acquisition together with the
 * publishing store at J).  Drops go to tp_drops with the head unchanged and
 * wake the reader (K); from v5.3 a full ring drops earlier, without the lock.
 *
 * Concurrency contract: ring_tpacket_rcv_step is a step function for softirq
 * contexts; the rest is called from steps or while building.
 */
#ifndef MODELS_PACKET_RING_H
#define MODELS_PACKET_RING_H

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

/* uapi if_packet.h tp_status values */
#define TP_STATUS_KERNEL 0u
#define TP_STATUS_USER (1u << 0)
#define TP_STATUS_COPY (1u << 1)
#define TP_STATUS_LOSING (1u << 2)
#define TP_STATUS_CSUMNOTREADY (1u << 3)
#define TP_STATUS_VLAN_VALID (1u << 4)
#define TP_STATUS_BLK_TMO (1u << 5)
/* The 2018 RFC reused "any bit other than TP_STATUS_USER"; its patch named
 * it TP_STATUS_IN_PROGRESS.  We use bit 31, which no uapi flag uses. */
#define TP_STATUS_IN_PROGRESS (1u << 31)

typedef struct ring_state {
	uint32_t head;              /* po->rx_ring.head */
	uint32_t pad;
	uint64_t tp_packets, tp_drops;
} ring_state;

/* A frame as the kernel has it: the tpacket header's words the models use.
 * What the checker keeps about a frame is ghost state (ghost.h). */
typedef struct ring_frame {
	uint32_t status;            /* tp_status */
	uint32_t snaplen;           /* tp_snaplen */
} ring_frame;


size_t ring_bitmap_bytes(uint32_t frames);
void ring_reset(world *w, uint32_t sock);
uint32_t ring_snaplen(const world *w, uint32_t sock, uint32_t size);
/* packet_poll(): readable when frame head-1 is not TP_STATUS_KERNEL. */
int ring_poll_readable(world *w, uint32_t sock);
/* Trace only: a ring:occupancy event (no-op when tracing is off: inline,
 * the steps that claim, publish and release a frame pass here). */
void ring_trace_occupancy_(world *w, uint32_t ctx, uint32_t sock);
static inline void ring_trace_occupancy(world *w, uint32_t ctx, uint32_t sock)
{
	if (sim_tracing(&w->s))
		ring_trace_occupancy_(w, ctx, sock);
}
sim_answer ring_tpacket_rcv_step(sim *s, uint32_t ctx, sim_frame *f);
/* The step tpacket_rcv starts at: A, or from v5.3 (`kernel 5.3`) the
 * lockless room check that drops a full ring before taking the lock. */
uint16_t ring_first_pc(const scn_file *f);

extern const model_ops packet_ring_ops;

#endif
