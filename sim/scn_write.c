/* scn_write.c - the inverse of the parser: clone an AST, and write it back as
 * a scenario file that scn_parse reads to the same AST (used by shrinking). */
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
	dst->costs = NULL;
	dst->locks = NULL;
	dst->expects = NULL;
	DUP(dst->sockets, src->sockets, src->nsockets);
	DUP(dst->flows, src->flows, src->nflows);
	DUP(dst->consumers, src->consumers, src->nconsumers);
	DUP(dst->stalls, src->stalls, src->nstalls);
	DUP(dst->irqs, src->irqs, src->nirqs);
	DUP(dst->costs, src->costs, src->ncosts);
	DUP(dst->locks, src->locks, src->nlocks);
	DUP(dst->expects, src->expects, src->nexpects);
	DUP(dst->tasks, src->tasks, src->ntasks);
	for (size_t i = 0; i < src->ntasks; i++)
		dst->tasks[i].ops = NULL;
	for (size_t i = 0; i < src->ntasks; i++)
		DUP(dst->tasks[i].ops, src->tasks[i].ops, src->tasks[i].nops);
	return 0;
oom:
	scn_free(dst);
	return -1;
}

/* Times are written in ns: exact, and the parser reads them back unchanged. */
static void time_ns(FILE *o, uint64_t ns) { fprintf(o, "%" PRIu64 "ns", ns); }

static void size_b(FILE *o, uint64_t b) { fprintf(o, "%" PRIu64, b); }

void scn_write(FILE *o, const scn_file *f)
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
		fprintf(o, "spinlock order=%s", f->spin_order == SCN_ORDER_RANDOM ? "random" : "fifo");
		if (f->has_handoff) {
			fputs(" handoff=", o);
			time_ns(o, f->handoff_ns);
		}
		fputc('\n', o);
	}
	if (f->limit_ns != 10ull * 1000 * 1000 * 1000) {
		fputs("limit    time=", o);
		time_ns(o, f->limit_ns);
		fputc('\n', o);
	}
	if (f->explore.set) {
		const scn_explore *x = &f->explore;
		fprintf(o, "explore  runs=%" PRIu64 " strategy=%s depth=%u stall_max=", x->runs,
			x->strategy == SCN_STRATEGY_PCT ? "pct" : "random", x->depth);
		time_ns(o, x->stall_max_ns);
		fprintf(o, " irqs=%u irq_max=", x->irqs);
		time_ns(o, x->irq_max_ns);
		fprintf(o, " jitter=%u order=%s\n", x->jitter_pct,
			x->order == SCN_ORDER_RANDOM ? "random" : "fifo");
	}
	if (f->nic_queue != 1024 || f->budget != 300)
		fprintf(o, "nic      queue=%u budget=%u\n", f->nic_queue, f->budget);
	if (f->bugs & SCN_BUG_BH_IGNORES_OWNED)
		fputs("bug      bh_ignores_owned\n", o);
	if (f->bugs & SCN_BUG_LOCK_SOCK_WITHOUT_BH)
		fputs("bug      lock_sock_without_bh\n", o);
	if (f->bugs & SCN_BUG_RELEASE_SKIPS_BACKLOG)
		fputs("bug      release_skips_backlog\n", o);
	for (size_t i = 0; i < f->nlocks; i++)
		fprintf(o, "lock     %s\n", f->locks[i].name);
	for (size_t i = 0; i < f->nsockets; i++) {
		const scn_socket *s = &f->sockets[i];
		if (s->type == SCN_SOCK_PACKET) {
			fprintf(o, "socket   %s type=packet version=v%d frames=%u frame_size=", s->name,
				s->version, s->frames);
			size_b(o, s->frame_size);
		} else {
			fprintf(o, "socket   %s type=stream rcvbuf=", s->name);
			size_b(o, s->rcvbuf);
			fputs(" sndbuf=", o);
			size_b(o, s->sndbuf);
		}
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->ncosts; i++) {
		const scn_cost *c = &f->costs[i];
		fprintf(o, "cost     %s ", c->label);
		time_ns(o, c->ns);
		if (c->has_per_byte)
			fprintf(o, " per_byte=%" PRIu64 "ps", c->per_byte_ps);
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->nflows; i++) {
		const scn_flow *fl = &f->flows[i];
		fprintf(o, "flow     %s socket=%s cpu=%u at=", fl->name, f->sockets[fl->socket].name, fl->cpu);
		time_ns(o, fl->at_ns);
		fputs(" every=", o);
		time_ns(o, fl->every_ns);
		fprintf(o, " count=%" PRIu64 " size=%u\n", fl->count, fl->size);
	}
	for (size_t i = 0; i < f->ntasks; i++) {
		const scn_task *t = &f->tasks[i];
		fprintf(o, "task     %s socket=%s cpu=%u do=\"", t->name, f->sockets[t->socket].name, t->cpu);
		for (size_t k = 0; k < t->nops; k++) {
			const scn_op *op = &t->ops[k];
			fprintf(o, "%s%s", k ? "; " : "", scn_op_name(op->kind));
			if (op->kind == SCN_OP_WORK || op->kind == SCN_OP_SLEEP) {
				fputc(' ', o);
				time_ns(o, op->arg);
			} else if (op->kind >= SCN_OP_SPIN_LOCK) {
				fprintf(o, " %s", f->locks[op->arg].name);
			}
		}
		fputs("\" at=", o);
		time_ns(o, t->at_ns);
		fprintf(o, " repeat=%" PRIu64 " every=", t->repeat);
		time_ns(o, t->every_ns);
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->nconsumers; i++) {
		const scn_consumer *c = &f->consumers[i];
		fprintf(o, "consumer %s socket=%s cpu=%u check=%s", c->name, f->sockets[c->socket].name, c->cpu,
			c->check == SCN_CHECK_USER_BIT ? "user_bit" : "nonzero");
		if (c->has_cost) {
			fputs(" cost=", o);
			time_ns(o, c->cost_ns);
		}
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->nstalls; i++) {
		const scn_stall *s = &f->stalls[i];
		fprintf(o, "stall    cpu=%u at=", s->cpu);
		if (s->at_is_label)
			fprintf(o, "%s nth=%" PRIu64, s->label, s->nth);
		else
			time_ns(o, s->at_ns);
		fputs(" for=", o);
		time_ns(o, s->for_ns);
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->nirqs; i++) {
		const scn_irq *q = &f->irqs[i];
		fprintf(o, "irq      cpu=%u at=", q->cpu);
		time_ns(o, q->at_ns);
		fputs(" every=", o);
		time_ns(o, q->every_ns);
		fputs(" cost=", o);
		time_ns(o, q->cost_ns);
		fputc('\n', o);
	}
	for (size_t i = 0; i < f->nexpects; i++) {
		const scn_expect *e = &f->expects[i];
		fputs("expect   ", o);
		if (e->fix >= 0)
			fprintf(o, "fix=%s ", scn_fix_name(e->fix));
		fprintf(o, "%s\n", e->text);
	}
}
