/* merge_check.c - `sim merge` of `--check --shard I/N --json` reports; see
 * merge.h and check.h. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "jsonread.h"
#include "merge.h"

/* One shard's report. */
typedef struct cshard {
	const char *path;
	jnode *root;
	const jnode *variants;      /* the "check" array */
	const char *scenario, *version;
	uint64_t seed;
	uint32_t index, count;
} cshard;

static int cerr(const char *path, const jnode *n, const char *what)
{
	fprintf(stderr, "%s:%u:%u: error: %s\n", path, n ? n->line : 1, n ? n->col : 1, what);
	return 2;
}

static const jnode *member(const jnode *o, const char *key, int type)
{
	const jnode *m = o && o->type == J_OBJECT ? json_get(o, key) : NULL;
	return m && (m->type == type || (type == J_TRUE && m->type == J_FALSE)) ? m : NULL;
}

static uint64_t u64_of(const jnode *o, const char *key)
{
	const jnode *m = member(o, key, J_NUMBER);
	return m && m->is_u64 ? m->u64 : 0;
}

/* Read shard r: 0, or an exit status (told). */
static int load(cshard *r)
{
	int rc = 0;
	r->root = merge_read_json(r->path, &rc);
	if (!r->root)
		return rc;
	const jnode *sc = member(r->root, "scenario", J_STRING), *sh = member(r->root, "shard", J_OBJECT);
	const jnode *ver = member(sh, "version", J_STRING), *idx = member(sh, "index", J_NUMBER);
	const jnode *cnt = member(sh, "count", J_NUMBER), *seed = member(r->root, "seed", J_NUMBER);
	r->variants = member(r->root, "check", J_ARRAY);
	if (!sc || !r->variants || !r->variants->child)
		return cerr(r->path, r->root, "expected a report of `sim FILE --check --shard I/N --json`");
	if (!sh || !ver || !idx || !cnt || !seed || !idx->is_u64 || !cnt->is_u64 || !seed->is_u64 ||
	    cnt->u64 < 1 || cnt->u64 > 1000000 || idx->u64 >= cnt->u64)
		return cerr(r->path, sh ? sh : r->root, "expected \"seed\" and \"shard\": {\"index\": I, "
			    "\"count\": N, \"version\": V} with 0 <= I < N: a report made with --shard");
	r->scenario = sc->str;
	r->version = ver->str;
	r->seed = seed->u64;
	r->index = (uint32_t)idx->u64;
	r->count = (uint32_t)cnt->u64;
	for (const jnode *v = r->variants->child; v; v = v->next)
		if (!member(v, "fix", J_STRING) || !member(v, "invariants", J_OBJECT) ||
		    !member(v, "complete", J_TRUE) || !member(v, "visited", J_STRING))
			return cerr(r->path, v, "expected a variant's object (fix, complete, visited, "
				    "invariants, ...)");
	return 0;
}

static int nvariants(const cshard *r)
{
	int n = 0;
	for (const jnode *v = r->variants->child; v; v = v->next)
		n++;
	return n;
}

static const jnode *variant(const cshard *r, int i)
{
	const jnode *v = r->variants->child;
	while (v && i--)
		v = v->next;
	return v;
}

/* A variant's "por": was the search reduced? */
static int por(const jnode *v)
{
	const jnode *p = member(v, "por", J_TRUE);
	return p && p->type == J_TRUE;
}

/* Do a and r describe parts of one search?  0, or 2 told. */
static int same(const cshard *a, const cshard *r)
{
	const char *what = strcmp(a->scenario, r->scenario) ? "scenario" : a->seed != r->seed ? "seed"
			   : a->count != r->count ? "shard count"
			   : strcmp(a->version, r->version) ? "program version"
			   : nvariants(a) != nvariants(r) ? "variants" : NULL;
	for (int i = 0; !what && i < nvariants(a); i++) {
		const jnode *x = variant(a, i), *y = variant(r, i);
		if (strcmp(member(x, "fix", J_STRING)->str, member(y, "fix", J_STRING)->str) ||
		    strcmp(member(x, "visited", J_STRING)->str, member(y, "visited", J_STRING)->str) ||
		    u64_of(x, "split_depth") != u64_of(y, "split_depth") || por(x) != por(y))
			what = "variants or bounds (fix, visited set, split depth, por)";
	}
	if (!what)
		return 0;
	char msg[256];
	snprintf(msg, sizeof msg, "its %s differs from %s's: reports of different searches do not merge",
		 what, a->path);
	return cerr(r->path, r->root, msg);
}

/* One variant of the merged report, from every shard's i-th. */
static int print_variant(FILE *out, const cshard *r, int n, int i)
{
	const jnode *v0 = variant(&r[0], i);
	uint64_t states = 0, trans = 0, depth = 0, ends = 0, folded = 0, ample = 0;
	int complete = 1, bad = 0;
	double omission = 0;
	for (int k = 0; k < n; k++) {
		const jnode *v = variant(&r[k], i), *om = member(v, "omission_probability", J_NUMBER);
		states += u64_of(v, "states");
		trans += u64_of(v, "transitions");
		ends += u64_of(v, "ends");
		folded += u64_of(v, "folded");
		ample += u64_of(v, "ample");
		if (u64_of(v, "max_depth") > depth)
			depth = u64_of(v, "max_depth");
		complete &= member(v, "complete", J_TRUE)->type == J_TRUE;
		/* any of the parts may miss a state: the sum bounds the chance */
		omission += om ? om->num : 0;
	}
	fprintf(out, "{\"fix\": ");
	json_string(out, member(v0, "fix", J_STRING)->str);
	fprintf(out, ", \"states\": %" PRIu64 ", \"transitions\": %" PRIu64 ", \"max_depth\": %" PRIu64
		", \"ends\": %" PRIu64 ", \"folded\": %" PRIu64 ", \"ample\": %" PRIu64
		", \"complete\": %s, \"visited\": ",
		states, trans, depth, ends, folded, ample, complete ? "true" : "false");
	json_string(out, member(v0, "visited", J_STRING)->str);
	fprintf(out, ", \"omission_probability\": %.3g, \"shards\": %d, \"invariants\": {", omission, n);
	const jnode *inv0 = member(v0, "invariants", J_OBJECT);
	int first = 1;
	for (const jnode *m = inv0->child; m; m = m->next, first = 0) {
		/* the shortest counterexample (depth, then transitions); ties: the
		 * lowest shard */
		const jnode *best = NULL;
		for (int k = 0; k < n; k++) {
			const jnode *x = member(member(variant(&r[k], i), "invariants", J_OBJECT), m->key, J_OBJECT);
			const jnode *h = member(x, "holds", J_TRUE);
			if (!h)
				return cerr(r[k].path, x, "an invariant of the first report is missing");
			if (h->type == J_FALSE &&
			    (!best || u64_of(x, "depth") < u64_of(best, "depth") ||
			     (u64_of(x, "depth") == u64_of(best, "depth") &&
			      u64_of(x, "transitions") < u64_of(best, "transitions"))))
				best = x;
		}
		fprintf(out, "%s", first ? "" : ", ");
		json_string(out, m->key);
		fprintf(out, ": {\"holds\": %s", best ? "false" : "true");
		bad |= best != NULL;
		const jnode *path = best ? member(best, "counterexample", J_ARRAY) : NULL;
		if (best) {
			fprintf(out, ", \"transitions\": %" PRIu64 ", \"depth\": %" PRIu64
				", \"counterexample\": [", u64_of(best, "transitions"), u64_of(best, "depth"));
			for (const jnode *p = path ? path->child : NULL; p; p = p->next) {
				fputs(p == path->child ? "" : ", ", out);
				json_string(out, p->type == J_STRING ? p->str : "?");
			}
			fputc(']', out);
			const jnode *file = member(best, "scenario_file", J_STRING);
			if (file) {
				fputs(", \"scenario_file\": ", out);
				json_string(out, file->str);
			}
			const jnode *form = member(best, "scenario_form", J_STRING);
			if (form) {
				fputs(", \"scenario_form\": ", out);
				json_string(out, form->str);
			}
		}
		fputc('}', out);
	}
	fprintf(out, "}, \"por\": %s}", por(v0) ? "true" : "false");
	return bad || !complete ? 1 : 0;
}

int merge_check(int argc, char **argv, FILE *out)
{
	cshard *r = calloc((size_t)argc, sizeof *r);
	if (!r) {
		fputs("sim: out of memory\n", stderr);
		return 3;
	}
	int rc = 0, n = 0;
	for (int i = 0; i < argc && !rc; i++) {
		r[n].path = argv[i];
		rc = load(&r[n]);
		if (!rc && n)
			rc = same(&r[0], &r[n]);
		if (rc) {
			json_free(r[n].root);
			break;
		}
		int dup = -1;
		for (int j = 0; j < n && dup < 0; j++)
			if (r[j].index == r[n].index)
				dup = j;
		if (dup >= 0) {
			/* the same part twice: counted once if it found the same */
			int differs = 0;
			for (int i = 0; i < nvariants(&r[n]) && !differs; i++) {
				const jnode *a = variant(&r[dup], i), *b = variant(&r[n], i);
				differs = u64_of(a, "states") != u64_of(b, "states") ||
					  u64_of(a, "transitions") != u64_of(b, "transitions");
			}
			if (differs) {
				char msg[256];
				snprintf(msg, sizeof msg, "shard %u/%u again, with other results than in %s",
					 r[n].index, r[n].count, r[dup].path);
				rc = cerr(r[n].path, r[n].root, msg);
				json_free(r[n].root);
				break;
			}
			fprintf(stderr, "sim merge: %s repeats shard %u/%u: counted once\n", r[n].path,
				r[n].index, r[n].count);
			json_free(r[n].root);
			continue;
		}
		n++;
	}
	if (!rc && (uint32_t)n != r[0].count) {
		fprintf(stderr, "sim merge: %d of %u shards given: the verdicts need every part\n", n,
			r[0].count);
		rc = 2;
	}
	if (!rc) {
		/* in shard order, whatever the order given */
		for (int a = 1; a < n; a++)
			for (int b = a; b > 0 && r[b - 1].index > r[b].index; b--) {
				cshard t = r[b];
				r[b] = r[b - 1];
				r[b - 1] = t;
			}
		fputs("{\"scenario\": ", out);
		json_string(out, r[0].scenario);
		fputs(", \"check\": [", out);
		for (int i = 0; i < nvariants(&r[0]) && rc != 2; i++) {
			fputs(i ? ", " : "", out);
			int v = print_variant(out, r, n, i);
			if (v > rc)
				rc = v;
		}
		fputs("]}\n", out);
	}
	for (int i = 0; i < n; i++)
		json_free(r[i].root);
	free(r);
	return rc;
}
