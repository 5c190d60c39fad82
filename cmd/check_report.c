/* check_report.c - what `--check` found, as text or JSON, with each
 * counterexample replayed step by step; see check.h. */
#include "check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "explore_report.h"
#include "json.h"
#include "oracle.h"
#include "untimed.h"
#include "world.h"

/* The oracle's story of each invariant (deadlock at an end may have none). */
static const int inv_story[CI_COUNT] = {
	STORY_OVERRUN, STORY_CORRUPT, STORY_PARTIAL, STORY_LOST, STORY_VIOLATION, STORY_DEADLOCK,
	STORY_LOCK_ORDER,
};

/* A trace sink that numbers the steps by transition: "  12 cpu1 softirq
 * tpacket_rcv:C frame=0" (text), or the same line as a JSON string. */
typedef struct cex_sink {
	trace_sink sink;
	FILE *out;
	const char *indent;
	uint32_t step;
	int json, first;
} cex_sink;

static void cex_event(trace_sink *self, const trace_event *e)
{
	cex_sink *k = (cex_sink *)self;
	char line[512];
	int used = snprintf(line, sizeof line, "%u cpu%u %s %s", k->step, e->cpu, e->ctx, e->label);
	for (uint32_t i = 0; i < e->nkv && used > 0 && (size_t)used < sizeof line; i++)
		used += snprintf(line + used, sizeof line - (size_t)used, " %s=%" PRId64,
				 e->key_name[e->kv[i].key], e->kv[i].val);
	if (k->json) {
		fputs(k->first ? "" : ", ", k->out);
		json_string(k->out, line);
	} else {
		fprintf(k->out, "%s%s\n", k->indent, line);
	}
	k->first = 0;
}

/* Replay r's counterexample of inv from the initial state, its steps told
 * on out; then (text) the oracle's story.  0, or -1 when it could not. */
static int replay(FILE *out, const scn_file *f, const check_result *r, int inv, int json)
{
	char err[SCN_ERR_MAX];
	world *w = world_new(f, r->fix, err, sizeof err);
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	cex_sink k = { .sink = { .event = cex_event }, .out = out, .indent = "      ", .json = json,
		       .first = 1 };
	w->s.trace = &k.sink;
	world_untimed(w);   /* resets: tracing is on from the first step */
	for (uint32_t i = 0; i < r->cex_len[inv]; i++) {
		k.step = i + 1;
		sim_fire(&w->s, r->cex[inv][i]);
	}
	if (sim_enabled(&w->s, NULL, 0) == 0)
		world_finish(w, w->s.g->stopped ? SIM_END_STOPPED : SIM_END_QUIET);
	int ok = w->g->m[check_inv_metric(inv)] != 0 ||
		 (inv == CI_DEADLOCK && world_waits_forever(w));
	if (!json && ok && w->story[inv_story[inv]].n) {
		fprintf(out, "    the oracle's story:\n");
		oracle_story_print(w, (enum story_kind)inv_story[inv], out, "      ");
	}
	world_delete(w);
	if (!ok)
		fprintf(stderr, "sim: --check fix=%s: the counterexample of %s did not replay\n",
			scn_fix_name(r->fix), check_inv_name(inv));
	return ok ? 0 : -1;
}

/* The replay form of r's counterexample of inv in *c: the scenario with
 * its path as `replay` steps.  0, or -1 (out of memory). */
static int replay_form(const scn_file *f, const check_result *r, int inv, scn_file *c)
{
	if (scn_clone(f, c) != 0)
		return -1;
	uint32_t ncpus = f->cpus;
	scn_step *steps = calloc(r->cex_len[inv] + 1, sizeof *steps);
	scn_expect *e = calloc(1, sizeof *e);
	if (!steps || !e) {
		free(steps);
		free(e);
		scn_free(c);
		return -1;
	}
	for (uint32_t i = 0; i < r->cex_len[inv]; i++) {
		/* the engine's timer ids (sim.h): CPU c's step is c, its
		 * held-back hardirq ncpus + c, then the models' timers */
		uint32_t id = r->cex[inv][i];
		steps[i].kind = id < ncpus ? SCN_STEP_CPU : id < 2 * ncpus ? SCN_STEP_IRQ : SCN_STEP_TIMER;
		steps[i].n = id < ncpus ? id : id < 2 * ncpus ? id - ncpus : id;
	}
	free(c->replay);
	c->replay = steps;
	c->nreplay = r->cex_len[inv];
	check_cex_expect(c, r->fix, inv, e);
	return 0;
}

/* --check-cex DIR: r's counterexample of inv as DIR/FIX-INV.scn: its timed
 * form (check_timed_cex) when there is one, else its replay form; the
 * file's path into buf, *timed which form, why (when not timed) why not.
 * 0, or -1 (said). */
static int write_cex(const scn_file *f, const check_result *r, int inv, const char *dir,
		     char *buf, size_t len, int *timed, char *why, size_t whylen)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "sim: --check-cex: cannot create %s: %s\n", dir, strerror(errno));
		return -1;
	}
	size_t dl = strlen(dir);
	const char *sep = dl && dir[dl - 1] == '/' ? "" : "/";   /* `cex/`: no `cex//` */
	snprintf(buf, len, "%s%s%s-%s.scn", dir, sep, scn_fix_name(r->fix), check_inv_name(inv));
	scn_file c;
	*timed = check_timed_cex(f, r, inv, &c, why, whylen) == 0;
	if (!*timed && replay_form(f, r, inv, &c) != 0) {
		fprintf(stderr, "sim: out of memory\n");
		return -1;
	}
	FILE *o = fopen(buf, "w");
	if (!o) {
		fprintf(stderr, "sim: --check-cex: cannot write %s: %s\n", buf, strerror(errno));
		scn_free(&c);
		return -1;
	}
	if (*timed)
		fprintf(o, "# The counterexample of %s that `sim %s --check` found for fix=%s,\n"
			"# %u transitions, as a timed run: each CPU is held by stalls until its\n"
			"# next step's turn and each packet arrives at its turn (a flow of several\n"
			"# packets is one flow a packet, NAME-K), so a plain run takes the path's\n"
			"# steps in the path's order.\n",
			check_inv_name(inv), f->path, scn_fix_name(r->fix), r->cex_len[inv]);
	else
		fprintf(o, "# The counterexample of %s that `sim %s --check` found for fix=%s: a\n"
			"# plain run of this file takes the same %u transitions of the untimed\n"
			"# graph (the replay lines), in order, then runs to its end.  (No timed\n"
			"# form: %s.)\n",
			check_inv_name(inv), f->path, scn_fix_name(r->fix), r->cex_len[inv], why);
	scn_write(o, &c);
	int bad = ferror(o);
	bad |= fclose(o) != 0;
	scn_free(&c);
	if (bad)
		fprintf(stderr, "sim: --check-cex: cannot write %s\n", buf);
	return bad ? -1 : 0;
}

static int text_variant(FILE *out, const scn_file *f, const check_result *r, const check_opts *o)
{
	fprintf(out, "check %s fix=%s: %" PRIu64 " states, %" PRIu64 " transitions, max depth %"
		PRIu64 ", %" PRIu64 " ends\n", f->name, scn_fix_name(r->fix), r->states,
		r->transitions, r->max_depth, r->terminals);
	if (o->por)
		fprintf(out, "  partial-order reduction: %" PRIu64 " local steps taken at once, their "
			"states not kept; %" PRIu64 " states expanded by one CPU's private transitions "
			"only (--check-por off: the full search)\n", r->folded, r->ample);
	if (o->shards)
		fprintf(out, "  shard %u/%u: the %" PRIu64 " states at depth %u dealt round-robin; this "
			"shard searched those numbered %u mod %u, and everything above\n", o->shard,
			o->shards, r->frontier, r->front_depth, o->shard, o->shards);
	if (r->complete && o->shards)
		fprintf(out, "  complete for its part (%s; omission probability %.3g): `sim merge` of "
			"every shard's --json gives the verdicts\n",
			o->bitstate ? "bitstate" : "hash compaction", r->omission);
	else if (r->complete)
		fprintf(out, "  complete: every interleaving within the bounds (%s; omission "
			"probability %.3g)\n", o->bitstate ? "bitstate" : "hash compaction", r->omission);
	else
		fprintf(out, "  INCOMPLETE: %s; a verdict \"holds\" covers only what was searched\n",
			r->over_limit ? "past --check-memory" : r->out_of_memory ? "out of memory"
									       : "--check-depth cut the search");
	if (o->audit && !r->audit_differ)
		fprintf(out, "  audit: %" PRIu64 " states met again at one depth by another path: the "
			"same successors\n", r->audit_pairs);
	else if (o->audit)
		fprintf(out, "  AUDIT FAILED: %" PRIu64 " of %" PRIu64 " states met again at one depth "
			"have other successors: the state hash misses something a step reads (a "
			"model's canon hook clears too much); no verdict can be trusted\n",
			r->audit_differ, r->audit_pairs);
	for (int k = 0; k < CI_COUNT; k++) {
		if (r->cex[k])
			fprintf(out, "  %-17s reachable (counterexample: %u transitions, depth %u)\n",
				check_inv_name(k), r->cex_len[k], r->cex_depth[k]);
		else
			fprintf(out, "  %-17s holds\n", check_inv_name(k));
	}
	for (int k = 0; k < CI_COUNT; k++) {
		if (!r->cex[k])
			continue;
		if (!o->quiet) {
			fprintf(out, "  counterexample: %s in %u transitions (step, cpu, context, label)\n",
				check_inv_name(k), r->cex_len[k]);
			if (replay(out, f, r, k, 0) != 0)
				return 3;
		}
		char path[4096], q[4200], why[512];
		int timed;
		if (o->cex_dir) {
			if (write_cex(f, r, k, o->cex_dir, path, sizeof path, &timed, why, sizeof why) != 0)
				return 3;
			fprintf(out, "    replay: sim %s\n", shell_quote(path, q, sizeof q));
			if (timed)
				fprintf(out, "    (a timed run: stall lines and arrival times force the path)\n");
			else
				fprintf(out, "    (replay steps: no timed form, %s)\n", why);
		}
	}
	return 0;
}

static int json_variant(FILE *out, const scn_file *f, const check_result *r, const check_opts *o)
{
	fprintf(out, "{\"fix\": \"%s\", \"states\": %" PRIu64 ", \"transitions\": %" PRIu64
		", \"max_depth\": %" PRIu64 ", \"ends\": %" PRIu64 ", \"folded\": %" PRIu64
		", \"ample\": %" PRIu64 ", \"complete\": %s, \"visited\": \"%s\", \"omission_probability\": %.3g, \"invariants\": {",
		scn_fix_name(r->fix), r->states, r->transitions, r->max_depth, r->terminals, r->folded, r->ample,
		r->complete ? "true" : "false", o->bitstate ? "bitstate" : "hash_compaction",
		r->omission);
	for (int k = 0; k < CI_COUNT; k++) {
		fprintf(out, "%s\"%s\": {\"holds\": %s", k ? ", " : "", check_inv_name(k),
			r->cex[k] ? "false" : "true");
		if (r->cex[k]) {
			fprintf(out, ", \"transitions\": %u, \"depth\": %u, \"counterexample\": [",
				r->cex_len[k], r->cex_depth[k]);
			if (replay(out, f, r, k, 1) != 0)
				return 3;
			fputc(']', out);
			char path[4096], why[512];
			int timed;
			if (o->cex_dir) {
				if (write_cex(f, r, k, o->cex_dir, path, sizeof path, &timed, why,
					      sizeof why) != 0)
					return 3;
				fputs(", \"scenario_file\": ", out);
				json_string(out, path);
				fprintf(out, ", \"scenario_form\": \"%s\"", timed ? "timed" : "replay");
			}
		}
		fputc('}', out);
	}
	fprintf(out, "}, \"por\": %s", o->por ? "true" : "false");
	if (o->audit)
		fprintf(out, ", \"audit\": {\"pairs\": %" PRIu64 ", \"differ\": %" PRIu64 "}",
			r->audit_pairs, r->audit_differ);
	if (o->shards)
		fprintf(out, ", \"split_depth\": %u, \"split_states\": %" PRIu64, r->front_depth,
			r->frontier);
	fputc('}', out);
	return 0;
}

int check_expect_failures(const scn_file *f, const check_result *r, int n, FILE *out)
{
	int failed = 0;
	for (size_t c = 0; c < f->nchecks; c++) {
		const scn_verdict *x = &f->checks[c];
		for (int i = 0; i < n; i++) {
			if (x->fix >= 0 && x->fix != r[i].fix)
				continue;
			for (int k = 0; k < CI_COUNT; k++) {
				int m = check_inv_metric(k);
				int want_reach = (x->reachable >> m) & 1, want_hold = (x->holds >> m) & 1;
				int reach = r[i].cex[k] != NULL;
				/* "holds" needs a complete search; "reachable" a path */
				int bad = (want_reach && !reach) ||
					  (want_hold && (reach || !r[i].complete));
				failed += bad;
				if (out && (want_reach || want_hold))
					fprintf(out, "%-7s check fix=%-12s %-17s %-10s (found: %s)  %s:%u\n",
						bad ? "FAILED" : "ok", scn_fix_name(r[i].fix),
						check_inv_name(k), want_reach ? "reachable" : "holds",
						reach ? "reachable" : r[i].complete ? "holds"
									 : "not found, incomplete",
						f->path, x->pos.line);
			}
		}
	}
	return failed;
}

int check_report(FILE *out, const scn_file *f, const check_result *r, int n, const check_opts *o)
{
	if (o->json) {
		fputs("{\"scenario\": ", out);
		json_string(out, f->name);
		if (o->shards)
			fprintf(out, ", \"seed\": %" PRIu64 ", \"shard\": {\"index\": %u, \"count\": %u, "
				"\"version\": \"%s\"}", f->seed, o->shard, o->shards, SIM_VERSION);
		fputs(", \"check\": [", out);
	}
	for (int i = 0; i < n; i++) {
		if (o->json && i)
			fputs(", ", out);
		int rc = o->json ? json_variant(out, f, &r[i], o) : text_variant(out, f, &r[i], o);
		if (rc)
			return rc;
	}
	if (o->json) {
		fputs("]}\n", out);
	} else if (f->nchecks) {
		fputc('\n', out);
		check_expect_failures(f, r, n, out);
	}
	return 0;
}
