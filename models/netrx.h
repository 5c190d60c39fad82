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
 * A `source=lo` flow's packets come instead from a sender task on the flow's
 * CPU (loopback.h) onto that CPU's softnet backlog (sd->input_pkt_queue):
 * queue ncpus + cpu here, polled by the same NET_RX run after the NIC's
 * NAPI (process_backlog(), weight dev_weight 64).  A full queue of either
 * kind is a nic_drops.
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


/* net.core.netdev_max_backlog; enqueue_to_backlog() queues while
 * qlen <= netdev_max_backlog, so the queue holds one more. */
#define NETDEV_MAX_BACKLOG 1000
#define BACKLOG_WEIGHT 64           /* net.core.dev_weight: the backlog NAPI's weight */

void netrx_flow_fire(sim *s, uint32_t flow);
/* Put packet pkt of flow i on queue q (a CPU's NIC queue, or ncpus + cpu:
 * its backlog): 1, or 0 when the queue is full (counted in nic_drops). */
int netrx_enqueue(world *w, uint32_t q, uint32_t flow, uint64_t pkt);
sim_answer netrx_irq_step(sim *s, uint32_t ctx, sim_frame *f);
sim_answer netrx_softirq_step(sim *s, uint32_t ctx, sim_frame *f);
/* Arm each flow's first packet (at reset). */
void netrx_reset(world *w);

extern const model_ops netrx_ops;

#endif
