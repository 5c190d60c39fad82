/* trace.c - the sink list and the plain-text sink. */
#include "trace.h"

#include <inttypes.h>

static void text_event(trace_sink *self, const trace_event *e)
{
	trace_text *t = (trace_text *)self;
	fprintf(t->out, "%" PRIu64 " cpu%" PRIu32 " %s %s", e->time, e->cpu, e->ctx, e->label);
	for (uint32_t i = 0; i < e->nkv; i++)
		fprintf(t->out, " %s=%" PRId64, e->key_name[e->kv[i].key], e->kv[i].val);
	fputc('\n', t->out);
}

static int text_finish(trace_sink *self)
{
	trace_text *t = (trace_text *)self;
	return fflush(t->out) == 0 && !ferror(t->out) ? 0 : -1;
}

void trace_text_init(trace_text *t, FILE *out)
{
	t->sink.event = text_event;
	t->sink.finish = text_finish;
	t->sink.next = NULL;
	t->out = out;
}

void trace_emit(trace_sink *list, const trace_event *e)
{
	for (; list; list = list->next)
		list->event(list, e);
}

int trace_finish(trace_sink *list)
{
	int rc = 0;
	for (; list; list = list->next)
		if (list->finish && list->finish(list) != 0)
			rc = -1;
	return rc;
}
