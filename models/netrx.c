/* netrx.c - see netrx.h.  Slots of queue q (CPU c's NIC queue: q = c; its
 * backlog: q = ncpus + c): nic_slots[nic_first[q] ...], nic_cap[q] of them. */
#include "netrx.h"

#include <stdlib.h>

/* net_rx_action()'s frame pc (netrx_softirq_step). */
enum { NX_START, NX_BACK, NX_END, NX_POLL };

void netrx_reset(world *w)
{
	const scn_file *f = w->scn;
	for (uint32_t i = 0; i < 2 * w->s.ncpus; i++)
		w->nic[i] = (nic_state){ 0 };
	for (size_t i = 0; i < f->nflows; i++) {
		w->flow_sent[i] = 0;
		if (f->flows[i].count && f->flows[i].source == SCN_SOURCE_NIC)
			sim_arm(&w->s, w->flow_timer[i], f->flows[i].at_ns);
	}
}

/* Inlined into netrx_flow_fire(), the NIC flows' hot path. */
static inline int enqueue(world *w, uint32_t q, uint32_t i, uint64_t pkt)
{
	const scn_flow *fl = &w->scn->flows[i];
	nic_state *n = &w->nic[q];
	uint32_t cap = w->nic_cap[q];
	if (n->count == cap) {
		/* the NIC's RX ring is full: rx_missed / rx_fifo_errors; the
		 * backlog's: enqueue_to_backlog()'s sd->dropped++ */
		w->g->m[SCN_M_NIC_DROPS]++;
		return 0;
	}
	uint32_t tail = (n->head + n->count) % cap;
	/* a fanout flow's packets go to the group's hook: socket nsockets + flow */
	uint32_t to = fl->fanout ? (uint32_t)w->scn->nsockets + i : fl->socket;
	w->nic_slots[w->nic_first[q] + tail] = (nic_slot){ pkt, fl->size, to };
	n->count++;
	w->g->in_nic++;
	return 1;
}

int netrx_enqueue(world *w, uint32_t q, uint32_t i, uint64_t pkt) { return enqueue(w, q, i, pkt); }

void netrx_flow_fire(sim *s, uint32_t i)
{
	world *w = s->model;
	const scn_flow *fl = &w->scn->flows[i];
	if (enqueue(w, fl->cpu, i, world_new_pkt(w, i)) && !w->nic[fl->cpu].napi)
		sim_raise_irq(s, fl->cpu, w->nic_line[fl->cpu]);
	if (++w->flow_sent[i] < fl->count)
		sim_arm(s, w->flow_timer[i], sim_time_at(fl->at_ns, w->flow_sent[i], fl->every_ns));
}

sim_answer netrx_irq_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	if (f->pc++)
		return SIM_RET;
	/* the driver's irq handler: napi_schedule() -> __raise_softirq_irqoff(NET_RX_SOFTIRQ) */
	uint32_t cpu = sim_ctx_at(s, c)->cpu;
	w->nic[cpu].napi = 1;
	sim_raise_softirq(s, cpu, NET_RX_SOFTIRQ);
	return SIM_CONT(sim_did(s, c, wl(w, ML_NX_IRQ), 0, TK_QUEUED, (int64_t)w->nic[cpu].count));
}

/* The NAPI instance polled, as its queue: f->e = cpu (f->a) for the NIC's,
 * ncpus + cpu for the CPU's backlog (sd->backlog). */
static inline uint32_t napi_q(const sim_frame *f) { return (uint32_t)f->e; }

/* net_rx_action(): the next instance on the poll list, or the end of the
 * run.  The model's list is fixed, the NIC's then the backlog's (the
 * kernel's is in the order they were scheduled). */
static void netrx_next_napi(world *w, sim_frame *f)
{
	f->c += f->b;           /* budget -= napi_poll(n, &repoll) */
	f->b = 0;
	if (f->e == f->a && w->nic[w->s.ncpus + f->a].napi) {
		f->e = w->s.ncpus + f->a;
		f->pc = NX_POLL;
	} else
		f->pc = NX_END;
}

/* napi_poll() used its whole weight: the instance goes on the repoll list.
 * net_rx_action() polls it again in this run before v3.19 while budget and
 * time are left; since v3.19 (d75b1ade567f) it splices the repoll list back
 * at the end of the run and raises NET_RX again.  Budget or time spent is a
 * time_squeeze. */
static sim_answer netrx_repoll(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	const scn_file *sf = w->scn;
	f->c += f->b;           /* budget -= napi_poll(n, &repoll) */
	f->b = 0;
	/* if (unlikely(budget <= 0 || time_after_eq(jiffies, time_limit))):
	 * netdev_budget_usecs (2000, v4.12+; 2 jiffies before) */
	/* untimed (--check): only the packet budget runs out; docs/check.md */
	int squeeze = f->c >= sf->budget || (!s->untimed && sim_now(s) >= f->d + NETDEV_BUDGET_NS);
	uint32_t q = napi_q(f);
	if (!squeeze && sf->kernel < SCN_KERNEL(3, 19))
		return SIM_CONT(sim_did(s, c, wl(w, ML_NX_REPOLL), 0, TK_LEFT,
					(int64_t)w->nic[q].count));
	/* __raise_softirq_irqoff(NET_RX_SOFTIRQ): the rest in the next run;
	 * since v3.19 the run goes on to the next instance unless squeezed */
	sim_raise_softirq(s, f->a, NET_RX_SOFTIRQ);
	if (squeeze)
		f->pc = NX_END;
	else
		netrx_next_napi(w, f);
	return SIM_CONT(sim_did(s, c, wl(w, squeeze ? ML_NX_BUDGET : ML_NX_REPOLL), 0, TK_LEFT,
				(int64_t)w->nic[q].count));
}

/* net_rx_action()'s loop: a packet, or the end of the poll (pc NX_POLL). */
static sim_answer netrx_poll(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	uint32_t qi = napi_q(f);
	nic_state *n = &w->nic[qi];
	if (f->b >= (qi == f->a ? w->scn->napi_weight : BACKLOG_WEIGHT))
		return netrx_repoll(s, c, f);
	if (n->count == 0) {
		/* the driver's poll: work < weight: napi_complete_done(), unmask
		 * the irq; process_backlog(): the input queue is empty */
		n->napi = 0;
		netrx_next_napi(w, f);
		return SIM_CONT(sim_did(s, c, wl(w, qi == f->a ? ML_NX_DONE : ML_LO_DONE), 0));
	}
	/* napi->poll(): one packet off the queue, netif_receive_skb();
	 * process_backlog(): __skb_dequeue(&sd->process_queue), __netif_receive_skb() */
	uint32_t cap = w->nic_cap[qi];
	nic_slot q = w->nic_slots[w->nic_first[qi] + n->head];
	n->head = n->head + 1 == cap ? 0 : n->head + 1;
	n->count--;
	w->g->in_nic--;
	w->g->in_hand++;
	f->b++;
	f->pc = NX_BACK;
	uint64_t ns = sim_did(s, c, wl(w, qi == f->a ? ML_NX_RX : ML_LO_POLL), 0, TK_PKT, (int64_t)q.pkt, TK_SIZE, (int64_t)q.size);
	/* __netif_receive_skb_core(): deliver to the socket's protocol hook */
	sock_rcv rcv = w->rcv[q.socket];
	sim_frame *p = sim_call(s, c, rcv.fn);
	p->pc = rcv.pc;
	p->a = q.socket;
	p->b = q.size;
	p->d = q.pkt;
	/* The protocol starts after this step's cost: it is the top frame now,
	 * and the engine steps it when the continuation ends. */
	return SIM_CONT(ns);
}

/* Frame: a = cpu, b = packets of this poll, c = of the polls before (the
 * budget spent), d = when the run started (its time_limit), e = the NAPI
 * instance's queue (napi_q).  pc: NX_START, NX_BACK (the protocol returned),
 * NX_END, NX_POLL (polling); steps by pc, as tpacket_rcv's. */
static sim_answer netrx_start(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	f->d = s->untimed ? 0 : sim_now(s);  /* time_limit = jiffies + usecs_to_jiffies(netdev_budget_usecs) */
	f->pc = NX_POLL;
	/* the first instance on the poll list: the backlog only if the NIC's
	 * is not scheduled */
	f->e = !w->nic[f->a].napi && w->nic[w->s.ncpus + f->a].napi ? w->s.ncpus + f->a : f->a;
	return netrx_poll(s, c, f);
}

static sim_answer netrx_back(sim *s, uint32_t c, sim_frame *f)
{
	(void)s;
	(void)c;
	f->pc = NX_POLL;
	return SIM_NEXT;    /* back from the protocol: next packet */
}

static sim_answer netrx_end(sim *s, uint32_t c, sim_frame *f)
{
	(void)s;
	(void)c;
	(void)f;
	return SIM_RET;
}

static const sim_step_fn netrx_steps[] = {
	[NX_START] = netrx_start, [NX_BACK] = netrx_back, [NX_END] = netrx_end, [NX_POLL] = netrx_poll,
};

sim_answer netrx_softirq_step(sim *s, uint32_t c, sim_frame *f)
{
	return SIM_STEP_BY_PC(netrx_steps, s, c, f);
}

/* ---- the model's life cycle (world.h) ---- */

/* A queue never holds more packets than its flows send: sizing it down
 * changes nothing a run can see (no drop can happen either way) and keeps
 * small scenarios' arenas small, which exploration zeroes at every reset.
 * Queues 0..ncpus-1 are the NIC's (`nic queue=`), ncpus.. the backlogs
 * (netdev_max_backlog + 1; the model's one queue stands for input_pkt_queue
 * and process_queue both, which process_backlog() splices: the kernel's
 * limit is on input_pkt_queue alone).  Returns the slots of all queues. */
static size_t size_queues(world *w)
{
	const scn_file *f = w->scn;
	size_t nslots = 0;
	for (uint32_t q = 0; q < 2 * f->cpus; q++) {
		uint32_t c = q % f->cpus;
		int lo = q >= f->cpus;
		uint64_t sent = 0, limit = lo ? NETDEV_MAX_BACKLOG + 1 : f->nic_queue;
		for (size_t i = 0; i < f->nflows; i++)
			if (f->flows[i].cpu == c && (f->flows[i].source == SCN_SOURCE_LO) == lo)
				sent += f->flows[i].count;
		w->nic_cap[q] = sent < limit ? (uint32_t)(sent ? sent : 1) : (uint32_t)limit;
		w->nic_first[q] = nslots;
		nslots += w->nic_cap[q];
	}
	return nslots;
}

static int netrx_reserve(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	sim *s = &w->s;
	w->fn_netrx = sim_add_fn(s, "net_rx_action", netrx_softirq_step);
	w->fn_nic_irq = sim_add_fn(s, "nic_irq", netrx_irq_step);
	w->flow_timer = calloc(f->nflows + 1, sizeof(uint32_t));
	w->nic_line = calloc(f->cpus, sizeof(uint32_t));
	w->nic_cap = calloc(2 * (size_t)f->cpus, sizeof(uint32_t));
	w->nic_first = calloc(2 * (size_t)f->cpus, sizeof(size_t));
	if (!w->flow_timer || !w->nic_line || !w->nic_cap || !w->nic_first)
		return world_oom(w, err, errlen);
	for (size_t i = 0; i < f->nflows; i++) {
		w->flow_timer[i] = sim_add_timer(s, netrx_flow_fire, (uint32_t)i, 0);
		/* a packet into this CPU's queue, its hardirq raised there */
		sim_set_timer_cpu(s, w->flow_timer[i], f->flows[i].cpu);
	}
	for (uint32_t c = 0; c < f->cpus; c++)
		w->nic_line[c] = sim_add_irq_line(s, c, w->fn_nic_irq, c);
	sim_set_softirq(s, NET_RX_SOFTIRQ, w->fn_netrx);
	/* --check's persistent sets (sim_ample): the NIC's hardirq and
	 * net_rx_action touch this CPU's NIC queue and backlog (which only its
	 * flows' timers and its own tasks fill), its softirq state, and
	 * counters only the end reads; the protocol they call is a frame of
	 * its own, stepped by the next transition. */
	sim_set_fn_private(s, w->fn_netrx);
	sim_set_fn_private(s, w->fn_nic_irq);
	w->off_nic = world_reserve(w, 2 * (size_t)f->cpus, sizeof(nic_state));
	w->off_nic_slots = world_reserve(w, size_queues(w), sizeof(nic_slot));
	w->off_flow = world_reserve(w, f->nflows, sizeof(uint64_t));
	if (f->nflows && world_check_memory(w, f->flows[0].pos, "the NIC queues of these flows", err, errlen))
		return WORLD_EINPUT;
	return 0;
}

static void netrx_bind(world *w)
{
	w->nic = arena_at(&w->s.ar, w->off_nic);
	w->nic_slots = arena_at(&w->s.ar, w->off_nic_slots);
	w->flow_sent = arena_at(&w->s.ar, w->off_flow);
}

static void netrx_release(world *w)
{
	free(w->flow_timer);
	free(w->nic_line);
	free(w->nic_cap);
	free(w->nic_first);
}

/* The slots outside each queue's [head, head + count) hold packets taken
 * already: left-overs, not state. */
static void netrx_canon(const world *w, unsigned char *copy)
{
	for (uint32_t q = 0; q < 2 * w->s.ncpus; q++) {
		const nic_state *n = &w->nic[q];
		uint32_t cap = w->nic_cap[q];
		nic_slot *slot = WORLD_IN_COPY(w, copy, &w->nic_slots[w->nic_first[q]]);
		for (uint32_t i = n->count; i < cap; i++)
			slot[(n->head + i) % cap] = (nic_slot){ 0 };
	}
}

const model_ops netrx_ops = { "netrx", netrx_reserve, netrx_bind, netrx_reset, NULL, netrx_release, netrx_canon };
