#!/usr/bin/env python3
"""Least privilege (issue 7 §4) on the real daemon, started as root: after
startup every thread runs as the configured user with no capabilities (or
exactly the kept ones), an empty bounding and ambient set and no_new_privs,
and the daemon still captures, stores (new segments owned by the user) and
serves PCAP slices; a nonexistent user stops it with an actionable message.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR. Needs root (exit 77, skipped, when
not): it creates a temporary system user and removes it at the end."""
import atexit
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

from harness import (Checks, Daemon, args, capinfos_count, demo_like_config, free_port, http_get, read_pcap, run,
                     segment_files, stats, wait_for, write_config)

opensocd, root, corpus = args()
if os.geteuid() != 0:
    print("privilege test: needs root (starts the daemon as root and creates a user): skipped")
    sys.exit(77)

c = Checks("privilege")
pcap = os.path.join(corpus, "suricata-verify", "tests", "smb2-03-rule", "smb2.pcap")
if not os.path.exists(pcap):
    pcap = os.path.join(root, "demo", "demo.pcap")
want_packets = capinfos_count(pcap)

# A throwaway system account; `nobody` when useradd is missing.
user = f"opensoc-t{os.getpid() % 100000}"
if shutil.which("useradd") and run(["useradd", "--system", "--no-create-home", "--user-group", "--shell",
                                    "/usr/sbin/nologin", user]).returncode == 0:
    atexit.register(lambda: run(["userdel", user]))
else:
    user = "nobody"
pw = pwd.getpwnam(user)
uid, gid = pw.pw_uid, pw.pw_gid
print(f"running as {user} (uid {uid}, gid {gid}) after the switch")


def status_fields(path):
    fields = {}
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                fields[k] = v.strip()
    except OSError:
        pass
    return fields


def unix_text(ns):
    return f"{ns // 1_000_000_000}.{ns % 1_000_000_000:09d}"


def config_text(data_dir, port, prefix, privileges):
    return demo_like_config(data_dir, pcap, port, prefix) + f"""
store:
  enabled: true
  max_segment_bytes: 262184
  max_segment_age_s: 2s
  sync_on_close: false
  index_commit_ms: 100
auth:
  enabled: false
privileges:
{privileges}
"""


def start(d, name, privileges):
    port = free_port()
    data_dir = os.path.join(d, name)
    cfg = write_config(os.path.join(d, name + ".yaml"),
                       config_text(data_dir, port, f"ospriv{os.getpid()}{name}", privileges))
    daemon = Daemon([opensocd, "run", "-c", cfg])
    base = f"http://127.0.0.1:{port}"
    up = wait_for(lambda: http_get(base + "/api/v1/health")[0] == 200 if daemon.proc.poll() is None else True, 60)
    ok = c.check(up and daemon.proc.poll() is None, f"{name}: daemon starts as root and answers /api/v1/health",
                 daemon.output()[-2000:])
    return daemon, base, data_dir, ok


def check_identity(name, pid, caps_hex):
    # The API may answer a moment before the switch (the listener is opened
    # as root): wait for it.
    wait_for(lambda: status_fields(f"/proc/{pid}/status").get("Uid", "").split() == [str(uid)] * 4, 15)
    st = status_fields(f"/proc/{pid}/status")
    c.equal(st.get("Uid", "").split(), [str(uid)] * 4, f"{name}: Uid real/effective/saved/fs are {user}'s")
    c.equal(st.get("Gid", "").split(), [str(gid)] * 4, f"{name}: Gid real/effective/saved/fs are {user}'s")
    c.equal(st.get("Groups", "").split(), [str(gid)], f"{name}: supplementary groups: only {user}'s group")
    for k in ("CapInh", "CapPrm", "CapEff", "CapBnd"):
        c.equal(st.get(k), caps_hex, f"{name}: {k} is {caps_hex}")
    c.equal(st.get("CapAmb"), "0000000000000000", f"{name}: CapAmb is empty")
    c.equal(st.get("NoNewPrivs"), "1", f"{name}: NoNewPrivs is set")
    tasks = sorted(os.listdir(f"/proc/{pid}/task"))
    c.check(len(tasks) >= 2, f"{name}: the daemon has several threads ({len(tasks)})")
    bad = []
    for t in tasks:
        ts = status_fields(f"/proc/{pid}/task/{t}/status")
        if not ts:
            continue  # the thread ended meanwhile
        if ts.get("Uid", "").split() != [str(uid)] * 4 or ts.get("Gid", "").split() != [str(gid)] * 4:
            bad.append((t, ts.get("Name"), ts.get("Uid"), ts.get("Gid")))
        elif t != str(pid) and ts.get("CapEff") not in ("0000000000000000", caps_hex):
            # Threads running at the switch lose every capability; threads
            # started after it inherit the main thread's (the kept set).
            bad.append((t, ts.get("Name"), "CapEff", ts.get("CapEff")))
    c.equal(bad, [], f"{name}: every thread runs as {user}, none with more than the kept capabilities")


with tempfile.TemporaryDirectory(prefix="opensoc-priv-") as d:
    # The user must reach the data directory below it.
    os.chmod(d, 0o755)

    # --- 1. no capabilities kept ---
    daemon, base, data_dir, ok = start(d, "nocaps", f"  user: {user}")
    if ok:
        check_identity("nocaps", daemon.proc.pid, "0000000000000000")
        s = wait_for(lambda: (lambda x: x if x and x["store"]["packets_stored"] >= want_packets else None)(stats(base)),
                     60)
        s = stats(base) or {}
        c.equal(s.get("capture", {}).get("packets"), want_packets, "nocaps: captured every packet (capinfos)")
        c.equal(s.get("store", {}).get("packets_stored"), want_packets, "nocaps: stored every packet")
        c.equal(s.get("store", {}).get("write_errors"), 0, "nocaps: no store write errors after the switch")
        # Segments close by size and age after the switch, as the user.
        segs = wait_for(lambda: segment_files(data_dir) if len(segment_files(data_dir)) >= 2 else None, 30) or []
        c.check(len(segs) >= 2, "nocaps: new segment files written after the switch", str(segs))
        owners = {(os.stat(f).st_uid, os.stat(f).st_gid) for f in segs}
        c.equal(owners, {(uid, gid)} if segs else set(), f"nocaps: segment files belong to {user}")
        c.equal(os.stat(data_dir).st_uid, uid, f"nocaps: data_dir was given to {user}")
        # The whole capture back as a slice: start/end around every packet.
        recs = read_pcap(open(pcap, "rb").read())[1]
        q = urllib.parse.urlencode([("start", unix_text(min(r[0] for r in recs) - 10**9)),
                                    ("end", unix_text(max(r[0] for r in recs) + 10**9))])
        status, _, body = http_get(base + "/api/v1/pcap?" + q, timeout=60)
        c.equal(status, 200, "nocaps: GET /api/v1/pcap answers 200")
        slice_path = os.path.join(d, "slice.pcap")
        with open(slice_path, "wb") as f:
            f.write(body)
        c.equal(capinfos_count(slice_path), want_packets, "nocaps: the slice holds every captured packet (capinfos)")
        try:
            got = sorted((r[0], r[3]) for r in read_pcap(body)[1])
            c.check(got == sorted((r[0], r[3]) for r in recs), "nocaps: the slice's packets equal the capture's")
        except ValueError as e:
            c.check(False, "nocaps: the slice is a well-formed pcap", str(e))
        rc = daemon.stop()
        c.equal(rc, 0, "nocaps: SIGTERM: exit code 0")
        out = daemon.output()
        c.check(f"switched to user {user} (uid {uid}, gid {gid}); capabilities kept: none" in out,
                "nocaps: the log names the user and the capabilities kept (none)", out[-1500:])
    else:
        daemon.stop()

    # --- 2. CAP_NET_RAW kept ---
    daemon, base, data_dir, ok = start(d, "netraw", f"  user: {user}\n  keep_capabilities: [CAP_NET_RAW]")
    if ok:
        check_identity("netraw", daemon.proc.pid, f"{1 << 13:016x}")
        wait_for(lambda: (lambda x: x if x and x["store"]["packets_stored"] >= want_packets else None)(stats(base)), 60)
        c.equal((stats(base) or {}).get("store", {}).get("packets_stored"), want_packets, "netraw: stored every packet")
        daemon.stop()
        out = daemon.output()
        c.check("capabilities kept: CAP_NET_RAW" in out, "netraw: the log names CAP_NET_RAW", out[-1500:])
    else:
        daemon.stop()

    # --- 3. a user that does not exist: refuse to run, say what to do ---
    port = free_port()
    cfg = write_config(os.path.join(d, "nouser.yaml"),
                       config_text(os.path.join(d, "nouser"), port, f"ospriv{os.getpid()}nouser",
                                   "  user: opensoc-no-such-user"))
    try:
        r = run([opensocd, "run", "-c", cfg], timeout=60)
        out = r.stdout + r.stderr
        c.check(r.returncode != 0, "nouser: exit code non-zero", str(r.returncode))
        c.check("privileges.user 'opensoc-no-such-user' does not exist: create it (the package does) or set "
                "privileges.user: \"\" to keep running as root" in out, "nouser: the message says what to do",
                out[-1500:])
    except subprocess.TimeoutExpired:
        c.check(False, "nouser: the daemon exits instead of running")
c.finish()
