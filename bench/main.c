/* main.c - sim-bench: the benchmarks as a program of their own (`sim
 * --bench` runs the same bench_main). */
#include "bench.h"

int main(int argc, char **argv) { return bench_main(argc, argv); }
