#!/usr/bin/env bash
# Records ZooKeeper's answers to the conformance scenarios (see README.md beside this file).
# Usage: record.sh [SCENARIO.zks ...] [--id-set]
#   (default: every scenarios/*.zks and the identity-set orders)
# Writes expected/NAME.out for each scenario, each against a fresh ZooKeeper server, and with
# --id-set (or no argument) expected/jvm-id-set-order.txt from IdSetOrder.java.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

if [ ! -f /usr/share/java/zookeeper.jar ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y zookeeper
fi
for tool in java javac; do
  command -v "$tool" >/dev/null || { echo "record.sh: $tool not found (needs a JDK, 17 or newer)" >&2; exit 1; }
done

# zookeeper.jar's manifest Class-Path brings in jute, netty, slf4j-api, ...
cp="/usr/share/java/zookeeper.jar:/usr/share/java/zookeeper-jute.jar"
[ -f /usr/share/java/slf4j-nop.jar ] && cp="$cp:/usr/share/java/slf4j-nop.jar"

build="$(mktemp -d)"
trap 'rm -rf "$build"' EXIT
javac -nowarn -d "$build" -cp "$cp" "$here"/*.java

scenarios=()
id_set=0
for arg in "$@"; do
  if [ "$arg" = "--id-set" ]; then id_set=1; else scenarios+=("$arg"); fi
done
if [ "$#" -eq 0 ]; then
  scenarios=("$root"/scenarios/*.zks)
  id_set=1
fi

status=0
if [ "$id_set" -eq 1 ]; then
  out="$root/expected/jvm-id-set-order.txt"
  if java -cp "$build:$cp" IdSetOrder >"$out.tmp" 2>"$build/id-set.log"; then
    mv "$out.tmp" "$out"
    echo "recorded jvm-id-set-order ($(grep -vc '^#' "$out") cases)"
  else
    rm -f "$out.tmp"
    echo "FAILED jvm-id-set-order:" >&2
    grep -v SLF4J "$build/id-set.log" >&2 || true
    status=1
  fi
fi
for scenario in "${scenarios[@]+"${scenarios[@]}"}"; do
  name="$(basename "$scenario" .zks)"
  out="$root/expected/$name.out"
  if java -Xmx1g -cp "$build:$cp" Recorder "$scenario" "$out.tmp" 2>"$build/$name.log"; then
    mv "$out.tmp" "$out"
    echo "recorded $name ($(wc -l <"$out") commands)"
  else
    rm -f "$out.tmp"
    echo "FAILED $name:" >&2
    grep -v SLF4J "$build/$name.log" >&2 || true
    status=1
  fi
done
exit $status
