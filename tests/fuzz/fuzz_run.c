/* fuzz_run.c - libFuzzer harness over a whole run: parse + build + a bounded
 * run of every fix variant, under ASan/UBSan.
 *
 * The bytes are a scenario.  One that parses is built with the models' own
 * label table and run with a budget: at most RUN_EVENTS trace events (a sink
 * that counts and calls sim_stop), at most RUN_LIMIT_NS of simulated time,
 * and a run state no bigger than RUN_STATE items (checked from the scenario
 * before anything is allocated; the program's own memory bound is the
 * scenario's business, this keeps the fuzzer's runs small and fast).  After
 * the run it checks what the oracle promises: the packet balance holds, no
 * CPU's BH/IRQ depth wrapped, and every story renders.  A broken promise
 * aborts, which libFuzzer reports as a crash, like any sanitizer finding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "scn.h"
#include "sock_lock.h"
#include "world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RUN_EVENTS 20000u
#define RUN_LIMIT_NS 2000000ull         /* 2 ms */
#define RUN_STATE (1u << 16)            /* frames + backlog slots + NIC slots + contexts */

static void check(int ok)
{
	if (!ok)
		abort();
}

typedef struct budget_sink {
	trace_sink sink;
	sim *s;
	uint32_t n;
} budget_sink;

static void budget_event(trace_sink *self, const trace_event *e)
{
	budget_sink *b = (budget_sink *)self;
	check(e->label != NULL && e->ctx != NULL && e->cpu < b->s->ncpus);
	if (++b->n == RUN_EVENTS)
		sim_stop(b->s);
}

static int budget_finish(trace_sink *self)
{
	(void)self;
	return 0;
}

static const scn_labels *labels(void)
{
	static const char *names[512];
	static scn_labels l;
	if (!l.count) {
		l.names = names;
		l.count = world_label_table(names, NULL, 512);
	}
	return &l;
}

/* The run state the scenario asks for, in items, saturating. */
static uint64_t state_items(const scn_file *f)
{
	uint64_t n = (uint64_t)f->cpus * (f->nic_queue + 4) + f->ntasks + f->nconsumers + f->nflows;
	for (size_t i = 0; i < f->nsockets; i++)
		n += f->sockets[i].type == SCN_SOCK_PACKET ? f->sockets[i].frames
							    : sock_backlog_cap(&f->sockets[i], f->kernel);
	return n;
}

static void run_variant(const scn_file *f, int fix, FILE *null)
{
	char err[512];
	world *w = world_new(f, fix, err, sizeof err);
	if (!w) {
		/* only an input error the parser cannot see: a `replay` step
		 * that names no transition of this run */
		check(f->nreplay > 0 && strncmp(err, "fuzz.scn:", 9) == 0 &&
		      strstr(err, ": error: replay step ") != NULL);
		return;
	}
	budget_sink b = { { budget_event, budget_finish, NULL }, &w->s, 0 };
	w->s.trace = &b.sink;
	int end = world_run(w);
	if (end == SIM_END_STUCK) {
		world_stuck_message(w, err, sizeof err);
		check(strstr(err, ": error: ") != NULL);
	}
	const world_global *g = w->g;
	/* the balance: nothing is counted twice */
	check(g->m[SCN_M_LOST] <= g->created);
	check(g->m[SCN_M_DEADLOCK] <= 1);
	for (uint32_t c = 0; c < w->s.ncpus; c++)
		/* a wrapped depth is ~4e9; a scenario's ops nest far less */
		check(w->s.cpus[c].bh_depth < (1u << 20) && w->s.cpus[c].irqs_off < (1u << 20));
	for (int k = 0; k < STORY_KINDS; k++)
		oracle_story_print(w, (enum story_kind)k, null, "  ");
	world_delete(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	scn_file f;
	scn_error e;
	if (!null)
		null = fopen("/dev/null", "w");
	if (scn_parse("fuzz.scn", (const char *)data, size, labels(), &f, &e) != 0) {
		check(strncmp(e.msg, "fuzz.scn:", 9) == 0 && strstr(e.msg, ": error: ") != NULL);
		return 0;
	}
	if (state_items(&f) <= RUN_STATE && f.cpus <= 64) {
		if (f.limit_ns > RUN_LIMIT_NS)
			f.limit_ns = RUN_LIMIT_NS;
		int has_ring = 0;
		for (size_t i = 0; i < f.nsockets; i++)
			has_ring |= f.sockets[i].type == SCN_SOCK_PACKET;
		for (int fix = SCN_FIX_NONE; fix < (has_ring ? SCN_FIX_COUNT : 1); fix++)
			run_variant(&f, fix, null);
	}
	scn_free(&f);
	return 0;
}
