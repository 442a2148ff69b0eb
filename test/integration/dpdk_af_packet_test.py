#!/usr/bin/env python3
"""Live capture through DPDK's net_af_packet PMD: every frame sent is counted.

Creates a network namespace with a veth pair (IPv6 off, so the kernel sends
nothing of its own), runs tools/dpdk_probe on one end with a 65536-frame
PACKET_MMAP ring, replays a corpus capture into the other end with tcpreplay
--topspeed, and checks that the probe counted exactly the frames and bytes
tcpreplay reports as sent, with imissed = ierrors = rx_nombuf = 0. The
namespace is removed in all cases.

usage: dpdk_af_packet_test.py PROBE [PCAP] [LOOPS]
Needs root, iproute2 and tcpreplay; exits 77 (meson: skipped) otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_PCAP = "suricata-verify/tests/dhcp-request-flood/test.pcap"  # 10000 frames of 286 B


def corpus_root() -> Path:
    env = os.environ.get("OPENSOC_CORPUS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def sh(*args, ns=None, check=True):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    if os.geteuid() != 0 or not shutil.which("tcpreplay") or not shutil.which("ip"):
        print("skipped: needs root, ip and tcpreplay")
        return 77
    probe = sys.argv[1]
    pcap = Path(sys.argv[2]) if len(sys.argv) > 2 else corpus_root() / DEFAULT_PCAP
    loops = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    if not pcap.exists():
        print(f"missing capture {pcap} (set OPENSOC_CORPUS)")
        return 1

    ns = f"osoc_dpdk_{os.getpid()}"
    rx, tx = "osoc_rx", "osoc_tx"
    proc = None
    try:
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", rx, "type", "veth", "peer", "name", tx, ns=ns)
        for dev in (rx, tx):
            sh("sysctl", "-qw", f"net.ipv6.conf.{dev}.disable_ipv6=1", ns=ns)
            sh("ip", "link", "set", dev, "up", ns=ns)
        cmd = ["ip", "netns", "exec", ns, probe, "--device", "net_af_packet0", "--idle-exit", "2", "--seconds", "120",
               "--", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--file-prefix", ns, "--log-level", "lib.eal:error",
               "--no-telemetry", "--vdev", f"net_af_packet0,iface={rx},framecnt=65536,blocksz=4096,framesz=2048"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = proc.stdout.readline()
        if first.strip() != "ready":
            _, err = proc.communicate(timeout=30)
            print(f"probe did not start: {first}{err}")
            return 1
        rep = sh("tcpreplay", "-i", tx, "--topspeed", f"--loop={loops}", str(pcap), ns=ns)
        m = re.search(r"Actual: (\d+) packets \((\d+) bytes\)", rep.stdout)
        failed = re.search(r"Failed packets:\s+(\d+)", rep.stdout)
        if not m or (failed and int(failed.group(1)) != 0):
            print(f"tcpreplay did not send cleanly:\n{rep.stdout}{rep.stderr}")
            return 1
        sent, sent_bytes = int(m.group(1)), int(m.group(2))
        out, err = proc.communicate(timeout=150)
        proc = None
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(f"/var/run/dpdk/{ns}", ignore_errors=True)

    summary = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "port":
            summary.update(zip(parts[4::2], (int(x) for x in parts[5::2])))
        elif len(parts) == 2 and parts[0] in ("packets", "bytes"):
            summary[parts[0]] = int(parts[1])
    errors = []
    if summary.get("packets") != sent or summary.get("bytes") != sent_bytes:
        errors.append(f"captured {summary.get('packets')} packets / {summary.get('bytes')} bytes, "
                      f"sent {sent} / {sent_bytes}")
    for k in ("imissed", "ierrors", "rx_nombuf"):
        if summary.get(k) != 0:
            errors.append(f"port {k} = {summary.get(k)}")
    print(f"{'ok  ' if not errors else 'FAIL'} af_packet: sent {sent}, captured {summary.get('packets')}")
    for e in errors:
        print("  " + e)
    if errors:
        print(err)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
