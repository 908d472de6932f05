#!/usr/bin/env python3
"""CPU time and context switches per request, per workload, of the server and the client process.

Usage (from the repository root, after building as compare.sh does):
    bench/cpu-per-request.py zookeeper [ZkBench args]     # runs bench/zookeeper/run-zookeeper.sh -runs 1
    bench/cpu-per-request.py orleanszk [LoadBench args]   # runs bench/OrleansZk.LoadBench -runs 1 (own silo)

It watches the benchmark's output: a workload's window runs from the previous RESULT line (or from
"run 1 of") to its own RESULT line, and for both processes it reads, at each boundary, user+system
CPU from /proc/PID/stat and the voluntary+involuntary context switches summed over
/proc/PID/task/*/status. Windows include the few milliseconds between workloads (and, before a
mix, the sessions being opened), so read the numbers as per-request costs to within a few percent.
Linux only; the clock-tick resolution of /proc (10 ms) is ample over windows of seconds.
"""
import glob
import os
import re
import subprocess
import sys

TICK = os.sysconf('SC_CLK_TCK')


def usage_of(pid):
    """(CPU seconds, context switches) of a process, or None once it is gone."""
    try:
        fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    except OSError:
        return None
    switches = 0
    for status in glob.glob(f'/proc/{pid}/task/*/status'):
        try:
            switches += sum(int(line.split()[1]) for line in open(status) if 'ctxt_switches' in line)
        except OSError:
            pass  # a thread that just ended
    return (int(fields[11]) + int(fields[12])) / TICK, switches


def descendants(pid):
    found = []
    for child in subprocess.run(['pgrep', '-P', str(pid)], capture_output=True, text=True).stdout.split():
        found += [int(child)] + descendants(int(child))
    return found


def command_of(pid):
    try:
        return open(f'/proc/{pid}/cmdline').read().replace('\0', ' ')
    except OSError:
        return ''


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ('zookeeper', 'orleanszk'):
        sys.exit(__doc__)
    system, extra = sys.argv[1], sys.argv[2:]
    if system == 'zookeeper':
        argv = ['bench/zookeeper/run-zookeeper.sh', '-runs', '1'] + extra
        server_mark, client_mark = 'ZooKeeperServerMain', 'ZkBench'
    else:
        argv = ['dotnet', 'bench/OrleansZk.LoadBench/bin/Release/net10.0/OrleansZk.LoadBench.dll', '-runs', '1'] + extra
        server_mark, client_mark = 'OrleansZk.Silo.dll', None  # the client is the benchmark process itself
    bench = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    server = None
    client = bench.pid if client_mark is None else None
    start = None
    print(f'{"system":9} {"workload":8} {"mode":9} {"clients":>7} {"ops/s":>7} '
          f'{"server us/op":>12} {"server cs/op":>12} {"client us/op":>12} {"client cs/op":>12}')
    for line in bench.stdout:
        if server is None or client is None:
            for pid in descendants(bench.pid):
                command = command_of(pid)
                if server_mark in command:
                    server = pid
                elif client_mark and client_mark in command:
                    client = pid
        if line.startswith('run 1 of'):
            start = (usage_of(server), usage_of(client))
        result = re.match(r'RESULT .*workload=(\S+) mode=(\S+) clients=(\d+) n=(\d+) ops_per_s=(\d+) .*stat=run', line)
        if result and start:
            end = (usage_of(server), usage_of(client))
            n = int(result.group(4))
            (s0, c0), (s1, c1) = start, end
            print(f'{system:9} {result.group(1):8} {result.group(2):9} {result.group(3):>7} {result.group(5):>7} '
                  f'{(s1[0] - s0[0]) * 1e6 / n:12.1f} {(s1[1] - s0[1]) / n:12.2f} '
                  f'{(c1[0] - c0[0]) * 1e6 / n:12.1f} {(c1[1] - c0[1]) / n:12.2f}', flush=True)
            start = end
    sys.exit(bench.wait())


if __name__ == '__main__':
    main()
