/* costs.h - every label a model performs, the kernel line it stands for, and
 * its default cost.  One table: scenarios override a cost with `cost LABEL T`,
 * `sim --labels` prints it.
 *
 * Where the numbers come from:
 *  - spin_lock + spin_unlock uncontended: 15-25 ns on current x86 (one locked
 *    RMW each; Intel SDM latency tables, and the ck spinlock benchmarks);
 *    we split it 12 + 8 ns.
 *  - cache-line hand-off between cores: 40-100 ns (cross-core c2c latency
 *    measured by e.g. core-to-core-latency on Skylake/Zen); default 60 ns.
 *  - local_bh_disable/enable: ~7 ns (a preempt_count add and a check),
 *    included in the *_spin_lock_bh / *_spin_unlock_bh labels below.
 *  - skb_copy_bits / copy_to_user: ~10 B/ns plus ~50 ns fixed (memcpy of
 *    cache-hot data on one core); per_byte is given in picoseconds.
 *  - 10 GbE line rate, 64-byte frames: one packet every 67.2 ns, the budget a
 *    driver has per packet; the driver RX + netif_receive_skb path ~50 ns.
 *  - hardirq entry+exit with napi_schedule: ~0.5 us.
 *  - tcp_v4_do_rcv on an established socket: ~0.5-1 us per segment; 800 ns.
 *  - try_to_wake_up to the woken task running: 1-5 us; 2 us.
 *  - poll()/ppoll syscall round trip: ~0.3 us.
 *  - smp_mb() (mfence / locked add): ~20 ns; a timestamp read (ktime_get /
 *    rdtsc + conversion): ~25 ns.
 */
#ifndef MODELS_COSTS_H
#define MODELS_COSTS_H

#include <stdint.h>

#include "locks.h"
#include "sim.h"

/* Label flags (sim_label_desc.flags, the bits from SIM_LF_USER up): what a
 * step does, for every reader of labels (the trace sinks).  Spinlock steps
 * say whether they take or release one and which kind (locks.h); notes (no
 * step: a trace-only event) say which note they are. */
#define ML_F_(n) (SIM_LF_USER << (n))
#define ML_F_TAKE ML_F_(0)              /* takes a spinlock */
#define ML_F_RELEASE ML_F_(1)           /* releases a spinlock */
#define ML_F_LOCK_SHIFT (SIM_LF_USER_SHIFT + 2)
#define ML_F_LOCK_MASK (3u << ML_F_LOCK_SHIFT)  /* which: enum lock_kind (locks.h) */
#define ML_F_LOCK(kind) ((uint32_t)(kind) << ML_F_LOCK_SHIFT)
#define ML_F_RING ML_F_(4)              /* a tpacket_rcv step (A..K, drop, room) */
#define ML_F_CLAIM ML_F_(5)             /* claims a ring frame (head moves on) */
#define ML_F_PUBLISH ML_F_(6)           /* hands a frame to user space */
#define ML_F_RING_DROP ML_F_(7)         /* tp_drops++: the packet is dropped */
#define ML_F_COPY ML_F_(8)              /* copies packet bytes */
#define ML_F_OWNED_SET ML_F_(9)         /* lock_sock(): sk_lock.owned = 1 (lock_sock_fast's
					 * slow path sets it too, unflagged: the sinks
					 * draw the owned section from lock_sock's) */
#define ML_F_OWNED_CLEAR ML_F_(10)      /* release_sock(): owned = 0 */
#define ML_F_BACKLOG_ADD ML_F_(11)      /* sk_add_backlog() */
#define ML_F_BACKLOG_DROP ML_F_(12)     /* sk_add_backlog() refused: the packet is dropped */
#define ML_F_BACKLOG_DETACH ML_F_(13)   /* __release_sock() takes the backlog to process it */
#define ML_F_BACKLOG_DONE ML_F_(14)     /* __release_sock() has processed what it detached */
/* Which note: four bits (bits 27..30 of the flags), room for 15 kinds.
 * Three were full; a deadlock is a note like the oracle's others (a
 * trace-only event the sinks dispatch on by kind), so the field grew
 * rather than a flag that every sink would test beside the switch. */
#define ML_F_NOTE_SHIFT (SIM_LF_USER_SHIFT + 15)
#define ML_F_NOTE_MASK (15u << ML_F_NOTE_SHIFT)
#define ML_F_NOTE(n) ((uint32_t)(n) << ML_F_NOTE_SHIFT)
enum ml_note { ML_NOTE_NONE, ML_NOTE_SPIN_WAIT, ML_NOTE_SPIN_ACQUIRED, ML_NOTE_SPIN_RELEASE,
	       ML_NOTE_RING_OCC, ML_NOTE_BACKLOG_LEN, ML_NOTE_OVERRUN, ML_NOTE_VIOLATION,
	       ML_NOTE_DEADLOCK };
_Static_assert(ML_NOTE_DEADLOCK <= (ML_F_NOTE_MASK >> ML_F_NOTE_SHIFT), "ml_note fits ML_F_NOTE_MASK");
static inline enum ml_note ml_note_of(uint32_t flags)
{
	return (enum ml_note)((flags & ML_F_NOTE_MASK) >> ML_F_NOTE_SHIFT);
}
#define ML_F_TAKE_RQ (ML_F_TAKE | ML_F_LOCK(LOCK_RQ))
#define ML_F_RELEASE_RQ (ML_F_RELEASE | ML_F_LOCK(LOCK_RQ))
#define ML_F_TAKE_SLOCK (ML_F_TAKE | ML_F_LOCK(LOCK_SLOCK))
#define ML_F_RELEASE_SLOCK (ML_F_RELEASE | ML_F_LOCK(LOCK_SLOCK))
#define ML_F_TAKE_USER (ML_F_TAKE | ML_F_LOCK(LOCK_USER))
#define ML_F_RELEASE_USER (ML_F_RELEASE | ML_F_LOCK(LOCK_USER))

/* X(ID, "label", "kernel line", cost_ns, per_byte_ps, flags) */
#define MODEL_LABELS(X) \
	X(TP_A, "tpacket_rcv:A", "spin_lock(&sk->sk_receive_queue.lock)", 12, 0, ML_F_RING | ML_F_TAKE_RQ) \
	X(TP_B, "tpacket_rcv:B", "h.raw = packet_current_rx_frame(po, skb, TP_STATUS_KERNEL, ...): frame at head, usable only if its status is TP_STATUS_KERNEL", 10, 0, ML_F_RING) \
	X(TP_DP, "tpacket_rcv:D'", "owner_map fix (61fad6816fc1): if (test_bit(slot_id, rx_owner_map)) goto drop_n_account; __set_bit(slot_id, rx_owner_map)", 5, 0, ML_F_RING) \
	X(TP_C, "tpacket_rcv:C", "packet_increment_rx_head(po, &po->rx_ring): head = head + 1 mod frames", 3, 0, ML_F_RING | ML_F_CLAIM) \
	X(TP_D, "tpacket_rcv:D", "in_progress fix (2018 RFC): __packet_set_status(po, h.raw, TP_STATUS_IN_PROGRESS)", 5, 0, ML_F_RING) \
	X(TP_E, "tpacket_rcv:E", "po->stats.stats1.tp_packets++; if (tp_drops) status |= TP_STATUS_LOSING", 5, 0, ML_F_RING) \
	X(TP_F, "tpacket_rcv:F", "spin_unlock(&sk->sk_receive_queue.lock): the race window opens", 8, 0, ML_F_RING | ML_F_RELEASE_RQ) \
	X(TP_G, "tpacket_rcv:G", "skb_copy_bits(skb, 0, h.raw + macoff, snaplen)", 50, 100, ML_F_RING | ML_F_COPY) \
	X(TP_H, "tpacket_rcv:H", "tpacket_get_timestamp(); fill tp_len, tp_snaplen, tp_mac, tp_sec/tp_usec|tp_nsec", 25, 0, ML_F_RING) \
	X(TP_I, "tpacket_rcv:I", "smp_mb(): the frame's bytes before its status", 20, 0, ML_F_RING) \
	X(TP_J_LOCK, "tpacket_rcv:J_lock", "owner_map fix: spin_lock(&sk->sk_receive_queue.lock) before publishing", 12, 0, ML_F_RING | ML_F_TAKE_RQ) \
	X(TP_J, "tpacket_rcv:J", "__packet_set_status(po, h.raw, status | TP_STATUS_USER) (owner_map: and __clear_bit(slot_id, rx_owner_map))", 5, 0, ML_F_RING | ML_F_PUBLISH) \
	X(TP_J_UNLOCK, "tpacket_rcv:J_unlock", "owner_map fix: spin_unlock(&sk->sk_receive_queue.lock) after publishing", 8, 0, ML_F_RING | ML_F_RELEASE_RQ) \
	X(TP_K, "tpacket_rcv:K", "sk->sk_data_ready(sk): wakes the reader sleeping in poll", 50, 0, ML_F_RING) \
	X(TP_DROP, "tpacket_rcv:drop", "drop_n_account: spin_unlock(&sk->sk_receive_queue.lock); atomic_inc(&po->tp_drops); head unchanged; then sk_data_ready (K)", 10, 0, ML_F_RING | ML_F_RING_DROP | ML_F_RELEASE_RQ) \
	X(TP_ROOM, "tpacket_rcv:room", "v5.3+ (kernel 5.3): if (__packet_rcv_has_room(po, skb) == ROOM_NONE): its first __tpacket_has_room(po, ROOM_POW_OFF): READ_ONCE(head), then frame head + frames/4's status, without the lock; not TP_STATUS_KERNEL: room_head", 5, 0, ML_F_RING) \
	X(TP_ROOM_HEAD, "tpacket_rcv:room_head", "v5.3+: __packet_rcv_has_room(): else if (__tpacket_has_room(po, 0)): idx = READ_ONCE(po->rx_ring.head), without the lock", 2, 0, ML_F_RING) \
	X(TP_ROOM_STATUS, "tpacket_rcv:room_status", "v5.3+: __tpacket_has_room(po, 0): packet_lookup_frame(po, &po->rx_ring, idx, TP_STATUS_KERNEL): frame idx's status read now; not TP_STATUS_KERNEL: ROOM_NONE (room_drop)", 3, 0, ML_F_RING) \
	X(TP_ROOM_DROP, "tpacket_rcv:room_drop", "v5.3+: ROOM_NONE: atomic_inc(&po->tp_drops); goto drop_n_restore -- no lock, no sk_data_ready", 5, 0, ML_F_RING | ML_F_RING_DROP) \
	X(V3_LOOKUP, "tpacket_rcv:v3_lookup", "v4.19 __packet_lookup_frame_in_block(): if (prb_queue_frozen(pkc)) { if (prb_curr_blk_in_use(pbd)) return NULL; prb_open_block() (thaws) }; curr = pkc->nxt_offset; if (curr + TOTAL_PKT_LEN_INCL_ALIGN(len) < end) the frame fits", 10, 0, ML_F_RING) \
	X(V3_RETIRE, "tpacket_rcv:v3_retire", "prb_retire_current_block(pkc, po, 0): if (BLOCK_STATUS(pbd) == TP_STATUS_KERNEL) while (atomic_read(&pkc->blk_fill_in_prog)) cpu_relax(); -- a step per look, under the lock", 20, 0, ML_F_RING) \
	X(V3_CLOSE, "tpacket_rcv:v3_close", "prb_close_block(): last_pkt->tp_next_offset = 0; smp_wmb(); prb_flush_block(): BLOCK_STATUS(pbd) = TP_STATUS_USER (| TP_STATUS_LOSING); sk->sk_data_ready(sk); kactive_blk_num = GET_NEXT_PRB_BLK_NUM(pkc)", 60, 0, ML_F_RING | ML_F_PUBLISH) \
	X(V3_DISPATCH, "tpacket_rcv:v3_dispatch", "prb_dispatch_next_block(): if (TP_STATUS_USER & BLOCK_STATUS(pbd)) { prb_freeze_queue(): reset_pending_on_curr_blk = 1, tp_freeze_q_cnt++; return NULL } prb_open_block(): BLOCK_SNUM = knxt_seq_num++, BLOCK_NUM_PKTS = 0, nxt_offset = BLK_PLUS_PRIV, prb_thaw_queue, _prb_refresh_rx_retire_blk_timer (mod_timer)", 30, 0, ML_F_RING) \
	X(V3_FILL, "tpacket_rcv:v3_fill", "prb_fill_curr_block(): ppd->tp_next_offset = TOTAL_PKT_LEN_INCL_ALIGN(len); pkc->prev = curr; nxt_offset += ..; BLOCK_LEN += ..; BLOCK_NUM_PKTS(pbd) += 1; atomic_inc(&pkc->blk_fill_in_prog); prb_run_all_ft_ops(); then tpacket_rcv: tp_packets++", 10, 0, ML_F_RING | ML_F_CLAIM) \
	X(V3_CLEAR, "tpacket_rcv:v3_clear", "tpacket_rcv() V3 end: prb_clear_blk_fill_status(&po->rx_ring): atomic_dec(&pkc->blk_fill_in_prog) -- no status store, no sk_data_ready", 5, 0, ML_F_RING) \
	X(TMO_TICK, "timer:tick", "the local timer interrupt (hardirq): tick_sched_timer() -> update_process_times() -> run_local_timers(): a timer_list is due: raise_softirq(TIMER_SOFTIRQ)", 300, 0, 0) \
	X(TMO_RUN, "timer:expire", "run_timer_softirq() -> __run_timers() -> call_timer_fn(): an expired timer_list's function, in TIMER_SOFTIRQ on the CPU it was queued on", 100, 0, 0) \
	X(TMO_LOCK, "retire_blk_timer:lock", "v4.19 prb_retire_rx_blk_timer_expired(): spin_lock(&po->sk.sk_receive_queue.lock); frozen = prb_queue_frozen(pkc)", 12, 0, ML_F_RING | ML_F_TAKE_RQ) \
	X(TMO_WAIT, "retire_blk_timer:wait", "prb_retire_rx_blk_timer_expired(): if (BLOCK_NUM_PKTS(pbd)) while (atomic_read(&pkc->blk_fill_in_prog)) cpu_relax(); -- a step per look, under the lock", 20, 0, ML_F_RING) \
	X(TMO_CHECK, "retire_blk_timer:check", "if (pkc->last_kactive_blk_num == pkc->kactive_blk_num): not frozen: empty block: refresh; else prb_retire_current_block(pkc, po, TP_STATUS_BLK_TMO); frozen: prb_curr_blk_in_use: refresh, else prb_open_block()", 10, 0, ML_F_RING) \
	X(TMO_CLOSE, "retire_blk_timer:close", "prb_retire_current_block(pkc, po, TP_STATUS_BLK_TMO) -> prb_close_block(): BLOCK_STATUS = TP_STATUS_USER | TP_STATUS_BLK_TMO; sk->sk_data_ready(sk); kactive_blk_num++ (no wait here: the timer waited above)", 60, 0, ML_F_RING | ML_F_PUBLISH) \
	X(TMO_DISPATCH, "retire_blk_timer:dispatch", "if (!prb_dispatch_next_block(pkc, po)) goto refresh_timer (the queue froze); else goto out (prb_open_block refreshed the timer)", 30, 0, ML_F_RING) \
	X(TMO_UNLOCK, "retire_blk_timer:unlock", "refresh_timer: _prb_refresh_rx_retire_blk_timer(): mod_timer(jiffies + tov_in_jiffies); out: last_kactive_blk_num = kactive_blk_num; spin_unlock(&po->sk.sk_receive_queue.lock)", 8, 0, ML_F_RING | ML_F_RELEASE_RQ) \
	X(FO_HASH, "fanout:hash", "packet_rcv_fanout(): fanout_demux_hash(): reciprocal_scale(skb_get_hash(skb), num) -- the flow's hash", 20, 0, 0) \
	X(FO_LB, "fanout:lb", "packet_rcv_fanout(): fanout_demux_lb(): atomic_inc_return(&f->rr_cur) % num", 20, 0, 0) \
	X(FO_CPU, "fanout:cpu", "packet_rcv_fanout(): fanout_demux_cpu(): smp_processor_id() % num", 10, 0, 0) \
	X(FO_ROLLOVER, "fanout:rollover", "packet_rcv_fanout(): fanout_demux_rollover(f, skb, 0, false, num): from po->rollover->sock, the first socket whose packet_rcv_has_room() is ROOM_NORMAL (else idx)", 30, 0, 0) \
	X(NX_IRQ, "netrx:irq", "the NIC's hardirq handler: napi_schedule() raises NET_RX_SOFTIRQ, the queue's irq stays masked", 500, 0, 0) \
	X(NX_RX, "netrx:rx", "net_rx_action() -> napi->poll(): take one packet off the NIC queue, netif_receive_skb()", 50, 0, 0) \
	X(NX_BUDGET, "netrx:budget", "net_rx_action(): budget <= 0 (netdev_budget 300) or time_after_eq(jiffies, time_limit) (netdev_budget_usecs 2000, v4.12+; 2 jiffies before) with work left: sd->time_squeeze++; __raise_softirq_irqoff(NET_RX_SOFTIRQ)", 10, 0, 0) \
	X(NX_REPOLL, "netrx:repoll", "napi_poll(): work == weight (NAPI_POLL_WEIGHT 64): list_add_tail(&n->poll_list, repoll); before v3.19 polled again in this run, since v3.19 (d75b1ade567f) spliced back at its end and __raise_softirq_irqoff(NET_RX_SOFTIRQ)", 10, 0, 0) \
	X(NX_DONE, "netrx:complete", "napi_complete_done(): queue empty, the NIC's irq is unmasked", 10, 0, 0) \
	X(LO_XMIT, "lo:xmit", "sendto() -> packet_sendmsg() -> packet_snd(): sock_alloc_send_skb(), copy from user; dev_queue_xmit() -> __dev_queue_xmit() (net/core/dev.c): rcu_read_lock_bh() -- local_bh_disable(); lo has no qdisc: dev_hard_start_xmit() -> loopback_xmit() (drivers/net/loopback.c): skb_orphan(), eth_type_trans()", 600, 100, 0) \
	X(LO_ENQUEUE, "lo:enqueue", "loopback_xmit() -> __netif_rx() -> netif_rx_internal() -> enqueue_to_backlog(skb, smp_processor_id()) (net/core/dev.c): qlen <= netdev_max_backlog: __skb_queue_tail(&sd->input_pkt_queue); if (!__test_and_set_bit(NAPI_STATE_SCHED, &sd->backlog.state)) napi_schedule_rps(sd) -> ____napi_schedule(): __raise_softirq_irqoff(NET_RX_SOFTIRQ)", 40, 0, 0) \
	X(LO_DROP, "lo:backlog_drop", "enqueue_to_backlog(): qlen > netdev_max_backlog (1000): sd->dropped++ (softnet_stat's 2nd column), kfree_skb_reason(skb, SKB_DROP_REASON_CPU_BACKLOG); netif_rx() returns NET_RX_DROP", 30, 0, 0) \
	X(LO_BH_ENABLE, "lo:bh_enable", "__dev_queue_xmit(): rcu_read_unlock_bh() -> local_bh_enable() -> __local_bh_enable_ip(): !in_interrupt() && local_softirq_pending(): do_softirq() -- NET_RX runs now, on the sender's CPU", 7, 0, 0) \
	X(LO_POLL, "lo:backlog_poll", "net_rx_action() -> napi_poll() -> process_backlog() (net/core/dev.c): skb = __skb_dequeue(&sd->process_queue); __netif_receive_skb(skb)", 50, 0, 0) \
	X(LO_DONE, "lo:backlog_done", "process_backlog(): skb_queue_empty(&sd->input_pkt_queue): napi->state &= NAPIF_STATE_THREADED (the backlog NAPI unscheduled, no napi_complete)", 10, 0, 0) \
	X(SL_LOCK, "spin:lock", "spin_lock*(L) from a task program", 12, 0, ML_F_TAKE_USER) \
	X(SL_UNLOCK, "spin:unlock", "spin_unlock*(L) from a task program", 8, 0, ML_F_RELEASE_USER) \
	X(SL_WAIT, "spin:wait", "the lock is held: queue and busy-wait (qspinlock slow path)", 0, 0, ML_F_NOTE(ML_NOTE_SPIN_WAIT)) \
	X(SL_ACQUIRED, "spin:acquired", "the lock is handed to this waiter", 0, 0, ML_F_NOTE(ML_NOTE_SPIN_ACQUIRED)) \
	X(SL_RELEASE, "spin:release", "the lock is released (hold time recorded)", 0, 0, ML_F_NOTE(ML_NOTE_SPIN_RELEASE)) \
	X(LS_LOCK, "lock_sock:spin_lock_bh", "lock_sock() -> lock_sock_nested(): spin_lock_bh(&sk->sk_lock.slock)", 19, 0, ML_F_TAKE_SLOCK) \
	X(LS_WAIT, "lock_sock:wait", "__lock_sock(): owned: prepare_to_wait_exclusive(&sk->sk_lock.wq); spin_unlock_bh(); schedule()", 30, 0, ML_F_RELEASE_SLOCK) \
	X(LS_OWNED, "lock_sock:owned", "lock_sock_nested(): sk->sk_lock.owned = 1", 2, 0, ML_F_OWNED_SET) \
	X(LS_UNLOCK, "lock_sock:spin_unlock_bh", "lock_sock_nested(): spin_unlock_bh(&sk->sk_lock.slock)", 15, 0, ML_F_RELEASE_SLOCK) \
	X(RS_LOCK, "release_sock:spin_lock_bh", "release_sock(): spin_lock_bh(&sk->sk_lock.slock)", 19, 0, ML_F_TAKE_SLOCK) \
	X(RS_DETACH, "release_sock:detach", "__release_sock(): skb = sk->sk_backlog.head; head = tail = NULL; spin_unlock_bh(&sk->sk_lock.slock)", 20, 0, ML_F_BACKLOG_DETACH | ML_F_RELEASE_SLOCK) \
	X(RS_RCV, "release_sock:backlog_rcv", "__release_sock(): sk_backlog_rcv(sk, skb) (tcp_v4_do_rcv) in process context, BH enabled", 800, 0, 0) \
	X(RS_RELOCK, "release_sock:relock", "__release_sock(): spin_lock_bh(&sk->sk_lock.slock); loop while the backlog is not empty", 19, 0, ML_F_BACKLOG_DONE | ML_F_TAKE_SLOCK) \
	X(RS_LEN, "release_sock:len_reset", "__release_sock(): sk->sk_backlog.len = 0, only after the loop", 2, 0, 0) \
	X(RS_OWNED, "release_sock:owned", "sock_release_ownership(): owned = 0 (a non-owner: lockdep's bad unlock balance); if (waitqueue_active(&sk->sk_lock.wq)) wake_up()", 20, 0, ML_F_OWNED_CLEAR) \
	X(RS_UNLOCK, "release_sock:spin_unlock_bh", "release_sock(): spin_unlock_bh(&sk->sk_lock.slock)", 15, 0, ML_F_RELEASE_SLOCK) \
	X(LF_LOCK, "lock_sock_fast:spin_lock_bh", "lock_sock_fast(): spin_lock_bh(&sk->sk_lock.slock)", 19, 0, ML_F_TAKE_SLOCK) \
	X(LF_FAST, "lock_sock_fast:fast", "lock_sock_fast(): not owned: return false with slock held and BH disabled", 2, 0, 0) \
	X(LF_SLOW, "lock_sock_fast:slow", "lock_sock_fast(): owned: __lock_sock(); owned = 1; spin_unlock_bh(); return true", 2, 0, ML_F_RELEASE_SLOCK) \
	X(UF_FAST, "unlock_sock_fast:fast", "unlock_sock_fast(sk, false): spin_unlock_bh(&sk->sk_lock.slock)", 15, 0, ML_F_RELEASE_SLOCK) \
	X(UF_SLOW, "unlock_sock_fast:slow", "unlock_sock_fast(sk, true): release_sock(sk)", 2, 0, 0) \
	X(TCP_LOCK, "tcp_rcv:bh_lock_sock", "tcp_v4_rcv(): bh_lock_sock_nested(sk) = spin_lock(&sk->sk_lock.slock)", 12, 0, ML_F_TAKE_SLOCK) \
	X(TCP_OWNED, "tcp_rcv:owned", "tcp_v4_rcv(): if (!sock_owned_by_user(sk))", 2, 0, 0) \
	X(TCP_DO_RCV, "tcp_rcv:do_rcv", "tcp_v4_rcv(): ret = tcp_v4_do_rcv(sk, skb) inline in softirq", 800, 0, 0) \
	X(TCP_BACKLOG, "tcp_rcv:add_backlog", "tcp_v4_rcv(): sk_add_backlog(sk, skb, sk->sk_rcvbuf + sk->sk_sndbuf) (v3.5-v4.8; tcp_add_backlog() since v4.9 adds 64 KiB and coalesces): queued for release_sock()", 30, 0, ML_F_BACKLOG_ADD) \
	X(TCP_BL_COALESCE, "tcp_rcv:backlog_coalesce", "v5.0+ tcp_add_backlog(): skb_try_coalesce(tail, skb): the in-order segment merges into the backlog's tail skb before the limit check; sk_backlog.len += delta; LINUX_MIB_TCPBACKLOGCOALESCE", 30, 0, ML_F_BACKLOG_ADD) \
	X(TCP_BL_DROP, "tcp_rcv:backlog_drop", "sk_add_backlog(): sk_rcvqueues_full(): backlog.len + rmem_alloc > limit (rcvbuf + sndbuf; tcp_add_backlog()'s from v4.9): -ENOBUFS, drop (LINUX_MIB_TCPBACKLOGDROP)", 30, 0, ML_F_BACKLOG_DROP) \
	X(TCP_RCVQ_DROP, "tcp_rcv:rcvq_drop", "tcp_data_queue(): tcp_try_rmem_schedule() fails (sk_rmem_alloc > sk_rcvbuf, tcp_prune_queue() finds no room): NET_INC_STATS(LINUX_MIB_TCPRCVQDROP) (v4.19+), tcp_drop() -- a note on the do_rcv / backlog_rcv step", 0, 0, 0) \
	X(TCP_UNLOCK, "tcp_rcv:bh_unlock_sock", "tcp_v4_rcv(): bh_unlock_sock(sk) = spin_unlock(&sk->sk_lock.slock)", 8, 0, ML_F_RELEASE_SLOCK) \
	X(RECV_DEQ, "recv:dequeue", "tcp_recvmsg(): take what the receive queue holds (skb_copy_datagram_msg)", 200, 100, ML_F_COPY) \
	X(RECV_FLUSH, "recv:flush_backlog", "tcp_recvmsg_locked(): copied >= target and sk->sk_backlog.tail: \"Do not sleep, just process backlog\" -- __sk_flush_backlog(sk) since v5.17 (spin_lock_bh(slock); __release_sock(sk); spin_unlock_bh(slock): the owner keeps the socket), release_sock(sk); lock_sock(sk) before; then copy again", 10, 0, 0) \
	X(HD_TICK, "timer:irq", "the local timer interrupt: hrtimer_interrupt() -> tick_sched_timer() -> update_process_times() -> run_local_timers(): raise_softirq(TIMER_SOFTIRQ)", 300, 0, 0) \
	X(HD_EXPIRE, "timer:expire", "run_timer_softirq() -> __run_timers() -> expire_timers() -> call_timer_fn(): a scenario `softirq` program starts", 20, 0, 0) \
	X(HD_IRQ, "irq:program", "handle_irq_event() -> action->handler(): a scenario `irq` program's handler starts (busy its cost= first)", 0, 0, 0) \
	X(HD_WORK, "handler:work", "a softirq or irq program's `work T`: busy in that context", 0, 0, 0) \
	X(TASK_WORK, "task:work", "a task program's `work T`: busy in process context", 0, 0, 0) \
	X(TASK_SLEEP, "task:sleep", "a task program's `sleep T`: schedule_timeout()", 0, 0, 0) \
	X(TASK_EXIT, "task:exit", "the program ends: syscall_exit_to_user_mode() -> lockdep_sys_exit(), the irq/preempt-count checks at return to user space", 0, 0, 0) \
	X(CS_CHECK, "consumer:check", "user space: read tp_status of the frame at the reader's index", 5, 0, 0) \
	X(CS_READ, "consumer:read", "user space: read the frame (tp_len, tp_snaplen, the bytes) and check the packet", 100, 100, ML_F_COPY) \
	X(CS_RELEASE, "consumer:release", "user space: tp_status = TP_STATUS_KERNEL, hand the frame back", 5, 0, 0) \
	X(CS_STATS_LOCK, "consumer:stats_lock", "getsockopt(PACKET_STATISTICS) -> packet_getsockopt(): spin_lock_bh(&sk->sk_receive_queue.lock)", 19, 0, ML_F_TAKE_RQ) \
	X(CS_STATS_CLEAR, "consumer:stats_clear", "packet_getsockopt(): memcpy(&st, &po->stats, sizeof(st)); memset(&po->stats, 0, sizeof(po->stats)) (clear on read; before v5.3 tp_drops too); spin_unlock_bh(&sk->sk_receive_queue.lock)", 30, 0, ML_F_RELEASE_RQ) \
	X(CS_STATS_DROPS, "consumer:stats_drops", "v5.3+ packet_getsockopt(): drops = atomic_xchg(&po->tp_drops, 0); st.stats1.tp_drops = drops; st.stats1.tp_packets += drops", 10, 0, 0) \
	X(CS_POLL, "consumer:poll", "poll() syscall round trip; then packet_poll() (consumer:poll_lock, poll_unlock): readable if frame head-1 is not TP_STATUS_KERNEL", 300, 0, 0) \
	X(CS_POLL_LOCK, "consumer:poll_lock", "packet_poll(): spin_lock_bh(&sk->sk_receive_queue.lock)", 19, 0, ML_F_TAKE_RQ) \
	X(CS_POLL_UNLOCK, "consumer:poll_unlock", "packet_poll(): if (!packet_previous_rx_frame(po, &po->rx_ring, TP_STATUS_KERNEL)) mask |= EPOLLIN; spin_unlock_bh(&sk->sk_receive_queue.lock)", 15, 0, ML_F_RELEASE_RQ) \
	X(CS_WAKE, "consumer:wake", "the reader's wakeup from poll (try_to_wake_up latency)", 2000, 0, 0) \
	X(CS3_BLOCK, "consumer_v3:block", "libpcap pcap_read_linux_mmap_v3(): packet_mmap_v3_acquire(): block_status & TP_STATUS_USER; current_packet = block + offset_to_first_pkt, packets_left = num_pkts", 5, 0, 0) \
	X(CS3_READ, "consumer_v3:read", "pcap_read_linux_mmap_v3(): pcap_handle_packet_mmap() on the frame at current_packet (tp_len, tp_snaplen, tp_mac, the bytes)", 100, 100, ML_F_COPY) \
	X(CS3_NEXT, "consumer_v3:next", "pcap_read_linux_mmap_v3(): current_packet += tp3_hdr->tp_next_offset; packets_left--", 5, 0, 0) \
	X(CS3_RELEASE, "consumer_v3:release", "packet_mmap_v3_release(): block_status = TP_STATUS_KERNEL; if (++handle->offset >= handle->cc) handle->offset = 0", 5, 0, 0) \
	X(CS3_POLL, "consumer_v3:poll", "pcap_wait_for_frames_mmap(): poll() -> packet_poll(): readable if __prb_previous_block() (kactive_blk_num - 1) is not TP_STATUS_KERNEL", 300, 0, 0) \
	X(OR_VIOLATION, "oracle:violation", "a lock rule broke (lockdep would splat here)", 0, 0, ML_F_NOTE(ML_NOTE_VIOLATION)) \
	X(OR_DEADLOCK, "oracle:deadlock", "one hop of a wait-for cycle (hop= of hops=): this context spins on lock= that the next hop holds, waits in lock_sock() on sock= it owns itself, or cannot run under the context on top of its CPU; nothing can break it: the soft-lockup watchdog (kernel/watchdog.c) would report `BUG: soft lockup - CPU#N stuck`", 0, 0, ML_F_NOTE(ML_NOTE_DEADLOCK)) \
	X(OR_OVERRUN, "oracle:overrun", "a frame claimed while another writer still owns it", 0, 0, ML_F_NOTE(ML_NOTE_OVERRUN)) \
	X(RING_OCC, "ring:occupancy", "trace only: frames by state after a change (kernel, writing, user)", 0, 0, ML_F_NOTE(ML_NOTE_RING_OCC)) \
	X(BACKLOG_LEN, "backlog:len", "trace only: a socket's backlog after a change (pkts, bytes = sk_backlog.len, rmem = sk_rmem_alloc)", 0, 0, ML_F_NOTE(ML_NOTE_BACKLOG_LEN))

enum model_label {
#define X(id, name, kernel, ns, ps, flags) ML_##id,
	MODEL_LABELS(X)
#undef X
	ML_COUNT
};

typedef struct model_label_desc {
	const char *name;
	const char *kernel;
	uint64_t cost_ns;
	uint64_t per_byte_ps;
	uint32_t flags;
} model_label_desc;

extern const model_label_desc model_labels[ML_COUNT];

/* Other defaults. */
#define COST_HANDOFF_NS 60          /* cache-line hand-off to the next spinner */
#define COST_WAKE_NS 2000           /* try_to_wake_up -> the task runs */
#define NIC_QUEUE_DEFAULT 1024      /* RX descriptors per queue (ethtool -g typical) */
#define NETDEV_BUDGET 300           /* net.core.netdev_budget */
#define NETDEV_BUDGET_NS 2000000ull /* net.core.netdev_budget_usecs 2000 (v4.12+; 2 jiffies before) */
#define MAX_SKB_FRAGS 17            /* include/linux/skbuff.h (65536 / PAGE_SIZE + 1) */
#define NAPI_POLL_WEIGHT 64         /* include/linux/netdevice.h: drivers' default weight */
#define SKB_TRUESIZE_OVERHEAD 576   /* SKB_TRUESIZE(): SKB_DATA_ALIGN(sizeof(struct sk_buff)) + SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86_64 */
#define TPACKET_MACOFF 66           /* V1/V2 Ethernet: netoff = TPACKET_ALIGN(tp_hdrlen 52 + 16) = 80; macoff = 80 - 14 */
#define CONSUMER_FUTILE_POLLS 64    /* a reader spinning on a readable-but-not-ready ring gives up and sleeps */

#endif
