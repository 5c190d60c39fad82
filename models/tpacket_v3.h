/* tpacket_v3.h - PACKET_RX_RING with TPACKET_V3: the block ring (the prb_*
 * block layer of net/packet/af_packet.c, v4.19), tpacket_rcv()'s V3 path
 * and the block retire timer.
 *
 * A V3 ring is tp_block_nr blocks of tp_block_size bytes.  The kernel fills
 * the current block with variable-size frames (each TOTAL_PKT_LEN_INCL_ALIGN
 * (macoff + snaplen) bytes) and hands a whole block to user space at once
 * (prb_close_block: block_status = TP_STATUS_USER): when the next packet
 * does not fit, or when the retire timer finds it has packets.  A writer
 * reserves its frame under sk_receive_queue.lock (prb_fill_curr_block,
 * blk_fill_in_prog++) and copies outside it (prb_clear_blk_fill_status,
 * blk_fill_in_prog-- at the end); whoever closes a block first waits for
 * blk_fill_in_prog to drain -- which is why V3 has no ring-wrap overrun.
 * `bug v3_skips_fill_wait` drops that wait (the oracle then finds blocks
 * handed over with a frame still being written).
 *
 * Frames of a block are ghost slots (ghost.h) block * v3_slots_per_block
 * + k, for the k-th frame of the block.
 *
 * Concurrency contract: the step functions run in softirq contexts (NET_RX
 * for tpacket_rcv, TIMER for the retire timer); the rest is called from
 * steps or while building.
 */
#ifndef MODELS_TPACKET_V3_H
#define MODELS_TPACKET_V3_H

#include "world.h"

/* ---- layout constants (include/uapi/linux/if_packet.h, af_packet.c) ---- */
#define V3_ALIGNMENT 8u             /* af_packet.c: #define V3_ALIGNMENT (8) */
#define V3_BLK_HDR_LEN 48u          /* ALIGN(sizeof(struct tpacket_block_desc), V3_ALIGNMENT) */
/* tp_hdrlen = TPACKET3_HDRLEN = TPACKET_ALIGN(sizeof(struct tpacket3_hdr) 48)
 * + sizeof(struct sockaddr_ll) 20 = 68; netoff = TPACKET_ALIGN(68 + 16) = 96;
 * macoff = netoff - ETH_HLEN 14 */
#define TPACKET3_MACOFF 82u
#define DEFAULT_PRB_RETIRE_TOV 8u   /* ms */
#define TIMER_SOFTIRQ 1             /* include/linux/interrupt.h: HI, TIMER, ... */

/* ---- state (in the arena; no padding) ---- */

/* struct tpacket_kbdq_core, the words the model uses, and the socket's
 * stats3 */
typedef struct v3_ring {
	uint32_t kactive_blk_num;
	uint32_t last_kactive_blk_num;
	uint32_t reset_pending_on_curr_blk; /* prb_queue_frozen() */
	uint32_t blk_fill_in_prog;          /* atomic_t */
	uint32_t nxt_offset;                /* pkc->nxt_offset, from the block's start */
	uint32_t prev;                      /* pkc->prev: the last frame's ghost slot */
	uint32_t timer_cpu;                 /* the CPU retire_blk_timer is queued on */
	uint32_t timer_due;                 /* expired, its TIMER softirq has not run it */
	uint64_t knxt_seq_num;
	uint64_t tp_packets, tp_drops, tp_freeze_q_cnt;
	uint64_t closed, closed_tmo;        /* blocks closed in all, by the timer */
} v3_ring;

/* struct tpacket_block_desc: hdr.bh1 */
typedef struct v3_block {
	uint32_t block_status;
	uint32_t num_pkts;
	uint32_t blk_len;
	uint32_t pad;
	uint64_t seq_num;
} v3_block;

/* struct tpacket3_hdr: the words the model uses */
typedef struct v3_frame {
	uint32_t next_offset;       /* tp_next_offset */
	uint32_t snaplen;           /* tp_snaplen */
} v3_frame;

/* The descriptors (world.v3). */
typedef struct v3_desc {
	size_t *blk_off, *frm_off;  /* per socket: its blocks, its frames (slots) */
	uint32_t *timer;            /* per socket: retire_blk_timer */
	uint32_t *tov_ns;           /* per socket: retire_blk_tov */
	uint32_t *tick_line;        /* per CPU: the local timer interrupt */
	size_t off_ring;
	v3_ring *ring;              /* [nsockets] */
	uint16_t fn_rcv, fn_timers;
} v3_desc;

static inline int v3_socket(const scn_socket *so)
{
	return so->type == SCN_SOCK_PACKET && so->version == 3;
}
/* BLK_PLUS_PRIV(tp_sizeof_priv) */
static inline uint32_t v3_blk_plus_priv(const scn_socket *so)
{
	return V3_BLK_HDR_LEN + ((so->priv + V3_ALIGNMENT - 1) & ~(V3_ALIGNMENT - 1));
}
/* TOTAL_PKT_LEN_INCL_ALIGN(macoff + snaplen) */
static inline uint32_t v3_frame_len(uint32_t snaplen)
{
	return (TPACKET3_MACOFF + snaplen + V3_ALIGNMENT - 1) & ~(V3_ALIGNMENT - 1);
}
/* The most frames a block can hold (all of the smallest size). */
static inline uint32_t v3_slots_per_block(const scn_socket *so)
{
	return (so->block_size - v3_blk_plus_priv(so)) / v3_frame_len(1) + 1;
}
/* Ghost slots of a socket: every frame a V3 ring can hold; V1/V2: frames. */
static inline uint32_t ring_slots(const scn_socket *so)
{
	if (so->type != SCN_SOCK_PACKET)
		return 1;
	return so->version == 3 ? so->blocks * v3_slots_per_block(so) : so->frames;
}
/* prb_calc_retire_blk_tmo() at 10 Gb/s (the flows' line rate): msec = 1,
 * div = 10000 / 1000, mbits = block_size * 8 / 2^20 / div, tmo = mbits + 1. */
uint32_t v3_calc_retire_blk_tmo(uint32_t block_size);

static inline v3_block *v3_blocks(world *w, uint32_t sock)
{
	return arena_at(&w->s.ar, w->v3->blk_off[sock]);
}
static inline v3_frame *v3_frames(world *w, uint32_t sock)
{
	return arena_at(&w->s.ar, w->v3->frm_off[sock]);
}

/* Trace only: a ring:occupancy note counting blocks (kernel; being filled:
 * the open block with frames; user) and frozen=0/1. */
void v3_trace_occupancy_(world *w, uint32_t ctx, uint32_t sock);
static inline void v3_trace_occupancy(world *w, uint32_t ctx, uint32_t sock)
{
	if (sim_tracing(&w->s) && ctx != SIM_NONE)
		v3_trace_occupancy_(w, ctx, sock);
}
/* packet_poll() on a V3 ring: readable when __prb_previous_block() (block
 * kactive_blk_num - 1) is not TP_STATUS_KERNEL. */
int v3_poll_readable(world *w, uint32_t sock);
/* __tpacket_v3_has_room(po, ROOM_POW_OFF): the block kactive + blocks/4 is
 * TP_STATUS_KERNEL (ROOM_NORMAL, for fanout's rollover). */
int v3_has_room(world *w, uint32_t sock);
/* The end-of-run balance: published or being filled, intact, not read. */
uint64_t v3_waiting(world *w, uint32_t sock);
/* The block layer, each under sk_receive_queue.lock (called by the steps
 * and the tests): prb_open_block, prb_close_block (stat: 0 or
 * TP_STATUS_BLK_TMO; ctx for the oracle), prb_dispatch_next_block (returns
 * 0 when the queue froze), prb_fill_curr_block (returns the ghost slot). */
void v3_open_block(world *w, uint32_t sock, uint32_t ctx);
void v3_close_block(world *w, uint32_t sock, uint32_t ctx, uint32_t stat);
int v3_dispatch_next_block(world *w, uint32_t sock, uint32_t ctx);
uint32_t v3_fill_curr_block(world *w, uint32_t sock, uint32_t len);
/* Does the frame fit in the current block: curr + len < end. */
int v3_fits(world *w, uint32_t sock, uint32_t len);
/* The retire timer's expiry (an engine timer): queues the TIMER softirq. */
void v3_timer_fire(sim *s, uint32_t sock);

extern const model_ops tpacket_v3_ops;

#endif
