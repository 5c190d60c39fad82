#!/bin/bash
# live.sh SIM SRCDIR - `sim --live` on this machine's kernel (suite `live`):
# the counting scenario must match on every judged row, text and JSON; a
# two-second flood must find every frame intact and every hole counted;
# without CAP_NET_RAW/CAP_NET_ADMIN sim says so and exits 2.  Exits 77
# (skipped) when this process may not open AF_PACKET sockets.
sim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp"/out "$tmp"/err 2>/dev/null; exit 1; }

"$sim" "$src/scenarios/live+count.scn" --live >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 2 ] && grep -q 'needs CAP_NET_RAW and CAP_NET_ADMIN' "$tmp/err"; then
	echo "skipped: $(cat "$tmp/err")"
	exit 77
fi
[ "$rc" = 0 ] || fail "live+count: exit $rc"
grep -q '^ok: every judged row matches' "$tmp/out" || fail "live+count: no verdict"
grep -q 'published  *8  *8   ok' "$tmp/out" || fail "live+count: published"
grep -q 'tp_snaplen  *958  *958   ok' "$tmp/out" || fail "live+count: truncated snaplen"

"$sim" "$src/scenarios/live+count.scn" --live --json >"$tmp/out" 2>"$tmp/err" || fail "json: exit $?"
grep -q '"mode": "live"' "$tmp/out" && grep -q '"mismatches": 0}$' "$tmp/out" ||
	fail "json shape"

"$sim" "$src/scenarios/live+flood.scn" --live --live-seconds 2 >"$tmp/out" 2>"$tmp/err" ||
	fail "live+flood: exit $?"
grep -q 'frames not intact  *0  *0   ok' "$tmp/out" || fail "live+flood: frames"
grep -q 'holes not in tp_drops  *0  *0   ok' "$tmp/out" || fail "live+flood: lost"

if command -v setpriv >/dev/null; then
	setpriv --bounding-set=-net_raw,-net_admin "$sim" "$src/scenarios/live+count.scn" --live \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" = 2 ] || fail "without the capabilities: exit $rc, want 2"
	grep -q 'needs CAP_NET_RAW and CAP_NET_ADMIN' "$tmp/err" || fail "without the capabilities: message"
	[ -s "$tmp/out" ] && fail "without the capabilities: output"
fi
echo ok
