/* datadir.h - where sim finds its data: plots/ (the gnuplot scripts) and
 * scenarios/ (the shipped scenarios).
 *
 * In order: the environment variable SIM_DATADIR; in a build directory, the
 * source tree named by the file `sim.srcdir` that meson writes beside the
 * program; the installed data relative to the program (BINDIR/../DATADIR/sim,
 * so an installed tree can be moved); the configured PREFIX/DATADIR/sim.
 * Nothing of the build or source directory is compiled into the program.
 *
 * Concurrency contract: plain functions of the file system and environment;
 * call them from the main thread.  Returned strings are malloc'd: free them.
 */
#ifndef CMD_DATADIR_H
#define CMD_DATADIR_H

/* The data directory, or NULL when none is found (out of memory too). */
char *datadir_get(void);

/* "DATADIR/REL" when that file or directory exists, else NULL. */
char *datadir_file(const char *rel);

/* A scenario named on the command line: PATH as given when it exists (or
 * when it is absolute, so that its error is its own), else DATADIR/PATH,
 * else DATADIR/scenarios/PATH; NULL means use PATH as given. */
char *datadir_scenario(const char *path);

/* Lists DATADIR/scenarios/ *.scn (and its subfolders one level down), one
 * a line: the name to give `sim` and its first comment line.  Returns the
 * number listed, or -1 when there is no data directory. */
int datadir_list_scenarios(void);

#endif
