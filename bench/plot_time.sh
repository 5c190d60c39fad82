#!/bin/sh
# plot_time.sh - how long `sim --plot` takes, wall clock, on
# scenarios/bench/plot8k.scn (4 CPUs, 8,000 packets, three variants; issue
# 14's target: under 3 s) and, with --big, plot1m.scn (1 M packets: under
# 10 s).  A benchmark, not a test: it prints the seconds and never fails on
# time.  Run by `meson benchmark -C BUILD plot-time`.
#     sh bench/plot_time.sh SIM SRCDIR [--big]
set -eu
sim=$1 src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sim-plot-time-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
for s in plot8k ${3:+plot1m}; do
  t0=$(date +%s.%N)
  "$sim" "$src/scenarios/bench/$s.scn" --quiet --plot "$tmp/$s" > /dev/null || [ $? -eq 1 ]
  t1=$(date +%s.%N)
  printf "%-8s --plot %s s  (TSV %s)\n" "$s" "$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")" "$(du -sh "$tmp/$s" | cut -f1)"
done
