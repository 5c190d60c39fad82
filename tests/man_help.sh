#!/usr/bin/env bash
# The manual pages cannot drift from the program: every option `sim --help`
# names is in sim(1) and every option sim(1) names is in --help; both pages
# render without a warning (groff -ww); every directive, key, metric and op
# of docs/scenarios.md's tables is in sim-scenario(5).
#   man_help.sh SIM SRCDIR
set -euo pipefail
sim=$1 src=$2
rc=0
opts() { grep -oE '(^|[^A-Za-z0-9-])--[a-z][a-z-]+|(^|[ [])-j\b' | grep -oE -- '--?[a-z][a-z-]*' | sort -u; }
help=$("$sim" --help | opts)
man=$(sed 's/\\-/-/g' "$src/man/sim.1" | opts)
for o in $help; do grep -qx -- "$o" <<< "$man" || { echo "sim(1) lacks $o (in --help)"; rc=1; }; done
for o in $man; do grep -qx -- "$o" <<< "$help" || { echo "--help lacks $o (in sim(1))"; rc=1; }; done
if command -v groff >/dev/null; then
  for p in sim.1 sim-scenario.5; do
    w=$(groff -ww -z -man "$src/man/$p" 2>&1) || true
    [ -z "$w" ] || { echo "groff warns on $p: $w"; rc=1; }
  done
fi
# Names in the first column of docs/scenarios.md's directive, op and metric
# tables: each must appear in sim-scenario(5).
page=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$src/man/sim-scenario.5")
for name in $(grep -oE '^\| `[a-z_]+' "$src/docs/scenarios.md" | sed 's/^| `//' | sort -u); do
  grep -qw -- "$name" <<< "$page" || { echo "sim-scenario(5) lacks '$name' (in docs/scenarios.md)"; rc=1; }
done
[ $rc -eq 0 ] && echo "man pages agree with --help and docs/scenarios.md"
exit $rc
