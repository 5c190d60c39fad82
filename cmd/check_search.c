/* check_search.c - one variant's search under `--check`: breadth-first,
 * level by level, on up to J threads; see check.h.
 *
 * Level L+1 is made from level L in two phases:
 *   expand (parallel): the threads take level L's states in chunks (a
 *     ck_pr counter), restore each into their own world, fire each enabled
 *     transition and the local steps after it (the partial-order
 *     reduction), check the invariants on the way, and keep each successor
 *     the visited set (read-only in this phase) has not seen as a
 *     candidate: its hash, its key (its parent's place in level L, the
 *     transition's timer id) and its snapshot (a delta against the
 *     initial state).  A thread keeps one candidate a state, the least key.
 *   merge (main thread): a state met by several threads keeps the least
 *     key (a hash table), joins the visited set, and level L+1 is those
 *     states in key order (a counting sort by parent, then by id).
 * With one thread (and hash compaction) the first to meet a state has its
 * least key, so expand adds to the visited set at once and merge only
 * sorts.
 * Which thread met what, and when, changes nothing but which copies were
 * dropped: the levels, their order, each state's parent, the counters and
 * the counterexamples (the least key of the first level where an
 * invariant breaks) are the same for every J.
 */
#include "check.h"

#include <ck_pr.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "untimed.h"
#include "visited.h"
#include "world.h"

#define NO_NODE UINT32_MAX
#define CHUNK 16                /* states a thread takes at once */
#define FOLD_MAX 256            /* local steps fired at once, at most */

/* A state of level L: its parent's index in level L-1 and the transition
 * (a timer id) that led here; the root's are NO_NODE. */
typedef struct node {
	uint32_t parent, id;
} node;

/* A state of the level being expanded: its index in the level, and where
 * its snapshot is (a thread's buffer). */
typedef struct entry {
	uint32_t index, worker;
	uint64_t at;                /* its delta: word offset in the thread's buffer */
} entry;

/* A successor kept by a thread: hash, key, its delta. */
typedef struct cand {
	uint64_t hash;
	uint32_t parent, id;
	uint64_t at;                /* its delta */
} cand;

/* A path to a violation: the state reached by (level, parent, id) -- the
 * transition id out of level-1's state parent -- cut at the first state
 * where the invariant's counter is set, or, at_end, the end state itself
 * (nothing left to fire; the end-of-run accounting broke it). */
typedef struct cexkey {
	uint32_t level, parent, id, at_end;
	int set;
} cexkey;

struct search;

typedef struct worker {
	struct search *x;
	world *w;
	unsigned char *scratch;
	uint32_t *ids;
	/* the successors of this level: candidates, their snapshots as
	 * deltas (buffer (L + 1) & 1; buffer L & 1 holds the states being
	 * expanded) */
	cand *c;
	size_t nc, capc;
	uint64_t *snap[2];
	size_t lensnap[2], capsnap[2];      /* words */
	uint32_t *tab;              /* candidate + 1 by hash, open addressing */
	size_t tmask;
	/* what this level's expansion found */
	uint64_t transitions, folded, terminals, ample;
	uint64_t fresh;             /* transitions to a state not in the visited set (two-phase) */
	int depth_cut;
	cexkey best[CI_COUNT];
	/* the transition being taken: the candidate's key */
	uint32_t level, parent, id;
	pthread_t th;
} worker;

typedef struct search {
	const scn_file *f;
	const check_opts *o;
	check_result *r;
	visited v;
	sim_seg seg[2];             /* the arena's words a snapshot keeps, [lo, hi) in words */
	uint32_t nseg;
	size_t words;               /* a snapshot's words, all segments */
	uint64_t *root;             /* the initial state's arena (the deltas' base) */
	worker *wk;
	uint32_t nw;
	node **nodes;               /* [level][index] */
	uint64_t *width;            /* [level] states in it */
	uint32_t nlevels, cap_levels;
	entry *front;               /* the level being expanded (a shard's part of it) */
	size_t nfront;
	uint32_t level;
	struct mcand *m, *sorted;   /* merge's, kept from level to level */
	size_t capm;
	uint32_t *count, *dtab;
	size_t capcount, capd;
	uint64_t next;              /* ck_pr: the next front index to hand out */
	int failed;                 /* ck_pr */
	int over;                   /* ck_pr: --check-memory was reached */
	uint64_t limit;             /* --check-memory, bytes */
	uint64_t grown;             /* ck_pr: the threads' buffers, bytes */
	uint64_t rest;              /* but the visited set: the paths, merge's (merge counts them) */
	/* More than one thread: what the threads' buffers hold depends on who
	 * met what, so --check-memory is judged between levels on figures
	 * that do not (the same cut for every run): the levels' kept states,
	 * their deltas' words, the transitions a level took.  During a level
	 * only twice the limit stops it (a guard: the estimate was short). */
	uint64_t det_rest;          /* merge: all but the set, as the kept states make it */
	uint64_t delta_bytes[2];    /* the kept deltas of the last two levels (by level & 1) */
	uint64_t level_trans;       /* the last level's transitions to states not in the set */
	int direct;                 /* one thread, hash compaction: add to the set at once */
	int selftest;               /* check_selftest(): a state hash that merges distinct states */
	uint32_t *audit_ids;        /* --check-audit's: one state's transitions, */
	uint64_t *audit_h;          /* and its successors' hashes */
	uint64_t peak_bytes;
	double t0;
} search;

/* ---- one thread's part ---- */

static int cexkey_less(const cexkey *a, const cexkey *b)
{
	if (!b->set)
		return 1;
	if (a->level != b->level)
		return a->level < b->level;
	if (a->parent != b->parent)
		return a->parent < b->parent;
	if (a->id != b->id)
		return a->id < b->id;
	return a->at_end < b->at_end;
}

static void note(worker *k, int inv, uint32_t level, uint32_t parent, uint32_t id, uint32_t at_end)
{
	cexkey c = { .level = level, .parent = parent, .id = id, .at_end = at_end, .set = 1 };
	if (cexkey_less(&c, &k->best[inv]))
		k->best[inv] = c;
}

/* The invariants of every state, on the state the world holds, reached by
 * the transition being taken. */
static void check_state(worker *k)
{
	const world_global *g = k->w->g;
	for (int i = 0; i < CI_COUNT; i++)
		if (i != CI_LOST && g->m[check_inv_metric(i)])
			note(k, i, k->level, k->parent, k->id, 0);
}

/* Partial-order reduction: every local step armed (sim_local_step), fired
 * at once, its state checked but not stored; a chain is cut after
 * FOLD_MAX (a local loop), where the state is expanded in full. */
static void fold(worker *k)
{
	sim *s = &k->w->s;
	uint32_t cpu;
	if (!k->x->o->por)
		return;
	for (uint32_t n = 0; n < FOLD_MAX && (cpu = sim_local_step(s)) != SIM_NONE; n++) {
		sim_fire(s, cpu);
		k->folded++;
		check_state(k);
	}
}

/* A state where nothing is left to fire: the end of a run, node (level,
 * index).  The finish hooks change the world; the caller restores it. */
static void check_end(worker *k, uint32_t level, uint32_t index)
{
	world *w = k->w;
	const node *n = &k->x->nodes[level][index];
	k->terminals++;
	int stuck = world_waits_forever(w);
	world_finish(w, w->s.g->stopped ? SIM_END_STOPPED : SIM_END_QUIET);
	for (int i = 0; i < CI_COUNT; i++)
		if (w->g->m[check_inv_metric(i)] || (i == CI_DEADLOCK && stuck))
			note(k, i, level, n->parent, n->id, 1);
}

/* A snapshot is a delta against the initial state: runs of the words that
 * differ from it, each a header (first word's index in the arena, count)
 * and the words, ended by a zero count.  A state differs from the initial
 * one in a few hundred of its thousands of words (the frames it touched,
 * the contexts' frames, the queue): a delta is a tenth of the state or
 * less, and restoring one copies from a base that stays in the cache. */
#define RUN_GAP 2               /* equal words that do not end a run */

/* The delta of the state w holds, into out; returns its words. */
static size_t delta_make(const search *x, const world *w, uint64_t *out)
{
	const uint64_t *live = (const uint64_t *)w->s.ar.base, *base = x->root;
	size_t n = 0;
	for (uint32_t g = 0; g < x->nseg; g++) {
		size_t i = x->seg[g].lo, hi = x->seg[g].hi;
		while (i < hi) {
			/* most words are equal: 256 bytes at a time by memcmp
			 * (libc's is vectorised), then word by word */
			while (i < hi && live[i] == base[i]) {
				i++;
				while (i % 32 == 0 && i + 32 <= hi && !memcmp(live + i, base + i, 256))
					i += 32;
			}
			if (i == hi)
				break;
			size_t start = i, end = i + 1, gap = 0;
			for (i++; i < hi && gap <= RUN_GAP; i++) {
				if (live[i] != base[i]) {
					end = i + 1;
					gap = 0;
				} else {
					gap++;
				}
			}
			i = end;
			out[n++] = (uint64_t)start << 32 | (end - start);
			memcpy(out + n, live + start, (end - start) * 8);
			n += end - start;
		}
	}
	out[n++] = 0;
	return n;
}

/* Restore into w the state of delta d. */
static void delta_load(const search *x, world *w, const uint64_t *d)
{
	uint64_t *live = (uint64_t *)w->s.ar.base;
	for (uint32_t g = 0; g < x->nseg; g++)
		memcpy(live + x->seg[g].lo, x->root + x->seg[g].lo, (x->seg[g].hi - x->seg[g].lo) * 8);
	for (uint64_t h; (h = *d++) & 0xffffffffu; d += h & 0xffffffffu)
		memcpy(live + (h >> 32), d, (h & 0xffffffffu) * 8);
}

/* The words of the delta at d (delta_make's format: runs, each a header
 * word -- offset << 32 | length -- and its words; a zero length ends it). */
static size_t delta_words(const uint64_t *d)
{
	size_t n = 1;
	for (uint64_t h; (h = d[n - 1]) & 0xffffffffu; n += 1 + (h & 0xffffffffu))
		;
	return n;
}

/* Would n more bytes of the threads' buffers take the search past
 * --check-memory?  (Counted as they grow; the rest is counted between
 * levels, in merge.) */
static int over_budget(search *x, uint64_t n)
{
	uint64_t had = ck_pr_faa_64(&x->grown, n);
	uint64_t cap = x->direct ? x->limit : x->limit > UINT64_MAX / 2 ? UINT64_MAX : 2 * x->limit;
	if (had + n + x->rest + visited_bytes(&x->v) <= cap)
		return 0;
	ck_pr_store_int(&x->over, 1);
	return 1;
}

/* Would the visited set's next add take the search past --check-memory?
 * (Only the thread that adds asks: merge's, or the one thread's.) */
static int set_full(search *x)
{
	uint64_t others = x->direct ? x->rest + ck_pr_load_64(&x->grown) : x->det_rest;
	if (visited_next_bytes(&x->v) + others <= x->limit)
		return 0;
	x->over = 1;
	return 1;
}

/* Append the state w holds, as a delta, to buffer b; its offset. */
static int delta_keep(search *x, worker *k, int b, uint64_t *at)
{
	size_t most = x->words * 2 + 2;         /* the longest a delta can be */
	if (k->lensnap[b] + most > k->capsnap[b]) {
		size_t cap = (k->lensnap[b] + most) * 2;
		if (over_budget(k->x, (cap - k->capsnap[b]) * 8))
			return -1;
		uint64_t *p = realloc(k->snap[b], cap * 8);
		if (!p)
			return -1;
		k->snap[b] = p;
		k->capsnap[b] = cap;
	}
	*at = k->lensnap[b];
	k->lensnap[b] += delta_make(x, k->w, k->snap[b] + k->lensnap[b]);
	return 0;
}

static inline uint64_t spread(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 29);
}

static int cand_less(const cand *a, uint32_t parent, uint32_t id)
{
	return a->parent != parent ? a->parent < parent : a->id < id;
}

static int tab_grow(worker *k)
{
	size_t n = k->tmask ? (k->tmask + 1) * 2 : 1024;
	uint32_t *t = calloc(n, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < k->nc; i++) {
		size_t j = spread(k->c[i].hash) & (n - 1);
		while (t[j])
			j = (j + 1) & (n - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(k->tab);
	k->tab = t;
	k->tmask = n - 1;
	return 0;
}

static int append(worker *k, uint64_t h);

/* Keep the state the world holds, of hash h, as a candidate of the next
 * level (or a lesser key for the one this thread has already). */
static int keep(worker *k, uint64_t h)
{
	int b = k->level & 1;
	if (k->x->o->audit)
		return append(k, h);    /* every copy: merge compares them */
	size_t j = spread(h) & k->tmask;
	for (; k->tab[j]; j = (j + 1) & k->tmask) {
		cand *c = &k->c[k->tab[j] - 1];
		if (c->hash != h)
			continue;
		if (!cand_less(c, k->parent, k->id)) {
			c->parent = k->parent;
			c->id = k->id;
			return delta_keep(k->x, k, b, &c->at);
		}
		return 0;
	}
	if (append(k, h) != 0)
		return -1;
	k->tab[j] = (uint32_t)k->nc;
	if (k->nc * 2 > k->tmask + 1 && tab_grow(k) != 0)
		return -1;
	return 0;
}

/* A new candidate: the state the world holds, of hash h. */
static int append(worker *k, uint64_t h)
{
	int b = k->level & 1;
	if (k->nc == k->capc) {
		size_t cap = k->capc ? k->capc * 2 : 256;
		if (over_budget(k->x, (cap - k->capc) * sizeof(cand)))
			return -1;
		cand *c = realloc(k->c, cap * sizeof *c);
		if (!c)
			return -1;
		k->c = c;
		k->capc = cap;
	}
	cand *c = &k->c[k->nc++];
	*c = (cand){ .hash = h, .parent = k->parent, .id = k->id };
	return delta_keep(k->x, k, b, &c->at);
}

/* Expand one state of the level: e. */
static int expand(worker *k, const entry *e)
{
	search *x = k->x;
	sim *s = &k->w->s;
	const uint64_t *from = x->wk[e->worker].snap[x->level & 1] + e->at;
	delta_load(x, k->w, from);
	uint32_t n = sim_enabled(s, k->ids, s->ntimers);
	if (n == 0) {
		check_end(k, x->level, e->index);
		return 0;
	}
	if (x->o->por) {
		uint32_t a = sim_ample(s, k->ids, n);
		k->ample += a < n;
		n = a;
	}
	if (x->o->depth && x->level >= x->o->depth) {
		k->depth_cut = 1;
		return 0;
	}
	k->level = x->level + 1;
	k->parent = e->index;
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			delta_load(x, k->w, from);
		k->id = k->ids[i];
		k->transitions++;
		sim_fire(s, k->id);
		check_state(k);
		fold(k);
		uint64_t h = world_state_hash(k->w, k->scratch);
		if (x->selftest)
			h &= 4095;      /* 4,096 states at most: distinct states merge */
		if (x->direct) {
			/* one thread: the first to meet a state has its least key
			 * (parents in order, each one's transitions in id order),
			 * and it goes straight into the set */
			if (set_full(x))
				return -1;
			int fresh = visited_add(&x->v, h);
			if (fresh < 0 || (fresh && append(k, h) != 0))
				return -1;
		} else if (!visited_has(&x->v, h)) {
			k->fresh++;
			if (keep(k, h) != 0)
				return -1;
		}
	}
	return 0;
}

static void *work(void *arg)
{
	worker *k = arg;
	search *x = k->x;
	for (;;) {
		uint64_t i = ck_pr_faa_64(&x->next, CHUNK);
		if (i >= x->nfront || ck_pr_load_int(&x->failed))
			break;
		uint64_t end = i + CHUNK < x->nfront ? i + CHUNK : x->nfront;
		for (; i < end; i++)
			if (expand(k, &x->front[i]) != 0) {
				ck_pr_store_int(&x->failed, 1);
				return NULL;
			}
	}
	return NULL;
}

/* ---- the levels ---- */


static void progress(const search *x, int last)
{
	const check_result *r = x->r;
	double secs = check_wall() - x->t0, rate = secs > 0 ? (double)r->states / secs : 0.0;
	if (last)
		fprintf(stderr, "\rcheck fix=%s: %llu states, %llu transitions, max depth %llu, %.0f "
			"states/s, %.1f s\n", scn_fix_name(r->fix), (unsigned long long)r->states,
			(unsigned long long)r->transitions, (unsigned long long)r->max_depth, rate, secs);
	else
		fprintf(stderr, "\rcheck fix=%s: depth %u, %llu states (%zu at this depth), %llu "
			"transitions, %.0f states/s   ", scn_fix_name(r->fix), x->level + 1,
			(unsigned long long)r->states, x->nfront, (unsigned long long)r->transitions,
			rate);
}

/* A level's node array, of n states. */
static node *add_level(search *x, uint64_t n)
{
	if (x->nlevels == x->cap_levels) {
		uint32_t cap = x->cap_levels ? x->cap_levels * 2 : 64;
		node **l = realloc(x->nodes, cap * sizeof *l);
		if (!l)
			return NULL;
		x->nodes = l;
		uint64_t *wd = realloc(x->width, cap * sizeof *wd);
		if (!wd)
			return NULL;
		x->width = wd;
		x->cap_levels = cap;
	}
	node *l = malloc((n ? n : 1) * sizeof *l);
	if (!l)
		return NULL;
	x->nodes[x->nlevels] = l;
	x->width[x->nlevels++] = n;
	return l;
}

/* A candidate in the merge: which thread's, and its key. */
struct mcand {
	uint64_t hash;
	uint32_t parent, id, worker;
	uint64_t at;
};
typedef struct mcand mcand;

#define DEAD UINT32_MAX           /* a candidate's worker: another has its state */

/* The transitions of candidate c's state and their successors' hashes
 * (the true hash, the local steps after each taken), into x's audit
 * arrays; returns how many.  In worker 0's world: merge's thread. */
static uint32_t successors(search *x, const mcand *c)
{
	world *w = x->wk[0].w;
	sim *s = &w->s;
	const uint64_t *d = x->wk[c->worker].snap[(x->level + 1) & 1] + c->at;
	delta_load(x, w, d);
	uint32_t n = sim_enabled(s, x->audit_ids, s->ntimers);
	if (x->o->por)
		n = sim_ample(s, x->audit_ids, n);
	for (uint32_t i = 0; i < n; i++) {
		delta_load(x, w, d);
		sim_fire(s, x->audit_ids[i]);
		uint32_t cpu;
		for (uint32_t k = 0; x->o->por && k < FOLD_MAX && (cpu = sim_local_step(s)) != SIM_NONE; k++)
			sim_fire(s, cpu);
		x->audit_h[i] = world_state_hash(w, x->wk[0].scratch) ^ x->audit_ids[i];
	}
	return n;
}

/* --check-audit: a and b, one state by its hash, met by two paths: the same
 * transitions, to the same states? */
static void audit_pair(search *x, const mcand *a, const mcand *b)
{
	uint32_t s = x->wk[0].w->s.ntimers;
	uint32_t na = successors(x, a);
	/* a's, moved to the arrays' second halves */
	memcpy(x->audit_ids + s, x->audit_ids, na * sizeof *x->audit_ids);
	memcpy(x->audit_h + s, x->audit_h, na * sizeof *x->audit_h);
	uint32_t nb = successors(x, b);
	x->r->audit_pairs++;
	x->r->audit_differ += na != nb || memcmp(x->audit_ids, x->audit_ids + s, na * sizeof *x->audit_ids) ||
			      memcmp(x->audit_h, x->audit_h + s, na * sizeof *x->audit_h);
}

/* Of the candidates m[0, n) with one hash, all but the least key DEAD. */
static int dedupe(search *x, size_t n)
{
	size_t size = 64;
	while (size < 2 * n)
		size *= 2;
	if (size > x->capd) {
		uint32_t *t = realloc(x->dtab, size * sizeof *t);
		if (!t)
			return -1;
		x->dtab = t;
		x->capd = size;
	}
	uint32_t *t = x->dtab;
	memset(t, 0, size * sizeof *t);
	mcand *m = x->m;
	for (size_t j = 0; j < n; j++) {
		size_t i = spread(m[j].hash) & (size - 1);
		for (; t[i]; i = (i + 1) & (size - 1)) {
			mcand *y = &m[t[i] - 1];
			if (y->hash != m[j].hash)
				continue;
			if (x->o->audit)
				audit_pair(x, y, &m[j]);
			if (y->parent < m[j].parent || (y->parent == m[j].parent && y->id < m[j].id)) {
				m[j].worker = DEAD;
			} else {
				y->worker = DEAD;
				t[i] = (uint32_t)j + 1;
			}
			break;
		}
		if (!t[i])
			t[i] = (uint32_t)j + 1;
	}
	return 0;
}

/* The candidates of every thread into the next level: its nodes, the
 * visited set, the front.  0, or -1 out of memory. */
static int merge(search *x)
{
	size_t n = 0;
	for (uint32_t i = 0; i < x->nw; i++)
		n += x->wk[i].nc;
	if (n > x->capm) {
		mcand *p = realloc(x->m, n * sizeof *p), *q = p ? realloc(x->sorted, n * sizeof *q) : NULL;
		if (p)
			x->m = p;
		if (!q)
			return -1;
		x->sorted = q;
		x->capm = n;
	}
	mcand *m = x->m;
	size_t at = 0;
	for (uint32_t i = 0; i < x->nw; i++)
		for (size_t j = 0; j < x->wk[i].nc; j++) {
			const cand *c = &x->wk[i].c[j];
			m[at++] = (mcand){ c->hash, c->parent, c->id, i, c->at };
		}
	/* one state met by several threads: the least key's */
	if ((x->nw > 1 || x->o->audit) && dedupe(x, n) != 0)
		return -1;
	/* in key order: by parent (counting), then by id within a parent */
	uint64_t width = x->width[x->level];
	if (width + 1 > x->capcount) {
		uint32_t *c = realloc(x->count, (width + 1) * sizeof *c);
		if (!c)
			return -1;
		x->count = c;
		x->capcount = width + 1;
	}
	uint32_t *count = x->count;
	memset(count, 0, (width + 1) * sizeof *count);
	size_t kept = 0;
	for (size_t j = 0; j < n; j++)
		if (m[j].worker != DEAD) {
			count[m[j].parent + 1]++;
			kept++;
		}
	for (uint64_t p = 0; p < width; p++)
		count[p + 1] += count[p];
	mcand *o = x->sorted;
	for (size_t j = 0; j < n; j++)
		if (m[j].worker != DEAD)
			o[count[m[j].parent]++] = m[j];
	/* now parent p's are [count[p - 1], count[p]): by id (a few each) */
	for (uint64_t p = 0, lo = 0; p < width; lo = count[p++])
		for (size_t j = lo + 1; j < count[p]; j++) {
			mcand y = o[j];
			size_t to = j;
			for (; to > lo && o[to - 1].id > y.id; to--)
				o[to] = o[to - 1];
			o[to] = y;
		}
	m = o;
	if (!x->direct) {
		/* the figures every run of this search has, whatever the threads did */
		uint64_t words = 0;
		for (size_t j = 0; j < kept; j++)
			words += delta_words(x->wk[m[j].worker].snap[(x->level + 1) & 1] + m[j].at);
		x->delta_bytes[(x->level + 1) & 1] = words * 8;
		x->det_rest = x->delta_bytes[0] + x->delta_bytes[1] +
			      kept * (2 * sizeof *m + sizeof(entry) + sizeof(node)) + (width + 1) * 4;
		for (uint32_t i = 0; i < x->nlevels; i++)
			x->det_rest += x->width[i] * sizeof(node);
	}
	node *l = add_level(x, kept);
	entry *f = kept > x->nfront ? realloc(x->front, kept * sizeof *f) : x->front;
	if (!l || !f)
		return -1;
	x->front = f;
	for (size_t j = 0; j < kept; j++) {
		if (!x->direct && (set_full(x) || visited_add(&x->v, m[j].hash) < 0))
			return -1;
		l[j] = (node){ m[j].parent, m[j].id };
		f[j] = (entry){ (uint32_t)j, m[j].worker, m[j].at };
	}
	x->nfront = kept;
	x->r->states += kept;
	uint64_t fixed = visited_bytes(&x->v) + x->capm * 2 * sizeof *m + x->capcount * 4 + x->capd * 4;
	for (uint32_t i = 0; i < x->nw; i++)
		fixed += (x->wk[i].tmask + 1) * 4;
	for (uint32_t i = 0; i < x->nlevels; i++)
		fixed += x->width[i] * sizeof(node);
	x->rest = fixed - visited_bytes(&x->v);
	if (fixed + x->grown > x->peak_bytes)
		x->peak_bytes = fixed + x->grown;
	if (!x->direct) {
		/* the next level, as this one went: its transitions to new
		 * states grow as the levels do, each a candidate with a delta
		 * as long as this level's on average, merged in two arrays */
		uint64_t prev = x->width[x->level] ? x->width[x->level] : 1;
		uint64_t cands = (uint64_t)((double)x->level_trans * (double)kept / (double)prev);
		uint64_t per = sizeof(cand) + 2 * sizeof *m + sizeof(node) + sizeof(entry) +
			       (kept ? x->delta_bytes[(x->level + 1) & 1] / kept : 0);
		if (visited_bytes(&x->v) + x->det_rest + cands * per > x->limit) {
			x->over = 1;
			return -1;
		}
	} else if (fixed + x->grown > x->limit) {
		x->over = 1;
		return -1;
	}
	return 0;
}

/* Expand the front (level x->level) on every thread, then merge. */
static int step_level(search *x)
{
	for (uint32_t i = 0; i < x->nw; i++) {
		worker *k = &x->wk[i];
		k->nc = 0;
		k->lensnap[(x->level + 1) & 1] = 0;
		if (k->tab)
			memset(k->tab, 0, (k->tmask + 1) * sizeof *k->tab);
		else if (tab_grow(k) != 0)
			return -1;
		k->level = x->level + 1;
	}
	x->next = 0;
	uint32_t started = 0;
	for (uint32_t i = 1; i < x->nw; i++, started++)
		if (pthread_create(&x->wk[i].th, NULL, work, &x->wk[i]) != 0)
			break;
	work(&x->wk[0]);
	for (uint32_t i = 1; i <= started; i++)
		pthread_join(x->wk[i].th, NULL);
	if (x->failed)
		return -1;
	check_result *r = x->r;
	x->level_trans = 0;
	for (uint32_t i = 0; i < x->nw; i++) {
		worker *k = &x->wk[i];
		x->level_trans += k->fresh;
		k->fresh = 0;
		r->transitions += k->transitions;
		r->folded += k->folded;
		r->terminals += k->terminals;
		r->ample += k->ample;
		r->depth_cut |= k->depth_cut;
		k->transitions = k->folded = k->terminals = k->ample = 0;
	}
	return merge(x);
}

/* --shard I/N: at the first depth with at least 8 N states (or the 64th),
 * shard I keeps every N-th of them from the I-th; above it every shard
 * searches the whole graph. */
static void split(search *x)
{
	const check_opts *o = x->o;
	if (!o->shards || x->r->front_depth || (x->nfront < 8u * o->shards && x->level < 64))
		return;
	x->r->front_depth = x->level;
	x->r->frontier = x->nfront;
	size_t kept = 0;
	for (size_t j = o->shard; j < x->nfront; j += o->shards)
		x->front[kept++] = x->front[j];
	x->nfront = kept;
}

/* A counterexample being rebuilt: the path so far. */
typedef struct rpath {
	world *w;
	uint32_t *p;
	size_t len, cap;
	int metric, at_end;
} rpath;

/* Fire id on the path; 1 when the path ends there (the invariant's
 * counter is set, and it is not the end's break), -1 out of memory. */
static int rfire(rpath *q, uint32_t id)
{
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		uint32_t *p = realloc(q->p, cap * sizeof *p);
		if (!p)
			return -1;
		q->p = p;
		q->cap = cap;
	}
	q->p[q->len++] = id;
	sim_fire(&q->w->s, id);
	return !q->at_end && q->w->g->m[q->metric] ? 1 : 0;
}

/* The local steps after a transition, as fold() fires them. */
static int rfold(const search *x, rpath *q)
{
	uint32_t cpu;
	int rc = 0;
	for (uint32_t n = 0; x->o->por && rc == 0 && n < FOLD_MAX &&
	     (cpu = sim_local_step(&q->w->s)) != SIM_NONE; n++)
		rc = rfire(q, cpu);
	return rc;
}

/* The path of key c: the transitions from the initial state, folded local
 * steps included, into r->cex[inv].  World w is the search's; it is reset. */
static int rebuild(search *x, world *w, int inv, const cexkey *c)
{
	uint32_t nt = c->level;
	uint32_t *t = malloc((nt ? nt : 1) * sizeof *t);
	if (!t)
		return -1;
	if (nt) {
		t[nt - 1] = c->id;
		for (uint32_t l = nt - 1, at = c->parent; l > 0; l--) {
			const node *n = &x->nodes[l][at];
			t[l - 1] = n->id;
			at = n->parent;
		}
	}
	world_reset(w);
	rpath q = { .w = w, .metric = check_inv_metric(inv), .at_end = (int)c->at_end };
	int rc = rfold(x, &q);
	for (uint32_t i = 0; i < nt && rc == 0; i++)
		if ((rc = rfire(&q, t[i])) == 0)
			rc = rfold(x, &q);
	free(t);
	if (rc >= 0 && !q.p)
		q.p = malloc(sizeof *q.p);      /* an end state with no step before it */
	if (rc < 0 || !q.p) {
		free(q.p);
		return -1;
	}
	x->r->cex[inv] = q.p;
	x->r->cex_len[inv] = (uint32_t)q.len;
	x->r->cex_depth[inv] = c->level;
	return 0;
}

static int worker_init(search *x, worker *k)
{
	char err[SCN_ERR_MAX];
	k->x = x;
	k->w = world_new(x->f, x->r->fix, err, sizeof err);
	if (!k->w) {
		fprintf(stderr, "%s\n", err);
		return -2;
	}
	world_untimed(k->w);
	k->scratch = malloc(world_scratch_bytes(k->w) + 1);
	k->ids = malloc(((size_t)k->w->s.ntimers + 1) * sizeof *k->ids);
	return k->scratch && k->ids ? 0 : -1;
}

static void worker_free(worker *k)
{
	if (k->w)
		world_delete(k->w);
	free(k->scratch);
	free(k->ids);
	free(k->c);
	free(k->snap[0]);
	free(k->snap[1]);
	free(k->tab);
}

/* The root: the initial state and its local steps, level 0. */
static int root(search *x)
{
	worker *k = &x->wk[0];
	k->level = 0;
	k->parent = k->id = NO_NODE;
	fold(k);
	check_state(k);
	x->r->folded += k->folded;
	k->folded = 0;
	node *l = add_level(x, 1);
	x->front = malloc(sizeof *x->front);
	size_t all = (k->w->s.ar.size + 63) / 64 * 8;   /* the block, in words */
	x->root = malloc(all * 8);
	if (!l || !x->front || !x->root || visited_add(&x->v, world_state_hash(k->w, k->scratch)) < 0)
		return -1;
	memcpy(x->root, k->w->s.ar.base, all * 8);
	l[0] = (node){ NO_NODE, NO_NODE };
	x->front[0] = (entry){ 0, 0, 0 };
	if (delta_keep(x, k, 0, &x->front[0].at) != 0)
		return -1;
	x->nfront = 1;
	x->r->states = 1;
	return 0;
}

static int run(search *x)
{
	int tty = isatty(2), rc = 0;
	check_result *r = x->r;
	if (root(x) != 0)
		return -1;
	for (x->level = 0; x->nfront; x->level++) {
		split(x);
		r->max_depth = x->level;
		if ((rc = step_level(x)) != 0)
			break;
		if (tty && x->nfront)
			progress(x, 0);
	}
	if (tty)
		progress(x, 1);
	/* the counterexamples met, even when memory cut the search: each is
	 * a path of the graph */
	for (int i = 0; i < CI_COUNT; i++) {
		cexkey best = { 0 };
		for (uint32_t j = 0; j < x->nw; j++)
			if (x->wk[j].best[i].set && cexkey_less(&x->wk[j].best[i], &best))
				best = x->wk[j].best[i];
		if (best.set && rebuild(x, x->wk[0].w, i, &best) != 0)
			return -1;
	}
	return rc;
}


int check_variant(const scn_file *f, int fix, const check_opts *o, check_result *r)
{
	if (o->dfs)
		return check_dfs(f, fix, o, r);
	memset(r, 0, sizeof *r);
	r->fix = fix;
	search x = { .f = f, .o = o, .r = r, .nw = o->jobs ? o->jobs : 1, .t0 = check_wall() };
	/* (bitstate keeps the two-phase way with one thread too: an add
	 * during the level could hide a later state of the level by sharing
	 * its bits, where -j 2 would not) */
	x.direct = x.nw == 1 && !o->bitstate && !o->audit;
	x.selftest = check_selftest();
	x.limit = check_memory_limit(o);
	x.wk = calloc(x.nw, sizeof *x.wk);
	int rc = x.wk ? 0 : -1;
	for (uint32_t i = 0; i < x.nw && rc == 0; i++)
		rc = worker_init(&x, &x.wk[i]);
	if (rc == -2) {
		r->error = 2;
	} else {
		if (rc == 0) {
			/* in words: the arena's block is 64-byte aligned and
			 * sized; what the rounding takes in is never read */
			x.nseg = sim_snapshot_segments(&x.wk[0].w->s, x.seg);
			for (uint32_t i = 0; i < x.nseg; i++) {
				x.seg[i].lo /= 8;
				x.seg[i].hi = (x.seg[i].hi + 7) / 8;
				x.words += x.seg[i].hi - x.seg[i].lo;
			}
			if (rc == 0 && o->audit) {
				size_t nt = (size_t)x.wk[0].w->s.ntimers + 1;
				x.audit_ids = malloc(2 * nt * sizeof *x.audit_ids);
				x.audit_h = malloc(2 * nt * sizeof *x.audit_h);
				rc = x.audit_ids && x.audit_h ? 0 : -1;
			}
			if (rc == 0)
				rc = visited_init(&x.v, o->bitstate) != 0 ? -1 : run(&x);
		}
		check_conclude(r, rc != 0, x.over, x.limit, visited_omission(&x.v));
	}
	r->bytes = x.peak_bytes;
	visited_free(&x.v);
	for (uint32_t i = 0; x.wk && i < x.nw; i++)
		worker_free(&x.wk[i]);
	free(x.wk);
	for (uint32_t i = 0; i < x.nlevels; i++)
		free(x.nodes[i]);
	free(x.nodes);
	free(x.width);
	free(x.front);
	free(x.root);
	free(x.audit_ids);
	free(x.audit_h);
	free(x.m);
	free(x.sorted);
	free(x.count);
	free(x.dtab);
	return 0;
}
