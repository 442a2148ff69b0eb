#!/usr/bin/env python3
"""Detection end to end: real programs (curl, dig, nmap against nginx and
dnsmasq) make traffic between two network namespaces
(tools/detection_traffic.sh); `opensocd ingest` runs the capture through
enrichment, threat intel, signature rules and the behavioural detectors
(config, rules and intel in test/data/detection/); `opensocd run` serves the
alerts over the same data dir.

Checked: exactly the expected alerts (large_upload, dns_tunnel, beacon,
vertical_scan, one intel alert per contacted indicator, the marker rule),
none for the ordinary traffic (small GETs, a 30 MiB download, normal DNS);
each alert's evidence sessions are the connections that made it; every
evidence pcap link downloads as a whole pcap that tshark reads with the
session's packet count (and the capture's, for that 5-tuple); the EVE export
has the same alerts; a PATCH (acknowledge + note) survives a restart.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import collections
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Checks, Daemon, api_request, args, five_tuple_key, free_port, get_path, http_get,  # noqa: E402
                     idle_capture_yaml, run, save_evidence_pcap, temp_dir, wait_for, write_config)

opensocd, root, corpus = args()
c = Checks("detection-e2e")
TEST_DATA = os.path.join(root, "test", "data", "detection")
TRAFFIC = os.path.join(root, "tools", "detection_traffic.sh")

# The addresses tools/detection_traffic.sh uses.
INSIDE = "10.66.0.2"
WEB, BEACON, SCAN, DNS, INTEL_IP = "198.51.100.10", "198.51.100.20", "198.51.100.30", "198.51.100.53", "198.51.100.66"

LARGE_UPLOAD, DNS_TUNNEL, BEACON_SID, VERTICAL_SCAN = 9000002, 9000003, 9000004, 9000006
MARKER_SID = 1000001


def capture_counts(pcap):
    """Frames per 5-tuple (either direction) of the capture, as tshark reads it."""
    # Sequence analysis and reassembly off: only addresses and ports are read
    # (a full dissection of the 60 MB of transfers takes 15 s).
    r = run(["tshark", "-n", "-r", pcap, "-o", "ip.defragment:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE",
             "-o", "tcp.desegment_tcp_streams:FALSE", "--disable-protocol", "http", "-T", "fields", "-E", "separator=/t",
             "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport",
             "-e", "udp.dstport"], timeout=120)
    counts = collections.Counter()
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) != 6 or not f[0]:
            continue
        if f[2]:
            counts[five_tuple_key("tcp", f[0], f[2], f[1], f[3])] += 1
        elif f[4]:
            counts[five_tuple_key("udp", f[0], f[4], f[1], f[5])] += 1
    return counts


def tshark_count(path):
    r = run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "frame.number"], timeout=60)
    return len(r.stdout.split()) if r.returncode == 0 else None


def read_traffic(path):
    """traffic.tsv: phase, dst ip, dst port, local port, status, up, down."""
    out = collections.defaultdict(list)
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            out[p[0]].append({"dst": p[1], "dport": int(p[2]), "sport": int(p[3]), "status": int(p[4]),
                              "up": int(p[5]), "down": int(p[6])})
    return out


def start_daemon(cfg, base, extra):
    daemon = Daemon([opensocd, "run", "-c", cfg] + extra)
    up = wait_for(lambda: http_get(base + "/api/v1/stats")[0] == 200 or daemon.proc.poll() is not None, 30)
    ok = c.check(up and daemon.proc.poll() is None, "opensocd run serves the API", daemon.output()[-2000:])
    return daemon if ok else None


def is_intel(a):
    return get_path(a, "alert.kind") == "intel" or get_path(a, "rule.id") == "intel"


def main():
    if os.geteuid() != 0:
        c.check(False, "needs root to create network namespaces")
        return
    r = run([opensocd, "ingest", "--help"])
    if not c.check("--rules" in r.stdout and "--intel" in r.stdout, "ingest --help lists --rules and --intel",
                   r.stdout[-600:]):
        return
    rules, intel = os.path.join(TEST_DATA, "test.rules"), os.path.join(TEST_DATA, "intel.csv")
    with temp_dir("opensoc-detect-") as d:
        # ------------------------------------------------------- traffic ---
        t0 = time.monotonic()
        r = run(["bash", TRAFFIC, os.path.join(d, "traffic")], timeout=150)
        if not c.equal(r.returncode, 0, "detection_traffic.sh makes the traffic"):
            print(r.stdout[-2000:], r.stderr[-2000:])
            return
        print(f"     traffic took {time.monotonic() - t0:.1f} s")
        captured = re.search(r"^(\d+) packets captured", r.stderr, re.M)
        received = re.search(r"^(\d+) packets received by filter", r.stderr, re.M)
        c.check(re.search(r"^0 packets dropped by kernel", r.stderr, re.M) is not None and captured and received and
                captured.group(1) == received.group(1), "tcpdump wrote every packet it received", r.stderr[-300:])
        pcap = os.path.join(d, "traffic", "capture.pcap")
        traffic = read_traffic(os.path.join(d, "traffic", "traffic.tsv"))
        c.check(all(x["status"] == 200 for xs in traffic.values() for x in xs), "every curl got 200")
        c.equal(traffic["upload"][0]["up"], 30 * 1024 * 1024, "curl uploaded 30 MiB")
        c.equal(traffic["download"][0]["down"], 30 * 1024 * 1024, "curl downloaded 30 MiB")
        c.equal(len(traffic["beacon"]), 10, "10 beacon GETs")

        # -------------------------------------------------------- ingest ---
        data = os.path.join(d, "data")
        os.makedirs(data)
        with open(os.path.join(TEST_DATA, "detection.yaml")) as f:
            base_cfg = f.read().replace("@DATA_DIR@", data).replace("@TEST_DATA@", TEST_DATA)
        cfg = write_config(os.path.join(d, "ingest.yaml"), base_cfg)
        r = run([opensocd, "check-config", "-c", cfg])
        c.check(r.returncode == 0, "check-config accepts test/data/detection/detection.yaml", r.stderr[-1000:])
        t0 = time.monotonic()
        r = run([opensocd, "ingest", "-c", cfg, "--rules", rules, "--intel", intel, "--json", pcap], timeout=300)
        if not c.equal(r.returncode, 0, "ingest --rules --intel of the capture"):
            print(r.stdout[-2000:], r.stderr[-3000:])
            return
        print(f"     ingest took {time.monotonic() - t0:.1f} s: {r.stdout.strip()[:600]}")

        with open(os.path.join(data, "ecs.json")) as f:
            ecs = [json.loads(line) for line in f if line.strip()]
        sessions = {}
        for e in ecs:
            if get_path(e, "event.dataset") == "session":
                sessions[str(get_path(e, "session.id"))] = e  # a later record of a session replaces an earlier one
        events = [e for e in ecs if get_path(e, "event.dataset") != "session"]

        def sessions_where(pred):
            return {sid for sid, s in sessions.items() if pred(s)}

        def tcp_to(ip, port=None, sport=None):
            return sessions_where(lambda s: get_path(s, "network.transport") == "tcp"
                                  and get_path(s, "destination.ip") == ip
                                  and (port is None or get_path(s, "destination.port") == port)
                                  and (sport is None or get_path(s, "source.port") == sport))

        ordinary = set().union(*(tcp_to(WEB, 8080, x["sport"]) for x in traffic["ordinary"] + traffic["download"]))
        upload = tcp_to(WEB, 8080, traffic["upload"][0]["sport"])
        marker = tcp_to(WEB, 8080, traffic["marker"][0]["sport"])
        beacon = tcp_to(BEACON, 8080)
        scan = tcp_to(SCAN)
        intel_ip = tcp_to(INTEL_IP)
        c.equal((len(ordinary), len(upload), len(marker), len(beacon), len(scan), len(intel_ip)), (4, 1, 1, 10, 200, 1),
                "sessions: 4 ordinary (3 GETs, download), upload, marker, 10 beacon, 200 scan probes, intel address")
        qname_sessions = collections.defaultdict(set)
        for e in events:
            if get_path(e, "event.dataset") == "dns":
                name = (get_path(e, "dns.question.name") or "").rstrip(".").lower()
                qname_sessions[name].add(str(get_path(e, "session.id")))
        # Names, not sessions: two digs can draw the same source port and
        # share one UDP session.
        tunnel_names = {n for n in qname_sessions if n.endswith(".t.exfil.example")}
        tunnel = {sid for n in tunnel_names for sid in qname_sessions[n]}
        intel_dns = qname_sessions.get("c2.bad.example", set())
        c.equal((len(tunnel_names), len(intel_dns)), (200, 1), "DNS: 200 tunnel names queried, 1 session for c2.bad.example")

        with open(os.path.join(data, "eve.json")) as f:
            eve_alerts = [x for x in (json.loads(line) for line in f if line.strip()) if x.get("event_type") == "alert"]

        counts = capture_counts(pcap)

        # ---------------------------------------------------------- REST ---
        port = free_port()
        run_cfg = write_config(os.path.join(d, "run.yaml"),
                               base_cfg + idle_capture_yaml(f"dete2e{os.getpid()}", port))
        run_help = run([opensocd, "run", "--help"]).stdout
        run_extra = (["--rules", rules] if "--rules" in run_help else []) + \
                    (["--intel", intel] if "--intel" in run_help else [])
        base = f"http://127.0.0.1:{port}"
        daemon = start_daemon(run_cfg, base, run_extra)
        if not daemon:
            return
        try:
            patched = rest_checks(base, sessions, counts, eve_alerts, d,
                                  dict(upload=upload, marker=marker, beacon=beacon, scan=scan, intel_ip=intel_ip,
                                       tunnel=tunnel, intel_dns=intel_dns, ordinary=ordinary))
        finally:
            c.equal(daemon.stop(), 0, "run: SIGTERM exits 0")
        if patched is None:
            return

        # ------------------------------------- the PATCH survives a restart ---
        daemon = start_daemon(run_cfg, base, run_extra)
        if not daemon:
            return
        try:
            alert_id, note, others = patched
            st, a = api_request("GET", f"{base}/api/v1/alerts/{alert_id}")
            c.equal((st, get_path(a, "alert.status")), (200, "acknowledged"), "after a restart the alert is still acknowledged")
            hist = get_path(a, "alert.history") or []
            c.check(any(h.get("note") == note and h.get("to") == "acknowledged" for h in hist),
                    "after a restart the history keeps the note", json.dumps(hist)[:500])
            st, body = api_request("GET", f"{base}/api/v1/alerts?limit=100")
            got = {x["id"]: get_path(x, "alert.status") for x in (body or {}).get("alerts", [])}
            c.equal(got, {**others, alert_id: "acknowledged"}, "after a restart every alert and its status")
        finally:
            c.equal(daemon.stop(), 0, "run after restart: SIGTERM exits 0")


def rest_checks(base, sessions, counts, eve_alerts, d, want):
    """Returns (patched alert id, note, {other id: status}) or None."""
    st, body = api_request("GET", f"{base}/api/v1/alerts?limit=100")
    if not c.equal(st, 200, "GET /api/v1/alerts?limit=100"):
        return None
    alerts = body.get("alerts", [])
    c.equal(body.get("total"), len(alerts), "total equals the alerts listed")
    for a in alerts:
        print(f"     alert {a.get('id')}: sid {get_path(a, 'alert.signature_id')} {get_path(a, 'rule.id')!r} "
              f"{get_path(a, 'source.ip')} -> {get_path(a, 'destination.ip')} count {get_path(a, 'alert.count')}: "
              f"{get_path(a, 'alert.signature')}")

    intel = [a for a in alerts if is_intel(a)]
    other = [a for a in alerts if not is_intel(a)]
    c.equal(sorted(get_path(a, "alert.signature_id") for a in other),
            sorted([MARKER_SID, LARGE_UPLOAD, DNS_TUNNEL, BEACON_SID, VERTICAL_SCAN]),
            "exactly one alert each: marker rule, large_upload, dns_tunnel, beacon, vertical_scan")
    c.equal(len(intel), 2, "exactly two intel alerts (the address and the domain contacted)")
    by_sid = {get_path(a, "alert.signature_id"): a for a in other}
    rule_names = {LARGE_UPLOAD: "large_upload", DNS_TUNNEL: "dns_tunnel", BEACON_SID: "beacon",
                  VERTICAL_SCAN: "vertical_scan"}
    for sid, name in rule_names.items():
        if sid in by_sid:
            c.equal(get_path(by_sid[sid], "rule.id"), name, f"sid {sid} is rule {name}")
    c.check(all(get_path(a, "source.ip") == INSIDE for a in alerts), "every alert's source is the inside host",
            str([get_path(a, "source.ip") for a in alerts]))
    c.check(all(get_path(a, "alert.status") == "new" for a in alerts), "every alert starts as new")

    def evidence_ids(a):
        return {str(e.get("session_id")) for e in a.get("evidence", [])}

    def check_alert(sid, what, dst, exact=None, subset=None, min_n=1):
        a = by_sid.get(sid)
        if not c.check(a is not None, f"{what}: alert present"):
            return
        c.equal(get_path(a, "destination.ip"), dst, f"{what}: destination")
        ids = evidence_ids(a)
        if exact is not None:
            c.equal(ids, exact, f"{what}: evidence is exactly its session")
        if subset is not None:
            c.check(len(ids) >= min_n and ids <= subset, f"{what}: {len(ids)} evidence sessions, all its own (>= {min_n})",
                    str(sorted(ids - subset))[:300])

    c.check(not any(evidence_ids(a) & want["ordinary"] for a in alerts),
            "no alert has an ordinary GET or the 30 MiB download as evidence")
    check_alert(LARGE_UPLOAD, "large_upload", WEB, exact=want["upload"])
    check_alert(MARKER_SID, "marker rule sid 1000001", WEB, exact=want["marker"])
    check_alert(BEACON_SID, "beacon", BEACON, subset=want["beacon"], min_n=8)
    check_alert(VERTICAL_SCAN, "vertical_scan", SCAN, subset=want["scan"])
    check_alert(DNS_TUNNEL, "dns_tunnel", DNS, subset=want["tunnel"])
    if DNS_TUNNEL in by_sid:
        a = by_sid[DNS_TUNNEL]
        c.check("exfil.example" in (get_path(a, "alert.signature") or "") + json.dumps(a.get("details", {})),
                "dns_tunnel names the domain exfil.example", get_path(a, "alert.signature"))
    if MARKER_SID in by_sid:
        c.equal(get_path(by_sid[MARKER_SID], "alert.signature"), "E2E marker URI", "marker rule alert carries its msg")

    # Intel: one alert per contacted indicator, naming it.
    for value, dst, ids, what in ((INTEL_IP, INTEL_IP, want["intel_ip"], "intel address"),
                                  ("bad.example", DNS, want["intel_dns"], "intel domain")):
        hits = [a for a in intel if value in json.dumps(a.get("threat", {}))]
        if not c.equal(len(hits), 1, f"{what}: one intel alert naming {value}"):
            print("     " + json.dumps(intel)[:1500])
            continue
        a = hits[0]
        c.equal(get_path(a, "destination.ip"), dst, f"{what}: destination")
        c.check(evidence_ids(a) and evidence_ids(a) <= ids, f"{what}: evidence is the contacting session",
                str(evidence_ids(a)))
    c.check(not any(v in json.dumps(intel) for v in ("203.0.113.250", "never-contacted.example")),
            "no alert for indicators nothing contacted")

    # Evidence pcap links: a whole pcap, the session's packets (ECS record
    # and the capture's 5-tuple), as tshark reads them.
    n_links = 0
    for a in alerts:
        for e in a.get("evidence", []):
            sid = str(e.get("session_id"))
            s = sessions.get(sid)
            what = f"alert {a.get('id')} sid {get_path(a, 'alert.signature_id')} evidence session {sid}"
            if not c.check(s is not None, what + ": is a session in the ECS export"):
                continue
            key = five_tuple_key(get_path(s, "network.transport"), get_path(s, "source.ip"), get_path(s, "source.port"),
                                 get_path(s, "destination.ip"), get_path(s, "destination.port"))
            want_n = get_path(s, "network.packets")
            c.equal(counts.get(key), want_n, what + ": session packets equal the capture's for its 5-tuple")
            path = os.path.join(d, f"evidence-{n_links}.pcap")
            if save_evidence_pcap(c, base + (e.get("pcap") or "/missing"), what, path, timeout=60) is None:
                continue
            got_n = tshark_count(path)
            c.check(got_n == want_n, what + f": tshark reads the session's {want_n} packets",
                    f"(got {got_n}; evidence {e.get('start')} .. {e.get('end')}, "
                    f"session {get_path(s, 'event.start')} .. {get_path(s, 'event.end')})")
            n_links += 1
    c.check(n_links >= 8, f"{n_links} evidence pcap links checked")
    for a in alerts:
        c.equal(a.get("pcap"), (a.get("evidence") or [{}])[0].get("pcap"), f"alert {a.get('id')}: pcap is the first evidence's link")

    # EVE: the same alerts.
    c.equal(sorted({x.get("alert", {}).get("signature_id") for x in eve_alerts}),
            sorted({get_path(a, "alert.signature_id") for a in alerts}), "EVE alert signature_ids equal the API's")
    marker_eve = [x for x in eve_alerts if x.get("alert", {}).get("signature_id") == MARKER_SID]
    c.check(marker_eve and all(x.get("dest_ip") == WEB and x.get("dest_port") == 8080 for x in marker_eve),
            "EVE marker alert: dest 198.51.100.10:8080", json.dumps(marker_eve)[:400])

    # Single alert, bad ids, and a PATCH.
    if LARGE_UPLOAD not in by_sid:
        return None
    target = by_sid[LARGE_UPLOAD]
    st, one = api_request("GET", f"{base}/api/v1/alerts/{target['id']}")
    c.check(st == 200 and one.get("id") == target["id"] and get_path(one, "alert.signature_id") == LARGE_UPLOAD,
            "GET /api/v1/alerts/{id}", str(one)[:300])
    unknown = max(a["id"] for a in alerts) + 1000
    c.equal(api_request("GET", f"{base}/api/v1/alerts/{unknown}")[0], 404, "GET of an unknown alert id: 404")
    c.equal(api_request("GET", f"{base}/api/v1/alerts/abc")[0], 400, "GET of a non-number alert id: 400")
    c.equal(api_request("PATCH", f"{base}/api/v1/alerts/{target['id']}", {"status": "sleeping"})[0], 400,
            "PATCH with an unknown status: 400")
    note = "e2e: upload to a partner, checked"
    st, patched = api_request("PATCH", f"{base}/api/v1/alerts/{target['id']}", {"status": "acknowledged", "note": note})
    c.check(st == 200 and get_path(patched, "alert.status") == "acknowledged", "PATCH acknowledges the alert",
            f"{st} {str(patched)[:300]}")
    others = {a["id"]: "new" for a in alerts if a["id"] != target["id"]}
    return target["id"], note, others


if __name__ == "__main__":
    main()
    c.finish()
