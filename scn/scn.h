/* scn.h - the scenario language (.scn files): a plain-data AST, the parser
 * that builds it and the writer that prints it back.
 *
 * libsimscn is its own layer: it includes nothing from the engine (sim/) or
 * the models (models/); they and the command line read its AST.  The
 * language is the shared scenario-file contract plus the additions listed in
 * docs/scenario-additions.md.  Parsing never starts a run: on any error it
 * fills a scn_error whose text is
 *     FILE:LINE:COL: error: MESSAGE
 * and returns -1.  The AST is plain data (fixed-size names, arrays owned by
 * the scn_file), freed with scn_free().  The name of every enum value is in
 * names.h, spelled once.
 *
 * Concurrency contract: pure functions of their inputs; no global state;
 * any thread may parse, write or free its own scn_file.
 *
 * Additions to the contract (see docs/scenario-additions.md):
 *   - time unit `ps` (picoseconds), useful for `per_byte=100ps`;
 *   - a scenario's own name may contain '+' (wrap+big-frames), like its file;
 *   - `lock NAME` declares a plain spinlock that tasks can take with the ops
 *     `spin_lock L`, `spin_unlock L`, `spin_lock_bh L`, `spin_unlock_bh L`,
 *     `spin_lock_irqsave L`, `spin_unlock_irqrestore L`;
 *   - `limit [time=T] [memory=SIZE] [events=N] [output=SIZE]` caps simulated
 *     time (default 10s), the run state (1 GiB), events a variant (10^9)
 *     and the trace output (1 GiB);
 *   - `nic queue=N budget=N weight=N` sets the NIC queue bound (default
 *     1024), the NET_RX budget (default 300) and the NAPI weight (64);
 *   - `sched [slice=T] [preempt=full|voluntary]`: the scheduler's slice
 *     (default 3 ms) and where tasks may be preempted (default full);
 *   - `softirq NAME cpu=C every=T do="..." [at=T]`, and `irq ... do="..."`
 *     (then cost= is optional): handler programs of work and spin_ ops.
 *   - `explore [runs=N] [strategy=random|pct] [depth=D] [stall_max=T]
 *     [irqs=N] [irq_max=T] [jitter=PCT] [order=fifo|random]`: bounds and
 *     defaults for `sim --explore`; ignored by a plain run.
 *   - sizes also take `GiB`; `jitter` also takes a trailing `%`; a UTF-8
 *     byte-order mark at the start of a file is skipped; `expect fix=all`
 *     means every variant run (stored as fix -1, as without `fix=`).
 *   - `consumer ... stats_every=N`: the reader reads (and so clears) the
 *     socket's PACKET_STATISTICS after every N frames it reads.
 *   - `socket NAME type=packet version=v3 block_size=S blocks=N frame_size=S
 *     [retire=T] [priv=S]`: a TPACKET_V3 block ring;
 *   - `fanout NAME mode=hash|lb|cpu|rollover sockets=a,b,...`: a
 *     PACKET_FANOUT group; `flow ... fanout=NAME` sends to it.
 */
#ifndef SCN_SCN_H
#define SCN_SCN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "names.h"

#define SCN_NAME_MAX 64     /* names and labels, including the NUL */
/* A scenario's path, including the NUL (Linux's PATH_MAX): a longer path is
 * an error, never cut. */
#define SCN_PATH_MAX 4096
/* A message's text after "error: " is at most SCN_MSG_MAX bytes; the whole
 * line, which may name the path twice ("cannot open PATH"), always fits in
 * SCN_ERR_MAX: "FILE:LINE:COL: error:" is never cut. */
#define SCN_MSG_MAX 1024
#define SCN_ERR_MAX (2 * SCN_PATH_MAX + SCN_MSG_MAX + 64)

/* Bounds on the input, checked before anything is allocated for it: a file
 * of more than SCN_INPUT_MAX bytes, a line of more than SCN_LINE_MAX bytes
 * or SCN_TOKENS_MAX tokens is an error (docs/scenarios.md, "Bounds"). */
#define SCN_INPUT_MAX (64u << 20)
#define SCN_LINE_MAX (1u << 20)
#define SCN_TOKENS_MAX 65536u

/* `limit` defaults and ceilings: the run state (memory=), events a variant
 * (events=) and bytes of --trace/--tsv/--perfetto output (output=). */
#define SCN_MEMORY_DEFAULT (1ull << 30)
#define SCN_MEMORY_MAX (1ull << 40)
#define SCN_EVENTS_DEFAULT 1000000000ull
#define SCN_OUTPUT_DEFAULT (1ull << 30)
#define SCN_OUTPUT_MAX (1ull << 50)

/* The largest time a scenario may give (1,000,000 s), and per-byte cost
 * (1 ms a byte, in ps). */
#define SCN_TIME_MAX_NS 1000000000000000ull
#define SCN_PER_BYTE_MAX_PS 1000000000ull

typedef struct scn_pos {
	uint32_t line;          /* 1-based */
	uint32_t col;           /* 1-based, in bytes */
} scn_pos;

/* Fix variants.  SCN_FIX_ALL is only a value of scn_file.fix. */
enum scn_fix { SCN_FIX_NONE = 0, SCN_FIX_IN_PROGRESS = 1, SCN_FIX_OWNER_MAP = 2,
	       SCN_FIX_COUNT = 3, SCN_FIX_ALL = 3 };
/* "none", "in_progress", "owner_map"; "all" for SCN_FIX_ALL. */
const char *scn_fix_name(int fix);
/* Returns the enum value for a name (including "all"), or -1. */
int scn_fix_parse(const char *s);

enum scn_socket_type { SCN_SOCK_PACKET = 0, SCN_SOCK_STREAM = 1 };
typedef struct scn_socket {
	char name[SCN_NAME_MAX];
	scn_pos pos;
	int type;               /* enum scn_socket_type */
	int version;            /* packet: 1, 2 or 3 (TPACKET_V1/V2/V3) */
	uint32_t frames;        /* packet: 1..1048576 (V3: tp_frame_nr = blocks * (block_size / frame_size)) */
	uint32_t frame_size;    /* packet: bytes, multiple of 16 (TPACKET_ALIGNMENT), 64..16MiB */
	/* V3 only (0 otherwise): tp_block_size (a multiple of 4096), tp_block_nr,
	 * tp_retire_blk_tov in ms (0: the kernel computes it), tp_sizeof_priv */
	uint32_t block_size, blocks, retire_ms, priv;
	uint64_t rcvbuf;        /* stream: bytes (>0) */
	uint64_t sndbuf;        /* stream: bytes */
} scn_socket;

typedef struct scn_flow {
	char name[SCN_NAME_MAX];
	scn_pos pos;
	uint32_t socket;        /* index into scn_file.sockets */
	uint32_t cpu;
	uint64_t at_ns;         /* default 0 */
	uint64_t every_ns;      /* default: wire time at 10GbE, see dir_kernel.c */
	int has_every;
	uint64_t count;         /* default 1; 0..10^10 */
	uint32_t size;          /* bytes, default 64; 1..256KiB */
	uint32_t fanout;        /* `fanout=GROUP`: index + 1 into scn_file.fanouts (socket is
				 * then the group's first socket); 0: to `socket` */
	int source;             /* enum scn_flow_source: who sends the packets */
} scn_flow;

/* `flow ... source=`: nic (default): packets arrive on the CPU's NIC queue;
 * lo: a process-context sender on the flow's CPU sends them through the
 * loopback device (dev_queue_xmit -> loopback_xmit -> netif_rx), so they
 * land on that CPU's softnet backlog and NET_RX runs there. */
enum scn_flow_source { SCN_SOURCE_NIC = 0, SCN_SOURCE_LO = 1 };

/* PACKET_FANOUT modes (include/uapi/linux/if_packet.h: HASH 0, LB 1, CPU 2,
 * ROLLOVER 3). */
enum scn_fanout_mode { SCN_FANOUT_HASH = 0, SCN_FANOUT_LB = 1, SCN_FANOUT_CPU = 2,
		       SCN_FANOUT_ROLLOVER = 3 };
#define SCN_FANOUT_MAX 64       /* sockets in a group */
typedef struct scn_fanout {
	char name[SCN_NAME_MAX];
	scn_pos pos;
	int mode;               /* enum scn_fanout_mode */
	int flag_rollover;      /* `rollover=on`: PACKET_FANOUT_FLAG_ROLLOVER */
	uint32_t nsockets;      /* 1..SCN_FANOUT_MAX */
	uint32_t sockets[SCN_FANOUT_MAX];   /* f->arr[]: packet sockets, each in one group */
} scn_fanout;

enum scn_op_kind {
	SCN_OP_LOCK_SOCK, SCN_OP_RELEASE_SOCK, SCN_OP_LOCK_SOCK_FAST,
	SCN_OP_UNLOCK_SOCK_FAST, SCN_OP_WORK, SCN_OP_SLEEP, SCN_OP_RECV,
	/* extensions: plain spinlocks declared with `lock NAME` */
	SCN_OP_SPIN_LOCK, SCN_OP_SPIN_UNLOCK, SCN_OP_SPIN_LOCK_BH,
	SCN_OP_SPIN_UNLOCK_BH, SCN_OP_SPIN_LOCK_IRQSAVE,
	SCN_OP_SPIN_UNLOCK_IRQRESTORE,
	SCN_OP_COUNT
};
/* Op name as written in a scenario ("lock_sock", "work", ...). */
const char *scn_op_name(int kind);
/* What an op's argument is: none, a time (work, sleep), a lock (spin_*). */
enum scn_op_arg { SCN_ARG_NONE, SCN_ARG_TIME, SCN_ARG_LOCK };
int scn_op_arg(int kind);

typedef struct scn_op {
	int kind;               /* enum scn_op_kind */
	uint64_t arg;           /* work/sleep: ns; spin ops: index into scn_file.locks */
} scn_op;

/* A task without socket= (it only takes `lock`s, works and sleeps). */
#define SCN_NO_SOCKET UINT32_MAX
/* The op works on the task's socket (lock_sock, release_sock, recv, ...). */
int scn_op_uses_socket(int kind);

typedef struct scn_task {
	char name[SCN_NAME_MAX];
	scn_pos pos;
	uint32_t socket;        /* SCN_NO_SOCKET when no op uses it and none was given */
	uint32_t cpu;
	scn_op *ops;            /* owned */
	size_t nops;            /* >= 1 */
	uint64_t at_ns;         /* default 0 */
	uint64_t repeat;        /* default 1: how many times the program runs */
	uint64_t every_ns;      /* default 0: start of run i is at + i*every (or right after run i-1 if later) */
} scn_task;

enum scn_check { SCN_CHECK_USER_BIT = 0, SCN_CHECK_NONZERO = 1 };
typedef struct scn_consumer {
	char name[SCN_NAME_MAX];
	scn_pos pos;
	uint32_t socket;        /* must be a packet socket */
	uint32_t cpu;
	int check;              /* enum scn_check */
	uint64_t cost_ns;
	int has_cost;
	uint64_t stats_every;   /* 0: never; else getsockopt(PACKET_STATISTICS) after every N frames */
} scn_consumer;

typedef struct scn_stall {
	scn_pos pos;
	uint32_t cpu;
	int at_is_label;
	char label[SCN_NAME_MAX]; /* when at_is_label; validated against the label list */
	uint64_t at_ns;           /* when !at_is_label */
	uint64_t nth;             /* default 1, >= 1 */
	uint64_t for_ns;
} scn_stall;

#define SCN_IRQS_PER_CPU 62     /* hardirq lines a CPU has (64) but the NIC's and the timer's */

typedef struct scn_irq {
	scn_pos pos;
	uint32_t cpu;
	uint64_t every_ns;      /* > 0 */
	uint64_t cost_ns;       /* busy this long (then its program, if any) */
	uint64_t at_ns;         /* default 0 */
	scn_op *ops;            /* `do=`: its handler's program (work, spin_*); owned */
	size_t nops;            /* 0: no program, cost= only */
} scn_irq;

/* `softirq NAME cpu=C every=T do="..." [at=T]`: a timer handler run in
 * TIMER_SOFTIRQ on CPU C every T (work and spin_* ops). */
typedef struct scn_softirq {
	char name[SCN_NAME_MAX];
	scn_pos pos;
	uint32_t cpu;
	uint64_t every_ns;      /* > 0 */
	uint64_t at_ns;         /* default 0 */
	scn_op *ops;            /* owned */
	size_t nops;            /* >= 1 */
} scn_softirq;

typedef struct scn_cost {
	scn_pos pos;
	char label[SCN_NAME_MAX];
	uint64_t ns;
	uint64_t per_byte_ps;   /* picoseconds per byte */
	int has_per_byte;
} scn_cost;

typedef struct scn_lock {
	char name[SCN_NAME_MAX];
	scn_pos pos;
} scn_lock;

/* Metrics, in the order of the scenario-file contract (docs/metrics.md). */
enum scn_metric {
	SCN_M_OVERRUN, SCN_M_CORRUPT, SCN_M_CONSUMER_PARTIAL, SCN_M_LOST,
	SCN_M_DROPS, SCN_M_DELIVERED, SCN_M_CONSUMED, SCN_M_NIC_DROPS,
	SCN_M_BACKLOG_MAX, SCN_M_BACKLOG_DROPS, SCN_M_BACKLOG_PROCESSED,
	SCN_M_INLINE_RCV, SCN_M_SPIN_MAX_NS, SCN_M_SPIN_TOTAL_NS,
	SCN_M_VIOLATIONS, SCN_M_DEADLOCK,
	SCN_M_LOCK_ORDER,       /* addition: lockdep's distinct lock-order inversions */
	SCN_M_RCVQ_DROPS,       /* addition: TCPRcvQDrop, the receive queue was full */
	SCN_M_COUNT
};
const char *scn_metric_name(int m);
int scn_metric_parse(const char *s);      /* -1 if unknown */

enum scn_cmp { SCN_EQ, SCN_NE, SCN_LT, SCN_LE, SCN_GT, SCN_GE };
const char *scn_cmp_name(int op);         /* "==", "!=", ... */

typedef struct scn_expect {
	scn_pos pos;            /* of the METRIC token */
	int fix;                /* enum scn_fix, or -1: every variant run */
	int metric;             /* enum scn_metric */
	int op;                 /* enum scn_cmp */
	uint64_t value;
	char text[96];          /* normalised clause, e.g. "overrun>=1" */
} scn_expect;

/* addition: `check [fix=F] [reachable=INV,...] [holds=INV,...]`: the
 * verdicts `sim FILE --check` must reach (docs/check.md).  INV is one of
 * the invariants --check decides: overrun, corrupt, consumer_partial, lost,
 * violations, deadlock, lock_order (scn_check_invariant). */
typedef struct scn_verdict {
	scn_pos pos;
	int fix;                /* enum scn_fix, or -1: every variant run */
	uint32_t reachable;     /* bit m: metric m must break (enum scn_metric) */
	uint32_t holds;         /* bit m: metric m must hold */
} scn_verdict;
/* Is metric m one --check decides? */
int scn_check_invariant(int m);

/* addition: `replay STEP ...`: a plain run that takes exactly these
 * transitions of `--check`'s untimed graph, in order, then the first
 * enabled one until none is (what `--check-cex` writes; docs/check.md).
 * STEP is cpuN (CPU N's next step), irqN (CPU N's held-back hardirq) or
 * tN (timer N of the run: a flow's next packet, a task's start or wake-up,
 * an irq line, a tick), as the counterexample lists them. */
enum scn_step_kind { SCN_STEP_CPU = 0, SCN_STEP_IRQ = 1, SCN_STEP_TIMER = 2 };
typedef struct scn_step {
	scn_pos pos;
	uint32_t kind;          /* enum scn_step_kind */
	uint32_t n;
} scn_step;

enum scn_bug { SCN_BUG_BH_IGNORES_OWNED = 1u << 0, SCN_BUG_LOCK_SOCK_WITHOUT_BH = 1u << 1,
	       SCN_BUG_RELEASE_SKIPS_BACKLOG = 1u << 2, SCN_BUG_V3_SKIPS_FILL_WAIT = 1u << 3 };

enum scn_spin_order { SCN_ORDER_FIFO = 0, SCN_ORDER_RANDOM = 1 };

/* How tasks are preempted: CONFIG_PREEMPT, or only at cond_resched()
 * (CONFIG_PREEMPT_VOLUNTARY / NONE). */
enum scn_preempt { SCN_PREEMPT_FULL = 0, SCN_PREEMPT_VOLUNTARY = 1 };

enum scn_strategy { SCN_STRATEGY_RANDOM = 0, SCN_STRATEGY_PCT = 1 };

/* A kernel version, compared as a number: SCN_KERNEL(5, 3) = 5003. */
#define SCN_KERNEL(major, minor) ((uint32_t)(major) * 1000u + (uint32_t)(minor))

typedef struct scn_explore {
	scn_pos pos;
	int set;                /* the directive was given */
	uint64_t runs;          /* default 10000 */
	int strategy;           /* enum scn_strategy, default random */
	uint32_t depth;         /* default 3; 1..64 */
	uint64_t stall_max_ns;  /* default 20us */
	uint32_t irqs;          /* default 2; 0..16 */
	uint64_t irq_max_ns;    /* default 2us */
	uint32_t jitter_pct;    /* default 10 */
	int order;              /* enum scn_spin_order, default random */
} scn_explore;

typedef struct scn_file {
	char path[SCN_PATH_MAX]; /* whole: scn_parse refuses a longer one */
	char name[SCN_NAME_MAX];
	uint64_t seed;          /* default 1 */
	uint32_t cpus;          /* default 1; 1..1024 */
	int fix;                /* enum scn_fix incl. SCN_FIX_ALL; default none */
	uint32_t bugs;          /* enum scn_bug bits */
	uint32_t jitter_pct;    /* 0..100 */
	int spin_order;         /* enum scn_spin_order, default fifo */
	uint64_t handoff_ns;    /* default: -1 => model default */
	int has_handoff;
	uint64_t limit_ns;      /* default 10s */
	uint64_t limit_memory;  /* bytes of run state a variant; default SCN_MEMORY_DEFAULT */
	uint64_t limit_events;  /* events a variant; default SCN_EVENTS_DEFAULT */
	uint64_t limit_output;  /* bytes of trace output; default SCN_OUTPUT_DEFAULT */
	scn_pos limit_pos;      /* the `limit` line (line 0: none) */
	uint32_t nic_queue;     /* default 1024 */
	uint32_t budget;        /* default 300 */
	uint32_t napi_weight;   /* `nic weight=`: NAPI_POLL_WEIGHT, default 64 */
	uint64_t sched_slice_ns; /* `sched slice=`: default 3 ms */
	int preempt;            /* `sched preempt=`: enum scn_preempt, default full */
	uint32_t kernel;        /* SCN_KERNEL(major, minor); default 4.8 (docs/kernel.md) */
	int has_kernel;         /* the `kernel` directive was given */
	scn_explore explore;

	scn_socket *sockets;   size_t nsockets;
	scn_flow *flows;       size_t nflows;
	scn_task *tasks;       size_t ntasks;
	scn_consumer *consumers; size_t nconsumers;
	scn_stall *stalls;     size_t nstalls;
	scn_irq *irqs;         size_t nirqs;
	scn_softirq *softirqs; size_t nsoftirqs;
	scn_cost *costs;       size_t ncosts;
	scn_lock *locks;       size_t nlocks;
	scn_fanout *fanouts;   size_t nfanouts;
	scn_expect *expects;   size_t nexpects;
	scn_verdict *checks;   size_t nchecks;
	scn_step *replay;      size_t nreplay;
} scn_file;

typedef struct scn_error {
	char msg[SCN_ERR_MAX];  /* "FILE:LINE:COL: error: MESSAGE" (no newline) */
	int oom;                /* the error is "out of memory", not the input's */
} scn_error;

/* Names that `stall at=` and `cost` may use; supplied by the caller (the
 * engine does not know the models' labels). */
typedef struct scn_labels {
	const char *const *names;
	size_t count;
} scn_labels;

/* Parse a buffer (need not be NUL-terminated; may contain any bytes).
 * `path` is used in messages and kept whole in out->path; one of
 * SCN_PATH_MAX bytes or more is an error.  On success returns 0 and fills *out (free with
 * scn_free); on error returns -1, fills *err and leaves *out empty. */
int scn_parse(const char *path, const char *buf, size_t len,
	      const scn_labels *labels, scn_file *out, scn_error *err);

/* Read and parse a file.  An unreadable file is an error "PATH:1:1: error:
 * cannot open PATH: REASON". */
int scn_parse_file(const char *path, const scn_labels *labels, scn_file *out,
		   scn_error *err);

void scn_free(scn_file *f);

/* Every word the parser knows, for the documentation's test: each(kind,
 * directive, name, ctx) is called with kind "directive" (name = directive),
 * "key" (a key= of that directive) and "value" (a name a value may take:
 * ops, metrics, fixes, ...; directive is what takes it). */
void scn_vocabulary(void (*each)(const char *kind, const char *dir, const char *name, void *ctx),
		    void *ctx);

/* Length of the valid UTF-8 character at s[0..n) (n >= 1), or 0 when it is
 * not one (overlong forms, surrogates and code points past U+10FFFF are
 * not). */
size_t scn_utf8_len(const unsigned char *s, size_t n);

/* A deep copy (write.c); returns 0, or -1 when out of memory. */
int scn_clone(const scn_file *src, scn_file *dst);
/* Write f as a scenario file that scn_parse reads back to the same AST
 * (times in ns, sizes in bytes; no comments: the caller writes those). */
void scn_write(FILE *out, const scn_file *f);

#endif
