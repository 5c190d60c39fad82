/* outcap.c - see outcap.h. */
#include "outcap.h"

#include <dirent.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "scn.h"

/* Bytes in a file, or in the regular files of a directory (0 if neither). */
static uint64_t path_bytes(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return (uint64_t)st.st_size;
	DIR *d = opendir(path);
	if (!d)
		return 0;
	uint64_t sum = 0;
	size_t n = strlen(path);
	const struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char full[SCN_PATH_MAX + 256];
		size_t k = strlen(e->d_name);
		if (n + 1 + k >= sizeof full)
			continue;
		memcpy(full, path, n);
		full[n] = '/';
		memcpy(full + n + 1, e->d_name, k + 1);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
	}
	closedir(d);
	return sum;
}

static uint64_t measure(const outcap *c)
{
	uint64_t sum = 0;
	for (int i = 0; i < c->nfiles; i++) {
		off_t o = ftello(c->files[i]);
		sum += o > 0 ? (uint64_t)o : 0;
	}
	for (int i = 0; i < c->npaths; i++)
		sum += path_bytes(c->paths[i]);
	return sum;
}

static void cap_event(trace_sink *self, const trace_event *e)
{
	outcap *c = (outcap *)self;
	if (c->cut)
		return;
	if (++c->n % c->every == 0) {
		uint64_t now = measure(c);
		if (now > c->base && now - c->base >= c->limit) {
			c->cut = 1;
			c->cut_time = e->time;
			c->cut_fix = c->fix;
			return;
		}
	}
	trace_emit(c->down, e);
}

static int cap_finish(trace_sink *self)
{
	return trace_finish(((outcap *)self)->down);
}

void outcap_init(outcap *c, uint64_t limit, trace_sink *down)
{
	memset(c, 0, sizeof(*c));
	c->sink.event = cap_event;
	c->sink.finish = cap_finish;
	c->down = down;
	c->limit = limit;
	c->every = limit >> 12 ? (limit >> 12 < OUTCAP_EVERY ? limit >> 12 : OUTCAP_EVERY) : 1;
}

void outcap_watch_file(outcap *c, FILE *f)
{
	if (f && c->nfiles < OUTCAP_WATCH)
		c->files[c->nfiles++] = f;
}

void outcap_watch_path(outcap *c, const char *path)
{
	if (path && c->npaths < OUTCAP_WATCH)
		c->paths[c->npaths++] = path;
}

void outcap_start(outcap *c) { c->base = measure(c); }

int outcap_report(const outcap *c)
{
	if (!c->cut)
		return 0;
	fprintf(stderr, "sim: the trace output reached limit output=%" PRIu64 " bytes: the events of "
		"fix=%s from %" PRIu64 " ns on, and of any later variant, were not written (raise it "
		"with `limit output=SIZE`, see docs/scenarios.md)\n", c->limit, scn_fix_name(c->cut_fix),
		c->cut_time);
	return 1;
}
