/* oracle.h - what "wrong" means (docs/metrics.md): the metrics, the lock
 * rules' verdicts, and for the first violation of each kind a short story.
 *
 * Models count into world.g->m[] as things happen; oracle_finish() computes
 * what only the end can tell (lost) and oracle_story_print() renders a story
 * in the kernel's own words.
 *
 * Concurrency contract: called from step functions and after the run.
 */
#ifndef MODELS_ORACLE_H
#define MODELS_ORACLE_H

#include <stdio.h>

#include "world.h"

/* ---- state (in the arena; no padding) ---- */

typedef struct stall_note {
	uint64_t from, for_ns;
} stall_note;

/* A story: the few events that make a violation. */
#define STORY_LINES 10
enum story_kind { STORY_OVERRUN, STORY_CORRUPT, STORY_PARTIAL, STORY_LOST,
		  STORY_VIOLATION, STORY_DEADLOCK, STORY_LOCK_ORDER, STORY_KINDS };
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


enum story_what {
	W_CLAIM,            /* frame, pkt, arg = new head */
	W_UNLOCK,           /* frame */
	W_IN_PROGRESS,      /* frame, pkt */
	W_STALL,            /* arg = ns */
	W_WRAP,             /* frame, arg = claims since */
	W_OVERRUN,          /* frame, pkt, arg = owner's cpu */
	W_PUBLISH,          /* frame, pkt */
	W_PARTIAL,          /* frame, pkt = writer's packet, arg = status */
	W_WRITER_AT,        /* frame, pkt, label = the writer's last step */
	W_CORRUPT_MIX,      /* frame */
	W_CORRUPT_HDR,      /* frame, pkt = header's packet, arg = bytes' packet */
	W_CORRUPT_DUP,      /* frame, pkt */
	W_CORRUPT_STALE,    /* frame, pkt = header's packet */
	W_OVERWRITE,        /* frame, pkt = new, arg = old */
	W_HANDBACK,         /* frame, pkt: the reader's TP_STATUS_KERNEL hid a published packet */
	W_LOST_TOTAL,       /* arg = count */
	W_BACKLOG_ORPHAN,   /* frame = socket, arg = packets */
	W_INLINE_OWNED,     /* frame = socket, arg = owner ctx */
	W_SOFTIRQ_USE,      /* frame = lock */
	W_SOFTIRQ_ON_USE,   /* frame = lock */
	W_SOFTIRQ_UNSAFE,   /* frame = lock */
	W_SLEEP_ATOMIC,     /* arg = spinlocks held */
	W_SLEEP_IRQ,        /* sleeping in softirq/hardirq */
	W_DL_WAIT,          /* frame = lock, arg = owner ctx */
	W_DL_PREEMPTED,     /* arg = the ctx on top */
	W_DL_CYCLE,
	W_BAD_UNLOCK,       /* frame = lock */
	W_OWNS,             /* frame = socket: the owner took it (lock_sock:owned) */
	W_SKIPPED_BACKLOG,  /* frame = socket, arg = packets left in the backlog */
	W_RECURSIVE,        /* frame = socket: lock_sock by its owner */
	W_BAD_RELEASE,      /* frame = socket, arg = owner ctx + 1 (0: nobody) */
	W_BH_UNBALANCED,    /* frame = lock: local_bh_enable() with BH enabled */
	W_IRQ_UNBALANCED,   /* frame = lock: local_irq_restore() with IRQs enabled */
	W_BH_IRQS_OFF,      /* frame = lock: local_bh_enable() with IRQs disabled */
	W_EXIT_LOCK,        /* frame = lock held at the task's exit */
	W_EXIT_OWNED,       /* frame = socket owned at the task's exit */
	W_EXIT_IRQS_OFF,    /* arg = irq-save depth left */
	W_EXIT_BH_OFF,      /* arg = BH-disable depth left */
	W_STRANDED_NIC,     /* frame = cpu, arg = packets in its NIC queue that can never drain */
	W_BACKLOG_EXITED,   /* frame = socket, arg = packets in the backlog of a socket its exited owner holds */
	W_V3_FILL,          /* frame = block, pkt, arg = its index in the block */
	W_V3_CLOSE_WRITING, /* frame = block, pkt = the frame still written, arg = its writer's cpu */
	W_HARDIRQ_UNSAFE,   /* frame = lock */
	W_LO_EDGE,          /* frame = the lock held, arg = the lock taken */
	W_LO_CYCLE,         /* frame = the lock taken, arg = the lock held */
	W_LO_USAGE,         /* frame = lock, arg = enum ld_usage */
	W_LO_IRQ,           /* frame = irq-safe lock, arg = irq-unsafe lock, pkt = 1: SOFTIRQ */
};

/* Is the story of `kind` still empty (this is the first violation)? */
static inline int oracle_first(const world *w, enum story_kind kind) { return w->story[kind].n == 0; }
/* Append a line to a story (ignored once full). ctx may be SIM_NONE (then cpu given). */
void oracle_add(world *w, enum story_kind kind, uint32_t ctx, uint32_t cpu, uint32_t label,
		uint32_t what, uint32_t frame, uint64_t pkt, uint64_t arg);
/* Same with an explicit time. */
void oracle_add_at(world *w, enum story_kind kind, uint64_t time, uint32_t ctx, uint32_t cpu,
		   uint32_t label, uint32_t what, uint32_t frame, uint64_t pkt, uint64_t arg);
/* A lock-rule violation: counts it and, the first time, tells it. */
void oracle_violation(world *w, uint32_t ctx, uint32_t label, uint32_t what, uint32_t frame,
		      uint64_t arg);
/* Trace the deadlock story's wait-for cycle (its W_DL_WAIT, W_DL_PREEMPTED
 * and W_RECURSIVE lines) as oracle:deadlock notes, one per context in the
 * order of the chain, at the current time: hop=, hops=, and lock= (it spins
 * on it) or sock= (lock_sock() on a socket it owns) or neither (it cannot
 * run under the context on top of its CPU).  Each hop waits for the next;
 * the last waits for the first.  Call once, when the deadlock is found. */
void oracle_deadlock_notes(world *w);
/* The engine's stall hook: remembers the last stall of each CPU. */
void oracle_on_stall(sim *s, uint32_t cpu, uint64_t from, uint64_t for_ns);
/* After the run: lost, the end-of-run stories. */
void oracle_finish(world *w);
/* Print a story, each line prefixed by `indent`. */
void oracle_story_print(const world *w, enum story_kind kind, FILE *out, const char *indent);
const char *oracle_story_title(enum story_kind kind);

extern const model_ops oracle_ops;

#endif
