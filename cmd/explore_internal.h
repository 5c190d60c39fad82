/* explore_internal.h - shared by explore.c and shrink.c only. */
#ifndef CMD_EXPLORE_INTERNAL_H
#define CMD_EXPLORE_INTERNAL_H

#include "explore.h"
#include "world.h"

/* How every run of one exploration is perturbed (read-only during runs). */
typedef struct xconf {
	perturb_config pc;
	uint32_t jitter;
	int spin_random;
	int fix;
	const scn_expect *expects;      /* --explore-expect: the lines whose failure is XK_EXPECT */
	size_t nexpects;
} xconf;

static inline void xconf_apply(world *w, const xconf *c)
{
	w->s.perturb = c->pc;
	w->s.jitter_pct = c->jitter;
	w->spin_random = c->spin_random;
}

/* The violation kinds a finished run shows (enum explore_kind bits); with
 * c->expects, XK_EXPECT when one of those lines (for c->fix) fails. */
uint32_t explore_verdict(const world *w, const xconf *c);
/* The first of c's expect lines that fails on w, or NULL. */
const scn_expect *explore_failed_expect(const world *w, const xconf *c);
const char *explore_kind_name(int k);
/* The metric that shows a kind (for `expect` lines). */
int explore_kind_metric(int k);

/* Minimise the run (f, fix, c, seed) showing `kinds` into a standalone
 * scenario written to `path`.  Returns 0 on success, 1 if no standalone
 * reproducer could be made, -1 on an internal error; tells its steps on log. */
int shrink_run(const scn_file *f, const xconf *c, uint64_t seed, uint32_t kinds, const char *path,
	       FILE *log);

#endif
