/* consumer_v3.c - see consumer_v3.h.  Frame: a = consumer index, b = socket. */
#include "consumer_v3.h"

#include <stdlib.h>

#include "ghost.h"
#include "packet_ring.h"
#include "spinlock.h"
#include "tpacket_v3.h"

enum { PC_BLOCK, PC_READ, PC_NEXT, PC_RELEASE, PC_POLL, PC_WOKEN };

#define READER_STEP static __attribute__((noinline)) sim_answer

static uint32_t slot(const world *w, uint32_t sock, const v3_reader *r)
{
	return r->block * v3_slots_per_block(&w->scn->sockets[sock]) + r->k;
}

READER_STEP step_block(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_reader *r = &w->v3r->r[f->a];
	const v3_block *b = &v3_blocks(w, f->b)[r->block];
	/* packet_mmap_v3_acquire(): block_status & TP_STATUS_USER (`check
	 * nonzero`: != TP_STATUS_KERNEL) */
	int ready = w->scn->consumers[f->a].check == SCN_CHECK_USER_BIT
			    ? (b->block_status & TP_STATUS_USER) != 0
			    : b->block_status != TP_STATUS_KERNEL;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS3_BLOCK), 0, TK_SOCK, (int64_t)f->b, TK_BLOCK,
			      (int64_t)r->block, TK_STATUS, (int64_t)b->block_status);
	if (!ready) {
		f->pc = PC_POLL;
		return SIM_CONT(ns);
	}
	/* current_packet = block + offset_to_first_pkt; packets_left = num_pkts */
	r->futile = 0;
	r->k = 0;
	r->left = b->num_pkts;
	r->offset = v3_blk_plus_priv(&w->scn->sockets[f->b]);
	f->pc = r->left ? PC_READ : PC_RELEASE;
	return SIM_CONT(ns);
}

READER_STEP step_read(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_reader *r = &w->v3r->r[f->a];
	uint32_t sl = slot(w, f->b, r);
	uint32_t status = v3_blocks(w, f->b)[r->block].block_status;
	/* pcap_handle_packet_mmap(): the oracle sees what was read */
	uint64_t hdr_pkt = ghost_read(w, c, f->a, f->b, sl, status);
	f->pc = PC_NEXT;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS3_READ), v3_frames(w, f->b)[sl].snaplen, TK_BLOCK,
			      (int64_t)r->block, TK_FRAME, (int64_t)sl, TK_PKT, (int64_t)hdr_pkt);
	if (w->scn->consumers[f->a].has_cost)
		ns = w->scn->consumers[f->a].cost_ns;
	return SIM_CONT(ns);
}

READER_STEP step_next(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_reader *r = &w->v3r->r[f->a];
	uint32_t sl = slot(w, f->b, r);
	/* the read is over: the bytes are checked; then current_packet +=
	 * tp3_hdr->tp_next_offset; packets_left-- */
	ghost_consume(w, c, f->a, f->b, sl, v3_blocks(w, f->b)[r->block].block_status);
	r->offset += v3_frames(w, f->b)[sl].next_offset;
	r->k++;
	r->left--;
	f->pc = r->left ? PC_READ : PC_RELEASE;
	return SIM_CONT(sim_did(s, c, wl(w, ML_CS3_NEXT), 0, TK_FRAME, (int64_t)sl));
}

READER_STEP step_release(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_reader *r = &w->v3r->r[f->a];
	/* packet_mmap_v3_release(): block_status = TP_STATUS_KERNEL;
	 * if (++handle->offset >= handle->cc) handle->offset = 0 */
	v3_blocks(w, f->b)[r->block].block_status = TP_STATUS_KERNEL;
	uint64_t ns = sim_did(s, c, wl(w, ML_CS3_RELEASE), 0, TK_SOCK, (int64_t)f->b, TK_BLOCK,
			      (int64_t)r->block);
	v3_trace_occupancy(w, c, f->b);
	r->block = r->block + 1 == w->scn->sockets[f->b].blocks ? 0 : r->block + 1;
	f->pc = PC_BLOCK;
	return SIM_CONT(ns);
}

READER_STEP step_poll(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	v3_reader *r = &w->v3r->r[f->a];
	uint64_t ns = sim_did(s, c, wl(w, ML_CS3_POLL), 0, TK_BLOCK, (int64_t)r->block);
	if (v3_poll_readable(w, f->b) && r->futile < w->futile_polls) {
		r->futile++;    /* readable, but not our block: look again */
		f->pc = PC_BLOCK;
		return SIM_CONT(ns);
	}
	r->futile = 0;
	spin_might_sleep(w, c, wl(w, ML_CS3_POLL));
	f->pc = PC_WOKEN;
	return SIM_SLEEP(w->data_wq[f->b]);
}

READER_STEP step_woken(sim *s, uint32_t c, sim_frame *f)
{
	world *w = s->model;
	/* do_poll(): woken, packet_poll() again; asleep again unless readable */
	if (!v3_poll_readable(w, f->b)) {
		sim_did(s, c, wl(w, ML_CS3_POLL), 0, TK_BLOCK, (int64_t)w->v3r->r[f->a].block);
		return SIM_SLEEP(w->data_wq[f->b]);
	}
	return step_block(s, c, f);
}

static const sim_step_fn reader_steps[] = {
	[PC_BLOCK] = step_block, [PC_READ] = step_read, [PC_NEXT] = step_next,
	[PC_RELEASE] = step_release, [PC_POLL] = step_poll, [PC_WOKEN] = step_woken,
};

sim_answer consumer_v3_step(sim *s, uint32_t c, sim_frame *f)
{
	return SIM_STEP_BY_PC(reader_steps, s, c, f);
}

/* ---- the model's life cycle (world.h) ---- */

_Static_assert(sizeof(v3_reader) == 24, "v3_reader has no padding");

static int reader_reserve(world *w, char *err, size_t errlen)
{
	w->v3r = calloc(1, sizeof(*w->v3r));
	if (!w->v3r)
		return world_oom(w, err, errlen);
	w->v3r->fn = sim_add_fn(&w->s, "consumer_v3", consumer_v3_step);
	w->v3r->off = world_reserve(w, w->scn->nconsumers, sizeof(v3_reader));
	return 0;
}

static void reader_bind(world *w) { w->v3r->r = arena_at(&w->s.ar, w->v3r->off); }

static void reader_reset(world *w)
{
	const scn_file *f = w->scn;
	for (uint32_t i = 0; i < f->nconsumers; i++) {
		if (!v3_socket(&f->sockets[f->consumers[i].socket]))
			continue;
		sim_frame *fr = sim_task_start(&w->s, w->nsctasks + i, w->v3r->fn, 0);
		fr->a = i;
		fr->b = f->consumers[i].socket;
	}
}

static void reader_release(world *w) { free(w->v3r); }

const model_ops consumer_v3_ops = { "consumer_v3", reader_reserve, reader_bind, reader_reset, NULL,
				    reader_release, NULL };
