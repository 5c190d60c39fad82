/* shrink.c - minimise a failing exploration run into a standalone scenario.
 *
 * The run is replayed once to learn the perturbations it drew; those become
 * explicit `stall` (after a label, nth performance) and `irq` lines, with the
 * run's seed, jitter and hand-off order: that scenario is the same run under
 * plain `sim`.  Then, greedily, while the target violation still happens:
 * plain costs and fifo hand-off, fewer extra interrupts, fewer and shorter
 * stalls, fewer packets per flow, fewer readers and tasks, fewer CPUs.  Each
 * candidate is checked by running it exactly as `sim FILE` would. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "explore_internal.h"
#include "report.h"

/* Does the candidate, run plainly, show violation kind k? */
static int shows(const scn_file *cand, int k, uint64_t *runs)
{
	world *w = malloc(sizeof(*w));
	char err[512];
	if (!w || world_build(w, cand, cand->fix, err, sizeof err) != 0) {
		free(w);
		return 0;
	}
	world_run(w);
	(*runs)++;
	int yes = (explore_verdict(w) >> k) & 1;
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
static int try_remove(scn_file *cand, void *arr, size_t *n, size_t elem, size_t i, int k, uint64_t *runs)
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
static uint64_t bisect(scn_file *cand, int k, uint64_t *field, uint64_t lo, uint64_t hi, uint64_t *runs)
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

static int cpu_used(const scn_file *f, uint32_t c)
{
	for (size_t i = 0; i < f->nflows; i++)
		if (f->flows[i].cpu == c)
			return 1;
	for (size_t i = 0; i < f->ntasks; i++)
		if (f->tasks[i].cpu == c)
			return 1;
	for (size_t i = 0; i < f->nconsumers; i++)
		if (f->consumers[i].cpu == c)
			return 1;
	for (size_t i = 0; i < f->nstalls; i++)
		if (f->stalls[i].cpu == c)
			return 1;
	for (size_t i = 0; i < f->nirqs; i++)
		if (f->irqs[i].cpu == c)
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
	for (size_t i = 0; i < f->nflows; i++)
		f->flows[i].cpu = map[f->flows[i].cpu];
	for (size_t i = 0; i < f->ntasks; i++)
		f->tasks[i].cpu = map[f->tasks[i].cpu];
	for (size_t i = 0; i < f->nconsumers; i++)
		f->consumers[i].cpu = map[f->consumers[i].cpu];
	for (size_t i = 0; i < f->nstalls; i++)
		f->stalls[i].cpu = map[f->stalls[i].cpu];
	for (size_t i = 0; i < f->nirqs; i++)
		f->irqs[i].cpu = map[f->irqs[i].cpu];
	f->cpus = k;
}

/* One pass of the reductions; returns how many took. */
static int pass(scn_file *cand, int k, uint64_t *runs)
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

int shrink_run(const scn_file *f, const xconf *c, uint64_t seed, uint32_t kinds, const char *path,
	       FILE *log)
{
	/* The violation to keep: the most telling kind the run showed. */
	static const int prio[] = { XK_OVERRUN, XK_DEADLOCK, XK_VIOLATIONS, XK_CORRUPT, XK_PARTIAL, XK_LOST };
	int k = -1;
	for (size_t i = 0; i < sizeof prio / sizeof prio[0] && k < 0; i++)
		if (kinds & (1u << prio[i]))
			k = prio[i];
	if (k < 0)
		return 1;

	/* Replay the run once to learn its perturbations. */
	world *w = malloc(sizeof(*w));
	char err[512];
	if (!w || world_build(w, f, c->fix, err, sizeof err) != 0) {
		free(w);
		return -1;
	}
	xconf_apply(w, c);
	w->s.seed = seed;
	world_reset(w);
	world_run(w);

	scn_file cand;
	if (scn_clone(f, &cand) != 0) {
		world_free(w);
		free(w);
		return -1;
	}
	cand.seed = seed;
	cand.fix = c->fix;
	cand.jitter_pct = c->jitter;
	cand.spin_order = c->spin_random ? SCN_ORDER_RANDOM : SCN_ORDER_FIFO;
	cand.explore.set = 0;
	const perturb_state *ps = w->s.pst;
	size_t ns = 0, ni = 0;
	for (uint32_t i = 0; i < ps->nrec; i++)
		ps->rec[i].kind == 0 ? ns++ : ni++;
	scn_stall *st = realloc(cand.stalls, (cand.nstalls + ns + 1) * sizeof(*st));
	scn_irq *iq = realloc(cand.irqs, (cand.nirqs + ni + 1) * sizeof(*iq));
	if (st)
		cand.stalls = st;
	if (iq)
		cand.irqs = iq;
	if (!st || !iq) {
		scn_free(&cand);
		world_free(w);
		free(w);
		return -1;
	}
	for (uint32_t i = 0; i < ps->nrec; i++) {
		const perturb_record *p = &ps->rec[i];
		if (p->kind == 0) {
			scn_stall s = { .cpu = p->cpu, .at_is_label = 1, .nth = p->nth, .for_ns = p->len };
			snprintf(s.label, sizeof s.label, "%s", w->s.labels[p->label].name);
			cand.stalls[cand.nstalls++] = s;
		} else {
			/* one firing: the next would come after the time limit */
			cand.irqs[cand.nirqs++] = (scn_irq){ .cpu = p->cpu, .every_ns = f->limit_ns + 1,
							     .cost_ns = p->len, .at_ns = p->at };
		}
	}
	world_free(w);
	free(w);

	uint64_t runs = 0;
	fprintf(log, "  shrinking run seed %" PRIu64 " (%s): %" PRIu64 " packets, %zu stalls, %zu extra irqs, %u CPUs\n",
		seed, explore_kind_name(k), packets(&cand), cand.nstalls, cand.nirqs, cand.cpus);
	if (!shows(&cand, k, &runs)) {
		fprintf(log, "  shrink: the run's perturbations written as stall/irq lines do not reproduce it; no file written\n");
		scn_free(&cand);
		return 1;
	}
	/* plain costs and fifo hand-off, where the violation does not need them */
	uint32_t jit = cand.jitter_pct;
	cand.jitter_pct = 0;
	if (!shows(&cand, k, &runs))
		cand.jitter_pct = jit;
	int order = cand.spin_order;
	cand.spin_order = SCN_ORDER_FIFO;
	if (!shows(&cand, k, &runs))
		cand.spin_order = order;
	for (int round = 0; round < 4 && pass(&cand, k, &runs); round++)
		;

	/* The file: the scenario, its stalls, and the expectation it proves. */
	char name[SCN_NAME_MAX];
	snprintf(name, sizeof name, "%.40s-shrunk", f->name);
	snprintf(cand.name, sizeof cand.name, "%s", name);
	free(cand.expects);
	cand.expects = calloc(1, sizeof(*cand.expects));
	if (!cand.expects) {
		scn_free(&cand);
		return -1;
	}
	cand.nexpects = 1;
	cand.expects[0] = (scn_expect){ .fix = c->fix, .metric = explore_kind_metric(k), .op = SCN_GE, .value = 1 };
	snprintf(cand.expects[0].text, sizeof cand.expects[0].text, "%s>=1", scn_metric_name(explore_kind_metric(k)));
	FILE *o = fopen(path, "w");
	if (!o) {
		fprintf(log, "  shrink: cannot write %s\n", path);
		scn_free(&cand);
		return -1;
	}
	fprintf(o, "# Shrunk by `sim %s --explore ... --shrink` from run seed %" PRIu64 " (fix=%s):\n"
		   "# the smallest failing run, minimised while `%s` still happens, with the\n"
		   "# perturbations it needs written as explicit stall/irq lines.  Reproduce it\n"
		   "# with plain `sim %s`.\n",
		f->path, seed, scn_fix_name(c->fix), explore_kind_name(k), path);
	scn_write(o, &cand);
	int bad = fclose(o) != 0;

	/* Belt and braces: read the file back and run it as `sim FILE` would. */
	scn_file back;
	scn_error perr;
	int ok = !bad && scn_parse_file(path, report_labels(), &back, &perr) == 0;
	if (ok) {
		ok = shows(&back, k, &runs);
		scn_free(&back);
	} else if (!bad) {
		fprintf(log, "  shrink: %s\n", perr.msg);
	}
	fprintf(log, "  shrunk in %" PRIu64 " runs to %" PRIu64 " packets, %zu stall%s, %zu extra irq%s, %u CPU%s: %s\n",
		runs, packets(&cand), cand.nstalls, cand.nstalls == 1 ? "" : "s", cand.nirqs,
		cand.nirqs == 1 ? "" : "s", cand.cpus, cand.cpus == 1 ? "" : "s", path);
	fprintf(log, "  %s: `sim %s` %s\n", ok ? "checked" : "FAILED", path,
		ok ? "reproduces it" : "does not reproduce it");
	scn_free(&cand);
	return ok ? 0 : -1;
}
