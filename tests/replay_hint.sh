#!/usr/bin/env bash
# replay_hint.sh SIM SRCDIR: the replay command an exploration prints, run
# exactly as printed (with `sim` being SIM), replays a failing run: exit 1
# and the same violation -- with --strategy/--depth/--seed on the command
# line, in the text and the JSON report, and from a path that needs quoting.
# `--replay SEED --json` of several variants prints one JSON object.
set -u
sim=$(realpath "$1") src=$2
cd "$src" || exit 1
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
mkdir -p "$t/it's here"
cp scenarios/wrap+explore.scn "$t/it's here/w.scn"
mkdir -p "$t/bin"; ln -s "$sim" "$t/bin/sim"
export PATH="$t/bin:$PATH"

check_hint() {     # what, hint command
  local what=$1 hint=$2
  ( eval "$hint" ) > "$t/replay.out" 2>&1
  local rc=$?
  [ "$rc" -eq 1 ] || fail "$what: \`$hint\` exited $rc, not 1 (a violation)"
}
for args in "--strategy pct --depth 1" "--depth 6" "--seed 9 --strategy pct" ""; do
  # shellcheck disable=SC2086
  sim "$t/it's here/w.scn" --fix none --explore 1500 $args > "$t/x.txt"
  [ $? -eq 1 ] || fail "[$args]: the exploration found nothing"
  hint=$(sed -n 's/^  replay: //p' "$t/x.txt")
  [ -n "$hint" ] || fail "[$args]: no replay hint"
  check_hint "[$args] text" "$hint"
  kinds=$(sed -n 's/^  smallest failing run: .*events (\(.*\))$/\1/p' "$t/x.txt" | cut -d, -f1)
  grep -q "^  $kinds " "$t/replay.out" || grep -q "$kinds" "$t/replay.out" \
    || fail "[$args]: the replay does not show $kinds"
  # shellcheck disable=SC2086
  sim "$t/it's here/w.scn" --fix none --explore 1500 --json $args > "$t/x.json"
  jhint=$(sed 's/.*"replay": "\(.*\)"}\]}$/\1/; s/\\"/"/g; s/\\\\/\\/g' "$t/x.json")
  [ "$jhint" = "$hint" ] || fail "[$args]: JSON hint '$jhint' is not the text one '$hint'"
done
# the plain case stays `sim FILE --fix F --replay SEED`
sim scenarios/wrap+explore.scn --fix none --explore 1500 | grep -qE '^  replay: sim scenarios/wrap\+explore\.scn --fix none --replay [0-9]+$' \
  || fail "the plain hint changed"
# without its options this hint would not reproduce (the bug of old): so the
# checks above fail if the hint loses them
sim "$t/it's here/w.scn" --fix none --explore 1500 --strategy pct --depth 1 > "$t/x.txt"
bare=$(sed -n 's/^  replay: //p' "$t/x.txt" | sed 's/ --strategy pct --depth 1//')
( eval "$bare" ) > /dev/null 2>&1
[ $? -eq 0 ] || fail "the bare hint reproduces too: pick a case where the options matter"

# --replay --json on a scenario with three variants: one object
n=$(sim scenarios/wrap+explore.scn --replay 5 --json | grep -c '^{')
[ "$n" -eq 1 ] || fail "--replay --json printed $n objects"
sim scenarios/wrap+explore.scn --replay 5 --json | grep -q '"variants": \[{"fix": "none".*"fix": "in_progress".*"fix": "owner_map"' \
  || fail "--replay --json lacks a variant"
echo "ok: replay hints reproduce"
