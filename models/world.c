/* world.c - build a run from a scenario, reset it, run it. */
#include "world.h"

#include <ck_bitmap.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consumer.h"
#include "netrx.h"
#include "oracle.h"
#include "packet_ring.h"
#include "sock_lock.h"
#include "spinlock.h"
#include "task.h"

_Static_assert(sizeof(spin_state) == 104, "spin_state has no padding");
_Static_assert(sizeof(sock_state) == 48, "sock_state has no padding");
_Static_assert(sizeof(claim_rec) == 40, "claim_rec has no padding");
_Static_assert(sizeof(ring_frame) == 56 + 2 * 40, "ring_frame has no padding");
_Static_assert(sizeof(story_line) == 48, "story_line has no padding");
_Static_assert(sizeof(world_global) == SCN_M_COUNT * 8 + 104, "world_global has no padding");

const model_label_desc model_labels[ML_COUNT] = {
#define X(id, name, kernel, ns, ps) { name, kernel, ns, ps },
	MODEL_LABELS(X)
#undef X
};

uint32_t pkt_truesize(uint32_t size) { return size + SKB_TRUESIZE_OVERHEAD; }

static void add_labels(sim *s)
{
	for (uint32_t i = 0; i < ML_COUNT; i++)
		sim_add_label(s, model_labels[i].name, model_labels[i].kernel, model_labels[i].cost_ns,
			      model_labels[i].per_byte_ps);
}

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

/* The run state reserved so far is over `limit memory=`: an error at `pos`
 * naming what pushed it over (checked before anything is allocated). */
static int memory_over(const world *w, scn_pos pos, const char *what, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	if (w->s.ar.size <= f->limit_memory)
		return 0;
	snprintf(err, errlen, "%s:%u:%u: error: %s: the run state needs %zu bytes or more, over "
		 "limit memory=%" PRIu64 " (%s; raise it with `limit memory=SIZE`, "
		 "see docs/scenarios.md)", f->path, pos.line, pos.col, what, w->s.ar.size,
		 f->limit_memory, f->limit_pos.line ? "the limit line" : "the default, 1GiB");
	return 1;
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

#define RESERVE(w, off, n, type) \
	((w)->off = arena_reserve(&(w)->s.ar, (size_t)(n) * sizeof(type) + sizeof(type), 8))

int world_build(world *w, const scn_file *f, int fix, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	sim *s = &w->s;
	w->scn = f;
	w->fix = fix;
	w->bugs = f->bugs;
	w->handoff_ns = f->has_handoff ? f->handoff_ns : COST_HANDOFF_NS;
	w->spin_random = f->spin_order == SCN_ORDER_RANDOM;
	sim_init(s, f->cpus, f->seed);
	s->model = w;
	s->on_stall = oracle_on_stall;
	s->jitter_pct = f->jitter_pct;
	s->limit_ns = f->limit_ns;
	s->limit_events = f->limit_events;

	w->L0 = s->nlabels;
	add_labels(s);
	for (size_t i = 0; i < f->ncosts; i++) {
		uint32_t l = sim_find_label(s, f->costs[i].label);
		if (l == SIM_NONE) {
			snprintf(err, errlen, "%s:%u:%u: error: unknown label '%s'", f->path,
				 f->costs[i].pos.line, f->costs[i].pos.col, f->costs[i].label);
			sim_free(s);
			return -1;
		}
		s->labels[l].cost_ns = f->costs[i].ns;
		if (f->costs[i].has_per_byte)
			s->labels[l].per_byte_ps = f->costs[i].per_byte_ps;
	}

	w->fn_netrx = sim_add_fn(s, "net_rx_action", netrx_softirq_step);
	w->fn_nic_irq = sim_add_fn(s, "nic_irq", netrx_irq_step);
	w->fn_tpacket_rcv = sim_add_fn(s, "tpacket_rcv", ring_tpacket_rcv_step);
	w->tpacket_pc0 = ring_first_pc(f);
	w->fn_tcp_rcv = sim_add_fn(s, "tcp_rcv", sock_tcp_rcv_step);
	w->fn_lock_sock = sim_add_fn(s, "lock_sock", sock_lock_step);
	w->fn_release_sock = sim_add_fn(s, "release_sock", sock_release_step);
	w->fn_lock_sock_fast = sim_add_fn(s, "lock_sock_fast", sock_lock_fast_step);
	w->fn_unlock_sock_fast = sim_add_fn(s, "unlock_sock_fast", sock_unlock_fast_step);
	w->fn_recv = sim_add_fn(s, "recv", sock_recv_step);
	w->fn_task = sim_add_fn(s, "task", task_step);
	w->fn_consumer = sim_add_fn(s, "consumer", consumer_step);
	w->fn_spin_op = sim_add_fn(s, "spin_op", task_spin_op_step);

	/* Tasks, then consumers: ctx ids [0, ntasks) and [ntasks, +nconsumers). */
	for (size_t i = 0; i < f->ntasks; i++)
		sim_add_task(s, f->tasks[i].name, f->tasks[i].cpu);
	w->nsctasks = (uint32_t)f->ntasks;
	for (size_t i = 0; i < f->nconsumers; i++)
		sim_add_task(s, f->consumers[i].name, f->consumers[i].cpu);
	uint32_t ntask = s->ntasks;
	w->task_timer = calloc(ntask + 1, sizeof(uint32_t));
	w->task_wq = calloc(ntask + 1, sizeof(uint32_t));
	w->flow_timer = calloc(f->nflows + 1, sizeof(uint32_t));
	w->sock_wq = calloc(f->nsockets + 1, sizeof(uint32_t));
	w->data_wq = calloc(f->nsockets + 1, sizeof(uint32_t));
	w->bl_cap = calloc(f->nsockets + 1, sizeof(uint32_t));
	w->bl_off = calloc(f->nsockets + 1, sizeof(size_t));
	w->frame_off = calloc(f->nsockets + 1, sizeof(size_t));
	w->bitmap_off = calloc(f->nsockets + 1, sizeof(size_t));
	w->nic_line = calloc(f->cpus, sizeof(uint32_t));
	w->nic_cap = calloc(f->cpus, sizeof(uint32_t));
	w->nic_first = calloc(f->cpus, sizeof(size_t));
	if (!w->task_timer || !w->task_wq || !w->flow_timer || !w->sock_wq || !w->data_wq ||
	    !w->bl_cap || !w->bl_off || !w->frame_off || !w->bitmap_off || !w->nic_line ||
	    !w->nic_cap || !w->nic_first) {
		snprintf(err, errlen, "%s:1:1: error: out of memory", f->path);
		world_free(w);
		return WORLD_ENOMEM;
	}
	for (uint32_t i = 0; i < ntask; i++) {
		w->task_timer[i] = sim_add_timer(s, task_wake_fire, i, 0);
		w->task_wq[i] = sim_add_waitq(s);
	}
	for (size_t i = 0; i < f->nflows; i++)
		w->flow_timer[i] = sim_add_timer(s, netrx_flow_fire, (uint32_t)i, 0);
	for (size_t i = 0; i < f->nsockets; i++) {
		w->sock_wq[i] = sim_add_waitq(s);
		w->data_wq[i] = sim_add_waitq(s);
	}
	w->rng_spin = sim_add_rng(s, "spinlock");
	for (uint32_t c = 0; c < f->cpus; c++)
		w->nic_line[c] = sim_add_irq_line(s, c, w->fn_nic_irq, c);
	sim_set_softirq(s, NET_RX_SOFTIRQ, w->fn_netrx);
	for (size_t i = 0; i < f->nstalls; i++) {
		const scn_stall *st = &f->stalls[i];
		uint32_t l = SIM_NONE;
		if (st->at_is_label) {
			l = sim_find_label(s, st->label);
			if (l == SIM_NONE) {
				snprintf(err, errlen, "%s:%u:%u: error: unknown label '%s'", f->path,
					 st->pos.line, st->pos.col, st->label);
				world_free(w);
				return -1;
			}
		}
		sim_add_stall(s, st->cpu, l, st->at_ns, st->nth, st->for_ns);
	}
	for (size_t i = 0; i < f->nirqs; i++) {
		const scn_irq *q = &f->irqs[i];
		if (sim_add_periodic_irq(s, q->cpu, q->at_ns, q->every_ns, q->cost_ns) != 0) {
			/* the engine's table: SIM_IRQ_LINES a CPU, one each for the NIC
			 * and exploration */
			snprintf(err, errlen, "%s:%u:%u: error: too many irq lines on cpu %u: at most %u "
				 "a CPU", f->path, q->pos.line, q->pos.col, q->cpu, SIM_IRQ_LINES - 2);
			world_free(w);
			return -1;
		}
	}
	/* Exploration's perturbations (off unless s->perturb.enabled). */
	sim_enable_perturb(s);

	/* The models' state, in the arena. */
	w->nlocks = (uint32_t)(2 * f->nsockets + f->nlocks);
	uint32_t nctx = ntask + 2 * f->cpus;
	RESERVE(w, off_g, 1, world_global);
	RESERVE(w, off_spin, w->nlocks, spin_state);
	RESERVE(w, off_spin_next, nctx, uint32_t);
	RESERVE(w, off_writer_at, nctx, uint32_t);
	RESERVE(w, off_sock, f->nsockets, sock_state);
	RESERVE(w, off_ring, f->nsockets, ring_state);
	RESERVE(w, off_nic, f->cpus, nic_state);
	/* A NIC queue never holds more packets than its flows send: sizing it
	 * down changes nothing a run can see (no drop can happen either way) and
	 * keeps small scenarios' arenas small, which exploration zeroes at every
	 * reset. */
	size_t nslots = 0;
	for (uint32_t c = 0; c < f->cpus; c++) {
		uint64_t sent = 0;
		for (size_t i = 0; i < f->nflows; i++)
			if (f->flows[i].cpu == c)
				sent += f->flows[i].count;
		w->nic_cap[c] = sent < f->nic_queue ? (uint32_t)(sent ? sent : 1) : f->nic_queue;
		w->nic_first[c] = nslots;
		nslots += w->nic_cap[c];
	}
	RESERVE(w, off_nic_slots, nslots, nic_slot);
	if (f->nflows && memory_over(w, f->flows[0].pos, "the NIC queues of these flows", err, errlen)) {
		world_free(w);
		return WORLD_EINPUT;
	}
	RESERVE(w, off_flow, f->nflows, uint64_t);
	RESERVE(w, off_task, ntask, task_state);
	RESERVE(w, off_cons, f->nconsumers, consumer_state);
	RESERVE(w, off_story, STORY_KINDS, story);
	RESERVE(w, off_stall, f->cpus, stall_note);
	for (size_t i = 0; i < f->nsockets; i++) {
		const scn_socket *so = &f->sockets[i];
		w->bl_cap[i] = sock_backlog_cap(so, f->kernel);
		w->bl_off[i] = arena_reserve(&s->ar, (size_t)w->bl_cap[i] * sizeof(bl_slot), 8);
		uint32_t frames = so->type == SCN_SOCK_PACKET ? so->frames : 1;
		w->frame_off[i] = arena_reserve(&s->ar, (size_t)frames * sizeof(ring_frame), 8);
		w->bitmap_off[i] = arena_reserve(&s->ar, ring_bitmap_bytes(frames), 8);
		if (memory_over(w, so->pos, so->type == SCN_SOCK_PACKET ? "this socket's ring" :
			       "this socket's backlog", err, errlen)) {
			world_free(w);
			return WORLD_EINPUT;
		}
	}
	s->mem_limit = f->limit_memory;
	int crc = sim_commit(s);
	if (crc == SIM_EMEMLIMIT) {
		scn_pos at = f->limit_pos.line ? f->limit_pos : (scn_pos){ 1, 1 };
		memory_over(w, at, "the tasks, timers and CPUs", err, errlen);
		world_free(w);
		return WORLD_EINPUT;
	}
	if (crc != 0) {
		snprintf(err, errlen, "%s:1:1: error: out of memory for the run state (%zu bytes)",
			 f->path, s->ar.size);
		world_free(w);
		return WORLD_ENOMEM;
	}
	arena *a = &s->ar;
	w->g = arena_at(a, w->off_g);
	w->spin = arena_at(a, w->off_spin);
	w->spin_next = arena_at(a, w->off_spin_next);
	w->writer_at = arena_at(a, w->off_writer_at);
	w->sock = arena_at(a, w->off_sock);
	w->ring = arena_at(a, w->off_ring);
	w->nic = arena_at(a, w->off_nic);
	w->nic_slots = arena_at(a, w->off_nic_slots);
	w->flow_sent = arena_at(a, w->off_flow);
	w->task = arena_at(a, w->off_task);
	w->cons = arena_at(a, w->off_cons);
	w->story = arena_at(a, w->off_story);
	w->stall = arena_at(a, w->off_stall);
	world_reset(w);
	return 0;
}

void world_reset(world *w)
{
	sim *s = &w->s;
	const scn_file *f = w->scn;
	sim_reset(s);       /* zeroes the whole arena, models' part included */
	w->g->first_lost_pkt = PKT_NONE;
	w->g->skip_ctx = SIM_NONE;
	uint32_t nctx = s->ntasks + 2 * s->ncpus;
	for (uint32_t i = 0; i < w->nlocks; i++) {
		spin_state *l = &w->spin[i];
		l->owner = l->head = l->tail = SIM_NONE;
	}
	for (uint32_t i = 0; i < nctx; i++)
		w->spin_next[i] = w->writer_at[i] = SIM_NONE;
	for (uint32_t i = 0; i < f->nsockets; i++) {
		sock_reset(w, i);
		if (f->sockets[i].type == SCN_SOCK_PACKET)
			ring_reset(w, i);
	}
	netrx_reset(w);
	for (uint32_t i = 0; i < f->ntasks; i++)
		sim_task_start(s, i, w->fn_task, f->tasks[i].at_ns)->a = i;
	for (uint32_t i = 0; i < f->nconsumers; i++) {
		sim_frame *fr = sim_task_start(s, w->nsctasks + i, w->fn_consumer, 0);
		fr->a = i;
		fr->b = f->consumers[i].socket;
	}
}

int world_run(world *w)
{
	int end = sim_run(&w->s);
	w->g->end = (uint32_t)end;
	oracle_finish(w);
	return end;
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

void world_free(world *w)
{
	sim_free(&w->s);
	free(w->task_timer);
	free(w->task_wq);
	free(w->flow_timer);
	free(w->sock_wq);
	free(w->data_wq);
	free(w->bl_cap);
	free(w->bl_off);
	free(w->frame_off);
	free(w->bitmap_off);
	free(w->nic_line);
	free(w->nic_cap);
	free(w->nic_first);
	memset(w, 0, sizeof(*w));
}
