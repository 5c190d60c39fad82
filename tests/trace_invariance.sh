#!/usr/bin/env bash
# Tracing must not change a run: for each scenario given, `sim FILE --json`
# with and without --trace (every variant) must print the same bytes.  With
# tracing off, sim_did() takes its inline fast path and skips its key/value
# arguments; with tracing on it takes the full one -- this checks they agree
# (and that no model decision depends on whether it is traced).
set -euo pipefail
sim=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
for f in "$@"; do
  for fix in none in_progress owner_map; do
    s1=0; s2=0
    "$sim" "$f" --fix "$fix" --json > "$tmp/plain.json" || s1=$?
    "$sim" "$f" --fix "$fix" --json --trace "$tmp/trace" > "$tmp/traced.json" || s2=$?
    if [ "$s1" != "$s2" ] || ! cmp -s "$tmp/plain.json" "$tmp/traced.json"; then
      echo "tracing changed the run: $f --fix $fix (exit $s1 vs $s2)"
      diff "$tmp/plain.json" "$tmp/traced.json" | head -5 || true
      rc=1
    fi
    [ -s "$tmp/trace" ] || { echo "no trace written: $f --fix $fix"; rc=1; }
  done
done
[ "$#" -gt 0 ] || { echo "no scenario given"; rc=1; }
exit $rc
