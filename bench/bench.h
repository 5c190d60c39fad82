/* bench.h - `sim --bench` (and the sim-bench program): timed workloads and
 * the event-queue microbenchmark.
 *
 * Workloads (the scenarios in scenarios/bench/, and a scaling series made
 * here):
 * each is built once and run several times (world_reset + world_run, the
 * same run every time: the event counts must agree); it prints the median
 * wall time as events per second and ns per simulated packet, and the peak
 * RSS of a child process that ran only that workload.  Nothing here is a
 * test of speed: `--quick` runs tiny sizes once, for `meson test`, and checks
 * only that every workload runs and repeats exactly.
 *
 * Concurrency contract: called from main, single-threaded; it forks one child
 * per workload.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

/* argv[0] is the program name; the options follow (see `--help`).
 * Returns an exit status: 0 ok, 2 bad usage, 3 a workload failed. */
int bench_main(int argc, char **argv);

#endif
