/* trace.h - trace sinks.
 *
 * The engine and the models describe what happens as trace events: a time, a
 * CPU, the context (task NAME, softirq, hardirq), a label ("sched:switch",
 * "spin:acquired", ...) and a few key=value fields.  A sink turns them into a
 * file: plain text here (one event per line); TSV and Perfetto sinks sit
 * behind the same interface.  With no sink attached, no event is built.
 *
 * Concurrency contract: a sink belongs to one run on one thread.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#define TRACE_KV_MAX 8

typedef struct trace_kv {
	const char *key;        /* a static string */
	int64_t val;
} trace_kv;

typedef struct trace_event {
	uint64_t time;          /* ns */
	uint32_t cpu;
	uint32_t ctx_kind;      /* enum sim_ctx_kind */
	const char *ctx;        /* "softirq", "hardirq", or the task's name */
	const char *label;
	uint32_t nkv;
	trace_kv kv[TRACE_KV_MAX];
} trace_event;

typedef struct trace_sink trace_sink;
struct trace_sink {
	void (*event)(trace_sink *self, const trace_event *e);
	/* Flush and release; returns 0, or -1 if writing failed. */
	int (*finish)(trace_sink *self);
	trace_sink *next;       /* sinks form a list: every event goes to each */
};

/* The plain-text sink:
 *   TIME_NS cpuN CONTEXT LABEL key=value ...
 * The stream is not closed by finish. */
typedef struct trace_text {
	trace_sink sink;
	FILE *out;
} trace_text;

void trace_text_init(trace_text *t, FILE *out);

/* Send an event to every sink of a list. */
void trace_emit(trace_sink *list, const trace_event *e);
int trace_finish(trace_sink *list);

#endif
