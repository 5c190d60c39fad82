/* check_timed.c - a counterexample of --check as a timed scenario: the
 * interleaving forced by `stall` lines and packet arrival times (`flow
 * at=`), so that plain `./sim` takes it under the clock; see check.h and
 * docs/check.md.
 *
 * The path's transitions get slots, at least Q ns apart.  A transition that
 * steps a CPU must take its first labelled step at its slot: every CPU is
 * kept busy (a stall: the CPU does nothing else, its hardirqs wait) from
 * the end of its previous step to its next slot, and idle CPUs from time 0.
 * A NIC packet arrives at its slot (half a slot earlier when its hardirq
 * enters in that same transition: the CPU is still stalled then, so the
 * hardirq waits for the slot).  A flow of several packets becomes one flow
 * a packet, `NAME-K`, each with its own time.
 *
 * The stalls' lengths are found by running the scenario (fit): the
 * earliest step out of place is held back by exactly what it was early,
 * with a longer stall after its CPU's previous step; a step late (it takes
 * longer than a slot, or keeps its own clock: a timer) moves its slot and
 * all after it later.  Then each stall is merged into the CPU's next one
 * or dropped where the path does not need it (simplify).  Every form is
 * checked as the user will run it: written, parsed, run, its labelled
 * steps compared with the path's, in order; then the invariant must break.
 * When the path cannot be forced so (a periodic irq fires on its own clock
 * before a stalled CPU's next step, ...) the caller writes the replay form. */
#include "check.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "untimed.h"
#include "world.h"

/* Bounds on the search for a timed form: each try is a run. */
#define TIMED_MAX_TRANSITIONS 2000u
#define TIMED_MAX_PACKETS 4096u
#define TIMED_MAX_WORK 50000000u    /* steps recorded in all tries */

/* One labelled step (a sim_did, not a note) of a run: its transition in the
 * path (untimed) or its time (timed), and which occurrence of its label on
 * its CPU it is -- what `stall at=LABEL nth=K` counts. */
typedef struct tstep {
	uint64_t t;
	uint32_t cpu, label, nth, trans;
} tstep;

typedef struct step_sink {
	trace_sink sink;
	const sim *s;
	uint64_t steps;             /* s->g->steps at the last step seen */
	uint32_t trans;             /* the transition being fired (untimed) */
	uint32_t nlabels;
	uint32_t *count;            /* [ncpus * nlabels] */
	tstep *v;
	size_t n, cap;
	int oom;
} step_sink;

static void step_event(trace_sink *self, const trace_event *e)
{
	step_sink *k = (step_sink *)self;
	/* sim_did_full() counts a step before it traces it; a note does not */
	if (k->s->g->steps == k->steps || k->oom)
		return;
	k->steps = k->s->g->steps;
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		tstep *v = realloc(k->v, cap * sizeof *v);
		if (!v) {
			k->oom = 1;
			return;
		}
		k->v = v;
		k->cap = cap;
	}
	uint32_t nth = ++k->count[(size_t)e->cpu * k->nlabels + e->label_id];
	k->v[k->n++] = (tstep){ e->time, e->cpu, e->label_id, nth, k->trans };
}

static int sink_init(step_sink *k, const world *w)
{
	*k = (step_sink){ .sink = { .event = step_event }, .s = &w->s, .nlabels = w->s.nlabels };
	k->count = calloc((size_t)w->s.ncpus * w->s.nlabels + 1, sizeof *k->count);
	return k->count ? 0 : -1;
}

static void sink_free(step_sink *k)
{
	free(k->count);
	free(k->v);
}

/* The plan of a timed form. */
typedef struct plan {
	uint64_t q;                 /* the least time between two slots, ns */
	uint32_t n;                 /* transitions */
	uint64_t *at;               /* [n + 1]: each transition's slot; at[n] the path's end */
	uint64_t *trans_of;         /* [total packets]: the transition it arrives in, or
				     * UINT64_MAX (after the path) */
	uint32_t *pkt_cpu;          /* [total packets] */
	int32_t *actor;             /* [n]: the CPU it steps, or -1 */
	uint32_t *first;            /* [n]: index of its first step in path.v */
	uint64_t *arrive;           /* [total packets]: arrival time by (flow, packet) */
	uint64_t *pkt_base;         /* [nflows + 1] */
	scn_stall *stall;           /* per CPU its initial stall, then one per gap */
	long *place;                /* [stall]: the place in the path of the step it follows, -1 */
	size_t nstall;
	uint32_t *occ_at;           /* [ncpus * nlabels + 1]: where a key's places start in occ */
	uint32_t *occ;              /* [path.n]: the path's places, by key then nth */
	uint32_t *next_on;          /* [path.n]: the CPU's next place in the path, or path.n */
	uint32_t *first_on;         /* [ncpus]: the CPU's first place in the path, or path.n */
	uint64_t work;              /* steps recorded in all tries (TIMED_MAX_WORK) */
	size_t *last;               /* [ncpus]: fit's scan: the CPU's last place, SIZE_MAX none */
	step_sink path;             /* the untimed run's steps */
	const char **label;         /* [nlabels] label names (static strings) */
} plan;

static uint64_t slot(const plan *p, uint32_t i) { return p->at[i]; }

/* The place in the path of the step with t's key (CPU, label, nth), or
 * path.n when the path does not take it. */
static size_t key_at(const plan *p, const tstep *t)
{
	size_t key = (size_t)t->cpu * p->path.nlabels + t->label;
	if (t->nth > p->occ_at[key + 1] - p->occ_at[key])
		return p->path.n;
	return p->occ[p->occ_at[key] + t->nth - 1];
}

/* key_at's index and each CPU's places in order: 0, or -1 (memory). */
static int index_path(plan *p, uint32_t ncpus)
{
	const step_sink *k = &p->path;
	size_t nkeys = (size_t)ncpus * k->nlabels;
	p->occ_at = calloc(nkeys + 1, sizeof *p->occ_at);
	p->occ = malloc((k->n + 1) * sizeof *p->occ);
	p->next_on = malloc((k->n + 1) * sizeof *p->next_on);
	p->first_on = malloc((ncpus + 1) * sizeof *p->first_on);
	if (!p->occ_at || !p->occ || !p->next_on || !p->first_on)
		return -1;
	for (size_t key = 0; key < nkeys; key++)
		p->occ_at[key + 1] = p->occ_at[key] + k->count[key];
	for (size_t i = 0; i < k->n; i++) {
		const tstep *t = &k->v[i];
		p->occ[p->occ_at[(size_t)t->cpu * k->nlabels + t->label] + t->nth - 1] = (uint32_t)i;
	}
	for (uint32_t c = 0; c < ncpus; c++)
		p->first_on[c] = (uint32_t)k->n;
	for (size_t i = k->n; i-- > 0;) {
		uint32_t c = k->v[i].cpu;
		p->next_on[i] = p->first_on[c];
		p->first_on[c] = (uint32_t)i;
	}
	return 0;
}

/* The stall after step s of the path (s == NULL: CPU cpu's from time 0). */
static scn_stall *stall_of(plan *p, uint32_t cpu, const tstep *s)
{
	for (size_t i = 0; i < p->nstall; i++) {
		scn_stall *x = &p->stall[i];
		if (x->cpu == cpu && (s ? x->at_is_label && x->nth == s->nth &&
					      !strcmp(x->label, p->label[s->label])
					: !x->at_is_label))
			return x;
	}
	p->place[p->nstall] = s ? (long)(s - p->path.v) : -1;
	scn_stall *x = &p->stall[p->nstall++];
	*x = (scn_stall){ .cpu = cpu, .at_is_label = s != NULL, .nth = s ? s->nth : 1 };
	if (s)
		snprintf(x->label, sizeof x->label, "%s", p->label[s->label]);
	return x;
}

/* The timed scenario of plan p: f with this fix, its NIC flows one a
 * packet at the planned times, p's stalls, one expect line. */
static int build(const scn_file *f, const plan *p, int fix, int inv, scn_file *c, char *why,
		 size_t whylen)
{
	if (scn_clone(f, c) != 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	size_t nflows = 0;
	for (size_t i = 0; i < f->nflows; i++)
		nflows += f->flows[i].source == SCN_SOURCE_NIC && f->flows[i].count > 1
				  ? (size_t)f->flows[i].count : 1;
	scn_flow *fl = calloc(nflows + 1, sizeof *fl);
	scn_stall *st = calloc(p->nstall + 1, sizeof *st);
	scn_expect *e = calloc(1, sizeof *e);
	if (!fl || !st || !e) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	size_t k = 0;
	for (size_t i = 0; i < f->nflows; i++) {
		const scn_flow *o = &f->flows[i];
		if (o->source != SCN_SOURCE_NIC) {
			fl[k++] = *o;
			continue;
		}
		for (uint64_t j = 0; j < o->count; j++) {
			scn_flow *x = &fl[k++];
			*x = *o;
			x->count = 1;
			x->at_ns = p->arrive[p->pkt_base[i] + j];
			if (o->count > 1 &&
			    (size_t)snprintf(x->name, sizeof x->name, "%s-%" PRIu64, o->name, j) >=
				    sizeof x->name) {
				snprintf(why, whylen, "flow %s: a packet's flow name is too long", o->name);
				goto fail;
			}
		}
	}
	size_t ns = 0;
	for (size_t i = 0; i < p->nstall; i++)
		if (p->stall[i].for_ns)
			st[ns++] = p->stall[i];
	free(c->flows);
	c->flows = fl;
	c->nflows = nflows;
	free(c->stalls);
	c->stalls = st;
	c->nstalls = ns;
	free(c->replay);
	c->replay = NULL;
	c->nreplay = 0;
	check_cex_expect(c, fix, inv, e);
	c->jitter_pct = 0;
	return 0;
fail:
	free(fl);
	free(st);
	free(e);
	scn_free(c);
	return -1;
}

/* Write c, parse it back as `./sim` would and run it, its steps recorded
 * in k; *broke: the run broke inv.  0, or -1 with why said. */
static int run_text(const scn_file *c, int fix, int inv, step_sink *k, int *broke, char *why,
		    size_t whylen)
{
	char *buf = NULL;
	size_t len = 0;
	*k = (step_sink){ 0 };
	FILE *m = open_memstream(&buf, &len);
	if (!m) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	scn_write(m, c);
	if (fclose(m) != 0) {
		free(buf);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	scn_file g;
	scn_error err;
	int bad = scn_parse(c->path, buf, len, report_labels(), &g, &err);
	free(buf);
	if (bad) {
		snprintf(why, whylen, "the timed form does not parse: %s", err.msg);
		return -1;
	}
	char e[SCN_ERR_MAX];
	world *w = world_new(&g, fix, e, sizeof e);
	if (!w || sink_init(k, w) != 0) {
		snprintf(why, whylen, "%s", w ? "out of memory" : e);
		world_delete(w);
		scn_free(&g);
		return -1;
	}
	w->s.trace = &k->sink;
	world_reset(w);
	world_run(w);
	w->s.trace = NULL;
	*broke = w->g->m[check_inv_metric(inv)] != 0;
	world_delete(w);
	scn_free(&g);
	if (k->oom) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

/* The path's steps, transition by transition, from an untimed run. */
static int record_path(const scn_file *f, const check_result *r, int inv, plan *p, char *why,
		       size_t whylen)
{
	char e[SCN_ERR_MAX];
	world *w = world_new(f, r->fix, e, sizeof e);
	if (!w || sink_init(&p->path, w) != 0) {
		snprintf(why, whylen, "%s", w ? "out of memory" : e);
		world_delete(w);
		return -1;
	}
	w->s.trace = &p->path.sink;
	world_untimed(w);
	p->n = r->cex_len[inv];
	p->actor = malloc((p->n + 1) * sizeof *p->actor);
	p->first = malloc((p->n + 1) * sizeof *p->first);
	p->pkt_base = calloc(f->nflows + 1, sizeof *p->pkt_base);
	p->label = calloc(w->s.nlabels + 1, sizeof *p->label);
	if (!p->actor || !p->first || !p->pkt_base || !p->label) {
		world_delete(w);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (uint32_t l = 0; l < w->s.nlabels; l++)
		p->label[l] = w->s.labels[l].name;
	for (size_t i = 0; i < f->nflows; i++)
		p->pkt_base[i + 1] = p->pkt_base[i] +
				     (f->flows[i].source == SCN_SOURCE_NIC ? f->flows[i].count : 0);
	size_t total = p->pkt_base[f->nflows];
	p->arrive = calloc(total + 1, sizeof *p->arrive);
	p->trans_of = calloc(total + 1, sizeof *p->trans_of);
	p->pkt_cpu = calloc(total + 1, sizeof *p->pkt_cpu);
	uint64_t *sent = calloc(f->nflows + 1, sizeof *sent);
	int ok = p->arrive && p->trans_of && p->pkt_cpu && sent;
	for (uint32_t i = 0; ok && i < p->n; i++) {
		size_t before = p->path.n;
		p->path.trans = i;
		sim_fire(&w->s, r->cex[inv][i]);
		p->first[i] = (uint32_t)before;
		p->actor[i] = p->path.n > before ? (int32_t)p->path.v[before].cpu : -1;
		for (size_t j = before; j < p->path.n; j++)
			if (p->path.v[j].cpu != p->path.v[before].cpu) {
				snprintf(why, whylen, "transition %u steps two CPUs", i + 1);
				ok = 0;
			}
		/* a NIC packet: the flow's timer */
		for (size_t fi = 0; fi < f->nflows; fi++)
			if (f->flows[fi].source == SCN_SOURCE_NIC && w->flow_timer[fi] == r->cex[inv][i])
				p->trans_of[p->pkt_base[fi] + sent[fi]++] = i;
	}
	if (ok && p->path.oom) {
		snprintf(why, whylen, "out of memory");
		ok = 0;
	}
	/* packets the path does not take: flows not yet sent */
	for (size_t fi = 0; ok && fi < f->nflows; fi++)
		for (uint64_t j = p->pkt_base[fi]; j < p->pkt_base[fi + 1]; j++) {
			p->pkt_cpu[j] = f->flows[fi].cpu;
			if (j >= p->pkt_base[fi] + sent[fi])
				p->trans_of[j] = UINT64_MAX;
		}
	free(sent);
	world_delete(w);
	if (!ok && !why[0])
		snprintf(why, whylen, "out of memory");
	return ok ? 0 : -1;
}

/* Each packet's arrival from the slots: at its transition's slot, or half
 * a slot before when its hardirq enters in that transition (its CPU is
 * stalled then: the hardirq waits for the slot); the k-th packet the path
 * does not take k slots after the path's end. */
static void set_arrivals(plan *p, size_t total)
{
	uint64_t late = 0;
	for (size_t i = 0; i < total; i++) {
		uint64_t t = p->trans_of[i];
		if (t == UINT64_MAX)
			p->arrive[i] = slot(p, p->n) + ++late * p->q;
		else
			p->arrive[i] = slot(p, (uint32_t)t) -
				       (p->actor[t] == (int32_t)p->pkt_cpu[i] ? p->q / 2 : 0);
	}
}

/* The first transition that steps CPU c, or n (a transition's actor is
 * the CPU of its first step). */
static uint32_t first_of(const plan *p, uint32_t c)
{
	uint32_t i = p->first_on[c];
	return i < p->path.n ? p->path.v[i].trans : p->n;
}

/* Slots q apart; every CPU waits from time 0 for its first transition, or
 * for the path's end when it has none. */
static void plan_init(const scn_file *f, plan *p)
{
	for (uint32_t i = 0; i <= p->n; i++)
		p->at[i] = (uint64_t)(i + 1) * p->q;
	p->nstall = 0;
	for (uint32_t c = 0; c < f->cpus; c++)
		stall_of(p, c, NULL)->for_ns = slot(p, first_of(p, c));
}

/* Transition i and all after it come d later (a step that keeps its own
 * clock, or takes longer than the slot, was late). */
static void push(const scn_file *f, plan *p, uint32_t i, uint64_t d)
{
	for (uint32_t m = i; m <= p->n; m++)
		p->at[m] += d;
	for (uint32_t c = 0; c < f->cpus; c++)
		if (first_of(p, c) >= i)
			stall_of(p, c, NULL)->for_ns += d;
}

/* Does run k take the path's steps, in the path's order, first? */
static int in_order(const plan *p, const step_sink *k)
{
	if (k->n < p->path.n)
		return 0;
	for (size_t j = 0; j < p->path.n; j++)
		if (k->v[j].cpu != p->path.v[j].cpu || k->v[j].label != p->path.v[j].label)
			return 0;
	return 1;
}

/* Search the stalls and slots; 0 with *out built, -1 when it cannot be
 * done (why said). */
static int fit(const scn_file *f, plan *p, int fix, int inv, scn_file *out, char *why,
	       size_t whylen)
{
	const tstep *v = p->path.v;
	uint32_t rounds = 0;
	for (;;) {
		if (++rounds > 16 * p->n + 64 || p->work > TIMED_MAX_WORK) {
			snprintf(why, whylen, "the stalls do not settle");
			return -1;
		}
		set_arrivals(p, p->pkt_base[f->nflows]);
		scn_file c;
		if (build(f, p, fix, inv, &c, why, whylen) != 0)
			return -1;
		step_sink k;
		int broke = 0;
		if (run_text(&c, fix, inv, &k, &broke, why, whylen) != 0) {
			sink_free(&k);
			scn_free(&c);
			return -1;
		}
		/* The earliest step out of place: each CPU's steps must be its
		 * steps of the path, in order, each transition's first at its
		 * slot; after its last, nothing before the path's end.  A step
		 * early, or another step where the path waits, is held back by
		 * a longer stall after the CPU's previous step. */
		int again = 0, late = 0;
		uint32_t met = 0;
		p->work += k.n;
		size_t *last = p->last;
		for (uint32_t c = 0; c < f->cpus; c++)
			last[c] = SIZE_MAX;     /* no step yet */
		for (size_t j = 0; j < k.n && !again && !late; j++) {
			const tstep *t = &k.v[j];
			/* the CPU's previous step's place in the path */
			size_t pj = last[t->cpu];
			last[t->cpu] = key_at(p, t);
			if (pj == p->path.n)
				continue;       /* past its part of the path (checked then) */
			const tstep *prev = pj != SIZE_MAX ? &v[pj] : NULL;
			size_t nx = prev ? p->next_on[pj] : p->first_on[t->cpu];
			uint64_t due = nx < p->path.n ? slot(p, v[nx].trans) : slot(p, p->n);
			int first = nx < p->path.n && p->first[v[nx].trans] == nx;
			if (nx < p->path.n && key_at(p, t) == nx) {
				/* its next step of the path */
				if (!first)
					continue;
				met++;
				if (t->t == due)
					continue;
				if (t->t > due) {
					/* late: it and all after it get later slots */
					push(f, p, v[nx].trans, t->t - due);
					again = 1;
					continue;
				}
			} else if (t->t >= due) {
				if (nx == p->path.n)
					continue;       /* the path is over */
				/* its next step of the path had not come (a timer
				 * of its own clock): when it comes, it gets that
				 * slot and the CPU waits for it */
				size_t later = j + 1;
				while (later < k.n && key_at(p, &k.v[later]) != nx)
					later++;
				if (later < k.n && k.v[later].t > due) {
					push(f, p, v[nx].trans, k.v[later].t - due);
					again = 1;
					continue;
				}
				if (later == k.n && due < f->limit_ns / 4) {
					/* not before the run's end: try twice as late */
					push(f, p, v[nx].trans, due);
					again = 1;
					continue;
				}
				snprintf(why, whylen, "cpu%u takes %s where the path has %s", t->cpu,
					 p->label[t->label], p->label[v[nx].label]);
				late = -1;
				continue;
			}
			stall_of(p, t->cpu, prev)->for_ns += due - t->t;
			again = 1;
		}
		int ok = 0;
		if (!again && !late) {
			/* the steps in the path's order, then the violation */
			uint32_t actors = 0;
			for (uint32_t i = 0; i < p->n; i++)
				actors += p->actor[i] >= 0;
			ok = met == actors && in_order(p, &k);
			if (!ok)
				snprintf(why, whylen, "the timed run takes another order");
			else if (!(ok = broke))
				snprintf(why, whylen, "the timed run does not break %s",
					 check_inv_name(inv));
			late = ok ? 0 : -1;
		}
		sink_free(&k);
		if (ok) {
			*out = c;
			return 0;
		}
		scn_free(&c);
		if (late)
			return -1;
	}
}

/* Does the plan, as it stands, still force the path and break inv?  The
 * form into *t when it does. */
static int still_works(const scn_file *f, plan *p, int fix, int inv, scn_file *t, char *why,
		       size_t whylen)
{
	step_sink k;
	int broke = 0, ok = 0;
	if (build(f, p, fix, inv, t, why, whylen) != 0)
		return 0;
	if (run_text(t, fix, inv, &k, &broke, why, whylen) == 0)
		ok = broke && in_order(p, &k);
	p->work += k.n;
	sink_free(&k);
	if (!ok)
		scn_free(t);
	return ok;
}

/* Fewer stalls: a CPU whose steps run back to back in the path needs no
 * stall between them, only one after the last for all their time.  For
 * each stall in turn, move its time to the CPU's next stall, or drop it;
 * keep the change when the run still takes the path's steps in order and
 * breaks inv.  *c is the result. */
static void simplify(const scn_file *f, plan *p, int fix, int inv, scn_file *c, char *why,
		     size_t whylen)
{
	for (size_t i = 0; i < p->nstall && p->work <= TIMED_MAX_WORK; i++) {
		scn_stall *x = &p->stall[i];
		if (!x->for_ns)
			continue;
		long at = p->place[i];
		scn_stall *next = NULL;
		long next_at = 0;
		for (size_t j = 0; j < p->nstall; j++) {
			long a = p->place[j];
			if (p->stall[j].cpu == x->cpu && p->stall[j].for_ns && a > at &&
			    (!next || a < next_at)) {
				next = &p->stall[j];
				next_at = a;
			}
		}
		uint64_t keep = x->for_ns;
		scn_file t;
		x->for_ns = 0;
		if (next && x->at_is_label) {
			next->for_ns += keep;
			if (still_works(f, p, fix, inv, &t, why, whylen)) {
				scn_free(c);
				*c = t;
				continue;
			}
			next->for_ns -= keep;
		}
		if (still_works(f, p, fix, inv, &t, why, whylen)) {
			scn_free(c);
			*c = t;
			continue;
		}
		x->for_ns = keep;
	}
}

int check_timed_cex(const scn_file *f, const check_result *r, int inv, scn_file *out, char *why,
		    size_t whylen)
{
	why[0] = 0;
	if (f->nstalls) {
		snprintf(why, whylen, "it has stall lines of its own");
		return -1;
	}
	if (r->cex_len[inv] > TIMED_MAX_TRANSITIONS) {
		snprintf(why, whylen, "more than %u transitions", TIMED_MAX_TRANSITIONS);
		return -1;
	}
	uint64_t pkts = 0;
	int split = 0, fanout = 0;
	for (size_t i = 0; i < f->nflows; i++) {
		if (f->flows[i].source == SCN_SOURCE_NIC)
			pkts += f->flows[i].count;
		split |= f->flows[i].source == SCN_SOURCE_NIC && f->flows[i].count > 1;
		fanout |= f->flows[i].fanout != 0;
	}
	if (split && fanout) {
		/* fanout.c's hash demux reads the flow's place in the file */
		snprintf(why, whylen, "a fanout group hashes by flow, and its flows would be split "
			 "one a packet");
		return -1;
	}
	if (pkts > TIMED_MAX_PACKETS) {
		snprintf(why, whylen, "more than %u packets, one flow each", TIMED_MAX_PACKETS);
		return -1;
	}
	plan p = { .q = 1000 };
	int res = record_path(f, r, inv, &p, why, whylen);
	if (res == 0) {
		p.at = malloc((p.n + 1) * sizeof *p.at);
		p.stall = calloc(f->cpus + p.path.n + 1, sizeof *p.stall);
		p.place = calloc(f->cpus + p.path.n + 1, sizeof *p.place);
		p.last = calloc(f->cpus + 1, sizeof *p.last);
		if (!p.at || !p.stall || !p.place || !p.last || index_path(&p, f->cpus) != 0) {
			snprintf(why, whylen, "out of memory");
			res = -1;
		} else {
			plan_init(f, &p);
			res = fit(f, &p, r->fix, inv, out, why, whylen);
			if (res == 0)
				simplify(f, &p, r->fix, inv, out, why, whylen);
		}
	}
	free(p.trans_of);
	free(p.pkt_cpu);
	free(p.at);
	free(p.actor);
	free(p.first);
	free(p.arrive);
	free(p.pkt_base);
	free(p.stall);
	free(p.place);
	free(p.last);
	free(p.occ_at);
	free(p.occ);
	free(p.next_on);
	free(p.first_on);
	free(p.label);
	sink_free(&p.path);
	return res;
}
