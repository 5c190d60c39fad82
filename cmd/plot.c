/* plot.c - see plot.h. */
#include "plot.h"

#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datadir.h"
#include "plot_window.h"
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

/* gnuplot -c SCRIPT DIR OUT [FIX [T0 T1]]; 0 if it exited 0 and OUT is not empty. */
static int run_script(const char *gnuplot, const char *script, const char *dir, const char *out,
		      const char *fix, const char *const *win, char *err, size_t errlen)
{
	char sp[4096];
	char *dir_ = datadir_get();
	int w = dir_ ? snprintf(sp, sizeof sp, "%s/plots/%s", dir_, script) : -1;
	free(dir_);
	if (w < 0 || (size_t)w >= sizeof sp) {
		snprintf(err, errlen, "cannot find the gnuplot scripts: set SIM_DATADIR to the "
			 "folder that holds plots/");
		return -1;
	}
	if (access(sp, R_OK) != 0) {
		snprintf(err, errlen, "cannot read the gnuplot script '%s': %s", sp, strerror(errno));
		return -1;
	}
	char *argv[] = { (char *)gnuplot, (char *)"-c", sp, (char *)dir, (char *)out, (char *)fix,
			 win ? (char *)win[0] : NULL, win ? (char *)win[1] : NULL, NULL };
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

/* One variant's timeline: its data cut to the window (plot_window.h) in
 * DIR/window-FIX, drawn from there. */
static int timeline(const char *gnuplot, const char *dir, const char *fix, const char *out,
		    const uint64_t *window, const uint64_t *cut, char *err, size_t errlen)
{
	char wdir[4096], a[24], b[24];
	if ((size_t)snprintf(wdir, sizeof wdir, "%s/window-%s", dir, fix) >= sizeof wdir) {
		snprintf(err, errlen, "path too long: %s/window-%s", dir, fix);
		return -1;
	}
	uint64_t t0 = window ? window[0] : 0, t1 = window ? window[1] : 0;
	if (cut) {
		t0 = cut[0];
		t1 = cut[1] > cut[0] ? cut[1] : cut[0] + 1;
		if (plot_window_copies(dir, wdir, err, errlen) != 0)
			return -1;
	} else if (plot_window_write(dir, fix, wdir, &t0, &t1, err, errlen) != 0) {
		return -1;
	}
	snprintf(a, sizeof a, "%" PRIu64, t0);
	snprintf(b, sizeof b, "%" PRIu64, t1);
	const char *const win[2] = { a, b };
	return run_script(gnuplot, "lock_timeline.gp", wdir, out, fix, win, err, errlen);
}

int plot_render(const char *gnuplot, const char *dir, const int *fixes, int n,
		const uint64_t *window, const uint64_t (*cut)[2], char *err, size_t errlen)
{
	char out[4096];
	for (int i = 0; i < n; i++) {
		const char *fix = scn_fix_name(fixes[i]);
		if (n == 1)
			snprintf(out, sizeof out, "%s/timeline.png", dir);
		else
			snprintf(out, sizeof out, "%s/timeline-%s.png", dir, fix);
		if (timeline(gnuplot, dir, fix, out, window, cut ? cut[fixes[i]] : NULL, err, errlen) != 0)
			return -1;
	}
	/* the histogram from the waits counted (DIR/spin/), not every acquisition */
	char sdir[4096];
	snprintf(out, sizeof out, "%s/spin_hist.png", dir);
	if ((size_t)snprintf(sdir, sizeof sdir, "%s/spin", dir) >= sizeof sdir ||
	    (!cut && plot_waits_write(dir, sdir, err, errlen) != 0) ||
	    run_script(gnuplot, "spin_hist.gp", sdir, out, NULL, NULL, err, errlen) != 0)
		return -1;
	snprintf(out, sizeof out, "%s/compare.png", dir);
	if (run_script(gnuplot, "compare.gp", dir, out, NULL, NULL, err, errlen) != 0)
		return -1;
	return 0;
}

int plot_sweep(const char *gnuplot, const char *dir, char *err, size_t errlen)
{
	char data[4096], out[4096];
	snprintf(data, sizeof data, "%s/sweep.tsv", dir);
	snprintf(out, sizeof out, "%s/sweep.png", dir);
	return run_script(gnuplot, "sweep.gp", data, out, NULL, NULL, err, errlen);
}
