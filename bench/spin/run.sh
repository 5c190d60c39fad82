#!/usr/bin/env bash
# run.sh SIM [P N K ...]: `sim --check` and spin side by side on the same
# ring bounds -- P writer CPUs, N frames, K packets each -- for owner_map
# and each reader: states, seconds, peak RSS and bytes per state of each,
# and the ratios.  spin runs bench/spin/ring.pml (the ring protocol alone,
# hand-written); sim runs the same bounds as a scenario (the whole model:
# softirqs, NAPI, the reader's poll and wake-up).  Bounds are given as
# triples; default: 2 2 2, 2 3 2 and the issue's 3 4 5.  Each search is cut
# after BENCH_TIMEOUT seconds (default 120) and said so; sim's is also cut
# at BENCH_MEMORY_MIB of memory (--check-memory, default 4096).
# Exit 77 (skipped) when spin or a C compiler is missing.
set -u
sim=$(realpath "$1"); shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
limit=${BENCH_TIMEOUT:-120}
mem=${BENCH_MEMORY_MIB:-4096}
command -v spin > /dev/null || { echo "spin is not installed (Debian package spin): skipped"; exit 77; }
command -v cc > /dev/null || { echo "no C compiler for spin's pan.c: skipped"; exit 77; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (Debian package time): skipped"; exit 77; }
[ $# -ge 3 ] || set -- 2 2 2 2 3 2 3 4 5
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT

# measure OUT CMD...: runs CMD with the time limit; "seconds rss_kb rc" into OUT.time
measure() {
  local out=$1; shift
  /usr/bin/time -f '%e %M' -o "$out.time" timeout "$limit" "$@" > "$out" 2>&1
  local rc=$?
  echo "$(tail -1 "$out.time") $rc" > "$out.time"
}

printf '%-9s %-8s %-5s %-9s %12s %9s %10s %12s\n' bounds reader tool verdict states seconds rss_MiB bytes/state
while [ $# -ge 3 ]; do
  P=$1 N=$2 K=$3; shift 3
  for reader in user_bit nonzero; do
    r=$([ $reader = nonzero ] && echo 1 || echo 0)
    # spin: generate, compile (not timed), verify with its default
    # partial-order reduction and exact state storage
    (cd "$t" && rm -f pan* && spin -DP="$P" -DN="$N" -DK="$K" -DFIX=2 -DREADER="$r" -a "$here/ring.pml" > /dev/null &&
      cc -O2 -DSAFETY -DMEMLIM=16384 -o pan pan.c > /dev/null 2>&1) || { echo "spin could not build pan"; exit 1; }
    measure "$t/spin.out" "$t/pan" -m1000000
    read -r ss srss src < "$t/spin.out.time"
    sst=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$t/spin.out" | head -1)
    sv=$(grep -q 'errors: 0' "$t/spin.out" && echo holds || echo violation)
    [ "$src" -eq 124 ] && sv="cut@${limit}s"
    # sim: the same bounds as a scenario
    {
      echo "scenario bench-$P-$N-$K"
      echo "cpus $((P + 1))"
      echo "fix owner_map"
      echo "socket cap type=packet version=v2 frames=$N frame_size=2048"
      for ((c = 0; c < P; c++)); do echo "flow w$c socket=cap cpu=$c count=$K size=64"; done
      echo "consumer rd socket=cap cpu=$P check=$reader"
    } > "$t/b.scn"
    measure "$t/sim.out" "$sim" "$t/b.scn" --check --json --check-memory "$mem"
    read -r ms mrss mrc < "$t/sim.out.time"
    mst=$(sed -n 's/.*"states": \([0-9]*\).*/\1/p' "$t/sim.out")
    mv=$([ "$mrc" -eq 0 ] && echo holds || echo violation)
    grep -q '"complete": false' "$t/sim.out" && mv="cut@${mem}MiB"
    [ "$mrc" -eq 124 ] && { mv="cut@${limit}s"; mst=""; }
    for tool in spin sim; do
      if [ $tool = spin ]; then st=${sst:-?} s=$ss rss=$srss v=$sv; else st=${mst:-?} s=$ms rss=$mrss v=$mv; fi
      bps=$(awk -v r="$rss" -v n="$st" 'BEGIN { if (n + 0 > 0) printf "%.0f", r * 1024 / n; else print "-" }')
      printf '%-9s %-8s %-5s %-9s %12s %9s %10.1f %12s\n' "$P/$N/$K" "$reader" $tool "$v" "$st" "$s" \
        "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$bps"
    done
    if [ "$mrc" -eq 124 ] || [ "$src" -eq 124 ] || [ "${mv#cut}" != "$mv" ]; then
      printf '%-9s %-8s ratio sim/spin: none (a search was cut)\n' "" ""
    else
      awk -v a="$ms" -v b="$ss" -v c="$mrss" -v d="$srss" 'BEGIN {
        printf "%-9s %-8s ratio sim/spin: %.1fx the time, %.2fx the peak memory\n", "", "", (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
    fi
  done
done
