#!/usr/bin/env bash
# The regression diff: every shipped scenario's outputs -- the report, --json,
# --trace, --tsv and --perfetto of every variant -- `--labels`, and
# `--explore 2000 --json` on wrap+explore.scn, hashed, against the manifest
# tests/golden/outputs.sha256.  A refactor must leave every byte as it was; a
# change of behaviour regenerates the manifest in its own commit, saying why.
#
#   regress.sh check  SIM SRCDIR        compare with the manifest (the test)
#   regress.sh update SIM SRCDIR        rewrite the manifest
#   regress.sh gen    SIM SRCDIR OUTDIR keep the outputs, to diff two builds:
#       regress.sh gen old/sim . /tmp/a; regress.sh gen build/sim . /tmp/b;
#       diff -r /tmp/a /tmp/b
set -euo pipefail
mode=$1 sim=$(realpath "$2") src=$3
cd "$src"
manifest=tests/golden/outputs.sha256
if [ "$mode" = gen ]; then
  out=$4; mkdir -p "$out"
else
  out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
fi

# Runs the program, keeping its stdout in $out/$1 and its exit status beside it.
run() {
  local name=$1; shift
  local rc=0
  "$sim" "$@" > "$out/$name" 2>/dev/null || rc=$?
  echo "$rc" > "$out/$name.rc"
}

for f in scenarios/*.scn; do
  b=$(basename "$f" .scn)
  run "$b.txt" "$f"
  run "$b.json" "$f" --json --trace "$out/$b.trace" --tsv "$out/$b.tsv" \
    --perfetto "$out/$b.perfetto.json"
done
run labels.txt --labels
run explore.json scenarios/wrap+explore.scn --explore 2000 --json -j 2

[ "$mode" = gen ] && exit 0
sums=$(mktemp)
(cd "$out" && find . -type f | LC_ALL=C sort | xargs sha256sum) > "$sums"
if [ "$mode" = update ]; then
  mkdir -p tests/golden
  mv "$sums" "$manifest"
  echo "wrote $manifest: $(wc -l < "$manifest") outputs"
  exit 0
fi
if cmp -s "$manifest" "$sums"; then
  rm -f "$sums"
  echo "$(wc -l < "$manifest") outputs byte-identical to $manifest"
  exit 0
fi
echo "outputs differ from $manifest (regress.sh gen SIM . DIR, then diff -r, shows how):"
diff "$manifest" "$sums" | grep '^[<>]' | awk '{print $1, $3}' | sort -k2 | head -40
rm -f "$sums"
exit 1
