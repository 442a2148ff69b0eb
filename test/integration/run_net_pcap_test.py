#!/usr/bin/env python3
"""`opensocd run` capturing through DPDK's net_pcap device: /api/v1/stats
shows exactly the capture's packet count with zero drops, /metrics agrees,
bad requests get 4xx JSON without hurting capture, and SIGTERM flushes every
flow to the flow log and exits 0."""
import json
import os
import socket

from harness import (Checks, Daemon, args, capinfos_count, demo_like_config, free_port, http_get, run, stats,
                     temp_dir, wait_for, write_config)

opensocd, root, corpus = args()
c = Checks("run-net-pcap")
pcap = os.path.join(root, "demo", "demo.pcap")
want_packets = capinfos_count(pcap)
want_bytes = sum(int(x) for x in run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.len"]).stdout.split())


def raw_request(port, data, read=True):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except socket.timeout:
            pass
        return b"".join(chunks)


with temp_dir() as d:
    port = free_port()
    flow_log = os.path.join(d, "flows.json")
    cfg = write_config(os.path.join(d, "run.yaml"),
                       demo_like_config(os.path.join(d, "data"), pcap, port, f"ostest{os.getpid()}", flow_log=flow_log))
    daemon = Daemon([opensocd, "run", "-c", cfg])
    base = f"http://127.0.0.1:{port}"
    up = wait_for(lambda: http_get(base + "/api/v1/health")[0] == 200 if daemon.proc.poll() is None else True, 30)
    if not c.check(up and daemon.proc.poll() is None, "daemon starts and answers /api/v1/health", daemon.output()):
        daemon.stop()
        c.finish()

    s = wait_for(lambda: (lambda x: x if x and x["capture"]["packets"] >= want_packets else None)(stats(base)), 30)
    s = stats(base)
    c.equal(s["capture"]["packets"], want_packets, "stats: packets equal capinfos' count")
    c.equal(s["capture"]["bytes"], want_bytes, "stats: bytes equal the sum of tshark's frame.len")
    c.equal(s["capture"]["dropped"]["total"], 0, "stats: zero drops")
    c.equal(s["capture"]["ports"][0]["device"], "net_pcap0", "stats: port listed by device")
    c.equal(s["capture"]["ports"][0]["packets"], want_packets, "stats: device ipackets equal the capture")
    c.equal(sum(q["packets"] for q in s["capture"]["ports"][0]["queues"]), want_packets, "stats: queue counters add up")
    c.check(s["flows"]["created"] > 0, "stats: flows were created")
    c.equal(s["pipeline"]["ring_drops"], 0, "stats: no ring drops")

    status, headers, body = http_get(base + "/metrics")
    text = body.decode()
    c.equal(status, 200, "/metrics answers 200")
    c.check(f'opensoc_worker_packets_total{{worker="0"}} {want_packets}\n' in text, "/metrics has the same packet count")

    # Hostile requests: 4xx JSON, no crash.
    c.equal(http_get(base + "/api/v1/nope")[0], 404, "unknown path gets 404")
    c.equal(http_get(base + "/api/v1/stats?bogus=1")[0], 400, "unknown parameter gets 400")
    c.equal(http_get(base + "/api/v1/stats%zz")[0], 400, "bad percent-encoding gets 400")
    r = raw_request(port, b"DELETE /api/v1/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    c.check(r.startswith(b"HTTP/1.1 405"), "DELETE gets 405", r[:60])
    r = raw_request(port, b"GET /api/v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
    c.check(r.startswith(b"HTTP/1.1 431"), "a 100 kB header gets 431", r[:60])
    r = raw_request(port, b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
    c.check(r.startswith(b"HTTP/1.1 400"), "binary garbage gets 400", r[:60])
    r = raw_request(port, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    c.check(r[:12] in (b"HTTP/1.1 431", b"HTTP/1.1 400", b"HTTP/1.1 414"), "a 20 kB request line gets 4xx", r[:60])
    for _ in range(200):
        raw_request(port, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n", read=False)
    c.check(daemon.proc.poll() is None, "daemon survives the abuse")
    c.equal(stats(base)["capture"]["packets"], want_packets, "capture counters unaffected by the abuse")

    flows_created = stats(base)["flows"]["created"]
    rc = daemon.stop()
    c.equal(rc, 0, "SIGTERM: exit code 0")
    out = daemon.output()
    c.check("final counters: packets=%d" % want_packets in out, "SIGTERM: final counters logged", out[-500:])
    lines = open(flow_log).read().splitlines() if os.path.exists(flow_log) else []
    c.equal(len(lines), flows_created, "SIGTERM: every flow flushed to the flow log")
    c.equal(sum(json.loads(l)["network"]["packets"] for l in lines), want_packets,
            "flow log: packets of all flows add up to the capture")
c.finish()
