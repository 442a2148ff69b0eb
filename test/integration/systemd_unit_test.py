#!/usr/bin/env python3
"""systemd/opensocd.service (issue 7 §5): `systemd-analyze verify` is clean,
the `systemd-analyze security` exposure score stays within the measured
bound, the settings the daemon relies on are there; `opensocd preflight`
(the ExecStartPre) passes and fails with the right lines; and the real
daemon speaks sd_notify as Type=notify and WatchdogSec= expect: READY=1
once the API answers, WATCHDOG=1 while the workers run, STOPPING=1 on
SIGTERM. Works without systemd as PID 1 (verify and --offline security read
the file only).

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR."""
import os
import re
import shutil
import socket
import sys
import tempfile
import time

from harness import Checks, Daemon, args, demo_like_config, free_port, http_get, run, wait_for, write_config

# Measured with Debian 12's systemd 252: 3.5. A change that raises it must
# say why (and raise this bound).
MAX_EXPOSURE = 3.5

opensocd, root, corpus = args()
unit_src = os.path.join(root, "systemd", "opensocd.service")
c = Checks("systemd-unit")
if shutil.which("systemd-analyze") is None:
    print("systemd-analyze not installed: skipped")
    sys.exit(77)


def unit_settings(text):
    """[Service] etc. as {key: [values]} (comments and sections ignored)."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[":
            continue
        k, _, v = line.partition("=")
        out.setdefault(k.strip(), []).append(v.strip())
    return out


text = open(unit_src).read()
s = unit_settings(text)
c.equal(s.get("Type"), ["notify"], "unit: Type=notify")
c.equal(s.get("NotifyAccess"), ["main"], "unit: NotifyAccess=main")
c.equal(s.get("WatchdogSec"), ["30s"], "unit: WatchdogSec=30s")
c.equal(s.get("ExecStart"), ["/usr/sbin/opensocd run -c /etc/opensoc/opensoc.yaml"], "unit: ExecStart")
c.check("/usr/sbin/opensocd preflight -c /etc/opensoc/opensoc.yaml" in s.get("ExecStartPre", []),
        "unit: ExecStartPre runs preflight")
c.equal(s.get("ExecReload"), ["/bin/kill -HUP $MAINPID"], "unit: ExecReload sends SIGHUP")
for k, v in [("Restart", "on-failure"), ("StateDirectory", "opensoc"), ("LogsDirectory", "opensoc"),
             ("ConfigurationDirectory", "opensoc"), ("RuntimeDirectory", "opensoc"), ("LimitNOFILE", "1048576"),
             ("LimitMEMLOCK", "infinity"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
             ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("DevicePolicy", "closed"), ("UMask", "0027"),
             ("SystemCallArchitectures", "native"), ("MemoryDenyWriteExecute", "no")]:
    c.equal(s.get(k), [v], f"unit: {k}={v}")
bounding = " ".join(s.get("CapabilityBoundingSet", [])).split()
c.check("CAP_SYS_ADMIN" not in bounding and {"CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"} <= set(bounding),
        "unit: bounding set allows the switch (SETUID/SETGID/SETPCAP) but not CAP_SYS_ADMIN", str(bounding))
c.check(not s.get("User"), "unit: no User= (the daemon starts as root for DPDK and drops itself)")
families = " ".join(s.get("RestrictAddressFamilies", [])).split()
c.equal(sorted(families), sorted(["AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"]),
        "unit: RestrictAddressFamilies")

with tempfile.TemporaryDirectory(prefix="opensoc-unit-") as d:
    # verify checks that ExecStart's binary exists: point it at the built one.
    unit = os.path.join(d, "opensocd.service")
    with open(unit, "w") as f:
        f.write(text.replace("/usr/sbin/opensocd", os.path.abspath(opensocd)))
    r = run(["systemd-analyze", "verify", unit])
    out = (r.stdout + r.stderr).strip()
    c.check(r.returncode == 0 and out == "", "systemd-analyze verify: clean", out)

    r = run(["systemd-analyze", "security", "--offline=yes", "--no-pager", unit])
    m = re.search(r"Overall exposure level for opensocd\.service: ([0-9.]+)", r.stdout + r.stderr)
    score = float(m.group(1)) if m else None
    print(f"systemd-analyze security exposure: {score}")
    c.check(score is not None and score <= MAX_EXPOSURE, f"systemd-analyze security: exposure <= {MAX_EXPOSURE}",
            f"(got {score}) " + (r.stdout + r.stderr)[-3000:])

    # --- opensocd preflight: the ExecStartPre ---
    pcap = os.path.join(root, "demo", "demo.pcap")
    port = free_port()
    good = write_config(os.path.join(d, "good.yaml"),
                        demo_like_config(os.path.join(d, "data"), pcap, port, f"osunit{os.getpid()}"))
    r = run([opensocd, "preflight", "-c", good], timeout=60)
    c.equal(r.returncode, 0, "preflight: a runnable config passes (exit 0)")
    lines = r.stdout.splitlines()
    c.check("ok   hugepages: skipped: --no-huge" in lines, "preflight: hugepages skipped with --no-huge", r.stdout)
    c.check(f"ok   vdev net_pcap0: rx_pcap {pcap} readable" in lines, "preflight: the vdev's file checked", r.stdout)
    c.check(any(l.startswith("ok   data_dir: ") for l in lines), "preflight: data_dir checked", r.stdout)
    missing = os.path.join(d, "missing.pcap")
    bad = write_config(os.path.join(d, "bad.yaml"),
                       demo_like_config(os.path.join(d, "data"), missing, port, f"osunit{os.getpid()}"))
    r = run([opensocd, "preflight", "-c", bad], timeout=60)
    c.equal(r.returncode, 1, "preflight: a missing capture file fails (exit 1)")
    c.check(f"FAIL vdev net_pcap0: rx_pcap {missing} is not readable: No such file or directory" in r.stdout.splitlines(),
            "preflight: the failure names the file", r.stdout + r.stderr[-500:])

    # --- sd_notify from the real daemon ---
    sock_path = os.path.join(d, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(0.2)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="2000000")
    env.pop("WATCHDOG_PID", None)
    daemon = Daemon([opensocd, "run", "-c", good], env=env)
    base = f"http://127.0.0.1:{port}"
    messages = []  # (monotonic time, text, health status at arrival)

    def pump(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                data = sock.recv(4096).decode()
            except socket.timeout:
                continue
            messages.append((time.monotonic(), data, http_get(base + "/api/v1/health", timeout=2)[0]))

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and daemon.proc.poll() is None and \
            not any(m[1].startswith("READY=1") for m in messages):
        pump(0.5)
    ready = [m for m in messages if m[1].startswith("READY=1")]
    c.check(bool(ready), "sd_notify: READY=1 sent", daemon.output()[-1500:])
    if ready:
        c.equal(ready[0][2], 200, "sd_notify: the API answers when READY=1 arrives")
        c.check(re.search(r"^STATUS=.+", ready[0][1], re.M) is not None, "sd_notify: READY=1 carries a STATUS=",
                ready[0][1])
    before = len([m for m in messages if m[1] == "WATCHDOG=1"])
    pump(4.5)
    pings = len([m for m in messages if m[1] == "WATCHDOG=1"]) - before
    c.check(pings >= 3, "sd_notify: WATCHDOG=1 about every second with WatchdogSec=2s", f"{pings} in 4.5 s")
    rc = daemon.stop()
    pump(0.5)
    c.equal(rc, 0, "sd_notify: SIGTERM exits 0")
    c.check(any(m[1].startswith("STOPPING=1") for m in messages), "sd_notify: STOPPING=1 on SIGTERM",
            str([m[1] for m in messages][-5:]))
    sock.close()
c.finish()
