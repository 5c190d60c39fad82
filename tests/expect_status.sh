#!/usr/bin/env bash
# expect_status.sh STATUS CMD ARGS...: run CMD, pass only if it exits with STATUS
# (a crash or any other status fails; its output is shown).
want=$1
shift
"$@"
got=$?
if [ "$got" -ne "$want" ]; then
  echo "expected exit status $want, got $got: $*"
  exit 1
fi
