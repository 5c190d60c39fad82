#!/usr/bin/env bash
# check_cex.sh SIM SRCDIR: `--check` beyond its verdicts (suite `check`).
#  1. The checker can fail: a `check` line that claims the wrong verdict
#     exits 1 with a FAILED line; without `check` lines a reachable
#     invariant exits 1; a search cut by --check-depth or --check-memory
#     cannot prove "holds".
#  2. Every counterexample --check-cex writes is a timed scenario (stall
#     lines, arrival times) that reproduces under a plain run: the `replay:
#     sim FILE` lines are run exactly as printed (with `sim` being SIM) and
#     exit 0 (their expect line: the violation happened), and the run's
#     trace takes the printed counterexample's steps in order (shown able
#     to fail: the scenario alone does not).  A path the clock cannot force
#     is written in its replay form, which reproduces too.
#  3. The same JSON for -j 1 and -j 2; bitstate reaches the same verdicts.
#  5. Counterexamples are the shortest: cut one transition short of one
#     (--check-depth), the search does not reach that invariant.
#  6. --check-audit: states met twice at one depth have the same
#     successors on every shipped check scenario; its self-test (a state
#     hash that merges distinct states) fails it, exit 3.
#  7. The depth-first order meets what the breadth-first one does: the
#     same states, transitions, ends, folded steps and verdicts on every
#     shipped check scenario (a second order is a check of the merging:
#     a state hash that misses what a step reads makes them differ).
set -u
sim=$(realpath "$1") src=$2
cd "$src" || exit 1
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$t/bin"; ln -s "$sim" "$t/bin/sim"
export PATH="$t/bin:$PATH"
ring=scenarios/check/ring-nonzero.scn

# 1. wrong verdicts fail
sed 's/^check    fix=owner_map   holds=overrun,/check    fix=owner_map   reachable=overrun holds=/' \
  "$ring" > "$t/wrong.scn"
grep -q 'reachable=overrun holds=' "$t/wrong.scn" || fail "could not write the wrong verdict"
sim "$t/wrong.scn" --check --quiet --fix owner_map > "$t/wrong.out"
[ $? -eq 1 ] || fail "a wrong 'reachable' verdict did not exit 1"
grep -q '^FAILED  check fix=owner_map    overrun' "$t/wrong.out" || fail "no FAILED line for it"
sed 's/^check    fix=none        reachable=overrun,lost/check    fix=none        holds=overrun/' \
  "$ring" > "$t/wrong2.scn"
sim "$t/wrong2.scn" --check --quiet --fix none > "$t/wrong2.out"
[ $? -eq 1 ] || fail "a wrong 'holds' verdict did not exit 1"
grep -v '^check ' "$ring" > "$t/plain.scn"
sim "$t/plain.scn" --check --quiet --fix none > /dev/null
[ $? -eq 1 ] || fail "an overrun reachable without check lines did not exit 1"
sim "$t/plain.scn" --check --quiet --fix owner_map > /dev/null
[ $? -eq 0 ] || fail "owner_map without check lines did not exit 0"
sim scenarios/check/sock-lock.scn --check --quiet --check-depth 5 > "$t/cut.out"
[ $? -eq 1 ] || fail "a search cut by --check-depth proved 'holds'"
grep -q 'INCOMPLETE: --check-depth cut the search' "$t/cut.out" || fail "the cut is not said"
grep -q 'not found, incomplete' "$t/cut.out" || fail "the verdicts do not say incomplete"
# bad --check options: a usage error, exit 2, before anything runs
for args in "--check-order xfs" "--check-order dfs --check-audit" "--check-order dfs --shard 0/2 --json" \
            "--check-memory 8" "--check-memory lots" "--check-audit"; do
  case $args in --check-audit) set -- "$ring" $args ;; *) set -- "$ring" --check $args ;; esac
  sim "$@" > "$t/usage.out" 2>&1
  [ $? -eq 2 ] || fail "sim $* did not exit 2"
  grep -q '^sim: ' "$t/usage.out" || fail "sim $*: no message"
done
# a search past --check-memory stops, says so, and keeps what it found
sim "$ring" --check --quiet --fix none --check-memory 16 > "$t/mem.out" 2> "$t/mem.err"
[ $? -eq 1 ] || fail "a search past --check-memory did not exit 1"
grep -q 'INCOMPLETE: past --check-memory' "$t/mem.out" || fail "the memory cut is not said"
grep -q 'needs more than 16 MiB (--check-memory)' "$t/mem.err" || fail "no message on stderr for it"
# on several threads the cut does not depend on which thread met what: the
# same for -j 2, 3 and 4 (buffers grown per thread would cut elsewhere)
for j in 2 3 4; do
  sim scenarios/check/ring-user-bit.scn --check --quiet --fix none --check-memory 16 -j $j --json \
    > "$t/mem.j$j" 2> /dev/null
done
grep -q '"complete": false' "$t/mem.j2" || fail "ring-user-bit was not cut at 16 MiB"
cmp -s "$t/mem.j2" "$t/mem.j3" && cmp -s "$t/mem.j2" "$t/mem.j4" ||
  fail "the --check-memory cut differs between -j 2, 3 and 4"
grep -q '^  overrun  *reachable' "$t/mem.out" || fail "the overrun met before the cut was not kept"

# 2. counterexamples are timed scenarios that replay, as printed, and take
#    the counterexample's steps in its order
steps_of_cex() {  # OUT FIX INV: the printed counterexample's (cpu, context, label)s
  awk -v fix="fix=$2:" -v inv="$3" '
    $1 == "check" { v = ($3 == fix) }
    v && $1 == "counterexample:" && $2 == inv { f = 1; next }
    f && /the oracle|replay:|counterexample:/ { f = 0 }
    f { print $2, $3, $4 }' "$1" | grep -v 'sched:switch'
}
steps_of_run() {  # SCN N: the first N (cpu, context, label)s of a plain run's trace
  sim "$1" --trace "$t/run.trace" > /dev/null 2>&1
  grep -v '^#' "$t/run.trace" | awk '$4 != "stall" && $4 != "sched:switch" { print $2, $3, $4 }' |
    head -n "$2"
}
for f in scenarios/check/*.scn; do
  rm -rf "$t/cex"
  sim "$f" --check --check-cex "$t/cex" > "$t/cex.out"
  n=0
  while read -r hint; do
    n=$((n + 1))
    ( eval "$hint" ) > "$t/replay.out" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || { cat "$t/replay.out"; fail "$f: \`$hint\` exited $rc, not 0"; }
    grep -q '^ok      expect' "$t/replay.out" || fail "$f: \`$hint\`: no expect line held"
    file=${hint#sim }
    b=$(basename "$file" .scn)
    grep -q '^replay' "$file" && fail "$file: not a timed form (replay lines)"
    grep -q '^stall' "$file" || fail "$file: no stall line"
    steps_of_cex "$t/cex.out" "${b%%-*}" "${b#*-}" > "$t/want"
    [ -s "$t/want" ] || fail "$f: no steps printed for $b"
    steps_of_run "$file" "$(wc -l < "$t/want")" > "$t/got"
    cmp -s "$t/want" "$t/got" || { diff "$t/want" "$t/got" | head; fail "$file: the timed run takes other steps than the counterexample"; }
  done < <(sed -n 's/^    replay: //p' "$t/cex.out")
  [ "$(grep -c '^    (a timed run: ' "$t/cex.out")" -eq "$n" ] || fail "$f: not every counterexample is timed"
  [ "$n" -gt 0 ] && echo "ok: $f: $n counterexamples, timed, replay under a plain run in the same steps"
  # the step comparison can fail: the scenario alone takes other steps
  if [ "$f" = "$ring" ]; then
    steps_of_cex "$t/cex.out" none overrun > "$t/want"
    sim "$f" --fix none --trace "$t/run.trace" > /dev/null 2>&1
    grep -v '^#' "$t/run.trace" | awk '$4 != "stall" && $4 != "sched:switch" { print $2, $3, $4 }' |
      head -n "$(wc -l < "$t/want")" > "$t/got"
    cmp -s "$t/want" "$t/got" && fail "the step comparison cannot fail: $f alone takes the same steps"
  fi
done
# A path the clock cannot force (a periodic hardirq fires on its own clock
# and would run before the stalled CPU's next step): the replay form, which
# still reproduces.
cat > "$t/abba-irq.scn" <<'EOS'
scenario abba-irq
cpus     2
lock     A
lock     B
task     fwd   cpu=0 do="spin_lock A; spin_lock B; spin_unlock B; spin_unlock A"
task     rev   cpu=1 do="spin_lock B; spin_lock A; spin_unlock A; spin_unlock B"
irq      cpu=0 every=1500ns cost=100ns
EOS
rm -rf "$t/cex"
sim "$t/abba-irq.scn" --check --quiet --check-cex "$t/cex" > "$t/cex.out"
grep -q '^    (replay steps: no timed form, ' "$t/cex.out" || fail "abba-irq: no replay form said"
grep -q '^replay' "$t/cex/none-deadlock.scn" || fail "abba-irq: the fallback has no replay line"
sim "$t/cex/none-deadlock.scn" > /dev/null || fail "abba-irq: the replay form does not reproduce"
echo "ok: a path the clock cannot force is written in its replay form, which reproduces"
# a directory given with its trailing slash: the hint names the file once
sim "$ring" --check --quiet --fix none --check-cex "$t/cex2/" > "$t/cex2.out"
hint=$(sed -n 's/^    replay: //p' "$t/cex2.out" | head -1)
case $hint in *//*) fail "the hint has a double slash: $hint" ;; "") fail "no hint for $t/cex2/" ;; esac
( eval "$hint" ) > /dev/null 2>&1 || fail "\`$hint\` did not replay"
# a replay step that does not exist is an input error
printf 'scenario x\ncpus 1\nlock A\ntask t cpu=0 do="spin_lock A; spin_unlock A"\nreplay cpu0 t999\n' > "$t/bad.scn"
sim "$t/bad.scn" > "$t/bad.out" 2>&1
[ $? -eq 2 ] || fail "replay of a missing transition did not exit 2"
grep -q "bad.scn:5:.*error: replay step 2" "$t/bad.out" || fail "no FILE:LINE:COL error for it"

# 3. -j and bitstate
sim "$ring" --check --json -j 1 > "$t/j1.json"; a=$?
sim "$ring" --check --json -j 2 > "$t/j2.json"; b=$?
[ "$a" -eq 0 ] && [ "$b" -eq 0 ] || fail "-j 1 / -j 2 exited $a / $b"
cmp -s "$t/j1.json" "$t/j2.json" || fail "-j 1 and -j 2 differ"
sim "$ring" --check --quiet --check-bitstate 24 > "$t/bs.out" || fail "bitstate verdicts differ"
grep -q 'bitstate; omission probability' "$t/bs.out" || fail "bitstate not said"
echo "ok: verdicts fail when wrong; -j 1 = -j 2; bitstate agrees"

# 4. sharded: three parts searched apart, merged (given out of order and
# one twice), reach the verdicts of the whole search; a missing part is refused
for i in 0 1 2; do
  sim "$ring" --check --json --shard "$i/3" > "$t/s$i.json" || fail "shard $i/3 exited $?"
done
sim merge "$t/s2.json" "$t/s0.json" "$t/s1.json" "$t/s0.json" > "$t/merged.json" 2> "$t/merge.err"
[ $? -eq 1 ] || fail "the merged report of ring-nonzero (overrun reachable) did not exit 1"
grep -q 'repeats shard 0/3' "$t/merge.err" || fail "a repeated shard was not told"
verdicts() { grep -o '"[a-z_]*": {"holds": [a-z]*' "$1"; }
verdicts "$t/j1.json" > "$t/v.whole"
verdicts "$t/merged.json" > "$t/v.merged"
[ -s "$t/v.whole" ] || fail "no verdicts read"
cmp -s "$t/v.whole" "$t/v.merged" || { diff "$t/v.whole" "$t/v.merged"; fail "sharded verdicts differ"; }
sim merge "$t/s0.json" "$t/s1.json" > /dev/null 2>&1
[ $? -eq 2 ] || fail "a merge without every shard did not exit 2"
sed 's/"states": \([0-9]\)/"states": 1\1/' "$t/s1.json" > "$t/s1x.json"
sim merge "$t/s0.json" "$t/s1.json" "$t/s2.json" "$t/s1x.json" > /dev/null 2> "$t/merge.err"
[ $? -eq 2 ] && grep -q 'again, with other results' "$t/merge.err" ||
  fail "a shard given twice with other results was not refused"
echo "ok: 3 shards merged give the whole search's verdicts"

# 5. shortest: a counterexample at depth D, and none within D - 1
for spec in "$ring none overrun" "$ring in_progress consumer_partial" \
            "scenarios/check/lock-abba.scn none deadlock"; do
  set -- $spec
  sim "$1" --check --json --fix "$2" > "$t/d.json"
  d=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["check"][0]["invariants"][sys.argv[2]]["depth"])' "$t/d.json" "$3") ||
    fail "$1 $2: no depth for $3"
  [ "$d" -gt 1 ] || fail "$1 $2: $3 at depth $d"
  sim "$1" --check --json --fix "$2" --check-depth $((d - 1)) > "$t/d1.json"
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["check"][0]; sys.exit(0 if v["invariants"][sys.argv[2]]["holds"] and not v["complete"] else 1)' "$t/d1.json" "$3" ||
    fail "$1 $2: $3 found within depth $((d - 1)), shorter than its counterexample ($d)"
  sim "$1" --check --json --fix "$2" --check-depth "$d" > "$t/d2.json"
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["check"][0]; sys.exit(1 if v["invariants"][sys.argv[2]]["holds"] else 0)' "$t/d2.json" "$3" ||
    fail "$1 $2: $3 not found within depth $d"
done
echo "ok: counterexamples are the shortest (none within one transition less)"

# 6. the audit of state merging, and its self-test
for f in scenarios/check/*.scn; do
  sim "$f" --check --quiet --check-audit -j 2 > "$t/audit.out"
  rc=$?
  [ "$rc" -le 1 ] || { cat "$t/audit.out"; fail "$f: --check-audit exited $rc"; }
  grep -q '^  audit: [0-9]* states met again at one depth by another path: the same successors' "$t/audit.out" ||
    fail "$f: no audit line"
done
n=$(sed -n 's/^  audit: \([0-9]*\) states.*/\1/p' "$t/audit.out" | head -1)
SIM_CHECK_SELFTEST=1 sim "$ring" --check --quiet --check-audit --fix none > "$t/selftest.out"
[ $? -eq 3 ] || fail "the audit's self-test (a hash that merges distinct states) did not exit 3"
grep -q '^  AUDIT FAILED: [1-9][0-9]* of [0-9]* states met again' "$t/selftest.out" ||
  fail "the audit's self-test did not say AUDIT FAILED"
echo "ok: --check-audit: same successors on every check scenario; its self-test fails it"

# 7. depth first and breadth first: one graph
same_graph() {  # same_graph FILE: the two orders' counts and verdicts agree
  sim "$1" --check --json -j 2 > "$t/bfs.json"
  sim "$1" --check --json --check-order dfs > "$t/dfs.json"
  python3 - "$t/bfs.json" "$t/dfs.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["check"] for p in sys.argv[1:3])
for x, y in zip(a, b):
    for k in ("states", "transitions", "ends", "folded", "ample", "complete"):
        if x[k] != y[k]:
            sys.exit(f"{x['fix']}: {k} {x[k]} breadth first, {y[k]} depth first")
    for i in x["invariants"]:
        if x["invariants"][i]["holds"] != y["invariants"][i]["holds"]:
            sys.exit(f"{x['fix']}: {i}")
PY
}
for f in scenarios/check/*.scn; do
  same_graph "$f" || fail "$f: depth first and breadth first differ"
done
# the comparison can fail: a state hash that merges distinct states
! SIM_CHECK_SELFTEST=1 same_graph "$ring" 2> /dev/null ||
  fail "with a 12-bit state hash the two orders still agreed"
echo "ok: depth first and breadth first meet the same states on every check scenario"
