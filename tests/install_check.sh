#!/usr/bin/env bash
# `meson install` gives a sim that works without the source tree: install
# into a temporary DESTDIR, move the installed tree elsewhere (the program
# finds its data relative to itself), hide the build, and run it from an
# empty directory: a shipped scenario by name, --list-scenarios, --plot
# (when gnuplot is here), --labels, --help, the man pages.  The installed
# program must not name the source or build directory.
#   install_check.sh BUILDDIR
set -euo pipefail
build=$(realpath "$1")
src=$(cat "$build/sim.srcdir")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
meson install -C "$build" --destdir "$tmp/dest" --strip --quiet --no-rebuild
prefix=$(meson introspect "$build" --buildoptions | python3 -c \
  'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
mv "$tmp/dest$prefix" "$tmp/moved"
mkdir "$tmp/work" && cd "$tmp/work"
sim=$tmp/moved/bin/sim
if grep -qF -- "$src" "$sim" || grep -qF -- "$build" "$sim"; then
  echo "the installed program names the source or build directory"; exit 1
fi
run() { echo "+ sim $*"; env -u SIM_DATADIR "$sim" "$@"; }
run --version
run wrap.scn --quiet
run --list-scenarios | grep '^wrap.scn ' > /dev/null
run --list-scenarios | grep '^bench/ring8.scn ' > /dev/null
run scenarios/sock+owned-backlog.scn --quiet
run --labels | grep '^tpacket_rcv:F ' > /dev/null
run --help | grep 'docs/scenarios.md' > /dev/null
test -f "$tmp/moved/share/man/man1/sim.1"
test -f "$tmp/moved/share/man/man5/sim-scenario.5"
test -f "$tmp/moved/share/doc/sim/scenarios.md"
ls "$tmp/moved/share/bash-completion/completions/sim" > /dev/null
if command -v gnuplot > /dev/null; then
  run sock+owned-backlog.scn --quiet --plot "$tmp/work/plots"
  test -s "$tmp/work/plots/compare.png"
fi
# SIM_DATADIR overrides: an empty one has no scenarios.
mkdir "$tmp/empty"
if SIM_DATADIR=$tmp/empty "$sim" wrap.scn 2> "$tmp/err"; then
  echo "SIM_DATADIR was not used"; exit 1
fi
echo "installed sim works without the source tree"
