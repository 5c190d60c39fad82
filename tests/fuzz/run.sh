#!/usr/bin/env bash
# Build a fuzzer and run it for a bounded time.
#
#   tests/fuzz/run.sh [BUILDDIR [TARGET]]  (default BUILDDIR: build-fuzz)
#   FUZZ_SECONDS=600 tests/fuzz/run.sh     (default 60 s)
#   FUZZ_SEED=N FUZZ_RUNS=N                 (default seed 1, runs unbounded: the
#                                            inputs tried are the same on every
#                                            machine, the time bound says how many)
#
# TARGET: fuzz_scn (the parser, the default) or fuzz_run (parse + build + a
# bounded run of every fix variant; see fuzz_run.c for its budget).
#
# The seed corpus is tests/fuzz/corpus/*.scn plus scenarios/*.scn; it is
# copied to a scratch directory so the committed corpus stays small.  Exits
# nonzero when the fuzzer finds a crash, a leak, a hang or undefined
# behaviour; the reproducer is left as BUILDDIR/TARGET-crash-* (or leak-, timeout-).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
builddir=${1:-build-fuzz}
target=${2:-fuzz_scn}
case $target in
fuzz_scn|fuzz_run) ;;
*) echo "run.sh: unknown target '$target' (fuzz_scn, fuzz_run)" >&2; exit 2 ;;
esac
secs=${FUZZ_SECONDS:-60}
seed=${FUZZ_SEED:-1}
runs=${FUZZ_RUNS:--1}

if [ -f meson.build ]; then
	if [ ! -f "$builddir/build.ninja" ]; then
		CC=clang meson setup "$builddir" -Dfuzz=true
	else
		meson configure "$builddir" -Dfuzz=true
	fi
	meson compile -C "$builddir" "$target"
	fuzzer=$builddir/tests/fuzz/$target
elif [ "$target" = fuzz_scn ]; then
	# no top-level project yet: build the harness directly
	mkdir -p "$builddir"
	fuzzer=$builddir/fuzz_scn
	clang -std=c11 -g -O1 -fno-omit-frame-pointer \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-Iscn tests/fuzz/fuzz_scn.c scn/*.c -o "$fuzzer"
else
	echo "run.sh: $target needs the meson project" >&2
	exit 2
fi

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp tests/fuzz/corpus/*.scn "$corpus"/
for f in scenarios/*.scn; do
	if [ -e "$f" ]; then cp "$f" "$corpus"/; fi
done

# libFuzzer exits nonzero on any finding; set -e passes that on.
"$fuzzer" -seed="$seed" -runs="$runs" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
	-dict=tests/fuzz/scn.dict -artifact_prefix="$builddir/$target-" \
	-print_final_stats=1 "$corpus"
