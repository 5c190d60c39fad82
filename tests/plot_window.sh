#!/bin/sh
# plot_window.sh - `sim --plot` draws each timeline from its variant's data
# cut to a window and merged below a pixel (cmd/plot_window.h):
#  - the default window is around the first overrun, not the whole run;
#  - --plot-window T0..T1 keeps only what lies inside, clipped;
#  - the cut cpu_states.tsv stays within about two bars a pixel a CPU
#    however long the run (here 8,000 packets: ~43,000 intervals a variant);
#  - --plot alone cuts the rows to the window as the run makes them: it
#    writes no whole-run cpu_states.tsv, and its window data and pictures
#    are byte-identical to --tsv DIR --plot DIR's (which keeps every row);
#  - a malformed --plot-window is a usage error (exit 2).
#     sh tests/plot_window.sh SIM SRCDIR
set -eu
sim=$1 src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sim-plot-window-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
scn=$src/scenarios/bench/plot8k.scn

"$sim" "$scn" --quiet --tsv "$tmp/d" --plot "$tmp/d" > /dev/null || [ $? -eq 1 ]
w=$tmp/d/window-none
full=$(grep -c '^none' "$tmp/d/cpu_states.tsv")
cut=$(grep -c '^none' "$w/cpu_states.tsv")
# 4 CPUs, 1400 pixels: at most two bars a pixel (a merged run and a long bar)
if [ "$cut" -gt $((4 * 1400 * 2)) ] || [ "$cut" -ge "$full" ]; then
  echo "not ok: cut cpu_states has $cut rows of $full"; fail=1
else echo "ok: cut cpu_states has $cut rows of $full"; fi
# the default window: 80 us around the first overrun, not the whole 1 ms run
last=$(awk -F'\t' 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' "$w/cpu_states.tsv")
first_over=$(awk -F'\t' '$1 == "none" && $8 == "overrun" { print $2; exit }' "$tmp/d/ring_steps.tsv")
lim=$((first_over + 20000)); [ $lim -ge 80000 ] || lim=80000
if [ "$last" -gt $lim ] || [ "$last" -lt "$first_over" ]; then
  echo "not ok: default window ends at $last, first overrun at $first_over"; fail=1
else echo "ok: default window ends at $last ns, first overrun at $first_over ns"; fi

"$sim" "$scn" --quiet --plot "$tmp/e" --plot-window 100us..300us > /dev/null || [ $? -eq 1 ]
bad=$(awk -F'\t' 'NR > 1 && ($2 < 100000 || $3 > 300000)' "$tmp/e/window-owner_map/cpu_states.tsv" | wc -l)
rows=$(awk 'NR > 1' "$tmp/e/window-owner_map/cpu_states.tsv" | wc -l)
if [ "$bad" -ne 0 ] || [ "$rows" -eq 0 ]; then
  echo "not ok: --plot-window 100us..300us: $bad of $rows rows outside"; fail=1
else echo "ok: --plot-window 100us..300us: $rows rows, all inside"; fi

# --plot alone: the same cut, made during the run
"$sim" "$scn" --quiet --plot "$tmp/g" > /dev/null || [ $? -eq 1 ]
if [ -e "$tmp/g/cpu_states.tsv" ]; then
  echo "not ok: --plot alone wrote the whole run's cpu_states.tsv"; fail=1
elif ! diff -r "$tmp/d/window-none" "$tmp/g/window-none" > /dev/null ||
     ! diff -r "$tmp/d/window-owner_map" "$tmp/g/window-owner_map" > /dev/null ||
     ! diff -r "$tmp/d/spin" "$tmp/g/spin" > /dev/null; then
  echo "not ok: --plot alone cut other window data than --tsv --plot"; fail=1
else
  same=1
  for png in "$tmp"/d/*.png; do cmp -s "$png" "$tmp/g/$(basename "$png")" || same=0; done
  if [ $same -eq 1 ]; then echo "ok: --plot alone: the same window data and pictures, no whole-run rows"
  else echo "not ok: --plot alone drew other pictures"; fail=1; fi
fi

for v in 10us 30us..10us 5..10us x..y; do
  rc=0
  "$sim" "$scn" --quiet --plot "$tmp/f" --plot-window "$v" > /dev/null 2> "$tmp/err" || rc=$?
  if [ $rc -ne 2 ] || ! grep -q -- '--plot-window' "$tmp/err"; then
    echo "not ok: --plot-window $v: exit $rc"; fail=1
  else echo "ok: --plot-window $v: usage error"; fi
done
exit $fail
