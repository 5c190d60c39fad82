/* sim.h - the discrete-event engine: CPUs, contexts, tasks, wait queues.
 *
 * Virtual time in ns.  Each CPU holds a stack of contexts: a task (process
 * context) at the bottom, then a softirq, then a hardirq.  Contexts are
 * resumable state machines: a step function performs one labelled step's
 * effects atomically at the current time and answers what happens next:
 *   SIM_CONT(ns)  busy for ns, then the next step (a hardirq may preempt);
 *   SIM_NEXT      run the (new) top frame now, at no cost (a call);
 *   SIM_RET       pop this frame and continue the caller now;
 *   SIM_SPIN      busy-wait; the CPU does nothing else until sim_grant();
 *   SIM_SLEEP(w)  (tasks only) sleep on wait queue w; the CPU is freed.
 * A context's frames hold its program counters and arguments: state machines
 * call each other like functions do.
 *
 * Rules, as in the kernel: a hardirq preempts anything with IRQs on; a
 * softirq never preempts a softirq; pending softirqs run at hardirq exit when
 * the CPU is not in interrupt context and its BH-disable depth is 0, or at the
 * local_bh_enable() that brings the depth back to 0.  A spinning CPU takes
 * hardirqs unless IRQs are off.  wake_up wakes one exclusive waiter, FIFO.
 * Cross-CPU effects (a wakeup, a lock hand-off) arm the other CPU's timer;
 * a step never runs another CPU's step.
 *
 * The engine knows nothing of the kernel objects it runs: models register
 * step functions, labels, timers, irq lines and softirq handlers, and
 * reserve their own state in the arena.  All mutable state lives in the arena (see arena.h).
 *
 * Concurrency contract: a sim is one run on one thread; separate sims share
 * nothing and may run on separate threads.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "perturb.h"
#include "queue.h"
#include "rng.h"
#include "trace.h"

#define SIM_NONE UINT32_MAX
#define SIM_FRAMES 6            /* call depth of a context */
#define SIM_IRQ_LINES 64        /* hardirq lines per CPU */
#define SIM_SOFTIRQS 8

/* kernel/softirq.c: __do_softirq() restarts while softirqs are pending, at
 * most MAX_SOFTIRQ_RESTART passes in all and only within MAX_SOFTIRQ_TIME
 * (msecs_to_jiffies(2): 2 ms at HZ=1000) and while !need_resched(); then
 * wakeup_softirqd() leaves the rest to the CPU's ksoftirqd thread. */
#define SIM_MAX_SOFTIRQ_RESTART 10
#define SIM_MAX_SOFTIRQ_TIME_NS 2000000ull
/* The scheduler's default slice: a task runs this long before a waiting
 * task of less run time gets the CPU (CFS: sysctl_sched_latency 6 ms shared
 * by two runnable tasks; a scenario's `sched slice=`). */
#define SIM_SCHED_SLICE_NS 3000000ull

/* How tasks are preempted (a scenario's `sched preempt=`): at any step
 * boundary where preempt_count is 0 (CONFIG_PREEMPT), or only at
 * cond_resched() and when they sleep (CONFIG_PREEMPT_VOLUNTARY, NONE). */
enum sim_preempt { SIM_PREEMPT_FULL = 0, SIM_PREEMPT_VOLUNTARY = 1 };

enum sim_ctx_kind { SIM_CTX_TASK = 0, SIM_CTX_SOFTIRQ = 1, SIM_CTX_HARDIRQ = 2 };
const char *sim_ctx_kind_name(int kind);

enum sim_ctx_state {
	SIM_S_OFF = 0,          /* not active (idle softirq/hardirq slot, task not started or done) */
	SIM_S_READY,            /* will step after `remaining` ns once it is on top */
	SIM_S_RUNNING,          /* its CPU's step timer is armed for it */
	SIM_S_SPIN,             /* busy-waiting for sim_grant() */
	SIM_S_SLEEP,            /* task asleep on a wait queue */
	SIM_S_RUNNABLE,         /* task on its CPU's runqueue */
};

/* One activation record.  The meaning of a..e belongs to the step function. */
typedef struct sim_frame {
	uint16_t fn;
	uint16_t pc;
	uint32_t a;
	uint32_t b;
	uint32_t c;
	uint64_t d;
	uint64_t e;
} sim_frame;

typedef struct sim_ctx {
	uint32_t kind;          /* enum sim_ctx_kind */
	uint32_t cpu;
	uint32_t state;         /* enum sim_ctx_state */
	uint32_t depth;         /* frames in use */
	uint64_t remaining;     /* READY: ns until the next step */
	uint64_t spin_since;    /* SPIN: when it started */
	uint32_t spin_on;       /* SPIN: the model's lock id, else SIM_NONE */
	uint32_t next;          /* runqueue / wait queue link */
	uint32_t held;          /* spinlocks held (the lock part of preempt_count) */
	uint32_t wq;            /* SLEEP: the wait queue */
	uint64_t handoff_until; /* granted a lock: the hand-off completes then (sim_grant) */
	uint64_t vruntime;      /* task: ns on its CPU, CFS's ordering key (256 bytes in all:
				 * indexing is a shift, not a multiply) */
	sim_frame f[SIM_FRAMES];
} sim_ctx;

typedef struct sim_cpu {
	uint32_t task;          /* current task ctx, or SIM_NONE (idle) */
	uint32_t rq_head;       /* runnable tasks, FIFO */
	uint32_t rq_tail;
	uint32_t in_softirq;    /* the softirq ctx is on the stack */
	uint32_t in_hardirq;    /* the hardirq ctx is on the stack */
	uint32_t bh_depth;      /* local_bh_disable() depth of process context */
	uint32_t irqs_off;      /* local_irq_save() depth */
	uint32_t softirq_pass;  /* __do_softirq(): this pass's softirqs not yet run */
	/* The two flags cpu_run tests between every two steps, read there as
	 * one word: `attn` is nonzero when either is set. */
	union {
		struct {
			uint32_t softirq_now;   /* a local_bh_enable() asked pending softirqs to run now */
			uint32_t need_resched;  /* TIF_NEED_RESCHED: the task's slice is over, others wait */
		};
		uint64_t attn;
	};
	uint64_t softirq_pending;
	uint64_t irq_pending;   /* hardirq lines raised but not yet serviced */
	uint64_t stall_until;   /* frozen until then (stall, NMI, preempted vCPU) */
	uint32_t top;           /* the context that runs: hardirq, else softirq, else task
				 * (SIM_NONE: idle); kept by cpu.c whenever those change */
	uint32_t softirq_restart; /* __do_softirq(): passes left (MAX_SOFTIRQ_RESTART) */
	uint64_t softirq_end;   /* __do_softirq(): it restarts only before then */
	uint64_t run_since;     /* the current task got the CPU then */
	uint64_t min_vruntime;  /* cfs_rq->min_vruntime */
} sim_cpu;

typedef struct sim_waitq {
	uint32_t head;
	uint32_t tail;
} sim_waitq;

typedef struct sim_global {
	uint64_t now;
	uint64_t events;        /* events dispatched */
	uint64_t steps;         /* step functions called */
	uint32_t live;          /* armed timers that keep the run going */
	uint32_t stopped;       /* a model called sim_stop(), or the run is stuck */
	uint32_t stuck;         /* SIM_STUCK steps or events in a row at one time */
	uint32_t stuck_ctx;     /* the context that was stepping then, or SIM_NONE */
	uint32_t stuck_timer;   /* the timer that fired then, or SIM_NONE */
	uint32_t pad;
} sim_global;

/* Per CPU: steps that went on at once (no time between), and the time when
 * their count last reached SIM_STUCK.  Reaching it again at that same time
 * means SIM_STUCK steps in a row took no time. */
typedef struct sim_zero {
	uint64_t at;
	uint32_t steps;
	uint32_t pad;
} sim_zero;

/* A run in which this many calls or zero-time steps on one CPU (sim_zero),
 * or events in a row (sim_run), happen at the same instant never lets time
 * advance: a program or a flow that takes no time, repeated.  The run stops
 * as SIM_END_STUCK. */
#define SIM_STUCK (1u << 24)

enum sim_ans_kind { SIM_A_CONT, SIM_A_NEXT, SIM_A_RET, SIM_A_SPIN, SIM_A_SLEEP };
typedef struct sim_answer {
	uint32_t kind;
	uint32_t wq;
	uint64_t ns;
} sim_answer;

#define SIM_CONT(n) ((sim_answer){ SIM_A_CONT, 0, (n) })
#define SIM_NEXT ((sim_answer){ SIM_A_NEXT, 0, 0 })
#define SIM_RET ((sim_answer){ SIM_A_RET, 0, 0 })
#define SIM_SPIN ((sim_answer){ SIM_A_SPIN, 0, 0 })
#define SIM_SLEEP(w) ((sim_answer){ SIM_A_SLEEP, (w), 0 })

typedef struct sim sim;
typedef sim_answer (*sim_step_fn)(sim *s, uint32_t ctx, sim_frame *f);
typedef void (*sim_timer_fn)(sim *s, uint32_t arg);

/* `--check`'s partial-order reduction (untimed.h): does the step frame f
 * of context ctx would take next touch only that context's own state? */
typedef int (*sim_local_fn)(const sim *s, uint32_t ctx, const sim_frame *f);

typedef struct sim_fn_desc {
	const char *name;
	sim_step_fn step;       /* 16 bytes: cpu_run indexes the table by shift */
} sim_fn_desc;

typedef struct sim_timer_desc {
	sim_timer_fn fire;
	uint32_t arg;
	uint32_t daemon;        /* does not keep the run alive (periodic irqs) */
} sim_timer_desc;

typedef struct sim_label_desc {
	const char *name;       /* "sched:switch" */
	const char *kernel;     /* the kernel line it stands for */
	uint64_t cost_ns;
	uint64_t per_byte_ps;
	uint32_t stall_watch;   /* a label stall is attached */
	uint32_t flags;         /* what the step does: SIM_LF_* for the engine's
				 * labels; bits from SIM_LF_USER up mean what
				 * the code that registered the label says (the
				 * engine only copies them into trace events) */
} sim_label_desc;

/* The engine's label flags: what its own labels stand for. */
enum sim_label_flag {
	SIM_LF_IRQ_ENTER = 1u << 0, SIM_LF_IRQ_EXIT = 1u << 1,
	SIM_LF_SOFTIRQ_ENTER = 1u << 2, SIM_LF_SOFTIRQ_EXIT = 1u << 3,
	SIM_LF_SWITCH = 1u << 4,        /* a task gets its CPU */
	SIM_LF_SLEEP = 1u << 5,         /* a task leaves its CPU (to sleep, or preempted) */
	SIM_LF_EXIT = 1u << 6,          /* a task's program ended */
	SIM_LF_WAKE = 1u << 7,          /* a task is woken (it runs later) */
	SIM_LF_STALL = 1u << 8,         /* a CPU stall: keys start, for */
};
/* The context changes the engine's labels stand for. */
#define SIM_LF_CONTEXT (SIM_LF_IRQ_ENTER | SIM_LF_IRQ_EXIT | SIM_LF_SOFTIRQ_ENTER | \
			SIM_LF_SOFTIRQ_EXIT | SIM_LF_SWITCH | SIM_LF_SLEEP | SIM_LF_EXIT | SIM_LF_WAKE)
#define SIM_LF_USER_SHIFT 12
#define SIM_LF_USER (1u << SIM_LF_USER_SHIFT)   /* the first bit left to models */

/* Trace keys (trace_kv.key): the engine's, then those a caller adds with
 * sim_set_trace_keys() from SIM_TK_COUNT on. */
enum sim_trace_key { SIM_TK_LINE, SIM_TK_NR, SIM_TK_WQ, SIM_TK_NS, SIM_TK_START, SIM_TK_FOR,
		     SIM_TK_COUNT };
#define SIM_TK_END (-1)         /* ends a key/value list (sim_did and sim_note add it) */

typedef struct sim_line_desc {
	uint16_t fn;            /* hardirq handler */
	uint32_t arg;
} sim_line_desc;

typedef struct sim_stall_desc {
	uint32_t cpu;
	uint32_t label;         /* SIM_NONE: a stall at a time */
	uint64_t at_ns;
	uint64_t nth;
	uint64_t for_ns;
} sim_stall_desc;

typedef struct sim_periodic_desc {
	uint32_t cpu, line, timer, pad;
	uint64_t at, every, cost;
} sim_periodic_desc;

typedef struct sim_task_desc {
	const char *name;
	uint32_t cpu;
	uint32_t timer;         /* its start timer */
} sim_task_desc;

struct sim {
	arena ar;
	queue q;
	uint64_t seed;
	uint32_t ncpus;
	uint32_t jitter_pct;
	uint64_t limit_ns;
	uint64_t limit_events;    /* the run stops (SIM_END_EVENTS) after this many */
	size_t mem_limit;         /* sim_commit refuses a larger arena; 0: none */

	/* descriptors: fixed once the run is built */
	sim_fn_desc *fns;         uint32_t nfns;
	sim_local_fn *fn_local;   uint32_t nfn_local;     /* sim_set_fn_local()'s (untimed.h) */
	uint8_t *fn_private;      uint32_t nfn_private;   /* sim_set_fn_private()'s */
	uint32_t *timer_cpu;      uint32_t ntimer_cpu;    /* sim_set_timer_cpu()'s: cpu + 1, 0 unsaid */
	uint8_t *isolated;        /* [ncpus], sim_untimed(): sim_ample() may reduce to this CPU */
	sim_timer_desc *timers;   uint32_t ntimers;
	sim_label_desc *labels;   uint32_t nlabels;
	const char **key_name;    uint32_t nkeys;       /* trace key names (sim_set_trace_keys) */
	sim_task_desc *tasks;     uint32_t ntasks;
	sim_line_desc *lines;     uint32_t *nlines;     /* [ncpus * SIM_IRQ_LINES], [ncpus] */
	uint16_t softirq_fn[SIM_SOFTIRQS];
	sim_stall_desc *stalls;   uint32_t nstalls;
	sim_periodic_desc *periodics; uint32_t nperiodics;
	uint32_t nwaitqs;
	const char **rng_names;   uint32_t nrngs;

	/* state offsets, then pointers into the arena */
	size_t off_g, off_cpus, off_ctx, off_wq, off_rng, off_stall, off_zero;
	sim_global *g;
	sim_cpu *cpus;
	sim_ctx *ctx;             /* [ntasks] tasks, then per CPU softirq, hardirq */
	sim_waitq *wq;
	rng *rng;
	uint64_t *stall_count;
	sim_zero *zero;           /* [ncpus] */

	uint32_t built;
	uint32_t fresh;           /* the arena is as committed (zero): sim_reset need not zero it */
	uint32_t label_stall, label_irq_enter, label_irq_exit, label_softirq_enter,
		 label_softirq_exit, label_switch, label_idle, label_wake, label_irq_work, label_exit;
	uint32_t label_defer, label_preempt, label_ksoftirqd;
	uint16_t fn_irq_busy, fn_ksoftirqd;

	/* scheduling and softirq deferral (set before sim_commit) */
	uint32_t ksoftirqd;       /* ctx of cpu0's ksoftirqd (cpu i's: + i), or SIM_NONE */
	uint32_t ksoftirqd_wq;    /* its wait queue (cpu i's: + i) */
	char *ksoftirqd_names;    /* "ksoftirqd/N", 16 bytes each */
	uint32_t tick_timer;      /* cpu0's scheduler tick (cpu i's: + i) */
	uint32_t preempt;         /* enum sim_preempt */
	uint64_t slice_ns;        /* SIM_SCHED_SLICE_NS unless set */
	/* v4.9..v6.4 (4cd13c21b207, reverted by d15121be7485): irq_exit() and
	 * local_bh_enable() leave pending softirqs to ksoftirqd while it is
	 * runnable (ksoftirqd_running()). */
	uint32_t defer_to_ksoftirqd;

	/* exploration (perturb.h): configured by the caller between runs */
	perturb_config perturb;
	uint32_t perturb_ready;   /* sim_enable_perturb() was called before commit */
	uint32_t rng_costs, rng_explore;
	uint32_t *xirq_line;      /* [ncpus] */
	uint32_t xirq_timer[PERTURB_MAX_IRQS];
	uint32_t label_perturb;
	uint16_t fn_xirq;
	size_t off_pstate, off_lcount, off_xirq;
	perturb_state *pst;
	uint32_t *label_count;    /* [ncpus * nlabels]: performances, for stall records */
	uint64_t *xirq_ns;        /* [ncpus]: extra hardirq time waiting to be spent */

	void *model;              /* the models' world, for step functions */
	/* Told of every stall (a function table, not a link-time hook). */
	void (*on_stall)(sim *s, uint32_t cpu, uint64_t from, uint64_t for_ns);
	trace_sink *trace;        /* NULL: tracing off */
	/* sim_did()'s one look, per label: its cost when the step needs no more
	 * than that, SIM_COST_BYTES when it adds per-byte time, SIM_COST_SLOW
	 * when it needs the full path (tracing, cost jitter or exploration is
	 * on, or a label stall watches it).  Set by sim_reset() and sim_run()
	 * from the labels and the three above. */
	uint64_t *fast_cost;      /* [nlabels] */
	/* untimed.h: every armed timer may fire next (`--check`); the event
	 * loop's run-ahead is off.  0 in every timed run. */
	uint32_t untimed;
};

/* ---- building (before sim_commit) ---- */
/* The building calls allocate their descriptor tables as they go; when
 * memory runs out they print "sim: out of memory" on stderr and exit with
 * SIM_EXIT_OOM, the status the program gives an out-of-memory anywhere. */
#define SIM_EXIT_OOM 3
_Noreturn void sim_out_of_memory(void);
void sim_init(sim *s, uint32_t ncpus, uint64_t seed);
void sim_free(sim *s);
uint16_t sim_add_fn(sim *s, const char *name, sim_step_fn step);
/* Say which of fn's steps are local (untimed.h, sim_local_step): a step
 * that reads and writes only its own frame, its context's private state,
 * data no other context reaches without a lock this one holds, and
 * accounting; that answers SIM_CONT with a cost; and that none of the
 * oracle's invariants sees. */
void sim_set_fn_local(sim *s, uint16_t fn, sim_local_fn local);
/* Say that every step of fn is private to its CPU (untimed.h, sim_ample):
 * it reads and writes only its own contexts' frames and the CPU's state,
 * data that only that CPU's private steps and the timers said to be its
 * (sim_set_timer_cpu) touch, and counters that only ever go up and that
 * no step reads; it takes no lock, wakes no task, raises nothing on
 * another CPU, and changes nothing the oracle's invariants see; and its
 * steps make progress (a chain of them, with the CPU's timers, ends). */
void sim_set_fn_private(sim *s, uint16_t fn);
/* Say that firing `timer` touches only what a private step of `cpu` may
 * touch (the engine says it of its own per-CPU and per-task timers).  A
 * timer nobody said this of may touch anything: sim_ample() then reduces
 * nothing. */
void sim_set_timer_cpu(sim *s, uint32_t timer, uint32_t cpu);
uint32_t sim_add_timer(sim *s, sim_timer_fn fire, uint32_t arg, int daemon);
uint32_t sim_add_label(sim *s, const char *name, const char *kernel, uint64_t cost_ns,
		       uint64_t per_byte_ps);
uint32_t sim_find_label(const sim *s, const char *name);   /* SIM_NONE if unknown */
/* A label's flags (see sim_label_desc) and its cost (a scenario's `cost`). */
void sim_set_label_flags(sim *s, uint32_t label, uint32_t flags);
void sim_set_label_cost(sim *s, uint32_t label, uint64_t cost_ns, uint64_t per_byte_ps);
/* Name the trace keys SIM_TK_COUNT .. SIM_TK_COUNT + n - 1 (static strings). */
void sim_set_trace_keys(sim *s, const char *const *names, uint32_t n);
uint32_t sim_add_task(sim *s, const char *name, uint32_t cpu);  /* returns its ctx id */
uint32_t sim_add_waitq(sim *s);
uint32_t sim_add_rng(sim *s, const char *stream);
/* A hardirq line on a CPU; its handler runs as a hardirq frame {fn, a=arg}.
 * SIM_NONE when the CPU has SIM_IRQ_LINES already (the caller reports it). */
uint32_t sim_add_irq_line(sim *s, uint32_t cpu, uint16_t fn, uint32_t arg);
void sim_set_softirq(sim *s, uint32_t nr, uint16_t fn);
/* Stall `cpu` for for_ns right after its nth performance of `label`
 * (label != SIM_NONE), or from time at_ns. */
void sim_add_stall(sim *s, uint32_t cpu, uint32_t label, uint64_t at_ns, uint64_t nth,
		   uint64_t for_ns);
/* A periodic hardirq on `cpu` every `every` ns from `at`, busy for `cost`.
 * Returns 0, or -1 when `cpu` has no hardirq line left for it (one stays
 * free for sim_enable_perturb): the caller names the directive. */
int sim_add_periodic_irq(sim *s, uint32_t cpu, uint64_t at, uint64_t every, uint64_t cost);
/* One ksoftirqd task per CPU (ctx ids s->ksoftirqd + cpu), asleep until
 * __do_softirq() hands it the rest; call after the other tasks.  Without it
 * the softirqs left over stay pending until the next irq_exit() or
 * local_bh_enable(). */
void sim_add_ksoftirqd(sim *s);
/* Make room for exploration's perturbations (perturb.h); before sim_commit.
 * Runs are perturbed while s->perturb.enabled is set. */
void sim_enable_perturb(sim *s);
/* Lay out the state and allocate it; the models reserve theirs before.
 * Returns 0; SIM_EMEMLIMIT, allocating nothing, when it would be larger
 * than s->mem_limit (s->ar.size says how large); -1 out of memory. */
#define SIM_EMEMLIMIT (-2)
int sim_commit(sim *s);

/* ---- runs ---- */
/* Back to time 0: zero the state, seed the streams, arm the engine's timers.
 * Models then re-initialise their state and arm their timers. */
void sim_reset(sim *s);
/* LIMIT: at s->limit_ns; EVENTS: after s->limit_events events. */
enum sim_end { SIM_END_QUIET = 0, SIM_END_LIMIT = 1, SIM_END_STOPPED = 2, SIM_END_STUCK = 3,
	       SIM_END_EVENTS = 4 };
int sim_run(sim *s);
void sim_stop(sim *s);
static inline uint64_t sim_now(const sim *s) { return s->g->now; }
/* The time of the k-th of a series `at + k * every`, or SIM_TIME_NEVER when
 * that is beyond 64 bits: a far time never wraps into the past. */
#define SIM_TIME_NEVER (UINT64_MAX / 2)
static inline uint64_t sim_time_at(uint64_t at, uint64_t k, uint64_t every)
{
	uint64_t m, t;
	if (__builtin_mul_overflow(k, every, &m) || __builtin_add_overflow(at, m, &t) ||
	    t > SIM_TIME_NEVER)
		return SIM_TIME_NEVER;
	return t;
}

/* ---- for step functions and timers ---- */
static inline sim_ctx *sim_ctx_at(sim *s, uint32_t c) { return &s->ctx[c]; }
static inline uint32_t sim_softirq_ctx(const sim *s, uint32_t cpu) { return s->ntasks + 2 * cpu; }
static inline uint32_t sim_hardirq_ctx(const sim *s, uint32_t cpu) { return s->ntasks + 2 * cpu + 1; }
uint32_t sim_top(const sim *s, uint32_t cpu);    /* the context that runs, or SIM_NONE */
const char *sim_ctx_name(const sim *s, uint32_t ctx);

void sim_arm(sim *s, uint32_t timer, uint64_t at);
void sim_cancel(sim *s, uint32_t timer);

/* A step function that is a table of steps, one per pc (the kernel
 * function's labelled lines): the frame's pc picks the step.  The pc is
 * always one the model set, below n -- asserted, and not checked again in a
 * release build, where this is a load and a jump. */
#define SIM_STEP_BY_PC(table, s, ctx, f)                                        \
	(assert((f)->pc < sizeof(table) / sizeof((table)[0])),                  \
	 (f)->pc < sizeof(table) / sizeof((table)[0]) ? (void)0 : __builtin_unreachable(), \
	 (table)[(f)->pc]((s), (ctx), (f)))

/* Push a frame on ctx's stack; the caller returns SIM_NEXT.  Inline: every
 * call a model makes, every irq and softirq entry pushes one. */
static inline sim_frame *sim_call(sim *s, uint32_t ctx, uint16_t fn)
{
	sim_ctx *x = &s->ctx[ctx];
	assert(x->depth < SIM_FRAMES);
	sim_frame *f = &x->f[x->depth++];
	*f = (sim_frame){ .fn = fn };
	return f;
}
/* Start a task's program (its first frame) at time `at`. */
sim_frame *sim_task_start(sim *s, uint32_t ctx, uint16_t fn, uint64_t at);

/* Perform labelled step `label` on ctx: counts it for stalls, traces it with
 * the (int key, int64_t value) pairs that follow `bytes` (keys: enum
 * sim_trace_key and the caller's; the macro ends the list), and returns the
 * ns the step takes (its cost for `bytes` bytes, jittered, plus any stall
 * that follows it).
 *
 * A macro over two paths.  Without tracing, jitter, exploration or a stall
 * watching the label, a step's cost is its label's cost: sim_did_fast()
 * computes it inline and the key/value arguments are never evaluated (every
 * labelled step of a run passes here: building the varargs list was a tenth
 * of the hot path).  Otherwise sim_did_full() does all of it.  Both count the
 * step.  The arguments other than the pairs are evaluated at most twice and
 * must have no side effects. */
#define sim_did(s, ctx, label, ...)                                                    \
	(sim_did_plain((s), (label)) ? sim_did_fast((s), (label), SIM_FIRST_(__VA_ARGS__, 0)) \
				     : sim_did_full((s), (ctx), (label), __VA_ARGS__, SIM_TK_END))
#define SIM_FIRST_(a, ...) (a)
uint64_t sim_did_full(sim *s, uint32_t ctx, uint32_t label, uint32_t bytes, ...);
#define SIM_COST_SLOW UINT64_MAX
#define SIM_COST_BYTES (UINT64_MAX - 1)
static inline int sim_did_plain(const sim *s, uint32_t label)
{
	return s->fast_cost[label] != SIM_COST_SLOW;
}
static inline uint64_t sim_did_fast(sim *s, uint32_t label, uint32_t bytes)
{
	uint64_t c = s->fast_cost[label];
	s->g->steps++;
	if (__builtin_expect(c != SIM_COST_BYTES, 1))
		return c;
	const sim_label_desc *l = &s->labels[label];
	return l->cost_ns + (l->per_byte_ps * bytes + 500) / 1000;
}
/* Trace only (no cost, no stall check): sim_note(s, ctx, label, key, value, ...). */
#define sim_note(...) sim_note_kv(__VA_ARGS__, SIM_TK_END)
void sim_note_kv(sim *s, uint32_t ctx, uint32_t label, ...);
/* The event sim_note would send, with no key/value yet (for a caller that
 * builds one by hand). */
void sim_event_init(const sim *s, trace_event *e, uint32_t ctx, uint32_t label);
static inline int sim_tracing(const sim *s) { return s->trace != NULL; }
uint64_t sim_cost(sim *s, uint32_t label, uint32_t bytes);

void sim_raise_irq(sim *s, uint32_t cpu, uint32_t line);
void sim_raise_softirq(sim *s, uint32_t cpu, uint32_t nr);
void sim_bh_disable(sim *s, uint32_t ctx);
/* Enable BH / restore IRQs: 0, or -1 (nothing changed) when ctx's CPU had
 * them enabled already -- an unbalanced unlock the caller reports. */
int sim_bh_enable(sim *s, uint32_t ctx);
void sim_irq_disable(sim *s, uint32_t ctx);
int sim_irq_enable(sim *s, uint32_t ctx);
/* cond_resched(): if ctx is a task whose slice is over and others wait,
 * and it may be preempted (no spinlock held, BH and IRQs on), it leaves the
 * CPU now: returns 1 and the caller returns SIM_NEXT with no effect (its
 * step runs again when the task is back on the CPU).  Else returns 0. */
int sim_cond_resched(sim *s, uint32_t ctx);
/* Is ctx's CPU in process context with BH enabled (a softirq could run)? */
int sim_bh_enabled(const sim *s, uint32_t ctx);

/* Mark a context spinning on the model's lock `lock` (it then answers SIM_SPIN). */
void sim_spin_begin(sim *s, uint32_t ctx, uint32_t lock);
/* The spinner got the lock: it resumes `delay` ns from now, or when it is
 * next on top of its CPU if that is later (the hand-off goes on under a
 * hardirq or softirq that preempts it).  Returns how long it spun. */
uint64_t sim_grant(sim *s, uint32_t ctx, uint64_t delay);
/* What ctx is waiting behind: SIM_NONE if it can run now (it is on top), else
 * the context on top of its CPU.  Inline: spin_lock's deadlock check asks it
 * on every contended take. */
static inline uint32_t sim_preempted_by(const sim *s, uint32_t ctx)
{
	uint32_t top = s->cpus[s->ctx[ctx].cpu].top;
	/* not started or asleep (top SIM_NONE): nothing on the CPU blocks it */
	return top == ctx ? SIM_NONE : top;
}

/* Wake the first waiter of wq (exclusive, FIFO) `latency` ns from now.
 * Returns the woken ctx or SIM_NONE. */
uint32_t sim_wake_one(sim *s, uint32_t wq, uint64_t latency);
static inline int sim_waitq_empty(const sim *s, uint32_t wq) { return s->wq[wq].head == SIM_NONE; }

static inline rng *sim_rng(sim *s, uint32_t stream) { return &s->rng[stream]; }

#endif
