/* loopback.c - see loopback.h. */
#include "loopback.h"

#include "netrx.h"

/* The next packet at its time, or the sender's end. */
static sim_answer next_packet(world *w, uint32_t c, sim_frame *f, const scn_flow *fl)
{
	sim *s = &w->s;
	if (++w->flow_sent[f->a] >= fl->count)
		return SIM_RET;
	f->pc = 0;
	uint64_t next = sim_time_at(fl->at_ns, w->flow_sent[f->a], fl->every_ns);
	/* untimed (--check): a paced sender always waits for its timer, a
	 * transition of its own, whatever the clock says (the state does not
	 * hold the clock); back to back (no `every`) it never waits */
	if (next <= sim_now(s) && !(s->untimed && fl->every_ns))
		return SIM_NEXT;
	sim_arm(s, w->task_timer[c], next);   /* paced: the sender sleeps till then */
	return SIM_SLEEP(w->task_wq[c]);
}

sim_answer lo_send_step(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	const scn_flow *fl = &w->scn->flows[f->a];
	uint32_t backlog = s->ncpus + fl->cpu;
	switch (f->pc) {
	case 0:
		/* sendto() -> packet_snd() -> dev_queue_xmit() -> __dev_queue_xmit():
		 * rcu_read_lock_bh() (net/core/dev.c), then loopback_xmit() */
		f->pc = 1;
		sim_bh_disable(s, c);
		return SIM_CONT(sim_did(s, c, wl(w, ML_LO_XMIT), fl->size, TK_SIZE, (int64_t)fl->size));
	case 1: {
		/* loopback_xmit() -> __netif_rx() -> enqueue_to_backlog(skb,
		 * smp_processor_id()): this CPU's input_pkt_queue */
		uint64_t pkt = world_new_pkt(w, f->a);
		f->pc = 2;
		if (!netrx_enqueue(w, backlog, f->a, pkt))
			return SIM_CONT(sim_did(s, c, wl(w, ML_LO_DROP), 0, TK_PKT, (int64_t)pkt));
		if (!w->nic[backlog].napi) {
			/* !__test_and_set_bit(NAPI_STATE_SCHED, &sd->backlog.state):
			 * napi_schedule_rps() -> ____napi_schedule(): NET_RX pending,
			 * but BH is off: it waits for local_bh_enable() */
			w->nic[backlog].napi = 1;
			sim_raise_softirq(s, fl->cpu, NET_RX_SOFTIRQ);
		}
		return SIM_CONT(sim_did(s, c, wl(w, ML_LO_ENQUEUE), 0, TK_PKT, (int64_t)pkt,
					TK_QUEUED, (int64_t)w->nic[backlog].count));
	}
	case 2:
		/* rcu_read_unlock_bh() -> local_bh_enable(): do_softirq() -- the
		 * engine runs the pending NET_RX on this CPU after this step */
		f->pc = 3;
		sim_bh_enable(s, c);
		return SIM_CONT(sim_did(s, c, wl(w, ML_LO_BH_ENABLE), 0));
	default:
		/* dev_queue_xmit() returned: sendto() returns to the program */
		return next_packet(w, c, f, fl);
	}
}

/* ---- the model's life cycle (world.h) ---- */

static int lo_reserve(world *w, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	w->fn_lo_send = sim_add_fn(&w->s, "lo_send", lo_send_step);
	return 0;
}

/* Each source=lo flow's sender starts at the flow's `at`. */
static void lo_reset(world *w)
{
	const scn_file *f = w->scn;
	uint32_t ctx = w->lo_ctx0;
	for (uint32_t i = 0; i < f->nflows; i++) {
		if (f->flows[i].source != SCN_SOURCE_LO)
			continue;
		if (f->flows[i].count)
			sim_task_start(&w->s, ctx, w->fn_lo_send, f->flows[i].at_ns)->a = i;
		ctx++;
	}
}

const model_ops loopback_ops = { "loopback", lo_reserve, NULL, lo_reset, NULL, NULL, NULL };
