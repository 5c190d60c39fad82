/* outcap.h - the output bound (`limit output=`): a trace sink at the head of
 * the sink list that stops passing events on once the files the sinks write
 * (--trace, --tsv, --plot, --perfetto) have grown by the limit.
 *
 * It sits below the sinks and knows nothing of their formats: every
 * `every` events (limit / 4096 bytes' worth at 1 byte an event, at most
 * OUTCAP_EVERY) it measures the watched outputs -- a FILE's position,
 * a file's size, the sizes of the regular files in a directory -- against
 * their sizes when it started.  The bound is checked at that grain, so the
 * outputs may pass it by what `every` events and the sinks' stdio buffers
 * hold (a few hundred bytes an event: a 1 GiB limit is passed by a few MB).  Once over, no event reaches the sinks: each
 * still gets its begin/end/finish calls, so its files stay well-formed and
 * end where the cut is.  outcap_report() says on stderr what was cut.
 *
 * Concurrency contract: one run's sinks, one thread.
 */
#ifndef SIM_CMD_OUTCAP_H
#define SIM_CMD_OUTCAP_H

#include <stdint.h>
#include <stdio.h>

#include "trace.h"

#define OUTCAP_EVERY 4096u
#define OUTCAP_WATCH 4

typedef struct outcap {
	trace_sink sink;
	trace_sink *down;       /* the sinks it guards */
	uint64_t limit;         /* bytes the outputs may grow by */
	uint64_t base;          /* their size at outcap_start */
	uint64_t n;             /* events seen */
	uint64_t every;         /* measure every this many events */
	int cut;                /* over the limit: events are dropped */
	uint64_t cut_time;      /* the first event dropped */
	int fix, cut_fix;       /* the variant running, and the one cut */
	FILE *files[OUTCAP_WATCH];
	const char *paths[OUTCAP_WATCH];    /* files or directories */
	int nfiles, npaths;
} outcap;

/* A cap of `limit` bytes over the sink list `down` (trace_emit and
 * trace_finish go through it).  Watch the outputs, then outcap_start. */
void outcap_init(outcap *c, uint64_t limit, trace_sink *down);
void outcap_watch_file(outcap *c, FILE *f);
void outcap_watch_path(outcap *c, const char *path);
void outcap_start(outcap *c);
/* If the cap cut the output: one line on stderr naming the limit, the
 * variant and the time of the first event left out; returns 1, else 0. */
int outcap_report(const outcap *c);

#endif
