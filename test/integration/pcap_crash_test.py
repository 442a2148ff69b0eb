#!/usr/bin/env python3
"""kill -9 of the daemon while it stores packets, then what a restart serves.

Two crashes, each on its own data directory, with small segments (1 MiB,
1 s) so several are closed and one is open at the kill:

  1. `opensocd run` capturing through DPDK's net_af_packet on a veth pair in
     a network namespace this test creates, while tcpreplay sends the demo
     capture in a loop at a modest rate into the other end;
  2. `opensocd ingest` of a big capture (tools/make_big_pcap).

After each kill the test reads every segment file itself (hidden `.open`
ones too) with a pcap walker that stops at the first caplen 0 or torn
record, the same rule recovery follows (docs/STORAGE.md). It then restarts
`opensocd run` on the same data directory and checks that recovery closed
every `.open` file with exactly its complete records, that
`GET /api/v1/pcap?start=0` and `opensocd pcap --start 0` serve every one of
those records byte for byte in order, that host, port and conversation
slices select the packets tshark's display filters select over the recovered
segments, and that the store's stats agree with the files. The ingest case
also checks the store is a prefix of the input, and an ingest rerun on the
crashed directory afterwards. The live case also sends UDP on lo while the
daemon starts: none of it may be stored as cap0's traffic.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR [MAKE_BIG_PCAP]"""
import collections
import glob
import json
import os
import re
import struct
import subprocess
import sys
import time

from harness import (Checks, Daemon, af_packet_capture_yaml, args, make_veth_namespace, run, temp_dir, wait_for,
                     write_config)

opensocd, root, corpus = args()
make_big_pcap = sys.argv[4] if len(sys.argv) > 4 else None
c = Checks("pcap-crash")
if os.geteuid() != 0:
    c.check(False, "needs root to create a network namespace")
    c.finish()

ns = f"oscrash{os.getpid()}"
demo = os.path.join(root, "demo", "demo.pcap")
API = "http://127.0.0.1:8080"
SEGMENT_BYTES = 1 << 20
NS_MAGIC = 0xA1B23C4D
US_MAGIC = 0xA1B2C3D4


# --- pcap files, read and written by hand: the oracle must not share code with
# the store it checks.

def walk_pcap(path):
    """(magic, records) where records are the complete records of the file as
    bytes (16-byte header + frame), stopping at the first caplen 0 (the
    preallocated tail) or at a record cut by the end of the data (torn).
    magic is None when the 24-byte header is missing or unknown."""
    with open(path, "rb") as f:
        data = f.read()
    return walk_pcap_bytes(data)


def walk_pcap_bytes(data):
    if len(data) < 24:
        return None, []
    magic, _, _, _, _, snaplen, _ = struct.unpack_from("<IHHiIII", data, 0)
    if magic not in (NS_MAGIC, US_MAGIC):
        return None, []
    records, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        if caplen == 0 or caplen > snaplen or off + 16 + caplen > len(data):
            break
        records.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return magic, records


def record_ts(rec):
    s, frac = struct.unpack_from("<II", rec, 0)
    return s * 1_000_000_000 + frac


def as_ns_record(rec):
    """A microsecond record as the store writes it: nanosecond fraction."""
    s, us = struct.unpack_from("<II", rec, 0)
    return struct.pack("<II", s, us * 1000) + rec[8:]


def write_ns_pcap(path, records):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", NS_MAGIC, 2, 4, 0, 0, 262144, 1))
        for r in records:
            f.write(r)


SEGMENT_RE = re.compile(r"^(\.)?(\d{19})-(\d{8})\.pcap(\.open|\.corrupt)?$")


def segment_files(data_dir):
    """Every file under packets/w*/: list of dicts sorted by (worker, seq)."""
    out = []
    for wdir in sorted(glob.glob(os.path.join(data_dir, "packets", "w*"))):
        worker = int(os.path.basename(wdir)[1:])
        for name in os.listdir(wdir):
            m = SEGMENT_RE.match(name)
            path = os.path.join(wdir, name)
            try:
                size = os.path.getsize(path)
            except FileNotFoundError:
                continue  # renamed (.open -> closed) or removed since the listing: a live writer
            out.append({
                "path": path, "name": name, "worker": worker,
                "seq": int(m.group(3)) if m else -1,
                "kind": ("open" if m.group(4) == ".open" else "corrupt" if m.group(4) == ".corrupt" else "closed")
                if m else "other",
                "size": size,
            })
    out.sort(key=lambda s: (s["worker"], s["seq"], s["name"]))
    return out


def snapshot(data_dir):
    """What is on disk now: per segment, its complete records."""
    segs = segment_files(data_dir)
    for s in segs:
        s["magic"], s["records"] = walk_pcap(s["path"])
    return segs


def served_order(segs):
    """Every complete record in the order the API must serve them: time order
    across workers; within a worker, segment order (already time order)."""
    per = [r for s in segs if s["kind"] in ("closed", "open") for r in s["records"]]
    return sorted(per, key=record_ts)  # stable: equal times keep file order


# --- the namespace and the daemon

def nsexec(*cmd, **kw):
    return run(["ip", "netns", "exec", ns] + list(cmd), **kw)


def stats():
    r = nsexec("curl", "-s", "--max-time", "5", API + "/api/v1/stats")
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


def get_pcap(query, out):
    """GET /api/v1/pcap?query inside the namespace: (status, headers and
    trailers lower-cased, body bytes)."""
    hdr = out + ".hdr"
    r = nsexec("curl", "-s", "--max-time", "120", "-D", hdr, "-o", out, f"{API}/api/v1/pcap?{query}", timeout=180)
    heads, status = {}, None
    if os.path.exists(hdr):
        for line in open(hdr, encoding="latin-1").read().splitlines():
            if line.startswith("HTTP/"):
                status = int(line.split()[1])
            elif ":" in line:
                k, v = line.split(":", 1)
                heads[k.strip().lower()] = v.strip()
    body = open(out, "rb").read() if r.returncode == 0 and os.path.exists(out) else b""
    return status, heads, body


def live_config(d, data_dir, max_age_s):
    return write_config(os.path.join(d, "live.yaml"), f"""
data_dir: {data_dir}
{af_packet_capture_yaml(ns)}http:
  listen: 127.0.0.1:8080
store:
  enabled: true
  max_segment_bytes: {SEGMENT_BYTES}
  max_segment_age_s: {max_age_s}
  sync_on_close: true
  index_commit_ms: 200
""")


def listening():
    """The API socket is up, asked over netlink: polling it over HTTP would put
    loopback packets on the wire while the capture starts (see lo_noise)."""
    return bool(nsexec("ss", "-Hltn", "sport = :8080").stdout.strip())


def start_run(cfg, data_dir, what):
    daemon = Daemon(["ip", "netns", "exec", ns, opensocd, "run", "-c", cfg, "--data-dir", data_dir])
    wait_for(lambda: listening() or daemon.proc.poll() is not None, 60)
    if not c.check(daemon.proc.poll() is None and stats() is not None, f"{what}: daemon up and serving", daemon.output()[-2000:]):
        daemon.stop()
        return None
    return daemon


def lo_noise():
    """UDP to 127.0.0.1 every millisecond inside the namespace: traffic on an
    interface the daemon does not capture from, while it starts."""
    return subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c",
                             "import socket, time\n"
                             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                             "end = time.time() + 60\n"
                             "while time.time() < end:\n"
                             "    s.sendto(b'lo-noise', ('127.0.0.1', 9)); time.sleep(0.001)\n"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def is_loopback(rec):
    """IPv4 from or to 127.0.0.0/8 (a record: 16-byte header, Ethernet frame)."""
    f = rec[16:]
    return len(f) >= 34 and f[12:14] == b"\x08\x00" and (f[26] == 127 or f[30] == 127)


def kill9(daemon_or_proc):
    proc = getattr(daemon_or_proc, "proc", daemon_or_proc)
    proc.kill()  # SIGKILL; `ip netns exec` execs the command, so this is opensocd itself
    proc.wait()
    return proc.returncode


# --- the checks after a crash

def check_disk_after_kill(segs, what):
    opened = [s for s in segs if s["kind"] == "open"]
    closed = [s for s in segs if s["kind"] == "closed"]
    c.check(len(closed) >= 2, f"{what}: segments were closed before the kill ({len(closed)})")
    c.check(len(opened) >= 1, f"{what}: a hidden .open segment was being written at the kill ({len(opened)})",
            repr([s["name"] for s in segs]))
    c.check(all(s["magic"] == NS_MAGIC and len(s["records"]) > 0 for s in closed),
            f"{what}: every closed segment is a nanosecond pcap with records")
    c.check(all(s["size"] == 24 + sum(len(r) for r in s["records"]) for s in closed),
            f"{what}: every closed segment ends exactly after its last record")
    c.equal([s["kind"] for s in segs if s["kind"] not in ("open", "closed")], [], f"{what}: no other files")
    for w in sorted({s["worker"] for s in segs}):
        ts = [record_ts(r) for s in segs if s["worker"] == w for r in s["records"]]
        back = sum(1 for a, b in zip(ts, ts[1:]) if b < a)
        if back:  # the expected order below is a time sort; say why it may differ from file order
            print(f"     note: worker {w} wrote {back} packets with a time before the previous one")
    n = sum(len(s["records"]) for s in segs)
    print(f"     {what}: {len(closed)} closed + {len(opened)} open segments, {n} complete records "
          f"({sum(len(s['records']) for s in opened)} in .open files)")


def check_recovery(before, after, what):
    """Every .open with records became the closed file of the same stem with
    exactly those records; empty ones are gone; closed ones untouched."""
    after_by_stem = {(s["worker"], s["name"].lstrip(".").split(".pcap")[0]): s for s in after}
    ok, detail = True, []
    for s in before:
        stem = (s["worker"], s["name"].lstrip(".").split(".pcap")[0])
        a = after_by_stem.get(stem)
        if s["kind"] == "open" and not s["records"]:
            if a is not None:
                ok = False
                detail.append(f"empty {s['name']} left as {a['name']}")
            continue
        if a is None or a["kind"] != "closed" or a["records"] != s["records"] or a["magic"] != s["magic"]:
            ok = False
            detail.append(f"{s['name']} -> {a['name'] if a else 'missing'}"
                          f" ({len(a['records']) if a else 0} of {len(s['records'])} records)")
        elif a["size"] != 24 + sum(len(r) for r in a["records"]):
            ok = False
            detail.append(f"{a['name']}: {a['size']} bytes, records end at {24 + sum(len(r) for r in a['records'])}")
    c.check(ok, f"{what}: recovery closed every .open segment with exactly its complete records, closed ones untouched",
            "; ".join(detail[:5]))
    new = [s["name"] for s in after if (s["worker"], s["name"].lstrip(".").split(".pcap")[0]) not in
           {(b["worker"], b["name"].lstrip(".").split(".pcap")[0]) for b in before}]
    if not c.equal(new, [], f"{what}: no new segment before any new packet"):
        for s in after:
            if s["name"] in new:  # say what was captured: nothing was sent
                tmp = s["path"] + ".txt.pcap"
                write_ns_pcap(tmp, s["records"])
                print(run(["tshark", "-r", tmp]).stdout[:2000])
                os.unlink(tmp)
    c.equal([s["name"] for s in after if s["kind"] != "closed"], [], f"{what}: no .open or .corrupt file left")


def tshark_select(merged_path, records, display_filter):
    r = run(["tshark", "-r", merged_path, "-Y", display_filter, "-T", "fields", "-e", "frame.number"], timeout=600)
    return [records[int(x) - 1] for x in r.stdout.split()]


def check_served(d, expected, what, slices):
    """The whole store over REST and the CLI, then slices against tshark."""
    n = len(expected)
    body_path = os.path.join(d, "all.pcap")
    got = wait_for(lambda: (lambda r: r if len(walk_pcap_bytes(r[2])[1]) >= n else None)(get_pcap("start=0", body_path)),
                   60, interval=0.5)
    status, heads, body = got if got else get_pcap("start=0", body_path)
    magic, recs = walk_pcap_bytes(body)
    c.equal(status, 200, f"{what}: GET /api/v1/pcap?start=0 answers 200")
    c.equal(magic, NS_MAGIC, f"{what}: served pcap has the nanosecond magic")
    c.equal(len(recs), n, f"{what}: every complete record on disk is served")
    first_bad = next((i for i, (a, b) in enumerate(zip(recs, expected)) if a != b), None)
    c.check(recs == expected, f"{what}: served records byte-identical to the disk's, in order",
            f"(first difference at record {first_bad})")
    c.equal(len(body), 24 + sum(len(r) for r in expected), f"{what}: nothing after the last record")
    c.equal(heads.get("x-opensoc-packets"), str(n), f"{what}: trailer X-Opensoc-Packets")
    c.equal(heads.get("x-opensoc-truncated"), "no", f"{what}: trailer X-Opensoc-Truncated")

    cli = subprocess.run([opensocd, "pcap", "-c", os.path.join(d, "live.yaml"), "--data-dir", os.path.join(d, "data"),
                          "--start", "0", "-o", "-"], capture_output=True, timeout=300)
    c.equal(cli.returncode, 0, f"{what}: opensocd pcap --start 0 beside the running daemon exits 0", )
    c.check(walk_pcap_bytes(cli.stdout)[1] == expected, f"{what}: opensocd pcap --start 0 serves the same records",
            cli.stderr.decode(errors="replace")[-300:])
    c.check(f"{n} packets" in cli.stderr.decode(errors="replace"), f"{what}: opensocd pcap says '{n} packets'",
            cli.stderr.decode(errors="replace")[-300:])

    merged = os.path.join(d, "recovered.pcap")
    write_ns_pcap(merged, expected)
    for query, display_filter in slices:
        want = tshark_select(merged, expected, display_filter)
        status, heads, body = get_pcap("start=0&" + query, os.path.join(d, "slice.pcap"))
        got = walk_pcap_bytes(body)[1]
        c.check(status == 200 and got == want and len(want) > 0,
                f"{what}: {query} selects what tshark -Y '{display_filter}' selects ({len(want)} packets)",
                f"(status {status}, got {len(got)} packets, want {len(want)})")


def check_stats(data_dir, what, expected):
    segs = segment_files(data_dir)
    s = stats()
    store = (s or {}).get("store", {})
    c.check(bool(store), f"{what}: /api/v1/stats has a store section", repr(s)[:300])
    print(f"     {what}: store stats {json.dumps(store)}")
    c.equal(store.get("segments"), len(segs), f"{what}: stats segments = segment files on disk")
    # bytes_used is the disk space the segments hold (st_blocks), what the
    # retention budget (max_bytes) is measured in; the sizes are printed beside.
    held = sum(os.stat(x["path"]).st_blocks * 512 for x in segs)
    c.equal(store.get("bytes_used"), held, f"{what}: stats bytes_used = the blocks they hold "
            f"(file sizes add up to {sum(x['size'] for x in segs)})")
    c.equal(store.get("indexed_packets"), len(expected), f"{what}: stats indexed_packets = the records recovered")
    c.equal((store.get("oldest_packet_ns"), store.get("newest_packet_ns")),
            (record_ts(expected[0]), record_ts(expected[-1])), f"{what}: stats oldest/newest packet = the records'")
    c.equal((store.get("write_errors"), store.get("index_errors")), (0, 0), f"{what}: no write or index errors")


def pick_slices(merged_path):
    """Realistic filters for an unknown capture: a host, a port and a
    conversation that each cover a small, non-empty share of the packets."""
    out = run(["tshark", "-r", merged_path, "-T", "fields", "-E", "occurrence=f", "-e", "ip.src", "-e", "ip.dst",
               "-e", "tcp.srcport", "-e", "udp.srcport"], timeout=600).stdout.splitlines()
    hosts, ports, pairs = collections.Counter(), collections.Counter(), collections.Counter()
    for line in out:
        f = (line.split("\t") + ["", "", "", ""])[:4]
        if f[0] and f[1]:
            hosts[f[0]] += 1
            pairs[tuple(sorted((f[0], f[1])))] += 1
        for p in f[2:]:
            if p:
                ports[p] += 1
    total = max(len(out), 1)

    def middling(counter):
        fit = [k for k, v in counter.most_common() if 0.001 * total <= v <= 0.2 * total]
        return fit[len(fit) // 2] if fit else (counter.most_common(1)[0][0] if counter else None)

    host, port, pair = middling(hosts), middling(ports), middling(pairs)
    slices = []
    if host:
        slices.append((f"host={host}", f"ip.addr=={host}"))
    if port:
        slices.append((f"port={port}", f"tcp.port=={port} or udp.port=={port} or sctp.port=={port}"))
    if pair:
        slices.append((f"host={pair[0]}&host={pair[1]}", f"ip.addr=={pair[0]} && ip.addr=={pair[1]}"))
    return slices


def crash_live(d):
    what = "run kill -9"
    data_dir = os.path.join(d, "data")
    cfg = live_config(d, data_dir, 1)
    noise = lo_noise()
    daemon = start_run(cfg, data_dir, what)
    time.sleep(0.5)
    noise.kill()
    noise.wait()
    if daemon is None:
        return
    replay = subprocess.Popen(["ip", "netns", "exec", ns, "tcpreplay", "-q", "-i", "send0", "--loop", "200",
                               "--pps", "5000", demo], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # 5000 packets/s of the demo mix is about 2.6 MB/s: a 1 MiB segment closes
    # every 0.4 s, so by 3 s several are closed and one is open.
    closed = wait_for(lambda: sum(s["kind"] == "closed" for s in segment_files(data_dir)) >= 4, 20)
    time.sleep(0.3)
    c.check(bool(closed) and replay.poll() is None, f"{what}: the kill comes mid-replay with segments closed")
    c.equal(kill9(daemon), -9, f"{what}: daemon killed by SIGKILL")
    replay.kill()
    replay.wait()
    before = snapshot(data_dir)
    check_disk_after_kill(before, what)
    expected = served_order(before)
    # net_af_packet opens its socket for every interface and binds it to cap0
    # only after setting up its ring: what lo carried in between must not be
    # stored as if it came from cap0.
    lo = [r for r in expected if is_loopback(r)]
    c.equal(len(lo), 0, f"{what}: no loopback packet sent while the daemon started was stored")

    daemon = start_run(cfg, data_dir, f"{what}, restart")
    if daemon is None:
        return
    after = snapshot(data_dir)
    check_recovery(before, after, what)
    check_served(d, expected, what, [
        ("host=145.254.160.237", "ip.addr==145.254.160.237"),
        ("host=2001:db8:1::1", "ipv6.addr==2001:db8:1::1"),
        ("port=53", "tcp.port==53 or udp.port==53 or sctp.port==53"),
        ("host=10.16.1.11&host=8.8.4.4", "ip.addr==10.16.1.11 && ip.addr==8.8.4.4"),
        ("proto=tcp&port=80", "tcp.port==80"),
    ])
    check_stats(data_dir, what, expected)

    # Capture goes on after recovery: one more pass of the demo is stored in
    # a new live segment and served after the recovered records.
    r = nsexec("tcpreplay", "-q", "-i", "send0", "--pps", "2000", demo, timeout=60)
    c.equal(r.returncode, 0, f"{what}: replay after restart")
    n_demo = len(walk_pcap(demo)[1])
    got = wait_for(lambda: (lambda b: b if len(walk_pcap_bytes(b[2])[1]) >= len(expected) + n_demo else None)(
        get_pcap("start=0", os.path.join(d, "all2.pcap"))), 30, interval=0.3)
    recs = walk_pcap_bytes(got[2])[1] if got else []
    c.check(len(recs) == len(expected) + n_demo and recs[:len(expected)] == expected,
            f"{what}: packets captured after the restart are served after the recovered ones",
            f"(got {len(recs)}, want {len(expected) + n_demo})")
    opens = [s["name"] for s in segment_files(data_dir) if s["kind"] == "open"]
    c.check(len(opens) <= 1, f"{what}: at most the new live segment is .open while capturing", repr(opens))
    c.equal(daemon.stop(), 0, f"{what}: SIGTERM after restart: exit 0")
    c.equal([s["name"] for s in segment_files(data_dir) if s["kind"] != "closed"], [],
            f"{what}: no .open file after a clean stop")


def big_input(d):
    path = os.path.join(d, "big.pcap")
    tests = os.path.join(corpus, "suricata-verify", "tests")
    inputs = [os.path.join(tests, p) for p in (
        "community-id-ipv4/input.pcap", "ja4-tls-quic/input.pcap", "http-all-headers/input.pcap",
        "smb2-06/20171220_smb_net_user.pcap", "dns-over-http2-post/dns_over_https_POST.pcap",
        "http-range-multiflows/input.pcap", "dns/dns-tcp-www-google-com/dns.pcap")]
    inputs = [p for p in inputs if os.path.exists(p)] or [demo]
    if make_big_pcap and os.path.exists(make_big_pcap):
        r = run([make_big_pcap, path, "120"] + inputs, timeout=300)
        if r.returncode == 0:
            return path
        print(r.stderr)
    # Without the tool: the demo capture over and over, one packet every 100 µs
    # (its own times span 19 years and would not fit 32-bit seconds looped).
    _, recs = walk_pcap(demo)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", US_MAGIC, 2, 4, 0, 0, 262144, 1))
        us = 1_700_000_000 * 1_000_000
        for _ in range(120_000_000 // 92_000):
            for r in recs:
                f.write(struct.pack("<II", us // 1_000_000, us % 1_000_000) + r[8:])
                us += 100
    return path


def crash_ingest(d):
    what = "ingest kill -9"
    data_dir = os.path.join(d, "data")
    # make_big_pcap spreads its passes over a day of packet time: segments
    # rotate by size here, as on a busy link.
    cfg = live_config(d, data_dir, 3600)
    big = big_input(d)
    magic, input_records = walk_pcap(big)
    input_ns = [as_ns_record(r) for r in input_records] if magic == US_MAGIC else input_records
    print(f"     {what}: input {os.path.getsize(big)} bytes, {len(input_ns)} packets")
    ing = subprocess.Popen([opensocd, "ingest", "-c", cfg, "--data-dir", data_dir, big],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    closed = wait_for(lambda: ing.poll() is not None or
                      sum(s["kind"] == "closed" for s in segment_files(data_dir)) >= 12, 120, interval=0.005)
    c.check(bool(closed) and ing.poll() is None, f"{what}: the kill comes mid-ingest with segments closed",
            (ing.stdout.read() or b"").decode(errors="replace")[-500:] if ing.poll() is not None else "")
    c.equal(kill9(ing), -9, f"{what}: ingest killed by SIGKILL")
    before = snapshot(data_dir)
    check_disk_after_kill(before, what)
    expected = served_order(before)
    workers = {s["worker"] for s in before}
    if len(workers) == 1:
        on_disk = [r for s in before for r in s["records"]]
        c.check(on_disk == input_ns[:len(on_disk)], f"{what}: the store holds a prefix of the input, in order",
                f"(first difference at {next((i for i, (a, b) in enumerate(zip(on_disk, input_ns)) if a != b), None)})")

    daemon = start_run(cfg, data_dir, f"{what}, run on the crashed directory")
    if daemon is None:
        return
    after = snapshot(data_dir)
    check_recovery(before, after, what)
    check_served(d, expected, what, pick_slices_from(d, expected))
    check_stats(data_dir, what, expected)
    c.equal(daemon.stop(), 0, f"{what}: SIGTERM: exit 0")

    # Ingest again on the crashed-then-recovered directory: the whole file is
    # added; nothing recovered is lost or doubled.
    r = run([opensocd, "ingest", "-c", cfg, "--data-dir", data_dir, big], timeout=600)
    c.equal(r.returncode, 0, f"{what}: ingest rerun on the same directory exits 0", )
    cli = subprocess.run([opensocd, "pcap", "-c", cfg, "--data-dir", data_dir, "--start", "0", "-o", "-"],
                         capture_output=True, timeout=600)
    recs = walk_pcap_bytes(cli.stdout)[1]
    c.equal(len(recs), len(expected) + len(input_ns), f"{what}: after the rerun, recovered + input packets served")
    c.check(collections.Counter(recs) == collections.Counter(expected) + collections.Counter(input_ns),
            f"{what}: ... and exactly those records")
    back = next((i for i, (a, b) in enumerate(zip(recs, recs[1:])) if record_ts(b) < record_ts(a)), None)
    c.check(back is None, f"{what}: ... in timestamp order (the rerun's segments overlap the recovered ones in time)",
            f"(record {back + 1 if back is not None else 0} is older than the one before it; "
            f"{len(expected)} were recovered)")
    c.equal([s["name"] for s in segment_files(data_dir) if s["kind"] != "closed"], [],
            f"{what}: no .open file after the rerun")


def pick_slices_from(d, expected):
    merged = os.path.join(d, "pick.pcap")
    write_ns_pcap(merged, expected)
    slices = pick_slices(merged)
    c.check(len(slices) == 3, f"slices chosen from the recovered data: {[q for q, _ in slices]}")
    return slices


try:
    make_veth_namespace(c, ns)
    with temp_dir("opensoc-crash-") as d:
        os.makedirs(os.path.join(d, "live"))
        crash_live(os.path.join(d, "live"))
    with temp_dir("opensoc-crash-") as d:
        crash_ingest(d)
finally:
    run(["ip", "netns", "del", ns])
    c.check(ns not in run(["ip", "netns", "list"]).stdout, "namespace removed")
c.finish()
