#!/usr/bin/env bash
# engine_words.sh SRCDIR: the engine (sim/) knows no socket, ring, packet or
# metric.  Fails naming FILE:LINE for every line of sim/ -- code or comment --
# that uses one of the kernel objects' words; the models (models/) own them.
set -u
src=$1
words='socket|sock_|\bsock\b|\bsk_|\bskb|tpacket|packet|\bpkt|\bring\b|rx_ring|metric|backlog|napi|overrun|frame_size'
hits=$(cd "$src" && grep -rnIiE "$words" sim/)
if [ -n "$hits" ]; then
  echo "sim/ must not know the kernel objects' words ($words):"
  echo "$hits"
  exit 1
fi
echo "sim/: no socket, ring, packet or metric word"
