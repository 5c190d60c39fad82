/* sock_lock.h - the socket lock (docs/kernel.md, seed 000): slock + owned +
 * wait queue + backlog, and the TCP-like receive that uses it.
 *
 *   lock_sock        spin_lock_bh(slock); while owned: join sk_lock.wq
 *                    (exclusive), spin_unlock_bh, sleep, spin_lock_bh;
 *                    owned = 1; spin_unlock_bh.  Process context; may sleep.
 *   release_sock     spin_lock_bh; while the backlog is not empty: detach it,
 *                    spin_unlock_bh, sk_backlog_rcv each packet in order
 *                    (process context, BH on), spin_lock_bh; then
 *                    backlog.len = 0; owned = 0; wake one; spin_unlock_bh.
 *   lock_sock_fast   spin_lock_bh; not owned: return holding slock with BH
 *                    off ("fast"); else the slow path of lock_sock.
 *   tcp_rcv (BH)     bh_lock_sock; if !owned do_rcv inline, else
 *                    (v5.0+) coalesce into the backlog's tail skb, or
 *                    sk_add_backlog (refused when backlog.len + rmem >
 *                    rcvbuf + sndbuf: backlog_drops); bh_unlock_sock.
 *   recv             lock_sock (unless owned by the caller); take the
 *                    receive queue; release_sock.
 *
 * Every function is a state machine of labelled steps, so interrupts land
 * between them.  Frames: a = socket; tcp_rcv: b = size, d = packet id.
 *
 * Concurrency contract: tcp_rcv runs in softirq context, the rest in task
 * context (a task program's op).
 */
#ifndef MODELS_SOCK_LOCK_H
#define MODELS_SOCK_LOCK_H

#include "locks.h"
#include "world.h"

/* ---- state (in the arena; no padding) ---- */

typedef struct bl_slot {       /* one skb on the backlog */
	uint64_t pkt;               /* its first packet */
	uint32_t truesize;
	uint32_t size;
	uint32_t segs;              /* packets in it (v5.0+ coalescing: up to MAX_SKB_FRAGS + 1) */
	uint32_t pad;
} bl_slot;

typedef struct sock_state {
	uint32_t owned;             /* sk_lock.owned: owner task ctx + 1, or 0 */
	uint32_t bl_head, bl_count; /* backlog ring (sk_backlog.head/tail) */
	uint32_t detached;          /* packets detached by __release_sock, not yet processed */
	uint64_t bl_len;            /* sk_backlog.len, bytes (truesize) */
	uint64_t rmem;              /* sk_rmem_alloc: bytes in the receive queue */
	uint64_t rq_pkts;           /* packets in the receive queue */
	uint64_t owned_since;
	uint64_t bl_pkts;           /* packets on the backlog (bl_count skbs) */
} sock_state;


/* What sk_add_backlog() weighs backlog.len + rmem against, by kernel version:
 * rcvbuf + sndbuf (to v4.8), tcp_add_backlog()'s from v4.9. */
uint64_t sock_backlog_limit(const scn_socket *so, uint32_t kernel);
uint32_t sock_backlog_cap(const scn_socket *so, uint32_t kernel);
void sock_reset(world *w, uint32_t sock);

sim_answer sock_lock_step(sim *s, uint32_t ctx, sim_frame *f);
sim_answer sock_release_step(sim *s, uint32_t ctx, sim_frame *f);
sim_answer sock_lock_fast_step(sim *s, uint32_t ctx, sim_frame *f);
sim_answer sock_unlock_fast_step(sim *s, uint32_t ctx, sim_frame *f);
sim_answer sock_tcp_rcv_step(sim *s, uint32_t ctx, sim_frame *f);
sim_answer sock_recv_step(sim *s, uint32_t ctx, sim_frame *f);

extern const model_ops sock_lock_ops;

#endif
