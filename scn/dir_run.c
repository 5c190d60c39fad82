/* dir_run.c - the directives that set up a run rather than declare a kernel
 * object: scenario, seed, cpus, fix, jitter, stall, irq, cost, spinlock,
 * limit, explore, expect. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "parser_internal.h"
#include "values.h"

/* The keys of each directive, in the order "unknown key" messages list them. */
enum { ST_CPU, ST_AT, ST_NTH, ST_FOR, ST_N };
static const char *const stall_keys[ST_N] = { "cpu", "at", "nth", "for" };
enum { IQ_CPU, IQ_EVERY, IQ_COST, IQ_AT, IQ_DO, IQ_N };
static const char *const irq_keys[IQ_N] = { "cpu", "every", "cost", "at", "do" };
enum { EX_RUNS, EX_STRATEGY, EX_DEPTH, EX_STALL_MAX, EX_IRQS, EX_IRQ_MAX, EX_JITTER,
       EX_ORDER, EX_N };
static const char *const explore_keys[EX_N] = { "runs", "strategy", "depth", "stall_max",
						"irqs", "irq_max", "jitter", "order" };
static const char *const cost_keys[] = { "per_byte" };
static const char *const spinlock_keys[] = { "order", "handoff" };
enum { LM_TIME, LM_MEMORY, LM_EVENTS, LM_OUTPUT, LM_N };
static const char *const limit_keys[LM_N] = { "time", "memory", "events", "output" };

static const dir_spec stall_dir = { .dir = "stall", .keys = stall_keys, .nkeys = ST_N,
	.required = REQ(ST_CPU) | REQ(ST_AT) | REQ(ST_FOR), DIR_LIST(stalls, scn_stall, K_STALL) };
static const dir_spec irq_dir = { .dir = "irq", .keys = irq_keys, .nkeys = IQ_N,
	.required = REQ(IQ_CPU) | REQ(IQ_EVERY), DIR_LIST(irqs, scn_irq, K_IRQ) };
static const dir_spec cost_dir = { .dir = "cost", .keys = cost_keys, .nkeys = 1,
	DIR_LIST(costs, scn_cost, K_COST) };
static const dir_spec expect_dir = { .dir = "expect", DIR_LIST(expects, scn_expect, K_EXPECT) };
static const dir_spec spinlock_dir = { .dir = "spinlock", .keys = spinlock_keys, .nkeys = 2 };
static const dir_spec limit_dir = { .dir = "limit", .keys = limit_keys, .nkeys = LM_N };
static const dir_spec explore_dir = { .dir = "explore", .keys = explore_keys, .nkeys = EX_N };

const dir_spec *const scn_run_specs[] = { &stall_dir, &irq_dir, &cost_dir, &expect_dir,
					   &spinlock_dir, &limit_dir, &explore_dir, NULL };

int dir_scenario(parser *p)
{
	const tok *t = positional(p, "scenario", "a scenario name", 0);

	return t ? tok_name(p, t, "scenario", p->f->name) : -1;
}

int dir_seed(parser *p)
{
	const tok *t = positional(p, "seed", "a number", 0);

	return t ? tok_u64(p, t, "seed", &p->f->seed) : -1;
}

int dir_cpus(parser *p)
{
	const tok *t = positional(p, "cpus", "a number", 0);

	return t ? tok_range32(p, t, "cpus", 1, 1024, &p->f->cpus) : -1;
}

int dir_fix(parser *p)
{
	const tok *t = positional(p, "fix", "a fix name", 0);

	return t ? tok_enum(p, t, &scn_fix_names, "fix", &p->f->fix) : -1;
}

int dir_jitter(parser *p)
{
	const tok *t = positional(p, "jitter", "a percentage", 0);

	return t ? tok_pct(p, t, "jitter", &p->f->jitter_pct) : -1;
}

int dir_stall(parser *p)
{
	scn_stall *st = dir_item(p, &stall_dir);

	if (!st || tok_cpu(p, p->at[ST_CPU], &st->cpu))
		return -1;
	st->nth = 1;
	const tok *t = p->at[ST_AT];
	if (t->vn > 0 && is_digit(t->v[0])) {
		if (tok_time(p, t, "at", &st->at_ns))
			return -1;
	} else {
		if (val_label(p, t->v, t->vn, t->vcol, st->label))
			return -1;
		st->at_is_label = 1;
	}
	if (p->at[ST_NTH] && !st->at_is_label)
		return fail(p, p->at[ST_NTH]->col, "nth= counts performances of a label: "
			    "it needs at=LABEL, not a time");
	if (tok_range(p, p->at[ST_NTH], "nth", 1, UINT64_MAX, &st->nth) ||
	    tok_time(p, p->at[ST_FOR], "for", &st->for_ns))
		return -1;
	p->f->nstalls++;
	return 0;
}

int dir_irq(parser *p)
{
	scn_irq *q = dir_item(p, &irq_dir);

	if (!q)
		return -1;
	p->f->nirqs++;          /* counted now: scn_free releases its ops */
	if (!p->at[IQ_DO] && need_keys(p, &irq_dir, REQ(IQ_COST)))
		return -1;      /* cost= is required without a program */
	if (tok_cpu(p, p->at[IQ_CPU], &q->cpu) ||
	    tok_time(p, p->at[IQ_EVERY], "every", &q->every_ns))
		return -1;
	/* each irq is a hardirq line of its CPU; the NIC queue and the local
	 * timer take one each */
	size_t on_cpu = 0;
	for (size_t i = 0; i < p->f->nirqs; i++)
		on_cpu += p->f->irqs[i].cpu == q->cpu;
	if (on_cpu > SCN_IRQS_PER_CPU)
		return fail(p, p->at[IQ_CPU]->vcol, "too many irqs on cpu %" PRIu32 " (at most %u)",
			    q->cpu, SCN_IRQS_PER_CPU);
	if (q->every_ns == 0)
		return fail(p, p->at[IQ_EVERY]->vcol, "irq every= must be > 0");
	if (tok_time(p, p->at[IQ_COST], "cost", &q->cost_ns) ||
	    tok_time(p, p->at[IQ_AT], "at", &q->at_ns))
		return -1;
	return p->at[IQ_DO] ? parse_ops(p, p->at[IQ_DO], "irq", 0, &q->ops, &q->nops) : 0;
}

/* `cost LABEL T [per_byte=T]` */
int dir_cost(parser *p)
{
	scn_file *f = p->f;
	shown b;

	if (p->ntok < 2 || p->toks[1].has_eq)
		return fail(p, p->toks[0].col, "missing label after 'cost'");
	if (p->toks[1].n && is_digit(p->toks[1].s[0]))
		return fail(p, p->toks[1].col, "missing label before the time: cost LABEL T");
	if (p->ntok < 3 || p->toks[2].has_eq)
		return fail(p, p->toks[0].col, "missing time after 'cost LABEL'");
	scn_cost *c = item_push(p, &cost_dir, p->toks[0].col);
	const tok *l = &p->toks[1];
	if (!c || val_label(p, l->s, l->n, l->vcol, c->label))
		return -1;
	/* O(costs): fine, each label has at most one cost line */
	for (size_t i = 0; i < f->ncosts; i++)
		if (strcmp(f->costs[i].label, c->label) == 0)
			return fail(p, l->vcol, "duplicate cost for '%s' (first at line %" PRIu32 ")",
				    show(&b, l->s, l->n), f->costs[i].pos.line);
	/* toks[2] has no key: its value is the whole token */
	if (tok_time(p, &p->toks[2], "cost", &c->ns) || dir_keys(p, &cost_dir, 3) ||
	    tok_time_ps(p, p->at[0], "per_byte", &c->per_byte_ps))
		return -1;
	c->has_per_byte = p->at[0] != NULL;
	f->ncosts++;
	return 0;
}

int dir_spinlock(parser *p)
{
	if (dir_keys(p, &spinlock_dir, 1))
		return -1;
	if (!p->at[0] && !p->at[1])
		return fail(p, p->toks[0].col, "spinlock needs order= or handoff=");
	if (tok_enum(p, p->at[0], &scn_order_names, "order", &p->f->spin_order) ||
	    tok_time(p, p->at[1], "handoff", &p->f->handoff_ns))
		return -1;
	p->f->has_handoff = p->at[1] != NULL;
	return 0;
}

int dir_limit(parser *p)
{
	scn_file *f = p->f;

	if (dir_keys(p, &limit_dir, 1))
		return -1;
	if (!p->at[LM_TIME] && !p->at[LM_MEMORY] && !p->at[LM_EVENTS] && !p->at[LM_OUTPUT])
		return fail(p, p->toks[0].col, "limit needs time=, memory=, events= or output=");
	f->limit_pos = (scn_pos){ p->line, p->toks[0].col };
	if (tok_time(p, p->at[LM_TIME], "time", &f->limit_ns))
		return -1;
	if (f->limit_ns == 0)
		return fail(p, p->at[LM_TIME]->vcol, "limit time= must be > 0");
	return tok_size(p, p->at[LM_MEMORY], "memory", 1 << 20, SCN_MEMORY_MAX, &f->limit_memory) ||
	       tok_range(p, p->at[LM_EVENTS], "events", 1, UINT64_MAX, &f->limit_events) ||
	       tok_size(p, p->at[LM_OUTPUT], "output", 1, SCN_OUTPUT_MAX, &f->limit_output) ? -1 : 0;
}

int dir_explore(parser *p)
{
	scn_explore *e = &p->f->explore;

	if (dir_keys(p, &explore_dir, 1))
		return -1;
	e->set = 1;
	e->pos = (scn_pos){ p->line, p->toks[0].col };
	return tok_range(p, p->at[EX_RUNS], "runs", 1, 1000000000, &e->runs) ||
	       tok_enum(p, p->at[EX_STRATEGY], &scn_strategy_names, "strategy", &e->strategy) ||
	       tok_range32(p, p->at[EX_DEPTH], "depth", 1, 64, &e->depth) ||
	       tok_time(p, p->at[EX_STALL_MAX], "stall_max", &e->stall_max_ns) ||
	       tok_range32(p, p->at[EX_IRQS], "irqs", 0, 16, &e->irqs) ||
	       tok_time(p, p->at[EX_IRQ_MAX], "irq_max", &e->irq_max_ns) ||
	       tok_pct(p, p->at[EX_JITTER], "jitter", &e->jitter_pct) ||
	       tok_enum(p, p->at[EX_ORDER], &scn_order_names, "order", &e->order) ? -1 : 0;
}

static int is_cmp_char(int c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

static int is_fix_key(const tok *t) { return t->has_eq && eq(t->key, t->kn, "fix"); }

/* Where an expect clause is read: token ti, its text s[0..n), at byte k. */
typedef struct cursor {
	size_t ti;
	const tok *t;
	const char *s;
	size_t n, k;
} cursor;

/* When the current token is used up, go on to the next one: 0 when there is
 * none. */
static int clause_more(parser *p, cursor *c)
{
	if (c->k != c->n)
		return 1;
	if (++c->ti >= p->ntok)
		return 0;
	c->t = &p->toks[c->ti];
	c->s = c->t->s;
	c->n = c->t->n;
	c->k = 0;
	return 1;
}

/* The OP of a clause, at c->k: its enum scn_cmp in *op. */
static int clause_op(parser *p, cursor *c, int *op)
{
	char list[64];
	shown b;
	size_t o = c->k, k = o;

	while (k < c->n && is_cmp_char(c->s[k]))
		k++;
	if (k == o) {
		while (k < c->n && !is_alpha(c->s[k]) && !is_digit(c->s[k]))
			k++;
		if (k == o)
			k = o + 1;
	}
	*op = scn_names_find(&scn_cmp_names, c->s + o, k - o);
	if (*op < 0)
		return fail(p, col_add(c->t->col, o), "bad comparison operator '%s' (expected %s)",
			    show(&b, c->s + o, k - o), scn_names_list(&scn_cmp_names, list, sizeof list));
	c->k = k;
	return 0;
}

/* The VALUE of a clause on metric m, at c->k, to the end of the token. */
static int clause_value(parser *p, const cursor *c, int m, uint64_t *v)
{
	const char *name = scn_metric_name(m), *s = c->s + c->k;
	size_t n = c->n - c->k, d = 0, ml = strlen(name);
	uint32_t col = col_add(c->t->col, c->k);

	while (d < n && is_digit(s[d]))
		d++;
	int is_time = ml > 3 && strcmp(name + ml - 3, "_ns") == 0;
	if (is_time && d > 0 && d < n)
		/* a time metric's value may take a unit: spin_max_ns<20us */
		return val_time(p, name, s, n, col, 0, v);
	return val_u64(p, "expect", s, n, col, v);
}

static int expect_add(parser *p, scn_pos pos, int fix, int m, int op, uint64_t v)
{
	scn_expect *e = item_push(p, &expect_dir, pos.col);

	if (!e)
		return -1;
	p->f->nexpects++;
	e->pos = pos;
	e->fix = fix;
	e->metric = m;
	e->op = op;
	e->value = v;
	int r = snprintf(e->text, sizeof e->text, "%s%s%" PRIu64, scn_metric_name(m),
			 scn_cmp_name(op), v);
	(void)r;        /* at most 19 + 2 + 20 bytes: never cut */
	return 0;
}

/* One clause METRIC OP VALUE from token *ti on (one token, overrun>=1, or
 * spread over several: overrun >= 1, overrun >=1, ...), appended. */
static int expect_clause(parser *p, size_t *ti, int fix)
{
	cursor c = { *ti, &p->toks[*ti], p->toks[*ti].s, p->toks[*ti].n, 0 };
	shown b;
	int op;
	uint64_t v;

	if (is_fix_key(c.t))
		return fail(p, c.t->col, c.ti == 2 && is_fix_key(&p->toks[1])
					 ? "expect takes one fix= (one expect line per variant)"
					 : "fix= must come before the clauses of expect");
	while (c.k < c.n && (is_alpha(c.s[c.k]) || is_digit(c.s[c.k]) || c.s[c.k] == '_'))
		c.k++;
	if (c.k == 0)
		return fail(p, c.t->col, "expected METRIC OP VALUE, got '%s'", show(&b, c.s, c.n));
	int m = scn_names_find(&scn_metric_names, c.s, c.k);
	char list[512];
	if (m < 0)
		return fail(p, c.t->col, "unknown metric '%s' (expected %s)", show(&b, c.s, c.k),
			    scn_names_list(&scn_metric_names, list, sizeof list));
	scn_pos mpos = { p->line, c.t->col };
	if (!clause_more(p, &c))
		return fail(p, p->eol_col, "missing comparison operator after '%s'", scn_metric_name(m));
	if (clause_op(p, &c, &op))
		return -1;
	if (!clause_more(p, &c))
		return fail(p, p->eol_col, "missing value after '%s %s'", scn_metric_name(m),
			    scn_cmp_name(op));
	if (clause_value(p, &c, m, &v))
		return -1;
	*ti = c.ti + 1;
	return expect_add(p, mpos, fix, m, op, v);
}

/* `expect [fix=F] METRIC OP VALUE ...` */
int dir_expect(parser *p)
{
	size_t ti = 1;
	int fix = -1;

	if (ti < p->ntok && is_fix_key(&p->toks[ti])) {
		if (tok_enum(p, &p->toks[ti++], &scn_fix_names, "fix", &fix))
			return -1;
		if (fix == SCN_FIX_ALL)
			fix = -1;       /* every variant run: same as no fix= */
	}
	if (ti >= p->ntok)
		return fail(p, p->toks[0].col, "expect needs at least one clause METRIC OP VALUE");
	while (ti < p->ntok)
		if (expect_clause(p, &ti, fix))
			return -1;
	return 0;
}
