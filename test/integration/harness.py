"""Shared helpers for the integration tests, which drive the real opensocd
binary (and real tshark/capinfos/tcpreplay) and check exact outcomes.

Each test script is one meson test: it prints one line per check and exits
non-zero when any check failed.
"""
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


class Checks:
    def __init__(self, name):
        self.name = name
        self.failed = 0
        self.passed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {what}")
        else:
            self.failed += 1
            print(f"FAIL {what} {detail}")
        return ok

    def equal(self, got, want, what):
        return self.check(got == want, what, f"(got {got!r}, want {want!r})")

    def finish(self):
        print(f"{self.name}: {self.passed} checks passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


def args():
    """argv: OPENSOCD SOURCE_ROOT CORPUS_DIR"""
    if len(sys.argv) < 4:
        sys.exit("usage: test.py OPENSOCD SOURCE_ROOT CORPUS_DIR")
    return sys.argv[1], sys.argv[2], sys.argv[3]


def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    """Returns (status, headers, body bytes); HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, {}, b""


def wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = predicate()
        if v:
            return v
        time.sleep(interval)
    return predicate()


def capinfos_count(path):
    out = run(["capinfos", "-c", "-M", "-T", "-r", path]).stdout.strip().split("\t")
    return int(out[-1]) if out and out[-1].isdigit() else None


@contextlib.contextmanager
def temp_dir(prefix="opensoc-test-"):
    d = tempfile.mkdtemp(prefix=prefix)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def write_config(path, text):
    """Writes a test config. Tests that are not about auth or privileges run
    the daemon with auth off and as the invoking user: unless the text says
    otherwise, `auth: {enabled: false}` and `privileges: {user: ""}` are added."""
    if not re.search(r"^auth:", text, re.M):
        text += "\nauth:\n  enabled: false\n"
    if not re.search(r"^privileges:", text, re.M):
        text += "\nprivileges:\n  user: \"\"\n"
    with open(path, "w") as f:
        f.write(text)
    return path


def demo_like_config(data_dir, pcap, port, prefix, extra_vdev_args="", lcores="[1]", flow_log=""):
    return f"""
data_dir: {data_dir}
log_level: info
capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "{prefix}",
             "--vdev", "net_pcap0,rx_pcap={pcap}{extra_vdev_args}"]
  main_lcore: 0
  worker_lcores: {lcores}
  ports:
    - device: net_pcap0
flow:
  table_size: 65536
pipeline:
  flow_log: "{flow_log}"
http:
  listen: 127.0.0.1:{port}
"""


class Daemon:
    """opensocd run in the background; stopped with SIGTERM."""

    def __init__(self, cmd, env=None):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, text=True, env=env)
        # A test that dies must not leave a capture core spinning behind it.
        atexit.register(self.kill)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def output(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def stats(base):
    status, _, body = http_get(base + "/api/v1/stats")
    return json.loads(body) if status == 200 else None


# --- PCAP slices and the packet store (pcap_slice_test, pcap_retention_test) ---

def read_pcap(data):
    """Parses a classic pcap (bytes) strictly: returns (link_type, records),
    each record (ts_ns, caplen, wirelen, frame bytes). Raises ValueError on
    anything malformed, a trailing partial record included, so a slice that
    is not a whole pcap file fails the test that reads it."""
    import struct
    if len(data) < 24:
        raise ValueError(f"pcap shorter than its 24-byte header ({len(data)} bytes)")
    magic = data[:4]
    formats = {b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),
               b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1)}
    if magic not in formats:
        raise ValueError(f"not a classic pcap (magic {magic.hex()})")
    endian, unit = formats[magic]
    major, minor, _, _, snaplen, link = struct.unpack(endian + "HHiIII", data[4:24])
    if (major, minor) != (2, 4):
        raise ValueError(f"pcap version {major}.{minor}")
    records = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError(f"partial record header at offset {off}")
        sec, frac, caplen, wirelen = struct.unpack(endian + "IIII", data[off:off + 16])
        if frac * unit >= 1_000_000_000:
            raise ValueError(f"record at {off}: sub-second field {frac} out of range")
        if caplen > wirelen or caplen > max(snaplen, 262144):
            raise ValueError(f"record at {off}: caplen {caplen}, wirelen {wirelen}, snaplen {snaplen}")
        if off + 16 + caplen > len(data):
            raise ValueError(f"record at {off}: frame runs past the end of the file")
        records.append((sec * 1_000_000_000 + frac * unit, caplen, wirelen, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return link, records


def read_pcap_file(path):
    with open(path, "rb") as f:
        return read_pcap(f.read())


def is_nanosecond_pcap(data):
    return data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")


# Per-frame dissection that never merges frames: what a display filter sees
# is then the fields of that one frame.
TSHARK_PER_FRAME = ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                    "-o", "tcp.desegment_tcp_streams:FALSE"]


def tshark_frame_numbers(path, display_filter, timeout=120):
    """1-based numbers of the frames of `path` that `display_filter` selects
    (tshark is the oracle); None when tshark rejects the filter."""
    r = run(["tshark", "-n", "-r", path] + TSHARK_PER_FRAME +
            ["-Y", display_filter, "-T", "fields", "-e", "frame.number"], timeout=timeout)
    if r.returncode != 0:
        return None
    return [int(x) for x in r.stdout.split()]


def tshark_frame_lines(path, timeout=120):
    """`frame.time_epoch frame.len frame.cap_len` per frame, as tshark reads them."""
    r = run(["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/s",
             "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len"], timeout=timeout)
    return r.stdout.splitlines() if r.returncode == 0 else None


def frame_line(record):
    """The line tshark_frame_lines prints for a read_pcap record."""
    ts, caplen, wirelen, _ = record
    return f"{ts // 1_000_000_000}.{ts % 1_000_000_000:09d} {wirelen} {caplen}"


def store_config(data_dir, segment_bytes, segment_age_s, extra_store="", extra=""):
    """A config for ingest/pcap with the packet store on and segments small
    enough that every test crosses many of them."""
    return f"""
data_dir: {data_dir}
log_level: info
store:
  enabled: true
  max_segment_bytes: {segment_bytes}
  max_segment_age_s: {segment_age_s}
  sync_on_close: false
  index_commit_ms: 100
{extra_store}
{extra}
"""


def search_store_yaml():
    """The store, sessions and search sections a running daemon needs for
    searchable records, with commits frequent enough for tests."""
    return """
store:
  enabled: true
  max_segment_bytes: 64MiB
  max_segment_age_s: 60s
  sync_on_close: false
  index_commit_ms: 200
sessions:
  enabled: true
search:
  enabled: true
  commit_ms: 200
"""


def segment_files(data_dir, subdir="packets"):
    """Closed segment files under <data_dir>/<subdir>/w*/, by worker then name."""
    base = os.path.join(data_dir, subdir)
    out = []
    if not os.path.isdir(base):
        return out
    for w in sorted(os.listdir(base)):
        wdir = os.path.join(base, w)
        if w.startswith("w") and os.path.isdir(wdir):
            out += [os.path.join(wdir, f) for f in sorted(os.listdir(wdir))
                    if f.endswith(".pcap") and not f.startswith(".")]
    return out


def write_pcap(path, records, link=1, snaplen=262144):
    """Writes read_pcap records as a nanosecond pcap."""
    import struct
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, snaplen, link))
        for ts, caplen, wirelen, frame in records:
            f.write(struct.pack("<IIII", ts // 1_000_000_000, ts % 1_000_000_000, caplen, wirelen))
            f.write(frame)
    return path


def make_veth_namespace(c, ns):
    """Creates network namespace `ns` (removing a stale one first) holding a
    veth pair cap0 <-> send0, both up with MTU 9000 and IPv6 off (no
    autoconfiguration chatter: only what the test sends crosses), and lo up.
    The caller deletes it (`ip netns del NS`) when done."""
    run(["ip", "netns", "del", ns])
    r = run(["ip", "netns", "add", ns])
    c.equal(r.returncode, 0, "namespace created")

    def nsexec(*cmd, **kw):
        return run(["ip", "netns", "exec", ns] + list(cmd), **kw)

    nsexec("ip", "link", "add", "cap0", "type", "veth", "peer", "name", "send0")
    for dev in ("cap0", "send0"):
        nsexec("sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1")
        nsexec("ip", "link", "set", dev, "up", "mtu", "9000")
    nsexec("ip", "link", "set", "lo", "up")


def af_packet_capture_yaml(prefix):
    """The `capture:` section for DPDK's af_packet PMD on cap0 (see
    make_veth_namespace): a deep kernel ring of 8 KiB frames and 8 KiB mbufs,
    so jumbo frames and a descheduled worker lose nothing."""
    return f"""capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "{prefix}",
             "--vdev", "net_af_packet0,iface=cap0,framecnt=16384,blocksz=8192,framesz=8192"]
  main_lcore: 0
  worker_lcores: [1]
  mbuf_data_size: 8KiB
  ports:
    - device: net_af_packet0
"""


def idle_capture_yaml(prefix, http_port):
    """`capture:` and `http:` sections for a `run` that only serves the API
    over an existing data directory: its port is a DPDK ring that never
    receives a packet."""
    return f"""capture:
  eal_args: ["--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", "{prefix}",
             "--vdev", "net_ring0"]
  main_lcore: 0
  worker_lcores: [1]
  ports:
    - device: net_ring0
http:
  listen: 127.0.0.1:{http_port}
"""


def get_path(rec, dotted, default=None):
    """rec["a"]["b"] for "a.b", or `default` where a level is missing or not an object."""
    for k in dotted.split("."):
        if not isinstance(rec, dict) or k not in rec:
            return default
        rec = rec[k]
    return rec


def api_request(method, url, body=None, raw=None, timeout=10):
    """(status, parsed JSON or None) for any method; HTTP errors are answers,
    (None, None) when nothing answered. `body` is sent as JSON, `raw` as the
    bytes it is."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, None
    try:
        return status, json.loads(text)
    except ValueError:
        return status, None


def five_tuple_key(transport, a, pa, b, pb):
    """One key for both directions of a session: the transport and the two
    (address, port) ends in order."""
    return (transport,) + tuple(sorted([(a, int(pa)), (b, int(pb))]))


def save_evidence_pcap(c, url, what, path, timeout=30):
    """GETs an alert's evidence pcap link and saves it at `path`. Checks (in
    `c`, named `what`) that it answers 200 with a whole pcap. Returns its
    records as read_pcap gives them, or None when a check failed."""
    status, _, body = http_get(url, timeout=timeout)
    if not c.equal(status, 200, what + ": pcap link answers 200"):
        return None
    try:
        _, records = read_pcap(body)
    except ValueError as err:
        c.check(False, what + ": pcap link is a whole pcap", str(err))
        return None
    with open(path, "wb") as f:
        f.write(body)
    return records
