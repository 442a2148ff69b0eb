#!/usr/bin/env python3
"""NetFlow v5, v9 and IPFIX end to end through the real daemon, with real
exporters and collectors.

One capture (corpus captures merged and re-timed to the last minutes: see
test/data/telemetry/netflow/captures.txt) goes two ways:
- `opensocd run` captures it through DPDK's net_pcap device, so its packet
  sessions are in the store; the same daemon has two NetFlow UDP listeners
  on port 0 (the ports they bound are read from /api/v1/stats);
- `softflowd -r CAPTURE` exports its flows, as NetFlow v5, then v9, then
  IPFIX, once to the daemon and once more to Debian's `nfcapd`.

Then, per version:
- our flow records (GET /api/v1/sessions?q=event.dataset:netflow AND
  netflow.exporter.version:V) equal `nfdump -o json` of nfcapd's files record
  for record: addresses, ports, protocol, packets, bytes, first and last
  seen (ms), TCP flags;
- they describe the packet sessions of the same capture (q=NOT
  event.dataset:netflow): the same 5-tuples, per direction the same packets
  and the same bytes once the 14-byte Ethernet header softflowd does not
  count is added back, and the same Community ID; the packet sessions
  themselves equal tshark's view of the capture;
- first/last seen are the flow's first and last packet times in the capture
  (exact ms for IPFIX, whose records carry absolute milliseconds; within a
  second for v5/v9, whose uptime-relative times softflowd anchors on an
  export time it rounds), and @timestamp is the flow's end;
- IPFIX: each record's "pcap" link gives every frame of its flow;
then IPFIX biflows (`softflowd -b`, reverse counters) to a second listener,
against nfdump and the packet sessions the same way; and across versions: a
query by one host returns its packet sessions and its flow records together,
and the NetFlow counters of /api/v1/stats and /metrics equal what softflowd
says it exported (records, datagrams), with no missing template (softflowd
sends the template before its data), nothing malformed, nothing dropped.

Runs in about 15 s; needs softflowd and nfdump (Debian packages).

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import collections
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Checks, Daemon, args, free_port, get_path, http_get, read_pcap, read_pcap_file,  # noqa: E402
                     run, search_store_yaml, stats, temp_dir, wait_for, write_config)

ETHERNET_HEADER = 14          # softflowd's octets: frame length minus the link header
MAX_GAP_US = 1_000_000        # longer pauses inside a capture shrink to this
FILE_GAP_US = 2_000_000       # between two merged captures
FLOW_IDLE_S = 3               # the daemon's idle timeouts: sessions end soon after the replay
# softflowd options per export version. -a: times from the capture, not the
# clock. IPFIX with -A milli: absolute flowStart/EndMilliseconds (softflowd's
# default relative IPFIX times come out with start and end swapped).
EXPORTS = [(5, ["-v", "5", "-a"]), (9, ["-v", "9", "-a"]), (10, ["-v", "10", "-a", "-A", "milli"])]
BIFLOW_OPTS = ["-v", "10", "-b", "-a", "-A", "milli"]
JOIN_HOST = "10.226.41.226"   # the RDP client of rdp-protocol/RDP-003.pcap: two sessions

c = Checks("telemetry-netflow")


# ---------------------------------------------------------------- capture ---

def build_capture(corpus, root, d):
    """The merged capture (classic microsecond pcap, Ethernet): the listed
    corpus captures one after another, re-timed to end about a minute ago
    (recent enough for every retention and time-range rule), pauses capped
    so no exporter or flow table splits a flow on idleness."""
    listing = os.path.join(root, "test", "data", "telemetry", "netflow", "captures.txt")
    names = [x.strip() for x in open(listing) if x.strip() and not x.startswith("#")]
    parts = []
    for rel in names:
        link, recs = read_pcap_file(os.path.join(corpus, "suricata-verify", "tests", rel))
        if not c.equal(link, 1, f"{rel} is Ethernet"):
            continue
        parts.append([(ts // 1000, wirelen, frame) for ts, _, wirelen, frame in recs])
    out, t = [], 0
    for recs in parts:
        prev = None
        for ts_us, wirelen, frame in recs:
            if prev is not None:
                gap = ts_us - prev
                t += gap if 0 <= gap <= MAX_GAP_US else MAX_GAP_US
            prev = ts_us
            out.append((t, wirelen, frame))
        t += FILE_GAP_US
    base = (int(time.time()) - 60) * 1_000_000 - t + 123_456
    path = os.path.join(d, "capture.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for rel_us, wirelen, frame in out:
            us = base + rel_us
            f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(frame), wirelen))
            f.write(frame)
    return path, len(out)


def tshark_directions(pcap):
    """{(transport, src, sport, dst, dport): [frames, frame bytes, first ns,
    last ns]} per direction, from tshark's per-frame fields."""
    r = run(["tshark", "-n", "-r", pcap, "-o", "ip.defragment:FALSE", "-T", "fields", "-E", "separator=/t",
             "-e", "frame.time_epoch", "-e", "frame.len", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto",
             "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport"], timeout=120)
    out = {}
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) != 9 or not f[2]:
            continue
        tp = "tcp" if f[5] else "udp" if f[7] else None
        if tp is None:
            continue
        sp, dp = (f[5], f[6]) if tp == "tcp" else (f[7], f[8])
        sec, _, frac = f[0].partition(".")
        ns = int(sec) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])
        k = (tp, f[2], int(sp), f[3], int(dp))
        e = out.setdefault(k, [0, 0, ns, ns])
        e[0] += 1
        e[1] += int(f[1])
        e[2] = min(e[2], ns)
        e[3] = max(e[3], ns)
    return out


# ------------------------------------------------------- exporter, collector ---

def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def softflowd(pcap, port, opts, d):
    """Runs softflowd over the capture, exporting to 127.0.0.1:port; returns
    (exit code, records, datagrams, failures) from its closing statistics."""
    ctl = os.path.join(d, "softflowd.ctl")
    p = subprocess.Popen(["softflowd", "-r", pcap, "-n", f"127.0.0.1:{port}", "-d", "-p",
                          os.path.join(d, "softflowd.pid"), "-c", ctl] + opts,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # softflowd 1.1.0 reading a file blocks in accept() on its control socket
    # before each read of the capture: every control command lets it take one
    # step. At the end of the file it expires every flow, exports and exits.
    deadline = time.monotonic() + 30
    while p.poll() is None and time.monotonic() < deadline:
        run(["softflowctl", "-c", ctl, "statistics"], timeout=10)
        time.sleep(0.02)
    if p.poll() is None:
        p.kill()
    out = p.communicate(timeout=10)[0]
    m = re.search(r"Flows exported: \d+ \((\d+) records\) in (\d+) packets \((\d+) failures\)", out)
    if not m:
        print("     softflowd said:\n" + "\n".join("     | " + x for x in out.splitlines()[-20:]))
        return p.returncode, None, None, None
    return p.returncode, int(m.group(1)), int(m.group(2)), int(m.group(3))


def nfdump_records(pcap, opts, d, what):
    """softflowd's export of the capture as Debian's nfcapd stores it and
    nfdump prints it (JSON, times in UTC): (records, softflowd's count)."""
    tag = re.sub(r"\W+", "-", what)
    out_dir = os.path.join(d, f"nfcapd-{tag}")
    os.makedirs(out_dir)
    port = free_udp_port()
    log_path = os.path.join(d, f"nfcapd-{tag}.log")
    with open(log_path, "w") as log:
        p = subprocess.Popen(["nfcapd", "-b", "127.0.0.1", "-p", str(port), "-w", out_dir, "-t", "3600"],
                             stdout=log, stderr=subprocess.STDOUT)
    wait_for(lambda: "Startup" in open(log_path).read() or p.poll() is not None, 10)
    rc, records, datagrams, failures = softflowd(pcap, port, opts, d)
    c.equal((rc, failures), (0, 0), f"{what} to nfcapd: softflowd exits 0 with no send failures")
    # nfcapd writes what it has received when it stops; give it a moment to
    # read the last datagrams first.
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
    env = dict(os.environ, TZ="UTC")
    r = subprocess.run(["nfdump", "-R", out_dir, "-o", "json"], capture_output=True, text=True, timeout=60, env=env)
    try:
        recs = json.loads(r.stdout) if r.stdout.strip() else []
    except ValueError:
        c.check(False, f"{what}: nfdump -o json parses", r.stdout[:300] + r.stderr[:300])
        recs = []
    recs = [x for x in recs if x.get("type") == "FLOW"]
    c.equal(len(recs), records, f"{what}: nfcapd stored every record softflowd exported")
    return recs, records


def nfdump_ms(text):
    dt = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc)
    return int(round(dt.timestamp() * 1000))


def nfdump_key(r):
    flags = 0
    for i, ch in enumerate(r.get("tcp_flags", "")):
        if ch != ".":
            flags |= 1 << (7 - i)
    proto = int(r["proto"])
    return (proto, r.get("src4_addr") or r.get("src6_addr"), int(r["src_port"]),
            r.get("dst4_addr") or r.get("dst6_addr"), int(r["dst_port"]), int(r["in_packets"]),
            int(r["in_bytes"]), nfdump_ms(r["first"]), nfdump_ms(r["last"]), flags if proto == 6 else 0)


def nfdump_biflow_key(r):
    k = nfdump_key(r)
    return k[:5] + (int(r["in_packets"]), int(r["in_bytes"]), int(r.get("out_packets", 0)),
                    int(r.get("out_bytes", 0))) + k[7:9]


# ----------------------------------------------------------- our records ---

def rfc3339_ns(text):
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", str(text))
    if not m:
        return None
    sec = int(datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp())
    if m.group(3) != "Z":
        sign = 1 if m.group(3)[0] == "+" else -1
        sec -= sign * (int(m.group(3)[1:3]) * 3600 + int(m.group(3)[4:6]) * 60)
    return sec * 1_000_000_000 + int((m.group(2) or "0").ljust(9, "0"))


def num(v, default=None):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def our_key(r):
    """A flow record in nfdump_key's terms."""
    proto = num(get_path(r, "network.iana_number"))
    if proto is None:
        proto = {"tcp": 6, "udp": 17, "icmp": 1}.get(str(get_path(r, "network.transport")).lower())
    start, end = rfc3339_ns(get_path(r, "event.start")), rfc3339_ns(get_path(r, "event.end"))
    return (proto, get_path(r, "source.ip"), num(get_path(r, "source.port"), 0), get_path(r, "destination.ip"),
            num(get_path(r, "destination.port"), 0), num(get_path(r, "network.packets")),
            num(get_path(r, "network.bytes")), start // 1_000_000 if start is not None else None,
            end // 1_000_000 if end is not None else None,
            num(get_path(r, "netflow.tcp_control_bits"), 0) if proto == 6 else 0)


def flow_tuple(r):
    k = our_key(r)
    return ({6: "tcp", 17: "udp"}.get(k[0], str(k[0])),) + k[1:5]


def biflow_key(r):
    """An IPFIX biflow record in nfdump_biflow_key's terms."""
    k = our_key(r)
    return k[:5] + tuple(num(get_path(r, f), 0) for f in ("source.packets", "source.bytes", "destination.packets",
                                                          "destination.bytes")) + k[7:9]


def pcap_link_checks(base, flows, truth):
    """A flow record's "pcap" link gives the packets of its flow: with
    IPFIX's absolute milliseconds, every frame of the 5-tuple (both
    directions: softflowd's first/last are the flow's)."""
    bad = []
    for r in flows:
        tp = flow_tuple(r)
        want = sum(v[0] for k, v in truth.items() if undirected([k]) == undirected([tp]))
        link = r.get("pcap")
        status, _, body = http_get(base + link, timeout=30) if link else (None, {}, b"")
        try:
            got = len(read_pcap(body)[1]) if status == 200 else None
        except ValueError:
            got = "not a pcap"
        if got != want:
            bad.append((tp, link, status, got, want))
    c.check(not bad and flows, f"IPFIX: each record's pcap link holds every frame of its flow ({len(flows)} records)",
            f"({len(bad)} wrong)\n     " + "\n     ".join(str(b) for b in bad[:6]))


def search(base, q, limit=10000):
    status, _, body = http_get(base + "/api/v1/sessions?" + urllib.parse.urlencode({"q": q, "limit": limit}),
                               timeout=30)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


def search_records(base, q):
    status, body = search(base, q)
    return body["records"] if status == 200 and body and isinstance(body.get("records"), list) else None


def wait_records(base, q, want, timeout):
    """The records of `q` once there are `want` of them (indexing commits
    every few hundred ms), else what is there at the timeout."""
    got = wait_for(lambda: (lambda x: x if x is not None and len(x) >= want else None)(search_records(base, q)),
                   timeout, interval=0.25)
    return got if got is not None else search_records(base, q)


def directions_of_sessions(sessions):
    """Packet sessions per direction: {(transport, src, sport, dst, dport):
    [packets, bytes]}, summed over sessions of the same 5-tuple, directions
    without a packet left out."""
    out = collections.defaultdict(lambda: [0, 0])
    for s in sessions:
        tp = str(get_path(s, "network.transport")).lower()
        a = (get_path(s, "source.ip"), num(get_path(s, "source.port"), 0))
        b = (get_path(s, "destination.ip"), num(get_path(s, "destination.port"), 0))
        for (x, y), side in (((a, b), "source"), ((b, a), "destination")):
            pk = num(get_path(s, side + ".packets"), 0)
            if pk:
                e = out[(tp,) + x + y]
                e[0] += pk
                e[1] += num(get_path(s, side + ".bytes"), 0)
    return dict(out)


def directions_of_flows(flows):
    """Flow records per direction, bytes with the Ethernet header added
    back: the terms of directions_of_sessions."""
    out = collections.defaultdict(lambda: [0, 0])
    for r in flows:
        proto, src, sport, dst, dport, packets, octets = our_key(r)[:7]
        tp = {6: "tcp", 17: "udp"}.get(proto, str(proto))
        e = out[(tp, src, sport, dst, dport)]
        e[0] += packets or 0
        e[1] += (octets or 0) + ETHERNET_HEADER * (packets or 0)
    return dict(out)


def undirected(keys):
    return sorted({(k[0],) + tuple(sorted([(k[1], k[2]), (k[3], k[4])])) for k in keys}, key=str)


def show_diff(a, b):
    """What only one side has, for a failed comparison of two lists or dicts."""
    def items(x):
        return [(k, tuple(v)) for k, v in x.items()] if isinstance(x, dict) else x
    sa, sb = collections.Counter(items(a)), collections.Counter(items(b))
    return f"\n     only ours   {sorted((sa - sb).elements(), key=str)[:6]}" \
           f"\n     only theirs {sorted((sb - sa).elements(), key=str)[:6]}"


def netflow_stats(base):
    s = stats(base) or {}
    return get_path(s, "receivers.netflow") or {}


def listener(base, name):
    s = stats(base) or {}
    for entry in get_path(s, "receivers.listeners") or []:
        if entry.get("name") == name:
            return entry
    return None


# ------------------------------------------------------------------- run ---

def config_text(data, pcap, http_port, prefix):
    t = {k: FLOW_IDLE_S for k in ("tcp_established", "tcp_transitory", "udp", "icmp", "other")}
    t["tcp_closed"] = 1
    return f"""
data_dir: {data}
log_level: info
capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "{prefix}",
             "--vdev", "net_pcap0,rx_pcap={pcap}"]
  main_lcore: 0
  worker_lcores: [1]
  ports:
    - device: net_pcap0
flow:
  table_size: 65536
  active_timeout: 0s
  timeouts: {json.dumps(t)}
http:
  listen: 127.0.0.1:{http_port}
""" + search_store_yaml() + f"""
receivers:
  queue_messages: 65536
  listeners:
    - {{name: netflow, protocol: netflow, transport: udp, listen: "127.0.0.1:0"}}
    - {{name: netflow-biflow, protocol: netflow, transport: udp, listen: "127.0.0.1:0"}}
"""


def main():
    opensocd, root, corpus = args()
    missing = [x for x in ("softflowd", "softflowctl", "nfcapd", "nfdump", "tshark") if not shutil.which(x)]
    if not c.equal(missing, [], "softflowd, nfcapd, nfdump and tshark are installed"):
        return
    with temp_dir("opensoc-netflow-") as d:
        pcap, n_packets = build_capture(corpus, root, d)
        truth = tshark_directions(pcap)
        c.check(len(truth) > 20, f"the merged capture: {n_packets} frames, {len(undirected(truth))} tcp/udp flows")

        # Oracles first (they do not need the daemon): nfcapd/nfdump's view
        # of each export.
        nfdump = {}
        exported = {}
        for version, opts in EXPORTS:
            nfdump[version], exported[version] = nfdump_records(pcap, opts, d, f"v{version}")
        nfdump["biflow"], _ = nfdump_records(pcap, BIFLOW_OPTS, d, "IPFIX biflow")

        http_port = free_port()
        base = f"http://127.0.0.1:{http_port}"
        cfg = write_config(os.path.join(d, "run.yaml"),
                           config_text(os.path.join(d, "data"), pcap, http_port, f"osnf{os.getpid()}"))
        daemon = Daemon([opensocd, "run", "-c", cfg])
        up = wait_for(lambda: http_get(base + "/api/v1/health")[0] == 200 or daemon.proc.poll() is not None, 30)
        if not c.check(up and daemon.proc.poll() is None, "opensocd run starts and serves the API",
                       daemon.output()[-3000:]):
            daemon.stop()
            return
        try:
            checks(base, pcap, n_packets, truth, nfdump, exported, d)
        finally:
            c.equal(daemon.stop(), 0, "SIGTERM: exit code 0")
            if c.failed:
                tail = daemon.output()[-3000:].splitlines()
                print("     daemon log tail:\n" + "\n".join("     | " + x for x in tail))


def checks(base, pcap, n_packets, truth, nfdump, exported, d):
    s = wait_for(lambda: (lambda x: x if x and x["capture"]["packets"] >= n_packets else None)(stats(base)), 30)
    c.equal((s or {}).get("capture", {}).get("packets"), n_packets, "the daemon captured every frame of the capture")
    # Both listeners asked for port 0: stats says which ports they got.
    port, biflow_port = (num((listener(base, name) or {}).get("port"), 0) for name in ("netflow", "netflow-biflow"))
    if not c.check(0 < port < 65536 and 0 < biflow_port < 65536 and port != biflow_port,
                   "stats: the two netflow listeners (listen 127.0.0.1:0) with the ports they bound",
                   json.dumps(get_path(s or {}, "receivers.listeners"))):
        return

    # Packet sessions: every frame accounted once the flows idle out.
    want_dirs = {k: v[:2] for k, v in truth.items()}
    q_packets = "NOT event.dataset:netflow"
    got = wait_for(lambda: (lambda x: x if x is not None and directions_of_sessions(x) == want_dirs else None)(
        search_records(base, q_packets)), 30, interval=0.5)
    sessions = got if got is not None else (search_records(base, q_packets) or [])
    c.check(directions_of_sessions(sessions) == want_dirs,
            f"packet sessions ({len(sessions)}): per direction the packets and frame bytes tshark counts",
            show_diff(directions_of_sessions(sessions), want_dirs))
    c.check(all(get_path(x, "event.dataset") != "netflow" for x in sessions) and sessions,
            "q=NOT event.dataset:netflow: packet sessions only")

    sent = collections.Counter()  # what softflowd says it exported: records, datagrams
    flows_by_version = {}
    for version, opts in EXPORTS:
        before = netflow_stats(base)
        rc, records, datagrams, failures = softflowd(pcap, port, opts, d)
        if not c.equal((rc, failures, records), (0, 0, exported[version]),
                       f"v{version} to opensocd: softflowd exits 0, no send failures, the same records as to nfcapd"):
            continue
        sent.update(records=records, datagrams=datagrams, netflow=records)
        wait_for(lambda: num(netflow_stats(base).get("records"), 0) >= num(before.get("records"), 0) + records, 15)
        q = f"event.dataset:netflow AND netflow.exporter.version:{version}"
        flows = wait_records(base, q, records, 20) or []
        c.equal(len(flows), records, f"v{version}: {q!r} finds every exported record")
        export_checks(f"v{version}", version, flows, nfdump[version], sessions, truth)
        if version == 10:
            pcap_link_checks(base, flows, truth)
        flows_by_version[version] = flows

    host_join_checks(base, sessions, flows_by_version)

    # IPFIX biflows (softflowd -b: one record per flow, the reverse
    # direction's counters in reverse IEs) to a second listener.
    rc, records, datagrams, failures = softflowd(pcap, biflow_port, BIFLOW_OPTS, d)
    if c.equal((rc, failures, records), (0, 0, len(nfdump["biflow"])),
               "IPFIX biflow to opensocd: softflowd exits 0, no send failures, the records nfcapd got"):
        sent.update(records=records, datagrams=datagrams, biflow=records)
        q = "event.dataset:netflow AND labels.listener:netflow-biflow"
        flows = wait_records(base, q, records, 20) or []
        c.equal(len(flows), records, f"IPFIX biflow: {q!r} finds every exported record")
        biflow_checks(flows, nfdump["biflow"], sessions)

    counter_checks(base, sent)


def export_checks(what, version, flows, nfdump_recs, sessions, truth):
    """One export's flow records against nfdump's, the packet sessions and
    the capture's packet times."""
    c.check(all(get_path(r, "event.dataset") == "netflow" and get_path(r, "netflow.exporter.address") == "127.0.0.1"
                and num(get_path(r, "netflow.exporter.version")) == version
                and get_path(r, "labels.listener") == "netflow" for r in flows) and flows,
            f"{what}: every record says dataset netflow, exporter 127.0.0.1, version {version}, its listener")
    c.check(all(rfc3339_ns(r.get("@timestamp")) == rfc3339_ns(get_path(r, "event.end")) is not None
                for r in flows) and flows, f"{what}: every record's @timestamp is its flow's end")

    # Record for record against nfcapd/nfdump.
    ours = sorted((our_key(r) for r in flows), key=str)
    theirs = sorted((nfdump_key(r) for r in nfdump_recs), key=str)
    c.check(ours == theirs, f"{what}: {len(ours)} records equal nfdump's {len(theirs)} (addresses, ports, "
            "protocol, packets, bytes, first/last ms, TCP flags)", show_diff(ours, theirs))

    # Against the packet sessions of the same capture.
    flow_dirs, session_dirs = directions_of_flows(flows), directions_of_sessions(sessions)
    c.equal(undirected(flow_dirs), undirected(session_dirs),
            f"{what}: the flow records' 5-tuples are the packet sessions' 5-tuples")
    c.check(flow_dirs == session_dirs, f"{what}: per direction, packets and bytes (+14 per packet) equal "
            "the packet sessions'", show_diff(flow_dirs, session_dirs))

    # First/last seen against the capture's packet times. softflowd tracks a
    # flow in both directions at once: both of its records carry the first
    # and last packet of the two directions.
    flow_times = {}
    for k, v in truth.items():
        e = flow_times.setdefault(undirected([k])[0], [v[2], v[3]])
        e[0], e[1] = min(e[0], v[2]), max(e[1], v[3])
    tolerance_ms = 0 if version == 10 else 1000
    bad = []
    for r in flows:
        k = our_key(r)
        t = flow_times.get(undirected([flow_tuple(r)])[0])
        first, last = (t[0] // 1_000_000, t[1] // 1_000_000) if t else (None, None)
        if t is None or k[7] is None or k[8] is None or \
                abs(k[7] - first) > tolerance_ms or abs(k[8] - last) > tolerance_ms:
            bad.append((k[:5], (k[7], k[8]), (first, last)))
    c.check(not bad, f"{what}: event.start/event.end are the first/last packet times "
            f"({'exact ms' if not tolerance_ms else 'within 1 s'})", str(bad[:5]))

    # The link to the packets: the Community ID of the packet sessions of the
    # same 5-tuple (one per 5-tuple: sessions split by a RST share it).
    cids = collections.defaultdict(set)
    for s in sessions:
        cids[undirected([session_keys([s], get_path(s, "source.ip"))[0]])[0]].add(get_path(s, "network.community_id"))
    bad = [(our_key(r)[:5], get_path(r, "network.community_id")) for r in flows
           if cids.get(undirected([flow_tuple(r)])[0]) != {get_path(r, "network.community_id")}]
    c.check(not bad and all(len(v) == 1 and None not in v for v in cids.values()),
            f"{what}: every record's network.community_id is its packet sessions'", str(bad[:5]))


def biflow_checks(flows, nfdump_recs, sessions):
    ours = sorted((biflow_key(r) for r in flows), key=str)
    theirs = sorted((nfdump_biflow_key(r) for r in nfdump_recs), key=str)
    c.check(ours == theirs, f"IPFIX biflow: {len(ours)} records equal nfdump's {len(theirs)} (source.* the "
            "forward, destination.* the reverse packets and bytes)", show_diff(ours, theirs))
    flow_dirs = collections.defaultdict(lambda: [0, 0])
    for k in ours:
        for x, y, pk, by in ((k[1:3], k[3:5], k[5], k[6]), (k[3:5], k[1:3], k[7], k[8])):
            if pk:
                e = flow_dirs[({6: "tcp", 17: "udp"}.get(k[0]),) + x + y]
                e[0] += pk
                e[1] += by + ETHERNET_HEADER * pk
    session_dirs = directions_of_sessions(sessions)
    c.check(dict(flow_dirs) == session_dirs, "IPFIX biflow: per direction, packets and bytes (+14 per packet) "
            "equal the packet sessions'", show_diff(dict(flow_dirs), session_dirs))


def host_join_checks(base, sessions, flows_by_version):
    """A host's packet sessions and flow records come back together."""
    want = sorted([("session",) + k for k in session_keys(sessions, JOIN_HOST)] +
                  [("netflow", v) + our_key(r)[:5] for v, fl in flows_by_version.items() for r in fl
                   if JOIN_HOST in (get_path(r, "source.ip"), get_path(r, "destination.ip"))], key=str)
    c.check(any(w[0] == "session" for w in want) and any(w[0] == "netflow" for w in want),
            f"{JOIN_HOST} has packet sessions and flow records")
    for q in (f"source.ip:{JOIN_HOST} OR destination.ip:{JOIN_HOST}", f"ip:{JOIN_HOST}", f"host:{JOIN_HOST}"):
        recs = search_records(base, q)
        got = sorted((join_key(r) for r in recs or []), key=str)
        c.check(recs is not None and got == want,
                f"q={q!r}: the host's {sum(w[0] == 'session' for w in want)} packet sessions and "
                f"{sum(w[0] == 'netflow' for w in want)} flow records", show_diff(got, want))


def counter_checks(base, sent):
    """The decoder's and the listeners' counters against what softflowd sent."""
    nf = netflow_stats(base)
    c.equal({k: num(nf.get(k)) for k in ("records", "packets", "missing_template", "malformed",
                                          "unsupported_version")},
            {"records": sent["records"], "packets": sent["datagrams"], "missing_template": 0, "malformed": 0,
             "unsupported_version": 0},
            "stats receivers.netflow: records and datagrams as exported, no missing template, nothing malformed")
    c.check(num(nf.get("templates"), 0) >= 2, "stats receivers.netflow: v9 and IPFIX templates learnt",
            json.dumps(nf))
    status, _, body = http_get(base + "/metrics")
    metrics = {}
    for line in body.decode(errors="replace").splitlines():
        m = re.fullmatch(r"(opensoc_netflow_\w+)(?:\{\})? (\S+)", line)
        if m:
            metrics[m.group(1)] = num(float(m.group(2)))
    c.equal((status, metrics.get("opensoc_netflow_records_total"),
             metrics.get("opensoc_netflow_missing_template_total")), (200, sent["records"], 0),
            "/metrics: opensoc_netflow_records_total as exported, no missing template")
    got = [listener(base, name) or {} for name in ("netflow", "netflow-biflow")]
    c.equal({k: sum(num(e.get(k), 0) for e in got) for k in ("messages", "dropped_queue", "dropped_socket")},
            {"messages": sent["datagrams"], "dropped_queue": 0, "dropped_socket": 0},
            "stats: the two listeners received every datagram and dropped none")
    c.equal([num(e.get("records")) for e in got], [sent["netflow"], sent["biflow"]],
            "stats: flow records per listener as exported to it")


def session_keys(sessions, host):
    return [(str(get_path(s, "network.transport")).lower(), get_path(s, "source.ip"),
             num(get_path(s, "source.port"), 0), get_path(s, "destination.ip"), num(get_path(s, "destination.port"), 0))
            for s in sessions if host in (get_path(s, "source.ip"), get_path(s, "destination.ip"))]


def join_key(r):
    if get_path(r, "event.dataset") == "netflow":
        return ("netflow", num(get_path(r, "netflow.exporter.version"))) + our_key(r)[:5]
    return ("session",) + session_keys([r], get_path(r, "source.ip"))[0]


if __name__ == "__main__":
    main()
    c.finish()
