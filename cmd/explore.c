/* explore.c - the seed search, its workers, replay and the report. */
#include "explore_internal.h"

#include <ck_pr.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "explore_report.h"
#include "json.h"
#include "report.h"

#define CHUNK 16        /* runs a worker takes from the counter at a time */

uint64_t explore_run_seed(uint64_t base, uint64_t i)
{
	uint64_t x = base ^ (i * 0xd1342543de82ef95ull);
	return splitmix64(&x);
}

static const char *const kind_names[XK_COUNT] = { "overrun", "corrupt", "consumer_partial", "lost",
						   "violations", "deadlock", "expect" };
static const int kind_metric[XK_EXPECT] = { SCN_M_OVERRUN, SCN_M_CORRUPT, SCN_M_CONSUMER_PARTIAL,
					    SCN_M_LOST, SCN_M_VIOLATIONS, SCN_M_DEADLOCK };

const char *explore_kind_name(int k) { return kind_names[k]; }
int explore_kind_metric(int k) { return k < XK_EXPECT ? kind_metric[k] : -1; }

const scn_expect *explore_failed_expect(const world *w, const xconf *c)
{
	for (size_t i = 0; c && i < c->nexpects; i++) {
		const scn_expect *e = &c->expects[i];
		if ((e->fix < 0 || e->fix == c->fix) && !report_expect_holds(e, w->g->m[e->metric]))
			return e;
	}
	return NULL;
}

uint32_t explore_verdict(const world *w, const xconf *c)
{
	uint32_t v = 0;
	for (int k = 0; k < XK_EXPECT; k++)
		if (w->g->m[kind_metric[k]])
			v |= 1u << k;
	if (explore_failed_expect(w, c))
		v |= 1u << XK_EXPECT;
	return v;
}

typedef struct shared {
	const scn_file *f;
	xconf c;
	uint64_t end, base;             /* runs [next's start, end) */
	uint64_t next;                  /* ck_pr: the next run index to hand out */
} shared;

typedef struct worker {
	pthread_t th;
	shared *sh;
	xtally t;                       /* this worker's runs, merged in main */
	int rc;
	char err[SCN_ERR_MAX];
} worker;

static void *worker_main(void *arg)
{
	worker *wk = arg;
	shared *sh = wk->sh;
	world *w = malloc(sizeof(*w));
	if (!w || world_build(w, sh->f, sh->c.fix, wk->err, sizeof wk->err) != 0) {
		if (!w)
			snprintf(wk->err, sizeof wk->err, "out of memory");
		free(w);
		wk->rc = -1;
		return NULL;
	}
	xconf_apply(w, &sh->c);
	for (;;) {
		uint64_t i = ck_pr_faa_64(&sh->next, CHUNK);
		if (i >= sh->end)
			break;
		uint64_t end = i + CHUNK < sh->end ? i + CHUNK : sh->end;
		for (; i < end; i++) {
			w->s.seed = explore_run_seed(sh->base, i);
			world_reset(w);
			if (world_run(w) == SIM_END_STUCK) {
				/* a perturbation (jitter to 0 ns) made a program loop in no time */
				world_stuck_message(w, wk->err, sizeof wk->err);
				wk->rc = -2;
				ck_pr_store_64(&sh->next, sh->end);     /* every worker stops */
				break;
			}
			xtally_add(&wk->t, i, explore_verdict(w, &sh->c), w->s.g->events);
		}
	}
	world_free(w);
	free(w);
	return NULL;
}

/* An unperturbed run tells how many steps and how long a run is. */
static int calibrate(const scn_file *f, xconf *c, char *err, size_t errlen)
{
	world *w = malloc(sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "sim: out of memory");
		return WORLD_ENOMEM;
	}
	int rc = world_build(w, f, c->fix, err, errlen);
	if (rc != 0) {
		free(w);
		return rc;
	}
	if (world_run(w) == SIM_END_STUCK) {
		world_stuck_message(w, err, errlen);
		world_free(w);
		free(w);
		return -1;
	}
	c->pc.expected_steps = w->s.g->steps ? w->s.g->steps : 1;
	c->pc.horizon = w->s.g->now ? w->s.g->now : 1;
	world_free(w);
	free(w);
	return 0;
}

static void xconf_init(xconf *c, const scn_file *f, const explore_opts *o, int fix)
{
	const scn_explore *e = &f->explore;
	memset(c, 0, sizeof(*c));
	c->fix = fix;
	c->pc.enabled = 1;
	c->pc.strategy = (uint32_t)(o->strategy >= 0 ? o->strategy : e->strategy);
	c->pc.depth = (uint32_t)(o->depth > 0 ? o->depth : (int)e->depth);
	c->pc.stall_max = e->stall_max_ns;
	c->pc.irqs = e->irqs;
	c->pc.irq_max = e->irq_max_ns;
	c->jitter = e->jitter_pct;
	c->spin_random = e->order == SCN_ORDER_RANDOM;
	if (o->expect) {
		c->expects = f->expects;
		c->nexpects = f->nexpects;
	}
}

static double wall_seconds(void)
{
	/* Timing of the search only: never part of a run (runs use virtual time). */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_kinds(FILE *out, uint32_t kinds)
{
	int first = 1;
	for (int k = 0; k < XK_COUNT; k++)
		if (kinds & (1u << k)) {
			fprintf(out, "%s%s", first ? "" : ", ", kind_names[k]);
			first = 0;
		}
}

/* The perturbation settings of a search (or replay) of one variant, with
 * its calibration run; 0, or an exit status. */
static int prepare(const scn_file *f, const explore_opts *o, int fix, xconf *c)
{
	char err[SCN_ERR_MAX];
	xconf_init(c, f, o, fix);
	int rc = calibrate(f, c, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		return rc == WORLD_ENOMEM ? 3 : 2;       /* out of memory: 3, as everywhere */
	}
	return 0;
}

static const char *shrunk_path(char *path, size_t len, const scn_file *f, const explore_opts *o, int fix)
{
	if (o->shrink_out)
		snprintf(path, len, "%s", o->shrink_out);
	else
		snprintf(path, len, "%s-%s-shrunk.scn", f->name, scn_fix_name(fix));
	return path;
}

/* The command that replays run seed `seed` of this search exactly: every
 * option that shapes the run beyond the scenario's own lines, shell-quoted. */
static void replay_hint(char *buf, size_t len, const scn_file *f, const explore_opts *o, const xconf *c,
			uint64_t seed)
{
	char q[600];
	int n = snprintf(buf, len, "sim %s --fix %s", shell_quote(f->path, q, sizeof q), scn_fix_name(c->fix));
	if (o->has_seed)
		n += snprintf(buf + n, len - (size_t)n, " --seed %" PRIu64, f->seed);
	if ((int)c->pc.strategy != f->explore.strategy)
		n += snprintf(buf + n, len - (size_t)n, " --strategy %s",
			      c->pc.strategy == PERTURB_PCT ? "pct" : "random");
	if (c->pc.depth != f->explore.depth)
		n += snprintf(buf + n, len - (size_t)n, " --depth %u", c->pc.depth);
	if (o->expect)
		n += snprintf(buf + n, len - (size_t)n, " --explore-expect");
	snprintf(buf + n, len - (size_t)n, " --replay %" PRIu64, seed);
}

static void print_text(FILE *out, const scn_file *f, const xvariant *v, uint32_t jobs, double secs)
{
	const xtally *t = &v->t;
	fprintf(out, "explore %s  fix=%s  runs=%" PRIu64 "  strategy=%s depth=%u stall_max=%" PRIu64
		"ns irqs=%u irq_max=%" PRIu64 "ns jitter=%u%% order=%s\n",
		f->name, scn_fix_name(v->fix), v->runs, v->pct ? "pct" : "random", v->depth, v->stall_max,
		v->irqs, v->irq_max, v->jitter, v->spin_random ? "random" : "fifo");
	fprintf(out, "  an unperturbed run: %" PRIu64 " steps, %" PRIu64 " ns\n", v->steps, v->horizon);
	fprintf(out, "  timing: %.0f runs/s with %u worker%s (%.3f s)\n", secs > 0 ? (double)v->runs / secs : 0.0,
		jobs, jobs == 1 ? "" : "s", secs);
	if (!t->failing) {
		fprintf(out, "  no violation in %" PRIu64 " runs\n", v->runs);
		return;
	}
	fprintf(out, "  %" PRIu64 " of %" PRIu64 " runs violated an invariant\n", t->failing, v->runs);
	for (int k = 0; k < XK_COUNT; k++)
		if (t->count[k])
			fprintf(out, "    %-17s %8" PRIu64 " runs   first: run %" PRIu64 ", seed %" PRIu64 "\n",
				kind_names[k], t->count[k], t->first_of[k], explore_run_seed(v->base, t->first_of[k]));
	fprintf(out, "  first failing run:    run %" PRIu64 ", seed %" PRIu64 " (", t->first,
		explore_run_seed(v->base, t->first));
	print_kinds(out, t->first_kinds);
	fprintf(out, ")\n  smallest failing run: run %" PRIu64 ", seed %" PRIu64 ", %" PRIu64 " events (",
		t->small, explore_run_seed(v->base, t->small), t->small_events);
	print_kinds(out, t->small_kinds);
	fprintf(out, ")\n  replay: %s\n", v->replay);
}

/* The runs of this search: all of them, or this shard's part. */
static void run_range(const scn_file *f, const explore_opts *o, uint64_t *lo, uint64_t *hi)
{
	uint64_t runs = o->runs ? o->runs : f->explore.runs;
	*lo = 0;
	*hi = runs;
	if (o->shards) {
		/* runs <= 10^9 and shards <= 10^6: the products fit in 64 bits */
		*lo = runs * o->shard / o->shards;
		*hi = runs * (o->shard + 1) / o->shards;
	}
}

/* Run [lo, hi) on up to o->jobs workers (no more than there are chunks)
 * into t; 0, or an exit status. */
static int search(const scn_file *f, const xconf *c, uint64_t lo, uint64_t hi, uint32_t jobs, xtally *t,
		  uint32_t *used)
{
	shared sh = { .f = f, .c = *c, .end = hi, .base = f->seed, .next = lo };
	uint64_t chunks = (hi - lo + CHUNK - 1) / CHUNK;
	if (jobs > chunks)
		jobs = chunks ? (uint32_t)chunks : 1;      /* a worker with nothing to do costs a world */
	worker *wk = calloc(jobs, sizeof(*wk));
	if (!wk) {
		fputs("sim: out of memory\n", stderr);
		return 3;
	}
	uint32_t started = 0;
	for (uint32_t j = 0; j < jobs; j++) {
		wk[j].sh = &sh;
		xtally_init(&wk[j].t);
		if (pthread_create(&wk[j].th, NULL, worker_main, &wk[j]) != 0)
			break;
		started++;
	}
	int rc = started ? 0 : 3;
	xtally_init(t);
	for (uint32_t j = 0; j < started; j++) {
		pthread_join(wk[j].th, NULL);
		if (wk[j].rc) {
			fprintf(stderr, "%s\n", wk[j].err);
			rc = wk[j].rc == -2 && rc != 3 ? 2 : 3;
		}
		xtally_merge(t, &wk[j].t);
	}
	*used = started;
	free(wk);
	return rc;
}

static int explore_variant(const scn_file *f, const explore_opts *o, int fix, FILE *out)
{
	xconf c;
	int prc = prepare(f, o, fix, &c);
	if (prc)
		return prc;
	uint64_t lo, hi;
	run_range(f, o, &lo, &hi);
	xvariant v = { .fix = fix, .runs = hi - lo, .pct = c.pc.strategy == PERTURB_PCT, .depth = c.pc.depth,
		       .irqs = c.pc.irqs, .jitter = c.jitter, .stall_max = c.pc.stall_max, .irq_max = c.pc.irq_max,
		       .spin_random = c.spin_random, .steps = c.pc.expected_steps, .horizon = c.pc.horizon,
		       .base = f->seed };
	double t0 = wall_seconds();
	uint32_t used = 0;
	int rc = search(f, &c, lo, hi, o->jobs, &v.t, &used);
	double secs = wall_seconds() - t0;
	if (rc)
		return rc;
	const xtally *t = &v.t;
	if (t->failing)
		replay_hint(v.replay, sizeof v.replay, f, o, &c, explore_run_seed(v.base, t->small));
	if (o->json)
		xvariant_json(out, &v);
	else
		print_text(out, f, &v, used, secs);
	rc = t->failing ? 1 : 0;
	if (t->failing && o->shrink) {
		/* with --json the shrinker's account goes to stderr: stdout stays one JSON object */
		char path[SCN_PATH_MAX];
		if (shrink_run(f, &c, explore_run_seed(v.base, t->small), t->small_kinds,
			       shrunk_path(path, sizeof path, f, o, fix), o->json ? stderr : out) < 0)
			rc = 3;
		if (o->json) {
			fprintf(out, ", \"shrunk\": ");
			json_string(out, path);
		}
	}
	if (o->json)
		fputc('}', out);
	return rc;
}

/* --replay SEED of one variant into r; *kinds its verdict.  Without --json
 * the replay's header and perturbations go to out.  0, or an exit status. */
static int replay_variant(const scn_file *f, const explore_opts *o, int fix, FILE *out, variant_result *r,
			  uint32_t *kinds)
{
	xconf c;
	char err[SCN_ERR_MAX];
	int prc = prepare(f, o, fix, &c);
	if (prc)
		return prc;
	world *w = malloc(sizeof(*w));
	if (!w || world_build(w, f, fix, err, sizeof err) != 0) {
		fprintf(stderr, "%s\n", w ? err : "sim: out of memory");
		free(w);
		return 3;
	}
	xconf_apply(w, &c);
	w->s.seed = o->replay_seed;
	world_reset(w);
	w->s.trace = o->trace;
	report_capture(w, world_run(w), r);
	*kinds = explore_verdict(w, &c);
	if (!o->json) {
		fprintf(out, "replay of seed %" PRIu64 " (exploration of %s, fix=%s)\n", o->replay_seed, f->name,
			scn_fix_name(fix));
		const perturb_state *ps = w->s.pst;
		for (uint32_t i = 0; i < ps->nrec; i++) {
			const perturb_record *p = &ps->rec[i];
			if (p->kind == 0)
				fprintf(out, "  perturbation: stall cpu%u for %" PRIu64 " ns at %" PRIu64
					" ns, right after %s (its #%" PRIu64 " on that CPU)\n", p->cpu, p->len, p->at,
					w->s.labels[p->label].name, p->nth);
			else
				fprintf(out, "  perturbation: hardirq on cpu%u for %" PRIu64 " ns at %" PRIu64 " ns\n",
					p->cpu, p->len, p->at);
		}
		fputc('\n', out);
	}
	world_free(w);
	free(w);
	return 0;
}

/* --replay SEED: the run of an exploration, exactly, with its report; with
 * --json every variant in one object, as a plain run prints them. */
static int replay(const scn_file *f, const explore_opts *o, const int *fixes, int n, FILE *out)
{
	variant_result r[SCN_FIX_COUNT];
	memset(r, 0, sizeof r);
	scn_file g = *f;            /* the report of this run alone: no expectations */
	g.nexpects = 0;
	g.seed = o->replay_seed;
	run_opts ro = { .json = o->json, .quiet = o->quiet };
	int rc = 0;
	uint32_t any = 0;
	for (int i = 0; i < n && !rc; i++) {
		uint32_t kinds = 0;
		if (!o->json && i)
			fputc('\n', out);
		rc = replay_variant(f, o, fixes[i], out, &r[i], &kinds);
		any |= kinds;
		if (!rc && !o->json)
			report_print(out, &g, &r[i], 1, &ro);
	}
	if (!rc && o->json)
		report_print(out, &g, r, n, &ro);
	for (int i = 0; i < SCN_FIX_COUNT; i++)
		report_result_free(&r[i]);
	return rc ? rc : any ? 1 : 0;
}

int explore_main(const scn_file *f, const explore_opts *o, FILE *out)
{
	int fixes[SCN_FIX_COUNT];
	int n = report_variants(f->fix, fixes);
	if (o->replay)
		return replay(f, o, fixes, n, out);
	int rc = 0;
	/* JSON goes out whole or not at all (bad input midway: exit 2, no half object) */
	FILE *final = out;
	char *buf = NULL;
	size_t len = 0;
	if (o->json && (out = open_memstream(&buf, &len)) == NULL) {
		fputs("sim: out of memory\n", stderr);
		return 3;
	}
	if (o->json) {
		fprintf(out, "{\"scenario\": ");
		json_string(out, f->name);
		fprintf(out, ", \"seed\": %" PRIu64 ", ", f->seed);
		if (o->shards)
			fprintf(out, "\"shard\": {\"index\": %u, \"count\": %u, \"runs\": %" PRIu64
				", \"version\": \"%s\"}, ", o->shard, o->shards, o->runs ? o->runs : f->explore.runs,
				SIM_VERSION);
		fputs("\"explore\": [", out);
	}
	for (int i = 0; i < n; i++) {
		if (i)
			fputs(o->json ? ", " : "\n", out);
		int r = explore_variant(f, o, fixes[i], out);
		if (r > rc)
			rc = r;
	}
	if (o->json) {
		fputs("]}\n", out);
		if (fclose(out) != 0)
			rc = 3;
		else if (rc < 2)
			fwrite(buf, 1, len, final);
		free(buf);
	}
	return rc;
}
