/* world.h - one run of the kernel models, built from a scenario.
 *
 * A world is an engine (sim) plus the models' descriptors and their state in
 * the engine's arena.  world_build lays everything out once; world_reset puts
 * a run back at time 0 (the same layout, no allocation); world_run runs it to
 * the end; world_metrics reads the oracle's figures.  Snapshot, restore and
 * hash are the engine's arena operations (flat state: nothing lives elsewhere).
 *
 * Concurrency contract: a world is one run on one thread.
 */
#ifndef MODELS_WORLD_H
#define MODELS_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "costs.h"
#include "scn.h"
#include "sim.h"

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

#define PKT_NONE UINT64_MAX
#define NET_RX_SOFTIRQ 3            /* include/linux/interrupt.h: HI, TIMER, NET_TX, NET_RX */

/* ---- state structs (in the arena; no padding) ---- */

typedef struct spin_state {
	uint32_t owner;             /* ctx, or SIM_NONE */
	uint32_t head, tail;        /* FIFO of spinning ctxs, linked through world.spin_next */
	uint32_t nwait;
	uint32_t usage;             /* lock-rule usage bits, see spinlock.c */
	uint32_t owner_mode;        /* how the owner took it (SPIN_PLAIN/BH/IRQ) */
	uint64_t acquired_at;
	uint64_t acquisitions, contended;
	uint64_t wait_total, wait_max, hold_total, hold_max;
	uint64_t softirq_at, softirq_on_at;   /* first usage of each kind (for stories) */
	uint32_t softirq_cpu, softirq_on_cpu;
} spin_state;

typedef struct bl_slot {
	uint64_t pkt;
	uint32_t truesize;
	uint32_t size;
} bl_slot;

typedef struct sock_state {
	uint32_t owned;             /* sk_lock.owned: owner task ctx + 1, or 0 */
	uint32_t bl_head, bl_count; /* backlog ring (sk_backlog.head/tail) */
	uint32_t detached;          /* packets detached by __release_sock, not yet processed */
	uint64_t bl_len;            /* sk_backlog.len, bytes (truesize) */
	uint64_t rmem;              /* sk_rmem_alloc: bytes in the receive queue */
	uint64_t rq_pkts;           /* packets in the receive queue */
	uint64_t owned_since;
} sock_state;

typedef struct ring_state {
	uint32_t head;              /* po->rx_ring.head */
	uint32_t pad;
	uint64_t tp_packets, tp_drops;
} ring_state;

typedef struct claim_rec {
	uint64_t at, pkt, seq, unlock_at;
	uint32_t cpu, ctx;          /* the writer; the step it reached: world.writer_at[ctx] */
} claim_rec;

typedef struct ring_frame {
	uint32_t status;            /* tp_status */
	uint32_t owners;            /* writers between their C and J on this frame */
	uint32_t copying;           /* writers inside G */
	uint32_t mixed;             /* the bytes are a mix of overlapping copies */
	uint64_t data_pkt;          /* whose bytes the frame holds, PKT_NONE if none */
	uint64_t hdr_pkt;           /* whom the header (H) describes */
	uint64_t sum;               /* checksum of the bytes in the frame */
	uint32_t data_consumed;     /* these bytes were consumed already */
	uint32_t snaplen;
	uint64_t gen;               /* bumped by every write (G, H) */
	/* for stories: the writer that claimed it last, and the one before it
	 * while that one still owns the frame (an overrun) */
	claim_rec cur, prev;
} ring_frame;

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

typedef struct task_state {
	uint64_t run;               /* runs of the program started */
	uint32_t fast;              /* lock_sock_fast took the fast path (bit per socket, low 32) */
	uint32_t pad;
} task_state;

typedef struct consumer_state {
	uint32_t idx;               /* the reader's frame index */
	uint32_t futile;            /* polls that found the ring readable but idx not ready */
	uint64_t gen_at_read;
	uint64_t spins;             /* futile polls in all */
} consumer_state;

typedef struct stall_note {
	uint64_t from, for_ns;
} stall_note;

/* A story: the few events that make a violation. */
#define STORY_LINES 10
enum story_kind { STORY_OVERRUN, STORY_CORRUPT, STORY_PARTIAL, STORY_LOST,
		  STORY_VIOLATION, STORY_DEADLOCK, STORY_KINDS };
typedef struct story_line {
	uint64_t time;
	uint32_t cpu, ctx_kind;
	uint32_t ctx, label;        /* label: engine label id, or SIM_NONE */
	uint32_t what, frame;
	uint64_t pkt, arg;
} story_line;
typedef struct story {
	uint32_t n, pad;
	story_line line[STORY_LINES];
} story;

typedef struct world_global {
	uint64_t m[SCN_M_COUNT];    /* the metrics (enum scn_metric) */
	uint64_t created;           /* packets made by flows */
	uint64_t in_nic;            /* on a NIC queue */
	uint64_t in_hand;           /* taken by NET_RX, not yet settled by a protocol */
	uint64_t consumed_intact;
	uint64_t stream_rx;         /* processed by tcp (inline or backlog) */
	uint64_t claims;            /* ring claims, all sockets */
	uint64_t first_lost_pkt, first_lost_by;
	uint64_t first_lost_at;
	uint32_t first_lost_cpu, first_lost_frame;
	uint32_t end;               /* enum sim_end of the run */
	uint32_t skip_ctx;          /* release_sock that left a backlog (bug), or SIM_NONE */
	uint64_t skip_at, skip_pkts;
} world_global;

/* ---- descriptors ---- */

typedef struct world {
	sim s;
	const scn_file *scn;
	int fix;                    /* enum scn_fix: the variant of this run */
	uint32_t bugs;
	uint32_t L0;                /* engine label id of model label 0 */
	uint64_t handoff_ns;
	int spin_random;

	/* locks: [0, nsockets) sk_receive_queue.lock, [nsockets, 2n) sk_lock.slock, then `lock`s */
	uint32_t nlocks;
	/* per socket */
	uint32_t *sock_wq;          /* sk_lock.wq */
	uint32_t *data_wq;          /* sk_sleep(sk): poll waiters */
	uint32_t *bl_cap;           /* backlog ring capacity */
	size_t *bl_off;             /* offset of its backlog slots */
	size_t *frame_off;          /* packet: offset of its frames */
	size_t *bitmap_off;         /* packet: offset of its ck_bitmap */
	/* per CPU */
	uint32_t *nic_line;         /* hardirq line of the NIC queue */
	uint32_t *nic_cap;          /* slots of its NIC queue: `nic queue=`, or fewer when its flows
				     * send fewer packets in all (the queue can never fill then) */
	size_t *nic_first;          /* index of its first slot in nic_slots */
	/* per task ctx (scenario tasks, then consumers) */
	uint32_t *task_timer;
	uint32_t *task_wq;          /* private wait queue for `sleep` */
	uint32_t nsctasks;          /* scenario tasks: ctx [0, nsctasks); consumers after */
	uint32_t *flow_timer;

	uint16_t fn_netrx, fn_nic_irq, fn_tpacket_rcv, fn_tcp_rcv, fn_lock_sock,
		 fn_release_sock, fn_lock_sock_fast, fn_unlock_sock_fast, fn_recv,
		 fn_task, fn_consumer, fn_spin_op;
	uint16_t tpacket_pc0;   /* tpacket_rcv's first step: A, or room from v5.3 */
	uint32_t rng_spin;

	/* state offsets and pointers */
	size_t off_g, off_spin, off_spin_next, off_sock, off_ring, off_nic, off_nic_slots,
	       off_flow, off_task, off_cons, off_story, off_stall, off_writer_at;
	world_global *g;
	spin_state *spin;
	uint32_t *spin_next;        /* [nctx] */
	uint32_t *writer_at;        /* [nctx]: the tpacket_rcv step a writer performed last */
	sock_state *sock;
	ring_state *ring;
	nic_state *nic;
	nic_slot *nic_slots;        /* CPU c's: [nic_first[c], nic_first[c] + nic_cap[c]) */
	uint64_t *flow_sent;        /* [nflows] */
	task_state *task;           /* [ntasks] */
	consumer_state *cons;       /* [nconsumers] */
	story *story;               /* [STORY_KINDS] */
	stall_note *stall;          /* [ncpus] */
} world;

static inline uint32_t wl(const world *w, enum model_label l) { return w->L0 + (uint32_t)l; }
static inline ring_frame *ring_frames(world *w, uint32_t sock)
{
	return arena_at(&w->s.ar, w->frame_off[sock]);
}
static inline bl_slot *bl_slots(world *w, uint32_t sock)
{
	return arena_at(&w->s.ar, w->bl_off[sock]);
}

/* The checksum a packet's payload gets when it is made (a hash of the run
 * seed and the packet id: no table needed). */
static inline uint64_t pkt_sum(const world *w, uint64_t pkt)
{
	uint64_t x = w->s.seed ^ (pkt * 0x9e3779b97f4a7c15ull);
	return splitmix64(&x);
}
uint32_t pkt_truesize(uint32_t size);

/* Build a world for one fix variant.  Returns 0, or with a message
 * "FILE:LINE:COL: error: ..." in err: WORLD_EINPUT when the scenario asks
 * for more than the engine or `limit memory=` allows, WORLD_ENOMEM when
 * memory runs out. */
enum { WORLD_EINPUT = -1, WORLD_ENOMEM = -2 };
int world_build(world *w, const scn_file *f, int fix, char *err, size_t errlen);
void world_reset(world *w);
/* Run to the end (quiet, time limit, or stopped by a deadlock); computes the
 * final metrics.  Returns enum sim_end. */
int world_run(world *w);
/* After a run that ended SIM_END_STUCK (time stopped advancing): the error,
 * `FILE:LINE:COL: error: ...`, at the task or flow that was running. */
void world_stuck_message(const world *w, char *err, size_t errlen);
void world_free(world *w);

/* The labels a scenario may name, the engine's and the models', with the
 * kernel line each stands for (static strings).  Fills up to cap entries
 * (kernel may be NULL) and returns how many labels there are. */
size_t world_label_table(const char **names, const char **kernel, size_t cap);
/* Label i of that table: its default cost (ns) and per-byte part (ps a
 * byte); 0 when i is past its end. */
int world_label_cost(size_t i, uint64_t *cost_ns, uint64_t *per_byte_ps);

#endif
