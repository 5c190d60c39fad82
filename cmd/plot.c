/* plot.c - see plot.h. */
#include "plot.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datadir.h"
#include "scn.h"

extern char **environ;

int plot_find_gnuplot(char *buf, size_t len)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		/* an empty PATH entry means the current directory */
		int w = n ? snprintf(buf, len, "%.*s/gnuplot", (int)n, path) : snprintf(buf, len, "./gnuplot");
		struct stat st;
		if (w > 0 && (size_t)w < len && stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0)
			return 0;
		path += n;
		if (*path == ':')
			path++;
	}
	return -1;
}

/* a + b + c, malloc'd (NULL when out of memory). */
static char *cat3(const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *s = malloc(na + nb + nc + 1);
	if (s) {
		memcpy(s, a, na);
		memcpy(s + na, b, nb);
		memcpy(s + na + nb, c, nc + 1);
	}
	return s;
}

static int run_spawn(const char *gnuplot, const char *sp, const char *dir, const char *out,
		     const char *fix, char *err, size_t errlen);

/* gnuplot -c SCRIPT DIR OUT [FIX]; 0 if it exited 0 and OUT is not empty. */
static int run_script(const char *gnuplot, const char *script, const char *dir, const char *out,
		      const char *fix, char *err, size_t errlen)
{
	char *dir_ = datadir_get();
	char *sp = dir_ ? cat3(dir_, "/plots/", script) : NULL;
	free(dir_);
	if (!sp) {
		snprintf(err, errlen, "cannot find the gnuplot scripts: set SIM_DATADIR to the "
			 "folder that holds plots/");
		return -1;
	}
	int rc = run_spawn(gnuplot, sp, dir, out, fix, err, errlen);
	free(sp);
	return rc;
}

static int run_spawn(const char *gnuplot, const char *sp, const char *dir, const char *out,
		     const char *fix, char *err, size_t errlen)
{
	if (access(sp, R_OK) != 0) {
		snprintf(err, errlen, "cannot read the gnuplot script '%s': %s", sp, strerror(errno));
		return -1;
	}
	char *argv[] = { (char *)gnuplot, (char *)"-c", (char *)sp, (char *)dir, (char *)out, (char *)fix, NULL };
	pid_t pid;
	int rc = posix_spawn(&pid, gnuplot, NULL, NULL, argv, environ);
	if (rc != 0) {
		snprintf(err, errlen, "cannot run %s: %s", gnuplot, strerror(rc));
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "waiting for gnuplot: %s", strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "gnuplot failed on %s (%s %d)", sp,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	struct stat st;
	if (stat(out, &st) != 0 || st.st_size == 0) {
		snprintf(err, errlen, "gnuplot wrote no picture '%s' from %s", out, sp);
		return -1;
	}
	return 0;
}

/* Render DIR/NAME from SCRIPT (with FIX, or NULL). */
static int render(const char *gnuplot, const char *script, const char *dir, const char *name,
		  const char *fix, char *err, size_t errlen)
{
	char *out = cat3(dir, "/", name);
	if (!out) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = run_script(gnuplot, script, dir, out, fix, err, errlen);
	free(out);
	return rc;
}

int plot_render(const char *gnuplot, const char *dir, const int *fixes, int n, char *err,
		size_t errlen)
{
	for (int i = 0; i < n; i++) {
		const char *fix = scn_fix_name(fixes[i]);
		char name[64];
		snprintf(name, sizeof name, n == 1 ? "timeline.png" : "timeline-%s.png", fix);
		if (render(gnuplot, "lock_timeline.gp", dir, name, fix, err, errlen) != 0)
			return -1;
	}
	if (render(gnuplot, "spin_hist.gp", dir, "spin_hist.png", NULL, err, errlen) != 0 ||
	    render(gnuplot, "compare.gp", dir, "compare.png", NULL, err, errlen) != 0)
		return -1;
	return 0;
}
