/* write.c - the inverse of the parser: clone an AST, and write it back as a
 * scenario file that scn_parse reads to the same AST (used by shrinking).
 * Names come from the tables of names.h, as the parser reads them. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"

#define DUP(dst, src, n)                                                        \
	do {                                                                    \
		(dst) = NULL;                                                   \
		if ((n) > 0) {                                                  \
			(dst) = malloc((n) * sizeof(*(src)));                   \
			if (!(dst))                                             \
				goto oom;                                       \
			memcpy((dst), (src), (n) * sizeof(*(src)));             \
		}                                                               \
	} while (0)

int scn_clone(const scn_file *src, scn_file *dst)
{
	*dst = *src;
	dst->sockets = NULL;
	dst->flows = NULL;
	dst->tasks = NULL;
	dst->consumers = NULL;
	dst->stalls = NULL;
	dst->irqs = NULL;
	dst->softirqs = NULL;
	dst->costs = NULL;
	dst->locks = NULL;
	dst->fanouts = NULL;
	dst->expects = NULL;
	dst->checks = NULL;
	dst->replay = NULL;
	DUP(dst->sockets, src->sockets, src->nsockets);
	DUP(dst->flows, src->flows, src->nflows);
	DUP(dst->consumers, src->consumers, src->nconsumers);
	DUP(dst->stalls, src->stalls, src->nstalls);
	DUP(dst->irqs, src->irqs, src->nirqs);
	DUP(dst->softirqs, src->softirqs, src->nsoftirqs);
	DUP(dst->costs, src->costs, src->ncosts);
	DUP(dst->locks, src->locks, src->nlocks);
	DUP(dst->fanouts, src->fanouts, src->nfanouts);
	DUP(dst->expects, src->expects, src->nexpects);
	DUP(dst->checks, src->checks, src->nchecks);
	DUP(dst->replay, src->replay, src->nreplay);
	DUP(dst->tasks, src->tasks, src->ntasks);
	for (size_t i = 0; i < src->ntasks; i++)
		dst->tasks[i].ops = NULL;
	for (size_t i = 0; i < src->ntasks; i++)
		DUP(dst->tasks[i].ops, src->tasks[i].ops, src->tasks[i].nops);
	for (size_t i = 0; i < src->nirqs; i++)
		dst->irqs[i].ops = NULL;
	for (size_t i = 0; i < src->nirqs; i++)
		DUP(dst->irqs[i].ops, src->irqs[i].ops, src->irqs[i].nops);
	for (size_t i = 0; i < src->nsoftirqs; i++)
		dst->softirqs[i].ops = NULL;
	for (size_t i = 0; i < src->nsoftirqs; i++)
		DUP(dst->softirqs[i].ops, src->softirqs[i].ops, src->softirqs[i].nops);
	return 0;
oom:
	scn_free(dst);
	return -1;
}

/* Times are written in ns: exact, and the parser reads them back unchanged. */
static void time_ns(FILE *o, const char *before, uint64_t ns)
{
	fprintf(o, "%s%" PRIu64 "ns", before, ns);
}

/* scenario, seed, cpus, fix, kernel, jitter, spinlock, limit. */
static void write_run(FILE *o, const scn_file *f)
{
	fprintf(o, "scenario %s\n", f->name);
	fprintf(o, "seed     %" PRIu64 "\n", f->seed);
	fprintf(o, "cpus     %u\n", f->cpus);
	fprintf(o, "fix      %s\n", scn_fix_name(f->fix));
	if (f->has_kernel)
		fprintf(o, "kernel   %u.%u\n", f->kernel / 1000, f->kernel % 1000);
	if (f->jitter_pct)
		fprintf(o, "jitter   %u\n", f->jitter_pct);
	if (f->spin_order != SCN_ORDER_FIFO || f->has_handoff) {
		fprintf(o, "spinlock order=%s", scn_names_get(&scn_order_names, f->spin_order));
		if (f->has_handoff)
			time_ns(o, " handoff=", f->handoff_ns);
		fputc('\n', o);
	}
	if (f->limit_ns != 10ull * 1000 * 1000 * 1000 || f->limit_memory != SCN_MEMORY_DEFAULT ||
	    f->limit_events != SCN_EVENTS_DEFAULT || f->limit_output != SCN_OUTPUT_DEFAULT) {
		time_ns(o, "limit    time=", f->limit_ns);
		fprintf(o, " memory=%" PRIu64 " events=%" PRIu64 " output=%" PRIu64 "\n",
			f->limit_memory, f->limit_events, f->limit_output);
	}
}

/* explore, nic, bug, lock. */
static void write_settings(FILE *o, const scn_file *f)
{
	if (f->explore.set) {
		const scn_explore *x = &f->explore;
		fprintf(o, "explore  runs=%" PRIu64 " strategy=%s depth=%u", x->runs,
			scn_names_get(&scn_strategy_names, x->strategy), x->depth);
		time_ns(o, " stall_max=", x->stall_max_ns);
		fprintf(o, " irqs=%u", x->irqs);
		time_ns(o, " irq_max=", x->irq_max_ns);
		fprintf(o, " jitter=%u order=%s\n", x->jitter_pct,
			scn_names_get(&scn_order_names, x->order));
	}
	if (f->nic_queue != 1024 || f->budget != 300 || f->napi_weight != 64)
		fprintf(o, "nic      queue=%u budget=%u weight=%u\n", f->nic_queue, f->budget,
			f->napi_weight);
	if (f->sched_slice_ns != 3000000 || f->preempt != SCN_PREEMPT_FULL) {
		time_ns(o, "sched    slice=", f->sched_slice_ns);
		fprintf(o, " preempt=%s\n", scn_names_get(&scn_preempt_names, f->preempt));
	}
	for (int i = 0; i < scn_bug_names.count; i++)
		if (f->bugs & (1u << i))
			fprintf(o, "bug      %s\n", scn_bug_names.names[i]);
	for (size_t i = 0; i < f->nlocks; i++)
		fprintf(o, "lock     %s\n", f->locks[i].name);
}

static void write_socket(FILE *o, const scn_socket *s)
{
	fprintf(o, "socket   %s type=%s", s->name, scn_names_get(&scn_socket_type_names, s->type));
	if (s->type == SCN_SOCK_PACKET && s->version == 3)
	{
		fprintf(o, " version=v3 block_size=%u blocks=%u frame_size=%u priv=%u", s->block_size,
			s->blocks, s->frame_size, s->priv);
		if (s->retire_ms)
			fprintf(o, " retire=%ums", s->retire_ms);
	}
	else if (s->type == SCN_SOCK_PACKET)
		fprintf(o, " version=%s frames=%u frame_size=%u",
			scn_names_get(&scn_version_names, s->version - 1), s->frames, s->frame_size);
	else
		fprintf(o, " rcvbuf=%" PRIu64 " sndbuf=%" PRIu64, s->rcvbuf, s->sndbuf);
	fputc('\n', o);
}

static void write_cost(FILE *o, const scn_cost *c)
{
	fprintf(o, "cost     %s", c->label);
	time_ns(o, " ", c->ns);
	if (c->has_per_byte)
		fprintf(o, " per_byte=%" PRIu64 "ps", c->per_byte_ps);
	fputc('\n', o);
}

static void write_flow(FILE *o, const scn_file *f, const scn_flow *fl)
{
	if (fl->fanout)
		fprintf(o, "flow     %s fanout=%s cpu=%u", fl->name, f->fanouts[fl->fanout - 1].name,
			fl->cpu);
	else
		fprintf(o, "flow     %s socket=%s cpu=%u", fl->name, f->sockets[fl->socket].name,
			fl->cpu);
	time_ns(o, " at=", fl->at_ns);
	time_ns(o, " every=", fl->every_ns);
	fprintf(o, " count=%" PRIu64 " size=%u", fl->count, fl->size);
	if (fl->source != SCN_SOURCE_NIC)
		fprintf(o, " source=%s", scn_names_get(&scn_source_names, fl->source));
	fputc('\n', o);
}

/* do="OP; OP" (the closing quote is the caller's). */
static void write_ops(FILE *o, const scn_file *f, const scn_op *ops, size_t nops)
{
	fputs(" do=\"", o);
	for (size_t k = 0; k < nops; k++) {
		const scn_op *op = &ops[k];
		fprintf(o, "%s%s", k ? "; " : "", scn_op_name(op->kind));
		if (scn_op_arg(op->kind) == SCN_ARG_TIME)
			time_ns(o, " ", op->arg);
		else if (scn_op_arg(op->kind) == SCN_ARG_LOCK)
			fprintf(o, " %s", f->locks[op->arg].name);
	}
}

static void write_task(FILE *o, const scn_file *f, const scn_task *t)
{
	fprintf(o, "task     %s", t->name);
	if (t->socket != SCN_NO_SOCKET)
		fprintf(o, " socket=%s", f->sockets[t->socket].name);
	fprintf(o, " cpu=%u", t->cpu);
	write_ops(o, f, t->ops, t->nops);
	time_ns(o, "\" at=", t->at_ns);
	fprintf(o, " repeat=%" PRIu64, t->repeat);
	time_ns(o, " every=", t->every_ns);
	fputc('\n', o);
}

static void write_consumer(FILE *o, const scn_file *f, const scn_consumer *c)
{
	fprintf(o, "consumer %s socket=%s cpu=%u check=%s", c->name, f->sockets[c->socket].name,
		c->cpu, scn_names_get(&scn_check_names, c->check));
	if (c->has_cost)
		time_ns(o, " cost=", c->cost_ns);
	if (c->stats_every)
		fprintf(o, " stats_every=%" PRIu64, c->stats_every);
	fputc('\n', o);
}

static void write_stall(FILE *o, const scn_stall *s)
{
	fprintf(o, "stall    cpu=%u at=", s->cpu);
	if (s->at_is_label)
		fprintf(o, "%s nth=%" PRIu64, s->label, s->nth);
	else
		time_ns(o, "", s->at_ns);
	time_ns(o, " for=", s->for_ns);
	fputc('\n', o);
}

static void write_irq(FILE *o, const scn_file *f, const scn_irq *q)
{
	fprintf(o, "irq      cpu=%u", q->cpu);
	time_ns(o, " at=", q->at_ns);
	time_ns(o, " every=", q->every_ns);
	time_ns(o, " cost=", q->cost_ns);
	if (q->nops) {
		write_ops(o, f, q->ops, q->nops);
		fputc('"', o);
	}
	fputc('\n', o);
}

static void write_softirq(FILE *o, const scn_file *f, const scn_softirq *q)
{
	fprintf(o, "softirq  %s cpu=%u", q->name, q->cpu);
	time_ns(o, " at=", q->at_ns);
	time_ns(o, " every=", q->every_ns);
	write_ops(o, f, q->ops, q->nops);
	fputs("\"\n", o);
}

static void write_expect(FILE *o, const scn_expect *e)
{
	fputs("expect   ", o);
	if (e->fix >= 0)
		fprintf(o, "fix=%s ", scn_fix_name(e->fix));
	fprintf(o, "%s\n", e->text);
}

static void write_inv_list(FILE *o, const char *key, uint32_t bits)
{
	if (!bits)
		return;
	fprintf(o, " %s=", key);
	const char *sep = "";
	for (int m = 0; m < SCN_M_COUNT; m++)
		if (bits & (1u << m)) {
			fprintf(o, "%s%s", sep, scn_metric_name(m));
			sep = ",";
		}
}

static void write_check(FILE *o, const scn_verdict *c)
{
	fputs("check   ", o);
	if (c->fix >= 0)
		fprintf(o, " fix=%s", scn_fix_name(c->fix));
	write_inv_list(o, "reachable", c->reachable);
	write_inv_list(o, "holds", c->holds);
	fputc('\n', o);
}

/* Ten steps a line. */
static void write_replay(FILE *o, const scn_file *f)
{
	static const char *const kind[] = { "cpu", "irq", "t" };
	for (size_t i = 0; i < f->nreplay; i++) {
		const scn_step *st = &f->replay[i];
		fprintf(o, "%s%s%u", i % 10 ? " " : "replay   ", kind[st->kind < 3 ? st->kind : 2], st->n);
		if (i % 10 == 9 || i + 1 == f->nreplay)
			fputc('\n', o);
	}
}

void scn_write(FILE *o, const scn_file *f)
{
	write_run(o, f);
	write_settings(o, f);
	for (size_t i = 0; i < f->nsockets; i++)
		write_socket(o, &f->sockets[i]);
	for (size_t i = 0; i < f->nfanouts; i++) {
		const scn_fanout *g = &f->fanouts[i];
		fprintf(o, "fanout   %s mode=%s sockets=", g->name,
			scn_names_get(&scn_fanout_mode_names, g->mode));
		for (uint32_t k = 0; k < g->nsockets; k++)
			fprintf(o, "%s%s", k ? "," : "", f->sockets[g->sockets[k]].name);
		fputs(g->flag_rollover ? " rollover=on\n" : "\n", o);
	}
	for (size_t i = 0; i < f->ncosts; i++)
		write_cost(o, &f->costs[i]);
	for (size_t i = 0; i < f->nflows; i++)
		write_flow(o, f, &f->flows[i]);
	for (size_t i = 0; i < f->ntasks; i++)
		write_task(o, f, &f->tasks[i]);
	for (size_t i = 0; i < f->nconsumers; i++)
		write_consumer(o, f, &f->consumers[i]);
	for (size_t i = 0; i < f->nstalls; i++)
		write_stall(o, &f->stalls[i]);
	for (size_t i = 0; i < f->nirqs; i++)
		write_irq(o, f, &f->irqs[i]);
	for (size_t i = 0; i < f->nsoftirqs; i++)
		write_softirq(o, f, &f->softirqs[i]);
	for (size_t i = 0; i < f->nexpects; i++)
		write_expect(o, &f->expects[i]);
	for (size_t i = 0; i < f->nchecks; i++)
		write_check(o, &f->checks[i]);
	write_replay(o, f);
}
