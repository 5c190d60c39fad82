/* netrx.h - flows, NIC queues, the NIC hardirq and the NET_RX softirq.
 *
 * A flow puts packets (id, size, payload checksum made at creation) on one
 * CPU's NIC queue (bounded: overflow is nic_drops).  While NAPI is not
 * scheduled, an arrival raises the queue's hardirq, whose handler schedules
 * NAPI (raises NET_RX, masks the irq).  The softirq's poll delivers up to
 * the NAPI weight (64) to each packet's socket -- tpacket_rcv for packet
 * sockets, tcp_rcv for stream sockets -- then, since v3.19, re-raises
 * NET_RX if packets remain (before v3.19 it polls again while the budget,
 * 300, and netdev_budget_usecs, 2 ms, last), or completes NAPI (unmasks
 * the irq) when the queue is empty before the weight is used.
 *
 * Concurrency contract: netrx_flow_fire is a timer; the steps run in hardirq
 * and softirq contexts.
 */
#ifndef MODELS_NETRX_H
#define MODELS_NETRX_H

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

#define NET_RX_SOFTIRQ 3            /* include/linux/interrupt.h: HI, TIMER, NET_TX, NET_RX */

typedef struct nic_state {
	uint32_t head, count;       /* the queue ring */
	uint32_t napi;              /* NAPI scheduled: the irq is masked */
	uint32_t pad;
} nic_state;

typedef struct nic_slot {
	uint64_t pkt;
	uint32_t size;
	uint32_t socket;
} nic_slot;


void netrx_flow_fire(sim *s, uint32_t flow);
sim_answer netrx_irq_step(sim *s, uint32_t ctx, sim_frame *f);
sim_answer netrx_softirq_step(sim *s, uint32_t ctx, sim_frame *f);
/* Arm each flow's first packet (at reset). */
void netrx_reset(world *w);

extern const model_ops netrx_ops;

#endif
