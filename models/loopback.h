/* loopback.h - `flow ... source=lo`: a process-context sender on the flow's
 * CPU sends the flow's packets through the loopback device, as a program
 * doing sendto() on a packet socket bound to `lo` does:
 *
 *   lo:xmit          sendto() -> packet_snd() -> dev_queue_xmit():
 *                    __dev_queue_xmit() takes rcu_read_lock_bh() (BH off),
 *                    lo has no qdisc: loopback_xmit() (drivers/net/loopback.c)
 *   lo:enqueue       loopback_xmit() -> __netif_rx() -> enqueue_to_backlog()
 *                    on this CPU: the softnet backlog (netrx.h's queue
 *                    ncpus + cpu), ____napi_schedule(&sd->backlog) raises
 *                    NET_RX; or lo:backlog_drop past netdev_max_backlog
 *                    (counted in nic_drops)
 *   lo:bh_enable     rcu_read_unlock_bh() -> local_bh_enable(): do_softirq()
 *                    runs NET_RX here, on the sender's CPU, before sendto()
 *                    returns: process_backlog() delivers to the socket
 *                    (tpacket_rcv) in softirq context (lo:backlog_poll)
 *
 * so a sender competes for its CPU with the receive path and any reader
 * there.  Packet k is sent at `at + k*every`, or right after packet k-1 when
 * the sender is late.  Each sender is a task context named after its flow
 * (world.c adds them after the consumers: ctx lo_ctx0 + the flow's rank
 * among source=lo flows).  Frame: a = flow index, pc = the step.
 *
 * Concurrency contract: lo_send_step runs in the sender's task context.
 */
#ifndef MODELS_LOOPBACK_H
#define MODELS_LOOPBACK_H

#include "world.h"

sim_answer lo_send_step(sim *s, uint32_t ctx, sim_frame *f);

extern const model_ops loopback_ops;

#endif
