#!/usr/bin/env python3
"""`opensocd run` capturing live through DPDK's net_af_packet device on one
end of a veth pair, in a network namespace this test creates and removes;
tcpreplay sends a capture into the other end. Every packet sent is counted.

The af_packet PMD of DPDK 22.11 reports imissed as 0 even when its ring
overflows, so the test compares what tcpreplay says it sent with what the
daemon received, not the PMD's drop counter."""
import json
import os
import re
import subprocess

from harness import (Checks, Daemon, af_packet_capture_yaml, args, capinfos_count, make_veth_namespace, run,
                     temp_dir, wait_for, write_config)

opensocd, root, corpus = args()
c = Checks("run-af-packet")
if os.geteuid() != 0:
    c.check(False, "needs root to create a network namespace")
    c.finish()

ns = f"ostest{os.getpid()}"
demo = os.path.join(root, "demo", "demo.pcap")


def nsexec(*cmd, **kw):
    return run(["ip", "netns", "exec", ns] + list(cmd), **kw)


def stats():
    r = nsexec("curl", "-s", "--max-time", "5", "http://127.0.0.1:8080/api/v1/stats")
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


try:
    make_veth_namespace(c, ns)

    with temp_dir() as d:
        # The whole demo capture, jumbo frames included (its IPv6 part was
        # captured with segmentation offload: frames up to 5.6 kB): the veths
        # get a 9000-byte MTU, the PMD 8 KiB frames and the mbufs room for them.
        pcap = demo
        sent_want = capinfos_count(pcap)
        cfg = write_config(os.path.join(d, "af.yaml"), f"""
data_dir: {d}/data
{af_packet_capture_yaml(ns)}pipeline:
  flow_log: {d}/flows.json
http:
  listen: 127.0.0.1:8080
""")
        daemon = Daemon(["ip", "netns", "exec", ns, opensocd, "run", "-c", cfg])
        up = wait_for(lambda: stats() is not None or daemon.proc.poll() is not None, 30)
        if not c.check(daemon.proc.poll() is None and stats() is not None, "daemon captures on cap0", daemon.output()):
            daemon.stop()
            raise SystemExit
        # Anything the kernel sent on the link before the replay (none
        # expected, IPv6 is off) is not part of the comparison.
        s0 = stats()["capture"]
        before, before_bytes = s0["packets"], s0["bytes"]
        rounds = 100
        r = nsexec("tcpreplay", "-q", "-i", "send0", "--loop", str(rounds), "--pps", "20000", pcap, timeout=300)
        m = re.search(r"Successful packets:\s+(\d+)", r.stdout + r.stderr)
        sent = int(m.group(1)) if m else -1
        c.equal(sent, sent_want * rounds, "tcpreplay sent every packet")
        s = wait_for(lambda: (lambda x: x if x and x["capture"]["packets"] - before >= sent else None)(stats()), 20)
        s = stats()
        c.equal(s["capture"]["packets"] - before, sent, "daemon counted every packet sent")
        frame_bytes = sum(int(x) for x in run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.len"]).stdout.split())
        c.equal(s["capture"]["bytes"] - before_bytes, frame_bytes * rounds, "bytes equal tshark's frame.len sum, jumbo frames whole")
        c.equal(s["capture"]["dropped"]["total"], 0, "no drops reported")
        rc = daemon.stop()
        c.equal(rc, 0, "SIGTERM: exit 0")
finally:
    run(["ip", "netns", "del", ns])
    c.check(ns not in run(["ip", "netns", "list"]).stdout, "namespace removed")
c.finish()
