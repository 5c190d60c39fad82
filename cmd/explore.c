/* explore.c - the seed search, its workers, replay and the report. */
#include "explore_internal.h"

#include <ck_pr.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "report.h"

#define CHUNK 16        /* runs a worker takes from the counter at a time */

uint64_t explore_run_seed(uint64_t base, uint64_t i)
{
	uint64_t x = base ^ (i * 0xd1342543de82ef95ull);
	return splitmix64(&x);
}

static const char *const kind_names[XK_COUNT] = { "overrun", "corrupt", "consumer_partial", "lost",
						   "violations", "deadlock" };
static const int kind_metric[XK_COUNT] = { SCN_M_OVERRUN, SCN_M_CORRUPT, SCN_M_CONSUMER_PARTIAL,
					   SCN_M_LOST, SCN_M_VIOLATIONS, SCN_M_DEADLOCK };

const char *explore_kind_name(int k) { return kind_names[k]; }
int explore_kind_metric(int k) { return kind_metric[k]; }

uint32_t explore_verdict(const world *w)
{
	uint32_t v = 0;
	for (int k = 0; k < XK_COUNT; k++)
		if (w->g->m[kind_metric[k]])
			v |= 1u << k;
	return v;
}

typedef struct run_result {
	uint32_t kinds;
	uint32_t pad;
	uint64_t events;
} run_result;

typedef struct shared {
	const scn_file *f;
	xconf c;
	uint64_t runs, base;
	uint64_t next;                  /* ck_pr: the next run index to hand out */
	run_result *res;                /* [runs]: each slot written by one worker */
} shared;

typedef struct worker {
	pthread_t th;
	shared *sh;
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
		if (i >= sh->runs)
			break;
		uint64_t end = i + CHUNK < sh->runs ? i + CHUNK : sh->runs;
		for (; i < end; i++) {
			w->s.seed = explore_run_seed(sh->base, i);
			world_reset(w);
			if (world_run(w) == SIM_END_STUCK) {
				/* a perturbation (jitter to 0 ns) made a program loop in no time */
				world_stuck_message(w, wk->err, sizeof wk->err);
				wk->rc = -2;
				ck_pr_store_64(&sh->next, sh->runs);    /* every worker stops */
				break;
			}
			sh->res[i] = (run_result){ explore_verdict(w), 0, w->s.g->events };
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

/* One variant's search as a JSON object, left open for "shrunk".  No timing:
 * the object is the same for any -j. */
/* What a search found: a pure function of the results, in run order. */
typedef struct tally {
	uint64_t count[XK_COUNT];       /* runs showing each violation */
	uint64_t first_of[XK_COUNT];    /* the first such run */
	uint64_t failing;               /* runs with any violation */
	uint64_t first, small;          /* the first failing run, the one with fewest events */
} tally;

static void count_results(const shared *sh, tally *v)
{
	*v = (tally){ .first = UINT64_MAX, .small = UINT64_MAX };
	for (int k = 0; k < XK_COUNT; k++)
		v->first_of[k] = UINT64_MAX;
	for (uint64_t i = 0; i < sh->runs; i++) {
		const run_result *r = &sh->res[i];
		if (!r->kinds)
			continue;
		v->failing++;
		if (v->first == UINT64_MAX)
			v->first = i;
		if (v->small == UINT64_MAX || r->events < sh->res[v->small].events)
			v->small = i;
		for (int k = 0; k < XK_COUNT; k++)
			if (r->kinds & (1u << k)) {
				v->count[k]++;
				if (v->first_of[k] == UINT64_MAX)
					v->first_of[k] = i;
			}
	}
}

static void print_text(FILE *out, const scn_file *f, const xconf *c, int fix, const shared *sh,
		       const tally *v, const explore_opts *o, double secs)
{
	fprintf(out, "explore %s  fix=%s  runs=%" PRIu64 "  strategy=%s depth=%u stall_max=%" PRIu64
		"ns irqs=%u irq_max=%" PRIu64 "ns jitter=%u%% order=%s\n",
		f->name, scn_fix_name(fix), sh->runs, c->pc.strategy == PERTURB_PCT ? "pct" : "random",
		c->pc.depth, c->pc.stall_max, c->pc.irqs, c->pc.irq_max, c->jitter,
		c->spin_random ? "random" : "fifo");
	fprintf(out, "  an unperturbed run: %" PRIu64 " steps, %" PRIu64 " ns\n", c->pc.expected_steps,
		c->pc.horizon);
	fprintf(out, "  timing: %.0f runs/s with %u worker%s (%.3f s)\n", secs > 0 ? (double)sh->runs / secs : 0.0,
		o->jobs, o->jobs == 1 ? "" : "s", secs);
	if (!v->failing) {
		fprintf(out, "  no violation in %" PRIu64 " runs\n", sh->runs);
		return;
	}
	fprintf(out, "  %" PRIu64 " of %" PRIu64 " runs violated an invariant\n", v->failing, sh->runs);
	for (int k = 0; k < XK_COUNT; k++)
		if (v->count[k])
			fprintf(out, "    %-17s %8" PRIu64 " runs   first: run %" PRIu64 ", seed %" PRIu64 "\n",
				kind_names[k], v->count[k], v->first_of[k], explore_run_seed(sh->base, v->first_of[k]));
	fprintf(out, "  first failing run:    run %" PRIu64 ", seed %" PRIu64 " (", v->first,
		explore_run_seed(sh->base, v->first));
	print_kinds(out, sh->res[v->first].kinds);
	fprintf(out, ")\n  smallest failing run: run %" PRIu64 ", seed %" PRIu64 ", %" PRIu64 " events (",
		v->small, explore_run_seed(sh->base, v->small), sh->res[v->small].events);
	print_kinds(out, sh->res[v->small].kinds);
	fprintf(out, ")\n  replay: sim %s --fix %s --replay %" PRIu64 "\n", f->path, scn_fix_name(fix),
		explore_run_seed(sh->base, v->small));
}

static void print_json(FILE *out, const scn_file *f, const xconf *c, int fix, const shared *sh,
		       const tally *v)
{
	uint64_t failing = v->failing, first = v->first, small = v->small;
	fprintf(out, "{\"fix\": \"%s\", \"runs\": %" PRIu64 ", \"strategy\": \"%s\", \"depth\": %u, "
		"\"stall_max_ns\": %" PRIu64 ", \"irqs\": %u, \"irq_max_ns\": %" PRIu64 ", \"jitter_pct\": %u, "
		"\"order\": \"%s\", \"unperturbed\": {\"steps\": %" PRIu64 ", \"ns\": %" PRIu64 "}, "
		"\"violating\": %" PRIu64 ", \"invariants\": {",
		scn_fix_name(fix), sh->runs, c->pc.strategy == PERTURB_PCT ? "pct" : "random", c->pc.depth,
		c->pc.stall_max, c->pc.irqs, c->pc.irq_max, c->jitter, c->spin_random ? "random" : "fifo",
		c->pc.expected_steps, c->pc.horizon, failing);
	int n = 0;
	for (int k = 0; k < XK_COUNT; k++)
		if (v->count[k])
			fprintf(out, "%s\"%s\": {\"runs\": %" PRIu64 ", \"first_run\": %" PRIu64
				", \"first_seed\": %" PRIu64 "}", n++ ? ", " : "", kind_names[k], v->count[k],
				v->first_of[k], explore_run_seed(sh->base, v->first_of[k]));
	fputc('}', out);
	if (!failing)
		return;
	fprintf(out, ", \"first\": {\"run\": %" PRIu64 ", \"seed\": %" PRIu64 "}, \"smallest\": "
		"{\"run\": %" PRIu64 ", \"seed\": %" PRIu64 ", \"events\": %" PRIu64 "}, \"replay\": ",
		first, explore_run_seed(sh->base, first), small, explore_run_seed(sh->base, small),
		sh->res[small].events);
	char cmd[SCN_PATH_MAX + 128];   /* the path is shorter than SCN_PATH_MAX */
	snprintf(cmd, sizeof cmd, "sim %s --fix %s --replay %" PRIu64, f->path, scn_fix_name(fix),
		 explore_run_seed(sh->base, small));
	json_string(out, cmd);
}

static int explore_variant(const scn_file *f, const explore_opts *o, int fix, FILE *out)
{
	xconf c;
	int prc = prepare(f, o, fix, &c);
	if (prc)
		return prc;
	shared sh = { .f = f, .c = c, .runs = o->runs ? o->runs : f->explore.runs, .base = f->seed };
	sh.res = calloc(sh.runs, sizeof(*sh.res));
	worker *wk = calloc(o->jobs, sizeof(*wk));
	if (!sh.res || !wk) {
		free(sh.res);
		free(wk);
		fprintf(stderr, "sim: out of memory for %" PRIu64 " runs\n", sh.runs);
		return 3;
	}
	double t0 = wall_seconds();
	uint32_t started = 0;
	for (uint32_t j = 0; j < o->jobs; j++) {
		wk[j].sh = &sh;
		if (pthread_create(&wk[j].th, NULL, worker_main, &wk[j]) != 0)
			break;
		started++;
	}
	int rc = started ? 0 : 3;
	for (uint32_t j = 0; j < started; j++) {
		pthread_join(wk[j].th, NULL);
		if (wk[j].rc) {
			fprintf(stderr, "%s\n", wk[j].err);
			rc = wk[j].rc == -2 && rc != 3 ? 2 : 3;
		}
	}
	double secs = wall_seconds() - t0;
	if (rc) {
		free(sh.res);
		free(wk);
		return rc;
	}

	tally v;
	count_results(&sh, &v);
	if (o->json)
		print_json(out, f, &c, fix, &sh, &v);
	else
		print_text(out, f, &c, fix, &sh, &v, o, secs);
	rc = v.failing ? 1 : 0;
	if (v.failing && o->shrink) {
		/* with --json the shrinker's account goes to stderr: stdout stays one JSON object */
		char path[SCN_PATH_MAX];
		if (shrink_run(f, &c, explore_run_seed(sh.base, v.small), sh.res[v.small].kinds,
			       shrunk_path(path, sizeof path, f, o, fix), o->json ? stderr : out) < 0)
			rc = 3;
		if (o->json) {
			fprintf(out, ", \"shrunk\": ");
			json_string(out, path);
		}
	}
	if (o->json)
		fputc('}', out);
	free(sh.res);
	free(wk);
	return rc;
}

/* --replay SEED: the run of an exploration, exactly, with its report. */
static int replay(const scn_file *f, const explore_opts *o, int fix, FILE *out)
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
	variant_result r;
	memset(&r, 0, sizeof r);
	report_capture(w, world_run(w), &r);
	uint32_t kinds = explore_verdict(w);
	scn_file g = *f;            /* the report of this run alone: no expectations */
	g.nexpects = 0;
	g.seed = o->replay_seed;
	run_opts ro = { .json = o->json, .quiet = o->quiet };
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
	report_print(out, &g, &r, 1, &ro);
	free(r.stories);
	world_free(w);
	free(w);
	return kinds ? 1 : 0;
}

int explore_main(const scn_file *f, const explore_opts *o, FILE *out)
{
	int fixes[SCN_FIX_COUNT];
	int n = report_variants(f->fix, fixes);
	int rc = 0;
	int json = o->json && !o->replay;
	/* JSON goes out whole or not at all (bad input midway: exit 2, no half object) */
	FILE *final = out;
	char *buf = NULL;
	size_t len = 0;
	if (json && (out = open_memstream(&buf, &len)) == NULL) {
		fputs("sim: out of memory\n", stderr);
		return 3;
	}
	if (json) {
		fprintf(out, "{\"scenario\": ");
		json_string(out, f->name);
		fprintf(out, ", \"seed\": %" PRIu64 ", \"explore\": [", f->seed);
	}
	for (int i = 0; i < n; i++) {
		if (i)
			fputs(json ? ", " : "\n", out);
		int r = o->replay ? replay(f, o, fixes[i], out) : explore_variant(f, o, fixes[i], out);
		if (r > rc)
			rc = r;
	}
	if (json) {
		fputs("]}\n", out);
		if (fclose(out) != 0)
			rc = 3;
		else if (rc < 2)
			fwrite(buf, 1, len, final);
		free(buf);
	}
	return rc;
}
