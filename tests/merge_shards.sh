#!/usr/bin/env bash
# merge_shards.sh SIM SRCDIR: 4 shards of an exploration, run through GNU
# parallel (xargs -P when it is absent), merged by `sim merge`, give the
# --json report of one `-j 2` run byte for byte; the merge refuses a missing
# shard, a shard of another search and a bad file (exit 2) and counts a
# repeated shard once.
set -u
sim=$(realpath "$1") src=$2
cd "$src" || exit 1
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
scn=scenarios/wrap+explore.scn
fail() { echo "FAIL: $*"; exit 1; }

shard() { "$sim" "$scn" --explore 2000 --shard "$1/4" --json > "$t/shard-$1.json"; [ $? -le 1 ]; }
export -f shard; export sim scn t
if command -v parallel >/dev/null; then
  parallel --will-cite shard ::: 0 1 2 3 || fail "a shard failed"
else
  printf '%s\n' 0 1 2 3 | xargs -P 4 -I{} bash -c 'shard {}' || fail "a shard failed"
fi
"$sim" "$scn" --explore 2000 -j 2 --json > "$t/one.json"
"$sim" merge "$t"/shard-{3,1,0,2}.json > "$t/merged.json"
[ $? -eq 1 ] || fail "merge of a search with violations should exit 1"
cmp "$t/merged.json" "$t/one.json" || fail "merged report differs from the -j 2 run"
grep -q '"violating": [1-9]' "$t/one.json" || fail "the search found nothing: the test proves little"

# a repeated shard counts once
"$sim" merge "$t"/shard-{0,1,2,3,1}.json > "$t/dup.json" 2> "$t/dup.err"
cmp "$t/dup.json" "$t/one.json" || fail "a repeated shard changed the report"
grep -q 'counted once' "$t/dup.err" || fail "a repeated shard was not told"

# refusals, each with FILE:LINE:COL: error:
refuse() {
  local what=$1 pat=$2; shift 2
  "$sim" merge "$@" > "$t/out" 2> "$t/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$what: exit $rc, not 2"
  [ -s "$t/out" ] && fail "$what: printed a report"
  grep -q "$pat" "$t/err" || fail "$what: message '$(cat "$t/err")' does not match $pat"
}
refuse "missing shard" "missing shard 2/4" "$t"/shard-{0,1,3}.json
"$sim" "$scn" --explore 2000 --shard 2/4 --json --seed 7 > "$t/seed7.json"
refuse "other seed" "seed7.json:1:1: error: its seed differs" "$t"/shard-{0,1,3}.json "$t/seed7.json"
"$sim" "$scn" --explore 2000 --shard 2/4 --json --depth 5 > "$t/depth5.json"
refuse "other bounds" "error: its bounds" "$t"/shard-{0,1,3}.json "$t/depth5.json"
"$sim" "$scn" --explore 1999 --shard 2/4 --json > "$t/runs.json"
refuse "other run count" "error: its number of runs differs" "$t"/shard-{0,1,3}.json "$t/runs.json"
sed 's/"version": "[^"]*"/"version": "0.0.0-other"/' "$t/shard-2.json" > "$t/version.json"
refuse "other version" "error: its program version differs" "$t"/shard-{0,1,3}.json "$t/version.json"
sed 's/"violating": \([0-9]*\)/"violating": \1,/' "$t/shard-2.json" > "$t/bad.json"
refuse "bad JSON" "bad.json:1:[0-9]*: error: expected a member name" "$t"/shard-{0,1,3}.json "$t/bad.json"
sed 's/"index": 2/"index": 1/' "$t/shard-2.json" > "$t/clash.json"
refuse "clashing shard" "shard 1/4 again, with other results" "$t"/shard-{0,1,3}.json "$t/clash.json"
echo "ok: 4 shards through $(command -v parallel >/dev/null && echo parallel || echo 'xargs -P') merge to the -j 2 report"
