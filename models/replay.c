/* replay.c - a scenario's `replay` line: a plain run along one path of
 * --check's untimed graph (docs/check.md); see world.h. */
#include <stdlib.h>

#include "untimed.h"
#include "world.h"

int world_replay_bind(world *w, char *err, size_t errlen)
{
	const scn_file *f = w->scn;
	if (!f->nreplay)
		return 0;
	w->replay_ids = malloc(f->nreplay * sizeof *w->replay_ids);
	if (!w->replay_ids) {
		snprintf(err, errlen, "%s:1:1: error: out of memory", f->path);
		return WORLD_ENOMEM;
	}
	for (size_t i = 0; i < f->nreplay; i++) {
		const scn_step *st = &f->replay[i];
		/* the engine's timers: CPU c's step c, its held-back hardirq
		 * ncpus + c (sim.h), then the models' */
		uint32_t id = st->kind == SCN_STEP_CPU ? st->n
			    : st->kind == SCN_STEP_IRQ ? w->s.ncpus + st->n : st->n;
		if (id >= w->s.ntimers || (st->kind == SCN_STEP_TIMER && id < 2 * w->s.ncpus)) {
			snprintf(err, errlen, "%s:%u:%u: error: replay step %u: this run has no such "
				 "transition (cpu0..cpu%u, irq0..irq%u, t%u..t%u)", f->path, st->pos.line,
				 st->pos.col, (unsigned)i + 1, w->s.ncpus - 1, w->s.ncpus - 1,
				 2 * w->s.ncpus, w->s.ntimers - 1);
			return WORLD_EINPUT;
		}
		w->replay_ids[i] = id;
	}
	world_untimed(w);
	return 0;
}

int world_replay_run(world *w)
{
	size_t done;
	int end = sim_run_script(&w->s, w->replay_ids, w->scn->nreplay, &done);
	w->replay_done = done;
	/* --check's deadlock: a context waits and nothing can wake it */
	if (end != SIM_END_EVENTS && world_waits_forever(w))
		w->g->m[SCN_M_DEADLOCK] = 1;
	return end;
}
