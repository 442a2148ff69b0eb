#!/usr/bin/env python3
"""The web console in a real browser (issue 6, "How it must be shown").

The real opensocd serves its compiled-in console on loopback with auth on
(a user made with `opensocd user add … --password-stdin`) while it replays
demo/demo.pcap through DPDK's net_pcap device with the demo's rules and
intel, so there are sessions, events and alerts. Once the capture is stored
and indexed (stats, then the session and alert counts holding still),
test/browser/console_test.mjs drives Debian's /usr/bin/chromium through
playwright-core at 1366×768: sign-in and the session cookie, every page
loading clean, hunt (query, query error position, facet include/exclude,
histogram zoom, back button) against the API's own answers, an opened
record's PCAP download, alert triage surviving a reload, a bulk close, the
PCAP page's estimate against a real download, and screenshots of every page
(copied to $OPENSOC_SCREENSHOTS when set). This side then checks the
downloaded PCAPs with tshark: the record's download holds the same packets
(frame times and lengths, community id) as tshark reads from the original
capture with the session's 5-tuple filter.

Fails at once, saying what to install, when /usr/bin/chromium, node or
test/browser/node_modules (`npm ci` in test/browser; scripts/setup.sh does
both) is missing: the console's tests must not pass by not running.
OPENSOC_ALLOW_BROWSER_SKIP=1 turns that into a skip (77) for a machine that
cannot have a browser.

Development aid: OPENSOC_CONSOLE_DEV=1 serves web/ from the checkout
through tools/console_dev_server.py in front of the daemon (for a binary
without the console compiled in).

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import calendar
import decimal
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Daemon, api_request, args, demo_like_config, free_port, get_path, read_pcap_file,  # noqa: E402
                     run, search_store_yaml, temp_dir, wait_for, write_config)

opensocd, root, corpus = args()
CHROMIUM = os.environ.get("OPENSOC_CHROMIUM", "/usr/bin/chromium")
BROWSER_DIR = os.path.join(root, "test", "browser")
NODE_TEST = os.path.join(BROWSER_DIR, "console_test.mjs")
PCAP = os.path.join(root, "demo", "demo.pcap")
DEMO = os.path.join(root, "demo")
USER = "browser-admin"
PASSWORD = "Br-pass-4e9c2a!t"

node = shutil.which("node")
why_skip = []
if not os.access(CHROMIUM, os.X_OK):
    why_skip.append(f"{CHROMIUM} is missing (Debian package chromium; scripts/setup.sh installs it)")
if not node:
    why_skip.append("node is not on PATH")
if not os.path.isfile(os.path.join(BROWSER_DIR, "node_modules", "playwright-core", "package.json")):
    why_skip.append("test/browser/node_modules is missing (run `npm ci` in test/browser; scripts/setup.sh does it)")
if why_skip:
    if os.environ.get("OPENSOC_ALLOW_BROWSER_SKIP") == "1":
        print("SKIP console browser test: " + "; ".join(why_skip))
        sys.exit(77)
    print("not ok - the console browser test cannot run: " + "; ".join(why_skip))
    sys.exit(1)


class Checks:
    """One line per check, in the node test's format."""

    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, ok, what, why=""):
        if ok:
            self.passed += 1
            print(f"ok - {what}", flush=True)
        else:
            self.failed += 1
            print(f"not ok - {what}: {why}", flush=True)
        return ok

    def equal(self, got, want, what):
        return self.check(got == want, what, f"got {got!r}, want {want!r}")


c = Checks()


def config_text(data, port, prefix):
    return demo_like_config(data, PCAP, port, prefix) + search_store_yaml() + f"""
enrichment:
  assets: {json.dumps(os.path.join(DEMO, "assets.csv"))}
  internal_networks: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 145.254.160.0/24]
intel:
  files: [{json.dumps(os.path.join(DEMO, "intel.csv"))}]
rules:
  files: [{json.dumps(os.path.join(DEMO, "demo.rules"))}]
auth:
  enabled: true
privileges:
  user: ""
"""


def tshark_fields(path, display_filter=None, fields=("frame.time_epoch", "frame.len")):
    cmd = ["tshark", "-n", "-r", path, "--enable-protocol", "communityid", "-T", "fields", "-E", "separator=/t"]
    if display_filter:
        cmd += ["-Y", display_filter]
    for f in fields:
        cmd += ["-e", f]
    r = run(cmd, timeout=60)
    if r.returncode != 0:
        return None
    return [line.split("\t") for line in r.stdout.splitlines()]


def rfc3339_epoch(s):
    """'2023-08-23T21:20:48.335892000Z' -> Decimal seconds."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", s or "")
    if not m:
        return None
    secs = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    return decimal.Decimal(secs) + decimal.Decimal("0." + (m.group(2) or "0"))


def check_session_pcap(out):
    """The record's download against tshark over the original capture."""
    try:
        with open(os.path.join(out, "session.json")) as f:
            rec = json.load(f)
    except (OSError, ValueError) as e:
        c.check(False, "the browser saved an opened record's pcap (session.json)", str(e))
        return
    got_file = os.path.join(out, "session.pcap")
    try:
        records = read_pcap_file(got_file)[1]
    except (OSError, ValueError) as e:
        c.check(False, "the downloaded session pcap is a whole pcap file", str(e))
        return
    c.check(True, f"the downloaded session pcap is a whole pcap file ({len(records)} packets)")
    a, b = rec["source"], rec["destination"]
    fam = "ipv6" if ":" in str(a["ip"]) else "ip"
    tr = rec.get("transport") or "tcp"
    flt = f"{fam}.addr=={a['ip']} && {fam}.addr=={b['ip']}"
    if tr in ("tcp", "udp") and a.get("port") is not None:
        flt += f" && {tr}.port=={a['port']} && {tr}.port=={b['port']}"
    flt += " && !icmp && !icmpv6"
    want = tshark_fields(PCAP, flt, ("frame.time_epoch", "frame.len", "communityid"))
    got = tshark_fields(got_file, None, ("frame.time_epoch", "frame.len", "communityid"))
    if not c.check(want is not None and got is not None, "tshark reads the original capture and the download", flt):
        return
    lo, hi = rfc3339_epoch(rec.get("start")), rfc3339_epoch(rec.get("end"))
    if lo is not None and hi is not None:   # the 5-tuple within the session's own time span
        want = [w for w in want if lo <= decimal.Decimal(w[0]) <= hi]
    c.equal(len(got), len(want), f"session pcap: packet count equals tshark's on demo.pcap with \"{flt}\" "
                                 f"in [{rec.get('start')}, {rec.get('end')}]")
    c.equal([(g[0], g[1]) for g in got], [(w[0], w[1]) for w in want],
            "session pcap: the same frames (frame times and lengths) as tshark's 5-tuple selection")
    cids = sorted({g[2] for g in got})
    c.equal(cids, [rec["community_id"]], "session pcap: every packet's community id (tshark) is the record's")
    if rec.get("packets") is not None:
        c.equal(len(got), rec["packets"], "session pcap: as many packets as the record's network.packets")


def check_slice_pcap(out):
    try:
        with open(os.path.join(out, "slice.json")) as f:
            sl = json.load(f)
    except (OSError, ValueError) as e:
        c.check(False, "the browser saved the pcap page's slice (slice.json)", str(e))
        return
    path = os.path.join(out, "slice.pcap")
    frames = tshark_fields(path)
    if not c.check(frames is not None, "tshark reads the pcap page's slice"):
        return
    est = sl.get("estimate") or {}
    c.equal((len(frames), os.path.getsize(path)), (est.get("packets"), est.get("bytes")),
            "pcap page: tshark's packet count and the file size of the download equal the estimate")
    m = re.search(r"[?&]host=([^&]+)", sl.get("href", ""))
    if m:
        host = urllib.parse.unquote(m.group(1))
        fam = "ipv6" if ":" in host else "ip"
        sel = tshark_fields(path, f"{fam}.addr=={host}")
        c.equal(len(sel or []), len(frames), f"pcap page: every packet of the slice has host {host} (tshark)")


def main():
    with temp_dir("opensoc-browser-") as d:
        data = os.path.join(d, "data")
        out = os.path.join(d, "out")
        port = free_port()
        cfg = os.path.join(d, "run.yaml")
        write_config(cfg, config_text(data, port, f"browser{os.getpid()}"))
        r = run([opensocd, "check-config", "-c", cfg])
        if not c.check(r.returncode == 0, "opensocd check-config accepts the config", (r.stdout + r.stderr)[-800:]):
            return
        r = run([opensocd, "user", "add", USER, "--role", "admin", "--password-stdin", "-c", cfg],
                input=PASSWORD + "\n", timeout=60)
        c.check(r.returncode == 0, f"opensocd user add {USER} --role admin --password-stdin", r.stderr[-400:])
        r = run([opensocd, "user", "token", "add", USER, "--label", "browser-test", "-c", cfg], timeout=60)
        token = r.stdout.strip()
        c.check(r.returncode == 0 and token, "opensocd user token add (for this script's API calls)", r.stderr[-300:])
        bearer = {"Authorization": "Bearer " + token}

        daemon = Daemon([opensocd, "run", "-c", cfg])
        base = f"http://127.0.0.1:{port}"
        dev = None
        try:
            def get(path):
                req = urllib.request.Request(base + path, headers=bearer)
                try:
                    with urllib.request.urlopen(req, timeout=10) as resp:
                        return resp.status, json.loads(resp.read() or b"null")
                except Exception:  # noqa: BLE001 - not up yet, or an error answer
                    return None, None

            up = wait_for(lambda: get("/api/v1/health")[0] == 200 or daemon.proc.poll() is not None, 30)
            if not c.check(up and daemon.proc.poll() is None, "opensocd run starts with auth on",
                           daemon.output()[-3000:]):
                return
            n_packets = len(read_pcap_file(PCAP)[1])
            wait_for(lambda: get_path(get("/api/v1/stats")[1], "capture.packets", 0) >= n_packets, 30)
            c.equal(get_path(get("/api/v1/stats")[1], "capture.packets"), n_packets, "the whole capture was replayed")
            # Sessions reach the index when their flows end, alerts with them:
            # wait until the counts hold still.
            last = [None, time.monotonic()]

            def steady():
                counts = (get_path(get("/api/v1/sessions?limit=0")[1], "total"),
                          get_path(get("/api/v1/events?limit=0")[1], "total"),
                          get_path(get("/api/v1/alerts?limit=1")[1], "total"))
                if counts != last[0]:
                    last[0], last[1] = counts, time.monotonic()
                return all(counts) and time.monotonic() - last[1] > 2.0
            c.check(wait_for(steady, 30, interval=0.25), "sessions, events and alerts are indexed and steady",
                    f"(sessions, events, alerts) = {last[0]}")
            print(f"# (sessions, events, alerts) = {last[0]}", flush=True)

            url = base
            if os.environ.get("OPENSOC_CONSOLE_DEV"):
                dport = free_port()
                dev = subprocess.Popen([sys.executable, os.path.join(root, "tools", "console_dev_server.py"),
                                        "--listen", f"127.0.0.1:{dport}", "--daemon", f"127.0.0.1:{port}"])
                url = f"http://127.0.0.1:{dport}"
                wait_for(lambda: api_request("GET", url + "/console/")[0] == 200, 10)
                print(f"# OPENSOC_CONSOLE_DEV: console/ from the checkout through {url}", flush=True)
            try:
                with urllib.request.urlopen(url + "/console/", timeout=10) as resp:
                    status, page = resp.status, resp.read().decode(errors="replace")
            except Exception as e:  # noqa: BLE001
                status, page = getattr(e, "code", None), ""
            if not c.check(status == 200 and "/console/assets/app.js" in page,
                           "the daemon serves the console at /console/", f"status {status}"):
                return

            env = dict(os.environ, OPENSOC_TEST_PASSWORD=PASSWORD)
            t0 = time.monotonic()
            proc = subprocess.Popen([node, NODE_TEST, "--base", url, "--user", USER, "--out", out,
                                     "--chromium", CHROMIUM], cwd=BROWSER_DIR, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            node_failed = 0
            try:
                for line in proc.stdout:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                    if line.startswith("not ok"):
                        node_failed += 1
                rc = proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                rc = None
            c.check(rc == 0 and node_failed == 0, f"the browser test passes ({time.monotonic() - t0:.1f} s)",
                    f"exit {rc}, {node_failed} browser checks failed")
            check_session_pcap(out)
            check_slice_pcap(out)
        finally:
            if dev:
                dev.terminate()
                dev.wait()
            c.check(daemon.stop() == 0, "opensocd stops cleanly on SIGTERM", daemon.output()[-2000:])


main()
print(f"# console-browser: {c.passed} checks passed, {c.failed} failed")
sys.exit(1 if c.failed else 0)
