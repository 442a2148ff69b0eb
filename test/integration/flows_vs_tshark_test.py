#!/usr/bin/env python3
"""Flow records from `opensocd ingest` against tshark's view of the same
captures: the same set of TCP/UDP conversations (tcp.stream / udp.stream),
with the same packet and byte counts in each direction.

tshark is the oracle: per frame it reports addresses, ports, stream index and
frame length; we sum those per stream and per direction and compare with
our flow log. Timeouts are set to a day so that no flow is split by idleness
(tshark never splits on time)."""
import collections
import json
import os

from harness import Checks, args, run, temp_dir, write_config

opensocd, root, corpus = args()
c = Checks("flows-vs-tshark")
T = os.path.join(corpus, "suricata-verify", "tests")

CAPTURES = [
    "community-id-ipv4/input.pcap",
    "http-all-headers/input.pcap",
    "ja4-tls-quic/input.pcap",
    "output-multi-eve/input.pcap",
    "dns/dns-tcp-www-google-com/dns.pcap",
    "http-pipeline-files-with-gap/input.pcap",
    "smb2-06/20171220_smb_net_user.pcap",
    "http-range-multiflows/input.pcap",
    "dns-over-http2-post/dns_over_https_POST.pcap",
    "bug-5133/input.pcap",
]

FIELDS = ["frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "tcp.stream", "udp.stream"]


def tshark_flows(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    # No reassembly or heuristics that could change per-frame fields.
    cmd += ["-o", "tcp.desegment_tcp_streams:FALSE", "-o", "ip.defragment:FALSE"]
    flows = collections.defaultdict(lambda: collections.Counter())
    for line in run(cmd, timeout=300).stdout.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        src = v["ip.src"] or v["ipv6.src"]
        dst = v["ip.dst"] or v["ipv6.dst"]
        if v["tcp.stream"]:
            key = ("tcp", v["tcp.stream"])
            sp, dp = v["tcp.srcport"], v["tcp.dstport"]
        elif v["udp.stream"]:
            key = ("udp", v["udp.stream"])
            sp, dp = v["udp.srcport"], v["udp.dstport"]
        else:
            continue
        flows[key][(src, int(sp), "pkts")] += 1
        flows[key][(src, int(sp), "bytes")] += int(v["frame.len"])
        flows[key][("ep", src, int(sp))] = 0
        flows[key][("ep", dst, int(dp))] = 0
    return {canonical(k[0], cnt) for k, cnt in flows.items()}


def canonical(proto, counter):
    eps = sorted(k[1:] for k in counter if isinstance(k, tuple) and k[0] == "ep")
    sides = tuple(sorted((ip, port, counter[(ip, port, "pkts")], counter[(ip, port, "bytes")]) for ip, port in eps))
    return (proto,) + sides


def our_flows(path, d):
    log = os.path.join(d, "flows.json")
    if os.path.exists(log):
        os.remove(log)
    cfg = write_config(os.path.join(d, "c.yaml"), f"""
flow:
  timeouts: {{tcp_established: 86400, tcp_transitory: 86400, tcp_closed: 86400, udp: 86400, icmp: 86400, other: 86400}}
  active_timeout: 0
pipeline:
  flow_log: {log}
""")
    r = run([opensocd, "ingest", "-c", cfg, path])
    if r.returncode != 0:
        return None
    out = set()
    for line in open(log):
        rec = json.loads(line)
        proto = rec["network"]["transport"]
        if proto not in ("tcp", "udp"):
            continue
        s, t = rec["source"], rec["destination"]
        sides = [(s["ip"], s["port"], s["packets"], s["bytes"]), (t["ip"], t["port"], t["packets"], t["bytes"])]
        out.add((proto,) + tuple(sorted(sides)))
    return out


with temp_dir() as d:
    for rel in CAPTURES:
        path = os.path.join(T, rel)
        if not c.check(os.path.exists(path), f"{rel} exists"):
            continue
        want = tshark_flows(path)
        got = our_flows(path, d)
        if not c.check(got is not None, f"{rel}: ingest succeeded"):
            continue
        missing = want - got
        extra = got - want
        c.check(not missing and not extra,
                f"{rel}: {len(got)} flows match tshark's {len(want)} streams (endpoints, packets, bytes per direction)",
                f"missing={sorted(missing)[:5]} extra={sorted(extra)[:5]}")
c.finish()
