#!/usr/bin/env python3
"""DPDK net_pcap replay through the capture runtime, checked frame by frame.

Runs tools/dpdk_probe (DpdkRuntime + DpdkQueueSource) on corpus captures via
the net_pcap PMD and compares every frame it delivered with the file itself:
  - the count and order of frames (capinfos -c is the oracle for the count),
  - caplen / wirelen and the sum of wire lengths (tshark frame.len),
  - the timestamp in ns (tshark frame.time_epoch, truncated to µs: net_pcap
    hands over ts_sec * 10^6 + ts_usec),
  - an FNV-1a hash of the captured bytes, so jumbo frames that net_pcap
    chains over several mbufs prove the linearising path, and VLAN/QinQ
    frames prove no tag was stripped.
It also checks that replay stops at the end of the file and that the port
reports imissed = ierrors = rx_nombuf = 0.

usage: dpdk_replay_test.py PROBE [PCAP...]   (default: a fixed corpus set)
The corpus is $OPENSOC_CORPUS, default ../shared/corpus beside the checkout.
Needs root (DPDK with --no-huge); exits 77 (meson: skipped) otherwise.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_PCAPS = [
    "suricata-verify/tests/ethernet-eve/test.pcap",       # 14 frames > 2048 B: chained mbufs
    "suricata-verify/tests/http2-keywords/input.pcap",    # frames up to 43 kB
    "suricata-verify/tests/eve-flow-vlan-02/input.pcap",  # 802.1Q, QinQ and a triple tag
    "suricata-verify/tests/alert-testmyids-async/input.pcap",
]


def corpus_root() -> Path:
    env = os.environ.get("OPENSOC_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def fnv1a(data: bytes) -> int:
    h = 1469598103934665603
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def pcap_frames(path: Path):
    """(caplen, bytes) of each record of a classic pcap file."""
    raw = path.read_bytes()
    magic = raw[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        return None  # pcapng: hashes are not checked
    off = 24
    out = []
    while off + 16 <= len(raw):
        _, _, incl, _ = struct.unpack(endian + "IIII", raw[off:off + 16])
        off += 16
        out.append(raw[off:off + incl])
        off += incl
    return out


def tshark_frames(path: Path):
    res = subprocess.run(
        ["tshark", "-r", str(path), "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.cap_len", "-e", "frame.len"],
        capture_output=True, text=True, check=True)
    frames = []
    for line in res.stdout.splitlines():
        epoch, cap, wire = line.split("\t")
        sec, _, frac = epoch.partition(".")
        frac = (frac + "000000000")[:9]
        ns = int(sec) * 10**9 + int(frac)
        frames.append((ns - ns % 1000, int(cap), int(wire)))
    return frames


def capinfos_count(path: Path) -> int:
    res = subprocess.run(["capinfos", "-M", "-c", "-T", "-r", str(path)], capture_output=True, text=True, check=True)
    return int(res.stdout.strip().split("\t")[-1])


def run_probe(probe: str, pcap: Path, dump: Path, prefix: str):
    cmd = [probe, "--idle-exit", "1", "--seconds", "60", "--dump", str(dump), "--",
           "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix", prefix,
           "--log-level", "lib.eal:error", "--no-telemetry", "--vdev", f"net_pcap0,rx_pcap={pcap}"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    finally:
        # --no-shconf leaves only an empty runtime directory; remove it.
        shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stderr}")
    summary = {}
    for line in res.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "port":
            summary["port"] = dict(zip(parts[4::2], (int(x) for x in parts[5::2])))
        elif len(parts) >= 2 and parts[0] in ("packets", "bytes", "caplen_bytes"):
            summary[parts[0]] = int(parts[1])
    return summary


def check(probe: str, pcap: Path, n: int) -> list:
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "dump.txt"
        summary = run_probe(probe, pcap, dump, f"opensoc_it_{os.getpid()}_{n}")
        got = [line.split() for line in dump.read_text().splitlines()]
    want = tshark_frames(pcap)
    count = capinfos_count(pcap)
    name = f"{pcap.parent.name}/{pcap.name}"
    if summary.get("packets") != count or len(got) != count:
        errors.append(f"{name}: {summary.get('packets')} packets ({len(got)} dumped), capinfos says {count}")
    # net_pcap sets pkt_len from the record's caplen, so a frame cut by the
    # capture's snaplen arrives with wirelen == caplen.
    # For untruncated captures this is also the sum of tshark's frame.len.
    want_bytes = sum(c for _, c, _ in want)
    if summary.get("bytes") != want_bytes:
        errors.append(f"{name}: byte sum {summary.get('bytes')}, tshark cap_len sum {want_bytes}")
    port = summary.get("port", {})
    for k in ("imissed", "ierrors", "rx_nombuf"):
        if port.get(k) != 0:
            errors.append(f"{name}: port {k} = {port.get(k)}")
    if port.get("ipackets") != count:
        errors.append(f"{name}: port ipackets {port.get('ipackets')} != {count}")
    raw = pcap_frames(pcap)
    for i, (g, w) in enumerate(zip(got, want)):
        ts, cap, wire, h = int(g[0]), int(g[1]), int(g[2]), g[3]
        if (ts, cap, wire) != (w[0], w[1], w[1]):
            errors.append(f"{name} frame {i + 1}: got ts={ts} caplen={cap} wirelen={wire}, want {w}")
        elif raw is not None and int(h, 16) != fnv1a(raw[i]):
            errors.append(f"{name} frame {i + 1}: captured bytes differ from the file")
        if len(errors) > 10:
            break
    return errors


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if os.geteuid() != 0:
        print("skipped: needs root for DPDK")
        return 77
    probe = sys.argv[1]
    root = corpus_root()
    pcaps = [Path(p) for p in sys.argv[2:]] or [root / p for p in DEFAULT_PCAPS]
    missing = [p for p in pcaps if not p.exists()]
    if missing:
        print(f"corpus files missing (OPENSOC_CORPUS={root}): {missing}")
        return 1
    failures = []
    for n, pcap in enumerate(pcaps):
        errs = check(probe, pcap, n)
        print(f"{'ok  ' if not errs else 'FAIL'} {pcap}")
        failures += errs
    for e in failures:
        print("  " + e)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
