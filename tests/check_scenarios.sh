#!/usr/bin/env bash
# Fails if a scenarios/*.scn or scenarios/check/*.scn file is not listed in scenarios/meson.build.
set -euo pipefail
dir=$1 list=$2
rc=0
for f in "$dir"/*.scn "$dir"/check/*.scn; do
  b=${f#"$dir"/}
  grep -q "'$b'" "$list" || { echo "not registered in scenarios/meson.build: $b"; rc=1; }
done
exit $rc
