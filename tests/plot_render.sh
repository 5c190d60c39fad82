#!/bin/sh
# plot_render.sh - `sim --plot` renders every gnuplot script of plots/ on a
# small run of a ring scenario (three variants) and of a socket-lock one,
# and each picture is non-trivial: it exists, is a PNG, is over 5 KB.  Also:
# without gnuplot on PATH, --plot exits 2 with the install hint.
#     sh tests/plot_render.sh SIM
set -eu
sim=$1
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

# No gnuplot on PATH: exit 2 and say which package to install.
rc=0; PATH=/nonexistent "$sim" "$tmp/sock.scn" --plot "$tmp/none" > "$tmp/none.out" 2>&1 || rc=$?
if [ $rc -ne 2 ] || ! grep -q "needs gnuplot (Debian package gnuplot-nox)" "$tmp/none.out"; then
  echo "not ok: --plot without gnuplot: exit $rc:"; cat "$tmp/none.out"; fail=1
else
  echo "ok: --plot without gnuplot exits 2"
fi
exit $fail
