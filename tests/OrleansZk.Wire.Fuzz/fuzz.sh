#!/usr/bin/env bash
# Coverage-guided fuzzing of the client port's frame decoder for a bounded time: AFL++ over the
# SharpFuzz-instrumented OrleansZk.Wire.dll, from the frames captured from the ZooKeeper 3.8 client.
# Usage: tests/OrleansZk.Wire.Fuzz/fuzz.sh [SECONDS (default 60)] [WORK DIR (default a temp dir)]
# Installs Debian's afl++ and the SharpFuzz.CommandLine dotnet tool when missing. Exits 1 when AFL
# saved a crash or a hang (in WORK/findings/default/crashes and hangs), 0 otherwise.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-60}"
work="${2:-$(mktemp -d "${TMPDIR:-/tmp}/wirefuzz.XXXXXX")}"

if ! command -v afl-fuzz >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q afl++ >/dev/null
fi
sharpfuzz="$HOME/.dotnet/tools/sharpfuzz"
if [ ! -x "$sharpfuzz" ]; then
  dotnet tool install --global SharpFuzz.CommandLine >/dev/null
fi

dotnet publish "$here" -c Release -o "$work/bin" -nologo -v quiet >/dev/null
"$sharpfuzz" "$work/bin/OrleansZk.Wire.dll" >/dev/null
"$here/corpus.sh" "$work/corpus" >/dev/null
AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  afl-fuzz -i "$work/corpus" -o "$work/findings" -t 5000 -m none -V "$seconds" -- dotnet "$work/bin/OrleansZk.Wire.Fuzz.dll" \
  >"$work/afl.log" 2>&1 || { tail -n 20 "$work/afl.log" >&2; exit 1; }
grep -a "Statistics" "$work/afl.log" | sed 's/\x1b\[[0-9;]*m//g' | tail -n 1
crashes=$(find "$work/findings/default/crashes" "$work/findings/default/hangs" -type f ! -name README.txt 2>/dev/null | wc -l)
if [ "$crashes" -gt 0 ]; then
  echo "fuzz: $crashes crash or hang inputs in $work/findings/default" >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds} s (work: $work)"
