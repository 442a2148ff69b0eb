#!/usr/bin/env python3
"""Packet store retention: more traffic than the budget, then check what is
left on disk and what slices return.

The input is a real capture looped into a longer one (each pass shifted past
the previous in time, bytes unchanged), ingested in one go:
- store.max_bytes: the segment files together stay within the budget, the
  ones left are the newest (a contiguous run of sequence numbers ending at
  the last), and they hold exactly the newest packets of the input;
- store.max_age_s: no segment left whose newest packet is older than
  max_age_s before the newest packet on disk, and the one before the oldest
  left was older;
- store.min_free_bytes: on a small tmpfs mounted at the packets directory,
  that much stays free.
Slices over all time return exactly the packets in the segment files left
(tshark reads those files as the oracle), and slices by host and port match
tshark over the same files merged in time order: an index entry of a removed
segment never yields a packet or an error.
"""
import os
import re
import subprocess

from harness import (Checks, Daemon, args, free_port, idle_capture_yaml, frame_line, read_pcap, read_pcap_file, run,
                     segment_files, stats, store_config, tshark_frame_lines, tshark_frame_numbers,
                     wait_for, write_config, write_pcap)

SOURCE = "tls/tls-subjectaltname/input.pcap"  # 1.6 MB, 3138 packets over 96 s, 37 hosts
PASSES = 5
PASS_GAP_NS = 100 * 10**9
SEGMENT_BYTES = 320 * 1024  # the writer's floor is 262184 (header + one 256 KiB frame)
MAX_BYTES = 3 * 1024 * 1024
MAX_AGE_S = 150
NAME = re.compile(r"^(\d{19})-(\d{8})\.pcap$")


def unix_text(ns):
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def all_time(records):
    return ["--start", unix_text(records[0][0] - 10**9), "--end", unix_text(records[-1][0] + 10**9)]


def slice_cli(opensocd, cfg, d, argv):
    r = subprocess.run([opensocd, "pcap", "-c", cfg, "--data-dir", d] + argv + ["-o", "-"],
                       capture_output=True, timeout=120)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def looped_capture(src, out):
    _, recs = read_pcap_file(src)
    base = recs[0][0]
    span = recs[-1][0] - base
    assert span < PASS_GAP_NS
    looped = [(ts + i * PASS_GAP_NS, cl, wl, b) for i in range(PASSES) for ts, cl, wl, b in recs]
    write_pcap(out, looped)
    return looped


class Remaining:
    """The segment files left in a data dir and the packets in them."""

    def __init__(self, d):
        self.files = segment_files(d)
        self.names = [os.path.basename(f) for f in self.files]
        self.parsed = [NAME.match(n) for n in self.names]
        self.seqs = [int(m.group(2)) for m in self.parsed if m]
        self.records = []
        self.per_file = []
        for f in self.files:
            _, recs = read_pcap_file(f)
            self.per_file.append(recs)
            self.records += recs
        self.bytes = sum(os.path.getsize(f) for f in self.files)


def check_suffix(c, what, rem, looped):
    """The files left hold the newest packets of the input, nothing missing
    in between, in name order = sequence order = time order."""
    c.check(rem.files and all(rem.parsed), f"{what}: segment files named <first_ts>-<seq>.pcap", rem.names[:3])
    if not rem.files or not all(rem.parsed):
        return False
    c.check(len(set(os.path.dirname(f) for f in rem.files)) == 1, f"{what}: one worker directory (ingest)")
    c.equal(rem.seqs, list(range(rem.seqs[0], rem.seqs[0] + len(rem.seqs))), f"{what}: sequence numbers contiguous")
    c.check(rem.seqs[0] > 0, f"{what}: the oldest segments were removed", str(rem.seqs[:3]))
    c.equal([int(m.group(1)) for m in rem.parsed], [r[0][0] for r in rem.per_file],
            f"{what}: each name's timestamp is its first packet's")
    n = len(rem.records)
    return c.check(n > 0 and rem.records == looped[-n:], f"{what}: files hold exactly the newest {n} of {len(looped)} packets",
                   f"(first left {frame_line(rem.records[0]) if n else '-'})")


def check_slices(c, opensocd, cfg, d, rem, looped, work):
    """Slices over what is left against tshark over the files left."""
    what = os.path.basename(d)
    rc, out, err = slice_cli(opensocd, cfg, d, all_time(looped))
    if not c.check(rc == 0, f"{what}: slice over all time: exit 0", err[-300:]):
        return
    try:
        _, got = read_pcap(out)
    except ValueError as e:
        c.check(False, f"{what}: slice over all time is a valid pcap", str(e))
        return
    c.check(got == rem.records, f"{what}: slice over all time = the {len(rem.records)} packets in the segment files left",
            f"(got {len(got)})")
    lines = []
    for f in rem.files:
        lines += tshark_frame_lines(f) or []
    c.equal([frame_line(r) for r in got], lines, f"{what}: slice's time_epoch/len/cap_len = tshark's over the segment files")

    merged = write_pcap(os.path.join(work, what + ".left.pcap"), sorted(rem.records, key=lambda r: r[0]))
    _, merged_recs = read_pcap_file(merged)
    hosts = ["192.168.100.206", "138.201.208.22", "204.79.197.200", "172.217.16.130"]
    queries = [([("--host", h)], f"ip.addr#1 == {h}") for h in hosts]
    queries += [([("--port", p)], f"tcp.port#1 == {p} || udp.port#1 == {p}") for p in (443, 53, 60680)]
    queries += [([("--host", hosts[0]), ("--port", 443)], f"ip.addr#1 == {hosts[0]} && tcp.port#1 == 443")]
    queries += [([("--proto", "udp")], "udp")]
    for opts, flt in queries:
        argv = [str(x) for kv in opts for x in kv] + all_time(looped)
        rc, out, err = slice_cli(opensocd, cfg, d, argv)
        nums = tshark_frame_numbers(merged, flt)
        want = [merged_recs[i - 1] for i in nums or []]
        try:
            got = read_pcap(out)[1] if rc == 0 else None
        except ValueError:
            got = None
        c.check(rc == 0 and nums is not None and got == want,
                f"{what}: {' '.join(map(str, argv[:-4]))}: {len(want)} packets as tshark selects from the files left",
                f"(exit {rc}, got {len(got) if got is not None else '-'}: {err[-200:]})")
    # A window that ends before the oldest packet left: every index entry in
    # it points into a removed segment.
    first_left = rem.records[0][0] if rem.records else looped[-1][0]
    rc, out, err = slice_cli(opensocd, cfg, d, ["--start", unix_text(looped[0][0]), "--end", unix_text(first_left - 1)])
    c.check(rc == 0 and len(out) == 24, f"{what}: window over removed segments only: empty 24-byte pcap",
            f"(exit {rc}, {len(out)} bytes: {err[-200:]})")
    # One that straddles the boundary: only what is left.
    rc, out, err = slice_cli(opensocd, cfg, d, ["--host", hosts[0], "--start", unix_text(looped[0][0]),
                                                "--end", unix_text(first_left + 5 * 10**9)])
    nums = set(tshark_frame_numbers(merged, f"ip.addr#1 == {hosts[0]}") or [])
    want = [r for i, r in enumerate(merged_recs, 1) if i in nums and r[0] <= first_left + 5 * 10**9]
    try:
        got = read_pcap(out)[1] if rc == 0 else None
    except ValueError:
        got = None
    c.check(got == want, f"{what}: window straddling the oldest packet left: {len(want)} packets, none removed",
            f"(exit {rc}, got {len(got) if got is not None else '-'})")


def check_search_shards(c, opensocd, cfg, d, rem, looped):
    """Retention drops the search shards (60 s each here) that end before the
    oldest packet left, and keeps the others: records of the removed traffic
    are gone, records of what is left are found."""
    if not rem.records:
        return
    oldest_s = rem.records[0][0] / 1e9
    span_all = (looped[-1][0] - looped[0][0]) / 1e9
    shards = []
    for name in os.listdir(os.path.join(d, "search")):
        m = re.match(r"^s(\d+)-(\d+)$", name)
        if m:
            shards.append((int(m.group(1)), int(m.group(2))))
    c.check(bool(shards), "age: search shards exist")
    c.check(all(start + span > oldest_s for start, span in shards),
            "age: no search shard ends before the oldest packet left",
            str(sorted(s for s in shards if s[0] + s[1] <= oldest_s)[:3]))
    c.check(len(shards) < span_all / 60, f"age: retention dropped search shards ({len(shards)} left of ~{span_all / 60:.0f})")
    r = run([opensocd, "search", "-c", cfg, "--all", "--limit", "10000", "--start", "0", "transport:*"], timeout=120)
    if c.check(r.returncode == 0, "age: search over what is left exits 0", r.stderr[-300:]):
        import json
        stamps = [json.loads(line)["@timestamp"] for line in r.stdout.splitlines() if line.strip()]
        c.check(len(stamps) > 0, f"age: sessions and events of the traffic left are found ({len(stamps)})")


def store_stats(opensocd, cfg_text, work, d, tag):
    """GET /api/v1/stats from `run` over the data dir (a ring device that
    receives nothing as its capture port)."""
    port = free_port()
    cfg = write_config(os.path.join(work, tag + ".run.yaml"),
                       cfg_text + "\n" + idle_capture_yaml(f"ret{os.getpid()}", port))
    daemon = Daemon([opensocd, "run", "-c", cfg])
    wait_for(lambda: daemon.proc.poll() is not None or stats(f"http://127.0.0.1:{port}"), 30)
    s = stats(f"http://127.0.0.1:{port}") if daemon.proc.poll() is None else None
    rc = daemon.stop()
    return s, rc, daemon.output()


def main():
    opensocd, root, corpus = args()
    c = Checks("pcap-retention")
    work = os.path.join("/tmp", f"opensoc-retention-{os.getpid()}")
    os.makedirs(work)
    mounted = None
    try:
        src = os.path.join(corpus, "suricata-verify", "tests", SOURCE)
        big = os.path.join(work, "looped.pcap")
        looped = looped_capture(src, big)
        total = 24 + sum(16 + r[1] for r in looped)
        print(f"# input: {len(looped)} packets, {total} bytes as pcap; budget {MAX_BYTES}", flush=True)

        # --- max_bytes
        d = os.path.join(work, "budget")
        cfg_text = store_config(d, SEGMENT_BYTES, 3600, extra_store=f"  max_bytes: {MAX_BYTES}")
        cfg = write_config(os.path.join(work, "budget.yaml"), cfg_text)
        r = run([opensocd, "ingest", "-c", cfg, big], timeout=300)
        if c.check(r.returncode == 0, "budget: ingest exit 0", r.stderr[-500:]):
            rem = Remaining(d)
            c.check(rem.bytes <= MAX_BYTES, f"budget: segment files hold {rem.bytes} bytes <= max_bytes {MAX_BYTES}")
            c.check(rem.bytes >= MAX_BYTES - 2 * SEGMENT_BYTES,
                    f"budget: no more removed than needed ({rem.bytes} >= max_bytes - 2 segments)")
            if check_suffix(c, "budget", rem, looped):
                check_slices(c, opensocd, cfg, d, rem, looped, work)
            s, rc, out = store_stats(opensocd, cfg_text, work, d, "budget")
            store = (s or {}).get("store")
            if c.check(isinstance(store, dict), "budget: stats has a store section", out[-1000:]):
                c.equal(store.get("segments"), len(rem.files), "budget: stats segments = files left")
                on_disk = {rem.bytes, sum(os.stat(f).st_blocks * 512 for f in rem.files)}
                c.check(store.get("bytes_used") in on_disk, "budget: stats bytes_used = their size on disk",
                        f"(got {store.get('bytes_used')}, files {sorted(on_disk)})")
                c.check(store.get("bytes_used", MAX_BYTES + 1) <= MAX_BYTES, "budget: stats bytes_used <= max_bytes")
                if rem.records:
                    c.equal(store.get("oldest_packet_ns"), rem.records[0][0], "budget: stats oldest_packet_ns = oldest left")
                    c.equal(store.get("newest_packet_ns"), looped[-1][0], "budget: stats newest_packet_ns")
            c.equal(rc, 0, "budget: run exits 0 on SIGTERM")

        # --- max_age_s
        d = os.path.join(work, "age")
        cfg = write_config(os.path.join(work, "age.yaml"),
                           store_config(d, SEGMENT_BYTES, 20, extra_store=f"  max_age_s: {MAX_AGE_S}",
                                        extra="search:\n  shard_span_s: 60s\n"))
        r = run([opensocd, "ingest", "-c", cfg, big], timeout=300)
        if c.check(r.returncode == 0, "age: ingest exit 0", r.stderr[-500:]):
            rem = Remaining(d)
            newest = looped[-1][0]
            cutoff = newest - MAX_AGE_S * 10**9
            check_search_shards(c, opensocd, cfg, d, rem, looped)
            if check_suffix(c, "age", rem, looped):
                c.check(all(f[-1][0] >= cutoff for f in rem.per_file),
                        f"age: every segment left has a packet within {MAX_AGE_S} s of the newest",
                        str([unix_text(f[-1][0]) for f in rem.per_file if f[-1][0] < cutoff][:3]))
                before = looped[len(looped) - len(rem.records) - 1]
                c.check(before[0] < cutoff, "age: the segment before the oldest left was past max_age_s",
                        f"(its newest packet {unix_text(before[0])}, cutoff {unix_text(cutoff)})")
                check_slices(c, opensocd, cfg, d, rem, looped, work)

        # --- min_free_bytes, on a small file system of its own
        d = os.path.join(work, "free")
        pk = os.path.join(d, "packets")
        os.makedirs(pk)
        fs_bytes, min_free = 6 * 1024 * 1024, 3 * 1024 * 1024
        m = run(["mount", "-t", "tmpfs", "-o", f"size={fs_bytes}", "tmpfs", pk])
        if c.check(m.returncode == 0, "free: tmpfs mounted for the segments", m.stderr):
            mounted = pk
            cfg = write_config(os.path.join(work, "free.yaml"),
                               store_config(d, SEGMENT_BYTES, 3600, extra_store=f"  min_free_bytes: {min_free}"))
            r = run([opensocd, "ingest", "-c", cfg, big], timeout=300)
            # Offline nothing forces a drop: ingest must wait for retention
            # rather than lose packets to a full file system.
            c.check(r.returncode == 0, "free: ingest exit 0 (no packet lost to the small file system)", r.stderr[-500:])
            st = os.statvfs(pk)
            free = st.f_bavail * st.f_frsize
            c.check(free >= min_free, f"free: {free} bytes free >= min_free_bytes {min_free}")
            rem = Remaining(d)
            c.check(rem.bytes >= fs_bytes - min_free - 2 * SEGMENT_BYTES,
                    f"free: no more removed than needed ({rem.bytes} bytes left)")
            if check_suffix(c, "free", rem, looped):
                check_slices(c, opensocd, cfg, d, rem, looped, work)
    finally:
        if mounted:
            run(["umount", mounted])
        subprocess.run(["rm", "-rf", work])
    c.finish()


if __name__ == "__main__":
    main()
