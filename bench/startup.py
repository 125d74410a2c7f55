#!/usr/bin/env python3
"""Time from process start to /healthcheck 200, and idle RSS after startup.

    startup.py PORT RUNS -- COMMAND...

Prints the median start time in ms over RUNS starts and the RSS (MB) of the
last start one second after it became healthy.
"""
import os, socket, statistics, subprocess, sys, time

def healthy(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
            s.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(16).startswith(b"HTTP/1.1 200")
    except OSError:
        return False

def main():
    port, runs = int(sys.argv[1]), int(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    times, rss = [], 0.0
    for i in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not healthy(port):
            if p.poll() is not None:
                sys.exit(f"{cmd[0]} exited with {p.returncode}")
            time.sleep(0.001)
        times.append((time.perf_counter() - t0) * 1000)
        if i == runs - 1:
            time.sleep(1)
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) / 1024
        p.terminate()
        p.wait()
    print(f"{statistics.median(times):.1f} {rss:.1f}")

main()
