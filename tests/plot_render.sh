#!/bin/sh
# plot_render.sh - `sim --plot` renders every gnuplot script of plots/ on a
# small run of a ring scenario (three variants) and of a socket-lock one,
# and each picture is non-trivial: it exists, is a PNG, is over 5 KB.  The
# timeline colours each lock and marks a deadlock.  Also: without gnuplot
# on PATH, --plot exits 2 with the install hint.
#     sh tests/plot_render.sh SIM SRCDIR
set -eu
sim=$1 src=${2:-.}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sim-plot-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

cat > "$tmp/wrap.scn" <<'SCN'
scenario wrap-small
cpus     3
fix      all
socket   cap   type=packet version=v2 frames=8 frame_size=2048
flow     big   socket=cap cpu=0 count=1 size=1514
flow     small socket=cap cpu=1 at=1us every=200ns count=12 size=64
stall    cpu=0 at=tpacket_rcv:F for=20us
consumer pcap  socket=cap cpu=2 check=nonzero
SCN
cat > "$tmp/sock.scn" <<'SCN'
scenario sock-small
cpus 2
socket s type=stream rcvbuf=64KiB sndbuf=16KiB
task user socket=s cpu=0 do="lock_sock; work 30us; release_sock" at=2us
flow f socket=s cpu=1 every=1us count=40 size=1000
SCN

check_png() {
  f=$1
  if [ ! -f "$f" ]; then echo "not ok: $f missing"; fail=1; return; fi
  size=$(wc -c < "$f")
  magic=$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')
  if [ "$magic" != "89504e470d0a1a0a" ]; then echo "not ok: $f is not a PNG ($magic)"; fail=1; return; fi
  if [ "$size" -le 5120 ]; then echo "not ok: $f has only $size bytes"; fail=1; return; fi
  echo "ok: $f ($size bytes)"
}

rc=0; "$sim" "$tmp/wrap.scn" --plot "$tmp/wrap" --quiet > "$tmp/wrap.out" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then echo "not ok: sim --plot wrap exited $rc"; cat "$tmp/wrap.out"; fail=1; fi
if [ -s "$tmp/wrap.out" ]; then echo "not ok: sim --plot wrap printed:"; cat "$tmp/wrap.out"; fail=1; fi
for p in timeline-none timeline-in_progress timeline-owner_map spin_hist compare; do
  check_png "$tmp/wrap/$p.png"
done

rc=0; "$sim" "$tmp/sock.scn" --plot "$tmp/sock" --quiet > "$tmp/sock.out" 2>&1 || rc=$?
if [ $rc -ne 0 ]; then echo "not ok: sim --plot sock exited $rc"; cat "$tmp/sock.out"; fail=1; fi
if [ -s "$tmp/sock.out" ]; then echo "not ok: sim --plot sock printed:"; cat "$tmp/sock.out"; fail=1; fi
for p in timeline spin_hist compare; do
  check_png "$tmp/sock/$p.png"
done

# Two locks taken in opposite orders on two CPUs (ABBA): the timeline draws
# each lock's holding bars in its own colour (the palette's first two,
# plots/lock_timeline.gp lock_pal), and marks the deadlock in dark red
# (#8b0000) on its CPUs; the window's data carries deadlocks.tsv.  The
# socket run (one lock, no deadlock) has neither the second colour nor the
# mark.  Pixels counted by png_colours.py.
cat > "$tmp/abba.scn" <<'SCN'
scenario abba
cpus 2
lock A
lock B
task t1 cpu=0 do="spin_lock A; work 1us; spin_lock B; spin_unlock B; spin_unlock A"
task t2 cpu=1 do="spin_lock B; work 1us; spin_lock A; spin_unlock A; spin_unlock B"
SCN
rc=0; "$sim" "$tmp/abba.scn" --plot "$tmp/abba" --quiet > "$tmp/abba.out" 2>&1 || rc=$?
if [ $rc -ne 0 ] || [ -s "$tmp/abba.out" ]; then echo "not ok: sim --plot abba exited $rc:"; cat "$tmp/abba.out"; fail=1; fi
check_png "$tmp/abba/timeline.png"
rows=$(awk -F '\t' 'NR > 1 && $8 == "cpu1 t2 spins on A, held by cpu0 t1; cpu0 t1 spins on B, held by cpu1 t2"' \
  "$tmp/abba/window-none/deadlocks.tsv" 2>/dev/null | wc -l)
if [ "$rows" -ne 2 ]; then echo "not ok: window-none/deadlocks.tsv has $rows rows of the cycle, want 2"; fail=1; fi
colours() { python3 "$src/tests/png_colours.py" "$1" f28e2b 9c2f8f 8b0000; }
px() { echo "$1" | awk -v c="$2" '$1 == c { print $2 }'; }
got=$(colours "$tmp/abba/timeline.png")
if [ "$(px "$got" f28e2b)" -lt 1000 ] || [ "$(px "$got" 9c2f8f)" -lt 1000 ] || [ "$(px "$got" 8b0000)" -lt 500 ]; then
  echo "not ok: abba timeline: lock A, lock B, deadlock pixels:"; echo "$got"; fail=1
else
  echo "ok: abba timeline has both locks' colours and the deadlock mark"
fi
got=$(colours "$tmp/sock/timeline.png")
if [ "$(px "$got" 9c2f8f)" -ne 0 ] || [ "$(px "$got" 8b0000)" -ne 0 ]; then
  echo "not ok: sock timeline (one lock, no deadlock):"; echo "$got"; fail=1
else
  echo "ok: sock timeline: one lock colour, no deadlock mark"
fi

# No gnuplot on PATH: exit 2 and say which package to install.
rc=0; PATH=/nonexistent "$sim" "$tmp/sock.scn" --plot "$tmp/none" > "$tmp/none.out" 2>&1 || rc=$?
if [ $rc -ne 2 ] || ! grep -q "needs gnuplot (Debian package gnuplot-nox)" "$tmp/none.out"; then
  echo "not ok: --plot without gnuplot: exit $rc:"; cat "$tmp/none.out"; fail=1
else
  echo "ok: --plot without gnuplot exits 2"
fi
exit $fail
