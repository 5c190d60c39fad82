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
#include "keys.h"
#include "scn.h"
#include "sim.h"


#define PKT_NONE UINT64_MAX

/* ---- state in the arena (each model's own struct lives in its header) ---- */

typedef struct spin_state spin_state;
typedef struct sock_state sock_state;
typedef struct bl_slot bl_slot;
typedef struct ring_state ring_state;
typedef struct ring_frame ring_frame;
typedef struct nic_state nic_state;
typedef struct nic_slot nic_slot;
typedef struct task_state task_state;
typedef struct consumer_state consumer_state;
typedef struct handler_state handler_state;
typedef struct ld_state ld_state;
typedef struct ld_edge ld_edge;
typedef struct ld_report ld_report;
typedef struct ld_class ld_class;
typedef struct ld_held ld_held;
typedef struct story story;
typedef struct stall_note stall_note;

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

typedef struct world world;

/* A model registers itself with the world through this table; world.c
 * lists the models once and loops over them, in that order, at each phase:
 *   reserve  while building: register its step functions, timers, wait
 *            queues, irq lines; allocate its descriptors; reserve its state
 *            in the arena (world_reserve).  Returns 0, or -1 with a message.
 *   bind     after the arena is allocated: point at its state.
 *   reset    at time 0 of every run, after the engine's reset (which zeroes
 *            the arena): initialise its state, arm its timers, start its
 *            tasks.
 *   finish   after a run: final figures.
 *   release  free its descriptors (world_free).
 *   canon    `--check` (untimed.h): in `copy`, a copy of the arena, clear
 *            what is accounting, not state -- times, statistics, the
 *            story -- so that states that differ only there hash alike
 *            (world_state_hash).  Leave anything a later step reads.
 * Any of them may be NULL. */
typedef struct model_ops {
	const char *name;
	int (*reserve)(world *w, char *err, size_t errlen);
	void (*bind)(world *w);
	void (*reset)(world *w);
	void (*finish)(world *w);
	void (*release)(world *w);
	void (*canon)(const world *w, unsigned char *copy);
} model_ops;

/* How a socket receives a packet from NET_RX: the protocol's step function
 * and its first pc, chosen once when the run is built (the kernel's
 * po->prot_hook.func = tpacket_rcv, or tcp_v4_rcv for a stream socket). */
typedef struct sock_rcv {
	uint16_t fn, pc;
} sock_rcv;

struct world {
	sim s;
	const scn_file *scn;
	int fix;                    /* enum scn_fix: the variant of this run */
	uint32_t bugs;
	uint32_t L0;                /* engine label id of model label 0 */
	uint64_t handoff_ns;
	int spin_random;
	uint32_t futile_polls;      /* a reader's futile polls before it sleeps:
				     * CONSUMER_FUTILE_POLLS, 1 under --check */
	world_global *g;
	size_t off_g;

	/* contexts: scenario tasks [0, nsctasks), then consumers; each has a
	 * timer and a wait queue for `sleep` (world.c lays them out) */
	uint32_t nsctasks;
	uint32_t *task_timer;
	uint32_t *task_wq;

	/* spinlock.c: ids as locks.h lays them out */
	uint32_t nlocks;
	uint32_t rng_spin;
	size_t off_spin, off_spin_next;
	spin_state *spin;
	uint32_t *spin_next;        /* [nctx] */

	/* lockdep.c: the graph, per lock class, per context; bfs() scratch */
	size_t off_ld, off_ld_class, off_ld_held, off_ld_edge, off_ld_report;
	ld_state *ld;
	ld_edge *ld_edge;           /* [ld_edge_cap] */
	ld_report *ld_report;       /* [ld_report_cap] */
	uint32_t ld_edge_cap, ld_report_cap;
	ld_class *ld_class;         /* [nlocks] */
	ld_held *ld_held;           /* [nctx] */
	uint32_t *ld_queue, *ld_parent;
	uint8_t *ld_seen;

	/* sock_lock.c, per socket */
	sock_rcv *rcv;              /* its receive function (netrx calls it) */
	uint32_t *sock_wq;          /* sk_lock.wq */
	uint32_t *data_wq;          /* sk_sleep(sk): poll waiters */
	uint32_t *bl_cap;           /* backlog ring capacity */
	size_t *bl_off;             /* offset of its backlog slots */
	size_t off_sock;
	sock_state *sock;
	uint16_t fn_tcp_rcv, fn_lock_sock, fn_release_sock, fn_lock_sock_fast, fn_unlock_sock_fast,
		 fn_recv;

	/* packet_ring.c, per socket (packet sockets) */
	size_t *frame_off;          /* offset of its frames */
	size_t *bitmap_off;         /* offset of its ck_bitmap */
	size_t off_ring, off_writer_at;
	ring_state *ring;
	uint32_t *writer_at;        /* [nctx]: the tpacket_rcv step a writer performed last */
	uint16_t fn_tpacket_rcv;

	/* tpacket_v3.c, consumer_v3.c, fanout.c: their descriptors */
	struct v3_desc *v3;
	struct v3_reader_desc *v3r;
	struct fanout_desc *fo;

	/* netrx.c, per CPU */
	uint32_t *nic_line;         /* hardirq line of the NIC queue */
	uint32_t *nic_cap;          /* slots of its NIC queue: `nic queue=`, or fewer when its flows
				     * send fewer packets in all (the queue can never fill then) */
	size_t *nic_first;          /* index of its first slot in nic_slots */
	uint32_t *flow_timer;       /* per flow */
	size_t off_nic, off_nic_slots, off_flow;
	nic_state *nic;
	nic_slot *nic_slots;        /* CPU c's: [nic_first[c], nic_first[c] + nic_cap[c]) */
	uint64_t *flow_sent;        /* [nflows] */
	uint32_t *replay_ids;       /* the scenario's `replay` steps as timer ids, or NULL */
	size_t replay_done;         /* how many of them the last run took (replay.c) */
	uint64_t *pkt_base;         /* [nflows] under --check: flow i's packets are
				     * pkt_base[i] + 0, 1, ... (world_new_pkt); NULL */
	uint16_t fn_netrx, fn_nic_irq;

	/* loopback.c: the senders of source=lo flows, ctx lo_ctx0.. in flow order */
	uint32_t lo_ctx0;
	uint16_t fn_lo_send;

	/* task.c, consumer.c */
	size_t off_task, off_cons;
	task_state *task;           /* [ntasks] */
	consumer_state *cons;       /* [nconsumers] */
	uint16_t fn_task, fn_spin_op, fn_consumer;

	/* handler.c: per program (softirqs, then irqs) */
	uint32_t *hd_timer, *hd_line;
	size_t off_hd;
	handler_state *hd;
	uint16_t fn_hd_prog;

	/* oracle.c, ghost.c */
	size_t off_story, off_stall, off_read_gen;
	story *story;               /* [STORY_KINDS] */
	stall_note *stall;          /* [ncpus] */
	size_t *ghost_off;          /* per socket: offset of its frames' ring_ghost */
	uint64_t *read_gen;         /* [nconsumers]: the frame's write count when read */
};

static inline uint32_t wl(const world *w, enum model_label l) { return w->L0 + (uint32_t)l; }
static inline ring_frame *ring_frames(world *w, uint32_t sock)
{
	return arena_at(&w->s.ar, w->frame_off[sock]);
}
static inline bl_slot *bl_slots(world *w, uint32_t sock)
{
	return arena_at(&w->s.ar, w->bl_off[sock]);
}
/* All contexts: tasks, then a softirq and a hardirq per CPU. */
/* A new packet of flow i, its flow_sent[i]-th: numbered in creation order,
 * or under --check by flow, so that two orders of arrival that the oracle
 * cannot tell apart are one state. */
static inline uint64_t world_new_pkt(world *w, size_t i)
{
	uint64_t seq = w->g->created++;
	return w->pkt_base ? w->pkt_base[i] + w->flow_sent[i] : seq;
}
static inline uint32_t world_nctx(const world *w) { return w->s.ntasks + 2 * w->s.ncpus; }

/* For a model's reserve: room for n items of `size` bytes in the arena (and
 * one more), its offset.  world_oom: the out-of-memory error, WORLD_ENOMEM.
 * world_check_memory: 0 while the state reserved so far fits `limit
 * memory=`, else WORLD_EINPUT with an error at pos naming what pushed it over
 * (a reserve calls it after each object it sizes from the scenario). */
size_t world_reserve(world *w, size_t n, size_t size);
int world_oom(const world *w, char *err, size_t errlen);
int world_check_memory(const world *w, scn_pos pos, const char *what, char *err, size_t errlen);

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
/* The same on the heap: NULL with a message; world_delete frees it. */
world *world_new(const scn_file *f, int fix, char *err, size_t errlen);
void world_delete(world *w);
void world_reset(world *w);
/* Run to the end (quiet, time limit, or stopped by a deadlock); computes the
 * final metrics.  Returns enum sim_end. */
int world_run(world *w);
/* replay.c: check a scenario's `replay` steps against the run's timers and
 * switch the world to untimed stepping (0, or WORLD_E* with a message);
 * then world_run follows them (world_replay_run) instead of the clock. */
int world_replay_bind(world *w, char *err, size_t errlen);
int world_replay_run(world *w);
/* After a run that ended SIM_END_STUCK (time stopped advancing): the error,
 * `FILE:LINE:COL: error: ...`, at the task or flow that was running. */
/* The end of a run that ended `end` (enum sim_end): the final metrics (lost).
 * world_run calls it; `--check` calls it at each terminal state. */
void world_finish(world *w, int end);
/* At the end of a run: does some context wait for what can never come (it
 * spins on a lock, or sleeps in lock_sock)? */
int world_waits_forever(const world *w);
void world_stuck_message(const world *w, char *err, size_t errlen);
void world_free(world *w);

/* ---- `--check` (untimed.h, docs/check.md) ---- */
/* Switch a built world to untimed stepping: every label costs 1 ns, no
 * stalls or jitter (the scenario's timing is one path among all), then
 * reset.  Call once, after world_build. */
void world_untimed(world *w);
/* The hash of the run's canonical state: the arena copied to `scratch`
 * (world_scratch_bytes() long), the engine's and each model's accounting
 * cleared (sim_canon, model_ops.canon), then hashed. */
size_t world_scratch_bytes(const world *w);
uint64_t world_state_hash(world *w, unsigned char *scratch);
/* In a model's canon: the copy's version of a pointer p into w's arena. */
#define WORLD_IN_COPY(w, copy, p) \
	((void *)((copy) + ((const unsigned char *)(p) - (w)->s.ar.base)))

/* A packet socket's own figures after a run (tp_packets, tp_drops, V3's
 * tp_freeze_q_cnt and blocks closed, fanout's share): up to WORLD_STATS_MAX
 * (name, value) pairs, names static; 0 for a stream socket. */
#define WORLD_STATS_MAX 8
typedef struct world_stat {
	const char *name;
	uint64_t v;
} world_stat;
size_t world_socket_stats(world *w, uint32_t sock, world_stat out[WORLD_STATS_MAX]);

/* The labels a scenario may name, the engine's and the models', with the
 * kernel line each stands for (static strings).  Fills up to cap entries
 * (kernel may be NULL) and returns how many labels there are. */
size_t world_label_table(const char **names, const char **kernel, size_t cap);
/* Label i of that table: its default cost (ns) and per-byte part (ps a
 * byte); 0 when i is past its end. */
int world_label_cost(size_t i, uint64_t *cost_ns, uint64_t *per_byte_ps);

#endif
