#!/usr/bin/env bash
# explore_expect.sh SIM SRCDIR: --explore-expect counts a scenario's failed
# expect lines as violations (kind "expect"); without it the same search is
# clean; the hint replays the failing run; --shrink keeps the failing
# expectation (written negated, so the shrunk file holds under plain sim).
set -u
sim=$(realpath "$1") src=$2
cd "$src" || exit 1
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
scn=scenarios/sock+backlog-flood.scn
"$sim" "$scn" --explore 300 > "$t/plain.txt"
[ $? -eq 0 ] || fail "without --explore-expect the search should be clean"
"$sim" "$scn" --explore 300 --explore-expect --shrink --shrink-out "$t/s.scn" > "$t/x.txt"
[ $? -eq 1 ] || fail "--explore-expect found no failed expect line"
grep -qE '^    expect +[0-9]+ runs' "$t/x.txt" || fail "no expect tally"
hint=$(sed -n 's/^  replay: sim //p' "$t/x.txt")
"$sim" $hint > /dev/null
[ $? -eq 1 ] || fail "the hint '$hint' does not replay a violation"
"$sim" $(echo "$hint" | sed 's/ --explore-expect//') > /dev/null
[ $? -eq 0 ] || fail "the replay without --explore-expect should be clean"
grep -q "the scenario's \`expect backlog_" "$t/s.scn" || fail "the shrunk file does not name the expectation"
grep -qE '^expect +fix=none backlog_(max!=11|drops<40|processed<11)$' "$t/s.scn" \
  || fail "the shrunk file does not keep the failing expectation: $(grep ^expect "$t/s.scn")"
"$sim" "$t/s.scn" > /dev/null || fail "the shrunk scenario does not reproduce under plain sim"
echo "ok: --explore-expect"
