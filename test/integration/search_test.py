#!/usr/bin/env python3
"""End-to-end search: `opensocd ingest` indexes the sessions and protocol
events of a merged corpus capture; `opensocd search` (CLI) and
GET /api/v1/sessions|events (REST, served by `opensocd run` over the same
data dir) must return exactly the records an independent oracle selects.

The oracle is this file: predicates over the ECS lines that ingest exports
(ipaddress for CIDR, str.endswith for suffixes, numeric compares, Python
set algebra for AND/OR/NOT), and the ECS lines are themselves checked
against tshark (conversations, DNS names, HTTP hosts, SNIs). Also: paging,
sort, facets, histogram, query-error positions, the "pcap" link of a
record against tshark's frames of its 5-tuple, and time-to-search of a DNS
query on a live af_packet capture.

argv: OPENSOCD SOURCE_ROOT CORPUS_DIR
"""
import collections
import ipaddress
import json
import os
import re
import struct
import sys
import time
import urllib.parse
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Checks, Daemon, af_packet_capture_yaml, args, free_port, http_get, idle_capture_yaml,  # noqa: E402
                     make_veth_namespace, read_pcap, read_pcap_file, run, temp_dir, wait_for, write_config,
                     write_pcap)

opensocd, root, corpus = args()
c = Checks("search")
SV = os.path.join(corpus, "suricata-verify", "tests")

# DNS, HTTP (IPv4 and IPv6) and TLS, every flow distinct. Loopback (null)
# and raw-IP captures get an Ethernet header so the files merge.
CAPTURES = [
    "cond-log-dns-dig/input.pcap",
    "dns-eve-v2-udp-nxdomain-soa/dns-udp-nxdomain-soa.pcap",
    "lua-output-dns/test.pcap",
    "dns-opcode/dns-notify.pcap",
    "lua-output-http/input.pcap",
    "http-options-method/input.pcap",
    "http-all-headers/input.pcap",
    "http-ipv6/input.pcap",
    "ja4-tls/input.pcap",
    "tls-duplicate-hello/input.pcap",
    "tls-alpn-log-detect-02/input.pcap",
]
BASE_NS = 1_700_000_007_500_000_000  # 2023-11-14T22:13:27.5Z: not on a minute boundary
MAX_GAP_NS = 20_000_000_000          # longer pauses (and file boundaries) become 25 s
FILE_GAP_NS = 25_000_000_000
NS = 1_000_000_000


# ---------------------------------------------------------------- capture ---

def to_ethernet(link, frame):
    """A frame of link type `link` as an Ethernet frame (None: not IP)."""
    if link == 1:
        return frame
    if link == 0:  # BSD loopback: 4-byte address family, host order
        if len(frame) < 4:
            return None
        fam = struct.unpack("<I", frame[:4])[0]
        payload = frame[4:]
        ethertype = 0x0800 if fam == 2 else 0x86DD if fam in (24, 28, 30) else None
    elif link in (101, 12, 14):  # raw IP
        payload = frame
        ethertype = 0x0800 if payload[:1] and payload[0] >> 4 == 4 else 0x86DD
    else:
        return None
    if ethertype is None:
        return None
    return b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + struct.pack(">H", ethertype) + payload


def build_capture(d):
    parts = []
    for i, rel in enumerate(CAPTURES):
        link, recs = read_pcap_file(os.path.join(SV, rel))
        out = []
        for ts, _, wirelen, frame in recs:
            f = to_ethernet(link, frame)
            if f is not None:
                out.append((ts, len(f), wirelen + len(f) - len(frame), f))
        parts.append(write_pcap(os.path.join(d, f"part{i:02d}.pcap"), out))
    raw = os.path.join(d, "merged-raw.pcap")
    r = run(["mergecap", "-a", "-F", "pcap", "-w", raw] + parts)
    c.equal(r.returncode, 0, "mergecap -a of the corpus captures")
    # Re-time: the corpus spans years; squeeze it into a few minutes,
    # keeping every short gap (so handshakes keep their order and timing).
    _, recs = read_pcap_file(raw)
    out, prev, t = [], None, BASE_NS
    for ts, caplen, wirelen, frame in recs:
        if prev is not None:
            gap = ts - prev
            t += gap if 0 <= gap <= MAX_GAP_NS else FILE_GAP_NS
        prev = ts
        out.append((t, caplen, wirelen, frame))
    return write_pcap(os.path.join(d, "capture.pcap"), out)


# ----------------------------------------------------------------- oracle ---

def parse_ts(s):
    """RFC 3339 with up to 9 fraction digits, 'Z' -> ns since the epoch."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z", s)
    assert m, s
    sec = int(datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp())
    return sec * NS + int((m.group(2) or "0").ljust(9, "0"))


def get(rec, dotted):
    """Values of a dotted ECS field in a nested record, as a list."""
    vs = [rec]
    for k in dotted.split("."):
        nxt = []
        for v in vs:
            if isinstance(v, dict) and k in v:
                nxt += v[k] if isinstance(v[k], list) else [v[k]]
        vs = nxt
    return vs


ALIASES = {
    "ip": ["source.ip", "destination.ip"],
    "port": ["source.port", "destination.port"],
    "host": ["url.domain", "dns.question.name", "tls.client.server_name", "dhcp.hostname"],
    "sni": ["tls.client.server_name"],
    "dns": ["dns.question.name"],
    "status": ["http.response.status_code"],
    "transport": ["network.transport"],
    "proto": ["network.protocol"],
}
TEXT_FIELDS = ["url.original", "user_agent.original", "tls.server.subject", "tls.server.issuer"]
DOMAIN_FIELDS = ["dns.question.name", "dns.answers.name", "url.domain", "tls.client.server_name",
                 "tls.server.x509.alternative_names", "dhcp.hostname"]


def values(rec, field):
    out = []
    for f in ALIASES.get(field, [field]):
        out += get(rec, f)
    return out


def dom(v):
    v = str(v).lower()
    return v[:-1] if v.endswith(".") else v


def eq(field, value):
    return lambda r: any(str(v).lower() == str(value).lower() for v in values(r, field))


def dom_eq(field, value):
    return lambda r: any(dom(v) == dom(value) for v in values(r, field))


def ends(field, suffix):
    return lambda r: any(dom(v).endswith(suffix) for v in values(r, field))


def starts(field, prefix):
    return lambda r: any(dom(v).startswith(prefix) for v in values(r, field))


def in_net(field, cidr):
    net = ipaddress.ip_network(cidr, strict=False)
    return lambda r: any(ipaddress.ip_address(v).version == net.version and ipaddress.ip_address(v) in net
                         for v in values(r, field))


def as_number(v):
    # ECS renders some number fields as strings (dns.id is a keyword in ECS).
    if isinstance(v, (int, float)):
        return v
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def num(field, test):
    """A range: each field of an alias by its FIRST value (the slot;
    query_compiler.hpp), the alias the OR of its fields."""
    def pred(r):
        firsts = [get(r, f)[:1] for f in ALIASES.get(field, [field])]
        return any(as_number(v) is not None and test(as_number(v)) for vs in firsts for v in vs)
    return pred


def num_eq(field, n):
    """An exact number: any value of any field of the alias."""
    return lambda r: any(as_number(v) == n for v in values(r, field))


def words_of(rec):
    ws = set()
    for f in TEXT_FIELDS + DOMAIN_FIELDS:
        for v in get(rec, f):
            ws.update(w for w in re.findall(r"[a-z0-9]+", str(v).lower()) if 2 <= len(w) <= 64)
    return ws


def text(*ws):
    return lambda r: all(w in words_of(r) for w in ws)


def text_prefix(p):
    return lambda r: any(w.startswith(p) for w in words_of(r))


def AND(*ps):
    return lambda r: all(p(r) for p in ps)


def OR(*ps):
    return lambda r: any(p(r) for p in ps)


def NOT(p):
    return lambda r: not p(r)


def key(rec):
    """Identity of a record: sessions by id; events by (session id, sequence)."""
    sid = get(rec, "session.id")[0]
    ds = get(rec, "event.dataset")[0]
    return sid if ds == "session" else (sid, get(rec, "event.sequence")[0])


def fmt(keys):
    return sorted(keys, key=str)


def five_tuple(rec):
    a = (get(rec, "source.ip")[0], (get(rec, "source.port") or [0])[0])
    b = (get(rec, "destination.ip")[0], (get(rec, "destination.port") or [0])[0])
    return (get(rec, "network.transport")[0],) + tuple(sorted([a, b], key=str))


# ------------------------------------------------------------ tshark side ---

def tshark_conversations(pcap):
    out = set()
    for proto in ("tcp", "udp"):
        r = run(["tshark", "-n", "-r", pcap, "-q", "-z", f"conv,{proto}"])
        for line in r.stdout.splitlines():
            m = re.match(r"\s*(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s", line)
            if m:
                a, b = (m.group(1), int(m.group(2))), (m.group(3), int(m.group(4)))
                a = (str(ipaddress.ip_address(a[0])), a[1])
                b = (str(ipaddress.ip_address(b[0])), b[1])
                out.add((proto,) + tuple(sorted([a, b], key=str)))
    return out


def tshark_directed(pcap):
    """{(transport, (src ip, port), (dst ip, port)): [frames, bytes]} from
    tshark's per-frame fields (frame.len, as the session counters count)."""
    out = collections.defaultdict(lambda: [0, 0])
    r = run(["tshark", "-n", "-r", pcap, "-o", "ip.defragment:FALSE", "-T", "fields", "-E", "separator=/t",
             "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e",
             "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "frame.len"])
    for line in r.stdout.splitlines():
        f = line.split("\t")
        if len(f) != 9:
            continue
        src, dst = (f[0] or f[1]).split(",")[0], (f[2] or f[3]).split(",")[0]
        tp = "tcp" if f[4] else "udp" if f[6] else None
        if not tp or not src:
            continue
        sp, dp = (f[4], f[5]) if tp == "tcp" else (f[6], f[7])
        k = (tp, (str(ipaddress.ip_address(src)), int(sp)), (str(ipaddress.ip_address(dst)), int(dp)))
        out[k][0] += 1
        out[k][1] += int(f[8])
    return out


def tshark_values(pcap, flt, field):
    r = run(["tshark", "-n", "-r", pcap, "-Y", flt, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,",
             "-e", field])
    return {dom(v) for line in r.stdout.splitlines() for v in line.split(",") if v}


# ---------------------------------------------------------------- queries ---

def session_cases():
    """(query, predicate) for every query form, over session records."""
    return [
        ("network.transport:udp", eq("network.transport", "udp")),
        ("transport:TCP", eq("network.transport", "tcp")),
        ("network.protocol:tls", eq("network.protocol", "tls")),
        ("proto:http", eq("network.protocol", "http")),
        ("ip:10.16.1.11", eq("ip", "10.16.1.11")),
        ("destination.ip:8.8.4.4", eq("destination.ip", "8.8.4.4")),
        ("port:443", num_eq("port", 443)),
        ("source.port:41805", num_eq("source.port", 41805)),
        ("destination.port:53", num_eq("destination.port", 53)),
        ("host:codemonkey.net", dom_eq("host", "codemonkey.net")),
        ("host:::1", OR(dom_eq("host", "::1"), eq("ip", "::1"))),  # host: with an address also means ip:
        ("host:10.16.1.0/24", in_net("ip", "10.16.1.0/24")),
        ("sni:p130-contacts.icloud.com", dom_eq("sni", "p130-contacts.icloud.com")),
        ("dns:www.suricata-ids.org", dom_eq("dns", "www.suricata-ids.org")),
        ("url.domain:codemonkey.net", dom_eq("url.domain", "codemonkey.net")),
        ("ip:10.0.0.0/8", in_net("ip", "10.0.0.0/8")),
        ("ip:192.168.0.0/16", in_net("ip", "192.168.0.0/16")),
        ("source.ip:10.16.1.0/24", in_net("source.ip", "10.16.1.0/24")),
        ("ip:8.8.4.4/32", in_net("ip", "8.8.4.4/32")),
        ("ip:17.240.0.0/12", in_net("ip", "17.240.0.0/12")),
        ("ip:104.131.202.103/12", in_net("ip", "104.128.0.0/12")),  # host bits masked off
        ("ip:::1/128", in_net("ip", "::1/128")),
        ("ip:::/64", in_net("ip", "::/64")),
        ("ip:127.0.0.0/8", in_net("ip", "127.0.0.0/8")),
        ("10.16.1.1", eq("ip", "10.16.1.1")),  # a bare address means ip:
        ("dns:*.dropbox.com", ends("dns", ".dropbox.com")),
        ("host:*.net", ends("host", ".net")),
        ("sni:*.icloud.com", ends("sni", ".icloud.com")),
        ("dns:*box.com", ends("dns", "box.com")),
        ("host:*ids.org", ends("host", "ids.org")),
        ("dns.question.name:client*", starts("dns.question.name", "client")),
        ("host:code*", starts("host", "code")),
        ("ja4:t13*", starts("tls.client.ja4", "t13")),
        ("ua:curl*", starts("user_agent.original", "curl")),
        ('ua:"curl/7.40.0"', eq("user_agent.original", "curl/7.40.0")),
        ("ua:Mozilla/5.0", eq("user_agent.original", "mozilla/5.0")),
        ("source.bytes:>500", num("source.bytes", lambda v: v > 500)),
        ("source.bytes:>=1470", num("source.bytes", lambda v: v >= 1470)),
        ("destination.bytes:<100", num("destination.bytes", lambda v: v < 100)),
        ("network.bytes:<=259", num("network.bytes", lambda v: v <= 259)),
        ("destination.port:1..1024", num("destination.port", lambda v: 1 <= v <= 1024)),
        ("source.port:[40000 TO 60000]", num("source.port", lambda v: 40000 <= v <= 60000)),
        ("network.packets:13", num_eq("network.packets", 13)),
        ("port:>50000", num("port", lambda v: v > 50000)),
        ("bytes:>=2000", num("network.bytes", lambda v: v >= 2000)),
        ("event.duration:>=1000000", num("event.duration", lambda v: v >= 1000000)),
        ("NOT transport:udp", NOT(eq("network.transport", "udp"))),
        # A query starting with the `-` negation goes after `--` on the command line.
        ("-ip:10.0.0.0/8", NOT(in_net("ip", "10.0.0.0/8"))),
        ("port:53 AND NOT dns:*.dropbox.com", AND(num_eq("port", 53), NOT(ends("dns", ".dropbox.com")))),
        ("(port:53 OR port:443) AND NOT ip:10.16.1.0/24",
         AND(OR(num_eq("port", 53), num_eq("port", 443)), NOT(in_net("ip", "10.16.1.0/24")))),
        ("transport:tcp (ip:192.168.0.0/16 || ip:::1) && !port:443",
         AND(eq("network.transport", "tcp"), OR(in_net("ip", "192.168.0.0/16"), in_net("ip", "::1/128")),
             NOT(num_eq("port", 443)))),
        ("(dns:*.dropbox.com OR sni:*.icloud.com) OR (proto:http AND ip:::/64)",
         OR(ends("dns", ".dropbox.com"), ends("sni", ".icloud.com"),
            AND(eq("network.protocol", "http"), in_net("ip", "::/64")))),
        ("dropbox", text("dropbox")),
        ("icloud com", text("icloud", "com")),
        ('"client-cf dropbox"', text("client", "cf", "dropbox")),
        ("drop*", text_prefix("drop")),
        ("codemonkey NOT proto:http", AND(text("codemonkey"), NOT(eq("network.protocol", "http")))),
    ]


def event_cases():
    return [
        ("event.dataset:dns", eq("event.dataset", "dns")),
        ("event.dataset:http", eq("event.dataset", "http")),
        ("event.dataset:tls", eq("event.dataset", "tls")),
        ("dns.type:answer", eq("dns.type", "answer")),
        ("dns:*.dropbox.com", ends("dns", ".dropbox.com")),
        ("dns.question.name:block.dropbox.com", dom_eq("dns.question.name", "block.dropbox.com")),
        ("status:200", num_eq("status", 200)),
        ("http.response.status_code:>=200", num("http.response.status_code", lambda v: v >= 200)),
        ("http.response.status_code:<300", num("http.response.status_code", lambda v: v < 300)),
        ("status:200..299", num("status", lambda v: 200 <= v <= 299)),
        ("http.request.method:GET", eq("http.request.method", "get")),
        ("ip:::1", eq("ip", "::1")),
        ("sni:*.com", ends("sni", ".com")),
        ("dns.id:>30000", num("dns.id", lambda v: v > 30000)),
        ("dns.id:3407", num_eq("dns.id", 3407)),
        ("dns.response_code:NXDOMAIN", eq("dns.response_code", "nxdomain")),
        ("dns.question.type:SOA", eq("dns.question.type", "soa")),
        ("dns.answers.data:52.85.112.21", eq("dns.answers.data", "52.85.112.21")),
        ("http.request.method:OPTIONS OR tls.version:1.3",
         OR(eq("http.request.method", "options"), eq("tls.version", "1.3"))),
        ("url.original:/download.html", eq("url.original", "/download.html")),
        ("event.dataset:dns AND NOT dns.type:query", AND(eq("event.dataset", "dns"), NOT(eq("dns.type", "query")))),
        ("(event.dataset:http OR event.dataset:tls) AND ip:10.0.0.0/8",
         AND(OR(eq("event.dataset", "http"), eq("event.dataset", "tls")), in_net("ip", "10.0.0.0/8"))),
        ("dropbox", text("dropbox")),
    ]


# --------------------------------------------------------------- searches ---

def cli_search(cfg, q, kind="sessions", extra=()):
    cmd = [opensocd, "search", "-c", cfg, "--limit", "10000"] + list(extra)
    if kind != "sessions":
        cmd.append("--" + kind)
    r = run(cmd + ["--", q] if q.startswith("-") else cmd + [q])
    if r.returncode != 0:
        return None, r.stderr.strip()[-300:]
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()], ""


def api(base, path, **params):
    status, _, body = http_get(base + path + "?" + urllib.parse.urlencode(params), timeout=20)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, {"raw": body[:300]}


def api_search(base, q, kind="sessions", **params):
    status, body = api(base, f"/api/v1/{kind}", q=q, limit=10000, **params)
    if status != 200:
        return None, f"HTTP {status} {body}"
    return body, ""


def check_set(what, got_records, err, want_keys):
    if got_records is None:
        return c.check(False, what, err)
    got = [key(r) for r in got_records]
    ok = c.check(sorted(got, key=str) == sorted(want_keys, key=str), what,
                 f"\n     missing {fmt(set(want_keys) - set(got))}\n     extra   {fmt(set(got) - set(want_keys))}"
                 f"\n     duplicates {len(got) - len(set(got))}")
    return ok


def main():
    with temp_dir("opensoc-search-") as d:
        pcap = build_capture(d)
        data = os.path.join(d, "data")
        cfg = write_config(os.path.join(d, "ingest.yaml"), f"""
data_dir: {data}
log_level: info
store:
  enabled: true
  sync_on_close: false
  min_free_bytes: 0
  max_segment_age_s: 1d
search:
  commit_ms: 500
export:
  ecs:
    path: ecs.json
""")
        t0 = time.monotonic()
        r = run([opensocd, "ingest", "-c", cfg, pcap], timeout=120)
        if not c.equal(r.returncode, 0, "ingest of the merged capture"):
            print(r.stderr[-2000:])
            return
        print(f"     ingest took {time.monotonic() - t0:.1f} s")
        ecs_path = os.path.join(data, "ecs.json")
        with open(ecs_path) as f:
            ecs = [json.loads(line) for line in f if line.strip()]
        sessions = [e for e in ecs if get(e, "event.dataset") == ["session"]]
        events = [e for e in ecs if get(e, "event.dataset") != ["session"]]
        print(f"     {len(sessions)} sessions, {len(events)} events in ecs.json")

        # --- the ECS lines against tshark: the oracle stands on the capture.
        c.equal(sorted({five_tuple(s) for s in sessions}, key=str), sorted(tshark_conversations(pcap), key=str),
                "session 5-tuples equal tshark's tcp and udp conversations")
        c.equal(len(sessions), len({five_tuple(s) for s in sessions}), "one session per 5-tuple")
        directed = tshark_directed(pcap)
        for s in sessions:
            a = (get(s, "source.ip")[0], get(s, "source.port")[0])
            b = (get(s, "destination.ip")[0], get(s, "destination.port")[0])
            tp = get(s, "network.transport")[0]
            got = [get(s, "source.packets")[0], get(s, "source.bytes")[0], get(s, "destination.packets")[0],
                   get(s, "destination.bytes")[0]]
            c.equal(got, directed[(tp, a, b)] + directed[(tp, b, a)],
                    f"session {a} -> {b}: packets and bytes per direction equal tshark's")
        c.equal(len({key(s) for s in sessions}), len(sessions), "session ids are unique")
        c.equal({dom(v) for e in events for v in get(e, "dns.question.name")},
                tshark_values(pcap, "dns", "dns.qry.name"), "DNS names equal tshark's dns.qry.name")
        c.equal({dom(v) for e in events for v in get(e, "url.domain")},
                {re.sub(r":\d+$", "", v).strip("[]") for v in tshark_values(pcap, "http.request", "http.host")},
                "HTTP hosts equal tshark's http.host")
        c.equal({dom(v) for e in events for v in get(e, "tls.client.server_name")},
                tshark_values(pcap, "tls.handshake.type==1", "tls.handshake.extensions_server_name"),
                "TLS SNIs equal tshark's server_name")
        c.check({"dns", "http", "tls"} <= {get(e, "event.dataset")[0] for e in events}, "dns, http and tls events")

        # --- CLI: every query form.
        by_key = {key(s): s for s in sessions}
        s_cases = session_cases()
        e_cases = event_cases()
        empty = [q for q, p in s_cases if not any(p(s) for s in sessions)]
        c.equal(empty, [], "every session query selects at least one session (the cases can fail)")
        full = [q for q, p in s_cases if all(p(s) for s in sessions)]
        c.equal(full, [], "no session query selects every session")
        for q, p in s_cases:
            want = [key(s) for s in sessions if p(s)]
            got, err = cli_search(cfg, q)
            check_set(f"cli sessions  {q!r} ({len(want)})", got, err, want)
        for q, p in e_cases:
            want = [key(e) for e in events if p(e)]
            c.check(0 < len(want) < len(events), f"event query {q!r} selects some events, not all")
            got, err = cli_search(cfg, q, "events")
            check_set(f"cli events    {q!r} ({len(want)})", got, err, want)
        got, err = cli_search(cfg, "ip:10.16.1.0/24", "all")
        check_set("cli --all 'ip:10.16.1.0/24'", got, err,
                  [key(e) for e in ecs if in_net("ip", "10.16.1.0/24")(e)])
        got, err = cli_search(cfg, "")
        check_set("cli empty query: every session", got, err, list(by_key))

        # Time ranges: start/end inclusive, on @timestamp.
        stamps = sorted(parse_ts(s["@timestamp"]) for s in sessions)
        lo, hi = stamps[len(stamps) // 4], stamps[3 * len(stamps) // 4]

        def iso(ns):
            return datetime.fromtimestamp(ns // NS, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + f".{ns % NS:09d}Z"

        time_cases = [({"start": iso(lo)}, lambda t: t >= lo), ({"end": iso(hi)}, lambda t: t <= hi),
                      ({"start": iso(lo), "end": iso(hi)}, lambda t: lo <= t <= hi),
                      ({"start": iso(lo + 1), "end": iso(hi - 1)}, lambda t: lo + 1 <= t <= hi - 1)]
        for params, tp in time_cases:
            want = [key(s) for s in sessions if tp(parse_ts(s["@timestamp"]))]
            extra = [x for k, v in params.items() for x in (f"--{k}", v)]
            got, err = cli_search(cfg, "", extra=extra)
            check_set(f"cli time range {params} ({len(want)})", got, err, want)
        want = [key(s) for s in sessions if lo <= parse_ts(s["@timestamp"]) <= hi and eq("network.transport", "udp")(s)]
        got, err = cli_search(cfg, "transport:udp", extra=["--start", iso(lo), "--end", iso(hi)])
        check_set("cli time range AND transport:udp", got, err, want)

        # --- REST, over the same data dir.
        port = free_port()
        rcfg = write_config(os.path.join(d, "run.yaml"), f"""
data_dir: {data}
log_level: info
store:
  enabled: true
  sync_on_close: false
  min_free_bytes: 0
  max_segment_age_s: 1d
search:
  commit_ms: 500
{idle_capture_yaml(f"srchidle{os.getpid()}", port)}""")
        daemon = Daemon([opensocd, "run", "-c", rcfg])
        base = f"http://127.0.0.1:{port}"
        up = wait_for(lambda: http_get(base + "/api/v1/stats")[0] == 200 or daemon.proc.poll() is not None, 30)
        if not c.check(up and daemon.proc.poll() is None, "opensocd run serves the API", daemon.output()[-2000:]):
            return
        try:
            rest_checks(base, cfg, sessions, events, s_cases, e_cases, pcap, time_cases)
        finally:
            c.equal(daemon.stop(), 0, "run: SIGTERM exits 0")
    live_check()


def rest_checks(base, cfg, sessions, events, s_cases, e_cases, pcap, time_cases):
    for q, p in s_cases:
        want = [key(s) for s in sessions if p(s)]
        body, err = api_search(base, q)
        if check_set(f"rest sessions {q!r}", body and body["records"], err, want):
            c.equal((body["total"], body["total_exact"]), (len(want), True), f"rest sessions {q!r} total, exact")
    for q, p in e_cases:
        want = [key(e) for e in events if p(e)]
        body, err = api_search(base, q, "events")
        if check_set(f"rest events   {q!r}", body and body["records"], err, want):
            c.equal((body["total"], body["total_exact"]), (len(want), True), f"rest events {q!r} total, exact")
    for params, tp in time_cases:
        want = [key(s) for s in sessions if tp(parse_ts(s["@timestamp"]))]
        body, err = api_search(base, "", **params)
        check_set(f"rest time range {params}", body and body["records"], err, want)

    # Paging: offset/limit walk the set once, no duplicates, in sort order.
    all_keys = [key(s) for s in sessions]
    for sort in ("@timestamp", "source.bytes:asc"):
        seen = []
        for off in range(0, len(sessions) + 3, 3):
            st, body = api(base, "/api/v1/sessions", q="", limit=3, offset=off, sort=sort)
            if st != 200:
                c.check(False, f"paging sort={sort} offset={off}", body)
                break
            c.equal(body["total"], len(sessions), f"paging sort={sort} offset={off}: total")
            seen += [key(r) for r in body["records"]]
        c.equal(len(seen), len(set(seen)), f"paging sort={sort}: no record twice")
        c.equal(sorted(seen, key=str), sorted(all_keys, key=str), f"paging sort={sort}: pages cover every session")

    # Sort by source.bytes both ways.
    for sort, rev in (("source.bytes:asc", False), ("-source.bytes", True), ("source.bytes:desc", True)):
        st, body = api(base, "/api/v1/sessions", q="", limit=10000, sort=sort)
        got = [get(r, "source.bytes")[0] for r in body.get("records", [])] if st == 200 else None
        c.equal(got, sorted((get(s, "source.bytes")[0] for s in sessions), reverse=rev), f"sort={sort} is ordered")

    # Facets: the first value of each field (the slot), over all matches.
    for kind, recs in (("sessions", sessions), ("events", events)):
        st, body = api(base, f"/api/v1/{kind}", q="", limit=0, facets="destination.port,dns.question.name",
                       facet_size=1000)
        for field in ("destination.port", "dns.question.name"):
            want = collections.Counter(str(dom(get(r, field)[0]) if field.startswith("dns") else get(r, field)[0])
                                       for r in recs if get(r, field))
            got = {str(x["value"]): x["count"] for x in body.get("facets", {}).get(field, [])} if st == 200 else None
            c.equal(got, dict(want), f"{kind} facet {field} equals the oracle's Counter")

    # Histogram: 1-minute buckets of @timestamp.
    for kind, recs in (("sessions", sessions), ("events", events)):
        st, body = api(base, f"/api/v1/{kind}", q="", limit=0, histogram="1m")
        want = collections.Counter(parse_ts(r["@timestamp"]) // (60 * NS) * 60 * NS for r in recs)
        buckets = body.get("histogram", {}).get("buckets", []) if st == 200 else []
        got = {b["start_ns"]: b["count"] for b in buckets if b["count"]}
        c.equal(got, dict(want), f"{kind} histogram=1m equals floor(@timestamp/60s) counts")
        c.check(len(want) >= 3, f"{kind} histogram spans several minutes ({len(want)})")
        c.check(all(parse_ts(b["start"]) == b["start_ns"] for b in buckets), f"{kind} histogram start = start_ns")
    st, body = api(base, "/api/v1/sessions", q="transport:udp", limit=0, histogram="1m")
    want = collections.Counter(parse_ts(r["@timestamp"]) // (60 * NS) * 60 * NS for r in sessions
                               if eq("network.transport", "udp")(r))
    got = {b["start_ns"]: b["count"] for b in body.get("histogram", {}).get("buckets", []) if b["count"]}
    c.equal(got, dict(want), "histogram of transport:udp")

    # Malformed queries: 400 and the byte position of the culprit.
    for q, pos in (("ip:10.0.0.0/8 AND dns.qname:x", 18), ("port:53 OR ip:10.1.2.300", 11),
                   ("source.bytes:>abc", 0), ("transport:tcp AND ip:10.0.0.0/33", 18),
                   ("port:53 AND (ip:1.2.3.4", 12), ("port:53 )", 8), ("network.transport:>5", 0)):
        st, body = api(base, "/api/v1/sessions", q=q)
        c.equal((st, body.get("position")), (400, pos), f"bad query {q!r}: 400 at {pos} ({body.get('error')})")
        got, err = cli_search_failure(cfg, q)
        c.check(got, f"cli rejects {q!r}", err)

    # The "pcap" link of every session (all its frames) and every event
    # (its session's frames up to the event): what tshark finds for the
    # 5-tuple, same times and bytes.
    _, cap = read_pcap_file(pcap)
    frames_of = {}
    for s in sessions:
        tp = get(s, "network.transport")[0]
        a, b = get(s, "source.ip")[0], get(s, "destination.ip")[0]
        pa, pb = get(s, "source.port")[0], get(s, "destination.port")[0]
        ipf = "ipv6" if ":" in a else "ip"
        flt = (f"({ipf}.src=={a} && {tp}.srcport=={pa} && {ipf}.dst=={b} && {tp}.dstport=={pb}) || "
               f"({ipf}.src=={b} && {tp}.srcport=={pb} && {ipf}.dst=={a} && {tp}.dstport=={pa})")
        r = run(["tshark", "-n", "-r", pcap, "-o", "ip.defragment:FALSE", "-Y", flt, "-T", "fields",
                 "-e", "frame.number"])
        frames_of[key(s)] = [cap[int(n) - 1] for n in r.stdout.split()]
    start_of = {key(s): parse_ts(s["@timestamp"]) for s in sessions}
    for rec in sessions + events:
        sid = get(rec, "session.id")[0]
        t = parse_ts(rec["@timestamp"])
        want = frames_of.get(sid, [])
        if rec in events:
            want = [w for w in want if start_of[sid] <= w[0] <= t]
        what = (f"pcap link of {get(rec, 'event.dataset')[0]} {key(rec)} "
                f"{get(rec, 'source.ip')[0]}:{get(rec, 'source.port')[0]}")
        status, _, body = http_get(base + rec.get("pcap", "/missing"), timeout=20)
        if not c.equal(status, 200, what + ": 200"):
            continue
        try:
            _, got = read_pcap(body)
        except ValueError as e:
            c.check(False, what + ": a whole pcap", str(e))
            continue
        c.check(len(want) > 0, what + ": tshark finds frames")
        c.equal([(g[0], g[3]) for g in got], [(w[0], w[3]) for w in want],
                what + f": the {len(want)} frames tshark finds (time and bytes)")


def cli_search_failure(cfg, q):
    r = run([opensocd, "search", "-c", cfg, "--", q] if q.startswith("-") else [opensocd, "search", "-c", cfg, q])
    return r.returncode != 0 and "search:" in r.stderr, r.stderr[-200:]


# ------------------------------------------------------ live time-to-search ---

def dns_query_frame(name, txid):
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    dns = struct.pack(">HHHHHH", txid, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
    udp = struct.pack(">HHHH", 40000 + txid % 1000, 53, 8 + len(dns), 0) + dns
    src, dst = bytes([10, 99, 0, 1]), bytes([10, 99, 0, 53])
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), txid, 0, 64, 17, 0, src, dst)
    s = sum(struct.unpack(">10H", hdr))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    hdr = hdr[:10] + struct.pack(">H", ~s & 0xFFFF) + hdr[12:]
    return b"\x02\x00\x00\x00\x00\x53" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + hdr + udp


def tcp_frame(src, dst, sport, dport, seq, ack, flags):
    """An Ethernet/IPv4/TCP frame without payload (checksums: the IP one only;
    opensocd does not verify the TCP checksum)."""
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src), bytes(dst))
    s = sum(struct.unpack(">10H", hdr))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    hdr = hdr[:10] + struct.pack(">H", ~s & 0xFFFF) + hdr[12:]
    return b"\x02\x00\x00\x00\x00\x53" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + hdr + tcp


def tcp_connection_frames(sport):
    """SYN, SYN-ACK, ACK, FIN, FIN-ACK, ACK of one connection: a whole session."""
    c_ip, s_ip, dport = [10, 99, 0, 1], [10, 99, 0, 80], 80
    SYN, ACK, FIN = 0x02, 0x10, 0x01
    return [tcp_frame(c_ip, s_ip, sport, dport, 100, 0, SYN),
            tcp_frame(s_ip, c_ip, dport, sport, 500, 101, SYN | ACK),
            tcp_frame(c_ip, s_ip, sport, dport, 101, 501, ACK),
            tcp_frame(c_ip, s_ip, sport, dport, 101, 501, FIN | ACK),
            tcp_frame(s_ip, c_ip, dport, sport, 501, 102, FIN | ACK),
            tcp_frame(c_ip, s_ip, sport, dport, 102, 502, ACK)]


SENDER_MANY = """
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("send0", 0))
for h in sys.argv[1:]:
    s.send(bytes.fromhex(h))
print(repr(time.time()))
"""


SENDER = """
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("send0", 0))
frame = bytes.fromhex(sys.argv[1])
s.send(frame)
print(repr(time.time()))
"""


def live_check():
    if os.geteuid() != 0:
        c.check(False, "live: needs root to create a network namespace")
        return
    ns = f"srch{os.getpid()}"
    try:
        make_veth_namespace(c, ns)
        with temp_dir("opensoc-search-live-") as d:
            cfg = write_config(os.path.join(d, "live.yaml"), f"""
data_dir: {d}/data
log_level: info
{af_packet_capture_yaml(ns)}store:
  enabled: true
  sync_on_close: false
  min_free_bytes: 0
  max_segment_age_s: 1d
search:
  commit_ms: 500
http:
  listen: 127.0.0.1:8080
""")
            daemon = Daemon(["ip", "netns", "exec", ns, opensocd, "run", "-c", cfg])

            def ns_get(path):
                r = run(["ip", "netns", "exec", ns, "curl", "-s", "--max-time", "5", "http://127.0.0.1:8080" + path])
                try:
                    return json.loads(r.stdout)
                except ValueError:
                    return None

            up = wait_for(lambda: ns_get("/api/v1/stats") is not None or daemon.proc.poll() is not None, 30)
            if not c.check(up and daemon.proc.poll() is None, "live: daemon captures on cap0", daemon.output()[-2000:]):
                daemon.stop()
                return
            latencies = []
            for i in range(3):
                name = f"live{os.getpid()}-{i}.search-test.example"
                r = run(["ip", "netns", "exec", ns, "python3", "-c", SENDER, dns_query_frame(name, 1000 + i).hex()])
                if not c.equal(r.returncode, 0, f"live: DNS query {name} sent", ):
                    print(r.stderr)
                    continue
                sent = float(r.stdout.strip())
                q = urllib.parse.quote(f"dns.question.name:{name}")
                found = wait_for(lambda: (lambda b: b and b.get("total", 0) >= 1)(
                    ns_get(f"/api/v1/events?q={q}")), 10, interval=0.05)
                lat = time.time() - sent
                body = ns_get(f"/api/v1/events?q={q}")
                names = [get(x, "dns.question.name") for x in body["records"]] if body else None
                ok = bool(found) and names == [[name]]
                c.check(ok and lat < 5.0, f"live: {name} searchable after {lat:.2f} s (< 5 s)", str(body)[:300])
                latencies.append(lat)
            print(f"     live time-to-search: {', '.join(f'{x:.2f} s' for x in latencies)}")
            # A TCP session is searchable once it closes (FIN/FIN), not only
            # after the flow table's tcp_closed linger (10 s by default).
            session_lat = []
            for i in range(2):
                sport = 41000 + os.getpid() % 1000 * 10 + i
                frames = [f.hex() for f in tcp_connection_frames(sport)]
                r = run(["ip", "netns", "exec", ns, "python3", "-c", SENDER_MANY] + frames)
                if not c.equal(r.returncode, 0, f"live: TCP connection from port {sport} sent"):
                    print(r.stderr)
                    continue
                sent = float(r.stdout.strip())
                q = urllib.parse.quote(f"source.port:{sport} AND destination.port:80")
                found = wait_for(lambda: (lambda b: b and b.get("total", 0) >= 1)(
                    ns_get(f"/api/v1/sessions?q={q}")), 10, interval=0.05)
                lat = time.time() - sent
                body = ns_get(f"/api/v1/sessions?q={q}")
                recs = body["records"] if body else []
                # Shown at the closing FIN (3 packets from the client so far, 2
                # back); the final record (4 and 2) replaces it after the linger.
                ok = bool(found) and len(recs) == 1 and get(recs[0], "source.packets") in ([3], [4]) and \
                    get(recs[0], "destination.packets") == [2] and get(recs[0], "event.reason") == ["fin"]
                c.check(ok and lat < 5.0, f"live: TCP session from port {sport} searchable after {lat:.2f} s (< 5 s)",
                        json.dumps(recs[0] if recs else body)[:900])
                session_lat.append(lat)
            print(f"     live session time-to-search: {', '.join(f'{x:.2f} s' for x in session_lat)}")
            c.equal(daemon.stop(), 0, "live: SIGTERM exits 0")
    finally:
        run(["ip", "netns", "del", ns])


if __name__ == "__main__":
    main()
    c.finish()
