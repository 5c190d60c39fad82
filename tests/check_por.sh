#!/usr/bin/env bash
# check_por.sh SIM SRCDIR: partial-order reduction keeps every verdict
# (suite `check`).  For every shipped scenario whose whole search is small
# (scenarios/check/, and the two others that finish in a second), --check
# with the reduction (the default) and without it (--check-por off) must
# find the same invariants reachable and the same end states (the states
# where nothing is left to fire: the reduction keeps all of them, so their
# count is the same), and the reduced search may not store more states.
# Both reductions are exercised: local steps, and states expanded by one
# CPU's private transitions (sim_ample) in some scenario.  (Marking
# tpacket_rcv private, which it is not, makes ring-nonzero's owner_map
# search lose 27 of its 28 end states: this test fails then.)
set -u
sim=$(realpath "$1") src=$2
cd "$src" || exit 1
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# fix, end states, each invariant's verdict (not the counterexample's length)
verdicts() {
  sed -n -e 's/^check [^ ]* \(fix=[^:]*\):.* \([0-9]*\) ends$/\1 ends=\2/p' \
         -e 's/^  \([a-z_]*\) *\(reachable\|holds\).*/  \1 \2/p' "$1"
}
states() { sed -n 's/^check [^ ]* fix=[^:]*: \([0-9]*\) states.*/\1/p' "$1"; }
n=0 fewer=0 private=0
for f in scenarios/check/*.scn scenarios/live+early-drop.scn scenarios/bug+lock-sock-without-bh.scn; do
  "$sim" "$f" --check --quiet -j 2 > "$t/on" 2>&1
  "$sim" "$f" --check --quiet -j 2 --check-por off > "$t/off" 2>&1
  grep -q 'INCOMPLETE' "$t/on" "$t/off" && fail "$f: a search was cut"
  verdicts "$t/on" > "$t/von"; verdicts "$t/off" > "$t/voff"
  [ -s "$t/voff" ] || fail "$f: no verdicts read from its report"
  diff "$t/voff" "$t/von" > "$t/diff" || { cat "$t/diff"; fail "$f: the reduction changed a verdict"; }
  paste <(states "$t/on") <(states "$t/off") > "$t/st"
  while read -r a b; do
    [ "$a" -le "$b" ] || fail "$f: the reduction stored more states ($a > $b)"
    [ "$a" -lt "$b" ] && fewer=$((fewer + 1))
  done < "$t/st"
  grep -q '^  partial-order reduction: ' "$t/on" || fail "$f: the reduced report does not say so"
  grep -q "; [1-9][0-9]* states expanded by one CPU's private transitions only" "$t/on" && private=$((private + 1))
  grep -q '^  partial-order reduction: ' "$t/off" && fail "$f: --check-por off still says it reduced"
  n=$((n + 1))
done
[ "$fewer" -gt 0 ] || fail "the reduction stored fewer states nowhere"
[ "$private" -gt 0 ] || fail "no search expanded a state by one CPU's private transitions (sim_ample)"
"$sim" scenarios/check/v3.scn --check --check-por maybe > /dev/null 2> "$t/err"
[ $? -eq 2 ] || fail "--check-por maybe did not exit 2"
grep -q "'on' or 'off'" "$t/err" || fail "--check-por maybe: $(cat "$t/err")"
echo "ok: $n scenarios, the same verdicts and end states with and without the reduction; fewer states in $fewer variants; private-transition sets in $private scenarios"
