#!/usr/bin/env bash
# Records scripts several times (record.sh into temporary directories, the transcripts beside the
# scripts are left alone) and reports any script whose output differs between runs, after masking
# what the tests' normalizer masks as run-to-run values: times, and the order of the removal events
# one removewatches reports (zkCli takes them from a HashMap keyed by event type; its order changes
# from one JVM to the next).
# Usage: stable.sh [-n RUNS] [NAME.zk ...]   (default: 3 runs of every ../*.zk)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
runs=3
if [ "${1:-}" = "-n" ]; then runs="$2"; shift 2; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

mask() {
  python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
def removal(i):
    return i + 3 < len(lines) and lines[i] == "" and lines[i + 1] == "WATCHER::" and lines[i + 2] == "" and "WatchRemoved " in lines[i + 3]
out, i = [], 0
while i < len(lines):
    if removal(i):
        block = []
        while removal(i):
            block.append(lines[i + 3])
            i += 4
        for event in sorted(block):
            out += ["", "WATCHER::", "", event]
        continue
    out.append(re.sub(r"^([cm]time) = .*", r"\1 = <time>", lines[i]))
    i += 1
print("\n".join(out))
PY
}

for run in $(seq 1 "$runs"); do
  mkdir -p "$work/$run"
  OUT_DIR="$work/$run" "$here/record.sh" "$@" >/dev/null
  for f in "$work/$run"/*; do mask "$f" >"$f.masked"; done
done

status=0
for f in "$work/1"/*.masked; do
  name="$(basename "$f" .masked)"
  for run in $(seq 2 "$runs"); do
    if ! diff -u "$f" "$work/$run/$name.masked" >"$work/diff"; then
      echo "unstable: $name (run 1 vs run $run)"
      cat "$work/diff"
      status=1
    fi
  done
done
[ "$status" = 0 ] && echo "stable: $(ls "$work/1"/*.masked | wc -l) files, $runs runs"
exit "$status"
