/* check_dfs.c - `--check-order dfs`: one variant's search depth first, on
 * one thread; see check.h.
 *
 * The breadth-first search (check_search.c) keeps a whole depth of states;
 * this one keeps the path only (a snapshot per level), so it reaches
 * further in the same memory, at the price of what breadth first gives:
 * its counterexample is the shortest it happened to meet, not the
 * shortest, and -j does not split it.  Over the same graph it meets the
 * same states, so its counts are the breadth-first search's (a test
 * compares them: a second order is a check of the first).
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "untimed.h"
#include "visited.h"
#include "world.h"

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
	uint32_t depth;             /* of the state being left: a violation on the way is found at depth + 1 */
	uint64_t limit;             /* --check-memory, bytes */
	int over;                   /* it was reached */
	int selftest;               /* check_selftest() */
	double t0, shown;
} search;


static void progress(search *x, int last)
{
	double now = check_wall();
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
	r->cex_depth[inv] = x->depth;
	return 0;
}

/* The invariants of every state, for the state reached by path[0..len). */
static int check_state(search *x, uint32_t len)
{
	const world_global *g = x->w->g;
	for (int k = 0; k < CI_COUNT; k++)
		if (k != CI_LOST && g->m[check_inv_metric(k)] && keep_path(x, k, len))
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

/* The state's hash (check_selftest(): 12 bits of it). */
static uint64_t state_hash(search *x)
{
	uint64_t h = world_state_hash(x->w, x->scratch);
	return x->selftest ? h & 4095 : h;
}

/* Past --check-memory with n bytes more than the set's next add holds? */
static int over(search *x)
{
	if (visited_next_bytes(&x->v) + (uint64_t)x->cap * (x->asz + sizeof(level)) <= x->limit)
		return 0;
	x->over = 1;
	return 1;
}

/* The state the arena holds into the visited set: 1 new, 0 seen, -1 out of
 * memory (or past --check-memory). */
static int add(search *x)
{
	return over(x) ? -1 : visited_add(&x->v, state_hash(x));
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

/* The state the arena holds is new: list its transitions and push it as
 * level d, or handle it as an end.  0, or -1 out of memory. */
static int expand(search *x, uint32_t d, int *pushed)
{
	sim *s = &x->w->s;
	*pushed = 0;
	if (reserve(x, d, s->ntimers) != 0)
		return -1;
	if (over(x))
		return -1;
	uint32_t n = sim_enabled(s, x->ids + x->nids, s->ntimers);
	if (n == 0)
		return check_terminal(x, x->len);
	if (x->o->por) {
		uint32_t k = sim_ample(s, x->ids + x->nids, n);
		x->r->ample += k < n;
		n = k;
	}
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
	check_result *r = x->r;
	int tty = isatty(2);
	int pushed;
	x->nids = 0;
	int fresh = add(x);
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
		x->depth = (uint32_t)d + 1;
		r->transitions++;
		if (take(x, id) != 0 || check_state(x, x->len) != 0)
			return -1;
		fresh = add(x);
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

int check_dfs(const scn_file *f, int fix, const check_opts *o, check_result *r)
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
	search x = { .w = w, .o = o, .r = r, .t0 = check_wall(), .limit = check_memory_limit(o),
		     .selftest = check_selftest() };
	x.nseg = sim_snapshot_segments(&w->s, x.seg);
	for (uint32_t i = 0; i < x.nseg; i++)
		x.asz += x.seg[i].hi - x.seg[i].lo;
	x.scratch = malloc(world_scratch_bytes(w) + 1);
	int rc = !x.scratch || visited_init(&x.v, o->bitstate) != 0 || fold(&x) != 0 ? -1 : dfs(&x, 0);
	check_conclude(r, rc != 0, x.over, x.limit, visited_omission(&x.v));
	r->bytes = visited_bytes(&x.v) + (uint64_t)x.cap * (x.asz + sizeof(level)) +
		   (uint64_t)x.cap_path * 4 + x.cap_ids * 4;
	visited_free(&x.v);
	free(x.scratch);
	free(x.snaps);
	free(x.lv);
	free(x.path);
	free(x.ids);
	world_delete(w);
	return 0;
}
