#!/usr/bin/env bash
# hardening.sh SIM SRCDIR: issue 14's bounds and error paths, one check per
# point, each run as a user would run sim.  Every check fails without its fix.
set -u
sim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

bad() { echo "FAIL: $*" | cut -c1-300; fails=$((fails + 1)); }

# run STATUS CMD...: the command exits STATUS; its stderr is in $tmp/err,
# stdout in $tmp/out.
run() {
  local want=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    bad "expected exit $want, got $got: $*"
    head -c 300 "$tmp/err"; echo
    return 1
  fi
  return 0
}

# err_at FILE:LINE:COL TEXT: stderr is one error line at that place naming TEXT.
err_at() {
  if ! grep -q "^$1: error: .*$2" "$tmp/err"; then
    bad "expected '$1: error: ...$2' on stderr, got: $(head -c 400 "$tmp/err")"
  fi
}

scn() { printf 'scenario t\n%s\n' "$1" >"$tmp/$2"; }

# ---- 1: the engine's fixed tables ------------------------------------------
# 62 periodic irqs on one CPU fit (64 lines: the NIC's, exploration's); the
# 63rd is an error at its line, never an assert or an overflow.
irqs() { for _ in $(seq "$1"); do echo "irq cpu=0 every=1ms cost=1us"; done; }
{ echo "scenario t"; irqs 62; } >"$tmp/irq62.scn"
run 0 "$sim" "$tmp/irq62.scn"
{ echo "scenario t"; irqs 100; } >"$tmp/irq100.scn"
run 2 "$sim" "$tmp/irq100.scn" && err_at "$tmp/irq100.scn:64:1" "too many irq lines on cpu 0"
run 2 "$sim" "$tmp/irq100.scn" --explore 2

# ---- 8: paths are never cut ----------------------------------------------
# A scenario 3,9xx bytes deep: its error names it whole, with LINE:COL.
deep=$tmp
for _ in $(seq 15); do deep=$deep/$(printf 'd%.0s' $(seq 250)); done
mkdir -p "$deep"
printf 'scenario t\nbogus\n' >"$deep/x.scn"
run 2 "$sim" "$deep/x.scn" && err_at "$deep/x.scn:2:1" "unknown directive 'bogus'"
# ... and its report names it whole (scn_file.path was 256 bytes).
printf 'scenario t\n' >"$deep/ok.scn"
run 0 "$sim" "$deep/ok.scn" && grep -qF "($deep/ok.scn)" "$tmp/out" || bad "report cuts the path"
# A path of 4,096 bytes or more is an error, not another file's name.
long=$deep/$(printf 'e%.0s' $(seq 250))/$(printf 'e%.0s' $(seq 250))/x.scn
run 2 "$sim" "$long" && grep -q ':1:1: error: path is [0-9]* bytes long' "$tmp/err" ||
  bad "a too-long path: $(cat "$tmp/err")"
# Output paths that cannot hold the file names sim writes in them.
run 2 "$sim" "$src/scenarios/wrap.scn" --tsv "$deep/$(printf 't%.0s' $(seq 250))/$(printf 't%.0s' $(seq 40))"
grep -q -- '--tsv: the path is' "$tmp/err" || bad "--tsv too long: $(cat "$tmp/err")"
run 2 "$sim" "$src/scenarios/wrap.scn" --explore 1 --shrink --shrink-out "$long"

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all hardening checks pass"
