#!/usr/bin/env bash
# Instructions a packet on a benchmark workload, by callgrind: the figure the
# README quotes and hot-path changes are judged by (wall time on a shared VM
# swings; instruction counts do not).  Runs WORKLOAD (default ring8) with
# count=2000 a flow, so 16,000 packets on ring8.
#   bench/instructions.sh build-release/sim [ring8|ring64|sock64]
set -euo pipefail
sim=$1 w=${2:-ring8}
src=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed -E 's/count=[0-9]+/count=2000/' "$src/scenarios/bench/$w.scn" > "$tmp/$w.scn"
pkts=$(grep -c '^flow' "$tmp/$w.scn"); pkts=$((pkts * 2000))
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$sim" "$tmp/$w.scn" --quiet \
  > /dev/null 2> "$tmp/log"
ins=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/log")
echo "$w: $ins instructions, $pkts packets, $((ins / pkts)) a packet"
