#!/bin/sh
# plot_docs.sh - render the README's pictures into docs/img/ from the shipped
# scenarios (`meson compile -C build plots` runs it):
#     docs/img/wrap-timeline-{none,in_progress,owner_map}.png,
#     docs/img/wrap-spin_hist.png, docs/img/wrap-compare.png   (scenarios/wrap.scn)
#     docs/img/sock-timeline.png, docs/img/sock-spin_hist.png,
#     docs/img/sock-compare.png                 (scenarios/sock+owned-backlog.scn)
#     docs/img/price-*.png                      (scenarios/wrap+owner-map-price.scn)
#     sh tests/plot_docs.sh SIM SOURCE_DIR
set -eu
sim=$1
src=$2
out="$src/docs/img"
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sim-docs-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

render() {  # SCENARIO PREFIX
  rc=0
  "$sim" "$src/scenarios/$1" --plot "$tmp/$2" --quiet || rc=$?
  # 1 only says an expectation failed: the pictures are still right
  if [ "$rc" -gt 1 ]; then echo "plot_docs.sh: sim failed on scenarios/$1 (exit $rc)" >&2; exit 1; fi
  for f in "$tmp/$2"/*.png; do
    cp "$f" "$out/$2-$(basename "$f")"
    echo "docs/img/$2-$(basename "$f")"
  done
}
render wrap.scn wrap
render sock+owned-backlog.scn sock
render wrap+owner-map-price.scn price
