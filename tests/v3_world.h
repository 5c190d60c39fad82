/* v3_world.h - test helper: a built world kept alive (parse, build, reset)
 * so a test can call the models' functions and read their state. */
#ifndef TESTS_V3_WORLD_H
#define TESTS_V3_WORLD_H

#include "model_run.h"

typedef struct kept_world {
	scn_file f;
	world *w;
} kept_world;

static inline world *kept_build(kept_world *k, const char *text)
{
	scn_error err;
	char msg[512];
	k->w = NULL;
	if (scn_parse("test.scn", text, strlen(text), model_labels_for_parser(), &k->f, &err) != 0) {
		fprintf(stderr, "parse: %s\n", err.msg);
		return NULL;
	}
	k->w = malloc(sizeof(*k->w));
	if (!k->w || world_build(k->w, &k->f, SCN_FIX_NONE, msg, sizeof msg) != 0) {
		fprintf(stderr, "build: %s\n", k->w ? msg : "oom");
		free(k->w);
		k->w = NULL;
		scn_free(&k->f);
	}
	return k->w;
}

static inline void kept_free(kept_world *k)
{
	if (k->w) {
		world_free(k->w);
		free(k->w);
		scn_free(&k->f);
	}
}

/* A socket's figure by name (world_socket_stats), or UINT64_MAX. */
static inline uint64_t kept_stat(world *w, uint32_t sock, const char *name)
{
	world_stat st[WORLD_STATS_MAX];
	size_t n = world_socket_stats(w, sock, st);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(st[i].name, name))
			return st[i].v;
	return UINT64_MAX;
}

#endif
