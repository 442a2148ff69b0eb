#!/usr/bin/env python3
"""Syslog and JSON-lines receivers end to end, through the real daemon and
with real senders (issue 8). `opensocd run` replays a capture through DPDK's
net_pcap device (demo/demo.pcap's two 8.8.4.4 sessions, moved to the last
day, so their packet sessions are in the store) and listens on syslog
UDP/TCP/TLS and JSON-lines TCP; then:

1. logger (util-linux) sends RFC 5424 and RFC 3164 over UDP and TCP
   (newline and octet-counted framing, structured data, tag, pid, priority,
   a message longer than the listener's max_message_bytes): GET /api/v1/logs
   finds each with exactly the fields logger sent (`logger --stderr` prints
   the message it sends: the oracle for times and host name; tcpdump on lo
   gives each message's source port);
2. two private rsyslogd forward a file of 500 lines (text, CEF, LEEF,
   key=value and a config grok-pattern line) over TCP and over TLS (gtls,
   x509/certvalid, client certificate: the listener requires one signed by
   the test's CA, and refuses openssl s_client without one): every line is
   found once with its fields; rsyslog's own omfile copy of what it sent is
   the oracle; `opensocd search --logs` prints the same records;
3. this project's own EVE output for a corpus capture (`opensocd ingest
   --eve-out`) sent by ncat over TCP: the same records per event_type, with
   their endpoints, times and protocol fields; POST /api/v1/ingest with good
   and bad lines (accepted, rejected, the bad line numbers);
4. a garbage datagram, truncated RFC 5424 headers and a frame without an
   octet count: raw events (tags:_parse_failure, parser:raw) counted as
   parser failures, a framing error counted;
5. detection: a CEF firewall line (sent by logger) naming 8.8.4.4 after
   POST /api/v1/intel lists it raises one intel alert whose links lead to
   the capture's 8.8.4.4 sessions, the log, and the session's packets
   (tshark is the oracle for the frames);
6. a second daemon with a 256-message queue: a UDP flood is fully accounted
   (messages + dropped_queue + dropped_socket == sent, /metrics agrees), and
   a TCP sender (ncat) into the same queue is slowed (paused), never dropped.

Needs root (tcpdump on lo), logger, rsyslogd with rsyslog-gnutls, ncat,
openssl, tshark.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import collections
import ipaddress
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Checks, Daemon, api_request, args, demo_like_config, free_port, get_path, http_get,  # noqa: E402
                     idle_capture_yaml, read_pcap, read_pcap_file, run, search_store_yaml, stats, temp_dir,
                     wait_for, write_config)

opensocd, root, corpus = args()
c = Checks("telemetry-syslog")
PCAP = os.path.join(root, "demo", "demo.pcap")
DATA = os.path.join(root, "test", "data", "telemetry", "syslog")
EVE_CAPTURE = os.path.join(corpus, "suricata-verify", "tests", "ethernet-eve", "test.pcap")
NS = 1_000_000_000
SSHD_PATTERN = ("%{WORD:event.outcome} password for %{USERNAME:user.name} from %{IP:source.ip} "
                "port %{INT:source.port:int}")
FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
              "ftp", "ntp", "security", "console", "solaris-cron"] + [f"local{i}" for i in range(8)]
# syslog(3)'s keywords, as rsyslog and logger name them.
SEVERITIES = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
RSYSLOG_LINES = 500
MAX_UDP_MESSAGE = 2048  # the syslog-udp listener's max_message_bytes
FLOOD_UDP = 200_000
FLOOD_TCP = 100_000
# What each scenario sent the main daemon, by the parser that must accept it
# (and, under "failed:<chain>", what the listener's chain must refuse): the
# oracle for stats receivers.parsers.
SENT = collections.Counter()


# ------------------------------------------------------------- capture ---

def build_capture(path):
    """demo/demo.pcap's two 8.8.4.4 sessions (frames 35-46: DNS over TCP from
    10.16.1.11 port 38195, and a UDP query 20 h later) moved to the last day,
    then its next DNS exchange (frames 47-48) 5 minutes ago so the UDP session
    times out in packet time. Recent, because the daemon files a log line
    more than 30 days old under its receive time, and a log's links cover
    its own time. Returns the frames' new times (ns), frame 1 first."""
    _, recs = read_pcap_file(PCAP)
    now = time.time_ns()
    sessions, later = recs[34:46], recs[46:48]
    shift = (now - 21 * 3600 * NS) - sessions[0][0]
    shift2 = (now - 300 * NS) - later[0][0]
    out = [(ts + shift, cl, wl, fr) for ts, cl, wl, fr in sessions] + \
          [(ts + shift2, cl, wl, fr) for ts, cl, wl, fr in later]
    with open(path, "wb") as f:  # classic microsecond pcap, as net_pcap and tshark read it
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for ts, cl, wl, fr in out:
            f.write(struct.pack("<IIII", ts // NS, ts % NS // 1000, cl, wl) + fr)
    return [ts // 1000 * 1000 for ts, _, _, _ in out]


# ------------------------------------------------------------- helpers ---

def field(rec, name, default=None):
    """The value of ECS field `name` in a record, whether the renderer nests
    it ({"source": {"ip": ..}}) or keeps dotted keys ("cef.extensions.x")."""
    if not isinstance(rec, dict):
        return default
    if name in rec:
        return rec[name]
    parts = name.split(".")
    for i in range(1, len(parts)):
        head = ".".join(parts[:i])
        if head in rec and isinstance(rec[head], dict):
            v = field(rec[head], ".".join(parts[i:]), None)
            if v is not None:
                return v
    return default


def rfc3339_ns(text):
    """ns since the epoch of an RFC 3339 / EVE time ("...+00:00", "Z", "+0000")."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$", text or "")
    if not m:
        return None
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    ns = int(base.timestamp()) * NS + int(((m.group(2) or "") + "000000000")[:9])
    if m.group(3) != "Z":
        z = m.group(3).replace(":", "")
        ns -= (1 if z[0] == "+" else -1) * (int(z[1:3]) * 3600 + int(z[3:5]) * 60) * NS
    return ns


def bsd_time_ns(text, now_s):
    """An RFC 3164 time ("Nov 28 17:34:51", UTC) in the year nearest now."""
    best = None
    year = datetime.fromtimestamp(now_s, timezone.utc).year
    for y in (year - 1, year, year + 1):
        t = datetime.strptime(f"{y} {text}", "%Y %b %d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
        if best is None or abs(t - now_s) < abs(best - now_s):
            best = t
    return int(best) * NS


def search(base, q, kind="logs", limit=1000, **params):
    """(status, body) of GET /api/v1/<kind>?q=..."""
    query = urllib.parse.urlencode(dict({"q": q, "limit": limit}, **params))
    st, body = api_request("GET", f"{base}/api/v1/{kind}?{query}", timeout=30)
    return st, body or {}


def records(base, q, kind="logs", limit=1000):
    return search(base, q, kind, limit)[1].get("records", [])


def total(base, q, kind="logs"):
    st, body = search(base, q, kind, limit=1, facets="event.dataset")
    return body.get("total") if st == 200 else None


def wait_total(base, q, want, timeout, kind="logs"):
    """Waits (up to `timeout` s) until q's total is `want`; returns the last total."""
    got = wait_for(lambda: (lambda n: n if n == want else None)(total(base, q, kind)), timeout, interval=0.3)
    return got if got is not None else total(base, q, kind)


def receivers(base):
    return (stats(base) or {}).get("receivers") or {}


def listener_stats(base, name):
    for entry in receivers(base).get("listeners", []):
        if entry.get("name") == name:
            return entry
    return {}


def check_fields(rec, want, what):
    """One check per expected field: its exact value and JSON type."""
    for name, value in want.items():
        got = field(rec, name)
        c.check(got == value and type(got) is type(value), f"{what}: {name}", f"(got {got!r}, want {value!r})")


def as_list(v):
    return v if isinstance(v, list) else [] if v is None else [v]


def ip_text(ip):
    return str(ipaddress.ip_address(ip)) if ip else ip


# --------------------------------------------------------------- config ---

def receivers_yaml(ports, certs, queue=65536, udp_buffer=8 << 20, loss=False):
    if loss:
        return f"""
receivers:
  queue_messages: {queue}
  api_ingest: true
  listeners:
    - {{name: flood-udp, protocol: syslog, transport: udp, listen: "127.0.0.1:{ports['flood-udp']}",
       socket_buffer_bytes: {udp_buffer}}}
    - {{name: flood-tcp, protocol: syslog, transport: tcp, listen: "127.0.0.1:{ports['flood-tcp']}",
       framing: newline}}
"""
    return f"""
receivers:
  queue_messages: {queue}
  api_ingest: true
  patterns:
    sshd: '{SSHD_PATTERN}'
  pattern_order: [sshd]
  listeners:
    - {{name: syslog-udp, protocol: syslog, transport: udp, listen: "127.0.0.1:{ports['syslog-udp']}",
       max_message_bytes: {MAX_UDP_MESSAGE}}}
    - {{name: syslog-tcp, protocol: syslog, transport: tcp, listen: "127.0.0.1:{ports['syslog-tcp']}", framing: auto}}
    - {{name: strict-5424, protocol: syslog, transport: udp, listen: "127.0.0.1:{ports['strict-5424']}",
       parsers: [rfc5424]}}
    - {{name: rsyslog-tcp, protocol: syslog, transport: tcp, listen: "127.0.0.1:{ports['rsyslog-tcp']}",
       framing: octet-counting}}
    - name: rsyslog-tls
      protocol: syslog
      transport: tls
      listen: "127.0.0.1:{ports['rsyslog-tls']}"
      framing: octet-counting
      tls: {{certificate: "{certs['server']}", key: "{certs['server_key']}", client_ca: "{certs['ca']}"}}
    - {{name: json-tcp, protocol: json, transport: tcp, listen: "127.0.0.1:{ports['json-tcp']}", framing: newline,
       parsers: [json]}}
"""


def start_daemon(cfg, base, n_packets=None):
    daemon = Daemon([opensocd, "run", "-c", cfg])
    up = wait_for(lambda: http_get(base + "/api/v1/health")[0] == 200 or daemon.proc.poll() is not None, 30)
    if not c.check(up and daemon.proc.poll() is None, "opensocd run starts and serves the API", daemon.output()[-3000:]):
        daemon.stop()
        return None
    if n_packets:
        wait_for(lambda: (lambda s: s and s["capture"]["packets"] >= n_packets)(stats(base)), 30)
    return daemon


def stop_daemon(daemon, what):
    """SIGTERM; the daemon's log tail is printed when a check failed."""
    c.equal(daemon.stop(), 0, f"{what}: SIGTERM exits 0")
    if c.failed:
        print("     daemon log tail:\n" + "\n".join("     | " + x for x in daemon.output()[-3000:].splitlines()))


def bound_ports(base):
    """listener name -> the port it bound (config port 0: ephemeral)."""
    return {x.get("name"): x.get("port") for x in receivers(base).get("listeners", [])}


def make_certs(d):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, all
    made by openssl here."""
    p = {k: os.path.join(d, f) for k, f in (("ca", "ca.pem"), ("ca_key", "ca-key.pem"), ("server", "server.pem"),
                                              ("server_key", "server-key.pem"), ("client", "client.pem"),
                                              ("client_key", "client-key.pem"))}
    ok = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p["ca_key"], "-out", p["ca"],
              "-days", "2", "-subj", "/CN=opensoc test CA"]).returncode == 0
    ext = os.path.join(d, "san.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for who, cn, extra in (("server", "127.0.0.1", ["-extfile", ext]), ("client", "rsyslog-client", [])):
        csr = os.path.join(d, who + ".csr")
        ok &= run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", p[who + "_key"], "-out", csr,
                   "-subj", "/CN=" + cn]).returncode == 0
        ok &= run(["openssl", "x509", "-req", "-in", csr, "-CA", p["ca"], "-CAkey", p["ca_key"], "-CAcreateserial",
                   "-out", p[who], "-days", "2"] + extra).returncode == 0
    c.check(ok, "openssl made a CA, a server and a client certificate")
    return p


class Sniffer:
    """tcpdump on lo for some ports: the source port of each message sent."""

    def __init__(self, path, ports):
        self.path = path
        filt = " or ".join(f"dst port {p}" for p in ports)
        self.proc = subprocess.Popen(["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-s", "0", "-w", path,
                                      filt], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()  # "listening on lo, ..." once it captures
        self.ok = "listening" in line

    def stop(self):
        time.sleep(0.3)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def payloads(self):
        """[(source port, payload bytes)] of the UDP/TCP IPv4 packets seen."""
        out = []
        try:
            _, recs = read_pcap_file(self.path)
        except (OSError, ValueError):
            return out
        for _, _, _, frame in recs:
            if len(frame) < 34 or frame[12:14] != b"\x08\x00":
                continue
            ip = frame[14:]
            ihl = (ip[0] & 15) * 4
            proto = ip[9]
            l4 = ip[ihl:int.from_bytes(ip[2:4], "big")]
            if proto == 17 and len(l4) >= 8:
                out.append((int.from_bytes(l4[0:2], "big"), bytes(l4[8:])))
            elif proto == 6 and len(l4) >= 20:
                out.append((int.from_bytes(l4[0:2], "big"), bytes(l4[(l4[12] >> 4) * 4:])))
        return out


# ------------------------------------------------------ 1. logger (util-linux) ---

def logger_messages(ports):
    """[(what, logger argv after the server options, search token, expected fields, format, message)]."""
    u, t = ports["syslog-udp"], ports["syslog-tcp"]
    sd = ["--sd-id", "zoo@32473", "--sd-param", 'tiger="hungry"', "--sd-param", r'lion="say \"roar\" [x\]"']
    out = []

    def add(what, transport_args, port, fmt, tag, pid, prio, token, extra=(), msgid=None):
        text = f"e2e logger {token} says hello"
        argv = ["--server", "127.0.0.1", "--port", str(port)] + transport_args + [
            "--rfc5424" if fmt == "5424" else "--rfc3164", "--tag", tag, "--priority", prio] + list(extra)
        if pid is not None:
            argv.append(f"--id={pid}")
        if msgid:
            argv += ["--msgid", msgid]
        fac, sev = prio.split(".")
        want = {"process.name": tag, "log.syslog.facility.name": fac, "log.syslog.facility.code": FACILITIES.index(fac),
                "log.syslog.severity.code": SEVERITIES.index(sev), "log.syslog.severity.name": sev,
                "message": text, "event.dataset": "syslog",
                "input.type": "udp" if "--udp" in transport_args else "tcp",
                "labels.listener": "syslog-udp" if port == u else "syslog-tcp"}
        if pid is not None:
            want["process.pid"] = pid
        if msgid:
            want["log.syslog.msgid"] = msgid
        out.append((what, argv, token, want, fmt, text))

    add("UDP RFC 5424 with structured data", ["--udp"], u, "5424", "e2etag", 4242, "local3.warning", "tokudpfivea",
        extra=sd, msgid="ID47")
    out[-1][3].update({"log.syslog.structured_data.zoo@32473.tiger": "hungry",
                       "log.syslog.structured_data.zoo@32473.lion": 'say "roar" [x]',
                       "log.syslog.structured_data.timeQuality.tzKnown": "1",
                       "log.syslog.version": "1"})  # ECS: keyword
    add("UDP RFC 3164", ["--udp"], u, "3164", "oldtag", 77, "auth.err", "tokudpbsdb")
    add("TCP RFC 5424, newline framing", ["--tcp"], t, "5424", "tcptag", 5, "local3.warning", "toktcpnlc")
    add("TCP RFC 5424, octet counting", ["--tcp", "--octet-count"], t, "5424", "octtag", 31337, "local3.warning",
        "toktcpoctd", extra=sd[:4])
    out[-1][3]["log.syslog.structured_data.zoo@32473.tiger"] = "hungry"
    add("TCP RFC 3164, newline framing", ["--tcp"], t, "3164", "bsdtcp", 12, "user.notice", "toktcpbsde")
    add("UDP RFC 5424 without time or host", ["--udp"], u, "5424", "notime", None, "local3.info", "toknotimef")
    out[-1][1][out[-1][1].index("--rfc5424")] = "--rfc5424=notq,notime,nohost"
    return out


def logger_scenario(base, d, ports):
    msgs = logger_messages(ports)
    sniffer = Sniffer(os.path.join(d, "logger.pcap"), [ports["syslog-udp"], ports["syslog-tcp"]])
    env = dict(os.environ, TZ="UTC")
    sent = {}
    for what, argv, token, want, fmt, text in msgs:
        t0 = time.time()
        r = run(["logger", "--stderr"] + argv + [text], env=env)
        line = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
        line = re.sub(r"^\d+ (?=<)", "", line)  # --stderr prints the octet count too
        c.check(r.returncode == 0 and token in line, f"logger {what}: sent", f"rc {r.returncode} {r.stderr!r}")
        sent[token] = (line, t0)
        SENT["rfc" + fmt] += 1
    sniffer.stop()
    wire = sniffer.payloads()
    c.check(sniffer.ok and len(wire) >= len(msgs), "tcpdump on lo saw logger's messages", f"{len(wire)} packets")

    for what, argv, token, want, fmt, text in msgs:
        line, t0 = sent[token]
        recs = wait_for(lambda: records(base, token) or None, 10) or []
        if not c.equal(len(recs), 1, f"logger {what}: GET /api/v1/logs?q={token} finds it once"):
            continue
        rec = recs[0]
        exp = dict(want)
        # The message's own time, as logger printed it; RFC 3164 has no year or zone (sent as UTC).
        # The host name too: logger's, as it sent it ("-" in 5424 is none).
        if fmt == "5424":
            p = line.split(" ")
            ts, host = (p[1], p[2]) if len(p) > 2 else ("-", "-")
            own = rfc3339_ns(ts) if ts != "-" else None
        else:
            m = re.match(r"^<\d+>(\w{3} [ \d]\d \d\d:\d\d:\d\d) (\S+) ", line)
            ts, host = (m.group(1), m.group(2)) if m else ("?", "?")
            own = bsd_time_ns(ts, t0) if m else None
        exp["host.hostname"] = None if host == "-" else host
        created = rfc3339_ns(field(rec, "event.created"))
        c.check(created is not None and abs(created - t0 * NS) < 10 * NS,
                f"logger {what}: event.created is the receive time", f"{field(rec, 'event.created')} vs {t0}")
        if own is not None:
            c.equal(rfc3339_ns(field(rec, "@timestamp")), own, f"logger {what}: @timestamp is the message's time ({ts})")
        else:
            c.equal(field(rec, "@timestamp"), field(rec, "event.created"),
                    f"logger {what}: no time in the message: @timestamp is event.created")
        check_fields(rec, exp, f"logger {what}")
        c.equal(field(rec, "event.original"), line, f"logger {what}: event.original is what logger sent")
        ports_seen = {sp for sp, payload in wire if token.encode() in payload}
        addr = field(rec, "log.source.address") or ""
        c.check(len(ports_seen) == 1 and addr == f"127.0.0.1:{next(iter(ports_seen))}",
                f"logger {what}: log.source.address is logger's address and port (tcpdump)", f"{addr} vs {ports_seen}")
        c.check("_parse_failure" not in as_list(field(rec, "tags")), f"logger {what}: not a parse failure")
    # Several frames on one connection: logger -f sends a file's lines.
    lines_file = os.path.join(d, "three.txt")
    with open(lines_file, "w") as f:
        f.write("".join(f"tokmulti{i} line of a file\n" for i in range(3)))
    for framing in (["--octet-count"], []):
        tag = "multioct" if framing else "multinl"
        r = run(["logger", "--server", "127.0.0.1", "--port", str(ports["syslog-tcp"]), "--tcp", "--rfc5424",
                 "--tag", tag, "-f", lines_file] + framing)
        SENT["rfc5424"] += 3
        got = wait_for(lambda: (lambda recs: recs if len(recs) == 3 else None)(records(base, f"process.name:{tag}")), 10) or []
        c.equal(sorted(field(x, "message") for x in got), [f"tokmulti{i} line of a file" for i in range(3)],
                f"logger -f over TCP {'octet-counted' if framing else 'newline'}: the file's 3 lines are 3 records")


# ----------------------------------------------------- 2. rsyslog forwarding ---

def rsyslog_line(i):
    """Line i of the file rsyslog forwards, and the fields it must have."""
    kind = i % 5
    a, b = i // 200, i % 200 + 1
    if kind == 0:
        line = f"plain text line {i:04d} of the forwarded file"
        return line, {"message": line, "event.dataset": "syslog"}
    if kind == 1:
        line = (f"CEF:0|Acme|Firewall|2.1|{100 + i}|Blocked connection {i:04d}|7|src=10.20.{a}.{b} spt={10000 + i} "
                f"dst=192.0.2.{b} dpt=443 proto=TCP acmeRuleSet=rs{i:04d}")
        return line, {"event.dataset": "cef", "observer.vendor": "Acme", "observer.product": "Firewall",
                      "observer.version": "2.1", "event.code": str(100 + i), "event.severity": 7,
                      "message": f"Blocked connection {i:04d}", "source.ip": f"10.20.{a}.{b}",
                      "source.port": 10000 + i, "destination.ip": f"192.0.2.{b}", "destination.port": 443,
                      "cef.extensions.acmeRuleSet": f"rs{i:04d}"}
    if kind == 2:
        line = (f"devname=fw01 action=deny srcip=10.30.{a}.{b} srcport={20000 + i} dstip=198.51.100.{b} "
                f"dstport=22 policyref=pol{i:04d}")
        return line, {"event.action": "deny", "observer.hostname": "fw01", "source.ip": f"10.30.{a}.{b}",
                      "source.port": 20000 + i, "destination.ip": f"198.51.100.{b}", "destination.port": 22,
                      "kv.policyref": f"pol{i:04d}"}
    if kind == 3:
        line = f"Failed password for user{i:04d} from 10.40.{a}.{b} port {30000 + i} ssh2"
        return line, {"event.outcome": "Failed", "user.name": f"user{i:04d}", "source.ip": f"10.40.{a}.{b}",
                      "source.port": 30000 + i}
    line = (f"LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.50.{a}.{b}^dst=203.0.113.{b}^srcPort={40000 + i}"
            f"^dstPort=8080^acmeTag=lt{i:04d}")
    return line, {"event.dataset": "leef", "observer.vendor": "Lancope", "observer.product": "StealthWatch",
                  "observer.version": "1.0", "event.code": "41", "source.ip": f"10.50.{a}.{b}",
                  "destination.ip": f"203.0.113.{b}", "source.port": 40000 + i, "destination.port": 8080,
                  "leef.acmeTag": f"lt{i:04d}"}


def start_rsyslog(d, name, port, certs, tls, facility, severity):
    """A private rsyslogd forwarding <d>/<name>.log; returns (proc, sent-file path)."""
    work = os.path.join(d, name + "-work")
    os.makedirs(work, exist_ok=True)
    paths = {"INPUT": os.path.join(d, name + ".log"), "SENT": os.path.join(d, name + "-sent.log"),
             "WORKDIR": work, "CA": certs["ca"], "CERT": certs["client"], "KEY": certs["client_key"],
             "TAG": name, "FACILITY": facility, "SEVERITY": severity, "PORT": str(port),
             "DRIVER": 'StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/certvalid"' if tls else ""}
    with open(os.path.join(DATA, "rsyslog-forward.conf.in")) as f:
        conf = f.read()
    for k, v in paths.items():
        conf = conf.replace("@" + k + "@", v)
    conf_path = os.path.join(d, name + ".conf")
    write_config(conf_path, conf)
    with open(paths["INPUT"], "w") as f:
        for i in range(RSYSLOG_LINES):
            f.write(rsyslog_line(i)[0] + "\n")
            SENT[("rfc5424", "cef", "kv", "pattern:sshd", "leef")[i % 5]] += 1
    log = open(os.path.join(d, name + ".out"), "w")
    proc = subprocess.Popen(["rsyslogd", "-n", "-f", conf_path, "-i", os.path.join(d, name + ".pid")],
                            stdout=log, stderr=subprocess.STDOUT)
    return proc, paths["SENT"]


def stop_rsyslog(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def parse_sent(path):
    """rsyslog's copy of its messages: {MSG: (whole message, time ns, host, app)}."""
    out = {}
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for line in lines:
        p = line.split(" ", 7)
        if len(p) == 8:
            out[p[7]] = (line, rfc3339_ns(p[1]), p[2], p[3])
    return out


def rsyslog_check(base, d, name, listener, sent_path, facility, severity, transport):
    q = f"labels.listener:{listener}"
    n = wait_total(base, q, RSYSLOG_LINES, 40)
    sent = parse_sent(sent_path)
    c.equal(len(sent), RSYSLOG_LINES, f"{name}: rsyslog's omfile copy holds every line it forwarded")
    c.equal(n, RSYSLOG_LINES, f"{name}: search finds exactly {RSYSLOG_LINES} records of listener {listener}")
    recs = records(base, q, limit=RSYSLOG_LINES + 10)
    by_msg = collections.defaultdict(list)
    for r in recs:
        by_msg[(field(r, "event.original") or "").rstrip("\r\n").split(" ", 7)[-1]].append(r)
    bad = collections.Counter()
    examples = {}
    for i in range(RSYSLOG_LINES):
        line, want = rsyslog_line(i)
        got = by_msg.get(line, [])
        if len(got) != 1:
            bad["found once"] += 1
            examples.setdefault("found once", (line, len(got)))
            continue
        r = got[0]
        whole, ts, host, app = sent.get(line, (None, None, None, None))
        want = dict(want, **{"process.name": app, "host.hostname": host, "log.syslog.facility.name": facility,
                             "log.syslog.severity.name": severity, "input.type": transport,
                             "labels.listener": listener})
        for k, v in want.items():
            if field(r, k) != v:
                bad[k] += 1
                examples.setdefault(k, (line, field(r, k), v))
        if whole is None or (field(r, "event.original") or "").rstrip("\r\n") != whole:
            bad["event.original"] += 1
            examples.setdefault("event.original", (line, field(r, "event.original"), whole))
        if ts is None or rfc3339_ns(field(r, "@timestamp")) != ts:
            bad["@timestamp"] += 1
            examples.setdefault("@timestamp", (line, field(r, "@timestamp"), ts))
        if not re.match(r"^127\.0\.0\.1:\d+$", field(r, "log.source.address") or ""):
            bad["log.source.address"] += 1
            examples.setdefault("log.source.address", (line, field(r, "log.source.address")))
        if field(r, "tags") is not None:
            bad["tags"] += 1
            examples.setdefault("tags", (line, field(r, "tags")))
    listed = ["found once", "message", "event.dataset", "process.name", "host.hostname", "@timestamp",
              "event.original", "log.syslog.facility.name", "log.syslog.severity.name", "input.type",
              "labels.listener", "source.ip", "source.port", "destination.ip", "destination.port",
              "observer.vendor", "event.code", "event.severity", "cef.extensions.acmeRuleSet", "kv.policyref",
              "event.action", "observer.hostname", "user.name", "event.outcome", "leef.acmeTag",
              "log.source.address", "tags"]
    for k in listed + sorted(set(bad) - set(listed)):
        c.check(bad[k] == 0, f"{name}: every line's {k} is right", f"{bad[k]} wrong, e.g. {examples.get(k)}")
    st = listener_stats(base, listener)
    c.equal((st.get("messages"), st.get("framing_errors"), st.get("connections_open")), (RSYSLOG_LINES, 0, 1),
            f"{name}: stats of listener {listener}: {RSYSLOG_LINES} messages, no framing error, one connection open")
    return st


# --------------------------------------------------------- 3. JSON lines ---

def eve_key(ev):
    src, dst = ev.get("src_ip"), ev.get("dest_ip")
    return (ev.get("event_type"), ip_text(src), ev.get("src_port"), ip_text(dst), ev.get("dest_port"),
            rfc3339_ns(ev.get("timestamp")))


def log_key(r):
    """As eve_key; the message's own time is @timestamp, or labels.original_timestamp
    when it was too old for @timestamp (see out_of_range_ok)."""
    ds = field(r, "event.dataset") or ""
    own = field(r, "labels.original_timestamp") or field(r, "@timestamp")
    return (ds.split(".", 1)[1] if ds.startswith("suricata.") else ds, ip_text(field(r, "source.ip")),
            field(r, "source.port"), ip_text(field(r, "destination.ip")), field(r, "destination.port"),
            rfc3339_ns(own))


def out_of_range_ok(r):
    """The daemon files a record whose own time is over 30 days before (or a
    day after) its arrival under the arrival time, keeping its own in
    labels.original_timestamp and tagging it: a replayed 2015 log would
    otherwise open a search shard of its own."""
    own = field(r, "labels.original_timestamp")
    created = rfc3339_ns(field(r, "event.created"))
    if own is None:
        t = rfc3339_ns(field(r, "@timestamp"))
        return t is not None and created - 30 * 86400 * NS <= t <= created + 86400 * NS
    return ("_timestamp_out_of_range" in as_list(field(r, "tags")) and field(r, "@timestamp") == field(r, "event.created")
            and not created - 30 * 86400 * NS <= rfc3339_ns(own) <= created + 86400 * NS)


def json_scenario(base, d, ports):
    eve_path = os.path.join(d, "corpus.eve.json")
    r = run([opensocd, "ingest", "--eve-out", eve_path, EVE_CAPTURE], timeout=120)
    try:
        with open(eve_path) as f:
            eve = [json.loads(x) for x in f if x.strip()]
    except (OSError, ValueError):
        eve = []
    by_type = collections.Counter(e.get("event_type") for e in eve)
    c.check(r.returncode == 0 and len(by_type) >= 3, f"opensocd ingest --eve-out of {EVE_CAPTURE}",
            f"rc {r.returncode}, {dict(by_type)} {r.stderr[-500:]}")
    print(f"     EVE: {dict(by_type)}")
    with open(eve_path, "rb") as f:
        r = subprocess.run(["ncat", "--send-only", "127.0.0.1", str(ports["json-tcp"])], stdin=f,
                           capture_output=True, timeout=30)
    c.equal(r.returncode, 0, "ncat --send-only sends the EVE file to the JSON listener")
    SENT["eve"] += len(eve)
    n = wait_total(base, "labels.listener:json-tcp", len(eve), 20)
    c.equal(n, len(eve), f"search finds the {len(eve)} EVE lines")
    for et, count in sorted(by_type.items()):
        c.equal(total(base, f"labels.listener:json-tcp AND event.dataset:suricata.{et}"), count,
                f"event.dataset:suricata.{et}: {count} records, as in the EVE file")
    recs = records(base, "labels.listener:json-tcp", limit=len(eve) + 10)
    c.equal(sorted(map(log_key, recs), key=str), sorted(map(eve_key, eve), key=str),
            "each EVE line is a record with its event_type, endpoints and own time")
    c.check(recs and all(map(out_of_range_ok, recs)),
            "EVE times over 30 days old: @timestamp is the arrival, the own time in labels.original_timestamp, "
            "tagged _timestamp_out_of_range", str([x for x in recs if not out_of_range_ok(x)][:1])[:800])
    # Protocol fields: per record, what its EVE line says (first DNS question,
    # HTTP host/method/user agent, TLS JA3), as ECS.
    def eve_fields(e):
        q = (get_path(e, "dns.queries") or [{}])[0].get("rrname") if e.get("event_type") == "dns" else None
        return {"dns.question.name": q, "url.domain": get_path(e, "http.hostname"),
                "http.request.method": get_path(e, "http.http_method"),
                "user_agent.original": get_path(e, "http.http_user_agent"), "tls.client.ja3": get_path(e, "tls.ja3.hash")}

    def log_fields(r):
        return {k: (as_list(field(r, k)) or [None])[0] for k in eve_fields({})}
    want_f = sorted(((eve_key(e), tuple(sorted(eve_fields(e).items()))) for e in eve), key=str)
    got_f = sorted(((log_key(r), tuple(sorted(log_fields(r).items()))) for r in recs), key=str)
    n_values = sum(v is not None for _, f in want_f for _, v in f)
    c.check(got_f == want_f and n_values >= 15, f"each EVE record's dns.question.name, url.domain, http.request.method, "
            f"user_agent.original and tls.client.ja3 are its EVE line's ({n_values} values)",
            f"got {[x for x in got_f if x not in want_f][:3]}, want {[x for x in want_f if x not in got_f][:3]}")
    cids = collections.Counter(e.get("community_id") for e in eve if e.get("community_id"))
    got = collections.Counter(field(x, "network.community_id") for x in recs if field(x, "network.community_id"))
    c.equal(got, cids, "community_id -> network.community_id on every record")
    c.check(all(field(x, "input.type") == "tcp" and field(x, "log.parser") == "eve" for x in recs),
            "input.type tcp and log.parser eve on every EVE record")

    # POST /api/v1/ingest: a batch of good and bad lines.
    hour_ago = time.time_ns() - 3600 * NS
    stamp = datetime.fromtimestamp(hour_ago // NS, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + ".678Z"
    good = [{"@timestamp": stamp, "message": "tokposta posted line", "source": {"ip": "192.0.2.7"},
             "event": {"dataset": "app.audit"}},
            {"timestamp": stamp, "message": "tokpostb second", "user": {"name": "bob"}},
            eve[0] if eve else {"message": "x"}]
    lines = [json.dumps(good[0]), "this is not json", json.dumps(good[1]), '{"truncated": ', json.dumps(good[2]),
             "[1, 2, 3]"]
    body = ("\n".join(lines) + "\n").encode()
    st, ans = api_request("POST", base + "/api/v1/ingest", raw=body)
    SENT.update({"json": 2, "eve": 1})
    c.equal((st, (ans or {}).get("accepted"), (ans or {}).get("rejected")), (200, 3, 3),
            "POST /api/v1/ingest: 3 accepted, 3 rejected (not JSON, truncated, an array)")
    c.equal(sorted(e.get("line") for e in (ans or {}).get("errors", [])), [2, 4, 6],
            "POST /api/v1/ingest: errors name lines 2, 4 and 6", )
    c.check(all(e.get("error") for e in (ans or {}).get("errors", [])), "each error says why")
    recs = wait_for(lambda: records(base, "tokposta") or None, 10) or []
    if c.equal(len(recs), 1, "the first posted line is found"):
        r = recs[0]
        check_fields(r, {"event.dataset": "app.audit", "source.ip": "192.0.2.7", "input.type": "http",
                         "message": "tokposta posted line"}, "posted line 1")
        c.equal(rfc3339_ns(field(r, "@timestamp")), rfc3339_ns(stamp), "posted line 1: @timestamp")
        c.equal(field(r, "log.source.address"), "127.0.0.1", "posted line 1: log.source.address is the HTTP peer")
    recs = records(base, "tokpostb")
    c.check(len(recs) == 1 and field(recs[0], "user.name") == "bob" and field(recs[0], "event.dataset") == "json",
            "the second posted line is found (dataset json, user.name bob)", str(recs)[:500])
    st, ans = api_request("POST", base + "/api/v1/ingest?parser=zeek", raw=b'{"ts": 1700000000.5, "uid": "Cx1", '
                          b'"id.orig_h": "10.0.0.1", "id.orig_p": 5353, "id.resp_h": "10.0.0.2", "id.resp_p": 53, '
                          b'"proto": "udp", "_path": "conn"}\n')
    c.equal((st, (ans or {}).get("accepted")), (200, 1), "POST /api/v1/ingest?parser=zeek: a Zeek conn line accepted")
    SENT["zeek"] += 1
    recs = wait_for(lambda: records(base, "zeek.session_id:Cx1") or None, 10) or []
    c.check(len(recs) == 1 and field(recs[0], "event.dataset") == "zeek.conn" and
            field(recs[0], "destination.port") == 53, "the Zeek line is found as zeek.conn", str(recs)[:500])


# ----------------------------------------------------------- 4. malformed ---

def malformed_scenario(base, d, ports):
    # Too long: logger sends 5000 bytes in one datagram; the listener keeps
    # its first max_message_bytes, tags the record and counts it.
    before_udp = listener_stats(base, "syslog-udp")
    long_text = "toklong " + "x" * 5000
    r = run(["logger", "--server", "127.0.0.1", "--port", str(ports["syslog-udp"]), "--udp", "--rfc5424",
             "--size", "8192", "--tag", "longtag", long_text])
    SENT["rfc5424"] += 1
    recs = wait_for(lambda: records(base, "process.name:longtag") or None, 10) or []
    if c.equal((r.returncode, len(recs)), (0, 1), "logger --size 8192: a 5000-byte message is found"):
        c.check("_truncated" in as_list(field(recs[0], "tags")) and
                len((field(recs[0], "event.original") or "").encode()) == MAX_UDP_MESSAGE,
                f"it is cut at max_message_bytes {MAX_UDP_MESSAGE} and tagged _truncated",
                f"{len(field(recs[0], 'event.original') or '')} bytes, tags {field(recs[0], 'tags')}")
    c.equal(listener_stats(base, "syslog-udp").get("truncated", 0) - before_udp.get("truncated", 0), 1,
            "stats: syslog-udp truncated grew by 1")
    # Not an octet count on an octet-counting listener: the connection is
    # closed and counted, the listener goes on.
    before_tcp = listener_stats(base, "rsyslog-tcp")
    subprocess.run(["ncat", "--send-only", "127.0.0.1", str(ports["rsyslog-tcp"])],
                   input=b"<13>1 - - - - - - no octet count here\n", capture_output=True, timeout=10)
    after_tcp = wait_for(lambda: (lambda s: s if s.get("framing_errors", 0) > before_tcp.get("framing_errors", 0)
                                  and s.get("connections_open") == 0 else None)(listener_stats(base, "rsyslog-tcp")), 5) \
        or listener_stats(base, "rsyslog-tcp")
    c.equal((after_tcp.get("framing_errors", 0) - before_tcp.get("framing_errors", 0), after_tcp.get("connections_open"),
             after_tcp.get("connections", 0) - before_tcp.get("connections", 0)), (1, 0, 1),
            "a frame without an octet count: framing_errors +1, the connection closed")

    before = receivers(base)
    garbage = b"\x00\xff\xfe\x01 tokgarbage \x80\x81 \xc3\x28"
    truncated = [b"<34>1 2026-11-28T10:00:00.000Z tokstrict", b"<165>1 2026-11-28T10:00:0"]
    r1 = subprocess.run(["ncat", "--udp", "--send-only", "127.0.0.1", str(ports["syslog-udp"])], input=garbage,
                        capture_output=True, timeout=10)
    for t in truncated:
        subprocess.run(["ncat", "--udp", "--send-only", "127.0.0.1", str(ports["strict-5424"])], input=t,
                       capture_output=True, timeout=10)
    c.equal(r1.returncode, 0, "ncat sends a garbage datagram")
    SENT.update({"failed:auto": 1, "failed:rfc5424": len(truncated)})
    recs = wait_for(lambda: records(base, "tokgarbage") or None, 10) or []
    if c.equal(len(recs), 1, "the garbage datagram is found by a word it holds"):
        r = recs[0]
        c.check("_parse_failure" in as_list(field(r, "tags")), "garbage: tagged _parse_failure", str(field(r, "tags")))
        c.equal(field(r, "labels.listener"), "syslog-udp", "garbage: its listener")
    n = wait_total(base, "labels.listener:strict-5424 AND tags:_parse_failure", 2, 10)
    c.equal(n, 2, "the two truncated RFC 5424 headers are raw events (tags:_parse_failure)")
    c.equal(total(base, "parser:raw AND labels.listener:strict-5424"), 2, "parser:raw finds them too")
    recs = records(base, "tokstrict")
    c.check(len(recs) == 1 and (field(recs[0], "message") or "").endswith("tokstrict"),
            "a truncated header is kept whole as the message", str(recs)[:500])
    after = wait_for(lambda: (lambda r: r if (r.get("pipeline") or {}).get("raw", 0) >=
                                  (before.get("pipeline") or {}).get("raw", 0) + 3 else None)(receivers(base)), 5) \
        or receivers(base)
    c.equal(after.get("pipeline", {}).get("raw", 0) - before.get("pipeline", {}).get("raw", 0), 3,
            "stats pipeline.raw grew by the 3 malformed messages")
    # Failures count under the listener's parser chain: [rfc5424] and [auto].
    for chain, n in (("rfc5424", 2), ("auto", 1)):
        fb = (before.get("parsers") or {}).get(chain, {}).get("failed", 0)
        fa = (after.get("parsers") or {}).get(chain, {}).get("failed", 0)
        c.equal(fa - fb, n, f"stats parsers.{chain}.failed grew by {n}")


# ----------------------------------------------------------- 5. detection ---

def api_links(obj):
    """Every "/api/v1/..." string anywhere in a JSON value."""
    if isinstance(obj, str):
        return [obj] if obj.startswith("/api/v1/") or obj.startswith("http") and "/api/v1/" in obj else []
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in api_links(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in api_links(v)]
    return []


def pcap_frame_numbers(body, capture):
    """The frames of a pcap answer as their numbers in `capture` (time stamp
    and bytes equal), sorted; a frame not in the capture is 0; the parse
    error text when it is not a whole pcap."""
    raw = read_pcap_file(capture)[1]
    try:
        return sorted(raw.index(x) + 1 if x in raw else 0 for x in read_pcap(body or b"")[1])
    except ValueError as err:
        return str(err)


def session_key(r):
    return (field(r, "network.transport"),) + tuple(sorted([(field(r, "source.ip"), field(r, "source.port")),
                                                           (field(r, "destination.ip"), field(r, "destination.port"))]))


def detection_scenario(base, d, ports, capture):
    """8.8.4.4 is in the capture (a DNS-over-TCP session from 10.16.1.11 port
    38195, and a UDP one 20 h later); it is added to intel after the replay,
    so only the log line can raise an alert about it."""
    fields_ = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
               "udp.dstport"]
    out = run(["tshark", "-n", "-r", capture, "-Y", "ip.addr==8.8.4.4", "-T", "fields"] +
              sum((["-e", f] for f in fields_), [])).stdout
    frames = [dict(zip(fields_, x.split("\t"))) for x in out.splitlines() if x.strip()]
    want_sessions = {("tcp" if f["tcp.srcport"] else "udp",) + tuple(sorted(
        [(f["ip.src"], int(f["tcp.srcport"] or f["udp.srcport"])), (f["ip.dst"], int(f["tcp.dstport"] or f["udp.dstport"]))]))
        for f in frames}
    tcp_frames = [int(f["frame.number"]) for f in frames if f["tcp.srcport"]]
    c.equal((len(want_sessions), len(tcp_frames)), (2, 10), "tshark: two 8.8.4.4 sessions, the TCP one of 10 frames")
    sessions = wait_for(lambda: (lambda r: r if {session_key(x) for x in r} == want_sessions else None)(
        records(base, "ip:8.8.4.4", kind="sessions")), 30) or records(base, "ip:8.8.4.4", kind="sessions")
    c.equal({session_key(x) for x in sessions}, want_sessions, "the capture's 8.8.4.4 sessions are searchable")
    tcp_session = [x for x in sessions if field(x, "network.transport") == "tcp"]

    st, ans = api_request("POST", base + "/api/v1/intel",
                          {"indicators": [{"type": "ipv4-addr", "value": "8.8.4.4", "confidence": 90}]})
    c.equal((st, (ans or {}).get("accepted")), (200, 1), "POST /api/v1/intel adds 8.8.4.4")
    st, before = api_request("GET", base + "/api/v1/alerts?limit=1000")
    old = {a["id"] for a in (before or {}).get("alerts", [])}
    rt_ms = int(float(frames[0]["frame.time_epoch"]) * 1000) if frames else 0
    cef = (f"CEF:0|Acme|Firewall|2.1|4000|DNS over TCP allowed|3|rt={rt_ms} src=10.16.1.11 spt=38195 dst=8.8.4.4 "
           f"dpt=53 proto=TCP act=allow")
    r = run(["logger", "--server", "127.0.0.1", "--port", str(ports["syslog-udp"]), "--udp", "--rfc5424",
             "--tag", "acmefw", cef])
    c.equal(r.returncode, 0, "logger sends the firewall CEF line")
    SENT["cef"] += 1
    recs = wait_for(lambda: records(base, "process.name:acmefw") or None, 10) or []
    if c.equal(len(recs), 1, "the CEF line is a log record"):
        rec = recs[0]
        check_fields(rec, {"event.dataset": "cef", "source.ip": "10.16.1.11", "source.port": 38195,
                           "destination.ip": "8.8.4.4", "destination.port": 53, "network.transport": "tcp",
                           "event.action": "allow"}, "firewall line")
        c.equal(rfc3339_ns(field(rec, "@timestamp")), rt_ms * 1_000_000, "firewall line: @timestamp is its rt")
        c.check(tcp_session and field(rec, "network.community_id") == field(tcp_session[0], "network.community_id"),
                "firewall line: network.community_id is the packet session's",
                f"{field(rec, 'network.community_id')} vs {[field(x, 'network.community_id') for x in tcp_session]}")
        link = rec.get("pcap") or ""
        st, _, body = http_get(base + link, timeout=30) if link.startswith("/api/v1/pcap") else (None, None, b"")
        c.equal((st, pcap_frame_numbers(body, capture)), (200, tcp_frames),
                f"firewall line: its own pcap link {link} is the TCP session's 10 frames")
        c.check(any("8.8.4.4" in json.dumps(e) for e in as_list(field(rec, "threat.enrichments"))),
                "firewall line: threat.enrichments names 8.8.4.4", str(field(rec, "threat.enrichments"))[:300])

    def new_alerts():
        st, body = api_request("GET", base + "/api/v1/alerts?limit=1000")
        return [a for a in (body or {}).get("alerts", []) if a["id"] not in old] or None
    alerts = wait_for(new_alerts, 15) or []
    for a in alerts:
        print(f"     new alert {a.get('id')}: {json.dumps(a)[:1500]}")
    intel = [a for a in alerts if field(a, "threat.indicator.name") == "8.8.4.4"]
    if not c.equal((len(alerts), len(intel)), (1, 1), "one new alert, about 8.8.4.4"):
        return
    a = intel[0]
    c.equal((field(a, "rule.id"), field(a, "source.ip"), field(a, "destination.ip")),
            ("intel", "10.16.1.11", "8.8.4.4"), "the alert: rule intel, the log line's source and destination")
    # Its links lead to the address's sessions, its log and its packets.
    links = sorted(set(api_links(a)))
    print(f"     alert links: {links}")
    kinds = collections.Counter(urllib.parse.urlparse(x).path for x in links)
    c.check(kinds["/api/v1/sessions"] >= 1 and kinds["/api/v1/logs"] >= 1 and kinds["/api/v1/pcap"] >= 1,
            "the alert links sessions, logs and pcap", str(links))
    for link in links:
        url = link if link.startswith("http") else base + link
        path = urllib.parse.urlparse(url).path
        if path == "/api/v1/pcap":
            st, _, body = http_get(url, timeout=30)
            c.equal((st, pcap_frame_numbers(body, capture)), (200, tcp_frames),
                    f"alert link {link}: the pcap is the TCP session's 10 frames")
        elif path == "/api/v1/sessions":
            st, body = api_request("GET", url)
            c.equal((st, {session_key(x) for x in (body or {}).get("records", [])}), (200, want_sessions),
                    f"alert link {link}: the 8.8.4.4 sessions")
        elif path == "/api/v1/logs":
            st, body = api_request("GET", url)
            c.equal((st, [field(x, "process.name") for x in (body or {}).get("records", [])]), (200, ["acmefw"]),
                    f"alert link {link}: the firewall log line")


# --------------------------------------------------------------- 6. loss ---

def loss_scenario(opensocd_cfg_dir):
    d = opensocd_cfg_dir
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    ports = {"flood-udp": 0, "flood-tcp": 0}  # ephemeral: the bound ports are in /api/v1/stats
    cfg = os.path.join(d, "loss.yaml")
    write_config(cfg, f"data_dir: {os.path.join(d, 'loss-data')}\nlog_level: info\n" +
                 idle_capture_yaml(f"tsyslogloss{os.getpid()}", port) + search_store_yaml() +
                 receivers_yaml(ports, {}, queue=256, udp_buffer=65536, loss=True))
    os.makedirs(os.path.join(d, "loss-data"), exist_ok=True)
    daemon = start_daemon(cfg, base)
    if not daemon:
        return
    ports = bound_ports(base)
    try:
        # UDP: as fast as python sends; then, after a pause, a few datagrams
        # that arrive for sure and carry the kernel's final drop count.
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        dst = ("127.0.0.1", ports["flood-udp"])
        payload = b"<134>1 - flood app - - - tokflood datagram %07d"
        t0 = time.monotonic()
        for i in range(FLOOD_UDP):
            s.sendto(payload % i, dst)
        elapsed = time.monotonic() - t0
        time.sleep(1.0)
        for i in range(5):
            s.sendto(payload % (FLOOD_UDP + i), dst)
            time.sleep(0.1)
        sent = FLOOD_UDP + 5
        print(f"     UDP flood: {FLOOD_UDP} datagrams in {elapsed:.2f} s")

        def accounted():
            st = listener_stats(base, "flood-udp")
            n = st.get("messages", 0) + st.get("dropped_queue", 0) + st.get("dropped_socket", 0)
            return st if n >= sent else None
        st = wait_for(accounted, 20, interval=0.3) or listener_stats(base, "flood-udp")
        print(f"     flood-udp stats: {st}")
        c.equal(st.get("messages", 0) + st.get("dropped_queue", 0) + st.get("dropped_socket", 0), sent,
                f"UDP flood: messages + dropped_queue + dropped_socket == {sent} sent")
        c.check(st.get("dropped_queue", 0) + st.get("dropped_socket", 0) > 0, "UDP flood: beyond capacity (drops > 0)",
                str(st))
        st2, _, m = http_get(base + "/metrics")
        text = m.decode(errors="replace")
        for reason, key in (("queue", "dropped_queue"), ("socket", "dropped_socket")):
            mm = re.search(r'^opensoc_receiver_dropped_total\{listener="flood-udp",reason="' + reason + r'"\} (\S+)$',
                           text, re.M)
            c.equal(float(mm.group(1)) if mm else None, float(st.get(key, -1)),
                    f"/metrics opensoc_receiver_dropped_total{{listener=flood-udp,reason={reason}}} equals stats")
        udp_messages = st.get("messages")
        n = wait_total(base, "labels.listener:flood-udp", st.get("messages"), 60)
        c.equal(n, st.get("messages"), "every UDP message the listener counted is indexed")

        # TCP: ncat sends newline frames into the same small queue.
        path = os.path.join(d, "tcp-flood.txt")
        with open(path, "wb") as f:
            for i in range(FLOOD_TCP):
                f.write(b"<134>1 - flood tcpapp - - - tokflood frame %07d\n" % i)
        with open(path, "rb") as f:
            r = subprocess.run(["ncat", "--send-only", "127.0.0.1", str(ports["flood-tcp"])], stdin=f,
                               capture_output=True, timeout=120)
        c.equal(r.returncode, 0, f"ncat sends {FLOOD_TCP} frames over TCP")
        n = wait_total(base, "labels.listener:flood-tcp", FLOOD_TCP, 60)
        c.equal(n, FLOOD_TCP, f"TCP: all {FLOOD_TCP} frames are indexed")
        st = listener_stats(base, "flood-tcp")
        print(f"     flood-tcp stats: {st}")
        c.equal((st.get("messages"), st.get("dropped_queue", 0), st.get("framing_errors")), (FLOOD_TCP, 0, 0),
                "TCP: stats count every frame, none dropped")
        c.check(st.get("paused", 0) > 0, "TCP: the connection was paused for back-pressure (paused > 0)", str(st))
        pl = receivers(base).get("pipeline") or {}
        c.equal((pl.get("received"), pl.get("indexed"), pl.get("raw")), (udp_messages + FLOOD_TCP,) * 2 + (0,),
                "loss daemon pipeline: received = indexed = what the listeners queued")
        q = receivers(base).get("queue") or {}
        c.check(q.get("capacity") == 256 and 0 < q.get("high_water", 0) <= 256,
                "queue: capacity 256, high water reached within it", str(q))
    finally:
        stop_daemon(daemon, "loss daemon")


# ---------------------------------------------------------------- main ---

def main():
    with temp_dir("opensoc-tsyslog-") as d:
        capture = os.path.join(d, "recent-8.8.4.4.pcap")
        n_packets = len(build_capture(capture))
        certs = make_certs(d)
        data = os.path.join(d, "data")
        os.makedirs(data)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Port 0 everywhere: the listeners bind ephemeral ports, reported in /api/v1/stats.
        ports = {k: 0 for k in ("syslog-udp", "syslog-tcp", "strict-5424", "rsyslog-tcp", "rsyslog-tls", "json-tcp")}
        cfg = os.path.join(d, "run.yaml")
        write_config(cfg, demo_like_config(data, capture, port, f"tsyslog{os.getpid()}") + search_store_yaml() +
                     receivers_yaml(ports, certs))
        daemon = start_daemon(cfg, base, n_packets)
        if not daemon:
            return
        rsyslogs = []
        try:
            rec = receivers(base)
            got = {x.get("name"): (x.get("protocol"), x.get("transport"), x.get("address"), x.get("port", 0) > 0)
                   for x in rec.get("listeners", [])}
            c.equal({k: v for k, v in got.items() if k != "api"},
                    {"syslog-udp": ("syslog", "udp", "127.0.0.1", True), "syslog-tcp": ("syslog", "tcp", "127.0.0.1", True),
                     "strict-5424": ("syslog", "udp", "127.0.0.1", True),
                     "rsyslog-tcp": ("syslog", "tcp", "127.0.0.1", True),
                     "rsyslog-tls": ("syslog", "tls", "127.0.0.1", True),
                     "json-tcp": ("json", "tcp", "127.0.0.1", True)},
                    "stats receivers.listeners: every configured listener with its protocol, transport, address "
                    "and the ephemeral port it bound")
            c.equal(got.get("api", ("",) * 2)[:2], ("api", "http"), "stats receivers.listeners: POST /api/v1/ingest "
                    "counted as listener api")
            ports = bound_ports(base)
            # rsyslog first: it forwards while the other scenarios run.
            rsyslogs = [start_rsyslog(d, "fwdtcp", ports["rsyslog-tcp"], certs, False, "local4", "notice"),
                        start_rsyslog(d, "fwdtls", ports["rsyslog-tls"], certs, True, "local5", "info")]
            logger_scenario(base, d, ports)
            json_scenario(base, d, ports)
            rsyslog_check(base, d, "rsyslog over TCP", "rsyslog-tcp", rsyslogs[0][1], "local4", "notice", "tcp")
            st = rsyslog_check(base, d, "rsyslog over TLS", "rsyslog-tls", rsyslogs[1][1], "local5", "info",
                               "tls")
            c.equal(st.get("tls_failures", 0), 0, "rsyslog over TLS: no handshake failure")
            # The command line reads the same shards while the daemon writes them.
            r = run([opensocd, "search", "-c", cfg, "--logs", "--limit", "1000", "labels.listener:rsyslog-tcp"], timeout=60)
            try:
                cli = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
            except ValueError:
                cli = []
            api = records(base, "labels.listener:rsyslog-tcp")
            c.check(r.returncode == 0 and len(cli) == RSYSLOG_LINES and
                    sorted(field(x, "event.original") for x in cli) == sorted(field(x, "event.original") for x in api),
                    f"opensocd search --logs: the same {RSYSLOG_LINES} records as GET /api/v1/logs",
                    f"rc {r.returncode}, {len(cli)} lines, {r.stderr[-300:]}")
            for proc, _ in rsyslogs:
                stop_rsyslog(proc)
            # A TLS client without a certificate is refused by the client_ca listener.
            r = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{ports['rsyslog-tls']}", "-quiet",
                                "-CAfile", certs["ca"]], input=b"12 <13>1 - - - tokanon\n", capture_output=True,
                               timeout=15)
            wait_for(lambda: listener_stats(base, "rsyslog-tls").get("tls_failures", 0) >= 1, 5)
            c.check(listener_stats(base, "rsyslog-tls").get("tls_failures", 0) >= 1 and not records(base, "tokanon"),
                    "a TLS client without a client certificate is refused and counted (tls_failures)",
                    str(listener_stats(base, "rsyslog-tls")))
            malformed_scenario(base, d, ports)
            detection_scenario(base, d, ports, capture)
            metrics_checks(base)
        finally:
            for proc, _ in rsyslogs:
                stop_rsyslog(proc)
            stop_daemon(daemon, "main daemon")
        loss_scenario(d)


def metrics_checks(base):
    st, _, m = http_get(base + "/metrics")
    text = m.decode(errors="replace")
    s = receivers(base)
    for entry in s.get("listeners", []):
        name = entry.get("name")
        mm = re.search(r'^opensoc_receiver_messages_total\{listener="' + re.escape(name) + r'"\} (\S+)$', text, re.M)
        c.equal(float(mm.group(1)) if mm else None, float(entry.get("messages", -1)),
                f"/metrics opensoc_receiver_messages_total{{listener=\"{name}\"}} equals stats")
    print(f"     stats receivers.parsers: {s.get('parsers')}; pipeline: {s.get('pipeline')}")
    got = collections.Counter()
    for parser, counts in (s.get("parsers") or {}).items():
        got[parser] += counts.get("parsed", 0)
        got["failed:" + parser] += counts.get("failed", 0)
    c.equal(+got, +SENT, "stats receivers.parsers: parsed and failed per parser are exactly what was sent")
    pl = s.get("pipeline") or {}
    raw = sum(v for k, v in SENT.items() if k.startswith("failed:"))
    c.equal((pl.get("received"), pl.get("parsed"), pl.get("raw"), pl.get("indexed"), pl.get("index_errors")),
            (sum(SENT.values()), sum(SENT.values()) - raw, raw, sum(SENT.values()), 0),
            "stats receivers.pipeline: received = parsed + raw = indexed, no index error")
    for parser, counts in sorted((s.get("parsers") or {}).items()):
        for outcome in ("parsed", "failed"):
            mm = re.search(r'^opensoc_log_events_total\{parser="' + re.escape(parser) + '",outcome="' + outcome +
                           r'"\} (\S+)$', text, re.M)
            c.equal(float(mm.group(1)) if mm else None, float(counts.get(outcome, -1)),
                    f"/metrics opensoc_log_events_total{{parser={parser},outcome={outcome}}} equals stats")


if __name__ == "__main__":
    main()
    c.finish()
