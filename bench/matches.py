#!/usr/bin/env python3
"""The measuring half of bench/matches.sh: what an authoritative match's
tick costs each side, in CPU time of the server process.

    matches.py MATCHES TICK_RATE PHASE ROUNDS SIDE... (SIDE: name:port:pid:rpc)
    matches.py memory MATCHES TICK_RATE SIDE

Each phase asks one side's RPC for MATCHES matches ticking TICK_RATE times
a second, lets them settle for a second, then reads the server process's
CPU time (utime + stime, /proc/PID/stat) over PHASE seconds, and waits until the matches have stopped (they stop after their
"ticks"). The sides take turns forward then backward (A B C C B A ...,
ROUNDS times), so that the machine's drift falls on each alike. The CPU a
process spends with no matches (measured before and after) is taken off.
Prints one JSON object per side, then a table.

`memory` measures what MATCHES running matches of one side add to its
server process's resident memory (VmRSS), the process being fresh: a
JSON object with the resident size before and after, and per match.
"""

import json
import os
import statistics
import sys
import time
import urllib.request

HZ = os.sysconf("SC_CLK_TCK")
# Longest a side's RPC may take to create its matches: the matches live
# this long plus the settling, the phase and a margin, so that all of them
# tick through the whole phase.
CREATE_BUDGET = float(os.environ.get("CREATE_BUDGET", "5"))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        # The command name is in parentheses and may hold spaces.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def memory(matches, rate, side):
    """The resident memory MATCHES matches of SIDE add, in KiB per match."""
    name, port, pid, rpc_id = side
    # Settled: what a fresh process grows to on its own before any match.
    time.sleep(3)
    before = rss_kib(pid)
    start = time.monotonic()
    rpc(port, rpc_id, {"count": matches, "tick_rate": rate, "ticks": int(rate * (CREATE_BUDGET + 6))})
    created = time.monotonic() - start
    time.sleep(3)
    after = rss_kib(pid)
    print(json.dumps({"side": name, "rss_before_kib": before, "rss_after_kib": after,
                      "kib_per_match": round((after - before) / matches, 1),
                      "create_s": round(created, 3)}))


def idle(pid, seconds):
    """CPU seconds per second with no matches."""
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / seconds


def rpc(port, rpc_id, body):
    url = f"http://127.0.0.1:{port}/v2/rpc/{rpc_id}?http_key=defaulthttpkey&unwrap"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=120) as r:
        return r.read().decode()


def phase(side, matches, rate, seconds):
    """One phase: (CPU seconds used in it, seconds the creation took)."""
    name, port, pid, rpc_id = side
    lifetime = CREATE_BUDGET + 1 + seconds + 1
    start = time.monotonic()
    rpc(port, rpc_id, {"count": matches, "tick_rate": rate, "ticks": int(rate * lifetime)})
    created = time.monotonic() - start
    if created > CREATE_BUDGET:
        sys.exit(f"{name}: creating {matches} matches took {created:.1f} s, over "
                 f"CREATE_BUDGET ({CREATE_BUDGET} s): raise it or lower MATCHES")
    time.sleep(1)
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    used = cpu_seconds(pid) - c0
    # Until the last match has stopped, and a second more.
    time.sleep(max(0.0, start + lifetime + 1 - time.monotonic()))
    return used, created


def side_of(arg):
    name, port, pid, rpc_id = arg.split(":")
    return name, int(port), int(pid), rpc_id


def main():
    if sys.argv[1] == "memory":
        memory(int(sys.argv[2]), int(sys.argv[3]), side_of(sys.argv[4]))
        return
    matches, rate = int(sys.argv[1]), int(sys.argv[2])
    seconds, rounds = float(sys.argv[3]), int(sys.argv[4])
    sides = [side_of(arg) for arg in sys.argv[5:]]
    pids = sorted({s[2] for s in sides})
    before = {pid: idle(pid, seconds) for pid in pids}
    runs = {s[0]: [] for s in sides}
    for r in range(rounds):
        for side in sides + sides[::-1]:
            used, created = phase(side, matches, rate, seconds)
            runs[side[0]].append((used, created))
            print(f"==> round {r + 1}: {side[0]}: {used:.2f} s CPU in {seconds:g} s, "
                  f"created in {created:.2f} s", file=sys.stderr)
    after = {pid: idle(pid, seconds) for pid in pids}
    ticks = matches * rate * seconds
    report = {}
    for name, port, pid, _ in sides:
        base = (before[pid] + after[pid]) / 2 * seconds
        per_tick = [(used - base) / ticks * 1e6 for used, _ in runs[name]]
        report[name] = {
            "us_per_tick": statistics.median(per_tick),
            "phases_us_per_tick": [round(v, 2) for v in per_tick],
            "idle_cpu_share": round(base / seconds, 4),
            "create_s": round(statistics.median(c for _, c in runs[name]), 3),
        }
        print(json.dumps({"side": name, **report[name]}))
    reference = report[sides[0][0]]["us_per_tick"]
    print(f"\n{'side':10} {'µs CPU / match tick':>20} {'/ ' + sides[0][0]:>10} "
          f"{'create (s)':>11}   phases (µs)")
    for name, r in report.items():
        print(f"{name:10} {r['us_per_tick']:20.2f} {100 * r['us_per_tick'] / reference:9.1f}% "
              f"{r['create_s']:11.2f}   {', '.join(f'{v:.2f}' for v in r['phases_us_per_tick'])}")


if __name__ == "__main__":
    main()
