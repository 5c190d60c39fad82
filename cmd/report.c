/* report.c - see report.h. */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "oracle.h"
#include "tpacket_v3.h"
#include "world.h"

const scn_labels *report_labels(void)
{
	static const char *names[256];
	static scn_labels l;
	if (!l.count) {
		size_t n = world_label_table(names, NULL, 256);
		l = (scn_labels){ names, n < 256 ? n : 256 };
	}
	return &l;
}

int report_variants(int fix, int out[SCN_FIX_COUNT])
{
	if (fix == SCN_FIX_ALL) {
		for (int i = 0; i < SCN_FIX_COUNT; i++)
			out[i] = i;
		return SCN_FIX_COUNT;
	}
	out[0] = fix;
	return 1;
}

/* What print writes about w, as a malloc'd string; NULL when it wrote
 * nothing (or out of memory). */
static char *text_of(const world *w, void (*print)(const world *w, FILE *m))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	print(w, m);
	fclose(m);
	if (len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_stories(const world *w, FILE *m)
{
	for (int k = 0; k < STORY_KINDS; k++) {
		if (!w->story[k].n)
			continue;
		fprintf(m, "  first %s\n", oracle_story_title((enum story_kind)k));
		oracle_story_print(w, (enum story_kind)k, m, "    ");
	}
}

/* {"cap": {"tp_packets": 101, ...}, ...}: each packet socket's figures. */
static void print_sockets(const world *w, FILE *m)
{
	fputc('{', m);
	const char *sep = "";
	for (uint32_t s = 0; s < w->scn->nsockets; s++) {
		world_stat st[WORLD_STATS_MAX];
		size_t n = world_socket_stats((world *)w, s, st);
		if (!n)
			continue;
		fputs(sep, m);
		json_string(m, w->scn->sockets[s].name);
		fputs(": {", m);
		for (size_t i = 0; i < n; i++)
			fprintf(m, "%s\"%s\": %" PRIu64, i ? ", " : "", st[i].name, st[i].v);
		fputc('}', m);
		sep = ", ";
	}
	fputc('}', m);
}

void report_capture(const world *w, int end, variant_result *r)
{
	r->fix = w->fix;
	r->end = end;
	memcpy(r->m, w->g->m, sizeof(r->m));
	r->events = w->s.g->events;
	r->stories = text_of(w, print_stories);
	r->sockets = text_of(w, print_sockets);
}

void report_result_free(variant_result *r)
{
	free(r->stories);
	free(r->sockets);
	r->stories = r->sockets = NULL;
}

int report_run_variant(const scn_file *f, int fix, trace_sink *trace, variant_result *r,
		       char *err, size_t errlen)
{
	world *w = malloc(sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return REPORT_ENOMEM;
	}
	/* world_build fails on what the engine's tables or `limit memory=`
	 * cannot hold (bad input), or for want of memory. */
	int brc = world_build(w, f, fix, err, errlen);
	if (brc != 0) {
		free(w);
		return brc == WORLD_ENOMEM ? REPORT_ENOMEM : REPORT_EINPUT;
	}
	w->s.trace = trace;
	int end = world_run(w);
	if (end == SIM_END_STUCK) {
		world_stuck_message(w, err, errlen);
		world_free(w);
		free(w);
		return REPORT_EINPUT;
	}
	if (end == SIM_END_EVENTS)
		fprintf(stderr, "sim: fix=%s: the run was cut after %" PRIu64 " events at %" PRIu64
			" ns (limit events=, see docs/scenarios.md)\n", scn_fix_name(fix),
			f->limit_events, w->s.g->now);
	report_capture(w, end, r);
	world_free(w);
	free(w);
	return 0;
}

int report_expect_holds(const scn_expect *e, uint64_t v)
{
	switch (e->op) {
	case SCN_EQ: return v == e->value;
	case SCN_NE: return v != e->value;
	case SCN_LT: return v < e->value;
	case SCN_LE: return v <= e->value;
	case SCN_GT: return v > e->value;
	case SCN_GE: return v >= e->value;
	}
	return 0;
}

static int applies(const scn_expect *e, int fix) { return e->fix < 0 || e->fix == fix; }

static int print_json(FILE *out, const scn_file *f, const variant_result *r, int n, uint64_t seed)
{
	int failed = 0;
	fputs("{\"scenario\": ", out);
	json_string(out, f->name);
	fprintf(out, ", \"seed\": %" PRIu64 ", \"variants\": [", seed);
	for (int i = 0; i < n; i++) {
		fprintf(out, "%s{\"fix\": \"%s\", \"metrics\": {", i ? ", " : "", scn_fix_name(r[i].fix));
		for (int m = 0; m < SCN_M_COUNT; m++)
			fprintf(out, "%s\"%s\": %" PRIu64, m ? ", " : "", scn_metric_name(m), r[i].m[m]);
		fprintf(out, "}, \"sockets\": %s", r[i].sockets ? r[i].sockets : "{}");
		fputs(", \"expect\": [", out);
		int first = 1;
		for (size_t e = 0; e < f->nexpects; e++) {
			const scn_expect *x = &f->expects[e];
			if (!applies(x, r[i].fix))
				continue;
			uint64_t v = r[i].m[x->metric];
			int ok = report_expect_holds(x, v);
			failed += !ok;
			fprintf(out, "%s{\"text\": ", first ? "" : ", ");
			json_string(out, x->text);
			fprintf(out, ", \"ok\": %s, \"value\": %" PRIu64 "}", ok ? "true" : "false", v);
			first = 0;
		}
		/* an event limit is a limit too; "limit_by" says which */
		int lim = r[i].end == SIM_END_LIMIT || r[i].end == SIM_END_EVENTS;
		fprintf(out, "], \"events\": %" PRIu64 ", \"end\": \"%s\"", r[i].events,
			lim ? "limit" : r[i].end == SIM_END_STOPPED ? "stopped" : "quiet");
		if (lim)
			fprintf(out, ", \"limit_by\": \"%s\"", r[i].end == SIM_END_LIMIT ? "time" : "events");
		fputc('}', out);
	}
	fputs("]}\n", out);
	return failed;
}

static void print_socket(FILE *out, const scn_socket *s)
{
	if (s->type == SCN_SOCK_PACKET && s->version == 3)
		fprintf(out, "  socket %-10s TPACKET_V3 ring, %u blocks of %u B (priv %u B), retire %u ms\n",
			s->name, s->blocks, s->block_size, s->priv,
			s->retire_ms ? s->retire_ms : v3_calc_retire_blk_tmo(s->block_size));
	else if (s->type == SCN_SOCK_PACKET)
		fprintf(out, "  socket %-10s TPACKET_V%d ring, %u frames of %u B\n", s->name, s->version,
			s->frames, s->frame_size);
	else
		fprintf(out, "  socket %-10s stream, rcvbuf %" PRIu64 " B, sndbuf %" PRIu64 " B\n", s->name,
			s->rcvbuf, s->sndbuf);
}

static void print_header(FILE *out, const scn_file *f, const variant_result *r, int n, uint64_t seed)
{
	fprintf(out, "scenario %s  (%s)\n", f->name, f->path);
	fprintf(out, "seed %" PRIu64 ", %u CPU%s, variant%s:", seed, f->cpus, f->cpus == 1 ? "" : "s",
		n == 1 ? "" : "s");
	for (int i = 0; i < n; i++)
		fprintf(out, " %s", scn_fix_name(r[i].fix));
	if (f->has_kernel)
		fprintf(out, "; kernel %u.%u", f->kernel / 1000, f->kernel % 1000);
	if (f->bugs) {
		fputs("; broken kernel:", out);
		for (int b = 0; b < scn_bug_names.count; b++)
			if (f->bugs & (1u << b))
				fprintf(out, " %s", scn_bug_names.names[b]);
	}
	fputc('\n', out);
	for (size_t i = 0; i < f->nsockets; i++)
		print_socket(out, &f->sockets[i]);
	for (size_t i = 0; i < f->nfanouts; i++) {
		const scn_fanout *g = &f->fanouts[i];
		fprintf(out, "  fanout %-10s PACKET_FANOUT_%s over", g->name,
			g->mode == SCN_FANOUT_HASH ? "HASH" : g->mode == SCN_FANOUT_LB ? "LB"
			: g->mode == SCN_FANOUT_CPU ? "CPU" : "ROLLOVER");
		for (uint32_t k = 0; k < g->nsockets; k++)
			fprintf(out, " %s", f->sockets[g->sockets[k]].name);
		fputs(g->flag_rollover ? ", PACKET_FANOUT_FLAG_ROLLOVER\n" : "\n", out);
	}
	for (size_t i = 0; i < f->nflows; i++) {
		const scn_flow *fl = &f->flows[i];
		fprintf(out, "  flow   %-10s cpu%u -> %s%s: %" PRIu64 " x %u B from %" PRIu64 " ns every %" PRIu64 " ns%s\n",
			fl->name, fl->cpu, fl->fanout ? "fanout " : "",
			fl->fanout ? f->fanouts[fl->fanout - 1].name : f->sockets[fl->socket].name, fl->count,
			fl->size, fl->at_ns, fl->every_ns,
			fl->source == SCN_SOURCE_LO ? ", sent on lo by a task on its CPU" : "");
	}
	for (size_t i = 0; i < f->nconsumers; i++)
		fprintf(out, "  reader %-10s cpu%u <- %s, ready when %s\n", f->consumers[i].name,
			f->consumers[i].cpu, f->sockets[f->consumers[i].socket].name,
			f->consumers[i].check == SCN_CHECK_USER_BIT ? "status & TP_STATUS_USER"
								  : "status != TP_STATUS_KERNEL (libpcap)");
	for (size_t i = 0; i < f->ntasks; i++) {
		const scn_task *t = &f->tasks[i];
		fprintf(out, "  task   %-10s cpu%u on %s:", t->name, t->cpu,
			t->socket == SCN_NO_SOCKET ? "no socket" : f->sockets[t->socket].name);
		for (size_t k = 0; k < t->nops; k++) {
			fprintf(out, "%s %s", k ? ";" : "", scn_op_name(t->ops[k].kind));
			if (t->ops[k].kind == SCN_OP_WORK || t->ops[k].kind == SCN_OP_SLEEP)
				fprintf(out, " %" PRIu64 "ns", t->ops[k].arg);
			else if (t->ops[k].kind >= SCN_OP_SPIN_LOCK)
				fprintf(out, " %s", f->locks[t->ops[k].arg].name);
		}
		if (t->repeat > 1)
			fprintf(out, " (x%" PRIu64 ")", t->repeat);
		fputc('\n', out);
	}
	for (size_t i = 0; i < f->nstalls; i++) {
		const scn_stall *s = &f->stalls[i];
		if (s->at_is_label)
			fprintf(out, "  stall  cpu%u for %" PRIu64 " ns right after its %" PRIu64 "%s %s\n", s->cpu,
				s->for_ns, s->nth, s->nth % 10 == 1 && s->nth % 100 != 11 ? "st" :
				s->nth % 10 == 2 && s->nth % 100 != 12 ? "nd" : s->nth % 10 == 3 && s->nth % 100 != 13 ? "rd" : "th",
				s->label);
		else
			fprintf(out, "  stall  cpu%u for %" PRIu64 " ns from %" PRIu64 " ns\n", s->cpu, s->for_ns,
				s->at_ns);
	}
}

int report_print(FILE *out, const scn_file *f, const variant_result *r, int n, const run_opts *o)
{
	uint64_t seed = f->seed;
	if (o->json)
		return print_json(out, f, r, n, seed);
	int failed = 0;
	if (!o->quiet) {
		print_header(out, f, r, n, seed);
		for (int i = 0; i < n; i++) {
			if (r[i].end == SIM_END_LIMIT)
				fprintf(out, "\nfix=%s: stopped at the time limit (%" PRIu64 " ns)\n",
					scn_fix_name(r[i].fix), f->limit_ns);
			if (r[i].end == SIM_END_EVENTS)
				fprintf(out, "\nfix=%s: stopped at the event limit (%" PRIu64 " events)\n",
					scn_fix_name(r[i].fix), f->limit_events);
			if (!r[i].stories)
				continue;
			fprintf(out, "\nfix=%s\n%s", scn_fix_name(r[i].fix), r[i].stories);
		}
		/* One table: a row per variant, a column per metric. */
		int wd[SCN_M_COUNT];
		fputs("\nfix        ", out);
		for (int m = 0; m < SCN_M_COUNT; m++) {
			wd[m] = (int)strlen(scn_metric_name(m));
			for (int i = 0; i < n; i++) {
				char b[24];
				int l = snprintf(b, sizeof b, "%" PRIu64, r[i].m[m]);
				if (l > wd[m])
					wd[m] = l;
			}
			fprintf(out, " %*s", wd[m], scn_metric_name(m));
		}
		fputc('\n', out);
		for (int i = 0; i < n; i++) {
			fprintf(out, "%-11s", scn_fix_name(r[i].fix));
			for (int m = 0; m < SCN_M_COUNT; m++)
				fprintf(out, " %*" PRIu64, wd[m], r[i].m[m]);
			fputc('\n', out);
		}
		if (f->nexpects)
			fputc('\n', out);
	}
	for (size_t e = 0; e < f->nexpects; e++) {
		const scn_expect *x = &f->expects[e];
		int ran = 0;
		for (int i = 0; i < n; i++) {
			if (!applies(x, r[i].fix))
				continue;
			ran = 1;
			uint64_t v = r[i].m[x->metric];
			int ok = report_expect_holds(x, v);
			failed += !ok;
			if (!ok || !o->quiet)
				fprintf(out, "%-7s expect fix=%-12s %-24s (%s = %" PRIu64 ")  %s:%u\n",
					ok ? "ok" : "FAILED", scn_fix_name(r[i].fix), x->text,
					scn_metric_name(x->metric), v, f->path, x->pos.line);
		}
		if (!ran && !o->quiet)
			fprintf(out, "%-7s expect fix=%-12s %-24s (variant not run)\n", "skip",
				scn_fix_name(x->fix), x->text);
	}
	return failed;
}
