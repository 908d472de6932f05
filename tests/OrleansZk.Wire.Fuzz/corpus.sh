#!/usr/bin/env bash
# Writes the client-to-server frames captured from the ZooKeeper 3.8 Java client, one connection's
# worth per file, as a starting corpus for afl-fuzz. Usage: corpus.sh DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:?usage: corpus.sh DIR}"
mkdir -p "$out"
awk -v out="$out" '
  /^= connection / { n = $3 }
  /^> / { file = sprintf("%s/connection-%s", out, n); printf "%s", $2 >> (file ".hex") }
' "$here/../OrleansZk.Wire.Tests/Captures/java-client-3.8.txt"
for hex in "$out"/*.hex; do xxd -r -p "$hex" >"${hex%.hex}"; rm "$hex"; done
ls "$out"
