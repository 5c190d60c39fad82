#!/usr/bin/env bash
# hardening.sh SIM SRCDIR: issue 14's bounds and error paths, as a user meets
# them: the engine's hardirq-line table (1), input and run-state bounds and
# out of memory (6), `limit events=` and `limit output=` (7), paths never cut
# (8), colliding and unwritable outputs, JSON escaping, shrink and bench
# errors, plots of trivial runs (9), --labels (10), messages (11).  Every
# check fails on the code before its fix.
set -u
sim=$(realpath "$1")
src=$(realpath "$2")
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
run 2 "$sim" "$tmp/irq100.scn" && err_at "$tmp/irq100.scn:64:9" "too many irqs on cpu 0"
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
# A 4,087-byte relative path to a missing file is that error, not another
# scenario found in the data directory.
mkdir -p "$tmp/r"
rel=$(for _ in $(seq 815); do printf 'r/../'; done)wrap.scn
run 2 env -C "$tmp" "$sim" "$rel" && grep -q ": error: cannot open .*wrap.scn: No such file or directory" "$tmp/err" ||
  bad "a long relative path: $(cut -c1-100 "$tmp/err")"
# Output paths that cannot hold the file names sim writes in them.
run 2 "$sim" "$src/scenarios/wrap.scn" --tsv "$deep/$(printf 't%.0s' $(seq 250))/$(printf 't%.0s' $(seq 40))"
grep -q -- '--tsv: the path is' "$tmp/err" || bad "--tsv too long: $(cat "$tmp/err")"
run 2 "$sim" "$src/scenarios/wrap.scn" --explore 1 --shrink --shrink-out "$long"

# ---- 6: bounded input and run state ---------------------------------------
# /dev/zero: 64 MiB read at most, then an error (was: until memory ran out).
run 2 timeout 20 "$sim" /dev/zero && err_at "/dev/zero:1:1" "a scenario is at most"
# 20 sockets of 1M frames (2.9 GB of ring state: 144 bytes a frame, the
# kernel's status and the oracle's record) are refused at the socket that
# crosses `limit memory=` (default 1 GiB) -- the 7th, line 8 -- before
# anything is allocated.
{ echo "scenario t"
  for i in $(seq 20); do echo "socket s$i type=packet version=v2 frames=1048576 frame_size=2KiB"; done
} >"$tmp/mem.scn"
run 2 "$sim" "$tmp/mem.scn" && err_at "$tmp/mem.scn:8:1" "over limit memory=1073741824"
# ... and a lower limit names the first socket past it.
{ echo "scenario t"; echo "limit memory=64MiB"
  echo "socket s type=packet version=v2 frames=1048576 frame_size=2KiB"; } >"$tmp/mem2.scn"
run 2 "$sim" "$tmp/mem2.scn" && err_at "$tmp/mem2.scn:3:1" "this socket's ring"
# Tasks and timers (the engine's part) count too: at the limit line.
{ echo "scenario t"; echo "limit memory=1MiB"; echo "lock L"
  for i in $(seq 5000); do echo "task t$i cpu=0 do=\"spin_lock L; spin_unlock L\""; done
} >"$tmp/mem3.scn"
run 2 "$sim" "$tmp/mem3.scn" && err_at "$tmp/mem3.scn:2:1" "the tasks, timers and CPUs"

# Out of memory is exit 3 with its message, wherever it happens (here: the
# arena, under a 300 MB address-space limit; skipped where sim cannot start
# under one, as with ASan).
{ echo "scenario t"; echo "limit memory=1024GiB"
  for i in $(seq 8); do echo "socket s$i type=packet version=v2 frames=1048576 frame_size=2KiB"; done
} >"$tmp/oom.scn"
if { (ulimit -v 300000; "$sim" --version) >/dev/null 2>&1; } 2>/dev/null; then
  run 3 bash -c 'ulimit -v 300000; exec "$0" "$1"' "$sim" "$tmp/oom.scn" && grep -q "out of memory" "$tmp/err" ||
    bad "out of memory: $(cat "$tmp/err")"
fi

# ---- 7: events a variant ---------------------------------------------------
# A flow of 10^10 packets a ns stops at `limit events=`, says so on stderr and
# in the report; the time limit alone would take minutes.
printf 'scenario t\nlimit events=100000\nsocket s type=packet version=v2 frames=8 frame_size=2KiB\nflow f socket=s cpu=0 every=1ns count=10000000000\n' >"$tmp/ev.scn"
run 0 timeout 20 "$sim" "$tmp/ev.scn" --fix none
grep -q "fix=none: the run was cut after 100000 events" "$tmp/err" || bad "no stderr note on the event limit"
grep -q "stopped at the event limit (100000 events)" "$tmp/out" || bad "no report note on the event limit"
run 0 timeout 20 "$sim" "$tmp/ev.scn" --fix none --json
grep -q '"end": "limit", "limit_by": "events"' "$tmp/out" || bad "JSON does not say the event limit"

# ---- 7: output bound -------------------------------------------------------
# `limit output=` cuts --trace, --tsv and --perfetto together, says so on
# stderr, and leaves well-formed files (the Perfetto JSON still parses).
printf 'scenario t\nlimit output=200KiB\nsocket s type=packet version=v2 frames=64 frame_size=2KiB\nflow f socket=s cpu=0 count=20000\nconsumer c socket=s cpu=0 check=user_bit\n' >"$tmp/out.scn"
run 0 "$sim" "$tmp/out.scn" --trace "$tmp/o.trace" --tsv "$tmp/o.tsv" --perfetto "$tmp/o.json"
grep -q "the trace output reached limit output=204800 bytes: the events of fix=none from [0-9]* ns on" "$tmp/err" ||
  bad "no stderr note on the output limit: $(cat "$tmp/err")"
total=$(cat "$tmp/o.trace" "$tmp/o.json" "$tmp"/o.tsv/* | wc -c)
[ "$total" -lt $((200 * 1024 + 64 * 1024)) ] || bad "output limit: $total bytes written"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/o.json" 2>/dev/null || bad "cut Perfetto JSON does not parse"
sed -i '/^limit/d' "$tmp/out.scn"
run 0 "$sim" "$tmp/out.scn" --trace "$tmp/o.trace"
[ "$(wc -c <"$tmp/o.trace")" -gt $((1024 * 1024)) ] || bad "the uncut trace is small: the check proves nothing"
[ ! -s "$tmp/err" ] || bad "a run under the output limit says: $(cat "$tmp/err")"

# ---- 9: outputs ---------------------------------------------------------------
wrap=$src/scenarios/wrap.scn
run 2 "$sim" "$wrap" --trace "$tmp/same" --perfetto "$tmp/./same" && grep -q "name one file" "$tmp/err" ||
  bad "--trace X --perfetto X: $(cat "$tmp/err")"
run 2 "$sim" "$wrap" --tsv "$tmp/td" --perfetto "$tmp/td/cpu_states.tsv"
run 2 "$sim" "$wrap" --plot "$tmp/pd/" --trace "$tmp/pd/compare.png"
run 0 "$sim" "$wrap" --tsv "$tmp/td" --perfetto "$tmp/td/trace.json"
# A full stdout is told on stderr, exit 3.
if "$sim" "$wrap" >/dev/full 2>"$tmp/err"; then bad "> /dev/full exits 0"; fi
grep -q "writing the standard output failed: No space left on device" "$tmp/err" ||
  bad "> /dev/full: $(cat "$tmp/err")"
# Benchmark usage errors give their reason.
run 2 "$sim" --bench --only bogus && grep -q "unknown workload 'bogus'" "$tmp/err" || bad "--only bogus"
run 2 "$sim" --bench --reps 0 && grep -q -- "--reps must be 1..32, got '0'" "$tmp/err" || bad "--reps 0"
# A path that is not UTF-8 is escaped in JSON (the replay hint names it).
cp "$wrap" "$tmp/w$(printf '\377\303').scn"
run 1 "$sim" "$tmp/w$(printf '\377\303').scn" --explore 2 --fix none --json
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1],"rb").read().decode("utf-8")); assert "\ufffd\ufffd" in d["explore"][0]["replay"]' "$tmp/out" ||
  bad "JSON with a non-UTF-8 path is not valid UTF-8 JSON"
# Shrink errors go to stderr, with the reason.
run 3 "$sim" "$wrap" --explore 5 --fix none --shrink --shrink-out "$tmp/no/such/dir/x.scn"
grep -q "sim: shrink: cannot write $tmp/no/such/dir/x.scn: No such file or directory" "$tmp/err" ||
  bad "shrink write error: $(cat "$tmp/err")"
# --plot renders a run of one CPU interval, and an empty scenario.
if command -v gnuplot >/dev/null; then
  printf 'scenario t\ntask a cpu=0 do="work 1us"\n' >"$tmp/one.scn"
  run 0 "$sim" "$tmp/one.scn" --plot "$tmp/p1" && [ -s "$tmp/p1/timeline.png" ] || bad "--plot on one interval"
  printf 'scenario t\n' >"$tmp/empty.scn"
  run 0 "$sim" "$tmp/empty.scn" --plot "$tmp/p2" && [ -s "$tmp/p2/compare.png" ] || bad "--plot on an empty run"
fi

# ---- 11: messages that help -----------------------------------------------
# A task that only takes plain locks needs no socket=; a socket op does.
printf 'scenario t\ncpus 2\nlock L\ntask a cpu=0 do="spin_lock_bh L; work 1us; spin_unlock_bh L"\ntask b cpu=1 do="spin_lock L; spin_unlock L"\n' >"$tmp/nosock.scn"
run 0 "$sim" "$tmp/nosock.scn"
printf 'scenario t\ntask a cpu=0 do="work 1us; lock_sock"\n' >"$tmp/nosock2.scn"
run 2 "$sim" "$tmp/nosock2.scn" && err_at "$tmp/nosock2.scn:2:28" "op 'lock_sock' works on the task's socket"

# A scenario without a packet socket runs once: the fixes change only
# tpacket_rcv(); its JSON has one variant, "none".
run 0 "$sim" "$src/scenarios/sock+owned-backlog.scn" --fix all --json
python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["variants"]; assert [x["fix"] for x in v] == ["none"], v' "$tmp/out" ||
  bad "a socket-only scenario runs every fix variant"
run 0 "$sim" "$src/scenarios/sock+owned-backlog.scn" --fix all
[ "$(grep -c '^in_progress\|^owner_map' "$tmp/out")" -eq 0 ] || bad "a socket-only scenario prints fix variants"
# Decimal times whole in ns are read; 1.5ns is not.
printf 'scenario t\ntask a cpu=0 do="work 1.5us"\n' >"$tmp/dec.scn"
run 0 "$sim" "$tmp/dec.scn" && grep -q "work 1500ns" "$tmp/out" || bad "1.5us is not 1500ns"
printf 'scenario t\ntask a cpu=0 do="work 1.5ns"\n' >"$tmp/dec2.scn"
run 2 "$sim" "$tmp/dec2.scn" && err_at "$tmp/dec2.scn:2:23" "not a whole number of nanoseconds"
# An unknown metric lists the metrics.
printf 'scenario t\nexpect overun>=1\n' >"$tmp/met.scn"
run 2 "$sim" "$tmp/met.scn" && err_at "$tmp/met.scn:2:8" "unknown metric 'overun' (expected overrun, corrupt,.* or rcvq_drops)"

# ---- 10: the reference ----------------------------------------------------
# --labels prints each label's default cost and per-byte part.
run 0 "$sim" --labels
grep -qE '^tpacket_rcv:G +[0-9]+ns +[1-9][0-9]*ps  skb_copy_bits' "$tmp/out" || bad "--labels: no cost columns"
grep -qE '^# label +cost +per byte +kernel$' "$tmp/out" || bad "--labels: no heading"

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "all hardening checks pass"
