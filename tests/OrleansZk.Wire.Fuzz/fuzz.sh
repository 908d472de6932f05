#!/usr/bin/env bash
# Coverage-guided fuzzing of the client port's frame decoder for longer than CI does: CI's own test
# (tests/OrleansZk.Wire.Tests, AflFuzzTests: AFL++ over the SharpFuzz-instrumented OrleansZk.Wire.dll,
# seeded with the frames captured from the ZooKeeper 3.8 client) with ORLEANSZK_FUZZ_SECONDS set.
# Usage: tests/OrleansZk.Wire.Fuzz/fuzz.sh [SECONDS (default 600)]
# Installs Debian's afl++ when afl-fuzz is missing. Fails, printing each input in hex and keeping
# AFL's findings directory, when AFL saved a crash or a hang.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ORLEANSZK_FUZZ_SECONDS="${1:-600}" exec dotnet test "$root/tests/OrleansZk.Wire.Tests" -c Release \
  --filter "FullyQualifiedName~OrleansZk.Wire.Tests.AflFuzzTests" --logger "console;verbosity=detailed"
