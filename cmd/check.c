/* check.c - the exhaustive search of `--check`; see check.h. */
#include "check.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grow.h"
#include "untimed.h"
#include "visited.h"
#include "world.h"

static const char *const inv_names[CI_COUNT] = {
	"overrun", "corrupt", "consumer_partial", "lost", "violations", "deadlock", "lock_order",
};
const char *check_inv_name(int inv) { return inv >= 0 && inv < CI_COUNT ? inv_names[inv] : "?"; }

/* The metric each invariant watches (lost: computed at the end only). */
static const int inv_metric[CI_COUNT] = {
	SCN_M_OVERRUN, SCN_M_CORRUPT, SCN_M_CONSUMER_PARTIAL, SCN_M_LOST, SCN_M_VIOLATIONS,
	SCN_M_DEADLOCK, SCN_M_LOCK_ORDER,
};

/* One level of the depth-first search: a state (its snapshot) and its
 * enabled transitions ids[first, first + n), next the one to try. */
typedef struct level {
	uint32_t first, n, next;
	uint32_t len;               /* the path to this state: path[0, len) */
} level;

typedef struct search {
	world *w;
	const check_opts *o;
	check_result *r;
	visited v;
	sim_seg seg[2];             /* the arena's parts a snapshot keeps */
	uint32_t nseg;
	size_t asz;                 /* a snapshot's bytes: the parts', packed */
	unsigned char *scratch;     /* world_state_hash's */
	unsigned char *snaps;       /* [cap] snapshots */
	level *lv;                  /* [cap] */
	uint32_t *path;             /* [cap_path]: the transitions from the initial state to
				 * the one the arena holds, folded ones included */
	uint32_t len;               /* of the path */
	uint32_t cap, cap_path;
	uint32_t *ids;              /* the levels' enabled lists */
	size_t nids, cap_ids;
	uint32_t front_depth;       /* sharding's first pass: stop at this depth (0: no) */
	uint32_t *front;            /* the paths to the states met there, one after another */
	size_t *front_at;           /* [nfront + 1]: where each begins */
	size_t nfront, cap_front, cap_front_at;
	double t0, shown;
} search;

static double wall(void)
{
	/* progress display only: never part of a run or a report */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(search *x, int last)
{
	double now = wall();
	if (!last && now - x->shown < 0.5)
		return;
	x->shown = now;
	double secs = now - x->t0;
	fprintf(stderr, "\rcheck fix=%s: %llu states, %llu transitions, depth %llu, %.0f states/s%s",
		scn_fix_name(x->r->fix), (unsigned long long)x->r->states,
		(unsigned long long)x->r->transitions, (unsigned long long)x->r->max_depth,
		secs > 0 ? (double)x->r->states / secs : 0.0, last ? "\n" : "   ");
}

/* Keep path[0..len) as inv's counterexample if it is the shortest yet. */
static int keep_path(search *x, int inv, uint32_t len)
{
	check_result *r = x->r;
	if (r->cex[inv] && r->cex_len[inv] <= len)
		return 0;
	uint32_t *p = malloc((size_t)len * sizeof *p + 1);
	if (!p)
		return -1;
	memcpy(p, x->path, (size_t)len * sizeof *p);
	free(r->cex[inv]);
	r->cex[inv] = p;
	r->cex_len[inv] = len;
	return 0;
}

/* The invariants of every state, for the state reached by path[0..len). */
static int check_state(search *x, uint32_t len)
{
	const world_global *g = x->w->g;
	for (int k = 0; k < CI_COUNT; k++)
		if (k != CI_LOST && g->m[inv_metric[k]] && keep_path(x, k, len))
			return -1;
	return 0;
}

/* Room for n more ids on the path. */
static int path_room(search *x, uint32_t n)
{
	if (x->len + n <= x->cap_path)
		return 0;
	uint32_t cap = (x->len + n) * 2;
	uint32_t *p = realloc(x->path, (size_t)cap * sizeof *p);
	if (!p)
		return -1;
	x->path = p;
	x->cap_path = cap;
	return 0;
}

/* Partial-order reduction: every local step armed in the state the arena
 * holds (sim_local_step), fired at once, each a transition of its own on
 * the path and its state checked, but not stored or expanded: the state
 * kept is the one after them.  A chain of local steps is cut after
 * FOLD_MAX (a local loop): the state there is expanded in full, which is
 * always sound.  0, or -1 out of memory. */
#define FOLD_MAX 256
static int fold(search *x)
{
	sim *s = &x->w->s;
	uint32_t cpu;
	if (!x->o->por)
		return 0;
	for (uint32_t k = 0; k < FOLD_MAX && (cpu = sim_local_step(s)) != SIM_NONE; k++) {
		if (check_state(x, x->len) != 0 || path_room(x, 1) != 0)
			return -1;
#ifndef NDEBUG
		uint32_t top = s->cpus[cpu].top, depth = s->ctx[top].depth;
#endif
		x->path[x->len++] = cpu;
		sim_fire(s, cpu);
		x->r->folded++;
		/* a local step is one step: the same context goes on */
		assert(queue_armed(&s->q, cpu) && s->cpus[cpu].top == top && s->ctx[top].depth == depth);
	}
	return 0;
}

/* Transition id out of the state the arena holds, on the path, and the
 * local steps after it (fold). */
static int take(search *x, uint32_t id)
{
	if (path_room(x, 1) != 0)
		return -1;
	x->path[x->len++] = id;
	sim_fire(&x->w->s, id);
	return fold(x);
}

/* A state where nothing is left to fire: the end of a run.  The finish
 * hooks change the arena; the caller restores it before going on. */
static int check_terminal(search *x, uint32_t len)
{
	world *w = x->w;
	x->r->terminals++;
	int stuck = world_waits_forever(w);
	world_finish(w, w->s.g->stopped ? SIM_END_STOPPED : SIM_END_QUIET);
	if (w->g->m[SCN_M_LOST] && keep_path(x, CI_LOST, len))
		return -1;
	if ((stuck || w->g->m[SCN_M_DEADLOCK]) && keep_path(x, CI_DEADLOCK, len))
		return -1;
	return check_state(x, len);
}

/* Room for level d (its snapshot) and for n more ids. */
static int reserve(search *x, uint32_t d, uint32_t n)
{
	if (d >= x->cap) {
		uint32_t cap = x->cap ? x->cap * 2 : 64;
		unsigned char *s = realloc(x->snaps, (size_t)cap * x->asz);
		if (!s)
			return -1;
		x->snaps = s;
		level *l = realloc(x->lv, (size_t)cap * sizeof *l);
		if (!l)
			return -1;
		x->lv = l;
		x->cap = cap;
	}
	if (x->nids + n > x->cap_ids) {
		size_t cap = (x->nids + n) * 2;
		uint32_t *ids = realloc(x->ids, cap * sizeof *ids);
		if (!ids)
			return -1;
		x->ids = ids;
		x->cap_ids = cap;
	}
	return 0;
}

/* Level d's snapshot from the arena (save), or back into it. */
static void snapshot(search *x, uint32_t d, int save)
{
	unsigned char *snap = x->snaps + (size_t)d * x->asz;
	for (uint32_t i = 0; i < x->nseg; i++) {
		size_t n = x->seg[i].hi - x->seg[i].lo;
		unsigned char *live = x->w->s.ar.base + x->seg[i].lo;
		memcpy(save ? snap : live, save ? live : snap, n);
		snap += n;
	}
}

/* Push the state the arena holds as level d; its enabled transitions are
 * listed already at ids[nids, nids + n). */
static void push(search *x, uint32_t d, uint32_t n)
{
	x->lv[d] = (level){ .first = (uint32_t)x->nids, .n = n, .next = 0, .len = x->len };
	x->nids += n;
	snapshot(x, d, 1);
	if (d > x->r->max_depth)
		x->r->max_depth = d;
}

/* Sharding's first pass: the path to this state at the split depth. */
static int keep_front(search *x)
{
	size_t at = x->nfront ? x->front_at[x->nfront] : 0;
	if (x->nfront + 2 > x->cap_front_at) {
		size_t cap = (x->nfront + 2) * 2;
		size_t *a = realloc(x->front_at, cap * sizeof *a);
		if (!a)
			return -1;
		x->front_at = a;
		x->cap_front_at = cap;
	}
	if (at + x->len > x->cap_front) {
		size_t cap = (at + x->len) * 2;
		uint32_t *f = realloc(x->front, cap * sizeof *f);
		if (!f)
			return -1;
		x->front = f;
		x->cap_front = cap;
	}
	memcpy(x->front + at, x->path, x->len * sizeof *x->path);
	x->front_at[x->nfront] = at;
	x->front_at[++x->nfront] = at + x->len;
	return 0;
}

/* The state the arena holds is new: list its transitions and push it as
 * level d, or handle it as an end.  0, or -1 out of memory. */
static int expand(search *x, uint32_t d, int *pushed)
{
	sim *s = &x->w->s;
	*pushed = 0;
	if (reserve(x, d, s->ntimers) != 0)
		return -1;
	uint32_t n = sim_enabled(s, x->ids + x->nids, s->ntimers);
	if (n == 0)
		return check_terminal(x, x->len);
	if (x->o->por) {
		uint32_t k = sim_ample(s, x->ids + x->nids, n);
		x->r->ample += k < n;
		n = k;
	}
	if (x->front_depth && d == x->front_depth)
		return keep_front(x);
	if (x->o->depth && d >= x->o->depth) {
		x->r->depth_cut = 1;
		return 0;
	}
	push(x, d, n);
	*pushed = 1;
	return 0;
}

/* Depth-first from the state the arena holds, at depth base, reached by
 * path[0..len): every state below it not yet visited. */
static int dfs(search *x, uint32_t base)
{
	world *w = x->w;
	check_result *r = x->r;
	int tty = isatty(2);
	int pushed;
	x->nids = 0;
	int fresh = visited_add(&x->v, world_state_hash(w, x->scratch));
	if (fresh <= 0)
		return fresh;
	r->states++;
	if (check_state(x, x->len) != 0 || expand(x, base, &pushed) != 0)
		return -1;
	int64_t d = pushed ? (int64_t)base : (int64_t)base - 1;
	int dirty = 0;              /* the arena holds another state than level d's */
	while (d >= (int64_t)base) {
		level *l = &x->lv[d];
		if (l->next == l->n) {
			x->nids = l->first;
			d--;
			dirty = 1;
			continue;
		}
		uint32_t id = x->ids[l->first + l->next++];
		if (dirty)
			snapshot(x, (uint32_t)d, 0);
		dirty = 1;
		x->len = l->len;
		r->transitions++;
		if (take(x, id) != 0 || check_state(x, x->len) != 0)
			return -1;
		fresh = visited_add(&x->v, world_state_hash(w, x->scratch));
		if (fresh < 0)
			return -1;
		if (!fresh)
			continue;
		r->states++;
		if (expand(x, (uint32_t)d + 1, &pushed) != 0)
			return -1;
		if (pushed) {
			d++;
			dirty = 0;
		}
		if (tty && (r->states & 0xffff) == 0)
			progress(x, 0);
	}
	if (tty)
		progress(x, 1);
	return 0;
}

/* Start a variant's search over: no state visited, nothing found. */
static int restart(search *x)
{
	int fix = x->r->fix;
	check_result_free(x->r);
	memset(x->r, 0, sizeof *x->r);
	x->r->fix = fix;
	x->nfront = 0;
	visited_free(&x->v);
	world_reset(x->w);
	x->len = 0;
	return visited_init(&x->v, x->o->bitstate) != 0 ? -1 : fold(x);
}

/* --shard I/N: the split depth (the least with 8 N states met there, or
 * the whole graph above it), then shard I's part below it. */
static int sharded(search *x)
{
	const check_opts *o = x->o;
	uint32_t k = 0;
	do {
		if (restart(x) != 0)
			return -1;
		x->front_depth = ++k;
		if (dfs(x, 0) != 0)
			return -1;
	} while (x->nfront && x->nfront < 8u * o->shards && k < 64 && (!o->depth || k < o->depth));
	check_result *r = x->r;
	r->front_depth = k;
	r->frontier = x->nfront;
	x->front_depth = 0;
	/* below the split: a visited set of this shard's own (the first
	 * pass's holds the split states themselves) */
	visited_free(&x->v);
	if (visited_init(&x->v, o->bitstate) != 0 || reserve(x, k, 0) != 0)
		return -1;
	for (size_t j = o->shard; j < x->nfront; j += o->shards) {
		world_reset(x->w);
		x->len = 0;
		uint32_t n = (uint32_t)(x->front_at[j + 1] - x->front_at[j]);
		if (path_room(x, n) != 0)
			return -1;
		memcpy(x->path, x->front + x->front_at[j], n * sizeof *x->path);
		for (uint32_t i = 0; i < n; i++)
			sim_fire(&x->w->s, x->path[i]);
		x->len = n;
		if (dfs(x, k) != 0)
			return -1;
	}
	return 0;
}

int check_variant(const scn_file *f, int fix, const check_opts *o, check_result *r)
{
	char err[SCN_ERR_MAX];
	memset(r, 0, sizeof *r);
	r->fix = fix;
	world *w = world_new(f, fix, err, sizeof err);
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return r->error = 2;
	}
	world_untimed(w);
	search x = { .w = w, .o = o, .r = r, .t0 = wall() };
	x.nseg = sim_snapshot_segments(&w->s, x.seg);
	for (uint32_t i = 0; i < x.nseg; i++)
		x.asz += x.seg[i].hi - x.seg[i].lo;
	x.scratch = malloc(world_scratch_bytes(w) + 1);
	int rc = !x.scratch || visited_init(&x.v, o->bitstate) != 0 || fold(&x) != 0 ? -1
		 : o->shards ? sharded(&x) : dfs(&x, 0);
	if (rc != 0) {
		r->out_of_memory = 1;
		fprintf(stderr, "sim: --check fix=%s: out of memory after %llu states (try "
			"--check-bitstate or --check-depth)\n", scn_fix_name(fix),
			(unsigned long long)r->states);
	}
	r->complete = !r->depth_cut && !r->out_of_memory;
	r->omission = visited_omission(&x.v);
	r->bytes = visited_bytes(&x.v) + (uint64_t)x.cap * (x.asz + sizeof(level)) +
		   (uint64_t)x.cap_path * 4 + x.cap_ids * 4;
	visited_free(&x.v);
	free(x.scratch);
	free(x.snaps);
	free(x.lv);
	free(x.path);
	free(x.ids);
	free(x.front);
	free(x.front_at);
	world_delete(w);
	return 0;
}

void check_result_free(check_result *r)
{
	for (int k = 0; k < CI_COUNT; k++)
		free(r->cex[k]);
	memset(r->cex, 0, sizeof r->cex);
}

/* ---- the variants, on up to J threads ---- */

typedef struct job {
	const scn_file *f;
	const check_opts *o;
	int fix;
	check_result *r;
	pthread_t th;
	int started;
} job;

static void *job_main(void *arg)
{
	job *j = arg;
	check_variant(j->f, j->fix, j->o, j->r);
	return NULL;
}

int check_inv_metric(int inv) { return inv_metric[inv]; }

static int verdicts_ok(const scn_file *f, const check_result *r, int n);

int check_main(const scn_file *f, const check_opts *o, FILE *out)
{
	int fixes[SCN_FIX_COUNT], n = 0;
	if (f->fix == SCN_FIX_ALL)
		for (int i = 0; i < SCN_FIX_COUNT; i++)
			fixes[n++] = i;
	else
		fixes[n++] = f->fix;
	check_result r[SCN_FIX_COUNT];
	job jobs[SCN_FIX_COUNT];
	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < n; i += (int)o->jobs) {
		/* a batch of up to J variants at once; reported in fix order */
		for (int k = i; k < n && k < i + (int)o->jobs; k++) {
			jobs[k] = (job){ .f = f, .o = o, .fix = fixes[k], .r = &r[k] };
			if (o->jobs == 1 || pthread_create(&jobs[k].th, NULL, job_main, &jobs[k]) != 0)
				job_main(&jobs[k]);
			else
				jobs[k].started = 1;
		}
		for (int k = i; k < n && k < i + (int)o->jobs; k++)
			if (jobs[k].started)
				pthread_join(jobs[k].th, NULL);
	}
	int rc = 0;
	for (int k = 0; k < n; k++)
		if (r[k].error && !rc)
			rc = r[k].error;
	if (!rc)
		rc = check_report(out, f, r, n, o);
	/* a shard's verdicts are for sim merge: its status says it ran */
	if (!rc && !o->shards)
		rc = verdicts_ok(f, r, n) ? 0 : 1;
	for (int k = 0; k < n; k++)
		check_result_free(&r[k]);
	return rc;
}

/* Without `check` lines: does every invariant hold?  With them: is every
 * verdict they state the search's? */
static int verdicts_ok(const scn_file *f, const check_result *r, int n)
{
	for (int k = 0; k < n; k++) {
		if (!r[k].complete)
			return 0;
		for (int i = 0; i < CI_COUNT; i++)
			if (r[k].cex[i] && !f->nchecks)
				return 0;
	}
	return check_expect_failures(f, r, n, NULL) == 0;
}
