/* main.c - sim-bench: the benchmarks as a program of their own, until the
 * `sim` command line calls bench_main for `sim --bench`. */
#include "bench.h"

int main(int argc, char **argv) { return bench_main(argc, argv); }
