#!/usr/bin/env python3
"""Writes the decode fuzzer's seed corpus (test/fuzz/seeds/decode/).

One file per seed: a link-type byte (index into kLinkTypes in
test/fuzz/decode_fuzz.cpp) followed by one whole frame. Frames come from the
shared corpus captures, one per distinct protocol chain as tshark names it
(so every encapsulation the corpus holds is represented), smallest frame
first, plus a few hand-built frames for encapsulations the corpus lacks
(QinQ, PPTP, VXLAN with an inner tag, ERSPAN type III).

Usage: tools/extract_fuzz_seeds.py [--corpus DIR] [--out DIR] [--max-bytes N]
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys

from pcap_records import read_pcap_records

# pcap LINKTYPE -> index in decode_fuzz.cpp's kLinkTypes.
LINK_INDEX = {1: 0, 101: 1, 113: 2, 276: 3, 0: 4, 228: 5, 229: 6}
MAX_FRAME = 1600


def read_pcap(path):
    """Yields (linktype, frame bytes) for a classic pcap file."""
    for linktype, _ts, frame, _wirelen in read_pcap_records(path):
        yield linktype, frame


def protocol_chains(path):
    """tshark's frame.protocols per frame, or None when tshark is missing."""
    try:
        out = subprocess.run(
            ["tshark", "-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
             "-T", "fields", "-e", "frame.protocols"],
            capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return None
    return out.splitlines()


def synthetic_seeds():
    """Frames for encapsulations the corpus does not contain."""
    def ipv4(proto, payload, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02"):
        return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0, src, dst) + payload

    def tcp(sport, dport):
        return struct.pack(">HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 8192, 0, 0)

    def udp(sport, dport, payload):
        return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload

    def eth(ethertype, payload):
        return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb" + struct.pack(">H", ethertype) + payload

    inner = ipv4(6, tcp(1234, 80), src=b"\xac\x10\x00\x01", dst=b"\xac\x10\x00\x02")
    qinq = eth(0x88A8, struct.pack(">HH", 100, 0x8100) + struct.pack(">HH", 200, 0x0800) + inner)
    pptp = eth(0x0800, ipv4(47, struct.pack(">BBHHHI", 0x30, 0x81, 0x880B, len(inner) + 4, 7, 1)
                           + struct.pack(">I", 0) + b"\xff\x03\x00\x21" + inner))
    vxlan = eth(0x0800, ipv4(17, udp(50000, 4789, struct.pack(">BBHI", 0x08, 0, 0, 42 << 8)
                                     + eth(0x8100, struct.pack(">HH", 7, 0x0800) + inner))))
    erspan3 = eth(0x0800, ipv4(47, struct.pack(">BBHI", 0x10, 0, 0x22EB, 1) + bytes(11) + b"\x01" + bytes(8)
                               + eth(0x0800, inner)))
    mpls = eth(0x8847, struct.pack(">I", (16 << 12) | 0x100 | 64) + inner)
    return [("synthetic-qinq", 0, qinq), ("synthetic-pptp", 0, pptp), ("synthetic-vxlan-vlan", 0, vxlan),
            ("synthetic-erspan3", 0, erspan3), ("synthetic-mpls", 0, mpls)]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.environ.get("OPENSOC_CORPUS", os.path.join(root, "..", "shared", "corpus")))
    ap.add_argument("--out", default=os.path.join(root, "test", "fuzz", "seeds", "decode"))
    ap.add_argument("--max-bytes", type=int, default=2 * 1024 * 1024 - 64 * 1024)
    args = ap.parse_args()

    tests = os.path.join(args.corpus, "suricata-verify", "tests")
    pcaps = sorted(os.path.join(d, f) for d, _, files in os.walk(tests) for f in files if f.endswith(".pcap"))
    if not pcaps:
        sys.exit(f"no pcaps under {tests}")

    # chain -> (size, name, link index, frame): keep the smallest frame per chain.
    best = {}
    for path in pcaps:
        frames = list(read_pcap(path))
        if not frames or frames[0][0] not in LINK_INDEX:
            continue
        chains = protocol_chains(path)
        if chains is None or len(chains) != len(frames):
            chains = [f"{lt}:{fr[12:14].hex()}" for lt, fr in frames]  # fallback: link + ethertype bytes
        rel = os.path.relpath(path, tests)
        for i, ((linktype, frame), chain) in enumerate(zip(frames, chains)):
            if len(frame) > MAX_FRAME:
                continue
            key = chain
            if key not in best or len(frame) < best[key][0]:
                best[key] = (len(frame), f"{rel}#{i + 1}", LINK_INDEX[linktype], frame)

    seeds = [(name, link, frame) for _, name, link, frame in sorted(best.values(), key=lambda v: v[0])]
    seeds = synthetic_seeds() + seeds

    # Replace the previous seeds (only plain files directly in the directory).
    os.makedirs(args.out, exist_ok=True)
    for old in os.listdir(args.out):
        if os.path.isfile(os.path.join(args.out, old)):
            os.remove(os.path.join(args.out, old))
    total = 0
    written = 0
    for name, link, frame in seeds:
        blob = bytes([link]) + frame
        if total + len(blob) > args.max_bytes:
            break
        digest = hashlib.sha1(blob).hexdigest()[:16]
        with open(os.path.join(args.out, digest), "wb") as f:
            f.write(blob)
        total += len(blob)
        written += 1
    print(f"wrote {written} seeds ({total} bytes) from {len(best)} distinct protocol chains to {args.out}")


if __name__ == "__main__":
    main()
