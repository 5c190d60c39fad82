/* dir_check.c - `check [fix=F] [reachable=INV,...] [holds=INV,...]`: the
 * verdicts `--check` must reach (an addition; docs/check.md). */
#include <inttypes.h>
#include <string.h>

#include "parser_internal.h"
#include "values.h"

enum { CK_FIX, CK_REACHABLE, CK_HOLDS, CK_N };
static const char *const check_keys[CK_N] = { "fix", "reachable", "holds" };
static const dir_spec check_dir = { .dir = "check", .keys = check_keys, .nkeys = CK_N,
	DIR_LIST(checks, scn_verdict, K_CHECK) };
static const dir_spec replay_dir = { .dir = "replay", .keys = NULL, .nkeys = 0,
	DIR_LIST(replay, scn_step, K_REPLAY) };
const dir_spec *const scn_check_specs[] = { &check_dir, &replay_dir, NULL };

int scn_check_invariant(int m)
{
	return m == SCN_M_OVERRUN || m == SCN_M_CORRUPT || m == SCN_M_CONSUMER_PARTIAL ||
	       m == SCN_M_LOST || m == SCN_M_VIOLATIONS || m == SCN_M_DEADLOCK ||
	       m == SCN_M_LOCK_ORDER;
}

/* INV,INV,... of key t into *bits. */
static int inv_list(parser *p, const tok *t, uint32_t *bits)
{
	shown b;
	size_t i = 0;
	while (i <= t->vn) {
		size_t e = i;
		while (e < t->vn && t->v[e] != ',')
			e++;
		uint32_t col = col_add(t->vcol, i);
		int m = scn_names_find(&scn_metric_names, t->v + i, e - i);
		if (m < 0 || !scn_check_invariant(m))
			return fail(p, col, "'%s' is not an invariant --check decides (expected "
				    "overrun, corrupt, consumer_partial, lost, violations, deadlock "
				    "or lock_order)", show(&b, t->v + i, e - i));
		if (*bits & (1u << m))
			return fail(p, col, "'%s' is named twice", scn_metric_name(m));
		*bits |= 1u << m;
		i = e + 1;
	}
	return 0;
}

int dir_check(parser *p)
{
	scn_verdict *c = dir_item(p, &check_dir);
	if (!c)
		return -1;
	c->fix = -1;
	if (p->at[CK_FIX]) {
		if (tok_enum(p, p->at[CK_FIX], &scn_fix_names, "fix", &c->fix))
			return -1;
		if (c->fix == SCN_FIX_ALL)
			c->fix = -1;
	}
	if (!p->at[CK_REACHABLE] && !p->at[CK_HOLDS])
		return fail(p, p->toks[0].col, "check needs reachable=INV,... or holds=INV,...");
	if ((p->at[CK_REACHABLE] && inv_list(p, p->at[CK_REACHABLE], &c->reachable)) ||
	    (p->at[CK_HOLDS] && inv_list(p, p->at[CK_HOLDS], &c->holds)))
		return -1;
	if (c->reachable & c->holds)
		return fail(p, p->at[CK_HOLDS]->vcol, "an invariant cannot be both reachable and holds");
	p->f->nchecks++;
	return 0;
}

/* `replay STEP ...`: cpuN, irqN or tN, appended to the file's list. */
int dir_replay(parser *p)
{
	if (p->ntok < 2)
		return fail(p, p->eol_col, "replay needs steps (cpuN, irqN or tN)");
	for (size_t i = 1; i < p->ntok; i++) {
		const tok *t = &p->toks[i];
		shown b;
		uint32_t kind, skip;
		if (t->n > 3 && !memcmp(t->s, "cpu", 3))
			kind = SCN_STEP_CPU, skip = 3;
		else if (t->n > 3 && !memcmp(t->s, "irq", 3))
			kind = SCN_STEP_IRQ, skip = 3;
		else if (t->n > 1 && t->s[0] == 't')
			kind = SCN_STEP_TIMER, skip = 1;
		else
			return fail(p, t->col, "'%s' is not a replay step (cpuN, irqN or tN)",
				    show(&b, t->s, t->n));
		uint32_t n = 0;
		if (kind != SCN_STEP_TIMER) {
			/* a CPU number, checked against `cpus` with the others */
			tok c = *t;
			c.v = t->s + skip;
			c.vn = t->n - skip;
			c.vcol = col_add(t->col, skip);
			if (tok_cpu(p, &c, &n))
				return -1;
		} else {
			uint64_t v;
			if (val_u64(p, "timer", t->s + 1, t->n - 1, col_add(t->col, 1), &v))
				return -1;
			if (v > UINT32_MAX)
				return fail(p, col_add(t->col, 1), "timer %" PRIu64 " out of range", v);
			n = (uint32_t)v;
		}
		scn_step *st = item_push(p, &replay_dir, t->col);
		if (!st)
			return -1;
		st->kind = kind;
		st->n = n;
		p->f->nreplay++;
	}
	return 0;
}
