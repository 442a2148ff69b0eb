#!/usr/bin/env python3
"""Field-level agreement between opensocd's protocol events and tshark.

What it owns: running `tshark -T fields` (the oracle, TCP reassembly on) and
`opensocd ingest --eve-out` over the same captures and comparing, per field,
the MULTISET of (flow, value) pairs each side reports. tshark reports per
frame, opensocd per event, so nothing is paired by packet: a value agrees
when both sides report it on the same flow the same number of times. The
flow is the 5-tuple with its two endpoints sorted (orientation-free).
tshark runs with TCP reassembly on, out-of-order segments included, and
mDNS/LLMNR counted as DNS (opensocd parses ports 5353/5355 as DNS).

Fields (tshark field -> EVE field):
  dns.qname      dns.qry.name (first question of each message) + dns.flags.response
                 -> dns.queries[0].rrname + dns.type
  dns.rcode      dns.flags.rcode of responses -> dns.rcode of "response" events
  http.host      http.host without ":port" (EVE logs it in http_port; IPv6 brackets
                 kept, as Suricata does) -> http.hostname
  http.method    http.request.method -> http.http_method
  http.uri       http.request.uri -> http.url
  http.status    http.response.code -> http.status
  http.user_agent http.user_agent -> http.http_user_agent
  tls.sni        tls.handshake.extensions_server_name -> tls.sni
  tls.version    ServerHello supported_versions, else its legacy version -> tls.version
  tls.ja3        tls.handshake.ja3 -> tls.ja3.hash
  tls.ja3s       tls.handshake.ja3s -> tls.ja3s.hash
HTTP and TLS are compared over TCP only: tshark also dissects HTTP over UDP
(SSDP) and the TLS handshake inside QUIC, which opensocd logs as other event
types; those frames are counted under "out_of_scope" and not compared.
tshark 4.0 has no JA4 field, so JA4 is not compared.

Output: a per-field table (tshark count, ours, matched, agreement =
matched / max(tshark, ours)) and every difference: capture, flow, value,
tshark frame numbers, our pcap_cnt values. --json writes the same as one
object. Single-threaded driver; the tshark and opensocd runs use a small
thread pool (--jobs). Exit status 0 unless a tool failed on a capture.
"""
import argparse
import collections
import concurrent.futures
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

FIELDS = ["dns.qname", "dns.rcode", "http.host", "http.method", "http.uri", "http.status",
          "http.user_agent", "tls.sni", "tls.version", "tls.ja3", "tls.ja3s"]

TSHARK_FIELDS = [
    "frame.number", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
    "udp.srcport", "udp.dstport", "icmp.type", "icmpv6.type", "http2.streamid",
    "dns.count.queries", "dns.qry.name", "dns.flags.response", "dns.flags.rcode",
    "http.host", "http.request.method", "http.request.uri", "http.response.code", "http.user_agent",
    "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.ja3",
    "tls.handshake.ja3s", "tls.handshake.version", "tls.handshake.extensions.supported_version",
]
# Multiple occurrences of a field in one frame are joined with this; it cannot
# occur in a DNS name, HTTP header value or hash as tshark prints them.
AGGREGATOR = "\x1f"
# mDNS and LLMNR are DNS messages on ports 5353/5355 (tshark names them
# apart but fills the same dns.* fields); opensocd parses them as DNS.
DISPLAY_FILTER = "dns or mdns or llmnr or http or tls"
# TCP as opensocd reassembles it: in sequence order, out-of-order segments
# included (tshark 4.0 leaves those out by default and then loses HTTP/TLS
# framing for the rest of the stream).
TSHARK_OPTIONS = ["-o", "tcp.desegment_tcp_streams:TRUE", "-o", "tcp.reassemble_out_of_order:TRUE"]

RCODES = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5,
          "YXDOMAIN": 6, "YXRRSET": 7, "NXRRSET": 8, "NOTAUTH": 9, "NOTZONE": 10}
# Our tls.version strings (src/session/eve_json.cpp eve_tls_version).
TLS_VERSIONS = {0x0200: "SSLv2", 0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLS 1.1",
                0x0303: "TLS 1.2", 0x0304: "TLS 1.3"}


def norm_ip(text):
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


def flow_key(proto, a, ap, b, bp):
    ends = sorted([(norm_ip(a), int(ap)), (norm_ip(b), int(bp))])
    return (proto, ends[0][0], ends[0][1], ends[1][0], ends[1][1])


def flow_text(key):
    proto, a, ap, b, bp = key
    return f"{proto} {a}:{ap} <-> {b}:{bp}"


def strip_host_port(host):
    """`Host: h:8080` -> `h`, `[::1]:80` -> `[::1]`: EVE logs the port apart
    and keeps an IPv6 literal's brackets, as Suricata does."""
    if host.startswith("["):
        end = host.find("]")
        return host[:end + 1] if end > 0 else host
    if host.count(":") == 1:
        name, port = host.split(":")
        if port.isdigit():
            return name
    return host


def tshark_version_name(hex_text):
    try:
        v = int(hex_text, 16)
    except ValueError:
        return hex_text
    return TLS_VERSIONS.get(v, f"0x{v:04x}")


# --- tshark side ---------------------------------------------------------

def run_tshark(path, timeout, extra_options=()):
    cmd = ["tshark", "-n", "-r", path, *TSHARK_OPTIONS, *extra_options,
           "-Y", DISPLAY_FILTER, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
           "-E", "aggregator=" + AGGREGATOR, "-E", "quote=n"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    out = r.stdout.decode("utf-8", "backslashreplace")
    if r.returncode != 0 and not out:
        return None, r.stderr.decode("utf-8", "replace").strip()[-300:]
    return out, None


def tshark_items(text):
    """{field: [(flow, value, frame, note)]} and out-of-scope counts from tshark's rows."""
    items = collections.defaultdict(list)
    out_of_scope = collections.Counter()
    for line in text.splitlines():
        cols = line.split("\t")
        if len(cols) < len(TSHARK_FIELDS):
            cols += [""] * (len(TSHARK_FIELDS) - len(cols))
        v = {f: (cols[i].split(AGGREGATOR) if cols[i] else []) for i, f in enumerate(TSHARK_FIELDS)}
        frame = int(v["frame.number"][0])
        # The innermost addresses: a tunnelled or ICMP-quoted packet's own.
        src = (v["ip.src"] or v["ipv6.src"] or [""])[-1]
        dst = (v["ip.dst"] or v["ipv6.dst"] or [""])[-1]
        if v["tcp.srcport"]:
            proto, sp, dp = "tcp", v["tcp.srcport"][-1], v["tcp.dstport"][-1]
        elif v["udp.srcport"]:
            proto, sp, dp = "udp", v["udp.srcport"][-1], v["udp.dstport"][-1]
        else:
            continue
        key = flow_key(proto, src, sp, dst, dp)
        # Hints for whoever reads a difference: where tshark found the value.
        note = "; ".join(n for n, present in (("inside an ICMP error", v["icmp.type"] or v["icmpv6.type"]),
                                              ("carried in HTTP/2 (DoH)", v["http2.streamid"])) if present)

        # DNS: one message per dns.count.queries occurrence; names follow in order.
        names = v["dns.qry.name"]
        rcodes = iter(v["dns.flags.rcode"])
        off = 0
        for i, count in enumerate(v["dns.count.queries"]):
            n = int(count) if count.isdigit() else 0
            response = i < len(v["dns.flags.response"]) and v["dns.flags.response"][i] in ("1", "True")
            if n > 0 and off < len(names):
                name = names[off]
                if name == "<Root>":
                    name = "<root>"
                items["dns.qname"].append((key, f"{'response' if response else 'request'} {name}", frame, note))
            off += n
            if response:
                rc = next(rcodes, None)
                if rc is not None:
                    items["dns.rcode"].append((key, str(int(rc)), frame, note))

        http = {"http.host": [strip_host_port(h) for h in v["http.host"]],
                "http.method": v["http.request.method"], "http.uri": v["http.request.uri"],
                "http.status": v["http.response.code"], "http.user_agent": v["http.user_agent"]}
        tls = {"tls.sni": v["tls.handshake.extensions_server_name"], "tls.ja3": v["tls.handshake.ja3"],
               "tls.ja3s": v["tls.handshake.ja3s"]}
        if "2" in v["tls.handshake.type"]:
            # A ServerHello's supported_versions holds the one negotiated version.
            sv = v["tls.handshake.extensions.supported_version"]
            hv = v["tls.handshake.version"]
            tls["tls.version"] = [tshark_version_name(sv[0] if sv else hv[0])] if (sv or hv) else []
        for group in (http, tls):
            for field, values in group.items():
                for value in values:
                    if proto != "tcp":
                        out_of_scope[field] += 1
                    else:
                        items[field].append((key, value, frame, note))
    return items, out_of_scope


# --- opensocd side -------------------------------------------------------

def run_opensocd(opensocd, path, timeout):
    d = tempfile.mkdtemp(prefix="h9-fields-")
    try:
        eve = os.path.join(d, "eve.json")
        r = subprocess.run([opensocd, "ingest", "--data-dir", os.path.join(d, "data"), "--eve-out", eve, path],
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            return None, f"exit {r.returncode}: {(r.stderr or r.stdout).strip()[-300:]}"
        with open(eve) as f:
            return [json.loads(line) for line in f if line.strip()], None
    finally:
        shutil.rmtree(d, ignore_errors=True)


def our_items(events):
    items = collections.defaultdict(list)
    for e in events:
        et = e.get("event_type")
        if et not in ("dns", "http", "tls"):
            continue
        proto = str(e.get("proto", "")).lower()
        if proto not in ("tcp", "udp") or "src_port" not in e:
            continue
        key = flow_key(proto, e["src_ip"], e["src_port"], e["dest_ip"], e["dest_port"])
        pkt = e.get("pcap_cnt", 0)
        if et == "dns":
            d = e.get("dns", {})
            response = d.get("type") == "response"
            queries = d.get("queries") or []
            if queries:
                items["dns.qname"].append((key, f"{'response' if response else 'request'} {queries[0].get('rrname', '')}", pkt, ""))
            if response and "rcode" in d:
                rc = d["rcode"]
                items["dns.rcode"].append((key, str(RCODES.get(rc, rc)), pkt, ""))
        elif et == "http" and proto == "tcp":
            h = e.get("http", {})
            for field, name in (("http.host", "hostname"), ("http.method", "http_method"), ("http.uri", "url"),
                                ("http.status", "status"), ("http.user_agent", "http_user_agent")):
                if name in h:
                    items[field].append((key, str(h[name]), pkt, ""))
        elif et == "tls" and proto == "tcp":
            t = e.get("tls", {})
            if "sni" in t:
                items["tls.sni"].append((key, t["sni"], pkt, ""))
            if "ja3" in t:
                items["tls.ja3"].append((key, t["ja3"]["hash"], pkt, ""))
            if "ja3s" in t:
                items["tls.ja3s"].append((key, t["ja3s"]["hash"], pkt, ""))
            # "UNDETERMINED" without a JA3S means no ServerHello was seen: nothing to compare.
            version = t.get("version")
            if version and (version != "UNDETERMINED" or "ja3s" in t):
                items["tls.version"].append((key, version, pkt, ""))
    return items


# --- comparison ----------------------------------------------------------

def compare(capture, theirs, ours):
    """Per field: counts and the differences of the two multisets."""
    result = {}
    for field in FIELDS:
        t_by = collections.defaultdict(list)
        o_by = collections.defaultdict(list)
        for key, value, frame, note in theirs.get(field, []):
            t_by[(key, value)].append((frame, note))
        for key, value, pkt, _ in ours.get(field, []):
            o_by[(key, value)].append(pkt)
        matched = 0
        diffs = []
        for kv in sorted(set(t_by) | set(o_by), key=repr):
            tf, of = t_by.get(kv, []), o_by.get(kv, [])
            matched += min(len(tf), len(of))
            if len(tf) != len(of):
                notes = sorted({n for _, n in tf if n})
                diffs.append({"capture": capture, "field": field, "flow": flow_text(kv[0]), "value": kv[1],
                              "tshark_frames": [f for f, _ in tf], "our_pcap_cnt": of,
                              "tshark": len(tf), "ours": len(of), "note": "; ".join(notes)})
        result[field] = {"tshark": sum(len(x) for x in t_by.values()), "ours": sum(len(x) for x in o_by.values()),
                         "matched": matched, "differences": diffs}
    return result


def analyse(capture, opensocd, timeout, tshark_options=()):
    """One capture: None when tshark sees no dns/http/tls in it, else its comparison."""
    started = time.monotonic()
    text, err = run_tshark(capture, timeout, tshark_options)
    if text is None:
        return {"capture": capture, "error": f"tshark: {err}"}
    if not text.strip():
        return None
    theirs, out_of_scope = tshark_items(text)
    events, err = run_opensocd(opensocd, capture, timeout)
    if events is None:
        return {"capture": capture, "error": f"opensocd: {err}"}
    return {"capture": capture, "fields": compare(capture, theirs, our_items(events)),
            "out_of_scope": dict(out_of_scope), "seconds": round(time.monotonic() - started, 2)}


def agreement(t, o, m):
    return 100.0 if max(t, o) == 0 else 100.0 * m / max(t, o)


def run_all(captures, opensocd, jobs=2, timeout=300, tshark_options=()):
    """Runs every capture; returns the report object (see --json)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda c: analyse(c, opensocd, timeout, tshark_options), captures))
    totals = {f: {"tshark": 0, "ours": 0, "matched": 0} for f in FIELDS}
    differences = []
    errors = []
    compared = []
    seconds = {}
    skipped = []
    out_of_scope = collections.Counter()
    for capture, r in zip(captures, results):
        if r is None:
            skipped.append(capture)
            continue
        if "error" in r:
            errors.append(r)
            continue
        compared.append(capture)
        seconds[capture] = r["seconds"]
        out_of_scope.update(r["out_of_scope"])
        for f in FIELDS:
            for k in ("tshark", "ours", "matched"):
                totals[f][k] += r["fields"][f][k]
            differences += r["fields"][f]["differences"]
    for f in FIELDS:
        t = totals[f]
        t["agreement"] = round(agreement(t["tshark"], t["ours"], t["matched"]), 3)
    return {"compared": compared, "seconds": seconds, "skipped_no_dns_http_tls": skipped, "errors": errors,
            "fields": totals, "out_of_scope_tshark_values": dict(out_of_scope), "differences": differences}


def short_path(path):
    """suricata-verify captures by test name; others as given."""
    marker = "/suricata-verify/tests/"
    return path.split(marker, 1)[1] if marker in path else path


def print_report(report, out=sys.stdout):
    print(f"captures compared: {len(report['compared'])}, without dns/http/tls in tshark: "
          f"{len(report['skipped_no_dns_http_tls'])}, errors: {len(report['errors'])}", file=out)
    for e in report["errors"]:
        print(f"ERROR {e['capture']}: {e['error']}", file=out)
    print(f"{'field':<16} {'tshark':>7} {'ours':>7} {'matched':>8} {'agreement':>10}", file=out)
    for f, t in report["fields"].items():
        print(f"{f:<16} {t['tshark']:>7} {t['ours']:>7} {t['matched']:>8} {t['agreement']:>9.2f}%", file=out)
    if report["out_of_scope_tshark_values"]:
        print(f"not compared (tshark values over UDP: SSDP, QUIC): {report['out_of_scope_tshark_values']}", file=out)
    for d in report["differences"]:
        print(f"DIFF {d['field']} {short_path(d['capture'])} {d['flow']} value={d['value']!r} "
              f"tshark={d['tshark']} frames={d['tshark_frames'][:8]} ours={d['ours']} pcap_cnt={d['our_pcap_cnt'][:8]}"
              + (f" ({d['note']})" if d["note"] else ""), file=out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--opensocd", default=shutil.which("opensocd") or "build/src/opensocd")
    ap.add_argument("--json", help="write the report as JSON to this file")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=300, help="per tool run, seconds")
    ap.add_argument("--tshark-option", action="append", default=[], metavar="PREF:VALUE",
                    help="an extra tshark -o preference, e.g. http.desegment_body:FALSE (repeatable)")
    ap.add_argument("captures", nargs="+")
    a = ap.parse_args()
    extra = [x for o in a.tshark_option for x in ("-o", o)]
    report = run_all(a.captures, a.opensocd, a.jobs, a.timeout, extra)
    print_report(report)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
