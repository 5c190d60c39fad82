/* merge.c - `sim merge`: shards' exploration reports into the report of the
 * whole search; see merge.h. */
#include "merge.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "explore_internal.h"
#include "explore_report.h"
#include "json.h"
#include "jsonread.h"

#define REPORT_MAX (64u << 20)  /* a shard's report is a few hundred bytes a variant */

typedef struct shard_rep {
	const char *path;
	jnode *root;
	const char *scenario, *version;
	uint64_t seed, total;
	uint32_t index, count;
	int nvar;
	xvariant v[SCN_FIX_COUNT];
} shard_rep;

/* "PATH:LINE:COL: error: MESSAGE" on stderr (at n, or 1:1); returns 2. */
static int merr(const char *path, const jnode *n, const char *fmt, ...)
{
	fprintf(stderr, "%s:%u:%u: error: ", path, n ? n->line : 1, n ? n->col : 1);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static int get_u64(const char *path, const jnode *o, const char *key, uint64_t *out)
{
	const jnode *m = json_get(o, key);
	if (!m || m->type != J_NUMBER || !m->is_u64)
		return merr(path, m ? m : o, "expected \"%s\": a non-negative integer", key);
	*out = m->u64;
	return 0;
}

static int get_u32(const char *path, const jnode *o, const char *key, uint32_t *out)
{
	uint64_t v = 0;
	const jnode *m = json_get(o, key);
	if (get_u64(path, o, key, &v) != 0)
		return 2;
	if (v > UINT32_MAX)
		return merr(path, m, "\"%s\" %" PRIu64 " is out of range", key, v);
	*out = (uint32_t)v;
	return 0;
}

/* The string member key, one of names[0..n) (n 0: any); *out its index. */
static int get_str(const char *path, const jnode *o, const char *key, const char *const *names, int n,
		   const char **s, int *out)
{
	const jnode *m = json_get(o, key);
	if (!m || m->type != J_STRING)
		return merr(path, m ? m : o, "expected \"%s\": a string", key);
	*s = m->str;
	for (int i = 0; i < n; i++)
		if (!strcmp(m->str, names[i])) {
			*out = i;
			return 0;
		}
	return n ? merr(path, m, "unknown \"%s\" '%s'", key, m->str) : 0;
}

/* The "invariants" object into v->t (counts and first runs). */
static int read_invariants(const char *path, const jnode *inv, xvariant *v)
{
	if (!inv || inv->type != J_OBJECT)
		return merr(path, inv, "expected \"invariants\": an object");
	for (const jnode *m = inv->child; m; m = m->next) {
		int k = 0;
		while (k < XK_COUNT && strcmp(m->key, explore_kind_name(k)))
			k++;
		uint64_t seed = 0;
		if (k == XK_COUNT)
			return merr(path, m, "unknown invariant \"%s\"", m->key);
		if (get_u64(path, m, "runs", &v->t.count[k]) || get_u64(path, m, "first_run", &v->t.first_of[k]) ||
		    get_u64(path, m, "first_seed", &seed))
			return 2;
		if (seed != explore_run_seed(v->base, v->t.first_of[k]))
			return merr(path, m, "\"first_seed\" is not run %" PRIu64 "'s seed", v->t.first_of[k]);
	}
	return 0;
}

/* The failing runs of a variant that has some: first, smallest, replay. */
static int read_failing(const char *path, const jnode *o, xvariant *v)
{
	const jnode *first = json_get(o, "first"), *small = json_get(o, "smallest");
	uint64_t seed = 0, seed2 = 0;
	const char *replay = NULL;
	int any;
	if (get_u64(path, first, "run", &v->t.first) || get_u64(path, first, "seed", &seed) ||
	    get_u64(path, small, "run", &v->t.small) || get_u64(path, small, "seed", &seed2) ||
	    get_u64(path, small, "events", &v->t.small_events) ||
	    get_str(path, o, "replay", NULL, 0, &replay, &any))
		return 2;
	if (seed != explore_run_seed(v->base, v->t.first) || seed2 != explore_run_seed(v->base, v->t.small))
		return merr(path, first, "a \"seed\" is not its run's seed");
	snprintf(v->replay, sizeof v->replay, "%s", replay);
	return 0;
}

static int read_variant(const char *path, const jnode *o, xvariant *v)
{
	static const char *const strategies[] = { "random", "pct" }, *const orders[] = { "fifo", "random" };
	const char *s;
	const jnode *u = json_get(o, "unperturbed");
	if (o->type != J_OBJECT)
		return merr(path, o, "expected a variant's object");
	if (get_str(path, o, "fix", scn_fix_names.names, SCN_FIX_COUNT, &s, &v->fix) ||
	    get_u64(path, o, "runs", &v->runs) || get_str(path, o, "strategy", strategies, 2, &s, &v->pct) ||
	    get_u32(path, o, "depth", &v->depth) || get_u64(path, o, "stall_max_ns", &v->stall_max) ||
	    get_u32(path, o, "irqs", &v->irqs) || get_u64(path, o, "irq_max_ns", &v->irq_max) ||
	    get_u32(path, o, "jitter_pct", &v->jitter) || get_str(path, o, "order", orders, 2, &s, &v->spin_random) ||
	    get_u64(path, u, "steps", &v->steps) || get_u64(path, u, "ns", &v->horizon) ||
	    get_u64(path, o, "violating", &v->t.failing) || read_invariants(path, json_get(o, "invariants"), v))
		return 2;
	if (json_get(o, "shrunk"))
		return merr(path, json_get(o, "shrunk"), "a report made with --shrink does not merge");
	if (v->t.failing > v->runs)
		return merr(path, o, "more violating runs than runs");
	return v->t.failing ? read_failing(path, o, v) : 0;
}

/* The shard's "shard" object, or shard 0 of 1 of a whole report. */
static int read_shard(shard_rep *r, const jnode *sh)
{
	if (!sh) {
		r->index = 0;
		r->count = 1;
		r->total = r->nvar ? r->v[0].runs : 0;
		r->version = "";
		return 0;
	}
	int any;
	if (get_u32(r->path, sh, "index", &r->index) || get_u32(r->path, sh, "count", &r->count) ||
	    get_u64(r->path, sh, "runs", &r->total) ||
	    get_str(r->path, sh, "version", NULL, 0, &r->version, &any))
		return 2;
	if (r->count < 1 || r->index >= r->count)
		return merr(r->path, sh, "shard %u of %u does not exist", r->index, r->count);
	return 0;
}

static int read_report(shard_rep *r)
{
	const jnode *root = r->root, *x = json_get(root, "explore");
	int any;
	if (!root || root->type != J_OBJECT)
		return merr(r->path, root, "expected a report of `sim FILE --explore N --shard I/N --json`");
	if (!x) {
		const jnode *other = root->child;
		return merr(r->path, root, "not an exploration report (its first key is \"%s\"): "
			    "--explore and --check reports merge, each with its kind",
			    other && other->key ? other->key : "");
	}
	if (get_str(r->path, root, "scenario", NULL, 0, &r->scenario, &any) ||
	    get_u64(r->path, root, "seed", &r->seed))
		return 2;
	if (x->type != J_ARRAY || !x->child)
		return merr(r->path, x, "expected \"explore\": an array of variants");
	for (const jnode *e = x->child; e; e = e->next) {
		if (r->nvar == SCN_FIX_COUNT)
			return merr(r->path, e, "more than %d variants", SCN_FIX_COUNT);
		r->v[r->nvar].base = r->seed;
		if (read_variant(r->path, e, &r->v[r->nvar]))
			return 2;
		r->nvar++;
	}
	if (read_shard(r, json_get(root, "shard")))
		return 2;
	uint64_t want = r->total * (r->index + 1) / r->count - r->total * r->index / r->count;
	for (int i = 0; i < r->nvar; i++)
		if (r->v[i].runs != want)
			return merr(r->path, x, "shard %u/%u of %" PRIu64 " runs has %" PRIu64 " runs, not %" PRIu64,
				    r->index, r->count, r->total, r->v[i].runs, want);
	return 0;
}

jnode *merge_read_json(const char *path, int *rc)
{
	FILE *in = fopen(path, "rb");
	if (!in) {
		*rc = merr(path, NULL, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = malloc(REPORT_MAX);
	size_t len = buf ? fread(buf, 1, REPORT_MAX, in) : 0;
	int bad = ferror(in) || !feof(in);
	fclose(in);
	if (!buf) {
		fputs("sim: out of memory\n", stderr);
		*rc = 3;
		return NULL;
	}
	char err[256];
	if (bad) {
		free(buf);
		*rc = merr(path, NULL, "cannot read it (or it is over %u bytes)", REPORT_MAX);
		return NULL;
	}
	jnode *root = json_parse(buf, len, err, sizeof err);
	free(buf);
	if (!root) {
		fprintf(stderr, "%s:%s\n", path, err);       /* err: "LINE:COL: error: MESSAGE" */
		*rc = 2;
	}
	return root;
}

static int load_report(shard_rep *r)
{
	int rc = 0;
	r->root = merge_read_json(r->path, &rc);
	return r->root ? read_report(r) : rc;
}

/* Do r and the first report a describe one search?  0, or 2 told. */
static int same_search(const shard_rep *a, const shard_rep *r)
{
	const char *what = strcmp(a->scenario, r->scenario) ? "scenario" : a->seed != r->seed ? "seed" :
			   a->count != r->count ? "shard count" : a->total != r->total ? "number of runs" :
			   strcmp(a->version, r->version) ? "program version" : a->nvar != r->nvar ? "variants" : NULL;
	for (int i = 0; !what && i < a->nvar; i++) {
		const xvariant *x = &a->v[i], *y = &r->v[i];
		if (x->fix != y->fix || x->pct != y->pct || x->depth != y->depth || x->irqs != y->irqs ||
		    x->jitter != y->jitter || x->stall_max != y->stall_max || x->irq_max != y->irq_max ||
		    x->spin_random != y->spin_random || x->steps != y->steps || x->horizon != y->horizon)
			what = "bounds (fix, strategy, depth, stall_max, irqs, irq_max, jitter, order or the unperturbed run)";
	}
	if (!what)
		return 0;
	return merr(r->path, r->root, "its %s differs from %s's: reports of different searches do not merge",
		    what, a->path);
}

/* Fold shard r into the merged variants m (first shard: a copy). */
static void fold(xvariant *m, const shard_rep *r, int first)
{
	for (int i = 0; i < r->nvar && i < SCN_FIX_COUNT; i++) {     /* m has SCN_FIX_COUNT */
		if (first) {
			m[i] = r->v[i];
			continue;
		}
		uint64_t small = m[i].t.small;
		m[i].runs += r->v[i].runs;
		xtally_merge(&m[i].t, &r->v[i].t);
		if (m[i].t.small != small)
			memcpy(m[i].replay, r->v[i].replay, sizeof m[i].replay);
	}
}

/* Each shard once: a repeat with the same content is dropped (told), with
 * other content refused; then every shard must be there.  0, or 2. */
static int dedupe(shard_rep *r, int *n, unsigned char *seen)
{
	int k = 0;
	for (int i = 0; i < *n; i++) {
		int dup = -1;
		for (int j = 0; j < k && dup < 0; j++)
			if (r[j].index == r[i].index)
				dup = j;
		if (dup < 0) {
			seen[r[i].index] = 1;
			r[k++] = r[i];
			continue;
		}
		if (memcmp(r[dup].v, r[i].v, sizeof r[i].v))
			return merr(r[i].path, r[i].root, "shard %u/%u again, with other results than in %s",
				    r[i].index, r[i].count, r[dup].path);
		fprintf(stderr, "sim merge: %s repeats shard %u/%u of %s: counted once\n", r[i].path, r[i].index,
			r[i].count, r[dup].path);
		json_free(r[i].root);
	}
	*n = k;
	uint32_t missing = 0;
	for (uint32_t s = 0; s < r[0].count; s++)
		if (!seen[s] && missing++ < 8)
			fprintf(stderr, "%s shard %u/%u", missing == 1 ? "sim merge: missing" : ",", s, r[0].count);
	if (missing)
		fprintf(stderr, "%s: a merged report covers every run\n", missing > 8 ? ", ..." : "");
	return missing ? 2 : 0;
}

static void print_merged(FILE *out, const shard_rep *a, const xvariant *m)
{
	fputs("{\"scenario\": ", out);
	json_string(out, a->scenario);
	fprintf(out, ", \"seed\": %" PRIu64 ", \"explore\": [", a->seed);
	for (int i = 0; i < a->nvar; i++) {
		fputs(i ? ", " : "", out);
		xvariant_json(out, &m[i]);
		fputc('}', out);
	}
	fputs("]}\n", out);
}

/* Read and check every report into r[0..argc): 0, or an exit status. */
static int load_all(int argc, char **argv, shard_rep *r)
{
	for (int i = 0; i < argc; i++) {
		r[i].path = argv[i];
		int rc = load_report(&r[i]);
		if (!rc && i)
			rc = same_search(&r[0], &r[i]);
		if (rc)
			return rc;
	}
	return 0;
}

int merge_main(int argc, char **argv, FILE *out)
{
	if (argc < 1) {
		fputs("sim merge: no report given (usage: sim merge REPORT.json...)\n", stderr);
		return 2;
	}
	int crc = 0;
	jnode *first = merge_read_json(argv[0], &crc);
	if (!first)
		return crc;
	int is_check = first->type == J_OBJECT && json_get(first, "check") != NULL;
	json_free(first);
	if (is_check)
		return merge_check(argc, argv, out);    /* merge_check.c */
	shard_rep *r = calloc((size_t)argc, sizeof(*r));
	if (!r) {
		fputs("sim: out of memory\n", stderr);
		return 3;
	}
	int n = argc, rc = load_all(argc, argv, r);
	unsigned char *seen = rc ? NULL : calloc(r[0].count, 1);
	if (!rc && !seen)
		rc = 3;
	if (!rc)
		rc = dedupe(r, &n, seen);
	if (!rc) {
		xvariant m[SCN_FIX_COUNT];
		memset(m, 0, sizeof m);
		for (int i = 0; i < n; i++)
			fold(m, &r[i], i == 0);
		print_merged(out, &r[0], m);
		for (int i = 0; i < r[0].nvar; i++)
			if (m[i].t.failing)
				rc = 1;
	}
	for (int i = 0; i < n; i++)
		json_free(r[i].root);
	free(seen);
	free(r);
	return rc;
}
