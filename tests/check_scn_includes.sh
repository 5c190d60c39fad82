#!/usr/bin/env bash
# scn/ (the scenario language) knows no engine and no model: every header it
# includes with quotes is one of its own, and none is a header of sim/ or
# models/.  Fails, naming the line, when one is.
#
#   check_scn_includes.sh SRCDIR
set -euo pipefail
src=$1
status=0
for f in "$src"/scn/*.c "$src"/scn/*.h; do
	while IFS= read -r line; do
		h=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$line")
		base=$(basename "$h")
		if [ "$h" != "$base" ] || [ ! -f "$src/scn/$h" ] ||
		   [ -f "$src/sim/$base" ] || [ -f "$src/models/$base" ]; then
			echo "${f#"$src"/}: includes \"$h\", which is not a header of scn/" >&2
			status=1
		fi
	done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" || true)
done
exit $status
