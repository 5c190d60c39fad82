/* world.c - build a run from a scenario, reset it, run it. */
#include "world.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "handler.h"
#include "keys.h"
#include "locks.h"
#include "loopback.h"
#include "netrx.h"
#include "oracle.h"
#include "packet_ring.h"
#include "sock_lock.h"
#include "spinlock.h"
#include "task.h"
#include "consumer_v3.h"
#include "fanout.h"
#include "tpacket_v3.h"
#include "untimed.h"

_Static_assert(sizeof(world_global) == SCN_M_COUNT * 8 + 104, "world_global has no padding");

/* The models, in the order every phase visits them. */
static const model_ops *const models[] = {
	&spinlock_ops, &sock_lock_ops, &packet_ring_ops, &tpacket_v3_ops, &fanout_ops, &netrx_ops,
	&loopback_ops, &task_ops, &consumer_ops, &consumer_v3_ops, &handler_ops, &oracle_ops,
};
#define NMODELS (sizeof models / sizeof models[0])

const model_label_desc model_labels[ML_COUNT] = {
#define X(id, name, kernel, ns, ps, flags) { name, kernel, ns, ps, flags },
	MODEL_LABELS(X)
#undef X
};

uint32_t pkt_truesize(uint32_t size) { return size + SKB_TRUESIZE_OVERHEAD; }

static void add_labels(sim *s)
{
	for (uint32_t i = 0; i < ML_COUNT; i++) {
		uint32_t l = sim_add_label(s, model_labels[i].name, model_labels[i].kernel,
					   model_labels[i].cost_ns, model_labels[i].per_byte_ps);
		sim_set_label_flags(s, l, model_labels[i].flags);
	}
	sim_set_trace_keys(s, model_key_names, TK_COUNT - SIM_TK_COUNT);
}

const char *const model_key_names[TK_COUNT - SIM_TK_COUNT] = {
#define X(id, name) name,
	MODEL_KEYS(X)
#undef X
};

size_t world_label_table(const char **names, const char **kernel, size_t cap)
{
	sim tmp;
	sim_init(&tmp, 1, 0);
	add_labels(&tmp);
	size_t n = tmp.nlabels;
	for (size_t i = 0; i < n && i < cap; i++) {
		names[i] = tmp.labels[i].name;
		if (kernel)
			kernel[i] = tmp.labels[i].kernel;
	}
	sim_free(&tmp);
	return n;
}

size_t world_reserve(world *w, size_t n, size_t size)
{
	return arena_reserve(&w->s.ar, n * size + size, 8);
}

int world_oom(const world *w, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:1:1: error: out of memory", w->scn->path);
	return WORLD_ENOMEM;
}

int world_check_memory(const world *w, scn_pos pos, const char *what, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	if (w->s.ar.size <= f->limit_memory)
		return 0;
	snprintf(err, errlen, "%s:%u:%u: error: %s: the run state needs %zu bytes or more, over "
		 "limit memory=%" PRIu64 " (%s; raise it with `limit memory=SIZE`, "
		 "see docs/scenarios.md)", f->path, pos.line, pos.col, what, w->s.ar.size,
		 f->limit_memory, f->limit_pos.line ? "the limit line" : "the default, 1GiB");
	return WORLD_EINPUT;
}

int world_label_cost(size_t i, uint64_t *cost_ns, uint64_t *per_byte_ps)
{
	sim tmp;
	sim_init(&tmp, 1, 0);
	add_labels(&tmp);
	int ok = i < tmp.nlabels;
	if (ok) {
		*cost_ns = tmp.labels[i].cost_ns;
		*per_byte_ps = tmp.labels[i].per_byte_ps;
	}
	sim_free(&tmp);
	return ok;
}

static int unknown_label(const scn_file *f, scn_pos pos, const char *label, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%u:%u: error: unknown label '%s'", f->path, pos.line, pos.col, label);
	return -1;
}

/* The engine, the labels with the scenario's costs. */
static int init_engine(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	sim_init(s, f->cpus, f->seed);
	s->model = w;
	s->on_stall = oracle_on_stall;
	s->jitter_pct = f->jitter_pct;
	s->limit_ns = f->limit_ns;
	s->limit_events = f->limit_events;
	s->slice_ns = f->sched_slice_ns;
	s->preempt = f->preempt == SCN_PREEMPT_VOLUNTARY ? SIM_PREEMPT_VOLUNTARY : SIM_PREEMPT_FULL;
	w->L0 = s->nlabels;
	add_labels(s);
	for (size_t i = 0; i < f->ncosts; i++) {
		const scn_cost *c = &f->costs[i];
		uint32_t l = sim_find_label(s, c->label);
		if (l == SIM_NONE)
			return unknown_label(f, c->pos, c->label, err, errlen);
		sim_set_label_cost(s, l, c->ns, c->has_per_byte ? c->per_byte_ps : s->labels[l].per_byte_ps);
	}
	return 0;
}

/* The task contexts: scenario tasks, then consumers (ctx ids [0, ntasks)
 * and [ntasks, +nconsumers)), then the senders of source=lo flows
 * (loopback.h), each with a timer and a wait queue to sleep. */
static int add_contexts(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	for (size_t i = 0; i < f->ntasks; i++)
		sim_add_task(s, f->tasks[i].name, f->tasks[i].cpu);
	w->nsctasks = (uint32_t)f->ntasks;
	for (size_t i = 0; i < f->nconsumers; i++)
		sim_add_task(s, f->consumers[i].name, f->consumers[i].cpu);
	w->lo_ctx0 = s->ntasks;
	for (size_t i = 0; i < f->nflows; i++)
		if (f->flows[i].source == SCN_SOURCE_LO)
			sim_add_task(s, f->flows[i].name, f->flows[i].cpu);
	w->task_timer = calloc(s->ntasks + 1, sizeof(uint32_t));
	w->task_wq = calloc(s->ntasks + 1, sizeof(uint32_t));
	if (!w->task_timer || !w->task_wq)
		return world_oom(w, err, errlen);
	for (uint32_t i = 0; i < s->ntasks; i++) {
		w->task_timer[i] = sim_add_timer(s, task_wake_fire, i, 0);
		sim_set_timer_cpu(s, w->task_timer[i], s->tasks[i].cpu);   /* wakes its task */
		w->task_wq[i] = sim_add_waitq(s);
	}
	/* Last, the engine's ksoftirqd/N threads; and the kernel's rules for
	 * them: v4.9 (4cd13c21b207) to v6.4 (reverted by d15121be7485 in
	 * v6.5) leave softirqs to a runnable ksoftirqd. */
	sim_add_ksoftirqd(s);
	s->defer_to_ksoftirqd = f->kernel >= SCN_KERNEL(4, 9) && f->kernel < SCN_KERNEL(6, 5);
	return 0;
}

/* The run-level directives: stalls, periodic irqs, exploration's room. */
static int add_run_events(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	for (size_t i = 0; i < f->nstalls; i++) {
		const scn_stall *st = &f->stalls[i];
		uint32_t l = SIM_NONE;
		if (st->at_is_label && (l = sim_find_label(s, st->label)) == SIM_NONE)
			return unknown_label(f, st->pos, st->label, err, errlen);
		sim_add_stall(s, st->cpu, l, st->at_ns, st->nth, st->for_ns);
	}
	for (size_t i = 0; i < f->nirqs; i++) {
		const scn_irq *q = &f->irqs[i];
		if (q->nops)    /* with a program: handler.c's */
			continue;
		if (sim_add_periodic_irq(s, q->cpu, q->at_ns, q->every_ns, q->cost_ns) != 0) {
			/* the engine's table: SIM_IRQ_LINES a CPU, some of them the
			 * models' (the NIC, timer ticks) and exploration's */
			snprintf(err, errlen, "%s:%u:%u: error: too many irq lines on cpu %u: the engine "
				 "has %u a CPU and the models use %u of them", f->path, q->pos.line,
				 q->pos.col, q->cpu, SIM_IRQ_LINES, s->nlines[q->cpu] + 1);
			return WORLD_EINPUT;
		}
	}
	/* Exploration's perturbations (off unless s->perturb.enabled). */
	sim_enable_perturb(s);
	return 0;
}

int world_build(world *w, const scn_file *f, int fix, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->scn = f;
	w->fix = fix;
	w->bugs = f->bugs;
	w->handoff_ns = f->has_handoff ? f->handoff_ns : COST_HANDOFF_NS;
	w->spin_random = f->spin_order == SCN_ORDER_RANDOM;
	w->futile_polls = CONSUMER_FUTILE_POLLS;
	if (init_engine(w, err, errlen) != 0) {
		sim_free(&w->s);
		return WORLD_EINPUT;
	}
	int rc = add_contexts(w, err, errlen);
	for (size_t i = 0; i < NMODELS && rc == 0; i++)
		if (models[i]->reserve)
			rc = models[i]->reserve(w, err, errlen);
	if (rc == 0)
		rc = add_run_events(w, err, errlen);
	if (rc != 0) {
		world_free(w);
		return rc == WORLD_ENOMEM ? WORLD_ENOMEM : WORLD_EINPUT;
	}
	w->off_g = world_reserve(w, 1, sizeof(world_global));
	w->s.mem_limit = f->limit_memory;
	int crc = sim_commit(&w->s);
	if (crc == SIM_EMEMLIMIT) {
		world_check_memory(w, f->limit_pos.line ? f->limit_pos : (scn_pos){ 1, 1 },
				   "the tasks, timers and CPUs", err, errlen);
		world_free(w);
		return WORLD_EINPUT;
	}
	if (crc != 0) {
		snprintf(err, errlen, "%s:1:1: error: out of memory for the run state (%zu bytes)",
			 f->path, w->s.ar.size);
		world_free(w);
		return WORLD_ENOMEM;
	}
	w->g = arena_at(&w->s.ar, w->off_g);
	for (size_t i = 0; i < NMODELS; i++)
		if (models[i]->bind)
			models[i]->bind(w);
	world_reset(w);
	rc = world_replay_bind(w, err, errlen);
	if (rc != 0)
		world_free(w);
	return rc;
}

world *world_new(const scn_file *f, int fix, char *err, size_t errlen)
{
	world *w = malloc(sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "%s:1:1: error: out of memory", f->path);
		return NULL;
	}
	if (world_build(w, f, fix, err, errlen) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

void world_delete(world *w)
{
	if (!w)
		return;
	world_free(w);
	free(w);
}

void world_reset(world *w)
{
	sim_reset(&w->s);   /* zeroes the whole arena, models' part included */
	w->g->first_lost_pkt = PKT_NONE;
	w->g->skip_ctx = SIM_NONE;
	for (size_t i = 0; i < NMODELS; i++)
		if (models[i]->reset)
			models[i]->reset(w);
}

int world_run(world *w)
{
	int end = w->replay_ids ? world_replay_run(w) : sim_run(&w->s);
	world_finish(w, end);
	return end;
}

void world_finish(world *w, int end)
{
	w->g->end = (uint32_t)end;
	for (size_t i = 0; i < NMODELS; i++)
		if (models[i]->finish)
			models[i]->finish(w);
}

int world_waits_forever(const world *w)
{
	const sim *s = &w->s;
	uint32_t nctx = s->ntasks + 2 * s->ncpus;
	for (uint32_t c = 0; c < nctx; c++) {
		const sim_ctx *x = &s->ctx[c];
		if (x->state == SIM_S_SPIN)
			return 1;
		/* __lock_sock(): asleep on sk_lock.wq with nothing left to wake it */
		for (size_t k = 0; x->state == SIM_S_SLEEP && k < w->scn->nsockets; k++)
			if (x->wq == w->sock_wq[k])
				return 1;
	}
	return 0;
}

void world_stuck_message(const world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	const sim_global *g = w->s.g;
	scn_pos pos = { 1, 1 };
	const char *what = "the scenario";
	const char *name = f->name;
	uint32_t task = g->stuck_ctx;
	if (task == SIM_NONE && g->stuck_timer < w->s.ncpus)
		task = sim_top(&w->s, g->stuck_timer);   /* a CPU's step: what it runs */
	for (uint32_t i = 0; i < w->nsctasks && task == SIM_NONE; i++)
		if (g->stuck_timer == w->task_timer[i] || g->stuck_timer == w->s.tasks[i].timer)
			task = i;       /* its sleep or its start */
	if (task < w->nsctasks) {
		pos = f->tasks[task].pos;
		what = "task";
		name = f->tasks[task].name;
	} else {
		for (size_t i = 0; i < f->nflows; i++)
			if (w->flow_timer[i] == g->stuck_timer) {
				pos = f->flows[i].pos;
				what = "flow";
				name = f->flows[i].name;
			}
	}
	snprintf(err, errlen, "%s:%u:%u: error: %s '%s': time stops at %" PRIu64 " ns: %u steps or "
		 "events in a row take no time (a program or flow that takes no time, repeated?)",
		 f->path, pos.line, pos.col, what, name, g->now, (unsigned)SIM_STUCK);
}

void world_untimed(world *w)
{
	sim *s = &w->s;
	sim_untimed(s);         /* every label costs 1 ns, none is watched; no jitter or perturbation */
	/* A futile poll changes nothing but its count: a second one reaches
	 * only states the first did, with a higher count (docs/check.md). */
	w->futile_polls = 1;
	w->handoff_ns = 0;
	free(w->pkt_base);
	w->pkt_base = calloc(w->scn->nflows + 1, sizeof *w->pkt_base);
	for (size_t i = 0; w->pkt_base && i + 1 < w->scn->nflows + 1; i++)
		w->pkt_base[i + 1] = w->pkt_base[i] + w->scn->flows[i].count;
	world_reset(w);
}

size_t world_scratch_bytes(const world *w) { return sim_canon_bytes(&w->s); }

uint64_t world_state_hash(world *w, unsigned char *scratch)
{
	sim_seg seg[SIM_CANON_SEGS];
	uint32_t n = sim_canon_segments(&w->s, seg);
	for (uint32_t i = 0; i < n; i++)
		memcpy(scratch + seg[i].lo, w->s.ar.base + seg[i].lo, seg[i].hi - seg[i].lo);
	uint64_t h = sim_canon(&w->s, scratch);
	for (size_t i = 0; i < NMODELS; i++)
		if (models[i]->canon)
			models[i]->canon(w, scratch);
	for (uint32_t i = 0; i < n; i++)
		h = hash_wide(scratch + seg[i].lo, seg[i].hi - seg[i].lo, h);
	return h;
}

void world_free(world *w)
{
	for (size_t i = 0; i < NMODELS; i++)
		if (models[i]->release)
			models[i]->release(w);
	sim_free(&w->s);
	free(w->task_timer);
	free(w->task_wq);
	free(w->pkt_base);
	free(w->replay_ids);
	memset(w, 0, sizeof(*w));
}
