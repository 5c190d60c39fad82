/* trace.h - trace sinks.
 *
 * The engine and the models describe what happens as trace events: a time, a
 * CPU, the context (task NAME, softirq, hardirq), a label (its id, its name
 * "sched:switch", and its flags: what the step does, as the code that
 * registered the label defines them) and a few key=value fields.  Keys are
 * small integers; the event carries the table that names them (the engine's
 * keys, then the models'), so a sink needs no string compare to read one.  A
 * sink turns events into a file: plain text here (one event per line); TSV
 * and Perfetto sinks sit behind the same interface.  With no sink attached,
 * no event is built.
 *
 * Concurrency contract: a sink belongs to one run on one thread.
 */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H

#include <stdint.h>
#include <stdio.h>

#define TRACE_KV_MAX 8

typedef struct trace_kv {
	uint32_t key;           /* an index into the event's key_name table */
	int64_t val;
} trace_kv;

typedef struct trace_event {
	uint64_t time;          /* ns */
	uint32_t cpu;
	uint32_t ctx_kind;      /* enum sim_ctx_kind */
	const char *ctx;        /* "softirq", "hardirq", or the task's name */
	const char *label;      /* the label's name (a static string) */
	uint32_t label_id;      /* the engine's label id */
	uint32_t flags;         /* the label's flags (sim_label_desc.flags) */
	const char *const *key_name;    /* key id -> name */
	uint32_t nkv;
	trace_kv kv[TRACE_KV_MAX];
} trace_event;

/* The value of key `k` in e, or `dflt`. */
static inline int64_t trace_kv_get(const trace_event *e, uint32_t k, int64_t dflt)
{
	for (uint32_t i = 0; i < e->nkv; i++)
		if (e->kv[i].key == k)
			return e->kv[i].val;
	return dflt;
}
static inline int trace_kv_has(const trace_event *e, uint32_t k)
{
	for (uint32_t i = 0; i < e->nkv; i++)
		if (e->kv[i].key == k)
			return 1;
	return 0;
}

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
