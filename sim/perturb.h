/* perturb.h - exploration's perturbations of a run, drawn only from the RNG.
 *
 * When enabled, a run is perturbed through its "explore" stream:
 *   - stalls of random length (1 ns .. stall_max) right after labelled steps
 *     on whatever CPU performs them: `random` stalls each step with
 *     probability depth / expected_steps (on average `depth` stalls a run);
 *     `pct` stalls exactly at `depth` change points, step indices drawn
 *     uniformly from [0, expected_steps) -- probabilistic concurrency
 *     testing (Burckhardt et al., ASPLOS 2010) with "lower this thread's
 *     priority" played by "this CPU stops for a while";
 *   - `irqs` extra hardirqs at random times in [0, horizon) on random CPUs,
 *     each busy for up to irq_max;
 *   - cost jitter (the engine's jitter_pct, "costs" stream) and the spinlock
 *     hand-off order (the models' random policy), set by the caller.
 * Every stall and irq applied is recorded (PERTURB_RECORDS bounds how many a
 * run applies) so that a failing run can be written back as explicit
 * `stall` and `irq` lines.
 * A run with the same seed and configuration is the same run (--replay).
 *
 * Who calls what: the caller calls sim_enable_perturb() before sim_commit,
 * sets s->perturb (and jitter_pct) between runs, and reads s->pst->rec after
 * one; the engine applies them (perturb.c, through cpu_internal.h).
 * Concurrency contract: one run, one thread (configuration is read-only
 * while runs execute; the per-run state lives in the arena).
 */
#ifndef SIM_PERTURB_H
#define SIM_PERTURB_H

#include <stdint.h>

#define PERTURB_MAX_DEPTH 64
#define PERTURB_MAX_IRQS 16
/* Every perturbation a run applies is recorded: a run applies at most
 * PERTURB_RECORDS - PERTURB_MAX_IRQS stalls (pct: depth <= 64; random: a
 * run that draws more stalls than that -- ~1e-7 at depth 64 -- applies no
 * more), so its PERTURB_MAX_IRQS extra hardirqs always fit too. */
#define PERTURB_RECORDS 128

enum perturb_strategy { PERTURB_RANDOM = 0, PERTURB_PCT = 1 };

typedef struct perturb_config {
	uint32_t enabled;
	uint32_t strategy;
	uint32_t depth;
	uint32_t irqs;              /* extra hardirqs per run, <= PERTURB_MAX_IRQS */
	uint64_t stall_max;         /* ns */
	uint64_t irq_max;           /* ns */
	uint64_t expected_steps;    /* labelled steps of an unperturbed run */
	uint64_t horizon;           /* ns: length of an unperturbed run */
} perturb_config;

/* One applied perturbation. */
typedef struct perturb_record {
	uint32_t kind;              /* 0 stall after a label, 1 extra hardirq */
	uint32_t cpu;
	uint32_t label;             /* stall: the step it followed */
	uint32_t pad;
	uint64_t nth;               /* stall: that CPU's nth performance of the label */
	uint64_t at;                /* when it began (ns) */
	uint64_t len;               /* ns */
} perturb_record;

/* Per-run state, in the arena. */
typedef struct perturb_state {
	uint64_t change[PERTURB_MAX_DEPTH];   /* pct: step indices, sorted */
	uint32_t next_change, nrec;
	uint32_t irq_cpu[PERTURB_MAX_IRQS];
	uint64_t irq_at[PERTURB_MAX_IRQS];
	uint64_t irq_len[PERTURB_MAX_IRQS];
	perturb_record rec[PERTURB_RECORDS];
} perturb_state;

#endif
