/* shrink.c - minimise a failing exploration run into a standalone scenario.
 *
 * The run is replayed once to learn the perturbations it drew; those become
 * explicit `stall` (after a label, nth performance) and `irq` lines, with the
 * run's seed, jitter and hand-off order: that scenario is the same run under
 * plain `sim`.  Then, greedily, while the target violation still happens:
 * plain costs and fifo hand-off, fewer extra interrupts, fewer and shorter
 * stalls, fewer packets per flow, fewer readers and tasks, fewer CPUs.  Each
 * candidate is checked by running it exactly as `sim FILE` would. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "explore_internal.h"
#include "report.h"

/* What the shrinker keeps: violation kind k; for XK_EXPECT, expectation e
 * failing.  The reductions pass it around as the int k of old: a target. */
typedef struct target {
	int k;
	scn_expect e;
} target;

/* Does the candidate, run plainly, show the target? */
static int shows(const scn_file *cand, const target *tg, uint64_t *runs)
{
	xconf c = { .fix = cand->fix, .expects = &tg->e, .nexpects = tg->k == XK_EXPECT };
	world *w = malloc(sizeof(*w));
	char err[SCN_ERR_MAX];
	if (!w || world_build(w, cand, cand->fix, err, sizeof err) != 0) {
		free(w);
		return 0;
	}
	world_run(w);
	(*runs)++;
	int yes = (explore_verdict(w, &c) >> tg->k) & 1;
	world_free(w);
	free(w);
	return yes;
}

static uint64_t packets(const scn_file *f)
{
	uint64_t n = 0;
	for (size_t i = 0; i < f->nflows; i++)
		n += f->flows[i].count;
	return n;
}

/* Try removing element i of an array (stalls, irqs, flows, readers, tasks):
 * keep the removal if the violation persists.  Returns 1 if kept. */
static int try_remove(scn_file *cand, void *arr, size_t *n, size_t elem, size_t i, const target *k, uint64_t *runs)
{
	unsigned char *a = arr;
	unsigned char saved[512];       /* every AST element is smaller */
	if (elem > sizeof saved)
		return 0;
	memcpy(saved, a + i * elem, elem);
	memmove(a + i * elem, a + (i + 1) * elem, (*n - i - 1) * elem);
	(*n)--;
	if (shows(cand, k, runs))
		return 1;
	memmove(a + (i + 1) * elem, a + i * elem, (*n - i) * elem);
	memcpy(a + i * elem, saved, elem);
	(*n)++;
	return 0;
}

#define TRY_REMOVE(cand, arr, n, i, k, runs) \
	try_remove((cand), (cand)->arr, &(cand)->n, sizeof(*(cand)->arr), (i), (k), (runs))

/* Smallest value in [lo, hi] for which set(v) still shows k, assuming the
 * violation is monotone in v; hi is known to show it. */
static uint64_t bisect(scn_file *cand, const target *k, uint64_t *field, uint64_t lo, uint64_t hi, uint64_t *runs)
{
	uint64_t keep = *field;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		*field = mid;
		if (shows(cand, k, runs))
			hi = mid;
		else
			lo = mid + 1;
	}
	*field = hi;
	if (!shows(cand, k, runs))
		*field = keep;          /* not monotone after all: leave it */
	return *field;
}

/* The CPU numbers of a scenario: every flow's, task's, reader's, stall's
 * extra irq's and softirq program's `cpu` field, as (array, count, element
 * size) triples. */
typedef struct cpu_field {
	unsigned char *arr;
	size_t n, size, off;
} cpu_field;

#define CPU_FIELDS 6
#define CPU_FIELD(f, arr, n, type) \
	((cpu_field){ (unsigned char *)(f)->arr, (f)->n, sizeof(type), offsetof(type, cpu) })

static void cpu_fields(const scn_file *f, cpu_field out[CPU_FIELDS])
{
	out[0] = CPU_FIELD(f, flows, nflows, scn_flow);
	out[1] = CPU_FIELD(f, tasks, ntasks, scn_task);
	out[2] = CPU_FIELD(f, consumers, nconsumers, scn_consumer);
	out[3] = CPU_FIELD(f, stalls, nstalls, scn_stall);
	out[4] = CPU_FIELD(f, irqs, nirqs, scn_irq);
	out[5] = CPU_FIELD(f, softirqs, nsoftirqs, scn_softirq);
}

static uint32_t *cpu_at(const cpu_field *c, size_t i)
{
	return (uint32_t *)(void *)(c->arr + i * c->size + c->off);
}

static int cpu_used(const scn_file *f, uint32_t c)
{
	cpu_field fl[CPU_FIELDS];
	cpu_fields(f, fl);
	for (int k = 0; k < CPU_FIELDS; k++)
		for (size_t i = 0; i < fl[k].n; i++)
			if (*cpu_at(&fl[k], i) == c)
				return 1;
	return 0;
}

/* Renumber the CPUs that are used to 0..k-1, in order. */
static void compact_cpus(scn_file *f)
{
	uint32_t map[1024], k = 0;
	for (uint32_t c = 0; c < f->cpus && c < 1024; c++)
		map[c] = cpu_used(f, c) ? k++ : UINT32_MAX;
	if (k == 0)
		k = 1;
	cpu_field fl[CPU_FIELDS];
	cpu_fields(f, fl);
	for (int j = 0; j < CPU_FIELDS; j++)
		for (size_t i = 0; i < fl[j].n; i++)
			*cpu_at(&fl[j], i) = map[*cpu_at(&fl[j], i)];
	f->cpus = k;
}

/* One pass of the reductions; returns how many took. */
static int pass(scn_file *cand, const target *k, uint64_t *runs)
{
	int took = 0;
	for (size_t i = cand->nirqs; i-- > 0;)
		took += TRY_REMOVE(cand, irqs, nirqs, i, k, runs);
	for (size_t i = cand->nstalls; i-- > 0;)
		took += TRY_REMOVE(cand, stalls, nstalls, i, k, runs);
	for (size_t i = 0; i < cand->nstalls; i++) {
		uint64_t before = cand->stalls[i].for_ns;
		if (bisect(cand, k, &cand->stalls[i].for_ns, 1, before, runs) < before)
			took++;
	}
	for (size_t i = cand->nflows; i-- > 0;) {
		uint64_t before = cand->flows[i].count;
		if (bisect(cand, k, &cand->flows[i].count, 0, before, runs) < before)
			took++;
		if (cand->flows[i].count == 0 && cand->nflows > 1)
			took += TRY_REMOVE(cand, flows, nflows, i, k, runs);
	}
	for (size_t i = cand->nconsumers; i-- > 0;)
		took += TRY_REMOVE(cand, consumers, nconsumers, i, k, runs);
	for (size_t i = cand->ntasks; i-- > 0;) {
		scn_task t = cand->tasks[i];
		if (TRY_REMOVE(cand, tasks, ntasks, i, k, runs)) {
			free(t.ops);
			took++;
		}
	}
	if (cand->cpus > 1) {
		scn_file trial;
		if (scn_clone(cand, &trial) == 0) {
			compact_cpus(&trial);
			if (trial.cpus < cand->cpus && shows(&trial, k, runs)) {
				scn_free(cand);
				*cand = trial;
				took++;
			} else {
				scn_free(&trial);
			}
		}
	}
	return took;
}

/* The violation to keep: the most telling kind the run showed, or -1. */
static int pick_kind(uint32_t kinds)
{
	/* a failed expect line is what --explore-expect asked about */
	static const int prio[] = { XK_EXPECT, XK_OVERRUN, XK_DEADLOCK, XK_VIOLATIONS, XK_CORRUPT, XK_PARTIAL, XK_LOST };
	for (size_t i = 0; i < sizeof prio / sizeof prio[0]; i++)
		if (kinds & (1u << prio[i]))
			return prio[i];
	return -1;
}

/* Append the perturbations w's run drew to cand as explicit stall (after a
 * label, nth performance) and irq lines.  0, or -1 out of memory. */
static int add_perturbations(scn_file *cand, const world *w, uint64_t limit_ns)
{
	const perturb_state *ps = w->s.pst;
	size_t ns = 0, ni = 0;
	for (uint32_t i = 0; i < ps->nrec; i++)
		ps->rec[i].kind == 0 ? ns++ : ni++;
	scn_stall *st = realloc(cand->stalls, (cand->nstalls + ns + 1) * sizeof(*st));
	scn_irq *iq = realloc(cand->irqs, (cand->nirqs + ni + 1) * sizeof(*iq));
	if (st)
		cand->stalls = st;
	if (iq)
		cand->irqs = iq;
	if (!st || !iq)
		return -1;
	for (uint32_t i = 0; i < ps->nrec; i++) {
		const perturb_record *p = &ps->rec[i];
		if (p->kind == 0) {
			scn_stall s = { .cpu = p->cpu, .at_is_label = 1, .nth = p->nth, .for_ns = p->len };
			snprintf(s.label, sizeof s.label, "%s", w->s.labels[p->label].name);
			cand->stalls[cand->nstalls++] = s;
		} else {
			/* one firing: the next would come after the time limit */
			cand->irqs[cand->nirqs++] = (scn_irq){ .cpu = p->cpu, .every_ns = limit_ns + 1,
							       .cost_ns = p->len, .at_ns = p->at };
		}
	}
	return 0;
}

/* The run (f, c, seed) as a standalone scenario in cand: replayed once to
 * learn its perturbations, with its seed, jitter and hand-off order; the
 * first of c's expect lines it fails goes to tg->e.  0, or -1 out of memory
 * (cand is then freed). */
static int standalone(const scn_file *f, const xconf *c, uint64_t seed, scn_file *cand, target *tg)
{
	world *w = malloc(sizeof(*w));
	char err[SCN_ERR_MAX];
	if (!w || world_build(w, f, c->fix, err, sizeof err) != 0) {
		free(w);
		return -1;
	}
	xconf_apply(w, c);
	w->s.seed = seed;
	world_reset(w);
	world_run(w);
	const scn_expect *e = explore_failed_expect(w, c);
	if (e)
		tg->e = *e;
	int rc = scn_clone(f, cand);
	if (rc == 0) {
		cand->seed = seed;
		cand->fix = c->fix;
		cand->jitter_pct = c->jitter;
		cand->spin_order = c->spin_random ? SCN_ORDER_RANDOM : SCN_ORDER_FIFO;
		cand->explore.set = 0;
		rc = add_perturbations(cand, w, f->limit_ns);
		if (rc != 0)
			scn_free(cand);
	}
	world_free(w);
	free(w);
	return rc;
}

/* Greedily, while violation k still happens: plain costs and fifo hand-off
 * where it does not need them, then passes of the reductions. */
static void minimise(scn_file *cand, const target *k, uint64_t *runs)
{
	uint32_t jit = cand->jitter_pct;
	cand->jitter_pct = 0;
	if (!shows(cand, k, runs))
		cand->jitter_pct = jit;
	int order = cand->spin_order;
	cand->spin_order = SCN_ORDER_FIFO;
	if (!shows(cand, k, runs))
		cand->spin_order = order;
	for (int round = 0; round < 4 && pass(cand, k, runs); round++)
		;
}

/* The expectation the shrunk scenario proves: the target kind happened
 * (`overrun>=1`), or the scenario's failed expect line, negated, holds. */
static scn_expect proven(const target *tg, int fix)
{
	static const int negate[] = { [SCN_EQ] = SCN_NE, [SCN_NE] = SCN_EQ, [SCN_LT] = SCN_GE,
				      [SCN_LE] = SCN_GT, [SCN_GT] = SCN_LE, [SCN_GE] = SCN_LT };
	scn_expect e = { .fix = fix, .metric = explore_kind_metric(tg->k), .op = SCN_GE, .value = 1 };
	if (tg->k == XK_EXPECT) {
		e.metric = tg->e.metric;
		e.op = negate[tg->e.op];
		e.value = tg->e.value;
	}
	snprintf(e.text, sizeof e.text, "%s%s%" PRIu64, scn_metric_name(e.metric), scn_cmp_name(e.op), e.value);
	return e;
}

/* Write cand to path: the scenario, its stalls, and the expectation it
 * proves.  0, 1 when writing failed (told on stderr with the reason, never
 * on the log), -1 out of memory. */
static int write_shrunk(const scn_file *f, scn_file *cand, const xconf *c, uint64_t seed, const target *tg,
			const char *path)
{
	snprintf(cand->name, sizeof cand->name, "%.40s-shrunk", f->name);
	free(cand->expects);
	cand->expects = calloc(1, sizeof(*cand->expects));
	if (!cand->expects)
		return -1;
	cand->nexpects = 1;
	cand->expects[0] = proven(tg, c->fix);
	FILE *o = fopen(path, "w");
	if (!o) {
		fprintf(stderr, "sim: shrink: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	char what[128];
	if (tg->k == XK_EXPECT)
		snprintf(what, sizeof what, "the scenario's `expect %s` fails", tg->e.text);
	else
		snprintf(what, sizeof what, "`%s` still happens", explore_kind_name(tg->k));
	fprintf(o, "# Shrunk by `sim %s --explore ... --shrink` from run seed %" PRIu64 " (fix=%s):\n"
		   "# the smallest failing run, minimised while %s, with the\n"
		   "# perturbations it needs written as explicit stall/irq lines.  Reproduce it\n"
		   "# with plain `sim %s`.\n",
		f->path, seed, scn_fix_name(c->fix), what, path);
	scn_write(o, cand);
	errno = 0;
	int bad = ferror(o);
	if (fclose(o) != 0 || bad) {
		fprintf(stderr, "sim: shrink: writing %s failed: %s\n", path, strerror(errno ? errno : EIO));
		return 1;
	}
	return 0;
}

/* Belt and braces: read the file back and run it as `sim FILE` would. */
static int reproduces(const char *path, const target *k, uint64_t *runs, FILE *log)
{
	scn_file back;
	scn_error perr;
	if (scn_parse_file(path, report_labels(), &back, &perr) != 0) {
		fprintf(log, "  shrink: %s\n", perr.msg);
		return 0;
	}
	int ok = shows(&back, k, runs);
	scn_free(&back);
	return ok;
}

int shrink_run(const scn_file *f, const xconf *c, uint64_t seed, uint32_t kinds, const char *path,
	       FILE *log)
{
	target tg = { .k = pick_kind(kinds) };
	if (tg.k < 0)
		return 1;
	const target *k = &tg;
	scn_file cand;
	if (standalone(f, c, seed, &cand, &tg) != 0)
		return -1;
	uint64_t runs = 0;
	fprintf(log, "  shrinking run seed %" PRIu64 " (%s): %" PRIu64 " packets, %zu stalls, %zu extra irqs, %u CPUs\n",
		seed, explore_kind_name(k->k), packets(&cand), cand.nstalls, cand.nirqs, cand.cpus);
	if (!shows(&cand, k, &runs)) {
		fprintf(log, "  shrink: the run's perturbations written as stall/irq lines do not reproduce it; no file written\n");
		scn_free(&cand);
		return 1;
	}
	minimise(&cand, k, &runs);
	int wr = write_shrunk(f, &cand, c, seed, k, path);
	if (wr < 0) {
		scn_free(&cand);
		return -1;
	}
	int ok = wr == 0 && reproduces(path, k, &runs, log);
	fprintf(log, "  shrunk in %" PRIu64 " runs to %" PRIu64 " packets, %zu stall%s, %zu extra irq%s, %u CPU%s: %s\n",
		runs, packets(&cand), cand.nstalls, cand.nstalls == 1 ? "" : "s", cand.nirqs,
		cand.nirqs == 1 ? "" : "s", cand.cpus, cand.cpus == 1 ? "" : "s", path);
	fprintf(log, "  %s: `sim %s` %s\n", ok ? "checked" : "FAILED", path,
		ok ? "reproduces it" : "does not reproduce it");
	scn_free(&cand);
	return ok ? 0 : -1;
}
