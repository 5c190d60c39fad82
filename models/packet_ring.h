/* packet_ring.h - PACKET_RX_RING (TPACKET_V1/V2) and tpacket_rcv().
 *
 * Frames carry uapi tp_status words.  tpacket_rcv runs in the NET_RX softirq
 * as the labelled steps A..K (DESIGN.md 3.2) in one of three variants:
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

#endif
