/* model_run.h - test helper: parse a scenario text, build one variant's world,
 * run it, keep its metrics and (optionally) its text trace.  Header-only,
 * for the model tests. */
#ifndef TESTS_MODEL_RUN_H
#define TESTS_MODEL_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "scn.h"
#include "world.h"

typedef struct model_run {
	uint64_t m[SCN_M_COUNT];
	int end;
	char *trace;            /* NUL-terminated text trace, or NULL */
	size_t trace_len;
	char story[4096];       /* all stories, rendered */
} model_run;

static inline const scn_labels *model_labels_for_parser(void)
{
	static const char *names[512];
	static scn_labels l;
	if (!l.count) {
		size_t n = world_label_table(names, NULL, 512);
		l.names = names;
		l.count = n;
	}
	return &l;
}

/* Returns 0, or fails the test with the parse/build message. */
static inline int model_run_text(const char *text, int fix, int want_trace, model_run *r)
{
	scn_file f;
	scn_error err;
	memset(r, 0, sizeof(*r));
	if (scn_parse("test.scn", text, strlen(text), model_labels_for_parser(), &f, &err) != 0) {
		fprintf(stderr, "parse: %s\n", err.msg);
		return -1;
	}
	world *w = malloc(sizeof(*w));
	char msg[512];
	if (!w || world_build(w, &f, fix, msg, sizeof msg) != 0) {
		fprintf(stderr, "build: %s\n", w ? msg : "oom");
		free(w);
		scn_free(&f);
		return -1;
	}
	FILE *mem = NULL;
	trace_text tt;
	if (want_trace) {
		mem = open_memstream(&r->trace, &r->trace_len);
		trace_text_init(&tt, mem);
		w->s.trace = &tt.sink;
	}
	r->end = world_run(w);
	memcpy(r->m, w->g->m, sizeof(r->m));
	FILE *st = fmemopen(r->story, sizeof(r->story) - 1, "w");
	if (st) {
		for (int k = 0; k < STORY_KINDS; k++)
			if (w->story[k].n) {
				fprintf(st, "first %s\n", oracle_story_title((enum story_kind)k));
				oracle_story_print(w, (enum story_kind)k, st, "  ");
			}
		fclose(st);
	}
	if (mem)
		fclose(mem);
	world_free(w);
	free(w);
	scn_free(&f);
	return 0;
}

static inline void model_run_free(model_run *r)
{
	free(r->trace);
	r->trace = NULL;
}

/* Count trace lines containing `needle`. */
static inline int trace_count(const model_run *r, const char *needle)
{
	int n = 0;
	for (const char *p = r->trace; p && (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Time (first field) of the first trace line containing `needle`, or -1. */
static inline long long trace_time_of(const model_run *r, const char *needle, int nth)
{
	const char *p = r->trace;
	for (int i = 0; p && (p = strstr(p, needle)) != NULL; p++, i++) {
		if (i < nth)
			continue;
		const char *line = p;
		while (line > r->trace && line[-1] != '\n')
			line--;
		return atoll(line);
	}
	return -1;
}

#endif
