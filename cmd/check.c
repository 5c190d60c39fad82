/* check.c - `--check`'s variants and verdicts; the search itself is
 * check_search.c.  See check.h. */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const inv_names[CI_COUNT] = {
	"overrun", "corrupt", "consumer_partial", "lost", "violations", "deadlock", "lock_order",
};
const char *check_inv_name(int inv) { return inv >= 0 && inv < CI_COUNT ? inv_names[inv] : "?"; }

/* The metric each invariant watches (lost: computed at the end only). */
static const int inv_metric[CI_COUNT] = {
	SCN_M_OVERRUN, SCN_M_CORRUPT, SCN_M_CONSUMER_PARTIAL, SCN_M_LOST, SCN_M_VIOLATIONS,
	SCN_M_DEADLOCK, SCN_M_LOCK_ORDER,
};

double check_wall(void)
{
	/* progress display only: never part of a run or a report */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int check_selftest(void) { return getenv("SIM_CHECK_SELFTEST") != NULL; }

uint64_t check_memory_limit(const check_opts *o)
{
	if (o->mem_mib)
		return o->mem_mib << 20;
	/* half of the machine's */
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size / 2 : (uint64_t)4 << 30;
}

void check_conclude(check_result *r, int failed, int over, uint64_t limit, double omission)
{
	r->complete = !r->depth_cut && !failed;
	r->omission = omission;
	if (!failed)
		return;
	r->out_of_memory = 1;
	r->over_limit = over;
	if (over)
		fprintf(stderr, "sim: --check fix=%s: the search needs more than %llu MiB "
			"(--check-memory) after %llu states; stopped there (try --check-bitstate, "
			"--check-depth or --check-memory)\n", scn_fix_name(r->fix),
			(unsigned long long)(limit >> 20), (unsigned long long)r->states);
	else
		fprintf(stderr, "sim: --check fix=%s: out of memory after %llu states (try "
			"--check-bitstate or --check-depth)\n", scn_fix_name(r->fix),
			(unsigned long long)r->states);
}

void check_result_free(check_result *r)
{
	for (int k = 0; k < CI_COUNT; k++)
		free(r->cex[k]);
	memset(r->cex, 0, sizeof r->cex);
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
	/* one variant after another, each searched on J threads */
	for (int k = 0; k < n; k++)
		check_variant(f, fixes[k], o, &r[k]);
	int rc = 0;
	for (int k = 0; k < n; k++)
		if (r[k].error && !rc)
			rc = r[k].error;
	if (!rc)
		rc = check_report(out, f, r, n, o);
	for (int k = 0; k < n && !rc; k++)
		if (r[k].audit_differ)
			rc = 3;         /* the search itself is wrong: an internal error */
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

void check_cex_expect(scn_file *c, int fix, int inv, scn_expect *e)
{
	free(c->checks);
	c->checks = NULL;
	c->nchecks = 0;
	free(c->expects);
	*e = (scn_expect){ .fix = -1, .metric = check_inv_metric(inv), .op = SCN_GE, .value = 1 };
	snprintf(e->text, sizeof e->text, "%s>=1", check_inv_name(inv));
	c->expects = e;
	c->nexpects = 1;
	c->fix = fix;
}
