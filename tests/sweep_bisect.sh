#!/usr/bin/env bash
# sweep_bisect.sh SIM SRCDIR: on wrap.scn's stall (fix=none), the threshold
# where overrun appears is the same from a hand loop over `sim` (sed on the
# scenario's stall line), from --sweep's table, and from --bisect; bisect
# prints the caveat when the metric is not monotonic; bad keys, values and
# conditions exit 2 with one line and print nothing on stdout.
set -u
sim=$(realpath "$1") src=$2
cd "$src" || exit 1
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
step=50 hi=5000

# the hand loop, as a user would write it
hand=
for ((v = 0; v <= hi; v += step)); do
  sed "s/^stall .*/stall    cpu=0 at=tpacket_rcv:F for=${v}ns/" scenarios/wrap.scn > "$t/w.scn"
  n=$("$sim" "$t/w.scn" --fix none --json | sed 's/.*"fix": "none"[^}]*"overrun": \([0-9]*\).*/\1/')
  [ -n "$n" ] || fail "no overrun in the JSON at $v"
  if [ "$n" -ge 1 ]; then hand=$v; break; fi
done
[ -n "$hand" ] || fail "the hand loop found no overrun up to ${hi}ns"
[ "$hand" -gt 0 ] || fail "overrun already at 0: the test proves little"

# the sweep's first row with overrun >= 1 (column 3 of the table is overrun)
"$sim" scenarios/wrap.scn --fix none --sweep "stall.for=0..${hi}ns:${step}ns" > "$t/sweep.txt"
[ $? -le 1 ] || fail "--sweep failed"
sw=$(awk 'NR > 2 && $3 >= 1 { print $1; exit }' "$t/sweep.txt")
[ "$sw" = "$hand" ] || fail "--sweep says ${sw}ns, the hand loop ${hand}ns"
"$sim" scenarios/wrap.scn --fix none --sweep "stall.for=0..${hi}ns:${step}ns" --json > "$t/sweep.json"
grep -q "\"value\": $hand, \"variants\": \[{\"fix\": \"none\", \"expect_failed\": [0-9]*, \"metrics\": {\"overrun\": [1-9]" "$t/sweep.json" \
  || fail "--sweep --json does not show the overrun at $hand"
"$sim" scenarios/wrap.scn --fix none --sweep "stall.for=0..${hi}ns:${step}ns" --tsv "$t" > /dev/null
[ "$(awk -F'\t' 'NR > 1 && $2 >= 1 { print $1; exit }' "$t/sweep.tsv")" = "$hand" ] || fail "sweep.tsv disagrees"

# the bisection on the same grid
"$sim" scenarios/wrap.scn --fix none --bisect "stall.for=0..${hi}ns:${step}ns" --until 'overrun >= 1' > "$t/b.txt"
[ $? -eq 0 ] || fail "--bisect found no threshold: $(cat "$t/b.txt")"
grep -q "from stall.for=${hand}ns on" "$t/b.txt" || fail "--bisect says: $(cat "$t/b.txt"), hand loop ${hand}ns"
"$sim" scenarios/wrap.scn --fix none --bisect "stall.for=0..${hi}ns:${step}ns" --until overrun\>=1 --json \
  | grep -q "\"threshold\": $hand," || fail "--bisect --json disagrees"

# not monotonic: `lost` comes and goes with the stall length (fix=none)
"$sim" scenarios/wrap.scn --fix none --bisect "stall.for=0..20us:1ns" --until 'lost>=1' > "$t/c.txt"
grep -q "caveat (fix=none): lost is not monotonic" "$t/c.txt" || fail "no caveat: $(cat "$t/c.txt")"

# keys by name and by position, and a cost line the scenario lacks
for k in flow.small.count=10..30:10 flow.2.count=10..30:10 socket.cap.frames=8..10 \
         stall.1.for=1us..3us:1us cost.tpacket_rcv:G=0..200ns:100ns; do
  "$sim" scenarios/wrap.scn --fix none --sweep "$k" > "$t/k.txt"
  [ $? -le 1 ] || fail "--sweep $k failed"
  [ "$(wc -l < "$t/k.txt")" -eq 5 ] || fail "--sweep $k: not 3 rows: $(cat "$t/k.txt")"
done
[ "$(awk 'NR == 3 { print $5 }' "$t/k.txt")" != "$(awk 'NR == 5 { print $5 }' "$t/k.txt")" ] \
  || awk 'NR > 2 { print $3 $4 $5 $6 $7 $8 }' "$t/k.txt" | sort -u | [ "$(wc -l)" -gt 1 ] \
  || fail "cost.tpacket_rcv:G changes nothing"

# bad input: one line on stderr, exit 2, nothing on stdout
bad() {
  "$sim" scenarios/wrap.scn "$@" > "$t/out" 2> "$t/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$*: exit $rc, not 2"
  [ -s "$t/out" ] && fail "$*: printed $(head -c 200 "$t/out")"
  [ "$(wc -l < "$t/err")" -eq 1 ] || fail "$*: stderr is not one line: $(cat "$t/err")"
}
bad --sweep stall.nope=0..1us
bad --sweep flow.huge.every=0..1us
bad --sweep stall.for=1us..0
bad --sweep stall.for=0..1xs
bad --sweep socket.cap.frames=4..5000000:1000000
bad --sweep socket.cap.frame_size=64..100:1
bad --bisect stall.for=0..1us --until 'overrun >> 1'
bad --bisect stall.for=0..1us
bad --sweep stall.for=0..1us --until 'overrun>=1'
echo "ok: the threshold is ${hand}ns by hand, by --sweep and by --bisect"
