#!/usr/bin/env python3
"""PCAP slices (`opensocd pcap` and GET/POST /api/v1/pcap) against tshark.

Inputs: real corpus captures, and real traffic this test makes between two
network namespaces (HTTP and UDP over IPv4 and IPv6, ICMP echo, the kernel's
own ND/MLD, and raw VLAN and QinQ frames) captured by tcpdump on both ends
with nanosecond timestamps. Each is
ingested into its own data dir with small, short segments, so that slices
cross many segment files; one more data dir holds several captures whose
times interleave (and one ingested out of time order).

For every query the oracle is `tshark -Y FILTER` over the original captures:
the slice must hold the frames tshark selects, in time order, with the same
bytes, lengths and nanosecond timestamps. Display filters use the first
protocol layer (`ip.addr#1`): the captures chosen have no tunnels and no ICMP
errors, so the first IP header is the innermost one, as the contract says.
"""
import concurrent.futures
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse

from harness import (Checks, Daemon, args, free_port, idle_capture_yaml, frame_line, is_nanosecond_pcap, read_pcap,
                     read_pcap_file, run, segment_files, store_config, tshark_frame_lines,
                     tshark_frame_numbers, wait_for, write_config)

SEGMENT_BYTES = 1 << 20
DEFAULT_WINDOW_S = 3600
UNUSED_V4 = "192.0.2.77"  # TEST-NET-1: in no capture

# Corpus captures: Ethernet, timestamps in order, no tunnels, no IP
# fragments, no ICMP errors (checked below, not assumed).
CORPUS = [
    "smb2-ntlmssp-negotiateflags/input.pcap",   # 22 hosts, 190 UDP flows, IPv6, ICMP
    "base64-decode-5885/input.pcap",            # 25 hosts, TCP and UDP, IPv6, LLC
    "tls/tls-subjectaltname/input.pcap",        # 37 hosts, 3138 packets, equal timestamps
    "ethernet-eve/test.pcap",                   # 16 kB frames, packets years apart
    "datasets-06-state-long/input.pcap",        # VLAN-tagged
    "enip-keywords/enip_cip_example.pcap",      # caplen < wirelen, equal timestamps
]


# ---------------------------------------------------------------- traffic

SERVER_UDP = r"""
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(sys.argv[1])))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(data[::-1], peer)
"""

CLIENT = r"""
import socket, struct, subprocess, sys, time

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff

def ping(dst, n, ident):
    v6 = ":" in dst
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    s.settimeout(2)
    for seq in range(n):
        payload = bytes(range(40 + seq))
        if v6:  # the kernel computes ICMPv6 checksums
            s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + payload, (dst, 0))
        else:
            h = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
            s.sendto(h[:2] + struct.pack("!H", csum(h)) + h[4:], (dst, 0))
        s.recv(65535)
    s.close()

def udp(dst, port, n, size):
    for i in range(n):
        s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        s.sendto(bytes([i % 256]) * (size + 37 * i), (dst, port))
        s.recv(65535)
        s.close()

def curl(url, *extra):
    r = subprocess.run(["curl", "-sg", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"]
                       + list(extra) + [url], capture_output=True, text=True)
    print(url, r.stdout, flush=True)

def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x4242, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

def ip6(src, dst, proto, payload):
    return (struct.pack("!IHBB", 0x60000000, len(payload), proto, 64)
            + socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + payload)

def udp_hdr(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data

def tagged(dev, vlans, ethertype, l3):
    # This kernel has no 8021q module: tagged frames are written raw on the
    # veth (they reach the capture on the other end, nobody answers them).
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    mac = bytes.fromhex(open(f"/sys/class/net/{dev}/address").read().strip().replace(":", ""))
    frame = b"\xff" * 6 + mac
    for v in vlans:
        frame += struct.pack("!HH", 0x8100, v)
    s.send(frame + struct.pack("!H", ethertype) + l3)
    s.close()

def phase():
    time.sleep(1.15)  # > max_segment_age_s: segments rotate by age too

ping("10.77.0.1", 3, 0x1111); ping("fd77::1", 3, 0x2222)
phase()
curl("http://10.77.0.1:8080/small.bin"); curl("http://10.77.0.1:8080/big.bin"); curl("http://10.77.0.1:8080/small.bin")
phase()
curl("http://[fd77::1]:8080/big.bin"); curl("http://[fd77::1]:8080/small.bin")
udp("10.77.0.1", 7777, 5, 100); udp("fd77::1", 7777, 5, 900)
phase()
curl("http://10.77.0.1:8080/medium.bin")
for i in range(5):
    tagged("c0", [42], 0x0800, ip4("10.78.0.2", "10.78.0.1", 17, udp_hdr(4000 + i, 7777, b"v" * (20 + i))))
for i in range(3):
    tagged("c0", [42], 0x86dd, ip6("fd78::2", "fd78::1", 17, udp_hdr(4100 + i, 7777, b"w" * (60 + i))))
for i in range(2):
    tagged("c0", [100, 42], 0x0800, ip4("10.79.0.2", "10.79.0.1", 17, udp_hdr(5000, 5001 + i, b"q" * 30)))
tagged("c0", [42], 0x0800, ip4("10.78.0.2", "10.78.0.1", 1, struct.pack("!BBHHH", 8, 0, 0, 7, 1)))
phase()
curl("http://10.77.0.1:8080/missing"); curl("http://[fd77::1]:8080/medium.bin", "-I")
udp("10.77.0.1", 7778, 4, 50); udp("fd77::1", 7778, 3, 1200)
ping("10.77.0.1", 1, 0x5555)
"""


class Namespaces:
    """Two namespaces joined by a veth pair; removed on exit."""

    def __init__(self, tag):
        self.srv, self.cli = f"slsrv{tag}", f"slcli{tag}"
        self.procs = []

    def ns(self, which, *cmd, **kw):
        return ["ip", "netns", "exec", which] + list(cmd)

    def sh(self, which, *cmd):
        r = run(self.ns(which, *cmd))
        if r.returncode != 0:
            raise RuntimeError(f"{which}: {' '.join(cmd)}: {r.stderr.strip()}")
        return r

    def __enter__(self):
        try:
            return self.setup()
        except BaseException:
            self.remove()
            raise

    def setup(self):
        self.remove()
        for n in (self.srv, self.cli):
            r = run(["ip", "netns", "add", n])
            if r.returncode != 0:
                raise RuntimeError(r.stderr)
        self.sh(self.srv, "ip", "link", "add", "s0", "type", "veth", "peer", "name", "c0", "netns", self.cli)
        for n, dev, last in ((self.srv, "s0", 1), (self.cli, "c0", 2)):
            self.sh(n, "ip", "link", "set", "lo", "up")
            self.sh(n, "ip", "addr", "add", f"10.77.0.{last}/24", "dev", dev)
            self.sh(n, "ip", "addr", "add", f"fd77::{last}/64", "dev", dev, "nodad")
            self.sh(n, "ip", "link", "set", dev, "up")
        return self

    def spawn(self, which, *cmd, **kw):
        p = subprocess.Popen(self.ns(which, *cmd), **kw)
        self.procs.append(p)
        return p

    def remove(self):
        for n in (self.srv, self.cli):
            run(["ip", "netns", "del", n])

    def __exit__(self, *exc):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.remove()


def tcpdump(nss, which, dev, out):
    p = nss.spawn(which, "tcpdump", "-n", "-i", dev, "-w", out, "-U", "--time-stamp-precision=nano",
                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()  # "listening on ...": the capture is armed
    if "listening" not in line:
        raise RuntimeError(f"tcpdump on {dev}: {line}")
    return p


def make_traffic(d):
    """Returns the server-side and client-side captures of one traffic run."""
    www = os.path.join(d, "www")
    os.makedirs(www)
    for name, size in (("small.bin", 2000), ("medium.bin", 300_000), ("big.bin", 900_000)):
        with open(os.path.join(www, name), "wb") as f:
            f.write(os.urandom(size))
    srv_pcap, cli_pcap = os.path.join(d, "veth-srv.pcap"), os.path.join(d, "veth-cli.pcap")
    with Namespaces(os.getpid()) as nss:
        nss.spawn(nss.srv, sys.executable, "-m", "http.server", "--bind", "::", "--directory", www, "8080",
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ("7777", "7778"):
            nss.spawn(nss.srv, sys.executable, "-c", SERVER_UDP, port)
        wait_for(lambda: ":8080" in run(nss.ns(nss.srv, "ss", "-ltn")).stdout
                 and ":7778" in run(nss.ns(nss.srv, "ss", "-lun")).stdout, 10)
        dumps = [tcpdump(nss, nss.srv, "s0", srv_pcap), tcpdump(nss, nss.cli, "c0", cli_pcap)]
        client = run(nss.ns(nss.cli, sys.executable, "-c", CLIENT), timeout=90)
        time.sleep(0.2)
        for p in dumps:
            p.send_signal(2)
        stats = [p.communicate(timeout=10)[1] for p in dumps]
    return srv_pcap, cli_pcap, client, stats


# ---------------------------------------------------------------- time

def unix_text(ns):
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def rfc3339(ns):
    t = datetime.datetime.fromtimestamp(ns // 1_000_000_000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns % 1_000_000_000:09d}Z"


# ---------------------------------------------------------------- queries

class Query:
    """One slice query: the same filters as CLI options, GET parameters and
    a tshark display filter."""

    def __init__(self, label, params, tshark=None, post=None):
        self.label = label
        self.params = params  # list of (name, value) in contract names
        self.tshark = tshark  # display filter; None: every frame
        self.post = post      # stenographer text for POST, when the query has one

    def value(self, name):
        return [v for k, v in self.params if k == name]

    def cli_args(self):
        out = []
        for k, v in self.params:
            out += ["--" + k.replace("_", "-"), str(v)]
        return out

    def query_string(self):
        return urllib.parse.urlencode([(k, str(v)) for k, v in self.params])


def addr_field(addr, which="addr"):
    return ("ipv6." if ":" in addr else "ip.") + which + "#1"


def port_filter(p, which="port"):
    return "(" + " || ".join(f"{t}.{which}#1 == {p}" for t in ("tcp", "udp", "sctp")) + ")"


def proto_filter(name):
    return {"tcp": "tcp", "udp": "udp", "icmp": "(icmp || icmpv6)", "sctp": "sctp", "6": "tcp", "17": "udp"}[name]


def window(first, last):
    """start/end covering every packet of a capture (defaults would cut at the window)."""
    return [("start", unix_text(first - 1_000_000_000)), ("end", unix_text(last + 1_000_000_000))]


def time_filter(start_ns, end_ns):
    return f"frame.time_epoch >= {unix_text(start_ns)} && frame.time_epoch <= {unix_text(end_ns)}"


def conj(*parts):
    parts = [p for p in parts if p]
    return " && ".join(f"({p})" for p in parts) if parts else None


class Capture:
    """An original capture, its records, and what is in it (to pick filter
    values from; the oracle for each query is tshark)."""

    FIELDS = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
              "udp.srcport", "udp.dstport", "vlan.id", "icmp.type", "ip.flags.mf", "ip.frag_offset",
              "ipv6.fragment", "frame.protocols"]

    def __init__(self, path):
        self.path = path
        self.link, self.records = read_pcap_file(path)
        cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
               "-E", "aggregator=,", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]
        for f in self.FIELDS:
            cmd += ["-e", f]
        self.rows = [dict(zip(self.FIELDS, line.split("\t"))) for line in run(cmd).stdout.splitlines()]
        self.first = min(r[0] for r in self.records)
        self.last = max(r[0] for r in self.records)

    def problems(self):
        """Why tshark's first layer might not be the innermost header."""
        out = []
        if any(self.records[i][0] > self.records[i + 1][0] for i in range(len(self.records) - 1)):
            out.append("timestamps out of order")
        for i, r in enumerate(self.rows):
            protos = r["frame.protocols"].split(":")
            if protos.count("ip") + protos.count("ipv6") > 1:
                out.append(f"frame {i + 1}: two IP layers ({r['frame.protocols']})")
            if "1" in r["ip.flags.mf"].split(",") or r["ip.frag_offset"].strip("0,") or r["ipv6.fragment"]:
                out.append(f"frame {i + 1}: fragment")
        return out[:3]

    def counted(self, *fields):
        n = {}
        for r in self.rows:
            seen = set()
            for f in fields:
                v = r[f].split(",")[0]
                if v and v not in seen:
                    seen.add(v)
                    n[v] = n.get(v, 0) + 1
        return sorted(n, key=lambda v: (-n[v], v))

    def hosts(self):
        return self.counted("ip.src", "ip.dst", "ipv6.src", "ipv6.dst")

    def ports(self):
        return self.counted("tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport")

    def vlans(self):
        return self.counted("vlan.id")

    def src_ports(self):
        return self.counted("tcp.srcport", "udp.srcport")


def pick(values, n):
    """Spread n picks over a list sorted by frequency: common and rare ones."""
    if len(values) <= n:
        return list(values)
    step = (len(values) - 1) / (n - 1)
    return [values[round(i * step)] for i in range(n)]


def flow_log_filters(log):
    """(community_id, tshark filter for its 5-tuple, both directions) of TCP/UDP flows."""
    out = []
    seen = set()
    for line in open(log):
        rec = json.loads(line)
        proto = rec["network"]["transport"]
        cid = rec["network"].get("community_id")
        if proto not in ("tcp", "udp") or not cid or cid in seen:
            continue
        seen.add(cid)
        a, b = rec["source"], rec["destination"]
        s_a, d_b = addr_field(a["ip"], "src"), addr_field(b["ip"], "dst")
        s_b, d_a = addr_field(b["ip"], "src"), addr_field(a["ip"], "dst")
        f = (f"({s_a} == {a['ip']} && {d_b} == {b['ip']} && {proto}.srcport#1 == {a['port']} && {proto}.dstport#1 == {b['port']})"
             f" || ({s_b} == {b['ip']} && {d_a} == {a['ip']} && {proto}.srcport#1 == {b['port']} && {proto}.dstport#1 == {a['port']})")
        out.append((cid, f"{proto} && ({f})"))
    return out


def net_of(addr):
    if ":" in addr:
        import ipaddress
        return str(ipaddress.ip_network(addr + "/64", strict=False))
    parts = addr.split(".")
    return f"{parts[0]}.{parts[1]}.{parts[2]}.0/24"


def queries_for(cap, flow_log, many):
    """The queries run against a data dir holding `cap`; `many`: more values
    of each kind (the capture this test makes)."""
    first, last = cap.first, cap.last
    allt = window(first, last)
    qs = [Query("all packets", allt, None)]
    hosts = cap.hosts()
    for h in (hosts if many else pick(hosts, 4)):
        qs.append(Query(f"host {h}", [("host", h)] + allt, f"{addr_field(h)} == {h}",
                        post=f"host {h} and after {rfc3339(first - 10**9)} and before {rfc3339(last + 10**9)}"))
    if len(hosts) >= 2:
        a, b = hosts[0], hosts[1]
        qs.append(Query(f"conversation {a} and {b}", [("host", a), ("host", b)] + allt,
                        conj(f"{addr_field(a)} == {a}", f"{addr_field(b)} == {b}")))
        qs.append(Query(f"src {a}", [("src", a)] + allt, f"{addr_field(a, 'src')} == {a}"))
        qs.append(Query(f"dst {b}", [("dst", b)] + allt, f"{addr_field(b, 'dst')} == {b}"))
        qs.append(Query(f"src {a} dst {b}", [("src", a), ("dst", b)] + allt,
                        conj(f"{addr_field(a, 'src')} == {a}", f"{addr_field(b, 'dst')} == {b}")))
    v4 = [h for h in hosts if ":" not in h]
    v6 = [h for h in hosts if ":" in h and not h.startswith("fe80")]
    for net in dict.fromkeys(net_of(h) for h in v4[:3] + v6[:1]):
        qs.append(Query(f"host {net}", [("host", net)] + allt, f"{addr_field(net)} == {net}"))
    if v4:
        net16 = ".".join(v4[0].split(".")[:2]) + ".0.0/16"
        qs.append(Query(f"src {net16}", [("src", net16)] + allt, f"ip.src#1 == {net16}"))
    ports = cap.ports()
    for p in (pick(ports, 10) if many else pick(ports, 3)):
        qs.append(Query(f"port {p}", [("port", p)] + allt, port_filter(p),
                        post=f"port {p} and after {rfc3339(first - 10**9)} and before {rfc3339(last + 10**9)}"))
    if ports:
        p = ports[0]
        qs.append(Query(f"sport {p}", [("sport", p)] + allt, port_filter(p, "srcport")))
        qs.append(Query(f"dport {p}", [("dport", p)] + allt, port_filter(p, "dstport")))
        if hosts:
            qs.append(Query(f"host {hosts[0]} port {p}", [("host", hosts[0]), ("port", p)] + allt,
                            conj(f"{addr_field(hosts[0])} == {hosts[0]}", port_filter(p)),
                            post=f"host {hosts[0]} and port {p} and after {rfc3339(first - 10**9)}"
                                 f" and before {rfc3339(last + 10**9)}"))
    for proto in ("tcp", "udp", "icmp") + (("6",) if many else ()):
        qs.append(Query(f"proto {proto}", [("proto", proto)] + allt, proto_filter(proto)))
    for v in cap.vlans()[:2]:
        qs.append(Query(f"vlan {v}", [("vlan", v)] + allt, f"vlan.id#1 == {v}"))
    qs.append(Query("vlan 999 (none)", [("vlan", 999)] + allt, "vlan.id#1 == 999"))
    if flow_log:
        flows = flow_log_filters(flow_log)
        for cid, f in pick(flows, 5 if many else 2):
            qs.append(Query(f"community_id {cid}", [("community_id", cid)] + allt, f))
    # Time windows whose ends sit on packet timestamps: inclusive at both ends.
    ts = sorted({r[0] for r in cap.records})
    if len(ts) >= 6:
        k, m = ts[len(ts) // 3], ts[2 * len(ts) // 3]
        for label, s, e in (("[t_k, t_m]", k, m), ("[t_k + 1ns, t_m]", k + 1, m), ("[t_k, t_m - 1ns]", k, m - 1),
                            ("[t_k - 1ns, t_m + 1ns]", k - 1, m + 1), ("[t_k, t_k]", k, k)):
            qs.append(Query(f"window {label}", [("start", unix_text(s)), ("end", unix_text(e))], time_filter(s, e)))
        qs.append(Query("window [t_k, t_m] in RFC 3339", [("start", rfc3339(k)), ("end", rfc3339(m))], time_filter(k, m)))
        if hosts:
            qs.append(Query(f"host {hosts[0]} in [t_k, t_m]", [("host", hosts[0]), ("start", unix_text(k)), ("end", unix_text(m))],
                            conj(f"{addr_field(hosts[0])} == {hosts[0]}", time_filter(k, m))))
    # Without start and end: the default window ending at the newest packet.
    qs.append(Query(f"no filter: default window ({DEFAULT_WINDOW_S} s)", [],
                    time_filter(last - DEFAULT_WINDOW_S * 10**9, last)))
    qs.append(Query(f"default window ({DEFAULT_WINDOW_S} s)", [("proto", "tcp")],
                    conj("tcp", time_filter(last - DEFAULT_WINDOW_S * 10**9, last))))
    qs.append(Query("empty: unused host", [("host", UNUSED_V4)] + allt, f"ip.addr#1 == {UNUSED_V4}"))
    qs.append(Query("limit 5", [("limit", 5)] + allt, None))
    if hosts:
        qs.append(Query(f"host {hosts[0]} limit 3", [("host", hosts[0]), ("limit", 3)] + allt,
                        f"{addr_field(hosts[0])} == {hosts[0]}"))
    qs.append(Query("limit_bytes 5000", [("limit_bytes", 5000)] + allt, None))
    return qs


# ---------------------------------------------------------------- oracle and comparison

def expected(caps, q, oracle_cache, pool):
    """Future of the records tshark selects from every capture, merged by time
    (stable: a capture's own order is kept for equal timestamps)."""
    def job():
        sel = []
        for ci, cap in enumerate(caps):
            if q.tshark is None:
                nums = range(1, len(cap.records) + 1)
            else:
                key = (cap.path, q.tshark)
                if key not in oracle_cache:
                    oracle_cache[key] = tshark_frame_numbers(cap.path, q.tshark)
                nums = oracle_cache[key]
                if nums is None:
                    return None
            sel += [(cap.records[n - 1][0], ci, n, cap.records[n - 1]) for n in nums]
        sel.sort(key=lambda x: (x[0], x[1], x[2]))
        return [x[3] for x in sel]
    return pool.submit(job)


def apply_limits(q, recs):
    """Candidate (records, truncated reason) pairs after the query's limit and
    limit_bytes. The contract does not say what limit_bytes counts, so each
    reading is a candidate: bytes of the pcap file, of the records, of the
    frames; in each the slice is the longest prefix that fits."""
    reason = "no"
    lim = q.value("limit")
    if lim and len(recs) > int(lim[0]):
        recs, reason = recs[:int(lim[0])], "limit"
    lb = q.value("limit_bytes")
    if not lb:
        return [(recs, reason)]
    out = []
    for header, per_record in ((24, 16), (0, 16), (0, 0)):
        n, used = 0, header
        while n < len(recs) and used + per_record + recs[n][1] <= int(lb[0]):
            used += per_record + recs[n][1]
            n += 1
        out.append((recs[:n], "limit_bytes") if n < len(recs) else (recs, reason))
    return out


def choose(candidates, data):
    """The candidate with as many packets as the slice has (else the first)."""
    try:
        n = len(read_pcap(data)[1])
    except ValueError:
        n = -1
    return next((x for x in candidates if len(x[0]) == n), candidates[0])


def tie_groups(recs):
    """Records grouped by timestamp, each group's order made canonical: where
    two inputs share a timestamp, the merge order between them is open."""
    out = []
    for r in recs:
        if out and out[-1][0] == r[0]:
            out[-1][1].append(r)
        else:
            out.append((r[0], [r]))
    return [(t, sorted(g, key=lambda r: (r[1], r[2], r[3]))) for t, g in out]


def compare(c, what, data, want, exact_order=True):
    """The slice bytes against the expected records."""
    try:
        link, got = read_pcap(data)
    except ValueError as e:
        return c.check(False, f"{what}: slice is a valid pcap", str(e))
    ok = c.check(is_nanosecond_pcap(data) and link == 1, f"{what}: nanosecond pcap, link type Ethernet",
                 f"(magic {data[:4].hex()}, link {link})")
    same = got == want if exact_order else tie_groups(got) == tie_groups(want)
    if not same:
        i = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        detail = (f"(got {len(got)} packets, want {len(want)}; first difference at {i}: "
                  f"got {frame_line(got[i]) if i < len(got) else '-'}, want {frame_line(want[i]) if i < len(want) else '-'})")
        return c.check(False, f"{what}: {len(want)} packets as tshark selects them, bytes and ns timestamps equal", detail)
    return c.check(ok, f"{what}: {len(want)} packets as tshark selects them, bytes and ns timestamps equal")


def run_bytes(cmd, timeout=120):
    return subprocess.run(cmd, capture_output=True, timeout=timeout)


def cli_slice(opensocd, cfg, data_dir, q):
    r = run_bytes([opensocd, "pcap", "-c", cfg, "--data-dir", data_dir] + q.cli_args() + ["-o", "-"])
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


SUMMARY = re.compile(r"(\d+) packets, (\d+) bytes")


def check_cli_summary(c, what, rc, out, err, want, reason):
    c.equal(rc, 0, f"{what}: exit 0")
    m = SUMMARY.search(err)
    if c.check(m is not None, f"{what}: stderr says '<n> packets, <b> bytes'", repr(err[-300:])):
        c.equal(int(m.group(1)), len(want), f"{what}: stderr packet count")
        sizes = {len(out), len(out) - 24, sum(r[1] for r in want)}
        c.check(int(m.group(2)) in sizes, f"{what}: stderr byte count is the slice's size",
                f"(said {m.group(2)}, file {len(out)}, caplen sum {sum(r[1] for r in want)})")
    c.equal("cut by limit" in err, reason != "no", f"{what}: stderr says 'cut by limit' exactly when truncated")


# ---------------------------------------------------------------- HTTP with trailers

def http_raw(port, method, target, body=b"", timeout=60):
    """One HTTP/1.1 exchange on a fresh socket: (status, headers, body, trailers).
    Chunked bodies are decoded here so that trailers stay visible."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        req = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nTE: trailers\r\nConnection: close\r\n"
        if method == "POST":
            req += f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
        s.sendall(req.encode() + b"\r\n" + body)
        buf = b""
        while True:
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    trailers = {}
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body_out = b""
        while True:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                tail = rest.split(b"\r\n\r\n")[0].decode("latin-1")
                for line in tail.split("\r\n"):
                    if line:
                        k, _, v = line.partition(":")
                        trailers[k.strip().lower()] = v.strip()
                break
            body_out += rest[:size]
            rest = rest[size + 2:]
        return status, headers, body_out, trailers
    n = int(headers.get("content-length", len(rest)))
    return status, headers, rest[:n], trailers


def check_http_slice(c, what, resp, want, reason):
    status, h, body, tr = resp
    if not c.equal(status, 200, f"{what}: 200"):
        return
    c.equal(h.get("content-type"), "application/vnd.tcpdump.pcap", f"{what}: Content-Type")
    c.check(re.fullmatch(r'attachment; filename="opensoc-[^"/\\]*\.pcap"', h.get("content-disposition", "")) is not None,
            f"{what}: Content-Disposition attachment with an opensoc-*.pcap file name", repr(h.get("content-disposition")))
    c.equal(h.get("transfer-encoding", "").lower(), "chunked", f"{what}: Transfer-Encoding chunked")
    declared = {x.strip().lower() for x in h.get("trailer", "").split(",")}
    c.check({"x-opensoc-packets", "x-opensoc-truncated"} <= declared, f"{what}: Trailer header declares both trailers",
            repr(h.get("trailer")))
    c.equal(tr.get("x-opensoc-packets"), str(len(want)), f"{what}: trailer X-Opensoc-Packets")
    c.equal(tr.get("x-opensoc-truncated"), reason, f"{what}: trailer X-Opensoc-Truncated")
    compare(c, what, body, want)


BAD_QUERIES = [
    ("host=not-an-address", "host"),
    ("host=10.1.2.3/33", "host"),
    ("src=1.2.3", "src"),
    ("dst=fd00::zz", "dst"),
    ("port=65536", "port"),
    ("sport=-1", "sport"),
    ("dport=http", "dport"),
    ("proto=tcpp", "proto"),
    ("vlan=4096", "vlan"),
    ("community_id=2:abc", "community_id"),
    ("start=yesterday-ish", "start"),
    ("end=2026-13-01T00:00:00Z", "end"),
    ("limit=-3", "limit"),
    ("limit_bytes=lots", "limit_bytes"),
]


# ---------------------------------------------------------------- main

def disk_bytes(files):
    """(sum of sizes, sum of allocated blocks): bytes_used may count either."""
    return {sum(os.path.getsize(f) for f in files), sum(os.stat(f).st_blocks * 512 for f in files)}


def ingest(c, opensocd, cfg, data_dir, caps, flow_log, name):
    """Ingests the captures; checks the summary's store section against the
    segment files. False when ingest failed."""
    r = run([opensocd, "ingest", "-c", cfg, "--data-dir", data_dir, "--flow-log", flow_log, "--json"]
            + [x.path for x in caps], timeout=300)
    if not c.check(r.returncode == 0, f"{name}: ingest", r.stderr[-500:]):
        return False
    try:
        store = json.loads(r.stdout)["store"]
    except (ValueError, KeyError):
        return c.check(False, f"{name}: ingest --json has a store section", r.stdout[-300:])
    n = sum(len(x.records) for x in caps)
    segs = segment_files(data_dir)
    c.equal(store.get("packets_stored"), n, f"{name}: ingest summary: packets_stored")
    c.equal(store.get("indexed_packets"), n, f"{name}: ingest summary: indexed_packets")
    c.equal(store.get("packets_dropped"), 0, f"{name}: ingest summary: packets_dropped")
    c.equal(store.get("segments"), len(segs), f"{name}: ingest summary: segments = segment files")
    c.check(store.get("bytes_used") in disk_bytes(segs), f"{name}: ingest summary: bytes_used = their size on disk",
            f"(got {store.get('bytes_used')}, files {sorted(disk_bytes(segs))})")
    # Segments rotate by size and by age: inputs that exceed either are split.
    span = max(x.last for x in caps) - min(x.first for x in caps)
    if span > 2 * 10**9 or sum(os.path.getsize(x.path) for x in caps) > 2 * SEGMENT_BYTES:
        c.check(len(segs) >= 2, f"{name}: stored in several segment files", str(len(segs)))
    return True


def main():
    opensocd, root, corpus = args()
    c = Checks("pcap-slice")
    if os.geteuid() != 0:
        c.check(False, "needs root to create network namespaces")
        c.finish()
    tests = os.path.join(corpus, "suricata-verify", "tests")
    base = os.path.join("/tmp", f"opensoc-slice-{os.getpid()}")
    os.makedirs(base)
    t0 = time.monotonic()
    try:
        # Real traffic, captured on both ends of the veth pair.
        srv, cli, client, dump_stats = make_traffic(base)
        c.check(client.returncode == 0, "traffic: client ran", client.stderr[-500:])
        c.check(all(" 200" in l or "/missing 404" in l for l in client.stdout.splitlines()) and
                len(client.stdout.splitlines()) == 8, "traffic: every HTTP request answered", client.stdout)
        for s in dump_stats:
            c.check("0 packets dropped by kernel" in s, "traffic: tcpdump dropped nothing", s)
        veth = Capture(srv)
        veth_cli = Capture(cli)
        c.check(is_nanosecond_pcap(open(srv, "rb").read(4)), "traffic: capture has nanosecond timestamps")
        c.check(len(veth.hosts()) >= 8 and veth.vlans() == ["42", "100"], "traffic: IPv4, IPv6 and VLAN 42 and 100 captured",
                f"{veth.hosts()} {veth.vlans()}")
        print(f"# traffic: {len(veth.records)} packets, {len(veth_cli.records)} on the client side "
              f"({time.monotonic() - t0:.1f} s)", flush=True)

        sets = [("veth", [veth], True)]
        for rel in CORPUS:
            path = os.path.join(tests, rel)
            if not c.check(os.path.exists(path), f"{rel} exists"):
                continue
            cap = Capture(path)
            probs = cap.problems()
            if c.check(not probs and cap.link == 1, f"{rel}: Ethernet, in time order, no tunnels or fragments", probs):
                sets.append((rel, [cap], False))
        # Interleaved inputs, one of them ingested after a newer one.
        old = next((caps[0] for name, caps, _ in sets if name == CORPUS[0]), None)
        combined = [veth, old, veth_cli] if old else [veth, veth_cli]
        sets.append(("combined", combined, False))

        pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
        oracle_cache = {}
        plans = []
        for name, caps, many in sets:
            d = os.path.join(base, re.sub(r"[^A-Za-z0-9]+", "_", name))
            cfg = write_config(os.path.join(d + ".yaml"), store_config(
                d, SEGMENT_BYTES, 1, extra_store=f"  default_window_s: {DEFAULT_WINDOW_S}"))
            log = d + ".flows.json"
            if not ingest(c, opensocd, cfg, d, caps, log, name):
                continue
            merged = Capture.__new__(Capture)
            merged.records = sorted((r for x in caps for r in x.records), key=lambda r: r[0])
            merged.rows = [row for x in caps for row in x.rows]
            merged.first, merged.last = merged.records[0][0], merged.records[-1][0]
            qs = queries_for(merged if len(caps) > 1 else caps[0], log, many)
            if len(caps) > 1:
                # tshark runs once per input here: a few queries of each kind.
                keep = ("all packets", "host 10.77.0.1", "host fd77::2", "port 8080", "proto icmp", "vlan 42",
                        "window [t_k, t_m]", "limit 5", "limit_bytes 5000", "empty: unused host")
                qs = [q for q in qs if q.label in keep or q.label.startswith(("community_id", "no filter", "host 192.168"))][:16]
            plans.append((name, caps, cfg, d, [(q, expected(caps, q, oracle_cache, pool)) for q in qs]))

        for name, caps, cfg, d, items in plans:
            exact = len(caps) == 1
            for q, fut in items:
                want = fut.result()
                what = f"{name}: {q.label}"
                if not c.check(want is not None, f"{what}: tshark accepts '{q.tshark}'"):
                    continue
                rc, out, err = cli_slice(opensocd, cfg, d, q)
                want, reason = choose(apply_limits(q, want), out)
                if rc != 0:
                    c.check(False, f"{what}: opensocd pcap {' '.join(q.cli_args())}", f"exit {rc}: {err[-300:]}")
                    continue
                compare(c, what, out, want, exact_order=exact)
                if q.label in ("all packets", "limit 5", "limit_bytes 5000", "empty: unused host"):
                    check_cli_summary(c, what, rc, out, err, want, reason)
                if q.label == "empty: unused host":
                    c.equal(len(out), 24, f"{what}: 24-byte pcap header only")
            # tshark reads a slice as we do.
            slice_path = d + ".all.pcap"
            q_all = items[0][0]
            r = run_bytes([opensocd, "pcap", "-c", cfg, "--data-dir", d] + q_all.cli_args() + ["-o", slice_path])
            want_all = sorted((r2 for x in caps for r2 in x.records), key=lambda r2: r2[0])
            lines = tshark_frame_lines(slice_path)
            c.equal(r.returncode, 0, f"{name}: -o FILE: exit 0")
            c.check(lines is not None and sorted(lines) == sorted(frame_line(x) for x in want_all) and len(lines) == len(want_all),
                    f"{name}: tshark reads the -o FILE slice: time_epoch, len, cap_len of every packet",
                    f"({len(lines or [])} lines, want {len(want_all)})")
        print(f"# CLI slices done ({time.monotonic() - t0:.1f} s)", flush=True)

        # The REST API, served by `run` over the veth data dir (its capture
        # port is a ring device that never receives a packet).
        name, caps, cfg, d, items = plans[0]
        port = free_port()
        run_cfg = write_config(os.path.join(base, "run.yaml"), store_config(
            d, SEGMENT_BYTES, 1, extra_store=f"  default_window_s: {DEFAULT_WINDOW_S}",
            extra="\n" + idle_capture_yaml(f"slice{os.getpid()}", port)))
        daemon = Daemon([opensocd, "run", "-c", run_cfg])
        wait_for(lambda: daemon.proc.poll() is not None or _stats(port) is not None, 30)
        if c.check(daemon.proc.poll() is None and _stats(port) is not None, "run: API up", daemon.output()[-2000:]):
            check_rest(c, opensocd, cfg, d, port, caps[0], items)
            rc = daemon.stop()
            c.equal(rc, 0, "run: SIGTERM, exit 0")
        else:
            daemon.stop()
        print(f"# REST done ({time.monotonic() - t0:.1f} s)", flush=True)
        pool.shutdown()
    finally:
        subprocess.run(["rm", "-rf", base])
    c.finish()


def _stats(port):
    try:
        status, _, body, _ = http_raw(port, "GET", "/api/v1/stats", timeout=5)
        return json.loads(body) if status == 200 else None
    except (OSError, ValueError):
        return None


def check_rest(c, opensocd, cfg, d, port, cap, items):
    st = _stats(port)
    store = st.get("store") if st else None
    if c.check(isinstance(store, dict), "stats: has a store section", str(st)[:300]):
        segs = segment_files(d)
        c.equal(store.get("enabled"), True, "stats: store enabled")
        c.equal(store.get("segments"), len(segs), "stats: segments = segment files on disk")
        c.check(store.get("bytes_used") in disk_bytes(segs), "stats: bytes_used = their size on disk",
                f"(got {store.get('bytes_used')}, files {sorted(disk_bytes(segs))})")
        c.equal(store.get("indexed_packets"), len(cap.records), "stats: indexed_packets = packets ingested")
        c.equal(store.get("oldest_packet_ns"), cap.first, "stats: oldest_packet_ns")
        c.equal(store.get("newest_packet_ns"), cap.last, "stats: newest_packet_ns")
        # packets_stored counts what this process stored (run captured nothing).
        for k in ("packets_stored", "packets_dropped", "segments_removed", "bytes_removed", "write_errors"):
            c.equal(store.get(k), 0, f"stats: {k} 0")
        c.check(isinstance(store.get("index_bytes"), int) and store["index_bytes"] > 0, "stats: index_bytes > 0")

    posts = 0
    for q, fut in items:
        what = f"GET {q.label}"
        resp = http_raw(port, "GET", "/api/v1/pcap?" + q.query_string())
        want, reason = choose(apply_limits(q, fut.result()), resp[2])
        check_http_slice(c, what, resp, want, reason)
        if q.post and posts < 6:
            posts += 1
            check_http_slice(c, f"POST '{q.post}'", http_raw(port, "POST", "/api/v1/pcap", q.post.encode()), want, reason)
            r = run_bytes([opensocd, "pcap", "-c", cfg, "--data-dir", d, "--query", q.post, "-o", "-"])
            c.equal(r.returncode, 0, f"CLI --query '{q.post}': exit 0")
            if r.returncode == 0:
                compare(c, f"CLI --query '{q.post}'", r.stdout, want)
    c.check(posts >= 3, "POST forms exercised", str(posts))

    # While run holds the data dir, the CLI reads it too.
    q, fut = items[0]
    rc, out, err = cli_slice(opensocd, cfg, d, q)
    c.equal(rc, 0, "CLI while run is running: exit 0")
    compare(c, "CLI while run is running", out, fut.result())

    for qs, param in BAD_QUERIES:
        status, h, body, _ = http_raw(port, "GET", "/api/v1/pcap?" + qs)
        try:
            err = json.loads(body)["error"]
        except (ValueError, KeyError, TypeError):
            err = {}
        c.check(status == 400 and err.get("status") == 400 and err.get("parameter") == param and err.get("message"),
                f"GET ?{qs}: 400 naming '{param}'", f"({status} {body[:200]!r})")
        k, _, v = qs.partition("=")
        r = run([opensocd, "pcap", "-c", cfg, "--data-dir", d, "--" + k.replace("_", "-"), v, "-o", "-"])
        c.check(r.returncode == 2 and (k.replace("_", "-") in r.stderr or k in r.stderr),
                f"CLI --{k.replace('_', '-')} {v}: exit 2 naming the parameter", f"(exit {r.returncode}: {r.stderr[-200:]!r})")
    status, h, body, _ = http_raw(port, "POST", "/api/v1/pcap", b"host and and port")
    try:
        err = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        err = {}
    c.check(status == 400 and err.get("status") == 400 and err.get("parameter") == "query" and err.get("message"),
            "POST malformed text: 400 naming 'query'", f"({status} {body[:200]!r})")
    status, h, body, _ = http_raw(port, "GET", "/api/v1/pcap?query=" + urllib.parse.quote("port 99999"))
    c.check(status == 400, "GET query=port 99999: 400", f"({status} {body[:200]!r})")


if __name__ == "__main__":
    main()
