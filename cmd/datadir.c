/* datadir.c - see datadir.h. */
#include "datadir.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

/* a + "/" + b, malloc'd. */
static char *join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 2);
	if (!s)
		return NULL;
	memcpy(s, a, na);
	s[na] = '/';
	memcpy(s + na + 1, b, nb + 1);
	return s;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory of the running program, malloc'd, or NULL. */
static char *exe_dir(void)
{
	size_t cap = 256;
	for (;;) {
		char *buf = malloc(cap);
		if (!buf)
			return NULL;
		ssize_t n = readlink("/proc/self/exe", buf, cap);
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			char *slash = strrchr(buf, '/');
			if (slash)
				*slash = '\0';
			return buf;
		}
		free(buf);
		cap *= 2;
	}
}

/* The first line of a small file, malloc'd, or NULL. */
static char *first_line(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

/* A candidate beside the program: the build directory's sim.srcdir, or
 * the relative install location. */
static char *beside_program(void)
{
	char *dir = exe_dir();
	if (!dir)
		return NULL;
	char *marker = join(dir, "sim.srcdir");
	char *found = marker ? first_line(marker) : NULL;
	free(marker);
	if (found && is_dir(found)) {
		free(dir);
		return found;
	}
	free(found);
	found = NULL;
#ifdef SIM_REL_DATADIR
	found = join(dir, SIM_REL_DATADIR);
	if (found && !is_dir(found)) {
		free(found);
		found = NULL;
	}
#endif
	free(dir);
	return found;
}

char *datadir_get(void)
{
	const char *env = getenv("SIM_DATADIR");
	if (env && *env)
		return strdup(env);
	char *d = beside_program();
	if (d)
		return d;
	return is_dir(SIM_DATADIR_DEFAULT) ? strdup(SIM_DATADIR_DEFAULT) : NULL;
}

char *datadir_file(const char *rel)
{
	char *d = datadir_get();
	char *p = d ? join(d, rel) : NULL;
	free(d);
	if (p && !exists(p)) {
		free(p);
		return NULL;
	}
	return p;
}

char *datadir_scenario(const char *path)
{
	if (path[0] == '/' || exists(path))
		return NULL;
	char *p = datadir_file(path);
	if (p)
		return p;
	char *rel = join("scenarios", path);
	p = rel ? datadir_file(rel) : NULL;
	free(rel);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .scn names in dir (prefixed by sub/ when sub is set) and, at the top,
 * the subfolders' ones; appended to *names. */
static int collect(const char *dir, const char *sub, char ***names, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char *full = join(dir, e->d_name);
		if (!full) {
			rc = -1;
			break;
		}
		size_t len = strlen(e->d_name);
		if (!sub && is_dir(full)) {
			rc = collect(full, e->d_name, names, n, cap);
		} else if (len > 4 && strcmp(e->d_name + len - 4, ".scn") == 0) {
			if (*n == *cap) {
				size_t c2 = *cap ? 2 * *cap : 64;
				char **g = realloc(*names, c2 * sizeof **names);
				if (!g)
					rc = -1;
				else
					*names = g, *cap = c2;
			}
			char *name = rc ? NULL : sub ? join(sub, e->d_name) : strdup(e->d_name);
			if (!name)
				rc = -1;
			else
				(*names)[(*n)++] = name;
		}
		free(full);
	}
	closedir(d);
	return rc;
}

/* The first comment line of a scenario, without "# ", malloc'd or NULL. */
static char *summary(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *line = NULL, *out = NULL;
	size_t cap = 0;
	ssize_t len;
	while (!out && (len = getline(&line, &cap, f)) > 0) {
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != '#')
			continue;
		s++;
		while (*s == ' ' || *s == '#')
			s++;
		s[strcspn(s, "\r\n")] = '\0';
		if (*s)
			out = strdup(s);
	}
	free(line);
	fclose(f);
	return out;
}

int datadir_list_scenarios(void)
{
	char *dir = datadir_file("scenarios");
	if (!dir)
		return -1;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = collect(dir, NULL, &names, &n, &cap);
	if (rc == 0)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *full = join(dir, names[i]);
		char *s = full ? summary(full) : NULL;
		if (rc == 0)
			printf("%-34s %s\n", names[i], s ? s : "");
		free(s);
		free(full);
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc == 0 ? (int)n : -1;
}
