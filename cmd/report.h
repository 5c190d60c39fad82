/* report.h - running a scenario's variants and reporting them: the header,
 * the stories, the metrics table, the expectations; or the same as JSON.
 *
 * Concurrency contract: single-threaded, called from main.
 */
#ifndef CMD_REPORT_H
#define CMD_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "scn.h"
#include "trace.h"

typedef struct variant_result {
	int fix;
	int end;                        /* enum sim_end */
	uint64_t m[SCN_M_COUNT];
	uint64_t events;
	/* stories are printed while the world still exists: kept as text */
	char *stories;                  /* malloc'd, may be NULL */
	char *sockets;                  /* the "sockets" JSON object, malloc'd, may be NULL */
} variant_result;

typedef struct run_opts {
	int fix;                        /* -1: the scenario's */
	int has_seed;
	uint64_t seed;
	int json, quiet;
	trace_sink *trace;              /* NULL: off */
} run_opts;

/* The labels a scenario may name, for the parser (built on first use, on
 * the main thread). */
const scn_labels *report_labels(void);
/* Which variants a scenario runs (SCN_FIX_ALL expands to all three). */
int report_variants(int fix, int out[SCN_FIX_COUNT]);
struct world;
/* Fill r from a world that has run (metrics, events, stories). */
void report_capture(const struct world *w, int end, variant_result *r);
/* Free what report_capture allocated (r itself is the caller's). */
void report_result_free(variant_result *r);
/* Why a variant could not run: its scenario cannot (it is stuck: bad
 * input), or memory ran out. */
enum report_err { REPORT_OK = 0, REPORT_EINPUT = -1, REPORT_ENOMEM = -2 };
/* Run one variant; fills r.  Returns REPORT_OK, or an error with a message
 * in err. */
int report_run_variant(const scn_file *f, int fix, trace_sink *trace, variant_result *r,
		       char *err, size_t errlen);
/* Does expectation e hold for value v? */
int report_expect_holds(const scn_expect *e, uint64_t v);
/* Print everything; returns the number of failed expectations. */
int report_print(FILE *out, const scn_file *f, const variant_result *r, int n, const run_opts *o);

#endif
