#!/usr/bin/env bash
# Failure detection and full-restart timings of a 3-silo AdoNet cluster, on SQLite and PostgreSQL,
# from the cluster tests' own measurements (tests/OrleansZk.Silo.Tests/Cluster): how long after a
# SIGKILL the membership table says Dead, and how long after all three silos were SIGKILLed (and
# restarted at once) a new client's first write is served. Runs the tests RUNS times (default 3)
# and prints every sample and the medians. Needs what the tests need (PostgreSQL's binaries).
# Environment: RUNS, SKIP_BUILD=1 (use the existing Release build of the test project).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${RUNS:-3}
out=$(mktemp -d "${TMPDIR:-/tmp}/cluster-timings.XXXXXX")
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    dotnet build "$root/tests/OrleansZk.Silo.Tests" -c Release -nologo -v quiet >"$out/build.txt"
fi
for run in $(seq 1 "$runs"); do
    echo "run $run of $runs ($(date -u +%T), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    dotnet test "$root/tests/OrleansZk.Silo.Tests" -c Release --no-build \
        --filter "FullyQualifiedName~Cluster.MembershipTests|FullyQualifiedName~Cluster.RestartTests.All" \
        --logger "console;verbosity=detailed" >"$out/run$run.txt" 2>&1 || echo "  (some test failed: $out/run$run.txt)" >&2
done
python3 - "$out" <<'PY'
import re, statistics, sys, glob
samples = {}
for path in sorted(glob.glob(sys.argv[1] + "/run*.txt")):
    seen = set()
    for line in open(path, errors="replace"):
        line = line.strip()
        if line in seen or line.startswith("[xUnit"):
            continue
        seen.add(line)
        m = re.match(r"(Sqlite|Postgres): .*declared dead (\d+) ms after", line)
        if m:
            samples.setdefault((m[1], "SIGKILL -> declared dead"), []).append(int(m[2]))
        m = re.match(r"(Sqlite|Postgres): all silos ready (\d+) ms .* first write served at (\d+) ms", line)
        if m:
            samples.setdefault((m[1], "full kill -> all ready"), []).append(int(m[2]))
            samples.setdefault((m[1], "full kill -> first write"), []).append(int(m[3]))
print("| database | measure | samples (ms) | median ms |")
print("| --- | --- | --- | ---: |")
for (db, what), values in sorted(samples.items()):
    print(f"| {db} | {what} | {', '.join(map(str, values))} | {statistics.median(values):.0f} |")
PY
echo "outputs: $out" >&2
