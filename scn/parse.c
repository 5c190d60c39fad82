/* parse.c - scenario files: the directive table, the line loop, and the
 * entry points scn_parse, scn_parse_file and scn_free.  See scn.h.
 *
 * The input is split into lines ('\n', with an optional '\r' before it); each
 * line is cut into tokens (lex.c), and the first token names the directive
 * that consumes the rest (dir_run.c, dir_kernel.c).  The first error stops
 * the parse.  Everything is checked as it is read, in file order, except the
 * CPU numbers: `cpus` may come after the objects that use a CPU, so those
 * checks run once the whole file has been read (check_cpus).
 *
 * The input is any bytes, not NUL-terminated: every read is bounded by a
 * length, every number is overflow-checked, every array grows through grow()
 * and is capped at SCN_MAX_ITEMS entries.  Name look-ups go through a small
 * open-addressing hash index (items.c), so a file with many objects stays
 * linear.
 */
#include "scn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser_internal.h"

static const struct directive {
	const char *name;
	int (*fn)(parser *);
	int single;             /* S_* when it may be given once, else S_NONE */
} directives[] = {
	{ "scenario", dir_scenario, S_SCENARIO },
	{ "seed", dir_seed, S_SEED },
	{ "cpus", dir_cpus, S_CPUS },
	{ "fix", dir_fix, S_FIX },
	{ "socket", dir_socket, S_NONE },
	{ "flow", dir_flow, S_NONE },
	{ "task", dir_task, S_NONE },
	{ "consumer", dir_consumer, S_NONE },
	{ "stall", dir_stall, S_NONE },
	{ "irq", dir_irq, S_NONE },
	{ "cost", dir_cost, S_NONE },
	{ "jitter", dir_jitter, S_JITTER },
	{ "spinlock", dir_spinlock, S_SPINLOCK },
	{ "bug", dir_bug, S_NONE },
	{ "expect", dir_expect, S_NONE },
	{ "lock", dir_lock, S_NONE },
	{ "limit", dir_limit, S_LIMIT },
	{ "nic", dir_nic, S_NIC },
	{ "explore", dir_explore, S_EXPLORE },
	{ "kernel", dir_kernel, S_KERNEL },
	{ "fanout", dir_fanout, S_NONE },
	{ "sched", dir_sched, S_SCHED },
	{ "softirq", dir_softirq, S_NONE },
	{ "check", dir_check, S_NONE },
	{ "replay", dir_replay, S_NONE },
};

const char *scn_directive_name(size_t i)
{
	return i < sizeof directives / sizeof directives[0] ? directives[i].name : NULL;
}

static int directive(parser *p)
{
	const tok *t = &p->toks[0];
	const struct directive *d = NULL;
	shown b;

	for (size_t i = 0; i < sizeof directives / sizeof directives[0]; i++)
		if (eq(t->s, t->n, directives[i].name))
			d = &directives[i];
	if (!d || t->has_eq)
		return fail(p, t->col, "unknown directive '%s'", show(&b, t->s, t->n));
	if (d->single != S_SCENARIO && !p->single[S_SCENARIO].line)
		return fail(p, t->col, "'scenario NAME' must be the first directive, "
			    "before '%s'", d->name);
	if (d->single != S_NONE) {
		scn_pos *first = &p->single[d->single];
		if (first->line)
			return fail(p, t->col, "duplicate directive '%s' (first at line %" PRIu32 ")",
				    d->name, first->line);
		*first = (scn_pos){ p->line, t->col };
	}
	return d->fn(p);
}

/* The first reference to a CPU that does not exist, once `cpus` is known. */
static int check_cpus(parser *p)
{
	for (size_t i = 0; i < p->ncpurefs; i++) {
		const cpuref *r = &p->cpurefs[i];
		if (r->cpu >= p->f->cpus)
			return scn_fail_at(p, r->pos.line, r->pos.col, "cpu %" PRIu64 " does not exist: "
				       "cpus is %" PRIu32 " (CPUs 0..%" PRIu32 ")", r->cpu,
				       p->f->cpus, p->f->cpus - 1);
	}
	return 0;
}

/* A path of SCN_PATH_MAX bytes or more: an error naming its start (the whole
 * would not fit in a message), never a path cut to another file's name. */
static int path_too_long(const char *path, scn_error *err)
{
	size_t n = strlen(path);
	if (n < SCN_PATH_MAX)
		return 0;
	int r = snprintf(err->msg, sizeof err->msg, "%.*s...:1:1: error: path is %zu bytes long, "
			 "at most %d", 64, path, n, SCN_PATH_MAX - 1);
	(void)r;        /* fits: 64 bytes of path and a short message */
	return 1;
}

static int parse(parser *p, const char *buf, size_t len)
{
	size_t off = 0, from = 0;

	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		from = 3;       /* a UTF-8 byte-order mark */
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) : len;
		size_t n = end - off;

		if (n > 0 && buf[off + n - 1] == '\r')
			n--;    /* CRLF */
		if (p->line == UINT32_MAX)
			return fail(p, 1, "too many lines");
		p->line++;
		if (n > SCN_LINE_MAX)
			return fail(p, col_of(SCN_LINE_MAX), "line of %zu bytes: a line is at most "
				    "%u bytes", n, SCN_LINE_MAX);
		if (lex_line(p, buf + off, n, from) || (p->ntok && directive(p)))
			return -1;
		off = end + 1;
		from = 0;
	}
	if (!p->single[S_SCENARIO].line)
		return scn_fail_at(p, 1, 1, "empty scenario: expected 'scenario NAME'");
	return check_cpus(p);
}

int scn_parse(const char *path, const char *buf, size_t len, const scn_labels *labels,
	      scn_file *out, scn_error *err)
{
	scn_error dummy;
	scn_file f;
	parser p;

	if (!err)
		err = &dummy;
	err->msg[0] = '\0';
	err->oom = 0;
	if (!path)
		path = "<input>";
	memset(&f, 0, sizeof f);
	memset(&p, 0, sizeof p);
	if (path_too_long(path, err))
		return -1;
	memcpy(f.path, path, strlen(path) + 1);
	f.seed = 1;
	f.cpus = 1;
	f.fix = SCN_FIX_NONE;
	f.spin_order = SCN_ORDER_FIFO;
	f.handoff_ns = UINT64_MAX;      /* the model's default */
	f.limit_ns = 10 * NS_PER_S;
	f.limit_memory = SCN_MEMORY_DEFAULT;
	f.limit_events = SCN_EVENTS_DEFAULT;
	f.limit_output = SCN_OUTPUT_DEFAULT;
	f.explore = (scn_explore){ .runs = 10000, .strategy = SCN_STRATEGY_RANDOM, .depth = 3,
				   .stall_max_ns = 20000, .irqs = 2, .irq_max_ns = 2000,
				   .jitter_pct = 10, .order = SCN_ORDER_RANDOM };
	f.nic_queue = 1024;
	f.budget = 300;
	f.napi_weight = 64;
	f.sched_slice_ns = 3000000;
	f.kernel = SCN_KERNEL(4, 8);
	p.path = path;
	p.labels = labels;
	p.f = &f;
	p.err = err;

	int rc;
	if (!out)
		rc = scn_fail_at(&p, 1, 1, "no output given");
	else if (!buf && len)
		rc = scn_fail_at(&p, 1, 1, "no input given");
	else if (len > SCN_INPUT_MAX)
		rc = scn_fail_at(&p, 1, 1, "input of %zu bytes or more: a scenario is at most "
				 "%u bytes (64 MiB)", len, SCN_INPUT_MAX);
	else
		rc = parse(&p, buf ? buf : "", len);

	free(p.toks);
	free(p.cpurefs);
	for (int k = 0; k < K_COUNT; k++)
		free(p.idx[k].slot);
	if (rc) {
		scn_free(&f);
		if (out)
			memset(out, 0, sizeof *out);
		return -1;
	}
	*out = f;
	return 0;
}

int scn_parse_file(const char *path, const scn_labels *labels, scn_file *out,
		   scn_error *err)
{
	scn_error dummy;
	char why[128];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int e = 0;

	if (!err)
		err = &dummy;
	if (out)
		memset(out, 0, sizeof *out);
	if (!path)
		path = "<null>";
	if (path_too_long(path, err))
		return -1;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		e = errno;
	} else {
		for (;;) {
			if (len > SCN_INPUT_MAX)
				break;  /* scn_parse says it is too big: read no more */
			if (len == cap) {
				size_t nc = cap ? cap * 2 : 65536;
				if (nc > (size_t)SCN_INPUT_MAX + 1)
					nc = (size_t)SCN_INPUT_MAX + 1;
				char *nb = nc > cap ? realloc(buf, nc) : NULL;
				if (!nb) {
					e = ENOMEM;
					break;
				}
				buf = nb;
				cap = nc;
			}
			size_t got = fread(buf + len, 1, cap - len, fp);
			len += got;
			if (got == 0) {
				if (ferror(fp))
					e = errno ? errno : EIO;
				break;
			}
		}
		fclose(fp);
	}
	if (e) {
		free(buf);
		why[0] = '\0';
		/* the POSIX strerror_r (_POSIX_C_SOURCE, no _GNU_SOURCE): fills `why` */
		if (strerror_r(e, why, sizeof why) != 0 || why[0] == '\0') {
			int r = snprintf(why, sizeof why, "error %d", e);
			(void)r;
		}
		int r = snprintf(err->msg, sizeof err->msg, "%s:1:1: error: cannot open %s: %s",
				 path, path, why);
		(void)r;
		err->oom = e == ENOMEM;
		return -1;
	}
	int rc = scn_parse(path, buf, len, labels, out, err);
	free(buf);
	return rc;
}

void scn_free(scn_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ntasks; i++)
		free(f->tasks[i].ops);
	for (size_t i = 0; i < f->nirqs; i++)
		free(f->irqs[i].ops);
	for (size_t i = 0; i < f->nsoftirqs; i++)
		free(f->softirqs[i].ops);
	free(f->softirqs);
	free(f->sockets);
	free(f->flows);
	free(f->tasks);
	free(f->consumers);
	free(f->stalls);
	free(f->irqs);
	free(f->costs);
	free(f->locks);
	free(f->fanouts);
	free(f->expects);
	free(f->checks);
	free(f->replay);
	memset(f, 0, sizeof *f);
}
