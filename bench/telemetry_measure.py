#!/usr/bin/env python3
"""Measuring helpers of bench/telemetry_bench.sh (one subcommand per call):

  cpu PID                      CPU seconds (utime + stime) of the process and
                               of its threads by name, as one JSON object:
                               {"process": s, "threads": {"name": s, ...}}
                               (threads of one name summed)
  cpu-delta BEFORE AFTER       the difference of two `cpu` outputs (files)
  wait-lines FILE N TIMEOUT IDLE
                               polls FILE's line count (reading only what was
                               appended since the last poll) until it reaches
                               N, or did not grow for IDLE s, or TIMEOUT s
                               passed; prints "COUNT T_LAST_GROWTH" (epoch s)
  wait-stat URL PATH[,PATH] N TIMEOUT IDLE
                               the same over GET URL (JSON): the sum of the
                               dotted PATHs (e.g. receivers.pipeline.indexed)
  stat URL PATH                one value of GET URL, or "null"

Polls every 20 ms; nothing here spins, so the measured processes keep the
CPU to themselves.
"""
import json
import os
import sys
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def stat_cpu(path):
    with open(path) as f:
        s = f.read()
    # comm may hold spaces and parentheses: the fields start after the last ")"
    name = s[s.index("(") + 1:s.rindex(")")]
    rest = s[s.rindex(")") + 2:].split()
    return name, (int(rest[11]) + int(rest[12])) / TICK


def cpu(pid):
    _, total = stat_cpu(f"/proc/{pid}/stat")
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            name, s = stat_cpu(f"/proc/{pid}/task/{tid}/stat")
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        threads[name] = threads.get(name, 0) + s
    return {"process": total, "threads": threads}


def cpu_delta(a, b):
    out = {"process": round(b["process"] - a["process"], 3), "threads": {}}
    for name, s in b["threads"].items():
        out["threads"][name] = round(s - a["threads"].get(name, 0), 3)
    return out


def wait(poll, n, timeout, idle):
    start = time.time()
    last_value, last_growth = poll(), time.time()
    while last_value < n and time.time() - start < timeout and time.time() - last_growth < idle:
        time.sleep(0.02)
        v = poll()
        if v != last_value:
            last_value, last_growth = v, time.time()
    return last_value, last_growth


def line_counter(path):
    state = {"offset": 0, "lines": 0}

    def poll():
        try:
            with open(path, "rb") as f:
                f.seek(state["offset"])
                while True:
                    chunk = f.read(1 << 22)
                    if not chunk:
                        break
                    state["lines"] += chunk.count(b"\n")
                    state["offset"] += len(chunk)
        except FileNotFoundError:
            pass
        return state["lines"]
    return poll


def get_path(doc, dotted):
    for k in dotted.split("."):
        if isinstance(doc, list) and k.isdigit() and int(k) < len(doc):
            doc = doc[int(k)]
        elif isinstance(doc, dict) and k in doc:
            doc = doc[k]
        else:
            return None
    return doc


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return json.loads(r.read())
    except (OSError, ValueError):
        return None


def stat_counter(url, paths):
    def poll():
        doc = fetch(url)
        if doc is None:
            return 0
        return sum(int(get_path(doc, p) or 0) for p in paths.split(","))
    return poll


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == "cpu":
        print(json.dumps(cpu(int(a[0]))))
    elif cmd == "cpu-delta":
        with open(a[0]) as f, open(a[1]) as g:
            print(json.dumps(cpu_delta(json.load(f), json.load(g))))
    elif cmd == "wait-lines":
        v, t = wait(line_counter(a[0]), int(a[1]), float(a[2]), float(a[3]))
        print(v, f"{t:.6f}")
    elif cmd == "wait-stat":
        v, t = wait(stat_counter(a[0], a[1]), int(a[2]), float(a[3]), float(a[4]))
        print(v, f"{t:.6f}")
    elif cmd == "stat":
        doc = fetch(a[0])
        print(json.dumps(get_path(doc, a[1]) if doc is not None else None))
    else:
        sys.exit(f"unknown subcommand {cmd}")


if __name__ == "__main__":
    main()
